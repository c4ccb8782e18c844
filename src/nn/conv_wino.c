/* Eval-mode 3x3 stride-1 convolution by Winograd F(2x2, 3x3) with AVX-512 / AVX2
 * (docs/bench-nn.md "single-image latency"). Each 2x2 output tile costs 16
 * multiplies per input/output channel pair instead of 36, so the three large
 * FER convolutions do 2.25x fewer multiply-adds than im2col + GEMM.
 *
 *   U = G g G^T     per filter, 4x4; cached per node, layout [OC/32][16][IC][32]
 *   V = B^T d B     per input tile (4x4 from a zero-padded NHWC copy), [16][tile][IC]
 *   M = U . V       16 small GEMMs, vectorised over 16 output channels
 *   y = A^T M A     2x2 outputs per tile, written back to NCHW (+ bias)
 *
 * The transformed filters U are cached with a copy of the weights they came
 * from; every call compares the weights with that copy (memcmp) and rebuilds U
 * when any value changed, so writes to parameter data through any path are
 * seen. Used only in eval mode, with the fast kernels, groups 1, IC % 16 == 0,
 * OC % 32 == 0, on CPUs with AVX-512F or AVX2 + FMA (checked at run time;
 * VERHM_WINOGRAD=avx2 picks the AVX2 kernels on an AVX-512 CPU); everything
 * else keeps ops_conv.c. In eval mode it is tried before oneDNN (faster at batch 64
 * too, docs/bench-nn.md). A batch smaller than the thread count splits each
 * sample's output channels over the threads. VERHM_WINOGRAD=0 turns it off
 * (read at compile). */
#include "nn_internal.h"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define VH_WINO_X86 1
#include <immintrin.h>
#endif

typedef struct {
    int C, H, W, OC, OH, OW, p, bias;
    int TH, TW, T;     /* tiles: rows, columns, total */
    int PH, PW;        /* padded input plane: 2*TH+2, 2*TW+2 */
} wgeom;

/* n->cache: header, weight copy [OC*C*9], U [16*C*OC] */
typedef struct {
    int valid;
    int pad_[15];
} whead;

static wgeom wino_geom(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    wgeom w;
    w.C = x->dims[0], w.H = x->dims[1], w.W = x->dims[2];
    w.OC = n->ia[0], w.p = n->ia[3], w.bias = n->ia[6];
    w.OH = n->dims[1], w.OW = n->dims[2];
    w.TH = (w.OH + 1) / 2, w.TW = (w.OW + 1) / 2, w.T = w.TH * w.TW;
    w.PH = 2 * w.TH + 2, w.PW = 2 * w.TW + 2;
    return w;
}

static size_t wino_ws(const wgeom *w) {
    return (size_t)w->PH * w->PW * w->C       /* padded NHWC input */
           + 16 * (size_t)w->T * w->C         /* V */
           + 16 * 12 * 32                     /* M block */
           + 4 * (size_t)w->T * w->OC;        /* NHWC output tiles */
}

/* 2: AVX-512F, 1: AVX2 + FMA, 0: neither (or not x86 / not GCC-compatible). */
static int cpu_level(void) {
#ifdef VH_WINO_X86
    static int state = -1;
    if (state < 0) {
        __builtin_cpu_init();
        state = __builtin_cpu_supports("avx512f")                                       ? 2
                : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1
                                                                                          : 0;
    }
    return state;
#else
    return 0;
#endif
}

void vh__nn_conv_wino_setup(vh_nn_graph *g, vh__nn_node *n) {
    n->wino = 0;
    vh__nn_node *x = vh__in(g, n, 0);
    int k = n->ia[1], s = n->ia[2], d = n->ia[4], G = n->ia[5];
    const char *env = getenv("VERHM_WINOGRAD");
    int level = cpu_level();
    if (env && env[0] == '0') return;
    if (env && strcmp(env, "avx2") == 0 && level > 1) level = 1; /* the AVX2 kernels on an AVX-512 CPU */
    if (k != 3 || s != 1 || d != 1 || G != 1 || x->dims[0] % 16 || n->ia[0] % 32 || !level) return;
    wgeom w = wino_geom(g, n);
    size_t ws = wino_ws(&w);
    if (ws > n->ws_floats) n->ws_floats = ws;
    n->cache_bytes = sizeof(whead) + ((size_t)w.OC * w.C * 9 + 16 * (size_t)w.C * w.OC) * sizeof(float);
    n->wino = level;
}

/* U[oc/32][xi][ic][oc%32] = (G g G^T)[xi] for filter g = W[oc][ic] (3x3): each
 * block of 32 output channels is one contiguous stream for the GEMMs. */
static void build_u(const wgeom *w, const float *W, float *U) {
    size_t plane = (size_t)w->C * 32;
    for (int oc = 0; oc < w->OC; oc++)
        for (int ic = 0; ic < w->C; ic++) {
            const float *f = W + ((size_t)oc * w->C + ic) * 9;
            float t[4][3];
            for (int j = 0; j < 3; j++) {
                float a = f[j], b = f[3 + j], c = f[6 + j];
                t[0][j] = a;
                t[1][j] = 0.5f * (a + b + c);
                t[2][j] = 0.5f * (a - b + c);
                t[3][j] = c;
            }
            float *u = U + (size_t)(oc / 32) * 16 * plane + (size_t)ic * 32 + oc % 32;
            for (int i = 0; i < 4; i++) {
                float a = t[i][0], b = t[i][1], c = t[i][2];
                u[(size_t)(i * 4 + 0) * plane] = a;
                u[(size_t)(i * 4 + 1) * plane] = 0.5f * (a + b + c);
                u[(size_t)(i * 4 + 2) * plane] = 0.5f * (a - b + c);
                u[(size_t)(i * 4 + 3) * plane] = c;
            }
        }
}

#ifdef VH_WINO_X86
#define VH_AVX512 __attribute__((target("avx512f")))

/* In-register transpose of a 16x16 block: r[i] lane j <-> r[j] lane i. */
VH_AVX512 static void tr16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 16; i += 8)
        for (int k = 0; k < 4; k++) {
            t[i + k] = _mm512_shuffle_f32x4(r[i + k], r[i + 4 + k], 0x88);
            t[i + 4 + k] = _mm512_shuffle_f32x4(r[i + k], r[i + 4 + k], 0xdd);
        }
    for (int k = 0; k < 8; k++) {
        r[k] = _mm512_shuffle_f32x4(t[k], t[8 + k], 0x88);
        r[8 + k] = _mm512_shuffle_f32x4(t[k], t[8 + k], 0xdd);
    }
}

/* xp[r][c][ic] = x[ic][r-p][c-p] (zero outside) for the PH x PW padded plane:
 * blocks of 16 channels x up to 16 columns, transposed in registers. */
VH_AVX512 static void pad_nhwc(const wgeom *w, const float *x, float *xp) {
    memset(xp, 0, (size_t)w->PH * w->PW * w->C * sizeof(float));
    size_t hw = (size_t)w->H * w->W;
    int nrow = VH_MIN(w->H, w->PH - w->p), ncol = VH_MIN(w->W, w->PW - w->p);
    for (int ic = 0; ic < w->C; ic += 16)
        for (int r = 0; r < nrow; r++)
            for (int c0 = 0; c0 < ncol; c0 += 16) {
                int nc = VH_MIN(16, ncol - c0);
                __mmask16 m = (__mmask16)((1u << nc) - 1);
                __m512 v[16];
                const float *src = x + (size_t)ic * hw + (size_t)r * w->W + c0;
                for (int k = 0; k < 16; k++) v[k] = _mm512_maskz_loadu_ps(m, src + (size_t)k * hw);
                tr16(v);
                float *dst = xp + ((size_t)(r + w->p) * w->PW + w->p + c0) * w->C + ic;
                for (int k = 0; k < nc; k++) _mm512_storeu_ps(dst + (size_t)k * w->C, v[k]);
            }
}

/* V[xi][t][ic] = (B^T d B)[xi], d the 4x4 input patch of tile t, 16 channels a vector. */
VH_AVX512 static void input_transform(const wgeom *w, const float *xp, float *V) {
    size_t vs = (size_t)w->T * w->C; /* stride between xi planes */
    for (int ty = 0; ty < w->TH; ty++)
        for (int tx = 0; tx < w->TW; tx++) {
            int t = ty * w->TW + tx;
            const float *base = xp + ((size_t)(2 * ty) * w->PW + 2 * tx) * w->C;
            for (int ic = 0; ic < w->C; ic += 16) {
                __m512 d[4][4], r[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) d[i][j] = _mm512_loadu_ps(base + ((size_t)i * w->PW + j) * w->C + ic);
                for (int j = 0; j < 4; j++) {
                    r[0][j] = _mm512_sub_ps(d[0][j], d[2][j]);
                    r[1][j] = _mm512_add_ps(d[1][j], d[2][j]);
                    r[2][j] = _mm512_sub_ps(d[2][j], d[1][j]);
                    r[3][j] = _mm512_sub_ps(d[1][j], d[3][j]);
                }
                float *v = V + (size_t)t * w->C + ic;
                for (int i = 0; i < 4; i++) {
                    _mm512_storeu_ps(v + (size_t)(i * 4 + 0) * vs, _mm512_sub_ps(r[i][0], r[i][2]));
                    _mm512_storeu_ps(v + (size_t)(i * 4 + 1) * vs, _mm512_add_ps(r[i][1], r[i][2]));
                    _mm512_storeu_ps(v + (size_t)(i * 4 + 2) * vs, _mm512_sub_ps(r[i][2], r[i][1]));
                    _mm512_storeu_ps(v + (size_t)(i * 4 + 3) * vs, _mm512_sub_ps(r[i][1], r[i][3]));
                }
            }
        }
}

/* Mb[xi][j][0..32) = sum_ic U[oc0/32][xi][ic][0..32) * V[xi][t0+j][ic], j < NT <= 12.
 * NT is a compile-time constant in every instantiation, so the 2*NT
 * accumulators stay in registers. */
#define GEMM_NT(NT)                                                                                         \
    VH_AVX512 static void gemm_nt##NT(const wgeom *w, const float *U, const float *V, int oc0, int t0,     \
                                      float *Mb) {                                                          \
        size_t us = (size_t)w->C * 32, vs = (size_t)w->T * w->C;                                            \
        int C = w->C, OC = 32;                                                                              \
        for (int xi = 0; xi < 16; xi++) {                                                                   \
            const float *u = U + (size_t)(oc0 / 32) * 16 * us + xi * us;                                    \
            const float *v = V + xi * vs + (size_t)t0 * C;                                                  \
            __m512 a0[NT], a1[NT];                                                                          \
            VH_UNROLL for (int j = 0; j < NT; j++) a0[j] = a1[j] = _mm512_setzero_ps();                     \
            for (int ic = 0; ic < C; ic++) {                                                                \
                __m512 u0 = _mm512_loadu_ps(u + (size_t)ic * OC), u1 = _mm512_loadu_ps(u + (size_t)ic * OC + 16); \
                const float *vv = v + ic;                                                                   \
                VH_UNROLL for (int j = 0; j < NT; j++) {                                                    \
                    __m512 b = _mm512_set1_ps(vv[(size_t)j * C]);                                           \
                    a0[j] = _mm512_fmadd_ps(b, u0, a0[j]);                                                  \
                    a1[j] = _mm512_fmadd_ps(b, u1, a1[j]);                                                  \
                }                                                                                           \
            }                                                                                               \
            float *m = Mb + (size_t)xi * 12 * 32;                                                           \
            VH_UNROLL for (int j = 0; j < NT; j++) {                                                        \
                _mm512_storeu_ps(m + j * 32, a0[j]);                                                        \
                _mm512_storeu_ps(m + j * 32 + 16, a1[j]);                                                   \
            }                                                                                               \
        }                                                                                                   \
    }
#if defined(__clang__)
#define VH_UNROLL _Pragma("unroll")
#else
#define VH_UNROLL _Pragma("GCC unroll 16")
#endif
GEMM_NT(1) GEMM_NT(2) GEMM_NT(3) GEMM_NT(4) GEMM_NT(5) GEMM_NT(6)
GEMM_NT(7) GEMM_NT(8) GEMM_NT(9) GEMM_NT(10) GEMM_NT(11) GEMM_NT(12)

typedef void (*gemm_fn)(const wgeom *, const float *, const float *, int, int, float *);
static const gemm_fn gemm_nt[13] = {NULL,      gemm_nt1, gemm_nt2, gemm_nt3,  gemm_nt4,  gemm_nt5, gemm_nt6,
                                    gemm_nt7,  gemm_nt8, gemm_nt9, gemm_nt10, gemm_nt11, gemm_nt12};

/* Y[oy][ox][oc0..oc0+32) for tiles t0..t0+nt from Mb: A^T M A. Y is 2TH x 2TW x OC. */
VH_AVX512 static void output_transform(const wgeom *w, const float *Mb, int oc0, int t0, int nt, float *Y) {
    for (int j = 0; j < nt; j++) {
        int t = t0 + j, ty = t / w->TW, tx = t % w->TW;
        for (int h = 0; h < 32; h += 16) {
            __m512 m[16];
            for (int xi = 0; xi < 16; xi++) m[xi] = _mm512_loadu_ps(Mb + (size_t)xi * 12 * 32 + j * 32 + h);
            __m512 s0[4], s1[4];
            for (int c = 0; c < 4; c++) {
                __m512 a = m[c], b = m[4 + c], cc = m[8 + c], dd = m[12 + c];
                s0[c] = _mm512_add_ps(_mm512_add_ps(a, b), cc);
                s1[c] = _mm512_sub_ps(_mm512_sub_ps(b, cc), dd);
            }
            float *y0 = Y + ((size_t)(2 * ty) * (2 * w->TW) + 2 * tx) * w->OC + oc0 + h;
            float *y1 = y0 + (size_t)(2 * w->TW) * w->OC;
            _mm512_storeu_ps(y0, _mm512_add_ps(_mm512_add_ps(s0[0], s0[1]), s0[2]));
            _mm512_storeu_ps(y0 + w->OC, _mm512_sub_ps(_mm512_sub_ps(s0[1], s0[2]), s0[3]));
            _mm512_storeu_ps(y1, _mm512_add_ps(_mm512_add_ps(s1[0], s1[1]), s1[2]));
            _mm512_storeu_ps(y1 + w->OC, _mm512_sub_ps(_mm512_sub_ps(s1[1], s1[2]), s1[3]));
        }
    }
}

/* y[oc][oy][ox] = Y[oy][ox][oc] (+ bias[oc]) for oc in [oc0, oc0+32): blocks of
 * 16 columns x 16 channels transposed in registers. */
VH_AVX512 static void write_nchw(const wgeom *w, const float *Y, const float *bias, int oc0, float *y) {
    size_t ohw = (size_t)w->OH * w->OW, ypw = 2 * (size_t)w->TW;
    for (int o0 = oc0; o0 < oc0 + 32; o0 += 16) {
        __m512 b = bias ? _mm512_loadu_ps(bias + o0) : _mm512_setzero_ps();
        for (int oy = 0; oy < w->OH; oy++)
            for (int x0 = 0; x0 < w->OW; x0 += 16) {
                int nc = VH_MIN(16, w->OW - x0);
                __mmask16 m = (__mmask16)((1u << nc) - 1);
                __m512 v[16];
                const float *src = Y + ((size_t)oy * ypw + x0) * w->OC + o0;
                for (int k = 0; k < 16; k++)
                    v[k] = k < nc ? _mm512_add_ps(_mm512_loadu_ps(src + (size_t)k * w->OC), b) : _mm512_setzero_ps();
                tr16(v);
                float *dst = y + (size_t)o0 * ohw + (size_t)oy * w->OW + x0;
                for (int k = 0; k < 16; k++) _mm512_mask_storeu_ps(dst + (size_t)k * ohw, m, v[k]);
            }
    }
}

/* ---- the same steps with AVX2 + FMA (8 lanes; 16 ymm registers) ---- */
#define VH_AVX2 __attribute__((target("avx2,fma")))

VH_AVX2 static void tr8(__m256 r[8]) {
    __m256 t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int k = 0; k < 4; k++) {
        t[k] = _mm256_permute2f128_ps(r[k], r[4 + k], 0x20);
        t[4 + k] = _mm256_permute2f128_ps(r[k], r[4 + k], 0x31);
    }
    for (int k = 0; k < 8; k++) r[k] = t[k];
}

VH_AVX2 static __m256i mask8(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }

VH_AVX2 static void pad_nhwc8(const wgeom *w, const float *x, float *xp) {
    memset(xp, 0, (size_t)w->PH * w->PW * w->C * sizeof(float));
    size_t hw = (size_t)w->H * w->W;
    int nrow = VH_MIN(w->H, w->PH - w->p), ncol = VH_MIN(w->W, w->PW - w->p);
    for (int ic = 0; ic < w->C; ic += 8)
        for (int r = 0; r < nrow; r++)
            for (int c0 = 0; c0 < ncol; c0 += 8) {
                int nc = VH_MIN(8, ncol - c0);
                __m256i m = mask8(nc);
                __m256 v[8];
                const float *src = x + (size_t)ic * hw + (size_t)r * w->W + c0;
                for (int k = 0; k < 8; k++) v[k] = _mm256_maskload_ps(src + (size_t)k * hw, m);
                tr8(v);
                float *dst = xp + ((size_t)(r + w->p) * w->PW + w->p + c0) * w->C + ic;
                for (int k = 0; k < nc; k++) _mm256_storeu_ps(dst + (size_t)k * w->C, v[k]);
            }
}

VH_AVX2 static void input_transform8(const wgeom *w, const float *xp, float *V) {
    size_t vs = (size_t)w->T * w->C;
    for (int ty = 0; ty < w->TH; ty++)
        for (int tx = 0; tx < w->TW; tx++) {
            int t = ty * w->TW + tx;
            const float *base = xp + ((size_t)(2 * ty) * w->PW + 2 * tx) * w->C;
            for (int ic = 0; ic < w->C; ic += 8) {
                __m256 d[4][4], r[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) d[i][j] = _mm256_loadu_ps(base + ((size_t)i * w->PW + j) * w->C + ic);
                for (int j = 0; j < 4; j++) {
                    r[0][j] = _mm256_sub_ps(d[0][j], d[2][j]);
                    r[1][j] = _mm256_add_ps(d[1][j], d[2][j]);
                    r[2][j] = _mm256_sub_ps(d[2][j], d[1][j]);
                    r[3][j] = _mm256_sub_ps(d[1][j], d[3][j]);
                }
                float *v = V + (size_t)t * w->C + ic;
                for (int i = 0; i < 4; i++) {
                    _mm256_storeu_ps(v + (size_t)(i * 4 + 0) * vs, _mm256_sub_ps(r[i][0], r[i][2]));
                    _mm256_storeu_ps(v + (size_t)(i * 4 + 1) * vs, _mm256_add_ps(r[i][1], r[i][2]));
                    _mm256_storeu_ps(v + (size_t)(i * 4 + 2) * vs, _mm256_sub_ps(r[i][2], r[i][1]));
                    _mm256_storeu_ps(v + (size_t)(i * 4 + 3) * vs, _mm256_sub_ps(r[i][1], r[i][3]));
                }
            }
        }
}

/* Mb[xi][j][h..h+16) for tiles t0+j, j < NT <= 6, channels oc0+h.. (2 x NT accumulators). */
#define GEMM8_NT(NT)                                                                                        \
    VH_AVX2 static void gemm8_nt##NT(const wgeom *w, const float *U, const float *V, int oc0, int h, int t0, \
                                     float *Mb) {                                                           \
        size_t us = (size_t)w->C * 32, vs = (size_t)w->T * w->C;                                            \
        int C = w->C;                                                                                       \
        for (int xi = 0; xi < 16; xi++) {                                                                   \
            const float *u = U + (size_t)(oc0 / 32) * 16 * us + xi * us + h;                                \
            const float *v = V + xi * vs + (size_t)t0 * C;                                                  \
            __m256 a0[NT], a1[NT];                                                                          \
            VH_UNROLL for (int j = 0; j < NT; j++) a0[j] = a1[j] = _mm256_setzero_ps();                     \
            for (int ic = 0; ic < C; ic++) {                                                                \
                __m256 u0 = _mm256_loadu_ps(u + (size_t)ic * 32), u1 = _mm256_loadu_ps(u + (size_t)ic * 32 + 8); \
                const float *vv = v + ic;                                                                   \
                VH_UNROLL for (int j = 0; j < NT; j++) {                                                    \
                    __m256 b = _mm256_broadcast_ss(vv + (size_t)j * C);                                     \
                    a0[j] = _mm256_fmadd_ps(b, u0, a0[j]);                                                  \
                    a1[j] = _mm256_fmadd_ps(b, u1, a1[j]);                                                  \
                }                                                                                           \
            }                                                                                               \
            float *m = Mb + (size_t)xi * 12 * 32 + h;                                                       \
            VH_UNROLL for (int j = 0; j < NT; j++) {                                                        \
                _mm256_storeu_ps(m + j * 32, a0[j]);                                                        \
                _mm256_storeu_ps(m + j * 32 + 8, a1[j]);                                                    \
            }                                                                                               \
        }                                                                                                   \
    }
GEMM8_NT(1) GEMM8_NT(2) GEMM8_NT(3) GEMM8_NT(4) GEMM8_NT(5) GEMM8_NT(6)

typedef void (*gemm8_fn)(const wgeom *, const float *, const float *, int, int, int, float *);
static const gemm8_fn gemm8_nt[7] = {NULL, gemm8_nt1, gemm8_nt2, gemm8_nt3, gemm8_nt4, gemm8_nt5, gemm8_nt6};

VH_AVX2 static void output_transform8(const wgeom *w, const float *Mb, int oc0, int t0, int nt, float *Y) {
    for (int j = 0; j < nt; j++) {
        int t = t0 + j, ty = t / w->TW, tx = t % w->TW;
        for (int h = 0; h < 32; h += 8) {
            __m256 m[16];
            for (int xi = 0; xi < 16; xi++) m[xi] = _mm256_loadu_ps(Mb + (size_t)xi * 12 * 32 + j * 32 + h);
            __m256 s0[4], s1[4];
            for (int c = 0; c < 4; c++) {
                __m256 a = m[c], b = m[4 + c], cc = m[8 + c], dd = m[12 + c];
                s0[c] = _mm256_add_ps(_mm256_add_ps(a, b), cc);
                s1[c] = _mm256_sub_ps(_mm256_sub_ps(b, cc), dd);
            }
            float *y0 = Y + ((size_t)(2 * ty) * (2 * w->TW) + 2 * tx) * w->OC + oc0 + h;
            float *y1 = y0 + (size_t)(2 * w->TW) * w->OC;
            _mm256_storeu_ps(y0, _mm256_add_ps(_mm256_add_ps(s0[0], s0[1]), s0[2]));
            _mm256_storeu_ps(y0 + w->OC, _mm256_sub_ps(_mm256_sub_ps(s0[1], s0[2]), s0[3]));
            _mm256_storeu_ps(y1, _mm256_add_ps(_mm256_add_ps(s1[0], s1[1]), s1[2]));
            _mm256_storeu_ps(y1 + w->OC, _mm256_sub_ps(_mm256_sub_ps(s1[1], s1[2]), s1[3]));
        }
    }
}

VH_AVX2 static void gemm_out8(const wgeom *w, const float *U, const float *V, int oc0, int t0, int nt, float *Mb,
                              float *Y) {
    for (int j0 = 0; j0 < nt; j0 += 6)
        for (int h = 0; h < 32; h += 16) gemm8_nt[VH_MIN(6, nt - j0)](w, U, V, oc0, h, t0 + j0, Mb + j0 * 32);
    output_transform8(w, Mb, oc0, t0, nt, Y);
}

VH_AVX2 static void write_nchw8(const wgeom *w, const float *Y, const float *bias, int oc0, float *y) {
    size_t ohw = (size_t)w->OH * w->OW, ypw = 2 * (size_t)w->TW;
    for (int o0 = oc0; o0 < oc0 + 32; o0 += 8) {
        __m256 b = bias ? _mm256_loadu_ps(bias + o0) : _mm256_setzero_ps();
        for (int oy = 0; oy < w->OH; oy++)
            for (int x0 = 0; x0 < w->OW; x0 += 8) {
                int nc = VH_MIN(8, w->OW - x0);
                __m256i m = mask8(nc);
                __m256 v[8];
                const float *src = Y + ((size_t)oy * ypw + x0) * w->OC + o0;
                for (int k = 0; k < 8; k++)
                    v[k] = k < nc ? _mm256_add_ps(_mm256_loadu_ps(src + (size_t)k * w->OC), b) : _mm256_setzero_ps();
                tr8(v);
                float *dst = y + (size_t)o0 * ohw + (size_t)oy * w->OW + x0;
                for (int k = 0; k < 8; k++) _mm256_maskstore_ps(dst + (size_t)k * ohw, m, v[k]);
            }
    }
}

VH_AVX512 static void gemm_out16(const wgeom *w, const float *U, const float *V, int oc0, int t0, int nt, float *Mb,
                                 float *Y) {
    gemm_nt[nt](w, U, V, oc0, t0, Mb);
    output_transform(w, Mb, oc0, t0, nt, Y);
}

/* the steps of one instruction set: [0] AVX2 + FMA, [1] AVX-512F */
typedef struct {
    void (*pad)(const wgeom *, const float *, float *);
    void (*in_tf)(const wgeom *, const float *, float *);
    void (*gemm_out)(const wgeom *, const float *, const float *, int, int, int, float *, float *);
    void (*nchw)(const wgeom *, const float *, const float *, int, float *);
} wkern;
static const wkern kerns[2] = {{pad_nhwc8, input_transform8, gemm_out8, write_nchw8},
                               {pad_nhwc, input_transform, gemm_out16, write_nchw}};

typedef struct {
    vh_nn_graph *g;
    vh__nn_node *n;
    wgeom w;
    const float *U;
    vh__nn_node *bn; /* batch norm applied in the epilogue, or NULL */
    size_t i;        /* sample (per-channel-block split) */
    const wkern *k;
} wctx;

/* Output channels [oc0, oc0+32) of sample i from its transformed input V:
 * GEMMs, output transform into Y (NHWC tiles), then NCHW (+ bias, + batch norm). */
static void wino_block(const wctx *c, size_t i, const float *V, float *Mb, float *Y, int oc0) {
    const wgeom *w = &c->w;
    vh__nn_node *n = c->n;
    for (int t0 = 0; t0 < w->T; t0 += 12) c->k->gemm_out(w, c->U, V, oc0, t0, VH_MIN(12, w->T - t0), Mb, Y);
    const float *bias = w->bias ? vh__pt(c->g, n, 1)->data : NULL;
    float *y = n->val.data + i * n->per;
    c->k->nchw(w, Y, bias, oc0, y);
    if (c->bn) vh__nn_bn_eval_sample(c->g, c->bn, i, y, oc0, oc0 + 32);
}

static float *ws_v(const wgeom *w, float *ws) { return ws + (size_t)w->PH * w->PW * w->C; }
static float *ws_m(const wgeom *w, float *ws) { return ws_v(w, ws) + 16 * (size_t)w->T * w->C; }
static float *ws_y(const wgeom *w, float *ws) { return ws_m(w, ws) + 16 * 12 * 32; }

/* whole samples [b, e) per thread */
static void wino_range(void *vc, size_t b, size_t e, int tid) {
    wctx *c = vc;
    const wgeom *w = &c->w;
    vh__nn_node *xn = vh__in(c->g, c->n, 0);
    float *xp = vh__ws(c->g, tid);
    for (size_t i = b; i < e; i++) {
        c->k->pad(w, xn->val.data + i * xn->per, xp);
        c->k->in_tf(w, xp, ws_v(w, xp));
        for (int oc0 = 0; oc0 < w->OC; oc0 += 32) wino_block(c, i, ws_v(w, xp), ws_m(w, xp), ws_y(w, xp), oc0);
    }
}

/* channel blocks [b, e) of sample c->i, whose V lies in thread 0's workspace */
static void wino_oc_range(void *vc, size_t b, size_t e, int tid) {
    wctx *c = vc;
    const wgeom *w = &c->w;
    float *ws0 = vh__ws(c->g, 0);
    for (size_t k = b; k < e; k++) wino_block(c, c->i, ws_v(w, ws0), ws_m(w, vh__ws(c->g, tid)), ws_y(w, ws0), (int)k * 32);
}
#endif

int vh__nn_conv_wino_forward(vh_nn_graph *g, vh__nn_node *n) {
#ifdef VH_WINO_X86
    if (g->training || g->kernel || !n->wino || !n->cache) return 0;
    wctx c = {g, n, wino_geom(g, n), NULL, vh__nn_conv_eval_bn(g, n), 0, &kerns[n->wino - 1]};
    whead *h = n->cache;
    float *wcopy = (float *)(h + 1), *U = wcopy + (size_t)c.w.OC * c.w.C * 9;
    const vh_tensor *W = vh__pt(g, n, 0);
    if (!h->valid || memcmp(wcopy, W->data, W->size * sizeof(float)) != 0) {
        memcpy(wcopy, W->data, W->size * sizeof(float));
        build_u(&c.w, W->data, U);
        h->valid = 1;
    }
    c.U = U;
    if (c.bn) vh__nn_bn_eval_begin(g, c.bn);
    if (g->batch >= g->nthreads) {
        vh_parallel_for((size_t)g->batch, 1, wino_range, &c);
    } else { /* fewer samples than threads: split each sample's output channels */
        float *xp = vh__ws(g, 0);
        vh__nn_node *xn = vh__in(g, n, 0);
        for (c.i = 0; c.i < (size_t)g->batch; c.i++) {
            c.k->pad(&c.w, xn->val.data + c.i * xn->per, xp);
            c.k->in_tf(&c.w, xp, ws_v(&c.w, xp));
            vh_parallel_for((size_t)c.w.OC / 32, 1, wino_oc_range, &c);
        }
    }
    return 1;
#else
    (void)g, (void)n;
    return 0;
#endif
}
