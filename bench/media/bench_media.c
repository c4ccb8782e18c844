/* Media throughput: decode (vh_video_read to RGB) and encode (vh_video_writer,
 * H.264 + AAC). Prints one line per measurement:
 *   decode FILE frames median_s fps        (median of REPS full passes)
 *   encode WxH preset frames seconds fps   (time inside the writer calls only;
 *                                           a moving synthetic scene + a tone)
 * Usage: bench_media decode VIDEO [REPS] | encode OUT.mp4 W H FRAMES [PRESET] */
#define _GNU_SOURCE /* M_PI */
#include "verhm/media.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int decode(const char *path, int reps) {
    double *t = calloc((size_t)reps, sizeof *t);
    long frames = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = vh_now();
        vh_video *v;
        if (vh_video_open(path, &v)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
        long n = 0;
        while (vh_video_read(v, NULL, NULL) == VH_OK) n++;
        vh_video_close(v);
        t[r] = vh_now() - t0;
        frames = n;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_d);
    double med = t[reps / 2];
    printf("decode %s %ld %.4f %.1f\n", path, frames, med, frames / med);
    free(t);
    return 0;
}

static int encode(const char *out, int w, int h, int n, const char *preset) {
    vh_writer_params p = vh_writer_default_params();
    p.width = w;
    p.height = h;
    p.fps = 30;
    p.audio_rate = 16000;
    p.overwrite = 1;
    if (preset) p.preset = preset;
    vh_image img;
    if (vh_image_alloc(&img, w, h, 3)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    float a[534];
    double spent = 0, t0 = vh_now();
    vh_video_writer *wr;
    if (vh_video_writer_open(out, &p, &wr)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    spent += vh_now() - t0;
    for (int k = 0; k < n; k++) {
        double cx = w / 2 + 100 * sin(k * 0.1), cy = h / 2 + 80 * cos(k * 0.07);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t *q = vh_image_at(&img, x, y);
                double d = hypot(x - cx, y - cy);
                q[0] = (uint8_t)(128 + 127 * sin(d * 0.05 - k * 0.2));
                q[1] = (uint8_t)(x * 255 / w);
                q[2] = (uint8_t)((y + k * 3) & 255);
            }
        for (int i = 0; i < 533; i++) a[i] = 0.3f * (float)sin(2 * M_PI * 220 * (k * 533 + i) / 16000.0);
        t0 = vh_now();
        if (vh_video_writer_frame(wr, &img) || vh_video_writer_audio(wr, a, 533)) {
            fprintf(stderr, "%s\n", vh_last_error());
            vh_video_writer_abort(wr);
            return 1;
        }
        spent += vh_now() - t0;
    }
    t0 = vh_now();
    if (vh_video_writer_finish(wr)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    spent += vh_now() - t0;
    printf("encode %dx%d %s %d %.3f %.1f\n", w, h, p.preset, n, spent, n / spent);
    vh_image_free(&img);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "decode")) return decode(argv[2], argc > 3 ? atoi(argv[3]) > 0 ? atoi(argv[3]) : 1 : 5);
    if (argc >= 6 && !strcmp(argv[1], "encode"))
        return encode(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argc > 6 ? argv[6] : NULL);
    fprintf(stderr, "usage: bench_media decode VIDEO [REPS] | encode OUT.mp4 W H FRAMES [PRESET]\n");
    return 2;
}
