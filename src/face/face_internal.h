/* Private structures of the face module (cascade layout, integral images, the
 * bit-exact pyramid resize). Not installed; tests include it for unit checks. */
#ifndef VH_FACE_INTERNAL_H
#define VH_FACE_INTERNAL_H
#include "core/internal.h"
#include "verhm/face.h"

/* Limits for untrusted cascade files. */
#define VH__CASC_MAX_WIN 1024        /* window width/height */
#define VH__CASC_MAX_STAGES 100000
#define VH__CASC_MAX_NODES_PER_TREE 4096
#define VH__CASC_MAX_ITEMS 50000000  /* nodes, leaves, features in total */

typedef struct vh__haar_rect { int x, y, w, h; float weight; } vh__haar_rect;
typedef struct vh__haar_feature {
    vh__haar_rect r[3];
    int nrects;   /* 1..3; unused rects have weight 0 */
    int tilted;
} vh__haar_feature;
typedef struct vh__node { int feat; float thr; int left, right; } vh__node;
typedef struct vh__tree { int first_node, nnodes, first_leaf; } vh__tree;
typedef struct vh__stage { int first_tree, ntrees; float thr; /* stored minus 1e-5f */ } vh__stage;

struct vh_cascade {
    int win_w, win_h;
    int old_format, tilted, max_nodes;
    int nstages, ntrees, nnodes, nleaves, nfeatures;
    vh__stage *stages;
    vh__tree *trees;
    vh__node *nodes;
    float *leaves;
    vh__haar_feature *features;
};

/* Integral images of a w×h 8-bit image into (w+1)×(h+1) arrays with row stride
 * `stride` (≥ w+1) elements, all modulo 2^32: sum, squared sum (window differences stay exact below 2^32), and optionally
 * OpenCV's rotated sum `tilted` (may be NULL). Returns VH_ENOMEM only when the
 * tilted sum needs scratch memory that cannot be had. */
int vh__integral(const uint8_t *img, size_t img_stride, int w, int h, size_t stride,
                 uint32_t *sum, uint32_t *sqsum, uint32_t *tilted);

/* OpenCV's INTER_LINEAR_EXACT resize of an 8-bit gray image (8-bit fixed-point
 * weights, the rounding of its bit-exact path), src sw×sh → dst dw×dh. Equal
 * sizes copy. Needs scratch of vh__resize_exact_scratch(dw, dh) bytes. */
size_t vh__resize_exact_scratch(int dw, int dh);
void vh__resize_exact(const uint8_t *src, size_t sstride, int sw, int sh,
                      uint8_t *dst, size_t dstride, int dw, int dh, void *scratch);

#endif
