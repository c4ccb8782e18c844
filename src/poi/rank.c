/* Emotion-aware ranking: the rule table (emotion × age group × gender →
 * category weights), the score (fit, distance decay, open-now, popularity),
 * MMR diversity with a per-category cap, explanations and the prototype's
 * closing sentence. */
#include "poi_internal.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule_row {
    int emotion, age, gender; /* -1 = any */
    int line;
    float fit[VH_POI_NCATEGORIES];
} rule_row;

struct vh_poi_rules {
    rule_row *rows;
    size_t n;
};

void vh_poi_rules_free(vh_poi_rules *r) {
    if (!r) return;
    free(r->rows);
    free(r);
}

#define VH_POI_MAX_RULES 10000

/* Next whitespace-separated token in place; NULL when none. */
static char *next_tok(char **ps) {
    char *s = *ps;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return NULL;
    char *t = s;
    while (*s && *s != ' ' && *s != '\t') s++;
    if (*s) *s++ = 0;
    *ps = s;
    return t;
}

static int parse_weights(char *s, float *fit, char *bad, size_t nbad) {
    for (int i = 0; i < VH_POI_NCATEGORIES; i++) fit[i] = 0;
    int any = 0;
    char *save = s;
    while (*save) {
        char *item = save;
        char *comma = strchr(item, ',');
        if (comma) { *comma = 0; save = comma + 1; }
        else save = item + strlen(item);
        while (*item == ' ' || *item == '\t') item++;
        size_t l = strlen(item);
        while (l && (item[l - 1] == ' ' || item[l - 1] == '\t')) item[--l] = 0;
        if (!*item) continue;
        char *colon = strchr(item, ':');
        double w = 1;
        if (colon) {
            *colon = 0;
            char *end;
            w = strtod(colon + 1, &end);
            if (end == colon + 1 || *end || !(w >= 0 && w <= 1)) {
                snprintf(bad, nbad, "weight of '%s' must be a number in [0,1]", item);
                return -1;
            }
        }
        int c = vh_poi_category_parse(item);
        if (c < 0) {
            snprintf(bad, nbad, "unknown category '%.40s'", item);
            return -1;
        }
        fit[c] = (float)w;
        any = 1;
    }
    if (!any) {
        snprintf(bad, nbad, "no category weights");
        return -1;
    }
    return 0;
}

int vh_poi_rules_parse(const char *text, size_t len, const char *name, vh_poi_rules **out) {
    if (!text || !out) return vh__fail(NULL, VH_EINVAL, "vh_poi_rules_parse: NULL argument");
    if (!name) name = "(rules)";
    *out = NULL;
    char *buf = malloc(len + 1);
    vh_poi_rules *r = calloc(1, sizeof *r);
    size_t cap = 0, pos = 0;
    int rc = VH_OK, lineno = 0;
    if (!buf || !r) { rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name); goto done; }
    memcpy(buf, text, len);
    buf[len] = 0;
    if (strlen(buf) != len) { rc = vh__fail(NULL, VH_EFORMAT, "%s: contains a NUL byte", name); goto done; }
    char *line;
    while ((line = vh__poi_next_line(buf, len, &pos)) != NULL) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = line;
        char *fe = next_tok(&s);
        if (!fe) continue;
        char *fa = next_tok(&s), *fg = next_tok(&s);
        if (!fa || !fg || !*s) { rc = vh__fail(NULL, VH_EFORMAT, "%s:%d: expected EMOTION AGE GENDER WEIGHTS", name, lineno); goto done; }
        rule_row row = {0};
        row.line = lineno;
        row.emotion = strcmp(fe, "*") == 0 ? -1 : vh_poi_emotion_parse(fe);
        row.age = strcmp(fa, "*") == 0 ? -1 : vh_poi_age_parse(fa);
        row.gender = strcmp(fg, "*") == 0 ? -1 : vh_poi_gender_parse(fg);
        if ((row.emotion < 0 && strcmp(fe, "*")) || (row.age < 0 && strcmp(fa, "*")) || (row.gender < 0 && strcmp(fg, "*"))) {
            rc = vh__fail(NULL, VH_EFORMAT, "%s:%d: unknown emotion, age group or gender ('%s' '%s' '%s')", name, lineno, fe, fa, fg);
            goto done;
        }
        char bad[96];
        if (parse_weights(s, row.fit, bad, sizeof bad)) { rc = vh__fail(NULL, VH_EFORMAT, "%s:%d: %s", name, lineno, bad); goto done; }
        if (r->n >= VH_POI_MAX_RULES) { rc = vh__fail(NULL, VH_ERANGE, "%s:%d: more than %d rules", name, lineno, VH_POI_MAX_RULES); goto done; }
        if (r->n == cap) {
            cap = cap ? cap * 2 : 32;
            rule_row *nr = realloc(r->rows, cap * sizeof *nr);
            if (!nr) { rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name); goto done; }
            r->rows = nr;
        }
        r->rows[r->n++] = row;
    }
    for (int e = 0; e < VH_EMO_COUNT; e++) {
        int found = 0;
        for (size_t i = 0; i < r->n && !found; i++)
            found = (r->rows[i].emotion == e || r->rows[i].emotion < 0) && r->rows[i].age < 0 && r->rows[i].gender < 0;
        if (!found) { rc = vh__fail(NULL, VH_EFORMAT, "%s: no fallback row '%s * *' for emotion %s", name, vh_poi_emotion_name(e), vh_poi_emotion_name(e)); goto done; }
    }
done:
    free(buf);
    if (rc) { vh_poi_rules_free(r); return rc; }
    *out = r;
    return VH_OK;
}

int vh_poi_rules_load(const char *path, vh_poi_rules **out) {
    char *data = NULL;
    size_t size = 0;
    int rc = vh_file_read_all(path, (size_t)16 << 20, &data, &size);
    if (rc) return vh__fail(NULL, rc, "%s: cannot read rules: %s", path, vh_strerror(rc));
    rc = vh_poi_rules_parse(data, size, path, out);
    vh_free(data);
    return rc;
}

static int state_ok(const vh_poi_state *s) {
    return s && s->emotion >= 0 && s->emotion < VH_EMO_COUNT && s->age >= 0 && s->age < VH_AGE_COUNT &&
           s->gender >= 0 && s->gender < VH_GENDER_COUNT;
}

int vh_poi_rules_fit(const vh_poi_rules *r, int emotion, int age, int gender, float *fit) {
    vh_poi_state st = {emotion, age, gender};
    if (!r || !fit || !state_ok(&st)) return vh__fail(NULL, VH_EINVAL, "rules: invalid state (emotion %d, age %d, gender %d)", emotion, age, gender);
    int best = -1;
    const rule_row *win = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const rule_row *w = &r->rows[i];
        if ((w->emotion >= 0 && w->emotion != emotion) || (w->age >= 0 && w->age != age) ||
            (w->gender >= 0 && w->gender != gender))
            continue;
        int spec = (w->emotion >= 0) + (w->age >= 0) + (w->gender >= 0);
        if (spec > best) { best = spec; win = w; }
    }
    if (!win) return vh__fail(NULL, VH_ENOTFOUND, "rules: no row for this state");
    memcpy(fit, win->fit, sizeof win->fit);
    return win->line;
}

/* ---- suggestions ------------------------------------------------------------ */

vh_poi_suggest_params vh_poi_suggest_default_params(void) {
    vh_poi_suggest_params p;
    memset(&p, 0, sizeof p);
    p.now.weekday = -1;
    p.n = 5;
    p.w_fit = 0.5;
    p.w_dist = 0.3;
    p.w_open = 0.1;
    p.w_pop = 0.1;
    p.dist_scale_m = 1500;
    p.max_dist_m = 0;
    p.mmr_lambda = 0.7;
    p.max_per_category = 2;
    p.include_closed = 0;
    p.behaviour = NULL;
    p.w_behaviour = 0.3;
    return p;
}

typedef struct cand {
    size_t idx;
    double score, fit, dist, pop, beh;
    int open;
} cand;

static int cand_cmp(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void fmt_dist(char *buf, size_t n, double m) {
    if (m < 1000) snprintf(buf, n, "%.0f m", m);
    else if (m < 10000) snprintf(buf, n, "%.1f km", m / 1000);
    else snprintf(buf, n, "%.0f km", m / 1000);
}

void vh_poi_suggestions_free(vh_poi_suggestion *s, size_t count) {
    if (!s) return;
    for (size_t i = 0; i < count; i++) free(s[i].why);
    free(s);
}

int vh_poi_suggest(const vh_poi_catalog *catalog, const vh_poi_rules *rules,
                   const vh_poi_state *state, const vh_poi_suggest_params *params,
                   vh_poi_suggestion **out, size_t *count) {
    if (!catalog || !rules || !state || !params || !out || !count)
        return vh__fail(NULL, VH_EINVAL, "vh_poi_suggest: NULL argument");
    *out = NULL;
    *count = 0;
    const vh_poi_suggest_params *p = params;
    if (!state_ok(state)) return vh__fail(NULL, VH_EINVAL, "suggest: invalid state (emotion %d, age %d, gender %d)", state->emotion, state->age, state->gender);
    if (!(fabs(p->lat) <= 90 && fabs(p->lon) <= 180))
        return vh__fail(NULL, VH_ERANGE, "suggest: position out of range (lat %g, lon %g)", p->lat, p->lon);
    if (p->n < 1 || p->n > 1000 || !(p->dist_scale_m > 0) || !(p->max_dist_m >= 0) || !(p->mmr_lambda >= 0 && p->mmr_lambda <= 1) ||
        !(p->w_fit >= 0 && p->w_dist >= 0 && p->w_open >= 0 && p->w_pop >= 0 && p->w_behaviour >= 0) || p->max_per_category < 0 ||
        (p->now.weekday >= 0 && (p->now.weekday > 6 || p->now.minute < 0 || p->now.minute >= 1440)))
        return vh__fail(NULL, VH_EINVAL, "suggest: invalid parameters");
    size_t n = vh_poi_catalog_count(catalog);
    if (n == 0) return vh__fail(NULL, VH_EEMPTY, "suggest: the catalog is empty");
    float fit[VH_POI_NCATEGORIES];
    int rc = vh_poi_rules_fit(rules, state->emotion, state->age, state->gender, fit);
    if (rc < 0) return rc;
    cand *cs = malloc(n * sizeof *cs);
    if (!cs) return vh__fail(NULL, VH_ENOMEM, "suggest: out of memory");
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        const vh_poi *q = vh_poi_catalog_get(catalog, i);
        cand c = {0};
        c.idx = i;
        c.dist = vh_poi_haversine_m(p->lat, p->lon, q->lat, q->lon);
        if (p->max_dist_m > 0 && c.dist > p->max_dist_m) continue;
        c.open = -1;
        if (p->now.weekday >= 0 && q->hours[0]) {
            vh_poi_hours h;
            if (vh_poi_hours_parse(q->hours, &h) == VH_OK) c.open = vh_poi_hours_open(&h, p->now);
        }
        if (c.open == 0 && !p->include_closed) continue;
        c.fit = fit[q->category];
        c.pop = q->popularity;
        c.beh = p->behaviour ? p->behaviour[i] : 0;
        if (!(c.beh >= 0)) c.beh = 0;
        if (c.beh > 1) c.beh = 1;
        c.score = p->w_fit * c.fit + p->w_dist * exp(-c.dist / p->dist_scale_m) +
                  p->w_open * (c.open == 1 ? 1.0 : c.open == 0 ? 0.0 : 0.5) + p->w_pop * c.pop +
                  (p->behaviour ? p->w_behaviour * c.beh : 0);
        cs[nc++] = c;
    }
    if (nc == 0) {
        free(cs);
        return vh__fail(NULL, VH_EEMPTY, "suggest: no place qualifies (all too far away or closed)");
    }
    qsort(cs, nc, sizeof *cs, cand_cmp);
    /* MMR over the best candidates: similarity 1 within a category, else 0. */
    size_t pool = nc < 2000 ? nc : 2000, want = (size_t)p->n;
    if (want > pool) want = pool;
    vh_poi_suggestion *res = calloc(want, sizeof *res);
    unsigned char *used = calloc(pool, 1);
    if (!res || !used) {
        free(cs); free(res); free(used);
        return vh__fail(NULL, VH_ENOMEM, "suggest: out of memory");
    }
    int per_cat[VH_POI_NCATEGORIES] = {0};
    size_t got = 0;
    while (got < want) {
        long best = -1;
        double best_v = -INFINITY;
        for (size_t k = 0; k < pool; k++) {
            if (used[k]) continue;
            int cat = vh_poi_catalog_get(catalog, cs[k].idx)->category;
            if (p->max_per_category > 0 && per_cat[cat] >= p->max_per_category) continue;
            double sim = per_cat[cat] > 0 ? 1.0 : 0.0;
            double v = p->mmr_lambda * cs[k].score - (1 - p->mmr_lambda) * sim;
            if (v > best_v) { best_v = v; best = (long)k; }
        }
        if (best < 0) break;
        used[best] = 1;
        const cand *c = &cs[best];
        const vh_poi *q = vh_poi_catalog_get(catalog, c->idx);
        per_cat[q->category]++;
        vh_poi_suggestion *s = &res[got];
        s->place = q;
        s->index = c->idx;
        s->score = c->score;
        s->fit = c->fit;
        s->distance_m = c->dist;
        s->popularity = c->pop;
        s->open = c->open;
        vh_buf b = {0};
        const char *cn = vh_poi_category_name(q->category);
        if (c->fit >= 0.75) vh_buf_printf(&b, "%s is a strong fit for %s (%.2f)", cn, vh_poi_emotion_name(state->emotion), c->fit);
        else if (c->fit > 0) vh_buf_printf(&b, "%s suits %s (%.2f)", cn, vh_poi_emotion_name(state->emotion), c->fit);
        else vh_buf_printf(&b, "%s is not among the picks for %s, chosen for variety", cn, vh_poi_emotion_name(state->emotion));
        char d[32];
        fmt_dist(d, sizeof d, c->dist);
        vh_buf_printf(&b, "; %s away", d);
        if (c->open == 1) vh_buf_printf(&b, "; open now (%s)", q->hours);
        else if (c->open == 0) vh_buf_printf(&b, "; closed now (%s)", q->hours);
        else if (p->now.weekday < 0) vh_buf_puts(&b, "; opening hours not checked");
        else vh_buf_puts(&b, "; hours unknown");
        if (c->pop >= 0.3) vh_buf_printf(&b, "; well known (popularity %.2f)", c->pop);
        if (c->beh >= 0.05) vh_buf_printf(&b, "; fits your visit history (%.2f)", c->beh);
        if (b.failed) {
            vh_buf_free(&b);
            vh_poi_suggestions_free(res, got);
            free(cs); free(used);
            return vh__fail(NULL, VH_ENOMEM, "suggest: out of memory");
        }
        s->why = b.data;
        got++;
    }
    free(cs);
    free(used);
    *out = res;
    *count = got;
    return VH_OK;
}

char *vh_poi_sentence(const vh_poi_state *state, const vh_poi_suggestion *s, size_t count) {
    if (!state_ok(state)) return NULL;
    vh_buf b = {0};
    vh_buf_puts(&b, "You are ");
    if (state->gender != VH_GENDER_UNKNOWN) vh_buf_printf(&b, "%s, ", vh_poi_gender_name(state->gender));
    vh_buf_printf(&b, "%s and %s. ", vh_poi_age_name(state->age), vh_poi_emotion_name(state->emotion));
    if (count == 0 || !s) {
        vh_buf_puts(&b, "No places to recommend nearby.");
    } else {
        vh_buf_puts(&b, "The recommended places are: ");
        for (size_t i = 0; i < count; i++) {
            const vh_poi *q = s[i].place;
            char d[32];
            fmt_dist(d, sizeof d, s[i].distance_m);
            if (i) vh_buf_puts(&b, i + 1 == count ? " and " : ", ");
            if (q->name[0]) vh_buf_printf(&b, "%s (%s, %s)", q->name, vh_poi_category_name(q->category), d);
            else vh_buf_printf(&b, "an unnamed %s (%s)", vh_poi_category_name(q->category), d);
        }
        vh_buf_puts(&b, ".");
    }
    if (b.failed) {
        vh_buf_free(&b);
        return NULL;
    }
    return b.data;
}
