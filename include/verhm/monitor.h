/*
 * verhm/monitor.h — the mental-health monitoring store: sessions of face/voice
 * emotion read-outs, questionnaires (PHQ-9, GAD-7), trends, alerts, HTML report,
 * exports (CSV, JSON, FHIR R4) and erasure.
 *
 * Store: one SQLite file in WAL mode (readers never block the writer), schema
 * versioned with PRAGMA user_version and applied by forward migrations. With a
 * passphrase the whole file (and its -wal) is encrypted with SQLCipher; without
 * one it is a plain SQLite file. Every write is one transaction: a crash or
 * SIGKILL leaves either the whole session or nothing. Raw audio/video is never
 * stored — only the per-window probabilities, prosody numbers and a SHA-256 of
 * the source.
 *
 * Privacy: person ids are pseudonyms chosen by the caller (e.g. "p01"); the
 * store never sees names, file names or media. Deleted rows are overwritten
 * (PRAGMA secure_delete) and vh_monitor_erase() finishes with VACUUM and a
 * truncating WAL checkpoint, so no byte of an erased person stays in the files.
 *
 * Wording: everything the library writes for people (alerts, report) is
 * supportive and non-diagnostic. The questionnaires are screening tools.
 *
 * Errors: functions return VH_OK or a negative VH_E* code; the detailed message
 * ("store.db: wrong passphrase or not a verhm store") is kept in the handle
 * (vh_monitor_errmsg) and in vh_last_error(). A handle is used by one thread
 * at a time; several processes may open the same store.
 *
 * The JSON contract of vh_monitor_import() (what `verhm recognize --json` and
 * `verhm voice --json` emit) is written down in docs/monitor.md.
 */
#ifndef VERHM_MONITOR_H
#define VERHM_MONITOR_H

#include "verhm/core.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Schema version this library writes (PRAGMA user_version). Older stores are
 * migrated forward on open; newer ones are refused with VH_EUNSUPPORTED. */
#define VH_MONITOR_SCHEMA_VERSION 1

/* ---- emotion labels and the circumplex ---------------------------------- */

/* Canonical labels: the 8 FER+ labels plus RAVDESS's "calm". Results may use
 * any subset, in any order, and the aliases happy, sad, angry, fearful,
 * surprised, disgusted (case-insensitive). */
#define VH_MONITOR_NLABELS 9
enum vh_monitor_label {
    VH_LBL_NEUTRAL, VH_LBL_CALM, VH_LBL_HAPPINESS, VH_LBL_SURPRISE, VH_LBL_SADNESS,
    VH_LBL_ANGER, VH_LBL_DISGUST, VH_LBL_FEAR, VH_LBL_CONTEMPT
};

/* Name of canonical label i ("neutral"...), NULL when out of range. */
const char *vh_monitor_label_name(int i);
/* Canonical index of a label name or alias, -1 if unknown. */
int vh_monitor_label_index(const char *name);
/* Circumplex coordinates of label i (valence, arousal in [-1, 1]) and whether
 * it counts as negative affect (sadness, anger, disgust, fear, contempt).
 * Returns VH_EINVAL for an out-of-range label. The table is in docs/monitor.md. */
int vh_monitor_label_circumplex(int i, double *valence, double *arousal, int *negative);

/* ---- the store ---------------------------------------------------------- */

typedef struct vh_monitor vh_monitor;

/* Encryption: SQLCipher with its version-3 format pinned (AES-256-CBC,
 * HMAC-SHA1 per page, PBKDF2-HMAC-SHA1) and 256,000 KDF iterations, so the
 * store opens with SQLCipher 3.4 (Debian 12) and 4.x alike. Deriving the key
 * costs a few tenths of a second per open, by design. */
typedef struct vh_monitor_params {
    const char *passphrase; /* NULL or "": plain file; else SQLCipher key (copied) */
    int create;             /* 1: create the file when missing (default 1) */
    int readonly;           /* 1: open read-only (no migration, no writes) */
    int busy_timeout_ms;    /* wait this long for another writer (default 10000) */
    int synchronous_full;   /* 1 (default): fsync every commit (survives power loss) */
} vh_monitor_params;

vh_monitor_params vh_monitor_default_params(void);

/* Opens (and creates/migrates) the store at `path`. The file is touched only
 * after the key is verified: a wrong passphrase, a missing one for an
 * encrypted store, or a file that is not a verhm store gives VH_EAUTH
 * ("PATH: wrong passphrase or not a verhm store") and leaves it unchanged.
 * A missing file with create == 0 is VH_ENOTFOUND. On success *out is a
 * handle to close with vh_monitor_close. */
int vh_monitor_open(const char *path, const vh_monitor_params *params, vh_monitor **out);
/* Checkpoints the WAL (when writable) and closes. NULL is a no-op. */
void vh_monitor_close(vh_monitor *m);
/* Detailed message of the handle's most recent failure ("" if none). */
const char *vh_monitor_errmsg(const vh_monitor *m);
/* Runs PRAGMA integrity_check; VH_OK when the answer is "ok", else VH_EFORMAT
 * with the first problem in the message. */
int vh_monitor_check(vh_monitor *m);

/* ---- time helpers ------------------------------------------------------- */

/* Parses ISO 8601 "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]" into Unix seconds
 * and the UTC offset in minutes (0 when absent: a time without offset is UTC).
 * Returns VH_OK or VH_EFORMAT. */
int vh_monitor_parse_time(const char *s, int64_t *unix_s, int *tz_minutes);
/* Formats Unix seconds at a UTC offset as "YYYY-MM-DDTHH:MM:SS±HH:MM" (buf >= 32)
 * or, with date_only, "YYYY-MM-DD" (the local calendar day). Returns buf. */
char *vh_monitor_format_time(int64_t unix_s, int tz_minutes, int date_only, char *buf, size_t size);

/* ---- import (the `recognize` / `voice` JSON) ---------------------------- */

typedef struct vh_monitor_import_opts {
    const char *name;         /* file name used in error messages (may be NULL) */
    int64_t default_time;     /* used when a result has no started_at (Unix s) */
    int default_tz_minutes;   /* its UTC offset */
    const char *source_hash;  /* hex SHA-256 of the media file, or NULL: take
                                 "source_sha256" from the JSON, else hash the JSON */
} vh_monitor_import_opts;

/* Up to this many results per document (a video gives face + voice). */
#define VH_MONITOR_MAX_RESULTS 16
/* Caps on untrusted input. */
#define VH_MONITOR_MAX_WINDOWS 200000
#define VH_MONITOR_MAX_PROSODY 64

/* Imports one result object or an array of them (JSON text, `len` bytes) for
 * `person` (a pseudonym: 1-64 characters of [A-Za-z0-9._-]; created on first
 * use) in one transaction: either every result is stored or none. The ids of
 * the new sessions go to ids[0..*n_ids) (ids may be NULL). A result whose
 * source hash is already stored for that person and modality is VH_EEXIST.
 * Malformed input is VH_EFORMAT naming the file and the field; a full disk is
 * VH_ENOSPC, with nothing committed lost. */
int vh_monitor_import(vh_monitor *m, const char *person, const char *json, size_t len,
                      const vh_monitor_import_opts *opts, int64_t *ids, int *n_ids);

/* Analysis entry point used by `monitor record`: writes the import JSON for
 * the media file at `path` into *json (caller frees with vh_free). */
typedef int (*vh_monitor_analyze_fn)(const char *path, char **json, size_t *len, void *user);

/* Runs `analyze` on the media file, hashes the file (SHA-256, the file itself
 * is never stored) and imports the result (see vh_monitor_import). */
int vh_monitor_record(vh_monitor *m, const char *person, const char *path,
                      vh_monitor_analyze_fn analyze, void *user, int64_t *ids, int *n_ids);

/* Hex SHA-256 of a file (out: 65 bytes). VH_ENOTFOUND / VH_EIO. */
int vh_monitor_sha256_file(const char *path, char out[65]);
/* Hex SHA-256 of a buffer (out: 65 bytes). */
void vh_monitor_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- questionnaires ----------------------------------------------------- */

typedef struct vh_instrument {
    const char *id;              /* "phq9", "gad7" */
    const char *title;           /* "PHQ-9" */
    const char *stem;            /* "Over the last 2 weeks, how often ..." */
    int n_items;
    const char *const *items;    /* n_items item texts */
    const char *const *choices;  /* 4 answer texts for 0..3 */
    int max_score;
    const char *loinc;           /* LOINC code of the total score */
} vh_instrument;

/* The instrument "phq9" or "gad7" (case-insensitive, "phq-9" accepted), or
 * NULL. Static data. */
const vh_instrument *vh_monitor_instrument(const char *id);

typedef struct vh_survey_score {
    int total;
    const char *severity;  /* static: "minimal", "mild", "moderate",
                              "moderately severe" (PHQ-9 only), "severe" */
    int safety_flag;       /* PHQ-9 item 9 > 0 */
} vh_survey_score;

/* Standard scoring: n must equal the item count, each answer 0..3.
 * PHQ-9 bands 0-4, 5-9, 10-14, 15-19, 20-27; GAD-7 0-4, 5-9, 10-14, 15-21.
 * VH_EINVAL when the answers do not fit. */
int vh_monitor_score(const vh_instrument *ins, const int *answers, int n, vh_survey_score *out);

/* Parses "0,1,2,..." (commas and/or whitespace) into answers[0..*n); at most
 * `max` values, each 0..3. VH_EFORMAT on anything else. */
int vh_monitor_parse_answers(const char *s, int *answers, int max, int *n);

/* Stores a completed questionnaire for `person` taken at `taken_at` (Unix s,
 * tz offset in minutes). The score is computed here. *id may be NULL. */
int vh_monitor_add_survey(vh_monitor *m, const char *person, const vh_instrument *ins,
                          const int *answers, int n, int64_t taken_at, int tz_minutes,
                          int64_t *id);

/* ---- listing ------------------------------------------------------------ */

/* Pseudonyms of all persons, sorted. *ids is an array of *n malloc'ed
 * strings; free with vh_strlist_free. */
int vh_monitor_persons(vh_monitor *m, char ***ids, size_t *n);

typedef struct vh_monitor_session {
    int64_t id, started_at;
    int tz_minutes;
    double duration;            /* seconds */
    char modality[8];           /* "face" | "voice" */
    char source_hash[65];
    int n_windows;
    double valence, arousal;    /* duration-weighted means over the windows */
    int dominant;               /* canonical label with the largest mean prob */
} vh_monitor_session;

/* Sessions of `person` in time order. *out is a caller-owned array (vh_free).
 * Unknown person: VH_ENOTFOUND. */
int vh_monitor_sessions(vh_monitor *m, const char *person, vh_monitor_session **out, size_t *n);

typedef struct vh_monitor_survey {
    int64_t id, taken_at;
    int tz_minutes;
    char instrument[8];
    int n_items;
    int answers[9];
    vh_survey_score score;
} vh_monitor_survey;

/* Questionnaires of `person` in time order (caller frees *out with vh_free). */
int vh_monitor_surveys(vh_monitor *m, const char *person, vh_monitor_survey **out, size_t *n);

/* ---- trends ------------------------------------------------------------- */

typedef struct vh_monitor_day {
    char date[11];            /* local calendar day "YYYY-MM-DD" */
    int weekday;              /* 0 = Monday ... 6 = Sunday */
    int n_sessions, n_windows;
    int has_face, has_voice;
    double valence, arousal;  /* duration-weighted means, both modalities */
    double valence_sd, arousal_sd;
    double negative;          /* mean probability mass on negative labels */
    double expressivity;      /* 1 - p(neutral) - p(calm), mean */
    double probs[VH_MONITOR_NLABELS];
    double face_valence, voice_valence; /* NAN when that modality is absent */
    double ewma;              /* EWMA of daily valence (alpha in the params) */
    double cusum;             /* CUSUM statistic on negative affect; NAN in baseline */
    int low;                  /* day counts as "mostly low mood" */
} vh_monitor_day;

typedef struct vh_monitor_prosody_trend {
    char name[33];            /* key from the results, e.g. "f0_sd_hz" */
    double baseline_mean, baseline_sd;
    double recent_mean, z;    /* z = (recent - baseline) / sd; NAN if too few */
    int n_baseline, n_recent;
    size_t n_points;
    double *day_values;       /* per day in days[] (NAN where absent) */
} vh_monitor_prosody_trend;

typedef struct vh_monitor_trend_params {
    double ewma_alpha;        /* 0.3 */
    int baseline_days;        /* days with data that form the baseline: 14 */
    double cusum_k, cusum_h;  /* in baseline SDs: 0.5, 4 */
    double low_valence;       /* a day is low when valence <= this: -0.1 */
    int recent_days;          /* prosody/flat-affect window: 7 */
} vh_monitor_trend_params;

vh_monitor_trend_params vh_monitor_default_trend_params(void);

typedef struct vh_monitor_trends {
    vh_monitor_day *days;     /* days with data, in order */
    size_t n_days;
    double weekday_valence[7];/* mean daily valence per weekday (NAN if none) */
    int weekday_days[7];
    double distribution[VH_MONITOR_NLABELS]; /* duration-weighted mean probs */
    double total_hours;
    /* face/voice agreement over days that have both */
    int agree_days;
    double agree_corr;        /* Pearson r of daily face vs voice valence (NAN < 3 days) */
    double agree_share;       /* share of those days whose valence signs agree */
    /* CUSUM baseline */
    double cusum_mu, cusum_sigma;
    /* flat affect over the last recent_days calendar days */
    double recent_valence_sd, recent_arousal_sd, recent_expressivity;
    int recent_windows;
    vh_monitor_prosody_trend *prosody;
    size_t n_prosody;
    vh_monitor_trend_params params;
} vh_monitor_trends;

/* Computes the trends of `person` (VH_ENOTFOUND if unknown). Deterministic:
 * everything is relative to the person's data, never to the wall clock.
 * Free with vh_monitor_trends_free. */
int vh_monitor_trends_compute(vh_monitor *m, const char *person,
                              const vh_monitor_trend_params *tp, vh_monitor_trends **out);
void vh_monitor_trends_free(vh_monitor_trends *t);

/* ---- alert rules -------------------------------------------------------- */

/* Parsed alert rules (data/alerts.conf). Syntax, one rule per line:
 *   RULE key=value key=value ...      # comment
 * values are numbers or "double-quoted text". Rules: negative_days, phq9,
 * phq9_item9, gad7, cusum_negative, flat_affect, prosody_drift, agreement;
 * plus `safety message="..."` for the PHQ-9 item 9 message. docs/monitor.md
 * lists every key and its default. */
typedef struct vh_monitor_rules vh_monitor_rules;

/* Parses rules text; `name` is used in messages ("alerts.conf:3: unknown key
 * 'windw'"). Caller frees *out with vh_monitor_rules_free. */
int vh_monitor_rules_parse(const char *text, size_t len, const char *name, vh_monitor_rules **out);
/* Reads and parses a rules file. */
int vh_monitor_rules_load(const char *path, vh_monitor_rules **out);
/* The built-in defaults (same as the shipped data/alerts.conf). */
int vh_monitor_rules_default(vh_monitor_rules **out);
void vh_monitor_rules_free(vh_monitor_rules *r);
/* Number of rules and the safety message (owned by r). */
size_t vh_monitor_rules_count(const vh_monitor_rules *r);
const char *vh_monitor_rules_safety_message(const vh_monitor_rules *r);
/* Trend parameters as the rules set them (cusum_negative k/h/baseline,
 * negative_days valence, flat_affect window); defaults otherwise. r may be NULL. */
vh_monitor_trend_params vh_monitor_rules_trend_params(const vh_monitor_rules *r);

typedef struct vh_monitor_alert {
    int64_t id, created_at;
    char rule[64];            /* rule name, ":key" for per-feature rules */
    char first_day[11], last_day[11]; /* period the evidence covers */
    int level;                /* 1 info, 2 attention, 3 safety */
    char *message;            /* supportive wording (owned by the array) */
    char *evidence;           /* JSON object with dates and values */
} vh_monitor_alert;

/* Evaluates the rules on `t` (trends of `person`) and the person's surveys in
 * one transaction and stores the alerts that are new; *n_new says how many.
 * A condition that continues (its evidence period overlaps a stored alert of
 * the same rule) updates that alert's period, message and evidence instead of
 * adding another, and re-running on the same data changes nothing. */
int vh_monitor_evaluate(vh_monitor *m, const char *person, const vh_monitor_rules *rules,
                        const vh_monitor_trends *t, int *n_new);

/* Stored alerts of `person`, newest evidence first. Free with vh_monitor_alerts_free. */
int vh_monitor_alerts(vh_monitor *m, const char *person, vh_monitor_alert **out, size_t *n);
void vh_monitor_alerts_free(vh_monitor_alert *a, size_t n);
/* Writes one alert as a JSON object {rule, level, first_day, last_day,
 * message, evidence} (the form of `monitor alerts --json` and the exports). */
void vh_monitor_alert_json(vh_json_writer *w, const vh_monitor_alert *a);

/* ---- report, export, erase ---------------------------------------------- */

/* Appends one self-contained HTML page (inline SVG charts: mood timeline,
 * emotion distribution, weekday pattern, prosody, questionnaires, alerts; no
 * JavaScript, no external resources, responsive) for `person` to `out`.
 * Evaluates the rules first (storing new alerts) unless the handle is
 * read-only. */
int vh_monitor_report_html(vh_monitor *m, const char *person, const vh_monitor_rules *rules,
                           vh_buf *out);

enum vh_monitor_export_format {
    VH_EXPORT_CSV_WINDOWS, /* one row per window (columns in docs/monitor.md) */
    VH_EXPORT_CSV_DAYS,    /* one row per day */
    VH_EXPORT_JSON,        /* everything about the person */
    VH_EXPORT_FHIR         /* FHIR R4 Bundle (collection) of Observations */
};

/* Appends the person's data in `format` to `out`. */
int vh_monitor_export(vh_monitor *m, const char *person, int format, vh_buf *out);

/* Deletes every row about `person` (sessions, windows, prosody, surveys,
 * alerts, the person) in one transaction, then VACUUMs and truncates the WAL
 * so the bytes are gone from the files. *rows (may be NULL) gets the number
 * of rows deleted. Unknown person: VH_ENOTFOUND. Another process holding the
 * store open can delay the final checkpoint: then VH_EIO says so (the rows
 * are deleted; run erase again to finish the cleanup). */
int vh_monitor_erase(vh_monitor *m, const char *person, int64_t *rows);

/* ---- simulated weeks (demo and tests) ------------------------------------ */

/* Synthetic, clearly labelled demo data: no person's data, no model. */
typedef struct vh_monitor_sim_params {
    uint64_t seed;          /* RNG seed (deterministic output): 7 */
    const char *start_date; /* first day "YYYY-MM-DD": "2026-01-05" (a Monday) */
    int days;               /* number of days: 42 */
    int dip_start;          /* day index where a low-mood period starts: 26 (-1: none) */
    double dip_depth;       /* 0..1, how strongly negative the dip is: 0.8 */
    int tz_minutes;         /* UTC offset of the simulated person: 60 */
    int item9_positive;     /* 1: the last PHQ-9 has item 9 > 0 */
} vh_monitor_sim_params;

vh_monitor_sim_params vh_monitor_default_sim_params(void);

/* Generates `days` days of results (a morning voice check-in and an evening
 * face recording, ~10% of days skipped; voice uses the RAVDESS label names,
 * face the FER+ ones; prosody with flatter, slower speech during the dip)
 * and weekly PHQ-9 and GAD-7 answers, and stores them for `person` through
 * vh_monitor_import / vh_monitor_add_survey (the same JSON path as real
 * results). Counts go to *n_sessions and *n_surveys (may be NULL). */
int vh_monitor_simulate(vh_monitor *m, const char *person, const vh_monitor_sim_params *p,
                        int *n_sessions, int *n_surveys);

/* Writes one simulated result as import JSON into `out` (appended): `kind`
 * "face" or "voice", `started_at` ISO 8601, `mood` in [-1, 1] (negative =
 * low), n_windows windows, drawn from `rng`. */
void vh_monitor_simulate_result(vh_rng *rng, const char *kind, const char *started_at, double mood,
                                int n_windows, vh_buf *out);

#ifdef __cplusplus
}
#endif
#endif
