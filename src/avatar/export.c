/* Weight-track exports: LiveLinkFace-style CSV, NumPy .npy, glTF 2.0 .glb. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/avatar.h"
#include "core/internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV ---- */

struct vh_anim_csv {
    vh_atomic_file f;
    double fps;
    long frame;
    int err;
};

int vh_anim_csv_open(const char *path, double fps, int overwrite, vh_anim_csv **out) {
    if (!path || !out || !(fps > 0 && fps <= 1000)) return vh__fail(NULL, VH_EINVAL, "csv: bad arguments");
    *out = NULL;
    vh_anim_csv *c = calloc(1, sizeof *c);
    if (!c) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    int st = vh_atomic_open(&c->f, path, overwrite);
    if (st) { free(c); return st; }
    c->fps = fps;
    fputs("Timecode,BlendShapeCount", c->f.fp);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) fprintf(c->f.fp, ",%s", vh_arkit_names[k]);
    fputc('\n', c->f.fp);
    *out = c;
    return VH_OK;
}

int vh_anim_csv_frame(vh_anim_csv *c, const float w[VH_ARKIT_COUNT]) {
    if (!c || !w) return vh__fail(NULL, VH_EINVAL, "csv: bad arguments");
    double t = c->frame / c->fps;
    long ms_total = (long)floor(t * 1000.0 + 0.5);
    long s = ms_total / 1000;
    int ifps = (int)lround(c->fps);
    long ff = (long)floor((t - (double)s) * c->fps + 1e-6);
    if (ff >= ifps) ff = ifps - 1;
    if (ff < 0) ff = 0;
    fprintf(c->f.fp, "%02ld:%02ld:%02ld:%02ld.%03ld,%d", s / 3600, s / 60 % 60, s % 60, ff, ms_total % 1000, VH_ARKIT_COUNT);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) fprintf(c->f.fp, ",%.5f", isfinite(w[k]) ? w[k] : 0.0f);
    if (fputc('\n', c->f.fp) == EOF) return vh__fail(NULL, VH_EIO, "%s: write failed", c->f.path);
    c->frame++;
    return VH_OK;
}

int vh_anim_csv_close(vh_anim_csv *c, int ok) {
    if (!c) return VH_OK;
    int st = VH_OK;
    if (ok) st = vh_atomic_commit(&c->f);
    else vh_atomic_abort(&c->f);
    free(c);
    return st;
}

/* ---- NPY ---- */

#define NPY_HEADER 128

struct vh_anim_npy {
    vh_atomic_file f;
    long frames;
};

static int npy_header(FILE *fp, long frames) {
    char h[NPY_HEADER];
    memset(h, ' ', sizeof h);
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    h[8] = (char)(NPY_HEADER - 10);
    h[9] = 0;
    char d[112];
    int n = snprintf(d, sizeof d, "{'descr': '<f4', 'fortran_order': False, 'shape': (%ld, %d), }", frames, VH_ARKIT_COUNT);
    if (n < 0 || n >= NPY_HEADER - 11) return VH_ERANGE;
    memcpy(h + 10, d, (size_t)n);
    h[NPY_HEADER - 1] = '\n';
    if (fseek(fp, 0, SEEK_SET) || fwrite(h, 1, sizeof h, fp) != sizeof h) return VH_EIO;
    return fseek(fp, 0, SEEK_END) ? VH_EIO : VH_OK;
}

int vh_anim_npy_open(const char *path, int overwrite, vh_anim_npy **out) {
    if (!path || !out) return vh__fail(NULL, VH_EINVAL, "npy: bad arguments");
    *out = NULL;
    vh_anim_npy *n = calloc(1, sizeof *n);
    if (!n) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    int st = vh_atomic_open(&n->f, path, overwrite);
    if (st) { free(n); return st; }
    if (npy_header(n->f.fp, 0)) { vh_atomic_abort(&n->f); free(n); return vh__fail(NULL, VH_EIO, "%s: write failed", path); }
    *out = n;
    return VH_OK;
}

int vh_anim_npy_frame(vh_anim_npy *n, const float w[VH_ARKIT_COUNT]) {
    if (!n || !w) return vh__fail(NULL, VH_EINVAL, "npy: bad arguments");
    uint8_t b[VH_ARKIT_COUNT * 4];
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        float v = isfinite(w[k]) ? w[k] : 0.0f;
        uint32_t u;
        memcpy(&u, &v, 4);
        for (int j = 0; j < 4; j++) b[4 * k + j] = (uint8_t)(u >> (8 * j));
    }
    if (fwrite(b, 1, sizeof b, n->f.fp) != sizeof b) return vh__fail(NULL, VH_EIO, "%s: write failed", n->f.path);
    n->frames++;
    return VH_OK;
}

int vh_anim_npy_close(vh_anim_npy *n, int ok) {
    if (!n) return VH_OK;
    int st = VH_OK;
    if (ok && npy_header(n->f.fp, n->frames)) {
        st = vh__fail(NULL, VH_EIO, "%s: write failed", n->f.path);
        ok = 0;
    }
    if (ok) st = vh_atomic_commit(&n->f);
    else vh_atomic_abort(&n->f);
    free(n);
    return st;
}

/* ---- GLB ---- */

static void put_f32(vh_buf *b, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    uint8_t x[4] = { (uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24) };
    vh_buf_append(b, x, 4);
}
static void put_u32(vh_buf *b, uint32_t u) {
    uint8_t x[4] = { (uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24) };
    vh_buf_append(b, x, 4);
}

/* Appends a bufferView + accessor to the JSON pieces and returns the accessor index. */
typedef struct glb_ctx {
    vh_buf bin;
    vh_buf views, accs; /* JSON array bodies */
    int nviews, naccs;
} glb_ctx;

static int add_accessor(glb_ctx *g, size_t offset, size_t bytes, int comp, size_t count, const char *type,
                        int target, const float *mn, const float *mx, int ncomp) {
    vh_buf_printf(&g->views, "%s{\"buffer\":0,\"byteOffset\":%zu,\"byteLength\":%zu%s}", g->nviews ? "," : "",
                  offset, bytes, target == 1 ? ",\"target\":34962" : target == 2 ? ",\"target\":34963" : "");
    vh_buf_printf(&g->accs, "%s{\"bufferView\":%d,\"componentType\":%d,\"count\":%zu,\"type\":\"%s\"",
                  g->naccs ? "," : "", g->nviews, comp, count, type);
    if (mn && mx) {
        vh_buf_puts(&g->accs, ",\"min\":[");
        for (int i = 0; i < ncomp; i++) vh_buf_printf(&g->accs, "%s%.9g", i ? "," : "", mn[i]);
        vh_buf_puts(&g->accs, "],\"max\":[");
        for (int i = 0; i < ncomp; i++) vh_buf_printf(&g->accs, "%s%.9g", i ? "," : "", mx[i]);
        vh_buf_puts(&g->accs, "]");
    }
    vh_buf_puts(&g->accs, "}");
    g->nviews++;
    return g->naccs++;
}

static void pad4(vh_buf *b, char c) {
    while (b->len % 4) vh_buf_append(b, &c, 1);
}

int vh_anim_write_glb(const vh_rig *rig, const float *w, int nframes, double fps, const char *path, int overwrite) {
    if (!rig || !w || !path || !(fps > 0 && fps <= 1000)) return vh__fail(NULL, VH_EINVAL, "glb: bad arguments");
    if (nframes < 1 || nframes > 216000) return vh__fail(NULL, VH_ERANGE, "%s: %d frames (1..216000 allowed)", path, nframes);
    for (size_t i = 0; i < (size_t)nframes * VH_ARKIT_COUNT; i++)
        if (!isfinite(w[i])) return vh__fail(NULL, VH_EINVAL, "%s: non-finite weight at frame %zu", path, i / VH_ARKIT_COUNT);
    int nv = vh_rig_vertex_count(rig), nt = vh_rig_triangle_count(rig);
    const float *pos = vh_rig_neutral(rig);
    const uint8_t *part = vh_rig_parts(rig);
    const uint32_t *tri = vh_rig_triangles(rig);
    int moving[VH_ARKIT_COUNT], nm = 0;
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        int cnt;
        const uint16_t *vi;
        const float *d;
        vh_rig_shape(rig, k, &cnt, &vi, &d);
        float mx = 0;
        for (int f = 0; f < nframes; f++) mx = fmaxf(mx, fabsf(w[(size_t)f * VH_ARKIT_COUNT + k]));
        if (mx > 1e-3f && cnt > 0) moving[nm++] = k;
    }
    glb_ctx g;
    memset(&g, 0, sizeof g);
    int st = VH_OK;
    float *nrm = calloc((size_t)nv * 3, sizeof *nrm);
    float *tmp = calloc((size_t)nv * 3, sizeof *tmp);
    if (!nrm || !tmp) { st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); goto done; }
    /* Positions (metres) and smooth normals. */
    float mn[3] = { INFINITY, INFINITY, INFINITY }, mx[3] = { -INFINITY, -INFINITY, -INFINITY };
    size_t off = g.bin.len;
    for (int i = 0; i < nv; i++)
        for (int c = 0; c < 3; c++) {
            float v = pos[3 * i + c] * 0.01f;
            mn[c] = fminf(mn[c], v);
            mx[c] = fmaxf(mx[c], v);
            put_f32(&g.bin, v);
        }
    int acc_pos = add_accessor(&g, off, g.bin.len - off, 5126, (size_t)nv, "VEC3", 1, mn, mx, 3);
    size_t ndrawn = 0;
    for (int t = 0; t < nt; t++) {
        const uint32_t *q = tri + 3 * t;
        if (part[q[0]] == VH_PART_EYE_SHELL) continue;
        ndrawn++;
        const float *a = pos + 3 * q[0], *b = pos + 3 * q[1], *c = pos + 3 * q[2];
        float e1[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, e2[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
        float n[3] = { e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0] };
        for (int j = 0; j < 3; j++)
            for (int cc = 0; cc < 3; cc++) nrm[3 * q[j] + cc] += n[cc];
    }
    off = g.bin.len;
    for (int i = 0; i < nv; i++) {
        float *n = nrm + 3 * i, l = sqrtf(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (l > 0) { n[0] /= l; n[1] /= l; n[2] /= l; } else { n[0] = 0; n[1] = 0; n[2] = 1; }
        for (int c = 0; c < 3; c++) put_f32(&g.bin, n[c]);
    }
    int acc_nrm = add_accessor(&g, off, g.bin.len - off, 5126, (size_t)nv, "VEC3", 1, NULL, NULL, 3);
    off = g.bin.len;
    for (int t = 0; t < nt; t++) {
        const uint32_t *q = tri + 3 * t;
        if (part[q[0]] == VH_PART_EYE_SHELL) continue;
        for (int j = 0; j < 3; j++) put_u32(&g.bin, q[j]);
    }
    int acc_idx = add_accessor(&g, off, g.bin.len - off, 5125, ndrawn * 3, "SCALAR", 2, NULL, NULL, 1);
    /* Morph targets: dense displacement arrays (metres). */
    int acc_tgt[VH_ARKIT_COUNT];
    for (int m = 0; m < nm; m++) {
        int cnt;
        const uint16_t *vi;
        const float *d;
        vh_rig_shape(rig, moving[m], &cnt, &vi, &d);
        memset(tmp, 0, (size_t)nv * 3 * sizeof *tmp);
        for (int j = 0; j < cnt; j++)
            for (int c = 0; c < 3; c++) tmp[3 * (size_t)vi[j] + c] = d[3 * j + c] * 0.01f;
        float tmn[3] = { 0, 0, 0 }, tmx[3] = { 0, 0, 0 };
        off = g.bin.len;
        for (int i = 0; i < nv * 3; i++) {
            tmn[i % 3] = fminf(tmn[i % 3], tmp[i]);
            tmx[i % 3] = fmaxf(tmx[i % 3], tmp[i]);
            put_f32(&g.bin, tmp[i]);
        }
        acc_tgt[m] = add_accessor(&g, off, g.bin.len - off, 5126, (size_t)nv, "VEC3", 1, tmn, tmx, 3);
    }
    /* Animation: times and weights. */
    int acc_time = -1, acc_w = -1;
    if (nm > 0) {
        off = g.bin.len;
        for (int f = 0; f < nframes; f++) put_f32(&g.bin, (float)(f / fps));
        float t0 = 0, t1 = (float)((nframes - 1) / fps);
        acc_time = add_accessor(&g, off, g.bin.len - off, 5126, (size_t)nframes, "SCALAR", 0, &t0, &t1, 1);
        off = g.bin.len;
        for (int f = 0; f < nframes; f++)
            for (int m = 0; m < nm; m++) put_f32(&g.bin, w[(size_t)f * VH_ARKIT_COUNT + moving[m]]);
        acc_w = add_accessor(&g, off, g.bin.len - off, 5126, (size_t)nframes * (size_t)nm, "SCALAR", 0, NULL, NULL, 1);
    }
    if (g.bin.failed || g.views.failed || g.accs.failed) { st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); goto done; }
    /* JSON chunk. */
    vh_buf js = { 0 };
    vh_buf_puts(&js, "{\"asset\":{\"version\":\"2.0\",\"generator\":\"verhm animate\"},\"scene\":0,"
                     "\"scenes\":[{\"nodes\":[0]}],\"nodes\":[{\"name\":\"face\",\"mesh\":0}],");
    vh_buf_printf(&js, "\"materials\":[{\"name\":\"skin\",\"pbrMetallicRoughness\":{\"baseColorFactor\":[0.8,0.6,0.5,1],"
                       "\"metallicFactor\":0,\"roughnessFactor\":0.6}}],");
    vh_buf_printf(&js, "\"meshes\":[{\"name\":\"face\",\"primitives\":[{\"attributes\":{\"POSITION\":%d,\"NORMAL\":%d},"
                       "\"indices\":%d,\"material\":0,\"mode\":4",
                  acc_pos, acc_nrm, acc_idx);
    if (nm) {
        vh_buf_puts(&js, ",\"targets\":[");
        for (int m = 0; m < nm; m++) vh_buf_printf(&js, "%s{\"POSITION\":%d}", m ? "," : "", acc_tgt[m]);
        vh_buf_puts(&js, "]}],\"weights\":[");
        for (int m = 0; m < nm; m++) vh_buf_puts(&js, m ? ",0" : "0");
        vh_buf_puts(&js, "],\"extras\":{\"targetNames\":[");
        for (int m = 0; m < nm; m++) vh_buf_printf(&js, "%s\"%s\"", m ? "," : "", vh_arkit_names[moving[m]]);
        vh_buf_puts(&js, "]}}],");
        vh_buf_printf(&js, "\"animations\":[{\"name\":\"speech\",\"samplers\":[{\"input\":%d,\"output\":%d,"
                           "\"interpolation\":\"LINEAR\"}],\"channels\":[{\"sampler\":0,\"target\":{\"node\":0,"
                           "\"path\":\"weights\"}}]}],",
                      acc_time, acc_w);
    } else {
        vh_buf_puts(&js, "}]}],");
    }
    vh_buf_printf(&js, "\"buffers\":[{\"byteLength\":%zu}],\"bufferViews\":[", g.bin.len);
    vh_buf_append(&js, g.views.data, g.views.len);
    vh_buf_puts(&js, "],\"accessors\":[");
    vh_buf_append(&js, g.accs.data, g.accs.len);
    vh_buf_puts(&js, "]}");
    pad4(&js, ' ');
    pad4(&g.bin, 0);
    if (js.failed) { vh_buf_free(&js); st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); goto done; }
    uint64_t total = 12 + 8 + (uint64_t)js.len + 8 + (uint64_t)g.bin.len;
    if (total > 0xffffffffu) { vh_buf_free(&js); st = vh__fail(NULL, VH_ERANGE, "%s: glb over 4 GiB", path); goto done; }
    vh_buf hdr = { 0 };
    vh_buf_append(&hdr, "glTF", 4);
    put_u32(&hdr, 2);
    put_u32(&hdr, (uint32_t)total);
    put_u32(&hdr, (uint32_t)js.len);
    vh_buf_append(&hdr, "JSON", 4);
    vh_atomic_file af;
    st = vh_atomic_open(&af, path, overwrite);
    if (st) { vh_buf_free(&js); vh_buf_free(&hdr); goto done; }
    int bad = fwrite(hdr.data, 1, hdr.len, af.fp) != hdr.len || fwrite(js.data, 1, js.len, af.fp) != js.len;
    vh_buf_free(&hdr);
    vh_buf_free(&js);
    vh_buf bh = { 0 };
    put_u32(&bh, (uint32_t)g.bin.len);
    vh_buf_append(&bh, "BIN\0", 4);
    bad = bad || bh.failed || fwrite(bh.data, 1, bh.len, af.fp) != bh.len || fwrite(g.bin.data, 1, g.bin.len, af.fp) != g.bin.len;
    vh_buf_free(&bh);
    if (bad) { vh_atomic_abort(&af); st = vh__fail(NULL, VH_EIO, "%s: write failed", path); goto done; }
    st = vh_atomic_commit(&af);
done:
    free(nrm);
    free(tmp);
    vh_buf_free(&g.bin);
    vh_buf_free(&g.views);
    vh_buf_free(&g.accs);
    return st;
}
