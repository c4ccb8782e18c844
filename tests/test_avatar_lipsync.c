/* Learned lip-sync: a tiny model trained on synthetic clips (tone bursts whose
 * loudness is the "jaw"), model file round trip, validation errors, eval. */
#define _POSIX_C_SOURCE 200809L
#include "vh_test.h"
#include "verhm/avatar.h"
#include "verhm/nn_model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/vh_test_lipsync_XXXXXX";
static char model[300];

static void put16(FILE *f, int v) { fputc(v & 255, f); fputc((v >> 8) & 255, f); }
static void put32(FILE *f, long v) { put16(f, (int)(v & 0xffff)); put16(f, (int)((v >> 16) & 0xffff)); }

/* A 16 kHz WAV (named .flac: the decoder probes the content) of tone bursts
 * and the matching CSV: jawOpen follows the burst envelope, mouthClose its
 * complement. `extra` adds two columns the model does not predict (so its
 * prediction is the constant 0): mouthFunnel, which varies, and mouthPucker,
 * which is constant. */
static void make_clip_in(const char *sub, const char *name, int frames, uint64_t seed, int extra) {
    char p[400];
    snprintf(p, sizeof p, "%s%s/%s.flac", dir, sub, name);
    FILE *f = fopen(p, "wb");
    long n = (long)frames * 16000 / 30;
    fwrite("RIFF", 1, 4, f); put32(f, 36 + n * 2); fwrite("WAVEfmt ", 1, 8, f);
    put32(f, 16); put16(f, 1); put16(f, 1); put32(f, 16000); put32(f, 32000); put16(f, 2); put16(f, 16);
    fwrite("data", 1, 4, f); put32(f, n * 2);
    vh_rng r;
    vh_rng_seed(&r, seed);
    float *env = calloc((size_t)frames, sizeof *env);
    for (int i = 0; i < frames;) {
        int len = 5 + (int)vh_rng_below(&r, 15), on = (int)vh_rng_below(&r, 2);
        for (int j = 0; j < len && i < frames; j++, i++) env[i] = on ? (float)sin(3.14159 * (j + 0.5) / len) : 0.0f;
    }
    for (long s = 0; s < n; s++) {
        double t = s / 16000.0;
        int fr = (int)(t * 30);
        double v = 0.5 * env[fr < frames ? fr : frames - 1] * sin(2 * 3.14159 * 300 * t) + 0.001 * vh_rng_normal(&r);
        put16(f, (int)lrint(v * 32767));
    }
    fclose(f);
    snprintf(p, sizeof p, "%s%s/%s.csv", dir, sub, name);
    f = fopen(p, "w");
    fprintf(f, "frame,jawOpen,mouthClose%s\n", extra ? ",mouthFunnel,mouthPucker" : "");
    for (int i = 0; i < frames; i++) {
        fprintf(f, "%d,%.5f,%.5f", i, 0.6 * env[i], 0.3 * (1 - env[i]));
        if (extra) fprintf(f, ",%.5f,0.1", 0.2 + 0.1 * sin(i * 0.3));
        fputc('\n', f);
    }
    fclose(f);
    free(env);
}

static void make_clip(const char *name, int frames, uint64_t seed) { make_clip_in("", name, frames, seed, 0); }

VH_TEST(trains_and_round_trips) {
    vh_lipsync_train_params p = vh_lipsync_train_default_params();
    p.holdout = "c3";
    p.steps = 150;
    p.batch = 8;
    p.seq = 30;
    p.hidden = 12;
    p.conv = 16;
    p.lr = 1e-2f;
    p.seed = 3;
    VH_CHECK_OK(vh_lipsync_train(dir, model, &p, 0, NULL, NULL));
    vh_lipsync *m = NULL;
    VH_CHECK_OK(vh_lipsync_load(model, &m));
    if (!m) return;
    vh_safetensors *st = NULL;
    VH_CHECK_OK(vh_st_open(model, &st));
    if (st) {
        VH_CHECK_STR_EQ(vh_st_meta(st, "format"), "verhm-lipsync-1");
        VH_CHECK_STR_EQ(vh_st_meta(st, "channels"), "[\"jawOpen\",\"mouthClose\"]");
        VH_CHECK(strstr(vh_st_meta(st, "provenance"), "\"holdout\":\"c3\"") != NULL);
        vh_st_free(st);
    }
    /* Held-out clip c3 only: the tiny model tracks the envelope. */
    char held[400];
    snprintf(held, sizeof held, "%s/held", dir);
    vh_lipsync_metrics r;
    VH_CHECK_OK(vh_lipsync_eval(m, NULL, held, &r));
    VH_CHECK_INT_EQ(r.channels, 2);
    VH_CHECK_INT_EQ(r.clips, 1);
    VH_CHECK_INT_EQ(r.frames, 240);
    VH_CHECK_INT_EQ(r.channel[0], vh_arkit_index("jawOpen"));
    VH_CHECK(r.pearson[0] > 0.5);
    VH_CHECK(r.mae[0] < 0.2);
    VH_CHECK(isnan(r.lve_mm));
    VH_CHECK_INT_EQ(r.varying, 2);
    VH_CHECK(fabs(r.mean_pearson - (r.pearson[0] + r.pearson[1]) / 2) < 1e-12);
    /* The mean runs over the channels whose truth varies: a varying channel
     * predicted as a constant counts as r = 0, a constant one is left out. */
    char held2[400];
    snprintf(held2, sizeof held2, "%s/held2", dir);
    VH_CHECK_OK(vh_lipsync_eval(m, NULL, held2, &r));
    VH_CHECK_INT_EQ(r.channels, 4);
    VH_CHECK_INT_EQ(r.channel[2], vh_arkit_index("mouthFunnel"));
    VH_CHECK_INT_EQ(r.varying, 3);
    VH_CHECK(r.pearson[2] == 0.0);
    VH_CHECK(isnan(r.pearson[3]));
    VH_CHECK(fabs(r.mae[3] - 0.1) < 1e-6);
    VH_CHECK(r.pearson[0] > 0.5);
    VH_CHECK(fabs(r.mean_pearson - (r.pearson[0] + r.pearson[1]) / 3) < 1e-12);
    VH_CHECK(fabs(r.mean_mae - (r.mae[0] + r.mae[1] + r.mae[2]) / 3) < 1e-12);
    /* Deterministic: same seed, same file. */
    char m2[400];
    snprintf(m2, sizeof m2, "%s/m2.safetensors", dir);
    VH_CHECK_OK(vh_lipsync_train(dir, m2, &p, 0, NULL, NULL));
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    VH_CHECK_OK(vh_file_read_all(model, 0, &a, &la));
    VH_CHECK_OK(vh_file_read_all(m2, 0, &b, &lb));
    VH_CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
    vh_free(a);
    vh_free(b);
    /* Silence in → (almost) still mouth, values in [0, 1]. */
    float pcm[16000] = { 0 };
    float w[30 * VH_ARKIT_COUNT];
    VH_CHECK_OK(vh_lipsync_run(m, pcm, 16000, 0.0, 30.0, 30, w));
    for (int i = 0; i < 30 * VH_ARKIT_COUNT; i++) VH_CHECK(w[i] >= 0 && w[i] <= 1);
    vh_lipsync_free(m);
}

/* The other options: per-band mean normalisation (cmn), 16 bands, a
 * 100 ms look-ahead, dropout, standardised outputs, augmentation. They are recorded in the file, the model loads
 * and still tracks the envelope of the held-out clip. */
VH_TEST(cmn_lookahead_dropout) {
    vh_lipsync_train_params p = vh_lipsync_train_default_params();
    p.holdout = "c3";
    p.steps = 150;
    p.batch = 8;
    p.seq = 30;
    p.hidden = 12;
    p.conv = 16;
    p.lr = 1e-2f;
    p.seed = 3;
    p.norm = 1;
    p.mels = 16;
    p.past = 5;
    p.ahead = 10;
    p.dropout = 0.1f;
    p.ynorm = 1;
    p.augment = 1;
    char path[400];
    snprintf(path, sizeof path, "%s/cmn.safetensors", dir);
    VH_CHECK_OK(vh_lipsync_train(dir, path, &p, 0, NULL, NULL));
    vh_safetensors *st = NULL;
    VH_CHECK_OK(vh_st_open(path, &st));
    if (st) {
        VH_CHECK(strstr(vh_st_meta(st, "arch_params"), "\"mels\":16,\"past\":5,\"ahead\":10,\"norm\":\"cmn\"") != NULL);
        VH_CHECK(vh_st_meta(st, "output") && strstr(vh_st_meta(st, "output"), "\"std\":[") != NULL);
        vh_st_free(st);
    }
    vh_lipsync *m = NULL;
    VH_CHECK_OK(vh_lipsync_load(path, &m));
    if (!m) return;
    char held[400];
    snprintf(held, sizeof held, "%s/held", dir);
    vh_lipsync_metrics r;
    VH_CHECK_OK(vh_lipsync_eval(m, NULL, held, &r));
    VH_CHECK(r.pearson[0] > 0.5);
    vh_lipsync_free(m);
    p.ahead = 11;
    VH_CHECK_INT_EQ(vh_lipsync_train(dir, path, &p, 1, NULL, NULL), VH_EINVAL);
}

/* Rewrites the model with one change and expects VH_EFORMAT. */
static void expect_bad(const char *what, const char *meta_key, const char *meta_val, const char *drop, int nan) {
    vh_safetensors *st = NULL;
    VH_CHECK_OK(vh_st_open(model, &st));
    if (!st) return;
    vh_st_writer *w = NULL;
    VH_CHECK_OK(vh_st_writer_new(&w));
    for (size_t i = 0; i < vh_st_count(st); i++) {
        const vh_st_tensor *t = vh_st_get(st, i);
        if (drop && strcmp(t->name, drop) == 0) continue;
        float *d = malloc(t->numel * sizeof *d);
        vh_st_read_f32(st, t, d, t->numel);
        if (nan && i == 0) d[0] = NAN;
        VH_CHECK_OK(vh_st_writer_add_f32(w, t->name, d, t->ndim, t->shape));
        free(d);
    }
    for (size_t i = 0; i < vh_st_meta_count(st); i++) vh_st_writer_meta(w, vh_st_meta_key(st, i), vh_st_meta(st, vh_st_meta_key(st, i)));
    if (meta_key) vh_st_writer_meta(w, meta_key, meta_val);
    char p[400];
    snprintf(p, sizeof p, "%s/bad.safetensors", dir);
    VH_CHECK_OK(vh_st_writer_save(w, p, 1));
    vh_st_writer_free(w);
    vh_st_free(st);
    vh_lipsync *m = NULL;
    int rc = vh_lipsync_load(p, &m);
    if (rc != VH_EFORMAT) printf("  case %s: got %d\n", what, rc);
    VH_CHECK_INT_EQ(rc, VH_EFORMAT);
    VH_CHECK(m == NULL);
    VH_CHECK(strstr(vh_last_error(), "bad.safetensors") != NULL);
}

VH_TEST(rejects_damaged_models) {
    expect_bad("format", "format", "verhm-model-1", NULL, 0);
    expect_bad("channels", "channels", "[\"jawOpen\",\"notAShape\"]", NULL, 0);
    expect_bad("channel count", "channels", "[\"jawOpen\"]", NULL, 0);
    expect_bad("window", "arch_params", "{\"hidden\":12,\"conv\":16,\"mels\":40,\"past\":12,\"ahead\":3}", NULL, 0);
    expect_bad("window ahead", "arch_params", "{\"hidden\":12,\"conv\":16,\"mels\":32,\"past\":12,\"ahead\":11}", NULL, 0);
    expect_bad("norm", "arch_params", "{\"hidden\":12,\"conv\":16,\"mels\":32,\"past\":12,\"ahead\":3,\"norm\":\"x\"}", NULL, 0);
    expect_bad("output std", "output", "{\"mean\":[0,0],\"std\":[1,0]}", NULL, 0);
    expect_bad("output count", "output", "{\"mean\":[0],\"std\":[1]}", NULL, 0);
    expect_bad("std", "input", "{\"mean\":[0],\"std\":[0]}", NULL, 0);
    expect_bad("missing tensor", NULL, NULL, "head.bias", 0);
    expect_bad("nan", NULL, NULL, NULL, 1);
    vh_lipsync *m = NULL;
    VH_CHECK_INT_EQ(vh_lipsync_load("/nonexistent/x.safetensors", &m), VH_ENOTFOUND);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    snprintf(model, sizeof model, "%s/m.safetensors", dir);
    make_clip("c1", 600, 1);
    make_clip("c2", 600, 2);
    char held[400];
    snprintf(held, sizeof held, "%s/held", dir);
    vh_mkdir_p(held);
    /* The held-out clip lives in the data folder (skipped by --holdout) and in
     * its own folder for eval. */
    make_clip("c3", 240, 3);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s/c3.flac' '%s/c3.csv' '%s/'", dir, dir, held);
    if (system(cmd) != 0) return 1;
    snprintf(held, sizeof held, "%s/held2", dir);
    vh_mkdir_p(held);
    make_clip_in("/held2", "c3", 240, 3, 1);
    VH_RUN(trains_and_round_trips);
    VH_RUN(cmn_lookahead_dropout);
    VH_RUN(rejects_damaged_models);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("cleanup failed\n");
    return vh_test_summary();
}
