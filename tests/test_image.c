/* Image module: PNG/JPEG round trips and hostile files, OpenCV-matching gray
 * and resize (reference vectors from scripts/gen_image_vectors.py), area
 * invariants, crop, affine warp/inverse, drawing and the built-in font. */
#include "vh_test.h"
#include "verhm/image.h"
#include "data/image_vectors.h"
#include <jpeglib.h>
#include <stdint.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp(const char *name) {
    static char buf[8][512];
    static int i;
    char *b = buf[i++ & 7];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

static void fill_pattern(vh_image *img, uint32_t seed) {
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            for (int k = 0; k < img->c; k++) {
                seed = seed * 1664525u + 1013904223u;
                vh_image_at(img, x, y)[k] = (uint8_t)(seed >> 24);
            }
}

static void smooth_pattern(vh_image *img) {
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            for (int k = 0; k < img->c; k++)
                vh_image_at(img, x, y)[k] = (uint8_t)(x * 2 + y + k * 30); /* ≤ 233 for 64×48 */
}

static int same_pixels(const vh_image *a, const vh_image *b) {
    if (a->w != b->w || a->h != b->h || a->c != b->c) return 0;
    for (int y = 0; y < a->h; y++)
        if (memcmp(vh_image_at(a, 0, y), vh_image_at(b, 0, y), (size_t)a->w * (size_t)a->c)) return 0;
    return 1;
}

static int write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(p, 1, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

static char *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

/* ---------------------------------------------------------------- basics */

VH_TEST(alloc_clone_convert) {
    vh_image a, b, g;
    VH_CHECK_OK(vh_image_alloc(&a, 5, 3, 3));
    VH_CHECK_INT_EQ(a.stride, 15);
    VH_CHECK(a.owns);
    fill_pattern(&a, 7);
    VH_CHECK_OK(vh_image_clone(&a, &b));
    VH_CHECK(same_pixels(&a, &b));
    VH_CHECK_OK(vh_image_convert(&a, 4, &g));
    VH_CHECK_INT_EQ(g.c, 4);
    VH_CHECK_INT_EQ(vh_image_at(&g, 4, 2)[3], 255);
    VH_CHECK_INT_EQ(vh_image_at(&g, 4, 2)[1], vh_image_at(&a, 4, 2)[1]);
    vh_image_free(&g);
    VH_CHECK(g.data == NULL);
    vh_image_free(&b);
    vh_image_free(&a);
    VH_CHECK_INT_EQ(vh_image_alloc(&a, 0, 3, 3), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_image_alloc(&a, 4, 4, 2), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_image_alloc(&a, 40000, 2, 1), VH_ERANGE);
    VH_CHECK_INT_EQ(vh_image_alloc(&a, 32768, 32768, 1), VH_ERANGE);
    VH_CHECK(a.data == NULL);
}

VH_TEST(gray_matches_hand_computed) {
    /* Y = (9798 R + 19235 G + 3735 B + 16384) >> 15 */
    static const uint8_t rgb[][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}, {10, 20, 30}, {0, 0, 0}, {200, 100, 50}};
    static const uint8_t want[] = {76, 150, 29, 255, 18, 0, 124};
    vh_image a, g;
    VH_CHECK_OK(vh_image_alloc(&a, 7, 1, 3));
    for (int i = 0; i < 7; i++) memcpy(vh_image_at(&a, i, 0), rgb[i], 3);
    VH_CHECK_OK(vh_image_to_gray(&a, &g));
    for (int i = 0; i < 7; i++) VH_CHECK_INT_EQ(vh_image_at(&g, i, 0)[0], want[i]);
    vh_image_free(&g);
    vh_image_free(&a);
}

VH_TEST(gray_matches_opencv_vectors) {
    vh_image a = {13, 11, 3, 39, (uint8_t *)src_a, 0}, g;
    VH_CHECK_OK(vh_image_to_gray(&a, &g));
    VH_CHECK(memcmp(g.data, gray_a, sizeof gray_a) == 0);
    vh_image_free(&g);
    vh_image c = {24, 18, 3, 72, (uint8_t *)src_c, 0};
    vh_image rgba;
    VH_CHECK_OK(vh_image_convert(&c, 4, &rgba)); /* alpha must be ignored */
    VH_CHECK_OK(vh_image_to_gray(&rgba, &g));
    VH_CHECK(memcmp(g.data, gray_c, sizeof gray_c) == 0);
    vh_image_free(&g);
    vh_image_free(&rgba);
}

/* ---------------------------------------------------------------- resize */

VH_TEST(resize_matches_opencv_vectors) {
    size_t total = 0, exact = 0;
    for (size_t i = 0; i < sizeof resize_vectors / sizeof resize_vectors[0]; i++) {
        const vh_resize_vec *v = &resize_vectors[i];
        vh_image s = {v->sw, v->sh, v->c, (size_t)v->sw * (size_t)v->c, (uint8_t *)v->src, 0}, d;
        int st = vh_image_resize(&s, v->dw, v->dh, v->interp, &d);
        if (st) { VH_FAILMSG("%s: status %d (%s)", v->name, st, vh_last_error()); continue; }
        int worst = 0;
        size_t n = (size_t)v->dw * (size_t)v->dh * (size_t)v->c;
        for (size_t k = 0; k < n; k++) {
            int diff = abs((int)d.data[k] - (int)v->expect[k]);
            if (diff > worst) worst = diff;
            exact += diff == 0;
        }
        total += n;
        /* nearest and bilinear are bit-exact; area (float box filter) within ±1 */
        int tol = v->interp == VH_INTERP_AREA ? 1 : 0;
        if (worst > tol) VH_FAILMSG("%s: max difference %d > %d", v->name, worst, tol);
        vh_image_free(&d);
    }
    printf("     resize vs OpenCV: %zu of %zu samples identical (%.2f%%)\n", exact, total, 100.0 * exact / total);
    VH_CHECK(exact * 1000 >= total * 999);
}

VH_TEST(area_of_constant_is_constant) {
    static const int sizes[][4] = {{37, 23, 10, 7}, {30, 30, 10, 10}, {100, 61, 33, 20}, {9, 9, 8, 8}, {7, 5, 3, 2}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int c = 1; c <= 4; c += (c == 1 ? 2 : 1)) {
            vh_image a, d;
            VH_CHECK_OK(vh_image_alloc(&a, sizes[i][0], sizes[i][1], c));
            memset(a.data, 77 + c, a.stride * (size_t)a.h);
            VH_CHECK_OK(vh_image_resize(&a, sizes[i][2], sizes[i][3], VH_INTERP_AREA, &d));
            int bad = 0;
            for (size_t k = 0; k < d.stride * (size_t)d.h; k++) bad += d.data[k] != 77 + c;
            if (bad) VH_FAILMSG("%dx%d -> %dx%d c%d: %d samples changed", sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3], c, bad);
            vh_image_free(&d);
            VH_CHECK_OK(vh_image_resize(&a, sizes[i][2], sizes[i][3], VH_INTERP_BILINEAR, &d));
            for (size_t k = 0; k < d.stride * (size_t)d.h; k++) bad += d.data[k] != 77 + c;
            VH_CHECK_INT_EQ(bad, 0);
            vh_image_free(&d);
            vh_image_free(&a);
        }
}

VH_TEST(area_averages_blocks) {
    /* 6x2 gray → 2x1: averages of 3x2 blocks, rounded half up */
    uint8_t px[12] = {0, 1, 2, 10, 10, 10, 3, 4, 5, 20, 21, 21};
    vh_image a = {6, 2, 1, 6, px, 0}, d;
    VH_CHECK_OK(vh_image_resize(&a, 2, 1, VH_INTERP_AREA, &d));
    VH_CHECK_INT_EQ(d.data[0], 3);  /* 15/6 = 2.5 → 3 */
    VH_CHECK_INT_EQ(d.data[1], 15); /* 92/6 = 15.33 */
    vh_image_free(&d);
    /* 3x1 → 2x1: box of 1.5 px: (a + b/2)/1.5, (b/2 + c)/1.5 */
    uint8_t q[3] = {30, 60, 90};
    vh_image b = {3, 1, 1, 3, q, 0};
    VH_CHECK_OK(vh_image_resize(&b, 2, 1, VH_INTERP_AREA, &d));
    VH_CHECK_INT_EQ(d.data[0], 40);
    VH_CHECK_INT_EQ(d.data[1], 80);
    vh_image_free(&d);
}

VH_TEST(resize_large_is_thread_independent) {
    vh_image a, d1, d2;
    VH_CHECK_OK(vh_image_alloc(&a, 640, 360, 3));
    fill_pattern(&a, 99);
    for (int interp = 0; interp < 3; interp++) {
        vh_threads_set(1);
        VH_CHECK_OK(vh_image_resize(&a, 333, 201, interp, &d1));
        vh_threads_set(2);
        VH_CHECK_OK(vh_image_resize(&a, 333, 201, interp, &d2));
        VH_CHECK(same_pixels(&d1, &d2));
        vh_image_free(&d1);
        vh_image_free(&d2);
    }
    vh_image_free(&a);
    VH_CHECK_INT_EQ(vh_image_resize(&a, 3, 3, VH_INTERP_AREA, &d1), VH_EINVAL); /* empty source */
}

/* ---------------------------------------------------------------- crop / warp */

VH_TEST(crop_fills_outside_with_zero) {
    vh_image a, d;
    VH_CHECK_OK(vh_image_alloc(&a, 4, 3, 3));
    fill_pattern(&a, 3);
    VH_CHECK_OK(vh_image_crop(&a, -1, 1, 3, 4, &d));
    VH_CHECK_INT_EQ(d.w, 3);
    VH_CHECK_INT_EQ(d.h, 4);
    VH_CHECK_INT_EQ(vh_image_at(&d, 0, 0)[0], 0);
    VH_CHECK(memcmp(vh_image_at(&d, 1, 0), vh_image_at(&a, 0, 1), 6) == 0);
    VH_CHECK(memcmp(vh_image_at(&d, 1, 1), vh_image_at(&a, 0, 2), 6) == 0);
    VH_CHECK_INT_EQ(vh_image_at(&d, 2, 2)[2], 0); /* below the source */
    vh_image_free(&d);
    VH_CHECK_OK(vh_image_crop(&a, 100, 100, 2, 2, &d)); /* fully outside: all zero */
    VH_CHECK_INT_EQ(d.data[0] | d.data[11], 0);
    vh_image_free(&d);
    VH_CHECK_INT_EQ(vh_image_crop(&a, 0, 0, 0, 2, &d), VH_EINVAL);
    vh_image_free(&a);
}

VH_TEST(warp_identity_and_translation) {
    vh_image a, d;
    VH_CHECK_OK(vh_image_alloc(&a, 21, 17, 3));
    fill_pattern(&a, 11);
    const double id[6] = {1, 0, 0, 0, 1, 0};
    VH_CHECK_OK(vh_image_warp_affine(&a, id, 21, 17, 0, &d));
    VH_CHECK(same_pixels(&a, &d));
    vh_image_free(&d);
    /* dst(x, y) = src(x + 3, y - 2); outside → border 9 */
    const double tr[6] = {1, 0, 3, 0, 1, -2};
    VH_CHECK_OK(vh_image_warp_affine(&a, tr, 21, 17, 9, &d));
    int bad = 0;
    for (int y = 0; y < 17; y++)
        for (int x = 0; x < 21; x++)
            for (int k = 0; k < 3; k++) {
                int sx = x + 3, sy = y - 2;
                int want = (sx < 21 && sy >= 0) ? vh_image_at(&a, sx, sy)[k] : 9;
                bad += vh_image_at(&d, x, y)[k] != want;
            }
    VH_CHECK_INT_EQ(bad, 0);
    vh_image_free(&d);
    /* half-pixel shift: mean of horizontal neighbours (rounded half up) */
    const double half[6] = {1, 0, 0.5, 0, 1, 0};
    VH_CHECK_OK(vh_image_warp_affine(&a, half, 20, 17, 0, &d));
    bad = 0;
    for (int y = 0; y < 17; y++)
        for (int x = 0; x < 20; x++) {
            int want = (vh_image_at(&a, x, y)[1] + vh_image_at(&a, x + 1, y)[1] + 1) / 2;
            bad += vh_image_at(&d, x, y)[1] != want;
        }
    VH_CHECK_INT_EQ(bad, 0);
    vh_image_free(&d);
    const double nan_m[6] = {1, 0, NAN, 0, 1, 0};
    VH_CHECK_INT_EQ(vh_image_warp_affine(&a, nan_m, 5, 5, 0, &d), VH_ENUMERIC);
    vh_image_free(&a);
}

VH_TEST(warp_matches_opencv_vectors) {
    for (size_t i = 0; i < sizeof warp_vectors / sizeof warp_vectors[0]; i++) {
        const vh_warp_vec *v = &warp_vectors[i];
        vh_image s = {v->sw, v->sh, v->c, (size_t)v->sw * (size_t)v->c, (uint8_t *)v->src, 0}, d;
        VH_CHECK_OK(vh_image_warp_affine(&s, v->m, v->dw, v->dh, (uint8_t)v->border, &d));
        if (!d.data) continue;
        size_t n = (size_t)v->dw * (size_t)v->dh * (size_t)v->c, diff = 0;
        for (size_t k = 0; k < n; k++) diff += d.data[k] != v->expect[k];
        if (diff) VH_FAILMSG("warp case %zu: %zu of %zu samples differ from OpenCV", i, diff, n);
        vh_image_free(&d);
    }
}

VH_TEST(affine_invert_round_trip) {
    const double m[6] = {0.8, -0.3, 12.5, 0.25, 1.1, -4};
    double inv[6], back[6];
    VH_CHECK_OK(vh_affine_invert(m, inv));
    VH_CHECK_OK(vh_affine_invert(inv, back));
    for (int i = 0; i < 6; i++) VH_CHECK_NEAR(back[i], m[i], 1e-9);
    /* m ∘ inv applied to a point is the identity */
    double x = 7, y = -3;
    double u = inv[0] * x + inv[1] * y + inv[2], v = inv[3] * x + inv[4] * y + inv[5];
    VH_CHECK_NEAR(m[0] * u + m[1] * v + m[2], x, 1e-9);
    VH_CHECK_NEAR(m[3] * u + m[4] * v + m[5], y, 1e-9);
    const double sing[6] = {1, 2, 3, 2, 4, 5};
    VH_CHECK_INT_EQ(vh_affine_invert(sing, inv), VH_ENUMERIC);
}

VH_TEST(flip_and_adjust) {
    uint8_t px[6] = {1, 2, 3, 4, 5, 6};
    vh_image a = {2, 1, 3, 6, px, 0};
    vh_image_flip_h(&a);
    VH_CHECK_INT_EQ(px[0], 4);
    VH_CHECK_INT_EQ(px[5], 3);
    uint8_t q[8] = {10, 100, 200, 50, 0, 255, 128, 7};
    vh_image b = {2, 1, 4, 8, q, 0};
    vh_image_adjust(&b, 2.0, -10);
    VH_CHECK_INT_EQ(q[0], 10);
    VH_CHECK_INT_EQ(q[1], 190);
    VH_CHECK_INT_EQ(q[2], 255);
    VH_CHECK_INT_EQ(q[3], 50); /* alpha untouched */
    VH_CHECK_INT_EQ(q[4], 0);
    VH_CHECK_INT_EQ(q[7], 7);
}

/* ---------------------------------------------------------------- files */

VH_TEST(png_round_trips) {
    for (int c = 1; c <= 4; c += (c == 1 ? 2 : 1)) {
        vh_image a, b;
        VH_CHECK_OK(vh_image_alloc(&a, 37, 23, c));
        fill_pattern(&a, (uint32_t)c);
        const char *p = tmp("rt.png");
        VH_CHECK_OK(vh_image_save(p, &a, 0));
        VH_CHECK_OK(vh_image_load(p, 0, &b));
        VH_CHECK(same_pixels(&a, &b));
        vh_image_free(&b);
        /* channel conversion on load */
        VH_CHECK_OK(vh_image_load(p, 1, &b));
        vh_image g;
        VH_CHECK_OK(vh_image_to_gray(&a, &g));
        VH_CHECK(same_pixels(&g, &b));
        vh_image_free(&g);
        vh_image_free(&b);
        vh_image_free(&a);
    }
}

VH_TEST(png16_round_trip) {
    enum { W = 19, H = 7 };
    uint16_t s[W * H];
    for (int i = 0; i < W * H; i++) s[i] = (uint16_t)(i * 479 + 3);
    s[0] = 0;
    s[1] = 65535;
    s[2] = 0x8080;
    const char *p = tmp("d16.png");
    VH_CHECK_OK(vh_image_save_png16(p, s, W, H));
    uint16_t *r = NULL;
    int w = 0, h = 0;
    VH_CHECK_OK(vh_image_load_png16(p, &r, &w, &h));
    VH_CHECK_INT_EQ(w, W);
    VH_CHECK_INT_EQ(h, H);
    VH_CHECK(r && memcmp(r, s, sizeof s) == 0);
    vh_free(r);
    /* the 8-bit loader keeps the high byte of 16-bit samples (as OpenCV) */
    vh_image a;
    VH_CHECK_OK(vh_image_load(p, 0, &a));
    VH_CHECK_INT_EQ(a.c, 1);
    VH_CHECK_INT_EQ(a.data[0], 0);
    VH_CHECK_INT_EQ(a.data[1], 255);
    VH_CHECK_INT_EQ(a.data[2], 128);
    int off = 0;
    for (int i = 3; i < W * H; i++) off += a.data[i] != s[i] >> 8;
    VH_CHECK_INT_EQ(off, 0);
    vh_image_free(&a);
    /* an 8-bit PNG loads through png16 as v * 257; colour is refused */
    vh_image c;
    VH_CHECK_OK(vh_image_alloc(&c, 3, 2, 1));
    c.data[4] = 200;
    VH_CHECK_OK(vh_image_save(tmp("g8.png"), &c, 0));
    VH_CHECK_OK(vh_image_load_png16(tmp("g8.png"), &r, &w, &h));
    VH_CHECK(r && r[4] == 200 * 257 && r[0] == 0);
    vh_free(r);
    vh_image_free(&c);
    VH_CHECK_OK(vh_image_alloc(&c, 3, 2, 3));
    VH_CHECK_OK(vh_image_save(tmp("c8.png"), &c, 0));
    VH_CHECK_INT_EQ(vh_image_load_png16(tmp("c8.png"), &r, &w, &h), VH_EUNSUPPORTED);
    VH_CHECK(r == NULL);
    vh_image_free(&c);
}

VH_TEST(jpeg_round_trips) {
    for (int c = 1; c <= 4; c += (c == 1 ? 2 : 1)) {
        vh_image a, b;
        VH_CHECK_OK(vh_image_alloc(&a, 64, 48, c));
        smooth_pattern(&a);
        const char *p = tmp("rt.jpg");
        VH_CHECK_OK(vh_image_save(p, &a, 95));
        VH_CHECK_OK(vh_image_load(p, 0, &b));
        VH_CHECK_INT_EQ(b.w, 64);
        VH_CHECK_INT_EQ(b.h, 48);
        VH_CHECK_INT_EQ(b.c, c == 1 ? 1 : 3); /* JPEG has no alpha */
        double err = 0;
        int cc = c == 1 ? 1 : 3;
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
                for (int k = 0; k < cc; k++) err += fabs((double)vh_image_at(&a, x, y)[k] - vh_image_at(&b, x, y)[k]);
        err /= 64.0 * 48 * cc;
        if (!(err < 2.5)) VH_FAILMSG("c=%d mean abs error %.3f", c, err);
        vh_image_free(&b);
        VH_CHECK_OK(vh_image_load(p, 4, &b));
        VH_CHECK_INT_EQ(b.c, 4);
        VH_CHECK_INT_EQ(vh_image_at(&b, 10, 10)[3], 255);
        vh_image_free(&b);
        vh_image_free(&a);
    }
    vh_image a;
    VH_CHECK_OK(vh_image_alloc(&a, 8, 8, 3));
    VH_CHECK_INT_EQ(vh_image_save(tmp("q.jpg"), &a, 101), VH_EINVAL);
    VH_CHECK(access(tmp("q.jpg"), F_OK) != 0);
    vh_image_free(&a);
}

/* CRC-32 (PNG chunk checksums) so the test can forge headers. */
static uint32_t crc32_png(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

VH_TEST(hostile_files_fail_cleanly) {
    vh_image a, b;
    VH_CHECK_OK(vh_image_alloc(&a, 40, 30, 3));
    fill_pattern(&a, 5);
    VH_CHECK_OK(vh_image_save(tmp("h.png"), &a, 0));
    VH_CHECK_OK(vh_image_save(tmp("h.jpg"), &a, 90));
    vh_image_free(&a);
    const char *files[2] = {tmp("h.png"), tmp("h.jpg")};
    for (int f = 0; f < 2; f++) {
        size_t n;
        char *data = read_file(files[f], &n);
        VH_CHECK(data != NULL && n > 100);
        if (!data) continue;
        /* every truncation is an error, never a partial image (a JPEG missing
         * only its final 2-byte EOI marker is complete and loads, as in OpenCV) */
        size_t lim = f == 1 ? n - 2 : n;
        for (size_t cut = 0; cut < lim; cut++) {
            int st = vh_image_load_mem(data, cut, "cut.img", 0, &b);
            if (st != VH_EFORMAT) VH_FAILMSG("%s cut at %zu: status %d", files[f], cut, st);
            VH_CHECK(b.data == NULL);
        }
        VH_CHECK(strstr(vh_last_error(), "cut.img") != NULL);
        if (f == 1) {
            vh_image full, noeoi;
            VH_CHECK_OK(vh_image_load_mem(data, n, "full.jpg", 0, &full));
            VH_CHECK_OK(vh_image_load_mem(data, n - 2, "noeoi.jpg", 0, &noeoi));
            VH_CHECK(full.data && noeoi.data && same_pixels(&full, &noeoi));
            vh_image_free(&full);
            vh_image_free(&noeoi);
        }
        /* corrupt body bytes: an error or (JPEG can resync) an image, never a crash */
        for (size_t pos = 40; pos < n - 8; pos += 97) {
            char save = data[pos];
            data[pos] = (char)(data[pos] ^ 0x5a);
            int st = vh_image_load_mem(data, n, "bad.img", 0, &b);
            if (f == 0 && st != VH_EFORMAT) VH_FAILMSG("png corrupt at %zu: status %d", pos, st);
            if (st == VH_OK) { VH_CHECK_INT_EQ(b.w, 40); vh_image_free(&b); }
            data[pos] = save;
        }
        free(data);
    }
    /* zero-length file, garbage, missing file */
    VH_CHECK_INT_EQ(write_file(tmp("empty.png"), "", 0), 0);
    VH_CHECK_INT_EQ(vh_image_load(tmp("empty.png"), 0, &b), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "empty.png") != NULL);
    VH_CHECK_INT_EQ(vh_image_load_mem("GIF89a....", 10, "x.gif", 0, &b), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_image_load(tmp("missing.png"), 0, &b), VH_ENOTFOUND);
    VH_CHECK_INT_EQ(vh_image_load(tmp("h.png"), 2, &b), VH_EINVAL);

    /* PNG header claiming 100000×100000: refused before allocating */
    uint8_t png[8 + 25 + 12] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    uint8_t *ih = png + 8;
    put32(ih, 13);
    memcpy(ih + 4, "IHDR", 4);
    put32(ih + 8, 100000);
    put32(ih + 12, 100000);
    ih[16] = 8; ih[17] = 2; ih[18] = 0; ih[19] = 0; ih[20] = 0;
    put32(ih + 21, crc32_png(ih + 4, 17));
    uint8_t *ie = ih + 25; /* an empty IDAT: png_read_info stops at it */
    put32(ie, 0);
    memcpy(ie + 4, "IDAT", 4);
    put32(ie + 8, crc32_png(ie + 4, 4));
    VH_CHECK_INT_EQ(vh_image_load_mem(png, sizeof png, "huge.png", 0, &b), VH_ERANGE);
    VH_CHECK(strstr(vh_last_error(), "huge.png") != NULL);
    put32(ih + 8, 20000); /* within a side but 4·10^8 pixels > 2^28 */
    put32(ih + 12, 20000);
    put32(ih + 21, crc32_png(ih + 4, 17));
    VH_CHECK_INT_EQ(vh_image_load_mem(png, sizeof png, "big.png", 0, &b), VH_ERANGE);
    put32(ih + 8, 4);
    put32(ih + 12, 4);
    put32(ih + 21, crc32_png(ih + 4, 17) ^ 1); /* bad CRC */
    VH_CHECK_INT_EQ(vh_image_load_mem(png, sizeof png, "crc.png", 0, &b), VH_EFORMAT);

    /* JPEG whose frame header claims 60000×60000 */
    size_t n;
    char *j = read_file(tmp("h.jpg"), &n);
    VH_CHECK(j != NULL);
    int patched = 0;
    for (size_t i = 2; j && i + 9 < n; i++)
        if ((uint8_t)j[i] == 0xff && ((uint8_t)j[i + 1] == 0xc0 || (uint8_t)j[i + 1] == 0xc2)) {
            j[i + 5] = (char)0xea; j[i + 6] = 0x60; /* height 60000 */
            j[i + 7] = (char)0xea; j[i + 8] = 0x60; /* width 60000 */
            patched = 1;
            break;
        }
    VH_CHECK(patched);
    VH_CHECK_INT_EQ(vh_image_load_mem(j, n, "huge.jpg", 0, &b), VH_ERANGE);
    free(j);
}

VH_TEST(failed_save_leaves_nothing) {
    vh_image a;
    VH_CHECK_OK(vh_image_alloc(&a, 4, 4, 3));
    VH_CHECK_OK(vh_image_save(tmp("upper.JPG"), &a, 0));
    vh_image u;
    VH_CHECK_OK(vh_image_load(tmp("upper.JPG"), 0, &u));
    vh_image_free(&u);
    VH_CHECK_INT_EQ(vh_image_save(tmp("x.bmp"), &a, 0), VH_EUNSUPPORTED);
    VH_CHECK_INT_EQ(vh_image_save(tmp("x.pngx"), &a, 0), VH_EUNSUPPORTED);
    VH_CHECK(access(tmp("x.pngx"), F_OK) != 0);
    VH_CHECK(access(tmp("x.bmp"), F_OK) != 0);
    VH_CHECK(vh_image_save(tmp("nodir/x.png"), &a, 0) < 0);
    VH_CHECK(access(tmp("nodir/x.png"), F_OK) != 0);
    vh_image e = {0};
    VH_CHECK_INT_EQ(vh_image_save(tmp("e.png"), &e, 0), VH_EINVAL);
    VH_CHECK(access(tmp("e.png"), F_OK) != 0);
    /* a save replaces an existing file atomically */
    VH_CHECK_OK(vh_image_save(tmp("o.png"), &a, 0));
    a.data[0] = 99;
    VH_CHECK_OK(vh_image_save(tmp("o.png"), &a, 0));
    vh_image b;
    VH_CHECK_OK(vh_image_load(tmp("o.png"), 0, &b));
    VH_CHECK_INT_EQ(b.data[0], 99);
    vh_image_free(&b);
    /* save_ex without overwrite keeps the existing file */
    a.data[0] = 5;
    VH_CHECK_INT_EQ(vh_image_save_ex(tmp("o.png"), &a, 0, 0), VH_EEXIST);
    VH_CHECK_INT_EQ(vh_image_save_ex(tmp("o.jpg"), &a, 0, 0), VH_OK);
    VH_CHECK_INT_EQ(vh_image_save_ex(tmp("o.jpg"), &a, 0, 0), VH_EEXIST);
    VH_CHECK_OK(vh_image_load(tmp("o.png"), 0, &b));
    VH_CHECK_INT_EQ(b.data[0], 99);
    vh_image_free(&b);
    vh_image_free(&a);
}

/* Seed-corpus files made by scripts/gen_image_vectors.py cover the PNG colour
 * types and JPEG flavours the writer never produces. */
VH_TEST(loads_png_and_jpeg_variants) {
    static const struct { const char *file; int w, h, c; int x, y; uint8_t px[4]; } cases[] = {
        {"palette.png", 5, 4, 3, 2, 1, {0, 0, 255, 0}},
        {"palette_trns.png", 5, 4, 4, 2, 1, {0, 0, 255, 128}},
        {"gray_alpha.png", 5, 4, 4, 3, 2, {90, 90, 90, 200}},
        {"rgb16.png", 5, 4, 3, 1, 1, {255, 128, 0, 0}},
        {"gray1.png", 9, 3, 1, 1, 0, {255, 0, 0, 0}},
        {"interlaced.png", 9, 7, 3, 4, 5, {20, 100, 180, 0}},
        {"gray.jpg", 16, 16, 1, 4, 4, {128, 0, 0, 0}},
        {"progressive.jpg", 16, 16, 3, 4, 4, {200, 40, 40, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "fuzz/corpus/fuzz_image_load/%s", cases[i].file);
        vh_image a;
        int st = vh_image_load(vh_test_src(rel), 0, &a);
        if (st) { VH_FAILMSG("%s: %s", cases[i].file, vh_last_error()); continue; }
        if (a.w != cases[i].w || a.h != cases[i].h || a.c != cases[i].c)
            VH_FAILMSG("%s: got %dx%dx%d", cases[i].file, a.w, a.h, a.c);
        else
            for (int k = 0; k < a.c; k++) {
                int tol = strstr(cases[i].file, ".jpg") ? 3 : 0;
                VH_CHECK_NEAR(vh_image_at(&a, cases[i].x, cases[i].y)[k], cases[i].px[k], tol);
            }
        vh_image_free(&a);
    }
}

/* CMYK JPEGs (Adobe, inverted) are made here with libjpeg itself. */
VH_TEST(loads_cmyk_jpeg) {
    struct jpeg_compress_struct j;
    struct jpeg_error_mgr em;
    j.err = jpeg_std_error(&em);
    jpeg_create_compress(&j);
    unsigned char *mem = NULL;
    unsigned long len = 0;
    jpeg_mem_dest(&j, &mem, &len);
    j.image_width = 16;
    j.image_height = 8;
    j.input_components = 4;
    j.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&j);
    jpeg_set_quality(&j, 95, TRUE);
    jpeg_start_compress(&j, TRUE);
    uint8_t row[16 * 4];
    for (int x = 0; x < 16; x++) {
        /* left half "C=255,K=255" → red; right half all 128 with K=255 → 128 gray */
        uint8_t *p = row + 4 * x;
        if (x < 8) { p[0] = 255; p[1] = 0; p[2] = 0; p[3] = 255; }
        else { p[0] = p[1] = p[2] = 128; p[3] = 255; }
    }
    while (j.next_scanline < j.image_height) {
        JSAMPROW r = row;
        jpeg_write_scanlines(&j, &r, 1);
    }
    jpeg_finish_compress(&j);
    jpeg_destroy_compress(&j);
    vh_image a;
    VH_CHECK_OK(vh_image_load_mem(mem, len, "cmyk.jpg", 0, &a));
    VH_CHECK_INT_EQ(a.c, 3);
    if (a.data) {
        VH_CHECK_NEAR(vh_image_at(&a, 2, 3)[0], 255, 3);
        VH_CHECK_NEAR(vh_image_at(&a, 2, 3)[1], 0, 3);
        VH_CHECK_NEAR(vh_image_at(&a, 13, 3)[2], 128, 3);
    }
    vh_image_free(&a);
    free(mem);
}

VH_TEST(operations_in_place) {
    vh_image a;
    VH_CHECK_OK(vh_image_alloc(&a, 30, 20, 3));
    fill_pattern(&a, 17);
    VH_CHECK_OK(vh_image_resize(&a, 15, 10, VH_INTERP_AREA, &a));
    VH_CHECK_INT_EQ(a.w, 15);
    VH_CHECK_OK(vh_image_convert(&a, 1, &a));
    VH_CHECK_INT_EQ(a.c, 1);
    VH_CHECK_OK(vh_image_crop(&a, 2, 2, 5, 5, &a));
    const double m[6] = {0.5, 0, 0, 0, 0.5, 0};
    VH_CHECK_OK(vh_image_warp_affine(&a, m, 10, 10, 0, &a));
    VH_CHECK_INT_EQ(a.w, 10);
    VH_CHECK_OK(vh_image_clone(&a, &a));
    /* a failing call on itself leaves the image as it was */
    VH_CHECK_INT_EQ(vh_image_resize(&a, 0, 5, VH_INTERP_AREA, &a), VH_EINVAL);
    VH_CHECK(a.data != NULL && a.w == 10);
    vh_image_free(&a); /* ASan: nothing leaked along the way */
}

/* ---------------------------------------------------------------- drawing */

static const char *const glyph_A[8] = {"..###...", ".#...#..", ".#...#..", ".#####..",
                                       ".#...#..", ".#...#..", ".#...#..", "........"};
static const char *const glyph_g[8] = {"........", "........", "..####..", ".#...#..",
                                       ".#...#..", "..####..", ".....#..", "..###..."};

static int glyph_matches(const vh_image *img, int x0, int y0, int scale, const char *const art[8], uint8_t fg,
                         uint8_t bgv) {
    for (int y = 0; y < 8 * scale; y++)
        for (int x = 0; x < 8 * scale; x++) {
            uint8_t want = art[y / scale][x / scale] == '#' ? fg : bgv;
            if (vh_image_at(img, x0 + x, y0 + y)[0] != want) return 0;
        }
    return 1;
}

VH_TEST(text_draws_expected_glyphs) {
    vh_image a;
    VH_CHECK_OK(vh_image_alloc(&a, 40, 20, 1));
    const uint8_t white[3] = {255, 255, 255}, grey[3] = {50, 50, 50};
    vh_draw_text(&a, 2, 3, "Ag", 1, white, NULL);
    VH_CHECK(glyph_matches(&a, 2, 3, 1, glyph_A, 255, 0));
    VH_CHECK(glyph_matches(&a, 10, 3, 1, glyph_g, 255, 0));
    VH_CHECK_INT_EQ(vh_image_at(&a, 1, 3)[0], 0);
    memset(a.data, 0, a.stride * (size_t)a.h);
    vh_draw_text(&a, 1, 2, "A", 2, white, grey);
    VH_CHECK(glyph_matches(&a, 1, 2, 2, glyph_A, 255, 50));
    VH_CHECK_INT_EQ(vh_image_at(&a, 0, 2)[0], 0);
    VH_CHECK_INT_EQ(vh_image_at(&a, 17, 2)[0], 0);
    int w, h;
    vh_text_size("Ag", 3, &w, &h);
    VH_CHECK_INT_EQ(w, 48);
    VH_CHECK_INT_EQ(h, 24);
    /* clipped text at the edges and far outside must not crash */
    vh_draw_text(&a, -5, -3, "clip me", 4, white, grey);
    vh_draw_text(&a, 2000000000, 5, "far", 2, white, NULL);
    vh_draw_text(&a, -2000000000, 5, "far", 1000, white, grey);
    vh_image_free(&a);
}

VH_TEST(font_covers_printable_ascii) {
    uint8_t seen[95][64];
    const uint8_t white[3] = {255, 255, 255};
    for (int ch = 32; ch <= 126; ch++) {
        vh_image a;
        VH_CHECK_OK(vh_image_alloc(&a, 8, 8, 1));
        char s[2] = {(char)ch, 0};
        vh_draw_text(&a, 0, 0, s, 1, white, NULL);
        int ink = 0;
        for (int i = 0; i < 64; i++) ink += a.data[i] != 0;
        if (ch == ' ' ? ink != 0 : ink == 0) VH_FAILMSG("glyph %d has %d ink pixels", ch, ink);
        memcpy(seen[ch - 32], a.data, 64);
        for (int o = 0; o < ch - 32; o++)
            if (memcmp(seen[o], a.data, 64) == 0) VH_FAILMSG("glyphs %d and %d are identical", o + 32, ch);
        vh_image_free(&a);
    }
    /* non-printable bytes are drawn as '?' */
    vh_image q1, q2;
    VH_CHECK_OK(vh_image_alloc(&q1, 8, 8, 3));
    VH_CHECK_OK(vh_image_alloc(&q2, 8, 8, 3));
    vh_draw_text(&q1, 0, 0, "?", 1, white, NULL);
    vh_draw_text(&q2, 0, 0, "\x01", 1, white, NULL);
    VH_CHECK(same_pixels(&q1, &q2));
    vh_image_free(&q1);
    vh_image_free(&q2);
}

VH_TEST(shapes_draw_and_clip) {
    vh_image a;
    VH_CHECK_OK(vh_image_alloc(&a, 20, 20, 3));
    const uint8_t red[3] = {255, 0, 0};
    vh_draw_rect(&a, 2, 3, 10, 6, 2, red);
    VH_CHECK_INT_EQ(vh_image_at(&a, 2, 3)[0], 255);
    VH_CHECK_INT_EQ(vh_image_at(&a, 11, 8)[0], 255);
    VH_CHECK_INT_EQ(vh_image_at(&a, 3, 4)[0], 255);  /* inside the 2-px band */
    VH_CHECK_INT_EQ(vh_image_at(&a, 4, 5)[0], 0);    /* hollow centre */
    VH_CHECK_INT_EQ(vh_image_at(&a, 12, 3)[0], 0);
    VH_CHECK_INT_EQ(vh_image_at(&a, 2, 3)[1], 0);
    memset(a.data, 0, a.stride * 20);
    vh_draw_line(&a, 0, 0, 19, 19, red);
    int on = 0;
    for (int i = 0; i < 20; i++) on += vh_image_at(&a, i, i)[0] == 255;
    VH_CHECK_INT_EQ(on, 20);
    vh_draw_line(&a, -1000000000, 10, 1000000000, 10, red); /* clipped, fast */
    for (int x = 0; x < 20; x++) VH_CHECK_INT_EQ(vh_image_at(&a, x, 10)[0], 255);
    memset(a.data, 0, a.stride * 20);
    vh_draw_circle(&a, 10, 10, 3, red);
    int area = 0;
    for (size_t i = 0; i < a.stride * 20; i += 3) area += a.data[i] == 255;
    VH_CHECK_INT_EQ(area, 29); /* lattice points with x²+y² ≤ 9 */
    VH_CHECK_INT_EQ(vh_image_at(&a, 13, 10)[0], 255);
    VH_CHECK_INT_EQ(vh_image_at(&a, 13, 11)[0], 0);
    vh_draw_circle(&a, 0, 0, 1000000, red); /* covers everything, clipped */
    VH_CHECK_INT_EQ(vh_image_at(&a, 19, 19)[0], 255);
    vh_image_free(&a);
    vh_image g;
    VH_CHECK_OK(vh_image_alloc(&g, 4, 4, 1));
    vh_draw_rect(&g, 0, 0, 4, 4, 1, red);
    VH_CHECK_INT_EQ(g.data[0], 76); /* luma of red */
    VH_CHECK_INT_EQ(g.data[5], 0);
    vh_image_free(&g);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vh_test_image_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    VH_RUN(alloc_clone_convert);
    VH_RUN(gray_matches_hand_computed);
    VH_RUN(gray_matches_opencv_vectors);
    VH_RUN(resize_matches_opencv_vectors);
    VH_RUN(area_of_constant_is_constant);
    VH_RUN(area_averages_blocks);
    VH_RUN(resize_large_is_thread_independent);
    VH_RUN(crop_fills_outside_with_zero);
    VH_RUN(warp_identity_and_translation);
    VH_RUN(warp_matches_opencv_vectors);
    VH_RUN(affine_invert_round_trip);
    VH_RUN(flip_and_adjust);
    VH_RUN(png_round_trips);
    VH_RUN(png16_round_trip);
    VH_RUN(jpeg_round_trips);
    VH_RUN(hostile_files_fail_cleanly);
    VH_RUN(failed_save_leaves_nothing);
    VH_RUN(loads_png_and_jpeg_variants);
    VH_RUN(loads_cmyk_jpeg);
    VH_RUN(operations_in_place);
    VH_RUN(text_draws_expected_glyphs);
    VH_RUN(font_covers_printable_ascii);
    VH_RUN(shapes_draw_and_clip);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return vh_test_summary();
}
