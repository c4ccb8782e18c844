/* Viola-Jones detection with OpenCV 4.x detectMultiScale semantics (FORMATS.md
 * §2a.4): float scale list, per-scale bit-exact bilinear resize, integral
 * images, variance normalisation over the window shrunk by 1 px (σ > 10 rule),
 * double stage sums against threshold − 1e-5, 2 px steps below scale 2 with the
 * stage-0 skip, groupRectangles (eps 0.2) and clipping. Rows of each scale are
 * scanned on all threads; nothing is allocated per window. */
#include "face/face_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

vh_detect_params vh_detect_default_params(void) {
    vh_detect_params p;
    memset(&p, 0, sizeof p);
    p.scale_factor = 1.1;
    p.min_neighbors = 3;
    return p;
}

/* A feature with offsets resolved for one integral-image stride. */
typedef struct opt_feature {
    int ofs[3][4];
    float w[3];
    int n3; /* third rect used (weight != 0) */
} opt_feature;

typedef struct hits { vh_box *b; size_t n, cap; int failed; } hits;

static void hits_push(hits *h, int x, int y, int w, int hh) {
    if (h->failed) return;
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 256;
        vh_box *nb = realloc(h->b, nc * sizeof *nb);
        if (!nb) { h->failed = 1; return; }
        h->b = nb;
        h->cap = nc;
    }
    vh_box *b = &h->b[h->n++];
    b->x = x;
    b->y = y;
    b->w = w;
    b->h = hh;
    b->neighbors = 0;
}

/* Stump (one-node tree) with its feature inlined, for the common case where
 * every tree is a stump (all shipped face cascades). */
typedef struct stump {
    int ofs[3][4];
    int32_t wi[3];   /* integer weights (integer path) */
    float w[3];
    int n3;
    int tilted;
    float thr, leaf[2]; /* leaf[0] when v < thr, else leaf[1] */
    /* Bounds on the rest of the stage after this stump (see run_window). */
    double rem_max, rem_min;
} stump;

typedef struct scan_ctx {
    const vh_cascade *c;
    const opt_feature *feat;
    const stump *stumps; /* NULL: general trees */
    int intw;            /* weights are small integers: exact int feature sums */
    const uint32_t *sum, *tilt;
    const uint32_t *sq;
    size_t stride;
    int nofs[4];
    double area, nf_min;
    int xmax, ymax;  /* inclusive window origin bounds */
    int ystep;
    float scale;
    int winw, winh;
    int nitems;
    hits *out;       /* one per item */
} scan_ctx;

/* Rect sum from four integral corners (mod 2^32; exact for one window). */
#define RSUM(p, o) ((int32_t)((p)[(o)[0]] - (p)[(o)[1]] - (p)[(o)[2]] + (p)[(o)[3]]))

static inline float feat_value(const opt_feature *f, const uint32_t *p) {
    float r = f->w[0] * (float)RSUM(p, f->ofs[0]) + f->w[1] * (float)RSUM(p, f->ofs[1]);
    if (f->n3) r += f->w[2] * (float)RSUM(p, f->ofs[2]);
    return r;
}

/* Variance normalisation (OpenCV's setWindow): returns 0 when the window is
 * rejected (σ ≤ 10 or flat), else 1 with *inv = 1/(area·σ) as float. The σ
 * test area·(float)(1/√nf) < 0.1 is monotone in the integer nf, so it is
 * decided by nf ≥ nf_min (precomputed) before any square root. */
static inline int window_norm(const scan_ctx *s, const uint32_t *p, float *inv) {
    const uint32_t *q = s->sq + (p - s->sum);
    int32_t vs = RSUM(p, s->nofs);
    uint32_t vq = (uint32_t)RSUM(q, s->nofs);
    double nf = s->area * (double)vq - (double)vs * (double)vs;
    if (!(nf >= s->nf_min)) return 0;
    *inv = (float)(1.0 / sqrt(nf));
    return 1;
}

/* Evaluates the cascade at one window: 1 = hit, -k = rejected at stage k (0 at
 * stage 0), -1 also when the variance test rejects the window before stage 0
 * (as OpenCV's setWindow failure, which does not trigger the skip). */
static int run_window(const scan_ctx *s, const uint32_t *p, const uint32_t *pt) {
    float inv;
    if (!window_norm(s, p, &inv)) return -1;
    const vh_cascade *c = s->c;
    if (s->stumps) {
        const stump *sp = s->stumps;
        for (int si = 0; si < c->nstages; si++) {
            const vh__stage *st = &c->stages[si];
            double acc = 0.0;
            const stump *end = sp + st->ntrees;
            if (s->intw && !c->tilted) {
                /* The stage's outcome is known early when even the largest
                 * (smallest) possible rest cannot reach (can only exceed) the
                 * threshold; the 1e-9 margin covers double rounding of sums of
                 * a few hundred floats, so decisions equal the full sum's. */
                const double lo = (double)st->thr - 1e-9, hi = (double)st->thr + 1e-9;
                for (; sp < end; sp++) {
                    /* Unused third rects have weight 0 and offsets 0 (sum 0): no branch. */
                    int32_t r = sp->wi[0] * RSUM(p, sp->ofs[0]) + sp->wi[1] * RSUM(p, sp->ofs[1]) +
                                sp->wi[2] * RSUM(p, sp->ofs[2]);
                    float v = (float)r * inv;
                    acc += (double)sp->leaf[!(v < sp->thr)]; /* branch-free select */
                    if (acc + sp->rem_max < lo) return -si;
                    if (acc + sp->rem_min >= hi) { acc = hi; sp = end; break; }
                }
            } else {
                for (; sp < end; sp++) {
                    const uint32_t *b = sp->tilted ? pt : p;
                    float r = sp->w[0] * (float)RSUM(b, sp->ofs[0]) + sp->w[1] * (float)RSUM(b, sp->ofs[1]);
                    if (sp->n3) r += sp->w[2] * (float)RSUM(b, sp->ofs[2]);
                    float v = r * inv;
                    acc += (double)sp->leaf[!(v < sp->thr)];
                }
            }
            if (acc < (double)st->thr) return -si;
            sp = end;
        }
        return 1;
    }
    const opt_feature *F = s->feat;
    for (int si = 0; si < c->nstages; si++) {
        const vh__stage *st = &c->stages[si];
        double acc = 0.0;
        const vh__tree *tr = &c->trees[st->first_tree];
        for (int t = 0; t < st->ntrees; t++, tr++) {
            const vh__node *nodes = &c->nodes[tr->first_node];
            int idx = 0;
            for (;;) {
                const vh__node *nd = &nodes[idx];
                const opt_feature *f = &F[nd->feat];
                float v = feat_value(f, c->features[nd->feat].tilted ? pt : p) * inv;
                idx = ((double)v < (double)nd->thr) ? nd->left : nd->right;
                if (idx <= 0) break;
            }
            acc += (double)c->leaves[tr->first_leaf - idx];
        }
        if (acc < (double)st->thr) return -si;
    }
    return 1;
}

static void scan_rows(void *vctx, size_t begin, size_t end, int tid) {
    (void)tid;
    const scan_ctx *s = vctx;
    int nrows = s->ymax / s->ystep + 1;
    for (size_t item = begin; item < end; item++) {
        hits *out = &s->out[item];
        /* Item k takes row indices r ≡ k (mod nitems): interleaved for balance. */
        for (int r = (int)item; r < nrows; r += s->nitems) {
            int y = r * s->ystep;
            const uint32_t *row = s->sum + (size_t)y * s->stride;
            const uint32_t *trow = s->tilt ? s->tilt + (size_t)y * s->stride : NULL;
            for (int x = 0; x <= s->xmax; x += s->ystep) {
                int res = run_window(s, row + x, trow ? trow + x : NULL);
                if (res > 0)
                    hits_push(out, (int)lrintf((float)x * s->scale), (int)lrintf((float)y * s->scale), s->winw, s->winh);
                else if (res == 0)
                    x += s->ystep; /* rejected at stage 0: skip the next position */
            }
        }
    }
}

/* Smallest integer nf with area·(float)(1/√nf) < 0.1 (binary search; the
 * expression is non-increasing in nf). */
static double nf_threshold(double area) {
    double lo = 1, hi = 9007199254740992.0; /* 2^53 satisfies it for any window we accept */
    while (hi - lo > 1) {
        double mid = floor((lo + hi) / 2);
        if (area * (double)(float)(1.0 / sqrt(mid)) < 0.1) hi = mid;
        else lo = mid;
    }
    return area * (double)(float)(1.0 / sqrt(lo)) < 0.1 ? lo : hi;
}

/* Integer weights: every weight an integer with |w| ≤ 1024 and the largest
 * possible weighted sum below 2^24, so int sums converted to float equal
 * OpenCV's float arithmetic exactly. */
static int integer_weights(const vh_cascade *c) {
    double maxsum = (double)c->win_w * c->win_h * 255.0 * 2.0; /* tilted rects cover 2wh */
    for (int i = 0; i < c->nfeatures; i++) {
        double tot = 0;
        for (int k = 0; k < c->features[i].nrects; k++) {
            float w = c->features[i].r[k].weight;
            if (w != floorf(w) || fabsf(w) > 1024.f) return 0;
            tot += fabsf(w) * maxsum;
        }
        if (tot >= 16777216.0) return 0;
    }
    return 1;
}

static void set_stumps(const vh_cascade *c, const opt_feature *of, stump *out) {
    for (int t = 0; t < c->ntrees; t++) {
        const vh__tree *tr = &c->trees[t];
        const vh__node *nd = &c->nodes[tr->first_node];
        const opt_feature *f = &of[nd->feat];
        stump *s = &out[t];
        memcpy(s->ofs, f->ofs, sizeof s->ofs);
        for (int k = 0; k < 3; k++) {
            s->w[k] = f->w[k];
            s->wi[k] = (int32_t)f->w[k];
        }
        s->n3 = f->n3;
        s->tilted = c->features[nd->feat].tilted;
        s->thr = nd->thr;
        s->leaf[0] = c->leaves[tr->first_leaf - nd->left];
        s->leaf[1] = c->leaves[tr->first_leaf - nd->right];
    }
    for (int si = 0; si < c->nstages; si++) {
        double mx = 0, mn = 0;
        for (int t = c->stages[si].first_tree + c->stages[si].ntrees - 1; t >= c->stages[si].first_tree; t--) {
            out[t].rem_max = mx;
            out[t].rem_min = mn;
            mx += (double)fmaxf(out[t].leaf[0], out[t].leaf[1]);
            mn += (double)fminf(out[t].leaf[0], out[t].leaf[1]);
        }
    }
}

static void set_offsets(const vh_cascade *c, size_t stride, opt_feature *of) {
    for (int i = 0; i < c->nfeatures; i++) {
        const vh__haar_feature *f = &c->features[i];
        memset(&of[i], 0, sizeof of[i]);
        for (int k = 0; k < 3; k++) {
            const vh__haar_rect *r = &f->r[k];
            if (k >= f->nrects) { of[i].w[k] = 0.f; continue; }
            of[i].w[k] = r->weight;
            int st = (int)stride;
            if (f->tilted) {
                of[i].ofs[k][0] = r->x + st * r->y;
                of[i].ofs[k][1] = r->x - r->h + st * (r->y + r->h);
                of[i].ofs[k][2] = r->x + r->w + st * (r->y + r->w);
                of[i].ofs[k][3] = r->x + r->w - r->h + st * (r->y + r->w + r->h);
            } else {
                of[i].ofs[k][0] = r->x + st * r->y;
                of[i].ofs[k][1] = r->x + r->w + st * r->y;
                of[i].ofs[k][2] = r->x + st * (r->y + r->h);
                of[i].ofs[k][3] = r->x + r->w + st * (r->y + r->h);
            }
        }
        of[i].n3 = f->nrects >= 3 && of[i].w[2] != 0.0f;
    }
}

static int cmp_box(const void *a, const void *b) {
    const vh_box *p = a, *q = b;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->w != q->w) return p->w < q->w ? -1 : 1;
    return (p->h > q->h) - (p->h < q->h);
}

#define MAX_SCALES 100000

int vh_cascade_detect(const vh_cascade *c, const vh_image *img, const vh_detect_params *params,
                      vh_box **boxes, size_t *count) {
    if (boxes) *boxes = NULL;
    if (count) *count = 0;
    if (!c || !img || !boxes || !count) return vh__fail(NULL, VH_EINVAL, "vh_cascade_detect: NULL argument");
    if (!img->data || img->w <= 0 || img->h <= 0 || (img->c != 1 && img->c != 3 && img->c != 4))
        return vh__fail(NULL, VH_EINVAL, "vh_cascade_detect: empty image or unsupported channel count %d", img->c);
    vh_detect_params p = params ? *params : vh_detect_default_params();
    if (!(p.scale_factor > 1.0) || !isfinite(p.scale_factor))
        return vh__fail(NULL, VH_EINVAL, "vh_cascade_detect: scale factor %g must be > 1", p.scale_factor);
    if (p.min_w < 0 || p.min_h < 0 || p.max_w < 0 || p.max_h < 0 || p.min_neighbors < 0)
        return vh__fail(NULL, VH_EINVAL, "vh_cascade_detect: negative size or neighbour count");

    vh_image gray;
    memset(&gray, 0, sizeof gray);
    const vh_image *g = img;
    if (img->c != 1) {
        int st = vh_image_to_gray(img, &gray);
        if (st) return st;
        g = &gray;
    }
    const int W = g->w, H = g->h, ww = c->win_w, wh = c->win_h;
    int maxw = p.max_w, maxh = p.max_h;
    if (maxw == 0 || maxh == 0) { maxw = W; maxh = H; }
    int st = VH_OK;
    float *scales = NULL;
    int nsc = 0;
    if (W >= ww && H >= wh) {
        /* All scales whose window fits the image (double factor, kept as float),
         * then the ones within [min, max] size (with the float factor). */
        double span = fmin((double)W / ww, (double)H / wh);
        double est = ceil(log(span + 1.0) / log(p.scale_factor)) + 2.0;
        if (est > MAX_SCALES) {
            vh_image_free(&gray);
            return vh__fail(NULL, VH_ERANGE, "vh_cascade_detect: scale factor %g gives over %d scales", p.scale_factor,
                            MAX_SCALES);
        }
        scales = malloc(sizeof *scales * (size_t)est);
        if (!scales) {
            vh_image_free(&gray);
            return vh__fail(NULL, VH_ENOMEM, "vh_cascade_detect: out of memory");
        }
        int nall = 0;
        for (double f = 1.0; nall < (int)est; f *= p.scale_factor) {
            long sw = lrint((double)ww * f), sh = lrint((double)wh * f);
            if (sw > W || sh > H) break;
            scales[nall++] = (float)f;
        }
        for (int i = 0; i < nall; i++) {
            long sw = lrintf((float)ww * scales[i]), sh = lrintf((float)wh * scales[i]);
            if (sw > maxw || sh > maxh) break;
            if (sw < p.min_w || sh < p.min_h) continue;
            scales[nsc++] = scales[i];
        }
    }
    hits all_hits = {0};
    int nitems = 64;
    hits *per = NULL;
    uint8_t *layer = NULL;
    uint32_t *sum = NULL, *tilt = NULL, *sq = NULL;
    opt_feature *of = NULL;
    stump *stumps = NULL;
    void *scratch = NULL;
    const int use_stumps = c->max_nodes == 1, intw = integer_weights(c);
    if (nsc > 0) {
        /* Buffers sized for the first (largest) layer. */
        int lw = (int)lrintf((float)W / scales[0]), lh = (int)lrintf((float)H / scales[0]);
        size_t stride = (size_t)lw + 1, n;
        if (vh__mul_size(stride, (size_t)lh + 1, &n)) { st = vh__fail(NULL, VH_ERANGE, "vh_cascade_detect: image too large"); goto done; }
        layer = malloc((size_t)lw * (size_t)lh);
        sum = malloc(n * sizeof *sum);
        sq = malloc(n * sizeof *sq);
        if (c->tilted) tilt = malloc(n * sizeof *tilt);
        of = malloc(sizeof *of * (size_t)c->nfeatures);
        if (use_stumps) stumps = malloc(sizeof *stumps * (size_t)c->ntrees);
        scratch = malloc(vh__resize_exact_scratch(lw, lh));
        per = calloc((size_t)nitems, sizeof *per);
        if (!layer || !sum || !sq || (c->tilted && !tilt) || !of || !scratch || !per || (use_stumps && !stumps)) {
            st = vh__fail(NULL, VH_ENOMEM, "vh_cascade_detect: out of memory for a %dx%d image", W, H);
            goto done;
        }
    }
    for (int si = 0; si < nsc; si++) {
        float sc = scales[si];
        int lw = (int)lrintf((float)W / sc), lh = (int)lrintf((float)H / sc);
        if (lw < ww || lh < wh) continue;
        size_t stride = (size_t)lw + 1;
        vh__resize_exact(g->data, g->stride, W, H, layer, (size_t)lw, lw, lh, scratch);
        if ((st = vh__integral(layer, (size_t)lw, lw, lh, stride, sum, sq, tilt))) goto done;
        set_offsets(c, stride, of);
        if (use_stumps) set_stumps(c, of, stumps);
        scan_ctx s;
        memset(&s, 0, sizeof s);
        s.c = c;
        s.feat = of;
        s.stumps = stumps;
        s.intw = intw;
        s.sum = sum;
        s.sq = sq;
        s.tilt = tilt;
        s.stride = stride;
        int nx = 1, ny = 1, nw = ww - 2, nh = wh - 2;
        s.nofs[0] = nx + (int)stride * ny;
        s.nofs[1] = nx + nw + (int)stride * ny;
        s.nofs[2] = nx + (int)stride * (ny + nh);
        s.nofs[3] = nx + nw + (int)stride * (ny + nh);
        s.area = (double)nw * (double)nh;
        s.nf_min = nf_threshold(s.area);
        s.xmax = lw - ww;
        s.ymax = lh - wh;
        s.ystep = sc >= 2.0f ? 1 : 2;
        s.scale = sc;
        s.winw = (int)lrintf((float)ww * sc);
        s.winh = (int)lrintf((float)wh * sc);
        s.out = per;
        int nrows = s.ymax / s.ystep + 1;
        s.nitems = nrows < nitems ? nrows : nitems;
        vh_parallel_for((size_t)s.nitems, 1, scan_rows, &s);
    }
    for (int i = 0; i < nitems && per; i++) {
        if (per[i].failed) { st = vh__fail(NULL, VH_ENOMEM, "vh_cascade_detect: out of memory for hits"); goto done; }
        for (size_t k = 0; k < per[i].n; k++) {
            const vh_box *b = &per[i].b[k];
            hits_push(&all_hits, b->x, b->y, b->w, b->h);
        }
    }
    if (all_hits.failed) { st = vh__fail(NULL, VH_ENOMEM, "vh_cascade_detect: out of memory for hits"); goto done; }
    /* Deterministic order before grouping (hits arrive per item). */
    if (all_hits.n > 1) qsort(all_hits.b, all_hits.n, sizeof *all_hits.b, cmp_box);
    size_t n = all_hits.n;
    if (p.min_neighbors > 0 && (st = vh_group_boxes(all_hits.b, &n, p.min_neighbors, 0.2))) goto done;
    /* Clip to the image, drop empties. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        vh_box b = all_hits.b[i];
        int x0 = VH_MAX(b.x, 0), y0 = VH_MAX(b.y, 0);
        int x1 = VH_MIN(b.x + b.w, W), y1 = VH_MIN(b.y + b.h, H);
        if (x1 <= x0 || y1 <= y0) continue;
        b.x = x0; b.y = y0; b.w = x1 - x0; b.h = y1 - y0;
        all_hits.b[k++] = b;
    }
    if (k > 1) qsort(all_hits.b, k, sizeof *all_hits.b, cmp_box);
    if (k > 0) {
        *boxes = all_hits.b;
        *count = k;
        all_hits.b = NULL;
    }
done:
    free(all_hits.b);
    if (per)
        for (int i = 0; i < nitems; i++) free(per[i].b);
    free(per);
    free(layer);
    free(sum);
    free(sq);
    free(tilt);
    free(of);
    free(stumps);
    free(scratch);
    free(scales);
    vh_image_free(&gray);
    return st;
}

/* ---- groupRectangles ---- */

static int find_root(int *parent, int i) {
    int r = i;
    while (parent[r] != r) r = parent[r];
    while (parent[i] != r) { int nx = parent[i]; parent[i] = r; i = nx; }
    return r;
}

static int similar(const vh_box *a, const vh_box *b, double eps) {
    double d = eps * (double)(VH_MIN(a->w, b->w) + VH_MIN(a->h, b->h)) * 0.5;
    return abs(a->x - b->x) <= d && abs(a->y - b->y) <= d && abs(a->x + a->w - b->x - b->w) <= d &&
           abs(a->y + a->h - b->y - b->h) <= d;
}

int vh_group_boxes(vh_box *boxes, size_t *n, int min_neighbors, double eps) {
    size_t N = *n;
    if (min_neighbors <= 0 || N == 0) return VH_OK;
    if (N > (size_t)1 << 26) return vh__fail(NULL, VH_ERANGE, "vh_group_boxes: too many boxes (%zu)", N);
    int *parent = malloc(N * sizeof *parent), *label = malloc(N * sizeof *label);
    long long *acc = calloc(N * 4, sizeof *acc);
    int *cnt = calloc(N, sizeof *cnt);
    vh_box *cls = malloc(N * sizeof *cls);
    if (!parent || !label || !acc || !cnt || !cls) {
        free(parent); free(label); free(acc); free(cnt); free(cls);
        return vh__fail(NULL, VH_ENOMEM, "vh_group_boxes: out of memory");
    }
    for (size_t i = 0; i < N; i++) parent[i] = (int)i;
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++)
            if (similar(&boxes[i], &boxes[j], eps)) {
                int a = find_root(parent, (int)i), b = find_root(parent, (int)j);
                if (a != b) parent[a < b ? b : a] = a < b ? a : b;
            }
    /* Classes numbered by first member. */
    int ncls = 0;
    for (size_t i = 0; i < N; i++) label[i] = -1;
    for (size_t i = 0; i < N; i++) {
        int r = find_root(parent, (int)i);
        if (label[r] < 0) label[r] = ncls++;
        int k = label[r];
        acc[4 * k] += boxes[i].x;
        acc[4 * k + 1] += boxes[i].y;
        acc[4 * k + 2] += boxes[i].w;
        acc[4 * k + 3] += boxes[i].h;
        cnt[k]++;
    }
    for (int k = 0; k < ncls; k++) {
        /* OpenCV: float s = 1/n, saturate_cast<int>(sum * s) (round to nearest even). */
        float s = 1.0f / (float)cnt[k];
        cls[k].x = (int)lrintf((float)acc[4 * k] * s);
        cls[k].y = (int)lrintf((float)acc[4 * k + 1] * s);
        cls[k].w = (int)lrintf((float)acc[4 * k + 2] * s);
        cls[k].h = (int)lrintf((float)acc[4 * k + 3] * s);
        cls[k].neighbors = cnt[k];
    }
    size_t out = 0;
    for (int i = 0; i < ncls; i++) {
        const vh_box *r1 = &cls[i];
        int n1 = cnt[i];
        if (n1 <= min_neighbors) continue;
        int j;
        for (j = 0; j < ncls; j++) {
            int n2 = cnt[j];
            if (j == i || n2 <= min_neighbors) continue;
            const vh_box *r2 = &cls[j];
            int dx = (int)lrint(r2->w * eps), dy = (int)lrint(r2->h * eps);
            if (r1->x >= r2->x - dx && r1->y >= r2->y - dy && r1->x + r1->w <= r2->x + r2->w + dx &&
                r1->y + r1->h <= r2->y + r2->h + dy && (n2 > VH_MAX(3, n1) || n1 < 3))
                break;
        }
        if (j == ncls) boxes[out++] = *r1;
    }
    *n = out;
    free(parent); free(label); free(acc); free(cnt); free(cls);
    return VH_OK;
}

double vh_box_iou(const vh_box *a, const vh_box *b) {
    if (a->w <= 0 || a->h <= 0 || b->w <= 0 || b->h <= 0) return 0.0;
    double ix = (double)VH_MIN(a->x + a->w, b->x + b->w) - (double)VH_MAX(a->x, b->x);
    double iy = (double)VH_MIN(a->y + a->h, b->y + b->h) - (double)VH_MAX(a->y, b->y);
    if (ix <= 0 || iy <= 0) return 0.0;
    double in = ix * iy;
    return in / ((double)a->w * a->h + (double)b->w * b->h - in);
}
