/* Front-end speed on real speech: log-mel (80 bands) + MFCC (20) + YIN pitch
 * per file at 16 kHz, one thread, decoding excluded (files are loaded first).
 * Prints: files, audio seconds, compute seconds (thread CPU time, best of REPS
 * passes), and the
 * real-time factor; per stage times too.
 * Usage: features_bench REPS FILE...   (16 kHz speech front-end defaults) */
#define _POSIX_C_SOURCE 200809L
#include "verhm/dsp.h"
#include "verhm/media.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* CPU time of this thread: robust to other processes sharing the cores. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: features_bench REPS FILE...\n"); return 2; }
    int reps = atoi(argv[1]), nf = argc - 2;
    float **x = calloc((size_t)nf, sizeof *x);
    size_t *n = calloc((size_t)nf, sizeof *n), total = 0;
    for (int i = 0; i < nf; i++) {
        if (vh_audio_load(argv[i + 2], 16000, 0, &x[i], &n[i])) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
        total += n[i];
    }
    vh_features_params fp = vh_features_default_params();
    vh_pitch_params pp = vh_pitch_default_params();
    vh_features *fx;
    vh_pitch *ph;
    if (vh_features_new(&fp, &fx) || vh_pitch_new(&pp, &ph)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    double best = 1e30, best_mel = 0, best_mfcc = 0, best_pitch = 0;
    double sum_lm = 0, sum_f0 = 0;
    size_t n_lm = 0, n_f0 = 0, n_fr = 0;
    for (int r = 0; r < reps; r++) {
        double tm = 0, tc = 0, tp = 0;
        for (int i = 0; i < nf; i++) {
            double t0 = cpu_now();
            float *lm, *mf, *f0;
            size_t frames;
            if (vh_features_logmel(fx, x[i], n[i], &lm, &frames)) return 1;
            double t1 = cpu_now();
            if (vh_features_mfcc_from_logmel(fx, lm, frames, &mf)) return 1;
            double t2 = cpu_now();
            size_t pf = vh_pitch_frames(ph, n[i]);
            f0 = malloc(pf * sizeof(float));
            vh_pitch_track(ph, x[i], n[i], f0, NULL, pf);
            double t3 = cpu_now();
            tm += t1 - t0; tc += t2 - t1; tp += t3 - t2;
            if (r == 0) {
                for (size_t k = 0; k < frames * (size_t)fp.n_mels; k++) sum_lm += lm[k];
                n_lm += frames * (size_t)fp.n_mels;
                for (size_t k = 0; k < pf; k++) if (f0[k] > 0) { sum_f0 += f0[k]; n_f0++; }
                n_fr += pf;
            }
            free(lm); free(mf); free(f0);
        }
        if (tm + tc + tp < best) { best = tm + tc + tp; best_mel = tm; best_mfcc = tc; best_pitch = tp; }
    }
    double secs = total / 16000.0;
    printf("C     files %d audio_s %.2f cpu_s %.4f realtime_x %.0f | logmel %.4f mfcc %.4f pitch %.4f | "
           "mean_logmel_db %.3f voiced %.3f mean_f0 %.2f\n",
           nf, secs, best, secs / best, best_mel, best_mfcc, best_pitch, sum_lm / n_lm, (double)n_f0 / n_fr,
           sum_f0 / n_f0);
    /* the full prosody summary (pitch, VAD, nuclei, jitter/shimmer, HNR) */
    vh_prosody_params prp = vh_prosody_default_params();
    double best_pr = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = cpu_now();
        for (int i = 0; i < nf; i++) {
            vh_prosody pr;
            if (vh_prosody_compute(&prp, x[i], n[i], &pr, NULL, NULL)) return 1;
        }
        double t = cpu_now() - t0;
        if (t < best_pr) best_pr = t;
    }
    printf("C     prosody (pitch+VAD+nuclei+jitter/shimmer+HNR) cpu_s %.4f realtime_x %.0f\n", best_pr, secs / best_pr);
    vh_features_free(fx);
    vh_pitch_free(ph);
    for (int i = 0; i < nf; i++) vh_free(x[i]);
    free(x); free(n);
    return 0;
}
