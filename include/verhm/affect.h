/*
 * verhm/affect.h — from faces to an emotional read-out: emotion labels and
 * their valence/arousal, a temporal filter over per-frame probabilities, age
 * and gender, and the per-frame face analyzer behind `verhm recognize`.
 */
#ifndef VERHM_AFFECT_H
#define VERHM_AFFECT_H

#include "verhm/core.h"
#include "verhm/face.h"
#include "verhm/image.h"
#include "verhm/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- emotion labels ---------------------------------------------------- */

/* FER+ emotion classes in the order of verhm's facial-emotion model. */
#define VH_FER_COUNT 8
extern const char *const vh_fer_labels[VH_FER_COUNT];
/* Index of a FER+ label (case-insensitive), or VH_ENOTFOUND. */
int vh_fer_index(const char *label);

/* Valence (−1 unpleasant … +1 pleasant) and arousal (−1 calm … +1 excited) of
 * a label on Russell's circumplex, as placed by Russell (1980) and Scherer
 * (2005): happiness (0.8, 0.5), surprise (0.4, 0.8), neutral (0, 0),
 * sadness (−0.7, −0.4), anger (−0.6, 0.7), disgust (−0.7, 0.3), fear (−0.6,
 * 0.6), contempt (−0.5, 0.1); also calm (0.4, −0.6) and the EmoPOI labels.
 * Returns VH_ENOTFOUND for an unknown label. */
int vh_emotion_circumplex(const char *label, float *valence, float *arousal);
/* Probability-weighted valence/arousal of a distribution over `labels`. */
void vh_emotion_va(const float *probs, const char *const *labels, int n, float *valence, float *arousal);

/* ---- other label sets -------------------------------------------------- */

/* A linear map from the FER+ distribution to another label set (e.g. the
 * original prototype's EmoPOI labels), read from a TSV file: a header row
 * "fer" + target names, then one row per FER+ label with non-negative weights
 * summing to 1 (± 0.01). See data/emopoi_map.tsv. */
#define VH_LABELMAP_MAX 16
typedef struct vh_label_map {
    int n;                                   /* target labels */
    char names[VH_LABELMAP_MAX][32];
    float w[VH_FER_COUNT][VH_LABELMAP_MAX];  /* w[fer][target] */
} vh_label_map;

/* Parses a map file. Errors (VH_EFORMAT) name the file and line. */
int vh_label_map_load(const char *path, vh_label_map *out);
/* out[j] = Σ_k fer[k] · w[k][j]. */
void vh_label_map_apply(const vh_label_map *m, const float fer[VH_FER_COUNT], float *out);

/* ---- temporal filter --------------------------------------------------- */

/* Forward filtering in a hidden Markov model whose hidden state is the true
 * emotion: it stays with probability exp(−dt/τ) per step (τ = `persistence_s`)
 * and otherwise moves to any class (uniformly); per-frame classifier outputs
 * are treated as likelihoods, tempered by `evidence` (0 < e ≤ 1; lower trusts
 * single frames less). The filtered posterior is the read-out per frame. */
typedef struct vh_emotion_filter {
    int n;
    float persistence_s, evidence;
    float post[16];
    double last_t;
    int started;
} vh_emotion_filter;

void vh_emotion_filter_init(vh_emotion_filter *f, int n, float persistence_s, float evidence);
/* Feeds the frame at time t (s) with classifier probabilities `probs` (n) and
 * writes the filtered posterior to `out` (n; may alias probs). */
void vh_emotion_filter_update(vh_emotion_filter *f, double t, const float *probs, float *out);

/* ---- age and gender ---------------------------------------------------- */

/* Age groups: "Child" 0–12, "Teen" 13–19, "Adult" 20–59, "Senior" 60+; and
 * the original prototype's three: "Child" < 13, "Adult" 13–59, "Old" 60+. */
const char *vh_age_group(float age);
const char *vh_age_group_legacy(float age);

/* Number of age bins of the age-gender model: bin k is centred on 5k years
 * (0…100); the age estimate is the expectation over the bins (DEX-style). */
#define VH_AGE_BINS 21
#define VH_AGEGENDER_CLASSES (2 * VH_AGE_BINS)

/* The age-gender model is one verhm image model (nn_model.h) whose softmax is
 * the JOINT distribution over gender × age bin: labels "male:0", "male:5", …,
 * "male:100", "female:0", …, "female:100". Marginals give P(female) and the
 * age expectation. Trained on aligned crops (vh_face_template_agegender) of UTKFace
 * with soft targets: a Gaussian over the age bins (σ = 3 years) × the gender. */
struct vh_model;

/* Writes the 42 labels in model order into `labels` (static strings). */
void vh_agegender_labels(const char *labels[VH_AGEGENDER_CLASSES]);
/* Checks that a loaded model is an age-gender model (VH_EFORMAT if not). */
int vh_agegender_check(const struct vh_model *m);
/* Age (years) and P(female) from the model's 42 output probabilities. */
void vh_agegender_decode(const float probs[VH_AGEGENDER_CLASSES], float *age, float *p_female);

/* Loads a UTKFace-style folder into an aligned-crop dataset for the model:
 * each image's face is found with the cascade (largest box; a centred box when
 * none is found), its landmarks predicted, and a size×size crop aligned. Files
 * whose names do not parse are skipped with a warning (counted in skipped).
 * `ages`/`genders` (may be NULL) receive malloc'ed per-example arrays (caller
 * frees with vh_free). With val_frac > 0 the examples are split by a hash of
 * the file name (stable across runs and machines) into *train and *val;
 * otherwise everything goes to *train and *val is left empty. */
struct vh_dataset;
int vh_utkface_load(const char *dir, int size, const vh_cascade *cas, const vh_shape_predictor *sp,
                    double val_frac, struct vh_dataset *train, struct vh_dataset *val, float **train_ages,
                    float **val_ages);

/* Evaluates an age-gender model on a dataset made by vh_utkface_load with the
 * true ages: mean absolute age error (years), gender accuracy and the accuracy
 * of the four age groups. */
typedef struct vh_agegender_eval {
    int n;
    double age_mae, gender_accuracy, group_accuracy;
} vh_agegender_eval;
int vh_agegender_evaluate(struct vh_model *m, const struct vh_dataset *d, const float *ages,
                          vh_agegender_eval *out);

/* One UTKFace file name "AGE_GENDER_RACE_DATE.jpg[.chip.jpg]" → age, gender
 * (0 male, 1 female). VH_EFORMAT for malformed names. */
int vh_utkface_parse_name(const char *name, int *age, int *gender);

/* ---- face crops -------------------------------------------------------- */

/* Maps a Haar-cascade box (OpenCV frontalface_alt convention) to the dlib HOG
 * box convention the 68-point model was trained on: side × 0.871, centre moved
 * down by 0.0705 × side. Measured on dlib_examples (bench/landmarks/
 * calibrate_box.c): landmark error 2.1% → 1.5% of the inter-ocular distance. */
void vh_haar_to_dlib_box(const vh_box *haar, double *left, double *top, double *width, double *height);

/* An aligned size×size gray crop of the face with `lm` (68 points) on `img`,
 * framed like FER-2013 faces (vh_face_template_fer). *out is a new image. */
int vh_face_align_crop(const vh_image *img, const vh_point2f lm[68], int size, vh_image *out);
/* Same with any template (e.g. vh_face_template_agegender). */
int vh_face_align_crop_tpl(const vh_image *img, const vh_point2f lm[68], int size, const vh_face_template *tpl,
                           vh_image *out);
/* The age-gender crop: the FER template shrunk by 0.8 about the centre, so the
 * crop keeps more of the head (hair, jaw line), which carries age and gender. */
vh_face_template vh_face_template_agegender(void);

/* ---- the face analyzer (per video frame) ------------------------------- */

typedef struct vh_analyzer_params {
    const char *cascade_path;    /* NULL: vh_cascade_default_path() */
    const char *landmarks_path;  /* NULL: vh_shape_predictor_default_path() */
    const char *emotion_model;   /* facial-emotion model file; NULL: no emotion */
    const char *agegender_model; /* age-gender model file; NULL: no age/gender */
    vh_detect_params detect;     /* min size 0 → 1/8 of the frame's shorter side */
    int detect_max_side;         /* frames are shrunk to at most this side for
                                    detection (default 480; 0 = never) */
    int redetect_every;          /* run the detector on every Nth frame and follow
                                    faces by their landmarks in between (default 3;
                                    1 = detect on every frame) */
    float persistence_s;         /* emotion filter time constant (default 1.5 s) */
    float evidence;              /* emotion filter likelihood temper (default 0.6) */
} vh_analyzer_params;

vh_analyzer_params vh_analyzer_default_params(void);

/* One face in one frame. */
typedef struct vh_face_obs {
    int track;                   /* stable id (vh_tracker) */
    vh_box box;                  /* detector box in frame pixels */
    vh_point2f landmarks[68];
    float yaw, pitch, roll;      /* degrees (vh_head_pose) */
    int has_emotion;
    float emotion_raw[VH_FER_COUNT]; /* this frame's classifier output */
    float emotion[VH_FER_COUNT];     /* temporally filtered (the read-out) */
    float valence, arousal;      /* of the filtered distribution */
    int has_agegender;
    float age, p_female;         /* this frame; track averages in the summary */
} vh_face_obs;

/* A stretch of time with one dominant (filtered) emotion. */
typedef struct vh_emotion_segment {
    double start, end; /* seconds (end = time of its last frame) */
    int label;         /* FER+ index */
    float mean_prob;   /* mean filtered probability of the label */
    int frames;
} vh_emotion_segment;

/* Everything known about one track so far. */
typedef struct vh_track_summary {
    int id;
    double first, last;          /* seconds */
    int frames;
    int has_emotion;
    float mean_emotion[VH_FER_COUNT]; /* mean of the filtered distributions */
    int dominant;                /* arg-max of mean_emotion */
    float valence, arousal;      /* means over frames */
    int has_agegender;
    float age, p_female;         /* means over frames */
    int nsegments;
    const vh_emotion_segment *segments; /* owned by the analyzer */
} vh_track_summary;

/* Seconds spent per stage over all frames so far (for benchmarks). */
typedef struct vh_analyzer_timing {
    long frames;
    double detect, landmarks, pose, emotion, agegender;
} vh_analyzer_timing;

typedef struct vh_face_analyzer vh_face_analyzer;

/* Loads the cascade, landmark model and the optional emotion / age-gender
 * models. Errors name the file that failed; *out NULL on failure. */
int vh_face_analyzer_new(const vh_analyzer_params *p, vh_face_analyzer **out);
void vh_face_analyzer_free(vh_face_analyzer *a); /* NULL ok */

/* Analyses one RGB (or gray) frame at time t (seconds, non-decreasing).
 * *faces points to *n observations owned by the analyzer, valid until the next
 * call. Returns VH_OK, VH_EINVAL (time going backwards, empty image). */
int vh_face_analyzer_process(vh_face_analyzer *a, const vh_image *frame, double t,
                             const vh_face_obs **faces, int *n);

/* Summaries of all tracks so far (array owned by the analyzer, valid until
 * the next process call). */
int vh_face_analyzer_tracks(vh_face_analyzer *a, const vh_track_summary **tracks, int *n);
void vh_face_analyzer_timing(const vh_face_analyzer *a, vh_analyzer_timing *t);
/* Labels of the emotion model (VH_FER_COUNT names) or NULL without one. */
const char *const *vh_face_analyzer_emotion_labels(const vh_face_analyzer *a);

/* ---- results for the monitor ------------------------------------------- */

/* Builds the `verhm monitor import` document of a face analysis (contract in
 * docs/monitor.md): 1-second windows of the main face's filtered emotion
 * distribution with valence/arousal. Feed it each frame's first face. */
typedef struct vh_face_result vh_face_result;
int vh_face_result_new(vh_face_result **out);
void vh_face_result_free(vh_face_result *r); /* NULL ok */
/* Adds the observation of the frame at time t (ignored without emotion). */
int vh_face_result_add(vh_face_result *r, double t, const vh_face_obs *face);
/* Number of windows so far (after flushing the open one). */
int vh_face_result_windows(vh_face_result *r);
/* The JSON document (kind "face"): `source` is the media file name (not
 * stored by the monitor), `started_at` an ISO 8601 time, `duration` seconds.
 * *json is a new NUL-terminated string the caller frees with vh_free.
 * VH_EEMPTY when no window has an emotion read-out. */
int vh_face_result_json(vh_face_result *r, const char *source, const char *started_at, double duration,
                        char **json, size_t *len);

/* Runs the whole face analysis over a media file and returns the monitor
 * import document (what `verhm monitor record` stores). Model paths are
 * required for emotion (age/gender optional). The session start is the
 * file's modification time. Errors name the file; VH_EEMPTY when no face
 * with an emotion read-out was found. */
typedef struct vh_media_analysis_params {
    const char *emotion_model;
    const char *agegender_model; /* NULL: no age/gender */
    int every;                   /* analyse every Nth frame (≥ 1) */
} vh_media_analysis_params;
#define VH_AFFECT_HAVE_ANALYZE_MEDIA 1
int vh_affect_analyze_media(const char *path, const vh_media_analysis_params *p, char **json, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
