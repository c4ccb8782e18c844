/* Monitor reliability: a writer killed with SIGKILL at random moments (30
 * rounds, fixed seed; 10 more on an encrypted store) never loses a committed
 * session nor damages the store;
 * a full disk (RLIMIT_FSIZE) gives VH_ENOSPC and keeps earlier commits;
 * readers read while a writer holds an open write transaction (WAL). */
#include "vh_test.h"
#include "verhm/monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlcipher/sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static const char *tmp(const char *name) {
    static char buf[4][512];
    static int i;
    char *b = buf[i++ & 3];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static const char *passphrase; /* NULL: plain store */

static vh_monitor *open_store(const char *path, int readonly) {
    vh_monitor_params p = vh_monitor_default_params();
    p.readonly = readonly;
    p.passphrase = passphrase;
    vh_monitor *m = NULL;
    if (vh_monitor_open(path, &p, &m)) fprintf(stderr, "open: %s\n", vh_last_error());
    return m;
}

/* One small simulated result with a unique source hash. */
static void make_result(vh_rng *r, int n_windows, vh_buf *b) {
    vh_monitor_simulate_result(r, vh_rng_below(r, 2) ? "face" : "voice", "2026-04-01T10:00:00+02:00",
                               vh_rng_uniform(r) * 2 - 1, n_windows, b);
}

static void writer_child(const char *db, int fd, uint64_t seed) {
    vh_monitor *m = open_store(db, 0);
    if (!m) _exit(3);
    vh_rng r;
    vh_rng_seed(&r, seed);
    for (int i = 0;; i++) {
        vh_buf b = {0};
        make_result(&r, 10 + (int)vh_rng_below(&r, 60), &b);
        char src[80], hash[65];
        snprintf(src, sizeof src, "seed %llu item %d", (unsigned long long)seed, i);
        vh_monitor_sha256_hex(src, strlen(src), hash);
        vh_monitor_import_opts o = {0};
        o.source_hash = hash;
        int64_t id;
        int n;
        int s = vh_monitor_import(m, "killme", b.data, b.len, &o, &id, &n);
        vh_buf_free(&b);
        if (s) _exit(4);
        if (write(fd, &id, sizeof id) != (ssize_t)sizeof id) _exit(5); /* committed: report it */
        if (i % 7 == 3) {
            int a[7] = {1, 0, 2, 1, 0, 3, 1};
            if (vh_monitor_add_survey(m, "killme", vh_monitor_instrument("gad7"), a, 7, 1775000000 + i, 0, NULL)) _exit(6);
        }
    }
}

static void kill_rounds(const char *db, int rounds, long min_us, uint64_t seed) {
    vh_rng r;
    vh_rng_seed(&r, seed);
    int64_t *reported = NULL;
    size_t nrep = 0, cap = 0;
    int killed_mid = 0;
    for (int round = 0; round < rounds; round++) {
        int fds[2];
        if (pipe(fds)) { VH_CHECK(0); return; }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            writer_child(db, fds[1], 1000 + (uint64_t)round);
        }
        close(fds[1]);
        /* Even rounds: wait for the first commit, so every run has committed data
         * whatever the machine's speed; odd rounds may kill during open/migration. */
        int64_t id;
        if (round % 2 == 0) {
            if (read(fds[0], &id, sizeof id) == (ssize_t)sizeof id) {
                if (nrep == cap) {
                    cap = cap ? cap * 2 : 256;
                    reported = realloc(reported, cap * sizeof *reported);
                }
                reported[nrep++] = id;
            } else {
                VH_FAILMSG("round %d: the writer died before its first commit", round);
            }
        }
        /* let it run min_us + 0..118 ms (deterministic choice), then kill it mid-write */
        long us = min_us + (long)vh_rng_below(&r, 118000);
        struct timespec ts = {us / 1000000, us % 1000000 * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) killed_mid++;
        else VH_FAILMSG("round %d: writer exited by itself (status %d)", round, status);
        ssize_t got;
        while ((got = read(fds[0], &id, sizeof id)) == (ssize_t)sizeof id) {
            if (nrep == cap) {
                cap = cap ? cap * 2 : 256;
                reported = realloc(reported, cap * sizeof *reported);
            }
            reported[nrep++] = id;
        }
        close(fds[0]);
        /* the store must be intact and hold every reported session */
        vh_monitor *m = open_store(db, 0);
        VH_CHECK(m);
        if (!m) break;
        VH_CHECK_OK(vh_monitor_check(m));
        vh_monitor_session *ss = NULL;
        size_t ns = 0;
        int s = vh_monitor_sessions(m, "killme", &ss, &ns);
        if (s != VH_OK && !(s == VH_ENOTFOUND && nrep == 0)) VH_FAILMSG("round %d: sessions: %s", round, vh_last_error());
        size_t missing = 0;
        for (size_t i = 0; i < nrep; i++) {
            size_t lo = 0, hi = ns; /* ids are increasing with time */
            int found = 0;
            for (size_t k = lo; k < hi && !found; k++) found = ss[k].id == reported[i];
            if (!found) missing++;
        }
        if (missing) VH_FAILMSG("round %d: %zu of %zu committed sessions missing", round, missing, nrep);
        for (size_t k = 0; k < ns; k++)
            if (ss[k].n_windows < 10) VH_FAILMSG("round %d: session %lld has %d windows (partial write)", round,
                                                 (long long)ss[k].id, ss[k].n_windows);
        vh_free(ss);
        vh_monitor_close(m);
    }
    printf("     %s: %d rounds killed mid-write, %zu committed sessions all present\n",
           passphrase ? "encrypted" : "plain", killed_mid, nrep);
    VH_CHECK_INT_EQ(killed_mid, rounds);
    VH_CHECK(nrep > 0);
    free(reported);
}

VH_TEST(sigkill_never_loses_commits) {
    passphrase = NULL;
    kill_rounds(tmp("kill.db"), 30, 2000, 42);
}

/* The same with SQLCipher (its key derivation makes each open slower). */
VH_TEST(sigkill_encrypted_store) {
    passphrase = "kill test key";
    kill_rounds(tmp("kill-enc.db"), 10, 2000, 43);
    passphrase = NULL;
}

VH_TEST(full_disk_keeps_commits) {
    const char *db = tmp("full.db");
    vh_monitor *m = open_store(db, 0);
    if (!m) { VH_CHECK(m); return; }
    vh_rng r;
    vh_rng_seed(&r, 5);
    for (int i = 0; i < 5; i++) {
        vh_buf b = {0};
        make_result(&r, 20, &b);
        VH_CHECK_OK(vh_monitor_import(m, "full", b.data, b.len, NULL, NULL, NULL));
        vh_buf_free(&b);
    }
    vh_monitor_close(m);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl;
        getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = 256 * 1024; /* files may not grow past 256 KiB */
        if (setrlimit(RLIMIT_FSIZE, &rl)) _exit(10);
        vh_monitor *c = open_store(db, 0);
        if (!c) _exit(11);
        vh_buf b = {0};
        make_result(&r, 20000, &b); /* ~2.5 MB of windows */
        int s = vh_monitor_import(c, "full", b.data, b.len, NULL, NULL, NULL);
        vh_buf_free(&b);
        int ok = s == VH_ENOSPC && strstr(vh_monitor_errmsg(c), "no space left") != NULL;
        if (!ok) fprintf(stderr, "child: status %d: %s\n", s, vh_monitor_errmsg(c));
        vh_monitor_close(c);
        _exit(ok ? 0 : 12);
    }
    int status;
    waitpid(pid, &status, 0);
    VH_CHECK(WIFEXITED(status));
    VH_CHECK_INT_EQ(WEXITSTATUS(status), 0);
    m = open_store(db, 0);
    if (!m) { VH_CHECK(m); return; }
    VH_CHECK_OK(vh_monitor_check(m));
    vh_monitor_session *ss;
    size_t ns;
    VH_CHECK_OK(vh_monitor_sessions(m, "full", &ss, &ns));
    VH_CHECK_INT_EQ(ns, 5);
    vh_free(ss);
    vh_buf b = {0};
    make_result(&r, 20, &b);
    VH_CHECK_OK(vh_monitor_import(m, "full", b.data, b.len, NULL, NULL, NULL)); /* space again: works */
    vh_buf_free(&b);
    vh_monitor_close(m);
}

static int count_sessions(vh_monitor *m, const char *person, size_t *n) {
    vh_monitor_session *ss = NULL;
    int s = vh_monitor_sessions(m, person, &ss, n);
    vh_free(ss);
    if (s == VH_ENOTFOUND) { *n = 0; return VH_OK; }
    return s;
}

VH_TEST(readers_work_during_a_write) {
    const char *db = tmp("rw.db");
    vh_monitor *m = open_store(db, 0);
    if (!m) { VH_CHECK(m); return; }
    vh_rng r;
    vh_rng_seed(&r, 9);
    vh_buf b = {0};
    make_result(&r, 20, &b);
    VH_CHECK_OK(vh_monitor_import(m, "rw", b.data, b.len, NULL, NULL, NULL));
    vh_buf_free(&b);
    vh_monitor_close(m);
    /* 1. deterministic: the child holds a write transaction open while we read */
    int to_parent[2], to_child[2];
    if (pipe(to_parent) || pipe(to_child)) { VH_CHECK(0); return; }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *raw;
        char c = 0;
        if (sqlite3_open(db, &raw) != SQLITE_OK) _exit(20);
        sqlite3_busy_timeout(raw, 5000);
        if (sqlite3_exec(raw, "PRAGMA foreign_keys=ON; BEGIN IMMEDIATE;"
                              "INSERT INTO sessions(person, started_at, tz_minutes, duration, modality, source_hash, imported_at)"
                              " SELECT id, 1775000000, 0, 1, 'face', 'held-open', 0 FROM persons WHERE pid='rw';",
                         NULL, NULL, NULL) != SQLITE_OK)
            _exit(21);
        if (write(to_parent[1], "w", 1) != 1 || read(to_child[0], &c, 1) != 1) _exit(22);
        if (sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) _exit(23);
        sqlite3_close(raw);
        if (write(to_parent[1], "c", 1) != 1) _exit(24);
        _exit(0);
    }
    char c;
    VH_CHECK(read(to_parent[0], &c, 1) == 1 && c == 'w');
    vh_monitor *rd = open_store(db, 1);
    VH_CHECK(rd);
    size_t n = 99;
    if (rd) {
        VH_CHECK_OK(count_sessions(rd, "rw", &n)); /* does not block, sees the committed state */
        VH_CHECK_INT_EQ(n, 1);
        vh_monitor_trends *t = NULL;
        VH_CHECK_OK(vh_monitor_trends_compute(rd, "rw", NULL, &t));
        vh_monitor_trends_free(t);
    }
    VH_CHECK(write(to_child[1], "g", 1) == 1);
    VH_CHECK(read(to_parent[0], &c, 1) == 1 && c == 'c');
    int status;
    waitpid(pid, &status, 0);
    VH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (rd) {
        VH_CHECK_OK(count_sessions(rd, "rw", &n));
        VH_CHECK_INT_EQ(n, 2);
    }
    /* 2. free-running: a writer imports 60 sessions while we keep reading */
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        vh_monitor *w = open_store(db, 0);
        if (!w) _exit(30);
        vh_rng wr;
        vh_rng_seed(&wr, 77);
        for (int i = 0; i < 60; i++) {
            vh_buf x = {0};
            make_result(&wr, 30, &x);
            char src[32], hash[65];
            snprintf(src, sizeof src, "rw %d", i);
            vh_monitor_sha256_hex(src, strlen(src), hash);
            vh_monitor_import_opts o = {0};
            o.source_hash = hash;
            if (vh_monitor_import(w, "rw", x.data, x.len, &o, NULL, NULL)) _exit(31);
            vh_buf_free(&x);
        }
        vh_monitor_close(w);
        _exit(0);
    }
    size_t last = 2, reads = 0, errors = 0, backwards = 0;
    for (;;) {
        int done = waitpid(pid, &status, WNOHANG) == pid;
        size_t k;
        if (rd && count_sessions(rd, "rw", &k) == VH_OK) {
            if (k < last) backwards++;
            last = k;
            reads++;
        } else {
            errors++;
        }
        if (done) break;
    }
    VH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    VH_CHECK_INT_EQ(errors, 0);
    VH_CHECK_INT_EQ(backwards, 0);
    VH_CHECK_INT_EQ(last, 62);
    printf("     %zu reads during the writes, none failed\n", reads);
    vh_monitor_close(rd);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/vh_test_monitor_rel_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    VH_RUN(sigkill_never_loses_commits);
    VH_RUN(sigkill_encrypted_store);
    VH_RUN(full_disk_keeps_commits);
    VH_RUN(readers_work_during_a_write);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return vh_test_summary();
}
