/* Decodes each image argument with vh_image_load (RGB) and writes it losslessly
 * as OUTDIR/<index>.png for cmp_decode.py. Usage: cmp_decode OUTDIR FILE... */
#include "verhm/image.h"
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        vh_image a;
        if (vh_image_load(argv[i], 3, &a)) {
            printf("error: %s\n", vh_last_error());
            bad = 1;
            continue;
        }
        char out[4096];
        snprintf(out, sizeof out, "%s/%d.png", argv[1], i - 2);
        if (vh_image_save(out, &a, 0)) bad = 1;
        vh_image_free(&a);
    }
    return bad;
}
