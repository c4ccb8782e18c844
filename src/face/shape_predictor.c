/* dlib shape_predictor reader and the ensemble-of-regression-trees landmark
 * regressor (Kazemi & Sullivan 2014), bit-compatible with dlib 19.x.
 * File layout and algorithm: shared/FORMATS.md §2b. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/landmarks.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Caps on untrusted counts (the 68-point model: P 68, T 15, K 500, S 15, F 500). */
#define SP_MAX_PARTS 1024
#define SP_MAX_LEVELS 256
#define SP_MAX_FEATURES 4096
#define SP_MAX_SPLITS 65535

typedef struct sp_split { uint32_t idx1, idx2; float thresh; } sp_split;

typedef struct sp_tree {
    uint32_t nsplits;
    size_t split_off; /* into splits[] */
    size_t leaf_off;  /* into leaves[]: (nsplits+1) * 2P floats */
} sp_tree;

typedef struct sp_level {
    size_t tree_off, ntrees;
    uint32_t nfeat;
    uint32_t *anchor; /* nfeat */
    float *delta;     /* 2 * nfeat */
} sp_level;

struct vh_shape_predictor {
    int parts, levels;
    float *initial; /* 2P */
    sp_level *lv;
    sp_tree *trees;
    size_t ntrees, cap_trees;
    sp_split *splits;
    size_t nsplits, cap_splits;
    float *leaves;
    size_t nleaves, cap_leaves; /* in floats */
};

/* ---- dlib serialisation primitives ---- */

typedef struct reader {
    const uint8_t *p, *start, *end;
    const char *name;
    int status;
} reader;

static int rfail(reader *r, int status, const char *what) {
    if (r->status) return r->status;
    r->status = vh__fail(NULL, status, "%s: byte %zu: %s", r->name, (size_t)(r->p - r->start), what);
    return r->status;
}

static size_t remaining(const reader *r) { return (size_t)(r->end - r->p); }

/* Reads a sign-and-magnitude integer; *neg set for negative values. */
static int read_raw_int(reader *r, uint64_t *mag, int *neg, int is_unsigned) {
    if (r->status) return r->status;
    if (r->p >= r->end) return rfail(r, VH_EFORMAT, "truncated file (expected an integer)");
    uint8_t c = *r->p++;
    unsigned n = is_unsigned ? (c & 0x8F) : (c & 0x0F);
    *neg = !is_unsigned && (c & 0x80);
    if (n == 0 || n > 8) return rfail(r, VH_EFORMAT, "invalid integer encoding");
    if (remaining(r) < n) return rfail(r, VH_EFORMAT, "truncated file (inside an integer)");
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    *mag = v;
    return 0;
}

static int read_u64(reader *r, uint64_t *out) {
    int neg;
    return read_raw_int(r, out, &neg, 1);
}

static int read_i64(reader *r, int64_t *out) {
    uint64_t m;
    int neg;
    if (read_raw_int(r, &m, &neg, 0)) return r->status;
    if (neg) {
        if (m > (uint64_t)INT64_MAX + 1) return rfail(r, VH_EFORMAT, "integer out of range");
        *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX) return rfail(r, VH_EFORMAT, "integer out of range");
        *out = (int64_t)m;
    }
    return 0;
}

static int read_float(reader *r, float *out) {
    if (r->status) return r->status;
    if (r->p < r->end && (*r->p & 0x70))
        return rfail(r, VH_EFORMAT, "old (pre-2013) text float format is not supported");
    int64_t mant, ex;
    if (read_i64(r, &mant) || read_i64(r, &ex)) return r->status;
    if (ex >= 32000 && ex <= 32002) return rfail(r, VH_EFORMAT, "non-finite value");
    if (ex < -32768 || ex > 32767) return rfail(r, VH_EFORMAT, "float exponent out of range");
    double v = ldexp((double)mant, (int)ex);
    if (!isfinite(v) || fabs(v) > 3.4e38) return rfail(r, VH_EFORMAT, "float out of range");
    *out = (float)v;
    return 0;
}

/* A count of elements that each take at least `min_bytes` bytes: capped by the
 * remaining input, so absurd counts fail before any allocation. */
static int read_count(reader *r, uint64_t cap, size_t min_bytes, const char *what, size_t *out) {
    uint64_t n;
    if (read_u64(r, &n)) return r->status;
    if (n > cap || n > remaining(r) / (min_bytes ? min_bytes : 1)) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s count %llu out of range", what, (unsigned long long)n);
        return rfail(r, VH_ERANGE, msg);
    }
    *out = (size_t)n;
    return 0;
}

/* matrix<float,0,1> with |rows| == want (or any even size ≤ 2*SP_MAX_PARTS when
 * want is 0, which then sets it). Appends the values at `dst`. */
static int read_column(reader *r, size_t *want, float *dst) {
    int64_t nr, nc;
    if (read_i64(r, &nr) || read_i64(r, &nc)) return r->status;
    if (nr < 0) nr = -nr;
    if (nc < 0) nc = -nc;
    if (nc != 1) return rfail(r, VH_EFORMAT, "shape matrix is not a column");
    if (*want == 0) {
        if (nr < 2 || nr % 2 || nr > 2 * SP_MAX_PARTS) return rfail(r, VH_EFORMAT, "invalid number of landmarks");
        *want = (size_t)nr;
        return 0; /* caller allocates, then calls read_column_values */
    }
    if ((size_t)nr != *want) return rfail(r, VH_EFORMAT, "shape size differs from the initial shape");
    for (size_t i = 0; i < *want; i++)
        if (read_float(r, &dst[i])) return r->status;
    return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need) nc *= 2;
    size_t bytes;
    if (vh__mul_size(nc, elem, &bytes)) return -1;
    void *q = realloc(*p, bytes);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int read_tree(reader *r, vh_shape_predictor *sp, size_t dim) {
    size_t ns, nl;
    if (read_count(r, SP_MAX_SPLITS, 3, "split", &ns)) return r->status;
    if (grow((void **)&sp->splits, &sp->cap_splits, sp->nsplits + ns, sizeof(sp_split)))
        return rfail(r, VH_ENOMEM, "out of memory");
    if (grow((void **)&sp->trees, &sp->cap_trees, sp->ntrees + 1, sizeof(sp_tree)))
        return rfail(r, VH_ENOMEM, "out of memory");
    sp_tree *t = &sp->trees[sp->ntrees];
    t->nsplits = (uint32_t)ns;
    t->split_off = sp->nsplits;
    for (size_t i = 0; i < ns; i++) {
        uint64_t a, b;
        sp_split *s = &sp->splits[sp->nsplits + i];
        if (read_u64(r, &a) || read_u64(r, &b) || read_float(r, &s->thresh)) return r->status;
        if (a >= SP_MAX_FEATURES || b >= SP_MAX_FEATURES) return rfail(r, VH_EFORMAT, "split feature index out of range");
        s->idx1 = (uint32_t)a;
        s->idx2 = (uint32_t)b;
    }
    if (read_count(r, SP_MAX_SPLITS + 1, 3, "leaf", &nl)) return r->status;
    if (nl != ns + 1 || (nl & (nl - 1)) != 0)
        return rfail(r, VH_EFORMAT, "leaf count is not splits + 1 (a power of two)");
    size_t need;
    if (vh__mul_size(nl, dim, &need) || vh__add_size(need, sp->nleaves, &need) ||
        grow((void **)&sp->leaves, &sp->cap_leaves, need, sizeof(float)))
        return rfail(r, VH_ENOMEM, "out of memory");
    t->leaf_off = sp->nleaves;
    for (size_t i = 0; i < nl; i++) {
        size_t d = dim;
        if (read_column(r, &d, &sp->leaves[sp->nleaves + i * dim])) return r->status;
    }
    sp->nleaves += nl * dim;
    sp->nsplits += ns;
    sp->ntrees++;
    return 0;
}

static int parse(reader *r, vh_shape_predictor *sp) {
    int64_t version;
    if (remaining(r) >= 3 && memcmp(r->p, "BZh", 3) == 0)
        return rfail(r, VH_EFORMAT, "file is bzip2-compressed; decompress it first (bunzip2)");
    if (read_i64(r, &version)) return r->status;
    if (version != 1) return rfail(r, VH_EFORMAT, "not a dlib shape_predictor (version is not 1)");
    size_t dim = 0;
    if (read_column(r, &dim, NULL)) return r->status;
    sp->parts = (int)(dim / 2);
    sp->initial = malloc(dim * sizeof(float));
    if (!sp->initial) return rfail(r, VH_ENOMEM, "out of memory");
    for (size_t i = 0; i < dim; i++)
        if (read_float(r, &sp->initial[i])) return r->status;

    size_t nlev;
    if (read_count(r, SP_MAX_LEVELS, 1, "cascade level", &nlev)) return r->status;
    if (nlev == 0) return rfail(r, VH_EFORMAT, "no cascade levels");
    sp->levels = (int)nlev;
    sp->lv = calloc(nlev, sizeof *sp->lv);
    if (!sp->lv) return rfail(r, VH_ENOMEM, "out of memory");
    for (size_t t = 0; t < nlev; t++) {
        size_t k;
        if (read_count(r, 1u << 20, 4, "tree", &k)) return r->status;
        sp->lv[t].tree_off = sp->ntrees;
        sp->lv[t].ntrees = k;
        for (size_t i = 0; i < k; i++)
            if (read_tree(r, sp, dim)) return r->status;
    }
    size_t n;
    if (read_count(r, SP_MAX_LEVELS, 1, "anchor list", &n)) return r->status;
    if (n != nlev) return rfail(r, VH_EFORMAT, "anchor lists do not match the cascade depth");
    for (size_t t = 0; t < nlev; t++) {
        size_t f;
        if (read_count(r, SP_MAX_FEATURES, 2, "feature", &f)) return r->status;
        sp->lv[t].nfeat = (uint32_t)f;
        sp->lv[t].anchor = malloc((f ? f : 1) * sizeof(uint32_t));
        if (!sp->lv[t].anchor) return rfail(r, VH_ENOMEM, "out of memory");
        for (size_t i = 0; i < f; i++) {
            uint64_t a;
            if (read_u64(r, &a)) return r->status;
            if (a >= (uint64_t)sp->parts) return rfail(r, VH_EFORMAT, "anchor index out of range");
            sp->lv[t].anchor[i] = (uint32_t)a;
        }
    }
    if (read_count(r, SP_MAX_LEVELS, 1, "delta list", &n)) return r->status;
    if (n != nlev) return rfail(r, VH_EFORMAT, "delta lists do not match the cascade depth");
    for (size_t t = 0; t < nlev; t++) {
        size_t f;
        if (read_count(r, SP_MAX_FEATURES, 8, "delta", &f)) return r->status;
        if (f != sp->lv[t].nfeat) return rfail(r, VH_EFORMAT, "delta count differs from anchor count");
        sp->lv[t].delta = malloc((f ? f : 1) * 2 * sizeof(float));
        if (!sp->lv[t].delta) return rfail(r, VH_ENOMEM, "out of memory");
        for (size_t i = 0; i < 2 * f; i++)
            if (read_float(r, &sp->lv[t].delta[i])) return r->status;
    }
    if (r->p != r->end) return rfail(r, VH_EFORMAT, "trailing bytes after the model");
    /* Split features must index this level's feature pixels. */
    for (size_t t = 0; t < nlev; t++) {
        for (size_t k = 0; k < sp->lv[t].ntrees; k++) {
            const sp_tree *tr = &sp->trees[sp->lv[t].tree_off + k];
            for (uint32_t s = 0; s < tr->nsplits; s++) {
                const sp_split *sx = &sp->splits[tr->split_off + s];
                if (sx->idx1 >= sp->lv[t].nfeat || sx->idx2 >= sp->lv[t].nfeat)
                    return rfail(r, VH_EFORMAT, "split feature index beyond the level's feature pixels");
            }
        }
    }
    return 0;
}

void vh_shape_predictor_free(vh_shape_predictor *sp) {
    if (!sp) return;
    if (sp->lv)
        for (int t = 0; t < sp->levels; t++) {
            free(sp->lv[t].anchor);
            free(sp->lv[t].delta);
        }
    free(sp->lv);
    free(sp->initial);
    free(sp->trees);
    free(sp->splits);
    free(sp->leaves);
    free(sp);
}

int vh_shape_predictor_load_mem(const void *buf, size_t len, const char *name, vh_shape_predictor **out) {
    *out = NULL;
    vh_shape_predictor *sp = calloc(1, sizeof *sp);
    if (!sp) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    reader r = {buf, buf, (const uint8_t *)buf + len, name, 0};
    if (len == 0) rfail(&r, VH_EFORMAT, "empty file");
    else parse(&r, sp);
    if (r.status) {
        vh_shape_predictor_free(sp);
        return r.status;
    }
    *out = sp;
    return VH_OK;
}

int vh_shape_predictor_load(const char *path, vh_shape_predictor **out) {
    *out = NULL;
    char *data;
    size_t n;
    int st = vh_file_read_all(path, (size_t)1 << 30, &data, &n);
    if (st) return st;
    st = vh_shape_predictor_load_mem(data, n, path, out);
    free(data);
    return st;
}

const char *vh_shape_predictor_default_path(void) {
    const char *e = getenv("VERHM_LANDMARKS");
    return e && *e ? e : "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
}

int vh_shape_predictor_num_parts(const vh_shape_predictor *sp) { return sp->parts; }
int vh_shape_predictor_num_levels(const vh_shape_predictor *sp) { return sp->levels; }

/* ---- prediction ---- */

static inline float pixel_intensity(const vh_image *img, long x, long y) {
    const uint8_t *p = vh_image_at(img, (int)x, (int)y);
    if (img->c == 1) return p[0];
    return (float)(((int)p[0] + p[1] + p[2]) / 3);
}

int vh_shape_predict(const vh_shape_predictor *sp, const vh_image *img, double left, double top,
                     double width, double height, int round_points, vh_point2f *out) {
    if (!img || !img->data || img->w <= 0 || img->h <= 0 || !(width > 0) || !(height > 0))
        return vh__fail(NULL, VH_EINVAL, "shape predictor: empty image or box");
    const int P = sp->parts;
    float cur[2 * SP_MAX_PARTS];
    float feat[SP_MAX_FEATURES];
    memcpy(cur, sp->initial, sizeof(float) * 2 * (size_t)P);

    /* Box-normalised → image: (0,0) top-left, (1,1) bottom-right, inclusive. */
    const double sx = (left + width - 1) - left, sy = (top + height - 1) - top;

    /* Centred initial shape and its squared norm (constant per model). */
    double mx0 = 0, my0 = 0;
    for (int i = 0; i < P; i++) { mx0 += sp->initial[2 * i]; my0 += sp->initial[2 * i + 1]; }
    mx0 /= P;
    my0 /= P;

    for (int t = 0; t < sp->levels; t++) {
        const sp_level *lv = &sp->lv[t];
        /* Similarity transform initial → current (2×2 part only), closed form. */
        double mx1 = 0, my1 = 0;
        for (int i = 0; i < P; i++) { mx1 += cur[2 * i]; my1 += cur[2 * i + 1]; }
        mx1 /= P;
        my1 /= P;
        double sa = 0, sb = 0, n2 = 0;
        for (int i = 0; i < P; i++) {
            double x = sp->initial[2 * i] - mx0, y = sp->initial[2 * i + 1] - my0;
            double u = cur[2 * i] - mx1, v = cur[2 * i + 1] - my1;
            sa += x * u + y * v;
            sb += x * v - y * u;
            n2 += x * x + y * y;
        }
        float a = 1, b = 0;
        if (n2 > 0 && P > 1) { a = (float)(sa / n2); b = (float)(sb / n2); }
        for (uint32_t i = 0; i < lv->nfeat; i++) {
            const float dx = lv->delta[2 * i], dy = lv->delta[2 * i + 1];
            const uint32_t an = lv->anchor[i];
            float px = a * dx - b * dy + cur[2 * an];
            float py = b * dx + a * dy + cur[2 * an + 1];
            double ix = left + px * sx, iy = top + py * sy;
            long xi = (long)floor(ix + 0.5), yi = (long)floor(iy + 0.5);
            feat[i] = (xi >= 0 && yi >= 0 && xi < img->w && yi < img->h) ? pixel_intensity(img, xi, yi) : 0.0f;
        }
        for (size_t k = 0; k < lv->ntrees; k++) {
            const sp_tree *tr = &sp->trees[lv->tree_off + k];
            const sp_split *s = &sp->splits[tr->split_off];
            uint32_t i = 0;
            while (i < tr->nsplits) i = (feat[s[i].idx1] - feat[s[i].idx2] > s[i].thresh) ? 2 * i + 1 : 2 * i + 2;
            const float *leaf = &sp->leaves[tr->leaf_off + (size_t)(i - tr->nsplits) * 2 * (size_t)P];
            for (int j = 0; j < 2 * P; j++) cur[j] += leaf[j];
        }
    }
    for (int i = 0; i < P; i++) {
        double x = left + cur[2 * i] * sx, y = top + cur[2 * i + 1] * sy;
        if (round_points) { x = floor(x + 0.5); y = floor(y + 0.5); }
        out[i].x = (float)x;
        out[i].y = (float)y;
    }
    return VH_OK;
}
