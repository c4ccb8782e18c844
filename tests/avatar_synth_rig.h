/* Test helper: builds a small .vhrig in memory (format in
 * scripts/convert_ict_rig.py) from positions, parts and triangles, with one
 * optional blendshape given as raw float16 offsets. */
#ifndef AVATAR_SYNTH_RIG_H
#define AVATAR_SYNTH_RIG_H
#include "verhm/avatar.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct synth_buf { uint8_t *p; size_t n, cap; } synth_buf;

static void synth_put(synth_buf *b, const void *src, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void synth_u32(synth_buf *b, uint32_t v) {
    uint8_t q[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    synth_put(b, q, 4);
}
static void synth_f32(synth_buf *b, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    synth_u32(b, u);
}
static uint32_t synth_crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

/* Shape `shape` (an ARKit index, or -1 for none) moves vertices sv[0..sn) by
 * the float16 bit patterns sd[3*i..3*i+2]. Returns the rig or NULL. */
static vh_rig *synth_rig(int nv, const float *pos, const uint8_t *part, int nt, const uint32_t *tri, int shape,
                         int sn, const uint16_t *sv, const uint16_t *sd) {
    synth_buf b = {0};
    synth_put(&b, "VHRIG\0\0\0", 8);
    synth_u32(&b, 1);
    synth_u32(&b, (uint32_t)nv);
    synth_u32(&b, (uint32_t)nt);
    synth_u32(&b, VH_ARKIT_COUNT);
    for (int i = 0; i < nv * 3; i++) synth_f32(&b, pos[i]);
    for (int i = 0; i < nv * 2; i++) synth_f32(&b, 0);
    synth_put(&b, part, (size_t)nv);
    for (int i = 0; i < nt * 3; i++) synth_u32(&b, tri[i]);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        char name[32] = {0};
        strncpy(name, vh_arkit_names[k], sizeof name - 1);
        synth_put(&b, name, 32);
        int n = k == shape ? sn : 0;
        synth_u32(&b, (uint32_t)n);
        for (int i = 0; i < n; i++) { uint8_t q[2] = {(uint8_t)sv[i], (uint8_t)(sv[i] >> 8)}; synth_put(&b, q, 2); }
        for (int i = 0; i < 3 * n; i++) { uint8_t q[2] = {(uint8_t)sd[i], (uint8_t)(sd[i] >> 8)}; synth_put(&b, q, 2); }
    }
    synth_u32(&b, synth_crc32(b.p, b.n));
    vh_rig *rig = NULL;
    if (vh_rig_load_mem(b.p, b.n, "synthetic.vhrig", &rig)) rig = NULL;
    free(b.p);
    return rig;
}
#endif
