/* Software rasteriser for the rig: per-vertex lighting (Gouraud), z-buffer,
 * n×n supersampling, image bands rendered in parallel. */
#include "verhm/avatar.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BANDS_PER_THREAD 4
#define DEG (3.14159265358979323846f / 180.0f)

struct vh_renderer {
    const vh_rig *rig;
    vh_render_params p;
    int nv, nt, sw, sh;       /* supersampled size */
    float *posed;             /* nv*3 after head/eye rotation */
    float *normals;           /* nv*3 */
    float *sx, *sy, *invd;    /* screen position and 1/depth per vertex */
    uint8_t *vcol;            /* nv*3 lit colour (sRGB) */
    float *albedo;            /* nv*3 base colour (linear) */
    float *spec;              /* nv specular strength */
    uint8_t *draw;            /* per triangle: 0 skip, 1 cull back faces, 2 double-sided */
    float front_sign;
    float eye_c[2][3];        /* eyeball centres in the neutral (left = +x side) */
    int nbands, band_h;
    int *bin;                 /* nbands * nt triangle ids */
    int *bin_n;
    float *depth;             /* sw*sh, 1/d (0 = empty) */
    uint8_t *color;           /* sw*sh*3 */
    vh_image frame;
};

vh_render_params vh_render_default_params(void) {
    vh_render_params p = {512, 768, 2, 24.0f, {0.0f, -1.0f, 4.0f}, 78.0f,
                          {58, 64, 78}, {22, 24, 30}};
    return p;
}

void vh_renderer_free(vh_renderer *r) {
    if (!r) return;
    free(r->posed); free(r->normals); free(r->sx); free(r->sy); free(r->invd);
    free(r->vcol); free(r->albedo); free(r->spec); free(r->draw);
    free(r->bin); free(r->bin_n); free(r->depth); free(r->color);
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
    r->nbands = vh_threads_get() * BANDS_PER_THREAD;
    r->band_h = (r->sh + r->nbands - 1) / r->nbands;
    size_t nv = (size_t)r->nv, nt = (size_t)r->nt, ns = (size_t)r->sw * (size_t)r->sh;
    r->posed = malloc(nv * 3 * sizeof(float));
    r->normals = malloc(nv * 3 * sizeof(float));
    r->sx = malloc(nv * sizeof(float));
    r->sy = malloc(nv * sizeof(float));
    r->invd = malloc(nv * sizeof(float));
    r->vcol = malloc(nv * 3);
    r->albedo = malloc(nv * 3 * sizeof(float));
    r->spec = malloc(nv * sizeof(float));
    r->draw = malloc(nt);
    r->bin = malloc((size_t)r->nbands * nt * sizeof(int));
    r->bin_n = malloc((size_t)r->nbands * sizeof(int));
    r->depth = malloc(ns * sizeof(float));
    r->color = malloc(ns * 3);
    if (!r->posed || !r->normals || !r->sx || !r->sy || !r->invd || !r->vcol || !r->albedo || !r->spec ||
        !r->draw || !r->bin || !r->bin_n || !r->depth || !r->color ||
        vh_image_alloc(&r->frame, p.width, p.height, 3) != VH_OK) {
        vh_renderer_free(r);
        return vh__fail(NULL, VH_ENOMEM, "renderer: out of memory");
    }
    assign_materials(r);
    const uint8_t *part = vh_rig_parts(rig);
    const uint32_t *tri = vh_rig_triangles(rig);
    for (size_t t = 0; t < nt; t++) {
        int pa = part[tri[3 * t]];
        r->draw[t] = pa == VH_PART_EYE_SHELL ? 0 : pa == VH_PART_LASHES ? 2 : 1;
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

static void light_vertices(vh_renderer *r) {
    static const float key[3] = {-0.45f, 0.55f, 0.70f}, fill[3] = {0.65f, 0.05f, 0.75f}, rim[3] = {0.2f, 0.6f, -0.8f};
    float kl[3], fl[3], rl[3];
    memcpy(kl, key, sizeof kl); v3_norm(kl);
    memcpy(fl, fill, sizeof fl); v3_norm(fl);
    memcpy(rl, rim, sizeof rl); v3_norm(rl);
    const float cam[3] = {r->p.center[0], r->p.center[1], r->p.center[2] + r->p.distance};
    for (int i = 0; i < r->nv; i++) {
        const float *nn = &r->normals[3 * i], *a = &r->albedo[3 * i], *v = &r->posed[3 * i];
        float view[3];
        v3_sub(cam, v, view);
        v3_norm(view);
        /* Wrapped diffuse softens the terminator like light scattering in skin. */
        float dk = fmaxf(0.0f, (v3_dot(nn, kl) + 0.25f) / 1.25f);
        float df = fmaxf(0.0f, (v3_dot(nn, fl) + 0.25f) / 1.25f);
        float dr = fmaxf(0.0f, v3_dot(nn, rl));
        float h[3] = {kl[0] + view[0], kl[1] + view[1], kl[2] + view[2]};
        v3_norm(h);
        float s = r->spec[i] * powf(fmaxf(0.0f, v3_dot(nn, h)), 32.0f);
        float light = 0.18f + 0.95f * dk + 0.30f * df + 0.35f * dr;
        for (int k = 0; k < 3; k++) {
            float lin = a[k] * light + s;
            float srgb = lin <= 0.0031308f ? 12.92f * lin : 1.055f * powf(lin, 1.0f / 2.4f) - 0.055f;
            r->vcol[3 * i + k] = (uint8_t)VH_CLAMP(srgb * 255.0f + 0.5f, 0.0f, 255.0f);
        }
    }
}

typedef struct band_ctx { vh_renderer *r; } band_ctx;

static void raster_bands(void *ctx, size_t b0, size_t b1, int tid) {
    (void)tid;
    vh_renderer *r = ((band_ctx *)ctx)->r;
    const uint32_t *tri = vh_rig_triangles(r->rig);
    for (size_t b = b0; b < b1; b++) {
        int y0 = (int)b * r->band_h, y1 = VH_MIN(r->sh, y0 + r->band_h);
        if (y0 >= y1) continue;
        memset(&r->depth[(size_t)y0 * r->sw], 0, (size_t)(y1 - y0) * r->sw * sizeof(float));
        const int *list = &r->bin[b * (size_t)r->nt];
        for (int li = 0; li < r->bin_n[b]; li++) {
            int t = list[li];
            uint32_t i0 = tri[3 * t], i1 = tri[3 * t + 1], i2 = tri[3 * t + 2];
            float x0 = r->sx[i0], yy0 = r->sy[i0], x1 = r->sx[i1], yy1 = r->sy[i1], x2 = r->sx[i2], yy2 = r->sy[i2];
            float area = (x1 - x0) * (yy2 - yy0) - (x2 - x0) * (yy1 - yy0);
            if (area == 0) continue;
            if (r->draw[t] == 1 && area * r->front_sign < 0) continue;
            float inv = 1.0f / area;
            int minx = (int)VH_MAX(0.0f, floorf(fminf(x0, fminf(x1, x2))));
            int maxx = (int)VH_MIN((float)(r->sw - 1), ceilf(fmaxf(x0, fmaxf(x1, x2))));
            int miny = (int)VH_MAX((float)y0, floorf(fminf(yy0, fminf(yy1, yy2))));
            int maxy = (int)VH_MIN((float)(y1 - 1), ceilf(fmaxf(yy0, fmaxf(yy1, yy2))));
            const uint8_t *c0 = &r->vcol[3 * i0], *c1 = &r->vcol[3 * i1], *c2 = &r->vcol[3 * i2];
            /* Edge functions as planes w = A·x + B·y + C (normalised by the
             * area), stepped incrementally along each row. */
            const float A0 = (yy1 - yy2) * inv, B0 = (x2 - x1) * inv, C0 = (x1 * yy2 - x2 * yy1) * inv;
            const float A1 = (yy2 - yy0) * inv, B1 = (x0 - x2) * inv, C1 = (x2 * yy0 - x0 * yy2) * inv;
            const float z0 = r->invd[i0], dz1 = r->invd[i1] - z0, dz2 = r->invd[i2] - z0;
            for (int y = miny; y <= maxy; y++) {
                const float py = y + 0.5f;
                /* Exact span of this row inside all three edges: each edge
                 * w_i(x) = a_i·x + b_i ≥ −ε bounds x from one side. */
                float lo = (float)minx, hi = (float)maxx;
                const float a[3] = {A0, A1, -A0 - A1};
                const float b[3] = {B0 * py + C0 + 0.5f * A0, B1 * py + C1 + 0.5f * A1,
                                    1.0f - (B0 * py + C0 + 0.5f * A0) - (B1 * py + C1 + 0.5f * A1)};
                for (int e = 0; e < 3; e++) {
                    /* w_e at pixel x (centre x + 0.5) is a[e]·x + b[e]. */
                    if (a[e] > 1e-12f) lo = fmaxf(lo, ceilf((-1e-5f - b[e]) / a[e]));
                    else if (a[e] < -1e-12f) hi = fminf(hi, floorf((-1e-5f - b[e]) / a[e]));
                    else if (b[e] < -1e-5f) { lo = 1; hi = 0; }
                }
                if (lo > hi) continue;
                const int x0i = (int)lo, x1i = (int)hi;
                float w0 = A0 * (x0i + 0.5f) + B0 * py + C0, w1 = A1 * (x0i + 0.5f) + B1 * py + C1;
                float *drow = &r->depth[(size_t)y * r->sw];
                uint8_t *crow = &r->color[(size_t)y * r->sw * 3];
                for (int x = x0i; x <= x1i; x++, w0 += A0, w1 += A1) {
                    const float w2 = 1.0f - w0 - w1;
                    const float z = w0 * z0 + w1 * (z0 + dz1) + w2 * (z0 + dz2);
                    if (z <= drow[x]) continue;
                    drow[x] = z;
                    for (int k = 0; k < 3; k++)
                        crow[3 * x + k] = (uint8_t)VH_CLAMP(w0 * c0[k] + w1 * c1[k] + w2 * c2[k] + 0.5f, 0.0f, 255.0f);
                }
            }
        }
    }
}

static void resolve_rows(void *ctx, size_t y0, size_t y1, int tid) {
    (void)tid;
    vh_renderer *r = ((band_ctx *)ctx)->r;
    const int ss = r->p.supersample, W = r->p.width, H = r->p.height;
    for (size_t y = y0; y < y1; y++) {
        float g = (float)y / (float)(H - 1);
        float bg[3];
        for (int k = 0; k < 3; k++) bg[k] = (1 - g) * r->p.background_top[k] + g * r->p.background_bottom[k];
        uint8_t *o = vh_image_at(&r->frame, 0, (int)y);
        for (int x = 0; x < W; x++) {
            float acc[3] = {0, 0, 0};
            for (int sy = 0; sy < ss; sy++) {
                size_t row = (size_t)(y * ss + sy) * r->sw;
                for (int sx = 0; sx < ss; sx++) {
                    size_t i = row + (size_t)x * ss + sx;
                    if (r->depth[i] > 0)
                        for (int k = 0; k < 3; k++) acc[k] += r->color[3 * i + k];
                    else
                        for (int k = 0; k < 3; k++) acc[k] += bg[k];
                }
            }
            for (int k = 0; k < 3; k++) o[3 * x + k] = (uint8_t)(acc[k] / (ss * ss) + 0.5f);
        }
    }
}

int vh_render(vh_renderer *r, const float *pos, const vh_render_pose *pose, const vh_image **frame) {
    *frame = NULL;
    const vh_render_pose zero = {0, 0, 0, 0, 0};
    if (!pose) pose = &zero;
    const uint8_t *part = vh_rig_parts(r->rig);
    const uint32_t *tri = vh_rig_triangles(r->rig);
    float head[9], eye[9];
    rot_ypr(pose->head_yaw, pose->head_pitch, pose->head_roll, head);
    rot_ypr(pose->gaze_yaw, pose->gaze_pitch, 0, eye);
    const float neck[3] = {0.0f, -8.0f, 0.0f};
    for (int i = 0; i < r->nv; i++) {
        float v[3];
        if (!isfinite(pos[3 * i]) || !isfinite(pos[3 * i + 1]) || !isfinite(pos[3 * i + 2]))
            return vh__fail(NULL, VH_ENUMERIC, "renderer: vertex %d is not finite", i);
        if (part[i] == VH_PART_EYEBALL) rotate_about(eye, r->eye_c[pos[3 * i] < 0], &pos[3 * i], v);
        else memcpy(v, &pos[3 * i], sizeof v);
        rotate_about(head, neck, v, &r->posed[3 * i]);
    }
    /* Area-weighted smooth normals. */
    memset(r->normals, 0, (size_t)r->nv * 3 * sizeof(float));
    for (int t = 0; t < r->nt; t++) {
        if (!r->draw[t]) continue;
        const float *a = &r->posed[3 * tri[3 * t]], *b = &r->posed[3 * tri[3 * t + 1]], *c = &r->posed[3 * tri[3 * t + 2]];
        float e1[3], e2[3], fn[3];
        v3_sub(b, a, e1);
        v3_sub(c, a, e2);
        v3_cross(e1, e2, fn);
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 3; j++) r->normals[3 * tri[3 * t + k] + j] += fn[j];
    }
    for (int i = 0; i < r->nv; i++) v3_norm(&r->normals[3 * i]);
    light_vertices(r);
    /* Project (camera on +z looking at `center`). */
    const float f = (r->sh * 0.5f) / tanf(r->p.fov_deg * 0.5f * DEG);
    const float camz = r->p.center[2] + r->p.distance;
    for (int i = 0; i < r->nv; i++) {
        const float *v = &r->posed[3 * i];
        float d = camz - v[2];
        if (d < 1e-3f) d = 1e-3f;
        r->invd[i] = 1.0f / d;
        r->sx[i] = r->sw * 0.5f + f * (v[0] - r->p.center[0]) / d;
        r->sy[i] = r->sh * 0.5f - f * (v[1] - r->p.center[1]) / d;
    }
    /* Bin triangles into bands. */
    for (int b = 0; b < r->nbands; b++) r->bin_n[b] = 0;
    for (int t = 0; t < r->nt; t++) {
        if (!r->draw[t]) continue;
        uint32_t i0 = tri[3 * t], i1 = tri[3 * t + 1], i2 = tri[3 * t + 2];
        float ymin = fminf(r->sy[i0], fminf(r->sy[i1], r->sy[i2])), ymax = fmaxf(r->sy[i0], fmaxf(r->sy[i1], r->sy[i2]));
        float xmin = fminf(r->sx[i0], fminf(r->sx[i1], r->sx[i2])), xmax = fmaxf(r->sx[i0], fmaxf(r->sx[i1], r->sx[i2]));
        if (ymax < 0 || ymin >= r->sh || xmax < 0 || xmin >= r->sw) continue;
        int b0 = (int)VH_MAX(0.0f, floorf(ymin)) / r->band_h, b1 = (int)VH_MIN((float)(r->sh - 1), ceilf(ymax)) / r->band_h;
        for (int b = b0; b <= b1 && b < r->nbands; b++) r->bin[(size_t)b * r->nt + r->bin_n[b]++] = t;
    }
    band_ctx ctx = {r};
    vh_parallel_for((size_t)r->nbands, 1, raster_bands, &ctx);
    vh_parallel_for((size_t)r->p.height, 8, resolve_rows, &ctx);
    *frame = &r->frame;
    return VH_OK;
}
