/* Per-op comparison of the nn engine's kernels with oneDNN 2.6 (Debian
 * libdnnl, the library PyTorch's CPU path uses) on the shapes of the FER CNN
 * (fer-fast, 48×48 input, batch 64): convolution forward / backward-data /
 * backward-weights, batch norm (training forward + backward), max pooling
 * (forward + backward) and an LSTM forward.
 *   dnnl_ops [reps]   prints one line per op: ms ours, ms oneDNN (plain NCHW
 *                     layouts, i.e. usable on our tensors without reorders),
 *                     ms oneDNN with its preferred blocked layouts (reorders
 *                     excluded), the ratio, and the blocked times including the
 *                     reorders from/to our NCHW tensors.
 * Ours (VH_NN_KERNEL_OWN) is timed through the public graph API (a one-op graph; the backward
 * time includes zeroing gradients and an MSE head over the output). */
#include "verhm/nn.h"
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK(x)                                                                    \
    do {                                                                         \
        dnnl_status_t s_ = (x);                                                  \
        if (s_ != dnnl_success) {                                                \
            fprintf(stderr, "dnnl_ops: %s failed (%d) at line %d\n", #x, (int)s_, __LINE__); \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

static dnnl_engine_t eng;
static dnnl_stream_t strm;
static int reps = 10;

static float *rnd(size_t n) {
    float *p = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

static dnnl_memory_t mem(const dnnl_memory_desc_t *md, void *ptr) {
    dnnl_memory_t m;
    CK(dnnl_memory_create(&m, md, eng, ptr ? ptr : DNNL_MEMORY_ALLOCATE));
    return m;
}

static double run(dnnl_primitive_t p, int n, dnnl_exec_arg_t *a) {
    CK(dnnl_primitive_execute(p, strm, n, a));
    CK(dnnl_stream_wait(strm));
    double t0 = vh_now();
    for (int i = 0; i < reps; i++) CK(dnnl_primitive_execute(p, strm, n, a));
    CK(dnnl_stream_wait(strm));
    return 1e3 * (vh_now() - t0) / reps;
}

static dnnl_primitive_t prim(const_dnnl_op_desc_t d, const_dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pdo) {
    dnnl_primitive_desc_t pd;
    CK(dnnl_primitive_desc_create(&pd, d, NULL, eng, hint));
    dnnl_primitive_t p;
    CK(dnnl_primitive_create(&p, pd));
    if (pdo) *pdo = pd;
    else dnnl_primitive_desc_destroy(pd);
    return p;
}

static const char *impl(dnnl_primitive_t p) {
    const_dnnl_primitive_desc_t pd;
    dnnl_primitive_get_primitive_desc(p, &pd);
    const char *s = "?";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s);
    return s;
}

/* A sequence of primitives executed back to back (reorders + compute). */
typedef struct {
    dnnl_primitive_t p[8];
    dnnl_exec_arg_t a[8][3];
    int na[8], n;
} seq;

/* Appends a reorder from (md_a, ma) to (md_b, mb) unless the layouts are equal. */
static void add_reorder(seq *q, const dnnl_memory_desc_t *a, dnnl_memory_t ma, const dnnl_memory_desc_t *b,
                        dnnl_memory_t mb) {
    if (dnnl_memory_desc_equal(a, b)) return;
    dnnl_primitive_desc_t pd;
    CK(dnnl_reorder_primitive_desc_create(&pd, a, eng, b, eng, NULL));
    CK(dnnl_primitive_create(&q->p[q->n], pd));
    dnnl_primitive_desc_destroy(pd);
    q->a[q->n][0] = (dnnl_exec_arg_t){DNNL_ARG_FROM, ma};
    q->a[q->n][1] = (dnnl_exec_arg_t){DNNL_ARG_TO, mb};
    q->na[q->n++] = 2;
}

static void add_prim(seq *q, dnnl_primitive_t p, const dnnl_exec_arg_t *a, int n) {
    q->p[q->n] = p;
    memcpy(q->a[q->n], a, (size_t)n * sizeof *a);
    q->na[q->n++] = n;
}

static double run_seq(seq *q) {
    double t0 = 0;
    for (int r = -1; r < reps; r++) {
        if (r == 0) t0 = vh_now();
        for (int i = 0; i < q->n; i++) CK(dnnl_primitive_execute(q->p[i], strm, q->na[i], q->a[i]));
        CK(dnnl_stream_wait(strm));
    }
    return 1e3 * (vh_now() - t0) / reps;
}

/* oneDNN convolution timings (fwd, bwd data, bwd weights) for one layout choice;
 * with blocked layouts also fwd and bwd including the reorders from/to NCHW
 * tensors (reo[0], reo[1]) as an integration into our engine would need. */
static void dnnl_conv(int N, int C, int H, int OC, int any, double ms[3], double reo[2], char *names, size_t nlen) {
    dnnl_dims_t sd = {N, C, H, H}, wd = {OC, C, 3, 3}, dd = {N, OC, H, H}, bd = {OC};
    dnnl_dims_t st = {1, 1}, dl = {0, 0}, pad = {1, 1};
    dnnl_memory_desc_t s, w, d, b;
    CK(dnnl_memory_desc_init_by_tag(&s, 4, sd, dnnl_f32, any ? dnnl_format_tag_any : dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&w, 4, wd, dnnl_f32, any ? dnnl_format_tag_any : dnnl_oihw));
    CK(dnnl_memory_desc_init_by_tag(&d, 4, dd, dnnl_f32, any ? dnnl_format_tag_any : dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&b, 1, bd, dnnl_f32, dnnl_x));
    dnnl_convolution_desc_t fd, bdd, bwd;
    CK(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &s, &w, NULL, &d,
                                                  st, dl, pad, pad));
    dnnl_primitive_desc_t fpd;
    dnnl_primitive_t fp = prim(&fd, NULL, &fpd);
    const dnnl_memory_desc_t *ss = dnnl_primitive_desc_query_md(fpd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *ws = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *ds = dnnl_primitive_desc_query_md(fpd, dnnl_query_dst_md, 0);
    dnnl_memory_t ms_ = mem(ss, NULL), mw = mem(ws, NULL), md = mem(ds, NULL);
    dnnl_exec_arg_t fa[] = {{DNNL_ARG_SRC, ms_}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DST, md}};
    ms[0] = run(fp, 3, fa);
    /* backward primitives choose their own layouts too (any) or use plain ones */
    CK(dnnl_dilated_convolution_backward_data_desc_init(&bdd, dnnl_convolution_direct, &s, &w, &d, st, dl, pad, pad));
    dnnl_primitive_desc_t bpd;
    dnnl_primitive_t bp = prim(&bdd, fpd, &bpd);
    dnnl_memory_t mds = mem(dnnl_primitive_desc_query_md(bpd, dnnl_query_diff_src_md, 0), NULL);
    dnnl_memory_t mw2 = mem(dnnl_primitive_desc_query_md(bpd, dnnl_query_weights_md, 0), NULL);
    dnnl_memory_t mdd = mem(dnnl_primitive_desc_query_md(bpd, dnnl_query_diff_dst_md, 0), NULL);
    dnnl_exec_arg_t ba[] = {{DNNL_ARG_DIFF_SRC, mds}, {DNNL_ARG_WEIGHTS, mw2}, {DNNL_ARG_DIFF_DST, mdd}};
    ms[1] = run(bp, 3, ba);
    (void)b;
    CK(dnnl_dilated_convolution_backward_weights_desc_init(&bwd, dnnl_convolution_direct, &s, &w, NULL, &d, st, dl, pad, pad));
    dnnl_primitive_desc_t wpd;
    dnnl_primitive_t wp = prim(&bwd, fpd, &wpd);
    dnnl_memory_t ms2 = mem(dnnl_primitive_desc_query_md(wpd, dnnl_query_src_md, 0), NULL);
    dnnl_memory_t mdw = mem(dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0), NULL);
    dnnl_memory_t mdd2 = mem(dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_dst_md, 0), NULL);
    dnnl_exec_arg_t wa[] = {{DNNL_ARG_SRC, ms2}, {DNNL_ARG_DIFF_WEIGHTS, mdw}, {DNNL_ARG_DIFF_DST, mdd2}};
    ms[2] = run(wp, 3, wa);
    if (any) {
        dnnl_memory_desc_t ps, pw, pdd;
        CK(dnnl_memory_desc_init_by_tag(&ps, 4, sd, dnnl_f32, dnnl_nchw));
        CK(dnnl_memory_desc_init_by_tag(&pw, 4, wd, dnnl_f32, dnnl_oihw));
        CK(dnnl_memory_desc_init_by_tag(&pdd, 4, dd, dnnl_f32, dnnl_nchw));
        dnnl_memory_t us = mem(&ps, NULL), uw = mem(&pw, NULL), ud = mem(&pdd, NULL), udd = mem(&pdd, NULL),
                      uds = mem(&ps, NULL), udw = mem(&pw, NULL);
        seq f = {.n = 0}, bq = {.n = 0};
        add_reorder(&f, &ps, us, ss, ms_);
        add_reorder(&f, &pw, uw, ws, mw);
        add_prim(&f, fp, fa, 3);
        add_reorder(&f, ds, md, &pdd, ud);
        reo[0] = run_seq(&f);
        const dnnl_memory_desc_t *bdst = dnnl_primitive_desc_query_md(bpd, dnnl_query_diff_dst_md, 0);
        const dnnl_memory_desc_t *wdst = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_dst_md, 0);
        add_reorder(&bq, &pdd, udd, bdst, mdd);
        add_reorder(&bq, ws, mw, dnnl_primitive_desc_query_md(bpd, dnnl_query_weights_md, 0), mw2);
        add_prim(&bq, bp, ba, 3);
        add_reorder(&bq, dnnl_primitive_desc_query_md(bpd, dnnl_query_diff_src_md, 0), mds, &ps, uds);
        add_reorder(&bq, &pdd, udd, wdst, mdd2);
        add_reorder(&bq, ss, ms_, dnnl_primitive_desc_query_md(wpd, dnnl_query_src_md, 0), ms2);
        add_prim(&bq, wp, wa, 3);
        add_reorder(&bq, dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0), mdw, &pw, udw);
        reo[1] = run_seq(&bq);
        /* destroy the reorders (compute primitives are destroyed below) */
        for (int i = 0; i < f.n; i++)
            if (f.p[i] != fp) dnnl_primitive_destroy(f.p[i]);
        for (int i = 0; i < bq.n; i++)
            if (bq.p[i] != bp && bq.p[i] != wp) dnnl_primitive_destroy(bq.p[i]);
        dnnl_memory_t u[] = {us, uw, ud, udd, uds, udw};
        for (int i = 0; i < 6; i++) dnnl_memory_destroy(u[i]);
    }
    snprintf(names, nlen, "%s / %s / %s", impl(fp), impl(bp), impl(wp));
    dnnl_primitive_destroy(fp), dnnl_primitive_destroy(bp), dnnl_primitive_destroy(wp);
    dnnl_primitive_desc_destroy(fpd), dnnl_primitive_desc_destroy(bpd), dnnl_primitive_desc_destroy(wpd);
    dnnl_memory_t all[] = {ms_, mw, md, mds, mw2, mdd, ms2, mdw, mdd2};
    for (int i = 0; i < 9; i++) dnnl_memory_destroy(all[i]);
}

/* Ours: one-op graph x -> op -> mse; forward ms (op only) and backward ms. */
enum { OP_CONV, OP_BN, OP_POOL };
static void ours(int op, int N, int C, int H, int OC, double *fwd, double *bwd) {
    vh_nn_graph *g;
    vh_nn_graph_new(&g);
    int d[3] = {C, H, H};
    int x = vh_nn_input(g, "x", 3, d);
    vh_nn_input_requires_grad(g, x, 1);
    int y = op == OP_CONV ? vh_nn_conv2d(g, "c", x, OC, 3, 1, 1, 1, 1, 0)
            : op == OP_BN ? vh_nn_batchnorm(g, "bn", x, 1e-5f, 0.1f)
                          : vh_nn_maxpool(g, x, 2, 2, 0);
    int yd[3];
    int nd = vh_nn_node_shape(g, y, yd);
    int t = vh_nn_input(g, "t", nd, yd);
    int loss = vh_nn_mse(g, y, t);
    vh_nn_set_kernel(g, VH_NN_KERNEL_OWN); /* our kernels, never the oneDNN path */
    if (vh_nn_graph_compile(g, N)) {
        fprintf(stderr, "dnnl_ops: %s\n", vh_last_error());
        exit(1);
    }
    float *r = rnd(vh_nn_value(g, x)->size);
    memcpy(vh_nn_value(g, x)->data, r, vh_nn_value(g, x)->size * sizeof(float));
    free(r);
    vh_nn_forward(g, loss);
    vh_nn_backward(g, loss);
    double t0 = vh_now();
    for (int i = 0; i < reps; i++) vh_nn_forward(g, y);
    *fwd = 1e3 * (vh_now() - t0) / reps;
    vh_nn_forward(g, loss);
    t0 = vh_now();
    for (int i = 0; i < reps; i++) vh_nn_backward(g, loss);
    *bwd = 1e3 * (vh_now() - t0) / reps;
    vh_nn_graph_free(g);
}

static void dnnl_bn(int N, int C, int H, double *fwd, double *bwd) {
    dnnl_dims_t dd = {N, C, H, H};
    dnnl_memory_desc_t d;
    CK(dnnl_memory_desc_init_by_tag(&d, 4, dd, dnnl_f32, dnnl_nchw));
    unsigned fl = dnnl_use_scale | dnnl_use_shift;
    dnnl_batch_normalization_desc_t fd, bd;
    CK(dnnl_batch_normalization_forward_desc_init(&fd, dnnl_forward_training, &d, 1e-5f, fl));
    dnnl_primitive_desc_t fpd;
    dnnl_primitive_t fp = prim(&fd, NULL, &fpd);
    dnnl_dims_t cd = {C};
    dnnl_memory_desc_t c;
    CK(dnnl_memory_desc_init_by_tag(&c, 1, cd, dnnl_f32, dnnl_x));
    dnnl_memory_t src = mem(&d, NULL), dst = mem(&d, NULL), sc = mem(&c, NULL), sh = mem(&c, NULL), mn = mem(&c, NULL),
                  vr = mem(&c, NULL), dsrc = mem(&d, NULL), dsc = mem(&c, NULL), dsh = mem(&c, NULL);
    dnnl_exec_arg_t fa[] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCALE, sc}, {DNNL_ARG_SHIFT, sh},
                            {DNNL_ARG_MEAN, mn}, {DNNL_ARG_VARIANCE, vr}};
    *fwd = run(fp, 6, fa);
    CK(dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, &d, &d, 1e-5f, fl));
    dnnl_primitive_t bp = prim(&bd, fpd, NULL);
    dnnl_exec_arg_t ba[] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_SCALE, sc},
                            {DNNL_ARG_SHIFT, sh}, {DNNL_ARG_MEAN, mn}, {DNNL_ARG_VARIANCE, vr},
                            {DNNL_ARG_DIFF_SRC, dsrc}, {DNNL_ARG_DIFF_SCALE, dsc}, {DNNL_ARG_DIFF_SHIFT, dsh}};
    *bwd = run(bp, 9, ba);
    dnnl_primitive_destroy(fp), dnnl_primitive_destroy(bp), dnnl_primitive_desc_destroy(fpd);
    dnnl_memory_t all[] = {src, dst, sc, sh, mn, vr, dsrc, dsc, dsh};
    for (int i = 0; i < 9; i++) dnnl_memory_destroy(all[i]);
}

static void dnnl_pool(int N, int C, int H, double *fwd, double *bwd) {
    dnnl_dims_t sd = {N, C, H, H}, dd = {N, C, H / 2, H / 2}, k = {2, 2}, st = {2, 2}, dl = {0, 0}, p = {0, 0};
    dnnl_memory_desc_t s, d;
    CK(dnnl_memory_desc_init_by_tag(&s, 4, sd, dnnl_f32, dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&d, 4, dd, dnnl_f32, dnnl_nchw));
    dnnl_pooling_v2_desc_t fd, bd;
    CK(dnnl_pooling_v2_forward_desc_init(&fd, dnnl_forward_training, dnnl_pooling_max, &s, &d, st, k, dl, p, p));
    dnnl_primitive_desc_t fpd;
    dnnl_primitive_t fp = prim(&fd, NULL, &fpd);
    const dnnl_memory_desc_t *wsd = dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0);
    dnnl_memory_t src = mem(&s, NULL), dst = mem(&d, NULL), ws = mem(wsd, NULL), dsrc = mem(&s, NULL);
    dnnl_exec_arg_t fa[] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_WORKSPACE, ws}};
    *fwd = run(fp, 3, fa);
    CK(dnnl_pooling_v2_backward_desc_init(&bd, dnnl_pooling_max, &s, &d, st, k, dl, p, p));
    dnnl_primitive_t bp = prim(&bd, fpd, NULL);
    dnnl_exec_arg_t ba[] = {{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_SRC, dsrc}, {DNNL_ARG_WORKSPACE, ws}};
    *bwd = run(bp, 3, ba);
    dnnl_primitive_destroy(fp), dnnl_primitive_destroy(bp), dnnl_primitive_desc_destroy(fpd);
}

/* LSTM forward (inference), T steps, batch N, F inputs, H hidden, one direction. */
static double dnnl_lstm(int T, int N, int F, int H) {
    dnnl_dims_t xd = {T, N, F}, wl = {1, 1, F, 4, H}, wi = {1, 1, H, 4, H}, bd = {1, 1, 4, H}, yd = {T, N, H};
    dnnl_memory_desc_t x, wlm, wim, b, y, wla, wia;
    CK(dnnl_memory_desc_init_by_tag(&x, 3, xd, dnnl_f32, dnnl_tnc));
    CK(dnnl_memory_desc_init_by_tag(&y, 3, yd, dnnl_f32, dnnl_tnc));
    CK(dnnl_memory_desc_init_by_tag(&wla, 5, wl, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&wia, 5, wi, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&wlm, 5, wl, dnnl_f32, dnnl_ldigo));
    CK(dnnl_memory_desc_init_by_tag(&wim, 5, wi, dnnl_f32, dnnl_ldigo));
    CK(dnnl_memory_desc_init_by_tag(&b, 4, bd, dnnl_f32, dnnl_ldgo));
    dnnl_rnn_desc_t rd;
    CK(dnnl_lstm_forward_desc_init(&rd, dnnl_forward_inference, dnnl_unidirectional_left2right, &x, NULL, NULL, &wla,
                                   &wia, &b, &y, NULL, NULL, 0));
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t p = prim(&rd, NULL, &pd);
    const dnnl_memory_desc_t *wlq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *wiq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1);
    const dnnl_memory_desc_t *wsq = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    dnnl_memory_t mx = mem(&x, NULL), my = mem(&y, NULL), mb = mem(&b, NULL), mwl = mem(wlq, NULL), mwi = mem(wiq, NULL);
    dnnl_memory_t msp = wsq ? mem(wsq, NULL) : NULL;
    dnnl_exec_arg_t a[] = {{DNNL_ARG_SRC_LAYER, mx}, {DNNL_ARG_WEIGHTS_LAYER, mwl}, {DNNL_ARG_WEIGHTS_ITER, mwi},
                           {DNNL_ARG_BIAS, mb}, {DNNL_ARG_DST_LAYER, my}, {DNNL_ARG_SCRATCHPAD, msp}};
    (void)wlm, (void)wim;
    double ms = run(p, msp ? 6 : 5, a);
    dnnl_primitive_destroy(p), dnnl_primitive_desc_destroy(pd);
    return ms;
}

static double ours_lstm(int T, int N, int F, int H) {
    vh_nn_graph *g;
    vh_nn_graph_new(&g);
    int d[2] = {T, F};
    int x = vh_nn_input(g, "x", 2, d);
    int y = vh_nn_lstm(g, "l", x, -1, H, 0, 1);
    vh_nn_set_training(g, 0);
    vh_nn_graph_compile(g, N);
    vh_nn_forward(g, y);
    double t0 = vh_now();
    for (int i = 0; i < reps; i++) vh_nn_forward(g, y);
    double ms = 1e3 * (vh_now() - t0) / reps;
    vh_nn_graph_free(g);
    return ms;
}

int main(int argc, char **argv) {
    if (argc > 1) reps = atoi(argv[1]) > 0 ? atoi(argv[1]) : 10;
    setvbuf(stdout, NULL, _IOLBF, 0);
    CK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
    printf("threads: verhm %d (OpenMP for oneDNN: OMP_NUM_THREADS=%s), reps %d, batch 64\n", vh_threads_get(),
           getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "unset", reps);
    printf("%-34s %9s %9s %9s %7s\n", "op (FER fer-fast shapes)", "ours ms", "dnnl ms", "dnnl-blk", "ours/dnnl");
    static const int L[4][3] = {{1, 48, 32}, {32, 24, 64}, {64, 12, 128}, {128, 6, 256}};
    for (int l = 0; l < 4 && !getenv("DNNL_OPS_SKIP_CONV"); l++) {
        int C = L[l][0], H = L[l][1], OC = L[l][2];
        double f, b, dn[3], dk[3], rn[2], rk[2];
        char nm[256], nk[256];
        ours(OP_CONV, 64, C, H, OC, &f, &b);
        dnnl_conv(64, C, H, OC, 0, dn, rn, nm, sizeof nm);
        dnnl_conv(64, C, H, OC, 1, dk, rk, nk, sizeof nk);
        char label[64];
        snprintf(label, sizeof label, "conv %dx%dx%d->%d fwd", C, H, H, OC);
        printf("%-34s %9.2f %9.2f %9.2f %7.2f\n", label, f, dn[0], dk[0], f / dn[0]);
        snprintf(label, sizeof label, "conv %dx%dx%d->%d bwd(data+w)", C, H, H, OC);
        printf("%-34s %9.2f %9.2f %9.2f %7.2f\n", label, b, dn[1] + dn[2], dk[1] + dk[2], b / (dn[1] + dn[2]));
        printf("    oneDNN blocked incl. reorders from/to NCHW: fwd %.2f ms (ours/that %.2f), bwd %.2f ms (%.2f)\n",
               rk[0], f / rk[0], rk[1], b / rk[1]);
        printf("    oneDNN impl plain: %s; blocked: %s\n", nm, nk);
    }
    for (int l = 0; l < 4; l++) {
        int C = L[l][2], H = L[l][1];
        double f, b, df, db;
        ours(OP_BN, 64, C, H, 0, &f, &b);
        dnnl_bn(64, C, H, &df, &db);
        char label[64];
        snprintf(label, sizeof label, "batchnorm %dx%dx%d train fwd", C, H, H);
        printf("%-34s %9.2f %9.2f %9s %7.2f\n", label, f, df, "-", f / df);
        snprintf(label, sizeof label, "batchnorm %dx%dx%d bwd", C, H, H);
        printf("%-34s %9.2f %9.2f %9s %7.2f\n", label, b, db, "-", b / db);
        ours(OP_POOL, 64, C, H, 0, &f, &b);
        dnnl_pool(64, C, H, &df, &db);
        snprintf(label, sizeof label, "maxpool2 %dx%dx%d fwd", C, H, H);
        printf("%-34s %9.2f %9.2f %9s %7.2f\n", label, f, df, "-", f / df);
        snprintf(label, sizeof label, "maxpool2 %dx%dx%d bwd", C, H, H);
        printf("%-34s %9.2f %9.2f %9s %7.2f\n", label, b, db, "-", b / db);
    }
    double a = ours_lstm(50, 64, 64, 128), b = dnnl_lstm(50, 64, 64, 128);
    printf("%-34s %9.2f %9.2f %9s %7.2f\n", "lstm T50 N64 F64 H128 fwd", a, b, "-", a / b);
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
    return 0;
}
