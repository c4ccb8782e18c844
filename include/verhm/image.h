/*
 * verhm/image.h — 8-bit images: PNG/JPEG I/O, colour, geometry, drawing.
 *
 * vh_image is plain data: `data` holds h rows of `stride` bytes, each row w*c
 * interleaved 8-bit samples (c = 1 gray, 3 RGB, 4 RGBA). Images made by the
 * library own their pixels (free with vh_image_free); a caller may also wrap its
 * own buffer in a vh_image (then owns = 0 and vh_image_free only clears it).
 *
 * All functions return VH_OK or a negative VH_E* status; on failure the output
 * image is left empty (data NULL) and vh_last_error() names the file/problem.
 */
#ifndef VERHM_IMAGE_H
#define VERHM_IMAGE_H

#include "verhm/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest width or height any loader (and vh_image_alloc) accepts, and the
 * largest total pixel count (2^28): bigger files fail with VH_ERANGE before any
 * pixel memory is allocated. */
#define VH_IMAGE_MAX_DIM 32768
#define VH_IMAGE_MAX_PIXELS ((uint64_t)1 << 28)

typedef struct vh_image {
    int w, h, c;      /* width, height, channels (1, 3 or 4) */
    size_t stride;    /* bytes per row, >= w*c */
    uint8_t *data;
    int owns;         /* non-zero: data is freed by vh_image_free */
} vh_image;

/* Allocates a zeroed w×h×c image (stride = w*c). */
int vh_image_alloc(vh_image *img, int w, int h, int c);
/* Frees owned pixels and zeroes the struct. NULL or empty ok. */
void vh_image_free(vh_image *img);
/* Deep copy into a new owned image. */
int vh_image_clone(const vh_image *src, vh_image *dst);

/* Pointer to the pixel at (x, y). No bounds check (programmer error). */
static inline uint8_t *vh_image_at(const vh_image *img, int x, int y) {
    return img->data + (size_t)y * img->stride + (size_t)x * (size_t)img->c;
}

/* ---- files ---- */

/* Loads PNG or JPEG by content (not extension). `want_c` 0 keeps the file's
 * channels (gray, gray+alpha → RGBA, RGB, RGBA; palette → RGB/RGBA; 16-bit
 * samples are scaled to 8 bits), or 1/3/4 converts. Errors: VH_ENOTFOUND,
 * VH_EFORMAT (corrupt/truncated/not an image), VH_ERANGE (absurd size). */
int vh_image_load(const char *path, int want_c, vh_image *out);
/* Same from memory. `name` is used in error messages only. */
int vh_image_load_mem(const void *buf, size_t len, const char *name, int want_c, vh_image *out);

/* Saves by extension of `path` (.png, .jpg/.jpeg). `quality` (1–100) is for
 * JPEG only (0 → 92). Written atomically: a failed save leaves no file. */
int vh_image_save(const char *path, const vh_image *img, int quality);
/* Saves a 16-bit single-channel PNG from `w*h` samples (e.g. depth maps). */
int vh_image_save_png16(const char *path, const uint16_t *samples, int w, int h);
/* Loads a 16-bit PNG as 16-bit samples (gray only; caller frees *samples with vh_free). */
int vh_image_load_png16(const char *path, uint16_t **samples, int *w, int *h);

/* ---- colour ---- */

/* To gray with ITU-R BT.601 luma weights Y = 0.299 R + 0.587 G + 0.114 B in
 * OpenCV 4's fixed point: Y = (9798 R + 19235 G + 3735 B + 2^14) >> 15, which
 * is bit-identical to cv2.cvtColor(..., COLOR_RGB2GRAY) (checked against
 * python3-opencv 4.6 vectors), so detector input matches OpenCV's. (Older
 * OpenCV used 4899/9617/1868 >> 14: off by one on ~0.2% of pixels.) Alpha is
 * ignored. Gray input is copied. On success *dst is a new owned image. */
int vh_image_to_gray(const vh_image *src, vh_image *dst);
/* Converts to `c` channels (1, 3 or 4); gray → RGB replicates, alpha = 255. */
int vh_image_convert(const vh_image *src, int c, vh_image *dst);

/* ---- geometry ---- */

enum vh_interp { VH_INTERP_NEAREST = 0, VH_INTERP_BILINEAR = 1, VH_INTERP_AREA = 2 };

/* Resizes to dw×dh. BILINEAR uses OpenCV's half-pixel-centre convention;
 * AREA averages source pixels (exact box filter) and is the right choice when
 * shrinking. */
int vh_image_resize(const vh_image *src, int dw, int dh, int interp, vh_image *dst);
/* Copies the rectangle (x, y, w, h); parts outside the source are filled with 0
 * (so a crop with margin near the border is defined). */
int vh_image_crop(const vh_image *src, int x, int y, int w, int h, vh_image *dst);
/* Affine warp: dst(x, y) = src(M · [x, y, 1]) with bilinear sampling, where M
 * (2×3, row-major) maps DESTINATION to SOURCE coordinates. Outside → `border`. */
int vh_image_warp_affine(const vh_image *src, const double m[6], int dw, int dh,
                         uint8_t border, vh_image *dst);
/* Inverts a 2×3 affine matrix. Returns VH_ENUMERIC if singular. */
int vh_affine_invert(const double m[6], double inv[6]);
/* In place: horizontal mirror. */
void vh_image_flip_h(vh_image *img);
/* In place: v' = clamp(alpha * v + beta) on colour channels (not alpha). */
void vh_image_adjust(vh_image *img, double alpha, double beta);

/* ---- drawing (in place; clipped to the image) ---- */

/* Rectangle outline of `thickness` px in `rgb` (gray images use the luma). */
void vh_draw_rect(vh_image *img, int x, int y, int w, int h, int thickness, const uint8_t rgb[3]);
/* Text with the built-in 8×8 bitmap font (printable ASCII; others drawn as '?'),
 * scaled by integer `scale`, on an optional filled background (bg NULL = none).
 * Returns nothing; text past the edges is clipped. */
void vh_draw_text(vh_image *img, int x, int y, const char *text, int scale,
                  const uint8_t fg[3], const uint8_t *bg);
/* Width/height in pixels of `text` drawn at `scale`. */
void vh_text_size(const char *text, int scale, int *w, int *h);
/* Filled circle (for landmarks). */
void vh_draw_circle(vh_image *img, int cx, int cy, int r, const uint8_t rgb[3]);
/* 1-px anti-aliasing-free line. */
void vh_draw_line(vh_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3]);

#ifdef __cplusplus
}
#endif
#endif
