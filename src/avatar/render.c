/* Software rasteriser for the rig: per-vertex lighting (Gouraud), z-buffer,
 * n×n supersampling. A frame is made in stages, each spread over the thread
 * pool: posing and projection per vertex, face normals per triangle, smooth
 * normals and lighting per vertex (a gather over each vertex's triangles, in
 * the order a scatter would add them), per-triangle setup (culling, depth and
 * colour planes), binning into bands of rows, rasterisation of the bands and
 * the resolve to output pixels. The bands and resolve rows are handed out
 * dynamically (an atomic counter), which balances the face's busy middle
 * against the empty background without changing a single pixel: every band
 * and row is computed the same way whichever thread takes it.
 *
 * Rasterisation is visibility only: exact per-row spans (edge functions in
 * double precision from the shared vertex positions, so neighbouring triangles
 * meet without cracks), a depth test, and the winning triangle's id per
 * sample. Colour is computed once per output pixel in the resolve: where all
 * n×n samples of a pixel show the same triangle (the inside of the face), the
 * mean of the samples' Gouraud colours is the colour plane at the pixel centre,
 * one evaluation; only pixels on silhouettes and creases evaluate each sample.
 * Each row remembers the extent it drew, so the depth buffer is cleared and
 * resolved only there. */
#include "verhm/avatar.h"
#include "core/internal.h"
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define DEG (3.14159265358979323846f / 180.0f)
#define BAND_ROWS 16          /* output rows per band (× supersample sample rows) */
#define SRGB_LUT 4096         /* linear → sRGB table steps over [0, 1] */
#define TILE 8                /* occlusion-test tile side, samples */
#define VH_MAX_POOL 64        /* vh_parallel_for thread ids are below this */
#define DRAW_CULL 1           /* back faces are culled */
#define DRAW_BOTH 2           /* double-sided (lashes) */
#define DRAW_TESTED 4         /* drawn only if not hidden by what is already drawn */

/* Per-triangle planes, relative to vertex 0 at (x0, y0) in sample units:
 * value(x, y) = base + dx·(x − x0) + dy·(y − y0). */
typedef struct tri_plane {
    float x0, y0;
    float z, zx, zy;                  /* 1/depth */
    float c[3], cx[3], cy[3];         /* sRGB colour, 0–255 */
    float pad[2];
} tri_plane;

struct vh_renderer {
    const vh_rig *rig;
    vh_render_params p;
    int nv, nt, sw, sh, nthreads;
    float *posed;             /* nv*3 after head/eye rotation */
    float *fnorm;             /* nt*3 face normals (area-weighted) */
    float *sx, *sy, *invd;    /* screen position (samples) and 1/depth per vertex */
    float *vcol;              /* nv*3 lit colour, sRGB 0–255 */
    float *albedo;            /* nv*3 base colour (linear) */
    float *spec;              /* nv specular strength */
    uint8_t *draw;            /* per triangle: 0 skip, DRAW_CULL or DRAW_BOTH, | DRAW_TESTED */
    int *adj_start, *adj;     /* drawn triangles of each vertex (CSR, increasing id) */
    int *order;               /* drawn triangles, occluders (skin, lashes) first */
    int n_order;
    int tiles_x, tiles_y;     /* TILE×TILE-sample tiles of the occlusion test */
    float *tile_min;          /* smallest 1/depth (farthest sample) in the tile */
    uint8_t *tile_ok;         /* tile_min computed in this frame's band */
    int16_t *band;            /* per triangle this frame: first and last band (first > last: not drawn) */
    tri_plane *plane;         /* nt */
    float front_sign;
    float eye_c[2][3];        /* eyeball centres in the neutral (left = +x side) */
    float srgb[SRGB_LUT + 2]; /* sRGB·255 of linear i/SRGB_LUT */
    int nbands, band_h;       /* band height in sample rows */
    int *bin;                 /* triangle ids, grouped by band (bin_start) */
    int *bin_start;           /* nbands + 1 */
    int *row_lo, *row_hi;     /* per sample row: drawn x extent (lo > hi: none) */
    float *depth;             /* sw*sh, 1/d (0 = empty) */
    uint32_t *tid;            /* sw*sh, triangle shown where depth > 0 */
    vh_image frame;
    /* per frame */
    float head[9], eye[9];
    const float *pos;
    int bad[VH_MAX_POOL];     /* per pool thread: first non-finite vertex */
    atomic_int next;
};

vh_render_params vh_render_default_params(void) {
    vh_render_params p = {512, 768, 2, 24.0f, {0.0f, -1.0f, 4.0f}, 78.0f,
                          {58, 64, 78}, {22, 24, 30}};
    return p;
}

void vh_renderer_free(vh_renderer *r) {
    if (!r) return;
    free(r->posed); free(r->fnorm); free(r->sx); free(r->sy); free(r->invd);
    free(r->vcol); free(r->albedo); free(r->spec); free(r->draw); free(r->adj_start); free(r->adj);
    free(r->order); free(r->tile_min); free(r->tile_ok);
    free(r->band); free(r->plane); free(r->bin); free(r->bin_start); free(r->row_lo); free(r->row_hi);
    free(r->depth); free(r->tid);
    vh_image_free(&r->frame);
    free(r);
}

static void v3_sub(const float *a, const float *b, float *o) { o[0] = a[0] - b[0]; o[1] = a[1] - b[1]; o[2] = a[2] - b[2]; }
static void v3_cross(const float *a, const float *b, float *o) {
    o[0] = a[1] * b[2] - a[2] * b[1]; o[1] = a[2] * b[0] - a[0] * b[2]; o[2] = a[0] * b[1] - a[1] * b[0];
}
static float v3_dot(const float *a, const float *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static void v3_norm(float *v) {
    float l = sqrtf(v3_dot(v, v));
    if (l > 1e-20f) { v[0] /= l; v[1] /= l; v[2] /= l; }
}
/* max/min without the libm call (no NaNs reach them). */
static float maxf(float a, float b) { return a > b ? a : b; }
static float minf(float a, float b) { return a < b ? a : b; }
static float fmin3(float a, float b, float c) { float m = a < b ? a : b; return m < c ? m : c; }
static float fmax3(float a, float b, float c) { float m = a > b ? a : b; return m > c ? m : c; }

/* Base colours (linear RGB) and specular strength per part; eyeballs get
 * sclera / iris / pupil by the angle from the eyeball's forward axis. */
static void assign_materials(vh_renderer *r) {
    const float *n = vh_rig_neutral(r->rig);
    const uint8_t *part = vh_rig_parts(r->rig);
    double c[2][3] = {{0}}, cnt[2] = {0};
    for (int i = 0; i < r->nv; i++)
        if (part[i] == VH_PART_EYEBALL) {
            int s = n[3 * i] < 0;
            for (int k = 0; k < 3; k++) c[s][k] += n[3 * i + k];
            cnt[s]++;
        }
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 3; k++) r->eye_c[s][k] = cnt[s] ? (float)(c[s][k] / cnt[s]) : 0;
    for (int i = 0; i < r->nv; i++) {
        float *a = &r->albedo[3 * i];
        float sp = 0.12f;
        switch (part[i]) {
        case VH_PART_SKIN: a[0] = 0.62f; a[1] = 0.38f; a[2] = 0.28f; break;
        case VH_PART_EYE_SOCKET: a[0] = 0.50f; a[1] = 0.28f; a[2] = 0.22f; break;
        case VH_PART_TEETH: a[0] = 0.80f; a[1] = 0.77f; a[2] = 0.68f; sp = 0.3f; break;
        /* ICT lashes are strips meant for an alpha texture: drawn opaque they read
         * as eyeliner, so they get a muted brown rather than black. */
        case VH_PART_LASHES: a[0] = 0.16f; a[1] = 0.09f; a[2] = 0.07f; sp = 0; break;
        case VH_PART_MOUTH: a[0] = 0.13f; a[1] = 0.03f; a[2] = 0.03f; sp = 0.05f; break;
        case VH_PART_EYEBALL: {
            const float *ec = r->eye_c[n[3 * i] < 0];
            float d[3];
            v3_sub(&n[3 * i], ec, d);
            v3_norm(d);
            if (d[2] > 0.985f) { a[0] = a[1] = a[2] = 0.01f; }
            else if (d[2] > 0.90f) { a[0] = 0.16f; a[1] = 0.09f; a[2] = 0.04f; }
            else { a[0] = 0.78f; a[1] = 0.76f; a[2] = 0.72f; }
            sp = 0.7f;
            break;
        }
        default: a[0] = a[1] = a[2] = 0; sp = 0; break;
        }
        r->spec[i] = sp;
    }
}


int vh_renderer_new(const vh_rig *rig, const vh_render_params *pp, vh_renderer **out) {
    *out = NULL;
    vh_render_params p = pp ? *pp : vh_render_default_params();
    if (p.width < 16 || p.height < 16 || p.width > 4096 || p.height > 4096 || p.supersample < 1 ||
        p.supersample > 4 || !(p.fov_deg > 1 && p.fov_deg < 170) || !(p.distance > 0))
        return vh__fail(NULL, VH_EINVAL, "renderer: size, supersampling, field of view or distance out of range");
    vh_renderer *r = calloc(1, sizeof *r);
    if (!r) return vh__fail(NULL, VH_ENOMEM, "renderer: out of memory");
    r->rig = rig;
    r->p = p;
    r->nv = vh_rig_vertex_count(rig);
    r->nt = vh_rig_triangle_count(rig);
    r->sw = p.width * p.supersample;
    r->sh = p.height * p.supersample;
    r->nthreads = vh_threads_get();
    r->band_h = BAND_ROWS * p.supersample;
    r->nbands = (r->sh + r->band_h - 1) / r->band_h;
    size_t nv = (size_t)r->nv, nt = (size_t)r->nt, ns = (size_t)r->sw * (size_t)r->sh;
    r->posed = malloc(nv * 3 * sizeof(float));
    r->fnorm = malloc(nt * 3 * sizeof(float));
    r->sx = malloc(nv * sizeof(float));
    r->sy = malloc(nv * sizeof(float));
    r->invd = malloc(nv * sizeof(float));
    r->vcol = malloc(nv * 3 * sizeof(float));
    r->albedo = malloc(nv * 3 * sizeof(float));
    r->spec = malloc(nv * sizeof(float));
    r->draw = malloc(nt);
    r->adj_start = calloc(nv + 1, sizeof(int));
    r->adj = malloc(nt * 3 * sizeof(int));
    r->band = malloc(nt * 2 * sizeof(int16_t));
    r->order = malloc(nt * sizeof(int));
    r->tiles_x = (r->sw + TILE - 1) / TILE;
    r->tiles_y = (r->sh + TILE - 1) / TILE;
    r->tile_min = malloc((size_t)r->tiles_x * (size_t)r->tiles_y * sizeof(float));
    r->tile_ok = malloc((size_t)r->tiles_x * (size_t)r->tiles_y);
    r->plane = malloc(nt * sizeof(tri_plane));
    /* A triangle lands in every band its rows touch: at most all of them. */
    r->bin = malloc((size_t)r->nbands * nt * sizeof(int));
    r->bin_start = malloc(((size_t)r->nbands + 1) * sizeof(int));
    r->row_lo = malloc((size_t)r->sh * sizeof(int));
    r->row_hi = malloc((size_t)r->sh * sizeof(int));
    r->depth = calloc(ns, sizeof(float));
    r->tid = malloc(ns * sizeof(uint32_t));
    if (!r->posed || !r->fnorm || !r->sx || !r->sy || !r->invd || !r->vcol || !r->albedo || !r->spec ||
        !r->draw || !r->adj_start || !r->adj || !r->band || !r->order || !r->tile_min || !r->tile_ok || !r->plane || !r->bin || !r->bin_start ||
        !r->row_lo || !r->row_hi || !r->depth || !r->tid ||
        (size_t)r->nbands * nt > (size_t)INT_MAX ||
        vh_image_alloc(&r->frame, p.width, p.height, 3) != VH_OK) {
        vh_renderer_free(r);
        return vh__fail(NULL, VH_ENOMEM, "renderer: out of memory");
    }
    for (int y = 0; y < r->sh; y++) { r->row_lo[y] = INT_MAX; r->row_hi[y] = -1; }
    for (int i = 0; i <= SRGB_LUT + 1; i++) {
        float lin = (float)VH_MIN(i, SRGB_LUT) / SRGB_LUT;
        float s = lin <= 0.0031308f ? 12.92f * lin : 1.055f * powf(lin, 1.0f / 2.4f) - 0.055f;
        r->srgb[i] = VH_CLAMP(s * 255.0f, 0.0f, 255.0f);
    }
    assign_materials(r);
    const uint8_t *part = vh_rig_parts(rig);
    const uint32_t *tri = vh_rig_triangles(rig);
    for (size_t t = 0; t < nt; t++) {
        int pa = part[tri[3 * t]];
        r->draw[t] = pa == VH_PART_EYE_SHELL ? 0 : pa == VH_PART_LASHES ? DRAW_BOTH : DRAW_CULL;
    }
    /* Drawing order: skin, lashes (and anything else) first; then the parts
     * that are mostly hidden behind them (eyeballs, teeth, mouth interior, eye
     * sockets), whose triangles are skipped when the depth drawn so far hides
     * their bounding box (DRAW_TESTED). */
    {
        static const int hidden_parts[] = {VH_PART_EYEBALL, VH_PART_TEETH, VH_PART_MOUTH, VH_PART_EYE_SOCKET};
        for (size_t t = 0; t < nt; t++) {
            int pa = part[tri[3 * t]], hidden = 0;
            for (size_t k = 0; k < VH_COUNTOF(hidden_parts); k++) hidden |= pa == hidden_parts[k];
            if (r->draw[t] && !hidden) r->order[r->n_order++] = (int)t;
        }
        for (size_t k = 0; k < VH_COUNTOF(hidden_parts); k++)
            for (size_t t = 0; t < nt; t++)
                if (r->draw[t] && part[tri[3 * t]] == hidden_parts[k]) {
                    r->order[r->n_order++] = (int)t;
                    r->draw[t] |= DRAW_TESTED;
                }
    }
    /* Vertex → drawn triangles, each listed as often and in the order that
     * summing over triangles would add to the vertex. */
    for (size_t t = 0; t < nt; t++)
        if (r->draw[t])
            for (int k = 0; k < 3; k++) r->adj_start[tri[3 * t + k] + 1]++;
    for (size_t i = 0; i < nv; i++) r->adj_start[i + 1] += r->adj_start[i];
    {
        int *fill = malloc(nv * sizeof(int));
        if (!fill) { vh_renderer_free(r); return vh__fail(NULL, VH_ENOMEM, "renderer: out of memory"); }
        memcpy(fill, r->adj_start, nv * sizeof(int));
        for (size_t t = 0; t < nt; t++)
            if (r->draw[t])
                for (int k = 0; k < 3; k++) r->adj[fill[tri[3 * t + k]]++] = (int)t;
        free(fill);
    }
    /* Which screen winding is "front": decided on the triangle nearest the
     * nose tip, whose outward normal must face the camera. */
    const float *n = vh_rig_neutral(rig);
    size_t best = 0;
    float bestz = -1e30f;
    for (size_t t = 0; t < nt; t++) {
        if (part[tri[3 * t]] != VH_PART_SKIN) continue;
        float z = (n[3 * tri[3 * t] + 2] + n[3 * tri[3 * t + 1] + 2] + n[3 * tri[3 * t + 2] + 2]) / 3;
        if (z > bestz) { bestz = z; best = t; }
    }
    const float *a = &n[3 * tri[3 * best]], *b = &n[3 * tri[3 * best + 1]], *c = &n[3 * tri[3 * best + 2]];
    float e1[3], e2[3], fn[3];
    v3_sub(b, a, e1);
    v3_sub(c, a, e2);
    v3_cross(e1, e2, fn);
    /* With y flipped on screen, an outward (+z) normal has negative screen area. */
    r->front_sign = fn[2] >= 0 ? -1.0f : 1.0f;
    *out = r;
    return VH_OK;
}

/* Rotation matrix R = Ry(yaw) · Rx(pitch) · Rz(roll), degrees. */
static void rot_ypr(float yaw, float pitch, float roll, float m[9]) {
    float cy = cosf(yaw * DEG), sy = sinf(yaw * DEG), cp = cosf(pitch * DEG), sp = sinf(pitch * DEG);
    float cr = cosf(roll * DEG), sr = sinf(roll * DEG);
    float rx[9] = {1, 0, 0, 0, cp, -sp, 0, sp, cp};
    float ry[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
    float rz[9] = {cr, -sr, 0, sr, cr, 0, 0, 0, 1};
    float t[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            t[i * 3 + j] = 0;
            for (int k = 0; k < 3; k++) t[i * 3 + j] += rx[i * 3 + k] * rz[k * 3 + j];
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            m[i * 3 + j] = 0;
            for (int k = 0; k < 3; k++) m[i * 3 + j] += ry[i * 3 + k] * t[k * 3 + j];
        }
}

static void rotate_about(const float m[9], const float *c, const float *v, float *o) {
    float d[3];
    v3_sub(v, c, d);
    o[0] = m[0] * d[0] + m[1] * d[1] + m[2] * d[2] + c[0];
    o[1] = m[3] * d[0] + m[4] * d[1] + m[5] * d[2] + c[1];
    o[2] = m[6] * d[0] + m[7] * d[1] + m[8] * d[2] + c[2];
}


/* ---- per-frame stages ---- */

/* Vertices [i0, i1): head and eye rotation, projection (camera on +z looking
 * at `center`). */
static void pose_vertices(void *ctx, size_t i0, size_t i1, int tid) {
    vh_renderer *r = ctx;
    const uint8_t *part = vh_rig_parts(r->rig);
    const float neck[3] = {0.0f, -8.0f, 0.0f};
    const float f = (r->sh * 0.5f) / tanf(r->p.fov_deg * 0.5f * DEG);
    const float camz = r->p.center[2] + r->p.distance;
    for (size_t i = i0; i < i1; i++) {
        const float *pv = &r->pos[3 * i];
        if (!isfinite(pv[0]) || !isfinite(pv[1]) || !isfinite(pv[2])) {
            if ((int)i < r->bad[tid % VH_MAX_POOL]) r->bad[tid % VH_MAX_POOL] = (int)i;
            continue;
        }
        float v[3];
        if (part[i] == VH_PART_EYEBALL) rotate_about(r->eye, r->eye_c[pv[0] < 0], pv, v);
        else memcpy(v, pv, sizeof v);
        float *o = &r->posed[3 * i];
        rotate_about(r->head, neck, v, o);
        float d = camz - o[2];
        if (d < 1e-3f) d = 1e-3f;
        r->invd[i] = 1.0f / d;
        r->sx[i] = r->sw * 0.5f + f * (o[0] - r->p.center[0]) / d;
        r->sy[i] = r->sh * 0.5f - f * (o[1] - r->p.center[1]) / d;
    }
}

/* Triangles [t0, t1): area-weighted face normals. */
static void face_normals(void *ctx, size_t t0, size_t t1, int tid) {
    (void)tid;
    vh_renderer *r = ctx;
    const uint32_t *tri = vh_rig_triangles(r->rig);
    for (size_t t = t0; t < t1; t++) {
        if (!r->draw[t]) continue;
        const float *a = &r->posed[3 * tri[3 * t]], *b = &r->posed[3 * tri[3 * t + 1]], *c = &r->posed[3 * tri[3 * t + 2]];
        float e1[3], e2[3];
        v3_sub(b, a, e1);
        v3_sub(c, a, e2);
        v3_cross(e1, e2, &r->fnorm[3 * t]);
    }
}

static float to_srgb255(const vh_renderer *r, float lin) {
    if (!(lin > 0)) return 0;
    if (lin >= 1) return 255.0f;
    float u = lin * SRGB_LUT;
    int i = (int)u;
    float f = u - (float)i;
    return r->srgb[i] + f * (r->srgb[i + 1] - r->srgb[i]);
}

/* Vertices [i0, i1): smooth normal (sum of the adjacent face normals) and
 * lighting: wrapped diffuse key and fill, rim, Blinn–Phong specular. */
static void light_vertices(void *ctx, size_t i0, size_t i1, int tid) {
    (void)tid;
    vh_renderer *r = ctx;
    static const float key[3] = {-0.45f, 0.55f, 0.70f}, fill[3] = {0.65f, 0.05f, 0.75f}, rim[3] = {0.2f, 0.6f, -0.8f};
    float kl[3], fl[3], rl[3];
    memcpy(kl, key, sizeof kl); v3_norm(kl);
    memcpy(fl, fill, sizeof fl); v3_norm(fl);
    memcpy(rl, rim, sizeof rl); v3_norm(rl);
    const float cam[3] = {r->p.center[0], r->p.center[1], r->p.center[2] + r->p.distance};
    for (size_t i = i0; i < i1; i++) {
        float nn[3] = {0, 0, 0};
        for (int j = r->adj_start[i]; j < r->adj_start[i + 1]; j++) {
            const float *fn = &r->fnorm[3 * (size_t)r->adj[j]];
            nn[0] += fn[0]; nn[1] += fn[1]; nn[2] += fn[2];
        }
        v3_norm(nn);
        const float *a = &r->albedo[3 * i], *v = &r->posed[3 * i];
        float view[3];
        v3_sub(cam, v, view);
        v3_norm(view);
        /* Wrapped diffuse softens the terminator like light scattering in skin. */
        float dk = maxf(0.0f, (v3_dot(nn, kl) + 0.25f) / 1.25f);
        float df = maxf(0.0f, (v3_dot(nn, fl) + 0.25f) / 1.25f);
        float dr = maxf(0.0f, v3_dot(nn, rl));
        float h[3] = {kl[0] + view[0], kl[1] + view[1], kl[2] + view[2]};
        v3_norm(h);
        float s = maxf(0.0f, v3_dot(nn, h));
        s *= s; s *= s; s *= s; s *= s; s *= s; /* ^32 */
        s *= r->spec[i];
        float light = 0.18f + 0.95f * dk + 0.30f * df + 0.35f * dr;
        for (int k = 0; k < 3; k++) r->vcol[3 * i + k] = to_srgb255(r, a[k] * light + s);
    }
}

/* Smallest integer ≥ v for |v| < 2³¹ (ceilf without SSE4.1). */
static int ceil_i(float v) {
    int i = (int)v;
    return i + ((float)i < v);
}

/* Triangles [t0, t1): culling, the bands their sample rows fall in, and the
 * depth and colour planes. */
static void setup_triangles(void *ctx, size_t t0, size_t t1, int tid) {
    (void)tid;
    vh_renderer *r = ctx;
    const uint32_t *tri = vh_rig_triangles(r->rig);
    for (size_t t = t0; t < t1; t++) {
        r->band[2 * t] = 1;
        r->band[2 * t + 1] = 0;
        if (!r->draw[t]) continue;
        uint32_t i0 = tri[3 * t], i1 = tri[3 * t + 1], i2 = tri[3 * t + 2];
        const float x0 = r->sx[i0], y0 = r->sy[i0];
        const float ax = r->sx[i1] - x0, ay = r->sy[i1] - y0, bx = r->sx[i2] - x0, by = r->sy[i2] - y0;
        const float area = ax * by - bx * ay;
        if (area == 0 || !isfinite(area)) continue;
        if ((r->draw[t] & DRAW_CULL) && area * r->front_sign < 0) continue;
        float ymin = fmin3(y0, r->sy[i1], r->sy[i2]), ymax = fmax3(y0, r->sy[i1], r->sy[i2]);
        float xmin = fmin3(x0, r->sx[i1], r->sx[i2]), xmax = fmax3(x0, r->sx[i1], r->sx[i2]);
        if (ymax < 0 || ymin >= r->sh || xmax < 0 || xmin >= r->sw) continue;
        /* Sample rows whose centre lies in [ymin, ymax). */
        int ya = ceil_i(maxf(ymin - 0.5f, -1.0f)), yb = ceil_i(minf(ymax - 0.5f, (float)r->sh)) - 1;
        if (ya < 0) ya = 0;
        if (yb > r->sh - 1) yb = r->sh - 1;
        if (ya > yb) continue;
        r->band[2 * t] = (int16_t)(ya / r->band_h);
        r->band[2 * t + 1] = (int16_t)(yb / r->band_h);
        /* Barycentric weights of vertices 1 and 2: w1 = (by·dx − bx·dy)/area,
         * w2 = (ax·dy − ay·dx)/area with d = (x, y) − vertex 0. */
        const float inv = 1.0f / area;
        const float w1x = by * inv, w1y = -bx * inv, w2x = -ay * inv, w2y = ax * inv;
        tri_plane *pl = &r->plane[t];
        pl->x0 = x0;
        pl->y0 = y0;
        pl->z = r->invd[i0];
        float d1 = r->invd[i1] - pl->z, d2 = r->invd[i2] - pl->z;
        pl->zx = d1 * w1x + d2 * w2x;
        pl->zy = d1 * w1y + d2 * w2y;
        for (int k = 0; k < 3; k++) {
            pl->c[k] = r->vcol[3 * i0 + k];
            d1 = r->vcol[3 * i1 + k] - pl->c[k];
            d2 = r->vcol[3 * i2 + k] - pl->c[k];
            pl->cx[k] = d1 * w1x + d2 * w2x;
            pl->cy[k] = d1 * w1y + d2 * w2y;
        }
    }
}

/* Bands and resolve rows are taken from a shared counter by whichever thread
 * is free. */
typedef void (*job_fn)(vh_renderer *r, int item);
typedef struct jobs { vh_renderer *r; job_fn fn; int n; } jobs;

static void run_jobs(void *ctx, size_t b, size_t e, int tid) {
    (void)b; (void)e; (void)tid;
    jobs *j = ctx;
    for (;;) {
        int i = atomic_fetch_add_explicit(&j->r->next, 1, memory_order_relaxed);
        if (i >= j->n) return;
        j->fn(j->r, i);
    }
}

static void parallel_jobs(vh_renderer *r, int n, job_fn fn) {
    jobs j = {r, fn, n};
    atomic_store(&r->next, 0);
    vh_parallel_for((size_t)VH_MAX(1, VH_MIN(r->nthreads, n)), 1, run_jobs, &j);
}

/* x where the edge from `a` to `b` (a above b, or level with it and to its
 * left) crosses row centre cy. Both triangles that share an edge see it with
 * the same endpoints in the same order, so they get bit-identical crossings. */
typedef struct edge { float ax, ay, slope; } edge;
static edge make_edge(float x0, float y0, float x1, float y1) {
    edge e;
    if (y1 < y0 || (y1 == y0 && x1 < x0)) { float t = x0; x0 = x1; x1 = t; t = y0; y0 = y1; y1 = t; }
    e.ax = x0;
    e.ay = y0;
    e.slope = y1 > y0 ? (x1 - x0) / (y1 - y0) : 0;
    return e;
}
static float edge_x(const edge *e, float cy) { return e->ax + (cy - e->ay) * e->slope; }

/* Whether everything drawn so far in sample rows [ya, yb] (inside one band)
 * and columns [xmin, xmax] is at least as near as zmax (1/depth), which hides
 * a triangle nowhere nearer than zmax. Tile minima are computed on demand;
 * depth only grows while a band is drawn, so an earlier minimum stays a safe
 * (low) bound. */
static int hidden(vh_renderer *r, int ya, int yb, float xmin, float xmax, float zmax) {
    const int sw = r->sw;
    int xa = xmin > 0 ? (int)xmin : 0, xb = xmax < (float)(sw - 1) ? (int)xmax + 1 : sw - 1;
    if (xa > xb) return 0;
    for (int ty = ya / TILE; ty <= yb / TILE; ty++)
        for (int tx = xa / TILE; tx <= xb / TILE; tx++) {
            const size_t ti = (size_t)ty * r->tiles_x + tx;
            if (!r->tile_ok[ti]) {
                float m = INFINITY;
                const int sy1 = VH_MIN(r->sh, (ty + 1) * TILE), sx0 = tx * TILE, sx1 = VH_MIN(sw, sx0 + TILE);
                for (int sy = ty * TILE; sy < sy1; sy++) {
                    const float *d = &r->depth[(size_t)sy * sw];
                    for (int sx = sx0; sx < sx1; sx++) m = d[sx] < m ? d[sx] : m;
                }
                r->tile_min[ti] = m;
                r->tile_ok[ti] = 1;
            }
            if (r->tile_min[ti] < zmax) return 0;
        }
    return 1;
}

/* Rasterises band `b`: clears what the previous frame drew there, then each
 * binned triangle scanline by scanline. Sample (x + ½, y + ½) is covered when
 * y + ½ lies in [top, bottom) of the triangle and x + ½ in [left, right) of
 * the edges' crossings on that row: half-open on both axes, so a sample on an
 * edge shared by two triangles belongs to exactly one of them (no cracks, no
 * double hits). */
static void raster_rows(vh_renderer *r, int b) {
    const uint32_t *tri = vh_rig_triangles(r->rig);
    const int y0 = b * r->band_h, y1 = VH_MIN(r->sh, y0 + r->band_h);
    const int sw = r->sw;
    const float xclip_lo = -1.0f, xclip_hi = (float)sw + 1.0f;
    memset(&r->tile_ok[(size_t)(y0 / TILE) * r->tiles_x], 0, (size_t)((y1 - y0 + TILE - 1) / TILE) * r->tiles_x);
    for (int y = y0; y < y1; y++) {
        if (r->row_hi[y] >= r->row_lo[y])
            memset(&r->depth[(size_t)y * sw + r->row_lo[y]], 0, (size_t)(r->row_hi[y] - r->row_lo[y] + 1) * sizeof(float));
        r->row_lo[y] = INT_MAX;
        r->row_hi[y] = -1;
    }
    for (int li = r->bin_start[b]; li < r->bin_start[b + 1]; li++) {
        const int t = r->bin[li];
        uint32_t v0 = tri[3 * t], v1 = tri[3 * t + 1], v2 = tri[3 * t + 2], tmp;
        /* Sort by y: v0 top, v2 bottom. */
        if (r->sy[v1] < r->sy[v0]) { tmp = v0; v0 = v1; v1 = tmp; }
        if (r->sy[v2] < r->sy[v1]) { tmp = v1; v1 = v2; v2 = tmp; }
        if (r->sy[v1] < r->sy[v0]) { tmp = v0; v0 = v1; v1 = tmp; }
        const float X0 = r->sx[v0], Y0 = r->sy[v0], X1 = r->sx[v1], Y1 = r->sy[v1], X2 = r->sx[v2], Y2 = r->sy[v2];
        /* Rows whose centre lies in [Y0, Y2), clipped to the band. */
        int ya = ceil_i(maxf(Y0 - 0.5f, (float)y0 - 1.0f)), yb = ceil_i(minf(Y2 - 0.5f, (float)y1)) - 1;
        if (ya < y0) ya = y0;
        if (yb > y1 - 1) yb = y1 - 1;
        if (ya > yb) continue;
        if ((r->draw[t] & DRAW_TESTED) && hidden(r, ya, yb, fmin3(X0, X1, X2), fmax3(X0, X1, X2),
                                                 fmax3(r->invd[v0], r->invd[v1], r->invd[v2])))
            continue;
        const edge longe = make_edge(X0, Y0, X2, Y2), upper = make_edge(X0, Y0, X1, Y1), lower = make_edge(X1, Y1, X2, Y2);
        /* v1 right of the long edge (y down): the long edge bounds the left. */
        const int long_left = (X1 - X0) * (Y2 - Y0) - (X2 - X0) * (Y1 - Y0) > 0;
        const tri_plane *pl = &r->plane[t];
        const float zx = pl->zx, zy = pl->zy, z0 = pl->z, px0 = pl->x0 - 0.5f, py0 = pl->y0;
        /* Rows above v1 use the upper short edge, the rest the lower one. */
        const int ym = ceil_i(VH_CLAMP(Y1 - 0.5f, (float)ya - 1.0f, (float)yb + 1.0f));
        for (int half = 0; half < 2; half++) {
            const edge *es = half ? &lower : &upper;
            const edge *le = long_left ? &longe : es, *re = long_left ? es : &longe;
            const int ra = half ? VH_MAX(ya, ym) : ya, rb = half ? yb : VH_MIN(yb, ym - 1);
            for (int y = ra; y <= rb; y++) {
                const float cy = (float)y + 0.5f;
                const float xl = VH_CLAMP(edge_x(le, cy), xclip_lo, xclip_hi);
                const float xr = VH_CLAMP(edge_x(re, cy), xclip_lo, xclip_hi);
                int xa = ceil_i(xl - 0.5f), xb = ceil_i(xr - 0.5f) - 1;
                if (xa < 0) xa = 0;
                if (xb > sw - 1) xb = sw - 1;
                if (xa > xb) continue;
                float z = z0 + zx * ((float)xa - px0) + zy * (cy - py0);
                float *drow = &r->depth[(size_t)y * sw];
                uint32_t *trow = &r->tid[(size_t)y * sw];
                for (int x = xa; x <= xb; x++, z += zx)
                    if (z > drow[x]) { drow[x] = z; trow[x] = (uint32_t)t; }
                if (xa < r->row_lo[y]) r->row_lo[y] = xa;
                if (xb > r->row_hi[y]) r->row_hi[y] = xb;
            }
        }
    }
}

/* Adds the colour of triangle plane `pl` at sample position (x, y) to acc.
 * Positions inside the triangle give values within the vertex colours'
 * range, so clamping waits for the pixel's mean. */
static inline void add_plane(const tri_plane *pl, float x, float y, float acc[3]) {
    const float dx = x - pl->x0, dy = y - pl->y0;
    acc[0] += pl->c[0] + pl->cx[0] * dx + pl->cy[0] * dy;
    acc[1] += pl->c[1] + pl->cx[1] * dx + pl->cy[1] * dy;
    acc[2] += pl->c[2] + pl->cx[2] * dx + pl->cy[2] * dy;
}

static uint8_t to_u8(float v) {
    v = v > 0 ? v : 0;
    v = v < 255 ? v : 255;
    return (uint8_t)(v + 0.5f);
}

/* Output rows [y0, y1): the mean colour of each pixel's samples (background
 * where nothing was drawn). */
static void resolve_rows(vh_renderer *r, int y0, int y1) {
    const int ss = r->p.supersample, W = r->p.width, H = r->p.height, sw = r->sw;
    const float inv_n = 1.0f / (float)(ss * ss), half = 0.5f * (float)ss;
    for (int y = y0; y < y1; y++) {
        float g = (float)y / (float)(H - 1);
        float bg[3];
        uint8_t bgc[3];
        for (int k = 0; k < 3; k++) {
            bg[k] = (1 - g) * r->p.background_top[k] + g * r->p.background_bottom[k];
            bgc[k] = (uint8_t)(bg[k] + 0.5f);
        }
        int lo = INT_MAX, hi = -1;
        for (int sy = 0; sy < ss; sy++) {
            lo = VH_MIN(lo, r->row_lo[y * ss + sy]);
            hi = VH_MAX(hi, r->row_hi[y * ss + sy]);
        }
        const int xa = hi >= lo ? lo / ss : W, xb = hi >= lo ? hi / ss : W - 1;
        uint8_t *o = vh_image_at(&r->frame, 0, y);
        for (int x = 0; x < W; x++) {
            if (x == xa) x = xb + 1;
            if (x >= W) break;
            o[3 * x] = bgc[0]; o[3 * x + 1] = bgc[1]; o[3 * x + 2] = bgc[2];
        }
        const float *restrict drow = &r->depth[(size_t)(y * ss) * sw];
        const uint32_t *restrict trow = &r->tid[(size_t)(y * ss) * sw];
        const tri_plane *restrict planes = r->plane;
        const float pcy = (float)y * ss + half;
        for (int x = xa; x <= xb; x++) {
            const float *d = drow + (size_t)x * ss;
            const uint32_t *t = trow + (size_t)x * ss;
            const uint32_t t0 = t[0];
            int same;
            if (ss == 2)
                same = (t[1] == t0) & (t[sw] == t0) & (t[sw + 1] == t0) & (d[0] > 0) & (d[1] > 0) & (d[sw] > 0) & (d[sw + 1] > 0);
            else {
                same = 1;
                for (int sy = 0; sy < ss && same; sy++)
                    for (int sx = 0; sx < ss; sx++)
                        if (!(d[(size_t)sy * sw + sx] > 0) || t[(size_t)sy * sw + sx] != t0) { same = 0; break; }
            }
            float acc[3] = {0, 0, 0};
            uint8_t px[3];
            if (same) {
                /* The samples' mean of a linear colour is its value at the pixel centre. */
                add_plane(&planes[t0], (float)x * ss + half, pcy, acc);
                for (int k = 0; k < 3; k++) px[k] = to_u8(acc[k]);
            } else {
                for (int sy = 0; sy < ss; sy++)
                    for (int sx = 0; sx < ss; sx++) {
                        const size_t i = (size_t)sy * sw + sx;
                        if (d[i] > 0) {
                            add_plane(&planes[t[i]], (float)(x * ss + sx) + 0.5f, (float)(y * ss + sy) + 0.5f, acc);
                        } else {
                            acc[0] += bg[0]; acc[1] += bg[1]; acc[2] += bg[2];
                        }
                    }
                for (int k = 0; k < 3; k++) px[k] = to_u8(acc[k] * inv_n);
            }
            o[3 * x] = px[0];
            o[3 * x + 1] = px[1];
            o[3 * x + 2] = px[2];
        }
    }
}

/* Band `b`: rasterise its sample rows, then resolve its output rows while
 * they are still in cache. */
static void draw_band(vh_renderer *r, int b) {
    raster_rows(r, b);
    resolve_rows(r, b * BAND_ROWS, VH_MIN(r->p.height, (b + 1) * BAND_ROWS));
}

int vh_render(vh_renderer *r, const float *pos, const vh_render_pose *pose, const vh_image **frame) {
    *frame = NULL;
    const vh_render_pose zero = {0, 0, 0, 0, 0};
    if (!pose) pose = &zero;
    rot_ypr(pose->head_yaw, pose->head_pitch, pose->head_roll, r->head);
    rot_ypr(pose->gaze_yaw, pose->gaze_pitch, 0, r->eye);
    r->pos = pos;
    for (int k = 0; k < VH_MAX_POOL; k++) r->bad[k] = INT_MAX;
    vh_parallel_for((size_t)r->nv, 2048, pose_vertices, r);
    int bad = INT_MAX;
    for (int k = 0; k < VH_MAX_POOL; k++) bad = VH_MIN(bad, r->bad[k]);
    if (bad != INT_MAX) return vh__fail(NULL, VH_ENUMERIC, "renderer: vertex %d is not finite", bad);
    vh_parallel_for((size_t)r->nt, 4096, face_normals, r);
    vh_parallel_for((size_t)r->nv, 2048, light_vertices, r);
    vh_parallel_for((size_t)r->nt, 4096, setup_triangles, r);
    /* Bin the visible triangles by the bands their rows touch (counting
     * pass, then filling in drawing order). */
    for (int b = 0; b <= r->nbands; b++) r->bin_start[b] = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int oi = 0; oi < r->n_order; oi++) {
            const int t = r->order[oi], b0 = r->band[2 * t], b1 = r->band[2 * t + 1];
            for (int b = b0; b <= b1; b++) {
                if (pass == 0) r->bin_start[b + 1]++;
                else r->bin[r->bin_start[b]++] = t;
            }
        }
        if (pass == 0) {
            for (int b = 0; b < r->nbands; b++) r->bin_start[b + 1] += r->bin_start[b];
        } else {
            /* Filling advanced each start to the next band's: shift back. */
            for (int b = r->nbands; b > 0; b--) r->bin_start[b] = r->bin_start[b - 1];
            r->bin_start[0] = 0;
        }
    }
    parallel_jobs(r, r->nbands, draw_band);
    *frame = &r->frame;
    return VH_OK;
}
