/* Detector parity with OpenCV 4.6 (boxes recorded by scripts/gen_opencv_boxes.py
 * in tests/data/detect_opencv_boxes.json) on dlib_examples photos and GRID
 * frames, and recall against dlib_examples' hand-labelled face boxes. */
#include "verhm/face.h"
#include "verhm/image.h"
#include "vh_test.h"

/* Under AddressSanitizer (an -O0 build, ~20x slower) the one 3-Mpixel photo
 * is left out of the parity loops and raw-hit counts are not checked; the
 * release tree checks everything. */
#if defined(__SANITIZE_ADDRESS__)
#define VH_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VH_SANITIZED 1
#endif
#endif
#ifndef VH_SANITIZED
#define VH_SANITIZED 0
#endif

static const char *g_data;
static vh_cascade *g_casc;
static vh_json *g_ref;

/* Grouped default-parameter boxes per reference image, kept for the recall test. */
#define MAX_IMAGES 64
static struct { char file[256]; vh_box *b; size_t n; } g_cache[MAX_IMAGES];
static size_t g_ncache;

static const vh_box *cached(const char *file, size_t *n) {
    for (size_t i = 0; i < g_ncache; i++)
        if (strcmp(g_cache[i].file, file) == 0) { *n = g_cache[i].n; return g_cache[i].b; }
    *n = 0;
    return NULL;
}

static int load_gray(const char *file, vh_image *g) {
    char path[1024];
    if (strncmp(file, "tests/", 6) == 0) snprintf(path, sizeof path, "%s", vh_test_src(file));
    else snprintf(path, sizeof path, "%s/%s", g_data, file);
    vh_image rgb;
    int st = vh_image_load(path, 3, &rgb);
    if (st) return st;
    st = vh_image_to_gray(&rgb, g);
    vh_image_free(&rgb);
    return st;
}

static int same_box(const vh_box *b, const vh_json *r) {
    return b->x == (int)vh_json_at(r, 0)->number && b->y == (int)vh_json_at(r, 1)->number &&
           b->w == (int)vh_json_at(r, 2)->number && b->h == (int)vh_json_at(r, 3)->number;
}

/* Runs one parameter set on every reference image; counts exact and IoU ≥ 0.9 matches. */
static void check_params(const char *pname, double scale, int neighbors, int min_size) {
    const vh_json *imgs = vh_json_get(g_ref, "images");
    VH_CHECK(imgs && imgs->count >= 12);
    size_t total = 0, exact = 0;
    for (size_t i = 0; imgs && i < imgs->count; i++) {
        const vh_json *e = vh_json_at(imgs, i);
        const char *file = vh_json_get_string(e, "file", "");
        vh_image g;
        int st = load_gray(file, &g);
        VH_CHECK_OK(st);
        if (st) continue;
        if (VH_SANITIZED && (long)g.w * g.h > 1000000) {
            printf("  (sanitizer build: %s skipped, %dx%d)\n", file, g.w, g.h);
            vh_image_free(&g);
            continue;
        }
        vh_detect_params p = vh_detect_default_params();
        p.scale_factor = scale;
        p.min_neighbors = neighbors;
        p.min_w = p.min_h = min_size;
        vh_box *b = NULL;
        size_t n = 0;
        if (neighbors == 3 && !VH_SANITIZED && (long)g.w * g.h <= 1000000) { /* (not repeated for the 3-Mpixel photo) */
            /* The raw window hits (minNeighbors 0) must equal OpenCV's in number. */
            p.min_neighbors = 0;
            VH_CHECK_OK(vh_cascade_detect(g_casc, &g, &p, &b, &n));
            if ((double)n != vh_json_get_number(e, "raw_count", -1))
                VH_FAILMSG("%s: %zu raw hits, OpenCV %g", file, n, vh_json_get_number(e, "raw_count", -1));
            vh_free(b);
            b = NULL;
            p.min_neighbors = neighbors;
        }
        VH_CHECK_OK(vh_cascade_detect(g_casc, &g, &p, &b, &n));
        if (neighbors == 3 && g_ncache < MAX_IMAGES) {
            snprintf(g_cache[g_ncache].file, sizeof g_cache[0].file, "%s", file);
            g_cache[g_ncache].n = n;
            g_cache[g_ncache].b = malloc((n ? n : 1) * sizeof *b);
            if (n) memcpy(g_cache[g_ncache].b, b, n * sizeof *b);
            g_ncache++;
        }
        {
            const vh_json *ref = vh_json_get(e, pname);
            VH_CHECK(ref != NULL);
            if (!ref) { vh_free(b); vh_image_free(&g); continue; }
            if (n != ref->count) VH_FAILMSG("%s [%s]: %zu boxes, OpenCV %zu", file, pname, n, ref->count);
            for (size_t k = 0; k < ref->count; k++) {
                const vh_json *r = vh_json_at(ref, k);
                vh_box rb = {(int)vh_json_at(r, 0)->number, (int)vh_json_at(r, 1)->number,
                             (int)vh_json_at(r, 2)->number, (int)vh_json_at(r, 3)->number, 0};
                double best = 0;
                int ex = 0;
                for (size_t j = 0; j < n; j++) {
                    double iou = vh_box_iou(&rb, &b[j]);
                    if (iou > best) best = iou;
                    if (same_box(&b[j], r)) ex = 1;
                }
                total++;
                exact += (size_t)ex;
                if (!ex) printf("  %s [%s]: OpenCV box (%d %d %d %d) not reproduced exactly\n", file, pname, rb.x, rb.y, rb.w, rb.h);
                if (best < 0.9)
                    VH_FAILMSG("%s [%s]: OpenCV box (%d %d %d %d) best IoU %.3f", file, pname, rb.x, rb.y, rb.w, rb.h, best);
            }
        }
        vh_free(b);
        vh_image_free(&g);
    }
    printf("  [%s] %zu/%zu OpenCV boxes reproduced exactly\n", pname, exact, total);
    VH_CHECK_INT_EQ(exact, total);
}

/* OpenCV defaults (1.1, 3): raw hit counts and grouped boxes. */
VH_TEST(parity_default_and_raw_hits) { check_params("default", 1.1, 3, 0); }
/* The prototype's call (1.3, 5, minSize 30). */
VH_TEST(parity_prototype) { check_params("proto", 1.3, 5, 30); }

/* Parses dlib imglab XML (<image file='..'> <box top left width height/>). */
static double score_file(const char *xml, double thr, size_t *found, size_t *total, size_t *extra) {
    char path[1024];
    snprintf(path, sizeof path, "%s/faces/dlib_examples/%s", g_data, xml);
    char *txt = NULL;
    size_t len = 0;
    VH_CHECK_OK(vh_file_read_all(path, 0, &txt, &len));
    if (!txt) return 0;
    char *p = txt;
    while ((p = strstr(p, "<image file='"))) {
        p += 13;
        char *q = strchr(p, '\'');
        if (!q) break;
        char file[256];
        snprintf(file, sizeof file, "faces/dlib_examples/%.*s", (int)(q - p), p);
        char *endimg = strstr(q, "</image>");
        if (!endimg) break;
        size_t n = 0;
        const vh_box *b = cached(file, &n);
        if (!b) VH_FAILMSG("%s: no cached detections", file);
        char *used = calloc(n + 1, 1);
        for (char *bx = strstr(q, "<box "); bx && bx < endimg; bx = strstr(bx + 1, "<box ")) {
            int top = 0, left = 0, w = 0, h = 0;
            char *a;
            if ((a = strstr(bx, "top='"))) top = atoi(a + 5);
            if ((a = strstr(bx, "left='"))) left = atoi(a + 6);
            if ((a = strstr(bx, "width='"))) w = atoi(a + 7);
            if ((a = strstr(bx, "height='"))) h = atoi(a + 8);
            vh_box gt = {left, top, w, h, 0};
            (*total)++;
            int hit = 0;
            for (size_t j = 0; j < n && !hit; j++)
                if (!used[j] && vh_box_iou(&gt, &b[j]) >= thr) { used[j] = 1; hit = 1; }
            *found += (size_t)hit;
        }
        for (size_t j = 0; j < n; j++) *extra += !used[j];
        free(used);
        p = endimg;
    }
    vh_free(txt);
    return 0;
}

/* dlib's imglab boxes are tight square boxes (brow to chin); Haar boxes are
 * ~1.2-1.4× larger and include the forehead, so a correct pair often has IoU
 * of only 0.4-0.7. Recall is reported at IoU ≥ 0.5 (the usual PASCAL rule)
 * and at IoU ≥ 0.3 (fair for the two box conventions); one detection per
 * label. On these photos both give 39/43; the check is at IoU ≥ 0.5. */
VH_TEST(recall_vs_dlib_labels) {
    double thr[2] = {0.5, 0.3};
    size_t found[2] = {0, 0}, total[2] = {0, 0}, extra[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        score_file("testing.xml", thr[k], &found[k], &total[k], &extra[k]);
        score_file("training.xml", thr[k], &found[k], &total[k], &extra[k]);
        printf("  dlib_examples labels: %zu/%zu found (recall %.1f%% at IoU >= %.1f), %zu unmatched detections\n",
               found[k], total[k], total[k] ? 100.0 * (double)found[k] / (double)total[k] : 0.0, thr[k], extra[k]);
    }
    VH_CHECK(total[0] >= 40);
    VH_CHECK(found[0] * 10 >= total[0] * 8); /* ≥ 80% at IoU 0.5 (OpenCV's identical boxes: the same) */
}

int main(void) {
    g_data = vh_test_require_data();
    const char *cp = vh_cascade_default_path();
    if (!cp) {
        printf("skipped: no cascade (install opencv-data)\n");
        return 77;
    }
    VH_CHECK_OK(vh_cascade_load(cp, &g_casc));
    char *txt = NULL;
    size_t len = 0;
    VH_CHECK_OK(vh_file_read_all(vh_test_src("tests/data/detect_opencv_boxes.json"), 0, &txt, &len));
    if (txt) VH_CHECK_OK(vh_json_parse(txt, len, &g_ref));
    vh_free(txt);
    if (!g_casc || !g_ref) return vh_test_summary() ? 1 : 1;
    VH_RUN(parity_default_and_raw_hits);
    VH_RUN(parity_prototype);
    VH_RUN(recall_vs_dlib_labels);
    vh_json_free(g_ref);
    for (size_t i = 0; i < g_ncache; i++) free(g_cache[i].b);
    vh_cascade_free(g_casc);
    return vh_test_summary();
}
