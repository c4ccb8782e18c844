/* libFuzzer harness: arbitrary bytes into the Haar cascade XML loader; a
 * cascade that loads is also run on a small fixed image. */
#include "verhm/face.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vh_cascade *c = NULL;
    if (vh_cascade_load_mem(data, size, "fuzz.xml", &c) != VH_OK) return 0;
    vh_cascade_info in;
    vh_cascade_get_info(c, &in);
    static uint8_t px[40 * 32];
    for (int i = 0; i < 40 * 32; i++) px[i] = (uint8_t)((i * 37) ^ (i >> 3));
    vh_image img = {40, 32, 1, 40, px, 0};
    vh_detect_params p = vh_detect_default_params();
    p.min_neighbors = 0;
    vh_box *b = NULL;
    size_t n = 0;
    if (in.win_w <= 40 && in.win_h <= 32 && vh_cascade_detect(c, &img, &p, &b, &n) == VH_OK) vh_free(b);
    vh_cascade_free(c);
    return 0;
}
