/*
 * verhm/face.h — faces in images.
 *
 * Sections:
 *   1. detector  — Viola-Jones Haar cascades read from OpenCV XML files, run with
 *                  OpenCV 4.x CascadeClassifier::detectMultiScale semantics, so the
 *                  boxes match OpenCV's on the same image (see docs/bench-detect.md).
 *   (later: landmarks/alignment and tracking build on the boxes of section 1.)
 *
 * Conventions: functions return VH_OK or a negative VH_E* status; the detailed
 * message ("cascade.xml:1234: expected <internalNodes>") is available from
 * vh_last_error() on the calling thread. Nothing here prints or exits.
 */
#ifndef VERHM_FACE_H
#define VERHM_FACE_H

#include "verhm/core.h"
#include "verhm/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* 1. Detector                                                              */
/* ====================================================================== */

/* A detection in image pixels: top-left corner (x, y), width w, height h (the
 * rectangle covers columns x .. x+w-1 and rows y .. y+h-1, OpenCV's cv::Rect).
 * `neighbors` is the number of raw window hits merged into this box (0 when
 * grouping was disabled with min_neighbors 0). Plain data. */
typedef struct vh_box {
    int x, y, w, h;
    int neighbors;
} vh_box;

/* A loaded cascade. Opaque; immutable after loading, so one cascade may be used
 * by several threads at once (vh_cascade_detect only reads it). */
typedef struct vh_cascade vh_cascade;

/* Loads an OpenCV Haar cascade XML file (libxml2). Both dialects are accepted:
 *  - the new format (<cascade type_id="opencv-cascade-classifier">, every file
 *    shipped by OpenCV ≥ 2.4.11, e.g. Debian opencv-data's
 *    /usr/share/opencv4/haarcascades/haarcascade_frontalface_alt.xml), and
 *  - the old format (<NAME type_id="opencv-haar-classifier">, OpenCV ≤ 2.4.10
 *    files), converted on load exactly as OpenCV's own converter does (the
 *    tree-of-stages links parent/next are dropped, as in OpenCV 4.x).
 * Only stageType BOOST with featureType HAAR is supported (LBP/HOG →
 * VH_EUNSUPPORTED). Every count, index, rectangle and number is validated:
 * feature indices in range, child references inside their tree, leaf counts,
 * rectangles inside the detection window, finite thresholds and weights, at
 * most 3 rectangles per feature, stageNum equal to the stages present.
 * On success *out is a new cascade the caller frees with vh_cascade_free; on
 * failure *out is NULL and vh_last_error() reads "PATH:LINE: what was
 * expected". Errors: VH_ENOTFOUND, VH_EIO, VH_EFORMAT (not XML, not a
 * cascade, malformed), VH_EUNSUPPORTED, VH_ERANGE (absurd sizes), VH_ENOMEM. */
int vh_cascade_load(const char *path, vh_cascade **out);

/* Same from `len` bytes in memory (not kept). `name` is used in messages only
 * (may be NULL: "<memory>"). */
int vh_cascade_load_mem(const void *buf, size_t len, const char *name, vh_cascade **out);

/* Frees a cascade. NULL is a no-op. */
void vh_cascade_free(vh_cascade *c);

/* Facts about a loaded cascade. */
typedef struct vh_cascade_info {
    int win_w, win_h;      /* detection window (e.g. 20×20) */
    int num_stages;
    int num_trees;         /* weak classifiers over all stages */
    int num_features;
    int max_nodes;         /* 1 = stump-based (every shipped face cascade) */
    int tilted;            /* non-zero if any feature is 45°-rotated */
    int old_format;        /* non-zero if it was read from the old dialect */
} vh_cascade_info;

/* Fills *info (never fails on a valid handle). */
void vh_cascade_get_info(const vh_cascade *c, vh_cascade_info *info);

/* Parameters of vh_cascade_detect, passed by value-struct. */
typedef struct vh_detect_params {
    double scale_factor;   /* > 1; pyramid step (default 1.1) */
    int min_neighbors;     /* a box needs MORE than this many raw hits (default 3);
                              0 returns the raw window hits ungrouped */
    int min_w, min_h;      /* smallest box reported, 0 = the cascade window (default 0) */
    int max_w, max_h;      /* largest box, 0 = image size (default 0) */
} vh_detect_params;

/* The defaults, equal to OpenCV's detectMultiScale defaults (scaleFactor 1.1,
 * minNeighbors 3, no minSize, no maxSize), so `verhm detect` with no options
 * finds what cv2.CascadeClassifier(...).detectMultiScale(gray) finds. */
vh_detect_params vh_detect_default_params(void);

/* Detects objects in `img` (8-bit; gray is used directly, RGB/RGBA are first
 * converted with vh_image_to_gray, OpenCV's BT.601 fixed-point luma).
 * Algorithm (OpenCV 4.x): scales 1, f, f², … while the window fits the image;
 * the image is resized to round(W/s) × round(H/s) with OpenCV's bit-exact
 * bilinear (INTER_LINEAR_EXACT); windows step 2 px below scale 2, else 1 px;
 * per-window variance normalisation over the window shrunk by 1 px with the
 * σ > 10 rule; stage thresholds minus 1e-5; groupRectangles(eps 0.2); boxes
 * clipped to the image. Uses up to vh_threads_get() threads; the result does
 * not depend on the thread count.
 * On success *boxes is a new array of *count boxes (NULL when 0) ordered by
 * position (y, then x), which the caller frees with vh_free.
 * Errors: VH_EINVAL (NULL/empty image, scale_factor ≤ 1, negative sizes),
 * VH_ERANGE (scale_factor so close to 1 that over 100000 scales would be
 * scanned), VH_ENOMEM. An image smaller than the window gives 0 boxes, VH_OK. */
int vh_cascade_detect(const vh_cascade *c, const vh_image *img, const vh_detect_params *params,
                      vh_box **boxes, size_t *count);

/* OpenCV's groupRectangles(rects, min_neighbors, eps) in place: clusters boxes
 * whose four edges differ by at most eps·(min widths + min heights)/2
 * (transitively), averages each cluster, keeps clusters with more than
 * `min_neighbors` members and drops clusters nested inside a stronger one.
 * `neighbors` of each result is its cluster size. min_neighbors ≤ 0 leaves
 * the input unchanged. *n is updated to the number kept (in cluster order:
 * the order of each cluster's first member). Returns VH_OK or VH_ENOMEM. */
int vh_group_boxes(vh_box *boxes, size_t *n, int min_neighbors, double eps);

/* Path of the cascade to use when none is given: $VERHM_CASCADE if set (even if
 * missing, so the error names it), else the first existing of
 * /usr/share/opencv4/haarcascades/haarcascade_frontalface_alt.xml,
 * /usr/share/opencv/haarcascades/haarcascade_frontalface_alt.xml (OpenCV 3).
 * Returns a static string, or NULL when none exists. */
const char *vh_cascade_default_path(void);

/* Intersection over union of two boxes (0 when either is empty). */
double vh_box_iou(const vh_box *a, const vh_box *b);

#ifdef __cplusplus
}
#endif
#endif
