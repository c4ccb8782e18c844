/* Geometry: resize (nearest / OpenCV-compatible bilinear / exact area), crop,
 * affine warp, affine inverse. Bilinear follows OpenCV's 8-bit INTER_LINEAR:
 * half-pixel centres, float source positions, 11-bit fixed-point weights for
 * both passes and the rounding of its SIMD vertical pass. Large outputs are
 * split by rows over vh_parallel_for (each row is independent, so results do
 * not depend on the thread count). */
#include "image_internal.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define VH_COEF_BITS 11
#define VH_COEF_ONE (1 << VH_COEF_BITS)
/* Rows per parallel chunk: below ~64k output samples threads do not pay. */
#define VH_PAR_MIN_SAMPLES 65536

static size_t row_grain(const vh_image *dst) {
    size_t per = (size_t)dst->w * (size_t)dst->c;
    size_t g = VH_PAR_MIN_SAMPLES / (per ? per : 1);
    return g < 1 ? 1 : g;
}

static int round_f(float v) { return (int)lrintf(v); } /* half to even, like cvRound */

/* ---- bilinear tables (OpenCV's resizeGeneric_ coefficient rules) ---- */

typedef struct lin_tab {
    int *xofs, *yofs;     /* source column (×1) / row of the first tap */
    int16_t *ax, *by;     /* two weights per output column / row, sum ≈ 2048 */
    int *xo;              /* byte offsets of both taps per output column */
} lin_tab;

/* area_mode: OpenCV's INTER_AREA-when-enlarging weights instead of half-pixel. */
static void lin_axis(int sn, int dn, double inv, int area_mode, int clamp, int *ofs, int16_t *w) {
    double scale = 1.0 / inv;
    for (int d = 0; d < dn; d++) {
        float f;
        int s;
        if (!area_mode) {
            f = (float)((d + 0.5) * scale - 0.5);
            s = (int)floorf(f);
            f -= (float)s;
        } else {
            s = (int)floor(d * scale);
            f = (float)((d + 1) - (s + 1) * inv);
            f = f <= 0 ? 0.f : f - floorf(f);
        }
        if (clamp) {
            if (s < 0) { f = 0; s = 0; }
            if (s >= sn - 1) { f = 0; s = sn - 1; }
        }
        ofs[d] = s;
        int a0 = round_f((1.f - f) * VH_COEF_ONE), a1 = round_f(f * VH_COEF_ONE);
        w[2 * d] = (int16_t)VH_CLAMP(a0, -32768, 32767);
        w[2 * d + 1] = (int16_t)VH_CLAMP(a1, -32768, 32767);
    }
}

typedef struct lin_job {
    const vh_image *src;
    vh_image *dst;
    const lin_tab *t;
    int failed;
} lin_job;

/* Horizontal pass of one source row into `out` (dw*c ints, weights ×2048).
 * Inlined with a constant channel count so the inner loop is unrolled. */
static inline void lin_hrow_c(const uint8_t *s, const lin_tab *t, int dw, int c, int32_t *out) {
    const int *xo = t->xo;
    const int16_t *ax = t->ax;
    for (int x = 0; x < dw; x++, out += c) {
        const uint8_t *p0 = s + xo[2 * x], *p1 = s + xo[2 * x + 1];
        int a0 = ax[2 * x], a1 = ax[2 * x + 1];
        for (int k = 0; k < c; k++) out[k] = p0[k] * a0 + p1[k] * a1;
    }
}

/* Both source rows of an output row in one sweep (shares the table loads). */
static inline void lin_hrow2_c(const uint8_t *s0, const uint8_t *s1, const lin_tab *t, int dw, int c, int32_t *o0,
                               int32_t *o1) {
    const int *xo = t->xo;
    const int16_t *ax = t->ax;
    for (int x = 0; x < dw; x++, o0 += c, o1 += c) {
        int i0 = xo[2 * x], i1 = xo[2 * x + 1];
        int a0 = ax[2 * x], a1 = ax[2 * x + 1];
        for (int k = 0; k < c; k++) {
            o0[k] = s0[i0 + k] * a0 + s0[i1 + k] * a1;
            o1[k] = s1[i0 + k] * a0 + s1[i1 + k] * a1;
        }
    }
}

static void lin_hrow2(const vh_image *src, int y0, int y1, const lin_tab *t, int dw, int32_t *o0, int32_t *o1) {
    const uint8_t *s0 = src->data + (size_t)y0 * src->stride, *s1 = src->data + (size_t)y1 * src->stride;
    switch (src->c) {
    case 1: lin_hrow2_c(s0, s1, t, dw, 1, o0, o1); break;
    case 3: lin_hrow2_c(s0, s1, t, dw, 3, o0, o1); break;
    default: lin_hrow2_c(s0, s1, t, dw, 4, o0, o1); break;
    }
}

static void lin_hrow(const vh_image *src, int sy, const lin_tab *t, int dw, int32_t *out) {
    const uint8_t *s = src->data + (size_t)sy * src->stride;
    switch (src->c) {
    case 1: lin_hrow_c(s, t, dw, 1, out); break;
    case 3: lin_hrow_c(s, t, dw, 3, out); break;
    default: lin_hrow_c(s, t, dw, 4, out); break;
    }
}

/* Vertical pass with OpenCV's SIMD rounding: mul_hi(v >> 4, b) per row, then
 * (sum + 2) >> 2, saturated to 8 bits (SSE2 when available, same result). */
static void lin_vrow(const int32_t *r0, const int32_t *r1, int b0, int b1, uint8_t *d, size_t n) {
    size_t i = 0;
#ifdef __SSE2__
    const __m128i vb0 = _mm_set1_epi16((short)b0), vb1 = _mm_set1_epi16((short)b1), two = _mm_set1_epi16(2);
    for (; i + 16 <= n; i += 16) {
        __m128i out[2];
        for (int h = 0; h < 2; h++) {
            const int32_t *p0 = r0 + i + 8 * h, *p1 = r1 + i + 8 * h;
            __m128i a0 = _mm_packs_epi32(_mm_srai_epi32(_mm_loadu_si128((const __m128i *)p0), 4),
                                         _mm_srai_epi32(_mm_loadu_si128((const __m128i *)(p0 + 4)), 4));
            __m128i a1 = _mm_packs_epi32(_mm_srai_epi32(_mm_loadu_si128((const __m128i *)p1), 4),
                                         _mm_srai_epi32(_mm_loadu_si128((const __m128i *)(p1 + 4)), 4));
            __m128i v = _mm_add_epi16(_mm_mulhi_epi16(a0, vb0), _mm_mulhi_epi16(a1, vb1));
            out[h] = _mm_srai_epi16(_mm_add_epi16(v, two), 2);
        }
        _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi16(out[0], out[1]));
    }
#endif
    for (; i < n; i++) {
        int v = ((((r0[i] >> 4) * b0) >> 16) + (((r1[i] >> 4) * b1) >> 16) + 2) >> 2;
        d[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

static void lin_rows(void *ctx, size_t begin, size_t end, int tid) {
    (void)tid;
    lin_job *j = ctx;
    const vh_image *src = j->src;
    vh_image *dst = j->dst;
    size_t n = (size_t)dst->w * (size_t)dst->c;
    int32_t *r0 = malloc(2 * n * sizeof *r0);
    if (!r0) { j->failed = 1; return; }
    int32_t *r1 = r0 + n;
    int cached0 = -1, cached1 = -1;
    for (size_t y = begin; y < end; y++) {
        int sy = j->t->yofs[y];
        int y0 = VH_CLAMP(sy, 0, src->h - 1), y1 = VH_CLAMP(sy + 1, 0, src->h - 1);
        if (cached0 != y0 && cached1 != y0 && cached1 != y1 && y0 != y1) {
            lin_hrow2(src, y0, y1, j->t, dst->w, r0, r1);
            cached0 = y0;
            cached1 = y1;
        }
        if (cached0 != y0) {
            if (cached1 == y0) { int32_t *t = r0; r0 = r1; r1 = t; cached1 = -1; }
            else lin_hrow(src, y0, j->t, dst->w, r0);
            cached0 = y0;
        }
        if (cached1 != y1) { lin_hrow(src, y1, j->t, dst->w, r1); cached1 = y1; }
        lin_vrow(r0, r1, j->t->by[2 * y], j->t->by[2 * y + 1], dst->data + y * dst->stride, n);
    }
    /* r0/r1 may have been swapped; the allocation starts at the lower one. */
    free(r0 < r1 ? r0 : r1);
}

static int resize_linear(const vh_image *src, vh_image *dst, double ix, double iy, int area_mode) {
    lin_tab t;
    int dw = dst->w, dh = dst->h;
    t.xofs = malloc(sizeof(int) * (size_t)dw);
    t.yofs = malloc(sizeof(int) * (size_t)dh);
    t.ax = malloc(sizeof(int16_t) * 2 * (size_t)dw);
    t.by = malloc(sizeof(int16_t) * 2 * (size_t)dh);
    t.xo = malloc(sizeof(int) * 2 * (size_t)dw);
    int st = VH_OK;
    if (!t.xofs || !t.yofs || !t.ax || !t.by || !t.xo) {
        st = vh__fail(NULL, VH_ENOMEM, "resize: out of memory");
    } else {
        lin_axis(src->w, dw, ix, area_mode, 1, t.xofs, t.ax);
        lin_axis(src->h, dh, iy, area_mode, 0, t.yofs, t.by);
        for (int x = 0; x < dw; x++) { /* sw*c ≤ 2^17: ints are safe */
            int s0 = t.xofs[x], s1 = s0 + 1 < src->w ? s0 + 1 : src->w - 1;
            t.xo[2 * x] = s0 * src->c;
            t.xo[2 * x + 1] = s1 * src->c;
        }
        lin_job j = {src, dst, &t, 0};
        vh_parallel_for((size_t)dh, row_grain(dst), lin_rows, &j);
        if (j.failed) st = vh__fail(NULL, VH_ENOMEM, "resize: out of memory");
    }
    free(t.xofs);
    free(t.yofs);
    free(t.ax);
    free(t.by);
    free(t.xo);
    return st;
}

/* ---- area: integer factor (exact integer average) ---- */

typedef struct area_job {
    const vh_image *src;
    vh_image *dst;
    int kx, ky;                       /* integer factors (fast path) */
    const int *xs, *xn, *ys, *yn;     /* general path: first tap and tap count */
    const float *wx, *wy;             /* general path: weights, kmax per entry */
    int kmaxx, kmaxy;
    int failed;
} area_job;

/* Sums kx-wide groups of the column sums per channel and rounds the mean. */
static inline void area_int_hsum(const uint16_t *col, int dw, int kx, int c, unsigned area, uint8_t *o) {
    unsigned half = area / 2;
    for (int x = 0; x < dw; x++, o += c, col += (size_t)kx * (size_t)c)
        for (int k = 0; k < c; k++) {
            uint32_t sum = 0;
            for (int q = 0; q < kx; q++) sum += col[q * c + k];
            o[k] = (uint8_t)((sum + half) / area);
        }
}

/* col[i] += p[i] (16-bit column sums; ky ≤ 257 keeps them below 2^16). */
static void area_colsum(uint16_t *col, const uint8_t *p, size_t n) {
    size_t i = 0;
#ifdef __SSE2__
    const __m128i z = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i lo = _mm_loadu_si128((const __m128i *)(col + i)), hi = _mm_loadu_si128((const __m128i *)(col + i + 8));
        _mm_storeu_si128((__m128i *)(col + i), _mm_add_epi16(lo, _mm_unpacklo_epi8(v, z)));
        _mm_storeu_si128((__m128i *)(col + i + 8), _mm_add_epi16(hi, _mm_unpackhi_epi8(v, z)));
    }
#endif
    for (; i < n; i++) col[i] = (uint16_t)(col[i] + p[i]);
}

static void area_int_rows(void *ctx, size_t begin, size_t end, int tid) {
    (void)tid;
    area_job *j = ctx;
    const vh_image *s = j->src;
    vh_image *d = j->dst;
    int c = s->c, kx = j->kx, ky = j->ky;
    unsigned area = (unsigned)(kx * ky);
    size_t n = (size_t)d->w * (size_t)kx * (size_t)c; /* source samples used per row */
    uint16_t *col = malloc(n * sizeof *col);
    if (!col) { j->failed = 1; return; }
    for (size_t y = begin; y < end; y++) {
        memset(col, 0, n * sizeof *col);
        for (int r = 0; r < ky; r++) area_colsum(col, s->data + (y * (size_t)ky + (size_t)r) * s->stride, n);
        uint8_t *o = d->data + y * d->stride;
        switch (c) {
        case 1: area_int_hsum(col, d->w, kx, 1, area, o); break;
        case 3: area_int_hsum(col, d->w, kx, 3, area, o); break;
        default: area_int_hsum(col, d->w, kx, 4, area, o); break;
        }
    }
    free(col);
}

/* ---- area: general shrink (separable exact box filter, float weights) ---- */

/* Source pixel i covers [i, i+1); output pixel d covers [d*scale, (d+1)*scale)
 * clipped to the source; weight = overlap / covered length. */
static void area_axis(int sn, int dn, double scale, int kmax, int *first, int *count, float *w) {
    for (int d = 0; d < dn; d++) {
        double a = d * scale, b = (d + 1) * scale;
        if (b > sn) b = sn;
        int i0 = (int)floor(a), i1 = (int)ceil(b);
        if (i1 > sn) i1 = sn;
        if (i0 > i1 - 1) i0 = i1 - 1;
        double len = b - a;
        int n = 0;
        first[d] = i0;
        for (int i = i0; i < i1 && n < kmax; i++) {
            double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
            double ov = hi - lo;
            if (ov <= 1e-9 && n == 0) { first[d] = i + 1; continue; }
            w[d * kmax + n++] = (float)(ov > 0 ? ov / len : 0);
        }
        count[d] = n;
    }
}

static void area_gen_rows(void *ctx, size_t begin, size_t end, int tid) {
    (void)tid;
    area_job *j = ctx;
    const vh_image *s = j->src;
    vh_image *d = j->dst;
    int c = s->c;
    size_t n = (size_t)d->w * (size_t)c;
    float *acc = malloc(2 * n * sizeof *acc);
    if (!acc) { j->failed = 1; return; }
    float *h = acc + n;
    for (size_t y = begin; y < end; y++) {
        memset(acc, 0, n * sizeof *acc);
        for (int r = 0; r < j->yn[y]; r++) {
            const uint8_t *row = s->data + (size_t)(j->ys[y] + r) * s->stride;
            float wy = j->wy[y * (size_t)j->kmaxy + (size_t)r];
            for (int x = 0; x < d->w; x++) {
                const uint8_t *p = row + (size_t)j->xs[x] * (size_t)c;
                const float *wx = j->wx + (size_t)x * (size_t)j->kmaxx;
                for (int k = 0; k < c; k++) {
                    float v = 0;
                    for (int q = 0; q < j->xn[x]; q++) v += wx[q] * p[q * c + k];
                    h[x * c + k] = v;
                }
            }
            for (size_t i = 0; i < n; i++) acc[i] += wy * h[i];
        }
        uint8_t *o = d->data + y * d->stride;
        for (size_t i = 0; i < n; i++) {
            int v = round_f(acc[i]);
            o[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(acc);
}

static int resize_area(const vh_image *src, vh_image *dst, double sx, double sy) {
    int ikx = (int)lrint(sx), iky = (int)lrint(sy);
    area_job j;
    memset(&j, 0, sizeof j);
    j.src = src;
    j.dst = dst;
    if (fabs(sx - ikx) < DBL_EPSILON && fabs(sy - iky) < DBL_EPSILON && iky <= 257 &&
        (size_t)ikx * (size_t)dst->w <= (size_t)src->w &&
        (size_t)iky * (size_t)dst->h <= (size_t)src->h) {
        j.kx = ikx;
        j.ky = iky;
        vh_parallel_for((size_t)dst->h, row_grain(dst), area_int_rows, &j);
        return j.failed ? vh__fail(NULL, VH_ENOMEM, "resize: out of memory") : VH_OK;
    }
    int kmaxx = (int)ceil(sx) + 1, kmaxy = (int)ceil(sy) + 1;
    int *xs = malloc(sizeof(int) * 2 * (size_t)dst->w), *ys = malloc(sizeof(int) * 2 * (size_t)dst->h);
    float *wx = malloc(sizeof(float) * (size_t)kmaxx * (size_t)dst->w);
    float *wy = malloc(sizeof(float) * (size_t)kmaxy * (size_t)dst->h);
    int st = VH_OK;
    if (!xs || !ys || !wx || !wy) {
        st = vh__fail(NULL, VH_ENOMEM, "resize: out of memory");
    } else {
        area_axis(src->w, dst->w, sx, kmaxx, xs, xs + dst->w, wx);
        area_axis(src->h, dst->h, sy, kmaxy, ys, ys + dst->h, wy);
        j.xs = xs; j.xn = xs + dst->w; j.ys = ys; j.yn = ys + dst->h;
        j.wx = wx; j.wy = wy; j.kmaxx = kmaxx; j.kmaxy = kmaxy;
        vh_parallel_for((size_t)dst->h, row_grain(dst), area_gen_rows, &j);
        if (j.failed) st = vh__fail(NULL, VH_ENOMEM, "resize: out of memory");
    }
    free(xs); free(ys); free(wx); free(wy);
    return st;
}

/* ---- nearest (OpenCV INTER_NEAREST: floor(d * scale)) ---- */

static void resize_nearest(const vh_image *src, vh_image *dst, double sx, double sy, int *xofs) {
    int c = src->c;
    for (int x = 0; x < dst->w; x++) {
        int s = (int)floor(x * sx);
        xofs[x] = (s < src->w - 1 ? s : src->w - 1) * c;
    }
    for (int y = 0; y < dst->h; y++) {
        int s = (int)floor(y * sy);
        if (s > src->h - 1) s = src->h - 1;
        const uint8_t *r = src->data + (size_t)s * src->stride;
        uint8_t *o = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < dst->w; x++)
            for (int k = 0; k < c; k++) o[x * c + k] = r[xofs[x] + k];
    }
}

int vh_image_resize(const vh_image *src, int dw, int dh, int interp, vh_image *dst) {
    int st = vh__image_check(src, "resize");
    if (st) { if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    if (interp != VH_INTERP_NEAREST && interp != VH_INTERP_BILINEAR && interp != VH_INTERP_AREA) {
        if (dst != src) memset(dst, 0, sizeof *dst);
        return vh__fail(NULL, VH_EINVAL, "resize: unknown interpolation %d", interp);
    }
    vh_image out;
    st = vh__image_check_dims("resize", dw, dh, src->c);
    if (!st) st = vh_image_alloc(&out, dw, dh, src->c);
    if (st) { if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    /* OpenCV: inv_scale = dsize / ssize, scale = 1 / inv_scale. */
    double ix = (double)dw / src->w, iy = (double)dh / src->h;
    double sx = 1.0 / ix, sy = 1.0 / iy;
    if (interp == VH_INTERP_NEAREST) {
        int *xofs = malloc(sizeof(int) * (size_t)dw);
        if (!xofs) st = vh__fail(NULL, VH_ENOMEM, "resize: out of memory");
        else resize_nearest(src, &out, sx, sy, xofs);
        free(xofs);
    } else {
        int ikx = (int)lrint(sx), iky = (int)lrint(sy);
        int fast2 = fabs(sx - ikx) < DBL_EPSILON && fabs(sy - iky) < DBL_EPSILON && ikx == 2 && iky == 2;
        if (interp == VH_INTERP_BILINEAR && !fast2) st = resize_linear(src, &out, ix, iy, 0);
        else if (sx >= 1 && sy >= 1) st = resize_area(src, &out, sx, sy);
        else st = resize_linear(src, &out, ix, iy, 1); /* AREA when enlarging */
    }
    if (st) { vh_image_free(&out); if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    vh__image_replace(src, dst, &out);
    return VH_OK;
}

int vh_image_crop(const vh_image *src, int x, int y, int w, int h, vh_image *dst) {
    int st = vh__image_check(src, "crop");
    if (st) { if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    vh_image out;
    st = vh__image_check_dims("crop", w, h, src->c);
    if (!st) st = vh_image_alloc(&out, w, h, src->c);
    if (st) { if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    int c = src->c;
    int64_t x0 = VH_MAX((int64_t)x, 0), x1 = VH_MIN((int64_t)x + w, (int64_t)src->w);
    for (int r = 0; r < h; r++) {
        int64_t sy = (int64_t)y + r;
        if (sy < 0 || sy >= src->h || x0 >= x1) continue;
        memcpy(out.data + (size_t)r * out.stride + (size_t)(x0 - x) * (size_t)c,
               src->data + (size_t)sy * src->stride + (size_t)x0 * (size_t)c, (size_t)(x1 - x0) * (size_t)c);
    }
    vh__image_replace(src, dst, &out);
    return VH_OK;
}

/* ---- affine warp ---- */

typedef struct warp_job {
    const vh_image *src;
    vh_image *dst;
    const double *m;
    uint8_t border;
} warp_job;

/* OpenCV's warpAffine fixed point: positions in 1/1024 px (AB_BITS 10), cut
 * to 1/32 px (INTER_BITS 5) with round_delta 16; bilinear weights are then
 * exact integers (32-a)(32-b) summing to 1024. */
#define VH_WARP_AB 1024.0
static int64_t warp_fix(double v) {
    double r = nearbyint(v * VH_WARP_AB); /* cvRound: half to even */
    if (!(r > -4.0e18)) return INT64_MIN / 4; /* NaN excluded by the caller */
    if (r > 4.0e18) return INT64_MAX / 4;
    return (int64_t)r;
}

/* floor(v / 2^n) without relying on the sign behaviour of >>. */
static int64_t floor_shift(int64_t v, int n) { return v >= 0 ? v >> n : -((-v - 1) >> n) - 1; }

static void warp_rows(void *ctx, size_t begin, size_t end, int tid) {
    (void)tid;
    warp_job *j = ctx;
    const vh_image *s = j->src;
    int c = s->c, sw = s->w, sh = s->h;
    const double *m = j->m;
    uint8_t bpix[4];
    memset(bpix, j->border, sizeof bpix);
    for (size_t y = begin; y < end; y++) {
        uint8_t *o = j->dst->data + y * j->dst->stride;
        int64_t X0 = warp_fix(m[1] * (double)y + m[2]) + 16, Y0 = warp_fix(m[4] * (double)y + m[5]) + 16;
        for (int x = 0; x < j->dst->w; x++, o += c) {
            int64_t X = floor_shift(X0 + warp_fix(m[0] * x), 5), Y = floor_shift(Y0 + warp_fix(m[3] * x), 5);
            int64_t x0 = floor_shift(X, 5), y0 = floor_shift(Y, 5);
            if (x0 < -1 || x0 >= sw || y0 < -1 || y0 >= sh) { memset(o, j->border, (size_t)c); continue; }
            int ax = (int)(X - x0 * 32), ay = (int)(Y - y0 * 32);
            int w[4] = {(32 - ax) * (32 - ay), ax * (32 - ay), (32 - ax) * ay, ax * ay};
            const uint8_t *p[4];
            for (int q = 0; q < 4; q++) {
                int64_t px = x0 + (q & 1), py = y0 + (q >> 1);
                p[q] = (px >= 0 && px < sw && py >= 0 && py < sh)
                           ? s->data + (size_t)py * s->stride + (size_t)px * (size_t)c
                           : bpix;
            }
            for (int k = 0; k < c; k++)
                o[k] = (uint8_t)((p[0][k] * w[0] + p[1][k] * w[1] + p[2][k] * w[2] + p[3][k] * w[3] + 512) >> 10);
        }
    }
}

int vh_image_warp_affine(const vh_image *src, const double m[6], int dw, int dh, uint8_t border, vh_image *dst) {
    int st = vh__image_check(src, "warp");
    if (st) { if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    for (int i = 0; i < 6; i++)
        if (!isfinite(m[i])) {
            if (dst != src) memset(dst, 0, sizeof *dst);
            return vh__fail(NULL, VH_ENUMERIC, "warp: matrix element %d is not finite", i);
        }
    vh_image out;
    st = vh__image_check_dims("warp", dw, dh, src->c);
    if (!st) st = vh_image_alloc(&out, dw, dh, src->c);
    if (st) { if (dst != src) memset(dst, 0, sizeof *dst); return st; }
    warp_job j = {src, &out, m, border};
    vh_parallel_for((size_t)dh, row_grain(&out), warp_rows, &j);
    vh__image_replace(src, dst, &out);
    return VH_OK;
}

int vh_affine_invert(const double m[6], double inv[6]) {
    double det = m[0] * m[4] - m[1] * m[3];
    double mag = fabs(m[0]) + fabs(m[1]) + fabs(m[3]) + fabs(m[4]);
    if (!isfinite(det) || det == 0 || fabs(det) <= 1e-12 * mag * mag)
        return vh__fail(NULL, VH_ENUMERIC, "affine matrix is singular (det %g)", det);
    double r = 1.0 / det;
    double out[6] = {m[4] * r, -m[1] * r, (m[1] * m[5] - m[4] * m[2]) * r,
                     -m[3] * r, m[0] * r, (m[3] * m[2] - m[0] * m[5]) * r};
    for (int i = 0; i < 6; i++)
        if (!isfinite(out[i])) return vh__fail(NULL, VH_ENUMERIC, "affine inverse is not finite");
    memcpy(inv, out, sizeof out);
    return VH_OK;
}
