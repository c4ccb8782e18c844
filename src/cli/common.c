/* Shared CLI helpers: error lines, strict number parsing, progress, resources. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vh_cli_fail(const char *what, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "verhm: ");
    if (what) fprintf(stderr, "%s: ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return VH_EXIT_INPUT;
}

int vh_cli_fail_status(int status) {
    const char *m = vh_last_error();
    fprintf(stderr, "verhm: %s\n", m && *m ? m : vh_strerror(status));
    return VH_EXIT_INPUT;
}

int vh_cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "verhm %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'verhm %s --help'.\n", cmd);
    va_end(ap);
    return VH_EXIT_USAGE;
}

int vh_cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out) {
    char *end;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        vh_cli_usage_error(cmd, "%s expects a number in [%g, %g], got '%s'", opt, lo, hi, s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

int vh_cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, int *out) {
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v < lo || v > hi || v > INT_MAX || v < INT_MIN) {
        vh_cli_usage_error(cmd, "%s expects an integer in [%ld, %ld], got '%s'", opt, lo, hi, s ? s : "");
        return -1;
    }
    *out = (int)v;
    return 0;
}

void vh_cli_print_json(vh_buf *b) {
    if (b->data) fwrite(b->data, 1, b->len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

void vh_cli_progress_init(vh_progress_bar *bar) {
    vh_progress_bar_init(bar, stderr, vh_cli.progress);
    if (vh_cli.quiet) bar->enabled = 0;
}

static void log_to_stderr(int level, const char *msg, void *user) {
    (void)user;
    const char *tag = level >= VH_LOG_ERROR ? "error: " : level >= VH_LOG_WARN ? "warning: " : "";
    fprintf(stderr, "verhm: %s%s\n", tag, msg);
}

void vh_cli_setup_logging(int verbose) {
    vh_log_set(log_to_stderr, NULL, verbose ? VH_LOG_INFO : VH_LOG_WARN);
}

const char *vh_cli_find_resource(const char *rel) {
    static char buf[4096];
    const char *env = getenv("VERHM_HOME");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *bases[6];
    int nb = 0;
    if (env && *env) bases[nb++] = env;
    bases[nb++] = VH_SOURCE_DIR;
    if (n > 0) {
        exe[n] = 0;
        char *s = strrchr(exe, '/');
        if (s) {
            *s = 0;
            static char share[PATH_MAX + 32];
            snprintf(share, sizeof share, "%s/../share/verhm", exe);
            bases[nb++] = share;
        }
    }
    bases[nb++] = ".";
    for (int i = 0; i < nb; i++) {
        snprintf(buf, sizeof buf, "%s/%s", bases[i], rel);
        if (access(buf, R_OK) == 0) return buf;
    }
    return NULL;
}

int vh_cli_copy_backbone(struct vh_model *m, const struct vh_model *base, const char *from) {
    int copied = 0;
    vh_model_copy_params(m, base, &copied);
    m->mean = base->mean;
    m->std = base->std;
    if (!vh_cli.quiet)
        fprintf(stderr, "verhm: starting from %s: %d of %d tensors copied (new head for %d labels)\n", from, copied,
                vh_nn_param_count(m->g), m->num_classes);
    return copied;
}
