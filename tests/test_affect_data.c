/* The face analyzer on GRID clips (no models: detection, landmarks, pose,
 * tracking): the speaker is found in nearly every frame with one stable track. */
#include "vh_test.h"
#include "verhm/affect.h"
#include "verhm/media.h"

static const char *g_data;

static void run_clip(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/video/grid/%s", g_data, name);
    vh_face_analyzer *a = NULL;
    VH_CHECK_OK(vh_face_analyzer_new(NULL, &a));
    vh_video *v = NULL;
    VH_CHECK_OK(vh_video_open(path, &v));
    if (!a || !v) { vh_face_analyzer_free(a); vh_video_close(v); return; }
    const vh_image *frame;
    double t;
    int frames = 0, with_face = 0;
    while (vh_video_read(v, &frame, &t) == VH_OK) {
        const vh_face_obs *faces;
        int n;
        VH_CHECK_OK(vh_face_analyzer_process(a, frame, t, &faces, &n));
        frames++;
        with_face += n >= 1;
        if (n >= 1) {
            /* Landmarks inside the box, a roughly frontal head. */
            VH_CHECK(faces[0].landmarks[30].x > faces[0].box.x && faces[0].landmarks[30].x < faces[0].box.x + faces[0].box.w);
            VH_CHECK(fabsf(faces[0].yaw) < 30 && fabsf(faces[0].roll) < 20);
        }
    }
    const vh_track_summary *tr;
    int nt;
    VH_CHECK_OK(vh_face_analyzer_tracks(a, &tr, &nt));
    printf("%s: %d frames, face in %d, %d track(s)\n", name, frames, with_face, nt);
    VH_CHECK(frames >= 70);
    VH_CHECK(with_face >= frames * 95 / 100);
    VH_CHECK_INT_EQ(nt, 1);
    if (nt >= 1) VH_CHECK_INT_EQ(tr[0].frames, with_face);
    vh_video_close(v);
    vh_face_analyzer_free(a);
}

VH_TEST(grid_clips_one_stable_track) {
    run_clip("bbaf2n.mpg");
    run_clip("swiz3n.mpg");
    run_clip("pwij3p.mpg");
}

/* Following faces by landmarks between detections agrees with detecting on
 * every frame. */
VH_TEST(following_matches_detecting_every_frame) {
    char path[1024];
    snprintf(path, sizeof path, "%s/video/grid/bbaf2n.mpg", g_data);
    vh_analyzer_params p1 = vh_analyzer_default_params(), p3 = p1;
    p1.redetect_every = 1;
    p3.redetect_every = 3;
    vh_face_analyzer *a1 = NULL, *a3 = NULL;
    VH_CHECK_OK(vh_face_analyzer_new(&p1, &a1));
    VH_CHECK_OK(vh_face_analyzer_new(&p3, &a3));
    vh_video *v = NULL;
    VH_CHECK_OK(vh_video_open(path, &v));
    if (!a1 || !a3 || !v) { vh_face_analyzer_free(a1); vh_face_analyzer_free(a3); vh_video_close(v); return; }
    const vh_image *frame;
    double t, sum = 0, iod_sum = 0;
    int n = 0;
    while (vh_video_read(v, &frame, &t) == VH_OK) {
        const vh_face_obs *f1, *f3;
        int n1, n3;
        VH_CHECK_OK(vh_face_analyzer_process(a1, frame, t, &f1, &n1));
        vh_point2f lm1[68];
        if (n1 == 1) memcpy(lm1, f1[0].landmarks, sizeof lm1);
        VH_CHECK_OK(vh_face_analyzer_process(a3, frame, t, &f3, &n3));
        VH_CHECK_INT_EQ(n1, n3);
        if (n1 != 1 || n3 != 1) continue;
        for (int k = 0; k < 68; k++) sum += hypot(lm1[k].x - f3[0].landmarks[k].x, lm1[k].y - f3[0].landmarks[k].y);
        iod_sum += hypot(lm1[36].x - lm1[45].x, lm1[36].y - lm1[45].y);
        n++;
    }
    double mean = n ? sum / (68.0 * n) : 1e9, iod = n ? iod_sum / n : 1;
    printf("landmark following vs detecting every frame: mean difference %.2f px (%.1f%% of the eye distance) over %d frames\n",
           mean, 100 * mean / iod, n);
    VH_CHECK(n >= 70);
    VH_CHECK(mean / iod < 0.05);
    vh_video_close(v);
    vh_face_analyzer_free(a1);
    vh_face_analyzer_free(a3);
}

int main(void) {
    g_data = vh_test_require_data();
    VH_RUN(grid_clips_one_stable_track);
    VH_RUN(following_matches_detecting_every_frame);
    return vh_test_summary();
}
