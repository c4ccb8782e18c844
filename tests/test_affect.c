/* Affect: circumplex mapping, the HMM filter's smoothing and responsiveness,
 * label maps, age groups, UTKFace names, the joint age-gender label space. */
#include "vh_test.h"
#include "verhm/affect.h"
#include <unistd.h>

VH_TEST(circumplex_and_va) {
    float v, a;
    VH_CHECK_OK(vh_emotion_circumplex("Happiness", &v, &a));
    VH_CHECK(v > 0.5f && a > 0);
    VH_CHECK_OK(vh_emotion_circumplex("sadness", &v, &a));
    VH_CHECK(v < -0.5f && a < 0);
    VH_CHECK_INT_EQ(vh_emotion_circumplex("joyful-ish", &v, &a), VH_ENOTFOUND);
    float p[VH_FER_COUNT] = {0.5f, 0.5f, 0, 0, 0, 0, 0, 0};
    vh_emotion_va(p, vh_fer_labels, VH_FER_COUNT, &v, &a);
    VH_CHECK_NEAR(v, 0.4, 1e-6);
    VH_CHECK_NEAR(a, 0.25, 1e-6);
    VH_CHECK_INT_EQ(vh_fer_index("CONTEMPT"), 7);
}

VH_TEST(filter_suppresses_flicker_and_follows_changes) {
    vh_emotion_filter f;
    vh_emotion_filter_init(&f, VH_FER_COUNT, 1.5f, 0.6f);
    float happy[VH_FER_COUNT] = {0.1f, 0.7f, 0.04f, 0.04f, 0.03f, 0.03f, 0.03f, 0.03f};
    float sad[VH_FER_COUNT] = {0.1f, 0.04f, 0.04f, 0.7f, 0.03f, 0.03f, 0.03f, 0.03f};
    float out[VH_FER_COUNT];
    for (int i = 0; i < 30; i++) vh_emotion_filter_update(&f, i / 30.0, happy, out);
    VH_CHECK(out[1] > 0.95f);
    /* One sad frame (a classifier glitch) does not flip the read-out. */
    vh_emotion_filter_update(&f, 1.0, sad, out);
    VH_CHECK(out[1] > out[3]);
    /* A sustained change is followed within about a third of a second. */
    int switched_at = -1;
    for (int i = 1; i <= 30 && switched_at < 0; i++) {
        vh_emotion_filter_update(&f, 1.0 + i / 30.0, sad, out);
        if (out[3] > out[1]) switched_at = i;
    }
    VH_CHECK(switched_at > 1 && switched_at <= 10);
    double s = 0;
    for (int k = 0; k < VH_FER_COUNT; k++) s += out[k];
    VH_CHECK_NEAR(s, 1.0, 1e-5);
}

VH_TEST(label_map_file) {
    char path[] = "/tmp/vhmapXXXXXX";
    int fd = mkstemp(path);
    VH_CHECK(fd >= 0);
    const char *good = "# comment\nfer\tA\tB\nneutral\t1\t0\nhappiness\t0\t1\nsurprise\t0.5\t0.5\nsadness\t1\t0\n"
                       "anger\t1\t0\ndisgust\t1\t0\nfear\t1\t0\ncontempt\t0\t1\n";
    VH_CHECK(write(fd, good, strlen(good)) == (ssize_t)strlen(good));
    close(fd);
    vh_label_map m;
    VH_CHECK_OK(vh_label_map_load(path, &m));
    VH_CHECK_INT_EQ(m.n, 2);
    float fer[VH_FER_COUNT] = {0.2f, 0.6f, 0.2f, 0, 0, 0, 0, 0}, out[2];
    vh_label_map_apply(&m, fer, out);
    VH_CHECK_NEAR(out[0], 0.3, 1e-6);
    VH_CHECK_NEAR(out[1], 0.7, 1e-6);
    FILE *f = fopen(path, "w");
    fputs("fer\tA\nneutral\t0.5\n", f); /* row does not sum to 1, rows missing */
    fclose(f);
    VH_CHECK_INT_EQ(vh_label_map_load(path, &m), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), ":2:") != NULL);
    unlink(path);
    VH_CHECK_OK(vh_label_map_load(vh_test_src("data/emopoi_map.tsv"), &m));
    VH_CHECK_INT_EQ(m.n, 8);
}

VH_TEST(age_groups_and_names) {
    VH_CHECK_STR_EQ(vh_age_group(8), "Child");
    VH_CHECK_STR_EQ(vh_age_group(15), "Teen");
    VH_CHECK_STR_EQ(vh_age_group(35), "Adult");
    VH_CHECK_STR_EQ(vh_age_group(70), "Senior");
    VH_CHECK_STR_EQ(vh_age_group_legacy(15), "Adult");
    VH_CHECK_STR_EQ(vh_age_group_legacy(70), "Old");
    int age, g;
    VH_CHECK_OK(vh_utkface_parse_name("dir/26_1_2_20170116174525125.jpg.chip.jpg", &age, &g));
    VH_CHECK_INT_EQ(age, 26);
    VH_CHECK_INT_EQ(g, 1);
    VH_CHECK_INT_EQ(vh_utkface_parse_name("61_3_20170109150557335.jpg.chip.jpg", &age, &g), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_utkface_parse_name("x_1_2.jpg", &age, &g), VH_EFORMAT);
}

VH_TEST(agegender_decoding) {
    const char *lab[VH_AGEGENDER_CLASSES];
    vh_agegender_labels(lab);
    VH_CHECK_STR_EQ(lab[0], "male:0");
    VH_CHECK_STR_EQ(lab[VH_AGE_BINS + 4], "female:20");
    float p[VH_AGEGENDER_CLASSES] = {0};
    p[VH_AGE_BINS + 6] = 0.5f; /* female, 30 */
    p[VH_AGE_BINS + 8] = 0.3f; /* female, 40 */
    p[6] = 0.2f;               /* male, 30 */
    float age, pf;
    vh_agegender_decode(p, &age, &pf);
    VH_CHECK_NEAR(age, 33.0, 1e-4);
    VH_CHECK_NEAR(pf, 0.8, 1e-6);
}

VH_TEST(haar_box_map) {
    vh_box b = {100, 100, 100, 100, 5};
    double l, t, w, h;
    vh_haar_to_dlib_box(&b, &l, &t, &w, &h);
    VH_CHECK_NEAR(w, 87.12, 1e-6);
    VH_CHECK_NEAR(h, w, 0);
    VH_CHECK_NEAR(t + h / 2, 157.05, 1e-6);
}

int main(void) {
    VH_RUN(circumplex_and_va);
    VH_RUN(filter_suppresses_flicker_and_follows_changes);
    VH_RUN(label_map_file);
    VH_RUN(age_groups_and_names);
    VH_RUN(agegender_decoding);
    VH_RUN(haar_box_map);
    return vh_test_summary();
}
