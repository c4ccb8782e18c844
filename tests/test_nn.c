/* nn engine: finite-difference gradient checks for every op and loss, fast
 * kernels against the naive reference, hand-computed values, batch-norm
 * folding, sequence masking and error handling. */
#include "verhm/nn.h"
#include "vh_test.h"
#include <math.h>
#include <string.h>

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

static vh_rng g_rng;

static void fill(vh_tensor *t, double scale) {
    for (size_t i = 0; i < t->size; i++) t->data[i] = (float)(scale * (2 * vh_rng_uniform(&g_rng) - 1));
}

/* Loss = MSE(y, fixed random target): every output element gets a gradient. */
static int add_mse_head(vh_nn_graph *g, int y) {
    int dims[3];
    int nd = vh_nn_node_shape(g, y, dims);
    int t = vh_nn_input(g, "target", nd, dims);
    return vh_nn_mse(g, y, t);
}

static double loss_at(vh_nn_graph *g, int loss) {
    vh_nn_graph_seed(g, 77); /* dropout masks identical in every evaluation */
    if (vh_nn_forward(g, loss)) return NAN;
    return vh_nn_value(g, loss)->data[0];
}

/* Compares analytic and central-difference gradients for up to `per` entries
 * of every trainable parameter and every input that requested a gradient. */
static int gradcheck(vh_nn_graph *g, int loss, double eps, double rtol, double atol, int per) {
    int bad = 0, checked = 0, kinks = 0;
    vh_rng pick;
    vh_rng_seed(&pick, 5);
    double l0 = loss_at(g, loss);
    if (l0 != loss_at(g, loss)) return 1;
    VH_CHECK_OK(vh_nn_backward(g, loss));
    int np = vh_nn_param_count(g), nn = vh_nn_node_count(g);
    for (int k = 0; k < np + nn; k++) {
        vh_tensor *t;
        const char *what;
        if (k < np) {
            const vh_nn_param *p = vh_nn_param_get(g, k);
            if (!p->trainable) continue;
            t = p->t;
            what = p->name;
        } else {
            int node = k - np;
            if (vh_nn_node_op(g, node) != VH_OP_INPUT) continue;
            t = vh_nn_value(g, node);
            if (!t->grad) continue;
            what = vh_nn_node_name(g, node);
        }
        int m = (int)(t->size < (size_t)per ? t->size : (size_t)per);
        for (int j = 0; j < m; j++) {
            size_t i = t->size <= (size_t)per ? (size_t)j : (size_t)vh_rng_below(&pick, t->size);
            float an = t->grad[i], old = t->data[i];
            t->data[i] = (float)(old + eps);
            double lp = loss_at(g, loss);
            t->data[i] = (float)(old - eps);
            double lm = loss_at(g, loss);
            t->data[i] = old;
            double num = (lp - lm) / (2 * eps);
            /* one-sided slopes that disagree mean a kink (ReLU, max, |x|) inside
             * the step: the central difference is meaningless there, skip it */
            double fw = (lp - l0) / eps, bw = (l0 - lm) / eps;
            if (fabs(fw - bw) > atol + rtol * fmax(fabs(fw), fabs(bw))) {
                kinks++;
                continue;
            }
            checked++;
            double err = fabs(num - an), lim = atol + rtol * fmax(fabs(num), fabs(an));
            if (!(err <= lim)) {
                if (bad < 6) VH_FAILMSG("%s[%zu]: analytic %.6g numeric %.6g", what, i, an, num);
                bad++;
            }
        }
    }
    loss_at(g, loss); /* leave forward state consistent */
    if (kinks * 4 > checked) {
        VH_FAILMSG("%d of %d entries hit a kink: check is not meaningful", kinks, kinks + checked);
        bad++;
    }
    return bad;
}

/* Compiles, fills all inputs (and target) with random values, checks. */
static double g_eps = 1e-2; /* finite-difference step */
static int g_distinct; /* input 0: shuffled values 0.05 apart, none near 0 */

static void run_check(vh_nn_graph *g, int loss, int batch, double rtol) {
    VH_CHECK_OK(vh_nn_graph_compile(g, batch));
    for (int i = 0; i < vh_nn_node_count(g); i++)
        if (vh_nn_node_op(g, i) == VH_OP_INPUT && strcmp(vh_nn_node_name(g, i), "len") != 0)
            fill(vh_nn_value(g, i), 1.0);
    if (g_distinct) {
        vh_tensor *x = vh_nn_value(g, 0);
        int *perm = malloc(x->size * sizeof(int));
        for (size_t i = 0; i < x->size; i++) perm[i] = (int)i;
        vh_rng_shuffle_int(&g_rng, perm, x->size);
        for (size_t i = 0; i < x->size; i++) x->data[i] = 0.05f * (float)perm[i] - 0.025f * (float)x->size + 0.0125f; /* never within eps of 0 */
        free(perm);
    }
    VH_CHECK_INT_EQ(gradcheck(g, loss, g_eps, rtol, 2e-3, 24), 0);
}

static vh_nn_graph *image_graph(int C, int H, int W, int *x) {
    vh_nn_graph *g = NULL;
    vh_nn_graph_new(&g);
    int d[3] = {C, H, W};
    *x = vh_nn_input(g, "x", 3, d);
    vh_nn_input_requires_grad(g, *x, 1);
    return g;
}

VH_TEST(grad_conv_variants) {
    /* {out, k, stride, pad, dilation, groups, bias} */
    static const int cfg[][7] = {{3, 3, 1, 1, 1, 1, 1}, {5, 3, 2, 0, 1, 1, 0}, {4, 3, 1, 2, 2, 1, 1},
                                 {6, 3, 1, 1, 1, 2, 1}, {4, 3, 1, 1, 1, 4, 1}, {3, 1, 1, 0, 1, 1, 1},
                                 {4, 5, 2, 2, 1, 2, 0}, {2, 2, 3, 1, 2, 1, 1}, {4, 3, 2, 2, 2, 4, 0}};
    for (size_t c = 0; c < COUNTOF(cfg); c++) {
        for (int kern = 0; kern < 2; kern++) {
            int x;
            vh_nn_graph *g = image_graph(4, 7, 6, &x);
            vh_nn_set_kernel(g, kern);
            int y = vh_nn_conv2d(g, "c", x, cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3], cfg[c][4], cfg[c][5], cfg[c][6]);
            VH_CHECK_INT_GE(y, 0);
            run_check(g, add_mse_head(g, y), 2, 2e-2);
            vh_nn_graph_free(g);
        }
    }
}

/* Fast kernels against the naive reference on the same weights and inputs. */
static void compare_kernels(vh_nn_graph *g, int loss, double tol, int fast) {
    VH_CHECK_OK(vh_nn_graph_compile(g, 3));
    for (int i = 0; i < vh_nn_node_count(g); i++)
        if (vh_nn_node_op(g, i) == VH_OP_INPUT) fill(vh_nn_value(g, i), 1.0);
    int np = vh_nn_param_count(g);
    size_t tot = 0;
    for (int i = 0; i < np; i++) tot += vh_nn_param_get(g, i)->t->size;
    size_t nout = 0;
    for (int i = 0; i < vh_nn_node_count(g); i++) nout += vh_nn_value(g, i)->size;
    float *ref = malloc((tot + nout) * sizeof(float));
    for (int k = 1; k >= 0; k--) {
        vh_nn_set_kernel(g, k ? VH_NN_KERNEL_REFERENCE : fast);
        VH_CHECK_OK(vh_nn_forward(g, loss));
        VH_CHECK_OK(vh_nn_backward(g, loss));
        size_t o = 0;
        double maxd = 0;
        for (int i = 0; i < np; i++) {
            vh_tensor *t = vh_nn_param_get(g, i)->t;
            if (!t->grad) continue;
            for (size_t j = 0; j < t->size; j++, o++) {
                if (k) ref[o] = t->grad[j];
                else maxd = fmax(maxd, fabs(ref[o] - t->grad[j]) / (1 + fabs(ref[o])));
            }
        }
        for (int i = 0; i < vh_nn_node_count(g); i++) {
            vh_tensor *t = vh_nn_value(g, i);
            for (size_t j = 0; j < t->size; j++, o++) {
                if (k) ref[o] = t->data[j];
                else maxd = fmax(maxd, fabs(ref[o] - t->data[j]) / (1 + fabs(ref[o])));
            }
        }
        if (!k) VH_CHECK(maxd < tol);
        if (!k && !(maxd < tol)) VH_FAILMSG("max relative difference %g", maxd);
    }
    free(ref);
}

/* Gradients through the fast convolution paths for 8 input channels (the
 * oneDNN path when built with it, at the full compiled batch). */
VH_TEST(grad_conv_wide_input) {
    static const int cfg[][7] = {{6, 3, 1, 1, 1, 1, 1}, {5, 3, 2, 1, 1, 1, 0}, {4, 3, 1, 2, 2, 1, 1}};
    for (size_t c = 0; c < COUNTOF(cfg); c++) {
        int x;
        vh_nn_graph *g = image_graph(8, 6, 5, &x);
        int y = vh_nn_conv2d(g, "c", x, cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3], cfg[c][4], cfg[c][5], cfg[c][6]);
        run_check(g, add_mse_head(g, y), 2, 2e-2);
        vh_nn_graph_free(g);
    }
}

VH_TEST(fast_vs_reference_kernels) {
    static const int cfg[][7] = {{8, 3, 1, 1, 1, 1, 1}, {6, 3, 2, 1, 1, 1, 0}, {8, 3, 1, 2, 2, 2, 1},
                                 {8, 3, 1, 1, 1, 8, 1}, {5, 1, 1, 0, 1, 1, 1}, {4, 5, 1, 2, 1, 1, 1},
                                 {8, 3, 2, 1, 2, 8, 0}, {8, 5, 1, 2, 1, 8, 1}};
    for (size_t c = 0; c < COUNTOF(cfg); c++) {
        int x;
        vh_nn_graph *g = image_graph(8, 12, 11, &x);
        int y = vh_nn_conv2d(g, "c", x, cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3], cfg[c][4], cfg[c][5], cfg[c][6]);
        if (c % 2 == 0) y = vh_nn_maxpool(g, y, 2, 2, 0); /* fast 2x2 path vs general loop */
        y = vh_nn_flatten(g, y);
        y = vh_nn_dense(g, "fc", y, 7, 1);
        compare_kernels(g, add_mse_head(g, y), 1e-4, VH_NN_KERNEL_FAST);
        compare_kernels(g, vh_nn_node_count(g) - 1, 1e-4, VH_NN_KERNEL_OWN);
        vh_nn_graph_free(g);
    }
}

/* Eval-mode forward of the fast kernels (Winograd F(2x2,3x3) for 3x3 stride-1
 * convolutions with 16k input / 32k output channels on AVX-512 or AVX2 CPUs, else
 * im2col + GEMM; a following batch norm + ReLU applied in the convolution's
 * epilogue) against the naive reference: odd and even map sizes (partial edge
 * tiles), pads 0-2, with and without bias, batch 3 and 1, and again after the
 * weights change (its cached transformed filters must follow). */
static double eval_diff(vh_nn_graph *g, int out, int fast) {
    vh_tensor *y = vh_nn_value(g, out);
    float *ref = malloc(y->size * sizeof(float));
    vh_nn_set_kernel(g, VH_NN_KERNEL_REFERENCE);
    int st = vh_nn_forward(g, out);
    memcpy(ref, y->data, y->size * sizeof(float));
    vh_nn_set_kernel(g, fast);
    st = st ? st : vh_nn_forward(g, out);
    double maxd = st ? INFINITY : 0;
    for (size_t j = 0; j < y->size; j++) maxd = fmax(maxd, fabs(ref[j] - y->data[j]) / (1 + fabs(ref[j])));
    free(ref);
    return maxd;
}

VH_TEST(eval_conv3x3_vs_reference) {
    /* {C, H, W, out, pad, bias, BN+ReLU after} */
    static const int cfg[][7] = {{16, 6, 6, 32, 1, 0, 1},  {32, 12, 12, 64, 1, 0, 1}, {16, 7, 5, 32, 1, 1, 0},
                                 {16, 9, 13, 64, 0, 1, 0}, {32, 5, 8, 32, 2, 0, 1},   {16, 3, 3, 32, 1, 1, 1},
                                 {48, 26, 25, 32, 1, 0, 0}, {1, 12, 11, 32, 1, 0, 1},  {8, 7, 6, 16, 1, 1, 1}};
    int threads0 = vh_threads_get();
    for (size_t c = 0; c < 3 * COUNTOF(cfg); c++) {
        size_t pass = c / COUNTOF(cfg); /* 0: 1 thread, 1: 2 threads (batch 1 splits the output channels), */
        vh_threads_set(pass == 1 ? 2 : 1); /* 2: the AVX2 kernels (where the CPU has AVX-512 too) */
        if (pass == 2) setenv("VERHM_WINOGRAD", "avx2", 1); /* read at compile */
        int x;
        const int *cf = cfg[c % COUNTOF(cfg)];
        vh_nn_graph *g = image_graph(cf[0], cf[1], cf[2], &x);
        int y = vh_nn_conv2d(g, "c", x, cf[3], 3, 1, cf[4], 1, 1, cf[5]);
        if (cf[6]) y = vh_nn_relu(g, vh_nn_batchnorm(g, "bn", y, 1e-5f, 0.1f));
        VH_CHECK_OK(vh_nn_graph_compile(g, 3));
        vh_nn_set_training(g, 0);
        fill(vh_nn_value(g, x), 1.0);
        const vh_nn_param *w = vh_nn_param_find(g, "c.weight");
        if (cf[6]) {
            fill(vh_nn_param_find(g, "bn.weight")->t, 1.0);
            fill(vh_nn_param_find(g, "bn.bias")->t, 0.5);
            fill(vh_nn_param_find(g, "bn.running_mean")->t, 0.3);
        }
        for (int fast = 0; fast < 2; fast++) {
            int k = fast ? VH_NN_KERNEL_OWN : VH_NN_KERNEL_FAST;
            double d = eval_diff(g, y, k);
            VH_CHECK(d < 1e-4);
            if (!(d < 1e-4)) VH_FAILMSG("case %zu batch 3: max relative difference %g", c, d);
            for (size_t i = 0; i < w->t->size; i += 7) w->t->data[i] = -w->t->data[i]; /* new weights */
            d = eval_diff(g, y, k);
            VH_CHECK(d < 1e-4);
            if (!(d < 1e-4)) VH_FAILMSG("case %zu after a weight change: max relative difference %g", c, d);
            VH_CHECK_OK(vh_nn_set_batch(g, 1));
            w->t->data[w->t->size - 1] += 0.25f; /* one value only */
            d = eval_diff(g, y, k);
            VH_CHECK(d < 1e-4);
            if (!(d < 1e-4)) VH_FAILMSG("case %zu batch 1: max relative difference %g", c, d);
            VH_CHECK_OK(vh_nn_set_batch(g, 3));
        }
        vh_nn_graph_free(g);
    }
    unsetenv("VERHM_WINOGRAD");
    vh_threads_set(threads0);
}

VH_TEST(grad_batchnorm) {
    for (int mode = 0; mode < 5; mode++) { /* 3, 4: BN + ReLU (fused) in train / eval mode */
        vh_nn_graph *g = NULL;
        vh_nn_graph_new(&g);
        int x;
        if (mode != 2) {
            int d[3] = {3, 4, 5};
            x = vh_nn_input(g, "x", 3, d);
        } else {
            int f = 6;
            x = vh_nn_input(g, "x", 1, &f);
        }
        vh_nn_input_requires_grad(g, x, 1);
        int y = vh_nn_batchnorm(g, "bn", x, 1e-5f, 0.1f);
        /* make gamma/beta non-trivial, and running stats for eval mode */
        vh_tensor *gam = vh_nn_param_find(g, "bn.weight")->t, *bet = vh_nn_param_find(g, "bn.bias")->t;
        fill(gam, 1.0);
        fill(bet, 1.0);
        fill(vh_nn_param_find(g, "bn.running_mean")->t, 0.5);
        vh_tensor *rv = vh_nn_param_find(g, "bn.running_var")->t;
        for (size_t i = 0; i < rv->size; i++) rv->data[i] = 0.5f + (float)i * 0.1f;
        vh_nn_set_training(g, mode != 1 && mode != 4);
        /* a nonlinearity after BN so the train-mode gradient is not trivially 0 */
        y = mode >= 3 ? vh_nn_relu(g, y) : vh_nn_tanh(g, y);
        g_eps = mode >= 3 ? 1e-3 : 1e-2; /* fewer ReLU kinks crossed by the step */
        run_check(g, add_mse_head(g, y), 4, 3e-2);
        g_eps = 1e-2;
        vh_nn_graph_free(g);
    }
}

VH_TEST(grad_activations_pools) {
    for (int op = 0; op < 13; op++) {
        int x;
        vh_nn_graph *g = image_graph(3, 6, 6, &x);
        int y;
        switch (op) {
        case 0: y = vh_nn_relu(g, x); break;
        case 1: y = vh_nn_leaky_relu(g, x, 0.1f); break;
        case 2: y = vh_nn_elu(g, x, 1.3f); break;
        case 3: y = vh_nn_gelu(g, x); break;
        case 4: y = vh_nn_sigmoid(g, x); break;
        case 5: y = vh_nn_tanh(g, x); break;
        case 6: y = vh_nn_scale(g, x, -2.5f); break;
        case 7: y = vh_nn_maxpool(g, x, 2, 2, 0); break;
        case 8: y = vh_nn_maxpool(g, x, 3, 2, 1); break;
        case 9: y = vh_nn_avgpool(g, x, 3, 2, 1); break;
        case 10: y = vh_nn_global_avgpool(g, x); break;
        case 11: y = vh_nn_softmax(g, vh_nn_flatten(g, x)); break;
        default: y = vh_nn_dropout(g, x, 0.3f); break;
        }
        VH_CHECK_INT_GE(y, 0);
        g_distinct = 1; /* no ReLU/ELU kink or max-pool tie within the step */
        run_check(g, add_mse_head(g, y), 2, 2e-2);
        g_distinct = 0;
        vh_nn_graph_free(g);
    }
}

VH_TEST(grad_dense_add_concat_reshape) {
    int x;
    vh_nn_graph *g = image_graph(2, 3, 4, &x);
    int a = vh_nn_conv2d(g, "a", x, 3, 3, 1, 1, 1, 1, 1);
    int b = vh_nn_conv2d(g, "b", x, 2, 1, 1, 0, 1, 1, 0);
    int cat[2] = {a, b};
    int c = vh_nn_concat(g, 2, cat, 0);                /* [5,3,4] */
    int s = vh_nn_to_sequence(g, c);                   /* [4, 15] */
    int d = vh_nn_dense(g, "d", s, 6, 1);              /* [4, 6] */
    int e = vh_nn_dense(g, "e", s, 6, 0);
    int sum[3] = {d, e, d};
    int f = vh_nn_add(g, 3, sum);
    int cat2[2] = {f, d};
    int h = vh_nn_concat(g, 2, cat2, 1);               /* [4, 12] */
    int rs[2] = {6, 8};
    int r = vh_nn_reshape(g, h, 2, rs);
    int fl = vh_nn_flatten(g, r);
    int o = vh_nn_dense(g, "o", fl, 5, 1);
    VH_CHECK_INT_GE(o, 0);
    run_check(g, add_mse_head(g, o), 3, 2e-2);
    vh_nn_graph_free(g);
}

static void rnn_case(int lstm, int bidir, int retseq, int use_len) {
    vh_nn_graph *g = NULL;
    vh_nn_graph_new(&g);
    int d[2] = {5, 3};
    int x = vh_nn_input(g, "x", 2, d);
    vh_nn_input_requires_grad(g, x, 1);
    int len = use_len ? vh_nn_lengths(g, "len") : -1;
    int y = lstm ? vh_nn_lstm(g, "rnn", x, len, 4, bidir, retseq) : vh_nn_gru(g, "rnn", x, len, 4, bidir, retseq);
    VH_CHECK_INT_GE(y, 0);
    int loss = add_mse_head(g, y);
    /* batch 9: the per-step loops and GEMMs are split over threads */
    VH_CHECK_OK(vh_nn_graph_compile(g, 9));
    fill(vh_nn_value(g, x), 1.0);
    fill(vh_nn_value(g, vh_nn_node_find(g, "target")), 1.0);
    if (use_len) {
        float l[9] = {5, 2, 4, 1, 5, 3, 5, 2, 4};
        VH_CHECK_OK(vh_nn_set_input(g, len, l, 9));
    }
    VH_CHECK_INT_EQ(gradcheck(g, loss, 1e-2, 2e-2, 2e-3, 24), 0);
    if (use_len && retseq) { /* padding steps output exactly zero */
        vh_tensor *o = vh_nn_value(g, y);
        int F = o->shape[2];
        for (int t = 2; t < 5; t++)
            for (int f = 0; f < F; f++) VH_CHECK(o->data[(size_t)(1 * 5 + t) * F + f] == 0.0f);
    }
    vh_nn_graph_free(g);
}

VH_TEST(grad_lstm_gru) {
    for (int lstm = 0; lstm < 2; lstm++)
        for (int bi = 0; bi < 2; bi++)
            for (int rs = 0; rs < 2; rs++)
                for (int ul = 0; ul < 2; ul++) rnn_case(lstm, bi, rs, ul);
}

/* A length-L sequence padded to T gives the same result as the unpadded one. */
VH_TEST(rnn_masking_matches_short_sequence) {
    for (int lstm = 0; lstm < 2; lstm++) {
        float out[2][16];
        for (int k = 0; k < 2; k++) {
            int T = k ? 3 : 6;
            vh_nn_graph *g = NULL;
            vh_nn_graph_new(&g);
            int d[2] = {T, 2};
            int x = vh_nn_input(g, "x", 2, d);
            int len = vh_nn_lengths(g, "len");
            int y = lstm ? vh_nn_lstm(g, "rnn", x, len, 4, 1, 0) : vh_nn_gru(g, "rnn", x, len, 4, 1, 0);
            VH_CHECK_OK(vh_nn_graph_compile(g, 1));
            float xs[12];
            for (int i = 0; i < 12; i++) xs[i] = i < 6 ? (float)sin(i + 1.0) : 99.0f; /* padding junk */
            VH_CHECK_OK(vh_nn_set_input(g, x, xs, (size_t)T * 2));
            float l = 3;
            VH_CHECK_OK(vh_nn_set_input(g, len, &l, 1));
            VH_CHECK_OK(vh_nn_forward(g, y));
            memcpy(out[k], vh_nn_value(g, y)->data, 8 * sizeof(float));
            vh_nn_graph_free(g);
        }
        for (int i = 0; i < 8; i++) VH_CHECK_NEAR(out[0][i], out[1][i], 1e-6);
    }
}

/* Saturated gates: huge inputs give finite outputs in [-1, 1], no NaN. */
VH_TEST(rnn_saturation_is_finite) {
    for (int lstm = 0; lstm < 2; lstm++) {
        vh_nn_graph *g = NULL;
        vh_nn_graph_new(&g);
        int d[2] = {4, 2};
        int x = vh_nn_input(g, "x", 2, d);
        int y = lstm ? vh_nn_lstm(g, "rnn", x, -1, 5, 0, 1) : vh_nn_gru(g, "rnn", x, -1, 5, 0, 1);
        VH_CHECK_OK(vh_nn_graph_compile(g, 2));
        float xs[16] = {1e4f, -1e4f, 300, -300, 90, -90, 1e30f, -1e30f, -1e4f, 1e4f, -300, 300, -90, 90, 0, 0};
        VH_CHECK_OK(vh_nn_set_input(g, x, xs, 16));
        VH_CHECK_OK(vh_nn_forward(g, y));
        vh_tensor *o = vh_nn_value(g, y);
        for (size_t i = 0; i < o->size; i++) VH_CHECK(isfinite(o->data[i]) && fabsf(o->data[i]) <= 1.0f);
        vh_nn_graph_free(g);
    }
}

VH_TEST(grad_attention_pool) {
    vh_nn_graph *g = NULL;
    vh_nn_graph_new(&g);
    int d[2] = {6, 4};
    int x = vh_nn_input(g, "x", 2, d);
    vh_nn_input_requires_grad(g, x, 1);
    int len = vh_nn_lengths(g, "len");
    int y = vh_nn_attention_pool(g, "att", x, len, 5);
    int loss = add_mse_head(g, y);
    VH_CHECK_OK(vh_nn_graph_compile(g, 3));
    fill(vh_nn_value(g, x), 1.0);
    fill(vh_nn_value(g, vh_nn_node_find(g, "target")), 1.0);
    float l[3] = {6, 1, 3};
    VH_CHECK_OK(vh_nn_set_input(g, len, l, 3));
    VH_CHECK_INT_EQ(gradcheck(g, loss, 1e-2, 2e-2, 2e-3, 24), 0);
    /* length 1: output is exactly the first step */
    vh_tensor *o = vh_nn_value(g, y), *xv = vh_nn_value(g, x);
    for (int f = 0; f < 4; f++) VH_CHECK_NEAR(o->data[4 + f], xv->data[24 + f], 1e-6);
    /* bad length is an error */
    l[2] = 7;
    VH_CHECK_OK(vh_nn_set_input(g, len, l, 3));
    VH_CHECK_INT_EQ(vh_nn_forward(g, -1), VH_EINVAL);
    vh_nn_graph_free(g);
}

VH_TEST(grad_losses) {
    for (int k = 0; k < 5; k++) {
        vh_nn_graph *g = NULL;
        vh_nn_graph_new(&g);
        int c = 5;
        int x = vh_nn_input(g, "x", 1, &c), t = vh_nn_input(g, "t", 1, &c);
        vh_nn_input_requires_grad(g, x, 1);
        vh_nn_input_requires_grad(g, t, 1);
        int loss;
        switch (k) {
        case 0: loss = vh_nn_softmax_xent(g, x, t, 0.0f); break;
        case 1: loss = vh_nn_softmax_xent(g, x, t, 0.1f); break;
        case 2: loss = vh_nn_mse(g, x, t); break;
        case 3: loss = vh_nn_l1(g, x, t); break;
        default: loss = vh_nn_huber(g, x, t, 0.5f); break;
        }
        /* a second, scaled loss term summed with the first */
        int l2 = vh_nn_scale(g, loss, 0.5f);
        int both[2] = {loss, l2};
        int total = vh_nn_add(g, 2, both);
        VH_CHECK_OK(vh_nn_graph_compile(g, 4));
        fill(vh_nn_value(g, x), 2.0);
        vh_tensor *tv = vh_nn_value(g, t);
        vh_tensor *xv = vh_nn_value(g, x);
        for (size_t i = 0; i < tv->size; i++) {
            tv->data[i] = (float)vh_rng_uniform(&g_rng);
            /* keep |x - t| away from the L1 / Huber kinks (0 and delta) */
            double r = fabs((double)xv->data[i] - tv->data[i]);
            if (r < 0.02 || fabs(r - 0.5) < 0.02) xv->data[i] += 0.1f;
        }
        VH_CHECK_INT_EQ(gradcheck(g, total, 1e-3, 2e-2, 1e-3, 24), 0);
        vh_nn_graph_free(g);
    }
}

VH_TEST(known_values) {
    /* conv: 1 channel 3x3 input, 2x2 kernel of ones, bias 0.5 → window sums + 0.5 */
    vh_nn_graph *g = NULL;
    vh_nn_graph_new(&g);
    int d[3] = {1, 3, 3};
    int x = vh_nn_input(g, "x", 3, d);
    int y = vh_nn_conv2d(g, "c", x, 1, 2, 1, 0, 1, 1, 1);
    int m = vh_nn_maxpool(g, x, 2, 1, 0);
    int c = 4;
    int z = vh_nn_input(g, "z", 1, &c), t = vh_nn_input(g, "t", 1, &c);
    int xe = vh_nn_softmax_xent(g, z, t, 0.0f);
    VH_CHECK_OK(vh_nn_graph_compile(g, 1));
    vh_tensor *w = vh_nn_param_find(g, "c.weight")->t;
    for (int i = 0; i < 4; i++) w->data[i] = 1;
    vh_nn_param_find(g, "c.bias")->t->data[0] = 0.5f;
    float xs[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    VH_CHECK_OK(vh_nn_set_input(g, x, xs, 9));
    float zs[4] = {0, 0, 0, 0}, ts[4] = {0, 1, 0, 0};
    VH_CHECK_OK(vh_nn_set_input(g, z, zs, 4));
    VH_CHECK_OK(vh_nn_set_input(g, t, ts, 4));
    VH_CHECK_OK(vh_nn_forward(g, -1));
    float *o = vh_nn_value(g, y)->data;
    VH_CHECK_NEAR(o[0], 12.5, 1e-6);
    VH_CHECK_NEAR(o[1], 16.5, 1e-6);
    VH_CHECK_NEAR(o[2], 24.5, 1e-6);
    VH_CHECK_NEAR(o[3], 28.5, 1e-6);
    float *mp = vh_nn_value(g, m)->data;
    VH_CHECK_NEAR(mp[0], 5, 0);
    VH_CHECK_NEAR(mp[3], 9, 0);
    VH_CHECK_NEAR(vh_nn_value(g, xe)->data[0], log(4.0), 1e-6);
    VH_CHECK_STR_EQ(vh_nn_op_info_get(VH_OP_CONV2D)->name, "conv2d");
    VH_CHECK_INT_EQ(vh_nn_op_find("lstm"), VH_OP_LSTM);
    VH_CHECK_INT_EQ(vh_nn_op_info_get(VH_OP_MSE)->is_loss, 1);
    vh_nn_graph_free(g);
}

VH_TEST(batchnorm_folding_keeps_eval_output) {
    for (int bias = 0; bias < 2; bias++) {
        int x;
        vh_nn_graph *g = image_graph(3, 8, 8, &x);
        int y = vh_nn_conv2d(g, "c1", x, 6, 3, 1, 1, 1, 1, bias);
        y = vh_nn_batchnorm(g, "bn1", y, 1e-5f, 0.3f);
        y = vh_nn_relu(g, y);
        y = vh_nn_flatten(g, vh_nn_maxpool(g, y, 2, 2, 0));
        y = vh_nn_dense(g, "fc", y, 5, 1);
        int out = vh_nn_batchnorm(g, "bn2", y, 1e-3f, 0.3f);
        VH_CHECK_OK(vh_nn_graph_compile(g, 4));
        vh_tensor *xv = vh_nn_value(g, x);
        /* a few training-mode passes give non-trivial running statistics */
        for (int it = 0; it < 5; it++) {
            fill(xv, 2.0);
            for (size_t i = 0; i < xv->size; i++) xv->data[i] += 0.7f;
            VH_CHECK_OK(vh_nn_forward(g, out));
        }
        fill(vh_nn_param_find(g, "bn1.weight")->t, 1.5);
        fill(vh_nn_param_find(g, "bn2.bias")->t, 1.5);
        vh_nn_set_training(g, 0);
        VH_CHECK_OK(vh_nn_forward(g, out));
        float before[20];
        memcpy(before, vh_nn_value(g, out)->data, sizeof before);
        VH_CHECK_INT_EQ(vh_nn_fold_batchnorm(g), 2);
        VH_CHECK_NEAR(vh_nn_param_find(g, "bn1.running_mean")->t->data[0], 0, 0);
        VH_CHECK_OK(vh_nn_forward(g, out));
        for (int i = 0; i < 20; i++) VH_CHECK_NEAR(vh_nn_value(g, out)->data[i], before[i], 1e-4 * (1 + fabs(before[i])));
        vh_nn_graph_free(g);
    }
}

VH_TEST(partial_batch_and_errors) {
    vh_nn_graph *g = NULL;
    VH_CHECK_OK(vh_nn_graph_new(&g));
    int d[3] = {2, 5, 5};
    int x = vh_nn_input(g, "x", 3, d);
    /* groups must divide channels: sticky error, later builders fail too */
    int bad = vh_nn_conv2d(g, "c", x, 3, 3, 1, 1, 1, 2, 1);
    VH_CHECK_INT_EQ(bad, VH_EINVAL);
    VH_CHECK(strstr(vh_nn_graph_error(g), "groups") != NULL);
    VH_CHECK_INT_EQ(vh_nn_relu(g, x), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_nn_graph_compile(g, 2), VH_EINVAL);
    vh_nn_graph_free(g);

    VH_CHECK_OK(vh_nn_graph_new(&g));
    x = vh_nn_input(g, "x", 3, d);
    VH_CHECK_INT_EQ(vh_nn_dense(g, "fc", x, 3, 1), VH_EINVAL); /* 4-D needs flatten */
    vh_nn_graph_free(g);

    VH_CHECK_OK(vh_nn_graph_new(&g));
    x = vh_nn_input(g, "x", 3, d);
    VH_CHECK_INT_EQ(vh_nn_conv2d(g, "c", x, 3, 9, 1, 0, 1, 1, 1), VH_EINVAL); /* kernel > input */
    vh_nn_graph_free(g);

    VH_CHECK_OK(vh_nn_graph_new(&g));
    int huge[3] = {VH_NN_MAX_DIM + 1, 1, 1};
    VH_CHECK_INT_EQ(vh_nn_input(g, "x", 3, huge), VH_ERANGE);
    vh_nn_graph_free(g);

    /* results of a partial batch equal the first rows of the full batch */
    VH_CHECK_OK(vh_nn_graph_new(&g));
    x = vh_nn_input(g, "x", 3, d);
    int y = vh_nn_dense(g, "fc", vh_nn_flatten(g, vh_nn_conv2d(g, "c", x, 4, 3, 1, 1, 1, 1, 1)), 3, 1);
    vh_nn_set_training(g, 0);
    VH_CHECK_OK(vh_nn_graph_compile(g, 5));
    fill(vh_nn_value(g, x), 1.0);
    VH_CHECK_OK(vh_nn_forward(g, y));
    float full[6];
    memcpy(full, vh_nn_value(g, y)->data, sizeof full);
    VH_CHECK_OK(vh_nn_set_batch(g, 2));
    VH_CHECK_INT_EQ(vh_nn_value(g, y)->shape[0], 2);
    VH_CHECK_OK(vh_nn_forward(g, y));
    for (int i = 0; i < 6; i++) VH_CHECK_NEAR(vh_nn_value(g, y)->data[i], full[i], 1e-5 * (1 + fabs(full[i])));
    VH_CHECK_INT_EQ(vh_nn_set_batch(g, 6), VH_EINVAL);
    float small[3] = {0};
    VH_CHECK_INT_EQ(vh_nn_set_input(g, x, small, 3), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_nn_backward(g, y), VH_EINVAL); /* not a scalar */
    vh_nn_graph_free(g);
}

int main(void) {
    setenv("VERHM_DNNL", "1", 1); /* exercise the oneDNN convolutions where built */
    vh_rng_seed(&g_rng, 1234);
    VH_RUN(known_values);
    VH_RUN(grad_conv_variants);
    VH_RUN(grad_conv_wide_input);
    VH_RUN(fast_vs_reference_kernels);
    VH_RUN(eval_conv3x3_vs_reference);
    VH_RUN(grad_batchnorm);
    VH_RUN(grad_activations_pools);
    VH_RUN(grad_dense_add_concat_reshape);
    VH_RUN(grad_lstm_gru);
    VH_RUN(rnn_masking_matches_short_sequence);
    VH_RUN(rnn_saturation_is_finite);
    VH_RUN(grad_attention_pool);
    VH_RUN(grad_losses);
    VH_RUN(batchnorm_folding_keeps_eval_output);
    VH_RUN(partial_batch_and_errors);
    return vh_test_summary();
}
