/* verhm side of bench/train: end-to-end training throughput of vh_train (batch
 * assembly + augmentation + forward/backward + AdamW) on an in-memory 48x48
 * dataset, and single-face inference latency of vh_model_classify_image.
 * usage: bench_train ARCH IMAGES EPOCHS BATCH REPS   (threads: VERHM_THREADS)
 * prints "train_ips X" and "latency_ms X" lines. */
#include "verhm/image.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: bench_train ARCH IMAGES EPOCHS BATCH REPS\n"); return 2; }
    const char *arch = argv[1];
    int n = atoi(argv[2]), epochs = atoi(argv[3]), batch = atoi(argv[4]), reps = atoi(argv[5]);
    static const char *labels[8] = {"neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"};
    vh_dataset d;
    memset(&d, 0, sizeof d);
    d.n = n; d.w = d.h = 48; d.num_classes = 8;
    d.pixels = malloc((size_t)n * 48 * 48);
    d.label = malloc((size_t)n * sizeof(int));
    d.labels = (char **)labels;
    vh_rng r;
    vh_rng_seed(&r, 1);
    for (size_t i = 0; i < (size_t)n * 48 * 48; i++) d.pixels[i] = (uint8_t)vh_rng_below(&r, 256);
    for (int i = 0; i < n; i++) d.label[i] = i % 8;
    vh_model *m = NULL;
    if (vh_model_new(arch, NULL, labels, 8, 48, 48, 1, &m)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    vh_train_params p = vh_train_default_params();
    p.epochs = epochs; p.batch = batch; p.patience = 0; p.aug.enabled = 1;
    vh_train_result res;
    if (vh_train(m, &d, NULL, &p, &res)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    printf("train_ips %.1f\n", (double)(n / batch) * batch * epochs / res.seconds);
    vh_image img = {0};
    vh_image_alloc(&img, 48, 48, 1);
    memcpy(img.data, d.pixels, 48 * 48);
    float probs[8];
    double *t = malloc((size_t)reps * sizeof(double));
    for (int i = 0; i < 5; i++) vh_model_classify_image(m, &img, probs);
    for (int i = 0; i < reps; i++) {
        double t0 = vh_now();
        vh_model_classify_image(m, &img, probs);
        t[i] = (vh_now() - t0) * 1e3;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp_d);
    printf("latency_ms %.4f\n", t[reps / 2]);
    printf("params %zu\n", vh_nn_param_scalars(m->g));
    free(t);
    vh_image_free(&img);
    vh_model_free(m);
    free(d.pixels);
    free(d.label);
    return 0;
}
