/* OpenCV Haar cascade XML reader (libxml2): new format (traincascade) and old
 * format (haartraining, converted on load like OpenCV's haar_cvt), with every
 * count, index, rectangle and number validated. See FORMATS.md §2a. */
#define _POSIX_C_SOURCE 200809L
#include "face/face_internal.h"
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define MAX_FILE_BYTES ((size_t)256 << 20)

/* ---- growable arrays ---- */
typedef struct vec { void *p; size_t n, cap, esz; } vec;

static void *vec_push(vec *v) {
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64, bytes;
        if (nc > VH__CASC_MAX_ITEMS || vh__mul_size(nc, v->esz, &bytes)) return NULL;
        void *np = realloc(v->p, bytes);
        if (!np) return NULL;
        v->p = np;
        v->cap = nc;
    }
    return (char *)v->p + v->esz * v->n++;
}

typedef struct loader {
    const char *name;
    int status;
    vec stages, trees, nodes, leaves, features;
    double nums[64]; /* scratch for short number lists */
} loader;

static int fail_at(loader *L, const xmlNode *n, int st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int fail_at(loader *L, const xmlNode *n, int st, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    long line = n ? xmlGetLineNo(n) : 0;
    if (line > 0) vh__fail(NULL, st, "%s:%ld: %s", L->name, line, msg);
    else vh__fail(NULL, st, "%s: %s", L->name, msg);
    L->status = st;
    return st;
}

static int is_el(const xmlNode *n) { return n && n->type == XML_ELEMENT_NODE; }

static const xmlNode *child(const xmlNode *n, const char *name) {
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c) && strcmp((const char *)c->name, name) == 0) return c;
    return NULL;
}

static const xmlNode *need(loader *L, const xmlNode *n, const char *name) {
    const xmlNode *c = child(n, name);
    if (!c) fail_at(L, n, VH_EFORMAT, "expected <%s> in <%s>", name, (const char *)n->name);
    return c;
}

/* Element children that are sequence items <_>; anything else is an error. */
static int seq_count(loader *L, const xmlNode *n, size_t *count) {
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE)
            return fail_at(L, c, VH_EFORMAT, "unexpected entity reference in <%s>", (const char *)n->name);
        if (!is_el(c)) continue;
        if (strcmp((const char *)c->name, "_") != 0)
            return fail_at(L, c, VH_EFORMAT, "expected <_> sequence item in <%s>, got <%s>",
                           (const char *)n->name, (const char *)c->name);
        k++;
    }
    *count = k;
    return VH_OK;
}

static const xmlNode *next_item(const xmlNode *c) {
    for (; c; c = c->next)
        if (is_el(c)) return c;
    return NULL;
}

/* Reads the numbers of a flow sequence ("1 2 3.5") or a block sequence of <_>
 * scalars into `out` (capacity cap). Appends to *n. */
static int read_numbers_rec(loader *L, const xmlNode *n, double *out, size_t cap, size_t *cnt, vec *dyn, int depth) {
    if (depth > 2) return fail_at(L, n, VH_EFORMAT, "numbers nested too deeply in <%s>", (const char *)n->name);
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE)
            return fail_at(L, c, VH_EFORMAT, "unexpected entity reference in <%s>", (const char *)n->name);
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *s = (const char *)c->content;
            while (s && *s) {
                while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
                if (!*s) break;
                char *end;
                errno = 0;
                double v = strtod(s, &end);
                if (end == s || (*end && *end != ' ' && *end != '\t' && *end != '\n' && *end != '\r'))
                    return fail_at(L, c, VH_EFORMAT, "expected a number in <%s>, got \"%.20s\"",
                                   (const char *)n->name, s);
                if (dyn) {
                    double *d = vec_push(dyn);
                    if (!d) return fail_at(L, c, VH_ENOMEM, "out of memory reading <%s>", (const char *)n->name);
                    *d = v;
                } else {
                    if (*cnt >= cap)
                        return fail_at(L, c, VH_EFORMAT, "too many numbers in <%s> (at most %zu expected)",
                                       (const char *)n->name, cap);
                    out[*cnt] = v;
                }
                (*cnt)++;
                s = end;
            }
        } else if (is_el(c)) {
            if (strcmp((const char *)c->name, "_") != 0)
                return fail_at(L, c, VH_EFORMAT, "expected numbers in <%s>, got element <%s>",
                               (const char *)n->name, (const char *)c->name);
            int st = read_numbers_rec(L, c, out, cap, cnt, dyn, depth + 1);
            if (st) return st;
        }
    }
    return VH_OK;
}

static int read_small(loader *L, const xmlNode *n, size_t cap, size_t *cnt) {
    *cnt = 0;
    return read_numbers_rec(L, n, L->nums, cap, cnt, NULL, 0);
}

static int get_int(loader *L, const xmlNode *n, long lo, long hi, int *out) {
    size_t k;
    if (read_small(L, n, 1, &k)) return L->status;
    if (k != 1) return fail_at(L, n, VH_EFORMAT, "expected one integer in <%s>", (const char *)n->name);
    double v = L->nums[0];
    if (!(v == floor(v)) || v < (double)lo || v > (double)hi)
        return fail_at(L, n, VH_EFORMAT, "expected an integer in [%ld, %ld] in <%s>, got %g", lo, hi,
                       (const char *)n->name, v);
    *out = (int)v;
    return VH_OK;
}

static int get_float(loader *L, const xmlNode *n, float *out) {
    size_t k;
    if (read_small(L, n, 1, &k)) return L->status;
    if (k != 1) return fail_at(L, n, VH_EFORMAT, "expected one number in <%s>", (const char *)n->name);
    double v = L->nums[0];
    if (!isfinite(v) || fabs(v) > FLT_MAX)
        return fail_at(L, n, VH_EFORMAT, "expected a finite number in <%s>, got %g", (const char *)n->name, v);
    *out = (float)v;
    return VH_OK;
}

static int text_is(const xmlNode *n, const char *want) {
    const xmlNode *t = n->children;
    for (; t && t->type != XML_TEXT_NODE; t = t->next) {}
    if (!t || !t->content) return 0;
    const char *s = (const char *)t->content;
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '"') s++;
    size_t k = strlen(want);
    if (strncmp(s, want, k) != 0) return 0;
    s += k;
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '"') s++;
    return *s == 0;
}

/* One feature: <rects> with 1..3 "x y w h weight" items, optional <tilted>. */
static int read_feature(loader *L, const xmlNode *fn, int W, int H, int drop_tiny_third) {
    const xmlNode *rn = need(L, fn, "rects");
    if (!rn) return L->status;
    size_t nr;
    if (seq_count(L, rn, &nr)) return L->status;
    if (nr < 1 || nr > 3) return fail_at(L, rn, VH_EFORMAT, "expected 1 to 3 rects in a feature, got %zu", nr);
    vh__haar_feature f;
    memset(&f, 0, sizeof f);
    const xmlNode *tn = child(fn, "tilted");
    if (tn) {
        int t;
        if (get_int(L, tn, 0, 1, &t)) return L->status;
        f.tilted = t;
    }
    const xmlNode *it = next_item(rn->children);
    for (size_t i = 0; i < nr; i++, it = next_item(it->next)) {
        size_t k;
        if (read_small(L, it, 5, &k)) return L->status;
        if (k != 5) return fail_at(L, it, VH_EFORMAT, "expected rect \"x y w h weight\" (5 numbers), got %zu", k);
        double *v = L->nums;
        for (int j = 0; j < 4; j++)
            if (!(v[j] == floor(v[j])) || fabs(v[j]) > VH__CASC_MAX_WIN * 4)
                return fail_at(L, it, VH_EFORMAT, "rect coordinate %g is not a small integer", v[j]);
        if (!isfinite(v[4]) || fabs(v[4]) > 1e6)
            return fail_at(L, it, VH_EFORMAT, "rect weight %g is not a finite number", v[4]);
        vh__haar_rect r = {(int)v[0], (int)v[1], (int)v[2], (int)v[3], (float)v[4]};
        if (drop_tiny_third && i >= 2 && fabs(r.weight) < FLT_EPSILON) continue;
        int inside = f.tilted ? (r.w > 0 && r.h > 0 && r.y >= 0 && r.x - r.h >= 0 && r.x + r.w <= W &&
                                 r.y + r.w + r.h <= H)
                              : (r.w > 0 && r.h > 0 && r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H);
        if (!inside)
            return fail_at(L, it, VH_EFORMAT, "%srect (%d %d %d %d) is not inside the %dx%d window",
                           f.tilted ? "tilted " : "", r.x, r.y, r.w, r.h, W, H);
        f.r[f.nrects++] = r;
    }
    vh__haar_feature *dst = vec_push(&L->features);
    if (!dst) return fail_at(L, fn, VH_ENOMEM, "out of memory");
    *dst = f;
    return VH_OK;
}

/* Checks a tree's child references: >0 is an internal node after this one,
 * <=0 a leaf index -v below nleaves. Children after parents → no cycles. */
static int check_tree(loader *L, const xmlNode *where, int first, int nn, int nleaves) {
    const vh__node *nodes = (const vh__node *)L->nodes.p + first;
    for (int i = 0; i < nn; i++) {
        int ch[2] = {nodes[i].left, nodes[i].right};
        for (int s = 0; s < 2; s++) {
            int c = ch[s];
            if (c > 0) {
                if (c >= nn || c <= i)
                    return fail_at(L, where, VH_EFORMAT,
                                   "node %d: child %d must be a later node of this %d-node tree", i, c, nn);
            } else if (-c >= nleaves) {
                return fail_at(L, where, VH_EFORMAT, "node %d: leaf %d out of range (%d leaves)", i, -c, nleaves);
            }
        }
    }
    return VH_OK;
}

static int add_stage(loader *L, const xmlNode *where, int first_tree, int ntrees, float thr) {
    vh__stage *s = vec_push(&L->stages);
    if (!s) return fail_at(L, where, VH_ENOMEM, "out of memory");
    s->first_tree = first_tree;
    s->ntrees = ntrees;
    s->thr = thr - 1e-5f;
    return VH_OK;
}

/* ---- new format ---- */
static int read_new(loader *L, const xmlNode *root, int *W, int *H) {
    const xmlNode *n;
    if (!(n = need(L, root, "stageType"))) return L->status;
    if (!text_is(n, "BOOST")) return fail_at(L, n, VH_EUNSUPPORTED, "expected stageType BOOST");
    if (!(n = need(L, root, "featureType"))) return L->status;
    if (!text_is(n, "HAAR"))
        return fail_at(L, n, VH_EUNSUPPORTED, "only featureType HAAR is supported (LBP/HOG are not)");
    if (!(n = need(L, root, "width")) || get_int(L, n, 1, VH__CASC_MAX_WIN, W)) return L->status;
    if (!(n = need(L, root, "height")) || get_int(L, n, 1, VH__CASC_MAX_WIN, H)) return L->status;
    if (*W < 3 || *H < 3) return fail_at(L, n, VH_EFORMAT, "window %dx%d is smaller than 3x3", *W, *H);
    const xmlNode *fp = need(L, root, "featureParams");
    if (!fp) return L->status;
    const xmlNode *mc = child(fp, "maxCatCount");
    if (mc) {
        int cats;
        if (get_int(L, mc, 0, 1 << 20, &cats)) return L->status;
        if (cats != 0) return fail_at(L, mc, VH_EUNSUPPORTED, "categorical (LBP) features are not supported");
    }
    const xmlNode *sn = need(L, root, "stages");
    if (!sn) return L->status;
    size_t nst;
    if (seq_count(L, sn, &nst)) return L->status;
    if (nst == 0) return fail_at(L, sn, VH_EFORMAT, "expected at least one stage in <stages>");
    if (nst > VH__CASC_MAX_STAGES) return fail_at(L, sn, VH_ERANGE, "too many stages (%zu)", nst);
    const xmlNode *num = child(root, "stageNum");
    if (num) {
        int k;
        if (get_int(L, num, 0, INT_MAX, &k)) return L->status;
        if ((size_t)k != nst) return fail_at(L, num, VH_EFORMAT, "stageNum %d but %zu stages present", k, nst);
    }
    vec vals = {NULL, 0, 0, sizeof(double)};
    for (const xmlNode *st = next_item(sn->children); st; st = next_item(st->next)) {
        const xmlNode *tn = need(L, st, "stageThreshold");
        float thr;
        if (!tn || get_float(L, tn, &thr)) goto fail;
        const xmlNode *wc = need(L, st, "weakClassifiers");
        if (!wc) goto fail;
        size_t nw;
        if (seq_count(L, wc, &nw)) goto fail;
        if (nw == 0) { fail_at(L, wc, VH_EFORMAT, "expected at least one weak classifier"); goto fail; }
        const xmlNode *mw = child(st, "maxWeakCount");
        if (mw) {
            int k;
            if (get_int(L, mw, 0, INT_MAX, &k)) goto fail;
            if ((size_t)k != nw) {
                fail_at(L, mw, VH_EFORMAT, "maxWeakCount %d but %zu weak classifiers present", k, nw);
                goto fail;
            }
        }
        int first_tree = (int)L->trees.n;
        for (const xmlNode *w = next_item(wc->children); w; w = next_item(w->next)) {
            const xmlNode *in = need(L, w, "internalNodes");
            if (!in) goto fail;
            const xmlNode *lv = need(L, w, "leafValues");
            if (!lv) goto fail;
            size_t k = 0;
            vals.n = 0;
            if (read_numbers_rec(L, in, NULL, 0, &k, &vals, 0)) goto fail;
            if (k == 0 || k % 4 != 0) {
                fail_at(L, in, VH_EFORMAT, "expected <internalNodes> in groups of 4 (left right feature threshold), got %zu numbers", k);
                goto fail;
            }
            size_t nn = k / 4;
            if (nn > VH__CASC_MAX_NODES_PER_TREE) { fail_at(L, in, VH_ERANGE, "tree with %zu nodes", nn); goto fail; }
            int first_node = (int)L->nodes.n;
            const double *v = vals.p;
            for (size_t i = 0; i < nn; i++, v += 4) {
                for (int j = 0; j < 3; j++)
                    if (!(v[j] == floor(v[j])) || fabs(v[j]) > INT_MAX / 2) {
                        fail_at(L, in, VH_EFORMAT, "expected integer node reference/feature index in <internalNodes>, got %g", v[j]);
                        goto fail;
                    }
                if (!isfinite(v[3]) || fabs(v[3]) > FLT_MAX) {
                    fail_at(L, in, VH_EFORMAT, "expected a finite node threshold, got %g", v[3]);
                    goto fail;
                }
                vh__node *nd = vec_push(&L->nodes);
                if (!nd) { fail_at(L, in, VH_ENOMEM, "out of memory"); goto fail; }
                nd->left = (int)v[0];
                nd->right = (int)v[1];
                nd->feat = (int)v[2];
                nd->thr = (float)v[3];
                if (nd->feat < 0) { fail_at(L, in, VH_EFORMAT, "negative feature index %d", nd->feat); goto fail; }
            }
            size_t nl = 0;
            vals.n = 0;
            if (read_numbers_rec(L, lv, NULL, 0, &nl, &vals, 0)) goto fail;
            if (nl != nn + 1) {
                fail_at(L, lv, VH_EFORMAT, "expected %zu leaf values for a %zu-node tree, got %zu", nn + 1, nn, nl);
                goto fail;
            }
            int first_leaf = (int)L->leaves.n;
            for (size_t i = 0; i < nl; i++) {
                double x = ((const double *)vals.p)[i];
                if (!isfinite(x) || fabs(x) > FLT_MAX) { fail_at(L, lv, VH_EFORMAT, "expected finite leaf values, got %g", x); goto fail; }
                float *f = vec_push(&L->leaves);
                if (!f) { fail_at(L, lv, VH_ENOMEM, "out of memory"); goto fail; }
                *f = (float)x;
            }
            if (check_tree(L, in, first_node, (int)nn, (int)nl)) goto fail;
            vh__tree *t = vec_push(&L->trees);
            if (!t) { fail_at(L, w, VH_ENOMEM, "out of memory"); goto fail; }
            t->first_node = first_node;
            t->nnodes = (int)nn;
            t->first_leaf = first_leaf;
        }
        if (add_stage(L, st, first_tree, (int)nw, thr)) goto fail;
    }
    free(vals.p);
    vals.p = NULL;
    const xmlNode *fs = need(L, root, "features");
    if (!fs) return L->status;
    size_t nf;
    if (seq_count(L, fs, &nf)) return L->status;
    for (const xmlNode *f = next_item(fs->children); f; f = next_item(f->next))
        if (read_feature(L, f, *W, *H, 0)) return L->status;
    return VH_OK;
fail:
    free(vals.p);
    return L->status;
}

/* ---- old format ---- */
static int read_old(loader *L, const xmlNode *root, int *W, int *H) {
    const xmlNode *sz = need(L, root, "size");
    if (!sz) return L->status;
    size_t k;
    if (read_small(L, sz, 2, &k)) return L->status;
    if (k != 2) return fail_at(L, sz, VH_EFORMAT, "expected <size> \"W H\"");
    for (int i = 0; i < 2; i++)
        if (!(L->nums[i] == floor(L->nums[i])) || L->nums[i] < 3 || L->nums[i] > VH__CASC_MAX_WIN)
            return fail_at(L, sz, VH_EFORMAT, "window size %g out of range [3, %d]", L->nums[i], VH__CASC_MAX_WIN);
    *W = (int)L->nums[0];
    *H = (int)L->nums[1];
    const xmlNode *sn = need(L, root, "stages");
    if (!sn) return L->status;
    size_t nst;
    if (seq_count(L, sn, &nst)) return L->status;
    if (nst == 0) return fail_at(L, sn, VH_EFORMAT, "expected at least one stage in <stages>");
    if (nst > VH__CASC_MAX_STAGES) return fail_at(L, sn, VH_ERANGE, "too many stages (%zu)", nst);
    for (const xmlNode *st = next_item(sn->children); st; st = next_item(st->next)) {
        const xmlNode *tn = need(L, st, "stage_threshold");
        float thr;
        if (!tn || get_float(L, tn, &thr)) return L->status;
        const xmlNode *trees = need(L, st, "trees");
        if (!trees) return L->status;
        size_t nt;
        if (seq_count(L, trees, &nt)) return L->status;
        if (nt == 0) return fail_at(L, trees, VH_EFORMAT, "expected at least one tree in <trees>");
        int first_tree = (int)L->trees.n;
        for (const xmlNode *tr = next_item(trees->children); tr; tr = next_item(tr->next)) {
            size_t nn;
            if (seq_count(L, tr, &nn)) return L->status;
            if (nn == 0) return fail_at(L, tr, VH_EFORMAT, "expected at least one node in a tree");
            if (nn > VH__CASC_MAX_NODES_PER_TREE) return fail_at(L, tr, VH_ERANGE, "tree with %zu nodes", nn);
            int first_node = (int)L->nodes.n, first_leaf = (int)L->leaves.n, nleaf = 0;
            for (const xmlNode *nd = next_item(tr->children); nd; nd = next_item(nd->next)) {
                const xmlNode *fe = need(L, nd, "feature");
                if (!fe) return L->status;
                int fidx = (int)L->features.n;
                if (read_feature(L, fe, *W, *H, 1)) return L->status;
                const xmlNode *th = need(L, nd, "threshold");
                float t;
                if (!th || get_float(L, th, &t)) return L->status;
                int ref[2];
                static const char *vn[2] = {"left_val", "right_val"}, *nn2[2] = {"left_node", "right_node"};
                for (int s = 0; s < 2; s++) {
                    const xmlNode *v = child(nd, vn[s]);
                    if (v) {
                        float leaf;
                        if (get_float(L, v, &leaf)) return L->status;
                        float *lp = vec_push(&L->leaves);
                        if (!lp) return fail_at(L, v, VH_ENOMEM, "out of memory");
                        *lp = leaf;
                        ref[s] = -nleaf++;
                    } else {
                        const xmlNode *c = child(nd, nn2[s]);
                        if (!c) return fail_at(L, nd, VH_EFORMAT, "expected <%s> or <%s>", vn[s], nn2[s]);
                        if (get_int(L, c, 1, VH__CASC_MAX_NODES_PER_TREE, &ref[s])) return L->status;
                    }
                }
                vh__node *p = vec_push(&L->nodes);
                if (!p) return fail_at(L, nd, VH_ENOMEM, "out of memory");
                p->feat = fidx;
                p->thr = t;
                p->left = ref[0];
                p->right = ref[1];
            }
            if ((size_t)nleaf != nn + 1)
                return fail_at(L, tr, VH_EFORMAT, "a %zu-node tree must have %zu leaves, has %d", nn, nn + 1, nleaf);
            if (check_tree(L, tr, first_node, (int)nn, nleaf)) return L->status;
            vh__tree *t = vec_push(&L->trees);
            if (!t) return fail_at(L, tr, VH_ENOMEM, "out of memory");
            t->first_node = first_node;
            t->nnodes = (int)nn;
            t->first_leaf = first_leaf;
        }
        if (add_stage(L, st, first_tree, (int)nt, thr)) return L->status;
    }
    return VH_OK;
}

static void loader_free(loader *L) {
    free(L->stages.p);
    free(L->trees.p);
    free(L->nodes.p);
    free(L->leaves.p);
    free(L->features.p);
}

int vh_cascade_load_mem(const void *buf, size_t len, const char *name, vh_cascade **out) {
    if (out) *out = NULL;
    if (!name) name = "<memory>";
    if (!buf || !out) return vh__fail(NULL, VH_EINVAL, "%s: NULL argument", name);
    if (len > MAX_FILE_BYTES || len > INT_MAX) return vh__fail(NULL, VH_ERANGE, "%s: file too large (%zu bytes)", name, len);
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    if (!ctx) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, buf, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctx);
        char msg[200] = "not well-formed XML";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t k = strlen(msg);
            while (k && (msg[k - 1] == '\n' || msg[k - 1] == ' ')) msg[--k] = 0;
        }
        int line = e ? e->line : 0;
        xmlFreeParserCtxt(ctx);
        return vh__fail(NULL, VH_EFORMAT, "%s:%d: not a cascade: XML error: %s", name, line, msg);
    }
    loader L;
    memset(&L, 0, sizeof L);
    L.name = name;
    L.stages.esz = sizeof(vh__stage);
    L.trees.esz = sizeof(vh__tree);
    L.nodes.esz = sizeof(vh__node);
    L.leaves.esz = sizeof(float);
    L.features.esz = sizeof(vh__haar_feature);
    int W = 0, H = 0, old = 0, st = VH_OK;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *top = root ? next_item(root->children) : NULL;
    if (!root || strcmp((const char *)root->name, "opencv_storage") != 0) {
        st = fail_at(&L, root, VH_EFORMAT, "not a cascade: expected root element <opencv_storage>");
    } else if (!top) {
        st = fail_at(&L, root, VH_EFORMAT, "not a cascade: <opencv_storage> is empty");
    } else {
        xmlChar *tid = xmlGetProp(top, (const xmlChar *)"type_id");
        if (tid && strcmp((const char *)tid, "opencv-haar-classifier") == 0) old = 1;
        else if (!(strcmp((const char *)top->name, "cascade") == 0 &&
                   (!tid || strcmp((const char *)tid, "opencv-cascade-classifier") == 0)))
            st = fail_at(&L, top, VH_EFORMAT,
                         "not a cascade: expected <cascade type_id=\"opencv-cascade-classifier\"> or an "
                         "\"opencv-haar-classifier\" node, got <%s>", (const char *)top->name);
        xmlFree(tid);
        if (!st) st = old ? read_old(&L, top, &W, &H) : read_new(&L, top, &W, &H);
    }
    /* Cross-checks: feature indices, tree/node/leaf totals. */
    if (!st) {
        const vh__node *nodes = L.nodes.p;
        for (size_t i = 0; i < L.nodes.n && !st; i++)
            if ((size_t)nodes[i].feat >= L.features.n)
                st = fail_at(&L, top, VH_EFORMAT, "feature index %d out of range (%zu features)", nodes[i].feat,
                             L.features.n);
    }
    vh_cascade *c = NULL;
    if (!st) {
        c = calloc(1, sizeof *c);
        if (!c) st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    }
    if (!st) {
        c->win_w = W;
        c->win_h = H;
        c->old_format = old;
        c->nstages = (int)L.stages.n;
        c->ntrees = (int)L.trees.n;
        c->nnodes = (int)L.nodes.n;
        c->nleaves = (int)L.leaves.n;
        c->nfeatures = (int)L.features.n;
        c->stages = L.stages.p;
        c->trees = L.trees.p;
        c->nodes = L.nodes.p;
        c->leaves = L.leaves.p;
        c->features = L.features.p;
        memset(&L.stages, 0, sizeof L.stages);
        memset(&L.trees, 0, sizeof L.trees);
        memset(&L.nodes, 0, sizeof L.nodes);
        memset(&L.leaves, 0, sizeof L.leaves);
        memset(&L.features, 0, sizeof L.features);
        for (int i = 0; i < c->ntrees; i++) c->max_nodes = VH_MAX(c->max_nodes, c->trees[i].nnodes);
        for (int i = 0; i < c->nfeatures; i++) c->tilted |= c->features[i].tilted;
        *out = c;
    }
    loader_free(&L);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctx);
    return st;
}

int vh_cascade_load(const char *path, vh_cascade **out) {
    if (out) *out = NULL;
    if (!path || !out) return vh__fail(NULL, VH_EINVAL, "vh_cascade_load: NULL argument");
    char *data = NULL;
    size_t size = 0;
    int st = vh_file_read_all(path, MAX_FILE_BYTES, &data, &size);
    if (st) return st == VH_ENOTFOUND ? vh__fail(NULL, st, "%s: cascade file not found", path) : st;
    st = vh_cascade_load_mem(data, size, path, out);
    vh_free(data);
    return st;
}

void vh_cascade_free(vh_cascade *c) {
    if (!c) return;
    free(c->stages);
    free(c->trees);
    free(c->nodes);
    free(c->leaves);
    free(c->features);
    free(c);
}

void vh_cascade_get_info(const vh_cascade *c, vh_cascade_info *info) {
    memset(info, 0, sizeof *info);
    if (!c) return;
    info->win_w = c->win_w;
    info->win_h = c->win_h;
    info->num_stages = c->nstages;
    info->num_trees = c->ntrees;
    info->num_features = c->nfeatures;
    info->max_nodes = c->max_nodes;
    info->tilted = c->tilted;
    info->old_format = c->old_format;
}

const char *vh_cascade_default_path(void) {
    const char *env = getenv("VERHM_CASCADE");
    if (env && *env) return env;
    static const char *const paths[] = {
        "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt.xml",
        "/usr/share/opencv/haarcascades/haarcascade_frontalface_alt.xml",
    };
    for (size_t i = 0; i < VH_COUNTOF(paths); i++)
        if (vh_is_file(paths[i])) return paths[i];
    return NULL;
}
