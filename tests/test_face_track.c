/* Tracker: two faces crossing paths keep their ids; a face leaving and a new
 * one entering; time going backwards is an error. */
#include "vh_test.h"
#include "verhm/track.h"

VH_TEST(two_moving_faces_keep_ids) {
    vh_tracker *tr;
    VH_CHECK_OK(vh_tracker_new(NULL, &tr));
    int first[2] = {0, 0};
    for (int f = 0; f < 60; f++) {
        double t = f / 30.0;
        /* Face A moves right, face B moves left; they pass at frame 30 with a
         * vertical offset so the boxes overlap only partly. */
        vh_track_det d[2] = {{(float)(20 + 4 * f), 100, 60, 60, NULL}, {(float)(260 - 4 * f), 140, 60, 60, NULL}};
        /* Present them in swapped order every other frame. */
        int ids[2];
        if (f % 2) {
            vh_track_det s[2] = {d[1], d[0]};
            VH_CHECK_OK(vh_tracker_update(tr, t, s, 2, ids));
            int tmp = ids[0]; ids[0] = ids[1]; ids[1] = tmp;
        } else {
            VH_CHECK_OK(vh_tracker_update(tr, t, d, 2, ids));
        }
        if (f == 0) { first[0] = ids[0]; first[1] = ids[1]; }
        VH_CHECK_INT_EQ(ids[0], first[0]);
        VH_CHECK_INT_EQ(ids[1], first[1]);
    }
    VH_CHECK_INT_EQ(vh_tracker_count(tr), 2);
    VH_CHECK_INT_EQ(vh_tracker_hits(tr, first[0]), 60);
    vh_tracker_free(tr);
}

VH_TEST(leaving_and_entering) {
    vh_tracker *tr;
    VH_CHECK_OK(vh_tracker_new(NULL, &tr));
    int id;
    vh_track_det a = {100, 100, 50, 50, NULL};
    for (int f = 0; f < 10; f++) VH_CHECK_OK(vh_tracker_update(tr, f * 0.1, &a, 1, &id));
    VH_CHECK_INT_EQ(id, 1);
    /* Gone for 0.5 s (shorter than max_missed_s): same id on return. */
    VH_CHECK_OK(vh_tracker_update(tr, 1.2, NULL, 0, NULL));
    VH_CHECK(vh_tracker_is_live(tr, 1));
    VH_CHECK_OK(vh_tracker_update(tr, 1.4, &a, 1, &id));
    VH_CHECK_INT_EQ(id, 1);
    /* Gone for 3 s: the track ends and a face in the same place is new. */
    VH_CHECK_OK(vh_tracker_update(tr, 4.4, NULL, 0, NULL));
    VH_CHECK(!vh_tracker_is_live(tr, 1));
    VH_CHECK_OK(vh_tracker_update(tr, 4.5, &a, 1, &id));
    VH_CHECK_INT_EQ(id, 2);
    double t0, t1;
    VH_CHECK_OK(vh_tracker_span(tr, 1, &t0, &t1));
    VH_CHECK_NEAR(t1, 1.4, 1e-9);
    VH_CHECK_INT_EQ(vh_tracker_update(tr, 1.0, &a, 1, &id), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_tracker_span(tr, 9, &t0, &t1), VH_ENOTFOUND);
    vh_tracker_free(tr);
}

VH_TEST(landmarks_disambiguate_overlapping_boxes) {
    vh_tracker *tr;
    VH_CHECK_OK(vh_tracker_new(NULL, &tr));
    vh_point2f la[68], lb[68];
    for (int i = 0; i < 68; i++) { la[i] = (vh_point2f){110 + i % 10, 110 + i / 10}; lb[i] = (vh_point2f){135 + i % 10, 110 + i / 10}; }
    vh_track_det d[2] = {{100, 100, 50, 50, la}, {110, 100, 50, 50, lb}};
    int ids[2];
    VH_CHECK_OK(vh_tracker_update(tr, 0, d, 2, ids));
    vh_track_det s[2] = {d[1], d[0]};
    int ids2[2];
    VH_CHECK_OK(vh_tracker_update(tr, 0.04, s, 2, ids2));
    VH_CHECK_INT_EQ(ids2[0], ids[1]);
    VH_CHECK_INT_EQ(ids2[1], ids[0]);
    vh_tracker_free(tr);
}

int main(void) {
    VH_RUN(two_moving_faces_keep_ids);
    VH_RUN(leaving_and_entering);
    VH_RUN(landmarks_disambiguate_overlapping_boxes);
    return vh_test_summary();
}
