/* Compares vh_image_resize with the cases from gen_resize_cases.py; prints
 * per-mode identical-sample rates and any case over tolerance (nearest 0,
 * bilinear and area ±1). Usage: cmp_resize CASES.bin */
#include "verhm/image.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 1;
    int n;
    if (fread(&n, 4, 1, f) != 1) return 1;
    long tot[3] = {0}, ex[3] = {0}, bad[3] = {0};
    int worst[3] = {0};
    for (int i = 0; i < n; i++) {
        int h[7]; /* mode, sw, sh, c, dw, dh, pad */
        if (fread(h, 4, 7, f) != 7 || h[0] < 0 || h[0] > 2) return 1;
        size_t ns = (size_t)h[1] * h[2] * h[3], nd = (size_t)h[4] * h[5] * h[3];
        uint8_t *s = malloc(ns), *d = malloc(nd);
        if (!s || !d || fread(s, 1, ns, f) != ns || fread(d, 1, nd, f) != nd) return 1;
        vh_image src = {h[1], h[2], h[3], (size_t)h[1] * h[3], s, 0}, out;
        if (vh_image_resize(&src, h[4], h[5], h[0], &out)) {
            printf("case %d failed: %s\n", i, vh_last_error());
            return 1;
        }
        int w = 0;
        for (size_t k = 0; k < nd; k++) {
            int df = abs(out.data[k] - d[k]);
            if (df > w) w = df;
            ex[h[0]] += df == 0;
        }
        tot[h[0]] += (long)nd;
        if (w > worst[h[0]]) worst[h[0]] = w;
        if (w > (h[0] ? 1 : 0)) {
            bad[h[0]]++;
            printf("case %d mode %d %dx%dx%d->%dx%d maxdiff %d\n", i, h[0], h[1], h[2], h[3], h[4], h[5], w);
        }
        vh_image_free(&out);
        free(s);
        free(d);
    }
    fclose(f);
    const char *nm[3] = {"nearest", "bilinear", "area"};
    for (int m = 0; m < 3; m++)
        printf("%s: %ld samples, %.4f%% identical, max diff %d, cases over tolerance %ld\n", nm[m], tot[m],
               100.0 * ex[m] / (tot[m] ? tot[m] : 1), worst[m], bad[m]);
    return bad[0] + bad[1] + bad[2] ? 1 : 0;
}
