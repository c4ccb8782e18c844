/* Monitor: labels and circumplex, time, SHA-256, questionnaires, rules, import
 * validation and atomicity, encryption, simulated weeks -> trends and alerts
 * with evidence, report, exports, erase (raw file scan). */
#include "vh_test.h"
#include "verhm/monitor.h"
#include <sqlcipher/sqlite3.h>
#include <unistd.h>

static char dir[256];

static const char *tmp(const char *name) {
    static char buf[8][512];
    static int i;
    char *b = buf[i++ & 7];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static void rm_store(const char *p) {
    char x[600];
    unlink(p);
    snprintf(x, sizeof x, "%s-wal", p); unlink(x);
    snprintf(x, sizeof x, "%s-shm", p); unlink(x);
}

static vh_monitor *open_store(const char *path, const char *pass) {
    vh_monitor_params p = vh_monitor_default_params();
    p.passphrase = pass;
    p.synchronous_full = 0;
    vh_monitor *m = NULL;
    int s = vh_monitor_open(path, &p, &m);
    if (s) fprintf(stderr, "open %s: %s\n", path, vh_last_error());
    return m;
}

/* Number of occurrences of a byte pattern in a file (0 when missing). */
static int file_contains(const char *path, const void *pat, size_t n) {
    char *data;
    size_t len;
    if (vh_file_read_all(path, 0, &data, &len)) return 0;
    int hits = 0;
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(data + i, pat, n)) hits++;
    vh_free(data);
    return hits;
}

static int store_contains(const char *path, const void *pat, size_t n) {
    char x[600];
    int h = file_contains(path, pat, n);
    snprintf(x, sizeof x, "%s-wal", path); h += file_contains(x, pat, n);
    snprintf(x, sizeof x, "%s-shm", path); h += file_contains(x, pat, n);
    return h;
}

static const char *one_face =
    "{\"kind\":\"face\",\"source\":\"clip.mp4\",\"started_at\":\"2026-03-02T09:30:00+01:00\",\"duration\":4,"
    "\"labels\":[\"neutral\",\"happiness\",\"surprise\",\"sadness\",\"anger\",\"disgust\",\"fear\",\"contempt\"],"
    "\"windows\":[{\"t\":0,\"dur\":2,\"probs\":[0,1,0,0,0,0,0,0]},"
    "{\"t\":2,\"dur\":2,\"probs\":[0,0,0,1,0,0,0,0]}],"
    "\"prosody\":null,\"summary\":{}}";

VH_TEST(labels_and_circumplex) {
    VH_CHECK_INT_EQ(vh_monitor_label_index("Happy"), VH_LBL_HAPPINESS);
    VH_CHECK_INT_EQ(vh_monitor_label_index("fearful"), VH_LBL_FEAR);
    VH_CHECK_INT_EQ(vh_monitor_label_index("calm"), VH_LBL_CALM);
    VH_CHECK_INT_EQ(vh_monitor_label_index("bored"), -1);
    double v, a;
    int neg;
    VH_CHECK_OK(vh_monitor_label_circumplex(VH_LBL_SADNESS, &v, &a, &neg));
    VH_CHECK(v < 0 && a < 0 && neg);
    VH_CHECK_OK(vh_monitor_label_circumplex(VH_LBL_HAPPINESS, &v, &a, &neg));
    VH_CHECK(v > 0 && a > 0 && !neg);
    VH_CHECK_INT_EQ(vh_monitor_label_circumplex(99, &v, &a, &neg), VH_EINVAL);
}

VH_TEST(time_parse_and_format) {
    int64_t t;
    int tz;
    char buf[40];
    VH_CHECK_OK(vh_monitor_parse_time("2026-03-02T09:30:00+01:00", &t, &tz));
    VH_CHECK_INT_EQ(t, 1772440200);
    VH_CHECK_INT_EQ(tz, 60);
    VH_CHECK_STR_EQ(vh_monitor_format_time(t, tz, 0, buf, sizeof buf), "2026-03-02T09:30:00+01:00");
    VH_CHECK_OK(vh_monitor_parse_time("2026-03-01T23:30:00-05:30", &t, &tz));
    VH_CHECK_STR_EQ(vh_monitor_format_time(t, tz, 1, buf, sizeof buf), "2026-03-01");
    VH_CHECK_STR_EQ(vh_monitor_format_time(t, 0, 1, buf, sizeof buf), "2026-03-02");
    VH_CHECK_OK(vh_monitor_parse_time("2024-02-29", &t, &tz));
    VH_CHECK_INT_EQ(vh_monitor_parse_time("2023-02-29", &t, &tz), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_monitor_parse_time("2026-13-01", &t, &tz), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_monitor_parse_time("2026-03-02T25:00", &t, &tz), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_monitor_parse_time("yesterday", &t, &tz), VH_EFORMAT);
    VH_CHECK_OK(vh_monitor_parse_time("1969-12-31T23:00:00Z", &t, &tz));
    VH_CHECK_INT_EQ(t, -3600);
    VH_CHECK_STR_EQ(vh_monitor_format_time(t, 0, 0, buf, sizeof buf), "1969-12-31T23:00:00+00:00");
}

VH_TEST(sha256_vectors) {
    char h[65];
    vh_monitor_sha256_hex("", 0, h);
    VH_CHECK_STR_EQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    vh_monitor_sha256_hex("abc", 3, h);
    VH_CHECK_STR_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    vh_monitor_sha256_hex(two, strlen(two), h);
    VH_CHECK_STR_EQ(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

VH_TEST(questionnaire_scoring) {
    const vh_instrument *phq = vh_monitor_instrument("PHQ-9"), *gad = vh_monitor_instrument("gad7");
    VH_CHECK(phq && gad && phq->n_items == 9 && gad->n_items == 7);
    VH_CHECK(!vh_monitor_instrument("bdi"));
    VH_CHECK_STR_EQ(phq->loinc, "44261-6");
    VH_CHECK_STR_EQ(gad->loinc, "70274-6");
    static const struct { int total; const char *band; } phq_cases[] = {
        {0, "minimal"}, {4, "minimal"}, {5, "mild"}, {9, "mild"}, {10, "moderate"}, {14, "moderate"},
        {15, "moderately severe"}, {19, "moderately severe"}, {20, "severe"}, {27, "severe"}};
    for (size_t c = 0; c < sizeof phq_cases / sizeof phq_cases[0]; c++) {
        int a[9] = {0}, left = phq_cases[c].total;
        for (int i = 0; i < 8 && left; i++) { a[i] = left > 3 ? 3 : left; left -= a[i]; }
        a[8] = left; /* only for 25..27 */
        vh_survey_score sc;
        VH_CHECK_OK(vh_monitor_score(phq, a, 9, &sc));
        VH_CHECK_INT_EQ(sc.total, phq_cases[c].total);
        VH_CHECK_STR_EQ(sc.severity, phq_cases[c].band);
        VH_CHECK_INT_EQ(sc.safety_flag, a[8] > 0);
    }
    static const struct { int total; const char *band; } gad_cases[] = {
        {4, "minimal"}, {5, "mild"}, {10, "moderate"}, {14, "moderate"}, {15, "severe"}, {21, "severe"}};
    for (size_t c = 0; c < sizeof gad_cases / sizeof gad_cases[0]; c++) {
        int a[7] = {0}, left = gad_cases[c].total;
        for (int i = 0; i < 7 && left; i++) { a[i] = left > 3 ? 3 : left; left -= a[i]; }
        vh_survey_score sc;
        VH_CHECK_OK(vh_monitor_score(gad, a, 7, &sc));
        VH_CHECK_STR_EQ(sc.severity, gad_cases[c].band);
        VH_CHECK_INT_EQ(sc.safety_flag, 0);
    }
    int item9[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    vh_survey_score sc;
    VH_CHECK_OK(vh_monitor_score(phq, item9, 9, &sc));
    VH_CHECK_INT_EQ(sc.safety_flag, 1);
    VH_CHECK_STR_EQ(sc.severity, "minimal");
    int bad[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    VH_CHECK_INT_EQ(vh_monitor_score(phq, bad, 9, &sc), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_monitor_score(phq, item9, 8, &sc), VH_EINVAL);
    int a[9], n;
    VH_CHECK_OK(vh_monitor_parse_answers("0,1, 2 3,0,0,1,1,0", a, 9, &n));
    VH_CHECK_INT_EQ(n, 9);
    VH_CHECK_INT_EQ(a[3], 3);
    VH_CHECK_INT_EQ(vh_monitor_parse_answers("0,1,4", a, 9, &n), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_monitor_parse_answers("0,12", a, 9, &n), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_monitor_parse_answers("0,1,2,3,0,1,2,3,0,1", a, 9, &n), VH_EFORMAT);
}

VH_TEST(rules_parse) {
    vh_monitor_rules *r;
    const char *txt = "# comment\n\nnegative_days window=10 share=0.5  # tail\nsafety message=\"Call 112.\"\n"
                      "cusum_negative k=0.25 h=3 baseline=7\n";
    VH_CHECK_OK(vh_monitor_rules_parse(txt, strlen(txt), "a.conf", &r));
    VH_CHECK_INT_EQ(vh_monitor_rules_count(r), 2);
    VH_CHECK_STR_EQ(vh_monitor_rules_safety_message(r), "Call 112.");
    vh_monitor_trend_params tp = vh_monitor_rules_trend_params(r);
    VH_CHECK_NEAR(tp.cusum_h, 3, 0);
    VH_CHECK_INT_EQ(tp.baseline_days, 7);
    vh_monitor_rules_free(r);
    const char *bad1 = "negative_days windw=10\n";
    VH_CHECK_INT_EQ(vh_monitor_rules_parse(bad1, strlen(bad1), "a.conf", &r), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "a.conf:1") && strstr(vh_last_error(), "windw"));
    const char *bad2 = "phq9 score=10\nmood_swings x=1\n";
    VH_CHECK_INT_EQ(vh_monitor_rules_parse(bad2, strlen(bad2), "a.conf", &r), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "a.conf:2"));
    const char *bad3 = "phq9 score=ten\n";
    VH_CHECK_INT_EQ(vh_monitor_rules_parse(bad3, strlen(bad3), "a.conf", &r), VH_EFORMAT);
    VH_CHECK_OK(vh_monitor_rules_default(&r));
    VH_CHECK_INT_GE(vh_monitor_rules_count(r), 8);
    VH_CHECK(strlen(vh_monitor_rules_safety_message(r)) > 40);
    vh_monitor_rules_free(r);
    /* the shipped file parses */
    VH_CHECK_OK(vh_monitor_rules_load(vh_test_src("data/alerts.conf"), &r));
    VH_CHECK_INT_GE(vh_monitor_rules_count(r), 8);
    vh_monitor_rules_free(r);
}

VH_TEST(import_validates_and_is_atomic) {
    const char *db = tmp("imp.db");
    rm_store(db);
    vh_monitor *m = open_store(db, NULL);
    VH_CHECK(m);
    if (!m) return;
    int64_t ids[4];
    int n;
    VH_CHECK_OK(vh_monitor_import(m, "p01", one_face, strlen(one_face), NULL, ids, &n));
    VH_CHECK_INT_EQ(n, 1);
    VH_CHECK_INT_EQ(vh_monitor_import(m, "p01", one_face, strlen(one_face), NULL, ids, &n), VH_EEXIST);
    vh_monitor_session *ss;
    size_t ns;
    VH_CHECK_OK(vh_monitor_sessions(m, "p01", &ss, &ns));
    VH_CHECK_INT_EQ(ns, 1);
    if (ns == 1) {
        /* half happiness (0.8), half sadness (-0.7) -> 0.05 */
        VH_CHECK_NEAR(ss[0].valence, 0.05, 1e-9);
        VH_CHECK_NEAR(ss[0].arousal, 0.05, 1e-9);
        VH_CHECK_INT_EQ(ss[0].n_windows, 2);
        VH_CHECK_INT_EQ(ss[0].tz_minutes, 60);
        VH_CHECK_STR_EQ(ss[0].modality, "face");
    }
    vh_free(ss);
    static const char *const bad[] = {
        "{\"kind\":\"face\"",
        "{\"kind\":\"smell\",\"labels\":[\"neutral\"],\"windows\":[{\"t\":0,\"probs\":[1]}]}",
        "{\"kind\":\"face\",\"labels\":[\"neutral\",\"bored\"],\"windows\":[{\"t\":0,\"probs\":[0.5,0.5]}]}",
        "{\"kind\":\"face\",\"labels\":[\"neutral\",\"sad\"],\"windows\":[{\"t\":0,\"probs\":[0.5]}]}",
        "{\"kind\":\"face\",\"labels\":[\"neutral\",\"sad\"],\"windows\":[{\"t\":0,\"probs\":[0.9,0.9]}]}",
        "{\"kind\":\"face\",\"labels\":[\"neutral\",\"sad\"],\"windows\":[{\"t\":-1,\"probs\":[0.5,0.5]}]}",
        "{\"kind\":\"face\",\"labels\":[\"neutral\",\"sad\"],\"windows\":[]}",
        "{\"kind\":\"face\",\"labels\":[\"neutral\",\"neutral\"],\"windows\":[{\"t\":0,\"probs\":[0.5,0.5]}]}",
        "{\"kind\":\"face\",\"started_at\":\"monday\",\"labels\":[\"neutral\"],\"windows\":[{\"t\":0,\"probs\":[1]}]}",
        "{\"kind\":\"voice\",\"labels\":[\"neutral\"],\"windows\":[{\"t\":0,\"probs\":[1]}],\"prosody\":{\"F0\":1}}",
        "{\"kind\":\"voice\",\"labels\":[\"neutral\"],\"windows\":[{\"t\":0,\"probs\":[1],\"valence\":3}]}",
        /* the second result is bad: the first must not be stored either */
        "[{\"kind\":\"voice\",\"labels\":[\"calm\"],\"windows\":[{\"t\":0,\"probs\":[1]}]},{\"kind\":\"face\"}]",
    };
    vh_monitor_import_opts o = {0};
    o.name = "r.json";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int s = vh_monitor_import(m, "p01", bad[i], strlen(bad[i]), &o, ids, &n);
        VH_CHECK_INT_EQ(s, VH_EFORMAT);
        VH_CHECK(strncmp(vh_monitor_errmsg(m), "r.json:", 7) == 0);
    }
    VH_CHECK_INT_EQ(vh_monitor_import(m, "bad id!", one_face, strlen(one_face), NULL, ids, &n), VH_EINVAL);
    VH_CHECK_OK(vh_monitor_sessions(m, "p01", &ss, &ns));
    VH_CHECK_INT_EQ(ns, 1);
    vh_free(ss);
    /* a face + voice pair from one video, with an explicit source hash */
    const char *pair = "[{\"kind\":\"face\",\"source_sha256\":\"AB00000000000000000000000000000000000000000000000000000000000001\","
                       "\"labels\":[\"happiness\"],\"windows\":[{\"t\":0,\"probs\":[1]}]},"
                       "{\"kind\":\"voice\",\"source_sha256\":\"ab00000000000000000000000000000000000000000000000000000000000001\","
                       "\"labels\":[\"sad\"],\"windows\":[{\"t\":0,\"probs\":[1]}],\"prosody\":{\"f0_mean_hz\":200,\"jitter\":null}}]";
    VH_CHECK_OK(vh_monitor_import(m, "p01", pair, strlen(pair), NULL, ids, &n));
    VH_CHECK_INT_EQ(n, 2);
    VH_CHECK_OK(vh_monitor_sessions(m, "p01", &ss, &ns));
    VH_CHECK_INT_EQ(ns, 3);
    int seen = 0;
    for (size_t i = 0; i < ns; i++)
        if (!strcmp(ss[i].source_hash, "ab00000000000000000000000000000000000000000000000000000000000001")) seen++;
    VH_CHECK_INT_EQ(seen, 2);
    vh_free(ss);
    VH_CHECK_INT_EQ(vh_monitor_sessions(m, "nobody", &ss, &ns), VH_ENOTFOUND);
    VH_CHECK_OK(vh_monitor_check(m));
    vh_monitor_close(m);
}

static int fake_analyze(const char *path, char **json, size_t *len, void *user) {
    (void)path;
    vh_buf b = {0};
    vh_rng r;
    vh_rng_seed(&r, 3);
    vh_monitor_simulate_result(&r, (const char *)user, "2026-02-01T10:00:00Z", 0.2, 5, &b);
    *json = b.data;
    *len = b.len;
    return VH_OK;
}

VH_TEST(record_hashes_the_media_file) {
    const char *db = tmp("rec.db"), *media = tmp("clip.bin");
    rm_store(db);
    FILE *f = fopen(media, "wb");
    fputs("not really a video", f);
    fclose(f);
    vh_monitor *m = open_store(db, NULL);
    if (!m) { VH_CHECK(m); return; }
    int64_t ids[2];
    int n;
    VH_CHECK_INT_EQ(vh_monitor_record(m, "p02", media, NULL, NULL, ids, &n), VH_EUNSUPPORTED);
    VH_CHECK(strstr(vh_monitor_errmsg(m), "not available in this build"));
    VH_CHECK_OK(vh_monitor_record(m, "p02", media, fake_analyze, "voice", ids, &n));
    VH_CHECK_INT_EQ(n, 1);
    vh_monitor_session *ss;
    size_t ns;
    VH_CHECK_OK(vh_monitor_sessions(m, "p02", &ss, &ns));
    char h[65];
    VH_CHECK_OK(vh_monitor_sha256_file(media, h));
    VH_CHECK(ns == 1 && !strcmp(ss[0].source_hash, h));
    vh_free(ss);
    VH_CHECK_INT_EQ(vh_monitor_record(m, "p02", media, fake_analyze, "voice", ids, &n), VH_EEXIST);
    VH_CHECK_INT_EQ(vh_monitor_record(m, "p02", tmp("missing.mp4"), fake_analyze, "voice", ids, &n), VH_ENOTFOUND);
    vh_monitor_close(m);
}

VH_TEST(encryption_and_wrong_key) {
    const char *db = tmp("enc.db");
    rm_store(db);
    vh_monitor *m = open_store(db, "correct horse");
    if (!m) { VH_CHECK(m); return; }
    VH_CHECK_OK(vh_monitor_import(m, "secret-person-42", one_face, strlen(one_face), NULL, NULL, NULL));
    vh_monitor_close(m);
    VH_CHECK_INT_EQ(store_contains(db, "secret-person-42", 16), 0);
    VH_CHECK_INT_EQ(file_contains(db, "SQLite format 3", 15), 0);
    char before[65], after[65];
    VH_CHECK_OK(vh_monitor_sha256_file(db, before));
    vh_monitor_params p = vh_monitor_default_params();
    p.passphrase = "wrong horse";
    VH_CHECK_INT_EQ(vh_monitor_open(db, &p, &m), VH_EAUTH);
    VH_CHECK(strstr(vh_last_error(), "wrong passphrase or not a verhm store"));
    p.passphrase = NULL;
    VH_CHECK_INT_EQ(vh_monitor_open(db, &p, &m), VH_EAUTH);
    VH_CHECK_OK(vh_monitor_sha256_file(db, after));
    VH_CHECK_STR_EQ(before, after);
    m = open_store(db, "correct horse");
    VH_CHECK(m);
    if (m) {
        vh_monitor_session *ss;
        size_t ns;
        VH_CHECK_OK(vh_monitor_sessions(m, "secret-person-42", &ss, &ns));
        VH_CHECK_INT_EQ(ns, 1);
        vh_free(ss);
        VH_CHECK_OK(vh_monitor_check(m));
        vh_monitor_close(m);
    }
    /* a plain store opened with a key, and non-stores */
    const char *plain = tmp("plain.db");
    rm_store(plain);
    m = open_store(plain, NULL);
    vh_monitor_close(m);
    VH_CHECK(file_contains(plain, "SQLite format 3", 15) == 1);
    p.passphrase = "x";
    VH_CHECK_INT_EQ(vh_monitor_open(plain, &p, &m), VH_EAUTH);
    const char *txt = tmp("notes.txt");
    FILE *f = fopen(txt, "w");
    for (int i = 0; i < 200; i++) fputs("just some text that is not a database\n", f);
    fclose(f);
    p.passphrase = NULL;
    VH_CHECK_INT_EQ(vh_monitor_open(txt, &p, &m), VH_EAUTH);
    const char *other = tmp("other.db");
    rm_store(other);
    sqlite3 *raw;
    sqlite3_open(other, &raw);
    sqlite3_exec(raw, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", NULL, NULL, NULL);
    sqlite3_close(raw);
    VH_CHECK_INT_EQ(vh_monitor_open(other, &p, &m), VH_EAUTH);
    p.create = 0;
    VH_CHECK_INT_EQ(vh_monitor_open(tmp("nope.db"), &p, &m), VH_ENOTFOUND);
}

VH_TEST(schema_versions) {
    const char *db = tmp("ver.db");
    rm_store(db);
    vh_monitor *m = open_store(db, NULL);
    vh_monitor_close(m);
    sqlite3 *raw;
    sqlite3_open(db, &raw);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL);
    sqlite3_step(st);
    VH_CHECK_INT_EQ(sqlite3_column_int(st, 0), VH_MONITOR_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL);
    sqlite3_step(st);
    VH_CHECK_STR_EQ((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(raw);
    vh_monitor_params p = vh_monitor_default_params();
    VH_CHECK_INT_EQ(vh_monitor_open(db, &p, &m), VH_EUNSUPPORTED);
    VH_CHECK(strstr(vh_last_error(), "newer"));
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

VH_TEST(simulated_weeks_trends_alerts_report_export) {
    const char *db = tmp("sim.db");
    rm_store(db);
    vh_monitor *m = open_store(db, NULL);
    if (!m) { VH_CHECK(m); return; }
    vh_monitor_sim_params sp = vh_monitor_default_sim_params();
    int nsess, nsurv;
    VH_CHECK_OK(vh_monitor_simulate(m, "p07", &sp, &nsess, &nsurv));
    VH_CHECK_INT_GE(nsess, 60);
    VH_CHECK_INT_EQ(nsurv, 12);
    vh_monitor_rules *rules;
    VH_CHECK_OK(vh_monitor_rules_default(&rules));
    vh_monitor_trend_params tp = vh_monitor_rules_trend_params(rules);
    vh_monitor_trends *t;
    VH_CHECK_OK(vh_monitor_trends_compute(m, "p07", &tp, &t));
    VH_CHECK(t->n_days >= 30 && t->n_days <= 42);
    VH_CHECK_STR_EQ(t->days[0].date, "2026-01-05");
    VH_CHECK_INT_EQ(t->days[0].weekday, 0);
    /* the dip: the last week is lower than the first two */
    double early = 0, late = 0;
    for (int i = 0; i < 10; i++) early += t->days[i].valence / 10;
    for (size_t i = t->n_days - 7; i < t->n_days; i++) late += t->days[i].valence / 7;
    VH_CHECK(early > 0.1);
    VH_CHECK(late < -0.1);
    VH_CHECK(t->agree_days >= 20 && t->agree_share > 0.8);
    int have_f0sd = 0;
    for (size_t k = 0; k < t->n_prosody; k++)
        if (!strcmp(t->prosody[k].name, "f0_sd_hz")) {
            have_f0sd = 1;
            VH_CHECK(t->prosody[k].z < -2.5);
        }
    VH_CHECK(have_f0sd);
    /* CUSUM: quiet before the dip, alarm after it */
    size_t first_alarm = t->n_days;
    for (size_t i = 0; i < t->n_days; i++)
        if (t->days[i].cusum > tp.cusum_h && first_alarm == t->n_days) first_alarm = i;
    VH_CHECK(first_alarm < t->n_days);
    if (first_alarm < t->n_days) VH_CHECK(strcmp(t->days[first_alarm].date, "2026-01-31") >= 0);
    int n_new;
    size_t full_days = t->n_days;
    t->n_days = full_days - 4; /* evaluate as if four days earlier, then with all days */
    VH_CHECK_OK(vh_monitor_evaluate(m, "p07", rules, t, &n_new));
    VH_CHECK_INT_GE(n_new, 4);
    t->n_days = full_days;
    VH_CHECK_OK(vh_monitor_evaluate(m, "p07", rules, t, &n_new));
    VH_CHECK_INT_EQ(n_new, 0); /* the continuing low stretch extends its alert */
    int again;
    VH_CHECK_OK(vh_monitor_evaluate(m, "p07", rules, t, &again));
    VH_CHECK_INT_EQ(again, 0);
    vh_monitor_alert *al;
    size_t nal;
    VH_CHECK_OK(vh_monitor_alerts(m, "p07", &al, &nal));
    int neg = 0, cus = 0, phq = 0, drift = 0;
    for (size_t i = 0; i < nal; i++) {
        vh_json *ev = NULL;
        VH_CHECK_OK(vh_json_parse(al[i].evidence, strlen(al[i].evidence), &ev));
        VH_CHECK(strstr(al[i].message, "diagnos") == NULL || strstr(al[i].message, "not a diagnosis"));
        if (!strcmp(al[i].rule, "negative_days")) {
            neg++;
            VH_CHECK_STR_EQ(al[i].last_day, t->days[t->n_days - 1].date);
            VH_CHECK(strstr(al[i].message, "of the last 14 days"));
            VH_CHECK_INT_GE((long long)vh_json_get_number(ev, "low_days", 0), 9);
            VH_CHECK(vh_json_get(ev, "days") && vh_json_get(ev, "days")->count >= 7);
        }
        if (!strcmp(al[i].rule, "cusum_negative")) {
            cus++;
            VH_CHECK(strcmp(vh_json_get_string(ev, "change_started", ""), "2026-01-30") >= 0);
        }
        if (!strcmp(al[i].rule, "phq9")) {
            phq++;
            VH_CHECK_INT_GE((long long)vh_json_get_number(ev, "total", 0), 10);
        }
        if (!strncmp(al[i].rule, "prosody_drift:", 14)) drift++;
        vh_json_free(ev);
    }
    VH_CHECK_INT_EQ(neg, 1);
    VH_CHECK_INT_EQ(cus, 1);
    VH_CHECK_INT_EQ(phq, 1);
    VH_CHECK_INT_GE(drift, 1);
    vh_monitor_alerts_free(al, nal);
    /* report */
    vh_buf html = {0};
    VH_CHECK_OK(vh_monitor_report_html(m, "p07", rules, &html));
    VH_CHECK(html.data && !html.failed);
    if (html.data) {
        VH_CHECK_INT_GE(count(html.data, "<svg"), 8);
        VH_CHECK_INT_EQ(count(html.data, "<script"), 0);
        VH_CHECK_INT_EQ(count(html.data, "http"), 0);
        VH_CHECK(strstr(html.data, "mostly low moods"));
        VH_CHECK(strstr(html.data, "Mood timeline") && strstr(html.data, "Weekday pattern") &&
                 strstr(html.data, "Emotion distribution") && strstr(html.data, "Questionnaires") &&
                 strstr(html.data, "Voice: f0_sd_hz"));
        VH_CHECK(!strstr(html.data, "class=\"safety\""));
    }
    vh_buf_free(&html);
    /* exports */
    vh_monitor_session *ss;
    size_t ns;
    VH_CHECK_OK(vh_monitor_sessions(m, "p07", &ss, &ns));
    long total_windows = 0;
    for (size_t i = 0; i < ns; i++) total_windows += ss[i].n_windows;
    vh_free(ss);
    vh_buf csv = {0};
    VH_CHECK_OK(vh_monitor_export(m, "p07", VH_EXPORT_CSV_WINDOWS, &csv));
    VH_CHECK_INT_EQ(count(csv.data, "\n"), total_windows + 1);
    VH_CHECK(strncmp(csv.data, "session,modality,session_start,date,t,dur,p_neutral", 51) == 0);
    vh_buf_free(&csv);
    VH_CHECK_OK(vh_monitor_export(m, "p07", VH_EXPORT_CSV_DAYS, &csv));
    VH_CHECK_INT_EQ(count(csv.data, "\n"), (long long)t->n_days + 1);
    vh_buf_free(&csv);
    vh_buf js = {0};
    VH_CHECK_OK(vh_monitor_export(m, "p07", VH_EXPORT_JSON, &js));
    vh_json *doc = NULL;
    VH_CHECK_OK(vh_json_parse(js.data, js.len, &doc));
    VH_CHECK(doc && vh_json_get(doc, "sessions") && vh_json_get(doc, "sessions")->count == ns);
    VH_CHECK(doc && vh_json_get(doc, "surveys") && vh_json_get(doc, "surveys")->count == 12);
    vh_json_free(doc);
    vh_buf_free(&js);
    vh_buf fh = {0};
    VH_CHECK_OK(vh_monitor_export(m, "p07", VH_EXPORT_FHIR, &fh));
    doc = NULL;
    VH_CHECK_OK(vh_json_parse(fh.data, fh.len, &doc));
    VH_CHECK_STR_EQ(vh_json_get_string(doc, "resourceType", ""), "Bundle");
    VH_CHECK_STR_EQ(vh_json_get_string(doc, "type", ""), "collection");
    const vh_json *entries = vh_json_get(doc, "entry");
    VH_CHECK(entries && entries->count == 1 + 12 + ns);
    VH_CHECK_INT_EQ(count(fh.data, "\"44261-6\""), 6);
    VH_CHECK_INT_EQ(count(fh.data, "\"70274-6\""), 6);
    if (entries && entries->count > 2) {
        const vh_json *pat = vh_json_get(&entries->items[0], "resource");
        VH_CHECK_STR_EQ(vh_json_get_string(pat, "resourceType", ""), "Patient");
        const vh_json *obs = vh_json_get(&entries->items[1], "resource");
        char ref[64];
        snprintf(ref, sizeof ref, "urn:uuid:%s", vh_json_get_string(pat, "id", "?"));
        VH_CHECK_STR_EQ(vh_json_get_string(vh_json_get(obs, "subject"), "reference", ""), ref);
    }
    vh_json_free(doc);
    vh_buf fh2 = {0};
    VH_CHECK_OK(vh_monitor_export(m, "p07", VH_EXPORT_FHIR, &fh2));
    VH_CHECK(fh.len == fh2.len && !memcmp(fh.data, fh2.data, fh.len)); /* deterministic */
    vh_buf_free(&fh);
    vh_buf_free(&fh2);
    vh_monitor_trends_free(t);
    vh_monitor_rules_free(rules);
    vh_monitor_close(m);
}

VH_TEST(safety_message_in_report) {
    const char *db = tmp("safe.db");
    rm_store(db);
    vh_monitor *m = open_store(db, NULL);
    if (!m) { VH_CHECK(m); return; }
    vh_monitor_sim_params sp = vh_monitor_default_sim_params();
    sp.days = 14;
    sp.item9_positive = 1;
    VH_CHECK_OK(vh_monitor_simulate(m, "p08", &sp, NULL, NULL));
    const char *txt = "phq9_item9\nsafety message=\"Please call the clinic line now.\"\n";
    vh_monitor_rules *r;
    VH_CHECK_OK(vh_monitor_rules_parse(txt, strlen(txt), "s.conf", &r));
    vh_buf html = {0};
    VH_CHECK_OK(vh_monitor_report_html(m, "p08", r, &html));
    VH_CHECK(html.data && strstr(html.data, "class=\"safety\" role=\"alert\">Please call the clinic line now."));
    vh_buf_free(&html);
    vh_monitor_alert *al;
    size_t n;
    VH_CHECK_OK(vh_monitor_alerts(m, "p08", &al, &n));
    VH_CHECK(n >= 1 && al[0].level == 3 && !strcmp(al[0].rule, "phq9_item9"));
    vh_monitor_alerts_free(al, n);
    vh_monitor_rules_free(r);
    vh_monitor_close(m);
}

VH_TEST(erase_leaves_no_bytes) {
    const char *db = tmp("erase.db");
    rm_store(db);
    vh_monitor *m = open_store(db, NULL);
    if (!m) { VH_CHECK(m); return; }
    const double marker = 123.456789012345;
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"kind\":\"voice\",\"started_at\":\"2026-02-02T10:00:00Z\",\"labels\":[\"sad\",\"calm\"],"
             "\"windows\":[{\"t\":0,\"dur\":3,\"probs\":[0.7,0.3]}],\"prosody\":{\"f0_mean_hz\":%.15g}}", marker);
    VH_CHECK_OK(vh_monitor_import(m, "zz-erase-me-7", doc, strlen(doc), NULL, NULL, NULL));
    int ans[9] = {1, 1, 1, 1, 1, 1, 1, 1, 0};
    VH_CHECK_OK(vh_monitor_add_survey(m, "zz-erase-me-7", vh_monitor_instrument("phq9"), ans, 9, 1770000000, 0, NULL));
    VH_CHECK_OK(vh_monitor_import(m, "keep-me", one_face, strlen(one_face), NULL, NULL, NULL));
    /* SQLite stores REAL big-endian */
    unsigned char be[8];
    uint64_t bits;
    memcpy(&bits, &marker, 8);
    for (int i = 0; i < 8; i++) be[i] = (unsigned char)(bits >> (56 - 8 * i));
    VH_CHECK_INT_GE(store_contains(db, "zz-erase-me-7", 13), 1); /* the scan can see it */
    VH_CHECK_INT_GE(store_contains(db, be, 8), 1);
    int64_t rows;
    VH_CHECK_OK(vh_monitor_erase(m, "zz-erase-me-7", &rows));
    VH_CHECK_INT_EQ(rows, 1 + 1 + 1 + 1 + 1); /* window, prosody, session, survey, person */
    VH_CHECK_INT_EQ(store_contains(db, "zz-erase-me-7", 13), 0);
    VH_CHECK_INT_EQ(store_contains(db, be, 8), 0);
    VH_CHECK_INT_EQ(vh_monitor_erase(m, "zz-erase-me-7", &rows), VH_ENOTFOUND);
    vh_monitor_close(m);
    VH_CHECK_INT_EQ(store_contains(db, "zz-erase-me-7", 13), 0);
    VH_CHECK_INT_EQ(store_contains(db, be, 8), 0);
    m = open_store(db, NULL);
    char **ids;
    size_t n;
    VH_CHECK_OK(vh_monitor_persons(m, &ids, &n));
    VH_CHECK(n == 1 && !strcmp(ids[0], "keep-me"));
    vh_strlist_free(ids, n);
    VH_CHECK_OK(vh_monitor_check(m));
    vh_monitor_close(m);
}

VH_TEST(mutated_inputs_fail_cleanly) {
    const char *db = tmp("mut.db");
    rm_store(db);
    vh_monitor *m = open_store(db, NULL);
    if (!m) { VH_CHECK(m); return; }
    vh_rng r;
    vh_rng_seed(&r, 1234);
    vh_buf base = {0};
    vh_monitor_simulate_result(&r, "voice", "2026-05-01T08:00:00Z", -0.3, 4, &base);
    int ok = 0, rejected = 0, odd = 0;
    for (int it = 0; it < 600; it++) {
        char *doc = malloc(base.len + 1);
        memcpy(doc, base.data, base.len + 1);
        size_t len = base.len;
        int edits = 1 + (int)vh_rng_below(&r, 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)vh_rng_below(&r, len);
            switch (vh_rng_below(&r, 3)) {
            case 0: doc[at] = "0123456789.-e,:[]{}\"x "[vh_rng_below(&r, 23)]; break;
            case 1: len = at + 1; doc[len] = 0; break;          /* truncate */
            default: doc[at] = (char)vh_rng_below(&r, 256); break; /* any byte */
            }
        }
        int st = vh_monitor_import(m, "mut", doc, len, NULL, NULL, NULL);
        if (st == VH_OK) ok++;
        else if (st == VH_EFORMAT || st == VH_EEXIST || st == VH_EINVAL) rejected++;
        else { odd++; fprintf(stderr, "status %d: %s\n", st, vh_monitor_errmsg(m)); }
        free(doc);
    }
    VH_CHECK_INT_EQ(odd, 0);
    VH_CHECK_INT_GE(rejected, 300);
    VH_CHECK_OK(vh_monitor_check(m));
    vh_buf_free(&base);
    /* rules text with random damage: parsed or rejected, never anything else */
    static const char rules[] = "negative_days window=14 share=0.6\nphq9 score=10\nsafety message=\"Call.\"\n";
    for (int it = 0; it < 600; it++) {
        char txt[sizeof rules];
        memcpy(txt, rules, sizeof rules);
        size_t at = (size_t)vh_rng_below(&r, sizeof rules - 1);
        txt[at] = (char)vh_rng_below(&r, 256);
        vh_monitor_rules *rr = NULL;
        int st = vh_monitor_rules_parse(txt, sizeof rules - 1 - (size_t)vh_rng_below(&r, 3), "m.conf", &rr);
        VH_CHECK(st == VH_OK || st == VH_EFORMAT);
        vh_monitor_rules_free(rr);
    }
    /* a person with questionnaires only: trends are empty, the report still works */
    int a[7] = {0, 1, 0, 1, 0, 1, 0};
    VH_CHECK_OK(vh_monitor_add_survey(m, "survey-only", vh_monitor_instrument("gad7"), a, 7, 1775000000, 0, NULL));
    vh_monitor_trends *t;
    VH_CHECK_OK(vh_monitor_trends_compute(m, "survey-only", NULL, &t));
    VH_CHECK_INT_EQ(t->n_days, 0);
    vh_monitor_trends_free(t);
    vh_buf html = {0};
    VH_CHECK_OK(vh_monitor_report_html(m, "survey-only", NULL, &html));
    VH_CHECK(html.data && strstr(html.data, "No recordings yet") && strstr(html.data, "GAD-7"));
    vh_buf_free(&html);
    vh_monitor_close(m);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/vh_test_monitor_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    VH_RUN(labels_and_circumplex);
    VH_RUN(time_parse_and_format);
    VH_RUN(sha256_vectors);
    VH_RUN(questionnaire_scoring);
    VH_RUN(rules_parse);
    VH_RUN(import_validates_and_is_atomic);
    VH_RUN(record_hashes_the_media_file);
    VH_RUN(encryption_and_wrong_key);
    VH_RUN(schema_versions);
    VH_RUN(simulated_weeks_trends_alerts_report_export);
    VH_RUN(safety_message_in_report);
    VH_RUN(erase_leaves_no_bytes);
    VH_RUN(mutated_inputs_fail_cleanly);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return vh_test_summary();
}
