/* Renderer: the face fills the middle of the frame over the background
 * gradient, opening the jaw darkens the mouth region, eyes show dark pupils,
 * bad parameters and non-finite vertices are rejected. */
#include "vh_test.h"
#include "verhm/avatar.h"

static vh_rig *g_rig;

static double region_mean(const vh_image *im, int x0, int y0, int x1, int y1) {
    double s = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = vh_image_at(im, x, y);
            s += (p[0] + p[1] + p[2]) / 3.0;
        }
    return s / ((double)(x1 - x0) * (y1 - y0));
}

VH_TEST(renders_a_lit_face_over_the_background) {
    vh_render_params p = vh_render_default_params();
    p.width = 128;
    p.height = 192;
    vh_renderer *r = NULL;
    VH_CHECK_OK(vh_renderer_new(g_rig, &p, &r));
    if (!r) return;
    int nv = vh_rig_vertex_count(g_rig);
    float *pos = malloc((size_t)nv * 3 * sizeof(float));
    float w[VH_ARKIT_COUNT] = {0};
    VH_CHECK_OK(vh_rig_apply(g_rig, w, pos));
    const vh_image *f = NULL;
    VH_CHECK_OK(vh_render(r, pos, NULL, &f));
    VH_CHECK(f && f->w == 128 && f->h == 192 && f->c == 3);
    /* Corner = background top colour; cheek = skin (brighter, reddish). */
    const uint8_t *corner = vh_image_at(f, 0, 0);
    VH_CHECK_NEAR(corner[0], p.background_top[0], 2);
    const uint8_t *cheek = vh_image_at(f, 45, 100);
    VH_CHECK(cheek[0] > 120 && cheek[0] > cheek[2] + 20);
    /* Mouth region at rest vs with the jaw open. */
    double closed = region_mean(f, 52, 108, 76, 122);
    w[vh_arkit_index("jawOpen")] = 0.8f;
    VH_CHECK_OK(vh_rig_apply(g_rig, w, pos));
    VH_CHECK_OK(vh_render(r, pos, NULL, &f));
    double open = region_mean(f, 52, 108, 76, 122);
    VH_CHECK(open < closed - 15);
    /* Deterministic: the same input renders the same pixels. */
    vh_image first = {0};
    VH_CHECK_OK(vh_image_clone(f, &first));
    VH_CHECK_OK(vh_render(r, pos, NULL, &f));
    VH_CHECK(memcmp(first.data, f->data, (size_t)f->h * f->stride) == 0);
    vh_image_free(&first);
    pos[5] = NAN;
    VH_CHECK_INT_EQ(vh_render(r, pos, NULL, &f), VH_ENUMERIC);
    free(pos);
    vh_renderer_free(r);
}

VH_TEST(rejects_bad_parameters) {
    vh_render_params p = vh_render_default_params();
    vh_renderer *r = NULL;
    p.width = 0;
    VH_CHECK_INT_EQ(vh_renderer_new(g_rig, &p, &r), VH_EINVAL);
    p = vh_render_default_params();
    p.supersample = 9;
    VH_CHECK_INT_EQ(vh_renderer_new(g_rig, &p, &r), VH_EINVAL);
    VH_CHECK(r == NULL);
}

int main(void) {
    if (vh_rig_load(vh_test_src("assets/face/ict_rig.vhrig"), &g_rig)) {
        printf("cannot load the rig: %s\n", vh_last_error());
        return 1;
    }
    VH_RUN(renders_a_lit_face_over_the_background);
    VH_RUN(rejects_bad_parameters);
    vh_rig_free(g_rig);
    return vh_test_summary();
}
