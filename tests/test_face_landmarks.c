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


VH_TEST(similarity_fit_recovers_transform) {
    vh_point2f a[4] = {{0, 0}, {10, 0}, {10, 5}, {3, 7}}, b[4];
    double th = 0.3, sc = 1.7, tx = 4, ty = -2;
    for (int i = 0; i < 4; i++) {
        b[i].x = (float)(sc * (cos(th) * a[i].x - sin(th) * a[i].y) + tx);
        b[i].y = (float)(sc * (sin(th) * a[i].x + cos(th) * a[i].y) + ty);
    }
    double m[6];
    VH_CHECK_OK(vh_similarity_fit(a, b, 4, m));
    VH_CHECK_NEAR(m[0], sc * cos(th), 1e-5);
    VH_CHECK_NEAR(m[3], sc * sin(th), 1e-5);
    VH_CHECK_NEAR(m[2], tx, 1e-4);
    VH_CHECK_NEAR(m[5], ty, 1e-4);
    vh_point2f same[2] = {{1, 1}, {1, 1}};
    VH_CHECK_INT_EQ(vh_similarity_fit(same, b, 2, m), VH_ENUMERIC);
}

/* Projects the generic model (same six points as the library) with a known
 * pose and checks that the fit recovers it. */
static void project_pose(double yaw, double pitch, double roll, vh_point2f lm[68]) {
    static const double X[6][3] = {{0, 0, 0}, {0, 330, 65}, {-225, -170, 135}, {225, -170, 135}, {-150, 150, 125}, {150, 150, 125}};
    static const int idx[6] = {30, 8, 36, 45, 48, 54};
    const double d = 3.14159265358979323846 / 180;
    double ty = -yaw * d, px = -pitch * d, rz = roll * d; /* library sign conventions */
    double Rx[9] = {1, 0, 0, 0, cos(px), -sin(px), 0, sin(px), cos(px)};
    double Ry[9] = {cos(ty), 0, sin(ty), 0, 1, 0, -sin(ty), 0, cos(ty)};
    double Rz[9] = {cos(rz), -sin(rz), 0, sin(rz), cos(rz), 0, 0, 0, 1};
    double T[9], R[9];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
        T[i * 3 + j] = 0;
        for (int k = 0; k < 3; k++) T[i * 3 + j] += Ry[i * 3 + k] * Rx[k * 3 + j];
    }
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
        R[i * 3 + j] = 0;
        for (int k = 0; k < 3; k++) R[i * 3 + j] += Rz[i * 3 + k] * T[k * 3 + j];
    }
    memset(lm, 0, sizeof(vh_point2f) * 68);
    for (int i = 0; i < 6; i++) {
        double x = R[0] * X[i][0] + R[1] * X[i][1] + R[2] * X[i][2] + 50;
        double y = R[3] * X[i][0] + R[4] * X[i][1] + R[5] * X[i][2] - 30;
        double z = R[6] * X[i][0] + R[7] * X[i][1] + R[8] * X[i][2] + 4000;
        lm[idx[i]].x = (float)(640 * x / z + 320);
        lm[idx[i]].y = (float)(640 * y / z + 240);
    }
}

VH_TEST(head_pose_recovers_known_angles) {
    const double poses[][3] = {{0, 0, 0}, {25, 0, 0}, {-30, 10, 5}, {10, -15, -20}};
    for (size_t i = 0; i < sizeof poses / sizeof poses[0]; i++) {
        vh_point2f lm[68];
        project_pose(poses[i][0], poses[i][1], poses[i][2], lm);
        double y, p, r, err;
        VH_CHECK_OK(vh_head_pose(lm, 640, 480, &y, &p, &r, &err));
        VH_CHECK_NEAR(y, poses[i][0], 0.5);
        VH_CHECK_NEAR(p, poses[i][1], 0.5);
        VH_CHECK_NEAR(r, poses[i][2], 0.5);
        VH_CHECK(err < 0.05);
    }
    /* The face turning to the image's right moves the nose tip right of the
     * eye midpoint: yaw must be positive. */
    vh_point2f lm[68];
    project_pose(20, 0, 0, lm);
    VH_CHECK(lm[30].x > (lm[36].x + lm[45].x) / 2);
}

VH_TEST(alignment_maps_template_points) {
    vh_point2f lm[68];
    memset(lm, 0, sizeof lm);
    for (int i = 36; i <= 41; i++) lm[i] = (vh_point2f){100, 200};
    for (int i = 42; i <= 47; i++) lm[i] = (vh_point2f){160, 200};
    for (int i = 48; i <= 67; i++) lm[i] = (vh_point2f){130, 260};
    vh_face_template t = vh_face_template_fer();
    double m[6];
    VH_CHECK_OK(vh_face_align_matrix(lm, 48, &t, m));
    /* The crop's left-eye position maps to the left eye in the image. */
    double x = t.left_eye_x * 48, y = t.left_eye_y * 48;
    VH_CHECK_NEAR(m[0] * x + m[1] * y + m[2], 100, 3);
    VH_CHECK_NEAR(m[3] * x + m[4] * y + m[5], 200, 3);
}

int main(void) {
    VH_RUN(float_encodings_match_dlib);
    VH_RUN(tiny_model_walks_the_tree);
    VH_RUN(malformed_models_are_rejected);
    VH_RUN(similarity_fit_recovers_transform);
    VH_RUN(head_pose_recovers_known_angles);
    VH_RUN(alignment_maps_template_points);
    return vh_test_summary();
}
