/* nn engine parity with PyTorch 1.13: forward values, losses, running
 * statistics and gradients of a small CNN, a bidirectional LSTM and GRU with
 * packed (masked) sequences, from tests/data/nn_torch_vectors.bin (made by
 * scripts/gen_torch_vectors.py; layout documented there). max |diff| <= 1e-4. */
#include "verhm/nn.h"
#include "vh_test.h"
#include <stdint.h>
#include <string.h>

typedef struct {
    char name[96];
    int ndim, dims[4];
    size_t n;
    const float *data;
} rec;

static rec g_recs[256];
static int g_nrec;
static char *g_file;

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int load(const char *path) {
    size_t size;
    if (vh_file_read_all(path, 1 << 20, &g_file, &size)) return 0;
    const unsigned char *p = (const unsigned char *)g_file, *end = p + size;
    if (size < 12 || memcmp(p, "VHTV", 4) || rd32(p + 4) != 1) return 0;
    uint32_t count = rd32(p + 8);
    p += 12;
    for (uint32_t r = 0; r < count; r++) {
        if (g_nrec == 256 || end - p < 4) return 0;
        rec *e = &g_recs[g_nrec++];
        uint32_t nl = rd32(p);
        p += 4;
        if (nl >= sizeof e->name || (size_t)(end - p) < nl + 4) return 0;
        memcpy(e->name, p, nl);
        e->name[nl] = 0;
        p += nl;
        e->ndim = (int)rd32(p);
        p += 4;
        if (e->ndim > 4 || (size_t)(end - p) < 4u * (size_t)e->ndim) return 0;
        e->n = 1;
        for (int d = 0; d < e->ndim; d++, p += 4) {
            e->dims[d] = (int)rd32(p);
            e->n *= (size_t)e->dims[d];
        }
        if ((size_t)(end - p) < 4 * e->n) return 0;
        float *f = malloc(e->n * sizeof(float) + 1);
        for (size_t i = 0; i < e->n; i++) { /* little-endian float32, any host */
            uint32_t u = rd32(p + 4 * i);
            memcpy(&f[i], &u, sizeof u);
        }
        e->data = f;
        p += 4 * e->n;
    }
    return 1;
}

static const rec *get(const char *name) {
    for (int i = 0; i < g_nrec; i++)
        if (strcmp(g_recs[i].name, name) == 0) return &g_recs[i];
    VH_FAILMSG("vector %s missing", name);
    return NULL;
}

static double maxdiff(const float *a, const rec *r, size_t n) {
    if (!r || r->n != n) return 1e9;
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - r->data[i]));
    return m;
}

#define CHECK_CLOSE(ptr, name, n)                                              \
    do {                                                                       \
        double d_ = maxdiff((ptr), get(name), (n));                            \
        if (!(d_ <= 1e-4)) VH_FAILMSG("%s: max |diff| %g", name, d_);           \
    } while (0)

/* Loads every parameter/buffer of g from "<prefix>.<param name>". */
static void load_params(vh_nn_graph *g, const char *prefix) {
    for (int i = 0; i < vh_nn_param_count(g); i++) {
        const vh_nn_param *p = vh_nn_param_get(g, i);
        char key[128];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", p->name);
        const rec *r = get(key);
        if (!r) continue;
        VH_CHECK_INT_EQ(r->n, p->t->size);
        if (r->n == p->t->size) memcpy(p->t->data, r->data, r->n * sizeof(float));
    }
}

static void set_in(vh_nn_graph *g, int node, const char *name) {
    const rec *r = get(name);
    if (r) VH_CHECK_OK(vh_nn_set_input(g, node, r->data, r->n));
}

VH_TEST(cnn_matches_torch) {
    vh_nn_graph *g;
    VH_CHECK_OK(vh_nn_graph_new(&g));
    int d[3] = {1, 8, 8}, c = 5;
    int x = vh_nn_input(g, "x", 3, d), t = vh_nn_input(g, "t", 1, &c);
    vh_nn_input_requires_grad(g, x, 1);
    int y = vh_nn_conv2d(g, "conv1", x, 4, 3, 1, 1, 1, 1, 0);
    y = vh_nn_batchnorm(g, "bn1", y, 1e-5f, 0.1f);
    y = vh_nn_maxpool(g, vh_nn_relu(g, y), 2, 2, 0);
    y = vh_nn_conv2d(g, "conv2", y, 6, 3, 1, 1, 1, 2, 1);
    y = vh_nn_avgpool(g, vh_nn_relu(g, y), 2, 2, 0);
    int logits = vh_nn_dense(g, "fc", vh_nn_flatten(g, y), 5, 1);
    int loss = vh_nn_softmax_xent(g, logits, t, 0.1f);
    VH_CHECK_OK(vh_nn_graph_compile(g, 3));
    load_params(g, "cnn");
    set_in(g, x, "cnn.in.x");
    set_in(g, t, "cnn.in.target");
    for (int kern = 0; kern < 2; kern++) {
        if (kern) load_params(g, "cnn"); /* restore running stats */
        vh_nn_set_kernel(g, kern);
        vh_nn_set_training(g, 1);
        VH_CHECK_OK(vh_nn_forward(g, loss));
        VH_CHECK_OK(vh_nn_backward(g, loss));
        CHECK_CLOSE(vh_nn_value(g, logits)->data, "cnn.out.logits_train", 15);
        CHECK_CLOSE(vh_nn_value(g, loss)->data, "cnn.out.loss", 1);
        static const char *gp[] = {"conv1.weight", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias", "bn1.weight", "bn1.bias"};
        for (int i = 0; i < 7; i++) {
            char key[64];
            snprintf(key, sizeof key, "cnn.grad.%s", gp[i]);
            const vh_nn_param *p = vh_nn_param_find(g, gp[i]);
            CHECK_CLOSE(p->t->grad, key, p->t->size);
        }
        CHECK_CLOSE(vh_nn_value(g, x)->grad, "cnn.grad.x", 192);
        CHECK_CLOSE(vh_nn_param_find(g, "bn1.running_mean")->t->data, "cnn.out.running_mean", 4);
        CHECK_CLOSE(vh_nn_param_find(g, "bn1.running_var")->t->data, "cnn.out.running_var", 4);
        vh_nn_set_training(g, 0);
        VH_CHECK_OK(vh_nn_forward(g, logits));
        CHECK_CLOSE(vh_nn_value(g, logits)->data, "cnn.out.logits_eval", 15);
    }
    /* eval output after folding bn1 into conv1 */
    VH_CHECK_INT_EQ(vh_nn_fold_batchnorm(g), 1);
    VH_CHECK_OK(vh_nn_forward(g, logits));
    CHECK_CLOSE(vh_nn_value(g, logits)->data, "cnn.out.logits_eval", 15);
    vh_nn_graph_free(g);
}

static void rnn_matches(const char *tag, int lstm) {
    for (int retseq = 1; retseq >= 0; retseq--) {
        vh_nn_graph *g;
        VH_CHECK_OK(vh_nn_graph_new(&g));
        int d[2] = {5, 3};
        int x = vh_nn_input(g, "x", 2, d);
        vh_nn_input_requires_grad(g, x, 1);
        int len = vh_nn_lengths(g, "len");
        int y = lstm ? vh_nn_lstm(g, tag, x, len, 4, 1, retseq) : vh_nn_gru(g, tag, x, len, 4, 1, retseq);
        int td[2] = {5, 8};
        int t = vh_nn_input(g, "t", 2, td);
        int loss = retseq ? vh_nn_mse(g, y, t) : -1;
        VH_CHECK_OK(vh_nn_graph_compile(g, 3));
        /* parameters are named "<tag>.weight_ih_l0" etc.: the file uses "<tag>.<same>" */
        load_params(g, "");
        char key[64];
        snprintf(key, sizeof key, "%s.in.x", tag);
        set_in(g, x, key);
        snprintf(key, sizeof key, "%s.in.lengths", tag);
        set_in(g, len, key);
        snprintf(key, sizeof key, "%s.in.target", tag);
        set_in(g, t, key);
        VH_CHECK_OK(vh_nn_forward(g, retseq ? loss : y));
        if (!retseq) {
            snprintf(key, sizeof key, "%s.out.last", tag);
            CHECK_CLOSE(vh_nn_value(g, y)->data, key, 24);
        } else {
            snprintf(key, sizeof key, "%s.out.seq", tag);
            CHECK_CLOSE(vh_nn_value(g, y)->data, key, 120);
            snprintf(key, sizeof key, "%s.out.loss", tag);
            CHECK_CLOSE(vh_nn_value(g, loss)->data, key, 1);
            VH_CHECK_OK(vh_nn_backward(g, loss));
            for (int i = 0; i < vh_nn_param_count(g); i++) {
                const vh_nn_param *p = vh_nn_param_get(g, i);
                snprintf(key, sizeof key, "%s.grad.%s", tag, p->name + strlen(tag) + 1);
                CHECK_CLOSE(p->t->grad, key, p->t->size);
            }
            snprintf(key, sizeof key, "%s.grad.x", tag);
            CHECK_CLOSE(vh_nn_value(g, x)->grad, key, 45);
        }
        vh_nn_graph_free(g);
    }
}

VH_TEST(lstm_matches_torch) { rnn_matches("lstm", 1); }
VH_TEST(gru_matches_torch) { rnn_matches("gru", 0); }

int main(void) {
    const char *path = vh_test_src("tests/data/nn_torch_vectors.bin");
    if (!load(path)) {
        printf("FAIL: cannot read %s\n", path);
        return 1;
    }
    VH_RUN(cnn_matches_torch);
    VH_RUN(lstm_matches_torch);
    VH_RUN(gru_matches_torch);
    for (int i = 0; i < g_nrec; i++) free((void *)g_recs[i].data);
    free(g_file);
    return vh_test_summary();
}
