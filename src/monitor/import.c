/* Import of face/voice analysis results (the JSON contract in docs/monitor.md),
 * `record` (analysis callback + source hash + import) and questionnaires. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct result {
    const vh_json *obj;
    int modality; /* 0 face, 1 voice */
    int64_t started_at;
    int tz;
    double duration;
    int map[16];  /* result label i -> canonical label */
    int nlabels;
    const vh_json *windows, *prosody;
    const char *model;
    char hash[65];
} result;

static int ffail(vh_monitor *m, const char *name, int idx, int multi, const char *fmt, const char *a, double v) {
    char what[256];
    snprintf(what, sizeof what, fmt, a, v);
    if (multi) return vh__fail(&m->err, VH_EFORMAT, "%s: result %d: %s", name, idx, what);
    return vh__fail(&m->err, VH_EFORMAT, "%s: %s", name, what);
}
#define BAD(...) ffail(m, name, idx, multi, __VA_ARGS__)

static int is_hex64(const char *s) {
    if (!s || strlen(s) != 64) return 0;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i])) return 0;
    return 1;
}

static int num_in(const vh_json *v, double lo, double hi, double *out) {
    if (!v || v->type != VH_JSON_NUMBER || !isfinite(v->number) || v->number < lo || v->number > hi) return 0;
    *out = v->number;
    return 1;
}

/* Validates one result object fully before anything is written. */
static int check_result(vh_monitor *m, const char *name, int idx, int multi, const vh_json *o,
                        const vh_monitor_import_opts *opts, const char *json, size_t len, result *r) {
    memset(r, 0, sizeof *r);
    r->obj = o;
    if (!o || o->type != VH_JSON_OBJECT) return BAD("expected a JSON object%s", "", 0);
    const char *kind = vh_json_get_string(o, "kind", NULL);
    if (!kind) return BAD("missing \"kind\" (\"face\" or \"voice\")%s", "", 0);
    if (!strcmp(kind, "face")) r->modality = 0;
    else if (!strcmp(kind, "voice")) r->modality = 1;
    else return BAD("\"kind\" is '%s', expected \"face\" or \"voice\"", kind, 0);
    const vh_json *ts = vh_json_get(o, "started_at");
    if (ts && ts->type != VH_JSON_NULL) {
        if (ts->type != VH_JSON_STRING || vh_monitor_parse_time(ts->string, &r->started_at, &r->tz))
            return BAD("\"started_at\" is not an ISO 8601 time%s", "", 0);
    } else {
        r->started_at = opts->default_time;
        r->tz = opts->default_tz_minutes;
    }
    const vh_json *lab = vh_json_get(o, "labels");
    if (!lab || lab->type != VH_JSON_ARRAY || lab->count < 1 || lab->count > 16)
        return BAD("\"labels\" must be an array of 1 to 16 emotion names%s", "", 0);
    r->nlabels = (int)lab->count;
    int seen[VH_MONITOR_NLABELS] = {0};
    for (size_t i = 0; i < lab->count; i++) {
        const vh_json *l = &lab->items[i];
        int c = l->type == VH_JSON_STRING ? vh_monitor_label_index(l->string) : -1;
        if (c < 0) return BAD("unknown label '%s' (see docs/monitor.md for the label set)",
                              l->type == VH_JSON_STRING ? l->string : "?", 0);
        if (seen[c]++) return BAD("label '%s' appears twice", l->string, 0);
        r->map[i] = c;
    }
    r->windows = vh_json_get(o, "windows");
    if (!r->windows || r->windows->type != VH_JSON_ARRAY)
        return BAD("missing \"windows\" array%s", "", 0);
    if (r->windows->count == 0) return BAD("\"windows\" is empty (no face or speech was found)%s", "", 0);
    if (r->windows->count > VH_MONITOR_MAX_WINDOWS)
        return BAD("too many windows (%s%.0f)", "more than ", VH_MONITOR_MAX_WINDOWS);
    double end = 0;
    for (size_t i = 0; i < r->windows->count; i++) {
        const vh_json *w = &r->windows->items[i];
        double t, d, x;
        char at[48];
        snprintf(at, sizeof at, "windows[%zu]", i);
        if (w->type != VH_JSON_OBJECT) return BAD("%s is not an object", at, 0);
        if (!num_in(vh_json_get(w, "t"), 0, 7 * 86400, &t)) return BAD("%s: \"t\" must be seconds in [0, 604800]", at, 0);
        const vh_json *dj = vh_json_get(w, "dur");
        if (dj && !num_in(dj, 1e-6, 86400, &d)) return BAD("%s: \"dur\" must be in (0, 86400] seconds", at, 0);
        if (!dj) d = 1;
        if (t + d > end) end = t + d;
        const vh_json *p = vh_json_get(w, "probs");
        if (!p || p->type != VH_JSON_ARRAY || p->count != lab->count)
            return BAD("%s: \"probs\" must have one number per label", at, 0);
        double sum = 0;
        for (size_t k = 0; k < p->count; k++) {
            if (!num_in(&p->items[k], 0, 1.0001, &x)) return BAD("%s: probabilities must be in [0, 1]", at, 0);
            sum += x;
        }
        if (sum < 0.9 || sum > 1.1) return BAD("%s: probabilities sum to %.3g, not 1", at, sum);
        const vh_json *va = vh_json_get(w, "valence"), *ar = vh_json_get(w, "arousal");
        if (va && va->type != VH_JSON_NULL && !num_in(va, -1, 1, &x)) return BAD("%s: \"valence\" must be in [-1, 1]", at, 0);
        if (ar && ar->type != VH_JSON_NULL && !num_in(ar, -1, 1, &x)) return BAD("%s: \"arousal\" must be in [-1, 1]", at, 0);
    }
    const vh_json *du = vh_json_get(o, "duration");
    if (du && du->type != VH_JSON_NULL) {
        if (!num_in(du, 0, 7 * 86400, &r->duration)) return BAD("\"duration\" must be seconds in [0, 604800]%s", "", 0);
    } else {
        r->duration = end;
    }
    r->prosody = vh_json_get(o, "prosody");
    if (r->prosody && r->prosody->type == VH_JSON_NULL) r->prosody = NULL;
    if (r->prosody) {
        if (r->prosody->type != VH_JSON_OBJECT) return BAD("\"prosody\" must be an object of numbers%s", "", 0);
        if (r->prosody->count > VH_MONITOR_MAX_PROSODY) return BAD("\"prosody\" has more than %s%.0f keys", "", VH_MONITOR_MAX_PROSODY);
        for (size_t i = 0; i < r->prosody->count; i++) {
            const char *k = r->prosody->keys[i];
            size_t kl = strlen(k);
            int ok = kl >= 1 && kl <= 32;
            for (size_t c = 0; ok && c < kl; c++) ok = islower((unsigned char)k[c]) || isdigit((unsigned char)k[c]) || k[c] == '_';
            if (!ok) return BAD("prosody key '%s' must be 1-32 characters of a-z 0-9 _", k, 0);
            const vh_json *v = &r->prosody->items[i];
            if (v->type != VH_JSON_NULL && (v->type != VH_JSON_NUMBER || !isfinite(v->number) || fabs(v->number) > 1e9))
                return BAD("prosody '%s' must be a finite number or null", k, 0);
        }
    }
    const vh_json *s = vh_json_get(o, "summary");
    if (s && s->type != VH_JSON_OBJECT && s->type != VH_JSON_NULL) return BAD("\"summary\" must be an object%s", "", 0);
    r->model = vh_json_get_string(o, "model", NULL);
    if (r->model && strlen(r->model) > 128) return BAD("\"model\" is longer than 128 characters%s", "", 0);
    const char *h = opts->source_hash;
    if (!h) h = vh_json_get_string(o, "source_sha256", NULL);
    if (h) {
        if (!is_hex64(h)) return BAD("source hash '%s' is not 64 hex digits", h, 0);
        for (int i = 0; i < 64; i++) r->hash[i] = (char)tolower((unsigned char)h[i]);
        r->hash[64] = 0;
    } else {
        vh_monitor_sha256_hex(json, len, r->hash); /* the document itself identifies it */
    }
    return VH_OK;
}

static int store_result(vh_monitor *m, int64_t pid, const result *r, int64_t *sid) {
    sqlite3_stmt *st;
    int s = vh__mon_prepare(m, "SELECT id FROM sessions WHERE person=?1 AND modality=?2 AND source_hash=?3", &st);
    if (s) return s;
    const char *mod = r->modality ? "voice" : "face";
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_text(st, 2, mod, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t dup = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return vh__mon_sqlfail(m, rc, "import");
    if (dup) return vh__fail(&m->err, VH_EEXIST, "%s: this %s result was already imported (session %lld)", m->path, mod, (long long)dup);
    if ((s = vh__mon_prepare(m, "INSERT INTO sessions(person, started_at, tz_minutes, duration, modality, source_hash,"
                                " model, imported_at) VALUES(?1,?2,?3,?4,?5,?6,?7,strftime('%s','now'))", &st)))
        return s;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, r->started_at);
    sqlite3_bind_int(st, 3, r->tz);
    sqlite3_bind_double(st, 4, r->duration);
    sqlite3_bind_text(st, 5, mod, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->hash, -1, SQLITE_STATIC);
    if (r->model) sqlite3_bind_text(st, 7, r->model, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return vh__mon_sqlfail(m, rc, "import");
    *sid = sqlite3_last_insert_rowid(m->db);
    if ((s = vh__mon_prepare(m, "INSERT INTO windows(session, t, dur, p_neutral, p_calm, p_happiness, p_surprise,"
                                " p_sadness, p_anger, p_disgust, p_fear, p_contempt, valence, arousal)"
                                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)", &st)))
        return s;
    for (size_t i = 0; i < r->windows->count; i++) {
        const vh_json *w = &r->windows->items[i], *p = vh_json_get(w, "probs");
        double probs[VH_MONITOR_NLABELS] = {0}, sum = 0, v = 0, a = 0;
        for (int k = 0; k < r->nlabels; k++) sum += p->items[k].number;
        for (int k = 0; k < r->nlabels; k++) probs[r->map[k]] = sum > 0 ? p->items[k].number / sum : 0;
        for (int l = 0; l < VH_MONITOR_NLABELS; l++) {
            double lv, la;
            vh_monitor_label_circumplex(l, &lv, &la, NULL);
            v += probs[l] * lv;
            a += probs[l] * la;
        }
        const vh_json *va = vh_json_get(w, "valence"), *ar = vh_json_get(w, "arousal");
        if (va && va->type == VH_JSON_NUMBER) v = va->number;
        if (ar && ar->type == VH_JSON_NUMBER) a = ar->number;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, *sid);
        sqlite3_bind_double(st, 2, vh_json_get_number(w, "t", 0));
        sqlite3_bind_double(st, 3, vh_json_get_number(w, "dur", 1));
        for (int l = 0; l < VH_MONITOR_NLABELS; l++) sqlite3_bind_double(st, 4 + l, probs[l]);
        sqlite3_bind_double(st, 13, v);
        sqlite3_bind_double(st, 14, a);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            return vh__mon_sqlfail(m, rc, "import");
        }
    }
    sqlite3_finalize(st);
    if (!r->prosody) return VH_OK;
    if ((s = vh__mon_prepare(m, "INSERT OR REPLACE INTO prosody(session, name, value) VALUES(?1,?2,?3)", &st))) return s;
    for (size_t i = 0; i < r->prosody->count; i++) {
        if (r->prosody->items[i].type != VH_JSON_NUMBER) continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, *sid);
        sqlite3_bind_text(st, 2, r->prosody->keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, r->prosody->items[i].number);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            return vh__mon_sqlfail(m, rc, "import");
        }
    }
    sqlite3_finalize(st);
    return VH_OK;
}

int vh_monitor_import(vh_monitor *m, const char *person, const char *json, size_t len,
                      const vh_monitor_import_opts *opts, int64_t *ids, int *n_ids) {
    vh_monitor_import_opts o = {0};
    if (opts) o = *opts;
    if (!opts || !opts->default_time) o.default_time = (int64_t)time(NULL);
    const char *name = o.name ? o.name : "result";
    if (n_ids) *n_ids = 0;
    if (m->readonly) return vh__fail(&m->err, VH_EINVAL, "%s: store opened read-only", m->path);
    if (!vh__mon_valid_person(person))
        return vh__fail(&m->err, VH_EINVAL, "person id '%s' must be 1-64 characters of A-Z a-z 0-9 . _ -",
                        person ? person : "");
    vh_json *doc = NULL;
    int s = vh_json_parse(json, len, &doc);
    if (s) return vh__fail(&m->err, s, "%s: %s", name, vh_last_error());
    result res[VH_MONITOR_MAX_RESULTS];
    int nres = 0, multi = doc->type == VH_JSON_ARRAY;
    if (multi) {
        if (doc->count == 0 || doc->count > VH_MONITOR_MAX_RESULTS) {
            vh_json_free(doc);
            return vh__fail(&m->err, VH_EFORMAT, "%s: expected 1 to %d results in the array", name, VH_MONITOR_MAX_RESULTS);
        }
        for (size_t i = 0; i < doc->count && !s; i++)
            s = check_result(m, name, (int)i, 1, &doc->items[i], &o, json, len, &res[nres++]);
    } else {
        s = check_result(m, name, 0, 0, doc, &o, json, len, &res[nres++]);
    }
    if (s) { vh_json_free(doc); return s; }
    if ((s = vh__mon_exec(m, "BEGIN IMMEDIATE"))) { vh_json_free(doc); return s; }
    int64_t pid;
    s = vh__mon_person(m, person, 1, &pid);
    int64_t got[VH_MONITOR_MAX_RESULTS];
    for (int i = 0; i < nres && !s; i++) s = store_result(m, pid, &res[i], &got[i]);
    if (!s) s = vh__mon_exec(m, "COMMIT");
    if (s) {
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    } else {
        for (int i = 0; i < nres; i++)
            if (ids) ids[i] = got[i];
        if (n_ids) *n_ids = nres;
    }
    vh_json_free(doc);
    return s;
}

int vh_monitor_record(vh_monitor *m, const char *person, const char *path,
                      vh_monitor_analyze_fn analyze, void *user, int64_t *ids, int *n_ids) {
    if (n_ids) *n_ids = 0;
    if (!analyze) return vh__fail(&m->err, VH_EUNSUPPORTED, "%s: face/voice analysis is not available in this build", path);
    char hash[65];
    int s = vh_monitor_sha256_file(path, hash);
    if (s) return vh__fail(&m->err, s, "%s", vh_last_error());
    char *json = NULL;
    size_t len = 0;
    if ((s = analyze(path, &json, &len, user))) {
        vh_free(json);
        return vh__fail(&m->err, s, "%s", vh_last_error());
    }
    vh_monitor_import_opts o = {0};
    o.name = path;
    o.source_hash = hash;
    s = vh_monitor_import(m, person, json, len, &o, ids, n_ids);
    vh_free(json);
    return s;
}

/* ---- questionnaires ------------------------------------------------------- */

/* Standard wording of the PHQ-9 and GAD-7 (Spitzer, Williams, Kroenke et al.;
 * released by Pfizer, no permission required to reproduce). */
static const char *const choices[4] = {"Not at all", "Several days", "More than half the days", "Nearly every day"};
static const char *const phq9_items[9] = {
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \xe2\x80\x94 or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    ("Moving or speaking so slowly that other people could have noticed? Or the opposite \xe2\x80\x94 being so "
     "fidgety or restless that you have been moving around a lot more than usual"),
    "Thoughts that you would be better off dead or of hurting yourself in some way",
};
static const char *const gad7_items[7] = {
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
};
static const vh_instrument instruments[2] = {
    {"phq9", "PHQ-9", "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
     9, phq9_items, choices, 27, "44261-6"},
    {"gad7", "GAD-7", "Over the last 2 weeks, how often have you been bothered by the following problems?",
     7, gad7_items, choices, 21, "70274-6"},
};

const vh_instrument *vh_monitor_instrument(const char *id) {
    if (!id) return NULL;
    char k[8];
    size_t j = 0;
    for (const char *p = id; *p && j < sizeof k - 1; p++)
        if (*p != '-') k[j++] = (char)tolower((unsigned char)*p);
    k[j] = 0;
    if (strlen(id) > 6) return NULL;
    for (int i = 0; i < 2; i++)
        if (!strcmp(k, instruments[i].id)) return &instruments[i];
    return NULL;
}

int vh_monitor_score(const vh_instrument *ins, const int *answers, int n, vh_survey_score *out) {
    if (!ins || !answers || n != ins->n_items)
        return vh__fail(NULL, VH_EINVAL, "%s needs %d answers, got %d", ins ? ins->title : "questionnaire",
                        ins ? ins->n_items : 0, n);
    int total = 0;
    for (int i = 0; i < n; i++) {
        if (answers[i] < 0 || answers[i] > 3)
            return vh__fail(NULL, VH_EINVAL, "%s answer %d is %d; answers are 0 to 3", ins->title, i + 1, answers[i]);
        total += answers[i];
    }
    out->total = total;
    out->safety_flag = 0;
    if (ins == &instruments[0]) {
        out->severity = total <= 4 ? "minimal" : total <= 9 ? "mild" : total <= 14 ? "moderate"
                      : total <= 19 ? "moderately severe" : "severe";
        out->safety_flag = answers[8] > 0;
    } else {
        out->severity = total <= 4 ? "minimal" : total <= 9 ? "mild" : total <= 14 ? "moderate" : "severe";
    }
    return VH_OK;
}

int vh_monitor_parse_answers(const char *s, int *answers, int max, int *n) {
    *n = 0;
    const char *p = s;
    if (!s) return vh__fail(NULL, VH_EFORMAT, "no answers given");
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p)) p++;
        if (!*p) break;
        if (*p < '0' || *p > '3' || (p[1] && p[1] != ',' && !isspace((unsigned char)p[1])))
            return vh__fail(NULL, VH_EFORMAT, "answers must be numbers 0 to 3 separated by commas, found '%.10s'", p);
        if (*n >= max) return vh__fail(NULL, VH_EFORMAT, "more than %d answers", max);
        answers[(*n)++] = *p - '0';
        p++;
    }
    return VH_OK;
}

int vh_monitor_add_survey(vh_monitor *m, const char *person, const vh_instrument *ins,
                          const int *answers, int n, int64_t taken_at, int tz_minutes, int64_t *id) {
    vh_survey_score sc;
    int s = vh_monitor_score(ins, answers, n, &sc);
    if (s) return vh__fail(&m->err, s, "%s", vh_last_error());
    if (m->readonly) return vh__fail(&m->err, VH_EINVAL, "%s: store opened read-only", m->path);
    char txt[64];
    size_t j = 0;
    for (int i = 0; i < n; i++) j += (size_t)snprintf(txt + j, sizeof txt - j, i ? ",%d" : "%d", answers[i]);
    if ((s = vh__mon_exec(m, "BEGIN IMMEDIATE"))) return s;
    int64_t pid;
    sqlite3_stmt *st = NULL;
    if (!(s = vh__mon_person(m, person, 1, &pid)) &&
        !(s = vh__mon_prepare(m, "INSERT INTO surveys(person, taken_at, tz_minutes, instrument, answers, total,"
                                 " severity, safety_flag) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", &st))) {
        sqlite3_bind_int64(st, 1, pid);
        sqlite3_bind_int64(st, 2, taken_at);
        sqlite3_bind_int(st, 3, tz_minutes);
        sqlite3_bind_text(st, 4, ins->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, txt, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, sc.total);
        sqlite3_bind_text(st, 7, sc.severity, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, sc.safety_flag);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "store questionnaire");
        else if (id) *id = sqlite3_last_insert_rowid(m->db);
        sqlite3_finalize(st);
    }
    if (!s) s = vh__mon_exec(m, "COMMIT");
    if (s) sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

int vh_monitor_surveys(vh_monitor *m, const char *person, vh_monitor_survey **out, size_t *n) {
    *out = NULL;
    *n = 0;
    int64_t pid;
    int s = vh__mon_person(m, person, 0, &pid);
    if (s) return s;
    sqlite3_stmt *st;
    if ((s = vh__mon_prepare(m, "SELECT id, taken_at, tz_minutes, instrument, answers FROM surveys"
                                " WHERE person = ?1 ORDER BY taken_at, id", &st)))
        return s;
    sqlite3_bind_int64(st, 1, pid);
    size_t cap = 0;
    vh_monitor_survey *a = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            vh_monitor_survey *na = realloc(a, cap * sizeof *na);
            if (!na) { s = vh__fail(&m->err, VH_ENOMEM, "%s: out of memory", m->path); break; }
            a = na;
        }
        vh_monitor_survey *x = &a[*n];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(st, 0);
        x->taken_at = sqlite3_column_int64(st, 1);
        x->tz_minutes = sqlite3_column_int(st, 2);
        snprintf(x->instrument, sizeof x->instrument, "%s", (const char *)sqlite3_column_text(st, 3));
        const vh_instrument *ins = vh_monitor_instrument(x->instrument);
        if (!ins || vh_monitor_parse_answers((const char *)sqlite3_column_text(st, 4), x->answers, 9, &x->n_items) ||
            vh_monitor_score(ins, x->answers, x->n_items, &x->score)) {
            s = vh__fail(&m->err, VH_EFORMAT, "%s: questionnaire %lld is damaged", m->path, (long long)x->id);
            break;
        }
        (*n)++;
    }
    if (!s && rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "list questionnaires");
    sqlite3_finalize(st);
    if (s) {
        free(a);
        *n = 0;
        return s;
    }
    *out = a;
    return VH_OK;
}
