/* Times vh_image_resize (bilinear, area) of a 1920x1080 RGB frame to 640x360
 * and saves the frame and both results for the OpenCV side (run.sh).
 * Usage: bench_resize OUTDIR [REPS]. Prints "name median_ms min_ms". */
#include "verhm/image.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: bench_resize OUTDIR [REPS]\n"); return 2; }
    int reps = argc > 2 ? atoi(argv[2]) : 200;
    if (reps < 1) reps = 1;
    vh_image src;
    if (vh_image_alloc(&src, 1920, 1080, 3)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    /* smooth gradients plus deterministic noise: camera-like content */
    uint32_t s = 12345;
    for (int y = 0; y < 1080; y++)
        for (int x = 0; x < 1920; x++)
            for (int k = 0; k < 3; k++) {
                s = s * 1664525u + 1013904223u;
                int v = (x * (k + 1) / 9 + y / 5 + (int)(s >> 28)) & 255;
                vh_image_at(&src, x, y)[k] = (uint8_t)v;
            }
    char path[1024];
    snprintf(path, sizeof path, "%s/frame.png", argv[1]);
    if (vh_image_save(path, &src, 0)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    static const struct { const char *name; int interp; } modes[] = {{"bilinear", VH_INTERP_BILINEAR}, {"area", VH_INTERP_AREA}};
    double *t = malloc(sizeof(double) * (size_t)reps);
    for (int m = 0; m < 2; m++) {
        vh_image dst;
        for (int i = 0; i < 5; i++) { vh_image_resize(&src, 640, 360, modes[m].interp, &dst); vh_image_free(&dst); }
        for (int i = 0; i < reps; i++) {
            double t0 = vh_now();
            int st = vh_image_resize(&src, 640, 360, modes[m].interp, &dst);
            t[i] = (vh_now() - t0) * 1e3;
            if (st) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
            if (i + 1 < reps) vh_image_free(&dst);
        }
        snprintf(path, sizeof path, "%s/verhm_%s.png", argv[1], modes[m].name);
        if (vh_image_save(path, &dst, 0)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
        vh_image_free(&dst);
        qsort(t, (size_t)reps, sizeof *t, cmp_d);
        printf("%s %.4f %.4f\n", modes[m].name, t[reps / 2], t[0]);
    }
    free(t);
    vh_image_free(&src);
    return 0;
}
