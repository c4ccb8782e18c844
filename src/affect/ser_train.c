/* Speech-emotion datasets, feature precomputation, evaluation and training.
 * See verhm/ser.h. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/ser.h"

#include "core/internal.h"
#include "verhm/media.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ser_internal.h"

/* ---- datasets ----------------------------------------------------------- */

void vh_ser_dataset_free(vh_ser_dataset *d) {
    if (!d) return;
    if (d->paths) vh_strlist_free(d->paths, d->n);
    free(d->label);
    free(d->speaker);
    memset(d, 0, sizeof *d);
}

/* "MM-VC-EE-II-SS-RR-AA.ext": 7 two-digit fields. Returns 1 and the emotion
 * (1..8) and actor, or 0. */
static int ravdess_name(const char *base, int *emotion, int *actor) {
    int f[7];
    for (int i = 0; i < 7; i++) {
        const char *p = base + 3 * i;
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1])) return 0;
        if (p[2] != (i < 6 ? '-' : '.')) return 0;
        f[i] = (p[0] - '0') * 10 + (p[1] - '0');
    }
    if (f[2] < 1 || f[2] > 8 || f[6] < 1) return 0;
    *emotion = f[2];
    *actor = f[6];
    return 1;
}

static int alloc_items(vh_ser_dataset *d, size_t n) {
    d->paths = calloc(n ? n : 1, sizeof *d->paths);
    d->label = calloc(n ? n : 1, sizeof *d->label);
    d->speaker = calloc(n ? n : 1, sizeof *d->speaker);
    return d->paths && d->label && d->speaker ? VH_OK : VH_ENOMEM;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

int vh_ser_dataset_scan(const char *dir, vh_ser_dataset *out) {
    memset(out, 0, sizeof *out);
    if (!vh_is_dir(dir)) return vh__fail(NULL, VH_ENOTFOUND, "%s: not a directory", dir);
    static const char *const exts[] = {"wav", "flac", "mp3", "ogg", NULL};
    char **files = NULL;
    size_t n = 0;
    int st = vh_list_files(dir, 1, exts, &files, &n);
    if (st) return st;
    if (n == 0) {
        vh_strlist_free(files, n);
        return vh__fail(NULL, VH_EFORMAT, "%s: no .wav/.flac/.mp3/.ogg files", dir);
    }
    size_t nrav = 0;
    for (size_t i = 0; i < n; i++) {
        int e, a;
        nrav += (size_t)ravdess_name(vh_path_base(files[i]), &e, &a);
    }
    if (nrav != 0 && nrav != n) {
        vh_strlist_free(files, n);
        return vh__fail(NULL, VH_EFORMAT, "%s: %zu of %zu files have RAVDESS names; use one layout (RAVDESS names or <Label>/ folders)", dir, nrav, n);
    }
    if (alloc_items(out, n)) {
        vh_strlist_free(files, n);
        vh_ser_dataset_free(out);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir);
    }
    out->n = n;
    free(out->paths); /* the listing's array becomes the dataset's */
    out->paths = files;
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    if (nrav == n) {
        out->n_classes = VH_SER_RAVDESS_COUNT;
        for (int k = 0; k < VH_SER_RAVDESS_COUNT; k++)
            snprintf(out->labels[k], VH_SER_LABEL_MAX, "%s", vh_ser_ravdess_labels[k]);
        for (size_t i = 0; i < n; i++) {
            int e = 0, a = 0;
            ravdess_name(vh_path_base(files[i]), &e, &a);
            out->label[i] = e - 1;
            out->speaker[i] = a;
        }
        return VH_OK;
    }
    /* generic: <dir>/<Label>/file */
    char *names[VH_SER_MAX_CLASSES];
    int nn = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rel = files[i] + dl;
        while (*rel == '/') rel++;
        const char *slash = strchr(rel, '/');
        if (!slash || strchr(slash + 1, '/')) {
            st = vh__fail(NULL, VH_EFORMAT, "%s: not in a <Label>/ folder directly under %s (and not a RAVDESS name)", files[i], dir);
            break;
        }
        size_t len = (size_t)(slash - rel);
        if (len == 0 || len >= VH_SER_LABEL_MAX) {
            st = vh__fail(NULL, VH_EFORMAT, "%s: label folder name empty or longer than %d bytes", files[i], VH_SER_LABEL_MAX - 1);
            break;
        }
        char lab[VH_SER_LABEL_MAX];
        memcpy(lab, rel, len);
        lab[len] = 0;
        int k = 0;
        while (k < nn && strcmp(names[k], lab)) k++;
        if (k == nn) {
            if (nn == VH_SER_MAX_CLASSES) {
                st = vh__fail(NULL, VH_EFORMAT, "%s: more than %d label folders", dir, VH_SER_MAX_CLASSES);
                break;
            }
            names[nn] = vh__strdup(lab);
            if (!names[nn]) {
                st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir);
                break;
            }
            nn++;
        }
    }
    if (!st && nn < 2) st = vh__fail(NULL, VH_EFORMAT, "%s: %d label folder(s); need at least 2", dir, nn);
    if (!st) {
        qsort(names, (size_t)nn, sizeof names[0], cmp_str);
        out->n_classes = nn;
        for (int k = 0; k < nn; k++) snprintf(out->labels[k], VH_SER_LABEL_MAX, "%s", names[k]);
        for (size_t i = 0; i < n; i++) {
            const char *rel = files[i] + dl;
            while (*rel == '/') rel++;
            size_t len = (size_t)(strchr(rel, '/') - rel);
            for (int k = 0; k < nn; k++)
                if (strlen(names[k]) == len && !strncmp(names[k], rel, len)) out->label[i] = k;
            out->speaker[i] = -1;
        }
    }
    for (int k = 0; k < nn; k++) free(names[k]);
    if (st) vh_ser_dataset_free(out);
    return st;
}

static int copy_subset(const vh_ser_dataset *d, const unsigned char *take, unsigned char want, vh_ser_dataset *o) {
    memset(o, 0, sizeof *o);
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++) m += take[i] == want;
    if (alloc_items(o, m)) {
        vh_ser_dataset_free(o);
        return vh__fail(NULL, VH_ENOMEM, "dataset split: out of memory");
    }
    o->n_classes = d->n_classes;
    memcpy(o->labels, d->labels, sizeof o->labels);
    for (size_t i = 0; i < d->n; i++) {
        if (take[i] != want) continue;
        o->paths[o->n] = vh__strdup(d->paths[i]);
        if (!o->paths[o->n]) {
            vh_ser_dataset_free(o);
            return vh__fail(NULL, VH_ENOMEM, "dataset split: out of memory");
        }
        o->label[o->n] = d->label[i];
        o->speaker[o->n] = d->speaker[i];
        o->n++;
    }
    return VH_OK;
}

static int split_by_mask(const vh_ser_dataset *d, const unsigned char *val_mask, vh_ser_dataset *train, vh_ser_dataset *val) {
    size_t nv = 0;
    for (size_t i = 0; i < d->n; i++) nv += val_mask[i];
    if (nv == 0 || nv == d->n) return vh__fail(NULL, VH_EEMPTY, "dataset split: %s side is empty", nv == 0 ? "validation" : "training");
    int st = copy_subset(d, val_mask, 0, train);
    if (!st) st = copy_subset(d, val_mask, 1, val);
    if (st) vh_ser_dataset_free(train);
    return st;
}

int vh_ser_dataset_split_speakers(const vh_ser_dataset *d, const int *val_speakers, int nval, vh_ser_dataset *train,
                                  vh_ser_dataset *val) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    unsigned char *mask = calloc(d->n ? d->n : 1, 1);
    if (!mask) return vh__fail(NULL, VH_ENOMEM, "dataset split: out of memory");
    for (size_t i = 0; i < d->n; i++) {
        if (d->speaker[i] < 0) {
            free(mask);
            return vh__fail(NULL, VH_EINVAL, "%s: speaker unknown (not a RAVDESS name); cannot split by speaker", d->paths[i]);
        }
        for (int k = 0; k < nval; k++)
            if (d->speaker[i] == val_speakers[k]) mask[i] = 1;
    }
    int st = split_by_mask(d, mask, train, val);
    free(mask);
    return st;
}

int vh_ser_dataset_split_random(const vh_ser_dataset *d, double frac, uint64_t seed, vh_ser_dataset *train,
                                vh_ser_dataset *val) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    if (!(frac > 0 && frac < 1)) return vh__fail(NULL, VH_EINVAL, "dataset split: fraction %g outside (0, 1)", frac);
    unsigned char *mask = calloc(d->n ? d->n : 1, 1);
    int *idx = malloc((d->n ? d->n : 1) * sizeof *idx);
    if (!mask || !idx) {
        free(mask);
        free(idx);
        return vh__fail(NULL, VH_ENOMEM, "dataset split: out of memory");
    }
    vh_rng r;
    vh_rng_seed(&r, seed);
    for (int k = 0; k < d->n_classes; k++) {
        size_t m = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->label[i] == k) idx[m++] = (int)i;
        vh_rng_shuffle_int(&r, idx, m);
        size_t nv = (size_t)floor(frac * (double)m + 0.5);
        if (nv == 0 && m >= 2) nv = 1;
        for (size_t j = 0; j < nv; j++) mask[idx[j]] = 1;
    }
    int st = split_by_mask(d, mask, train, val);
    free(mask);
    free(idx);
    return st;
}

/* ---- features ----------------------------------------------------------- */

void vh_ser_features_free(vh_ser_features *f) {
    if (!f) return;
    if (f->feats)
        for (size_t i = 0; i < f->n * (size_t)f->n_speeds; i++) vh_free(f->feats[i]);
    free(f->feats);
    free(f->frames);
    memset(f, 0, sizeof *f);
}

typedef struct feat_job {
    const vh_ser_config *c;
    const vh_ser_dataset *d;
    vh_ser_features *f;
    int *status;
    size_t off;
} feat_job;

static const double k_speeds[3] = {0.9, 1.0, 1.1};

/* Computes item i; returns a status with the message in this thread's last error. */
static int feat_one(const feat_job *j, size_t i) {
    float *x = NULL;
    size_t n = 0;
    int st = vh_audio_load(j->d->paths[i], j->c->sample_rate, 30.0, &x, &n);
    for (int v = 0; !st && v < j->f->n_speeds; v++) {
        double sp = j->f->n_speeds == 1 ? 1.0 : k_speeds[v];
        size_t slot = (size_t)v * j->f->n + i;
        if (sp == 1.0) {
            st = vh_ser_logmel(j->c, x, n, &j->f->feats[slot], &j->f->frames[slot]);
        } else {
            float *y = NULL;
            size_t ny = 0;
            st = vh_ser_speed(x, n, sp, &y, &ny);
            if (!st) st = vh_ser_logmel(j->c, y, ny, &j->f->feats[slot], &j->f->frames[slot]);
            vh_free(y);
        }
    }
    vh_free(x);
    return st;
}

static void feat_range(void *ctx, size_t begin, size_t end, int tid) {
    (void)tid;
    feat_job *j = ctx;
    for (size_t i = begin + j->off; i < end + j->off; i++) j->status[i] = feat_one(j, i);
}

int vh_ser_features_compute(const vh_ser_config *c, const vh_ser_dataset *d, int speeds, vh_ser_progress_fn progress,
                            void *user, vh_ser_features *out) {
    memset(out, 0, sizeof *out);
    int st = vh_ser_config_check(c);
    if (st) return st;
    out->n = d->n;
    out->n_speeds = speeds ? 3 : 1;
    out->n_mels = c->n_mels;
    size_t slots = d->n * (size_t)out->n_speeds;
    out->feats = calloc(slots ? slots : 1, sizeof *out->feats);
    out->frames = calloc(slots ? slots : 1, sizeof *out->frames);
    int *status = calloc(d->n ? d->n : 1, sizeof *status);
    if (!out->feats || !out->frames || !status) {
        free(status);
        vh_ser_features_free(out);
        return vh__fail(NULL, VH_ENOMEM, "speech features: out of memory");
    }
    const size_t chunk = 64;
    for (size_t b = 0; b < d->n && !st; b += chunk) {
        size_t e = VH_MIN(d->n, b + chunk);
        feat_job j = {c, d, out, status, b};
        vh_parallel_for(e - b, 1, feat_range, &j);
        for (size_t i = b; i < e && !st; i++)
            if (status[i]) {
                /* redo this item here so its message is this thread's last error */
                for (int v = 0; v < out->n_speeds; v++) {
                    size_t slot = (size_t)v * d->n + i;
                    vh_free(out->feats[slot]);
                    out->feats[slot] = NULL;
                }
                st = feat_one(&j, i);
                if (!st) st = status[i];
                st = st == VH_ENOTFOUND || st == VH_ENOMEM ? st : VH_EFORMAT;
                if (strstr(vh_last_error(), d->paths[i])) st = vh__fail(NULL, st, "%s", vh_last_error());
                else st = vh__fail(NULL, st, "%s: %s", d->paths[i], vh_last_error());
            }
        if (progress && !st && progress(e, d->n, "features", user)) st = vh__fail(NULL, VH_ECANCELED, "speech features: canceled");
    }
    free(status);
    if (st) vh_ser_features_free(out);
    return st;
}

/* ---- evaluation --------------------------------------------------------- */

void vh_ser_eval_compute(int n_classes, const int *truth, const int *pred, size_t n, vh_ser_eval *out) {
    memset(out, 0, sizeof *out);
    if (n_classes < 1) n_classes = 1;
    if (n_classes > VH_SER_MAX_CLASSES) n_classes = VH_SER_MAX_CLASSES;
    out->n_classes = n_classes;
    out->n = n;
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] < 0 || truth[i] >= n_classes || pred[i] < 0 || pred[i] >= n_classes) continue;
        out->confusion[truth[i]][pred[i]]++;
        correct += truth[i] == pred[i];
    }
    out->wa = n ? (double)correct / (double)n : 0.0;
    double sum = 0;
    int present = 0;
    for (int k = 0; k < n_classes; k++) {
        long sup = 0, col = 0;
        for (int j = 0; j < n_classes; j++) {
            sup += out->confusion[k][j];
            col += out->confusion[j][k];
        }
        out->support[k] = sup;
        long tp = out->confusion[k][k];
        out->recall[k] = sup ? (double)tp / (double)sup : NAN;
        out->precision[k] = col ? (double)tp / (double)col : NAN;
        double p = col ? out->precision[k] : 0, r = sup ? out->recall[k] : 0;
        out->f1[k] = sup ? (p + r > 0 ? 2 * p * r / (p + r) : 0) : NAN;
        if (sup) {
            sum += out->recall[k];
            present++;
        }
    }
    out->ua = present ? sum / present : 0.0;
}

static int argmax(const float *p, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (p[i] > p[b]) b = i;
    return b;
}

/* Predicts every item of f (speed slot `slot`) into pred[], batching utterances
 * that fit one window; an ensemble's members' probabilities are averaged. */
static int predict_all(vh_ser *m, const vh_ser_features *f, int slot, int *pred) {
    const vh_ser_config *c = &m->cfg;
    int K = c->n_classes, M = c->n_mels, T = c->max_frames;
    int was_training = vh_nn_training(m->g);
    vh_nn_set_training(m->g, 0);
    size_t *batch_idx = malloc((size_t)m->max_batch * sizeof *batch_idx);
    double *acc = calloc((f->n ? f->n : 1) * (size_t)K, sizeof *acc);
    if (!batch_idx || !acc) {
        free(batch_idx);
        free(acc);
        return vh__fail(NULL, VH_ENOMEM, "evaluation: out of memory");
    }
    int st = VH_OK;
    for (int mem = 0; mem < m->n_members && !st; mem++) {
        vh__ser_use_member(m, mem);
        int nb = 0;
        for (size_t i = 0; i <= f->n && !st; i++) {
            size_t s = (size_t)slot * f->n + i;
            if (i < f->n && f->frames[s] > (size_t)T) {
                st = vh__ser_predict_member(m, f->feats[s], f->frames[s], acc + i * (size_t)K);
                continue;
            }
            if (i < f->n) batch_idx[nb++] = i;
            if (nb == m->max_batch || (i == f->n && nb > 0)) {
                st = vh_nn_set_batch(m->g, nb);
                vh_tensor *xin = vh_nn_value(m->g, m->x);
                vh_tensor *lin = vh_nn_value(m->g, m->len);
                for (int b = 0; b < nb && !st; b++) {
                    size_t ss = (size_t)slot * f->n + batch_idx[b];
                    vh__ser_fill_input(c, f->feats[ss], 0, f->frames[ss], xin->data + (size_t)b * M * T);
                    lin->data[b] = (float)vh__ser_seq_len(c, f->frames[ss]);
                }
                if (!st) st = vh_nn_forward(m->g, m->probs);
                if (st) {
                    st = vh__fail(NULL, st, "evaluation: %s", vh_nn_graph_error(m->g));
                    break;
                }
                const float *p = vh_nn_value(m->g, m->probs)->data;
                for (int b = 0; b < nb; b++)
                    for (int k = 0; k < K; k++) acc[batch_idx[b] * (size_t)K + (size_t)k] += p[(size_t)b * K + k];
                nb = 0;
            }
        }
    }
    for (size_t i = 0; i < f->n && !st; i++) {
        int b = 0;
        for (int k = 1; k < K; k++)
            if (acc[i * (size_t)K + (size_t)k] > acc[i * (size_t)K + (size_t)b]) b = k;
        pred[i] = b;
    }
    free(batch_idx);
    free(acc);
    vh_nn_set_training(m->g, was_training);
    return st;
}

int vh_ser_evaluate_features(vh_ser *m, const vh_ser_features *f, const int *labels, vh_ser_eval *out) {
    memset(out, 0, sizeof *out);
    if (f->n_mels != m->cfg.n_mels) return vh__fail(NULL, VH_EINVAL, "evaluation: features have %d mels, model %d", f->n_mels, m->cfg.n_mels);
    int *pred = malloc((f->n ? f->n : 1) * sizeof *pred);
    if (!pred) return vh__fail(NULL, VH_ENOMEM, "evaluation: out of memory");
    int st = predict_all(m, f, f->n_speeds == 3 ? 1 : 0, pred);
    if (!st) {
        vh_ser_eval_compute(m->cfg.n_classes, labels, pred, f->n, out);
        memcpy(out->labels, m->cfg.labels, sizeof out->labels);
    }
    free(pred);
    return st;
}

int vh_ser_evaluate(vh_ser *m, const vh_ser_dataset *d, vh_ser_progress_fn progress, void *user, vh_ser_eval *out) {
    memset(out, 0, sizeof *out);
    int map[VH_SER_MAX_CLASSES];
    for (int k = 0; k < d->n_classes; k++) {
        map[k] = -1;
        for (int j = 0; j < m->cfg.n_classes; j++)
            if (!strcmp(d->labels[k], m->cfg.labels[j])) map[k] = j;
        if (map[k] < 0) return vh__fail(NULL, VH_EFORMAT, "evaluation: the model has no label \"%s\"", d->labels[k]);
    }
    int *labels = malloc((d->n ? d->n : 1) * sizeof *labels);
    if (!labels) return vh__fail(NULL, VH_ENOMEM, "evaluation: out of memory");
    for (size_t i = 0; i < d->n; i++) labels[i] = map[d->label[i]];
    vh_ser_features f;
    int st = vh_ser_features_compute(&m->cfg, d, 0, progress, user, &f);
    if (!st) {
        if (m->max_batch < 16) st = vh__ser_rebuild(m, 16, m->smoothing);
        if (!st) st = vh_ser_evaluate_features(m, &f, labels, out);
        vh_ser_features_free(&f);
    }
    free(labels);
    return st;
}

static void json_num_or_null(vh_json_writer *w, double v) {
    if (isfinite(v)) vh_jw_number(w, v);
    else vh_jw_null(w);
}

void vh_ser_eval_json(const vh_ser_eval *e, vh_json_writer *w) {
    vh_jw_key(w, "n");
    vh_jw_int(w, (long long)e->n);
    vh_jw_key(w, "ua");
    vh_jw_number(w, e->ua);
    vh_jw_key(w, "wa");
    vh_jw_number(w, e->wa);
    vh_jw_key(w, "labels");
    vh_jw_array_begin(w);
    for (int k = 0; k < e->n_classes; k++) vh_jw_string(w, e->labels[k]);
    vh_jw_array_end(w);
    vh_jw_key(w, "per_class");
    vh_jw_object_begin(w);
    for (int k = 0; k < e->n_classes; k++) {
        vh_jw_key(w, e->labels[k]);
        vh_jw_object_begin(w);
        vh_jw_key(w, "recall");
        json_num_or_null(w, e->recall[k]);
        vh_jw_key(w, "precision");
        json_num_or_null(w, e->precision[k]);
        vh_jw_key(w, "f1");
        json_num_or_null(w, e->f1[k]);
        vh_jw_key(w, "support");
        vh_jw_int(w, e->support[k]);
        vh_jw_object_end(w);
    }
    vh_jw_object_end(w);
    vh_jw_key(w, "confusion");
    vh_jw_array_begin(w);
    for (int k = 0; k < e->n_classes; k++) {
        vh_jw_array_begin(w);
        for (int j = 0; j < e->n_classes; j++) vh_jw_int(w, e->confusion[k][j]);
        vh_jw_array_end(w);
    }
    vh_jw_array_end(w);
}

/* ---- training ----------------------------------------------------------- */

vh_ser_train_params vh_ser_train_default_params(void) {
    vh_ser_train_params p;
    memset(&p, 0, sizeof p);
    p.epochs = 60;
    p.batch = 32;
    p.lr = 2e-3f;
    p.weight_decay = 1e-2f;
    p.label_smoothing = 0.05f;
    p.patience = 15;
    p.seed = 1;
    p.speed = 1;
    p.noise_p = 0.5f;
    p.snr_min = 5;
    p.snr_max = 30;
    p.gain_db = 6;
    p.freq_masks = 2;
    p.freq_mask_max = 8;
    p.time_masks = 2;
    p.time_mask_max = 20;
    return p;
}

static uint64_t mix64(uint64_t a, uint64_t b) {
    uint64_t z = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* One augmented training example into dst ([1, M, T]); returns the valid frames. */
static size_t make_example(const vh_ser_config *c, const vh_ser_features *f, size_t item, const vh_ser_train_params *p,
                           uint64_t seed, float *tmp, float *dst) {
    vh_rng r;
    vh_rng_seed(&r, seed);
    int M = c->n_mels, T = c->max_frames;
    int v = f->n_speeds == 3 ? (p->speed ? (int)vh_rng_below(&r, 3) : 1) : 0;
    size_t slot = (size_t)v * f->n + item;
    const float *lm = f->feats[slot];
    size_t frames = f->frames[slot];
    size_t start = 0, len = frames;
    if (frames > (size_t)T) {
        start = (size_t)vh_rng_below(&r, frames - (size_t)T + 1);
        len = (size_t)T;
    }
    float gain = p->gain_db > 0 ? (float)((vh_rng_uniform(&r) * 2 - 1) * p->gain_db) : 0.0f;
    int noise = vh_rng_uniform(&r) < p->noise_p;
    double snr = p->snr_min + vh_rng_uniform(&r) * (p->snr_max - p->snr_min);
    double mean_pow = 0;
    if (noise) {
        for (size_t t = 0; t < len; t++)
            for (int k = 0; k < M; k++) mean_pow += pow(10.0, lm[(start + t) * M + k] / 10.0);
        mean_pow /= (double)(len * (size_t)M);
    }
    double npow = mean_pow / pow(10.0, snr / 10.0);
    for (size_t t = 0; t < len; t++)
        for (int k = 0; k < M; k++) {
            double db = lm[(start + t) * M + k];
            if (noise) {
                /* noise power in a T-F bin of stationary noise is exponential around its mean */
                double u = vh_rng_uniform(&r);
                double pw = pow(10.0, db / 10.0) + npow * -log(1.0 - u);
                db = 10.0 * log10(pw > 1e-10 ? pw : 1e-10);
            }
            tmp[t * M + k] = (float)db + gain;
        }
    vh__ser_fill_input(c, tmp, 0, len, dst);
    /* SpecAugment: masks set to 0 (the normalised mean) */
    for (int i = 0; i < p->freq_masks; i++) {
        int w = p->freq_mask_max > 0 ? (int)vh_rng_below(&r, (uint64_t)p->freq_mask_max + 1) : 0;
        if (w <= 0 || w >= M) continue;
        int f0 = (int)vh_rng_below(&r, (uint64_t)(M - w + 1));
        for (int k = f0; k < f0 + w; k++) memset(dst + (size_t)k * T, 0, len * sizeof *dst);
    }
    for (int i = 0; i < p->time_masks; i++) {
        int w = p->time_mask_max > 0 ? (int)vh_rng_below(&r, (uint64_t)p->time_mask_max + 1) : 0;
        if (w <= 0 || (size_t)w * 5 >= len) continue; /* at most a fifth of the utterance */
        size_t t0 = (size_t)vh_rng_below(&r, len - (size_t)w + 1);
        for (int k = 0; k < M; k++)
            for (size_t t = t0; t < t0 + (size_t)w; t++) dst[(size_t)k * T + t] = 0;
    }
    return len;
}

/* Beta(a, a) by Johnk's method (uniforms only; any a > 0). */
static double beta_sym(vh_rng *r, double a) {
    for (int tries = 0; tries < 1000; tries++) {
        double x = pow(vh_rng_uniform(r), 1.0 / a), y = pow(vh_rng_uniform(r), 1.0 / a);
        if (x + y <= 1.0 && x + y > 0) return x / (x + y);
    }
    return 0.5;
}

/* Mixup of a batch in place: example b becomes lambda*b + (1-lambda)*partner
 * (inputs and targets; the longer valid length), lambda ~ Beta(alpha, alpha)
 * folded to >= 1/2, the partner another example of the batch. `xs`/`ys`/`ls`
 * hold copies of the unmixed batch. */
void vh__ser_mixup(float *x, float *y, float *len, int nb, size_t xsize, int K, float alpha, uint64_t seed, float *xs,
                   float *ys, float *ls) {
    if (nb < 2 || !(alpha > 0)) return;
    memcpy(xs, x, (size_t)nb * xsize * sizeof *xs);
    memcpy(ys, y, (size_t)nb * (size_t)K * sizeof *ys);
    memcpy(ls, len, (size_t)nb * sizeof *ls);
    vh_rng r;
    vh_rng_seed(&r, seed);
    for (int b = 0; b < nb; b++) {
        int j = (b + 1 + (int)vh_rng_below(&r, (uint64_t)(nb - 1))) % nb;
        double lam = beta_sym(&r, alpha);
        if (lam < 0.5) lam = 1.0 - lam;
        float l1 = (float)lam, l2 = (float)(1.0 - lam);
        float *xd = x + (size_t)b * xsize;
        const float *xa = xs + (size_t)b * xsize, *xb = xs + (size_t)j * xsize;
        for (size_t i = 0; i < xsize; i++) xd[i] = l1 * xa[i] + l2 * xb[i];
        for (int k = 0; k < K; k++) y[b * K + k] = l1 * ys[b * K + k] + l2 * ys[j * K + k];
        len[b] = ls[b] > ls[j] ? ls[b] : ls[j];
    }
}

static int save_checkpoint(const vh_ser *m, vh_nn_optim *o, float *const *best, int epoch, int best_epoch,
                           double best_ua, double best_wa, int bad, const char *path) {
    vh_st_writer *w = NULL;
    int st = vh_st_writer_new(&w);
    if (st) return st;
    st = vh__ser_write_meta(m, w);
    char v[64];
#define META(key, fmt, val) if (!st) { snprintf(v, sizeof v, fmt, val); st = vh_st_writer_meta(w, key, v); }
    META("ckpt_epoch", "%d", epoch);
    META("ckpt_best_epoch", "%d", best_epoch);
    META("ckpt_best_ua", "%.17g", best_ua);
    META("ckpt_best_wa", "%.17g", best_wa);
    META("ckpt_bad_epochs", "%d", bad);
    META("ckpt_steps", "%ld", vh_nn_optim_steps(o));
#undef META
    if (!st) st = vh__ser_add_params(m, w, "model.");
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np && !st; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        int64_t shape[VH_NN_MAX_DIMS];
        for (int d = 0; d < p->t->ndim; d++) shape[d] = p->t->shape[d];
        char name[160];
        snprintf(name, sizeof name, "best.%s", p->name);
        st = vh_st_writer_add_f32(w, name, best[i], p->t->ndim, shape);
    }
    size_t ns = vh_nn_optim_state_size(o);
    if (!st && ns > 0) {
        int64_t shape[1] = {(int64_t)ns};
        st = vh_st_writer_add_f32(w, "optim.state", vh_nn_optim_state(o), 1, shape);
    }
    if (!st) st = vh_st_writer_save(w, path, 1);
    vh_st_writer_free(w);
    return st;
}

static int ckpt_int(const vh_safetensors *st, const char *path, const char *key, long *out) {
    const char *s = vh_st_meta(st, key);
    char *end = NULL;
    if (!s) return vh__fail(NULL, VH_EFORMAT, "%s: checkpoint metadata \"%s\" missing", path, key);
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 100000000L) return vh__fail(NULL, VH_EFORMAT, "%s: checkpoint metadata \"%s\" invalid", path, key);
    *out = v;
    return VH_OK;
}

static int load_checkpoint(vh_ser *m, vh_nn_optim *o, float **best, const char *path, int *epoch, int *best_epoch,
                           double *best_ua, double *best_wa, int *bad) {
    vh_safetensors *st = NULL;
    int r = vh_st_open(path, &st);
    if (r) return r;
    vh_ser_config c;
    r = vh__ser_config_from_st(st, path, &c);
    if (!r) {
        if (!vh__ser_same_arch(&c, &m->cfg)) r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint was made with another architecture, labels or features", path);
    }
    long e = 0, be = 0, bd = 0, steps = 0;
    if (!r) r = ckpt_int(st, path, "ckpt_epoch", &e);
    if (!r) r = ckpt_int(st, path, "ckpt_best_epoch", &be);
    if (!r) r = ckpt_int(st, path, "ckpt_bad_epochs", &bd);
    if (!r) r = ckpt_int(st, path, "ckpt_steps", &steps);
    const char *ua = vh_st_meta(st, "ckpt_best_ua"), *wa = vh_st_meta(st, "ckpt_best_wa");
    if (!r && (!ua || !wa)) r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint metadata best_ua/best_wa missing", path);
    if (!r) r = vh__ser_read_params(m, st, path, "model.", 0);
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np && !r; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        char name[160];
        snprintf(name, sizeof name, "best.%s", p->name);
        const vh_st_tensor *t = vh_st_find(st, name);
        if (!t || t->numel != p->t->size) r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint tensor \"%s\" missing or wrong size", path, name);
        else r = vh_st_read_f32(st, t, best[i], p->t->size);
    }
    size_t ns = vh_nn_optim_state_size(o);
    if (!r && ns > 0) {
        const vh_st_tensor *t = vh_st_find(st, "optim.state");
        if (!t || t->numel != ns) r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint optimizer state missing or wrong size", path);
        else r = vh_st_read_f32(st, t, vh_nn_optim_state(o), ns);
    }
    if (!r) {
        m->cfg.feat_mean = c.feat_mean;
        m->cfg.feat_std = c.feat_std;
        vh_nn_optim_set_steps(o, steps);
        *epoch = (int)e;
        *best_epoch = (int)be;
        *bad = (int)bd;
        *best_ua = strtod(ua, NULL);
        *best_wa = strtod(wa, NULL);
    }
    vh_st_free(st);
    return r;
}

int vh_ser_train(vh_ser *m, const vh_ser_features *train, const int *train_labels, const vh_ser_features *val,
                 const int *val_labels, const vh_ser_train_params *p, vh_ser_epoch_fn on_epoch, void *user,
                 vh_ser_train_result *res) {
    memset(res, 0, sizeof *res);
    vh_ser_config *c = &m->cfg;
    int K = c->n_classes, M = c->n_mels, T = c->max_frames;
    if (p->epochs < 1 || p->epochs > 100000 || p->batch < 1 || p->batch > 4096 || !(p->lr > 0) || p->patience < 1 ||
        !(p->mixup >= 0 && p->mixup <= 10))
        return vh__fail(NULL, VH_EINVAL, "train-voice: bad parameters (epochs %d, batch %d, lr %g, patience %d, mixup %g)", p->epochs,
                        p->batch, (double)p->lr, p->patience, (double)p->mixup);
    if (train->n == 0 || val->n == 0) return vh__fail(NULL, VH_EEMPTY, "train-voice: empty training or validation set");
    if (train->n_mels != M || val->n_mels != M) return vh__fail(NULL, VH_EINVAL, "train-voice: features do not match the model's mel count");
    for (size_t i = 0; i < train->n; i++)
        if (train_labels[i] < 0 || train_labels[i] >= K) return vh__fail(NULL, VH_EINVAL, "train-voice: label %d of item %zu out of range", train_labels[i], i);
    for (size_t i = 0; i < val->n; i++)
        if (val_labels[i] < 0 || val_labels[i] >= K) return vh__fail(NULL, VH_EINVAL, "train-voice: validation label out of range");
    if (m->n_members != 1) return vh__fail(NULL, VH_EINVAL, "train-voice: an ensemble cannot be trained (train its members)");
    double t_start = vh_now();

    /* normalisation from the training set (unperturbed copies) */
    {
        int s1 = train->n_speeds == 3 ? 1 : 0;
        double sum = 0, sq = 0, cnt = 0;
        for (size_t i = 0; i < train->n; i++) {
            size_t s = (size_t)s1 * train->n + i, T_i = train->frames[s];
            const float *f = train->feats[s];
            for (int k = 0; k < M; k++) {
                double mu = 0;
                if (c->cmn) {
                    for (size_t t = 0; t < T_i; t++) mu += f[t * M + k];
                    mu /= (double)(T_i ? T_i : 1);
                }
                for (size_t t = 0; t < T_i; t++) {
                    double x = f[t * M + k] - mu;
                    sum += x;
                    sq += x * x;
                }
            }
            cnt += (double)(T_i * (size_t)M);
        }
        double mean = sum / cnt, var = sq / cnt - mean * mean;
        c->feat_mean = c->cmn ? 0.0f : (float)mean;
        c->feat_std = (float)sqrt(var > 1e-6 ? var : 1e-6);
    }
    int st = vh__ser_rebuild(m, p->batch, p->label_smoothing);
    if (st) return st;
    vh_nn_graph_init_params(m->g, p->seed);
    vh_nn_graph_seed(m->g, p->seed ^ 0x5EEDULL);

    /* balanced epoch: every class drawn as often as the largest */
    long counts[VH_SER_MAX_CLASSES] = {0};
    long maxc = 0;
    for (size_t i = 0; i < train->n; i++) counts[train_labels[i]]++;
    for (int k = 0; k < K; k++) maxc = counts[k] > maxc ? counts[k] : maxc;
    size_t per_epoch = 0;
    for (int k = 0; k < K; k++)
        if (counts[k]) per_epoch += (size_t)maxc;
    int steps_per_epoch = (int)((per_epoch + (size_t)p->batch - 1) / (size_t)p->batch);

    vh_nn_optim_params op = vh_nn_optim_default_params();
    op.kind = VH_OPTIM_ADAMW;
    op.lr = p->lr;
    op.weight_decay = p->weight_decay;
    op.clip_norm = 5.0f;
    op.schedule = VH_LR_COSINE;
    op.warmup_steps = steps_per_epoch;
    op.total_steps = steps_per_epoch * p->epochs - op.warmup_steps;
    if (op.total_steps < 1) op.total_steps = 1;
    op.min_lr = p->lr / 50.0f;
    vh_nn_optim *o = NULL;
    st = vh_nn_optim_new(m->g, &op, &o);
    if (st) return st;

    int np = vh_nn_param_count(m->g);
    float **best = calloc((size_t)np, sizeof *best);
    int *order = malloc(per_epoch * sizeof *order);
    int **by_class = calloc((size_t)K, sizeof *by_class);
    float *tmp = malloc((size_t)T * M * sizeof *tmp);
    float *mix_x = NULL, *mix_y = NULL, *mix_l = NULL;
    if (p->mixup > 0) {
        mix_x = malloc((size_t)p->batch * T * M * sizeof *mix_x);
        mix_y = malloc((size_t)p->batch * K * sizeof *mix_y);
        mix_l = malloc((size_t)p->batch * sizeof *mix_l);
    }
    int ok = best && order && by_class && tmp && (!(p->mixup > 0) || (mix_x && mix_y && mix_l));
    for (int i = 0; ok && i < np; i++) {
        const vh_nn_param *q = vh_nn_param_get(m->g, i);
        best[i] = malloc(q->t->size * sizeof(float));
        ok = best[i] != NULL;
        if (ok) memcpy(best[i], q->t->data, q->t->size * sizeof(float));
    }
    for (int k = 0; ok && k < K; k++) {
        by_class[k] = malloc((size_t)(counts[k] ? counts[k] : 1) * sizeof(int));
        ok = by_class[k] != NULL;
    }
    if (!ok) st = vh__fail(NULL, VH_ENOMEM, "train-voice: out of memory");
    if (!st) {
        long fill[VH_SER_MAX_CLASSES] = {0};
        for (size_t i = 0; i < train->n; i++) by_class[train_labels[i]][fill[train_labels[i]]++] = (int)i;
    }

    int epoch0 = 0, best_epoch = 0, bad = 0;
    double best_ua = -1, best_wa = 0;
    if (!st && p->checkpoint && p->resume && vh_is_file(p->checkpoint)) {
        st = load_checkpoint(m, o, best, p->checkpoint, &epoch0, &best_epoch, &best_ua, &best_wa, &bad);
        if (!st && best_epoch == 0) best_ua = -1;
    }
    int *val_pred = malloc((val->n ? val->n : 1) * sizeof *val_pred);
    if (!st && !val_pred) st = vh__fail(NULL, VH_ENOMEM, "train-voice: out of memory");

    int epoch = epoch0;
    while (!st && epoch < p->epochs && bad < p->patience) {
        double te = vh_now();
        /* epoch order */
        vh_rng r;
        vh_rng_seed(&r, mix64(p->seed, (uint64_t)epoch + 1));
        size_t nord = 0;
        for (int k = 0; k < K; k++) {
            if (!counts[k]) continue;
            for (long j = 0; j < counts[k]; j++) order[nord++] = by_class[k][j];
            for (long j = counts[k]; j < maxc; j++) order[nord++] = by_class[k][vh_rng_below(&r, (uint64_t)counts[k])];
        }
        vh_rng_shuffle_int(&r, order, nord);
        vh_nn_set_training(m->g, 1);
        double loss_sum = 0;
        long correct = 0, seen = 0;
        for (size_t b0 = 0; b0 < nord && !st; b0 += (size_t)p->batch) {
            int nb = (int)VH_MIN((size_t)p->batch, nord - b0);
            st = vh_nn_set_batch(m->g, nb);
            if (st) break;
            vh_tensor *xin = vh_nn_value(m->g, m->x);
            vh_tensor *lin = vh_nn_value(m->g, m->len);
            vh_tensor *yin = vh_nn_value(m->g, m->y);
            memset(yin->data, 0, (size_t)nb * K * sizeof(float));
            for (int b = 0; b < nb; b++) {
                int item = order[b0 + (size_t)b];
                uint64_t es = mix64(mix64(p->seed, (uint64_t)epoch), (uint64_t)(b0 + (size_t)b));
                size_t len = make_example(c, train, (size_t)item, p, es, tmp, xin->data + (size_t)b * M * T);
                lin->data[b] = (float)vh__ser_seq_len(c, len);
                yin->data[b * K + train_labels[item]] = 1.0f;
            }
            if (p->mixup > 0)
                vh__ser_mixup(xin->data, yin->data, lin->data, nb, (size_t)M * T, K, p->mixup,
                              mix64(mix64(p->seed ^ 0x313C5ULL, (uint64_t)epoch), (uint64_t)b0), mix_x, mix_y, mix_l);
            st = vh_nn_forward(m->g, m->loss);
            if (!st) {
                float l = vh_nn_value(m->g, m->loss)->data[0];
                loss_sum += (double)l * nb;
                const float *lg = vh_nn_value(m->g, m->logits)->data;
                for (int b = 0; b < nb; b++) correct += argmax(lg + (size_t)b * K, K) == train_labels[order[b0 + (size_t)b]];
                seen += nb;
                st = vh_nn_backward(m->g, m->loss);
            }
            if (!st) st = vh_nn_optim_step(o, NULL);
            if (st) {
                st = vh__fail(NULL, st == VH_ENUMERIC ? VH_ENUMERIC : st,
                              "train-voice: epoch %d step %zu: %s", epoch + 1, b0 / (size_t)p->batch + 1,
                              st == VH_ENUMERIC ? "loss or gradient is NaN/inf (try a lower --lr)" : vh_nn_graph_error(m->g));
            }
        }
        if (st) break;
        vh_ser_eval ev;
        st = vh_ser_evaluate_features(m, val, val_labels, &ev);
        if (st) break;
        epoch++;
        int improved = p->select_last || ev.ua > best_ua; /* select_last: the last epoch is kept */
        if (improved) {
            best_ua = ev.ua;
            best_wa = ev.wa;
            best_epoch = epoch;
            bad = 0;
            for (int i = 0; i < np; i++) {
                const vh_nn_param *q = vh_nn_param_get(m->g, i);
                memcpy(best[i], q->t->data, q->t->size * sizeof(float));
            }
            if (p->best_path) st = vh_ser_save(m, p->best_path, p->provenance, 1);
        } else {
            bad++;
        }
        if (!st && p->checkpoint) st = save_checkpoint(m, o, best, epoch, best_epoch, best_ua, best_wa, bad, p->checkpoint);
        if (st) break;
        if (on_epoch) {
            vh_ser_epoch_status s = {epoch, p->epochs, loss_sum / (double)(seen ? seen : 1), (double)correct / (double)(seen ? seen : 1),
                                     ev.ua, ev.wa, best_ua, (double)vh_nn_optim_lr(o), vh_now() - te, best_epoch, improved};
            if (on_epoch(&s, user)) st = vh__fail(NULL, VH_ECANCELED, "train-voice: canceled");
        }
    }
    if (!st || st == VH_ECANCELED) {
        /* keep the best weights */
        if (best_epoch > 0)
            for (int i = 0; i < np; i++) {
                const vh_nn_param *q = vh_nn_param_get(m->g, i);
                memcpy(q->t->data, best[i], q->t->size * sizeof(float));
            }
        res->epochs_run = epoch;
        res->best_epoch = best_epoch;
        res->best_ua = best_ua < 0 ? 0 : best_ua;
        res->best_wa = best_wa;
        res->stopped_early = epoch < p->epochs;
        res->seconds = vh_now() - t_start;
    }
    vh_nn_set_training(m->g, 0);
    vh_nn_optim_free(o);
    if (best)
        for (int i = 0; i < np; i++) free(best[i]);
    free(best);
    if (by_class)
        for (int k = 0; k < K; k++) free(by_class[k]);
    free(by_class);
    free(order);
    free(tmp);
    free(mix_x);
    free(mix_y);
    free(mix_l);
    free(val_pred);
    return st;
}
