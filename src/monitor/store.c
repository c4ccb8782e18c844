/* Monitoring store: opening (SQLCipher key check, WAL, migrations), labels and
 * the circumplex, time helpers, listing, integrity check and erasure. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VH_MONITOR_APP_ID 0x76686d31 /* "vhm1" */
#define VH_MONITOR_KDF_ITER 256000  /* PBKDF2 iterations (SQLCipher 4's default count) */
#define VH__STR2(x) #x
#define VH__STR(x) VH__STR2(x)

/* ---- labels --------------------------------------------------------------- */

/* The same placements as vh_emotion_circumplex in verhm/affect.h (Russell 1980,
 * Scherer 2005), so stored and analysed valence/arousal agree. */
static const struct { const char *name; double v, a; int neg; } labels[VH_MONITOR_NLABELS] = {
    {"neutral", 0.00, 0.00, 0},   {"calm", 0.40, -0.60, 0},    {"happiness", 0.80, 0.50, 0},
    {"surprise", 0.40, 0.80, 0},  {"sadness", -0.70, -0.40, 1}, {"anger", -0.60, 0.70, 1},
    {"disgust", -0.70, 0.30, 1},  {"fear", -0.60, 0.60, 1},    {"contempt", -0.50, 0.10, 1},
};
static const struct { const char *alias; int idx; } aliases[] = {
    {"happy", VH_LBL_HAPPINESS}, {"sad", VH_LBL_SADNESS},      {"angry", VH_LBL_ANGER},
    {"fearful", VH_LBL_FEAR},    {"surprised", VH_LBL_SURPRISE}, {"disgusted", VH_LBL_DISGUST},
    {"neutrality", VH_LBL_NEUTRAL}, {"fearfulness", VH_LBL_FEAR},
};

const char *vh_monitor_label_name(int i) {
    return i >= 0 && i < VH_MONITOR_NLABELS ? labels[i].name : NULL;
}

static int ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int vh_monitor_label_index(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < VH_MONITOR_NLABELS; i++)
        if (ieq(name, labels[i].name)) return i;
    for (size_t i = 0; i < VH_COUNTOF(aliases); i++)
        if (ieq(name, aliases[i].alias)) return aliases[i].idx;
    return -1;
}

int vh_monitor_label_circumplex(int i, double *valence, double *arousal, int *negative) {
    if (i < 0 || i >= VH_MONITOR_NLABELS) return vh__fail(NULL, VH_EINVAL, "label index %d out of range", i);
    if (valence) *valence = labels[i].v;
    if (arousal) *arousal = labels[i].a;
    if (negative) *negative = labels[i].neg;
    return VH_OK;
}

/* ---- time ----------------------------------------------------------------- */

/* Civil-date conversions on the proleptic Gregorian calendar (era arithmetic). */
int64_t vh__days_from_civil(int64_t y, int mo, int d) {
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void vh__civil_from_days(int64_t z, int *y, int *mo, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
}

int64_t vh__local_day(int64_t unix_s, int tz_minutes) {
    int64_t t = unix_s + (int64_t)tz_minutes * 60;
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int vh_monitor_parse_time(const char *s, int64_t *unix_s, int *tz_minutes) {
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, tz = 0;
    if (!s) return vh__fail(NULL, VH_EFORMAT, "missing time");
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        goto bad;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) goto bad;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec)) goto bad;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p)) goto bad;
                while (isdigit((unsigned char)*p)) p++;
            }
        }
        if (*p == 'Z' || *p == 'z') p++;
        else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, th, tm = 0;
            if (digits(&p, 2, &th)) goto bad;
            if (*p == ':') p++;
            if (*p && digits(&p, 2, &tm)) goto bad;
            if (th > 14 || tm > 59) goto bad;
            tz = sign * (th * 60 + tm);
        }
    }
    if (*p) goto bad;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
        goto bad;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) goto bad;
    *unix_s = vh__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - (int64_t)tz * 60;
    if (tz_minutes) *tz_minutes = tz;
    return VH_OK;
bad:
    return vh__fail(NULL, VH_EFORMAT, "'%s' is not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS+HH:MM)", s);
}

char *vh_monitor_format_time(int64_t unix_s, int tz_minutes, int date_only, char *buf, size_t size) {
    int64_t t = unix_s + (int64_t)tz_minutes * 60;
    int64_t day = vh__local_day(unix_s, tz_minutes), sod = t - day * 86400;
    int y, mo, d;
    vh__civil_from_days(day, &y, &mo, &d);
    if (date_only) {
        snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
    } else {
        int a = abs(tz_minutes);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, d, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60), tz_minutes < 0 ? '-' : '+', a / 60, a % 60);
    }
    return buf;
}

/* ---- SQLite plumbing ------------------------------------------------------ */

int vh__mon_sqlfail(vh_monitor *m, int rc, const char *what) {
    int prim = rc & 0xff, sys = m->db ? sqlite3_system_errno(m->db) : 0;
    const char *msg = m->db ? sqlite3_errmsg(m->db) : sqlite3_errstr(rc);
    if (prim == SQLITE_FULL || (prim == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG
#ifdef EDQUOT
                                                          || sys == EDQUOT
#endif
                                                          )))
        return vh__fail(&m->err, VH_ENOSPC, "%s: %s: no space left (disk full or file size limit); "
                        "the change was rolled back, everything stored before is intact", m->path, what);
    if (prim == SQLITE_NOTADB)
        return vh__fail(&m->err, VH_EAUTH, "%s: wrong passphrase or not a verhm store", m->path);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return vh__fail(&m->err, VH_EIO, "%s: %s: the store is busy (another process is writing): %s", m->path, what, msg);
    if (prim == SQLITE_CORRUPT)
        return vh__fail(&m->err, VH_EFORMAT, "%s: %s: the store is damaged: %s", m->path, what, msg);
    if (prim == SQLITE_NOMEM) return vh__fail(&m->err, VH_ENOMEM, "%s: %s: out of memory", m->path, what);
    if (prim == SQLITE_READONLY)
        return vh__fail(&m->err, VH_EIO, "%s: %s: the store is read-only", m->path, what);
    return vh__fail(&m->err, VH_EIO, "%s: %s: %s", m->path, what, msg);
}

int vh__mon_prepare(vh_monitor *m, const char *sql, sqlite3_stmt **st) {
    int rc = sqlite3_prepare_v2(m->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return vh__mon_sqlfail(m, rc, "prepare");
    }
    return VH_OK;
}

int vh__mon_exec(vh_monitor *m, const char *sql) {
    int rc = sqlite3_exec(m->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VH_OK : vh__mon_sqlfail(m, rc, "write");
}

int vh__mon_valid_person(const char *person) {
    size_t n = person ? strlen(person) : 0;
    if (n < 1 || n > 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)person[i]) && !strchr("._-", person[i])) return 0;
    return 1;
}

int vh__mon_person(vh_monitor *m, const char *person, int create, int64_t *rowid) {
    *rowid = 0;
    if (!vh__mon_valid_person(person))
        return vh__fail(&m->err, VH_EINVAL, "person id '%s' must be 1-64 characters of A-Z a-z 0-9 . _ -",
                        person ? person : "");
    sqlite3_stmt *st;
    int s = vh__mon_prepare(m, "SELECT id FROM persons WHERE pid = ?1", &st);
    if (s) return s;
    sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *rowid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return vh__mon_sqlfail(m, rc, "read persons");
    if (*rowid) return VH_OK;
    if (!create) return vh__fail(&m->err, VH_ENOTFOUND, "%s: no person '%s' in the store", m->path, person);
    s = vh__mon_prepare(m, "INSERT INTO persons(pid, created_at) VALUES(?1, strftime('%s','now'))", &st);
    if (s) return s;
    sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return vh__mon_sqlfail(m, rc, "add person");
    *rowid = sqlite3_last_insert_rowid(m->db);
    return VH_OK;
}

/* ---- schema --------------------------------------------------------------- */

/* migrations[i] takes the schema from version i to i + 1. Never edit a
 * released step: add a new one. */
static const char *const migrations[VH_MONITOR_SCHEMA_VERSION] = {
    "PRAGMA application_id = 1986555185;"
    "CREATE TABLE persons(id INTEGER PRIMARY KEY, pid TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);"
    "CREATE TABLE sessions(id INTEGER PRIMARY KEY,"
    " person INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    " started_at INTEGER NOT NULL, tz_minutes INTEGER NOT NULL, duration REAL NOT NULL,"
    " modality TEXT NOT NULL CHECK (modality IN ('face','voice')), source_hash TEXT NOT NULL,"
    " model TEXT, imported_at INTEGER NOT NULL, UNIQUE(person, modality, source_hash));"
    "CREATE INDEX sessions_by_time ON sessions(person, started_at);"
    "CREATE TABLE windows(id INTEGER PRIMARY KEY,"
    " session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " t REAL NOT NULL, dur REAL NOT NULL, p_neutral REAL NOT NULL, p_calm REAL NOT NULL,"
    " p_happiness REAL NOT NULL, p_surprise REAL NOT NULL, p_sadness REAL NOT NULL,"
    " p_anger REAL NOT NULL, p_disgust REAL NOT NULL, p_fear REAL NOT NULL, p_contempt REAL NOT NULL,"
    " valence REAL NOT NULL, arousal REAL NOT NULL);"
    "CREATE INDEX windows_by_session ON windows(session, t);"
    "CREATE TABLE prosody(session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY(session, name));"
    "CREATE TABLE surveys(id INTEGER PRIMARY KEY,"
    " person INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    " taken_at INTEGER NOT NULL, tz_minutes INTEGER NOT NULL,"
    " instrument TEXT NOT NULL CHECK (instrument IN ('phq9','gad7')), answers TEXT NOT NULL,"
    " total INTEGER NOT NULL, severity TEXT NOT NULL, safety_flag INTEGER NOT NULL);"
    "CREATE INDEX surveys_by_time ON surveys(person, taken_at);"
    "CREATE TABLE alerts(id INTEGER PRIMARY KEY,"
    " person INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    " rule TEXT NOT NULL, created_at INTEGER NOT NULL, first_day TEXT NOT NULL, last_day TEXT NOT NULL,"
    " level INTEGER NOT NULL, message TEXT NOT NULL, evidence TEXT NOT NULL,"
    " UNIQUE(person, rule, last_day));",
};

static int query_int(vh_monitor *m, const char *sql, int64_t *out) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(m->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return vh__mon_sqlfail(m, rc, "read");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? VH_OK : vh__mon_sqlfail(m, rc, "read");
}

static int migrate(vh_monitor *m) {
    int s = vh__mon_exec(m, "BEGIN IMMEDIATE");
    if (s) return s;
    int64_t v = 0;
    s = query_int(m, "PRAGMA user_version", &v);
    if (!s && v > VH_MONITOR_SCHEMA_VERSION)
        s = vh__fail(&m->err, VH_EUNSUPPORTED, "%s: store schema version %lld is newer than this verhm (%d)",
                     m->path, (long long)v, VH_MONITOR_SCHEMA_VERSION);
    for (int64_t i = v; !s && i < VH_MONITOR_SCHEMA_VERSION; i++) {
        s = vh__mon_exec(m, migrations[i]);
        if (!s) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)(i + 1));
            s = vh__mon_exec(m, sql);
        }
    }
    if (s) {
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
        return s;
    }
    return vh__mon_exec(m, "COMMIT");
}

vh_monitor_params vh_monitor_default_params(void) {
    vh_monitor_params p = {NULL, 1, 0, 10000, 1};
    return p;
}

int vh_monitor_open(const char *path, const vh_monitor_params *params, vh_monitor **out) {
    vh_monitor_params p = params ? *params : vh_monitor_default_params();
    *out = NULL;
    if (!path || !*path) return vh__fail(NULL, VH_EINVAL, "monitor: no store path given");
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (!exists && (!p.create || p.readonly))
        return vh__fail(NULL, VH_ENOTFOUND, "%s: no such store (record, import or survey creates one)", path);
    if (exists && !S_ISREG(sb.st_mode)) return vh__fail(NULL, VH_EINVAL, "%s: not a regular file", path);
    vh_monitor *m = calloc(1, sizeof *m);
    if (!m || !(m->path = vh__strdup(path))) {
        free(m);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    }
    m->readonly = p.readonly;
    int flags = p.readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &m->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    int s = VH_OK;
    if (rc != SQLITE_OK) {
        s = vh__mon_sqlfail(m, rc, "open");
        goto fail;
    }
    sqlite3_busy_timeout(m->db, p.busy_timeout_ms > 0 ? p.busy_timeout_ms : 0);
    if (p.passphrase && *p.passphrase) {
        rc = sqlite3_key(m->db, p.passphrase, (int)strlen(p.passphrase));
        /* Pin the file format: SQLCipher 4 changed the defaults (KDF, HMAC); with
         * compatibility 3 (a no-op before 4.0) the same store opens on both. The
         * KDF iteration count is not stored in the file, so it is fixed here. */
        if (rc == SQLITE_OK) rc = sqlite3_exec(m->db, "PRAGMA cipher_compatibility = 3", NULL, NULL, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_exec(m->db, "PRAGMA kdf_iter = " VH__STR(VH_MONITOR_KDF_ITER), NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            s = vh__mon_sqlfail(m, rc, "set key");
            goto fail;
        }
    }
    /* Verify the key (and that this is SQLite at all) before anything writes. */
    int64_t ntables = 0, app = 0;
    s = query_int(m, "SELECT count(*) FROM sqlite_master", &ntables);
    if (s) {
        if (s != VH_EAUTH && s != VH_ENOMEM)
            s = vh__fail(&m->err, VH_EAUTH, "%s: wrong passphrase or not a verhm store", path);
        goto fail;
    }
    if ((s = query_int(m, "PRAGMA application_id", &app))) goto fail;
    if (ntables > 0 && app != VH_MONITOR_APP_ID) {
        s = vh__fail(&m->err, VH_EAUTH, "%s: wrong passphrase or not a verhm store", path);
        goto fail;
    }
    if (!p.readonly) {
        sqlite3_stmt *st;
        if ((s = vh__mon_prepare(m, "PRAGMA journal_mode = WAL", &st))) goto fail;
        rc = sqlite3_step(st);
        int wal = rc == SQLITE_ROW && ieq((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) { s = vh__mon_sqlfail(m, rc, "enable WAL"); goto fail; }
        if (!wal) { s = vh__fail(&m->err, VH_EIO, "%s: cannot switch the store to WAL mode", path); goto fail; }
    }
    if ((s = vh__mon_exec(m, p.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")) ||
        (s = vh__mon_exec(m, "PRAGMA foreign_keys = ON")) || (s = vh__mon_exec(m, "PRAGMA secure_delete = ON")))
        goto fail;
    if (!p.readonly) {
        if ((s = migrate(m))) goto fail;
    } else {
        int64_t v = 0;
        if ((s = query_int(m, "PRAGMA user_version", &v))) goto fail;
        if (v != VH_MONITOR_SCHEMA_VERSION) {
            s = vh__fail(&m->err, VH_EUNSUPPORTED, "%s: store schema version %lld; open it writable once to migrate",
                         path, (long long)v);
            goto fail;
        }
    }
    *out = m;
    return VH_OK;
fail:
    if (m->db) sqlite3_close(m->db);
    free(m->path);
    free(m);
    return s;
}

void vh_monitor_close(vh_monitor *m) {
    if (!m) return;
    if (!m->readonly) sqlite3_exec(m->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(m->db);
    free(m->path);
    free(m);
}

const char *vh_monitor_errmsg(const vh_monitor *m) { return m ? m->err.msg : ""; }

int vh_monitor_check(vh_monitor *m) {
    sqlite3_stmt *st;
    int s = vh__mon_prepare(m, "PRAGMA integrity_check", &st);
    if (s) return s;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return vh__mon_sqlfail(m, rc, "integrity check");
    }
    const char *r = (const char *)sqlite3_column_text(st, 0);
    if (!r || strcmp(r, "ok") != 0) {
        s = vh__fail(&m->err, VH_EFORMAT, "%s: integrity check failed: %s", m->path, r ? r : "(null)");
    }
    sqlite3_finalize(st);
    if (s) return s;
    int64_t bad = 0;
    if ((s = query_int(m, "SELECT count(*) FROM sessions WHERE person NOT IN (SELECT id FROM persons)", &bad))) return s;
    if (bad) return vh__fail(&m->err, VH_EFORMAT, "%s: %lld sessions without a person", m->path, (long long)bad);
    return VH_OK;
}

/* ---- listing -------------------------------------------------------------- */

int vh_monitor_persons(vh_monitor *m, char ***ids, size_t *n) {
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int s = vh__mon_prepare(m, "SELECT pid FROM persons ORDER BY pid", &st);
    if (s) return s;
    size_t cap = 0;
    char **list = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nl = realloc(list, cap * sizeof *nl);
            if (!nl) { s = vh__fail(&m->err, VH_ENOMEM, "%s: out of memory", m->path); break; }
            list = nl;
        }
        if (!(list[*n] = vh__strdup((const char *)sqlite3_column_text(st, 0)))) {
            s = vh__fail(&m->err, VH_ENOMEM, "%s: out of memory", m->path);
            break;
        }
        (*n)++;
    }
    if (!s && rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "list persons");
    sqlite3_finalize(st);
    if (s) {
        vh_strlist_free(list, *n);
        *n = 0;
        return s;
    }
    *ids = list;
    return VH_OK;
}

int vh_monitor_sessions(vh_monitor *m, const char *person, vh_monitor_session **out, size_t *n) {
    *out = NULL;
    *n = 0;
    int64_t pid;
    int s = vh__mon_person(m, person, 0, &pid);
    if (s) return s;
    sqlite3_stmt *st;
    s = vh__mon_prepare(m,
        "SELECT s.id, s.started_at, s.tz_minutes, s.duration, s.modality, s.source_hash, count(w.id),"
        " sum(w.dur*w.valence)/sum(w.dur), sum(w.dur*w.arousal)/sum(w.dur),"
        " sum(w.dur*w.p_neutral), sum(w.dur*w.p_calm), sum(w.dur*w.p_happiness), sum(w.dur*w.p_surprise),"
        " sum(w.dur*w.p_sadness), sum(w.dur*w.p_anger), sum(w.dur*w.p_disgust), sum(w.dur*w.p_fear),"
        " sum(w.dur*w.p_contempt)"
        " FROM sessions s LEFT JOIN windows w ON w.session = s.id WHERE s.person = ?1"
        " GROUP BY s.id ORDER BY s.started_at, s.id", &st);
    if (s) return s;
    sqlite3_bind_int64(st, 1, pid);
    size_t cap = 0;
    vh_monitor_session *a = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            vh_monitor_session *na = realloc(a, cap * sizeof *na);
            if (!na) { s = vh__fail(&m->err, VH_ENOMEM, "%s: out of memory", m->path); break; }
            a = na;
        }
        vh_monitor_session *x = &a[(*n)++];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(st, 0);
        x->started_at = sqlite3_column_int64(st, 1);
        x->tz_minutes = sqlite3_column_int(st, 2);
        x->duration = sqlite3_column_double(st, 3);
        snprintf(x->modality, sizeof x->modality, "%s", (const char *)sqlite3_column_text(st, 4));
        snprintf(x->source_hash, sizeof x->source_hash, "%s", (const char *)sqlite3_column_text(st, 5));
        x->n_windows = sqlite3_column_int(st, 6);
        x->valence = sqlite3_column_type(st, 7) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 7);
        x->arousal = sqlite3_column_type(st, 8) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 8);
        double best = -1;
        x->dominant = -1;
        for (int l = 0; l < VH_MONITOR_NLABELS; l++) {
            double v = sqlite3_column_double(st, 9 + l);
            if (x->n_windows && v > best) { best = v; x->dominant = l; }
        }
    }
    if (!s && rc != SQLITE_DONE) s = vh__mon_sqlfail(m, rc, "list sessions");
    sqlite3_finalize(st);
    if (s) {
        free(a);
        *n = 0;
        return s;
    }
    *out = a;
    return VH_OK;
}

/* ---- erase ---------------------------------------------------------------- */

int vh_monitor_erase(vh_monitor *m, const char *person, int64_t *rows) {
    if (rows) *rows = 0;
    if (m->readonly) return vh__fail(&m->err, VH_EINVAL, "%s: store opened read-only", m->path);
    int s = vh__mon_exec(m, "BEGIN IMMEDIATE");
    if (s) return s;
    int64_t pid = 0, total = 0;
    if ((s = vh__mon_person(m, person, 0, &pid))) goto rollback;
    static const char *const counts[] = {
        "SELECT count(*) FROM windows WHERE session IN (SELECT id FROM sessions WHERE person = ?1)",
        "SELECT count(*) FROM prosody WHERE session IN (SELECT id FROM sessions WHERE person = ?1)",
        "SELECT count(*) FROM sessions WHERE person = ?1",
        "SELECT count(*) FROM surveys WHERE person = ?1",
        "SELECT count(*) FROM alerts WHERE person = ?1",
    };
    for (size_t i = 0; i < VH_COUNTOF(counts); i++) {
        sqlite3_stmt *st;
        if ((s = vh__mon_prepare(m, counts[i], &st))) goto rollback;
        sqlite3_bind_int64(st, 1, pid);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) total += sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) { s = vh__mon_sqlfail(m, rc, "erase"); goto rollback; }
    }
    /* Children go by ON DELETE CASCADE (foreign_keys is on for every handle). */
    sqlite3_stmt *st;
    if ((s = vh__mon_prepare(m, "DELETE FROM persons WHERE id = ?1", &st))) goto rollback;
    sqlite3_bind_int64(st, 1, pid);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) { s = vh__mon_sqlfail(m, rc, "erase"); goto rollback; }
    if ((s = vh__mon_exec(m, "COMMIT"))) goto rollback;
    if (rows) *rows = total + 1;
    /* Rebuild the file without the freed pages, then empty the WAL. */
    int rc0 = sqlite3_exec(m->db, "VACUUM", NULL, NULL, NULL);
    if (rc0 != SQLITE_OK) {
        s = vh__mon_sqlfail(m, rc0, "compact after erase");
        return vh__fail(&m->err, s, "%s: '%s' was deleted, but compacting the store failed (%s); "
                        "run erase again to finish the cleanup", m->path, person, sqlite3_errmsg(m->db));
    }
    if ((s = vh__mon_prepare(m, "PRAGMA wal_checkpoint(TRUNCATE)", &st))) return s;
    rc = sqlite3_step(st);
    int busy = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return vh__mon_sqlfail(m, rc, "checkpoint after erase");
    if (busy)
        return vh__fail(&m->err, VH_EIO, "%s: '%s' was deleted, but another process keeps the store open so the "
                        "write-ahead log could not be emptied; run erase again when it has closed", m->path, person);
    return VH_OK;
rollback:
    sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

void vh__html_escape(vh_buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': vh_buf_puts(b, "&lt;"); break;
        case '>': vh_buf_puts(b, "&gt;"); break;
        case '&': vh_buf_puts(b, "&amp;"); break;
        case '"': vh_buf_puts(b, "&quot;"); break;
        case '\'': vh_buf_puts(b, "&#39;"); break;
        default: vh_buf_append(b, s, 1);
        }
    }
}
