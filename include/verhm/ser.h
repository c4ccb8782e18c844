/*
 * verhm/ser.h — speech-emotion recognition (SER): a small CRNN over log-mel
 * spectrograms, its model file, datasets of labelled speech, training with
 * augmentation and speaker-independent evaluation.
 *
 * Model (built with the nn.h graph engine):
 *   log-mel [1, n_mels, max_frames] (dB, normalised by a global mean/std,
 *   optionally after removing the per-band mean of the utterance: `cmn`)
 *   → 4 × (conv 3×3 + batch norm + ReLU + max-pool 2×2)
 *   → sequence over time [max_frames/16, channels[3] · n_mels/16]
 *   → bidirectional GRU (hidden `rnn_hidden`, masked by the valid length)
 *   → additive attention pooling over valid steps → dropout → dense → classes.
 * Utterances longer than max_frames are read in windows of max_frames frames
 * (hop max_frames/2) whose probabilities are averaged.
 *
 * Model file: safetensors with metadata "format" = "verhm-ser-1", the
 * architecture and feature hyper-parameters (see vh_ser_config) and "labels"
 * (a JSON array of names). Every tensor of the graph must be present with its
 * exact shape, and no other tensor may be; every number is range-checked on load.
 * Ensembles (vh_ser_ensemble): metadata "members" = N (2..VH_SER_MAX_MEMBERS;
 * absent = 1) and the N parameter sets as tensors "m<k>.<name>" (k = 0..N-1);
 * the members share the configuration (features, normalisation, architecture,
 * labels) and their class probabilities are averaged.
 *
 * Errors: functions return VH_OK or a negative VH_E*; the message (naming the
 * file and the problem) is in vh_last_error(). Library code never prints.
 */
#ifndef VERHM_SER_H
#define VERHM_SER_H

#include "verhm/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VH_SER_MAX_CLASSES 16
#define VH_SER_LABEL_MAX 32
#define VH_SER_FORMAT "verhm-ser-1"
#define VH_SER_MAX_MEMBERS 16

/* The RAVDESS emotions in file-name order (01 neutral … 08 surprised). */
#define VH_SER_RAVDESS_COUNT 8
extern const char *const vh_ser_ravdess_labels[VH_SER_RAVDESS_COUNT];

/* Architecture and feature specification (all stored in the model file). */
typedef struct vh_ser_config {
    /* features: vh_features (dsp.h) log-mel, Hann window, centred, Slaney mels */
    int sample_rate;      /* 16000 (8000..48000) */
    int n_fft;            /* 512 */
    int win_length;       /* 400 (25 ms) */
    int hop;              /* 160 (10 ms) */
    int n_mels;           /* 64 (multiple of 16, 16..128) */
    double fmin, fmax;    /* 20, 8000 Hz */
    double top_db;        /* 80: dB floor below each utterance's maximum */
    double trim_db;       /* 40: leading/trailing frames this far below the loudest are cut */
    float feat_mean, feat_std; /* normalisation of the dB values (set by training) */
    int cmn;              /* 1: subtract each utterance's (window's) per-band mean first
                           * (cepstral-mean-style speaker/channel normalisation; then
                           * feat_mean is 0 and feat_std the spread around it); 0: off.
                           * Stored as metadata "cmn" (absent = 0). */
    /* network */
    int max_frames;       /* 256 frames per window (multiple of 16, 32..2048) */
    int channels[4];      /* conv channels, e.g. 8, 16, 32, 48 (1..256) */
    int rnn_hidden;       /* GRU hidden size per direction (4..512) */
    int att;              /* attention size (4..512) */
    float dropout;        /* before the head, [0, 0.9] */
    int n_classes;        /* 2..VH_SER_MAX_CLASSES */
    char labels[VH_SER_MAX_CLASSES][VH_SER_LABEL_MAX];
} vh_ser_config;

/* Defaults above with the 8 RAVDESS labels, feat_mean -50, feat_std 20. */
vh_ser_config vh_ser_default_config(void);
/* Checks every field; VH_EINVAL with a message naming the field. */
int vh_ser_config_check(const vh_ser_config *c);

/* ---- features ----------------------------------------------------------- */

/* Log-mel dB of mono samples x[0..n) at c->sample_rate (not normalised), with
 * leading/trailing frames more than c->trim_db below the loudest frame removed
 * (5 frames of margin kept). *out (frames × n_mels, caller frees with vh_free).
 * Errors: VH_EEMPTY (n < 2 or nothing left), VH_EINVAL, VH_ENOMEM. */
int vh_ser_logmel(const vh_ser_config *c, const float *x, size_t n, float **out, size_t *frames);

/* Linear-interpolation resampling for speed perturbation: y[i] = x(i·factor),
 * factor in [0.5, 2]; *out has floor((n-1)/factor)+1 samples (caller frees with
 * vh_free). Errors: VH_EINVAL, VH_EEMPTY (n == 0), VH_ENOMEM. */
int vh_ser_speed(const float *x, size_t n, double factor, float **out, size_t *n_out);

/* ---- model -------------------------------------------------------------- */

typedef struct vh_ser vh_ser;

/* A new model with parameters initialised from `seed`. */
int vh_ser_new(const vh_ser_config *c, uint64_t seed, vh_ser **out);
/* Loads and validates a verhm-ser-1 file. */
int vh_ser_load(const char *path, vh_ser **out);
/* Writes the model atomically (overwrite 0: an existing file is VH_EEXIST).
 * `provenance` (may be NULL) is stored as metadata "provenance". */
int vh_ser_save(const vh_ser *m, const char *path, const char *provenance, int overwrite);
void vh_ser_free(vh_ser *m); /* NULL ok */
/* The model's configuration (owned by m). */
const vh_ser_config *vh_ser_get_config(const vh_ser *m);
/* Parameter scalars (buffers included), summed over the members of an ensemble. */
size_t vh_ser_param_count(const vh_ser *m);
/* 1 for a single model, N for an ensemble. */
int vh_ser_member_count(const vh_ser *m);
/* A new ensemble of the n (2..VH_SER_MAX_MEMBERS) single models (copied; the
 * inputs stay owned by the caller): predictions average the members' class
 * probabilities. The models must have the same configuration, normalisation
 * included (members trained on the same files). VH_EINVAL otherwise (the
 * message names the member). Ensembles cannot be trained (vh_ser_train gives
 * VH_EINVAL). */
int vh_ser_ensemble(vh_ser *const *models, int n, vh_ser **out);
/* Non-zero if `path` is a safetensors file whose metadata says verhm-ser-1
 * (reads only the header). */
int vh_ser_is_model_file(const char *path);

/* Class probabilities (c->n_classes floats) of one utterance given as a
 * log-mel from vh_ser_logmel (frames >= 1). */
int vh_ser_predict_logmel(vh_ser *m, const float *logmel, size_t frames, float *probs);
/* Same from samples at the model's sample rate. VH_EEMPTY when there is no
 * audio. */
int vh_ser_predict(vh_ser *m, const float *x, size_t n, float *probs);

/* ---- datasets ----------------------------------------------------------- */

/* A list of labelled audio files. speaker[i] is the RAVDESS actor (1..99) or
 * -1 when unknown (generic folders). */
typedef struct vh_ser_dataset {
    size_t n;
    char **paths;
    int *label;
    int *speaker;
    int n_classes;
    char labels[VH_SER_MAX_CLASSES][VH_SER_LABEL_MAX];
} vh_ser_dataset;

/* Scans `dir` recursively. RAVDESS layout: every file name is
 * "MM-VC-EE-II-SS-RR-AA.ext" (labels vh_ser_ravdess_labels, speaker AA).
 * Otherwise the generic layout <Label>/<file>.wav|flac|mp3|ogg (labels are the
 * sub-folder names in sorted order, at most VH_SER_MAX_CLASSES). Errors:
 * VH_ENOTFOUND, VH_EFORMAT (mixed/unknown layout, no files). */
int vh_ser_dataset_scan(const char *dir, vh_ser_dataset *out);
void vh_ser_dataset_free(vh_ser_dataset *d); /* zeroes it; zeroed ok */
/* Splits by speaker: items whose speaker is in val_speakers[0..nval) go to
 * *val, the others to *train (copies; free both). VH_EINVAL when the dataset
 * has unknown speakers, VH_EEMPTY when either side is empty. */
int vh_ser_dataset_split_speakers(const vh_ser_dataset *d, const int *val_speakers, int nval,
                                  vh_ser_dataset *train, vh_ser_dataset *val);
/* Deterministic split of a fraction (0, 1) of each class into *val (for folders
 * without speaker information; NOT speaker-independent). */
int vh_ser_dataset_split_random(const vh_ser_dataset *d, double frac, uint64_t seed,
                                vh_ser_dataset *train, vh_ser_dataset *val);

/* Features of every file of a dataset, computed once (speed-perturbed copies
 * for training). feats[v][i] is the log-mel of item i at speed index v. */
typedef struct vh_ser_features {
    size_t n;
    int n_speeds;              /* 1 or 3 (0.9, 1.0, 1.1) */
    int n_mels;
    float **feats;             /* [n_speeds * n] */
    size_t *frames;            /* [n_speeds * n] */
} vh_ser_features;

typedef int (*vh_ser_progress_fn)(size_t done, size_t total, const char *what, void *user);

/* Loads every file (vh_audio_load at the config's rate, at most 30 s) and
 * computes its log-mel; with `speeds` also at speeds 0.9 and 1.1. Uses
 * vh_parallel_for. Errors name the file. */
int vh_ser_features_compute(const vh_ser_config *c, const vh_ser_dataset *d, int speeds,
                            vh_ser_progress_fn progress, void *user, vh_ser_features *out);
void vh_ser_features_free(vh_ser_features *f);

/* ---- evaluation --------------------------------------------------------- */

typedef struct vh_ser_eval {
    int n_classes;
    char labels[VH_SER_MAX_CLASSES][VH_SER_LABEL_MAX];
    size_t n;
    double ua;        /* unweighted accuracy: mean recall over classes present */
    double wa;        /* weighted accuracy: correct / n */
    double recall[VH_SER_MAX_CLASSES], precision[VH_SER_MAX_CLASSES], f1[VH_SER_MAX_CLASSES];
    long support[VH_SER_MAX_CLASSES];
    long confusion[VH_SER_MAX_CLASSES][VH_SER_MAX_CLASSES]; /* [true][predicted] */
} vh_ser_eval;

/* Fills the metrics from true/predicted class indices. */
void vh_ser_eval_compute(int n_classes, const int *truth, const int *pred, size_t n, vh_ser_eval *out);
/* Evaluates on precomputed features (speed index 1 when present, else 0). */
int vh_ser_evaluate_features(vh_ser *m, const vh_ser_features *f, const int *labels, vh_ser_eval *out);
/* Evaluates on a dataset (loads each file). The dataset's labels are mapped
 * to the model's by name (VH_EFORMAT when a label is unknown to the model). */
int vh_ser_evaluate(vh_ser *m, const vh_ser_dataset *d, vh_ser_progress_fn progress, void *user,
                    vh_ser_eval *out);
/* Appends {"n","ua","wa","labels","per_class":{label:{recall,precision,f1,support}},
 * "confusion":[[...]]} members to an open JSON object. */
void vh_ser_eval_json(const vh_ser_eval *e, vh_json_writer *w);

/* ---- training ----------------------------------------------------------- */

typedef struct vh_ser_train_params {
    int epochs;            /* 60 */
    int batch;             /* 32 */
    float lr;              /* 2e-3, AdamW, cosine to lr/50 after a one-epoch warm-up */
    float weight_decay;    /* 1e-2 */
    float label_smoothing; /* 0.05 */
    int patience;          /* stop after this many epochs without a better val UA (15) */
    uint64_t seed;         /* 1 */
    /* augmentation, drawn deterministically per (seed, epoch, example) */
    int speed;             /* use the 0.9/1.1 copies (needs features with 3 speeds) */
    float noise_p;         /* 0.5: add noise at SNR uniform in [snr_min, snr_max] dB */
    float snr_min, snr_max;/* 5, 30 */
    float gain_db;         /* ±6 dB */
    int freq_masks, freq_mask_max;  /* 2 masks of up to 8 mel bands */
    int time_masks, time_mask_max;  /* 2 masks of up to 20 frames */
    float mixup;           /* 0: off; > 0: every example is mixed with another of its
                            * batch (inputs and one-hot targets) with a weight
                            * lambda ~ Beta(mixup, mixup), lambda >= 1/2 kept on the
                            * example itself; its valid length is the longer one */
    int select_last;       /* 0: keep the epoch with the best validation UA (early
                            * stopping with `patience`); 1: keep the last epoch's
                            * weights and never stop early (validation is only
                            * reported, nothing is chosen on it) */
    const char *checkpoint;/* per-epoch checkpoint file (NULL: none) */
    int resume;            /* continue from `checkpoint` if it exists */
    const char *best_path; /* the best model so far is saved here after each improvement (NULL: no) */
    const char *provenance;/* metadata stored with best_path */
} vh_ser_train_params;

vh_ser_train_params vh_ser_train_default_params(void);

typedef struct vh_ser_epoch_status {
    int epoch, epochs;
    double train_loss, train_acc, val_ua, val_wa, best_ua, lr, seconds;
    int best_epoch, improved;
} vh_ser_epoch_status;
/* Called after every epoch; a non-zero return stops training (VH_ECANCELED). */
typedef int (*vh_ser_epoch_fn)(const vh_ser_epoch_status *s, void *user);

typedef struct vh_ser_train_result {
    int epochs_run, best_epoch;
    double best_ua, best_wa, seconds;
    int stopped_early;
} vh_ser_train_result;

/* Trains m on `train` (features with 3 speeds when p->speed) and keeps the
 * weights of the epoch with the best validation UA in m at the end (the last
 * epoch's with p->select_last). The
 * features' normalisation (mean/std of training dB values) is set in the
 * model's config before the first epoch (kept when resuming). Errors: VH_ENUMERIC
 * (loss/gradient not finite; the message names epoch and step), file errors
 * of checkpoints. */
int vh_ser_train(vh_ser *m, const vh_ser_features *train, const int *train_labels,
                 const vh_ser_features *val, const int *val_labels, const vh_ser_train_params *p,
                 vh_ser_epoch_fn on_epoch, void *user, vh_ser_train_result *res);

#ifdef __cplusplus
}
#endif
#endif
