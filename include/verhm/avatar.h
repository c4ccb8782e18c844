/*
 * verhm/avatar.h — the voice-driven 3-D face: blendshape rig.
 *
 * The rig is the ICT FaceKit head (USC ICT, MIT licence) converted by
 * scripts/convert_ict_rig.py into assets/face/ict_rig.vhrig: a triangle mesh in
 * centimetres with per-vertex UVs and part labels, and the 52 ARKit
 * blendshapes as sparse vertex offsets. Posing is linear:
 *   v = neutral + Σ_k w_k · delta_k,   w_k usually in [0, 1].
 */
#ifndef VERHM_AVATAR_H
#define VERHM_AVATAR_H

#include "verhm/core.h"
#include "verhm/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The 52 ARKit blendshape names in ARKit/LiveLinkFace order. */
#define VH_ARKIT_COUNT 52
extern const char *const vh_arkit_names[VH_ARKIT_COUNT];
/* Index of an ARKit name (case-sensitive), or VH_ENOTFOUND. */
int vh_arkit_index(const char *name);

/* Mesh parts (vh_rig_parts()). */
enum vh_rig_part { VH_PART_SKIN = 0, VH_PART_EYE_SOCKET = 1, VH_PART_TEETH = 2,
                   VH_PART_EYEBALL = 3, VH_PART_LASHES = 4, VH_PART_MOUTH = 5,
                   VH_PART_EYE_SHELL = 6 /* transparent tear/occlusion shells: not drawn */ };

typedef struct vh_rig vh_rig;

/* Loads a .vhrig file (validated: magic, version, counts vs size, triangle and
 * vertex indices in range, finite values, CRC). Errors: VH_ENOTFOUND,
 * VH_EFORMAT (names the file and the problem), VH_ENOMEM. */
int vh_rig_load(const char *path, vh_rig **out);
int vh_rig_load_mem(const void *buf, size_t len, const char *name, vh_rig **out);
void vh_rig_free(vh_rig *rig); /* NULL ok */

int vh_rig_vertex_count(const vh_rig *rig);
int vh_rig_triangle_count(const vh_rig *rig);
/* Number of shapes in the file (52) and their names (owned by the rig). The
 * rig's shape order is mapped to ARKit order on load: shape k is
 * vh_arkit_names[k], so weight vectors are always in ARKit order. */
int vh_rig_shape_count(const vh_rig *rig);

/* Read-only arrays owned by the rig: neutral positions [nverts*3] (cm), UVs
 * [nverts*2], parts [nverts], triangles [ntris*3] (counter-clockwise seen from
 * outside). */
const float *vh_rig_neutral(const vh_rig *rig);
const float *vh_rig_uvs(const vh_rig *rig);
const uint8_t *vh_rig_parts(const vh_rig *rig);
const uint32_t *vh_rig_triangles(const vh_rig *rig);
/* Offsets of shape k (ARKit index) as sparse lists: *count entries of vertex
 * indices and xyz deltas. Owned by the rig. */
void vh_rig_shape(const vh_rig *rig, int k, int *count, const uint16_t **verts, const float **deltas);

/* Poses the mesh: out[nverts*3] = neutral + Σ w[k]·delta_k over the 52 ARKit
 * weights (caller-owned arrays), summed in shape order. Weights outside [-1, 2]
 * or non-finite are rejected with VH_ERANGE (out untouched). Split over
 * vh_parallel_for by vertex ranges when every shape lists its vertices in
 * increasing order (as the converter writes them); the result is the same. */
int vh_rig_apply(const vh_rig *rig, const float w[VH_ARKIT_COUNT], float *out);

/* ---- software renderer ---- */

/* Camera and look of the rendered face. */
typedef struct vh_render_params {
    int width, height;      /* output size (512 × 768 like the original) */
    int supersample;        /* anti-aliasing: n×n samples per pixel (1–4, default 2) */
    float fov_deg;          /* vertical field of view (default 24) */
    float center[3];        /* point the camera looks at, cm in rig space */
    float distance;         /* camera distance from `center` along +z, cm */
    uint8_t background_top[3], background_bottom[3]; /* vertical gradient */
} vh_render_params;

vh_render_params vh_render_default_params(void);

/* Per-frame pose beyond the blendshapes: head rotation (degrees, about the
 * neck) and eye gaze (degrees; + yaw looks to the image's right, + pitch up). */
typedef struct vh_render_pose {
    float head_yaw, head_pitch, head_roll;
    float gaze_yaw, gaze_pitch;
} vh_render_pose;

typedef struct vh_renderer vh_renderer;

/* Creates a renderer for `rig` (which must outlive it); all buffers are
 * allocated here, rendering allocates nothing. Errors: VH_EINVAL (sizes out of
 * range: 16–4096 px, supersample 1–4), VH_ENOMEM. */
int vh_renderer_new(const vh_rig *rig, const vh_render_params *p, vh_renderer **out);
void vh_renderer_free(vh_renderer *r); /* NULL ok */

/* Renders the mesh with vertex positions `pos` (nverts*3, e.g. from
 * vh_rig_apply) and `pose` (NULL = neutral): z-buffered triangles with smooth
 * (per-vertex, Gouraud) lighting from a key, fill and rim light, coloured skin,
 * eyes (sclera, iris, pupil), teeth, mouth interior and lashes, n×n supersampled.
 * Uses vh_parallel_for over image bands. *frame is an RGB image owned by the
 * renderer, valid until the next call. */
int vh_render(vh_renderer *r, const float *pos, const vh_render_pose *pose, const vh_image **frame);


/* ---- animation: voice → ARKit weights (src/avatar/anim.c, phones.c,
 * export.c, lipsync.c) ------------------------------------------------------
 * Weight tracks are row-major float arrays [frames × 52] in ARKit order. */

/* Visemes (mouth shapes) used by the phoneme path. */
enum vh_viseme { VH_VIS_SIL = 0, VH_VIS_PBM, VH_VIS_FV, VH_VIS_TH, VH_VIS_DTN, VH_VIS_SZ,
                 VH_VIS_SH, VH_VIS_KG, VH_VIS_R, VH_VIS_W, VH_VIS_AA, VH_VIS_EH, VH_VIS_IY,
                 VH_VIS_OW, VH_VIS_UW, VH_VIS_COUNT };

/* Viseme of a phone label: CMU/ARPAbet as PocketSphinx writes them ("AA",
 * "P", "SIL", fillers "+NSN+"...; stress digits ignored, case-insensitive).
 * Unknown labels and fillers give VH_VIS_SIL. */
int vh_viseme_of_phone(const char *phone);
/* Target ARKit weights of a viseme (static table, 52 values). NULL if out of range. */
const float *vh_viseme_target(int viseme);

/* One recognized or known phone: label and times in seconds. */
typedef struct vh_phone_seg {
    char phone[16];
    double start, end;
} vh_phone_seg;

/* Coarticulated mouth curves from phones (dominance functions in the manner
 * of Cohen & Massaro): each phone pulls the mouth toward its viseme target
 * with a dominance that peaks at its centre and decays exponentially with
 * time; bilabials and labiodentals dominate strongly so the lips close.
 * Frame f (time t0 + f/fps) gets Σ D_i·T_i / (Σ D_i + rest), written into
 * w[f*52 + k] for the mouth/jaw channels (other channels are set to 0).
 * `segs` times are absolute; t0 is the time of frame 0. Returns VH_OK or
 * VH_EINVAL (fps <= 0, nframes < 0, NULL arrays with counts > 0). */
int vh_phones_to_curves(const vh_phone_seg *segs, int nsegs, double t0, double fps,
                        int nframes, float *w);

/* Phone recognizer (PocketSphinx all-phone mode with the en-us acoustic
 * model). `model_dir` is the folder holding "en-us/" and
 * "en-us-phone.lm.bin" (NULL: /usr/share/pocketsphinx/model/en-us).
 * Errors: VH_EUNSUPPORTED (built without PocketSphinx), VH_ENOTFOUND (model
 * files missing), VH_EFORMAT (decoder init failed). */
typedef struct vh_phone_rec vh_phone_rec;
int vh_phone_rec_new(const char *model_dir, vh_phone_rec **out);
void vh_phone_rec_free(vh_phone_rec *r); /* NULL ok */
/* Recognizes phones in `n` mono samples at 16 kHz (one utterance); segment
 * times are t0 + offset. *segs (caller frees with vh_free) holds *count
 * phones (silences and fillers included, labelled as PocketSphinx does). */
int vh_phone_rec_run(vh_phone_rec *r, const float *pcm16k, size_t n, double t0,
                     vh_phone_seg **segs, int *count);

/* Savitzky–Golay smoothing of `n` samples spaced `stride` floats apart, in
 * place: least-squares polynomial of degree `order` over a window of
 * 2*half+1 samples (shrinking, still centred, near the ends; order is reduced
 * when the window is too short). half 1–32, order 0–6 and < 2*half+1, else
 * VH_EINVAL; VH_ENOMEM. Polynomials of degree <= order pass unchanged. */
int vh_savgol(float *x, int n, int stride, int half, int order);

/* Blink and gaze generator: a seeded random process stepped once per frame.
 * Blinks come at a rate near `rate_per_min` (log-normal intervals, at least
 * 1 s apart) and last 100–400 ms (fast close, slower open); gaze makes small
 * fixations (±3° yaw, ±2° pitch) every 0.4–2.5 s with quick saccades. */
typedef struct vh_eyes {
    vh_rng rng;
    double fps, rate_per_min;
    long frame, next_blink, blink_start, blink_len;
    float gaze_yaw, gaze_pitch, target_yaw, target_pitch;
    long next_fix;
} vh_eyes;
void vh_eyes_init(vh_eyes *e, uint64_t seed, double fps, double rate_per_min);
/* Advances one frame: returns the blink closure (0 open .. 1 closed) and the
 * gaze angles in degrees. */
float vh_eyes_step(vh_eyes *e, float *gaze_yaw, float *gaze_pitch);

/* Emotion layer: the upper-face and mouth-corner expression of an emotion
 * label (those of vh_emotion_circumplex: neutral, happy/happiness,
 * sad/sadness, angry/anger, fear, surprise, disgust, contempt, calm) at
 * `intensity` (0–1.5) into expr[52]. Returns VH_OK or VH_ENOTFOUND. */
int vh_emotion_expression(const char *label, float intensity, float expr[VH_ARKIT_COUNT]);
/* Blends an expression into a lip-sync frame without fighting it: channels
 * the mouth is using are only lightly pushed, the jaw is never closed by the
 * emotion, and the result is clamped to [0, 1]. `blink` (0–1) is added to
 * the eye-blink channels (reduced by eyeWide). */
void vh_emotion_blend(float w[VH_ARKIT_COUNT], const float expr[VH_ARKIT_COUNT], float blink);

/* ---- weight-track exports ---- */

/* LiveLinkFace-style CSV writer: header "Timecode,BlendShapeCount," + the 52
 * ARKit names (+ head/eye rotation columns are not written), one row per
 * frame with an SMPTE-like timecode HH:MM:SS:FF.mmm at `fps`. Streaming:
 * rows are appended as they come; the file appears at vh_anim_csv_close.
 * Errors: VH_EIO, VH_EEXIST (exists and !overwrite). */
typedef struct vh_anim_csv vh_anim_csv;
int vh_anim_csv_open(const char *path, double fps, int overwrite, vh_anim_csv **out);
int vh_anim_csv_frame(vh_anim_csv *c, const float w[VH_ARKIT_COUNT]);
/* Commits (ok != 0) or discards the file; frees c. Returns the commit status. */
int vh_anim_csv_close(vh_anim_csv *c, int ok);

/* NumPy .npy writer: float32 little-endian, shape (frames, 52), C order,
 * frames counted while streaming (the header is rewritten at close). */
typedef struct vh_anim_npy vh_anim_npy;
int vh_anim_npy_open(const char *path, int overwrite, vh_anim_npy **out);
int vh_anim_npy_frame(vh_anim_npy *n, const float w[VH_ARKIT_COUNT]);
int vh_anim_npy_close(vh_anim_npy *n, int ok);

/* glTF 2.0 binary (.glb): the rig's drawn mesh (positions in metres,
 * normals, indices), one morph target per shape that moves in `w`
 * (max |w| > 1e-3), mesh.weights = 0, and one animation with a LINEAR
 * sampler over times f/fps driving the node's "weights". nframes 1..216000
 * (2 h at 30 fps) else VH_ERANGE. Written atomically. */
int vh_anim_write_glb(const vh_rig *rig, const float *w, int nframes, double fps,
                      const char *path, int overwrite);


/* ---- learned lip-sync (src/avatar/lipsync.c) ----
 * Model: log-mel (16 kHz, `mels` Slaney bands, 10 ms hop, in dB; normalised
 * either relative to the loudest frame of the analysed audio ("max") or by
 * subtracting each band's mean over the analysed audio ("cmn"), then per-band
 * standardised with training statistics) → for each video frame a window of
 * `past` mel frames, the current one and `ahead` more (look-ahead ≤ 100 ms) →
 * dense "conv" (a temporal convolution over the window) + ReLU (+ dropout in
 * training) → unidirectional LSTM → dense "head" → the captured ARKit
 * channels (27 jaw/mouth shapes for FaceGood). Files are safetensors with
 * metadata format "verhm-lipsync-1", arch_params (hidden, conv, mels 8..80,
 * past 0..50, ahead 0..10, norm "max"|"cmn"; a file without norm is "max"),
 * channels (JSON array of ARKit names), input (mean/std per band),
 * optional output (mean/std per channel: weights = out × std + mean),
 * provenance. */
typedef struct vh_lipsync vh_lipsync;
/* Loads and validates a model (format, window sizes, channel names, finite
 * tensors of the right shapes, nothing extra). Errors: VH_ENOTFOUND, VH_EIO,
 * VH_EFORMAT (names the file and the problem), VH_ENOMEM. */
int vh_lipsync_load(const char *path, vh_lipsync **out);
void vh_lipsync_free(vh_lipsync *m); /* NULL ok */
/* Predicts `nframes` frames at times t_first + i/fps (seconds from the first
 * of the `n` mono 16 kHz samples in pcm) into w[nframes*52] (ARKit order;
 * channels the model does not predict are 0; values clamped to [0, 1]). The
 * LSTM state starts at zero and restarts every 400 frames. */
int vh_lipsync_run(vh_lipsync *m, const float *pcm, size_t n, double t_first, double fps, int nframes, float *w);

/* Held-out metrics over a folder of <clip>.flac + <clip>.csv (CSV: "frame"
 * then ARKit-named columns at 30 fps). */
typedef struct vh_lipsync_metrics {
    int clips, channels;
    long frames;
    int channel[VH_ARKIT_COUNT];     /* ARKit index of each evaluated channel */
    /* Pearson r per channel over all frames: NaN where the captured truth
     * does not vary (std ≤ VH_LIPSYNC_VARYING_STD); 0 where the truth varies
     * but the prediction is constant. */
    double pearson[VH_ARKIT_COUNT];
    double mae[VH_ARKIT_COUNT];
    int varying;                     /* channels whose truth varies: those entering the means */
    double mean_pearson;             /* mean r over the varying channels (NaN if none) */
    double mean_mae;                 /* mean MAE over the varying channels (NaN if none) */
    double lve_mm;                   /* mean over frames of the largest lip-vertex distance, mm (NaN without rig) */
} vh_lipsync_metrics;
/* A channel "varies" in the evaluated frames when its truth's standard
 * deviation exceeds this (weights are 0..1). */
#define VH_LIPSYNC_VARYING_STD 0.001
/* Evaluates `m` on `dir` (rig may be NULL: no LVE). Channels are the CSV's
 * columns (a column the model does not predict is predicted as 0). Lip
 * vertices are the skin vertices that mouthFunnel, mouthPucker and
 * mouthRoll* move by more than 2.5 mm together. */
int vh_lipsync_eval(vh_lipsync *m, const vh_rig *rig, const char *dir, vh_lipsync_metrics *res);

typedef struct vh_lipsync_train_params {
    const char *holdout;  /* clip name left out of training (NULL: none) */
    int steps, batch, seq; /* optimizer steps, sequences per batch, frames per sequence (8..400) */
    int hidden, conv;      /* LSTM and conv widths */
    float lr;              /* AdamW peak learning rate (cosine schedule, 100 warm-up steps) */
    uint64_t seed;
    int mels, past, ahead; /* input: mel bands 8..80, window frames before 0..50 / after 0..10 */
    int norm;              /* 0 max, 1 cmn (see above) */
    float dropout;         /* after the conv layer, 0..0.9 */
    int ynorm;             /* 1: standardise each output channel (training mean/std, std ≥ 0.01) so every
                            * channel weighs the same in the loss (Huber δ 1 instead of 0.1) */
    int augment;           /* 1: speaking-rate (×0.9..1.1, audio and labels together) and mel-band masks */
} vh_lipsync_train_params;
/* steps 3000, batch 16, seq 90, hidden 96, conv 128, lr 2e-3, seed 1,
 * mels 32, past 12, ahead 3, norm max, dropout 0, ynorm 0, augment 0. */
vh_lipsync_train_params vh_lipsync_train_default_params(void);
/* Progress callback: return non-zero to cancel (VH_ECANCELED). */
typedef int (*vh_lipsync_progress_fn)(int step, int total, double loss, void *user);
/* Trains on every clip of `dir` except the hold-out and writes the model to
 * `out` atomically (Huber loss, AdamW). Deterministic for a seed and thread
 * count. Errors: those of the readers, VH_EINVAL, VH_EEMPTY. */
int vh_lipsync_train(const char *dir, const char *out, const vh_lipsync_train_params *p, int overwrite,
                     vh_lipsync_progress_fn progress, void *user);

#ifdef __cplusplus
}
#endif
#endif
