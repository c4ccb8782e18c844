/*
 * verhm/landmarks.h — facial landmarks with an ensemble of regression trees
 * (Kazemi & Sullivan 2014), reading dlib's shape_predictor files.
 *
 * The standard model is `shape_predictor_68_face_landmarks.dat` from Debian's
 * libdlib-data (/usr/share/dlib/). Its training data (iBUG 300-W) forbids
 * commercial use: anything built on its points inherits that restriction.
 *
 * The file format and the run-time algorithm follow dlib 19.x exactly, so the
 * points match dlib's on the same image and box (see docs/BENCHMARKS.md).
 */
#ifndef VERHM_LANDMARKS_H
#define VERHM_LANDMARKS_H

#include "verhm/core.h"
#include "verhm/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vh_shape_predictor vh_shape_predictor;

/* A landmark in image pixel coordinates. */
typedef struct vh_point2f { float x, y; } vh_point2f;

/* Default model location used when none is given: $VERHM_LANDMARKS, else
 * /usr/share/dlib/shape_predictor_68_face_landmarks.dat. Static string. */
const char *vh_shape_predictor_default_path(void);

/* Loads a dlib shape_predictor file. Every count is validated (version 1,
 * shape sizes, power-of-two leaves, feature and anchor indices in range, the
 * stream fully consumed); bz2-compressed or old-format files are rejected with
 * a message saying so. *out is NULL on failure; vh_last_error() has the text.
 * Errors: VH_ENOTFOUND, VH_EFORMAT, VH_ERANGE (absurd counts), VH_ENOMEM. */
int vh_shape_predictor_load(const char *path, vh_shape_predictor **out);
/* Same from memory; `name` appears in error messages. The buffer is not kept. */
int vh_shape_predictor_load_mem(const void *buf, size_t len, const char *name,
                                vh_shape_predictor **out);
void vh_shape_predictor_free(vh_shape_predictor *sp); /* NULL ok */

/* Number of landmarks (68 for the standard model) and cascade levels. */
int vh_shape_predictor_num_parts(const vh_shape_predictor *sp);
int vh_shape_predictor_num_levels(const vh_shape_predictor *sp);

/* Predicts the landmarks of the face in box (left, top, width, height) — dlib's
 * inclusive rectangle convention: right = left + width − 1 — on an 8-bit image
 * (gray uses the value; RGB/RGBA use (r+g+b)/3 with integer division, as dlib
 * does). Writes vh_shape_predictor_num_parts() points to `out` (caller-owned).
 * With `round_points` the points are rounded like dlib's output (floor(x+0.5)),
 * otherwise sub-pixel floats are returned. Thread-safe on a shared predictor.
 * Returns VH_OK, or VH_EINVAL for an empty box/image. */
int vh_shape_predict(const vh_shape_predictor *sp, const vh_image *img, double left, double top,
                     double width, double height, int round_points, vh_point2f *out);

/* ---- alignment and head pose ---- */

/* Least-squares similarity transform (rotation, uniform scale, translation; no
 * reflection — Umeyama 1991) mapping points `src` onto `dst` (n ≥ 2). Writes
 * the 2×3 row-major matrix m with dst ≈ m · [x, y, 1]. Returns VH_ENUMERIC for
 * degenerate input (all src points equal). */
int vh_similarity_fit(const vh_point2f *src, const vh_point2f *dst, int n, double m[6]);

/* Canonical positions of the eye centres and mouth centre in a square face
 * crop, as fractions of the side (x right, y down). */
typedef struct vh_face_template {
    float left_eye_x, left_eye_y;   /* the eye on the image's left */
    float right_eye_x, right_eye_y;
    float mouth_x, mouth_y;
} vh_face_template;

/* The template of verhm's facial-emotion crops: the FER-2013 framing, measured
 * as the mean landmark positions of FER+ faces (eyes at 32% / 67% across and
 * 40% down, mouth at 77% down; bench/landmarks/fer_template.c). */
vh_face_template vh_face_template_fer(void);

/* Alignment matrix for vh_image_warp_affine: maps DESTINATION pixels of a
 * size×size crop to SOURCE image coordinates so that the eye centres and mouth
 * centre of the 68 `landmarks` land on `tpl`. Returns VH_ENUMERIC if the
 * landmarks are degenerate. */
int vh_face_align_matrix(const vh_point2f landmarks[68], int size, const vh_face_template *tpl,
                         double m[6]);

/* Head pose in degrees from 68 landmarks, by fitting a generic 3-D face (six
 * points: nose tip, chin, outer eye corners, mouth corners) with a pinhole
 * camera of focal length = image width and centre = image centre
 * (Levenberg–Marquardt on reprojection error). yaw > 0: the face turns to the
 * image's right; pitch > 0: the face looks up; roll > 0: the head tilts
 * clockwise in the image. `err_px` (may be NULL) receives the RMS reprojection
 * error. Returns VH_ENUMERIC when the fit fails. */
int vh_head_pose(const vh_point2f landmarks[68], int image_w, int image_h, double *yaw,
                 double *pitch, double *roll, double *err_px);

#ifdef __cplusplus
}
#endif
#endif
