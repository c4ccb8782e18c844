/*
 * verhm/track.h — multi-face tracking across video frames.
 *
 * Each frame's detections (boxes, optionally with 68 landmarks) are matched to
 * the live tracks by box overlap and landmark distance against each track's
 * constant-velocity prediction; unmatched detections start new tracks, and a
 * track ends after it has been missing longer than `max_missed_s`. Track ids
 * are small positive integers, never reused within one tracker.
 */
#ifndef VERHM_TRACK_H
#define VERHM_TRACK_H

#include "verhm/core.h"
#include "verhm/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vh_tracker vh_tracker;

typedef struct vh_track_params {
    double min_iou;        /* overlap needed to continue a track (0.2) */
    double max_center_shift; /* or centre shift ≤ this × box size (0.5) */
    double landmark_weight;  /* weight of normalised landmark distance in the cost (1.0) */
    double max_missed_s;   /* a track ends after this long without a match (1.0 s) */
    int min_hits;          /* a track is "confirmed" after this many matches (2) */
} vh_track_params;

vh_track_params vh_track_default_params(void);

/* One detection of a frame. `landmarks` may be NULL. */
typedef struct vh_track_det {
    float x, y, w, h;
    const vh_point2f *landmarks; /* 68 points or NULL; not kept after the call */
} vh_track_det;

/* Creates a tracker. Returns VH_OK or VH_ENOMEM; *out NULL on failure. */
int vh_tracker_new(const vh_track_params *p, vh_tracker **out);
void vh_tracker_free(vh_tracker *t); /* NULL ok */

/* Feeds the detections of the frame at time `t` seconds (non-decreasing) and
 * writes each detection's track id to ids[i] (caller-owned, n entries).
 * Returns VH_OK, VH_EINVAL if time goes backwards, VH_ENOMEM. */
int vh_tracker_update(vh_tracker *tr, double t, const vh_track_det *dets, int n, int *ids);

/* Number of tracks started so far (ids 1…count). */
int vh_tracker_count(const vh_tracker *tr);
/* Whether track `id` is live (matched within max_missed_s of the last update). */
int vh_tracker_is_live(const vh_tracker *tr, int id);
/* Matches of track `id` so far (0 if unknown); confirmed when ≥ min_hits. */
int vh_tracker_hits(const vh_tracker *tr, int id);
/* First and last time track `id` was seen; VH_ENOTFOUND for an unknown id. */
int vh_tracker_span(const vh_tracker *tr, int id, double *first, double *last);

#ifdef __cplusplus
}
#endif
#endif
