/* Per-layer time of single-image inference (batch 1, eval mode, batch norm
 * folded) of the bench_nn.c network, to see where the latency goes.
 *   layers [REPS]    threads: VERHM_THREADS; VERHM_WINOGRAD=0 for the im2col path
 * Each node's forward is timed separately; the figure is the lowest of 30
 * block averages of REPS passes (robust to other load on the machine). A batch
 * norm applied in its convolution's epilogue shows as 0. Uses the engine's
 * private header (node table); build like run.sh builds bench_nn.c, adding
 * -I src: cc -O2 -Iinclude -Isrc bench/nn/layers.c <objects> -ldnnl -lopenblas ... */
#include "nn/nn_internal.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 100;
    if (reps < 1) reps = 1;
    vh_nn_graph *g;
    vh_nn_graph_new(&g);
    int d[3] = {1, 48, 48};
    int x = vh_nn_input(g, "input", 3, d), y = x;
    for (int s = 1; s <= 4; s++) {
        char cn[32], bn[32];
        snprintf(cn, sizeof cn, "s%d.conv1", s);
        snprintf(bn, sizeof bn, "s%d.bn1", s);
        y = vh_nn_conv2d(g, cn, y, 32 << (s - 1), 3, 1, 1, 1, 1, 0);
        y = vh_nn_relu(g, vh_nn_batchnorm(g, bn, y, 1e-5f, 0.1f));
        y = vh_nn_maxpool(g, y, 2, 2, 0);
    }
    int logits = vh_nn_dense(g, "head", vh_nn_dropout(g, vh_nn_global_avgpool(g, y), 0.3f), 8, 1);
    if (logits < 0 || vh_nn_graph_compile(g, 64)) {
        fprintf(stderr, "layers: %s\n", vh_last_error());
        return 1;
    }
    vh_nn_graph_init_params(g, 3);
    vh_nn_set_training(g, 0);
    vh_nn_fold_batchnorm(g);
    vh_nn_set_batch(g, 1);
    vh_tensor *xv = vh_nn_value(g, x);
    for (size_t i = 0; i < xv->size; i++) xv->data[i] = (float)((i * 7919) % 255) / 255.0f;
    double best[64], blk[64];
    for (int i = 0; i < 64; i++) best[i] = 1e9;
    for (int b = 0; b < 30; b++) {
        for (int i = 0; i <= logits; i++) blk[i] = 0;
        for (int r = 0; r < reps; r++) {
            for (int i = 0; i <= logits; i++) g->nodes[i].fwd_done = 0; /* as vh_nn_forward does */
            for (int i = 0; i <= logits; i++) {
                vh__nn_node *n = &g->nodes[i];
                if (!vh__nn_ops[n->op].forward || n->alias) continue;
                double a = vh_now();
                vh__nn_ops[n->op].forward(g, n);
                blk[i] += vh_now() - a;
            }
        }
        for (int i = 0; i <= logits; i++)
            if (blk[i] < best[i]) best[i] = blk[i];
    }
    double tot = 0;
    printf("threads %d\n", vh_threads_get());
    for (int i = 0; i <= logits; i++) {
        vh__nn_node *n = &g->nodes[i];
        if (!vh__nn_ops[n->op].forward || n->alias) continue;
        printf("%-15s %-9s %4dx%2dx%2d %8.1f us\n", vh__nn_ops[n->op].info.name, n->name ? n->name : "", n->dims[0],
               n->dims[1], n->dims[2], 1e6 * best[i] / reps);
        tot += best[i];
    }
    printf("sum of layers %.1f us\n", 1e6 * tot / reps);
    vh_nn_graph_free(g);
    return 0;
}
