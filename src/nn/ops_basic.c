/* Elementwise ops, pooling, dropout, add/concat/reshape, softmax, losses and
 * the op table. Each op has forward and backward (backward accumulates into
 * the inputs' gradients). Loops are split over the batch with vh_parallel_for;
 * no reduction crosses threads here, so results do not depend on the split. */
#include "nn_internal.h"
/* GCC's -O2 does not vectorise these loops (clang's does): ask for O3 here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <math.h>
#include <string.h>

typedef struct {
    vh_nn_graph *g;
    vh__nn_node *n;
    int bwd;
} pctx;

typedef void (*rowfn)(vh_nn_graph *g, vh__nn_node *n, size_t b, size_t e, int bwd);

typedef struct {
    vh_nn_graph *g;
    vh__nn_node *n;
    int bwd;
    rowfn fn;
} prun;

static void prun_body(void *c, size_t b, size_t e, int tid) {
    (void)tid;
    prun *p = c;
    p->fn(p->g, p->n, b, e, p->bwd);
}

/* Runs fn over [0, count) in parallel chunks (grain ~ `grain` items). */
static void par(vh_nn_graph *g, vh__nn_node *n, size_t count, size_t grain, int bwd, rowfn fn) {
    prun p = {g, n, bwd, fn};
    vh_parallel_for(count, grain, prun_body, &p);
}

/* ---- elementwise activations ------------------------------------------- */

static void act_range(vh_nn_graph *g, vh__nn_node *n, size_t b, size_t e, int bwd) {
    vh__nn_node *xn = vh__in(g, n, 0);
    const float *x = xn->val.data, *y = n->val.data;
    float a = n->fa[0];
    if (!bwd) {
        float *o = n->val.data;
        switch (n->op) {
        case VH_OP_RELU: for (size_t i = b; i < e; i++) o[i] = x[i] > 0 ? x[i] : 0; break;
        case VH_OP_LEAKY_RELU: for (size_t i = b; i < e; i++) o[i] = x[i] > 0 ? x[i] : a * x[i]; break;
        case VH_OP_ELU: for (size_t i = b; i < e; i++) o[i] = x[i] > 0 ? x[i] : a * expm1f(x[i]); break;
        case VH_OP_GELU:
            for (size_t i = b; i < e; i++) o[i] = (float)(0.5 * x[i] * (1.0 + erf(x[i] * 0.70710678118654752)));
            break;
        case VH_OP_SIGMOID: for (size_t i = b; i < e; i++) o[i] = 1.0f / (1.0f + expf(-x[i])); break;
        case VH_OP_TANH: for (size_t i = b; i < e; i++) o[i] = tanhf(x[i]); break;
        case VH_OP_SCALE: for (size_t i = b; i < e; i++) o[i] = a * x[i]; break;
        default: break;
        }
        return;
    }
    const float *dy = n->val.grad;
    float *dx = xn->val.grad;
    switch (n->op) {
    case VH_OP_RELU: for (size_t i = b; i < e; i++) dx[i] += x[i] > 0 ? dy[i] : 0; break;
    case VH_OP_LEAKY_RELU: for (size_t i = b; i < e; i++) dx[i] += x[i] > 0 ? dy[i] : a * dy[i]; break;
    case VH_OP_ELU: for (size_t i = b; i < e; i++) dx[i] += x[i] > 0 ? dy[i] : dy[i] * (y[i] + a); break;
    case VH_OP_GELU:
        for (size_t i = b; i < e; i++) {
            double xv = x[i];
            double cdf = 0.5 * (1.0 + erf(xv * 0.70710678118654752));
            double pdf = exp(-0.5 * xv * xv) * 0.39894228040143268;
            dx[i] += (float)(dy[i] * (cdf + xv * pdf));
        }
        break;
    case VH_OP_SIGMOID: for (size_t i = b; i < e; i++) dx[i] += dy[i] * y[i] * (1 - y[i]); break;
    case VH_OP_TANH: for (size_t i = b; i < e; i++) dx[i] += dy[i] * (1 - y[i] * y[i]); break;
    case VH_OP_SCALE: for (size_t i = b; i < e; i++) dx[i] += a * dy[i]; break;
    default: break;
    }
}

static int act_fwd(vh_nn_graph *g, vh__nn_node *n) {
    par(g, n, vh__total(g, n), 16384, 0, act_range);
    return VH_OK;
}
static void act_bwd(vh_nn_graph *g, vh__nn_node *n) {
    if (vh__in(g, n, 0)->needs_grad) par(g, n, vh__total(g, n), 16384, 1, act_range);
}

/* ---- dropout ------------------------------------------------------------ */

static void dropout_setup(vh_nn_graph *g, vh__nn_node *n) {
    n->cache_bytes = (size_t)g->max_batch * n->per * sizeof(float);
}
static int dropout_fwd(vh_nn_graph *g, vh__nn_node *n) {
    size_t tot = vh__total(g, n);
    const float *x = vh__in(g, n, 0)->val.data;
    float *y = n->val.data, *m = n->cache;
    float p = n->fa[0];
    if (!g->training || p == 0) {
        for (size_t i = 0; i < tot; i++) m[i] = 1.0f;
        memcpy(y, x, tot * sizeof(float));
        return VH_OK;
    }
    float keep = 1.0f / (1.0f - p);
    for (size_t i = 0; i < tot; i++) { /* serial: masks independent of thread count */
        m[i] = vh_rng_uniform(&g->rng) < p ? 0.0f : keep;
        y[i] = x[i] * m[i];
    }
    return VH_OK;
}
static void dropout_bwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *xn = vh__in(g, n, 0);
    if (!xn->needs_grad) return;
    size_t tot = vh__total(g, n);
    const float *m = n->cache, *dy = n->val.grad;
    for (size_t i = 0; i < tot; i++) xn->val.grad[i] += dy[i] * m[i];
}

/* ---- pooling ----------------------------------------------------------- */

static void pool_setup(vh_nn_graph *g, vh__nn_node *n) {
    if (n->op == VH_OP_MAXPOOL) n->cache_bytes = (size_t)g->max_batch * n->per * sizeof(int);
}

/* range over (sample, channel) planes */
static void pool_range(vh_nn_graph *g, vh__nn_node *n, size_t b, size_t e, int bwd) {
    vh__nn_node *xn = vh__in(g, n, 0);
    int C = n->dims[0], OH = n->dims[1], OW = n->dims[2];
    int H = xn->dims[1], W = xn->dims[2];
    int k = n->ia[0], s = n->ia[1], p = n->ia[2];
    int *arg = n->cache;
    float inv = 1.0f / (float)(k * k);
    (void)C;
    if (n->op == VH_OP_MAXPOOL && k == 2 && s == 2 && p == 0 && !g->kernel) { /* common case, no bounds checks */
        for (size_t pl = b; pl < e; pl++) {
            const float *x = xn->val.data + pl * (size_t)H * W;
            int *am = arg + pl * (size_t)OH * OW;
            if (bwd) {
                float *dx = xn->val.grad + pl * (size_t)H * W;
                const float *dy = n->val.grad + pl * (size_t)OH * OW;
                for (size_t o = 0; o < (size_t)OH * OW; o++) dx[am[o]] += dy[o];
                continue;
            }
            float *y = n->val.data + pl * (size_t)OH * OW;
            for (int oy = 0; oy < OH; oy++) {
                const float *r0 = x + (size_t)(2 * oy) * W, *r1 = r0 + W;
                for (int ox = 0; ox < OW; ox++) {
                    int i0 = 2 * ox;
                    float best = r0[i0];
                    int bi = 2 * oy * W + i0;
                    if (r0[i0 + 1] > best) best = r0[i0 + 1], bi = 2 * oy * W + i0 + 1;
                    if (r1[i0] > best) best = r1[i0], bi = (2 * oy + 1) * W + i0;
                    if (r1[i0 + 1] > best) best = r1[i0 + 1], bi = (2 * oy + 1) * W + i0 + 1;
                    y[(size_t)oy * OW + ox] = best;
                    am[(size_t)oy * OW + ox] = bi;
                }
            }
        }
        return;
    }
    for (size_t pl = b; pl < e; pl++) {
        const float *x = xn->val.data + pl * (size_t)H * W;
        float *dx = xn->val.grad ? xn->val.grad + pl * (size_t)H * W : NULL;
        float *y = n->val.data + pl * (size_t)OH * OW;
        const float *dy = n->val.grad ? n->val.grad + pl * (size_t)OH * OW : NULL;
        int *am = arg ? arg + pl * (size_t)OH * OW : NULL;
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                int y0 = oy * s - p, x0 = ox * s - p;
                int ya = VH_MAX(y0, 0), yb = VH_MIN(y0 + k, H), xa = VH_MAX(x0, 0), xb = VH_MIN(x0 + k, W);
                size_t o = (size_t)oy * OW + ox;
                if (n->op == VH_OP_MAXPOOL) {
                    if (!bwd) {
                        float best = -INFINITY;
                        int bi = ya * W + xa;
                        for (int yy = ya; yy < yb; yy++)
                            for (int xx = xa; xx < xb; xx++)
                                if (x[yy * W + xx] > best) {
                                    best = x[yy * W + xx];
                                    bi = yy * W + xx;
                                }
                        y[o] = best;
                        am[o] = bi;
                    } else {
                        dx[am[o]] += dy[o];
                    }
                } else if (!bwd) {
                    float acc = 0;
                    for (int yy = ya; yy < yb; yy++)
                        for (int xx = xa; xx < xb; xx++) acc += x[yy * W + xx];
                    y[o] = acc * inv;
                } else {
                    float gv = dy[o] * inv;
                    for (int yy = ya; yy < yb; yy++)
                        for (int xx = xa; xx < xb; xx++) dx[yy * W + xx] += gv;
                }
            }
    }
}
static int pool_fwd(vh_nn_graph *g, vh__nn_node *n) {
    par(g, n, (size_t)g->batch * (size_t)n->dims[0], 4, 0, pool_range);
    return VH_OK;
}
static void pool_bwd(vh_nn_graph *g, vh__nn_node *n) {
    if (vh__in(g, n, 0)->needs_grad) par(g, n, (size_t)g->batch * (size_t)n->dims[0], 4, 1, pool_range);
}

static void gap_range(vh_nn_graph *g, vh__nn_node *n, size_t b, size_t e, int bwd) {
    vh__nn_node *xn = vh__in(g, n, 0);
    size_t hw = (size_t)xn->dims[1] * xn->dims[2];
    float inv = 1.0f / (float)hw;
    for (size_t pl = b; pl < e; pl++) {
        if (!bwd) {
            const float *x = xn->val.data + pl * hw;
            double acc = 0;
            for (size_t i = 0; i < hw; i++) acc += x[i];
            n->val.data[pl] = (float)(acc / (double)hw);
        } else {
            float *dx = xn->val.grad + pl * hw;
            float gv = n->val.grad[pl] * inv;
            for (size_t i = 0; i < hw; i++) dx[i] += gv;
        }
    }
}
static int gap_fwd(vh_nn_graph *g, vh__nn_node *n) {
    par(g, n, (size_t)g->batch * (size_t)n->dims[0], 8, 0, gap_range);
    return VH_OK;
}
static void gap_bwd(vh_nn_graph *g, vh__nn_node *n) {
    if (vh__in(g, n, 0)->needs_grad) par(g, n, (size_t)g->batch * (size_t)n->dims[0], 8, 1, gap_range);
}

/* ---- add, concat, reshape, to_sequence --------------------------------- */

static int add_fwd(vh_nn_graph *g, vh__nn_node *n) {
    size_t tot = vh__total(g, n);
    float *y = n->val.data;
    memcpy(y, vh__in(g, n, 0)->val.data, tot * sizeof(float));
    for (int j = 1; j < n->n_in; j++) {
        const float *x = vh__in(g, n, j)->val.data;
        for (size_t i = 0; i < tot; i++) y[i] += x[i];
    }
    return VH_OK;
}
static void add_bwd(vh_nn_graph *g, vh__nn_node *n) {
    size_t tot = vh__total(g, n);
    for (int j = 0; j < n->n_in; j++) {
        vh__nn_node *x = vh__in(g, n, j);
        if (!x->needs_grad) continue;
        for (size_t i = 0; i < tot; i++) x->val.grad[i] += n->val.grad[i];
    }
}

/* Concat along per-sample axis: outer = product of dims before axis, inner after. */
static void concat_geom(vh__nn_node *n, size_t *outer, size_t *inner) {
    int axis = n->ia[0];
    *outer = 1;
    *inner = 1;
    for (int d = 0; d < axis; d++) *outer *= (size_t)n->dims[d];
    for (int d = axis + 1; d < n->ndim; d++) *inner *= (size_t)n->dims[d];
}
static void concat_run(vh_nn_graph *g, vh__nn_node *n, int bwd) {
    size_t outer, inner;
    concat_geom(n, &outer, &inner);
    int axis = n->ia[0];
    size_t B = (size_t)g->batch * outer;
    size_t ylen = (size_t)n->dims[axis] * inner;
    size_t off = 0;
    for (int j = 0; j < n->n_in; j++) {
        vh__nn_node *x = vh__in(g, n, j);
        size_t xlen = (size_t)x->dims[axis] * inner;
        if (!bwd) {
            for (size_t o = 0; o < B; o++)
                memcpy(n->val.data + o * ylen + off, x->val.data + o * xlen, xlen * sizeof(float));
        } else if (x->needs_grad) {
            for (size_t o = 0; o < B; o++) {
                float *dx = x->val.grad + o * xlen;
                const float *dy = n->val.grad + o * ylen + off;
                for (size_t i = 0; i < xlen; i++) dx[i] += dy[i];
            }
        }
        off += xlen;
    }
}
static int concat_fwd(vh_nn_graph *g, vh__nn_node *n) {
    concat_run(g, n, 0);
    return VH_OK;
}
static void concat_bwd(vh_nn_graph *g, vh__nn_node *n) { concat_run(g, n, 1); }

static int toseq_fwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    int C = x->dims[0], H = x->dims[1], W = x->dims[2];
    for (int b = 0; b < g->batch; b++) {
        const float *xs = x->val.data + (size_t)b * x->per;
        float *y = n->val.data + (size_t)b * n->per;
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++)
                    y[(size_t)w * C * H + (size_t)c * H + h] = xs[((size_t)c * H + h) * W + w];
    }
    return VH_OK;
}
static void toseq_bwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    if (!x->needs_grad) return;
    int C = x->dims[0], H = x->dims[1], W = x->dims[2];
    for (int b = 0; b < g->batch; b++) {
        float *dx = x->val.grad + (size_t)b * x->per;
        const float *dy = n->val.grad + (size_t)b * n->per;
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++)
                    dx[((size_t)c * H + h) * W + w] += dy[(size_t)w * C * H + (size_t)c * H + h];
    }
}

/* ---- softmax ------------------------------------------------------------ */

static int softmax_fwd(vh_nn_graph *g, vh__nn_node *n) {
    int C = n->dims[n->ndim - 1];
    size_t rows = vh__total(g, n) / (size_t)C;
    const float *x = vh__in(g, n, 0)->val.data;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * C;
        float *yr = n->val.data + r * C;
        float m = xr[0];
        for (int i = 1; i < C; i++) m = xr[i] > m ? xr[i] : m;
        double s = 0;
        for (int i = 0; i < C; i++) s += yr[i] = expf(xr[i] - m);
        for (int i = 0; i < C; i++) yr[i] = (float)(yr[i] / s);
    }
    return VH_OK;
}
static void softmax_bwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    if (!x->needs_grad) return;
    int C = n->dims[n->ndim - 1];
    size_t rows = vh__total(g, n) / (size_t)C;
    for (size_t r = 0; r < rows; r++) {
        const float *y = n->val.data + r * C, *dy = n->val.grad + r * C;
        float *dx = x->val.grad + r * C;
        double dot = 0;
        for (int i = 0; i < C; i++) dot += (double)y[i] * dy[i];
        for (int i = 0; i < C; i++) dx[i] += (float)(y[i] * (dy[i] - dot));
    }
}

/* ---- losses ------------------------------------------------------------- */

static void xent_setup(vh_nn_graph *g, vh__nn_node *n) {
    /* probabilities [N, C] + per-row target sums [N] + log-sum-exp [N] */
    n->cache_bytes = ((size_t)g->max_batch * vh__in(g, n, 0)->per + 2 * (size_t)g->max_batch) * sizeof(float);
}
static int xent_fwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *L = vh__in(g, n, 0), *T = vh__in(g, n, 1);
    int C = (int)L->per;
    float ls = n->fa[0];
    float *prob = n->cache, *tsum = prob + (size_t)g->max_batch * C;
    double loss = 0;
    int counted = 0;
    for (int b = 0; b < g->batch; b++) {
        const float *z = L->val.data + (size_t)b * C, *t = T->val.data + (size_t)b * C;
        float *p = prob + (size_t)b * C;
        float m = z[0];
        for (int i = 1; i < C; i++) m = z[i] > m ? z[i] : m;
        double s = 0, ts = 0;
        for (int i = 0; i < C; i++) s += exp((double)z[i] - m), ts += t[i];
        double lse = log(s) + m;
        for (int i = 0; i < C; i++) p[i] = (float)exp((double)z[i] - lse);
        tsum[b] = (float)ts;
        tsum[g->max_batch + b] = (float)lse;
        if (ts == 0) continue;
        counted++;
        for (int i = 0; i < C; i++) {
            double ti = (1.0 - ls) * t[i] + ls * ts / C;
            loss -= ti * ((double)z[i] - lse);
        }
    }
    n->ia[0] = counted;
    n->val.data[0] = counted ? (float)(loss / counted) : 0.0f;
    if (!isfinite(n->val.data[0])) return vh__fail(&g->err, VH_ENUMERIC, "nn: softmax_xent: loss is not finite");
    return VH_OK;
}
static void xent_bwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *L = vh__in(g, n, 0), *T = vh__in(g, n, 1);
    int C = (int)L->per, counted = n->ia[0];
    float ls = n->fa[0];
    const float *prob = n->cache, *tsum = prob + (size_t)g->max_batch * C, *lses = tsum + g->max_batch;
    if (!counted) return;
    float sc = n->val.grad[0] / (float)counted;
    for (int b = 0; b < g->batch; b++) {
        if (tsum[b] == 0) continue;
        const float *p = prob + (size_t)b * C, *t = T->val.data + (size_t)b * C;
        if (L->needs_grad) {
            float *dz = L->val.grad + (size_t)b * C;
            for (int i = 0; i < C; i++) {
                float ti = (1.0f - ls) * t[i] + ls * tsum[b] / (float)C;
                dz[i] += sc * (tsum[b] * p[i] - ti);
            }
        }
        if (T->needs_grad) { /* d/dt_i of -sum t' log p with t' = (1-ls) t + ls sum(t)/C */
            float *dt = T->val.grad + (size_t)b * C;
            const float *z = L->val.data + (size_t)b * C;
            double lse = lses[b], mean_logp = 0;
            for (int j = 0; j < C; j++) mean_logp += (double)z[j] - lse;
            mean_logp /= C;
            for (int i = 0; i < C; i++)
                dt[i] += (float)(sc * -((1.0 - ls) * ((double)z[i] - lse) + ls * mean_logp));
        }
    }
}

static int reg_fwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *P = vh__in(g, n, 0), *T = vh__in(g, n, 1);
    size_t tot = vh__total(g, P);
    double acc = 0, d = n->fa[0];
    for (size_t i = 0; i < tot; i++) {
        double r = (double)P->val.data[i] - T->val.data[i];
        if (n->op == VH_OP_MSE) acc += r * r;
        else if (n->op == VH_OP_L1) acc += fabs(r);
        else acc += fabs(r) < d ? 0.5 * r * r : d * (fabs(r) - 0.5 * d);
    }
    n->val.data[0] = (float)(acc / (double)tot);
    if (!isfinite(n->val.data[0]))
        return vh__fail(&g->err, VH_ENUMERIC, "nn: %s: loss is not finite", vh__nn_ops[n->op].info.name);
    return VH_OK;
}
static void reg_bwd(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *P = vh__in(g, n, 0), *T = vh__in(g, n, 1);
    size_t tot = vh__total(g, P);
    float sc = n->val.grad[0] / (float)tot, d = n->fa[0];
    for (size_t i = 0; i < tot; i++) {
        float r = P->val.data[i] - T->val.data[i], gr;
        if (n->op == VH_OP_MSE) gr = 2 * r;
        else if (n->op == VH_OP_L1) gr = r > 0 ? 1.0f : r < 0 ? -1.0f : 0.0f;
        else gr = fabsf(r) < d ? r : (r > 0 ? d : -d);
        if (P->needs_grad) P->val.grad[i] += sc * gr;
        if (T->needs_grad) T->val.grad[i] -= sc * gr;
    }
}

/* ---- op table ----------------------------------------------------------- */

#define OP(id, name, nin, loss, setup, fwd, bwd) [id] = {{id, name, nin, loss}, setup, fwd, bwd}
const vh__nn_op vh__nn_ops[VH_OP_COUNT] = {
    OP(VH_OP_INPUT, "input", 0, 0, NULL, NULL, NULL),
    OP(VH_OP_CONV2D, "conv2d", 1, 0, vh__nn_conv_setup, vh__nn_conv_forward, vh__nn_conv_backward),
    OP(VH_OP_BATCHNORM, "batchnorm", 1, 0, vh__nn_bn_setup, vh__nn_bn_forward, vh__nn_bn_backward),
    OP(VH_OP_RELU, "relu", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_LEAKY_RELU, "leaky_relu", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_ELU, "elu", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_GELU, "gelu", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_SIGMOID, "sigmoid", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_TANH, "tanh", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_MAXPOOL, "maxpool", 1, 0, pool_setup, pool_fwd, pool_bwd),
    OP(VH_OP_AVGPOOL, "avgpool", 1, 0, pool_setup, pool_fwd, pool_bwd),
    OP(VH_OP_GLOBAL_AVGPOOL, "global_avgpool", 1, 0, NULL, gap_fwd, gap_bwd),
    OP(VH_OP_DENSE, "dense", 1, 0, vh__nn_dense_setup, vh__nn_dense_forward, vh__nn_dense_backward),
    OP(VH_OP_DROPOUT, "dropout", 1, 0, dropout_setup, dropout_fwd, dropout_bwd),
    OP(VH_OP_ADD, "add", -1, 0, NULL, add_fwd, add_bwd),
    OP(VH_OP_CONCAT, "concat", -1, 0, NULL, concat_fwd, concat_bwd),
    OP(VH_OP_RESHAPE, "reshape", 1, 0, NULL, NULL, NULL),
    OP(VH_OP_LSTM, "lstm", -1, 0, vh__nn_rnn_setup, vh__nn_rnn_forward, vh__nn_rnn_backward),
    OP(VH_OP_GRU, "gru", -1, 0, vh__nn_rnn_setup, vh__nn_rnn_forward, vh__nn_rnn_backward),
    OP(VH_OP_ATTENTION_POOL, "attention_pool", -1, 0, vh__nn_attn_setup, vh__nn_attn_forward, vh__nn_attn_backward),
    OP(VH_OP_SOFTMAX, "softmax", 1, 0, NULL, softmax_fwd, softmax_bwd),
    OP(VH_OP_SCALE, "scale", 1, 0, NULL, act_fwd, act_bwd),
    OP(VH_OP_TO_SEQUENCE, "to_sequence", 1, 0, NULL, toseq_fwd, toseq_bwd),
    OP(VH_OP_SOFTMAX_XENT, "softmax_xent", 2, 1, xent_setup, xent_fwd, xent_bwd),
    OP(VH_OP_MSE, "mse", 2, 1, NULL, reg_fwd, reg_bwd),
    OP(VH_OP_L1, "l1", 2, 1, NULL, reg_fwd, reg_bwd),
    OP(VH_OP_HUBER, "huber", 2, 1, NULL, reg_fwd, reg_bwd),
};
