/* Face detector unit tests: cascade parser (both dialects, every rejection
 * path), groupRectangles, integral images vs brute force, the bit-exact
 * pyramid resize vs OpenCV's output, and a brute-force reference scan. */
#include "face/face_internal.h"
#include "verhm/face.h"
#include "vh_test.h"
#include "data/detect_resize_ref.h"

/* ---- tiny cascades: 6×6 window, stage 0 one stump, stage 1 a 3-node tree ---- */
#define NEW_HEAD                                                                              \
    "<?xml version=\"1.0\"?>\n<opencv_storage>\n<cascade type_id=\"opencv-cascade-classifier\">\n" \
    "  <stageType>BOOST</stageType>\n  <featureType>HAAR</featureType>\n"                     \
    "  <height>6</height>\n  <width>6</width>\n"                                              \
    "  <stageParams><maxWeakCount>1</maxWeakCount></stageParams>\n"                           \
    "  <featureParams><maxCatCount>0</maxCatCount></featureParams>\n"

static const char *new_valid =
    NEW_HEAD
    "  <stageNum>2</stageNum>\n"
    "  <stages>\n"
    "    <_>\n      <maxWeakCount>1</maxWeakCount>\n      <stageThreshold>-0.5</stageThreshold>\n"
    "      <weakClassifiers>\n        <_>\n          <internalNodes>0 -1 0 0.05</internalNodes>\n"
    "          <leafValues>-1. 1.</leafValues></_></weakClassifiers></_>\n"
    "    <_>\n      <maxWeakCount>1</maxWeakCount>\n      <stageThreshold>0.25</stageThreshold>\n"
    "      <weakClassifiers>\n        <_>\n          <internalNodes>\n            1 2 1 0.0e+00\n"
    "            0 -1 0 2.0000000000000001e-001 -2 -3 1 -1.</internalNodes>\n"
    "          <leafValues>-0.5 1. -1. 0.5</leafValues></_></weakClassifiers></_></stages>\n"
    "  <features>\n"
    "    <_><rects><_>0 0 6 6 -1.</_><_>2 2 2 2 9.</_></rects></_>\n"
    "    <_><rects><_>0 0 6 3 -1.</_><_>0 3 6 3 1.</_></rects><tilted>0</tilted></_>\n"
    "  </features>\n</cascade>\n</opencv_storage>\n";

/* The same classifier in the old dialect (features per node, leaves inline). */
static const char *old_valid =
    "<?xml version=\"1.0\"?>\n<opencv_storage>\n<tiny type_id=\"opencv-haar-classifier\">\n"
    "  <size>6 6</size>\n  <stages>\n    <_>\n      <!-- stage 0 -->\n      <trees>\n        <_>\n"
    "          <_>\n            <feature><rects><_>0 0 6 6 -1.</_><_>2 2 2 2 9.</_><_>0 0 1 1 0.</_></rects>"
    "<tilted>0</tilted></feature>\n"
    "            <threshold>0.05</threshold>\n            <left_val>-1.</left_val>\n"
    "            <right_val>1.</right_val></_></_></trees>\n"
    "      <stage_threshold>-0.5</stage_threshold>\n      <parent>-1</parent>\n      <next>-1</next></_>\n"
    "    <_>\n      <trees>\n        <_>\n"
    "          <_><feature><rects><_>0 0 6 3 -1.</_><_>0 3 6 3 1.</_></rects><tilted>0</tilted></feature>\n"
    "            <threshold>0.</threshold><left_node>1</left_node><right_node>2</right_node></_>\n"
    "          <_><feature><rects><_>0 0 6 6 -1.</_><_>2 2 2 2 9.</_></rects><tilted>0</tilted></feature>\n"
    "            <threshold>0.2</threshold><left_val>-0.5</left_val><right_val>1.</right_val></_>\n"
    "          <_><feature><rects><_>0 0 6 3 -1.</_><_>0 3 6 3 1.</_></rects><tilted>0</tilted></feature>\n"
    "            <threshold>-1.</threshold><left_val>-1.</left_val><right_val>0.5</right_val></_></_></trees>\n"
    "      <stage_threshold>0.25</stage_threshold>\n      <parent>0</parent>\n      <next>-1</next></_>\n"
    "  </stages>\n</tiny>\n</opencv_storage>\n";

static int load_str(const char *xml, vh_cascade **c) { return vh_cascade_load_mem(xml, strlen(xml), "t.xml", c); }

/* Replaces the first occurrence of `from` in `src` by `to` (static buffer). */
static const char *edit(const char *src, const char *from, const char *to) {
    static char buf[8192];
    const char *p = strstr(src, from);
    if (!p) { snprintf(buf, sizeof buf, "%s", "missing pattern"); return buf; }
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - src), src, to, p + strlen(from));
    return buf;
}

static void expect_fail(const char *xml, int want, const char *msg_part) {
    vh_cascade *c = (vh_cascade *)1;
    int st = load_str(xml, &c);
    VH_CHECK_INT_EQ(st, want);
    VH_CHECK(c == NULL);
    if (msg_part && !strstr(vh_last_error(), msg_part))
        VH_FAILMSG("error \"%s\" lacks \"%s\"", vh_last_error(), msg_part);
    if (!strstr(vh_last_error(), "t.xml")) VH_FAILMSG("error \"%s\" does not name the file", vh_last_error());
}

VH_TEST(parse_new_format) {
    vh_cascade *c = NULL;
    VH_CHECK_OK(load_str(new_valid, &c));
    if (!c) return;
    vh_cascade_info in;
    vh_cascade_get_info(c, &in);
    VH_CHECK_INT_EQ(in.win_w, 6);
    VH_CHECK_INT_EQ(in.win_h, 6);
    VH_CHECK_INT_EQ(in.num_stages, 2);
    VH_CHECK_INT_EQ(in.num_trees, 2);
    VH_CHECK_INT_EQ(in.num_features, 2);
    VH_CHECK_INT_EQ(in.max_nodes, 3);
    VH_CHECK_INT_EQ(in.old_format, 0);
    VH_CHECK_INT_EQ(c->nleaves, 6);
    VH_CHECK(c->stages[0].thr == -0.5f - 1e-5f);
    VH_CHECK(c->stages[1].thr == 0.25f - 1e-5f);
    VH_CHECK_INT_EQ(c->nodes[1].left, 1);
    VH_CHECK_INT_EQ(c->nodes[1].right, 2);
    VH_CHECK_INT_EQ(c->nodes[3].left, -2);
    VH_CHECK(c->nodes[2].thr == 0.2f);
    VH_CHECK_INT_EQ(c->features[0].nrects, 2);
    VH_CHECK_INT_EQ(c->features[0].r[1].x, 2);
    VH_CHECK(c->features[0].r[1].weight == 9.0f);
    vh_cascade_free(c);
    vh_cascade_free(NULL);
}

VH_TEST(parse_old_format_converts) {
    vh_cascade *c = NULL;
    VH_CHECK_OK(load_str(old_valid, &c));
    if (!c) return;
    vh_cascade_info in;
    vh_cascade_get_info(c, &in);
    VH_CHECK_INT_EQ(in.old_format, 1);
    VH_CHECK_INT_EQ(in.num_stages, 2);
    VH_CHECK_INT_EQ(in.num_features, 4); /* one per node, as OpenCV's converter */
    VH_CHECK_INT_EQ(c->features[0].nrects, 2); /* zero-weight third rect dropped */
    VH_CHECK_INT_EQ(c->nodes[1].feat, 1);
    VH_CHECK_INT_EQ(c->nodes[1].left, 1);
    VH_CHECK_INT_EQ(c->nodes[1].right, 2);
    VH_CHECK_INT_EQ(c->nodes[2].left, 0);
    VH_CHECK_INT_EQ(c->nodes[2].right, -1);
    VH_CHECK_INT_EQ(c->nodes[3].left, -2);
    VH_CHECK_INT_EQ(c->nodes[3].right, -3);
    VH_CHECK(c->leaves[c->trees[1].first_leaf + 3] == 0.5f);
    VH_CHECK(c->stages[1].thr == 0.25f - 1e-5f);
    vh_cascade_free(c);
}

VH_TEST(parse_rejects) {
    expect_fail(edit(new_valid, "0 -1 0 0.05", "0 -1 7 0.05"), VH_EFORMAT, "feature index 7 out of range");
    expect_fail(edit(new_valid, "<internalNodes>0 -1 0 0.05</internalNodes>", ""), VH_EFORMAT,
                "t.xml:16: expected <internalNodes>");
    expect_fail(edit(new_valid, "<stages>", "<stagez>"), VH_EFORMAT, NULL);
    expect_fail(edit(new_valid, "0 -1 0 0.05", "0 -1 0 nan"), VH_EFORMAT, "finite");
    expect_fail(edit(new_valid, "<stageThreshold>-0.5", "<stageThreshold>inf"), VH_EFORMAT, "finite");
    expect_fail(edit(new_valid, "-1. 1.</leafValues>", "-1.</leafValues>"), VH_EFORMAT, "leaf values");
    expect_fail(edit(new_valid, "0 -1 0 0.05", "0 -1 0"), VH_EFORMAT, "groups of 4");
    expect_fail(edit(new_valid, "2 2 2 2 9.", "2 2 5 2 9."), VH_EFORMAT, "not inside the 6x6 window");
    expect_fail(edit(new_valid, "2 2 2 2 9.", "2 2 2 9."), VH_EFORMAT, "5 numbers");
    expect_fail(edit(new_valid, "<tilted>0</tilted>", "<tilted>1</tilted>"), VH_EFORMAT, "tilted rect");
    expect_fail(edit(new_valid, "-2 -3 1 -1.", "2 -3 1 -1."), VH_EFORMAT, "later node"); /* cycle */
    expect_fail(edit(new_valid, "0 -1 0 2.0", "0 -7 0 2.0"), VH_EFORMAT, "leaf 7 out of range");
    expect_fail(edit(new_valid, "<stageNum>2", "<stageNum>3"), VH_EFORMAT, "stageNum 3");
    expect_fail(edit(new_valid, "HAAR", "LBP"), VH_EUNSUPPORTED, "HAAR");
    expect_fail(edit(new_valid, "<width>6", "<width>0"), VH_EFORMAT, NULL);
    expect_fail(edit(new_valid, "<width>6", "<width>6.5"), VH_EFORMAT, "integer");
    expect_fail(edit(new_valid, "-1. 1.</leafValues>", "-1. 1x</leafValues>"), VH_EFORMAT, "expected a number");
    expect_fail("<?xml version=\"1.0\"?>\n<html><body>hi</body></html>\n", VH_EFORMAT, "not a cascade");
    expect_fail("<?xml version=\"1.0\"?>\n<opencv_storage><matrix type_id=\"opencv-matrix\"/></opencv_storage>",
                VH_EFORMAT, "not a cascade");
    expect_fail("<opencv_storage><cascade>", VH_EFORMAT, "XML error");
    expect_fail("", VH_EFORMAT, NULL);
    expect_fail(edit(old_valid, "<left_val>-0.5</left_val>", ""), VH_EFORMAT, "expected <left_val> or <left_node>");
    expect_fail(edit(old_valid, "<size>6 6</size>", "<size>6</size>"), VH_EFORMAT, "W H");
    expect_fail(edit(old_valid, "<right_node>2</right_node>", "<right_node>9</right_node>"), VH_EFORMAT, NULL);
    vh_cascade *c = NULL;
    VH_CHECK_INT_EQ(vh_cascade_load("/nonexistent/cascade.xml", &c), VH_ENOTFOUND);
    VH_CHECK(strstr(vh_last_error(), "/nonexistent/cascade.xml") != NULL);
}

VH_TEST(frontalface_alt_golden) {
    const char *p = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt.xml";
    if (!vh_is_file(p)) { printf("  (skipped: %s missing)\n", p); return; }
    vh_cascade *c = NULL;
    VH_CHECK_OK(vh_cascade_load(p, &c));
    if (!c) return;
    vh_cascade_info in;
    vh_cascade_get_info(c, &in);
    VH_CHECK_INT_EQ(in.win_w, 20);
    VH_CHECK_INT_EQ(in.num_stages, 22);
    VH_CHECK_INT_EQ(in.max_nodes, 1);
    VH_CHECK_INT_EQ(c->stages[0].ntrees, 3);
    VH_CHECK(c->stages[0].thr == 0.8226894140f - 1e-5f);
    VH_CHECK_INT_EQ(c->nodes[0].feat, 0);
    VH_CHECK_INT_EQ(c->nodes[2].feat, 2);
    VH_CHECK(c->nodes[0].thr == 4.0141958743333817e-03f);
    VH_CHECK_NEAR(c->leaves[0], 0.03379, 1e-5);
    VH_CHECK_NEAR(c->leaves[1], 0.83781, 1e-5);
    const vh__haar_feature *f = &c->features[0];
    VH_CHECK_INT_EQ(f->nrects, 2);
    VH_CHECK(f->r[0].x == 3 && f->r[0].y == 7 && f->r[0].w == 14 && f->r[0].h == 4 && f->r[0].weight == -1.f);
    VH_CHECK(f->r[1].x == 3 && f->r[1].y == 9 && f->r[1].w == 14 && f->r[1].h == 2 && f->r[1].weight == 2.f);
    vh_cascade_free(c);
    const char *old = "/usr/share/opencv4/haarcascades/haarcascade_licence_plate_rus_16stages.xml";
    if (vh_is_file(old)) {
        VH_CHECK_OK(vh_cascade_load(old, &c));
        vh_cascade_get_info(c, &in);
        VH_CHECK_INT_EQ(in.old_format, 1);
        VH_CHECK_INT_EQ(in.num_stages, 16);
        VH_CHECK_INT_EQ(in.win_w, 64);
        VH_CHECK_INT_EQ(in.win_h, 16);
        vh_cascade_free(c);
    }
}

/* ---- groupRectangles ---- */
VH_TEST(group_boxes_synthetic) {
    vh_box b[] = {
        {100, 100, 40, 40, 0}, {102, 101, 40, 40, 0}, {98, 99, 42, 42, 0}, {101, 103, 38, 38, 0}, {100, 100, 44, 44, 0},
        {300, 50, 20, 20, 0}, {302, 50, 20, 20, 0},                         /* only 2: dropped at min 3 */
        {110, 110, 12, 12, 0}, {111, 110, 12, 12, 0}, {110, 111, 12, 12, 0}, {111, 111, 12, 12, 0}, /* nested, 4 < 5 */
        {400, 300, 30, 30, 0}, {401, 300, 30, 30, 0}, {400, 301, 30, 30, 0}, {401, 301, 30, 30, 0},
    };
    size_t n = VH_COUNTOF(b);
    VH_CHECK_OK(vh_group_boxes(b, &n, 3, 0.2));
    VH_CHECK_INT_EQ(n, 2);
    /* mean of the five: x (100+102+98+101+100)/5 = 100.2 → 100; w (40+40+42+38+44)/5 = 40.8 → 41 */
    VH_CHECK(b[0].x == 100 && b[0].y == 101 && b[0].w == 41 && b[0].h == 41);
    VH_CHECK_INT_EQ(b[0].neighbors, 5);
    /* 400.5 rounds to even (OpenCV's saturate_cast) */
    VH_CHECK(b[1].x == 400 && b[1].y == 300 && b[1].w == 30 && b[1].h == 30);
    VH_CHECK_INT_EQ(b[1].neighbors, 4);
    /* transitive chain: a~b, b~c but not a~c still forms one class */
    vh_box ch[] = {{0, 0, 20, 20, 0}, {4, 0, 20, 20, 0}, {8, 0, 20, 20, 0}, {12, 0, 20, 20, 0}};
    n = 4;
    VH_CHECK_OK(vh_group_boxes(ch, &n, 3, 0.2));
    VH_CHECK_INT_EQ(n, 1);
    VH_CHECK_INT_EQ(ch[0].x, 6);
    n = 4;
    VH_CHECK_OK(vh_group_boxes(ch, &n, 0, 0.2)); /* 0: unchanged */
    VH_CHECK_INT_EQ(n, 4);
    vh_box a = {0, 0, 10, 10, 0}, c2 = {5, 0, 10, 10, 0}, d = {20, 20, 1, 1, 0};
    VH_CHECK_NEAR(vh_box_iou(&a, &c2), 50.0 / 150.0, 1e-12);
    VH_CHECK_NEAR(vh_box_iou(&a, &d), 0.0, 0);
}

/* ---- integrals ---- */
static uint8_t pattern(int x, int y) { return (uint8_t)(((x * 7 + y * 13) ^ (x * y)) & 255); }

VH_TEST(integral_vs_brute_force) {
    vh_rng r;
    vh_rng_seed(&r, 42);
    int w = 23, h = 17;
    size_t stride = 27;
    uint8_t img[23 * 17];
    for (int i = 0; i < w * h; i++) img[i] = (uint8_t)vh_rng_below(&r, 256);
    uint32_t *s = calloc(stride * 18, 4), *q = calloc(stride * 18, 4), *t = calloc(stride * 18, 4);
    VH_CHECK_OK(vh__integral(img, (size_t)w, w, h, stride, s, q, t));
    int bad = 0;
    for (int Y = 0; Y <= h; Y++)
        for (int X = 0; X <= w; X++) {
            uint32_t bs = 0, bq = 0, bt = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    uint32_t v = img[y * w + x];
                    if (y < Y && x < X) { bs += v; bq += v * v; }
                    if (y < Y && abs(x - X + 1) <= Y - y - 1) bt += v;
                }
            if (s[Y * stride + X] != bs || q[Y * stride + X] != bq || t[Y * stride + X] != bt) bad++;
        }
    VH_CHECK_INT_EQ(bad, 0);
    /* a tilted rect sum (x=8,y=2,w=3,h=4) from 4 corners equals the pixels of the rotated rect */
    int rx = 8, ry = 2, rw = 3, rh = 4;
    uint32_t via = t[ry * stride + rx] - t[(ry + rh) * stride + rx - rh] - t[(ry + rw) * stride + rx + rw] +
                   t[(ry + rw + rh) * stride + rx + rw - rh];
    uint32_t direct = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            /* 45° rect whose top pixel is (rx-1, ry): diagonal offsets u (down-right) in
             * [0, 2w) and v (down-left) in [0, 2h); 2wh pixels in all. */
            int dx = x - (rx - 1), dy = y - ry, u = dx + dy, v = dy - dx;
            if (u >= 0 && u < 2 * rw && v >= 0 && v < 2 * rh) direct += img[y * w + x];
        }
    VH_CHECK_INT_EQ(via, direct);
    free(s); free(q); free(t);
}

VH_TEST(resize_matches_opencv_linear_exact) {
    uint8_t src[37 * 29];
    for (int y = 0; y < 29; y++)
        for (int x = 0; x < 37; x++) src[y * 37 + x] = pattern(x, y);
    for (size_t k = 0; k < VH_COUNTOF(detect_resize_ref); k++) {
        int dw = detect_resize_ref[k].w, dh = detect_resize_ref[k].h;
        uint8_t *dst = malloc((size_t)dw * dh);
        void *scr = malloc(vh__resize_exact_scratch(dw, dh));
        vh__resize_exact(src, 37, 37, 29, dst, (size_t)dw, dw, dh, scr);
        int diff = 0;
        for (int i = 0; i < dw * dh; i++) diff += dst[i] != detect_resize_ref[k].px[i];
        if (diff) VH_FAILMSG("%dx%d: %d of %d pixels differ from OpenCV", dw, dh, diff, dw * dh);
        free(dst);
        free(scr);
    }
}

/* ---- detection vs a brute-force reference at scale 1 ---- */
static double bsum(const uint8_t *img, int w, int x, int y, int rw, int rh, int sq) {
    double s = 0;
    for (int j = y; j < y + rh; j++)
        for (int i = x; i < x + rw; i++) s += sq ? (double)img[j * w + i] * img[j * w + i] : img[j * w + i];
    (void)w;
    return s;
}

/* 45° rect with top vertex (x, y): pixels at diagonal offsets u in [0, 2w), v in [0, 2h). */
static double tsum(const uint8_t *img, int w, int x, int y, int rw, int rh) {
    double s = 0;
    for (int u = 0; u < 2 * rw; u++)
        for (int v = 0; v < 2 * rh; v++) {
            if ((u + v) & 1) continue;
            int dx = (u - v) / 2, dy = (u + v) / 2;
            s += img[(y + dy) * w + (x - 1 + dx)];
        }
    return s;
}

static int ref_window(const vh_cascade *c, const uint8_t *img, int w, int x0, int y0) {
    int W = c->win_w, H = c->win_h;
    double A = (double)(W - 2) * (H - 2);
    double s = bsum(img, w, x0 + 1, y0 + 1, W - 2, H - 2, 0), q = bsum(img, w, x0 + 1, y0 + 1, W - 2, H - 2, 1);
    double nf = A * q - s * s;
    if (nf <= 0) return -1;
    float inv = (float)(1.0 / sqrt(nf));
    if (!(A * inv < 0.1)) return -1;
    for (int si = 0; si < c->nstages; si++) {
        double acc = 0;
        for (int t = 0; t < c->stages[si].ntrees; t++) {
            const vh__tree *tr = &c->trees[c->stages[si].first_tree + t];
            int idx = 0;
            do {
                const vh__node *nd = &c->nodes[tr->first_node + idx];
                const vh__haar_feature *f = &c->features[nd->feat];
                float v = 0;
                for (int k = 0; k < f->nrects; k++)
                    v += f->r[k].weight * (float)(f->tilted ? tsum(img, w, x0 + f->r[k].x, y0 + f->r[k].y, f->r[k].w, f->r[k].h)
                                                            : bsum(img, w, x0 + f->r[k].x, y0 + f->r[k].y, f->r[k].w, f->r[k].h, 0));
                v *= inv;
                idx = v < nd->thr ? nd->left : nd->right;
            } while (idx > 0);
            acc += c->leaves[tr->first_leaf - idx];
        }
        if (acc < c->stages[si].thr) return -si;
    }
    return 1;
}

static void detect_vs_reference(int tilted) {
    vh_cascade *cn = NULL, *co = NULL;
    if (tilted >= 2) { /* all-stump cascades: integer weights, then fractional weights */
        char buf[8192];
        snprintf(buf, sizeof buf, "%s", edit(new_valid, "1 2 1 0.0e+00\n            0 -1 0 2.0000000000000001e-001 -2 -3 1 -1.", "0 -1 1 0.0"));
        const char *x = edit(buf, "-0.5 1. -1. 0.5", "-0.5 1.");
        if (tilted == 3) { snprintf(buf, sizeof buf, "%s", x); x = edit(buf, "2 2 2 2 9.", "2 2 2 2 8.75"); }
        VH_CHECK_OK(load_str(x, &cn));
        VH_CHECK_OK(load_str(x, &co));
        if (cn) VH_CHECK_INT_EQ(cn->max_nodes, 1);
    } else if (tilted) {
        VH_CHECK_OK(load_str(edit(new_valid, "<_>0 0 6 3 -1.</_><_>0 3 6 3 1.</_></rects><tilted>0</tilted>",
                                  "<_>3 0 2 2 -1.</_><_>3 1 1 1 4.</_></rects><tilted>1</tilted>"), &cn));
        VH_CHECK_OK(load_str(edit(old_valid, "<threshold>0.2</threshold>", "<threshold>0.4</threshold>"), &co));
    } else {
        VH_CHECK_OK(load_str(new_valid, &cn));
        VH_CHECK_OK(load_str(old_valid, &co));
    }
    if (!cn || !co) { vh_cascade_free(cn); vh_cascade_free(co); return; }
    int w = 61, h = 47;
    vh_image img;
    VH_CHECK_OK(vh_image_alloc(&img, w, h, 1));
    vh_rng r;
    vh_rng_seed(&r, 7);
    for (int i = 0; i < w * h; i++) img.data[i] = (uint8_t)(vh_rng_below(&r, 120) + ((i % w) % 9 < 3 ? 100 : 0));
    vh_detect_params p = vh_detect_default_params();
    p.min_neighbors = 0;
    p.max_w = p.max_h = 6; /* scale 1 only */
    vh_box *b = NULL, *b2 = NULL;
    size_t n = 0, n2 = 0;
    VH_CHECK_OK(vh_cascade_detect(cn, &img, &p, &b, &n));
    VH_CHECK_OK(vh_cascade_detect(co, &img, &p, &b2, &n2));
    /* reference: step 2, skip one step after a stage-0 rejection */
    size_t nref = 0, matched = 0;
    for (int y = 0; y <= h - 6; y += 2)
        for (int x = 0; x <= w - 6; x += 2) {
            int res = ref_window(cn, img.data, w, x, y);
            if (res > 0) {
                nref++;
                for (size_t k = 0; k < n; k++) matched += b[k].x == x && b[k].y == y && b[k].w == 6;
            }
            if (res == 0) x += 2;
        }
    VH_CHECK(nref > 5);
    VH_CHECK_INT_EQ(n, nref);
    VH_CHECK_INT_EQ(matched, nref);
    if (!tilted) { /* the old-format copy behaves identically */
        VH_CHECK_INT_EQ(n2, n);
        for (size_t k = 0; k < n && k < n2; k++) VH_CHECK(b[k].x == b2[k].x && b[k].y == b2[k].y);
    }
    vh_free(b);
    vh_free(b2);
    /* thread count does not change results (full pyramid) */
    p = vh_detect_default_params();
    p.min_neighbors = 0;
    vh_threads_set(1);
    VH_CHECK_OK(vh_cascade_detect(cn, &img, &p, &b, &n));
    vh_threads_set(2);
    VH_CHECK_OK(vh_cascade_detect(cn, &img, &p, &b2, &n2));
    VH_CHECK_INT_EQ(n, n2);
    VH_CHECK(n == n2 && (n == 0 || memcmp(b, b2, n * sizeof *b) == 0));
    VH_CHECK(n > nref);
    vh_free(b);
    vh_free(b2);
    /* bad parameters and tiny images */
    p.scale_factor = 1.0;
    VH_CHECK_INT_EQ(vh_cascade_detect(cn, &img, &p, &b, &n), VH_EINVAL);
    p = vh_detect_default_params();
    vh_image tiny;
    VH_CHECK_OK(vh_image_alloc(&tiny, 5, 40, 1));
    VH_CHECK_OK(vh_cascade_detect(cn, &tiny, &p, &b, &n));
    VH_CHECK_INT_EQ(n, 0);
    VH_CHECK(b == NULL);
    vh_image_free(&tiny);
    vh_image_free(&img);
    vh_cascade_free(cn);
    vh_cascade_free(co);
}

VH_TEST(detect_matches_reference_scan) { detect_vs_reference(0); }
VH_TEST(detect_tilted_matches_reference_scan) { detect_vs_reference(1); }
VH_TEST(detect_stumps_matches_reference_scan) { detect_vs_reference(2); }
VH_TEST(detect_float_stumps_matches_reference_scan) { detect_vs_reference(3); }

int main(void) {
    VH_RUN(parse_new_format);
    VH_RUN(parse_old_format_converts);
    VH_RUN(parse_rejects);
    VH_RUN(frontalface_alt_golden);
    VH_RUN(group_boxes_synthetic);
    VH_RUN(integral_vs_brute_force);
    VH_RUN(resize_matches_opencv_linear_exact);
    VH_RUN(detect_matches_reference_scan);
    VH_RUN(detect_tilted_matches_reference_scan);
    VH_RUN(detect_stumps_matches_reference_scan);
    VH_RUN(detect_float_stumps_matches_reference_scan);
    return vh_test_summary();
}
