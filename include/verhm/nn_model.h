/*
 * verhm/nn_model.h — model files (safetensors), image datasets, named
 * architectures, the training loop, and model evaluation/inference.
 *
 * Built on verhm/nn.h (tensors, graphs, ops, optimizers). Everything here
 * returns VH_OK or a negative VH_E* status; on failure vh_last_error() holds a
 * one-line message naming the file and the problem. Nothing prints or exits.
 */
#ifndef VERHM_NN_MODEL_H
#define VERHM_NN_MODEL_H

#include "verhm/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Safetensors files
 *
 * Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then
 * the raw little-endian tensor data. The JSON object maps each tensor name to
 * {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} (byte offsets
 * relative to the start of the data area) and may hold "__metadata__", an
 * object of string → string. verhm models keep in the metadata (all values are
 * strings; structured ones are JSON text):
 *   "format"       "verhm-model-1"
 *   "arch"         architecture name ("fer-fast", ...)
 *   "arch_params"  JSON object of architecture hyper-parameters
 *   "labels"       JSON array of class names, in output order
 *   "input"        JSON {"width":48,"height":48,"channels":1,"mean":m,"std":s}
 *                  (a pixel p in 0..255 is fed as (p/255 - mean) / std)
 *   "provenance"   JSON {"data":..,"split":..,"epochs":..,"seed":..,"metrics":{..}}
 *
 * The reader validates: header length against the file size (and ≤ 100 MiB),
 * JSON syntax, top-level object, duplicate names, known dtype, shape entries
 * (≤ 8 dims, each ≤ 2^31-1, product overflow-checked), data_offsets (two exact
 * integers, begin ≤ end ≤ data size, end-begin == numel × dtype size), and
 * that the tensors cover the data area exactly — no overlap, no gap, no
 * trailing bytes — as the specification requires. Metadata values must be
 * strings.
 * ====================================================================== */

#define VH_ST_MAX_DIMS 8

enum vh_st_dtype {
    VH_ST_F32, VH_ST_F16, VH_ST_BF16, VH_ST_F64, VH_ST_I64, VH_ST_I32, VH_ST_I16,
    VH_ST_I8, VH_ST_U8, VH_ST_BOOL, VH_ST_U16, VH_ST_U32, VH_ST_U64
};

/* One tensor entry of an open file (owned by the vh_safetensors handle). */
typedef struct vh_st_tensor {
    char *name;
    int dtype;                       /* enum vh_st_dtype */
    int ndim;
    int64_t shape[VH_ST_MAX_DIMS];
    size_t numel;                    /* product of shape (1 for a scalar) */
    size_t offset, nbytes;           /* within the data area */
} vh_st_tensor;

typedef struct vh_safetensors vh_safetensors;

/* Reads and validates a whole file (at most 2 GiB). On success *out is a handle
 * the caller frees with vh_st_free. Errors: VH_ENOTFOUND, VH_EIO, VH_ERANGE,
 * VH_EFORMAT (message: "<path>: <problem>"), VH_ENOMEM. */
int vh_st_open(const char *path, vh_safetensors **out);
/* Same from memory (the bytes are copied); `name` is used in messages only. */
int vh_st_open_mem(const void *buf, size_t len, const char *name, vh_safetensors **out);
void vh_st_free(vh_safetensors *st); /* NULL ok */

/* The name given at open (the path). */
const char *vh_st_name(const vh_safetensors *st);
/* Number of tensors and the i-th entry (file order; NULL when out of range). */
size_t vh_st_count(const vh_safetensors *st);
const vh_st_tensor *vh_st_get(const vh_safetensors *st, size_t i);
/* Entry by name or NULL. */
const vh_st_tensor *vh_st_find(const vh_safetensors *st, const char *name);
/* Raw little-endian bytes of a tensor (t->nbytes of them; owned by st). */
const void *vh_st_data(const vh_safetensors *st, const vh_st_tensor *t);
/* Converts a F32/F16/BF16/F64 tensor into `dst`, which holds exactly n floats;
 * n must equal t->numel (else VH_EFORMAT). Other dtypes: VH_EUNSUPPORTED. */
int vh_st_read_f32(const vh_safetensors *st, const vh_st_tensor *t, float *dst, size_t n);
/* Metadata value by key, or NULL (owned by st). */
const char *vh_st_meta(const vh_safetensors *st, const char *key);
size_t vh_st_meta_count(const vh_safetensors *st);
const char *vh_st_meta_key(const vh_safetensors *st, size_t i);

/* "F32", "BF16", ... and the element size in bytes (0 / "?" for unknown). */
const char *vh_st_dtype_name(int dtype);
size_t vh_st_dtype_size(int dtype);

/* Writer: collects F32 tensors (copied) and metadata, then writes the file
 * atomically (the data area starts 8-byte aligned; header padded with spaces). */
typedef struct vh_st_writer vh_st_writer;
int vh_st_writer_new(vh_st_writer **out);
void vh_st_writer_free(vh_st_writer *w); /* NULL ok */
/* Adds a tensor; the name must be unique (VH_EEXIST) and not "__metadata__". */
int vh_st_writer_add_f32(vh_st_writer *w, const char *name, const float *data, int ndim,
                         const int64_t *shape);
/* Sets a metadata entry (replaces an existing key). */
int vh_st_writer_meta(vh_st_writer *w, const char *key, const char *value);
/* Appends the complete file image to `out` (caller owns the buffer). */
int vh_st_writer_serialize(const vh_st_writer *w, vh_buf *out);
/* Writes `path` atomically; with overwrite 0 an existing file is VH_EEXIST. */
int vh_st_writer_save(const vh_st_writer *w, const char *path, int overwrite);

/* ======================================================================
 * Image-classification datasets
 *
 * All images are held in memory as 8-bit gray h×w (c = 1) rows, `n` of them in
 * one contiguous block (n × h × w bytes). Every example has a hard label
 * (majority class) and, for crowd-labelled data, a soft target distribution.
 * ====================================================================== */

#define VH_DATA_MAX_CLASSES 64
#define VH_DATA_MAX_IMAGES 4000000

typedef struct vh_dataset {
    int n;                 /* examples */
    int w, h;              /* every image is w×h gray */
    uint8_t *pixels;       /* n*h*w bytes, row-major, example after example */
    int *label;            /* n hard labels in [0, num_classes) */
    float *soft;           /* n × num_classes soft targets (rows sum to 1), or NULL */
    int num_classes;
    char **labels;         /* num_classes class names */
    size_t skipped;        /* unreadable/dropped inputs (each logged as a warning) */
    char *source;          /* description for provenance ("ferplus:<dir>", ...) */
} vh_dataset;

/* Loads any supported layout, chosen by what `path` is:
 *   - a directory with label.csv → FER+ (see vh_dataset_load_ferplus);
 *   - a directory of <Label>/ subfolders → vh_dataset_load_folder;
 *   - a .csv file → FER-2013 CSV (every row, whatever its Usage).
 * `size` is the side every image is resized to (area interpolation; 0 = keep,
 * then all images must have the same size). The caller frees with vh_dataset_free. */
int vh_dataset_load(const char *path, int size, vh_dataset *out);

/* A folder of <Label>/ subfolders of .png/.jpg/.jpeg images (labels = subfolder names sorted by
 * strcmp). Images are converted to gray and resized to size×size (area
 * interpolation; size 0 = keep, all equal). Unreadable images are skipped
 * and counted (warning logged); a label folder without any image, or no
 * label folder at all, is VH_EEMPTY. */
int vh_dataset_load_folder(const char *dir, int size, vh_dataset *out);

/* A FER+ folder: `dir/label.csv` with rows
 *   image,"(left, top, width, height)",neutral,happiness,surprise,sadness,
 *   anger,disgust,fear,contempt,unknown,NF
 * (ten crowd votes). Images whose majority vote is unknown or NF (or with no
 * emotion votes) are dropped (counted in `skipped`); the soft target is the
 * normalised emotion votes, the hard label their arg-max (first on ties).
 * Labels: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt. */
int vh_dataset_load_ferplus(const char *dir, int size, vh_dataset *out);

/* A FER-2013 CSV: header "emotion,pixels,Usage" then rows of a label 0–6,
 * 2304 space-separated pixels (48×48) and a usage string. `usage` keeps only
 * rows with that Usage ("Training", "PublicTest", ...); NULL keeps all.
 * Labels: Angry, Disgust, Fear, Happy, Sad, Surprise, Neutral. Bad rows are
 * skipped and counted. */
int vh_dataset_load_fer2013(const char *csv, const char *usage, int size, vh_dataset *out);

void vh_dataset_free(vh_dataset *d); /* zeroes the struct; NULL/zeroed ok */

/* Splits `d` into train/val with a seeded, per-class stratified shuffle; val
 * gets round(frac × class count) of each class (0 < frac < 1). Both outputs are
 * new datasets (copies) the caller frees. */
int vh_dataset_split(const vh_dataset *d, double frac, uint64_t seed, vh_dataset *train, vh_dataset *val);

/* Makes a dataset that uses `names` as its class list (same order as a model's
 * labels): each class of `d` must be found there (else VH_EINVAL naming it). */
int vh_dataset_remap(vh_dataset *d, const char *const *names, int count);

/* Training augmentation, applied per example with its own RNG stream derived
 * from (seed, example index, epoch) — so results do not depend on threads. */
typedef struct vh_augment_params {
    int enabled;
    int pad;            /* random crop from the image zero-padded by `pad` px (translation) */
    float flip_p;       /* horizontal flip probability */
    float rot_deg;      /* uniform rotation in ±rot_deg degrees */
    float scale;        /* uniform scale in [1-scale, 1+scale] */
    float brightness;   /* additive, ± fraction of 255 */
    float contrast;     /* multiplicative, 1 ± contrast */
    float erase_p;      /* random-erasing probability (rectangle of 2–20% area, filled with noise) */
} vh_augment_params;

/* Sensible defaults for 48×48 faces (enabled = 0; set it to 1 to use them). */
vh_augment_params vh_augment_default_params(void);

/* Fills `x` (count × 1 × h × w floats, NCHW) with examples idx[0..count) of `d`,
 * normalised as (p/255 - mean)/std, augmented when aug && aug->enabled (keyed
 * by seed and epoch). When `y` is non-NULL it receives count × num_classes
 * targets (the soft target, or one-hot). Runs in parallel (vh_parallel_for). */
void vh_dataset_batch(const vh_dataset *d, const int *idx, int count, float mean, float std_,
                      const vh_augment_params *aug, uint64_t seed, int epoch, float *x, float *y);


/* ======================================================================
 * Named architectures (graphs for H×W gray faces, NCHW input [1, H, W])
 *
 *   "fer-fast"  4 stages of conv3×3 (no bias) + batch norm + ReLU + max-pool 2,
 *               channels w, 2w, 4w, 8w (w = width, default 32), then global
 *               average pooling, dropout and the linear "head".
 *               w = 32: about 0.39 M parameters, 33 M multiply-adds at 48×48.
 *   "fer-acc"   VGG style: 4 stages of two conv3×3 + BN + ReLU each and a
 *               max-pool 2 (channels w, 2w, 4w, 8w), then flatten, dropout,
 *               dense "fc" (fc units) + BN + ReLU, dropout and the "head".
 *               w = 32, fc 256: about 1.8 M parameters, 117 M multiply-adds.
 *   "tiny"      one conv3×3 (w channels) + BN + ReLU, global average pooling
 *               and the head; for tests and smoke runs.
 * Parameter names: "s<stage>.conv<i>.weight", "s<stage>.bn<i>.{weight,bias,
 * running_mean,running_var}", "fc.weight", "fc.bias", "fcbn.*",
 * "head.weight" [classes, features], "head.bias".
 * ====================================================================== */

typedef struct vh_arch_params {
    int width;        /* channels of the first stage (4..256) */
    int fc;           /* hidden units of fer-acc's fc layer (16..4096) */
    float dropout;    /* dropout before the head (and fc), 0..0.9 */
} vh_arch_params;

/* Defaults for `arch` (unknown names get fer-fast's). */
vh_arch_params vh_arch_default_params(const char *arch);
/* The known names, NULL-terminated (static). */
const char *const *vh_arch_names(void);

struct vh_nn_graph;

/* Adds the architecture to an empty graph `g`: an input node "input" of
 * [channels, h, w] (returned in *input) through to the logits node [classes]
 * (in *logits). VH_ENOTFOUND for an unknown name, VH_EINVAL for parameters out
 * of range or an input too small for the pooling stages (fer-*: at least 16×16;
 * at most 512×512; fer-acc's fc weight at most 64 Mi values: VH_ERANGE). */
int vh_arch_build(struct vh_nn_graph *g, const char *arch, const vh_arch_params *p, int channels, int h,
                  int w, int classes, int *input, int *logits);

/* ======================================================================
 * Models: an architecture + its weights + labels + input spec + provenance
 * ====================================================================== */

typedef struct vh_model {
    struct vh_nn_graph *g;   /* owned */
    int input, logits, probs;  /* node ids; probs = softmax(logits) */
    int target, loss;        /* training target [classes] and softmax cross-entropy */
    char *arch;
    vh_arch_params ap;
    int num_classes;
    char **labels;           /* num_classes names, owned */
    int in_w, in_h, in_c;    /* input spec (in_c = 1: gray) */
    float mean, std;         /* input normalisation: (p/255 - mean) / std */
    char *provenance;        /* JSON object text or NULL; owned */
    int compiled_batch;      /* max batch of the last compile (0 = none) */
} vh_model;

/* Creates a model with freshly initialised weights (seeded) for `classes`
 * labels (copied) and a w×h gray input, normalised with mean 0.5, std 0.25.
 * Free with vh_model_free. */
int vh_model_new(const char *arch, const vh_arch_params *ap, const char *const *labels, int classes,
                 int w, int h, uint64_t seed, vh_model **out);
void vh_model_free(vh_model *m); /* NULL ok */

/* Loads a verhm model file: metadata (format, arch, arch_params, labels,
 * input) is validated, the graph rebuilt and every parameter filled from the
 * tensor of the same name, whose shape must match exactly; missing or extra
 * tensors are VH_EFORMAT naming them. F16/BF16 weights are converted. */
int vh_model_load(const char *path, vh_model **out);
/* Same from an open safetensors handle (used for checkpoints); `prefix` selects
 * tensors named prefix+param ("" for plain models). */
int vh_model_from_st(const vh_safetensors *st, const char *prefix, vh_model **out);

/* Adds the model (metadata + every parameter and buffer as F32) to a writer,
 * tensor names prefixed by `prefix` ("" for plain models). */
int vh_model_to_writer(const vh_model *m, vh_st_writer *w, const char *prefix);
/* Writes the model file atomically (overwrite as in vh_st_writer_save). */
int vh_model_save(const vh_model *m, const char *path, int overwrite);
/* Replaces the provenance JSON text (copied; NULL clears). */
int vh_model_set_provenance(vh_model *m, const char *json);

/* Copies all parameters and buffers from `src` whose name and shape match in
 * `dst` (e.g. a backbone into a model with a new head); *copied receives the
 * count (may be NULL). */
int vh_model_copy_params(vh_model *dst, const vh_model *src, int *copied);

/* Makes sure the graph is compiled for batches of up to `batch`. */
int vh_model_prepare(vh_model *m, int batch);

/* Class probabilities for `n` inputs already normalised, x = n × in_c × in_h ×
 * in_w floats; probs receives n × num_classes. Eval mode. */
int vh_model_predict(vh_model *m, const float *x, int n, float *probs);
/* Probabilities for one image of any size/channels: converted to gray and
 * resized to the input size with area interpolation (bilinear when enlarging). */
struct vh_image;
int vh_model_classify_image(vh_model *m, const struct vh_image *img, float *probs);

/* Evaluation: accuracy against the hard labels, mean cross-entropy against the
 * dataset's targets, per-class precision/recall/F1/support and the confusion
 * matrix (rows = true class, columns = predicted). The dataset's classes must
 * be the model's (same count; the caller remaps by name first). */
typedef struct vh_eval_result {
    int num_classes;
    int n;
    double accuracy, loss;
    int *confusion;              /* num_classes², row-major */
    double *precision, *recall, *f1;  /* num_classes each (0 when undefined) */
    int *support;                /* true examples per class */
} vh_eval_result;
int vh_model_evaluate(vh_model *m, const vh_dataset *d, int batch, vh_eval_result *out);
void vh_eval_result_free(vh_eval_result *r); /* zeroes it */

/* ======================================================================
 * Training
 *
 * Mini-batch training of a model on a dataset with the engine's optimizers:
 * per epoch a seeded shuffle (derived from seed and epoch), augmented batches
 * (vh_dataset_batch), softmax cross-entropy against the soft targets, then a
 * validation pass. The weights with the best validation accuracy are kept and
 * are in the model when vh_train returns; training stops early after
 * `patience` epochs without improvement. A checkpoint (model + optimizer state
 * + best weights + epoch/seed/early-stopping state, one safetensors file) is
 * written atomically after every epoch when `checkpoint` is set; `resume`
 * continues from one and gives bit-identical weights to an uninterrupted run
 * (same thread count). A NaN/inf loss stops with VH_ENUMERIC and a message
 * naming the epoch and batch; the last checkpoint on disk is left as it was.
 * ====================================================================== */

enum vh_train_optimizer { VH_TRAIN_ADAMW = 0, VH_TRAIN_SGD = 1, VH_TRAIN_ADAM = 2 };

/* Progress: called after every batch (phase "train") and at the end of every
 * epoch, after validation (phase "epoch"; val_* are NAN without validation data).
 * Return non-zero to cancel (VH_ECANCELED). */
typedef struct vh_train_status {
    const char *phase;
    int epoch, epochs;          /* 1-based current epoch */
    long step, steps_total;     /* batches done / total over all epochs of this run */
    double loss, acc;           /* running train loss/accuracy of the epoch */
    double val_acc, val_loss;   /* last validation (NAN before the first) */
    double best_val_acc;
    double lr;
    double elapsed, eta;        /* seconds */
} vh_train_status;
typedef int (*vh_train_progress_fn)(const vh_train_status *s, void *user);

typedef struct vh_train_params {
    int epochs;              /* total epochs (a resumed run counts from the checkpoint) */
    int batch;               /* mini-batch size */
    int optimizer;           /* enum vh_train_optimizer */
    float lr;                /* peak learning rate */
    float weight_decay;
    float momentum;          /* SGD */
    float warmup_epochs;     /* linear warm-up, then cosine decay to lr/100 */
    float clip_norm;         /* global gradient norm clip (0 = off) */
    int patience;            /* early stopping (0 = off) */
    int stop_after;          /* stop after this many epochs in this call (0 = off; for tests) */
    int keep_last;           /* 1: keep the last epoch's weights (validation is still measured and
                                reported each epoch, no early stopping); 0: the best validation epoch */
    uint64_t seed;
    vh_augment_params aug;
    const char *checkpoint;  /* written after every epoch (NULL = none) */
    const char *resume;      /* checkpoint to continue from (NULL = fresh) */
    vh_train_progress_fn progress;
    void *user;
} vh_train_params;

vh_train_params vh_train_default_params(void);

typedef struct vh_train_result {
    int epochs_done;         /* epochs completed in total (incl. resumed ones) */
    int best_epoch;          /* 1-based, 0 if no validation */
    double best_val_acc, last_train_loss, last_train_acc;
    double seconds;          /* wall time of this call */
    int early_stopped;
} vh_train_result;

/* Trains `m` on `train`, selecting on `val` (may be NULL: then the last epoch's
 * weights are kept and no early stopping). The datasets' classes must match
 * the model's. Provenance (data, split, epochs, seed, metrics) is recorded
 * in the model. */
int vh_train(vh_model *m, const vh_dataset *train, const vh_dataset *val, const vh_train_params *p,
             vh_train_result *res);

#ifdef __cplusplus
}
#endif
#endif
