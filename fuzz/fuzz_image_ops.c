/* libFuzzer harness for the pixel operations: the input picks an image size
 * and a sequence of resize / crop / warp / draw calls with arbitrary (also
 * extreme) integer and double parameters. Every call must stay in bounds and
 * return a clean status; failures must leave the output empty. */
#include "verhm/image.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct rd { const uint8_t *p; size_t n; } rd;

static uint32_t u32(rd *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v = v << 8 | (r->n ? *r->p : 0);
        if (r->n) { r->p++; r->n--; }
    }
    return v;
}
static int i32(rd *r) { return (int)(int32_t)u32(r); }
static double f64(rd *r) {
    uint64_t b = (uint64_t)u32(r) << 32 | u32(r);
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}
/* Small sizes most of the time, so runs stay fast. */
static int dim(rd *r) { return 1 + (int)(u32(r) % 96); }

static void check_empty_or_valid(int st, const vh_image *o) {
    if (st != VH_OK) { if (o->data) abort(); return; }
    if (!o->data || o->w < 1 || o->h < 1 || o->stride < (size_t)o->w * (size_t)o->c) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rd r = {data, size};
    static const int chans[3] = {1, 3, 4};
    vh_image img;
    if (vh_image_alloc(&img, dim(&r), dim(&r), chans[u32(&r) % 3]) != VH_OK) return 0;
    for (size_t i = 0; i < img.stride * (size_t)img.h; i++) img.data[i] = (uint8_t)(i * 31u + size);
    uint8_t col[3] = {(uint8_t)u32(&r), 7, 200};
    for (int step = 0; step < 8 && r.n; step++) {
        vh_image o;
        int st;
        switch (u32(&r) % 9) {
        case 0: st = vh_image_resize(&img, dim(&r), dim(&r), (int)(u32(&r) % 4), &o); break;
        case 1: st = vh_image_crop(&img, i32(&r), i32(&r), dim(&r), dim(&r), &o); break;
        case 2: {
            double m[6];
            for (int k = 0; k < 6; k++) m[k] = f64(&r);
            st = vh_image_warp_affine(&img, m, dim(&r), dim(&r), (uint8_t)u32(&r), &o);
            break;
        }
        case 3: {
            double m[6] = {1 + (i32(&r) % 1000) / 500.0, (i32(&r) % 1000) / 700.0, (double)(i32(&r) % 300),
                           (i32(&r) % 1000) / 900.0, 1 + (i32(&r) % 1000) / 400.0, (double)(i32(&r) % 300)};
            double inv[6];
            if (vh_affine_invert(m, inv) == VH_OK) st = vh_image_warp_affine(&img, inv, dim(&r), dim(&r), 0, &o);
            else { st = VH_ENUMERIC; memset(&o, 0, sizeof o); }
            break;
        }
        case 4: vh_draw_text(&img, i32(&r), i32(&r), "Hi\x01~ 42%", i32(&r), col, (u32(&r) & 1) ? col : NULL); continue;
        case 5: vh_draw_line(&img, i32(&r), i32(&r), i32(&r), i32(&r), col); continue;
        case 6: vh_draw_circle(&img, i32(&r), i32(&r), i32(&r) % 5000, col); continue;
        case 7: vh_draw_rect(&img, i32(&r), i32(&r), i32(&r), i32(&r), i32(&r) % 50, col); continue;
        default: vh_image_adjust(&img, f64(&r), f64(&r)); vh_image_flip_h(&img); continue;
        }
        check_empty_or_valid(st, &o);
        if (st == VH_OK) { vh_image_free(&img); img = o; }
    }
    vh_image_free(&img);
    return 0;
}
