/* Compares vh_image_warp_affine with the cases from gen_warp_cases.py.
 * Usage: cmp_warp CASES.bin */
#include "verhm/image.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 1;
    int n;
    if (fread(&n, 4, 1, f) != 1) return 1;
    long tot = 0, ex = 0, le1 = 0;
    int worst = 0;
    for (int i = 0; i < n; i++) {
        int h[5]; /* sw, sh, c, dw, dh */
        double m[6];
        if (fread(h, 4, 5, f) != 5 || fread(m, 8, 6, f) != 6) return 1;
        size_t ns = (size_t)h[0] * h[1] * h[2], nd = (size_t)h[3] * h[4] * h[2];
        uint8_t *s = malloc(ns), *d = malloc(nd);
        if (!s || !d || fread(s, 1, ns, f) != ns || fread(d, 1, nd, f) != nd) return 1;
        vh_image src = {h[0], h[1], h[2], (size_t)h[0] * h[2], s, 0}, out;
        if (vh_image_warp_affine(&src, m, h[3], h[4], 7, &out)) return 1;
        for (size_t k = 0; k < nd; k++) {
            int df = abs(out.data[k] - d[k]);
            if (df > worst) worst = df;
            ex += df == 0;
            le1 += df <= 1;
        }
        tot += (long)nd;
        vh_image_free(&out);
        free(s);
        free(d);
    }
    fclose(f);
    printf("warp vs cv2.warpAffine: %ld samples, %.3f%% identical, %.3f%% within 1, max diff %d\n", tot,
           100.0 * ex / tot, 100.0 * le1 / tot, worst);
    return 0;
}
