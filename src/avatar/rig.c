/* Blendshape rig: .vhrig reader (format in scripts/convert_ict_rig.py) and
 * linear posing with sparse offsets. */
#include "verhm/avatar.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const vh_arkit_names[VH_ARKIT_COUNT] = {
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
    "eyeSquintLeft", "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight",
    "eyeLookOutRight", "eyeLookUpRight", "eyeSquintRight", "eyeWideRight", "jawForward",
    "jawLeft", "jawRight", "jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft",
    "mouthRight", "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight",
    "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthPressLeft",
    "mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft",
    "noseSneerRight", "tongueOut"};

int vh_arkit_index(const char *name) {
    for (int i = 0; i < VH_ARKIT_COUNT; i++)
        if (strcmp(vh_arkit_names[i], name) == 0) return i;
    return VH_ENOTFOUND;
}

typedef struct shape { int count; uint16_t *verts; float *deltas; } shape;

struct vh_rig {
    int nv, nt;
    int sorted;  /* every shape lists its vertices in increasing order */
    float *pos, *uv;
    uint8_t *part;
    uint32_t *tris;
    shape shapes[VH_ARKIT_COUNT];
};

typedef struct rd { const uint8_t *p, *end; const char *name; int st; } rd;

static int rfail(rd *r, const char *what) {
    if (!r->st) r->st = vh__fail(NULL, VH_EFORMAT, "%s: %s", r->name, what);
    return r->st;
}

static const uint8_t *take(rd *r, size_t n, const char *what) {
    if (r->st) return NULL;
    if ((size_t)(r->end - r->p) < n) { rfail(r, what); return NULL; }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static float lef32(const uint8_t *p) {
    uint32_t u = le32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* IEEE half → float by moving the bit fields (exact); subnormal halves are
 * normal floats: m·2⁻²⁴. */
static float half_to_float(uint16_t h) {
    uint32_t s = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023, u;
    if (e == 31) u = s | 0x7F800000u | (m << 13);            /* inf, NaN */
    else if (e) u = s | ((e + 112) << 23) | (m << 13);       /* rebias 15 → 127 */
    else {
        float v = (float)m * (1.0f / 16777216.0f);
        return s ? -v : v;
    }
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t crc32_le(const uint8_t *p, size_t n) {
    static uint32_t table[256];
    static int init;
    if (!init) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        init = 1;
    }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void vh_rig_free(vh_rig *rig) {
    if (!rig) return;
    free(rig->pos);
    free(rig->uv);
    free(rig->part);
    free(rig->tris);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        free(rig->shapes[k].verts);
        free(rig->shapes[k].deltas);
    }
    free(rig);
}

static int parse(rd *r, vh_rig *rig) {
    const uint8_t *h = take(r, 24, "truncated header");
    if (!h) return r->st;
    if (memcmp(h, "VHRIG\0\0\0", 8) != 0) return rfail(r, "not a verhm rig file (bad magic)");
    if (le32(h + 8) != 1) return rfail(r, "unsupported rig version");
    uint32_t nv = le32(h + 12), nt = le32(h + 16), ns = le32(h + 20);
    if (nv == 0 || nv > 65535 || nt == 0 || nt > 4000000 || ns != VH_ARKIT_COUNT)
        return rfail(r, "vertex, triangle or shape count out of range");
    rig->nv = (int)nv;
    rig->nt = (int)nt;
    rig->pos = malloc(nv * 3 * sizeof(float));
    rig->uv = malloc(nv * 2 * sizeof(float));
    rig->part = malloc(nv);
    rig->tris = malloc((size_t)nt * 3 * sizeof(uint32_t));
    if (!rig->pos || !rig->uv || !rig->part || !rig->tris) return r->st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", r->name);
    const uint8_t *p = take(r, (size_t)nv * 12, "truncated positions");
    for (size_t i = 0; p && i < (size_t)nv * 3; i++) {
        rig->pos[i] = lef32(p + 4 * i);
        if (!isfinite(rig->pos[i])) return rfail(r, "non-finite vertex position");
    }
    p = take(r, (size_t)nv * 8, "truncated UVs");
    for (size_t i = 0; p && i < (size_t)nv * 2; i++) rig->uv[i] = lef32(p + 4 * i);
    p = take(r, nv, "truncated parts");
    if (p) memcpy(rig->part, p, nv);
    p = take(r, (size_t)nt * 12, "truncated triangles");
    for (size_t i = 0; p && i < (size_t)nt * 3; i++) {
        rig->tris[i] = le32(p + 4 * i);
        if (rig->tris[i] >= nv) return rfail(r, "triangle index out of range");
    }
    for (uint32_t s = 0; s < ns && !r->st; s++) {
        const uint8_t *hd = take(r, 36, "truncated shape header");
        if (!hd) break;
        char name[33];
        memcpy(name, hd, 32);
        name[32] = 0;
        int k = vh_arkit_index(name);
        if (k < 0) return rfail(r, "unknown blendshape name");
        shape *sh = &rig->shapes[k];
        if (sh->verts) return rfail(r, "duplicate blendshape");
        uint32_t cnt = le32(hd + 32);
        if (cnt > nv) return rfail(r, "shape offset count out of range");
        sh->count = (int)cnt;
        sh->verts = malloc((cnt ? cnt : 1) * sizeof(uint16_t));
        sh->deltas = malloc((cnt ? cnt : 1) * 3 * sizeof(float));
        if (!sh->verts || !sh->deltas) return r->st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", r->name);
        const uint8_t *vi = take(r, (size_t)cnt * 2, "truncated shape vertices");
        const uint8_t *dv = take(r, (size_t)cnt * 6, "truncated shape offsets");
        if (!vi || !dv) break;
        for (uint32_t i = 0; i < cnt; i++) {
            sh->verts[i] = (uint16_t)(vi[2 * i] | vi[2 * i + 1] << 8);
            if (sh->verts[i] >= nv) return rfail(r, "shape vertex index out of range");
            for (int c = 0; c < 3; c++) {
                float d = half_to_float((uint16_t)(dv[6 * i + 2 * c] | dv[6 * i + 2 * c + 1] << 8));
                if (!isfinite(d)) return rfail(r, "non-finite shape offset");
                sh->deltas[3 * i + c] = d;
            }
        }
    }
    if (r->st) return r->st;
    rig->sorted = 1;
    for (int k = 0; k < VH_ARKIT_COUNT; k++)
        for (int i = 1; i < rig->shapes[k].count; i++)
            if (rig->shapes[k].verts[i] <= rig->shapes[k].verts[i - 1]) rig->sorted = 0;
    const uint8_t *crc = take(r, 4, "truncated checksum");
    if (!crc) return r->st;
    if (r->p != r->end) return rfail(r, "trailing bytes");
    return 0;
}

int vh_rig_load_mem(const void *buf, size_t len, const char *name, vh_rig **out) {
    *out = NULL;
    vh_rig *rig = calloc(1, sizeof *rig);
    if (!rig) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    rd r = {buf, (const uint8_t *)buf + len, name, 0};
    if (len < 28) rfail(&r, "file too short for a rig");
    else if (crc32_le(buf, len - 4) != le32((const uint8_t *)buf + len - 4)) rfail(&r, "checksum mismatch (file corrupt or truncated)");
    else parse(&r, rig);
    if (r.st) { vh_rig_free(rig); return r.st; }
    *out = rig;
    return VH_OK;
}

int vh_rig_load(const char *path, vh_rig **out) {
    *out = NULL;
    char *data;
    size_t n;
    int st = vh_file_read_all(path, (size_t)256 << 20, &data, &n);
    if (st) return st;
    st = vh_rig_load_mem(data, n, path, out);
    free(data);
    return st;
}

int vh_rig_vertex_count(const vh_rig *rig) { return rig->nv; }
int vh_rig_triangle_count(const vh_rig *rig) { return rig->nt; }
int vh_rig_shape_count(const vh_rig *rig) { (void)rig; return VH_ARKIT_COUNT; }
const float *vh_rig_neutral(const vh_rig *rig) { return rig->pos; }
const float *vh_rig_uvs(const vh_rig *rig) { return rig->uv; }
const uint8_t *vh_rig_parts(const vh_rig *rig) { return rig->part; }
const uint32_t *vh_rig_triangles(const vh_rig *rig) { return rig->tris; }

void vh_rig_shape(const vh_rig *rig, int k, int *count, const uint16_t **verts, const float **deltas) {
    *count = rig->shapes[k].count;
    *verts = rig->shapes[k].verts;
    *deltas = rig->shapes[k].deltas;
}

typedef struct apply_ctx { const vh_rig *rig; const float *w; float *out; } apply_ctx;

/* Vertices [v0, v1): the neutral plus each weighted shape, shapes in index
 * order (the sum a single pass over whole shapes makes, bit for bit). */
static void apply_range(void *ctx, size_t v0, size_t v1, int tid) {
    (void)tid;
    const apply_ctx *a = ctx;
    const vh_rig *rig = a->rig;
    memcpy(a->out + 3 * v0, rig->pos + 3 * v0, (v1 - v0) * 3 * sizeof(float));
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        const float wk = a->w[k];
        if (wk == 0) continue;
        const shape *s = &rig->shapes[k];
        /* First listed vertex ≥ v0 (lists are sorted when this runs in parallel). */
        int lo = 0, hi = s->count;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (s->verts[mid] < v0) lo = mid + 1;
            else hi = mid;
        }
        for (int i = lo; i < s->count && s->verts[i] < v1; i++) {
            float *v = a->out + 3 * (size_t)s->verts[i];
            const float *d = s->deltas + 3 * (size_t)i;
            v[0] += wk * d[0];
            v[1] += wk * d[1];
            v[2] += wk * d[2];
        }
    }
}

int vh_rig_apply(const vh_rig *rig, const float w[VH_ARKIT_COUNT], float *out) {
    for (int k = 0; k < VH_ARKIT_COUNT; k++)
        if (!isfinite(w[k]) || w[k] < -1 || w[k] > 2)
            return vh__fail(NULL, VH_ERANGE, "rig: weight %s = %g out of range", vh_arkit_names[k], w[k]);
    apply_ctx a = {rig, w, out};
    if (rig->sorted) {
        vh_parallel_for((size_t)rig->nv, 4096, apply_range, &a);
        return VH_OK;
    }
    memcpy(out, rig->pos, (size_t)rig->nv * 3 * sizeof(float));
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        const float wk = w[k];
        if (wk == 0) continue;
        const shape *s = &rig->shapes[k];
        for (int i = 0; i < s->count; i++) {
            float *v = out + 3 * (size_t)s->verts[i];
            const float *d = s->deltas + 3 * (size_t)i;
            v[0] += wk * d[0];
            v[1] += wk * d[1];
            v[2] += wk * d[2];
        }
    }
    return VH_OK;
}
