/* Convolution (im2col/col2im + GEMM, and a naive reference), batch norm and
 * dense layers, forward and backward. Weight-gradient reductions over the batch
 * go through per-thread partial buffers summed in thread order, so results are
 * reproducible for a given thread count. */
#include "nn_internal.h"
/* GCC's -O2 does not vectorise these loops (clang's does): ask for O3 here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <math.h>
#include <string.h>

/* ---- convolution ------------------------------------------------------- */

typedef struct {
    int C, H, W, OC, OH, OW, k, s, p, d, G, ICg, OCg, K, bias;
    size_t ohw, wsize;
} cgeom;

static cgeom conv_geom(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    cgeom c;
    c.C = x->dims[0], c.H = x->dims[1], c.W = x->dims[2];
    c.OC = n->ia[0], c.k = n->ia[1], c.s = n->ia[2], c.p = n->ia[3], c.d = n->ia[4], c.G = n->ia[5];
    c.bias = n->ia[6];
    c.OH = n->dims[1], c.OW = n->dims[2];
    c.ICg = c.C / c.G, c.OCg = c.OC / c.G;
    c.K = c.ICg * c.k * c.k;
    c.ohw = (size_t)c.OH * c.OW;
    c.wsize = (size_t)c.OC * c.K;
    return c;
}

static int conv_is_1x1(const cgeom *c) { return c->k == 1 && c->s == 1 && c->p == 0; }

/* Samples per GEMM: small feature maps are batched so the GEMM's N dimension
 * (S × OH×OW) is at least ~512 wide (OpenBLAS is inefficient on narrow N). */
static int conv_group_samples(const cgeom *c) {
    if (c->G != 1 || conv_is_1x1(c) || c->ohw >= 512) return 1;
    size_t s = (512 + c->ohw - 1) / c->ohw;
    return (int)(s > 16 ? 16 : s);
}

/* per-thread workspace: col and dcol [K, S*ohw], Y/dY staging [OC, S*ohw],
 * then the dW / db partials */
static size_t conv_ws_grads_off(const cgeom *c, int S) {
    return 2 * (size_t)c->K * c->ohw * (size_t)S + (S > 1 ? (size_t)c->OC * c->ohw * (size_t)S : 0);
}

void vh__nn_conv_setup(vh_nn_graph *g, vh__nn_node *n) {
    cgeom c = conv_geom(g, n);
    int S = conv_group_samples(&c);
    n->ia[7] = S;
    n->ws_floats = conv_ws_grads_off(&c, S) + c.wsize + (size_t)c.OC;
    vh__nn_conv_wino_setup(g, n);
    vh__nn_conv_dnnl_setup(g, n);
}

/* col[K, OH*OW] for channels [c0, c0+ICg) of one sample plane x[C][H][W]. */
static void im2col(const cgeom *c, const float *x, int c0, float *col, size_t ld) {
    for (int ic = 0; ic < c->ICg; ic++) {
        const float *xc = x + (size_t)(c0 + ic) * c->H * c->W;
        for (int ky = 0; ky < c->k; ky++)
            for (int kx = 0; kx < c->k; kx++) {
                float *row = col + ((size_t)(ic * c->k + ky) * c->k + kx) * ld;
                for (int oy = 0; oy < c->OH; oy++) {
                    int iy = oy * c->s - c->p + ky * c->d;
                    float *r = row + (size_t)oy * c->OW;
                    if (iy < 0 || iy >= c->H) {
                        memset(r, 0, (size_t)c->OW * sizeof(float));
                        continue;
                    }
                    const float *xr = xc + (size_t)iy * c->W;
                    int off = kx * c->d - c->p;
                    if (c->s == 1) {
                        int lo = VH_MAX(0, -off), hi = VH_MIN(c->OW, c->W - off);
                        if (hi < lo) hi = lo;
                        for (int ox = 0; ox < lo; ox++) r[ox] = 0;
                        if (hi > lo) memcpy(r + lo, xr + lo + off, (size_t)(hi - lo) * sizeof(float));
                        for (int ox = hi; ox < c->OW; ox++) r[ox] = 0;
                    } else {
                        for (int ox = 0; ox < c->OW; ox++) {
                            int ix = ox * c->s + off;
                            r[ox] = (ix >= 0 && ix < c->W) ? xr[ix] : 0;
                        }
                    }
                }
            }
    }
}

/* dx[C][H][W] (channels c0..) += col2im(dcol). */
static void col2im(const cgeom *c, const float *col, int c0, float *dx, size_t ld) {
    for (int ic = 0; ic < c->ICg; ic++) {
        float *xc = dx + (size_t)(c0 + ic) * c->H * c->W;
        for (int ky = 0; ky < c->k; ky++)
            for (int kx = 0; kx < c->k; kx++) {
                const float *row = col + ((size_t)(ic * c->k + ky) * c->k + kx) * ld;
                for (int oy = 0; oy < c->OH; oy++) {
                    int iy = oy * c->s - c->p + ky * c->d;
                    if (iy < 0 || iy >= c->H) continue;
                    const float *r = row + (size_t)oy * c->OW;
                    float *xr = xc + (size_t)iy * c->W;
                    int off = kx * c->d - c->p;
                    for (int ox = 0; ox < c->OW; ox++) {
                        int ix = ox * c->s + off;
                        if (ix >= 0 && ix < c->W) xr[ix] += r[ox];
                    }
                }
            }
    }
}

typedef struct {
    vh_nn_graph *g;
    vh__nn_node *n;
    cgeom c;
    int bwd;
    vh__nn_node *bn; /* forward, eval mode: batch norm applied per sample after the convolution, or NULL */
} cctx;

static void conv_fwd_range(void *vc, size_t b, size_t e, int tid) {
    cctx *cc = vc;
    const cgeom *c = &cc->c;
    vh__nn_node *n = cc->n, *xn = vh__in(cc->g, n, 0);
    const float *w = vh__pt(cc->g, n, 0)->data, *bias = c->bias ? vh__pt(cc->g, n, 1)->data : NULL;
    float *col = vh__ws(cc->g, tid);
    for (size_t i = b; i < e; i++) {
        const float *x = xn->val.data + i * xn->per;
        float *y = n->val.data + i * n->per;
        for (int gi = 0; gi < c->G; gi++) {
            const float *src;
            if (conv_is_1x1(c) && c->d == 1) src = x + (size_t)gi * c->ICg * c->H * c->W;
            else {
                im2col(c, x, gi * c->ICg, col, c->ohw);
                src = col;
            }
            vh_nn_gemm(0, 0, c->OCg, (int)c->ohw, c->K, 1.0f, w + (size_t)gi * c->OCg * c->K, c->K, src,
                       (int)c->ohw, 0.0f, y + (size_t)gi * c->OCg * c->ohw, (int)c->ohw);
        }
        if (bias)
            for (int o = 0; o < c->OC; o++) {
                float *yo = y + (size_t)o * c->ohw;
                for (size_t j = 0; j < c->ohw; j++) yo[j] += bias[o];
            }
        if (cc->bn) vh__nn_bn_eval_sample(cc->g, cc->bn, i, y, 0, c->OC);
    }
}

/* Groups of S samples per GEMM (groups == 1 only): Y_S = W · [col_1 .. col_S]. */
static void conv_fwd_batched_range(void *vc, size_t b, size_t e, int tid) {
    cctx *cc = vc;
    const cgeom *c = &cc->c;
    vh__nn_node *n = cc->n, *xn = vh__in(cc->g, n, 0);
    const float *w = vh__pt(cc->g, n, 0)->data, *bias = c->bias ? vh__pt(cc->g, n, 1)->data : NULL;
    int S = n->ia[7];
    size_t ld = (size_t)S * c->ohw;
    float *col = vh__ws(cc->g, tid), *ys = col + 2 * (size_t)c->K * ld;
    for (size_t i0 = b; i0 < e; i0 += (size_t)S) {
        size_t cnt = VH_MIN((size_t)S, e - i0);
        for (size_t j = 0; j < cnt; j++) im2col(c, xn->val.data + (i0 + j) * xn->per, 0, col + j * c->ohw, ld);
        vh_nn_gemm(0, 0, c->OC, (int)(cnt * c->ohw), c->K, 1.0f, w, c->K, col, (int)ld, 0.0f, ys, (int)ld);
        for (size_t j = 0; j < cnt; j++) {
            float *y = n->val.data + (i0 + j) * n->per;
            for (int o = 0; o < c->OC; o++) {
                const float *src = ys + (size_t)o * ld + j * c->ohw;
                float *yo = y + (size_t)o * c->ohw, bo = bias ? bias[o] : 0.0f;
                for (size_t q = 0; q < c->ohw; q++) yo[q] = src[q] + bo;
            }
        }
    }
}

/* Depthwise (one input and one output channel per group): direct loops, no
 * im2col/GEMM. bwd 0: y = conv(x); bwd 1: dx += conv^T(dy), dw/db partials. */
static void dw_plane(const cgeom *c, const float *x, const float *w, float bias, float *y, int bwd,
                     const float *dy, float *dx, float *dw, float *db) {
    int k = c->k;
    if (!bwd)
        for (size_t q = 0; q < c->ohw; q++) y[q] = bias;
    for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++) {
            float wv = w[ky * k + kx], acc = 0;
            int offx = kx * c->d - c->p;
            int lo = 0, hi = c->OW; /* ox range with 0 <= ox*s + offx < W */
            while (lo < c->OW && lo * c->s + offx < 0) lo++;
            while (hi > lo && (hi - 1) * c->s + offx >= c->W) hi--;
            for (int oy = 0; oy < c->OH; oy++) {
                int iy = oy * c->s - c->p + ky * c->d;
                if (iy < 0 || iy >= c->H) continue;
                const float *xr = x + (size_t)iy * c->W + offx;
                size_t ro = (size_t)oy * c->OW;
                if (!bwd) {
                    float *yr = y + ro;
                    for (int ox = lo; ox < hi; ox++) yr[ox] += wv * xr[ox * c->s];
                } else {
                    const float *dyr = dy + ro;
                    for (int ox = lo; ox < hi; ox++) acc += dyr[ox] * xr[ox * c->s];
                    if (dx) {
                        float *dxr = dx + (size_t)iy * c->W + offx;
                        for (int ox = lo; ox < hi; ox++) dxr[ox * c->s] += wv * dyr[ox];
                    }
                }
            }
            if (bwd) dw[ky * k + kx] += acc;
        }
    if (bwd && db) {
        float acc = 0;
        for (size_t q = 0; q < c->ohw; q++) acc += dy[q];
        *db += acc;
    }
}

static int conv_is_depthwise(const cgeom *c) { return c->ICg == 1 && c->OCg == 1; }

static void conv_dw_range(void *vc, size_t b, size_t e, int tid) {
    cctx *cc = vc;
    const cgeom *c = &cc->c;
    vh__nn_node *n = cc->n, *xn = vh__in(cc->g, n, 0);
    const float *w = vh__pt(cc->g, n, 0)->data, *bias = c->bias ? vh__pt(cc->g, n, 1)->data : NULL;
    int bwd = cc->bwd;
    float *dw = vh__ws(cc->g, tid) + conv_ws_grads_off(c, 1), *db = dw + c->wsize;
    size_t hw = (size_t)c->H * c->W;
    for (size_t i = b; i < e; i++) {
        const float *x = xn->val.data + i * xn->per;
        for (int o = 0; o < c->OC; o++) {
            const float *dy = bwd ? n->val.grad + i * n->per + (size_t)o * c->ohw : NULL;
            float *dx = bwd && xn->needs_grad ? xn->val.grad + i * xn->per + (size_t)o * hw : NULL;
            dw_plane(c, x + (size_t)o * hw, w + (size_t)o * c->K, bias ? bias[o] : 0.0f,
                     n->val.data + i * n->per + (size_t)o * c->ohw, bwd, dy, dx, dw + (size_t)o * c->K,
                     bias ? db + o : NULL);
        }
    }
}

/* Naive reference: direct 7-loop convolution. */
static void conv_ref_fwd_range(void *vc, size_t b, size_t e, int tid) {
    (void)tid;
    cctx *cc = vc;
    const cgeom *c = &cc->c;
    vh__nn_node *n = cc->n, *xn = vh__in(cc->g, n, 0);
    const float *w = vh__pt(cc->g, n, 0)->data, *bias = c->bias ? vh__pt(cc->g, n, 1)->data : NULL;
    for (size_t i = b; i < e; i++) {
        const float *x = xn->val.data + i * xn->per;
        float *y = n->val.data + i * n->per;
        for (int o = 0; o < c->OC; o++) {
            int gi = o / c->OCg;
            for (int oy = 0; oy < c->OH; oy++)
                for (int ox = 0; ox < c->OW; ox++) {
                    double acc = bias ? bias[o] : 0;
                    for (int ic = 0; ic < c->ICg; ic++)
                        for (int ky = 0; ky < c->k; ky++)
                            for (int kx = 0; kx < c->k; kx++) {
                                int iy = oy * c->s - c->p + ky * c->d, ix = ox * c->s - c->p + kx * c->d;
                                if (iy < 0 || iy >= c->H || ix < 0 || ix >= c->W) continue;
                                acc += (double)w[(((size_t)o * c->ICg + ic) * c->k + ky) * c->k + kx] *
                                       x[((size_t)(gi * c->ICg + ic) * c->H + iy) * c->W + ix];
                            }
                    y[((size_t)o * c->OH + oy) * c->OW + ox] = (float)acc;
                }
        }
    }
}

int vh__nn_conv_forward(vh_nn_graph *g, vh__nn_node *n) {
    if (vh__nn_conv_wino_forward(g, n) || vh__nn_conv_dnnl_forward(g, n)) return VH_OK;
    cctx cc = {g, n, conv_geom(g, n), 0, NULL};
    vh_range_fn fn = g->kernel                  ? conv_ref_fwd_range
                     : conv_is_depthwise(&cc.c) ? conv_dw_range
                     : n->ia[7] > 1             ? conv_fwd_batched_range
                                                : conv_fwd_range;
    if (fn == conv_fwd_range && (cc.bn = vh__nn_conv_eval_bn(g, n))) vh__nn_bn_eval_begin(g, cc.bn);
    vh_parallel_for((size_t)g->batch, 1, fn, &cc);
    return VH_OK;
}

static void conv_bwd_range(void *vc, size_t b, size_t e, int tid) {
    cctx *cc = vc;
    const cgeom *c = &cc->c;
    vh__nn_node *n = cc->n, *xn = vh__in(cc->g, n, 0);
    const float *w = vh__pt(cc->g, n, 0)->data;
    float *col = vh__ws(cc->g, tid), *dcol = col + (size_t)c->K * c->ohw;
    float *dw = dcol + (size_t)c->K * c->ohw, *db = dw + c->wsize;
    int direct = conv_is_1x1(c) && c->d == 1;
    for (size_t i = b; i < e; i++) {
        const float *x = xn->val.data + i * xn->per;
        const float *dy = n->val.grad + i * n->per;
        float *dx = xn->needs_grad ? xn->val.grad + i * xn->per : NULL;
        for (int gi = 0; gi < c->G; gi++) {
            const float *dyg = dy + (size_t)gi * c->OCg * c->ohw;
            const float *src;
            if (direct) src = x + (size_t)gi * c->ICg * c->H * c->W;
            else {
                im2col(c, x, gi * c->ICg, col, c->ohw);
                src = col;
            }
            /* dW_g += dY_g [OCg, ohw] * col^T [ohw, K] */
            vh_nn_gemm(0, 1, c->OCg, c->K, (int)c->ohw, 1.0f, dyg, (int)c->ohw, src, (int)c->ohw, 1.0f,
                       dw + (size_t)gi * c->OCg * c->K, c->K);
            if (dx) {
                const float *wg = w + (size_t)gi * c->OCg * c->K;
                if (direct) { /* dx_g += W_g^T dY_g */
                    vh_nn_gemm(1, 0, c->K, (int)c->ohw, c->OCg, 1.0f, wg, c->K, dyg, (int)c->ohw, 1.0f,
                               dx + (size_t)gi * c->ICg * c->H * c->W, (int)c->ohw);
                } else {
                    vh_nn_gemm(1, 0, c->K, (int)c->ohw, c->OCg, 1.0f, wg, c->K, dyg, (int)c->ohw, 0.0f, dcol,
                               (int)c->ohw);
                    col2im(c, dcol, gi * c->ICg, dx, c->ohw);
                }
            }
        }
        if (c->bias)
            for (int o = 0; o < c->OC; o++) {
                const float *d = dy + (size_t)o * c->ohw;
                float acc = 0;
                for (size_t j = 0; j < c->ohw; j++) acc += d[j];
                db[o] += acc;
            }
    }
}

static void conv_bwd_batched_range(void *vc, size_t b, size_t e, int tid) {
    cctx *cc = vc;
    const cgeom *c = &cc->c;
    vh__nn_node *n = cc->n, *xn = vh__in(cc->g, n, 0);
    const float *w = vh__pt(cc->g, n, 0)->data;
    int S = n->ia[7];
    size_t ld = (size_t)S * c->ohw;
    float *col = vh__ws(cc->g, tid), *dcol = col + (size_t)c->K * ld, *dys = dcol + (size_t)c->K * ld;
    float *dw = vh__ws(cc->g, tid) + conv_ws_grads_off(c, S), *db = dw + c->wsize;
    for (size_t i0 = b; i0 < e; i0 += (size_t)S) {
        size_t cnt = VH_MIN((size_t)S, e - i0);
        int nn = (int)(cnt * c->ohw);
        for (size_t j = 0; j < cnt; j++) {
            im2col(c, xn->val.data + (i0 + j) * xn->per, 0, col + j * c->ohw, ld);
            const float *dy = n->val.grad + (i0 + j) * n->per;
            for (int o = 0; o < c->OC; o++) {
                const float *src = dy + (size_t)o * c->ohw;
                float *dst = dys + (size_t)o * ld + j * c->ohw;
                float acc = 0;
                for (size_t q = 0; q < c->ohw; q++) acc += dst[q] = src[q];
                if (c->bias) db[o] += acc;
            }
        }
        vh_nn_gemm(0, 1, c->OC, c->K, nn, 1.0f, dys, (int)ld, col, (int)ld, 1.0f, dw, c->K);
        if (xn->needs_grad) {
            vh_nn_gemm(1, 0, c->K, nn, c->OC, 1.0f, w, c->K, dys, (int)ld, 0.0f, dcol, (int)ld);
            for (size_t j = 0; j < cnt; j++) col2im(c, dcol + j * c->ohw, 0, xn->val.grad + (i0 + j) * xn->per, ld);
        }
    }
}

static void conv_ref_bwd(vh_nn_graph *g, vh__nn_node *n, const cgeom *c) {
    vh__nn_node *xn = vh__in(g, n, 0);
    const float *w = vh__pt(g, n, 0)->data;
    float *dw = vh__pt(g, n, 0)->grad, *db = c->bias ? vh__pt(g, n, 1)->grad : NULL;
    for (int i = 0; i < g->batch; i++) {
        const float *x = xn->val.data + (size_t)i * xn->per;
        const float *dy = n->val.grad + (size_t)i * n->per;
        float *dx = xn->needs_grad ? xn->val.grad + (size_t)i * xn->per : NULL;
        for (int o = 0; o < c->OC; o++) {
            int gi = o / c->OCg;
            for (int oy = 0; oy < c->OH; oy++)
                for (int ox = 0; ox < c->OW; ox++) {
                    float gv = dy[((size_t)o * c->OH + oy) * c->OW + ox];
                    if (db) db[o] += gv;
                    for (int ic = 0; ic < c->ICg; ic++)
                        for (int ky = 0; ky < c->k; ky++)
                            for (int kx = 0; kx < c->k; kx++) {
                                int iy = oy * c->s - c->p + ky * c->d, ix = ox * c->s - c->p + kx * c->d;
                                if (iy < 0 || iy >= c->H || ix < 0 || ix >= c->W) continue;
                                size_t wi = (((size_t)o * c->ICg + ic) * c->k + ky) * c->k + kx;
                                size_t xi = ((size_t)(gi * c->ICg + ic) * c->H + iy) * c->W + ix;
                                dw[wi] += gv * x[xi];
                                if (dx) dx[xi] += gv * w[wi];
                            }
                }
        }
    }
}

void vh__nn_conv_backward(vh_nn_graph *g, vh__nn_node *n) {
    if (vh__nn_conv_dnnl_backward(g, n)) return;
    cctx cc = {g, n, conv_geom(g, n), 1, NULL};
    const cgeom *c = &cc.c;
    if (g->kernel) {
        conv_ref_bwd(g, n, c);
        return;
    }
    size_t off = conv_ws_grads_off(c, n->ia[7]);
    for (int t = 0; t < g->nthreads; t++) memset(vh__ws(g, t) + off, 0, (c->wsize + (size_t)c->OC) * sizeof(float));
    vh_parallel_for((size_t)g->batch, 1,
                    conv_is_depthwise(c) ? conv_dw_range : n->ia[7] > 1 ? conv_bwd_batched_range : conv_bwd_range,
                    &cc);
    float *dw = vh__pt(g, n, 0)->grad, *db = c->bias ? vh__pt(g, n, 1)->grad : NULL;
    for (int t = 0; t < g->nthreads; t++) {
        const float *pw = vh__ws(g, t) + off, *pb = pw + c->wsize;
        for (size_t j = 0; j < c->wsize; j++) dw[j] += pw[j];
        if (db)
            for (int o = 0; o < c->OC; o++) db[o] += pb[o];
    }
}

/* ---- batch norm -------------------------------------------------------- */

typedef struct {
    vh_nn_graph *g;
    vh__nn_node *n;
    int C;
    size_t hw;
    int bwd;
} bctx;

void vh__nn_bn_setup(vh_nn_graph *g, vh__nn_node *n) {
    (void)g;
    n->cache_bytes = 2 * (size_t)n->dims[0] * sizeof(float); /* mean, invstd used by forward */
}

/* mode 0: sum of x; 1: sum of (x-m)^2; 2: sum of x*(y-m). 16 float lanes
 * (vectorisable, fixed order) combined in double. */
static double lane_sum(int mode, const float *x, const float *y, float m, size_t n) {
    float acc[16] = {0};
    size_t j = 0;
    if (mode == 0) {
        for (; j + 16 <= n; j += 16)
            for (int l = 0; l < 16; l++) acc[l] += x[j + l];
    } else if (mode == 1) {
        for (; j + 16 <= n; j += 16)
            for (int l = 0; l < 16; l++) acc[l] += (x[j + l] - m) * (x[j + l] - m);
    } else {
        for (; j + 16 <= n; j += 16)
            for (int l = 0; l < 16; l++) acc[l] += x[j + l] * (y[j + l] - m);
    }
    double s = 0;
    for (int l = 0; l < 16; l++) s += acc[l];
    for (; j < n; j++)
        s += mode == 0 ? x[j] : mode == 1 ? ((double)x[j] - m) * ((double)x[j] - m) : (double)x[j] * ((double)y[j] - m);
    return s;
}

/* Eval-mode batch norm of one channel plane: y = x*sc + sh, then ReLU if fused. */
static void bn_affine(const float *x, float *y, size_t n, float sc, float sh, int relu) {
    if (relu)
        for (size_t j = 0; j < n; j++) {
            float v = x[j] * sc + sh;
            y[j] = v > 0 ? v : 0;
        }
    else
        for (size_t j = 0; j < n; j++) y[j] = x[j] * sc + sh;
}

static void bn_range(void *vc, size_t cb, size_t ce, int tid) {
    (void)tid;
    bctx *b = vc;
    vh_nn_graph *g = b->g;
    vh__nn_node *n = b->n, *xn = vh__in(g, n, 0);
    float *gam = vh__pt(g, n, 0)->data, *bet = vh__pt(g, n, 1)->data;
    float *rm = vh__pt(g, n, 2)->data, *rv = vh__pt(g, n, 3)->data;
    float *mean = n->cache, *invs = mean + b->C;
    float eps = n->fa[0], mom = n->fa[1];
    size_t hw = b->hw, N = (size_t)g->batch, M = N * hw, cs = (size_t)b->C * hw;
    int train = n->ia[7];
    for (size_t c = cb; c < ce; c++) {
        if (!b->bwd) {
            if (train) {
                double s = 0, s2 = 0;
                for (size_t i = 0; i < N; i++) s += lane_sum(0, xn->val.data + i * cs + c * hw, NULL, 0, hw);
                double mu = s / (double)M;
                for (size_t i = 0; i < N; i++) s2 += lane_sum(1, xn->val.data + i * cs + c * hw, NULL, (float)mu, hw);
                double var = s2 / (double)M;
                mean[c] = (float)mu;
                invs[c] = (float)(1.0 / sqrt(var + eps));
                double unb = M > 1 ? s2 / (double)(M - 1) : var;
                rm[c] = (float)((1 - mom) * rm[c] + mom * mu);
                rv[c] = (float)((1 - mom) * rv[c] + mom * unb);
            } else {
                mean[c] = rm[c];
                invs[c] = (float)(1.0 / sqrt((double)rv[c] + eps));
            }
            float sc = gam[c] * invs[c], sh = bet[c] - mean[c] * sc;
            for (size_t i = 0; i < N; i++)
                bn_affine(xn->val.data + i * cs + c * hw, n->val.data + i * cs + c * hw, hw, sc, sh, n->fused_relu);
        } else {
            double sdy = 0, sdyx = 0;
            float mu = mean[c], is = invs[c];
            if (n->fused_relu) /* gradient through the fused ReLU: mask by its output */
                for (size_t i = 0; i < N; i++) {
                    const float *y = n->val.data + i * cs + c * hw;
                    float *dy = n->val.grad + i * cs + c * hw;
                    for (size_t j = 0; j < hw; j++) dy[j] = y[j] > 0 ? dy[j] : 0;
                }
            for (size_t i = 0; i < N; i++) {
                const float *x = xn->val.data + i * cs + c * hw, *dy = n->val.grad + i * cs + c * hw;
                sdy += lane_sum(0, dy, NULL, 0, hw);
                sdyx += lane_sum(2, dy, x, mu, hw) * is;
            }
            vh__pt(g, n, 0)->grad[c] += (float)sdyx;
            vh__pt(g, n, 1)->grad[c] += (float)sdy;
            if (!xn->needs_grad) continue;
            float k1 = gam[c] * is;
            float mdy = (float)(sdy / (double)M), mdyx = (float)(sdyx / (double)M);
            for (size_t i = 0; i < N; i++) {
                const float *x = xn->val.data + i * cs + c * hw, *dy = n->val.grad + i * cs + c * hw;
                float *dx = xn->val.grad + i * cs + c * hw;
                if (train)
                    for (size_t j = 0; j < hw; j++) dx[j] += k1 * (dy[j] - mdy - (x[j] - mu) * is * mdyx);
                else
                    for (size_t j = 0; j < hw; j++) dx[j] += k1 * dy[j];
            }
        }
    }
}

vh__nn_node *vh__nn_conv_eval_bn(vh_nn_graph *g, vh__nn_node *n) {
    if (g->training || g->kernel || n->consumers != 1) return NULL;
    int self = (int)(n - g->nodes);
    for (int j = self + 1; j < g->n_nodes; j++) {
        vh__nn_node *b = &g->nodes[j];
        if (b->n_in >= 1 && b->in[0] == self) return b->op == VH_OP_BATCHNORM && b->ndim == 3 ? b : NULL;
    }
    return NULL;
}

void vh__nn_bn_eval_begin(vh_nn_graph *g, vh__nn_node *bn) {
    bn->ia[7] = 0;
    bn->fwd_done = 1;
    if (bn->folded) return;
    const float *rm = vh__pt(g, bn, 2)->data, *rv = vh__pt(g, bn, 3)->data;
    float *mean = bn->cache, *invs = mean + bn->dims[0];
    for (int c = 0; c < bn->dims[0]; c++) { /* as bn_range in eval mode */
        mean[c] = rm[c];
        invs[c] = (float)(1.0 / sqrt((double)rv[c] + bn->fa[0]));
    }
}

void vh__nn_bn_eval_sample(vh_nn_graph *g, vh__nn_node *bn, size_t i, const float *x, int c0, int c1) {
    size_t hw = (size_t)bn->dims[1] * bn->dims[2];
    const float *mean = bn->cache, *invs = mean + bn->dims[0];
    const float *gam = vh__pt(g, bn, 0)->data, *bet = vh__pt(g, bn, 1)->data;
    for (int c = c0; c < c1; c++) {
        const float *xc = x + (size_t)c * hw;
        float *y = bn->val.data + i * bn->per + (size_t)c * hw;
        if (bn->folded && bn->fused_relu)
            for (size_t j = 0; j < hw; j++) y[j] = xc[j] > 0 ? xc[j] : 0;
        else if (bn->folded)
            memcpy(y, xc, hw * sizeof(float));
        else {
            float sc = gam[c] * invs[c], sh = bet[c] - mean[c] * sc;
            bn_affine(xc, y, hw, sc, sh, bn->fused_relu);
        }
    }
}

int vh__nn_bn_forward(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *xn = vh__in(g, n, 0);
    if (n->fwd_done) return VH_OK; /* written by the convolution before it (vh__nn_conv_eval_bn) */
    n->ia[7] = g->training;
    if (!g->training && n->folded) {
        size_t tot = vh__total(g, n);
        if (n->fused_relu)
            for (size_t i = 0; i < tot; i++) n->val.data[i] = xn->val.data[i] > 0 ? xn->val.data[i] : 0;
        else
            memcpy(n->val.data, xn->val.data, tot * sizeof(float));
        return VH_OK;
    }
    bctx b = {g, n, n->dims[0], n->ndim == 3 ? (size_t)n->dims[1] * n->dims[2] : 1, 0};
    vh_parallel_for((size_t)b.C, 1, bn_range, &b);
    return VH_OK;
}

void vh__nn_bn_backward(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *xn = vh__in(g, n, 0);
    if (!n->ia[7] && n->folded) { /* identity in eval */
        if (xn->needs_grad)
            for (size_t i = 0; i < vh__total(g, n); i++)
                xn->val.grad[i] += (!n->fused_relu || n->val.data[i] > 0) ? n->val.grad[i] : 0;
        return;
    }
    bctx b = {g, n, n->dims[0], n->ndim == 3 ? (size_t)n->dims[1] * n->dims[2] : 1, 1};
    vh_parallel_for((size_t)b.C, 1, bn_range, &b);
}

/* ---- dense ------------------------------------------------------------- */

typedef struct {
    vh_nn_graph *g;
    vh__nn_node *n;
    int R, F, O;
} dctx;

static dctx dense_ctx(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    dctx d = {g, n, g->batch * (x->ndim == 2 ? x->dims[0] : 1), x->dims[x->ndim - 1], n->ia[0]};
    return d;
}

void vh__nn_dense_setup(vh_nn_graph *g, vh__nn_node *n) { (void)g, (void)n; }

static void dense_fwd_range(void *vc, size_t b, size_t e, int tid) {
    (void)tid;
    dctx *d = vc;
    vh__nn_node *n = d->n, *x = vh__in(d->g, n, 0);
    const float *w = vh__pt(d->g, n, 0)->data;
    float *y = n->val.data + b * d->O;
    const float *xr = x->val.data + b * d->F;
    int rows = (int)(e - b);
    if (d->g->kernel) {
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < d->O; o++) {
                double acc = 0;
                for (int f = 0; f < d->F; f++) acc += (double)xr[(size_t)r * d->F + f] * w[(size_t)o * d->F + f];
                y[(size_t)r * d->O + o] = (float)acc;
            }
    } else {
        vh_nn_gemm(0, 1, rows, d->O, d->F, 1.0f, xr, d->F, w, d->F, 0.0f, y, d->O);
    }
    if (n->ia[1]) {
        const float *bias = vh__pt(d->g, n, 1)->data;
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < d->O; o++) y[(size_t)r * d->O + o] += bias[o];
    }
}

int vh__nn_dense_forward(vh_nn_graph *g, vh__nn_node *n) {
    dctx d = dense_ctx(g, n);
    vh_parallel_for((size_t)d.R, 8, dense_fwd_range, &d);
    return VH_OK;
}

/* dX rows [b, e) */
static void dense_dx_range(void *vc, size_t b, size_t e, int tid) {
    (void)tid;
    dctx *d = vc;
    vh__nn_node *n = d->n, *x = vh__in(d->g, n, 0);
    const float *w = vh__pt(d->g, n, 0)->data;
    vh_nn_gemm(0, 0, (int)(e - b), d->F, d->O, 1.0f, n->val.grad + b * d->O, d->O, w, d->F, 1.0f,
               x->val.grad + b * d->F, d->F);
}

/* dW, db rows (output units) [b, e): no cross-thread reduction */
static void dense_dw_range(void *vc, size_t b, size_t e, int tid) {
    (void)tid;
    dctx *d = vc;
    vh__nn_node *n = d->n, *x = vh__in(d->g, n, 0);
    float *dw = vh__pt(d->g, n, 0)->grad;
    const float *dy = n->val.grad;
    vh_nn_gemm(1, 0, (int)(e - b), d->F, d->R, 1.0f, dy + b, d->O, x->val.data, d->F, 1.0f, dw + b * d->F, d->F);
    if (n->ia[1]) {
        float *db = vh__pt(d->g, n, 1)->grad;
        for (size_t o = b; o < e; o++) {
            float acc = 0;
            for (int r = 0; r < d->R; r++) acc += dy[(size_t)r * d->O + o];
            db[o] += acc;
        }
    }
}

static void dense_ref_bwd(dctx *d) {
    vh__nn_node *n = d->n, *x = vh__in(d->g, n, 0);
    const float *w = vh__pt(d->g, n, 0)->data, *dy = n->val.grad;
    float *dw = vh__pt(d->g, n, 0)->grad, *db = n->ia[1] ? vh__pt(d->g, n, 1)->grad : NULL;
    for (int r = 0; r < d->R; r++)
        for (int o = 0; o < d->O; o++) {
            float gv = dy[(size_t)r * d->O + o];
            if (db) db[o] += gv;
            for (int f = 0; f < d->F; f++) {
                dw[(size_t)o * d->F + f] += gv * x->val.data[(size_t)r * d->F + f];
                if (x->needs_grad) x->val.grad[(size_t)r * d->F + f] += gv * w[(size_t)o * d->F + f];
            }
        }
}

void vh__nn_dense_backward(vh_nn_graph *g, vh__nn_node *n) {
    dctx d = dense_ctx(g, n);
    if (g->kernel) {
        dense_ref_bwd(&d);
        return;
    }
    if (vh__in(g, n, 0)->needs_grad) vh_parallel_for((size_t)d.R, 8, dense_dx_range, &d);
    vh_parallel_for((size_t)d.O, 4, dense_dw_range, &d);
}
