/* Accuracy of a facial-emotion model on a FER+ folder with and without
 * test-time flip averaging (the mean of the probabilities of the image and
 * its mirror image), to decide whether the analyzer should use it.
 *   tta_eval MODEL FERPLUS_DIR */
#include "verhm/nn_model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: tta_eval MODEL FERPLUS_DIR\n"); return 2; }
    vh_model *m;
    vh_dataset d;
    if (vh_model_load(argv[1], &m) || vh_dataset_load_ferplus(argv[2], m->in_w, &d)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    const int B = 64, C = m->num_classes, W = d.w, H = d.h;
    vh_model_prepare(m, B);
    float *x = malloc(sizeof(float) * (size_t)B * W * H), *xf = malloc(sizeof(float) * (size_t)B * W * H);
    float *p = malloc(sizeof(float) * (size_t)B * C), *pf = malloc(sizeof(float) * (size_t)B * C);
    int idx[64], ok = 0, ok_tta = 0;
    for (int i0 = 0; i0 < d.n; i0 += B) {
        int cnt = d.n - i0 < B ? d.n - i0 : B;
        for (int k = 0; k < cnt; k++) idx[k] = i0 + k;
        vh_dataset_batch(&d, idx, cnt, m->mean, m->std, NULL, 0, 0, x, NULL);
        for (int k = 0; k < cnt; k++)
            for (int y = 0; y < H; y++)
                for (int xx = 0; xx < W; xx++) xf[((size_t)k * H + y) * W + xx] = x[((size_t)k * H + y) * W + (W - 1 - xx)];
        vh_model_predict(m, x, cnt, p);
        vh_model_predict(m, xf, cnt, pf);
        for (int k = 0; k < cnt; k++) {
            int b = 0, bt = 0;
            for (int c = 1; c < C; c++) {
                if (p[k * C + c] > p[k * C + b]) b = c;
                if (p[k * C + c] + pf[k * C + c] > p[k * C + bt] + pf[k * C + bt]) bt = c;
            }
            ok += b == d.label[i0 + k];
            ok_tta += bt == d.label[i0 + k];
        }
    }
    printf("%s on %s: %d faces, accuracy %.2f%%, with flip averaging %.2f%%\n", argv[1], argv[2], d.n, 100.0 * ok / d.n,
           100.0 * ok_tta / d.n);
    return 0;
}
