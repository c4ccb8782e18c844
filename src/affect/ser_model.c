/* Speech-emotion model: configuration, log-mel features, the CRNN graph,
 * model files (verhm-ser-1) and inference. See verhm/ser.h. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/ser.h"

#include "core/internal.h"
#include "verhm/dsp.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ser_internal.h"

const char *const vh_ser_ravdess_labels[VH_SER_RAVDESS_COUNT] = {
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"};

vh_ser_config vh_ser_default_config(void) {
    vh_ser_config c;
    memset(&c, 0, sizeof c);
    c.sample_rate = 16000;
    c.n_fft = 512;
    c.win_length = 400;
    c.hop = 160;
    c.n_mels = 64;
    c.fmin = 20.0;
    c.fmax = 8000.0;
    c.top_db = 80.0;
    c.trim_db = 40.0;
    c.feat_mean = -50.0f;
    c.feat_std = 20.0f;
    c.max_frames = 256;
    c.channels[0] = 8;
    c.channels[1] = 16;
    c.channels[2] = 32;
    c.channels[3] = 48;
    c.rnn_hidden = 48;
    c.att = 32;
    c.dropout = 0.3f;
    c.n_classes = VH_SER_RAVDESS_COUNT;
    for (int i = 0; i < VH_SER_RAVDESS_COUNT; i++)
        snprintf(c.labels[i], VH_SER_LABEL_MAX, "%s", vh_ser_ravdess_labels[i]);
    return c;
}

int vh_ser_config_check(const vh_ser_config *c) {
#define BAD(...) return vh__fail(NULL, VH_EINVAL, __VA_ARGS__)
    if (!c) BAD("ser config: NULL");
    if (c->sample_rate < 8000 || c->sample_rate > 48000) BAD("ser config: sample_rate %d outside 8000..48000", c->sample_rate);
    if (c->n_fft < 64 || c->n_fft > 4096) BAD("ser config: n_fft %d outside 64..4096", c->n_fft);
    if (c->win_length < 16 || c->win_length > c->n_fft) BAD("ser config: win_length %d outside 16..n_fft", c->win_length);
    if (c->hop < 1 || c->hop > c->n_fft) BAD("ser config: hop %d outside 1..n_fft", c->hop);
    if (c->n_mels < 16 || c->n_mels > 128 || c->n_mels % 16) BAD("ser config: n_mels %d not a multiple of 16 in 16..128", c->n_mels);
    if (!(c->fmin >= 0) || !(c->fmax > c->fmin) || c->fmax > c->sample_rate / 2.0)
        BAD("ser config: fmin/fmax %g/%g invalid", c->fmin, c->fmax);
    if (!(c->top_db > 0 && c->top_db <= 200)) BAD("ser config: top_db %g outside (0, 200]", c->top_db);
    if (!(c->trim_db > 0 && c->trim_db <= 200)) BAD("ser config: trim_db %g outside (0, 200]", c->trim_db);
    if (c->cmn != 0 && c->cmn != 1) BAD("ser config: cmn %d is not 0 or 1", c->cmn);
    if (!isfinite(c->feat_mean) || !(c->feat_std > 1e-3f && c->feat_std < 1e4f))
        BAD("ser config: normalisation mean %g / std %g invalid", (double)c->feat_mean, (double)c->feat_std);
    if (c->max_frames < 32 || c->max_frames > 2048 || c->max_frames % 16)
        BAD("ser config: max_frames %d not a multiple of 16 in 32..2048", c->max_frames);
    for (int i = 0; i < 4; i++)
        if (c->channels[i] < 1 || c->channels[i] > 256) BAD("ser config: channels[%d] = %d outside 1..256", i, c->channels[i]);
    if (c->rnn_hidden < 4 || c->rnn_hidden > 512) BAD("ser config: rnn_hidden %d outside 4..512", c->rnn_hidden);
    if (c->att < 4 || c->att > 512) BAD("ser config: attention %d outside 4..512", c->att);
    if (!(c->dropout >= 0 && c->dropout <= 0.9f)) BAD("ser config: dropout %g outside [0, 0.9]", (double)c->dropout);
    if (c->n_classes < 2 || c->n_classes > VH_SER_MAX_CLASSES)
        BAD("ser config: %d classes outside 2..%d", c->n_classes, VH_SER_MAX_CLASSES);
    for (int i = 0; i < c->n_classes; i++) {
        size_t len = strnlen(c->labels[i], VH_SER_LABEL_MAX);
        if (len == 0 || len >= VH_SER_LABEL_MAX) BAD("ser config: label %d empty or too long", i);
        for (int j = 0; j < i; j++)
            if (!strcmp(c->labels[i], c->labels[j])) BAD("ser config: label \"%s\" twice", c->labels[i]);
    }
#undef BAD
    return VH_OK;
}

/* ---- features ----------------------------------------------------------- */

static vh_features_params feature_params(const vh_ser_config *c) {
    vh_features_params p = vh_features_default_params();
    p.sr = c->sample_rate;
    p.n_fft = c->n_fft;
    p.win_length = c->win_length;
    p.hop = c->hop;
    p.window = VH_WINDOW_HANN;
    p.center = 1;
    p.pad_mode = VH_PAD_REFLECT;
    p.power = 2.0;
    p.n_mels = c->n_mels;
    p.fmin = c->fmin;
    p.fmax = c->fmax;
    p.htk = 0;
    p.slaney_norm = 1;
    p.ref = 1.0;
    p.amin = 1e-10;
    p.top_db = c->top_db;
    return p;
}

int vh_ser_logmel(const vh_ser_config *c, const float *x, size_t n, float **out, size_t *frames) {
    *out = NULL;
    *frames = 0;
    int st = vh_ser_config_check(c);
    if (st) return st;
    if (!x || n < 2) return vh__fail(NULL, VH_EEMPTY, "speech features: %zu samples (need at least 2)", n);
    vh_features_params fp = feature_params(c);
    vh_features *h = NULL;
    st = vh_features_new(&fp, &h);
    if (st) return st;
    float *lm = NULL;
    size_t T = 0;
    st = vh_features_logmel(h, x, n, &lm, &T);
    vh_features_free(h);
    if (st) return st;
    int M = c->n_mels;
    /* frame loudness: dB of the summed mel power */
    double best = -1e30;
    double *loud = malloc(T * sizeof *loud);
    if (!loud) {
        vh_free(lm);
        return vh__fail(NULL, VH_ENOMEM, "speech features: out of memory");
    }
    for (size_t t = 0; t < T; t++) {
        double s = 0;
        for (int k = 0; k < M; k++) s += pow(10.0, lm[t * M + k] / 10.0);
        loud[t] = 10.0 * log10(s + 1e-20);
        if (loud[t] > best) best = loud[t];
    }
    size_t a = 0, b = T;
    while (a < T && loud[a] < best - c->trim_db) a++;
    while (b > a && loud[b - 1] < best - c->trim_db) b--;
    free(loud);
    if (a >= b) {
        vh_free(lm);
        return vh__fail(NULL, VH_EEMPTY, "speech features: no frame left after trimming");
    }
    a = a > 5 ? a - 5 : 0;
    b = b + 5 < T ? b + 5 : T;
    if (a > 0) memmove(lm, lm + a * (size_t)M, (b - a) * (size_t)M * sizeof *lm);
    *out = lm;
    *frames = b - a;
    return VH_OK;
}

int vh_ser_speed(const float *x, size_t n, double factor, float **out, size_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (!(factor >= 0.5 && factor <= 2.0)) return vh__fail(NULL, VH_EINVAL, "speed factor %g outside [0.5, 2]", factor);
    if (!x || n == 0) return vh__fail(NULL, VH_EEMPTY, "speed perturbation: no samples");
    size_t m = (size_t)floor((double)(n - 1) / factor) + 1;
    float *y = malloc(m * sizeof *y);
    if (!y) return vh__fail(NULL, VH_ENOMEM, "speed perturbation: out of memory");
    for (size_t i = 0; i < m; i++) {
        double pos = (double)i * factor;
        size_t j = (size_t)pos;
        if (j >= n - 1) {
            y[i] = x[n - 1];
            continue;
        }
        double f = pos - (double)j;
        y[i] = (float)((1.0 - f) * x[j] + f * x[j + 1]);
    }
    *out = y;
    *n_out = m;
    return VH_OK;
}

/* ---- graph ------------------------------------------------------------- */

static int build_graph(vh_ser *m, int max_batch) {
    const vh_ser_config *c = &m->cfg;
    vh_nn_graph *g = NULL;
    int st = vh_nn_graph_new(&g);
    if (st) return st;
    int dims[3] = {1, c->n_mels, c->max_frames};
    int x = vh_nn_input(g, "x", 3, dims);
    int len = vh_nn_lengths(g, "len");
    int h = x;
    char name[32];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "conv%d", i + 1);
        h = vh_nn_conv2d(g, name, h, c->channels[i], 3, 1, 1, 1, 1, 0);
        snprintf(name, sizeof name, "bn%d", i + 1);
        h = vh_nn_batchnorm(g, name, h, 1e-5f, 0.1f);
        h = vh_nn_relu(g, h);
        h = vh_nn_maxpool(g, h, 2, 2, 0);
    }
    /* [C, mels/16, T/16] -> [T/16, C*mels/16] */
    h = vh_nn_to_sequence(g, h);
    h = vh_nn_gru(g, "gru", h, len, c->rnn_hidden, 1, 1);
    h = vh_nn_attention_pool(g, "att", h, len, c->att);
    h = vh_nn_dropout(g, h, c->dropout);
    int logits = vh_nn_dense(g, "head", h, c->n_classes, 1);
    int tdims[1] = {c->n_classes};
    int y = vh_nn_input(g, "y", 1, tdims);
    int loss = vh_nn_softmax_xent(g, logits, y, m->smoothing);
    int probs = vh_nn_softmax(g, logits);
    if (probs < 0 || loss < 0) {
        int e = probs < 0 ? probs : loss;
        vh__fail(NULL, e, "ser model: %s", vh_nn_graph_error(g));
        vh_nn_graph_free(g);
        return e;
    }
    st = vh_nn_graph_compile(g, max_batch);
    if (st) {
        vh__fail(NULL, st, "ser model: %s", vh_nn_graph_error(g));
        vh_nn_graph_free(g);
        return st;
    }
    m->g = g;
    m->x = x;
    m->len = len;
    m->y = y;
    m->logits = logits;
    m->loss = loss;
    m->probs = probs;
    m->max_batch = max_batch;
    return VH_OK;
}

/* The loss node's label smoothing is fixed at build time; training rebuilds
 * with its own smoothing (see ser_train.c) through vh__ser_rebuild. */
int vh__ser_rebuild(vh_ser *m, int max_batch, float smoothing) {
    /* keep parameters: copy them out, rebuild, copy back */
    int np = vh_nn_param_count(m->g);
    float **saved = calloc((size_t)np, sizeof *saved);
    if (!saved) return vh__fail(NULL, VH_ENOMEM, "ser model: out of memory");
    int st = VH_OK;
    for (int i = 0; i < np && !st; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        saved[i] = malloc(p->t->size * sizeof(float));
        if (!saved[i]) st = vh__fail(NULL, VH_ENOMEM, "ser model: out of memory");
        else memcpy(saved[i], p->t->data, p->t->size * sizeof(float));
    }
    vh_nn_graph *old = m->g;
    if (!st) {
        m->g = NULL;
        m->smoothing = smoothing;
        st = build_graph(m, max_batch);
        if (st) m->g = old;
    }
    if (!st) {
        for (int i = 0; i < np; i++) {
            const vh_nn_param *p = vh_nn_param_get(old, i);
            const vh_nn_param *q = vh_nn_param_find(m->g, p->name);
            if (q && q->t->size == p->t->size) memcpy(q->t->data, saved[i], p->t->size * sizeof(float));
        }
        vh_nn_graph_free(old);
    }
    for (int i = 0; i < np; i++) free(saved[i]);
    free(saved);
    return st;
}

int vh_ser_new(const vh_ser_config *c, uint64_t seed, vh_ser **out) {
    *out = NULL;
    int st = vh_ser_config_check(c);
    if (st) return st;
    vh_ser *m = calloc(1, sizeof *m);
    if (!m) return vh__fail(NULL, VH_ENOMEM, "ser model: out of memory");
    m->cfg = *c;
    m->n_members = 1;
    m->current = 0;
    st = build_graph(m, 1);
    if (st) {
        free(m);
        return st;
    }
    vh_nn_graph_init_params(m->g, seed);
    vh_nn_set_training(m->g, 0);
    *out = m;
    return VH_OK;
}

void vh_ser_free(vh_ser *m) {
    if (!m) return;
    if (m->members)
        for (int k = 0; k < m->n_members; k++) free(m->members[k]);
    free(m->members);
    vh_nn_graph_free(m->g);
    free(m);
}

const vh_ser_config *vh_ser_get_config(const vh_ser *m) { return &m->cfg; }
size_t vh_ser_param_count(const vh_ser *m) { return vh_nn_param_scalars(m->g) * (size_t)m->n_members; }
int vh_ser_member_count(const vh_ser *m) { return m->n_members; }

int vh__ser_same_arch(const vh_ser_config *a, const vh_ser_config *b) {
    if (a->sample_rate != b->sample_rate || a->n_fft != b->n_fft || a->win_length != b->win_length || a->hop != b->hop ||
        a->n_mels != b->n_mels || a->max_frames != b->max_frames || a->rnn_hidden != b->rnn_hidden || a->att != b->att ||
        a->n_classes != b->n_classes || a->cmn != b->cmn)
        return 0;
    if (fabs(a->fmin - b->fmin) > 1e-6 || fabs(a->fmax - b->fmax) > 1e-6 || fabs(a->top_db - b->top_db) > 1e-6 ||
        fabs(a->trim_db - b->trim_db) > 1e-6 || fabsf(a->dropout - b->dropout) > 1e-6f)
        return 0;
    for (int i = 0; i < 4; i++)
        if (a->channels[i] != b->channels[i]) return 0;
    for (int k = 0; k < a->n_classes; k++)
        if (strcmp(a->labels[k], b->labels[k])) return 0;
    return 1;
}

/* Scalars of one parameter set (every vh_nn_param, buffers included). */
static size_t flat_size(const vh_ser *m) {
    size_t n = 0;
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np; i++) n += vh_nn_param_get(m->g, i)->t->size;
    return n;
}

static void flat_get(const vh_ser *m, float *dst) {
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        memcpy(dst, p->t->data, p->t->size * sizeof *dst);
        dst += p->t->size;
    }
}

void vh__ser_use_member(vh_ser *m, int k) {
    if (m->n_members < 2 || k == m->current) return;
    const float *src = m->members[k];
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        memcpy(p->t->data, src, p->t->size * sizeof *src);
        src += p->t->size;
    }
    m->current = k;
}

/* Turns a single model into an ensemble of n (uninitialised) sets. */
static int alloc_members(vh_ser *m, int n) {
    size_t fs = flat_size(m);
    m->members = calloc((size_t)n, sizeof *m->members);
    if (!m->members) return vh__fail(NULL, VH_ENOMEM, "ser ensemble: out of memory");
    m->n_members = n;
    m->current = -1;
    for (int k = 0; k < n; k++) {
        m->members[k] = malloc(fs * sizeof(float));
        if (!m->members[k]) return vh__fail(NULL, VH_ENOMEM, "ser ensemble: out of memory");
    }
    return VH_OK;
}

int vh_ser_ensemble(vh_ser *const *models, int n, vh_ser **out) {
    *out = NULL;
    if (!models || n < 2 || n > VH_SER_MAX_MEMBERS)
        return vh__fail(NULL, VH_EINVAL, "ser ensemble: %d models (need 2..%d)", n, VH_SER_MAX_MEMBERS);
    const vh_ser_config *c0 = &models[0]->cfg;
    for (int k = 0; k < n; k++) {
        const vh_ser_config *c = &models[k]->cfg;
        if (models[k]->n_members != 1) return vh__fail(NULL, VH_EINVAL, "ser ensemble: member %d is itself an ensemble", k + 1);
        if (!vh__ser_same_arch(c, c0))
            return vh__fail(NULL, VH_EINVAL, "ser ensemble: member %d has another architecture, features or labels than member 1", k + 1);
        if (fabsf(c->feat_mean - c0->feat_mean) > 1e-3f * (1.0f + fabsf(c0->feat_mean)) ||
            fabsf(c->feat_std - c0->feat_std) > 1e-3f * c0->feat_std)
            return vh__fail(NULL, VH_EINVAL,
                            "ser ensemble: member %d was normalised differently (mean %g / std %g against %g / %g): train the members "
                            "on the same files",
                            k + 1, (double)c->feat_mean, (double)c->feat_std, (double)c0->feat_mean, (double)c0->feat_std);
    }
    vh_ser *m = NULL;
    int st = vh_ser_new(c0, 0, &m);
    if (!st) st = alloc_members(m, n);
    for (int k = 0; k < n && !st; k++) flat_get(models[k], m->members[k]);
    if (st) {
        vh_ser_free(m);
        return st;
    }
    vh__ser_use_member(m, 0);
    *out = m;
    return VH_OK;
}

/* ---- model files ------------------------------------------------------- */

int vh__ser_add_params(const vh_ser *m, vh_st_writer *w, const char *prefix) {
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        int64_t shape[VH_NN_MAX_DIMS];
        for (int d = 0; d < p->t->ndim; d++) shape[d] = p->t->shape[d];
        char name[160];
        snprintf(name, sizeof name, "%s%s", prefix ? prefix : "", p->name);
        int st = vh_st_writer_add_f32(w, name, p->t->data, p->t->ndim, shape);
        if (st) return st;
    }
    return VH_OK;
}

int vh__ser_write_meta(const vh_ser *m, vh_st_writer *w) {
    const vh_ser_config *c = &m->cfg;
    char v[64];
    int st = vh_st_writer_meta(w, "format", VH_SER_FORMAT);
#define META_I(key, val) if (!st) { snprintf(v, sizeof v, "%d", (int)(val)); st = vh_st_writer_meta(w, key, v); }
#define META_D(key, val) if (!st) { snprintf(v, sizeof v, "%.9g", (double)(val)); st = vh_st_writer_meta(w, key, v); }
    META_I("sample_rate", c->sample_rate);
    META_I("n_fft", c->n_fft);
    META_I("win_length", c->win_length);
    META_I("hop", c->hop);
    META_I("n_mels", c->n_mels);
    META_D("fmin", c->fmin);
    META_D("fmax", c->fmax);
    META_D("top_db", c->top_db);
    META_D("trim_db", c->trim_db);
    META_D("feat_mean", c->feat_mean);
    META_D("feat_std", c->feat_std);
    META_I("max_frames", c->max_frames);
    META_I("cmn", c->cmn);
    if (!st) {
        snprintf(v, sizeof v, "%d,%d,%d,%d", c->channels[0], c->channels[1], c->channels[2], c->channels[3]);
        st = vh_st_writer_meta(w, "channels", v);
    }
    META_I("rnn_hidden", c->rnn_hidden);
    META_I("attention", c->att);
    META_D("dropout", c->dropout);
#undef META_I
#undef META_D
    if (!st) st = vh_st_writer_meta(w, "features", "log-mel dB (Hann, centred, Slaney mels, power_to_db ref 1), trimmed, (x-feat_mean)/feat_std");
    if (!st) st = vh_st_writer_meta(w, "architecture", "4x(conv3x3+BN+ReLU+maxpool2) -> BiGRU -> attention pool -> dense");
    if (!st) {
        vh_buf b = {0};
        vh_json_writer jw;
        vh_jw_init(&jw, &b, 0);
        vh_jw_array_begin(&jw);
        for (int i = 0; i < c->n_classes; i++) vh_jw_string(&jw, c->labels[i]);
        vh_jw_array_end(&jw);
        st = b.failed ? VH_ENOMEM : vh_st_writer_meta(w, "labels", b.data);
        vh_buf_free(&b);
    }
    return st;
}

int vh_ser_save(const vh_ser *m, const char *path, const char *provenance, int overwrite) {
    vh_st_writer *w = NULL;
    int st = vh_st_writer_new(&w);
    if (st) return st;
    st = vh__ser_write_meta(m, w);
    if (!st && provenance) st = vh_st_writer_meta(w, "provenance", provenance);
    if (m->n_members < 2) {
        if (!st) st = vh__ser_add_params(m, w, NULL);
    } else {
        /* the writer copies nothing until save: keep every member's tensors alive */
        char v[16];
        snprintf(v, sizeof v, "%d", m->n_members);
        if (!st) st = vh_st_writer_meta(w, "members", v);
        int np = vh_nn_param_count(m->g);
        for (int k = 0; k < m->n_members && !st; k++) {
            const float *src = m->members[k];
            for (int i = 0; i < np && !st; i++) {
                const vh_nn_param *p = vh_nn_param_get(m->g, i);
                int64_t shape[VH_NN_MAX_DIMS];
                for (int d = 0; d < p->t->ndim; d++) shape[d] = p->t->shape[d];
                char name[160];
                snprintf(name, sizeof name, "m%d.%s", k, p->name);
                st = vh_st_writer_add_f32(w, name, src, p->t->ndim, shape);
                src += p->t->size;
            }
        }
    }
    if (!st) st = vh_st_writer_save(w, path, overwrite);
    vh_st_writer_free(w);
    return st;
}

static int meta_int(const vh_safetensors *st, const char *path, const char *key, long lo, long hi, int *out) {
    const char *s = vh_st_meta(st, key);
    if (!s) return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"%s\" missing", path, key);
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"%s\" = \"%s\" is not an integer in %ld..%ld", path, key, s, lo, hi);
    *out = (int)v;
    return VH_OK;
}

static int meta_double(const vh_safetensors *st, const char *path, const char *key, double lo, double hi, double *out) {
    const char *s = vh_st_meta(st, key);
    if (!s) return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"%s\" missing", path, key);
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < lo || v > hi)
        return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"%s\" = \"%s\" is not a number in %g..%g", path, key, s, lo, hi);
    *out = v;
    return VH_OK;
}

int vh__ser_config_from_st(const vh_safetensors *st, const char *path, vh_ser_config *c) {
    const char *fmt = vh_st_meta(st, "format");
    if (!fmt || strcmp(fmt, VH_SER_FORMAT))
        return vh__fail(NULL, VH_EFORMAT, "%s: not a speech-emotion model (metadata format is \"%s\", expected \"%s\")",
                        path, fmt ? fmt : "(none)", VH_SER_FORMAT);
    memset(c, 0, sizeof *c);
    double d = 0;
    int r = VH_OK;
    if (!r) r = meta_int(st, path, "sample_rate", 8000, 48000, &c->sample_rate);
    if (!r) r = meta_int(st, path, "n_fft", 64, 4096, &c->n_fft);
    if (!r) r = meta_int(st, path, "win_length", 16, 4096, &c->win_length);
    if (!r) r = meta_int(st, path, "hop", 1, 4096, &c->hop);
    if (!r) r = meta_int(st, path, "n_mels", 16, 128, &c->n_mels);
    if (!r) r = meta_double(st, path, "fmin", 0, 24000, &c->fmin);
    if (!r) r = meta_double(st, path, "fmax", 0, 24000, &c->fmax);
    if (!r) r = meta_double(st, path, "top_db", 0, 200, &c->top_db);
    if (!r) r = meta_double(st, path, "trim_db", 0, 200, &c->trim_db);
    if (!r) r = meta_double(st, path, "feat_mean", -1e4, 1e4, &d);
    c->feat_mean = (float)d;
    if (!r) r = meta_double(st, path, "feat_std", 1e-3, 1e4, &d);
    c->feat_std = (float)d;
    if (!r) r = meta_int(st, path, "max_frames", 32, 2048, &c->max_frames);
    if (!r && vh_st_meta(st, "cmn")) r = meta_int(st, path, "cmn", 0, 1, &c->cmn);
    if (!r) r = meta_int(st, path, "rnn_hidden", 4, 512, &c->rnn_hidden);
    if (!r) r = meta_int(st, path, "attention", 4, 512, &c->att);
    if (!r) r = meta_double(st, path, "dropout", 0, 0.9, &d);
    c->dropout = (float)d;
    if (r) return r;
    const char *ch = vh_st_meta(st, "channels");
    if (!ch || sscanf(ch, "%d,%d,%d,%d", &c->channels[0], &c->channels[1], &c->channels[2], &c->channels[3]) != 4)
        return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"channels\" missing or not 4 integers", path);
    const char *lab = vh_st_meta(st, "labels");
    if (!lab) return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"labels\" missing", path);
    vh_json *js = NULL;
    if (vh_json_parse(lab, strlen(lab), &js) || js->type != VH_JSON_ARRAY) {
        vh_json_free(js);
        return vh__fail(NULL, VH_EFORMAT, "%s: metadata \"labels\" is not a JSON array", path);
    }
    if (js->count < 2 || js->count > VH_SER_MAX_CLASSES) {
        size_t cnt = js->count;
        vh_json_free(js);
        return vh__fail(NULL, VH_EFORMAT, "%s: %zu labels (need 2..%d)", path, cnt, VH_SER_MAX_CLASSES);
    }
    c->n_classes = (int)js->count;
    for (size_t i = 0; i < js->count; i++) {
        const vh_json *e = vh_json_at(js, i);
        if (e->type != VH_JSON_STRING || e->len == 0 || e->len >= VH_SER_LABEL_MAX) {
            vh_json_free(js);
            return vh__fail(NULL, VH_EFORMAT, "%s: label %zu is not a string of 1..%d bytes", path, i, VH_SER_LABEL_MAX - 1);
        }
        memcpy(c->labels[i], e->string, e->len + 1);
    }
    vh_json_free(js);
    r = vh_ser_config_check(c);
    if (r) return vh__fail(NULL, VH_EFORMAT, "%s: %s", path, vh_last_error());
    return VH_OK;
}

/* Copies the tensors named prefix+param into m's graph; every one must be
 * present with the exact shape. With `exact`, no other tensor may exist. */
int vh__ser_read_params(vh_ser *m, const vh_safetensors *st, const char *path, const char *prefix, int exact) {
    int np = vh_nn_param_count(m->g);
    size_t plen = prefix ? strlen(prefix) : 0;
    for (int i = 0; i < np; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        char name[160];
        snprintf(name, sizeof name, "%s%s", prefix ? prefix : "", p->name);
        const vh_st_tensor *t = vh_st_find(st, name);
        if (!t) return vh__fail(NULL, VH_EFORMAT, "%s: tensor \"%s\" missing", path, name);
        int ok = t->ndim == p->t->ndim;
        for (int d = 0; ok && d < t->ndim; d++) ok = t->shape[d] == p->t->shape[d];
        if (!ok) return vh__fail(NULL, VH_EFORMAT, "%s: tensor \"%s\" has the wrong shape for this architecture", path, name);
        int r = vh_st_read_f32(st, t, p->t->data, p->t->size);
        if (r) return r;
        for (size_t k = 0; k < p->t->size; k++)
            if (!isfinite(p->t->data[k])) return vh__fail(NULL, VH_EFORMAT, "%s: tensor \"%s\" holds NaN/inf", path, name);
    }
    if (exact) {
        size_t found = 0;
        for (size_t i = 0; i < vh_st_count(st); i++) {
            const vh_st_tensor *t = vh_st_get(st, i);
            if (plen && strncmp(t->name, prefix, plen)) continue;
            if (!vh_nn_param_find(m->g, t->name + plen))
                return vh__fail(NULL, VH_EFORMAT, "%s: unexpected tensor \"%s\"", path, t->name);
            found++;
        }
        (void)found;
    }
    return VH_OK;
}

int vh_ser_load(const char *path, vh_ser **out) {
    *out = NULL;
    vh_safetensors *st = NULL;
    int r = vh_st_open(path, &st);
    if (r) return r;
    vh_ser_config c;
    r = vh__ser_config_from_st(st, path, &c);
    int members = 1;
    if (!r && vh_st_meta(st, "members")) {
        r = meta_int(st, path, "members", 2, VH_SER_MAX_MEMBERS, &members);
    }
    vh_ser *m = NULL;
    if (!r) r = vh_ser_new(&c, 0, &m);
    if (!r && members == 1) r = vh__ser_read_params(m, st, path, NULL, 1);
    if (!r && members > 1) {
        r = alloc_members(m, members);
        for (int k = 0; k < members && !r; k++) {
            char prefix[16];
            snprintf(prefix, sizeof prefix, "m%d.", k);
            r = vh__ser_read_params(m, st, path, prefix, 0);
            if (!r) flat_get(m, m->members[k]);
        }
        /* nothing else: every tensor is m<k>.<param> of a member k < members */
        size_t expect = (size_t)members * (size_t)vh_nn_param_count(m->g);
        if (!r && vh_st_count(st) != expect)
            r = vh__fail(NULL, VH_EFORMAT, "%s: %zu tensors, expected %zu for %d members", path, vh_st_count(st), expect, members);
        if (!r) {
            m->current = members - 1;
            vh__ser_use_member(m, 0);
        }
    }
    vh_st_free(st);
    if (r) {
        vh_ser_free(m);
        return r;
    }
    *out = m;
    return VH_OK;
}

int vh_ser_is_model_file(const char *path) {
    /* read only the 8-byte length and the header JSON prefix */
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char len8[8];
    int ok = 0;
    if (fread(len8, 1, 8, f) == 8) {
        uint64_t hl = 0;
        for (int i = 7; i >= 0; i--) hl = (hl << 8) | len8[i];
        if (hl > 0 && hl <= (1u << 24)) {
            char *h = malloc((size_t)hl + 1);
            if (h && fread(h, 1, (size_t)hl, f) == (size_t)hl) {
                h[hl] = 0;
                ok = strstr(h, "\"" VH_SER_FORMAT "\"") != NULL;
            }
            free(h);
        }
    }
    fclose(f);
    return ok;
}

/* ---- inference --------------------------------------------------------- */

/* Writes window [start, start+len) of a log-mel (frames × mels) into the
 * graph's input sample b ([1, mels, T]: mel-major), normalised; padding is
 * the minimum of the window. */
void vh__ser_fill_input(const vh_ser_config *c, const float *lm, size_t start, size_t len, float *dst) {
    int M = c->n_mels, T = c->max_frames;
    float inv = 1.0f / c->feat_std;
    float lo = INFINITY;
    for (int k = 0; k < M; k++) {
        float *row = dst + (size_t)k * T;
        double mu = c->feat_mean;
        if (c->cmn) {
            double s = 0;
            for (size_t t = 0; t < len; t++) s += lm[(start + t) * M + k];
            mu = len ? s / (double)len : 0.0;
        }
        for (size_t t = 0; t < len; t++) {
            row[t] = (float)((lm[(start + t) * M + k] - mu) * inv);
            lo = fminf(lo, row[t]);
        }
    }
    /* padding: the window's minimum (silence), never the mean */
    if (!isfinite(lo)) lo = 0;
    for (int k = 0; k < M; k++)
        for (size_t t = len; t < (size_t)T; t++) dst[(size_t)k * T + t] = lo;
}

int vh__ser_seq_len(const vh_ser_config *c, size_t frames) {
    (void)c;
    int s = (int)((frames + 15) / 16);
    return s < 1 ? 1 : s;
}

int vh__ser_predict_member(vh_ser *m, const float *logmel, size_t frames, double *acc_out) {
    const vh_ser_config *c = &m->cfg;
    size_t T = (size_t)c->max_frames;
    size_t nwin = frames <= T ? 1 : 1 + (frames - T + T / 2 - 1) / (T / 2);
    if (vh_nn_training(m->g)) vh_nn_set_training(m->g, 0);
    int K = c->n_classes;
    double acc[VH_SER_MAX_CLASSES] = {0};
    size_t done = 0;
    while (done < nwin) {
        int b = (int)VH_MIN((size_t)m->max_batch, nwin - done);
        int st = vh_nn_set_batch(m->g, b);
        if (st) return st;
        vh_tensor *xin = vh_nn_value(m->g, m->x);
        vh_tensor *lin = vh_nn_value(m->g, m->len);
        for (int i = 0; i < b; i++) {
            size_t w = done + (size_t)i;
            size_t start = w * (T / 2);
            if (start + T > frames) start = frames > T ? frames - T : 0;
            size_t len = VH_MIN(T, frames - start);
            vh__ser_fill_input(c, logmel, start, len, xin->data + (size_t)i * c->n_mels * T);
            lin->data[i] = (float)vh__ser_seq_len(c, len);
        }
        st = vh_nn_forward(m->g, m->probs);
        if (st) return vh__fail(NULL, st, "speech emotion: %s", vh_nn_graph_error(m->g));
        const float *p = vh_nn_value(m->g, m->probs)->data;
        for (int i = 0; i < b; i++)
            for (int k = 0; k < K; k++) acc[k] += p[i * K + k];
        done += (size_t)b;
    }
    for (int k = 0; k < K; k++) acc_out[k] += acc[k] / (double)nwin;
    return VH_OK;
}

int vh_ser_predict_logmel(vh_ser *m, const float *logmel, size_t frames, float *probs) {
    if (!logmel || frames == 0) return vh__fail(NULL, VH_EEMPTY, "speech emotion: empty input");
    int K = m->cfg.n_classes;
    double acc[VH_SER_MAX_CLASSES] = {0};
    for (int k = 0; k < m->n_members; k++) {
        vh__ser_use_member(m, k);
        int st = vh__ser_predict_member(m, logmel, frames, acc);
        if (st) return st;
    }
    for (int k = 0; k < K; k++) probs[k] = (float)(acc[k] / (double)m->n_members);
    return VH_OK;
}

int vh_ser_predict(vh_ser *m, const float *x, size_t n, float *probs) {
    float *lm = NULL;
    size_t T = 0;
    int st = vh_ser_logmel(&m->cfg, x, n, &lm, &T);
    if (st) return st;
    st = vh_ser_predict_logmel(m, lm, T, probs);
    vh_free(lm);
    return st;
}
