/* verhm monitor — the mental-health monitoring store from the command line:
 * record, import, survey, list, alerts, report, export, erase, demo, check. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/monitor.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* `record` runs the face analysis of the affect module (the same as
 * `verhm recognize --result`) and stores its import document. */
#include "verhm/affect.h"
static int analyze_media(const char *path, char **json, size_t *len, void *user) {
    (void)user;
    vh_media_analysis_params p = {0};
    char emo[4096], ag[4096];
    const char *e = vh_cli_find_resource("models/fer-emotion.safetensors");
    if (e) { /* without it the library reports that no model was found */
        snprintf(emo, sizeof emo, "%s", e);
        p.emotion_model = emo;
    }
    const char *g = vh_cli_find_resource("models/age-gender.safetensors");
    if (g) {
        snprintf(ag, sizeof ag, "%s", g);
        p.agegender_model = ag;
    }
    p.every = 1;
    return vh_affect_analyze_media(path, &p, json, len);
}

static const char usage_text[] =
    "usage: verhm monitor COMMAND [OPTIONS]\n"
    "\n"
    "Keeps a private timeline of emotional read-outs and questionnaires for a\n"
    "person (a pseudonym such as p01), with trends, alerts and a report.\n"
    "\n"
    "commands:\n"
    "  record  --person ID FILE...      analyse a video/audio file and store the result\n"
    "  import  --person ID RESULT.json...  store results of `verhm recognize/voice --json` (- = stdin)\n"
    "  survey  --person ID phq9|gad7    answer a questionnaire (terminal, or --answers)\n"
    "  list    [--person ID]            persons, or one person's sessions and questionnaires\n"
    "  alerts  --person ID              evaluate the alert rules and list alerts\n"
    "  report  --person ID [--out F]    one self-contained HTML report (default report-ID.html)\n"
    "  export  --person ID --csv|--csv-days|--json|--fhir [--out F]\n"
    "  erase   --person ID --yes        delete everything about ID, then VACUUM\n"
    "  demo    --person ID [--days N] [--seed N] [--item9]  store simulated weeks\n"
    "  check                            integrity check of the store\n"
    "\n"
    "options:\n"
    "  --db FILE            store (default $VERHM_DB, else $XDG_DATA_HOME/verhm/monitor.db,\n"
    "                       else ~/.local/share/verhm/monitor.db)\n"
    "  --passphrase-file F  encrypt/open the store with the first line of F\n"
    "  --ask-passphrase     ask for the passphrase on the terminal (no echo)\n"
    "                       (VERHM_PASSPHRASE also sets it; without any the store is not encrypted)\n"
    "  --rules FILE         alert rules (default data/alerts.conf, else built-in)\n"
    "  --answers A          survey answers: a file or \"0,1,2,...\"\n"
    "  --date ISO8601       survey time (default now)\n"
    "  --skip-existing      import/record: skip results that are already stored\n"
    "  --json               machine-readable output\n"
    "\n"
    "Read-outs are estimates, not a diagnosis. Raw audio/video is never stored.\n";

enum { O_DB = 256, O_PASSFILE, O_ASK, O_RULES, O_ANSWERS, O_DATE, O_CSV, O_CSVDAYS, O_FHIR, O_OUT, O_YES,
       O_DAYS, O_SEED, O_ITEM9, O_SKIP, O_JSON, O_PERSON, O_HELP };

typedef struct opts {
    const char *db, *passfile, *rules, *answers, *date, *out, *person;
    int ask, json, yes, item9, skip, days, format;
    long seed;
    char dbbuf[4096];
    char pass[1024];
    int have_pass;
} opts;

static int fail(const char *fmt, const char *a) {
    fprintf(stderr, "verhm: monitor: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    return VH_EXIT_INPUT;
}

static int default_db(opts *o) {
    const char *env = getenv("VERHM_DB");
    if (env && *env) { o->db = env; return 0; }
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char dir[3800];
    if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/verhm", xdg);
    else if (home && *home) snprintf(dir, sizeof dir, "%s/.local/share/verhm", home);
    else return fail("%sno store: set --db, VERHM_DB or HOME", "");
    if (!vh_is_dir(dir)) {
        if (vh_mkdir_p(dir)) return fail("%s", vh_last_error());
        chmod(dir, 0700);
    }
    snprintf(o->dbbuf, sizeof o->dbbuf, "%s/monitor.db", dir);
    o->db = o->dbbuf;
    return 0;
}

static int read_tty_line(const char *prompt, char *buf, size_t n) {
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) return -1;
    struct termios old, quiet;
    int fd = fileno(tty), restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fputs(prompt, tty);
    fflush(tty);
    char *r = fgets(buf, (int)n, tty);
    if (restore) tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (!r) return -1;
    buf[strcspn(buf, "\r\n")] = 0;
    return 0;
}

static int get_passphrase(opts *o) {
    const char *env = getenv("VERHM_PASSPHRASE");
    if (o->passfile) {
        FILE *f = fopen(o->passfile, "r");
        if (!f) return vh_cli_fail(o->passfile, "cannot open: %s", strerror(errno));
        char *r = fgets(o->pass, sizeof o->pass, f);
        fclose(f);
        if (!r) return vh_cli_fail(o->passfile, "empty passphrase file");
        o->pass[strcspn(o->pass, "\r\n")] = 0;
        if (!o->pass[0]) return vh_cli_fail(o->passfile, "the first line (the passphrase) is empty");
    } else if (o->ask) {
        if (read_tty_line("Passphrase: ", o->pass, sizeof o->pass))
            return fail("%scannot read a passphrase: no terminal", "");
        if (!o->pass[0]) return fail("%sempty passphrase", "");
        if (!vh_is_file(o->db)) {
            char again[sizeof o->pass];
            if (read_tty_line("Repeat passphrase: ", again, sizeof again) || strcmp(again, o->pass))
                return fail("%sthe passphrases do not match; nothing was created", "");
        }
    } else if (env && *env) {
        snprintf(o->pass, sizeof o->pass, "%s", env);
    } else {
        return 0;
    }
    o->have_pass = 1;
    return 0;
}

static int open_store(opts *o, int create, vh_monitor **m) {
    int s = get_passphrase(o);
    if (s) return s;
    vh_monitor_params p = vh_monitor_default_params();
    p.passphrase = o->have_pass ? o->pass : NULL;
    p.create = create;
    umask(077); /* health data: the store and exports are private to the user */
    s = vh_monitor_open(o->db, &p, m);
    memset(o->pass, 0, sizeof o->pass);
    if (s) return vh_cli_fail_status(s);
    return 0;
}

static int load_rules(opts *o, vh_monitor_rules **r) {
    int s;
    if (o->rules) s = vh_monitor_rules_load(o->rules, r);
    else {
        const char *def = vh_cli_find_resource("data/alerts.conf");
        s = def ? vh_monitor_rules_load(def, r) : vh_monitor_rules_default(r);
    }
    return s ? vh_cli_fail_status(s) : 0;
}

static int local_offset_minutes(time_t t) {
    struct tm lt;
    if (!localtime_r(&t, &lt)) return 0;
    return (int)(lt.tm_gmtoff / 60);
}

static int write_out(const char *path, const vh_buf *b) {
    if (!path || !strcmp(path, "-")) {
        if (b->len) fwrite(b->data, 1, b->len, stdout);
        return fflush(stdout) ? vh_cli_fail("stdout", "write error") : 0;
    }
    vh_atomic_file f;
    int s = vh_atomic_open(&f, path, 1);
    if (s) return vh_cli_fail_status(s);
    fchmod(fileno(f.fp), 0600); /* health data: readable by the user only */
    if (b->len) fwrite(b->data, 1, b->len, f.fp);
    s = vh_atomic_commit(&f);
    return s ? vh_cli_fail_status(s) : 0;
}

/* Reads all of stdin (at most 256 MiB) into a NUL-terminated buffer (vh_free). */
static int read_stdin(char **text, size_t *len) {
    vh_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (b.len + n > (256u << 20)) { vh_buf_free(&b); return VH_ERANGE; }
        vh_buf_append(&b, chunk, n);
    }
    if (ferror(stdin) || b.failed) { vh_buf_free(&b); return b.failed ? VH_ENOMEM : VH_EIO; }
    if (!b.data) { b.data = malloc(1); if (!b.data) return VH_ENOMEM; b.data[0] = 0; }
    *text = b.data;
    *len = b.len;
    return 0;
}

/* ---- subcommands ---------------------------------------------------------- */

static int do_import(opts *o, int nfiles, char **files, int record) {
    vh_monitor *m;
    int rc = open_store(o, 1, &m);
    if (rc) return rc;
    int total = 0, skipped = 0;
    for (int i = 0; i < nfiles && !rc; i++) {
        int64_t ids[VH_MONITOR_MAX_RESULTS];
        int n = 0, s;
        if (record) {
            s = vh_monitor_record(m, o->person, files[i], analyze_media, NULL, ids, &n);
        } else {
            char *text;
            size_t len;
            int from_stdin = !strcmp(files[i], "-");
            s = from_stdin ? read_stdin(&text, &len) : vh_file_read_all(files[i], 256u << 20, &text, &len);
            if (s) {
                rc = from_stdin ? vh_cli_fail("stdin", "%s", s == VH_ERANGE ? "more than 256 MiB" : vh_strerror(s))
                                : vh_cli_fail_status(s);
                break;
            }
            vh_monitor_import_opts io = {0};
            struct stat st;
            io.name = from_stdin ? "stdin" : files[i];
            io.default_time = !from_stdin && stat(files[i], &st) == 0 ? (int64_t)st.st_mtime : (int64_t)time(NULL);
            io.default_tz_minutes = local_offset_minutes((time_t)io.default_time);
            s = vh_monitor_import(m, o->person, text, len, &io, ids, &n);
            vh_free(text);
        }
        if (s == VH_EEXIST && o->skip) { skipped++; continue; }
        if (s) {
            rc = vh_cli_fail(NULL, "%s%s", vh_monitor_errmsg(m),
                             i ? " (the files before it were stored)" : "");
            break;
        }
        total += n;
        if (!o->json && !vh_cli.quiet)
            for (int k = 0; k < n; k++) printf("%s: stored session %lld for %s\n", files[i], (long long)ids[k], o->person);
    }
    if (!rc && o->json) printf("{\"stored\":%d,\"skipped\":%d}\n", total, skipped);
    vh_monitor_close(m);
    return rc;
}

static void box(FILE *out, const char *text) {
    fprintf(out, "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
    /* wrap at ~68 columns */
    const char *p = text;
    while (*p) {
        size_t n = strlen(p), cut = n;
        if (n > 68) {
            cut = 68;
            while (cut > 20 && p[cut] != ' ') cut--;
        }
        fprintf(out, "!!  %.*s\n", (int)cut, p);
        p += cut;
        while (*p == ' ') p++;
    }
    fprintf(out, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n");
}

static int do_survey(opts *o, const char *which) {
    const vh_instrument *ins = vh_monitor_instrument(which);
    if (!ins) return vh_cli_usage_error("monitor", "survey: unknown questionnaire '%s' (phq9 or gad7)", which);
    int answers[9], n = 0;
    int64_t at = (int64_t)time(NULL);
    int tz = local_offset_minutes((time_t)at);
    if (o->date && vh_monitor_parse_time(o->date, &at, &tz)) return vh_cli_usage_error("monitor", "%s", vh_last_error());
    if (o->answers) {
        const char *src = o->answers;
        char *text = NULL;
        size_t len;
        if (vh_is_file(o->answers)) {
            int s = vh_file_read_all(o->answers, 4096, &text, &len);
            if (s) return vh_cli_fail_status(s);
            src = text;
        }
        int s = vh_monitor_parse_answers(src, answers, 9, &n);
        vh_free(text);
        if (s) return vh_cli_fail(o->answers == src ? "--answers" : o->answers, "%s", vh_last_error());
        if (n != ins->n_items)
            return vh_cli_fail(vh_is_file(o->answers) ? o->answers : "--answers", "%s needs %d answers, got %d",
                               ins->title, ins->n_items, n);
    } else {
        FILE *q = o->json ? stderr : stdout; /* with --json, stdout carries only the result */
        fprintf(q, "%s — %s\n", ins->title, ins->stem);
        for (int c = 0; c < 4; c++) fprintf(q, "  %d = %s\n", c, ins->choices[c]);
        for (int i = 0; i < ins->n_items; i++) {
            int got = -1;
            for (int tries = 0; tries < 5 && got < 0; tries++) {
                fprintf(q, "%d. %s\n   answer 0-3: ", i + 1, ins->items[i]);
                fflush(q);
                char line[64];
                if (!fgets(line, sizeof line, stdin)) {
                    fprintf(q, "\n");
                    return fail("%ssurvey: input ended before the last question; nothing was stored", "");
                }
                char *e = line + strcspn(line, "\r\n");
                *e = 0;
                if (line[0] >= '0' && line[0] <= '3' && !line[1]) got = line[0] - '0';
                else fprintf(q, "   please type a single number from 0 to 3\n");
            }
            if (got < 0) return fail("%ssurvey: no valid answer; nothing was stored", "");
            answers[n++] = got;
        }
    }
    vh_survey_score sc;
    if (vh_monitor_score(ins, answers, n, &sc)) return vh_cli_fail("survey", "%s", vh_last_error());
    /* the safety message comes from the rules: load them before storing anything */
    vh_monitor_rules *rules = NULL;
    int rc;
    if (sc.safety_flag && (rc = load_rules(o, &rules))) return rc;
    vh_monitor *m;
    if ((rc = open_store(o, 1, &m))) { vh_monitor_rules_free(rules); return rc; }
    int64_t id;
    int s = vh_monitor_add_survey(m, o->person, ins, answers, n, at, tz, &id);
    if (s) { rc = vh_cli_fail_status(s); vh_monitor_rules_free(rules); vh_monitor_close(m); return rc; }
    if (o->json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "id"); vh_jw_int(&w, id);
        vh_jw_key(&w, "instrument"); vh_jw_string(&w, ins->id);
        vh_jw_key(&w, "total"); vh_jw_int(&w, sc.total);
        vh_jw_key(&w, "severity"); vh_jw_string(&w, sc.severity);
        vh_jw_key(&w, "safety_flag"); vh_jw_bool(&w, sc.safety_flag);
        if (sc.safety_flag) { vh_jw_key(&w, "safety_message"); vh_jw_string(&w, vh_monitor_rules_safety_message(rules)); }
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s total %d of %d: %s range. This is a screening questionnaire, not a diagnosis.\n", ins->title,
               sc.total, ins->max_score, sc.severity);
    }
    if (sc.safety_flag) box(o->json ? stderr : stdout, vh_monitor_rules_safety_message(rules));
    vh_monitor_rules_free(rules);
    vh_monitor_close(m);
    return 0;
}

static int do_list(opts *o) {
    vh_monitor *m;
    int rc = open_store(o, 0, &m);
    if (rc) return rc;
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 1);
    if (!o->person) {
        char **ids;
        size_t n;
        int s = vh_monitor_persons(m, &ids, &n);
        if (s) { rc = vh_cli_fail_status(s); goto done; }
        if (o->json) vh_jw_array_begin(&w);
        for (size_t i = 0; i < n; i++) {
            vh_monitor_session *ss = NULL;
            vh_monitor_survey *sv = NULL;
            size_t ns = 0, nv = 0;
            if (vh_monitor_sessions(m, ids[i], &ss, &ns) || vh_monitor_surveys(m, ids[i], &sv, &nv)) {
                rc = vh_cli_fail(NULL, "%s", vh_monitor_errmsg(m));
                vh_free(ss);
                break;
            }
            if (o->json) {
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "person"); vh_jw_string(&w, ids[i]);
                vh_jw_key(&w, "sessions"); vh_jw_int(&w, (long long)ns);
                vh_jw_key(&w, "surveys"); vh_jw_int(&w, (long long)nv);
                vh_jw_object_end(&w);
            } else {
                printf("%-20s %5zu sessions %4zu questionnaires\n", ids[i], ns, nv);
            }
            vh_free(ss);
            vh_free(sv);
        }
        if (o->json) vh_jw_array_end(&w);
        vh_strlist_free(ids, n);
    } else {
        vh_monitor_session *ss;
        vh_monitor_survey *sv;
        size_t ns, nv;
        int s = vh_monitor_sessions(m, o->person, &ss, &ns);
        if (s) { rc = vh_cli_fail_status(s); goto done; }
        if ((s = vh_monitor_surveys(m, o->person, &sv, &nv))) { vh_free(ss); rc = vh_cli_fail_status(s); goto done; }
        char ts[40];
        if (o->json) {
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "person"); vh_jw_string(&w, o->person);
            vh_jw_key(&w, "sessions"); vh_jw_array_begin(&w);
        } else {
            printf("%-6s %-25s %-5s %8s %7s %8s %8s  %s\n", "id", "started", "kind", "seconds", "windows", "valence",
                   "arousal", "dominant");
        }
        for (size_t i = 0; i < ns; i++) {
            const char *dom = vh_monitor_label_name(ss[i].dominant);
            vh_monitor_format_time(ss[i].started_at, ss[i].tz_minutes, 0, ts, sizeof ts);
            if (o->json) {
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "id"); vh_jw_int(&w, ss[i].id);
                vh_jw_key(&w, "started_at"); vh_jw_string(&w, ts);
                vh_jw_key(&w, "kind"); vh_jw_string(&w, ss[i].modality);
                vh_jw_key(&w, "duration"); vh_jw_number(&w, ss[i].duration);
                vh_jw_key(&w, "windows"); vh_jw_int(&w, ss[i].n_windows);
                vh_jw_key(&w, "valence"); vh_jw_number(&w, ss[i].valence);
                vh_jw_key(&w, "arousal"); vh_jw_number(&w, ss[i].arousal);
                vh_jw_key(&w, "dominant"); vh_jw_string(&w, dom ? dom : "");
                vh_jw_key(&w, "source_sha256"); vh_jw_string(&w, ss[i].source_hash);
                vh_jw_object_end(&w);
            } else {
                printf("%-6lld %-25s %-5s %8.1f %7d %+8.3f %+8.3f  %s\n", (long long)ss[i].id, ts, ss[i].modality,
                       ss[i].duration, ss[i].n_windows, ss[i].valence, ss[i].arousal, dom ? dom : "-");
            }
        }
        if (o->json) {
            vh_jw_array_end(&w);
            vh_jw_key(&w, "surveys"); vh_jw_array_begin(&w);
        } else if (nv) {
            printf("\n%-6s %-25s %-6s %5s  %s\n", "id", "taken", "survey", "total", "range");
        }
        for (size_t i = 0; i < nv; i++) {
            vh_monitor_format_time(sv[i].taken_at, sv[i].tz_minutes, 0, ts, sizeof ts);
            if (o->json) {
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "id"); vh_jw_int(&w, sv[i].id);
                vh_jw_key(&w, "taken_at"); vh_jw_string(&w, ts);
                vh_jw_key(&w, "instrument"); vh_jw_string(&w, sv[i].instrument);
                vh_jw_key(&w, "total"); vh_jw_int(&w, sv[i].score.total);
                vh_jw_key(&w, "severity"); vh_jw_string(&w, sv[i].score.severity);
                vh_jw_key(&w, "safety_flag"); vh_jw_bool(&w, sv[i].score.safety_flag);
                vh_jw_object_end(&w);
            } else {
                printf("%-6lld %-25s %-6s %5d  %s%s\n", (long long)sv[i].id, ts, sv[i].instrument, sv[i].score.total,
                       sv[i].score.severity, sv[i].score.safety_flag ? " (item 9 > 0)" : "");
            }
        }
        if (o->json) {
            vh_jw_array_end(&w);
            vh_jw_object_end(&w);
        }
        vh_free(ss);
        vh_free(sv);
    }
    if (o->json && !rc) vh_cli_print_json(&b);
done:
    vh_buf_free(&b);
    vh_monitor_close(m);
    return rc;
}

static int do_alerts(opts *o) {
    vh_monitor_rules *rules;
    int rc = load_rules(o, &rules);
    if (rc) return rc;
    vh_monitor *m;
    if ((rc = open_store(o, 0, &m))) { vh_monitor_rules_free(rules); return rc; }
    vh_monitor_trend_params tp = vh_monitor_rules_trend_params(rules);
    vh_monitor_trends *t = NULL;
    vh_monitor_alert *al = NULL;
    size_t n = 0;
    int n_new = 0, s;
    if ((s = vh_monitor_trends_compute(m, o->person, &tp, &t)) || (s = vh_monitor_evaluate(m, o->person, rules, t, &n_new)) ||
        (s = vh_monitor_alerts(m, o->person, &al, &n))) {
        rc = vh_cli_fail_status(s);
    } else if (o->json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_array_begin(&w);
        for (size_t i = 0; i < n; i++) {
            vh_monitor_alert_json(&w, &al[i]);
        }
        vh_jw_array_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        if (!n) printf("No alerts for %s: nothing stands out.\n", o->person);
        for (size_t i = 0; i < n; i++)
            printf("[%s .. %s] %s\n  %s\n  evidence: %s\n", al[i].first_day, al[i].last_day, al[i].rule,
                   al[i].message, al[i].evidence);
    }
    vh_monitor_alerts_free(al, n);
    vh_monitor_trends_free(t);
    vh_monitor_rules_free(rules);
    vh_monitor_close(m);
    return rc;
}

static int do_report(opts *o) {
    vh_monitor_rules *rules;
    int rc = load_rules(o, &rules);
    if (rc) return rc;
    vh_monitor *m;
    if ((rc = open_store(o, 0, &m))) { vh_monitor_rules_free(rules); return rc; }
    char def[256];
    const char *out = o->out;
    if (!out) {
        snprintf(def, sizeof def, "report-%s.html", o->person);
        out = def;
    }
    vh_buf b = {0};
    int s = vh_monitor_report_html(m, o->person, rules, &b);
    if (s) rc = vh_cli_fail_status(s);
    else if (!(rc = write_out(out, &b)) && strcmp(out, "-") && !vh_cli.quiet)
        printf("wrote %s\n", out);
    vh_buf_free(&b);
    vh_monitor_rules_free(rules);
    vh_monitor_close(m);
    return rc;
}

static int do_export(opts *o) {
    vh_monitor *m;
    int rc = open_store(o, 0, &m);
    if (rc) return rc;
    vh_buf b = {0};
    int s = vh_monitor_export(m, o->person, o->format, &b);
    if (s) rc = vh_cli_fail_status(s);
    else {
        if (o->format != VH_EXPORT_CSV_WINDOWS && o->format != VH_EXPORT_CSV_DAYS) vh_buf_puts(&b, "\n");
        rc = write_out(o->out, &b);
    }
    vh_buf_free(&b);
    vh_monitor_close(m);
    return rc;
}

static int do_erase(opts *o) {
    if (!o->yes)
        return vh_cli_usage_error("monitor", "erase deletes every session, questionnaire and alert of '%s' for good; "
                                  "add --yes to confirm", o->person);
    vh_monitor *m;
    int rc = open_store(o, 0, &m);
    if (rc) return rc;
    int64_t rows;
    int s = vh_monitor_erase(m, o->person, &rows);
    if (s) rc = vh_cli_fail_status(s);
    else if (o->json) printf("{\"person\":\"%s\",\"rows_deleted\":%lld}\n", o->person, (long long)rows);
    else printf("erased %s: %lld rows deleted, store compacted\n", o->person, (long long)rows);
    vh_monitor_close(m);
    return rc;
}

static int do_demo(opts *o) {
    vh_monitor *m;
    int rc = open_store(o, 1, &m);
    if (rc) return rc;
    vh_monitor_sim_params p = vh_monitor_default_sim_params();
    if (o->days) p.days = o->days;
    if (o->seed >= 0) p.seed = (uint64_t)o->seed;
    p.item9_positive = o->item9;
    if (p.dip_start >= p.days) p.dip_start = p.days * 3 / 5;
    int ns, nq;
    int s = vh_monitor_simulate(m, o->person, &p, &ns, &nq);
    if (s) rc = vh_cli_fail_status(s);
    else if (!vh_cli.quiet)
        printf("stored %d simulated sessions and %d questionnaires for %s (%d days from %s, seed %llu)\n", ns, nq,
               o->person, p.days, p.start_date, (unsigned long long)p.seed);
    vh_monitor_close(m);
    return rc;
}

static int do_check(opts *o) {
    vh_monitor *m;
    int rc = open_store(o, 0, &m);
    if (rc) return rc;
    int s = vh_monitor_check(m);
    if (s) rc = vh_cli_fail_status(s);
    else printf("%s: ok\n", o->db);
    vh_monitor_close(m);
    return rc;
}

int cmd_monitor(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage_text, stderr);
        return VH_EXIT_USAGE;
    }
    static const char *const subs[] = {"record", "import", "survey", "list", "alerts", "report",
                                       "export", "erase", "demo", "check"};
    static const struct option lo[] = {
        {"db", required_argument, 0, O_DB},          {"passphrase-file", required_argument, 0, O_PASSFILE},
        {"ask-passphrase", no_argument, 0, O_ASK},   {"rules", required_argument, 0, O_RULES},
        {"answers", required_argument, 0, O_ANSWERS}, {"date", required_argument, 0, O_DATE},
        {"csv", no_argument, 0, O_CSV},              {"csv-days", no_argument, 0, O_CSVDAYS},
        {"fhir", no_argument, 0, O_FHIR},            {"out", required_argument, 0, O_OUT},
        {"yes", no_argument, 0, O_YES},              {"days", required_argument, 0, O_DAYS},
        {"seed", required_argument, 0, O_SEED},      {"item9", no_argument, 0, O_ITEM9},
        {"skip-existing", no_argument, 0, O_SKIP},   {"json", no_argument, 0, O_JSON},
        {"person", required_argument, 0, O_PERSON},  {"progress", no_argument, 0, 'P'},
        {"help", no_argument, 0, O_HELP},            {0, 0, 0, 0}};
    opts o;
    memset(&o, 0, sizeof o);
    o.format = -1;
    o.seed = -1;
    int c, fmt_json = 0;
    optind = 1; /* options may come before or after the subcommand */
    while ((c = getopt_long(argc, argv, "ho:p:", lo, NULL)) != -1) {
        int d;
        switch (c) {
        case O_DB: o.db = optarg; break;
        case O_PASSFILE: o.passfile = optarg; break;
        case O_ASK: o.ask = 1; break;
        case O_RULES: o.rules = optarg; break;
        case O_ANSWERS: o.answers = optarg; break;
        case O_DATE: o.date = optarg; break;
        case O_CSV: o.format = VH_EXPORT_CSV_WINDOWS; break;
        case O_CSVDAYS: o.format = VH_EXPORT_CSV_DAYS; break;
        case O_FHIR: o.format = VH_EXPORT_FHIR; break;
        case 'o': case O_OUT: o.out = optarg; break;
        case O_YES: o.yes = 1; break;
        case O_DAYS:
            if (vh_cli_parse_int("monitor", "--days", optarg, 1, 3650, &o.days)) return VH_EXIT_USAGE;
            break;
        case O_SEED:
            if (vh_cli_parse_int("monitor", "--seed", optarg, 0, 2147483647L, &d)) return VH_EXIT_USAGE;
            o.seed = d;
            break;
        case O_ITEM9: o.item9 = 1; break;
        case O_SKIP: o.skip = 1; break;
        case O_JSON: o.json = 1; fmt_json = 1; break;
        case 'p': case O_PERSON: o.person = optarg; break;
        case 'P': break;
        case 'h': case O_HELP: fputs(usage_text, stdout); return 0;
        default:
            return vh_cli_usage_error("monitor", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return vh_cli_usage_error("monitor", "no command given");
    const char *sub = argv[optind];
    if (!strcmp(sub, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    int known = 0;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) known |= !strcmp(sub, subs[i]);
    if (!known) return vh_cli_usage_error("monitor", "unknown command '%s'", sub);
    int npos = argc - optind - 1;
    char **pos = argv + optind + 1;
    int needs_person = strcmp(sub, "list") && strcmp(sub, "check");
    if (needs_person && !o.person) return vh_cli_usage_error("monitor", "%s needs --person ID", sub);
    if (o.passfile && o.ask) return vh_cli_usage_error("monitor", "use either --passphrase-file or --ask-passphrase");
    if (!strcmp(sub, "export")) {
        if (o.format < 0 && fmt_json) o.format = VH_EXPORT_JSON;
        if (o.format < 0) return vh_cli_usage_error("monitor", "export needs --csv, --csv-days, --json or --fhir");
    }
    int wants_files = !strcmp(sub, "record") || !strcmp(sub, "import");
    int wants_one = !strcmp(sub, "survey");
    if (wants_files && npos < 1) return vh_cli_usage_error("monitor", "%s needs at least one FILE", sub);
    if (wants_one && npos != 1) return vh_cli_usage_error("monitor", "survey needs phq9 or gad7");
    if (!wants_files && !wants_one && npos) return vh_cli_usage_error("monitor", "unexpected argument '%s'", pos[0]);
    if (!o.db && default_db(&o)) return VH_EXIT_INPUT;
    if (!strcmp(sub, "import")) return do_import(&o, npos, pos, 0);
    if (!strcmp(sub, "record")) return do_import(&o, npos, pos, 1);
    if (!strcmp(sub, "survey")) return do_survey(&o, pos[0]);
    if (!strcmp(sub, "list")) return do_list(&o);
    if (!strcmp(sub, "alerts")) return do_alerts(&o);
    if (!strcmp(sub, "report")) return do_report(&o);
    if (!strcmp(sub, "export")) return do_export(&o);
    if (!strcmp(sub, "erase")) return do_erase(&o);
    if (!strcmp(sub, "demo")) return do_demo(&o);
    return do_check(&o);
}
