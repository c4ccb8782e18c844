/* LSTM and GRU (PyTorch gate order and equations, batch-first, optional
 * bidirectional, per-sequence lengths with packed-sequence semantics) and
 * additive attention pooling, forward and backward-through-time.
 * Input projections for all steps are one GEMM; each step does one GEMM for
 * the recurrent projection over the whole batch. */
#include "nn_internal.h"
/* GCC's -O2 does not vectorise the gate loops (clang's does): ask for O3, and let
 * it if-convert the clamps in vexp (no-trapping-math; no FP traps are enabled). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif
#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp(x) without a libm call, so gate loops vectorise: x = k ln2 + r with
 * |r| <= ln2/2, e^r by its Taylor series to r^7 (relative error < 1e-8, below
 * float rounding), 2^k put into the exponent bits. Inputs are clamped to
 * [-87, 88] (results stay normal floats). */
static inline float vexp(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    /* round x/ln2 to nearest: adding 1.5 * 2^23 pushes the fraction out */
    float kf = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    int32_t k = (int32_t)kf;
    float r = (x - kf * 0.693145751953125f) - kf * 1.428606765330187e-06f; /* ln2 split hi + lo */
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    union { uint32_t u; float f; } sc;
    sc.u = (uint32_t)(k + 127) << 23;
    return p * sc.f;
}
static inline float sigm(float x) { return 1.0f / (1.0f + vexp(-x)); }
static inline float tanh_fast(float x) { return 2.0f / (1.0f + vexp(-2.0f * x)) - 1.0f; }

int vh__nn_get_lengths(vh_nn_graph *g, vh__nn_node *n, int lnode, int T, int *out) {
    if (lnode < 0) {
        for (int b = 0; b < g->batch; b++) out[b] = T;
        return VH_OK;
    }
    const float *v = g->nodes[lnode].val.data;
    for (int b = 0; b < g->batch; b++) {
        float f = v[b];
        if (!(f >= 1 && f <= (float)T) || f != floorf(f))
            return vh__fail(&g->err, VH_EINVAL, "nn: %s: sequence length %g of sample %d not an integer in 1..%d",
                            n->name, (double)f, b, T);
        out[b] = (int)f;
    }
    return VH_OK;
}

/* ---- recurrent layers -------------------------------------------------- */

typedef struct {
    int N, T, F, H, G, GC, dirs, lstm, retseq;
    size_t per_dir;   /* floats of cache per direction */
} rgeom;

static rgeom rnn_geom(vh_nn_graph *g, vh__nn_node *n, int batch) {
    vh__nn_node *x = vh__in(g, n, 0);
    rgeom r;
    r.N = batch, r.T = x->dims[0], r.F = x->dims[1], r.H = n->ia[0], r.dirs = n->ia[1], r.retseq = n->ia[2];
    r.lstm = n->op == VH_OP_LSTM;
    r.G = (r.lstm ? 4 : 3) * r.H;
    r.GC = (r.lstm ? 4 : 4) * r.H; /* cached gate values per step (GRU: r, z, n, hn) */
    size_t NT = (size_t)r.N * r.T;
    /* gates GC, c H (lstm), h H, dpre G */
    r.per_dir = NT * ((size_t)r.GC + (size_t)r.H * 2 + (size_t)r.G);
    return r;
}

/* cache layout: [dirs × per_dir] then scratch: Hp[N,H], Z[N,G], dh[N,H], dc[N,H],
 * dhn[N,H], Dh[N,G], then lengths int[N] */
static size_t rnn_scratch(const rgeom *r) { return (size_t)r->N * (4 * (size_t)r->H + 2 * (size_t)r->G); }

void vh__nn_rnn_setup(vh_nn_graph *g, vh__nn_node *n) {
    rgeom r = rnn_geom(g, n, g->max_batch);
    n->cache_bytes = ((size_t)r.dirs * r.per_dir + rnn_scratch(&r)) * sizeof(float) + (size_t)r.N * sizeof(int);
}

typedef struct {
    float *gates, *c, *h, *dpre;
} rdir;

static rdir dir_cache(vh__nn_node *n, const rgeom *r, int d) {
    float *base = (float *)n->cache + (size_t)d * r->per_dir;
    size_t NT = (size_t)r->N * r->T;
    rdir c = {base, base + NT * r->GC, base + NT * (r->GC + r->H), base + NT * (r->GC + 2 * (size_t)r->H)};
    return c;
}

static int tstep(int d, int s, int len) { return d ? len - 1 - s : s; }

/* Per-step state shared by the parallel gate loops (split over the batch). */
typedef struct {
    const rgeom *r;
    rdir c;
    int d, s;
    const int *len;
    const float *pre, *Z, *Hp, *bhh, *dyall;
    float *dh, *dc, *dhn, *Dh;
} rstep;

static void fwd_gates(void *vc, size_t bb, size_t be, int tid) {
    (void)tid;
    const rstep *k = vc;
    const rgeom *r = k->r;
    int H = r->H, G = r->G, GC = r->GC, T = r->T, s = k->s, d = k->d;
    for (size_t b = bb; b < be; b++) {
        int L = k->len[b];
        if (s >= L) continue;
        size_t bt = b * T + tstep(d, s, L);
        const float *p = k->pre + bt * G, *z = k->Z + b * G, *hp = k->Hp + b * H, *bhh = k->bhh;
        float *gt = k->c.gates + bt * GC, *ct = k->c.c + bt * H, *ht = k->c.h + bt * H;
        const float *cp = s == 0 ? NULL : k->c.c + (b * T + tstep(d, s - 1, L)) * H;
        if (r->lstm) { /* separate passes so each loop vectorises */
            for (int j = 0; j < 2 * H; j++) gt[j] = sigm(p[j] + z[j]);
            for (int j = 2 * H; j < 3 * H; j++) gt[j] = tanh_fast(p[j] + z[j]);
            for (int j = 3 * H; j < 4 * H; j++) gt[j] = sigm(p[j] + z[j]);
            for (int j = 0; j < H; j++) ct[j] = gt[H + j] * (cp ? cp[j] : 0.0f) + gt[j] * gt[2 * H + j];
            for (int j = 0; j < H; j++) ht[j] = gt[3 * H + j] * tanh_fast(ct[j]);
        } else {
            for (int j = 0; j < H; j++) {
                float hn = z[2 * H + j] + bhh[2 * H + j];
                float rg = sigm(p[j] + z[j] + bhh[j]), zg = sigm(p[H + j] + z[H + j] + bhh[H + j]);
                float ng = tanh_fast(p[2 * H + j] + rg * hn);
                gt[j] = rg, gt[H + j] = zg, gt[2 * H + j] = ng, gt[3 * H + j] = hn;
                ht[j] = (1 - zg) * ng + zg * hp[j];
            }
        }
    }
}

int vh__nn_rnn_forward(vh_nn_graph *g, vh__nn_node *n) {
    /* cache is laid out for max_batch; use max geometry for offsets */
    rgeom R = rnn_geom(g, n, g->max_batch);
    rgeom r = rnn_geom(g, n, g->batch);
    vh__nn_node *xn = vh__in(g, n, 0);
    float *scr = (float *)n->cache + (size_t)r.dirs * R.per_dir;
    int *len = (int *)(scr + rnn_scratch(&R));
    int st = vh__nn_get_lengths(g, n, n->ia[3], r.T, len);
    if (st) return st;
    int N = r.N, T = r.T, H = r.H, G = r.G;
    float *Hp = scr, *Z = Hp + (size_t)R.N * H;
    size_t NT = (size_t)N * T;
    memset(n->val.data, 0, vh__total(g, n) * sizeof(float));
    for (int d = 0; d < r.dirs; d++) {
        rdir c = dir_cache(n, &R, d);
        const float *wih = vh__pt(g, n, 4 * d)->data, *whh = vh__pt(g, n, 4 * d + 1)->data;
        const float *bih = vh__pt(g, n, 4 * d + 2)->data, *bhh = vh__pt(g, n, 4 * d + 3)->data;
        /* input projections for all steps into dpre (used as scratch here) */
        float *pre = c.dpre;
        vh__nn_pgemm(0, 1, (int)NT, G, r.F, 1.0f, xn->val.data, r.F, wih, r.F, 0.0f, pre, G);
        for (size_t i = 0; i < NT; i++)
            for (int j = 0; j < G; j++) pre[i * G + j] += bih[j] + (r.lstm ? bhh[j] : 0.0f);
        rstep k = {&r, c, d, 0, len, pre, Z, Hp, bhh, NULL, NULL, NULL, NULL, NULL};
        for (int s = 0; s < T; s++) {
            for (int b = 0; b < N; b++) {
                float *hp = Hp + (size_t)b * H;
                if (s == 0 || s >= len[b]) memset(hp, 0, (size_t)H * sizeof(float));
                else memcpy(hp, c.h + ((size_t)b * T + tstep(d, s - 1, len[b])) * H, (size_t)H * sizeof(float));
            }
            vh__nn_pgemm(0, 1, N, G, H, 1.0f, Hp, H, whh, H, 0.0f, Z, G);
            k.s = s;
            vh_parallel_for((size_t)N, 4, fwd_gates, &k);
        }
        /* outputs */
        for (int b = 0; b < N; b++) {
            if (r.retseq) {
                for (int t = 0; t < len[b]; t++)
                    memcpy(n->val.data + ((size_t)b * T + t) * r.dirs * H + (size_t)d * H, c.h + ((size_t)b * T + t) * H,
                           (size_t)H * sizeof(float));
            } else {
                int t = d ? 0 : len[b] - 1;
                memcpy(n->val.data + (size_t)b * r.dirs * H + (size_t)d * H, c.h + ((size_t)b * T + t) * H,
                       (size_t)H * sizeof(float));
            }
        }
    }
    return VH_OK;
}

static void bwd_gates(void *vc, size_t bb, size_t be, int tid) {
    (void)tid;
    const rstep *k = vc;
    const rgeom *r = k->r;
    int H = r->H, G = r->G, GC = r->GC, T = r->T, s = k->s, d = k->d;
    for (size_t b = bb; b < be; b++) {
        float *hp = (float *)k->Hp + b * H;
        int L = k->len[b];
        if (s >= L) {
            memset(hp, 0, (size_t)H * sizeof(float));
            continue;
        }
        size_t bt = b * T + tstep(d, s, L);
        size_t btp = s == 0 ? 0 : b * T + tstep(d, s - 1, L);
        if (s == 0) memset(hp, 0, (size_t)H * sizeof(float));
        else memcpy(hp, k->c.h + btp * H, (size_t)H * sizeof(float));
        float *dhb = k->dh + b * H, *dcb = k->dc + b * H;
        for (int j = 0; j < H; j++) dhb[j] = k->dhn[b * H + j];
        const float *dy = NULL;
        if (r->retseq) dy = k->dyall + (bt * r->dirs) * H + (size_t)d * H;
        else if (s == L - 1) dy = k->dyall + b * r->dirs * H + (size_t)d * H;
        if (dy)
            for (int j = 0; j < H; j++) dhb[j] += dy[j];
        const float *gt = k->c.gates + bt * GC;
        float *dp = k->c.dpre + bt * G, *Dhb = k->Dh + b * G;
        if (r->lstm) {
            const float *ct = k->c.c + bt * H, *cp = s == 0 ? NULL : k->c.c + btp * H;
            for (int j = 0; j < H; j++) {
                float ig = gt[j], fg = gt[H + j], gg = gt[2 * H + j], og = gt[3 * H + j];
                float tc = tanh_fast(ct[j]);
                float dcv = dcb[j] + dhb[j] * og * (1 - tc * tc);
                float cpv = cp ? cp[j] : 0.0f;
                dp[j] = dcv * gg * ig * (1 - ig);
                dp[H + j] = dcv * cpv * fg * (1 - fg);
                dp[2 * H + j] = dcv * ig * (1 - gg * gg);
                dp[3 * H + j] = dhb[j] * tc * og * (1 - og);
                dcb[j] = dcv * fg; /* becomes dc of the previous step */
            }
            memcpy(Dhb, dp, (size_t)G * sizeof(float));
        } else {
            for (int j = 0; j < H; j++) {
                float rg = gt[j], zg = gt[H + j], ng = gt[2 * H + j], hn = gt[3 * H + j];
                float dz = dhb[j] * (hp[j] - ng), dn = dhb[j] * (1 - zg);
                float dpn = dn * (1 - ng * ng);
                float dr = dpn * hn;
                dp[j] = dr * rg * (1 - rg);
                dp[H + j] = dz * zg * (1 - zg);
                dp[2 * H + j] = dpn;
                Dhb[j] = dp[j];
                Dhb[H + j] = dp[H + j];
                Dhb[2 * H + j] = dpn * rg;
                dcb[j] = dhb[j] * zg; /* direct path to h_prev */
            }
        }
    }
}

void vh__nn_rnn_backward(vh_nn_graph *g, vh__nn_node *n) {
    rgeom R = rnn_geom(g, n, g->max_batch);
    rgeom r = rnn_geom(g, n, g->batch);
    vh__nn_node *xn = vh__in(g, n, 0);
    float *scr = (float *)n->cache + (size_t)r.dirs * R.per_dir;
    int *len = (int *)(scr + rnn_scratch(&R));
    int N = r.N, T = r.T, H = r.H, G = r.G;
    size_t MN = (size_t)R.N;
    float *Hp = scr, *Z = Hp + MN * H, *dh = Z + MN * G, *dc = dh + MN * H, *dhn = dc + MN * H, *Dh = dhn + MN * H;
    size_t NT = (size_t)N * T;
    for (int d = 0; d < r.dirs; d++) {
        rdir c = dir_cache(n, &R, d);
        const float *wih = vh__pt(g, n, 4 * d)->data, *whh = vh__pt(g, n, 4 * d + 1)->data;
        float *dwih = vh__pt(g, n, 4 * d)->grad, *dwhh = vh__pt(g, n, 4 * d + 1)->grad;
        float *dbih = vh__pt(g, n, 4 * d + 2)->grad, *dbhh = vh__pt(g, n, 4 * d + 3)->grad;
        memset(c.dpre, 0, NT * G * sizeof(float));
        memset(dhn, 0, (size_t)N * H * sizeof(float));
        memset(dc, 0, (size_t)N * H * sizeof(float));
        rstep k = {&r, c, d, 0, len, NULL, NULL, Hp, NULL, n->val.grad, dh, dc, dhn, Dh};
        for (int s = T - 1; s >= 0; s--) {
            memset(Dh, 0, (size_t)N * G * sizeof(float));
            k.s = s;
            vh_parallel_for((size_t)N, 4, bwd_gates, &k);
            /* dh_prev = Dh · Whh (+ GRU direct path); dWhh += Dh^T Hp; dbhh += Σ Dh */
            vh__nn_pgemm(0, 0, N, H, G, 1.0f, Dh, G, whh, H, 0.0f, dhn, H);
            if (!r.lstm)
                for (size_t i = 0; i < (size_t)N * H; i++) dhn[i] += dc[i];
            vh__nn_pgemm(1, 0, G, H, N, 1.0f, Dh, G, Hp, H, 1.0f, dwhh, H);
            for (int b = 0; b < N; b++)
                if (s < len[b])
                    for (int j = 0; j < G; j++) dbhh[j] += Dh[(size_t)b * G + j];
        }
        /* input-side gradients over all steps (padding rows of dpre are zero) */
        vh__nn_pgemm(1, 0, G, r.F, (int)NT, 1.0f, c.dpre, G, xn->val.data, r.F, 1.0f, dwih, r.F);
        for (size_t i = 0; i < NT; i++)
            for (int j = 0; j < G; j++) dbih[j] += c.dpre[i * G + j];
        if (xn->needs_grad) vh__nn_pgemm(0, 0, (int)NT, r.F, G, 1.0f, c.dpre, G, wih, r.F, 1.0f, xn->val.grad, r.F);
    }
}

/* ---- attention pooling -------------------------------------------------- */

void vh__nn_attn_setup(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    size_t NT = (size_t)g->max_batch * x->dims[0], A = (size_t)n->ia[0];
    /* u [NT, A], alpha [NT], du [NT, A], lengths int[N] */
    n->cache_bytes = (2 * NT * A + NT) * sizeof(float) + (size_t)g->max_batch * sizeof(int);
}

int vh__nn_attn_forward(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    int T = x->dims[0], F = x->dims[1], A = n->ia[0], N = g->batch;
    size_t MNT = (size_t)g->max_batch * T, NT = (size_t)N * T;
    float *u = n->cache, *al = u + MNT * A;
    int *len = (int *)(al + MNT + MNT * A);
    int st = vh__nn_get_lengths(g, n, n->ia[1], T, len);
    if (st) return st;
    const float *w = vh__pt(g, n, 0)->data, *bias = vh__pt(g, n, 1)->data, *v = vh__pt(g, n, 2)->data;
    vh__nn_pgemm(0, 1, (int)NT, A, F, 1.0f, x->val.data, F, w, F, 0.0f, u, A);
    for (int b = 0; b < N; b++) {
        double m = -INFINITY;
        for (int t = 0; t < T; t++) {
            float *ur = u + ((size_t)b * T + t) * A;
            double s = 0;
            for (int j = 0; j < A; j++) {
                ur[j] = tanhf(ur[j] + bias[j]);
                s += (double)v[j] * ur[j];
            }
            al[(size_t)b * T + t] = (float)s;
            if (t < len[b] && s > m) m = s;
        }
        double z = 0;
        for (int t = 0; t < T; t++) {
            float *a = &al[(size_t)b * T + t];
            *a = t < len[b] ? (float)exp(*a - m) : 0.0f;
            z += *a;
        }
        float *y = n->val.data + (size_t)b * F;
        memset(y, 0, (size_t)F * sizeof(float));
        for (int t = 0; t < len[b]; t++) {
            float a = al[(size_t)b * T + t] = (float)(al[(size_t)b * T + t] / z);
            const float *xr = x->val.data + ((size_t)b * T + t) * F;
            for (int f = 0; f < F; f++) y[f] += a * xr[f];
        }
    }
    return VH_OK;
}

void vh__nn_attn_backward(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *x = vh__in(g, n, 0);
    int T = x->dims[0], F = x->dims[1], A = n->ia[0], N = g->batch;
    size_t MNT = (size_t)g->max_batch * T, NT = (size_t)N * T;
    float *u = n->cache, *al = u + MNT * A, *du = al + MNT;
    int *len = (int *)(du + MNT * A);
    const float *w = vh__pt(g, n, 0)->data, *v = vh__pt(g, n, 2)->data;
    float *dw = vh__pt(g, n, 0)->grad, *db = vh__pt(g, n, 1)->grad, *dv = vh__pt(g, n, 2)->grad;
    memset(du, 0, NT * A * sizeof(float));
    for (int b = 0; b < N; b++) {
        const float *dy = n->val.grad + (size_t)b * F;
        double dot = 0;
        /* da_t = dy · x_t ; ds_t = a_t (da_t − Σ a da) */
        for (int t = 0; t < len[b]; t++) {
            const float *xr = x->val.data + ((size_t)b * T + t) * F;
            double da = 0;
            for (int f = 0; f < F; f++) da += (double)dy[f] * xr[f];
            dot += al[(size_t)b * T + t] * da;
        }
        for (int t = 0; t < len[b]; t++) {
            size_t bt = (size_t)b * T + t;
            const float *xr = x->val.data + bt * F;
            float a = al[bt];
            double da = 0;
            for (int f = 0; f < F; f++) da += (double)dy[f] * xr[f];
            float ds = (float)(a * (da - dot));
            if (x->needs_grad) {
                float *dx = x->val.grad + bt * F;
                for (int f = 0; f < F; f++) dx[f] += a * dy[f];
            }
            const float *ur = u + bt * A;
            float *dur = du + bt * A;
            for (int j = 0; j < A; j++) {
                dv[j] += ds * ur[j];
                dur[j] = ds * v[j] * (1 - ur[j] * ur[j]); /* d pre-activation */
            }
        }
    }
    vh__nn_pgemm(1, 0, A, F, (int)NT, 1.0f, du, A, x->val.data, F, 1.0f, dw, F);
    for (size_t i = 0; i < NT; i++)
        for (int j = 0; j < A; j++) db[j] += du[i * A + j];
    if (x->needs_grad) vh__nn_pgemm(0, 0, (int)NT, F, A, 1.0f, du, A, w, F, 1.0f, x->val.grad, F);
}
