/* nn engine training: every optimizer overfits a small batch, runs are
 * bit-reproducible from a seed, optimizer updates match their formulas,
 * learning-rate schedules and gradient clipping. */
#include "verhm/nn.h"
#include "vh_test.h"
#include <math.h>
#include <string.h>

#define NB 16
#define NC 4

typedef struct {
    vh_nn_graph *g;
    int x, t, logits, loss;
} net;

static void build(net *n, float dropout) {
    vh_nn_graph_new(&n->g);
    vh_nn_graph *g = n->g;
    int d[3] = {1, 8, 8}, c = NC;
    n->x = vh_nn_input(g, "x", 3, d);
    n->t = vh_nn_input(g, "t", 1, &c);
    int y = vh_nn_conv2d(g, "conv1", n->x, 8, 3, 1, 1, 1, 1, 0);
    y = vh_nn_batchnorm(g, "bn1", y, 1e-5f, 0.1f);
    y = vh_nn_relu(g, y);
    y = vh_nn_maxpool(g, y, 2, 2, 0);
    /* 8 input channels: this convolution runs through oneDNN when available */
    y = vh_nn_relu(g, vh_nn_conv2d(g, "conv2", y, 8, 3, 1, 1, 1, 1, 1));
    y = vh_nn_flatten(g, y);
    if (dropout > 0) y = vh_nn_dropout(g, y, dropout);
    n->logits = vh_nn_dense(g, "fc", y, NC, 1);
    n->loss = vh_nn_softmax_xent(g, n->logits, n->t, 0.0f);
}

static void data(net *n, uint64_t seed) {
    vh_rng r;
    vh_rng_seed(&r, seed);
    vh_tensor *x = vh_nn_value(n->g, n->x), *t = vh_nn_value(n->g, n->t);
    for (size_t i = 0; i < x->size; i++) x->data[i] = (float)vh_rng_normal(&r);
    memset(t->data, 0, t->size * sizeof(float));
    for (int b = 0; b < NB; b++) t->data[b * NC + (int)vh_rng_below(&r, NC)] = 1.0f;
}

static int accuracy(net *n) {
    vh_tensor *z = vh_nn_value(n->g, n->logits), *t = vh_nn_value(n->g, n->t);
    int ok = 0;
    for (int b = 0; b < NB; b++) {
        int am = 0;
        for (int c = 1; c < NC; c++)
            if (z->data[b * NC + c] > z->data[b * NC + am]) am = c;
        ok += t->data[b * NC + am] == 1.0f;
    }
    return ok;
}

static float train(net *n, const vh_nn_optim_params *p, int steps) {
    vh_nn_optim *o = NULL;
    VH_CHECK_OK(vh_nn_optim_new(n->g, p, &o));
    float loss = INFINITY;
    for (int s = 0; s < steps && o; s++) {
        VH_CHECK_OK(vh_nn_forward(n->g, n->loss));
        loss = vh_nn_value(n->g, n->loss)->data[0];
        VH_CHECK_OK(vh_nn_backward(n->g, n->loss));
        VH_CHECK_OK(vh_nn_optim_step(o, NULL));
    }
    vh_nn_optim_free(o);
    return loss;
}

VH_TEST(every_optimizer_overfits_a_small_batch) {
    for (int k = 0; k < 4; k++) {
        net n;
        build(&n, 0);
        VH_CHECK_OK(vh_nn_graph_compile(n.g, NB));
        vh_nn_graph_init_params(n.g, 3);
        data(&n, 11);
        vh_nn_optim_params p = vh_nn_optim_default_params();
        if (k < 2) {
            p.kind = VH_OPTIM_SGD;
            p.lr = 0.05f;
            p.momentum = 0.9f;
            p.nesterov = k == 1;
            p.weight_decay = 1e-4f;
        } else {
            p.kind = k == 2 ? VH_OPTIM_ADAM : VH_OPTIM_ADAMW;
            p.lr = 0.01f;
            p.weight_decay = k == 3 ? 1e-2f : 0.0f;
        }
        train(&n, &p, 150);
        VH_CHECK_OK(vh_nn_forward(n.g, n.loss));
        float loss = vh_nn_value(n.g, n.loss)->data[0];
        VH_CHECK(loss < 0.02f);
        if (!(loss < 0.02f)) VH_FAILMSG("optimizer %d: final loss %g", k, (double)loss);
        VH_CHECK_INT_EQ(accuracy(&n), NB);
        /* eval mode (running statistics) also classifies the batch */
        vh_nn_set_training(n.g, 0);
        VH_CHECK_OK(vh_nn_forward(n.g, n.loss));
        VH_CHECK_INT_EQ(accuracy(&n), NB);
        vh_nn_graph_free(n.g);
    }
}

static void weights_after(uint64_t seed, float *out, size_t cap, size_t *len) {
    net n;
    build(&n, 0.25f);
    vh_nn_graph_compile(n.g, NB);
    vh_nn_graph_init_params(n.g, seed);
    vh_nn_graph_seed(n.g, seed);
    data(&n, 5);
    vh_nn_optim_params p = vh_nn_optim_default_params();
    p.kind = VH_OPTIM_ADAMW;
    p.weight_decay = 0.01f;
    p.clip_norm = 1.0f;
    train(&n, &p, 12);
    size_t o = 0;
    for (int i = 0; i < vh_nn_param_count(n.g); i++) {
        vh_tensor *t = vh_nn_param_get(n.g, i)->t;
        for (size_t j = 0; j < t->size && o < cap; j++) out[o++] = t->data[j];
    }
    *len = o;
    vh_nn_graph_free(n.g);
}

VH_TEST(same_seed_gives_bit_identical_weights) {
    static float a[4096], b[4096], c[4096];
    size_t la, lb, lc;
    weights_after(42, a, 4096, &la);
    weights_after(42, b, 4096, &lb);
    weights_after(43, c, 4096, &lc);
    VH_CHECK_INT_EQ(la, lb);
    VH_CHECK(la > 500);
    VH_CHECK(memcmp(a, b, la * sizeof(float)) == 0);
    VH_CHECK(memcmp(a, c, la * sizeof(float)) != 0);
}

/* One scalar weight w, loss = (w*1 - 0)^2 → gradient 2w. */
static void scalar_net(vh_nn_graph **g, int *loss, float w0) {
    vh_nn_graph_new(g);
    int one = 1;
    int x = vh_nn_input(*g, "x", 1, &one), t = vh_nn_input(*g, "t", 1, &one);
    int y = vh_nn_dense(*g, "w", x, 1, 0);
    *loss = vh_nn_mse(*g, y, t);
    vh_nn_graph_compile(*g, 1);
    vh_nn_value(*g, x)->data[0] = 1;
    vh_nn_value(*g, t)->data[0] = 0;
    vh_nn_param_find(*g, "w.weight")->t->data[0] = w0;
}

VH_TEST(optimizer_updates_match_formulas) {
    for (int kind = 0; kind < 4; kind++) {
        vh_nn_graph *g;
        int loss;
        scalar_net(&g, &loss, 1.5f);
        vh_nn_optim_params p = vh_nn_optim_default_params();
        p.kind = kind == 3 ? VH_OPTIM_SGD : kind;
        p.lr = 0.1f;
        p.momentum = 0.9f;
        p.nesterov = kind == 3;
        p.weight_decay = 0.05f;
        vh_nn_optim *o;
        VH_CHECK_OK(vh_nn_optim_new(g, &p, &o));
        double w = 1.5, m = 0, v = 0;
        for (int s = 1; s <= 3; s++) {
            VH_CHECK_OK(vh_nn_forward(g, loss));
            VH_CHECK_OK(vh_nn_backward(g, loss));
            float gn;
            VH_CHECK_OK(vh_nn_optim_step(o, &gn));
            double gr = 2 * w;
            VH_CHECK_NEAR(gn, fabs(gr), 1e-5);
            if (p.kind == VH_OPTIM_SGD) {
                gr += 0.05 * w;
                m = 0.9 * m + gr;
                w -= 0.1 * (p.nesterov ? gr + 0.9 * m : m);
            } else {
                if (p.kind == VH_OPTIM_ADAMW) w -= 0.1 * 0.05 * w;
                else gr += 0.05 * w;
                m = 0.9 * m + 0.1 * gr;
                v = 0.999 * v + 0.001 * gr * gr;
                w -= 0.1 * (m / (1 - pow(0.9, s))) / (sqrt(v / (1 - pow(0.999, s))) + 1e-8);
            }
            VH_CHECK_NEAR(vh_nn_param_find(g, "w.weight")->t->data[0], w, 1e-5);
        }
        VH_CHECK_INT_EQ(vh_nn_optim_steps(o), 3);
        vh_nn_optim_free(o);
        vh_nn_graph_free(g);
    }
}

VH_TEST(clipping_and_schedules) {
    vh_nn_graph *g;
    int loss;
    scalar_net(&g, &loss, 4.0f); /* gradient 8 */
    vh_nn_optim_params p = vh_nn_optim_default_params();
    p.kind = VH_OPTIM_SGD;
    p.momentum = 0;
    p.lr = 1.0f;
    p.clip_norm = 0.5f;
    vh_nn_optim *o;
    VH_CHECK_OK(vh_nn_optim_new(g, &p, &o));
    VH_CHECK_OK(vh_nn_forward(g, loss));
    VH_CHECK_OK(vh_nn_backward(g, loss));
    float gn;
    VH_CHECK_OK(vh_nn_optim_step(o, &gn));
    VH_CHECK_NEAR(gn, 8.0, 1e-5);
    VH_CHECK_NEAR(vh_nn_param_find(g, "w.weight")->t->data[0], 3.5, 1e-5);
    /* a NaN gradient is refused and leaves the weight alone */
    vh_nn_param_find(g, "w.weight")->t->grad[0] = NAN;
    VH_CHECK_INT_EQ(vh_nn_optim_step(o, NULL), VH_ENUMERIC);
    VH_CHECK_NEAR(vh_nn_param_find(g, "w.weight")->t->data[0], 3.5, 1e-6);
    vh_nn_optim_free(o);

    p = vh_nn_optim_default_params();
    p.lr = 1.0f;
    p.warmup_steps = 4;
    p.schedule = VH_LR_COSINE;
    p.total_steps = 10;
    p.min_lr = 0.1f;
    VH_CHECK_OK(vh_nn_optim_new(g, &p, &o));
    VH_CHECK_NEAR(vh_nn_optim_lr(o), 0.25, 1e-6);
    vh_nn_optim_set_steps(o, 3);
    VH_CHECK_NEAR(vh_nn_optim_lr(o), 1.0, 1e-6);
    vh_nn_optim_set_steps(o, 4 + 5);
    VH_CHECK_NEAR(vh_nn_optim_lr(o), 0.55, 1e-6);
    vh_nn_optim_set_steps(o, 4 + 50);
    VH_CHECK_NEAR(vh_nn_optim_lr(o), 0.1, 1e-6);
    vh_nn_optim_free(o);

    p = vh_nn_optim_default_params();
    p.lr = 0.5f;
    p.schedule = VH_LR_STEP;
    p.step_size = 3;
    p.gamma = 0.1f;
    VH_CHECK_OK(vh_nn_optim_new(g, &p, &o));
    vh_nn_optim_set_steps(o, 2);
    VH_CHECK_NEAR(vh_nn_optim_lr(o), 0.5, 1e-7);
    vh_nn_optim_set_steps(o, 7);
    VH_CHECK_NEAR(vh_nn_optim_lr(o), 0.005, 1e-7);
    VH_CHECK_INT_EQ(vh_nn_optim_state_size(o), 2);
    vh_nn_optim_free(o);

    p.lr = -1;
    VH_CHECK_INT_EQ(vh_nn_optim_new(g, &p, &o), VH_EINVAL);
    VH_CHECK(o == NULL);
    /* parameters added after the optimizer was made: refused, not overrun */
    p.lr = 0.1f;
    VH_CHECK_OK(vh_nn_optim_new(g, &p, &o));
    VH_CHECK_INT_GE(vh_nn_dense(g, "extra", vh_nn_node_find(g, "x"), 3, 1), 0);
    VH_CHECK_INT_EQ(vh_nn_optim_step(o, NULL), VH_EINVAL);
    vh_nn_optim_free(o);
    vh_nn_graph_free(g);
}

int main(void) {
    setenv("VERHM_DNNL", "1", 1); /* exercise the oneDNN convolutions where built */
    VH_RUN(every_optimizer_overfits_a_small_batch);
    VH_RUN(same_seed_gives_bit_identical_weights);
    VH_RUN(optimizer_updates_match_formulas);
    VH_RUN(clipping_and_schedules);
    return vh_test_summary();
}
