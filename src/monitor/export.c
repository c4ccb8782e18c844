/* Exports of one person's data: CSV per window, CSV per day, JSON (everything)
 * and a FHIR R4 Bundle of Observations. Output is deterministic for a store. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const pcols[VH_MONITOR_NLABELS] = {"p_neutral", "p_calm", "p_happiness", "p_surprise", "p_sadness",
                                                      "p_anger", "p_disgust", "p_fear", "p_contempt"};

static void csv_num(vh_buf *b, double v) {
    if (isfinite(v)) vh_buf_printf(b, ",%.6g", v);
    else vh_buf_puts(b, ",");
}

static int export_windows(vh_monitor *m, int64_t pid, vh_buf *out) {
    sqlite3_stmt *st;
    int s = vh__mon_prepare(m, "SELECT s.id, s.modality, s.started_at, s.tz_minutes, w.t, w.dur, w.p_neutral, w.p_calm,"
                               " w.p_happiness, w.p_surprise, w.p_sadness, w.p_anger, w.p_disgust, w.p_fear,"
                               " w.p_contempt, w.valence, w.arousal FROM sessions s JOIN windows w ON w.session = s.id"
                               " WHERE s.person = ?1 ORDER BY s.started_at, s.id, w.t", &st);
    if (s) return s;
    sqlite3_bind_int64(st, 1, pid);
    vh_buf_puts(out, "session,modality,session_start,date,t,dur");
    for (int l = 0; l < VH_MONITOR_NLABELS; l++) vh_buf_printf(out, ",%s", pcols[l]);
    vh_buf_puts(out, ",valence,arousal\n");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char ts[40], day[16];
        int64_t t0 = sqlite3_column_int64(st, 2);
        int tz = sqlite3_column_int(st, 3);
        vh_buf_printf(out, "%lld,%s,%s,%s", (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                      vh_monitor_format_time(t0, tz, 0, ts, sizeof ts), vh_monitor_format_time(t0, tz, 1, day, sizeof day));
        for (int c = 4; c < 17; c++) csv_num(out, sqlite3_column_double(st, c));
        vh_buf_puts(out, "\n");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? VH_OK : vh__mon_sqlfail(m, rc, "export");
}

static void export_days(const vh_monitor_trends *t, vh_buf *out) {
    static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    vh_buf_puts(out, "date,weekday,sessions,windows,valence,arousal,valence_sd,arousal_sd,negative,expressivity,"
                     "face_valence,voice_valence,ewma_valence,cusum_negative,low_mood");
    for (int l = 0; l < VH_MONITOR_NLABELS; l++) vh_buf_printf(out, ",%s", pcols[l]);
    vh_buf_puts(out, "\n");
    for (size_t i = 0; i < t->n_days; i++) {
        const vh_monitor_day *d = &t->days[i];
        vh_buf_printf(out, "%s,%s,%d,%d", d->date, wd[d->weekday], d->n_sessions, d->n_windows);
        double v[] = {d->valence, d->arousal, d->valence_sd, d->arousal_sd, d->negative, d->expressivity,
                      d->face_valence, d->voice_valence, d->ewma, d->cusum};
        for (size_t k = 0; k < VH_COUNTOF(v); k++) csv_num(out, v[k]);
        vh_buf_printf(out, ",%d", d->low);
        for (int l = 0; l < VH_MONITOR_NLABELS; l++) csv_num(out, d->probs[l]);
        vh_buf_puts(out, "\n");
    }
}

static int export_json(vh_monitor *m, const char *person, int64_t pid, const vh_monitor_trends *t, vh_buf *out) {
    vh_json_writer w;
    vh_jw_init(&w, out, 1);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "format"); vh_jw_string(&w, "verhm-monitor-export");
    vh_jw_key(&w, "schema_version"); vh_jw_int(&w, VH_MONITOR_SCHEMA_VERSION);
    vh_jw_key(&w, "person"); vh_jw_string(&w, person);
    vh_jw_key(&w, "labels"); vh_jw_array_begin(&w);
    for (int l = 0; l < VH_MONITOR_NLABELS; l++) vh_jw_string(&w, vh_monitor_label_name(l));
    vh_jw_array_end(&w);
    vh_jw_key(&w, "sessions"); vh_jw_array_begin(&w);
    sqlite3_stmt *ss, *ws, *ps;
    int s = vh__mon_prepare(m, "SELECT id, modality, started_at, tz_minutes, duration, source_hash, model FROM sessions"
                               " WHERE person = ?1 ORDER BY started_at, id", &ss);
    if (s) return s;
    if ((s = vh__mon_prepare(m, "SELECT t, dur, p_neutral, p_calm, p_happiness, p_surprise, p_sadness, p_anger,"
                                " p_disgust, p_fear, p_contempt, valence, arousal FROM windows WHERE session = ?1 ORDER BY t", &ws))) {
        sqlite3_finalize(ss);
        return s;
    }
    if ((s = vh__mon_prepare(m, "SELECT name, value FROM prosody WHERE session = ?1 ORDER BY name", &ps))) {
        sqlite3_finalize(ss);
        sqlite3_finalize(ws);
        return s;
    }
    sqlite3_bind_int64(ss, 1, pid);
    int rc;
    while ((rc = sqlite3_step(ss)) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(ss, 0);
        char ts[40];
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "id"); vh_jw_int(&w, sid);
        vh_jw_key(&w, "kind"); vh_jw_string(&w, (const char *)sqlite3_column_text(ss, 1));
        vh_jw_key(&w, "started_at");
        vh_jw_string(&w, vh_monitor_format_time(sqlite3_column_int64(ss, 2), sqlite3_column_int(ss, 3), 0, ts, sizeof ts));
        vh_jw_key(&w, "duration"); vh_jw_number(&w, sqlite3_column_double(ss, 4));
        vh_jw_key(&w, "source_sha256"); vh_jw_string(&w, (const char *)sqlite3_column_text(ss, 5));
        if (sqlite3_column_type(ss, 6) != SQLITE_NULL) {
            vh_jw_key(&w, "model");
            vh_jw_string(&w, (const char *)sqlite3_column_text(ss, 6));
        }
        vh_jw_key(&w, "prosody"); vh_jw_object_begin(&w);
        sqlite3_reset(ps);
        sqlite3_bind_int64(ps, 1, sid);
        while ((rc = sqlite3_step(ps)) == SQLITE_ROW) {
            vh_jw_key(&w, (const char *)sqlite3_column_text(ps, 0));
            vh_jw_number(&w, sqlite3_column_double(ps, 1));
        }
        vh_jw_object_end(&w);
        if (rc != SQLITE_DONE) break;
        vh_jw_key(&w, "windows"); vh_jw_array_begin(&w);
        sqlite3_reset(ws);
        sqlite3_bind_int64(ws, 1, sid);
        while ((rc = sqlite3_step(ws)) == SQLITE_ROW) {
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "t"); vh_jw_number(&w, sqlite3_column_double(ws, 0));
            vh_jw_key(&w, "dur"); vh_jw_number(&w, sqlite3_column_double(ws, 1));
            vh_jw_key(&w, "probs"); vh_jw_array_begin(&w);
            for (int l = 0; l < VH_MONITOR_NLABELS; l++) vh_jw_number(&w, sqlite3_column_double(ws, 2 + l));
            vh_jw_array_end(&w);
            vh_jw_key(&w, "valence"); vh_jw_number(&w, sqlite3_column_double(ws, 11));
            vh_jw_key(&w, "arousal"); vh_jw_number(&w, sqlite3_column_double(ws, 12));
            vh_jw_object_end(&w);
        }
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        if (rc != SQLITE_DONE) break;
    }
    sqlite3_finalize(ss);
    sqlite3_finalize(ws);
    sqlite3_finalize(ps);
    if (rc != SQLITE_DONE) return vh__mon_sqlfail(m, rc, "export");
    vh_jw_array_end(&w);
    vh_monitor_survey *sv = NULL;
    size_t nsv = 0;
    if ((s = vh_monitor_surveys(m, person, &sv, &nsv))) return s;
    vh_jw_key(&w, "surveys"); vh_jw_array_begin(&w);
    for (size_t i = 0; i < nsv; i++) {
        char ts[40];
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "instrument"); vh_jw_string(&w, sv[i].instrument);
        vh_jw_key(&w, "taken_at"); vh_jw_string(&w, vh_monitor_format_time(sv[i].taken_at, sv[i].tz_minutes, 0, ts, sizeof ts));
        vh_jw_key(&w, "answers"); vh_jw_array_begin(&w);
        for (int k = 0; k < sv[i].n_items; k++) vh_jw_int(&w, sv[i].answers[k]);
        vh_jw_array_end(&w);
        vh_jw_key(&w, "total"); vh_jw_int(&w, sv[i].score.total);
        vh_jw_key(&w, "severity"); vh_jw_string(&w, sv[i].score.severity);
        vh_jw_key(&w, "safety_flag"); vh_jw_bool(&w, sv[i].score.safety_flag);
        vh_jw_object_end(&w);
    }
    vh_jw_array_end(&w);
    free(sv);
    vh_monitor_alert *al = NULL;
    size_t nal = 0;
    if ((s = vh_monitor_alerts(m, person, &al, &nal))) return s;
    vh_jw_key(&w, "alerts"); vh_jw_array_begin(&w);
    for (size_t i = 0; i < nal; i++) {
        vh_monitor_alert_json(&w, &al[i]);
    }
    vh_jw_array_end(&w);
    vh_monitor_alerts_free(al, nal);
    vh_jw_key(&w, "days"); vh_jw_array_begin(&w);
    for (size_t i = 0; i < t->n_days; i++) {
        const vh_monitor_day *d = &t->days[i];
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "date"); vh_jw_string(&w, d->date);
        vh_jw_key(&w, "sessions"); vh_jw_int(&w, d->n_sessions);
        vh_jw_key(&w, "valence"); vh_jw_number(&w, d->valence);
        vh_jw_key(&w, "arousal"); vh_jw_number(&w, d->arousal);
        vh_jw_key(&w, "negative"); vh_jw_number(&w, d->negative);
        vh_jw_key(&w, "ewma_valence"); vh_jw_number(&w, d->ewma);
        vh_jw_key(&w, "cusum_negative"); vh_jw_number(&w, d->cusum);
        vh_jw_key(&w, "low_mood"); vh_jw_bool(&w, d->low);
        vh_jw_object_end(&w);
    }
    vh_jw_array_end(&w);
    vh_jw_object_end(&w);
    return VH_OK;
}

/* A deterministic UUID (RFC 4122 layout, version 5 style) from a name, so the
 * same store always exports the same Bundle. */
static void uuid_of(const char *name, char out[37]) {
    char h[65];
    vh_monitor_sha256_hex(name, strlen(name), h);
    h[12] = '5';
    h[16] = "89ab"[(h[16] - '0') & 3];
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

#define VH_FHIR_SYSTEM "https://verhm.invalid/fhir/CodeSystem/affect"

static void fhir_coding(vh_json_writer *w, const char *system, const char *code, const char *display) {
    vh_jw_key(w, "coding"); vh_jw_array_begin(w);
    vh_jw_object_begin(w);
    vh_jw_key(w, "system"); vh_jw_string(w, system);
    vh_jw_key(w, "code"); vh_jw_string(w, code);
    vh_jw_key(w, "display"); vh_jw_string(w, display);
    vh_jw_object_end(w);
    vh_jw_array_end(w);
}

static void fhir_quantity(vh_json_writer *w, double v, const char *unit) {
    vh_jw_key(w, "valueQuantity"); vh_jw_object_begin(w);
    vh_jw_key(w, "value"); vh_jw_number(w, round(v * 1e4) / 1e4);
    vh_jw_key(w, "unit"); vh_jw_string(w, unit);
    vh_jw_key(w, "system"); vh_jw_string(w, "http://unitsofmeasure.org");
    vh_jw_key(w, "code"); vh_jw_string(w, unit[0] == '{' ? unit : "1");
    vh_jw_object_end(w);
}

static void fhir_obs_head(vh_json_writer *w, const char *uuid, const char *patient, const char *category) {
    char url[64];
    vh_jw_object_begin(w);
    snprintf(url, sizeof url, "urn:uuid:%s", uuid);
    vh_jw_key(w, "fullUrl"); vh_jw_string(w, url);
    vh_jw_key(w, "resource"); vh_jw_object_begin(w);
    vh_jw_key(w, "resourceType"); vh_jw_string(w, "Observation");
    vh_jw_key(w, "id"); vh_jw_string(w, uuid);
    vh_jw_key(w, "status"); vh_jw_string(w, "final");
    vh_jw_key(w, "category"); vh_jw_array_begin(w);
    vh_jw_object_begin(w);
    fhir_coding(w, "http://terminology.hl7.org/CodeSystem/observation-category", category,
                strcmp(category, "survey") ? "Exam" : "Survey");
    vh_jw_object_end(w);
    vh_jw_array_end(w);
    vh_jw_key(w, "subject"); vh_jw_object_begin(w);
    snprintf(url, sizeof url, "urn:uuid:%s", patient);
    vh_jw_key(w, "reference"); vh_jw_string(w, url);
    vh_jw_object_end(w);
}

static int export_fhir(vh_monitor *m, const char *person, const vh_monitor_trends *t, vh_buf *out) {
    (void)t;
    vh_monitor_session *ss = NULL;
    vh_monitor_survey *sv = NULL;
    size_t nss = 0, nsv = 0;
    int s = vh_monitor_sessions(m, person, &ss, &nss);
    if (!s) s = vh_monitor_surveys(m, person, &sv, &nsv);
    if (s) { free(ss); return s; }
    char patient[37], uuid[37], name[256], ts[40];
    snprintf(name, sizeof name, "verhm:patient:%s", person);
    uuid_of(name, patient);
    vh_json_writer w;
    vh_jw_init(&w, out, 1);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "resourceType"); vh_jw_string(&w, "Bundle");
    snprintf(name, sizeof name, "verhm:bundle:%s", person);
    uuid_of(name, uuid);
    vh_jw_key(&w, "id"); vh_jw_string(&w, uuid);
    vh_jw_key(&w, "type"); vh_jw_string(&w, "collection");
    vh_jw_key(&w, "entry"); vh_jw_array_begin(&w);
    /* the pseudonymous Patient */
    vh_jw_object_begin(&w);
    snprintf(name, sizeof name, "urn:uuid:%s", patient);
    vh_jw_key(&w, "fullUrl"); vh_jw_string(&w, name);
    vh_jw_key(&w, "resource"); vh_jw_object_begin(&w);
    vh_jw_key(&w, "resourceType"); vh_jw_string(&w, "Patient");
    vh_jw_key(&w, "id"); vh_jw_string(&w, patient);
    vh_jw_key(&w, "identifier"); vh_jw_array_begin(&w);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "system"); vh_jw_string(&w, "urn:verhm:pseudonym");
    vh_jw_key(&w, "value"); vh_jw_string(&w, person);
    vh_jw_object_end(&w);
    vh_jw_array_end(&w);
    vh_jw_object_end(&w);
    vh_jw_object_end(&w);
    for (size_t i = 0; i < nsv; i++) {
        const vh_instrument *ins = vh_monitor_instrument(sv[i].instrument);
        snprintf(name, sizeof name, "verhm:survey:%s:%lld", person, (long long)sv[i].id);
        uuid_of(name, uuid);
        fhir_obs_head(&w, uuid, patient, "survey");
        vh_jw_key(&w, "code"); vh_jw_object_begin(&w);
        fhir_coding(&w, "http://loinc.org", ins->loinc,
                    ins->n_items == 9 ? "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
                                      : "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]");
        vh_jw_key(&w, "text"); vh_jw_string(&w, ins->title);
        vh_jw_object_end(&w);
        vh_jw_key(&w, "effectiveDateTime");
        vh_jw_string(&w, vh_monitor_format_time(sv[i].taken_at, sv[i].tz_minutes, 0, ts, sizeof ts));
        fhir_quantity(&w, sv[i].score.total, "{score}");
        vh_jw_key(&w, "interpretation"); vh_jw_array_begin(&w);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "text"); vh_jw_string(&w, sv[i].score.severity);
        vh_jw_object_end(&w);
        vh_jw_array_end(&w);
        vh_jw_object_end(&w); /* resource */
        vh_jw_object_end(&w); /* entry */
    }
    for (size_t i = 0; i < nss; i++) {
        if (!ss[i].n_windows) continue;
        snprintf(name, sizeof name, "verhm:session:%s:%lld", person, (long long)ss[i].id);
        uuid_of(name, uuid);
        fhir_obs_head(&w, uuid, patient, "exam");
        vh_jw_key(&w, "code"); vh_jw_object_begin(&w);
        fhir_coding(&w, VH_FHIR_SYSTEM, "affect-session", "Emotional read-out of one recording");
        vh_jw_object_end(&w);
        vh_jw_key(&w, "method"); vh_jw_object_begin(&w);
        fhir_coding(&w, VH_FHIR_SYSTEM, ss[i].modality, ss[i].modality[0] == 'f' ? "facial expression" : "voice");
        vh_jw_object_end(&w);
        vh_jw_key(&w, "effectivePeriod"); vh_jw_object_begin(&w);
        vh_jw_key(&w, "start"); vh_jw_string(&w, vh_monitor_format_time(ss[i].started_at, ss[i].tz_minutes, 0, ts, sizeof ts));
        vh_jw_key(&w, "end");
        vh_jw_string(&w, vh_monitor_format_time(ss[i].started_at + (int64_t)ceil(ss[i].duration), ss[i].tz_minutes, 0, ts, sizeof ts));
        vh_jw_object_end(&w);
        vh_jw_key(&w, "component"); vh_jw_array_begin(&w);
        const char *codes[2] = {"valence", "arousal"};
        double vals[2] = {ss[i].valence, ss[i].arousal};
        for (int k = 0; k < 2; k++) {
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "code"); vh_jw_object_begin(&w);
            fhir_coding(&w, VH_FHIR_SYSTEM, codes[k], k ? "Arousal (-1 calm .. 1 activated)" : "Valence (-1 negative .. 1 positive)");
            vh_jw_object_end(&w);
            fhir_quantity(&w, vals[k], "1");
            vh_jw_object_end(&w);
        }
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "code"); vh_jw_object_begin(&w);
        fhir_coding(&w, VH_FHIR_SYSTEM, "dominant-emotion", "Dominant emotion");
        vh_jw_object_end(&w);
        vh_jw_key(&w, "valueCodeableConcept"); vh_jw_object_begin(&w);
        const char *dom = vh_monitor_label_name(ss[i].dominant);
        fhir_coding(&w, VH_FHIR_SYSTEM, dom ? dom : "unknown", dom ? dom : "unknown");
        vh_jw_object_end(&w);
        vh_jw_object_end(&w);
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_jw_object_end(&w);
    }
    vh_jw_array_end(&w);
    vh_jw_object_end(&w);
    free(ss);
    free(sv);
    return VH_OK;
}

int vh_monitor_export(vh_monitor *m, const char *person, int format, vh_buf *out) {
    int64_t pid;
    int s = vh__mon_person(m, person, 0, &pid);
    if (s) return s;
    if (format == VH_EXPORT_CSV_WINDOWS) {
        s = export_windows(m, pid, out);
    } else if (format == VH_EXPORT_CSV_DAYS || format == VH_EXPORT_JSON || format == VH_EXPORT_FHIR) {
        vh_monitor_trends *t;
        if ((s = vh_monitor_trends_compute(m, person, NULL, &t))) return s;
        if (format == VH_EXPORT_CSV_DAYS) export_days(t, out);
        else if (format == VH_EXPORT_JSON) s = export_json(m, person, pid, t, out);
        else s = export_fhir(m, person, t, out);
        vh_monitor_trends_free(t);
    } else {
        return vh__fail(&m->err, VH_EINVAL, "unknown export format %d", format);
    }
    if (!s && out->failed) s = vh__fail(&m->err, VH_ENOMEM, "out of memory while exporting");
    return s;
}

void vh_monitor_alert_json(vh_json_writer *w, const vh_monitor_alert *a) {
    vh_jw_object_begin(w);
    vh_jw_key(w, "rule"); vh_jw_string(w, a->rule);
    vh_jw_key(w, "level"); vh_jw_int(w, a->level);
    vh_jw_key(w, "first_day"); vh_jw_string(w, a->first_day);
    vh_jw_key(w, "last_day"); vh_jw_string(w, a->last_day);
    vh_jw_key(w, "message"); vh_jw_string(w, a->message);
    vh_jw_key(w, "evidence"); vh_jw_raw(w, a->evidence);
    vh_jw_object_end(w);
}
