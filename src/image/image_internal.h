/* Private helpers shared by the image module's files (not installed). */
#ifndef VH_IMAGE_INTERNAL_H
#define VH_IMAGE_INTERNAL_H
#include "core/internal.h"
#include "verhm/image.h"

/* Checks w, h > 0, channel count 1/3/4 and the size caps; names `name` in the
 * message. VH_EINVAL or VH_ERANGE. */
int vh__image_check_dims(const char *name, int w, int h, int c);
/* Checks that `img` is a usable image (data, dims, stride). */
int vh__image_check(const vh_image *img, const char *what);
/* Stores a new result: frees *dst first when it is the source itself. */
void vh__image_replace(const vh_image *src, vh_image *dst, vh_image *out);
/* OpenCV-exact BT.601 luma. */
uint8_t vh__luma(uint8_t r, uint8_t g, uint8_t b);
/* Channel conversion of one row; sc/dc in 1..4 (2 = gray+alpha). */
void vh__convert_row(const uint8_t *s, int sc, uint8_t *d, int dc, int w);
#endif
