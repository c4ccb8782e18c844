/* Renderer: the face fills the middle of the frame over the background
 * gradient, opening the jaw darkens the mouth region, eyes show dark pupils,
 * bad parameters and non-finite vertices are rejected; on synthetic meshes:
 * each pixel's coverage of a known rectangle equals the share of its n×n
 * samples inside it (a jittered mesh of small triangles leaves no cracks), a
 * mostly-hidden part in front of the skin is drawn and one behind it is not. */
#include "vh_test.h"
#include "avatar_synth_rig.h"
#include "verhm/avatar.h"
#include <math.h>

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


/* Screen geometry of the default camera looking at the origin: a point at
 * z = 0 lands at pixel x = W/2 + F·x/D, y = H/2 − F·y/D. */
#define SW 64
#define SH 96
static float g_F, g_D;
static float world_x(float px) { return (px - SW / 2.0f) * g_D / g_F; }
static float world_y(float py) { return (SH / 2.0f - py) * g_D / g_F; }

/* A rectangle [x0, x1) × [y0, y1) in output pixels as an nx × ny grid of cells
 * (two triangles each, facing the camera), interior vertices jittered. */
static vh_rig *rect_rig(float x0, float x1, float y0, float y1, int nx, int ny, int part) {
    int nv = (nx + 1) * (ny + 1), nt = 2 * nx * ny;
    float *pos = malloc((size_t)nv * 3 * sizeof(float));
    uint8_t *parts = malloc((size_t)nv);
    uint32_t *tri = malloc((size_t)nt * 3 * sizeof(uint32_t));
    uint32_t seed = 12345;
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i <= nx; i++) {
            float px = x0 + (x1 - x0) * i / nx, py = y0 + (y1 - y0) * j / ny;
            if (i > 0 && i < nx && j > 0 && j < ny) {
                seed = seed * 1664525u + 1013904223u;
                px += ((float)(seed >> 8) / 16777216.0f - 0.5f) * 0.6f * (x1 - x0) / nx;
                seed = seed * 1664525u + 1013904223u;
                py += ((float)(seed >> 8) / 16777216.0f - 0.5f) * 0.6f * (y1 - y0) / ny;
            }
            int v = j * (nx + 1) + i;
            pos[3 * v] = world_x(px);
            pos[3 * v + 1] = world_y(py);
            pos[3 * v + 2] = 0;
            parts[v] = (uint8_t)part;
        }
    int t = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            /* Counter-clockwise seen from +z (world y up = screen row j down). */
            uint32_t a = (uint32_t)((j + 1) * (nx + 1) + i), b = a + 1, c = (uint32_t)(j * (nx + 1) + i), d = c + 1;
            uint32_t q[6] = {a, b, c, b, d, c};
            memcpy(&tri[3 * t], q, sizeof q);
            t += 2;
        }
    vh_rig *rig = synth_rig(nv, pos, parts, nt, tri, -1, 0, NULL, NULL);
    free(pos); free(parts); free(tri);
    return rig;
}

static double bg_at(const vh_render_params *p, int y, int k) {
    double g = (double)y / (SH - 1);
    return floor((1 - g) * p->background_top[k] + g * p->background_bottom[k] + 0.5);
}

/* Share of pixel (x, y)'s ss×ss sample centres inside [x0, x1) × [y0, y1). */
static double coverage(int x, int y, int ss, float x0, float x1, float y0, float y1) {
    int in = 0;
    for (int sy = 0; sy < ss; sy++)
        for (int sx = 0; sx < ss; sx++) {
            double cx = x + (sx + 0.5) / ss, cy = y + (sy + 0.5) / ss;
            in += cx >= x0 && cx < x1 && cy >= y0 && cy < y1;
        }
    return (double)in / (ss * ss);
}

VH_TEST(pixel_coverage_of_a_known_rectangle_without_cracks) {
    const float x0 = 10.3f, x1 = 45.6f, y0 = 20.2f, y1 = 70.7f;
    vh_rig *rig = rect_rig(x0, x1, y0, y1, 14, 20, VH_PART_SKIN);
    VH_CHECK(rig != NULL);
    if (!rig) return;
    float *pos = malloc((size_t)vh_rig_vertex_count(rig) * 3 * sizeof(float));
    float w[VH_ARKIT_COUNT] = {0};
    VH_CHECK_OK(vh_rig_apply(rig, w, pos));
    for (int ss = 1; ss <= 3; ss++) {
        vh_render_params p = vh_render_default_params();
        p.width = SW;
        p.height = SH;
        p.supersample = ss;
        p.center[0] = p.center[1] = p.center[2] = 0;
        vh_renderer *r = NULL;
        VH_CHECK_OK(vh_renderer_new(rig, &p, &r));
        const vh_image *f = NULL;
        VH_CHECK_OK(vh_render(r, pos, NULL, &f));
        int bad = 0, cracks = 0;
        double worst = 0;
        for (int y = 0; y < SH; y++)
            for (int x = 0; x < SW; x++) {
                double cov = coverage(x, y, ss, x0, x1, y0, y1);
                double bg = bg_at(&p, y, 0), pix = vh_image_at(f, x, y)[0];
                /* Surface colour from the nearest fully covered pixel. */
                int ix = x < 11 ? 11 : x > 44 ? 44 : x, iy = y < 21 ? 21 : y > 69 ? 69 : y;
                double c = vh_image_at(f, ix, iy)[0];
                double est = (pix - bg) / (c - bg);
                if (fabs(est - cov) > 0.08) bad++;
                if (fabs(est - cov) > worst) worst = fabs(est - cov);
                /* Inside, neighbours differ by shading only (a background
                 * sample would cost ≥ (c − bg)/9 ≈ 15 levels). */
                if (x > 11 && x < 44 && y > 21 && y < 69 && abs((int)pix - (int)vh_image_at(f, x - 1, y)[0]) > 4) cracks++;
            }
        if (bad || cracks) VH_FAILMSG("supersample %d: %d pixels off their coverage (worst %.3f), %d cracks", ss, bad, worst, cracks);
        VH_CHECK(vh_image_at(f, 30, 45)[0] > 150); /* lit skin, well above the background */
        vh_renderer_free(r);
    }
    free(pos);
    vh_rig_free(rig);
}

VH_TEST(hidden_parts_are_drawn_only_where_visible) {
    /* Skin rectangle at z = 0; a teeth square 1 cm in front of it and one
     * 1 cm behind it (teeth are drawn after the skin, and skipped when hidden). */
    const float X[3][4] = {{8, 56, 10, 86}, {14, 26, 20, 32}, {38, 50, 60, 72}};
    const float Z[3] = {0, 1, -1};
    const int P[3] = {VH_PART_SKIN, VH_PART_TEETH, VH_PART_TEETH};
    float pos[12 * 3];
    uint8_t parts[12];
    uint32_t tri[6 * 3];
    for (int q = 0; q < 3; q++) {
        const float cx[4] = {X[q][0], X[q][1], X[q][0], X[q][1]}, cy[4] = {X[q][3], X[q][3], X[q][2], X[q][2]};
        for (int k = 0; k < 4; k++) {
            pos[3 * (4 * q + k)] = world_x(cx[k]);
            pos[3 * (4 * q + k) + 1] = world_y(cy[k]);
            pos[3 * (4 * q + k) + 2] = Z[q];
            parts[4 * q + k] = (uint8_t)P[q];
        }
        uint32_t a = (uint32_t)(4 * q), t6[6] = {a, a + 1, a + 2, a + 1, a + 3, a + 2};
        memcpy(&tri[6 * q], t6, sizeof t6);
    }
    vh_rig *rig = synth_rig(12, pos, parts, 6, tri, -1, 0, NULL, NULL);
    VH_CHECK(rig != NULL);
    if (!rig) return;
    vh_render_params p = vh_render_default_params();
    p.width = SW;
    p.height = SH;
    p.center[0] = p.center[1] = p.center[2] = 0;
    vh_renderer *r = NULL;
    VH_CHECK_OK(vh_renderer_new(rig, &p, &r));
    const vh_image *f = NULL;
    VH_CHECK_OK(vh_render(r, pos, NULL, &f));
    /* Teeth are paler and much greener than skin. */
    int skin_g = vh_image_at(f, 30, 50)[1], front_g = vh_image_at(f, 20, 26)[1], back_g = vh_image_at(f, 44, 66)[1];
    VH_CHECK(front_g > skin_g + 30);
    VH_CHECK_NEAR(back_g, skin_g, 3);
    vh_renderer_free(r);
    vh_rig_free(rig);
}

VH_TEST(supersampling_changes_edges_not_shading) {
    /* The rig at 1 and 2 samples per side: the same picture up to edges. */
    int nv = vh_rig_vertex_count(g_rig);
    float *pos = malloc((size_t)nv * 3 * sizeof(float));
    float w[VH_ARKIT_COUNT] = {0};
    w[vh_arkit_index("jawOpen")] = 0.4f;
    VH_CHECK_OK(vh_rig_apply(g_rig, w, pos));
    vh_image img[2] = {{0}, {0}};
    for (int ss = 1; ss <= 2; ss++) {
        vh_render_params p = vh_render_default_params();
        p.width = 128;
        p.height = 192;
        p.supersample = ss;
        vh_renderer *r = NULL;
        VH_CHECK_OK(vh_renderer_new(g_rig, &p, &r));
        const vh_image *f = NULL;
        VH_CHECK_OK(vh_render(r, pos, NULL, &f));
        if (f) VH_CHECK_OK(vh_image_clone(f, &img[ss - 1]));
        vh_renderer_free(r);
    }
    if (img[0].data && img[1].data) {
        double sum = 0;
        long big = 0;
        for (int y = 0; y < 192; y++)
            for (int x = 0; x < 128 * 3; x++) {
                int d = abs((int)img[0].data[y * img[0].stride + x] - (int)img[1].data[y * img[1].stride + x]);
                sum += d;
                big += d > 40;
            }
        double mean = sum / (192.0 * 128 * 3);
        if (!(mean < 2.0 && big < 1500)) VH_FAILMSG("mean difference %.2f, %ld channel values differ by > 40", mean, big);
    }
    vh_image_free(&img[0]);
    vh_image_free(&img[1]);
    free(pos);
}

int main(void) {
    if (vh_rig_load(vh_test_src("assets/face/ict_rig.vhrig"), &g_rig)) {
        printf("cannot load the rig: %s\n", vh_last_error());
        return 1;
    }
    VH_RUN(renders_a_lit_face_over_the_background);
    VH_RUN(rejects_bad_parameters);
    {
        vh_render_params p = vh_render_default_params();
        g_F = (float)(SH * 0.5 / tan(p.fov_deg * 0.5 * 3.14159265358979323846 / 180.0));
        g_D = p.distance;
    }
    VH_RUN(pixel_coverage_of_a_known_rectangle_without_cracks);
    VH_RUN(hidden_parts_are_drawn_only_where_visible);
    VH_RUN(supersampling_changes_edges_not_shading);
    vh_rig_free(g_rig);
    return vh_test_summary();
}
