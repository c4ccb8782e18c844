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

int main(void) {
    g_data = vh_test_require_data();
    VH_RUN(grid_clips_one_stable_track);
    return vh_test_summary();
}
