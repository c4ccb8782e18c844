/* Engine-level benchmark: the FER CNN ("fer-fast": 4 × [conv3×3 no bias + BN +
 * ReLU + max-pool 2] with 32/64/128/256 channels, global average pool, dropout
 * 0.3, dense 8) on 48×48 gray input, built directly with the nn.h graph API.
 *   bench_nn [reps] [own]   prints "train_ips", "infer64_ips", "infer1_ms" lines;
 *                           "own": our kernels only (VH_NN_KERNEL_OWN, no oneDNN).
 * Threads: VERHM_THREADS (the engine runs OpenBLAS single-threaded). */
#include "verhm/nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int build(vh_nn_graph *g, int *x, int *t, int *logits) {
    int d[3] = {1, 48, 48}, c = 8;
    *x = vh_nn_input(g, "input", 3, d);
    *t = vh_nn_input(g, "target", 1, &c);
    int y = *x;
    for (int s = 1; s <= 4; s++) {
        char cn[32], bn[32];
        snprintf(cn, sizeof cn, "s%d.conv1", s);
        snprintf(bn, sizeof bn, "s%d.bn1", s);
        y = vh_nn_conv2d(g, cn, y, 32 << (s - 1), 3, 1, 1, 1, 1, 0);
        y = vh_nn_relu(g, vh_nn_batchnorm(g, bn, y, 1e-5f, 0.1f));
        y = vh_nn_maxpool(g, y, 2, 2, 0);
    }
    y = vh_nn_dropout(g, vh_nn_global_avgpool(g, y), 0.3f);
    *logits = vh_nn_dense(g, "head", y, 8, 1);
    return vh_nn_softmax_xent(g, *logits, *t, 0.0f);
}

static void fill(vh_nn_graph *g, int x, int t) {
    vh_rng r;
    vh_rng_seed(&r, 1);
    vh_tensor *xv = vh_nn_value(g, x), *tv = vh_nn_value(g, t);
    for (size_t i = 0; i < xv->size; i++) xv->data[i] = (float)vh_rng_uniform(&r);
    memset(tv->data, 0, tv->size * sizeof(float));
    for (int b = 0; b < tv->shape[0]; b++) tv->data[b * 8 + (int)vh_rng_below(&r, 8)] = 1;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 10;
    if (reps < 1) reps = 1;
    vh_nn_graph *g;
    int x, t, logits;
    vh_nn_graph_new(&g);
    int loss = build(g, &x, &t, &logits);
    if (loss < 0 || vh_nn_graph_compile(g, 64)) {
        fprintf(stderr, "bench_nn: %s\n", vh_last_error());
        return 1;
    }
    fill(g, x, t);
    if (argc > 2 && strcmp(argv[2], "own") == 0) vh_nn_set_kernel(g, VH_NN_KERNEL_OWN);
    vh_nn_optim_params p = vh_nn_optim_default_params();
    vh_nn_optim *o;
    vh_nn_optim_new(g, &p, &o);
    /* training step: forward + backward + Adam update, batch 64 */
    for (int i = 0; i < 2; i++) {
        vh_nn_forward(g, loss);
        vh_nn_backward(g, loss);
        vh_nn_optim_step(o, NULL);
    }
    double t0 = vh_now(), tf = 0;
    for (int i = 0; i < reps; i++) {
        double a = vh_now();
        vh_nn_forward(g, loss);
        tf += vh_now() - a;
        vh_nn_backward(g, loss);
        vh_nn_optim_step(o, NULL);
    }
    double dt = vh_now() - t0;
    printf("threads %d\n", vh_threads_get());
    printf("train_ips %.1f\n", 64.0 * reps / dt);
    printf("train_fwd_ms %.2f\n", 1e3 * tf / reps);
    printf("train_bwd_ms %.2f\n", 1e3 * (dt - tf) / reps);
    /* inference, eval mode, batch norm folded */
    vh_nn_set_training(g, 0);
    vh_nn_fold_batchnorm(g);
    vh_nn_forward(g, logits);
    t0 = vh_now();
    for (int i = 0; i < reps; i++) vh_nn_forward(g, logits);
    printf("infer64_ips %.1f\n", 64.0 * reps / (vh_now() - t0));
    vh_nn_set_batch(g, 1);
    int n1 = reps * 20;
    double *lat = malloc((size_t)n1 * sizeof(double));
    for (int i = 0; i < 5; i++) vh_nn_forward(g, logits);
    for (int i = 0; i < n1; i++) {
        double a = vh_now();
        vh_nn_forward(g, logits);
        lat[i] = vh_now() - a;
    }
    qsort(lat, (size_t)n1, sizeof(double), cmp);
    printf("infer1_ms %.3f\n", 1e3 * lat[n1 / 2]);
    free(lat);
    vh_nn_optim_free(o);
    vh_nn_graph_free(g);
    return 0;
}
