/* The per-frame face pipeline: detect → dlib-box map → 68 landmarks → head
 * pose → aligned crops → emotion (filtered per track) and age/gender. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/affect.h"
#include "verhm/nn_model.h"
#include "verhm/track.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct track_state {
    vh_track_summary s;
    vh_emotion_filter filter;
    double sum_emotion[VH_FER_COUNT], sum_v, sum_a, sum_age, sum_pf;
    int n_emotion, n_ag;
    vh_emotion_segment *segs;
    int nsegs, capsegs;
} track_state;

struct vh_face_analyzer {
    vh_analyzer_params p;
    vh_cascade *cas;
    vh_shape_predictor *sp;
    vh_model *emo, *ag;
    int emo_map[VH_FER_COUNT]; /* model output index of each FER label */
    vh_tracker *tracker;
    vh_face_obs *obs;
    int nobs, capobs;
    track_state *tracks;
    int ntracks, captracks;
    vh_track_summary *summ;
    int capsumm;
    vh_image gray, small, crop;
    long frame_no;
    /* Faces of the previous frame in dlib box convention, for following them
     * by landmarks between detections. */
    struct prev_face { double l, t, w, h; } *prev;
    int nprev, capprev;
    float *x;
    vh_analyzer_timing timing;
};

vh_analyzer_params vh_analyzer_default_params(void) {
    vh_analyzer_params p;
    memset(&p, 0, sizeof p);
    p.detect = vh_detect_default_params();
    p.detect_max_side = 480;
    p.redetect_every = 3;
    p.persistence_s = 1.5f;
    p.evidence = 0.6f;
    return p;
}

void vh_face_analyzer_free(vh_face_analyzer *a) {
    if (!a) return;
    vh_cascade_free(a->cas);
    vh_shape_predictor_free(a->sp);
    vh_model_free(a->emo);
    vh_model_free(a->ag);
    vh_tracker_free(a->tracker);
    free(a->obs);
    free(a->prev);
    for (int i = 0; i < a->ntracks; i++) free(a->tracks[i].segs);
    free(a->tracks);
    free(a->summ);
    vh_image_free(&a->gray);
    vh_image_free(&a->small);
    vh_image_free(&a->crop);
    free(a->x);
    free(a);
}

int vh_face_analyzer_new(const vh_analyzer_params *pp, vh_face_analyzer **out) {
    *out = NULL;
    vh_face_analyzer *a = calloc(1, sizeof *a);
    if (!a) return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory");
    a->p = pp ? *pp : vh_analyzer_default_params();
    int st = vh_cascade_load(a->p.cascade_path ? a->p.cascade_path : vh_cascade_default_path(), &a->cas);
    if (!st) st = vh_shape_predictor_load(a->p.landmarks_path ? a->p.landmarks_path : vh_shape_predictor_default_path(), &a->sp);
    if (!st && a->p.emotion_model) {
        st = vh_model_load(a->p.emotion_model, &a->emo);
        for (int k = 0; !st && k < VH_FER_COUNT; k++) {
            a->emo_map[k] = -1;
            for (int j = 0; j < a->emo->num_classes; j++)
                if (vh_fer_index(a->emo->labels[j]) == k) a->emo_map[k] = j;
            if (a->emo_map[k] < 0)
                st = vh__fail(NULL, VH_EFORMAT, "%s: emotion model lacks the FER+ label '%s'", a->p.emotion_model, vh_fer_labels[k]);
        }
        if (!st) st = vh_model_prepare(a->emo, 1);
    }
    if (!st && a->p.agegender_model) {
        st = vh_model_load(a->p.agegender_model, &a->ag);
        if (!st && vh_agegender_check(a->ag)) st = vh__fail(NULL, VH_EFORMAT, "%s: %s", a->p.agegender_model, vh_last_error());
        if (!st) st = vh_model_prepare(a->ag, 1);
    }
    if (!st) st = vh_tracker_new(NULL, &a->tracker);
    if (!st) {
        int side = 16;
        if (a->emo) side = VH_MAX(side, VH_MAX(a->emo->in_w, a->emo->in_h));
        if (a->ag) side = VH_MAX(side, VH_MAX(a->ag->in_w, a->ag->in_h));
        a->x = malloc((size_t)side * side * sizeof(float));
        if (!a->x) st = vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory");
    }
    if (st) {
        vh_face_analyzer_free(a);
        return st;
    }
    *out = a;
    return VH_OK;
}

/* Runs a one-image model on a crop of the face aligned to `tpl`. */
static int run_crop_model(vh_face_analyzer *a, vh_model *m, const vh_point2f *lm, const vh_face_template *tpl,
                          float *probs) {
    vh_image_free(&a->crop);
    int st = vh_face_align_crop_tpl(&a->gray, lm, m->in_w, tpl, &a->crop);
    if (st) return st;
    for (int y = 0; y < m->in_h; y++) {
        const uint8_t *row = vh_image_at(&a->crop, 0, y);
        for (int x = 0; x < m->in_w; x++) a->x[y * m->in_w + x] = (row[x] / 255.0f - m->mean) / m->std;
    }
    return vh_model_predict(m, a->x, 1, probs);
}

/* The dlib box of a face from its landmarks' centroid and mean distance to it:
 * side = 3.197 × spread, centre = centroid + (0.006, −0.0285) × side — the mean
 * relation over the 43 faces of dlib_examples' *_with_face_landmarks.xml. */
static void landmark_box(double cx, double cy, double spread, double box[4]) {
    double side = 3.197 * spread;
    box[0] = cx + 0.006 * side - side / 2;
    box[1] = cy - 0.0285 * side - side / 2;
    box[2] = box[3] = side;
}

static track_state *track_get(vh_face_analyzer *a, int id) {
    while (a->ntracks < id) {
        if (a->ntracks == a->captracks) {
            int nc = a->captracks ? 2 * a->captracks : 8;
            track_state *nt = realloc(a->tracks, (size_t)nc * sizeof *nt);
            if (!nt) return NULL;
            a->tracks = nt;
            a->captracks = nc;
        }
        track_state *t = &a->tracks[a->ntracks];
        memset(t, 0, sizeof *t);
        t->s.id = ++a->ntracks;
        vh_emotion_filter_init(&t->filter, VH_FER_COUNT, a->p.persistence_s, a->p.evidence);
    }
    return &a->tracks[id - 1];
}

static int add_segment_point(track_state *t, double time, int label, float p) {
    vh_emotion_segment *last = t->nsegs ? &t->segs[t->nsegs - 1] : NULL;
    if (last && last->label == label) {
        last->frames++;
        last->mean_prob += (p - last->mean_prob) / (float)last->frames;
        last->end = time;
        return 0;
    }
    if (last) last->end = time;
    if (t->nsegs == t->capsegs) {
        int nc = t->capsegs ? 2 * t->capsegs : 8;
        vh_emotion_segment *ns = realloc(t->segs, (size_t)nc * sizeof *ns);
        if (!ns) return -1;
        t->segs = ns;
        t->capsegs = nc;
    }
    t->segs[t->nsegs++] = (vh_emotion_segment){time, time, label, p, 1};
    return 0;
}

int vh_face_analyzer_process(vh_face_analyzer *a, const vh_image *frame, double t, const vh_face_obs **faces, int *n) {
    *faces = NULL;
    *n = 0;
    if (!frame || !frame->data || frame->w < 1 || frame->h < 1) return vh__fail(NULL, VH_EINVAL, "analyzer: empty frame");
    vh_image_free(&a->gray);
    int st = vh_image_to_gray(frame, &a->gray);
    if (st) return st;
    double t0 = vh_now();
    /* Detect on a shrunken copy of large frames. */
    const vh_image *det = &a->gray;
    double scale = 1.0;
    int side = VH_MAX(frame->w, frame->h);
    if (a->p.detect_max_side > 0 && side > a->p.detect_max_side) {
        scale = (double)a->p.detect_max_side / side;
        vh_image_free(&a->small);
        st = vh_image_resize(&a->gray, VH_MAX(1, (int)lround(frame->w * scale)), VH_MAX(1, (int)lround(frame->h * scale)),
                             VH_INTERP_AREA, &a->small);
        if (st) return st;
        det = &a->small;
        scale = (double)a->small.w / frame->w;
    }
    int follow = a->p.redetect_every > 1 && (a->frame_no % a->p.redetect_every) != 0 && a->nprev > 0;
    a->frame_no++;
    vh_box *boxes = NULL;
    size_t nb = 0;
    double (*dl)[4] = NULL; /* dlib boxes used for the landmarks */
    if (follow) {
        /* Between detections: reuse last frame's landmark boxes. */
        nb = (size_t)a->nprev;
        boxes = malloc(nb * sizeof *boxes);
        dl = malloc(nb * sizeof *dl);
        if (!boxes || !dl) { free(boxes); free(dl); return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory"); }
        for (size_t i = 0; i < nb; i++) {
            dl[i][0] = a->prev[i].l; dl[i][1] = a->prev[i].t; dl[i][2] = a->prev[i].w; dl[i][3] = a->prev[i].h;
        }
    } else {
        vh_detect_params dp = a->p.detect;
        if (dp.min_w <= 0) dp.min_w = dp.min_h = VH_MAX(20, VH_MIN(det->w, det->h) / 8);
        st = vh_cascade_detect(a->cas, det, &dp, &boxes, &nb);
        if (st) return st;
        dl = malloc((nb ? nb : 1) * sizeof *dl);
        if (!dl) { vh_free(boxes); return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory"); }
        for (size_t i = 0; i < nb; i++) {
            boxes[i].x = (int)lround(boxes[i].x / scale);
            boxes[i].y = (int)lround(boxes[i].y / scale);
            boxes[i].w = (int)lround(boxes[i].w / scale);
            boxes[i].h = (int)lround(boxes[i].h / scale);
            vh_haar_to_dlib_box(&boxes[i], &dl[i][0], &dl[i][1], &dl[i][2], &dl[i][3]);
        }
    }
    double t1 = vh_now();
    a->timing.detect += t1 - t0;
    if ((int)nb > a->capobs) {
        vh_face_obs *no = realloc(a->obs, nb * sizeof *no);
        if (!no) { vh_free(boxes); return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory"); }
        a->obs = no;
        a->capobs = (int)nb;
    }
    vh_track_det *dets = calloc(nb ? nb : 1, sizeof *dets);
    int *ids = calloc(nb ? nb : 1, sizeof *ids);
    if (!dets || !ids) { free(dets); free(ids); vh_free(boxes); return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory"); }
    for (size_t i = 0; i < nb; i++) {
        vh_face_obs *o = &a->obs[i];
        memset(o, 0, sizeof *o);
        vh_shape_predict(a->sp, frame, dl[i][0], dl[i][1], dl[i][2], dl[i][3], 0, o->landmarks);
        if (follow) {
            /* Move the box with the landmarks: shift by the change of their
             * centroid, scale by the change of their spread. */
            double cx = 0, cy = 0, spread = 0;
            for (int k = 0; k < 68; k++) { cx += o->landmarks[k].x; cy += o->landmarks[k].y; }
            cx /= 68; cy /= 68;
            for (int k = 0; k < 68; k++) spread += hypot(o->landmarks[k].x - cx, o->landmarks[k].y - cy);
            spread /= 68;
            landmark_box(cx, cy, spread, dl[i]);
            /* Detector-convention box (inverse of vh_haar_to_dlib_box) for
             * the output and the tracker. */
            double hs = dl[i][2] / 0.8712, dcx = dl[i][0] + dl[i][2] / 2, dcy = dl[i][1] + dl[i][3] / 2;
            boxes[i].w = boxes[i].h = (int)lround(hs);
            boxes[i].x = (int)lround(dcx + 0.0008 * hs - hs / 2);
            boxes[i].y = (int)lround(dcy - 0.0705 * hs - hs / 2);
            boxes[i].neighbors = 0;
        }
        o->box = boxes[i];
        dets[i] = (vh_track_det){(float)boxes[i].x, (float)boxes[i].y, (float)boxes[i].w, (float)boxes[i].h, o->landmarks};
    }
    /* Remember this frame's faces for the next one. */
    if ((int)nb > a->capprev) {
        struct prev_face *np = realloc(a->prev, nb * sizeof *np);
        if (!np) { free(dl); free(dets); free(ids); vh_free(boxes); return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory"); }
        a->prev = np;
        a->capprev = (int)nb;
    }
    for (size_t i = 0; i < nb; i++) {
        if (!follow) {
            /* Refine the detector's box from the landmarks for following. */
            double cx = 0, cy = 0, spread = 0;
            for (int k = 0; k < 68; k++) { cx += a->obs[i].landmarks[k].x; cy += a->obs[i].landmarks[k].y; }
            cx /= 68; cy /= 68;
            for (int k = 0; k < 68; k++) spread += hypot(a->obs[i].landmarks[k].x - cx, a->obs[i].landmarks[k].y - cy);
            spread /= 68;
            landmark_box(cx, cy, spread, dl[i]);
        }
        a->prev[i] = (struct prev_face){dl[i][0], dl[i][1], dl[i][2], dl[i][3]};
    }
    a->nprev = (int)nb;
    free(dl);
    double t2 = vh_now();
    a->timing.landmarks += t2 - t1;
    st = vh_tracker_update(a->tracker, t, dets, (int)nb, ids);
    free(dets);
    if (follow) free(boxes);
    else vh_free(boxes);
    if (st) { free(ids); return st; }
    for (size_t i = 0; i < nb; i++) {
        vh_face_obs *o = &a->obs[i];
        o->track = ids[i];
        double y, p, r;
        if (vh_head_pose(o->landmarks, frame->w, frame->h, &y, &p, &r, NULL) == VH_OK) {
            o->yaw = (float)y; o->pitch = (float)p; o->roll = (float)r;
        }
    }
    free(ids);
    double t3 = vh_now();
    a->timing.pose += t3 - t2;
    for (size_t i = 0; i < nb; i++) {
        vh_face_obs *o = &a->obs[i];
        track_state *ts = track_get(a, o->track);
        if (!ts) return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory");
        if (ts->s.frames == 0) ts->s.first = t;
        ts->s.last = t;
        ts->s.frames++;
        if (a->emo) {
            double e0 = vh_now();
            float probs[64];
            vh_face_template tpl = vh_face_template_fer();
            st = run_crop_model(a, a->emo, o->landmarks, &tpl, probs);
            if (st) return st;
            for (int k = 0; k < VH_FER_COUNT; k++) o->emotion_raw[k] = probs[a->emo_map[k]];
            vh_emotion_filter_update(&ts->filter, t, o->emotion_raw, o->emotion);
            vh_emotion_va(o->emotion, vh_fer_labels, VH_FER_COUNT, &o->valence, &o->arousal);
            o->has_emotion = 1;
            int best = 0;
            for (int k = 1; k < VH_FER_COUNT; k++) if (o->emotion[k] > o->emotion[best]) best = k;
            for (int k = 0; k < VH_FER_COUNT; k++) ts->sum_emotion[k] += o->emotion[k];
            ts->sum_v += o->valence;
            ts->sum_a += o->arousal;
            ts->n_emotion++;
            if (add_segment_point(ts, t, best, o->emotion[best])) return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory");
            a->timing.emotion += vh_now() - e0;
        }
        if (a->ag) {
            double g0 = vh_now();
            float probs[VH_AGEGENDER_CLASSES];
            vh_face_template tpl = vh_face_template_agegender();
            st = run_crop_model(a, a->ag, o->landmarks, &tpl, probs);
            if (st) return st;
            vh_agegender_decode(probs, &o->age, &o->p_female);
            o->has_agegender = 1;
            ts->sum_age += o->age;
            ts->sum_pf += o->p_female;
            ts->n_ag++;
            a->timing.agegender += vh_now() - g0;
        }
    }
    a->timing.frames++;
    a->nobs = (int)nb;
    *faces = a->obs;
    *n = a->nobs;
    return VH_OK;
}

int vh_face_analyzer_tracks(vh_face_analyzer *a, const vh_track_summary **tracks, int *n) {
    if (a->ntracks > a->capsumm) {
        vh_track_summary *ns = realloc(a->summ, (size_t)a->ntracks * sizeof *ns);
        if (!ns) return vh__fail(NULL, VH_ENOMEM, "analyzer: out of memory");
        a->summ = ns;
        a->capsumm = a->ntracks;
    }
    for (int i = 0; i < a->ntracks; i++) {
        track_state *t = &a->tracks[i];
        vh_track_summary *s = &a->summ[i];
        *s = t->s;
        s->has_emotion = t->n_emotion > 0;
        if (s->has_emotion) {
            int best = 0;
            for (int k = 0; k < VH_FER_COUNT; k++) {
                s->mean_emotion[k] = (float)(t->sum_emotion[k] / t->n_emotion);
                if (s->mean_emotion[k] > s->mean_emotion[best]) best = k;
            }
            s->dominant = best;
            s->valence = (float)(t->sum_v / t->n_emotion);
            s->arousal = (float)(t->sum_a / t->n_emotion);
        }
        s->has_agegender = t->n_ag > 0;
        if (s->has_agegender) {
            s->age = (float)(t->sum_age / t->n_ag);
            s->p_female = (float)(t->sum_pf / t->n_ag);
        }
        s->nsegments = t->nsegs;
        s->segments = t->segs;
    }
    *tracks = a->summ;
    *n = a->ntracks;
    return VH_OK;
}

void vh_face_analyzer_timing(const vh_face_analyzer *a, vh_analyzer_timing *t) { *t = a->timing; }

const char *const *vh_face_analyzer_emotion_labels(const vh_face_analyzer *a) {
    return a->emo ? vh_fer_labels : NULL;
}
