/* libFuzzer harness: vh_image_load_mem on arbitrary bytes must return a clean
 * status (never crash, leak or read out of bounds); decoded images are checked
 * for consistency and pushed through gray conversion and a small resize. */
#include "verhm/image.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int want[4] = {0, 1, 3, 4};
    vh_image img;
    int st = vh_image_load_mem(data, size, "fuzz", want[size % 4], &img);
    if (st != VH_OK) {
        if (img.data) abort(); /* failure must leave the image empty */
        return 0;
    }
    if (img.w <= 0 || img.h <= 0 || img.w > VH_IMAGE_MAX_DIM || img.h > VH_IMAGE_MAX_DIM ||
        (img.c != 1 && img.c != 3 && img.c != 4) || img.stride < (size_t)img.w * (size_t)img.c)
        abort();
    if ((uint64_t)img.w * (uint64_t)img.h <= 1u << 20) {
        vh_image g, r;
        if (vh_image_to_gray(&img, &g) == VH_OK) vh_image_free(&g);
        if (vh_image_resize(&img, 7, 5, VH_INTERP_AREA, &r) == VH_OK) vh_image_free(&r);
    }
    vh_image_free(&img);
    return 0;
}
