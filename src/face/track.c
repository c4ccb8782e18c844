/* Greedy IoU + landmark-distance tracker with constant-velocity prediction. */
#include "verhm/track.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct track {
    int id;
    float x, y, w, h;     /* last matched box */
    float vx, vy;         /* box centre velocity, px/s */
    double first, last;   /* times */
    int hits;
    int has_lm;
    vh_point2f lm[68];
} track;

struct vh_tracker {
    vh_track_params p;
    track *tracks;
    int n, cap;
    double now;
    int started;
};

vh_track_params vh_track_default_params(void) {
    vh_track_params p = {0.2, 0.5, 1.0, 1.0, 2};
    return p;
}

int vh_tracker_new(const vh_track_params *p, vh_tracker **out) {
    *out = calloc(1, sizeof **out);
    if (!*out) return vh__fail(NULL, VH_ENOMEM, "tracker: out of memory");
    (*out)->p = p ? *p : vh_track_default_params();
    (*out)->now = -INFINITY;
    return VH_OK;
}

void vh_tracker_free(vh_tracker *t) {
    if (!t) return;
    free(t->tracks);
    free(t);
}

static double iou(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh) {
    double x0 = fmax(ax, bx), y0 = fmax(ay, by), x1 = fmin(ax + aw, bx + bw), y1 = fmin(ay + ah, by + bh);
    double inter = (x1 > x0 && y1 > y0) ? (x1 - x0) * (y1 - y0) : 0;
    double uni = (double)aw * ah + (double)bw * bh - inter;
    return uni > 0 ? inter / uni : 0;
}

typedef struct pair { double cost; int t, d; } pair;

static int cmp_pair(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? -1 : 1;
    if (x->t != y->t) return x->t - y->t;
    return x->d - y->d;
}

int vh_tracker_update(vh_tracker *tr, double t, const vh_track_det *dets, int n, int *ids) {
    if (!(t >= tr->now)) {
        if (tr->started) return vh__fail(NULL, VH_EINVAL, "tracker: time went backwards (%g < %g)", t, tr->now);
    }
    tr->now = t;
    tr->started = 1;
    /* Live tracks, with their predicted boxes at time t. */
    int nl = 0;
    for (int i = 0; i < tr->n; i++)
        if (t - tr->tracks[i].last <= tr->p.max_missed_s) nl++;
    size_t np = (size_t)nl * (size_t)(n > 0 ? n : 0);
    pair *pairs = np ? malloc(np * sizeof *pairs) : NULL;
    if (np && !pairs) return vh__fail(NULL, VH_ENOMEM, "tracker: out of memory");
    size_t k = 0;
    for (int i = 0; i < tr->n; i++) {
        const track *tk = &tr->tracks[i];
        double dt = t - tk->last;
        if (dt > tr->p.max_missed_s) continue;
        float px = tk->x + (float)(tk->vx * dt), py = tk->y + (float)(tk->vy * dt);
        for (int d = 0; d < n; d++) {
            const vh_track_det *D = &dets[d];
            double ov = iou(px, py, tk->w, tk->h, D->x, D->y, D->w, D->h);
            double size = 0.5 * (tk->w + tk->h + D->w + D->h) / 2;
            double shift = hypot((px + tk->w / 2) - (D->x + D->w / 2), (py + tk->h / 2) - (D->y + D->h / 2));
            if (ov < tr->p.min_iou && shift > tr->p.max_center_shift * size) continue;
            double cost = 1 - ov;
            if (D->landmarks && tk->has_lm && size > 0) {
                double s = 0;
                for (int j = 0; j < 68; j++)
                    s += hypot(D->landmarks[j].x - (tk->lm[j].x + tk->vx * dt), D->landmarks[j].y - (tk->lm[j].y + tk->vy * dt));
                cost += tr->p.landmark_weight * (s / 68) / size;
            } else {
                cost += shift / (size > 0 ? size : 1);
            }
            pairs[k++] = (pair){cost, i, d};
        }
    }
    if (k) qsort(pairs, k, sizeof *pairs, cmp_pair);
    for (int d = 0; d < n; d++) ids[d] = 0;
    char *used_t = tr->n ? calloc((size_t)tr->n, 1) : NULL;
    if (tr->n && !used_t) { free(pairs); return vh__fail(NULL, VH_ENOMEM, "tracker: out of memory"); }
    for (size_t i = 0; i < k; i++) {
        pair *p = &pairs[i];
        if (used_t[p->t] || ids[p->d]) continue;
        used_t[p->t] = 1;
        track *tk = &tr->tracks[p->t];
        const vh_track_det *D = &dets[p->d];
        double dt = t - tk->last;
        if (dt > 0) {
            float nvx = (float)(((D->x + D->w / 2) - (tk->x + tk->w / 2)) / dt);
            float nvy = (float)(((D->y + D->h / 2) - (tk->y + tk->h / 2)) / dt);
            tk->vx = 0.5f * tk->vx + 0.5f * nvx; /* smoothed velocity */
            tk->vy = 0.5f * tk->vy + 0.5f * nvy;
        }
        tk->x = D->x; tk->y = D->y; tk->w = D->w; tk->h = D->h;
        tk->last = t;
        tk->hits++;
        tk->has_lm = D->landmarks != NULL;
        if (D->landmarks) memcpy(tk->lm, D->landmarks, sizeof tk->lm);
        ids[p->d] = tk->id;
    }
    free(used_t);
    free(pairs);
    for (int d = 0; d < n; d++) {
        if (ids[d]) continue;
        if (tr->n == tr->cap) {
            int nc = tr->cap ? tr->cap * 2 : 8;
            track *nt = realloc(tr->tracks, (size_t)nc * sizeof *nt);
            if (!nt) return vh__fail(NULL, VH_ENOMEM, "tracker: out of memory");
            tr->tracks = nt;
            tr->cap = nc;
        }
        track *tk = &tr->tracks[tr->n];
        memset(tk, 0, sizeof *tk);
        tk->id = tr->n + 1;
        tk->x = dets[d].x; tk->y = dets[d].y; tk->w = dets[d].w; tk->h = dets[d].h;
        tk->first = tk->last = t;
        tk->hits = 1;
        tk->has_lm = dets[d].landmarks != NULL;
        if (dets[d].landmarks) memcpy(tk->lm, dets[d].landmarks, sizeof tk->lm);
        ids[d] = tk->id;
        tr->n++;
    }
    return VH_OK;
}

int vh_tracker_count(const vh_tracker *tr) { return tr->n; }

int vh_tracker_is_live(const vh_tracker *tr, int id) {
    return id >= 1 && id <= tr->n && tr->now - tr->tracks[id - 1].last <= tr->p.max_missed_s;
}

int vh_tracker_hits(const vh_tracker *tr, int id) {
    return id >= 1 && id <= tr->n ? tr->tracks[id - 1].hits : 0;
}

int vh_tracker_span(const vh_tracker *tr, int id, double *first, double *last) {
    if (id < 1 || id > tr->n) return vh__fail(NULL, VH_ENOTFOUND, "tracker: no track %d", id);
    *first = tr->tracks[id - 1].first;
    *last = tr->tracks[id - 1].last;
    return VH_OK;
}
