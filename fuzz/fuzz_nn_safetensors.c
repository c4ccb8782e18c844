/* libFuzzer harness: the safetensors reader and the verhm model loader on
 * arbitrary bytes (must fail cleanly, never crash or leak). */
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vh_safetensors *st = NULL;
    if (vh_st_open_mem(data, size, "fuzz.safetensors", &st) != VH_OK) return 0;
    /* read every convertible tensor */
    for (size_t i = 0; i < vh_st_count(st); i++) {
        const vh_st_tensor *t = vh_st_get(st, i);
        if (t->numel > (1u << 20)) continue;
        float *buf = malloc((t->numel ? t->numel : 1) * sizeof(float));
        if (buf) vh_st_read_f32(st, t, buf, t->numel);
        free(buf);
    }
    for (size_t i = 0; i < vh_st_meta_count(st); i++) (void)vh_st_meta(st, vh_st_meta_key(st, i));
    vh_model *m = NULL;
    if (vh_model_from_st(st, "", &m) == VH_OK) vh_model_free(m);
    vh_st_free(st);
    return 0;
}
