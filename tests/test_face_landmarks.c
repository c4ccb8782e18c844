/* Shape predictor: dlib serialisation primitives (worked encodings from
 * FORMATS.md §2b.1), validation of malformed files, and the regression-tree
 * walk on a tiny hand-built model whose answer is known. */
#include "vh_test.h"
#include "verhm/landmarks.h"
#include <math.h>

typedef struct { uint8_t b[1 << 16]; size_t n; } enc;

static void put_int(enc *e, int64_t v) {
    uint8_t neg = v < 0 ? 0x80 : 0;
    uint64_t m = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    uint8_t tmp[8];
    int n = 0;
    do { tmp[n++] = (uint8_t)(m & 0xFF); m >>= 8; } while (m);
    e->b[e->n++] = (uint8_t)(neg | n);
    for (int i = 0; i < n; i++) e->b[e->n++] = tmp[i];
}

/* dlib's float writer: mantissa = trunc(frexp(v)·2^24), exponent = e − 24,
 * then whole zero low bytes shifted off the mantissa. */
static void put_float(enc *e, float v) {
    int ex;
    double fr = frexp(v, &ex);
    int64_t mant = (int64_t)(fr * (double)(1 << 24));
    int64_t expo = ex - 24;
    for (int i = 0; i < 8 && (mant & 0xFF) == 0; i++) { mant /= 256; expo += 8; }
    put_int(e, mant);
    put_int(e, expo);
}

static void put_column(enc *e, const float *v, int n) {
    put_int(e, -n);
    put_int(e, -1);
    for (int i = 0; i < n; i++) put_float(e, v[i]);
}

VH_TEST(float_encodings_match_dlib) {
    struct { float v; uint8_t b[8]; int n; } cases[] = {
        {0.5f, {0x01, 0x80, 0x81, 0x08}, 4},
        {1.0f, {0x01, 0x80, 0x81, 0x07}, 4},
        {-0.1f, {0x83, 0xcd, 0xcc, 0xcc, 0x81, 0x1b}, 6},
        {0.0f, {0x01, 0x00, 0x01, 0x28}, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enc e = {.n = 0};
        put_float(&e, cases[i].v);
        VH_CHECK_INT_EQ(e.n, cases[i].n);
        VH_CHECK(memcmp(e.b, cases[i].b, (size_t)cases[i].n) == 0);
    }
}

/* A model with 2 parts, 1 level, 1 tree of depth 1 on features (0, 1):
 * feature 0 samples the pixel at the box's top-left part, feature 1 at the
 * bottom-right part; leaf 0 (left brighter by > 10) moves part 0 by +0.25 in x. */
static void build_model(enc *e, int version, uint64_t anchor1) {
    const float init[4] = {0.25f, 0.25f, 0.75f, 0.75f};
    e->n = 0;
    put_int(e, version);
    put_column(e, init, 4);
    put_int(e, 1); /* levels */
    put_int(e, 1); /* trees */
    put_int(e, 1); /* splits */
    put_int(e, 0); put_int(e, 1); put_float(e, 10.0f);
    put_int(e, 2); /* leaves */
    const float l0[4] = {0.25f, 0, 0, 0}, l1[4] = {0, 0, 0, -0.25f};
    put_column(e, l0, 4);
    put_column(e, l1, 4);
    put_int(e, 1); put_int(e, 2); put_int(e, 0); put_int(e, (int64_t)anchor1); /* anchors */
    put_int(e, 1); put_int(e, 2);
    put_float(e, 0); put_float(e, 0); put_float(e, 0); put_float(e, 0); /* deltas */
}

VH_TEST(tiny_model_walks_the_tree) {
    enc e;
    build_model(&e, 1, 1);
    vh_shape_predictor *sp = NULL;
    VH_CHECK_OK(vh_shape_predictor_load_mem(e.b, e.n, "tiny", &sp));
    if (!sp) return;
    VH_CHECK_INT_EQ(vh_shape_predictor_num_parts(sp), 2);
    VH_CHECK_INT_EQ(vh_shape_predictor_num_levels(sp), 1);
    uint8_t px[101 * 101];
    memset(px, 0, sizeof px);
    vh_image img = {101, 101, 1, 101, px, 0};
    /* Box (0,0,101,101): part 0 at (25,25), part 1 at (75,75). */
    px[25 * 101 + 25] = 200; /* left brighter → leaf 0 */
    vh_point2f pts[2];
    VH_CHECK_OK(vh_shape_predict(sp, &img, 0, 0, 101, 101, 1, pts));
    VH_CHECK_NEAR(pts[0].x, 50, 0);
    VH_CHECK_NEAR(pts[0].y, 25, 0);
    VH_CHECK_NEAR(pts[1].x, 75, 0);
    px[25 * 101 + 25] = 0;
    px[75 * 101 + 75] = 200; /* right brighter → leaf 1 */
    VH_CHECK_OK(vh_shape_predict(sp, &img, 0, 0, 101, 101, 0, pts));
    VH_CHECK_NEAR(pts[0].x, 25, 1e-4);
    VH_CHECK_NEAR(pts[1].y, 50, 1e-4);
    VH_CHECK_INT_EQ(vh_shape_predict(sp, &img, 0, 0, 0, 10, 0, pts), VH_EINVAL);
    vh_shape_predictor_free(sp);
}

VH_TEST(malformed_models_are_rejected) {
    enc e;
    vh_shape_predictor *sp = NULL;
    build_model(&e, 2, 1);
    VH_CHECK_INT_EQ(vh_shape_predictor_load_mem(e.b, e.n, "v2", &sp), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "version") != NULL);
    build_model(&e, 1, 5); /* anchor beyond 2 parts */
    VH_CHECK_INT_EQ(vh_shape_predictor_load_mem(e.b, e.n, "anchor", &sp), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "anchor") != NULL);
    build_model(&e, 1, 1);
    for (size_t cut = 0; cut < e.n; cut += 3) /* every truncation fails cleanly */
        VH_CHECK(vh_shape_predictor_load_mem(e.b, cut, "cut", &sp) != VH_OK && sp == NULL);
    e.b[e.n++] = 0x01; /* trailing byte */
    VH_CHECK_INT_EQ(vh_shape_predictor_load_mem(e.b, e.n, "trail", &sp), VH_EFORMAT);
    const char bz[] = "BZh91AY&SY";
    VH_CHECK_INT_EQ(vh_shape_predictor_load_mem(bz, sizeof bz, "m.dat.bz2", &sp), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "bzip2") != NULL);
    /* A huge tree count must fail before allocating. */
    enc h = {.n = 0};
    const float init[2] = {0.5f, 0.5f};
    put_int(&h, 1);
    put_column(&h, init, 2);
    put_int(&h, 1);
    put_int(&h, (int64_t)1 << 40);
    VH_CHECK(vh_shape_predictor_load_mem(h.b, h.n, "huge", &sp) == VH_ERANGE);
    VH_CHECK_INT_EQ(vh_shape_predictor_load("/nonexistent.dat", &sp), VH_ENOTFOUND);
}

int main(void) {
    VH_RUN(float_encodings_match_dlib);
    VH_RUN(tiny_model_walks_the_tree);
    VH_RUN(malformed_models_are_rejected);
    return vh_test_summary();
}
