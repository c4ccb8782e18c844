/* Status codes, per-thread last error, logging, version, memory. */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

static _Thread_local char tl_last_error[VH_ERRMSG_MAX];

static vh_log_fn g_log_fn;
static void *g_log_user;
static int g_log_min = VH_LOG_WARN;

const char *vh_strerror(int status) {
    switch (status) {
#define VH__CASE(name, value, msg) case value: return msg;
        VH_STATUS_LIST(VH__CASE)
#undef VH__CASE
    default: return "unknown status";
    }
}

const char *vh_last_error(void) { return tl_last_error; }
const char *vh_version(void) { return VH_VERSION_STRING; }
void vh_free(void *p) { free(p); }

int vh__vfail(vh__err *e, int status, const char *fmt, va_list ap) {
    char tmp[VH_ERRMSG_MAX];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    memcpy(tl_last_error, tmp, sizeof tmp);
    if (e) memcpy(e->msg, tmp, sizeof tmp);
    return status;
}

int vh__fail(vh__err *e, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vh__vfail(e, status, fmt, ap);
    va_end(ap);
    return status;
}

char *vh__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

void vh_log_set(vh_log_fn fn, void *user, int min_level) {
    g_log_fn = fn;
    g_log_user = user;
    g_log_min = min_level;
}

void vh_log(int level, const char *fmt, ...) {
    if (!g_log_fn || level < g_log_min) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g_log_fn(level, msg, g_log_user);
}
