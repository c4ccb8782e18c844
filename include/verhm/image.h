/*
 * verhm/image.h — 8-bit images: PNG/JPEG I/O, colour, geometry, drawing.
 *
 * vh_image is plain data: `data` holds h rows of `stride` bytes, each row w*c
 * interleaved 8-bit samples (c = 1 gray, 3 RGB, 4 RGBA; never BGR). Images made
 * by the library own their pixels (free with vh_image_free); a caller may also
 * wrap its own buffer in a vh_image (then owns = 0 and vh_image_free only clears
 * the struct). Pixel (x, y) has its centre at (x, y) for warps and at
 * (x + 0.5, y + 0.5) in resize's source/destination mapping, as in OpenCV.
 *
 * Status: all fallible functions return VH_OK or a negative VH_E* code, and on
 * failure vh_last_error() names the file (or the operation) and the problem in
 * one line. Outputs: functions that make an image write a NEW owned image to
 * *dst or *out (the caller frees it with vh_image_free). On failure the output is
 * left empty (all fields zero, data NULL) — except when `dst` is the very same
 * struct as `src`, which is allowed: on success the old pixels are freed (if
 * owned) and replaced, on failure the image is left unchanged.
 *
 * Compatibility with OpenCV (checked in tests/test_image.c against vectors
 * from python3-opencv 4.6, see scripts/gen_image_vectors.py):
 *   - vh_image_to_gray: bit-identical to cvtColor(COLOR_RGB2GRAY).
 *   - vh_image_resize NEAREST and BILINEAR: bit-identical to cv2.resize with
 *     INTER_NEAREST / INTER_LINEAR (600 random size pairs: 100% of samples).
 *   - vh_image_resize AREA: exact box filter; same as INTER_AREA within ±1
 *     (99.99% of samples identical), bit-identical for integer factors.
 *   - vh_image_warp_affine: bit-identical to cv2.warpAffine(INTER_LINEAR |
 *     WARP_INVERSE_MAP, BORDER_CONSTANT).
 *
 * Thread safety: functions only touch their arguments; the same image may be
 * read by several threads. Resize and warp of large images run on
 * vh_parallel_for (results do not depend on the thread count).
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

/* Allocates a zeroed w×h×c image (stride = w*c, owns = 1). Errors: VH_EINVAL
 * (w or h < 1, c not 1/3/4), VH_ERANGE (over the caps above), VH_ENOMEM. */
int vh_image_alloc(vh_image *img, int w, int h, int c);
/* Frees owned pixels and zeroes the struct. NULL or empty ok. */
void vh_image_free(vh_image *img);
/* Deep copy into a new owned image with stride w*c (dst may be src). */
int vh_image_clone(const vh_image *src, vh_image *dst);

/* Pointer to the pixel at (x, y). No bounds check (programmer error). */
static inline uint8_t *vh_image_at(const vh_image *img, int x, int y) {
    return img->data + (size_t)y * img->stride + (size_t)x * (size_t)img->c;
}

/* ---- files ---- */

/* Loads PNG or JPEG by content (magic bytes, not extension) into a new owned
 * image. `want_c` 0 keeps the file's layout: gray → 1, gray+alpha → 4 (RGBA),
 * RGB → 3, RGBA → 4, palette → 3 (4 with a tRNS chunk); 1/2/4-bit samples are
 * expanded and 16-bit samples keep their high byte (v >> 8, as OpenCV); JPEG
 * gray → 1, YCbCr → 3, CMYK/YCCK → 3 (Adobe inverted CMYK assumed). `want_c`
 * 1, 3 or 4 converts (to gray with vh_image_to_gray's weights; alpha 255 when
 * added). With want_c 3 the pixels equal cv2.imread(IMREAD_COLOR) (BGR→RGB)
 * exactly (see docs/bench-image.md); with want_c 1 a colour JPEG equals
 * cvtColor(imread(COLOR), RGB2GRAY), not imread(IMREAD_GRAYSCALE) (libjpeg's
 * own luma).
 * EXIF orientation is not applied; interlaced PNG and progressive JPEG are fine.
 * Errors: VH_ENOTFOUND (no file), VH_EIO, VH_EFORMAT (empty, not PNG/JPEG,
 * corrupt, truncated — a JPEG that ends early is an error, not gray fill,
 * except that a single-scan JPEG missing only its final EOI marker loads, as
 * in OpenCV;
 * damaged JPEG entropy data that libjpeg resynchronises past still decodes,
 * as in OpenCV),
 * VH_ERANGE (dimensions over the caps), VH_EINVAL (bad want_c), VH_ENOMEM. */
int vh_image_load(const char *path, int want_c, vh_image *out);
/* Same from `len` bytes at `buf` (not retained). `name` is used in error
 * messages only (NULL → "(memory)"). */
int vh_image_load_mem(const void *buf, size_t len, const char *name, int want_c, vh_image *out);

/* Saves by extension of `path` (.png, .jpg/.jpeg, any case). PNG stores
 * 1/3/4 channels losslessly (8-bit gray/RGB/RGBA). JPEG stores gray or RGB
 * (alpha of RGBA is dropped), baseline, 4:2:0; `quality` 1–100 (0 → 92), ignored
 * for PNG. An existing file is replaced. Written atomically (temporary file +
 * rename): a failed save leaves no file and no partial file. Errors: VH_EINVAL
 * (empty image, quality), VH_EUNSUPPORTED (extension), VH_EIO/VH_ENOSPC. */
int vh_image_save(const char *path, const vh_image *img, int quality);
/* As vh_image_save; with `overwrite` 0 an existing `path` is VH_EEXIST and is
 * never replaced (checked atomically at commit, so concurrent writers are safe). */
int vh_image_save_ex(const char *path, const vh_image *img, int quality, int overwrite);
/* Saves a 16-bit single-channel PNG from `w*h` samples, row-major (e.g. depth
 * maps). Atomic like vh_image_save; replaces an existing file. */
int vh_image_save_png16(const char *path, const uint16_t *samples, int w, int h);
/* Loads a gray PNG (no alpha) as 16-bit samples: 16-bit files exactly, lower
 * bit depths scaled to the full range (8-bit v → v * 257). On success *samples
 * holds w*h values row-major and the caller frees it with vh_free. Errors as
 * vh_image_load; colour or alpha PNGs are VH_EUNSUPPORTED, JPEG is VH_EFORMAT. */
int vh_image_load_png16(const char *path, uint16_t **samples, int *w, int *h);

/* ---- colour ---- */

/* To gray with ITU-R BT.601 luma weights Y = 0.299 R + 0.587 G + 0.114 B in
 * OpenCV 4's fixed point: Y = (9798 R + 19235 G + 3735 B + 2^14) >> 15, which
 * is bit-identical to cv2.cvtColor(..., COLOR_RGB2GRAY) (checked against
 * python3-opencv 4.6 vectors), so detector input matches OpenCV's. (Older
 * OpenCV used 4899/9617/1868 >> 14: off by one on ~0.2% of pixels.) Alpha is
 * ignored. Gray input is copied. On success *dst is a new owned image. */
int vh_image_to_gray(const vh_image *src, vh_image *dst);
/* Converts to `c` channels (1, 3 or 4) into a new owned image: colour → gray
 * as vh_image_to_gray, gray → RGB replicates, alpha added as 255 or dropped. */
int vh_image_convert(const vh_image *src, int c, vh_image *dst);

/* ---- geometry ---- */

enum vh_interp { VH_INTERP_NEAREST = 0, VH_INTERP_BILINEAR = 1, VH_INTERP_AREA = 2 };

/* Resizes to dw×dh (each 1..VH_IMAGE_MAX_DIM) into a new owned image, with
 * OpenCV's conventions (scale = src/dst size per axis):
 *   NEAREST: source index floor(d * scale) (OpenCV INTER_NEAREST; not centred).
 *   BILINEAR: half-pixel centres, s = (d + 0.5) * scale - 0.5, clamped at the
 *     edges; 11-bit fixed-point weights and OpenCV's rounding, so the result is
 *     bit-identical to INTER_LINEAR (an exact 2× shrink is a 2×2 mean, as there).
 *   AREA: when shrinking on both axes, each output is the exact box-filter
 *     mean of the source area it covers (partial pixels weighted by overlap;
 *     integer factors are exact integer means rounded half up). Otherwise
 *     (enlarging on either axis) it falls back to OpenCV's INTER_AREA
 *     interpolation, a bilinear variant. The right choice for shrinking.
 * Errors: VH_EINVAL (empty source, bad size or interp), VH_ERANGE, VH_ENOMEM. */
int vh_image_resize(const vh_image *src, int dw, int dh, int interp, vh_image *dst);
/* Copies the rectangle (x, y, w, h) into a new owned w×h image; parts outside
 * the source are filled with 0 (so a crop with margin near the border is
 * defined). x/y may be negative or past the image. */
int vh_image_crop(const vh_image *src, int x, int y, int w, int h, vh_image *dst);
/* Affine warp into a new owned dw×dh image: dst(x, y) = src(M · [x, y, 1])
 * with bilinear sampling, where M (2×3, row-major) maps DESTINATION to SOURCE
 * pixel-centre coordinates. Source positions are rounded to 1/32 px and
 * neighbours outside the source take the value `border` (all channels), exactly
 * as cv2.warpAffine(src, M, (dw, dh), INTER_LINEAR | WARP_INVERSE_MAP,
 * BORDER_CONSTANT, border). Errors: VH_ENUMERIC (non-finite M), as resize. */
int vh_image_warp_affine(const vh_image *src, const double m[6], int dw, int dh,
                         uint8_t border, vh_image *dst);
/* Inverts a 2×3 affine matrix (e.g. source→destination into the
 * destination→source form warp wants). `inv` may alias `m`. Returns
 * VH_ENUMERIC if singular (|det| ≤ 1e-12 of the squared scale) or not finite. */
int vh_affine_invert(const double m[6], double inv[6]);
/* In place: horizontal mirror. NULL/empty: no-op. */
void vh_image_flip_h(vh_image *img);
/* In place: v' = clamp(round(alpha * v + beta), 0, 255) on colour channels
 * (alpha channel of RGBA untouched). Non-finite alpha/beta: no-op. */
void vh_image_adjust(vh_image *img, double alpha, double beta);

/* ---- drawing (in place; clipped to the image; any int coordinates) ---- */
/* Colours are RGB; gray images get the luma (vh_image_to_gray's weights) and
 * RGBA images get alpha 255. NULL or empty images are a no-op. */

/* Rectangle outline of `thickness` px (< 1 → 1) drawn inside (x, y, w, h);
 * a thickness reaching the middle fills the rectangle. w or h < 1: nothing. */
void vh_draw_rect(vh_image *img, int x, int y, int w, int h, int thickness, const uint8_t rgb[3]);
/* Text with the built-in 8×8 bitmap font (verhm's own design, printable ASCII
 * 32–126; other bytes are drawn as '?'), top-left corner at (x, y), each font
 * pixel a `scale`×`scale` block (scale clamped to 1..256), glyphs advancing 8 ×
 * scale px. With `bg` non-NULL the whole vh_text_size box is filled with that
 * RGB colour first. Text past the edges is clipped. */
void vh_draw_text(vh_image *img, int x, int y, const char *text, int scale,
                  const uint8_t fg[3], const uint8_t *bg);
/* Width/height in pixels of `text` drawn at `scale`: 8·scale·strlen × 8·scale
 * (0 × 0 for ""/NULL; width saturates at INT_MAX). Either pointer may be NULL. */
void vh_text_size(const char *text, int scale, int *w, int *h);
/* Filled circle: all pixels with (x-cx)² + (y-cy)² ≤ r² (r < 0: nothing). */
void vh_draw_circle(vh_image *img, int cx, int cy, int r, const uint8_t rgb[3]);
/* 1-px line (Bresenham, both ends included, no anti-aliasing). Endpoints far
 * outside the image are clipped first, so the cost stays bounded. */
void vh_draw_line(vh_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3]);

#ifdef __cplusplus
}
#endif
#endif
