/* Trends (daily aggregates, EWMA, CUSUM, weekday pattern, flat affect, prosody
 * drift, face/voice agreement), alert rules (data/alerts.conf) and alerts. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- trends --------------------------------------------------------------- */

typedef struct acc {
    int64_t day, last_session;
    double w, wv, wv2, wa, wa2, wneg, wexpr, wp[VH_MONITOR_NLABELS];
    double fw, fwv, vw, vwv;
} acc;

vh_monitor_trend_params vh_monitor_default_trend_params(void) {
    vh_monitor_trend_params p = {0.3, 14, 0.5, 4.0, -0.1, 7};
    return p;
}

void vh_monitor_trends_free(vh_monitor_trends *t) {
    if (!t) return;
    for (size_t i = 0; i < t->n_prosody; i++) free(t->prosody[i].day_values);
    free(t->prosody);
    free(t->days);
    free(t);
}

static int cmp_acc(const void *a, const void *b) {
    int64_t x = ((const acc *)a)->day, y = ((const acc *)b)->day;
    return x < y ? -1 : x > y;
}

static int weekday_of(int64_t day) { return (int)(((day % 7) + 7 + 3) % 7); } /* 1970-01-01: Thursday */

static double wsd(double w, double s, double s2) {
    if (w <= 0) return NAN;
    double m = s / w, v = s2 / w - m * m;
    return sqrt(v > 0 ? v : 0);
}

static int load_prosody(vh_monitor *m, int64_t pid, vh_monitor_trends *t, const int64_t *daynum) {
    sqlite3_stmt *st;
    int s = vh__mon_prepare(m, "SELECT p.name, s.started_at, s.tz_minutes, p.value FROM prosody p"
                               " JOIN sessions s ON s.id = p.session WHERE s.person = ?1"
                               " ORDER BY p.name, s.started_at", &st);
    if (s) return s;
    sqlite3_bind_int64(st, 1, pid);
    double *sum = calloc(t->n_days ? t->n_days : 1, sizeof *sum), *cnt = calloc(t->n_days ? t->n_days : 1, sizeof *cnt);
    if (!sum || !cnt) { free(sum); free(cnt); sqlite3_finalize(st); return vh__fail(&m->err, VH_ENOMEM, "out of memory"); }
    const vh_monitor_trend_params *p = &t->params;
    int64_t last = t->n_days ? daynum[t->n_days - 1] : 0;
    char cur[33] = "";
    int rc = SQLITE_ROW;
    for (;;) {
        rc = sqlite3_step(st);
        const char *name = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (cur[0] && (!name || strcmp(name, cur))) { /* finish the current key */
            vh_monitor_prosody_trend *pt = &t->prosody[t->n_prosody - 1];
            double bs = 0, bs2 = 0, rs = 0;
            for (size_t d = 0; d < t->n_days; d++) {
                pt->day_values[d] = cnt[d] ? sum[d] / cnt[d] : NAN;
                if (!cnt[d]) continue;
                if ((int)d < p->baseline_days) { bs += pt->day_values[d]; bs2 += pt->day_values[d] * pt->day_values[d]; pt->n_baseline++; }
                else if (daynum[d] > last - p->recent_days) { rs += pt->day_values[d]; pt->n_recent++; }
            }
            pt->baseline_mean = pt->n_baseline ? bs / pt->n_baseline : NAN;
            pt->baseline_sd = pt->n_baseline > 1 ? sqrt(fmax(0, (bs2 - bs * bs / pt->n_baseline) / (pt->n_baseline - 1))) : NAN;
            pt->recent_mean = pt->n_recent ? rs / pt->n_recent : NAN;
            double sd = pt->baseline_sd;
            if (isfinite(sd) && sd < 1e-6 * fmax(1, fabs(pt->baseline_mean))) sd = 1e-6 * fmax(1, fabs(pt->baseline_mean));
            pt->z = pt->n_baseline >= 3 && pt->n_recent >= 1 ? (pt->recent_mean - pt->baseline_mean) / sd : NAN;
            cur[0] = 0;
        }
        if (!name) break;
        if (!cur[0]) {
            vh_monitor_prosody_trend *np = realloc(t->prosody, (t->n_prosody + 1) * sizeof *np);
            if (!np) { s = vh__fail(&m->err, VH_ENOMEM, "out of memory"); break; }
            t->prosody = np;
            vh_monitor_prosody_trend *pt = &t->prosody[t->n_prosody];
            memset(pt, 0, sizeof *pt);
            snprintf(pt->name, sizeof pt->name, "%s", name);
            pt->n_points = t->n_days;
            if (!(pt->day_values = calloc(t->n_days ? t->n_days : 1, sizeof(double)))) {
                s = vh__fail(&m->err, VH_ENOMEM, "out of memory");
                break;
            }
            t->n_prosody++;
            snprintf(cur, sizeof cur, "%s", name);
            memset(sum, 0, t->n_days * sizeof *sum);
            memset(cnt, 0, t->n_days * sizeof *cnt);
        }
        int64_t day = vh__local_day(sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2));
        size_t lo = 0, hi = t->n_days; /* binary search in the sorted day numbers */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (daynum[mid] < day) lo = mid + 1; else hi = mid;
        }
        if (lo < t->n_days && daynum[lo] == day) {
            sum[lo] += sqlite3_column_double(st, 3);
            cnt[lo] += 1;
        }
    }
    if (!s && rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "read prosody");
    sqlite3_finalize(st);
    free(sum);
    free(cnt);
    return s;
}

int vh_monitor_trends_compute(vh_monitor *m, const char *person, const vh_monitor_trend_params *tp,
                              vh_monitor_trends **out) {
    *out = NULL;
    int64_t pid;
    int s = vh__mon_person(m, person, 0, &pid);
    if (s) return s;
    vh_monitor_trends *t = calloc(1, sizeof *t);
    if (!t) return vh__fail(&m->err, VH_ENOMEM, "out of memory");
    t->params = tp ? *tp : vh_monitor_default_trend_params();
    if (t->params.baseline_days < 2) t->params.baseline_days = 2;
    if (t->params.recent_days < 1) t->params.recent_days = 1;
    sqlite3_stmt *st;
    if ((s = vh__mon_prepare(m, "SELECT s.id, s.started_at, s.tz_minutes, s.modality, w.dur, w.valence, w.arousal,"
                                " w.p_neutral, w.p_calm, w.p_happiness, w.p_surprise, w.p_sadness, w.p_anger,"
                                " w.p_disgust, w.p_fear, w.p_contempt FROM sessions s JOIN windows w ON w.session = s.id"
                                " WHERE s.person = ?1 ORDER BY s.started_at, s.id, w.t", &st))) {
        free(t);
        return s;
    }
    sqlite3_bind_int64(st, 1, pid);
    acc *a = NULL;
    size_t na = 0, cap = 0;
    double tot[VH_MONITOR_NLABELS] = {0}, totw = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(st, 0);
        int64_t day = vh__local_day(sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2));
        int voice = sqlite3_column_text(st, 3)[0] == 'v';
        double w = sqlite3_column_double(st, 4), v = sqlite3_column_double(st, 5), ar = sqlite3_column_double(st, 6);
        size_t i = na;
        while (i > 0 && a[i - 1].day != day && na - i < 3) i--; /* recent days (tz changes reorder) */
        if (i == 0 || a[i - 1].day != day) {
            if (na == cap) {
                cap = cap ? cap * 2 : 64;
                acc *nb = realloc(a, cap * sizeof *nb);
                if (!nb) { s = vh__fail(&m->err, VH_ENOMEM, "out of memory"); break; }
                a = nb;
            }
            memset(&a[na], 0, sizeof a[na]);
            a[na].day = day;
            i = ++na;
        }
        acc *x = &a[i - 1];
        x->last_session = sid;
        x->w += w; x->wv += w * v; x->wv2 += w * v * v; x->wa += w * ar; x->wa2 += w * ar * ar;
        double neg = 0;
        for (int l = 0; l < VH_MONITOR_NLABELS; l++) {
            double p = sqlite3_column_double(st, 7 + l);
            int isneg;
            vh_monitor_label_circumplex(l, NULL, NULL, &isneg);
            if (isneg) neg += p;
            x->wp[l] += w * p;
            tot[l] += w * p;
        }
        totw += w;
        x->wneg += w * neg;
        x->wexpr += w * (1 - sqlite3_column_double(st, 7) - sqlite3_column_double(st, 8));
        if (voice) { x->vw += w; x->vwv += w * v; } else { x->fw += w; x->fwv += w * v; }
    }
    if (!s && rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "read windows");
    sqlite3_finalize(st);
    if (s) { free(a); free(t); return s; }
    /* sessions per day */
    int *nsess = NULL;
    int64_t *daynum = NULL;
    if (na) qsort(a, na, sizeof *a, cmp_acc);
    for (size_t i = 1; i < na; i++) /* merge duplicates from out-of-order days */
        if (a[i].day == a[i - 1].day) {
            acc *d = &a[i - 1], *e = &a[i];
            d->w += e->w; d->wv += e->wv; d->wv2 += e->wv2; d->wa += e->wa; d->wa2 += e->wa2;
            d->wneg += e->wneg; d->wexpr += e->wexpr; d->fw += e->fw; d->fwv += e->fwv; d->vw += e->vw; d->vwv += e->vwv;
            for (int l = 0; l < VH_MONITOR_NLABELS; l++) d->wp[l] += e->wp[l];
            memmove(&a[i], &a[i + 1], (na - i - 1) * sizeof *a);
            na--;
            i--;
        }
    t->days = calloc(na ? na : 1, sizeof *t->days);
    nsess = calloc(na ? na : 1, sizeof *nsess);
    daynum = calloc(na ? na : 1, sizeof *daynum);
    if (!t->days || !nsess || !daynum) {
        s = vh__fail(&m->err, VH_ENOMEM, "out of memory");
        goto done;
    }
    t->n_days = na;
    for (size_t i = 0; i < na; i++) daynum[i] = a[i].day;
    if ((s = vh__mon_prepare(m, "SELECT s.started_at, s.tz_minutes, s.modality, count(w.id) FROM sessions s"
                                " JOIN windows w ON w.session = s.id WHERE s.person = ?1 GROUP BY s.id", &st)))
        goto done;
    sqlite3_bind_int64(st, 1, pid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t day = vh__local_day(sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));
        for (size_t i = 0; i < na; i++)
            if (daynum[i] == day) {
                nsess[i]++;
                t->days[i].n_windows += sqlite3_column_int(st, 3);
                if (sqlite3_column_text(st, 2)[0] == 'v') t->days[i].has_voice = 1; else t->days[i].has_face = 1;
                break;
            }
    }
    if (rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "read sessions");
    sqlite3_finalize(st);
    if (s) goto done;
    const vh_monitor_trend_params *p = &t->params;
    double S = 0, mu = 0, sig = 0;
    int nb = (int)na > p->baseline_days ? p->baseline_days : 0;
    for (int i = 0; i < nb; i++) mu += a[i].wneg / a[i].w;
    if (nb) {
        mu /= nb;
        for (int i = 0; i < nb; i++) sig += (a[i].wneg / a[i].w - mu) * (a[i].wneg / a[i].w - mu);
        sig = sqrt(sig / (nb - 1));
        if (sig < 0.05) sig = 0.05;
    }
    t->cusum_mu = nb ? mu : NAN;
    t->cusum_sigma = nb ? sig : NAN;
    double fv_sx = 0, fv_sy = 0, fv_sxx = 0, fv_syy = 0, fv_sxy = 0;
    int agree = 0;
    double rw = 0, rwv = 0, rwv2 = 0, rwa = 0, rwa2 = 0, rwe = 0;
    int64_t last = na ? a[na - 1].day : 0;
    for (int k = 0; k < 7; k++) t->weekday_valence[k] = 0;
    for (size_t i = 0; i < na; i++) {
        vh_monitor_day *d = &t->days[i];
        acc *x = &a[i];
        vh_monitor_format_time(x->day * 86400, 0, 1, d->date, sizeof d->date);
        d->weekday = weekday_of(x->day);
        d->n_sessions = nsess[i];
        d->valence = x->wv / x->w;
        d->arousal = x->wa / x->w;
        d->valence_sd = wsd(x->w, x->wv, x->wv2);
        d->arousal_sd = wsd(x->w, x->wa, x->wa2);
        d->negative = x->wneg / x->w;
        d->expressivity = x->wexpr / x->w;
        for (int l = 0; l < VH_MONITOR_NLABELS; l++) d->probs[l] = x->wp[l] / x->w;
        d->face_valence = x->fw > 0 ? x->fwv / x->fw : NAN;
        d->voice_valence = x->vw > 0 ? x->vwv / x->vw : NAN;
        d->ewma = i ? p->ewma_alpha * d->valence + (1 - p->ewma_alpha) * t->days[i - 1].ewma : d->valence;
        d->low = d->valence <= p->low_valence;
        if (nb && (int)i >= nb) {
            S = fmax(0, S + (d->negative - mu) / sig - p->cusum_k);
            d->cusum = S;
        } else {
            d->cusum = NAN;
        }
        t->weekday_valence[d->weekday] += d->valence;
        t->weekday_days[d->weekday]++;
        if (x->fw > 0 && x->vw > 0) {
            double fx = d->face_valence, vy = d->voice_valence;
            t->agree_days++;
            fv_sx += fx; fv_sy += vy; fv_sxx += fx * fx; fv_syy += vy * vy; fv_sxy += fx * vy;
            if ((fx >= 0) == (vy >= 0)) agree++;
        }
        if (x->day > last - p->recent_days) {
            rw += x->w; rwv += x->wv; rwv2 += x->wv2; rwa += x->wa; rwa2 += x->wa2; rwe += x->wexpr;
            t->recent_windows += d->n_windows;
        }
    }
    for (int k = 0; k < 7; k++)
        t->weekday_valence[k] = t->weekday_days[k] ? t->weekday_valence[k] / t->weekday_days[k] : NAN;
    for (int l = 0; l < VH_MONITOR_NLABELS; l++) t->distribution[l] = totw > 0 ? tot[l] / totw : 0;
    t->total_hours = totw / 3600;
    t->agree_share = t->agree_days ? (double)agree / t->agree_days : NAN;
    t->agree_corr = NAN;
    if (t->agree_days >= 3) {
        double n = t->agree_days, cx = fv_sxx - fv_sx * fv_sx / n, cy = fv_syy - fv_sy * fv_sy / n;
        if (cx > 1e-12 && cy > 1e-12) t->agree_corr = (fv_sxy - fv_sx * fv_sy / n) / sqrt(cx * cy);
    }
    t->recent_valence_sd = wsd(rw, rwv, rwv2);
    t->recent_arousal_sd = wsd(rw, rwa, rwa2);
    t->recent_expressivity = rw > 0 ? rwe / rw : NAN;
    s = load_prosody(m, pid, t, daynum);
done:
    free(a);
    free(nsess);
    free(daynum);
    if (s) { vh_monitor_trends_free(t); return s; }
    *out = t;
    return VH_OK;
}

/* ---- rules ---------------------------------------------------------------- */

#define MAX_KEYS 8
typedef struct rule {
    char name[32];
    int nkeys;
    char keys[MAX_KEYS][24];
    double vals[MAX_KEYS];
    char *message;
} rule;

struct vh_monitor_rules {
    rule *r;
    size_t n;
    char *safety;
};

static const struct { const char *name; const char *keys[MAX_KEYS]; } known[] = {
    {"negative_days", {"window", "share", "min_days", "valence"}},
    {"phq9", {"score"}},
    {"phq9_item9", {NULL}},
    {"gad7", {"score"}},
    {"cusum_negative", {"k", "h", "baseline"}},
    {"flat_affect", {"window", "valence_sd", "arousal_sd", "expressivity", "min_windows"}},
    {"prosody_drift", {"z", "min_baseline"}},
    {"agreement", {"min_days", "share"}},
    {"safety", {NULL}},
};

static const char *default_safety =
    "You said you have had thoughts that you would be better off dead or of hurting yourself. "
    "You deserve support right now. Please reach out today: call your local emergency number or a "
    "crisis line (for example 988 in the US, 116 123 in the UK and much of Europe), or tell someone you trust.";

static const char default_rules_text[] =
    "negative_days window=14 share=0.6 min_days=7 valence=-0.1\n"
    "phq9 score=10\n"
    "phq9_item9\n"
    "gad7 score=10\n"
    "cusum_negative k=0.5 h=4 baseline=14\n"
    "flat_affect window=7 valence_sd=0.08 arousal_sd=0.08 expressivity=0.25 min_windows=20\n"
    "prosody_drift z=2.5 min_baseline=5\n"
    "agreement min_days=5 share=0.5\n";

void vh_monitor_rules_free(vh_monitor_rules *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) free(r->r[i].message);
    free(r->r);
    free(r->safety);
    free(r);
}

size_t vh_monitor_rules_count(const vh_monitor_rules *r) { return r ? r->n : 0; }
const char *vh_monitor_rules_safety_message(const vh_monitor_rules *r) {
    return r && r->safety ? r->safety : default_safety;
}

int vh_monitor_rules_parse(const char *text, size_t len, const char *name, vh_monitor_rules **out) {
    *out = NULL;
    if (!name) name = "alerts.conf";
    vh_monitor_rules *rs = calloc(1, sizeof *rs);
    if (!rs) return vh__fail(NULL, VH_ENOMEM, "out of memory");
    const char *p = text, *end = text + len;
    int line = 0, s = VH_OK;
    size_t cap = 0;
    while (p < end && !s) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *q = p;
        p = eol < end ? eol + 1 : end;
        while (q < eol && isspace((unsigned char)*q)) q++;
        if (q == eol || *q == '#') continue;
        rule r;
        memset(&r, 0, sizeof r);
        size_t n = 0;
        while (q < eol && (isalnum((unsigned char)*q) || *q == '_')) {
            if (n + 1 >= sizeof r.name) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: rule name too long", name, line); break; }
            r.name[n++] = *q++;
        }
        if (s) break;
        int kind = -1;
        for (size_t k = 0; k < VH_COUNTOF(known); k++)
            if (!strcmp(r.name, known[k].name)) kind = (int)k;
        if (kind < 0) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: unknown rule '%s'", name, line, r.name); break; }
        while (!s) {
            while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
            if (q == eol || *q == '#') break;
            char key[24];
            n = 0;
            while (q < eol && (isalnum((unsigned char)*q) || *q == '_') && n + 1 < sizeof key) key[n++] = *q++;
            key[n] = 0;
            if (!n || q >= eol || *q != '=') { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: expected key=value", name, line); break; }
            q++;
            if (!strcmp(key, "message")) {
                if (q >= eol || *q != '"') { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: message must be \"quoted\"", name, line); break; }
                const char *st = ++q;
                while (q < eol && *q != '"') q++;
                if (q >= eol) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: unterminated message", name, line); break; }
                size_t ml = (size_t)(q - st);
                if (ml == 0 || ml > 2000) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: message must be 1-2000 characters", name, line); break; }
                free(r.message);
                if (!(r.message = malloc(ml + 1))) { s = vh__fail(NULL, VH_ENOMEM, "out of memory"); break; }
                memcpy(r.message, st, ml);
                r.message[ml] = 0;
                q++;
                continue;
            }
            int ok = 0;
            for (int k = 0; k < MAX_KEYS && known[kind].keys[k]; k++)
                if (!strcmp(key, known[kind].keys[k])) ok = 1;
            if (!ok) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: rule %s has no key '%s'", name, line, r.name, key); break; }
            char num[48];
            n = 0;
            while (q < eol && !isspace((unsigned char)*q) && *q != '#' && n + 1 < sizeof num) num[n++] = *q++;
            num[n] = 0;
            char *e;
            double v = strtod(num, &e);
            if (!n || *e || !isfinite(v) || fabs(v) > 1e6) {
                s = vh__fail(NULL, VH_EFORMAT, "%s:%d: %s=%s is not a number", name, line, key, num);
                break;
            }
            if (r.nkeys >= MAX_KEYS) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: too many keys", name, line); break; }
            snprintf(r.keys[r.nkeys], sizeof r.keys[0], "%s", key);
            r.vals[r.nkeys++] = v;
        }
        if (s) { free(r.message); break; }
        if (!strcmp(r.name, "safety")) {
            if (!r.message) { s = vh__fail(NULL, VH_EFORMAT, "%s:%d: safety needs message=\"...\"", name, line); break; }
            free(rs->safety);
            rs->safety = r.message;
            continue;
        }
        if (rs->n == cap) {
            cap = cap ? cap * 2 : 16;
            rule *nr = realloc(rs->r, cap * sizeof *nr);
            if (!nr) { free(r.message); s = vh__fail(NULL, VH_ENOMEM, "out of memory"); break; }
            rs->r = nr;
        }
        rs->r[rs->n++] = r;
    }
    if (s) { vh_monitor_rules_free(rs); return s; }
    *out = rs;
    return VH_OK;
}

int vh_monitor_rules_load(const char *path, vh_monitor_rules **out) {
    char *text;
    size_t len;
    *out = NULL;
    int s = vh_file_read_all(path, 1 << 20, &text, &len);
    if (s) return s;
    s = vh_monitor_rules_parse(text, len, path, out);
    vh_free(text);
    return s;
}

int vh_monitor_rules_default(vh_monitor_rules **out) {
    return vh_monitor_rules_parse(default_rules_text, sizeof default_rules_text - 1, "built-in rules", out);
}

static const rule *find_rule(const vh_monitor_rules *r, const char *name) {
    for (size_t i = 0; r && i < r->n; i++)
        if (!strcmp(r->r[i].name, name)) return &r->r[i];
    return NULL;
}

static double param(const rule *r, const char *key, double dflt) {
    for (int i = 0; r && i < r->nkeys; i++)
        if (!strcmp(r->keys[i], key)) return r->vals[i];
    return dflt;
}

vh_monitor_trend_params vh_monitor_rules_trend_params(const vh_monitor_rules *r) {
    vh_monitor_trend_params p = vh_monitor_default_trend_params();
    const rule *c = find_rule(r, "cusum_negative"), *n = find_rule(r, "negative_days"), *f = find_rule(r, "flat_affect");
    p.cusum_k = param(c, "k", p.cusum_k);
    p.cusum_h = param(c, "h", p.cusum_h);
    p.baseline_days = (int)param(c, "baseline", p.baseline_days);
    p.low_valence = param(n, "valence", p.low_valence);
    p.recent_days = (int)param(f, "window", p.recent_days);
    return p;
}

/* ---- evaluation ----------------------------------------------------------- */

typedef struct cand {
    char rule[64], first[11], last[11];
    int level;
    vh_buf msg, ev;
} cand;

static int put_alert(vh_monitor *m, int64_t pid, cand *c, const char *override, int *n_new) {
    sqlite3_stmt *st;
    int s = VH_OK;
    if (c->msg.failed || c->ev.failed) s = vh__fail(&m->err, VH_ENOMEM, "out of memory");
    /* A condition that continues (its evidence period overlaps a stored alert
     * of the same rule) extends that alert instead of adding another. */
    int64_t prev = 0;
    int newer = 0;
    if (!s && !(s = vh__mon_prepare(m, "SELECT id, last_day < ?4 FROM alerts WHERE person = ?1 AND rule = ?2"
                                       " AND last_day >= ?3 AND first_day <= ?4 ORDER BY last_day DESC LIMIT 1", &st))) {
        sqlite3_bind_int64(st, 1, pid);
        sqlite3_bind_text(st, 2, c->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->first, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->last, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) { prev = sqlite3_column_int64(st, 0); newer = sqlite3_column_int(st, 1); }
        else if (rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "read alerts");
        sqlite3_finalize(st);
    }
    if (!s && prev && newer &&
        !(s = vh__mon_prepare(m, "UPDATE alerts SET last_day = ?2, first_day = min(first_day, ?3), level = ?4,"
                                 " message = ?5, evidence = ?6 WHERE id = ?1", &st))) {
        sqlite3_bind_int64(st, 1, prev);
        sqlite3_bind_text(st, 2, c->last, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->first, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, c->level);
        sqlite3_bind_text(st, 5, override ? override : c->msg.data, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, c->ev.data, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "update alert");
    }
    if (!s && !prev && !(s = vh__mon_prepare(m, "INSERT OR IGNORE INTO alerts(person, rule, created_at, first_day, last_day,"
                                       " level, message, evidence) VALUES(?1,?2,strftime('%s','now'),?3,?4,?5,?6,?7)", &st))) {
        sqlite3_bind_int64(st, 1, pid);
        sqlite3_bind_text(st, 2, c->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->first, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->last, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, c->level);
        sqlite3_bind_text(st, 6, override ? override : c->msg.data, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, c->ev.data, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "store alert");
        else *n_new += sqlite3_changes(m->db);
    }
    vh_buf_free(&c->msg);
    vh_buf_free(&c->ev);
    memset(c, 0, sizeof *c);
    return s;
}

static void survey_alert(cand *c, const char *rule, const vh_monitor_survey *sv, const char *title) {
    char day[16];
    vh_monitor_format_time(sv->taken_at, sv->tz_minutes, 1, day, sizeof day);
    snprintf(c->rule, sizeof c->rule, "%s", rule);
    snprintf(c->first, sizeof c->first, "%.10s", day);
    snprintf(c->last, sizeof c->last, "%.10s", day);
    c->level = 2;
    vh_buf_printf(&c->msg, "Your %s score on %s was %d (%s range). A questionnaire like this is a screening tool, "
                  "not a diagnosis; it may help to talk about how you have been feeling with a doctor or "
                  "another professional.", title, day, sv->score.total, sv->score.severity);
    vh_json_writer w;
    vh_jw_init(&w, &c->ev, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "instrument"); vh_jw_string(&w, sv->instrument);
    vh_jw_key(&w, "date"); vh_jw_string(&w, day);
    vh_jw_key(&w, "total"); vh_jw_int(&w, sv->score.total);
    vh_jw_key(&w, "severity"); vh_jw_string(&w, sv->score.severity);
    vh_jw_key(&w, "answers"); vh_jw_array_begin(&w);
    for (int i = 0; i < sv->n_items; i++) vh_jw_int(&w, sv->answers[i]);
    vh_jw_array_end(&w);
    vh_jw_object_end(&w);
}

int vh_monitor_evaluate(vh_monitor *m, const char *person, const vh_monitor_rules *rules,
                        const vh_monitor_trends *t, int *n_new) {
    *n_new = 0;
    if (m->readonly) return vh__fail(&m->err, VH_EINVAL, "%s: store opened read-only", m->path);
    int64_t pid;
    int s = vh__mon_person(m, person, 0, &pid);
    if (s) return s;
    vh_monitor_survey *sv = NULL;
    size_t nsv = 0;
    if ((s = vh_monitor_surveys(m, person, &sv, &nsv))) return s;
    if ((s = vh__mon_exec(m, "BEGIN IMMEDIATE"))) { free(sv); return s; }
    const vh_monitor_day *D = t->days;
    size_t nd = t->n_days;
    cand c;
    memset(&c, 0, sizeof c);
    for (size_t ri = 0; ri < rules->n && !s; ri++) {
        const rule *r = &rules->r[ri];
        const char *ovr = r->message;
        vh_json_writer w;
        if (!strcmp(r->name, "negative_days") && nd) {
            int window = (int)param(r, "window", 14), min_days = (int)param(r, "min_days", 7);
            double share = param(r, "share", 0.6);
            int64_t lastd, firstd;
            int y, mo, d;
            lastd = vh__days_from_civil(atoi(D[nd - 1].date), atoi(D[nd - 1].date + 5), atoi(D[nd - 1].date + 8));
            firstd = lastd - window + 1;
            int with = 0, low = 0;
            size_t i0 = nd;
            for (size_t i = 0; i < nd; i++) {
                int64_t dn = vh__days_from_civil(atoi(D[i].date), atoi(D[i].date + 5), atoi(D[i].date + 8));
                if (dn < firstd) continue;
                if (i0 == nd) i0 = i;
                with++;
                low += D[i].low;
            }
            if (with >= min_days && with > 0 && (double)low / with >= share) {
                snprintf(c.rule, sizeof c.rule, "negative_days");
                vh__civil_from_days(firstd, &y, &mo, &d);
                snprintf(c.first, sizeof c.first, "%04d-%02d-%02d", y, mo, d);
                snprintf(c.last, sizeof c.last, "%s", D[nd - 1].date);
                c.level = 2;
                vh_buf_printf(&c.msg, "You have logged mostly low moods on %d of the last %d days. It may help to talk "
                              "to someone you trust or a professional.", low, window);
                vh_jw_init(&w, &c.ev, 0);
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "window_days"); vh_jw_int(&w, window);
                vh_jw_key(&w, "days_with_data"); vh_jw_int(&w, with);
                vh_jw_key(&w, "low_days"); vh_jw_int(&w, low);
                vh_jw_key(&w, "low_valence_threshold"); vh_jw_number(&w, t->params.low_valence);
                vh_jw_key(&w, "days"); vh_jw_array_begin(&w);
                for (size_t i = i0; i < nd; i++) {
                    vh_jw_object_begin(&w);
                    vh_jw_key(&w, "date"); vh_jw_string(&w, D[i].date);
                    vh_jw_key(&w, "valence"); vh_jw_number(&w, round(D[i].valence * 1000) / 1000);
                    vh_jw_key(&w, "low"); vh_jw_bool(&w, D[i].low);
                    vh_jw_object_end(&w);
                }
                vh_jw_array_end(&w);
                vh_jw_object_end(&w);
                s = put_alert(m, pid, &c, ovr, n_new);
            }
        } else if (!strcmp(r->name, "phq9") || !strcmp(r->name, "gad7")) {
            double thr = param(r, "score", 10);
            for (size_t i = nsv; i-- > 0;) /* the latest of that instrument */
                if (!strcmp(sv[i].instrument, r->name)) {
                    if (sv[i].score.total >= thr) {
                        survey_alert(&c, r->name, &sv[i], r->name[0] == 'p' ? "PHQ-9" : "GAD-7");
                        s = put_alert(m, pid, &c, ovr, n_new);
                    }
                    break;
                }
        } else if (!strcmp(r->name, "phq9_item9")) {
            for (size_t i = 0; i < nsv && !s; i++)
                if (sv[i].score.safety_flag) {
                    survey_alert(&c, "phq9_item9", &sv[i], "PHQ-9");
                    c.level = 3;
                    c.msg.len = 0;
                    vh_buf_puts(&c.msg, rules->safety ? rules->safety : default_safety);
                    s = put_alert(m, pid, &c, ovr, n_new);
                }
        } else if (!strcmp(r->name, "cusum_negative") && nd) {
            double h = t->params.cusum_h;
            for (size_t i = 0; i < nd; i++) {
                if (!(D[i].cusum > h)) continue;
                size_t st = i; /* the run began after the last day at 0 */
                while (st > 0 && D[st - 1].cusum > 0) st--;
                snprintf(c.rule, sizeof c.rule, "cusum_negative");
                snprintf(c.first, sizeof c.first, "%s", D[st].date);
                snprintf(c.last, sizeof c.last, "%s", D[i].date);
                c.level = 2;
                vh_buf_printf(&c.msg, "Your readings have shown more negative feelings than usual since %s. Changes "
                              "like this are common; it may help to notice what has been going on and to talk to "
                              "someone you trust.", D[st].date);
                vh_jw_init(&w, &c.ev, 0);
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "baseline_negative_mean"); vh_jw_number(&w, round(t->cusum_mu * 1000) / 1000);
                vh_jw_key(&w, "baseline_negative_sd"); vh_jw_number(&w, round(t->cusum_sigma * 1000) / 1000);
                vh_jw_key(&w, "k"); vh_jw_number(&w, t->params.cusum_k);
                vh_jw_key(&w, "h"); vh_jw_number(&w, h);
                vh_jw_key(&w, "change_started"); vh_jw_string(&w, D[st].date);
                vh_jw_key(&w, "alarm_day"); vh_jw_string(&w, D[i].date);
                vh_jw_key(&w, "cusum"); vh_jw_number(&w, round(D[i].cusum * 100) / 100);
                vh_jw_key(&w, "days"); vh_jw_array_begin(&w);
                for (size_t j = st; j <= i; j++) {
                    vh_jw_object_begin(&w);
                    vh_jw_key(&w, "date"); vh_jw_string(&w, D[j].date);
                    vh_jw_key(&w, "negative"); vh_jw_number(&w, round(D[j].negative * 1000) / 1000);
                    vh_jw_object_end(&w);
                }
                vh_jw_array_end(&w);
                vh_jw_object_end(&w);
                s = put_alert(m, pid, &c, ovr, n_new);
                while (i + 1 < nd && D[i + 1].cusum > 0) i++; /* one alert per episode */
                if (s) break;
            }
        } else if (!strcmp(r->name, "flat_affect") && nd) {
            if (t->recent_windows >= param(r, "min_windows", 20) &&
                t->recent_valence_sd < param(r, "valence_sd", 0.08) &&
                t->recent_arousal_sd < param(r, "arousal_sd", 0.08) &&
                t->recent_expressivity < param(r, "expressivity", 0.25)) {
                snprintf(c.rule, sizeof c.rule, "flat_affect");
                int64_t lastd = vh__days_from_civil(atoi(D[nd - 1].date), atoi(D[nd - 1].date + 5), atoi(D[nd - 1].date + 8));
                vh_monitor_format_time((lastd - t->params.recent_days + 1) * 86400, 0, 1, c.first, sizeof c.first);
                snprintf(c.last, sizeof c.last, "%s", D[nd - 1].date);
                c.level = 1;
                vh_buf_printf(&c.msg, "Your expressions and voice have varied less than usual over the last %d days. "
                              "This can happen when tired or low; it may help to check in with how you feel.",
                              t->params.recent_days);
                vh_jw_init(&w, &c.ev, 0);
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "window_days"); vh_jw_int(&w, t->params.recent_days);
                vh_jw_key(&w, "windows"); vh_jw_int(&w, t->recent_windows);
                vh_jw_key(&w, "valence_sd"); vh_jw_number(&w, round(t->recent_valence_sd * 1000) / 1000);
                vh_jw_key(&w, "arousal_sd"); vh_jw_number(&w, round(t->recent_arousal_sd * 1000) / 1000);
                vh_jw_key(&w, "expressivity"); vh_jw_number(&w, round(t->recent_expressivity * 1000) / 1000);
                vh_jw_object_end(&w);
                s = put_alert(m, pid, &c, ovr, n_new);
            }
        } else if (!strcmp(r->name, "prosody_drift") && nd) {
            double zt = param(r, "z", 2.5);
            int minb = (int)param(r, "min_baseline", 5);
            for (size_t k = 0; k < t->n_prosody && !s; k++) {
                const vh_monitor_prosody_trend *pt = &t->prosody[k];
                if (!(fabs(pt->z) >= zt) || pt->n_baseline < minb) continue;
                snprintf(c.rule, sizeof c.rule, "prosody_drift:%s", pt->name);
                snprintf(c.first, sizeof c.first, "%s", D[0].date);
                snprintf(c.last, sizeof c.last, "%s", D[nd - 1].date);
                c.level = 1;
                vh_buf_printf(&c.msg, "A feature of your voice (%s) has moved away from your usual level "
                              "(%.3g now, %.3g usually). Many things affect the voice, such as a cold or tiredness; "
                              "it may be worth noting how you feel.", pt->name, pt->recent_mean, pt->baseline_mean);
                vh_jw_init(&w, &c.ev, 0);
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "feature"); vh_jw_string(&w, pt->name);
                vh_jw_key(&w, "baseline_mean"); vh_jw_number(&w, pt->baseline_mean);
                vh_jw_key(&w, "baseline_sd"); vh_jw_number(&w, pt->baseline_sd);
                vh_jw_key(&w, "baseline_days"); vh_jw_int(&w, pt->n_baseline);
                vh_jw_key(&w, "recent_mean"); vh_jw_number(&w, pt->recent_mean);
                vh_jw_key(&w, "recent_days"); vh_jw_int(&w, pt->n_recent);
                vh_jw_key(&w, "z"); vh_jw_number(&w, round(pt->z * 100) / 100);
                vh_jw_object_end(&w);
                s = put_alert(m, pid, &c, ovr, n_new);
            }
        } else if (!strcmp(r->name, "agreement") && nd) {
            if (t->agree_days >= param(r, "min_days", 5) && t->agree_share < param(r, "share", 0.5)) {
                snprintf(c.rule, sizeof c.rule, "agreement");
                snprintf(c.first, sizeof c.first, "%s", D[0].date);
                snprintf(c.last, sizeof c.last, "%s", D[nd - 1].date);
                c.level = 1;
                int dis = t->agree_days - (int)lround(t->agree_share * t->agree_days);
                vh_buf_printf(&c.msg, "Your face and voice readings pointed in different directions on %d of %d days. "
                              "The read-outs are estimates; your own sense of how you feel matters most.", dis, t->agree_days);
                vh_jw_init(&w, &c.ev, 0);
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "days_with_both"); vh_jw_int(&w, t->agree_days);
                vh_jw_key(&w, "share_agreeing"); vh_jw_number(&w, round(t->agree_share * 1000) / 1000);
                vh_jw_key(&w, "correlation"); vh_jw_number(&w, round(t->agree_corr * 1000) / 1000);
                vh_jw_object_end(&w);
                s = put_alert(m, pid, &c, ovr, n_new);
            }
        }
    }
    vh_buf_free(&c.msg);
    vh_buf_free(&c.ev);
    free(sv);
    if (!s) s = vh__mon_exec(m, "COMMIT");
    if (s) {
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
        *n_new = 0;
    }
    return s;
}

void vh_monitor_alerts_free(vh_monitor_alert *a, size_t n) {
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].message);
        free(a[i].evidence);
    }
    free(a);
}

int vh_monitor_alerts(vh_monitor *m, const char *person, vh_monitor_alert **out, size_t *n) {
    *out = NULL;
    *n = 0;
    int64_t pid;
    int s = vh__mon_person(m, person, 0, &pid);
    if (s) return s;
    sqlite3_stmt *st;
    if ((s = vh__mon_prepare(m, "SELECT id, created_at, rule, first_day, last_day, level, message, evidence"
                                " FROM alerts WHERE person = ?1 ORDER BY last_day DESC, level DESC, id DESC", &st)))
        return s;
    sqlite3_bind_int64(st, 1, pid);
    size_t cap = 0;
    vh_monitor_alert *a = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            vh_monitor_alert *na = realloc(a, cap * sizeof *na);
            if (!na) { s = vh__fail(&m->err, VH_ENOMEM, "out of memory"); break; }
            a = na;
        }
        vh_monitor_alert *x = &a[*n];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(st, 0);
        x->created_at = sqlite3_column_int64(st, 1);
        snprintf(x->rule, sizeof x->rule, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(x->first_day, sizeof x->first_day, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(x->last_day, sizeof x->last_day, "%s", (const char *)sqlite3_column_text(st, 4));
        x->level = sqlite3_column_int(st, 5);
        x->message = vh__strdup((const char *)sqlite3_column_text(st, 6));
        x->evidence = vh__strdup((const char *)sqlite3_column_text(st, 7));
        (*n)++;
        if (!x->message || !x->evidence) { s = vh__fail(&m->err, VH_ENOMEM, "out of memory"); break; }
    }
    if (!s && rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "list alerts");
    sqlite3_finalize(st);
    if (s) {
        vh_monitor_alerts_free(a, *n);
        *n = 0;
        return s;
    }
    *out = a;
    return VH_OK;
}
