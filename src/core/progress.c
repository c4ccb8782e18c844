/* Terminal progress bar (percent, rate, ETA) and the monotonic clock. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <time.h>
#include <unistd.h>

double vh_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void vh_progress_bar_init(vh_progress_bar *bar, FILE *out, int force) {
    bar->out = out;
    bar->enabled = out && (force || isatty(fileno(out)));
    bar->t_start = bar->t_last = vh_now();
    bar->last_done = 0;
    bar->drawn = 0;
}

static void fmt_duration(char *s, size_t n, double sec) {
    if (!(sec >= 0) || sec > 359999) { snprintf(s, n, "--:--"); return; }
    int t = (int)(sec + 0.5);
    if (t >= 3600) snprintf(s, n, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    else snprintf(s, n, "%02d:%02d", t / 60, t % 60);
}

int vh_progress_bar_update(uint64_t done, uint64_t total, const char *label,
                           const char *extra, void *user) {
    vh_progress_bar *bar = user;
    if (!bar || !bar->enabled) return 0;
    double now = vh_now();
    int final = total && done >= total;
    if (!final && bar->drawn && now - bar->t_last < 0.1) return 0;
    bar->t_last = now;
    double el = now - bar->t_start;
    double rate = el > 0 ? (double)done / el : 0;
    char eta[32], elapsed[32];
    fmt_duration(elapsed, sizeof elapsed, el);
    if (total && rate > 0) fmt_duration(eta, sizeof eta, (double)(total - (done > total ? total : done)) / rate);
    else snprintf(eta, sizeof eta, "--:--");
    char barstr[26];
    int width = 24;
    int fill = total ? (int)((double)done / (double)total * width) : 0;
    if (fill > width) fill = width;
    for (int i = 0; i < width; i++) barstr[i] = i < fill ? '#' : '.';
    barstr[width] = 0;
    if (total)
        fprintf(bar->out, "\r%s [%s] %5.1f%% %llu/%llu %.1f/s %s ETA %s%s%s\033[K",
                label ? label : "", barstr, 100.0 * (double)done / (double)total,
                (unsigned long long)done, (unsigned long long)total, rate, elapsed, eta,
                extra ? "  " : "", extra ? extra : "");
    else
        fprintf(bar->out, "\r%s %llu %.1f/s %s%s%s\033[K", label ? label : "",
                (unsigned long long)done, rate, elapsed, extra ? "  " : "", extra ? extra : "");
    fflush(bar->out);
    bar->drawn = 1;
    return 0;
}

void vh_progress_bar_finish(vh_progress_bar *bar) {
    if (bar && bar->enabled && bar->drawn) {
        fputc('\n', bar->out);
        fflush(bar->out);
        bar->drawn = 0;
    }
}
