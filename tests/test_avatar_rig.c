/* Rig asset: loads the committed ICT rig, poses it, rejects damaged files;
 * float16 offsets (normal, subnormal, largest, negative) decode exactly. */
#include "vh_test.h"
#include "avatar_synth_rig.h"
#include "verhm/avatar.h"
#include <math.h>

static char *g_buf;
static size_t g_len;

VH_TEST(loads_committed_asset) {
    vh_rig *rig = NULL;
    VH_CHECK_OK(vh_rig_load_mem(g_buf, g_len, "ict_rig.vhrig", &rig));
    if (!rig) return;
    VH_CHECK_INT_EQ(vh_rig_vertex_count(rig), 26719);
    VH_CHECK_INT_EQ(vh_rig_shape_count(rig), 52);
    VH_CHECK(vh_rig_triangle_count(rig) > 50000);
    int cnt;
    const uint16_t *vi;
    const float *d;
    vh_rig_shape(rig, vh_arkit_index("tongueOut"), &cnt, &vi, &d);
    VH_CHECK_INT_EQ(cnt, 0); /* ICT has no tongue shape */
    vh_rig_shape(rig, vh_arkit_index("jawOpen"), &cnt, &vi, &d);
    VH_CHECK(cnt > 1000);
    vh_rig_free(rig);
}

VH_TEST(jaw_open_moves_the_chin_down) {
    vh_rig *rig = NULL;
    VH_CHECK_OK(vh_rig_load_mem(g_buf, g_len, "ict_rig.vhrig", &rig));
    if (!rig) return;
    int nv = vh_rig_vertex_count(rig);
    float *out = malloc((size_t)nv * 3 * sizeof(float));
    float w[VH_ARKIT_COUNT] = {0};
    VH_CHECK_OK(vh_rig_apply(rig, w, out));
    VH_CHECK(memcmp(out, vh_rig_neutral(rig), (size_t)nv * 12) == 0);
    w[vh_arkit_index("jawOpen")] = 1;
    VH_CHECK_OK(vh_rig_apply(rig, w, out));
    /* The lowest skin vertex of the face (chin) moves down by centimetres. */
    const float *n = vh_rig_neutral(rig);
    const uint8_t *part = vh_rig_parts(rig);
    double max_drop = 0;
    for (int i = 0; i < nv; i++)
        if (part[i] == VH_PART_SKIN && n[3 * i + 1] - out[3 * i + 1] > max_drop) max_drop = n[3 * i + 1] - out[3 * i + 1];
    VH_CHECK(max_drop > 1.0 && max_drop < 5.0);
    w[0] = NAN;
    VH_CHECK_INT_EQ(vh_rig_apply(rig, w, out), VH_ERANGE);
    free(out);
    vh_rig_free(rig);
}

VH_TEST(damaged_files_are_rejected) {
    vh_rig *rig = NULL;
    VH_CHECK_INT_EQ(vh_rig_load_mem(g_buf, g_len / 2, "half.vhrig", &rig), VH_EFORMAT);
    VH_CHECK(rig == NULL && strstr(vh_last_error(), "half.vhrig") != NULL);
    char *copy = malloc(g_len);
    memcpy(copy, g_buf, g_len);
    copy[1000] ^= 0x40;
    VH_CHECK_INT_EQ(vh_rig_load_mem(copy, g_len, "flip.vhrig", &rig), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "checksum") != NULL);
    VH_CHECK_INT_EQ(vh_rig_load_mem("hello", 5, "tiny", &rig), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_rig_load("/nonexistent.vhrig", &rig), VH_ENOTFOUND);
    free(copy);
}

VH_TEST(posing_matches_the_plain_sum) {
    /* The committed rig poses over vertex ranges in parallel: it must give
     * the single-pass sum in shape order, bit for bit. */
    vh_rig *rig = NULL;
    VH_CHECK_OK(vh_rig_load_mem(g_buf, g_len, "ict_rig.vhrig", &rig));
    if (!rig) return;
    int nv = vh_rig_vertex_count(rig);
    float *out = malloc((size_t)nv * 12), *ref = malloc((size_t)nv * 12);
    float w[VH_ARKIT_COUNT];
    for (int k = 0; k < VH_ARKIT_COUNT; k++) w[k] = (k % 3) ? 0.0f : 0.05f + 0.9f * (float)((k * 37) % 17) / 17.0f;
    VH_CHECK_OK(vh_rig_apply(rig, w, out));
    memcpy(ref, vh_rig_neutral(rig), (size_t)nv * 12);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        int n;
        const uint16_t *v;
        const float *d;
        vh_rig_shape(rig, k, &n, &v, &d);
        if (w[k] == 0) continue;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) ref[3 * v[i] + c] += w[k] * d[3 * i + c];
    }
    VH_CHECK(memcmp(out, ref, (size_t)nv * 12) == 0);
    free(out);
    free(ref);
    vh_rig_free(rig);
}

VH_TEST(float16_offsets_decode_exactly) {
    const float pos[9] = {0}; /* offsets are then the posed positions, exactly */
    const uint8_t part[3] = {0, 0, 0};
    const uint32_t tri[3] = {0, 1, 2};
    const uint16_t verts[3] = {0, 1, 2};
    /* 1, -2, 2^-24 (smallest subnormal), 65504 (largest), 1/3 rounded, -0,
     * 2^-14 (smallest normal), 1023·2^-24 (largest subnormal), -0.5 */
    const uint16_t half[9] = {0x3C00, 0xC000, 0x0001, 0x7BFF, 0x3555, 0x8000, 0x0400, 0x03FF, 0xB800};
    const float want[9] = {1.0f, -2.0f, 5.9604644775390625e-8f, 65504.0f, 0.333251953125f, 0.0f,
                           6.103515625e-5f, 6.0975551605224609375e-5f, -0.5f};
    vh_rig *rig = synth_rig(3, pos, part, 1, tri, vh_arkit_index("jawOpen"), 3, verts, half);
    VH_CHECK(rig != NULL);
    if (!rig) return;
    float w[VH_ARKIT_COUNT] = {0}, out[9];
    w[vh_arkit_index("jawOpen")] = 1;
    VH_CHECK_OK(vh_rig_apply(rig, w, out));
    for (int i = 0; i < 9; i++)
        if (out[i] - pos[i] != want[i]) VH_FAILMSG("offset %d: %.10g, want %.10g", i, out[i] - pos[i], want[i]);
    vh_rig_free(rig);
}

int main(void) {
    if (vh_file_read_all(vh_test_src("assets/face/ict_rig.vhrig"), 0, &g_buf, &g_len)) {
        printf("cannot read the rig asset: %s\n", vh_last_error());
        return 1;
    }
    VH_RUN(loads_committed_asset);
    VH_RUN(jaw_open_moves_the_chin_down);
    VH_RUN(damaged_files_are_rejected);
    VH_RUN(float16_offsets_decode_exactly);
    VH_RUN(posing_matches_the_plain_sum);
    vh_free(g_buf);
    return vh_test_summary();
}
