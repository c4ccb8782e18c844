/* Speech-emotion model: configuration checks, features, model files and their
 * validation, datasets, metrics, a tiny synthetic training run, determinism
 * and checkpoint resume, last-epoch selection, mixup, ensembles of models. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/ser.h"
#include "affect/ser_internal.h"
#include "verhm/nn_model.h"
#include "vh_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp(const char *name) {
    static char buf[4][512];
    static int i;
    char *b = buf[i++ & 3];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

/* A tiny architecture so training runs in seconds (also under ASan). */
static vh_ser_config tiny_config(int classes) {
    vh_ser_config c = vh_ser_default_config();
    c.n_mels = 32;
    c.max_frames = 64;
    c.channels[0] = 4;
    c.channels[1] = 4;
    c.channels[2] = 8;
    c.channels[3] = 8;
    c.rnn_hidden = 8;
    c.att = 8;
    c.dropout = 0.1f;
    c.n_classes = classes;
    for (int k = 0; k < classes; k++) snprintf(c.labels[k], VH_SER_LABEL_MAX, "tone%d", k);
    return c;
}

/* A tone of frequency f with harmonics, an amplitude envelope and a little noise. */
static float *tone(double f, double seconds, double lead_silence, uint64_t seed, size_t *n) {
    size_t lead = (size_t)(lead_silence * 16000), m = (size_t)(seconds * 16000);
    *n = lead + m;
    float *x = calloc(*n, sizeof *x);
    vh_rng r;
    vh_rng_seed(&r, seed);
    double ph = vh_rng_uniform(&r) * 6.28;
    for (size_t i = 0; i < m; i++) {
        double t = (double)i / 16000, env = sin(3.14159 * (double)i / (double)m);
        double s = sin(6.2831853 * f * t + ph) + 0.5 * sin(2 * 6.2831853 * f * t) + 0.25 * sin(3 * 6.2831853 * f * t);
        x[lead + i] = (float)(0.3 * env * s + 0.003 * vh_rng_normal(&r));
    }
    for (size_t i = 0; i < lead; i++) x[i] = (float)(0.0005 * vh_rng_normal(&r));
    return x;
}

VH_TEST(config_checks) {
    vh_ser_config c = vh_ser_default_config();
    VH_CHECK_OK(vh_ser_config_check(&c));
    VH_CHECK_INT_EQ(c.n_classes, 8);
    VH_CHECK_STR_EQ(c.labels[1], "calm");
    c.n_mels = 60;
    VH_CHECK_INT_EQ(vh_ser_config_check(&c), VH_EINVAL);
    c = vh_ser_default_config();
    c.max_frames = 100;
    VH_CHECK_INT_EQ(vh_ser_config_check(&c), VH_EINVAL);
    c = vh_ser_default_config();
    strcpy(c.labels[3], "calm");
    VH_CHECK_INT_EQ(vh_ser_config_check(&c), VH_EINVAL);
    VH_CHECK(strstr(vh_last_error(), "calm") != NULL);
    c = vh_ser_default_config();
    c.fmax = 9000;
    VH_CHECK_INT_EQ(vh_ser_config_check(&c), VH_EINVAL);
}

VH_TEST(speed_and_features) {
    float x[5] = {0, 1, 2, 3, 4}, *y = NULL;
    size_t ny = 0;
    VH_CHECK_OK(vh_ser_speed(x, 5, 2.0, &y, &ny));
    VH_CHECK_INT_EQ((long)ny, 3);
    VH_CHECK_NEAR(y[1], 2.0, 1e-6);
    VH_CHECK_NEAR(y[2], 4.0, 1e-6);
    vh_free(y);
    VH_CHECK_OK(vh_ser_speed(x, 5, 0.5, &y, &ny));
    VH_CHECK_INT_EQ((long)ny, 9);
    VH_CHECK_NEAR(y[3], 1.5, 1e-6);
    vh_free(y);
    VH_CHECK_INT_EQ(vh_ser_speed(x, 5, 3.0, &y, &ny), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_ser_speed(x, 0, 1.0, &y, &ny), VH_EEMPTY);

    vh_ser_config c = vh_ser_default_config();
    size_t n;
    float *a = tone(300, 1.0, 0.0, 1, &n), *lm = NULL;
    size_t frames = 0;
    VH_CHECK_OK(vh_ser_logmel(&c, a, n, &lm, &frames));
    /* 1 s at a 10 ms hop: 101 frames, the quiet envelope ends trimmed a little */
    VH_CHECK(frames >= 80 && frames <= 101);
    float hi = -1e30f, lo = 1e30f;
    for (size_t i = 0; i < frames * (size_t)c.n_mels; i++) {
        hi = fmaxf(hi, lm[i]);
        lo = fminf(lo, lm[i]);
    }
    VH_CHECK(isfinite(hi) && isfinite(lo));
    VH_CHECK(hi < 80.0f && hi - lo <= 80.0f + 1e-3f); /* top_db clip */
    vh_free(lm);
    free(a);
    /* one second of near-silence before the tone is trimmed */
    a = tone(300, 1.0, 1.0, 2, &n);
    VH_CHECK_OK(vh_ser_logmel(&c, a, n, &lm, &frames));
    VH_CHECK(frames >= 80 && frames <= 112);
    vh_free(lm);
    free(a);
    float one = 0.5f;
    VH_CHECK_INT_EQ(vh_ser_logmel(&c, &one, 1, &lm, &frames), VH_EEMPTY);
}

VH_TEST(model_round_trip) {
    vh_ser_config c = vh_ser_default_config();
    vh_ser *m = NULL;
    VH_CHECK_OK(vh_ser_new(&c, 7, &m));
    size_t np = vh_ser_param_count(m);
    VH_CHECK(np > 10000 && np <= 300000);
    size_t n;
    float *a = tone(220, 3.5, 0.2, 3, &n); /* longer than one 256-frame window */
    float p1[8], p2[8];
    VH_CHECK_OK(vh_ser_predict(m, a, n, p1));
    double s = 0;
    for (int k = 0; k < 8; k++) s += p1[k];
    VH_CHECK_NEAR(s, 1.0, 1e-4);
    const char *path = tmp("m.safetensors");
    VH_CHECK_OK(vh_ser_save(m, path, "{\"test\":1}", 0));
    VH_CHECK_INT_EQ(vh_ser_save(m, path, NULL, 0), VH_EEXIST);
    VH_CHECK(vh_ser_is_model_file(path));
    vh_ser *m2 = NULL;
    VH_CHECK_OK(vh_ser_load(path, &m2));
    if (m2) {
        VH_CHECK_OK(vh_ser_predict(m2, a, n, p2));
        for (int k = 0; k < 8; k++) VH_CHECK_NEAR(p1[k], p2[k], 1e-6);
        VH_CHECK_STR_EQ(vh_ser_get_config(m2)->labels[7], "surprised");
        VH_CHECK_INT_EQ(vh_ser_get_config(m2)->channels[3], 48);
    }
    vh_ser_free(m2);
    vh_ser_free(m);
    /* per-utterance mean normalisation is stored and used after loading */
    c.cmn = 1;
    VH_CHECK_OK(vh_ser_new(&c, 7, &m));
    VH_CHECK_OK(vh_ser_predict(m, a, n, p1));
    VH_CHECK_OK(vh_ser_save(m, tmp("cmn.safetensors"), NULL, 0));
    m2 = NULL;
    VH_CHECK_OK(vh_ser_load(tmp("cmn.safetensors"), &m2));
    if (m2) {
        VH_CHECK_INT_EQ(vh_ser_get_config(m2)->cmn, 1);
        VH_CHECK_OK(vh_ser_predict(m2, a, n, p2));
        for (int k = 0; k < 8; k++) VH_CHECK_NEAR(p1[k], p2[k], 1e-6);
    }
    vh_ser_free(m2);
    vh_ser_free(m);
    c.cmn = 2;
    VH_CHECK_INT_EQ(vh_ser_config_check(&c), VH_EINVAL);
    free(a);
}

/* Writes a model file with one change made by `edit` (0: none). */
static int write_variant(const char *path, int edit) {
    vh_ser_config c = vh_ser_default_config();
    vh_ser *m = NULL;
    if (vh_ser_new(&c, 1, &m)) return -1;
    const char *good = tmp("good.safetensors");
    unlink(good);
    int st = vh_ser_save(m, good, NULL, 1);
    vh_ser_free(m);
    if (st) return st;
    vh_safetensors *in = NULL;
    if ((st = vh_st_open(good, &in))) return st;
    vh_st_writer *w = NULL;
    vh_st_writer_new(&w);
    for (size_t i = 0; i < vh_st_meta_count(in); i++) {
        const char *k = vh_st_meta_key(in, i), *v = vh_st_meta(in, k);
        if (edit == 1 && !strcmp(k, "format")) v = "verhm-model-1";
        if (edit == 2 && !strcmp(k, "n_mels")) v = "64x";
        if (edit == 3 && !strcmp(k, "labels")) v = "[\"a\"]";
        if (edit == 4 && !strcmp(k, "rnn_hidden")) v = "100000";
        if (edit == 5 && !strcmp(k, "sample_rate")) continue;
        vh_st_writer_meta(w, k, v);
    }
    for (size_t i = 0; i < vh_st_count(in); i++) {
        const vh_st_tensor *t = vh_st_get(in, i);
        if (edit == 6 && !strcmp(t->name, "head.bias")) continue;
        float *d = malloc(t->numel * sizeof *d);
        vh_st_read_f32(in, t, d, t->numel);
        int64_t shape[8];
        for (int k = 0; k < t->ndim; k++) shape[k] = t->shape[k];
        int nd = t->ndim;
        if (edit == 7 && !strcmp(t->name, "head.weight")) {
            shape[0] = 4;
            shape[1] = t->shape[1] * 2;
        }
        if (edit == 8 && !strcmp(t->name, "head.bias")) d[0] = NAN;
        vh_st_writer_add_f32(w, t->name, d, nd, shape);
        free(d);
    }
    if (edit == 9) {
        float z = 0;
        int64_t one = 1;
        vh_st_writer_add_f32(w, "extra.weight", &z, 1, &one);
    }
    st = vh_st_writer_save(w, path, 1);
    vh_st_writer_free(w);
    vh_st_free(in);
    return st;
}

VH_TEST(model_validation) {
    static const struct { int edit, status; const char *needle; } cases[] = {
        {0, VH_OK, NULL},
        {1, VH_EFORMAT, "not a speech-emotion model"},
        {2, VH_EFORMAT, "n_mels"},
        {3, VH_EFORMAT, "labels"},
        {4, VH_EFORMAT, "rnn_hidden"},
        {5, VH_EFORMAT, "sample_rate"},
        {6, VH_EFORMAT, "head.bias"},
        {7, VH_EFORMAT, "head.weight"},
        {8, VH_EFORMAT, "NaN"},
        {9, VH_EFORMAT, "extra.weight"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = tmp("variant.safetensors");
        VH_CHECK_OK(write_variant(path, cases[i].edit));
        vh_ser *m = NULL;
        int st = vh_ser_load(path, &m);
        if (st != cases[i].status) VH_FAILMSG("edit %d: status %d, want %d (%s)", cases[i].edit, st, cases[i].status, vh_last_error());
        if (cases[i].needle && !strstr(vh_last_error(), cases[i].needle))
            VH_FAILMSG("edit %d: message \"%s\" lacks \"%s\"", cases[i].edit, vh_last_error(), cases[i].needle);
        if (cases[i].needle) VH_CHECK(strstr(vh_last_error(), "variant.safetensors") != NULL);
        VH_CHECK(st != VH_OK || m != NULL);
        vh_ser_free(m);
    }
    vh_ser *m = NULL;
    VH_CHECK_INT_EQ(vh_ser_load(tmp("missing.safetensors"), &m), VH_ENOTFOUND);
    FILE *f = fopen(tmp("junk.safetensors"), "wb");
    fputs("not a model at all", f);
    fclose(f);
    VH_CHECK(vh_ser_load(tmp("junk.safetensors"), &m) < 0);
    VH_CHECK(!vh_ser_is_model_file(tmp("junk.safetensors")));
}

VH_TEST(metrics) {
    int truth[] = {0, 0, 0, 0, 1, 1, 2, 2};
    int pred[] = {0, 0, 0, 1, 1, 0, 2, 2};
    vh_ser_eval e;
    vh_ser_eval_compute(3, truth, pred, 8, &e);
    VH_CHECK_NEAR(e.wa, 6.0 / 8, 1e-12);
    VH_CHECK_NEAR(e.ua, (0.75 + 0.5 + 1.0) / 3, 1e-12);
    VH_CHECK_INT_EQ(e.confusion[0][1], 1);
    VH_CHECK_INT_EQ(e.confusion[1][0], 1);
    VH_CHECK_INT_EQ(e.support[0], 4);
    VH_CHECK_NEAR(e.precision[0], 0.75, 1e-12);
    VH_CHECK_NEAR(e.f1[2], 1.0, 1e-12);
    /* a class without examples does not count in UA */
    vh_ser_eval_compute(4, truth, pred, 8, &e);
    VH_CHECK_NEAR(e.ua, (0.75 + 0.5 + 1.0) / 3, 1e-12);
    VH_CHECK(isnan(e.recall[3]));
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 0);
    vh_jw_object_begin(&w);
    vh_ser_eval_json(&e, &w);
    vh_jw_object_end(&w);
    vh_json *js = NULL;
    VH_CHECK_OK(vh_json_parse(b.data, b.len, &js));
    VH_CHECK_NEAR(vh_json_get_number(js, "wa", -1), 0.75, 1e-9);
    VH_CHECK(vh_json_get(js, "confusion") && vh_json_get(js, "confusion")->count == 4);
    vh_json_free(js);
    vh_buf_free(&b);
}

static void touch(const char *rel) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    char d[600];
    snprintf(d, sizeof d, "%s", p);
    *strrchr(d, '/') = 0;
    vh_mkdir_p(d);
    FILE *f = fopen(p, "wb");
    if (f) fclose(f);
}

VH_TEST(datasets) {
    touch("rav/Actor_01/03-01-01-01-01-01-01.flac");
    touch("rav/Actor_01/03-01-05-02-01-01-01.flac");
    touch("rav/Actor_02/03-01-08-01-01-01-02.wav");
    touch("rav/Actor_17/03-01-04-01-01-01-17.flac");
    touch("rav/Actor_17/readme.txt");
    vh_ser_dataset d, tr, va;
    VH_CHECK_OK(vh_ser_dataset_scan(tmp("rav"), &d));
    VH_CHECK_INT_EQ((long)d.n, 4);
    VH_CHECK_INT_EQ(d.n_classes, 8);
    if (d.n == 4) {
        VH_CHECK_INT_EQ(d.label[0], 0);
        VH_CHECK_INT_EQ(d.label[1], 4);
        VH_CHECK_INT_EQ(d.speaker[2], 2);
        VH_CHECK_INT_EQ(d.label[3], 3);
        int val[] = {17};
        VH_CHECK_OK(vh_ser_dataset_split_speakers(&d, val, 1, &tr, &va));
        VH_CHECK_INT_EQ((long)tr.n, 3);
        VH_CHECK_INT_EQ((long)va.n, 1);
        for (size_t i = 0; i < tr.n; i++) VH_CHECK(tr.speaker[i] != 17);
        vh_ser_dataset_free(&tr);
        vh_ser_dataset_free(&va);
        int none[] = {23};
        VH_CHECK_INT_EQ(vh_ser_dataset_split_speakers(&d, none, 1, &tr, &va), VH_EEMPTY);
    }
    vh_ser_dataset_free(&d);
    /* generic <Label>/ layout */
    touch("gen/sad/a.wav");
    touch("gen/sad/b.wav");
    touch("gen/happy/c.mp3");
    touch("gen/happy/d.flac");
    touch("gen/happy/e.flac");
    VH_CHECK_OK(vh_ser_dataset_scan(tmp("gen"), &d));
    VH_CHECK_INT_EQ(d.n_classes, 2);
    VH_CHECK_STR_EQ(d.labels[0], "happy");
    VH_CHECK_INT_EQ((long)d.n, 5);
    if (d.n == 5) {
        VH_CHECK_INT_EQ(d.speaker[0], -1);
        int val[] = {1};
        VH_CHECK_INT_EQ(vh_ser_dataset_split_speakers(&d, val, 1, &tr, &va), VH_EINVAL);
        VH_CHECK_OK(vh_ser_dataset_split_random(&d, 0.4, 3, &tr, &va));
        VH_CHECK_INT_EQ((long)(tr.n + va.n), 5);
        VH_CHECK(va.n >= 2);
        vh_ser_dataset_free(&tr);
        vh_ser_dataset_free(&va);
    }
    vh_ser_dataset_free(&d);
    /* mixed layouts and files too deep are errors naming the problem */
    touch("mixed/sad/03-01-04-01-01-01-17.wav");
    touch("mixed/sad/x.wav");
    VH_CHECK_INT_EQ(vh_ser_dataset_scan(tmp("mixed"), &d), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "RAVDESS") != NULL);
    touch("deep/a/b/c.wav");
    touch("deep/z/d.wav");
    VH_CHECK_INT_EQ(vh_ser_dataset_scan(tmp("deep"), &d), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_ser_dataset_scan(tmp("nope"), &d), VH_ENOTFOUND);
    touch("empty/x.txt");
    VH_CHECK_INT_EQ(vh_ser_dataset_scan(tmp("empty"), &d), VH_EFORMAT);
}

/* Synthetic task: 3 classes = tones at 150, 300 and 600 Hz of random length. */
static void make_set(const vh_ser_config *c, int per_class, uint64_t seed, vh_ser_features *f, int *labels) {
    memset(f, 0, sizeof *f);
    int K = 3;
    f->n = (size_t)(per_class * K);
    f->n_speeds = 1;
    f->n_mels = c->n_mels;
    f->feats = calloc(f->n, sizeof *f->feats);
    f->frames = calloc(f->n, sizeof *f->frames);
    vh_rng r;
    vh_rng_seed(&r, seed);
    static const double freq[3] = {150, 300, 600};
    for (size_t i = 0; i < f->n; i++) {
        int k = (int)(i % (size_t)K);
        size_t n;
        double jitter = 1.0 + 0.1 * (vh_rng_uniform(&r) - 0.5);
        float *x = tone(freq[k] * jitter, 0.3 + 0.5 * vh_rng_uniform(&r), 0.1, seed * 1000 + i, &n);
        vh_ser_logmel(c, x, n, &f->feats[i], &f->frames[i]);
        free(x);
        labels[i] = k;
    }
}

static int count_epochs(const vh_ser_epoch_status *s, void *user) {
    int *n = user;
    (*n)++;
    return s->epoch < 0;
}

VH_TEST(synthetic_training) {
    vh_ser_config c = tiny_config(3);
    vh_ser_features tr, va;
    int ltr[24], lva[12];
    make_set(&c, 8, 11, &tr, ltr);
    make_set(&c, 4, 12, &va, lva);
    vh_ser_train_params p = vh_ser_train_default_params();
    p.epochs = 12;
    p.batch = 8;
    p.lr = 5e-3f;
    p.patience = 12;
    p.speed = 0; /* one speed only in these features */
    vh_ser *m = NULL, *m2 = NULL;
    VH_CHECK_OK(vh_ser_new(&c, 1, &m));
    vh_ser_train_result res;
    int calls = 0;
    VH_CHECK_OK(vh_ser_train(m, &tr, ltr, &va, lva, &p, count_epochs, &calls, &res));
    VH_CHECK(calls >= 1 && calls == res.epochs_run);
    VH_CHECK(res.best_ua >= 0.9);
    vh_ser_eval e;
    VH_CHECK_OK(vh_ser_evaluate_features(m, &va, lva, &e));
    VH_CHECK_NEAR(e.ua, res.best_ua, 1e-9);
    /* normalisation was learned from the data (log-mel dB, far from the defaults) */
    VH_CHECK(fabsf(vh_ser_get_config(m)->feat_mean + 50.0f) > 0.01f);

    /* determinism: the same seed gives the same model */
    VH_CHECK_OK(vh_ser_new(&c, 1, &m2));
    vh_ser_train_result res2;
    VH_CHECK_OK(vh_ser_train(m2, &tr, ltr, &va, lva, &p, NULL, NULL, &res2));
    VH_CHECK_INT_EQ(res.best_epoch, res2.best_epoch);
    float p1[3], p2[3];
    VH_CHECK_OK(vh_ser_predict_logmel(m, va.feats[0], va.frames[0], p1));
    VH_CHECK_OK(vh_ser_predict_logmel(m2, va.feats[0], va.frames[0], p2));
    for (int k = 0; k < 3; k++) VH_CHECK(p1[k] == p2[k]);
    vh_ser_free(m2);

    /* checkpoint + resume: 3 epochs, then continue to 5 (only 2 more run) */
    const char *ck = tmp("ck.safetensors"), *best = tmp("best.safetensors");
    unlink(ck);
    p.epochs = 3;
    p.checkpoint = ck;
    p.best_path = best;
    VH_CHECK_OK(vh_ser_new(&c, 1, &m2));
    VH_CHECK_OK(vh_ser_train(m2, &tr, ltr, &va, lva, &p, NULL, NULL, &res2));
    vh_ser_free(m2);
    p.epochs = 5;
    p.resume = 1;
    calls = 0;
    VH_CHECK_OK(vh_ser_new(&c, 1, &m2));
    VH_CHECK_OK(vh_ser_train(m2, &tr, ltr, &va, lva, &p, count_epochs, &calls, &res2));
    VH_CHECK_INT_EQ(calls, 2);
    VH_CHECK_INT_EQ(res2.epochs_run, 5);
    vh_ser *lb = NULL;
    VH_CHECK_OK(vh_ser_load(best, &lb));
    vh_ser_free(lb);
    vh_ser_free(m2);
    /* a checkpoint of another architecture is refused */
    vh_ser_config c2 = c;
    c2.rnn_hidden = 12;
    VH_CHECK_OK(vh_ser_new(&c2, 1, &m2));
    VH_CHECK_INT_EQ(vh_ser_train(m2, &tr, ltr, &va, lva, &p, NULL, NULL, &res2), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "architecture") != NULL);
    vh_ser_free(m2);
    /* bad parameters */
    p.resume = 0;
    p.checkpoint = NULL;
    p.best_path = NULL;
    p.batch = 0;
    VH_CHECK_INT_EQ(vh_ser_train(m, &tr, ltr, &va, lva, &p, NULL, NULL, &res2), VH_EINVAL);
    vh_ser_free(m);
    vh_ser_features_free(&tr);
    vh_ser_features_free(&va);
}

/* Mixup: convex mixtures with another example of the batch, own weight >= 1/2,
 * targets still distributions, the longer length, deterministic per seed. */
VH_TEST(mixup_batch) {
    enum { NB = 6, XS = 10, K = 3 };
    float x[NB * XS], y[NB * K], len[NB], x0[NB * XS], y0[NB * K], len0[NB];
    float xs[NB * XS], ys[NB * K], ls[NB];
    for (int b = 0; b < NB; b++) {
        for (int i = 0; i < XS; i++) x0[b * XS + i] = (float)(100 * b + i);
        for (int k = 0; k < K; k++) y0[b * K + k] = k == b % K ? 1.0f : 0.0f;
        len0[b] = (float)(2 + b);
    }
    memcpy(x, x0, sizeof x);
    memcpy(y, y0, sizeof y);
    memcpy(len, len0, sizeof len);
    vh__ser_mixup(x, y, len, NB, XS, K, 0.4f, 99, xs, ys, ls);
    int mixed = 0;
    for (int b = 0; b < NB; b++) {
        /* recover the partner j and lambda from element 0 (x0 differ by 100 per example) */
        double sum = 0;
        for (int k = 0; k < K; k++) sum += y[b * K + k];
        VH_CHECK_NEAR(sum, 1.0, 1e-5);
        VH_CHECK(y[b * K + b % K] >= 0.5f - 1e-6f);
        int found = 0;
        for (int j = 0; j < NB; j++) {
            if (j == b) continue;
            double lam = (x[b * XS] - x0[j * XS]) / (x0[b * XS] - x0[j * XS]);
            if (!(lam >= 0.5 - 1e-4 && lam <= 1 + 1e-4)) continue;
            int ok = 1;
            for (int i = 0; i < XS; i++)
                ok &= fabs(x[b * XS + i] - (lam * x0[b * XS + i] + (1 - lam) * x0[j * XS + i])) < 1e-2;
            if (ok && fabsf(len[b] - (len0[b] > len0[j] ? len0[b] : len0[j])) < 1e-6f) found = 1;
            if (ok && lam < 0.999) mixed++;
        }
        VH_CHECK(found);
    }
    VH_CHECK(mixed >= 1);
    /* same seed, same result; alpha 0 leaves the batch alone */
    float x2[NB * XS], y2[NB * K], len2[NB];
    memcpy(x2, x0, sizeof x2);
    memcpy(y2, y0, sizeof y2);
    memcpy(len2, len0, sizeof len2);
    vh__ser_mixup(x2, y2, len2, NB, XS, K, 0.4f, 99, xs, ys, ls);
    VH_CHECK(!memcmp(x, x2, sizeof x) && !memcmp(y, y2, sizeof y));
    memcpy(x2, x0, sizeof x2);
    vh__ser_mixup(x2, y2, len2, NB, XS, K, 0.0f, 99, xs, ys, ls);
    VH_CHECK(!memcmp(x2, x0, sizeof x2));
}

/* Ensembles: probabilities are the members' mean, files round-trip and are
 * validated, members must match, ensembles are not trainable. */
VH_TEST(ensemble) {
    vh_ser_config c = tiny_config(3);
    vh_ser *a = NULL, *b = NULL, *e = NULL, *e2 = NULL;
    VH_CHECK_OK(vh_ser_new(&c, 7, &a));
    VH_CHECK_OK(vh_ser_new(&c, 8, &b));
    size_t n;
    float *x = tone(300, 1.5, 0.1, 5, &n); /* longer than one 64-frame window */
    float pa[3], pb[3], pe[3], pe2[3];
    VH_CHECK_OK(vh_ser_predict(a, x, n, pa));
    VH_CHECK_OK(vh_ser_predict(b, x, n, pb));
    VH_CHECK(fabsf(pa[0] - pb[0]) > 1e-6f); /* different seeds, different models */
    vh_ser *ms[2] = {a, b};
    VH_CHECK_INT_EQ(vh_ser_ensemble(ms, 1, &e), VH_EINVAL);
    VH_CHECK_OK(vh_ser_ensemble(ms, 2, &e));
    if (!e) {
        vh_ser_free(a);
        vh_ser_free(b);
        free(x);
        return;
    }
    VH_CHECK_INT_EQ(vh_ser_member_count(e), 2);
    VH_CHECK_INT_EQ(vh_ser_member_count(a), 1);
    VH_CHECK(vh_ser_param_count(e) == 2 * vh_ser_param_count(a));
    VH_CHECK_OK(vh_ser_predict(e, x, n, pe));
    for (int k = 0; k < 3; k++) VH_CHECK_NEAR(pe[k], 0.5 * (pa[k] + pb[k]), 1e-6);
    /* file round trip */
    const char *path = tmp("ens.safetensors");
    VH_CHECK_OK(vh_ser_save(e, path, NULL, 1));
    VH_CHECK(vh_ser_is_model_file(path));
    VH_CHECK_OK(vh_ser_load(path, &e2));
    if (e2) {
        VH_CHECK_INT_EQ(vh_ser_member_count(e2), 2);
        VH_CHECK_OK(vh_ser_predict(e2, x, n, pe2));
        for (int k = 0; k < 3; k++) VH_CHECK_NEAR(pe2[k], pe[k], 1e-6);
    }
    /* evaluation over features uses the average too */
    vh_ser_features va;
    int lva[12];
    make_set(&c, 4, 12, &va, lva);
    int agree = 1;
    for (size_t i = 0; i < va.n; i++) {
        float q[3], qa[3], qb[3];
        VH_CHECK_OK(vh_ser_predict_logmel(e2 ? e2 : e, va.feats[i], va.frames[i], q));
        vh_ser_predict_logmel(a, va.feats[i], va.frames[i], qa);
        vh_ser_predict_logmel(b, va.feats[i], va.frames[i], qb);
        for (int k = 0; k < 3; k++) agree &= fabsf(q[k] - 0.5f * (qa[k] + qb[k])) < 1e-5f;
    }
    VH_CHECK(agree);
    vh_ser_eval ev, ev2;
    VH_CHECK_OK(vh_ser_evaluate_features(e, &va, lva, &ev));
    int truth[12], pred[12];
    for (size_t i = 0; i < va.n; i++) {
        float q[3];
        vh_ser_predict_logmel(e, va.feats[i], va.frames[i], q);
        truth[i] = lva[i];
        pred[i] = q[1] > q[0] ? (q[2] > q[1] ? 2 : 1) : (q[2] > q[0] ? 2 : 0);
    }
    vh_ser_eval_compute(3, truth, pred, va.n, &ev2);
    VH_CHECK_NEAR(ev.ua, ev2.ua, 1e-12);
    /* not trainable */
    vh_ser_train_params p = vh_ser_train_default_params();
    p.speed = 0;
    vh_ser_train_result res;
    VH_CHECK_INT_EQ(vh_ser_train(e, &va, lva, &va, lva, &p, NULL, NULL, &res), VH_EINVAL);
    VH_CHECK(strstr(vh_last_error(), "ensemble") != NULL);
    /* nested ensembles, another architecture, another normalisation */
    vh_ser *bad[2] = {e, a}, *x2 = NULL;
    VH_CHECK_INT_EQ(vh_ser_ensemble(bad, 2, &x2), VH_EINVAL);
    vh_ser_config c2 = c;
    c2.rnn_hidden = 12;
    vh_ser *o = NULL;
    VH_CHECK_OK(vh_ser_new(&c2, 1, &o));
    bad[0] = a;
    bad[1] = o;
    VH_CHECK_INT_EQ(vh_ser_ensemble(bad, 2, &x2), VH_EINVAL);
    VH_CHECK(strstr(vh_last_error(), "member 2") != NULL);
    vh_ser_free(o);
    c2 = c;
    c2.feat_mean = -30.0f;
    VH_CHECK_OK(vh_ser_new(&c2, 1, &o));
    bad[1] = o;
    VH_CHECK_INT_EQ(vh_ser_ensemble(bad, 2, &x2), VH_EINVAL);
    VH_CHECK(strstr(vh_last_error(), "normalised") != NULL);
    vh_ser_free(o);
    VH_CHECK(x2 == NULL);

    /* damaged ensemble files: bad member count, a missing and an extra tensor */
    for (int edit = 1; edit <= 4; edit++) {
        vh_safetensors *in = NULL;
        VH_CHECK_OK(vh_st_open(path, &in));
        if (!in) break;
        vh_st_writer *w = NULL;
        vh_st_writer_new(&w);
        for (size_t i = 0; i < vh_st_meta_count(in); i++) {
            const char *k = vh_st_meta_key(in, i), *v = vh_st_meta(in, k);
            if (!strcmp(k, "members") && edit == 1) v = "1";
            if (!strcmp(k, "members") && edit == 2) v = "3";
            vh_st_writer_meta(w, k, v);
        }
        float **keep = calloc(vh_st_count(in) + 1, sizeof *keep);
        for (size_t i = 0; i < vh_st_count(in); i++) {
            const vh_st_tensor *t = vh_st_get(in, i);
            if (edit == 3 && !strcmp(t->name, "m1.head.bias")) continue;
            keep[i] = malloc(t->numel * sizeof(float));
            vh_st_read_f32(in, t, keep[i], t->numel);
            int64_t shape[8];
            for (int k = 0; k < t->ndim; k++) shape[k] = t->shape[k];
            vh_st_writer_add_f32(w, t->name, keep[i], t->ndim, shape);
        }
        float z = 0;
        int64_t one = 1;
        if (edit == 4) vh_st_writer_add_f32(w, "m2.head.bias", &z, 1, &one);
        const char *bp = tmp("ens_bad.safetensors");
        VH_CHECK_OK(vh_st_writer_save(w, bp, 1));
        vh_st_writer_free(w);
        for (size_t i = 0; i < vh_st_count(in); i++) free(keep[i]);
        free(keep);
        vh_st_free(in);
        vh_ser *m = NULL;
        int st = vh_ser_load(bp, &m);
        if (st != VH_EFORMAT) VH_FAILMSG("ensemble edit %d: status %d (%s)", edit, st, vh_last_error());
        static const char *const needle[5] = {"", "members", "m2.", "m1.head.bias", "tensors"};
        if (!strstr(vh_last_error(), needle[edit])) VH_FAILMSG("ensemble edit %d: message \"%s\"", edit, vh_last_error());
        VH_CHECK(m == NULL);
        vh_ser_free(m);
    }
    vh_ser_features_free(&va);
    vh_ser_free(e2);
    vh_ser_free(e);
    vh_ser_free(a);
    vh_ser_free(b);
    free(x);
}

static int record_ua(const vh_ser_epoch_status *s, void *user) {
    double *last = user;
    last[0] = s->val_ua;
    last[1] = s->epoch;
    return 0;
}

/* select_last: the last epoch's weights, no early stopping, even with patience 1. */
VH_TEST(select_last) {
    vh_ser_config c = tiny_config(3);
    vh_ser_features tr, va;
    int ltr[24], lva[12];
    make_set(&c, 8, 11, &tr, ltr);
    make_set(&c, 4, 12, &va, lva);
    vh_ser_train_params p = vh_ser_train_default_params();
    p.epochs = 4;
    p.batch = 8;
    p.lr = 5e-3f;
    p.patience = 1;
    p.speed = 0;
    p.select_last = 1;
    p.mixup = 0.4f;
    vh_ser *m = NULL;
    VH_CHECK_OK(vh_ser_new(&c, 1, &m));
    vh_ser_train_result res;
    double last[2] = {-1, -1};
    VH_CHECK_OK(vh_ser_train(m, &tr, ltr, &va, lva, &p, record_ua, last, &res));
    VH_CHECK_INT_EQ(res.epochs_run, 4);
    VH_CHECK_INT_EQ(res.best_epoch, 4);
    VH_CHECK(!res.stopped_early);
    VH_CHECK_NEAR(last[1], 4, 0);
    vh_ser_eval ev;
    VH_CHECK_OK(vh_ser_evaluate_features(m, &va, lva, &ev));
    VH_CHECK_NEAR(ev.ua, last[0], 1e-12);
    VH_CHECK_NEAR(res.best_ua, last[0], 1e-12);
    p.mixup = -1;
    VH_CHECK_INT_EQ(vh_ser_train(m, &tr, ltr, &va, lva, &p, NULL, NULL, &res), VH_EINVAL);
    vh_ser_free(m);
    vh_ser_features_free(&tr);
    vh_ser_features_free(&va);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vh_test_ser_XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    vh_threads_set(2);
    VH_RUN(config_checks);
    VH_RUN(speed_and_features);
    VH_RUN(model_round_trip);
    VH_RUN(model_validation);
    VH_RUN(metrics);
    VH_RUN(datasets);
    VH_RUN(synthetic_training);
    VH_RUN(mixup_batch);
    VH_RUN(ensemble);
    VH_RUN(select_last);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) printf("warning: could not remove %s\n", tmpdir);
    return vh_test_summary();
}
