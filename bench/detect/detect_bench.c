/* verhm side of bench/detect: loads gray PNGs listed in a file, runs
 * vh_cascade_detect REPS times over the set with 1 thread and with all
 * threads, prints the best wall and CPU time per pass and writes the boxes.
 * usage: detect_bench CASCADE LIST REPS OUT_BOXES SCALE NEIGHBORS */
#define _POSIX_C_SOURCE 200809L
#include "verhm/face.h"
#include "verhm/image.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: detect_bench CASCADE LIST REPS OUT SCALE NEIGHBORS\n"); return 2; }
    vh_cascade *c = NULL;
    if (vh_cascade_load(argv[1], &c)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    FILE *lf = fopen(argv[2], "r");
    if (!lf) { perror(argv[2]); return 1; }
    int reps = atoi(argv[3]);
    vh_detect_params p = vh_detect_default_params();
    p.scale_factor = atof(argv[5]);
    p.min_neighbors = atoi(argv[6]);
    char line[4096];
    vh_image imgs[256];
    char *names[256];
    int n = 0;
    while (n < 256 && fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line) continue;
        if (vh_image_load(line, 1, &imgs[n])) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
        names[n++] = strdup(line);
    }
    fclose(lf);
    FILE *out = fopen(argv[4], "w");
    int all = vh_threads_get();
    int tcounts[2] = {1, all};
    for (int ti = 0; ti < 2; ti++) {
        vh_threads_set(tcounts[ti]);
        double best = 1e30, best_cpu = 1e30;
        long faces = 0;
        for (int r = 0; r < reps + 1; r++) { /* first pass is a warm-up */
            double t0 = vh_now(), c0 = cpu_now();
            faces = 0;
            for (int i = 0; i < n; i++) {
                vh_box *b = NULL;
                size_t k = 0;
                if (vh_cascade_detect(c, &imgs[i], &p, &b, &k)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
                faces += (long)k;
                if (r == 0 && ti == 0)
                    for (size_t j = 0; j < k; j++) fprintf(out, "%s %d %d %d %d\n", names[i], b[j].x, b[j].y, b[j].w, b[j].h);
                vh_free(b);
            }
            double t = vh_now() - t0, ct = cpu_now() - c0;
            if (r > 0 && t < best) best = t;
            if (r > 0 && ct < best_cpu) best_cpu = ct;
        }
        printf("verhm threads=%d: %.2f ms wall, %.2f ms cpu per pass over %d images (%ld faces), best of %d\n", tcounts[ti],
               best * 1e3, best_cpu * 1e3, n, faces, reps);
    }
    fclose(out);
    for (int i = 0; i < n; i++) { vh_image_free(&imgs[i]); free(names[i]); }
    vh_cascade_free(c);
    return 0;
}
