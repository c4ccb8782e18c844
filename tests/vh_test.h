/*
 * Minimal test runner: typed checks that print both operands, one line per
 * case, and a closing "N passed, N failed" line. Usage:
 *
 *   VH_TEST(parses_numbers) { VH_CHECK_INT_EQ(f(2), 4); }
 *   int main(void) { VH_RUN(parses_numbers); return vh_test_summary(); }
 *
 * Tests that need ../shared/data call vh_test_require_data() first: it returns
 * the data directory, or exits 77 ("skipped: no data") — and fails under
 * CI=true, where missing data must never pass silently.
 */
#ifndef VH_TEST_H
#define VH_TEST_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int vh_t_failed_checks, vh_t_cases_passed, vh_t_cases_failed;
static const char *vh_t_current;

#define VH_TEST(name) static void name(void)

#define VH_RUN(name)                                                   \
    do {                                                               \
        int before_ = vh_t_failed_checks;                              \
        vh_t_current = #name;                                          \
        name();                                                        \
        if (vh_t_failed_checks == before_) {                           \
            vh_t_cases_passed++;                                       \
            printf("ok   %s\n", #name);                                \
        } else {                                                       \
            vh_t_cases_failed++;                                       \
            printf("FAIL %s\n", #name);                                \
        }                                                              \
        fflush(stdout);                                                \
    } while (0)

#define VH_FAILMSG(...)                                                \
    do {                                                               \
        vh_t_failed_checks++;                                          \
        fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, vh_t_current); \
        fprintf(stderr, __VA_ARGS__);                                  \
        fputc('\n', stderr);                                           \
    } while (0)

#define VH_CHECK(cond)                                                 \
    do { if (!(cond)) VH_FAILMSG("check failed: %s", #cond); } while (0)

#define VH_CHECK_INT_EQ(a, b)                                          \
    do {                                                               \
        long long a_ = (long long)(a), b_ = (long long)(b);            \
        if (a_ != b_) VH_FAILMSG("%s == %s: %lld != %lld", #a, #b, a_, b_); \
    } while (0)

#define VH_CHECK_INT_GE(a, b)                                          \
    do {                                                               \
        long long a_ = (long long)(a), b_ = (long long)(b);            \
        if (!(a_ >= b_)) VH_FAILMSG("%s >= %s: %lld < %lld", #a, #b, a_, b_); \
    } while (0)

#define VH_CHECK_NEAR(a, b, tol)                                       \
    do {                                                               \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol); \
        if (!(fabs(a_ - b_) <= t_))                                    \
            VH_FAILMSG("%s ~= %s: %.9g vs %.9g (tol %g)", #a, #b, a_, b_, t_); \
    } while (0)

#define VH_CHECK_STR_EQ(a, b)                                          \
    do {                                                               \
        const char *a_ = (a), *b_ = (b);                               \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                         \
            VH_FAILMSG("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
    } while (0)

/* Status check: expects VH_OK (0) and prints vh_last_error() otherwise. */
#define VH_CHECK_OK(expr)                                              \
    do {                                                               \
        int st_ = (expr);                                              \
        if (st_ != 0) VH_FAILMSG("%s returned %d (%s)", #expr, st_, vh_last_error()); \
    } while (0)

static inline int vh_test_summary(void) {
    printf("%d passed, %d failed\n", vh_t_cases_passed, vh_t_cases_failed);
    return vh_t_cases_failed ? 1 : 0;
}

static inline const char *vh_test_require_data(void) {
    const char *d = getenv("VERHM_DATA");
    if (!d || !*d) d = "../shared/data";
    struct stat st;
    if (stat(d, &st) == 0 && S_ISDIR(st.st_mode)) return d;
    const char *ci = getenv("CI");
    if (ci && strcmp(ci, "true") == 0) {
        printf("FAIL: data directory %s is missing (required under CI)\n", d);
        exit(1);
    }
    printf("skipped: no data (%s)\n", d);
    exit(77);
}

/* Path of a file in the source tree (VERHM_SOURCE_DIR set by CTest). */
static inline const char *vh_test_src(const char *rel) {
    static char buf[8][1024];
    static int i;
    const char *s = getenv("VERHM_SOURCE_DIR");
    char *b = buf[i++ & 7];
    snprintf(b, sizeof buf[0], "%s/%s", s ? s : "..", rel);
    return b;
}
#endif
