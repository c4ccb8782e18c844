/* Animation layers: viseme mapping, coarticulated curves, Savitzky–Golay,
 * blink statistics, emotion blending, CSV/NPY/GLB writers. */
#define _POSIX_C_SOURCE 200809L
#include "vh_test.h"
#include "verhm/avatar.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int K(const char *n) { return vh_arkit_index(n); }

VH_TEST(phones_map_to_visemes) {
    VH_CHECK_INT_EQ(vh_viseme_of_phone("P"), VH_VIS_PBM);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("b"), VH_VIS_PBM);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("M"), VH_VIS_PBM);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("AA1"), VH_VIS_AA);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("F"), VH_VIS_FV);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("UW"), VH_VIS_UW);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("SIL"), VH_VIS_SIL);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("+NSN+"), VH_VIS_SIL);
    VH_CHECK_INT_EQ(vh_viseme_of_phone("XYZZYXYZZY"), VH_VIS_SIL);
    VH_CHECK_INT_EQ(vh_viseme_of_phone(NULL), VH_VIS_SIL);
    VH_CHECK(vh_viseme_target(VH_VIS_COUNT) == NULL);
    /* Open vowels open the jaw more than closed ones; bilabials press the lips. */
    VH_CHECK(vh_viseme_target(VH_VIS_AA)[K("jawOpen")] > vh_viseme_target(VH_VIS_IY)[K("jawOpen")]);
    VH_CHECK(vh_viseme_target(VH_VIS_PBM)[K("mouthPressLeft")] > 0.3f);
    VH_CHECK(vh_viseme_target(VH_VIS_W)[K("mouthPucker")] > 0.5f);
}

VH_TEST(coarticulated_curves) {
    /* "a m a": the jaw opens, closes for the m (lips pressed), opens again. */
    vh_phone_seg s[5] = { { "SIL", 0.0, 0.2 }, { "AA", 0.2, 0.45 }, { "M", 0.45, 0.55 }, { "AA", 0.55, 0.8 }, { "SIL", 0.8, 1.2 } };
    float w[36 * VH_ARKIT_COUNT];
    VH_CHECK_OK(vh_phones_to_curves(s, 5, 0.0, 30.0, 36, w));
    int jaw = K("jawOpen"), press = K("mouthPressLeft");
    float at_a = w[10 * VH_ARKIT_COUNT + jaw], at_m = w[15 * VH_ARKIT_COUNT + jaw], at_a2 = w[20 * VH_ARKIT_COUNT + jaw];
    VH_CHECK(at_a > 0.35f);
    VH_CHECK(at_a2 > 0.35f);
    VH_CHECK(at_m < 0.5f * at_a);
    VH_CHECK(w[15 * VH_ARKIT_COUNT + press] > 0.25f);
    VH_CHECK(w[0 * VH_ARKIT_COUNT + jaw] < 0.1f);      /* silence: mouth (nearly) shut */
    VH_CHECK(w[35 * VH_ARKIT_COUNT + jaw] < 0.05f);
    /* Coarticulation: the transition is gradual (no frame-to-frame jump above 0.3). */
    for (int f = 1; f < 36; f++) VH_CHECK(fabsf(w[f * VH_ARKIT_COUNT + jaw] - w[(f - 1) * VH_ARKIT_COUNT + jaw]) < 0.3f);
    /* Upper face untouched. */
    VH_CHECK(w[10 * VH_ARKIT_COUNT + K("browInnerUp")] == 0.0f);
    /* No phones: still face. */
    VH_CHECK_OK(vh_phones_to_curves(NULL, 0, 0.0, 30.0, 36, w));
    for (int i = 0; i < 36 * VH_ARKIT_COUNT; i++) VH_CHECK(w[i] == 0.0f);
    VH_CHECK_INT_EQ(vh_phones_to_curves(s, 5, 0.0, 0.0, 36, w), VH_EINVAL);
}

VH_TEST(savgol_keeps_polynomials_and_smooths_noise) {
    float x[100], y[100];
    for (int i = 0; i < 100; i++) x[i] = 0.5f + 0.01f * i - 0.0003f * i * i;
    memcpy(y, x, sizeof x);
    VH_CHECK_OK(vh_savgol(y, 100, 1, 4, 2));
    for (int i = 0; i < 100; i++) VH_CHECK_NEAR(y[i], x[i], 1e-4);
    /* White noise: variance drops. */
    vh_rng r;
    vh_rng_seed(&r, 7);
    double v0 = 0, v1 = 0;
    for (int i = 0; i < 100; i++) x[i] = (float)vh_rng_normal(&r);
    memcpy(y, x, sizeof x);
    VH_CHECK_OK(vh_savgol(y, 100, 1, 4, 2));
    for (int i = 10; i < 90; i++) { v0 += x[i] * x[i]; v1 += y[i] * y[i]; }
    VH_CHECK(v1 < 0.6 * v0);
    /* Strided channels are independent. */
    float z[20];
    for (int i = 0; i < 10; i++) { z[2 * i] = (float)i; z[2 * i + 1] = 3.0f; }
    VH_CHECK_OK(vh_savgol(z, 10, 2, 2, 1));
    for (int i = 0; i < 10; i++) { VH_CHECK_NEAR(z[2 * i], i, 1e-4); VH_CHECK_NEAR(z[2 * i + 1], 3.0, 1e-5); }
    VH_CHECK_INT_EQ(vh_savgol(z, 10, 1, 0, 0), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_savgol(z, 10, 1, 2, 5), VH_EINVAL);
}

VH_TEST(blink_statistics) {
    vh_eyes e;
    vh_eyes_init(&e, 42, 30.0, 15.0);
    int blinks = 0, in_blink = 0, len = 0, minlen = 1 << 30, maxlen = 0;
    long frames = 30L * 600; /* 10 minutes */
    float maxyaw = 0, maxpitch = 0, prev_yaw = 0;
    int gaze_moves = 0;
    for (long f = 0; f < frames; f++) {
        float gy, gp, c = vh_eyes_step(&e, &gy, &gp);
        VH_CHECK(c >= 0 && c <= 1);
        if (c > 0.05f) { if (!in_blink) blinks++; in_blink = 1; len++; }
        else if (in_blink) { in_blink = 0; if (len < minlen) minlen = len; if (len > maxlen) maxlen = len; len = 0; }
        maxyaw = fmaxf(maxyaw, fabsf(gy));
        maxpitch = fmaxf(maxpitch, fabsf(gp));
        if (fabsf(gy - prev_yaw) > 0.5f) gaze_moves++;
        prev_yaw = gy;
    }
    /* 15 per minute → about 150 in 10 min. */
    VH_CHECK(blinks > 110 && blinks < 190);
    /* Durations: 100–400 ms = 3–12 frames at 30 fps, and they vary. */
    VH_CHECK(minlen >= 1 && maxlen <= 13);
    VH_CHECK(maxlen - minlen >= 2);
    VH_CHECK(maxyaw <= 3.01f && maxpitch <= 2.01f && maxyaw > 1.0f);
    VH_CHECK(gaze_moves > 100);
    /* Same seed, same sequence. */
    vh_eyes a, b;
    vh_eyes_init(&a, 5, 30, 15);
    vh_eyes_init(&b, 5, 30, 15);
    for (int i = 0; i < 1000; i++) VH_CHECK(vh_eyes_step(&a, NULL, NULL) == vh_eyes_step(&b, NULL, NULL));
}

VH_TEST(emotion_layer) {
    float ex[VH_ARKIT_COUNT];
    VH_CHECK_OK(vh_emotion_expression("happy", 1.0f, ex));
    VH_CHECK(ex[K("mouthSmileLeft")] > 0.3f && ex[K("cheekSquintLeft")] > 0.2f);
    VH_CHECK_OK(vh_emotion_expression("Sadness", 1.0f, ex));
    VH_CHECK(ex[K("browInnerUp")] > 0.3f && ex[K("mouthFrownLeft")] > 0.2f);
    VH_CHECK_OK(vh_emotion_expression("neutral", 1.0f, ex));
    for (int k = 0; k < VH_ARKIT_COUNT; k++) VH_CHECK(ex[k] == 0.0f);
    VH_CHECK_INT_EQ(vh_emotion_expression("bored-ish", 1.0f, ex), VH_ENOTFOUND);
    VH_CHECK_INT_EQ(vh_emotion_expression("happy", 3.0f, ex), VH_EINVAL);
    /* Blending does not fight the lip-sync: the jaw stays open, a pressed lip
     * gets less smile than a relaxed one, everything in [0, 1]. */
    VH_CHECK_OK(vh_emotion_expression("happy", 1.0f, ex));
    float open[VH_ARKIT_COUNT] = { 0 }, press[VH_ARKIT_COUNT] = { 0 };
    open[K("jawOpen")] = 0.5f;
    press[K("mouthPressLeft")] = 0.5f;
    press[K("mouthPressRight")] = 0.5f;
    press[K("mouthRollLower")] = 0.3f;
    vh_emotion_blend(open, ex, 0.0f);
    vh_emotion_blend(press, ex, 1.0f);
    VH_CHECK_NEAR(open[K("jawOpen")], 0.5, 1e-6);
    VH_CHECK(press[K("mouthSmileLeft")] < open[K("mouthSmileLeft")]);
    VH_CHECK(press[K("mouthPressLeft")] >= 0.5f);
    VH_CHECK_NEAR(press[K("eyeBlinkLeft")], 1.0, 1e-6);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) VH_CHECK(open[k] >= 0 && open[k] <= 1 && press[k] >= 0 && press[k] <= 1);
}

static char tmpdir[] = "/tmp/vh_test_anim_XXXXXX";

VH_TEST(csv_and_npy_writers) {
    char p[256], q[256];
    snprintf(p, sizeof p, "%s/w.csv", tmpdir);
    snprintf(q, sizeof q, "%s/w.npy", tmpdir);
    vh_anim_csv *c = NULL;
    vh_anim_npy *n = NULL;
    VH_CHECK_OK(vh_anim_csv_open(p, 30, 0, &c));
    VH_CHECK_OK(vh_anim_npy_open(q, 0, &n));
    if (!c || !n) return;
    float w[VH_ARKIT_COUNT];
    for (int f = 0; f < 31; f++) {
        for (int k = 0; k < VH_ARKIT_COUNT; k++) w[k] = (float)(f * 100 + k) / 10000.0f;
        VH_CHECK_OK(vh_anim_csv_frame(c, w));
        VH_CHECK_OK(vh_anim_npy_frame(n, w));
    }
    VH_CHECK(access(p, F_OK) != 0); /* nothing visible before close */
    VH_CHECK_OK(vh_anim_csv_close(c, 1));
    VH_CHECK_OK(vh_anim_npy_close(n, 1));
    char *txt = NULL;
    size_t len = 0;
    VH_CHECK_OK(vh_file_read_all(p, 0, &txt, &len));
    if (!txt) return;
    VH_CHECK(strncmp(txt, "Timecode,BlendShapeCount,eyeBlinkLeft,", 38) == 0);
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += txt[i] == '\n';
    VH_CHECK_INT_EQ(lines, 32);
    VH_CHECK(strstr(txt, "\n00:00:01:00.000,52,0.3000,") != NULL || strstr(txt, "\n00:00:01:00.000,52,0.30000,") != NULL);
    vh_free(txt);
    char *npy = NULL;
    VH_CHECK_OK(vh_file_read_all(q, 0, &npy, &len));
    if (!npy) return;
    VH_CHECK_INT_EQ((long)len, 128 + 31 * 52 * 4);
    VH_CHECK(memcmp(npy, "\x93NUMPY\x01\x00", 8) == 0);
    VH_CHECK(strstr(npy + 10, "'shape': (31, 52)") != NULL);
    float v;
    memcpy(&v, npy + 128 + (30 * 52 + 7) * 4, 4);
    VH_CHECK_NEAR(v, (30 * 100 + 7) / 10000.0, 1e-7);
    vh_free(npy);
    /* Refuses to replace without overwrite; abort leaves nothing. */
    VH_CHECK_INT_EQ(vh_anim_csv_open(p, 30, 0, &c), VH_EEXIST);
    snprintf(p, sizeof p, "%s/x.csv", tmpdir);
    VH_CHECK_OK(vh_anim_csv_open(p, 30, 0, &c));
    vh_anim_csv_close(c, 0);
    VH_CHECK(access(p, F_OK) != 0);
}

static uint32_t rd32(const unsigned char *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

VH_TEST(glb_writer) {
    vh_rig *rig = NULL;
    VH_CHECK_OK(vh_rig_load(vh_test_src("assets/face/ict_rig.vhrig"), &rig));
    if (!rig) return;
    int nf = 20;
    float *w = calloc((size_t)nf * VH_ARKIT_COUNT, sizeof *w);
    for (int f = 0; f < nf; f++) {
        w[f * VH_ARKIT_COUNT + K("jawOpen")] = 0.5f * (float)sin(f * 0.3) + 0.5f;
        w[f * VH_ARKIT_COUNT + K("eyeBlinkLeft")] = f == 10 ? 1.0f : 0.0f;
    }
    char p[256];
    snprintf(p, sizeof p, "%s/a.glb", tmpdir);
    VH_CHECK_OK(vh_anim_write_glb(rig, w, nf, 30.0, p, 0));
    char *g = NULL;
    size_t len = 0;
    VH_CHECK_OK(vh_file_read_all(p, 0, &g, &len));
    if (!g) { free(w); vh_rig_free(rig); return; }
    const unsigned char *u = (const unsigned char *)g;
    VH_CHECK(memcmp(g, "glTF", 4) == 0);
    VH_CHECK_INT_EQ(rd32(u + 4), 2);
    VH_CHECK_INT_EQ((long)rd32(u + 8), (long)len);
    uint32_t jl = rd32(u + 12);
    VH_CHECK(memcmp(g + 16, "JSON", 4) == 0);
    VH_CHECK(jl % 4 == 0 && 20 + jl + 8 <= len);
    uint32_t bl = rd32(u + 20 + jl);
    VH_CHECK(memcmp(g + 24 + jl, "BIN\0", 4) == 0);
    VH_CHECK_INT_EQ((long)(28 + jl + bl), (long)len);
    vh_json *doc = NULL;
    VH_CHECK_OK(vh_json_parse(g + 20, jl, &doc));
    if (doc) {
        const vh_json *views = vh_json_get(doc, "bufferViews"), *accs = vh_json_get(doc, "accessors");
        VH_CHECK(views && accs && views->count == accs->count);
        /* Every accessor fits its view, every view fits the buffer. */
        for (size_t i = 0; accs && views && i < accs->count; i++) {
            const vh_json *a = vh_json_at(accs, i);
            const vh_json *v = vh_json_at(views, (size_t)vh_json_get_number(a, "bufferView", -1));
            VH_CHECK(v != NULL);
            if (!v) continue;
            const char *type = vh_json_get_string(a, "type", "");
            int ncomp = strcmp(type, "VEC3") == 0 ? 3 : 1;
            double bytes = vh_json_get_number(a, "count", 0) * ncomp * 4;
            VH_CHECK_NEAR(bytes, vh_json_get_number(v, "byteLength", -1), 0.5);
            VH_CHECK(vh_json_get_number(v, "byteOffset", 0) + vh_json_get_number(v, "byteLength", 0) <= bl);
        }
        const vh_json *mesh = vh_json_at(vh_json_get(doc, "meshes"), 0);
        const vh_json *prim = vh_json_at(vh_json_get(mesh, "primitives"), 0);
        const vh_json *targets = vh_json_get(prim, "targets");
        VH_CHECK(targets && targets->count == 2); /* only the shapes that move */
        const vh_json *names = vh_json_get(vh_json_get(mesh, "extras"), "targetNames");
        VH_CHECK(names && names->count == 2);
        if (names && names->count == 2) {
            VH_CHECK_STR_EQ(vh_json_at(names, 0)->string, "eyeBlinkLeft");
            VH_CHECK_STR_EQ(vh_json_at(names, 1)->string, "jawOpen");
        }
        const vh_json *anim = vh_json_at(vh_json_get(doc, "animations"), 0);
        const vh_json *samp = vh_json_at(vh_json_get(anim, "samplers"), 0);
        VH_CHECK_STR_EQ(vh_json_get_string(samp, "interpolation", ""), "LINEAR");
        const vh_json *out = vh_json_at(accs, (size_t)vh_json_get_number(samp, "output", -1));
        VH_CHECK_NEAR(vh_json_get_number(out, "count", 0), nf * 2, 0);
        const vh_json *ch = vh_json_at(vh_json_get(anim, "channels"), 0);
        VH_CHECK_STR_EQ(vh_json_get_string(vh_json_get(ch, "target"), "path", ""), "weights");
        vh_json_free(doc);
    }
    vh_free(g);
    VH_CHECK_INT_EQ(vh_anim_write_glb(rig, w, 0, 30.0, p, 1), VH_ERANGE);
    w[3] = NAN;
    VH_CHECK_INT_EQ(vh_anim_write_glb(rig, w, nf, 30.0, p, 1), VH_EINVAL);
    free(w);
    vh_rig_free(rig);
}

int main(void) {
    if (!mkdtemp(tmpdir)) { printf("mkdtemp failed\n"); return 1; }
    VH_RUN(phones_map_to_visemes);
    VH_RUN(coarticulated_curves);
    VH_RUN(savgol_keeps_polynomials_and_smooths_noise);
    VH_RUN(blink_statistics);
    VH_RUN(emotion_layer);
    VH_RUN(csv_and_npy_writers);
    VH_RUN(glb_writer);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) printf("cleanup failed\n");
    return vh_test_summary();
}
