/* 68-point landmarks on dlib's example photos: our reader + regression-tree
 * walk against the points stored in *_with_face_landmarks.xml, which dlib's
 * own shape_predictor_68_face_landmarks.dat produced on the same boxes. */
#include "vh_test.h"
#include "verhm/landmarks.h"
#include <libxml/parser.h>
#include <libxml/tree.h>

static const char *g_data;
static vh_shape_predictor *g_sp;

static int attr_int(xmlNode *n, const char *name) {
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    int r = v ? atoi((const char *)v) : -1;
    xmlFree(v);
    return r;
}

/* Compares every face of one XML file; accumulates error statistics. */
static void check_file(const char *xml, double *sum_err, int *npts, int *exact, int *faces) {
    char path[1024];
    snprintf(path, sizeof path, "%s/faces/dlib_examples/%s", g_data, xml);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    VH_CHECK(doc != NULL);
    if (!doc) return;
    xmlNode *images = NULL;
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "images")) images = n;
    for (xmlNode *im = images ? images->children : NULL; im; im = im->next) {
        if (im->type != XML_ELEMENT_NODE) continue;
        xmlChar *file = xmlGetProp(im, (const xmlChar *)"file");
        char ipath[1024];
        snprintf(ipath, sizeof ipath, "%s/faces/dlib_examples/%s", g_data, (const char *)file);
        xmlFree(file);
        vh_image img = {0};
        VH_CHECK_OK(vh_image_load(ipath, 3, &img));
        if (!img.data) continue;
        for (xmlNode *box = im->children; box; box = box->next) {
            if (box->type != XML_ELEMENT_NODE) continue;
            vh_point2f pts[68];
            VH_CHECK_OK(vh_shape_predict(g_sp, &img, attr_int(box, "left"), attr_int(box, "top"),
                                         attr_int(box, "width"), attr_int(box, "height"), 1, pts));
            (*faces)++;
            for (xmlNode *part = box->children; part; part = part->next) {
                if (part->type != XML_ELEMENT_NODE) continue;
                int idx = attr_int(part, "name");
                if (idx < 0 || idx >= 68) continue;
                double dx = pts[idx].x - attr_int(part, "x"), dy = pts[idx].y - attr_int(part, "y");
                *sum_err += sqrt(dx * dx + dy * dy);
                *exact += dx == 0 && dy == 0;
                (*npts)++;
            }
        }
        vh_image_free(&img);
    }
    xmlFreeDoc(doc);
}

VH_TEST(matches_dlib_points) {
    double sum = 0;
    int n = 0, exact = 0, faces = 0;
    check_file("training_with_face_landmarks.xml", &sum, &n, &exact, &faces);
    check_file("testing_with_face_landmarks.xml", &sum, &n, &exact, &faces);
    printf("landmarks: %d faces, %d points, mean error %.3f px, %.1f%% identical\n", faces, n,
           n ? sum / n : 0, n ? 100.0 * exact / n : 0);
    VH_CHECK_INT_GE(faces, 5);
    VH_CHECK_INT_EQ(n, faces * 68);
    VH_CHECK(n > 0 && sum / n <= 0.5);
}

int main(void) {
    g_data = vh_test_require_data();
    int st = vh_shape_predictor_load(vh_shape_predictor_default_path(), &g_sp);
    if (st) {
        printf("%s: %s\n", (getenv("CI") && !strcmp(getenv("CI"), "true")) ? "FAIL" : "skipped", vh_last_error());
        return (getenv("CI") && !strcmp(getenv("CI"), "true")) ? 1 : 77;
    }
    VH_RUN(matches_dlib_points);
    vh_shape_predictor_free(g_sp);
    return vh_test_summary();
}
