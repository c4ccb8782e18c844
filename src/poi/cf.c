/* Learning from behaviour: check-in loading, item-item co-visitation with time
 * decay (+ the user's own repeat visits), BPR matrix factorisation, popularity
 * and distance baselines, leave-last-out HR@10 / NDCG@10, and the model file. */
#include "poi_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VH_CF_MAX_CHECKINS ((size_t)100000000)
#define VH_CF_MAX_IDS ((size_t)0x7fffffff)

/* ---- id → index hash map (open addressing, linear probing) ------------ */

typedef struct id_map {
    long long *keys;
    int *vals;
    size_t cap, n;
} id_map;

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static void map_free(id_map *m) {
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static int map_grow(id_map *m) {
    size_t cap = m->cap ? m->cap * 2 : 1024;
    long long *k = malloc(cap * sizeof *k);
    int *v = malloc(cap * sizeof *v);
    if (!k || !v) { free(k); free(v); return -1; }
    for (size_t i = 0; i < cap; i++) v[i] = -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->vals[i] < 0) continue;
        size_t h = mix64((uint64_t)m->keys[i]) & (cap - 1);
        while (v[h] >= 0) h = (h + 1) & (cap - 1);
        k[h] = m->keys[i];
        v[h] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = cap;
    return 0;
}

/* Returns the value for key, or -1. */
static int map_get(const id_map *m, long long key) {
    if (!m->cap) return -1;
    size_t h = mix64((uint64_t)key) & (m->cap - 1);
    while (m->vals[h] >= 0) {
        if (m->keys[h] == key) return m->vals[h];
        h = (h + 1) & (m->cap - 1);
    }
    return -1;
}

static int map_put(id_map *m, long long key, int val) {
    if ((m->n + 1) * 2 > m->cap && map_grow(m)) return -1;
    size_t h = mix64((uint64_t)key) & (m->cap - 1);
    while (m->vals[h] >= 0) h = (h + 1) & (m->cap - 1);
    m->keys[h] = key;
    m->vals[h] = val;
    m->n++;
    return 0;
}

/* ---- loading -------------------------------------------------------------- */

void vh_poi_checkins_free(vh_poi_checkins *c) {
    if (!c) return;
    free(c->user);
    free(c->item);
    free(c->minute);
    free(c->item_id);
    free(c->lat);
    free(c->lon);
    free(c);
}

static int parse_ll(const char *s, long long *out) {
    char *end;
    if (!s || !*s) return -1;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end) return -1;
    *out = v;
    return 0;
}

static int parse_d(const char *s, double *out) {
    char *end;
    if (!s || !*s) return -1;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Finds named columns in a header; returns -1 if one is missing. */
static int header_cols(char *line, const char *const *names, int n, int *cols) {
    char *f[32];
    int nf = vh__poi_csv_split(line, f, 32);
    for (int k = 0; k < n; k++) {
        cols[k] = -1;
        for (int i = 0; i < nf; i++)
            if (vh__poi_streq(f[i], names[k])) cols[k] = i;
        if (cols[k] < 0) return -1;
    }
    return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 1024, bytes;
    while (nc < need) nc *= 2;
    if (vh__mul_size(nc, elem, &bytes)) return -1;
    void *q = realloc(*p, bytes);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

int vh_poi_checkins_load(const char *checkins_csv, const char *places_csv, vh_poi_checkins **out) {
    if (!checkins_csv || !places_csv || !out) return vh__fail(NULL, VH_EINVAL, "vh_poi_checkins_load: NULL argument");
    *out = NULL;
    vh_poi_checkins *c = calloc(1, sizeof *c);
    id_map items = {0}, users = {0};
    char *data = NULL;
    size_t size = 0, pos = 0, cap_i = 0, cap_c = 0, cap_c2 = 0, cap_c3 = 0, cap_i2 = 0, cap_i3 = 0, lineno = 1;
    int rc = VH_OK;
    char *f[32], *line;
    int cols[3];
    if (!c) return vh__fail(NULL, VH_ENOMEM, "check-ins: out of memory");
    /* places */
    rc = vh_file_read_all(places_csv, 0, &data, &size);
    if (rc) { rc = vh__fail(NULL, rc, "%s: cannot read: %s", places_csv, vh_strerror(rc)); goto fail; }
    static const char *const pn[3] = {"poi", "lat", "lon"};
    line = vh__poi_next_line(data, size, &pos);
    if (!line || header_cols(line, pn, 3, cols)) { rc = vh__fail(NULL, VH_EFORMAT, "%s:1: header must have poi,lat,lon", places_csv); goto fail; }
    while ((line = vh__poi_next_line(data, size, &pos)) != NULL) {
        lineno++;
        if (!*line) continue;
        int nf = vh__poi_csv_split(line, f, 32);
        long long id;
        double lat, lon;
        if (nf < 0 || cols[0] >= nf || cols[1] >= nf || cols[2] >= nf || parse_ll(f[cols[0]], &id) ||
            parse_d(f[cols[1]], &lat) || parse_d(f[cols[2]], &lon)) {
            rc = vh__fail(NULL, VH_EFORMAT, "%s:%zu: expected integer poi and numeric lat,lon", places_csv, lineno);
            goto fail;
        }
        if (fabs(lat) > 90 || fabs(lon) > 180) { rc = vh__fail(NULL, VH_ERANGE, "%s:%zu: coordinates out of range (lat %g, lon %g)", places_csv, lineno, lat, lon); goto fail; }
        if (map_get(&items, id) >= 0) { rc = vh__fail(NULL, VH_EFORMAT, "%s:%zu: duplicate poi %lld", places_csv, lineno, id); goto fail; }
        if (c->n_items >= VH_CF_MAX_IDS) { rc = vh__fail(NULL, VH_ERANGE, "%s: too many places", places_csv); goto fail; }
        size_t k = c->n_items;
        if (grow((void **)&c->item_id, &cap_i, k + 1, sizeof(long long)) || grow((void **)&c->lat, &cap_i2, k + 1, sizeof(double)) ||
            grow((void **)&c->lon, &cap_i3, k + 1, sizeof(double)) || map_put(&items, id, (int)k)) {
            rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", places_csv);
            goto fail;
        }
        c->item_id[k] = id;
        c->lat[k] = lat;
        c->lon[k] = lon;
        c->n_items++;
    }
    vh_free(data);
    data = NULL;
    if (c->n_items == 0) { rc = vh__fail(NULL, VH_EEMPTY, "%s: no places", places_csv); goto fail; }
    /* check-ins */
    rc = vh_file_read_all(checkins_csv, 0, &data, &size);
    if (rc) { rc = vh__fail(NULL, rc, "%s: cannot read: %s", checkins_csv, vh_strerror(rc)); goto fail; }
    static const char *const cn[3] = {"user", "poi", "minute"};
    pos = 0;
    lineno = 1;
    line = vh__poi_next_line(data, size, &pos);
    if (!line || header_cols(line, cn, 3, cols)) { rc = vh__fail(NULL, VH_EFORMAT, "%s:1: header must have user,poi,minute", checkins_csv); goto fail; }
    while ((line = vh__poi_next_line(data, size, &pos)) != NULL) {
        lineno++;
        if (!*line) continue;
        int nf = vh__poi_csv_split(line, f, 32);
        long long u, p, m;
        if (nf < 0 || cols[0] >= nf || cols[1] >= nf || cols[2] >= nf || parse_ll(f[cols[0]], &u) ||
            parse_ll(f[cols[1]], &p) || parse_ll(f[cols[2]], &m)) {
            rc = vh__fail(NULL, VH_EFORMAT, "%s:%zu: expected integer user,poi,minute", checkins_csv, lineno);
            goto fail;
        }
        int it = map_get(&items, p);
        if (it < 0) { rc = vh__fail(NULL, VH_EFORMAT, "%s:%zu: poi %lld is not in %s", checkins_csv, lineno, p, places_csv); goto fail; }
        int us = map_get(&users, u);
        if (us < 0) {
            if (c->n_users >= VH_CF_MAX_IDS) { rc = vh__fail(NULL, VH_ERANGE, "%s: too many users", checkins_csv); goto fail; }
            us = (int)c->n_users++;
            if (map_put(&users, u, us)) { rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", checkins_csv); goto fail; }
        }
        if (c->n >= VH_CF_MAX_CHECKINS) { rc = vh__fail(NULL, VH_ERANGE, "%s: more than %zu check-ins", checkins_csv, VH_CF_MAX_CHECKINS); goto fail; }
        size_t k = c->n;
        if (grow((void **)&c->user, &cap_c, k + 1, sizeof(int)) || grow((void **)&c->item, &cap_c2, k + 1, sizeof(int)) ||
            grow((void **)&c->minute, &cap_c3, k + 1, sizeof(long long))) {
            rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", checkins_csv);
            goto fail;
        }
        c->user[k] = us;
        c->item[k] = it;
        c->minute[k] = m;
        c->n++;
    }
    if (c->n == 0) { rc = vh__fail(NULL, VH_EEMPTY, "%s: no check-ins", checkins_csv); goto fail; }
    vh_free(data);
    map_free(&items);
    map_free(&users);
    *out = c;
    return VH_OK;
fail:
    vh_free(data);
    map_free(&items);
    map_free(&users);
    vh_poi_checkins_free(c);
    return rc;
}

/* ---- parameters --------------------------------------------------------- */

const char *vh_poi_cf_kind_name(int k) {
    static const char *const n[VH_CF_NKINDS] = {"covisit", "bpr", "popularity", "distance", "personal"};
    return k >= 0 && k < VH_CF_NKINDS ? n[k] : "unknown";
}

vh_poi_cf_params vh_poi_cf_default_params(void) {
    vh_poi_cf_params p;
    memset(&p, 0, sizeof p);
    p.window_min = 360;
    p.pair_tau_min = 120;
    p.recency_tau_min = 60 * 1440;
    p.context_tau_min = 60;
    p.repeat_weight = 10.0;
    p.neighbours = 100;
    p.geo_weight = 0;
    p.geo_scale_m = 1000;
    p.factors = 32;
    p.epochs = 30;
    p.learning_rate = 0.05;
    p.reg = 0.002;
    p.seed = 1;
    p.exclude_visited = 0;
    return p;
}

static int params_ok(const vh_poi_cf_params *p) {
    return p && p->window_min > 0 && p->pair_tau_min > 0 && p->recency_tau_min > 0 && p->context_tau_min > 0 && p->repeat_weight >= 0 &&
           p->neighbours >= 1 && p->geo_weight >= 0 && p->geo_scale_m > 0 && p->neighbours <= 100000 && p->factors >= 1 && p->factors <= 1024 &&
           p->epochs >= 0 && p->epochs <= 10000 && p->learning_rate > 0 && p->reg >= 0;
}

/* ---- per-user ordering ---------------------------------------------------- */

/* Check-in indexes grouped by user, each group sorted by (minute, line). */
typedef struct by_user {
    size_t *idx;    /* [n] */
    size_t *start;  /* [n_users + 1] */
} by_user;

typedef struct ck_key { long long minute; size_t idx; int user; } ck_key;

static int cmp_checkin(const void *a, const void *b) {
    const ck_key *x = a, *y = b;
    if (x->user != y->user) return x->user < y->user ? -1 : 1;
    if (x->minute != y->minute) return x->minute < y->minute ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int group_users(const vh_poi_checkins *c, by_user *g) {
    g->idx = malloc(c->n * sizeof *g->idx);
    g->start = calloc(c->n_users + 1, sizeof *g->start);
    ck_key *keys = malloc(c->n * sizeof *keys);
    if (!g->idx || !g->start || !keys) { free(keys); return -1; }
    for (size_t k = 0; k < c->n; k++) keys[k] = (ck_key){c->minute[k], k, c->user[k]};
    qsort(keys, c->n, sizeof *keys, cmp_checkin);
    for (size_t k = 0; k < c->n; k++) g->idx[k] = keys[k].idx;
    free(keys);
    for (size_t k = 0; k < c->n; k++) g->start[c->user[k] + 1]++;
    for (size_t u = 0; u < c->n_users; u++) g->start[u + 1] += g->start[u];
    return 0;
}

/* ---- co-visitation model --------------------------------------------------- */

struct vh_poi_cf_model {
    size_t n_items;
    long long *item_id;
    double *lat, *lon;
    float *pop;          /* training check-ins per item */
    size_t *nb_off;      /* [n_items + 1] */
    int *nb_idx;
    float *nb_w;         /* P(j | i), top-K per item */
};

void vh_poi_cf_model_free(vh_poi_cf_model *m) {
    if (!m) return;
    free(m->item_id);
    free(m->lat);
    free(m->lon);
    free(m->pop);
    free(m->nb_off);
    free(m->nb_idx);
    free(m->nb_w);
    free(m);
}

size_t vh_poi_cf_model_items(const vh_poi_cf_model *m) { return m ? m->n_items : 0; }

long vh_poi_cf_model_find(const vh_poi_cf_model *m, long long id) {
    if (!m) return -1;
    for (size_t i = 0; i < m->n_items; i++)
        if (m->item_id[i] == id) return (long)i;
    return -1;
}

long long vh_poi_cf_model_item_id(const vh_poi_cf_model *m, size_t i) {
    return m && i < m->n_items ? m->item_id[i] : -1;
}

typedef struct pair { int i, j; float w; } pair;

static int cmp_pair(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->i != y->i) return x->i < y->i ? -1 : 1;
    if (x->j != y->j) return x->j < y->j ? -1 : 1;
    return 0;
}

static int cmp_pair_w(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    return x->j < y->j ? -1 : x->j > y->j;
}

int vh_poi_cf_train(const vh_poi_checkins *c, const unsigned char *mask,
                    const vh_poi_cf_params *p, vh_poi_cf_model **out) {
    if (!c || !out) return vh__fail(NULL, VH_EINVAL, "cf_train: NULL argument");
    vh_poi_cf_params dp = vh_poi_cf_default_params();
    if (!p) p = &dp;
    if (!params_ok(p)) return vh__fail(NULL, VH_EINVAL, "cf_train: invalid parameters");
    *out = NULL;
    int rc = VH_OK;
    by_user g = {0};
    pair *pairs = NULL;
    size_t np = 0, capp = 0;
    vh_poi_cf_model *m = calloc(1, sizeof *m);
    if (!m || group_users(c, &g)) goto oom;
    size_t ni = c->n_items;
    m->n_items = ni;
    m->item_id = malloc(ni * sizeof *m->item_id);
    m->lat = malloc(ni * sizeof *m->lat);
    m->lon = malloc(ni * sizeof *m->lon);
    m->pop = calloc(ni, sizeof *m->pop);
    m->nb_off = calloc(ni + 1, sizeof *m->nb_off);
    if (!m->item_id || !m->lat || !m->lon || !m->pop || !m->nb_off) goto oom;
    memcpy(m->item_id, c->item_id, ni * sizeof *m->item_id);
    memcpy(m->lat, c->lat, ni * sizeof *m->lat);
    memcpy(m->lon, c->lon, ni * sizeof *m->lon);
    for (size_t k = 0; k < c->n; k++)
        if (!mask || mask[k]) m->pop[c->item[k]] += 1;
    /* Pairs of one user's check-ins within the window: a→b (forward) weighs
     * exp(-Δt/τ), b→a half of it. */
    for (size_t u = 0; u < c->n_users; u++) {
        size_t s = g.start[u], e = g.start[u + 1];
        for (size_t a = s; a < e; a++) {
            size_t ka = g.idx[a];
            if (mask && !mask[ka]) continue;
            for (size_t b = a + 1; b < e; b++) {
                size_t kb = g.idx[b];
                if (mask && !mask[kb]) continue;
                double dt = (double)(c->minute[kb] - c->minute[ka]);
                if (dt >= p->window_min) break;
                if (c->item[ka] == c->item[kb]) continue;
                if (grow((void **)&pairs, &capp, np + 2, sizeof *pairs)) goto oom;
                float w = (float)exp(-dt / p->pair_tau_min);
                pairs[np++] = (pair){c->item[ka], c->item[kb], w};
                pairs[np++] = (pair){c->item[kb], c->item[ka], 0.5f * w};
            }
        }
    }
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    /* Merge duplicates in place. */
    size_t nm = 0;
    for (size_t k = 0; k < np; k++) {
        if (nm && pairs[nm - 1].i == pairs[k].i && pairs[nm - 1].j == pairs[k].j) pairs[nm - 1].w += pairs[k].w;
        else pairs[nm++] = pairs[k];
    }
    /* Per item: normalise to P(j|i) and keep the top K. */
    size_t kept = 0, K = (size_t)p->neighbours;
    for (size_t a = 0; a < nm;) {
        size_t b = a;
        double sum = 0;
        while (b < nm && pairs[b].i == pairs[a].i) sum += pairs[b++].w;
        qsort(pairs + a, b - a, sizeof *pairs, cmp_pair_w);
        size_t keep = b - a < K ? b - a : K;
        for (size_t k = 0; k < keep; k++) {
            pairs[kept] = pairs[a + k];
            pairs[kept].w = (float)(pairs[a + k].w / sum);
            kept++;
        }
        a = b;
    }
    m->nb_idx = malloc((kept ? kept : 1) * sizeof *m->nb_idx);
    m->nb_w = malloc((kept ? kept : 1) * sizeof *m->nb_w);
    if (!m->nb_idx || !m->nb_w) goto oom;
    for (size_t k = 0; k < kept; k++) {
        m->nb_off[pairs[k].i + 1]++;
        m->nb_idx[k] = pairs[k].j;
        m->nb_w[k] = pairs[k].w;
    }
    for (size_t i = 0; i < ni; i++) m->nb_off[i + 1] += m->nb_off[i];
    free(pairs);
    free(g.idx);
    free(g.start);
    *out = m;
    return VH_OK;
oom:
    rc = vh__fail(NULL, VH_ENOMEM, "cf_train: out of memory");
    free(pairs);
    free(g.idx);
    free(g.start);
    vh_poi_cf_model_free(m);
    return rc;
}

int vh_poi_cf_score(const vh_poi_cf_model *m, const int *items, const long long *minutes, size_t h,
                    const vh_poi_cf_params *p, double *scores) {
    vh_poi_cf_params dp = vh_poi_cf_default_params();
    if (!p) p = &dp;
    if (!m || !items || !minutes || !scores || h == 0 || !params_ok(p))
        return vh__fail(NULL, VH_EINVAL, "cf_score: invalid arguments");
    double maxpop = 1;
    for (size_t i = 0; i < m->n_items; i++)
        if (m->pop[i] > maxpop) maxpop = m->pop[i];
    for (size_t i = 0; i < m->n_items; i++) scores[i] = 1e-6 * m->pop[i] / maxpop; /* tie-break */
    long long t_ref = minutes[0];
    size_t last = 0;
    for (size_t k = 1; k < h; k++)
        if (minutes[k] >= t_ref) { t_ref = minutes[k]; last = k; }
    if (items[last] < 0 || (size_t)items[last] >= m->n_items) return vh__fail(NULL, VH_ERANGE, "cf_score: item %d out of range", items[last]);
    if (p->geo_weight > 0) {
        double la = m->lat[items[last]], lo = m->lon[items[last]];
        for (size_t i = 0; i < m->n_items; i++)
            scores[i] += p->geo_weight * exp(-vh_poi_haversine_m(la, lo, m->lat[i], m->lon[i]) / p->geo_scale_m);
    }
    for (size_t k = 0; k < h; k++) {
        int it = items[k];
        if (it < 0 || (size_t)it >= m->n_items) return vh__fail(NULL, VH_ERANGE, "cf_score: item %d out of range", it);
        double age = (double)(t_ref - minutes[k]);
        scores[it] += p->repeat_weight * exp(-age / p->recency_tau_min);
        double r = exp(-age / p->context_tau_min);
        if (r < 1e-9) continue;
        for (size_t e = m->nb_off[it]; e < m->nb_off[it + 1]; e++) scores[m->nb_idx[e]] += r * m->nb_w[e];
    }
    return VH_OK;
}

/* ---- model file ------------------------------------------------------------ */

static void put_u32(vh_buf *b, uint32_t v) {
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    vh_buf_append(b, x, 4);
}
static void put_u64(vh_buf *b, uint64_t v) {
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}
static void put_f32(vh_buf *b, float f) {
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(b, v);
}
static void put_f64(vh_buf *b, double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(b, v);
}

static const char cf_magic[8] = {'V', 'H', 'P', 'O', 'I', 'C', 'F', 0};

int vh_poi_cf_model_save(const vh_poi_cf_model *m, const char *path) {
    if (!m || !path) return vh__fail(NULL, VH_EINVAL, "cf_model_save: NULL argument");
    vh_buf b = {0};
    vh_buf_append(&b, cf_magic, 8);
    put_u32(&b, 1);
    put_u32(&b, (uint32_t)m->n_items);
    for (size_t i = 0; i < m->n_items; i++) {
        put_u64(&b, (uint64_t)m->item_id[i]);
        put_f64(&b, m->lat[i]);
        put_f64(&b, m->lon[i]);
        put_f32(&b, m->pop[i]);
        size_t nn = m->nb_off[i + 1] - m->nb_off[i];
        put_u32(&b, (uint32_t)nn);
        for (size_t e = m->nb_off[i]; e < m->nb_off[i + 1]; e++) {
            put_u32(&b, (uint32_t)m->nb_idx[e]);
            put_f32(&b, m->nb_w[e]);
        }
    }
    if (b.failed) { vh_buf_free(&b); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    vh_atomic_file af = {0};
    int rc = vh_atomic_open(&af, path, 1);
    if (rc) { vh_buf_free(&b); return vh__fail(NULL, rc, "%s: cannot create: %s", path, vh_strerror(rc)); }
    if (fwrite(b.data, 1, b.len, af.fp) != b.len) {
        vh_atomic_abort(&af);
        vh_buf_free(&b);
        return vh__fail(NULL, VH_EIO, "%s: write failed", path);
    }
    vh_buf_free(&b);
    rc = vh_atomic_commit(&af);
    return rc ? vh__fail(NULL, rc, "%s: cannot write: %s", path, vh_strerror(rc)) : VH_OK;
}

typedef struct reader { const unsigned char *p; size_t left; } reader;
static int get_u32(reader *r, uint32_t *v) {
    if (r->left < 4) return -1;
    *v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
    r->p += 4;
    r->left -= 4;
    return 0;
}
static int get_u64(reader *r, uint64_t *v) {
    uint32_t lo, hi;
    if (get_u32(r, &lo) || get_u32(r, &hi)) return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}
static int get_f32(reader *r, float *f) {
    uint32_t v;
    if (get_u32(r, &v)) return -1;
    memcpy(f, &v, 4);
    return 0;
}
static int get_f64(reader *r, double *d) {
    uint64_t v;
    if (get_u64(r, &v)) return -1;
    memcpy(d, &v, 8);
    return 0;
}

int vh_poi_cf_model_load(const char *path, vh_poi_cf_model **out) {
    if (!path || !out) return vh__fail(NULL, VH_EINVAL, "cf_model_load: NULL argument");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    int rc = vh_file_read_all(path, 0, &data, &size);
    if (rc) return vh__fail(NULL, rc, "%s: cannot read model: %s", path, vh_strerror(rc));
    rc = vh_poi_cf_model_load_mem(data, size, path, out);
    vh_free(data);
    return rc;
}

int vh_poi_cf_model_load_mem(const void *bytes, size_t size, const char *path, vh_poi_cf_model **out) {
    if (!bytes || !out) return vh__fail(NULL, VH_EINVAL, "cf_model_load_mem: NULL argument");
    if (!path) path = "(model)";
    *out = NULL;
    const char *data = bytes;
    int rc = VH_OK;
    reader r = {(const unsigned char *)data, size};
    uint32_t ver = 0, ni = 0;
    vh_poi_cf_model *m = NULL;
    if (size < 16 || memcmp(data, cf_magic, 8) != 0) { rc = vh__fail(NULL, VH_EFORMAT, "%s: not a verhm POI model (bad magic)", path); goto done; }
    r.p += 8;
    r.left -= 8;
    get_u32(&r, &ver);
    get_u32(&r, &ni);
    if (ver != 1) { rc = vh__fail(NULL, VH_EFORMAT, "%s: unsupported model version %u", path, ver); goto done; }
    /* Each item needs at least 32 bytes: the count is bounded by the file size. */
    if (ni == 0 || ni > VH_CF_MAX_IDS || (size_t)ni > r.left / 32) { rc = vh__fail(NULL, VH_EFORMAT, "%s: bad item count %u", path, ni); goto done; }
    m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->n_items = ni;
    m->item_id = malloc(ni * sizeof *m->item_id);
    m->lat = malloc(ni * sizeof *m->lat);
    m->lon = malloc(ni * sizeof *m->lon);
    m->pop = malloc(ni * sizeof *m->pop);
    m->nb_off = calloc((size_t)ni + 1, sizeof *m->nb_off);
    /* Neighbour entries are 8 bytes each: bounded by what is left. */
    size_t maxnb = r.left / 8 + 1;
    m->nb_idx = malloc(maxnb * sizeof *m->nb_idx);
    m->nb_w = malloc(maxnb * sizeof *m->nb_w);
    if (!m->item_id || !m->lat || !m->lon || !m->pop || !m->nb_off || !m->nb_idx || !m->nb_w) goto oom;
    size_t e = 0;
    for (uint32_t i = 0; i < ni; i++) {
        uint64_t id;
        uint32_t nn;
        if (get_u64(&r, &id) || get_f64(&r, &m->lat[i]) || get_f64(&r, &m->lon[i]) || get_f32(&r, &m->pop[i]) || get_u32(&r, &nn)) {
            rc = vh__fail(NULL, VH_EFORMAT, "%s: truncated at item %u", path, i);
            goto done;
        }
        m->item_id[i] = (long long)id;
        if (!(fabs(m->lat[i]) <= 90 && fabs(m->lon[i]) <= 180) || !(m->pop[i] >= 0) || !isfinite(m->pop[i])) {
            rc = vh__fail(NULL, VH_EFORMAT, "%s: item %u: bad position or popularity", path, i);
            goto done;
        }
        if (nn > ni || (size_t)nn > r.left / 8) { rc = vh__fail(NULL, VH_EFORMAT, "%s: item %u: bad neighbour count %u", path, i, nn); goto done; }
        for (uint32_t k = 0; k < nn; k++) {
            uint32_t j = 0;
            float w = 0;
            get_u32(&r, &j);
            get_f32(&r, &w);
            if (j >= ni || !(w >= 0) || !isfinite(w)) { rc = vh__fail(NULL, VH_EFORMAT, "%s: item %u: bad neighbour entry", path, i); goto done; }
            m->nb_idx[e] = (int)j;
            m->nb_w[e] = w;
            e++;
        }
        m->nb_off[i + 1] = e;
    }
    if (r.left) { rc = vh__fail(NULL, VH_EFORMAT, "%s: %zu trailing bytes", path, r.left); goto done; }
    goto done;
oom:
    rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
done:
    if (rc) { vh_poi_cf_model_free(m); return rc; }
    *out = m;
    return VH_OK;
}

/* ---- BPR ---------------------------------------------------------------------- */

typedef struct bpr {
    int f;
    float *U, *V, *b;
} bpr;

static int bpr_train(const vh_poi_checkins *c, const unsigned char *mask, const vh_poi_cf_params *p, bpr *out) {
    size_t f = (size_t)p->factors, nu = c->n_users, ni = c->n_items, ntr = 0;
    out->f = p->factors;
    out->U = malloc(nu * f * sizeof(float));
    out->V = malloc(ni * f * sizeof(float));
    out->b = calloc(ni, sizeof(float));
    size_t *tr = malloc(c->n * sizeof *tr);
    if (!out->U || !out->V || !out->b || !tr) { free(tr); return -1; }
    vh_rng rng;
    vh_rng_seed(&rng, p->seed);
    for (size_t k = 0; k < nu * f; k++) out->U[k] = (float)(0.1 * vh_rng_normal(&rng));
    for (size_t k = 0; k < ni * f; k++) out->V[k] = (float)(0.1 * vh_rng_normal(&rng));
    for (size_t k = 0; k < c->n; k++)
        if (!mask || mask[k]) tr[ntr++] = k;
    float lr = (float)p->learning_rate, reg = (float)p->reg;
    for (int ep = 0; ep < p->epochs; ep++) {
        for (size_t s = 0; s < ntr; s++) {
            size_t k = tr[vh_rng_below(&rng, ntr)];
            int u = c->user[k], i = c->item[k], j = (int)vh_rng_below(&rng, ni);
            if (j == i) continue;
            float *pu = out->U + (size_t)u * f, *qi = out->V + (size_t)i * f, *qj = out->V + (size_t)j * f;
            double x = out->b[i] - out->b[j];
            for (size_t d = 0; d < f; d++) x += pu[d] * (qi[d] - qj[d]);
            float g = (float)(1.0 / (1.0 + exp(x))); /* σ(-x) */
            out->b[i] += lr * (g - reg * out->b[i]);
            out->b[j] += lr * (-g - reg * out->b[j]);
            for (size_t d = 0; d < f; d++) {
                float uu = pu[d], vi = qi[d], vj = qj[d];
                pu[d] += lr * (g * (vi - vj) - reg * uu);
                qi[d] += lr * (g * uu - reg * vi);
                qj[d] += lr * (-g * uu - reg * vj);
            }
        }
    }
    free(tr);
    return 0;
}

/* ---- evaluation ---------------------------------------------------------------- */

/* Rank of item t (1-based): higher scores first, ties by smaller index. */
static size_t rank_of(const double *s, size_t n, size_t t, const unsigned char *excluded) {
    size_t r = 1;
    double st = s[t];
    for (size_t i = 0; i < n; i++) {
        if (i == t || (excluded && excluded[i])) continue;
        if (s[i] > st || (s[i] == st && i < t)) r++;
    }
    return r;
}

int vh_poi_cf_evaluate(const vh_poi_checkins *c, const vh_poi_cf_params *p, vh_poi_eval_result *res) {
    if (!c || !res) return vh__fail(NULL, VH_EINVAL, "cf_evaluate: NULL argument");
    vh_poi_cf_params dp = vh_poi_cf_default_params();
    if (!p) p = &dp;
    if (!params_ok(p)) return vh__fail(NULL, VH_EINVAL, "cf_evaluate: invalid parameters");
    memset(res, 0, VH_CF_NKINDS * sizeof *res);
    int rc = VH_OK;
    by_user g = {0};
    unsigned char *mask = malloc(c->n), *visited = calloc(c->n_items, 1);
    double *scores = malloc(c->n_items * sizeof *scores);
    int *hist = malloc(c->n * sizeof *hist);
    long long *hmin = malloc(c->n * sizeof *hmin);
    vh_poi_cf_model *m = NULL;
    bpr bp = {0};
    if (!mask || !visited || !scores || !hist || !hmin || group_users(c, &g)) goto oom;
    memset(mask, 1, c->n);
    size_t users = 0;
    for (size_t u = 0; u < c->n_users; u++)
        if (g.start[u + 1] - g.start[u] >= 2) {
            mask[g.idx[g.start[u + 1] - 1]] = 0;
            users++;
        }
    if (users == 0) { rc = vh__fail(NULL, VH_EEMPTY, "cf_evaluate: no user has two check-ins"); goto done; }
    rc = vh_poi_cf_train(c, mask, p, &m);
    if (rc) goto done;
    if (bpr_train(c, mask, p, &bp)) goto oom;
    double hr[VH_CF_NKINDS] = {0}, nd[VH_CF_NKINDS] = {0};
    size_t evaluated = 0;
    for (size_t u = 0; u < c->n_users; u++) {
        size_t s = g.start[u], e = g.start[u + 1];
        if (e - s < 2) continue;
        size_t test = g.idx[e - 1], h = 0;
        for (size_t k = s; k + 1 < e; k++) {
            hist[h] = c->item[g.idx[k]];
            hmin[h++] = c->minute[g.idx[k]];
            if (p->exclude_visited) visited[hist[h - 1]] = 1;
        }
        size_t t = (size_t)c->item[test];
        if (p->exclude_visited && visited[t]) { /* discovery protocol: only users whose test place is new */
            for (size_t k = 0; k < h; k++) visited[hist[k]] = 0;
            continue;
        }
        evaluated++;
        for (int kind = 0; kind < VH_CF_NKINDS; kind++) {
            if (kind == VH_CF_COVISIT) {
                if ((rc = vh_poi_cf_score(m, hist, hmin, h, p, scores)) != VH_OK) goto done;
            } else if (kind == VH_CF_BPR) {
                const float *pu = bp.U + u * (size_t)bp.f;
                for (size_t i = 0; i < c->n_items; i++) {
                    const float *qi = bp.V + i * (size_t)bp.f;
                    double x = bp.b[i];
                    for (int d = 0; d < bp.f; d++) x += pu[d] * qi[d];
                    scores[i] = x;
                }
            } else if (kind == VH_CF_PERSONAL) {
                double maxpop = 1;
                for (size_t i = 0; i < c->n_items; i++) maxpop = m->pop[i] > maxpop ? m->pop[i] : maxpop;
                for (size_t i = 0; i < c->n_items; i++) scores[i] = 1e-6 * m->pop[i] / maxpop;
                for (size_t k = 0; k < h; k++)
                    scores[hist[k]] += exp(-(double)(hmin[h - 1] - hmin[k]) / p->recency_tau_min);
            } else if (kind == VH_CF_POPULARITY) {
                for (size_t i = 0; i < c->n_items; i++) scores[i] = m->pop[i];
            } else { /* VH_CF_DISTANCE */
                int prev = hist[h - 1];
                for (size_t i = 0; i < c->n_items; i++)
                    scores[i] = -vh_poi_haversine_m(c->lat[prev], c->lon[prev], c->lat[i], c->lon[i]);
            }
            size_t r = rank_of(scores, c->n_items, t, p->exclude_visited ? visited : NULL);
            if (r <= 10) {
                hr[kind] += 1;
                nd[kind] += 1.0 / log2((double)r + 1);
            }
        }
        if (p->exclude_visited)
            for (size_t k = 0; k < h; k++) visited[hist[k]] = 0;
    }
    if (evaluated == 0) { rc = vh__fail(NULL, VH_EEMPTY, "cf_evaluate: no user's last check-in is at a new place"); goto done; }
    for (int kind = 0; kind < VH_CF_NKINDS; kind++) {
        res[kind].users = evaluated;
        res[kind].hr10 = hr[kind] / (double)evaluated;
        res[kind].ndcg10 = nd[kind] / (double)evaluated;
    }
    goto done;
oom:
    rc = vh__fail(NULL, VH_ENOMEM, "cf_evaluate: out of memory");
done:
    free(mask);
    free(visited);
    free(scores);
    free(hist);
    free(hmin);
    free(g.idx);
    free(g.start);
    free(bp.U);
    free(bp.V);
    free(bp.b);
    vh_poi_cf_model_free(m);
    return rc;
}

long vh_poi_behaviour_scores(const vh_poi_cf_model *m, const vh_poi_catalog *catalog,
                             const long long *history_ids, const long long *minutes, size_t h,
                             const vh_poi_cf_params *p, float *out) {
    if (!m || !catalog || !history_ids || !minutes || !out || h == 0)
        return vh__fail(NULL, VH_EINVAL, "behaviour_scores: invalid arguments");
    size_t nc = vh_poi_catalog_count(catalog), hv = 0;
    for (size_t i = 0; i < nc; i++) out[i] = 0;
    int *items = malloc(h * sizeof *items);
    long long *mins = malloc(h * sizeof *mins);
    double *scores = malloc(m->n_items * sizeof *scores);
    long matched = 0;
    int rc = VH_OK;
    if (!items || !mins || !scores) { rc = vh__fail(NULL, VH_ENOMEM, "behaviour_scores: out of memory"); goto done; }
    for (size_t k = 0; k < h; k++) {
        long it = vh_poi_cf_model_find(m, history_ids[k]);
        if (it < 0) continue;
        items[hv] = (int)it;
        mins[hv++] = minutes[k];
    }
    if (hv == 0) { rc = vh__fail(NULL, VH_ENOTFOUND, "behaviour_scores: no history place is in the model"); goto done; }
    if ((rc = vh_poi_cf_score(m, items, mins, hv, p, scores)) != VH_OK) goto done;
    double best = 0;
    for (size_t i = 0; i < nc; i++) {
        const char *id = vh_poi_catalog_get(catalog, i)->id;
        char *end;
        if (!id[0]) continue;
        long long v = strtoll(id, &end, 10);
        if (*end) continue;
        long it = vh_poi_cf_model_find(m, v);
        if (it < 0) continue;
        out[i] = (float)scores[it];
        if (scores[it] > best) best = scores[it];
        matched++;
    }
    if (best > 0)
        for (size_t i = 0; i < nc; i++) out[i] = (float)(out[i] / best);
done:
    free(items);
    free(mins);
    free(scores);
    return rc ? rc : matched;
}
