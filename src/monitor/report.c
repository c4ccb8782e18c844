/* Self-contained HTML report with inline SVG charts (no JavaScript, no external
 * resources): mood timeline, negative affect with change detection, valence/
 * arousal plane, expressivity, emotion distribution, weekday pattern, prosody,
 * questionnaires and alerts. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const label_colors[VH_MONITOR_NLABELS] = {
    "#9e9e9e", "#4db6ac", "#f9a825", "#ab47bc", "#1e88e5", "#e53935", "#6d4c41", "#5e35b1", "#8d6e63"};

typedef struct chart {
    vh_buf *b;
    double x0, x1, y0, y1;
    double W, H, L, R, T, B;
} chart;

static double px(const chart *c, double x) {
    return c->L + (c->x1 > c->x0 ? (x - c->x0) / (c->x1 - c->x0) : 0.5) * (c->W - c->L - c->R);
}
static double py(const chart *c, double y) {
    return c->T + (c->y1 - y) / (c->y1 - c->y0) * (c->H - c->T - c->B);
}

static void chart_begin(chart *c, vh_buf *b, const char *title, const char *desc, double x0, double x1, double y0,
                        double y1, double H) {
    c->b = b; c->x0 = x0; c->x1 = x1; c->y0 = y0; c->y1 = y1;
    c->W = 640; c->H = H; c->L = 58; c->R = 12; c->T = 12; c->B = 30;
    vh_buf_puts(b, "<section><h2>");
    vh__html_escape(b, title);
    vh_buf_puts(b, "</h2><p class=\"d\">");
    vh__html_escape(b, desc);
    vh_buf_printf(b, "</p><svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", c->W, c->H);
    vh__html_escape(b, title);
    vh_buf_printf(b, "\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fafafa\" stroke=\"#ddd\"/>",
                  c->L, c->T, c->W - c->L - c->R, c->H - c->T - c->B);
}

static void chart_yaxis(chart *c, const double *ticks, int n, const char *fmt) {
    for (int i = 0; i < n; i++) {
        double y = py(c, ticks[i]);
        vh_buf_printf(c->b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>", c->L,
                      c->W - c->R, y, y);
        vh_buf_printf(c->b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" text-anchor=\"end\">", c->L - 4, y + 4);
        vh_buf_printf(c->b, fmt, ticks[i]);
        vh_buf_puts(c->b, "</text>");
    }
}

/* Date ticks every 7 days (x in day numbers). */
static void chart_xdates(chart *c) {
    int64_t a = (int64_t)c->x0, z = (int64_t)c->x1, step = z - a > 70 ? 28 : z - a > 21 ? 7 : 2;
    for (int64_t d = a; d <= z; d += step) {
        int y, mo, dd;
        vh__civil_from_days(d, &y, &mo, &dd);
        vh_buf_printf(c->b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" text-anchor=\"middle\">%02d-%02d</text>",
                      px(c, (double)d), c->H - 6, mo, dd);
    }
}

static void chart_end(chart *c, const char *legend) {
    vh_buf_puts(c->b, "</svg>");
    if (legend) vh_buf_printf(c->b, "<p class=\"lg\">%s</p>", legend);
    vh_buf_puts(c->b, "</section>\n");
}

static int64_t daynum(const char *date) {
    return vh__days_from_civil(atoi(date), atoi(date + 5), atoi(date + 8));
}

static void polyline(chart *c, const double *xs, const double *ys, size_t n, const char *color, double width,
                     const char *dash) {
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(ys[i])) {
            if (open) vh_buf_puts(c->b, "\"/>");
            open = 0;
            continue;
        }
        if (!open)
            vh_buf_printf(c->b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s%s%s points=\"", color,
                          width, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
        open = 1;
        vh_buf_printf(c->b, "%.1f,%.1f ", px(c, xs[i]), py(c, ys[i]));
    }
    if (open) vh_buf_puts(c->b, "\"/>");
}

static void timeline(vh_buf *b, const vh_monitor_trends *t) {
    chart c;
    size_t n = t->n_days;
    if (!n) return;
    double *xs = malloc((n ? n : 1) * sizeof *xs), *ys = malloc((n ? n : 1) * sizeof *ys);
    if (!xs || !ys) { free(xs); free(ys); b->failed = 1; return; }
    for (size_t i = 0; i < n; i++) xs[i] = (double)daynum(t->days[i].date);
    chart_begin(&c, b, "Mood timeline", "Daily valence from face and voice (bars), its moving average (line). "
                "Below zero means more unpleasant feelings, above zero more pleasant ones.",
                xs[0] - 0.5, xs[n - 1] + 0.5, -1, 1, 240);
    static const double yt[] = {-1, -0.5, 0, 0.5, 1};
    chart_yaxis(&c, yt, 5, "%+.1f");
    double bw = (c.W - c.L - c.R) / (c.x1 - c.x0) * 0.7;
    for (size_t i = 0; i < n; i++) {
        const vh_monitor_day *d = &t->days[i];
        double y0 = py(&c, 0), y1 = py(&c, d->valence);
        vh_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %+.2f</title></rect>",
                      px(&c, xs[i]) - bw / 2, fmin(y0, y1), bw, fabs(y1 - y0) + 0.5,
                      d->valence >= 0 ? "#66bb6a" : d->low ? "#ef5350" : "#ffa726", d->date, d->valence);
    }
    for (size_t i = 0; i < n; i++) ys[i] = t->days[i].ewma;
    polyline(&c, xs, ys, n, "#263238", 2.5, NULL);
    for (size_t i = 0; i < n; i++)
        if (isfinite(t->days[i].face_valence))
            vh_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#3949ab\"/>", px(&c, xs[i]), py(&c, t->days[i].face_valence));
    for (size_t i = 0; i < n; i++)
        if (isfinite(t->days[i].voice_valence))
            vh_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"5\" fill=\"#00897b\"/>", px(&c, xs[i]) - 2.5,
                          py(&c, t->days[i].voice_valence) - 2.5);
    chart_xdates(&c);
    chart_end(&c, "<span style=\"color:#66bb6a\">&#9632;</span> pleasant day "
                  "<span style=\"color:#ffa726\">&#9632;</span> slightly unpleasant "
                  "<span style=\"color:#ef5350\">&#9632;</span> low-mood day "
                  "<span style=\"color:#263238\">&#9473;</span> average "
                  "<span style=\"color:#3949ab\">&#9679;</span> face "
                  "<span style=\"color:#00897b\">&#9632;</span> voice");
    /* negative affect and CUSUM */
    double cmax = t->params.cusum_h * 1.5;
    for (size_t i = 0; i < n; i++)
        if (isfinite(t->days[i].cusum) && t->days[i].cusum > cmax) cmax = t->days[i].cusum;
    char desc[400];
    snprintf(desc, sizeof desc, "Share of negative feelings per day (red, left axis 0-100%%) and the change detector "
             "(CUSUM, grey, scaled so the dashed line is its threshold h = %.3g) that starts after the first %d days.",
             t->params.cusum_h, t->params.baseline_days);
    chart_begin(&c, b, "Negative feelings and change detection", desc, xs[0] - 0.5, xs[n - 1] + 0.5, 0, 1, 200);
    static const double yt2[] = {0, 0.25, 0.5, 0.75, 1};
    chart_yaxis(&c, yt2, 5, "%.2f");
    for (size_t i = 0; i < n; i++) ys[i] = t->days[i].negative;
    polyline(&c, xs, ys, n, "#e53935", 2, NULL);
    for (size_t i = 0; i < n; i++) ys[i] = t->days[i].cusum / cmax;
    polyline(&c, xs, ys, n, "#78909c", 2, NULL);
    double hy = py(&c, t->params.cusum_h / cmax);
    vh_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#78909c\" stroke-dasharray=\"6 4\"/>",
                  c.L, c.W - c.R, hy, hy);
    chart_xdates(&c);
    chart_end(&c, NULL);
    free(xs);
    free(ys);
}

/* Daily points on the valence/arousal plane, older days lighter. */
static void circumplex(vh_buf *b, const vh_monitor_trends *t) {
    chart c;
    chart_begin(&c, b, "Valence and arousal", "Each dot is a day (older days lighter, the last day ringed): "
                "right = more pleasant, up = more activated.", -1, 1, -1, 1, 400);
    c.L = 58;
    c.W = 640;
    static const double yt[] = {-1, 0, 1};
    chart_yaxis(&c, yt, 3, "%+.0f");
    double x0 = px(&c, 0);
    vh_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#bdbdbd\"/>", x0, x0, c.T, c.H - c.B);
    static const struct { double x, y; const char *txt, *anchor; } q[] = {
        {0.95, 0.9, "excited, happy", "end"}, {-0.95, 0.9, "tense, upset", "start"},
        {-0.95, -0.9, "sad, tired", "start"}, {0.95, -0.9, "calm, content", "end"}};
    for (size_t k = 0; k < VH_COUNTOF(q); k++)
        vh_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" text-anchor=\"%s\">%s</text>", px(&c, q[k].x),
                      py(&c, q[k].y), q[k].anchor, q[k].txt);
    for (size_t i = 0; i < t->n_days; i++) {
        double age = t->n_days > 1 ? (double)i / (double)(t->n_days - 1) : 1;
        int shade = (int)(200 - 170 * age);
        vh_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"rgb(%d,%d,%d)\"%s><title>%s</title></circle>",
                      px(&c, VH_CLAMP(t->days[i].valence, -1, 1)), py(&c, VH_CLAMP(t->days[i].arousal, -1, 1)), shade,
                      shade, 120 + shade / 2, i + 1 == t->n_days ? " stroke=\"#d81b60\" stroke-width=\"3\"" : "",
                      t->days[i].date);
    }
    vh_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" text-anchor=\"middle\">valence</text>",
                  px(&c, 0.5), c.H - 6);
    chart_end(&c, NULL);
}

/* Expressivity and within-day valence spread: low values for days on end can
 * mean flat affect. */
static void expressivity(vh_buf *b, const vh_monitor_trends *t) {
    size_t n = t->n_days;
    if (!n) return;
    double *xs = malloc((n ? n : 1) * sizeof *xs), *ys = malloc((n ? n : 1) * sizeof *ys);
    if (!xs || !ys) { free(xs); free(ys); b->failed = 1; return; }
    for (size_t i = 0; i < n; i++) xs[i] = (double)daynum(t->days[i].date);
    chart c;
    chart_begin(&c, b, "Expressivity", "How much of the time the face or voice showed an emotion other than "
                "neutral or calm (purple), and how much valence varied within the day (grey).",
                xs[0] - 0.5, xs[n - 1] + 0.5, 0, 1, 180);
    static const double yt[] = {0, 0.5, 1};
    chart_yaxis(&c, yt, 3, "%.1f");
    for (size_t i = 0; i < n; i++) ys[i] = t->days[i].expressivity;
    polyline(&c, xs, ys, n, "#8e24aa", 2, NULL);
    for (size_t i = 0; i < n; i++) ys[i] = fmin(1, t->days[i].valence_sd);
    polyline(&c, xs, ys, n, "#757575", 2, "4 3");
    chart_xdates(&c);
    chart_end(&c, NULL);
    free(xs);
    free(ys);
}

static void distribution(vh_buf *b, const vh_monitor_trends *t) {
    chart c;
    chart_begin(&c, b, "Emotion distribution", "Share of the time each emotion was the reading, over all recordings.",
                0, 1, 0, 1, 26.0 * VH_MONITOR_NLABELS + 20);
    c.L = 110;
    double maxp = 0.01;
    for (int l = 0; l < VH_MONITOR_NLABELS; l++) maxp = fmax(maxp, t->distribution[l]);
    for (int l = 0; l < VH_MONITOR_NLABELS; l++) {
        double y = 12 + 26.0 * l, w = t->distribution[l] / maxp * (c.W - c.L - 80);
        vh_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" text-anchor=\"end\">%s</text>", c.L - 6, y + 14,
                      vh_monitor_label_name(l));
        vh_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>", c.L, y + 2, w + 0.5,
                      label_colors[l]);
        vh_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\">%.1f%%</text>", c.L + w + 6, y + 15, 100 * t->distribution[l]);
    }
    chart_end(&c, NULL);
}

static void weekdays(vh_buf *b, const vh_monitor_trends *t) {
    static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    chart c;
    chart_begin(&c, b, "Weekday pattern", "Average daily valence per weekday (number of days below each bar).",
                -0.5, 6.5, -1, 1, 200);
    static const double yt[] = {-1, -0.5, 0, 0.5, 1};
    chart_yaxis(&c, yt, 5, "%+.1f");
    for (int k = 0; k < 7; k++) {
        double x = px(&c, k), y0 = py(&c, 0);
        if (t->weekday_days[k]) {
            double y1 = py(&c, t->weekday_valence[k]);
            vh_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"40\" height=\"%.1f\" fill=\"%s\"/>", x - 20,
                          fmin(y0, y1), fabs(y1 - y0) + 0.5, t->weekday_valence[k] >= 0 ? "#66bb6a" : "#ef5350");
        }
        vh_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\" text-anchor=\"middle\">%s (%d)</text>", x, c.H - 10,
                      wd[k], t->weekday_days[k]);
    }
    chart_end(&c, NULL);
}

static void prosody(vh_buf *b, const vh_monitor_trends *t) {
    size_t n = t->n_days;
    if (!n) return;
    double *xs = malloc((n ? n : 1) * sizeof *xs);
    if (!xs) { b->failed = 1; return; }
    for (size_t i = 0; i < n; i++) xs[i] = (double)daynum(t->days[i].date);
    for (size_t k = 0; k < t->n_prosody && k < 8; k++) {
        const vh_monitor_prosody_trend *p = &t->prosody[k];
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (isfinite(p->day_values[i])) { lo = fmin(lo, p->day_values[i]); hi = fmax(hi, p->day_values[i]); }
        if (!isfinite(lo)) continue;
        if (isfinite(p->baseline_mean) && isfinite(p->baseline_sd)) {
            lo = fmin(lo, p->baseline_mean - p->baseline_sd);
            hi = fmax(hi, p->baseline_mean + p->baseline_sd);
        }
        double pad = (hi - lo) * 0.1 + 1e-9;
        lo -= pad;
        hi += pad;
        char title[96], desc[256];
        snprintf(title, sizeof title, "Voice: %s", p->name);
        if (isfinite(p->z))
            snprintf(desc, sizeof desc, "Daily mean; the band is your usual range (first %d days, mean \xc2\xb1 SD). "
                     "Last %d days: %.3g, z = %+.1f.", p->n_baseline, t->params.recent_days, p->recent_mean, p->z);
        else
            snprintf(desc, sizeof desc, "Daily mean; not enough days yet to compare with your usual range.");
        chart c;
        chart_begin(&c, b, title, desc, xs[0] - 0.5, xs[n - 1] + 0.5, lo, hi, 170);
        double yt[3] = {lo + pad, (lo + hi) / 2, hi - pad};
        chart_yaxis(&c, yt, 3, "%.3g");
        if (isfinite(p->baseline_mean) && isfinite(p->baseline_sd)) {
            double a = py(&c, p->baseline_mean + p->baseline_sd), z = py(&c, p->baseline_mean - p->baseline_sd);
            vh_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#b2dfdb\" opacity=\"0.6\"/>",
                          c.L, a, c.W - c.L - c.R, z - a);
        }
        polyline(&c, xs, p->day_values, n, "#00897b", 2, NULL);
        for (size_t i = 0; i < n; i++)
            if (isfinite(p->day_values[i]))
                vh_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#00695c\"/>", px(&c, xs[i]),
                              py(&c, p->day_values[i]));
        chart_xdates(&c);
        chart_end(&c, NULL);
    }
    free(xs);
}

static void questionnaires(vh_buf *b, const vh_monitor_survey *sv, size_t nsv, const vh_monitor_trends *t) {
    if (!nsv) return;
    double x0 = (double)daynum(t->n_days ? t->days[0].date : "2000-01-01"), x1 = x0;
    for (size_t i = 0; i < nsv; i++) {
        double d = (double)vh__local_day(sv[i].taken_at, sv[i].tz_minutes);
        if (!t->n_days && i == 0) x0 = x1 = d;
        x0 = fmin(x0, d);
        x1 = fmax(x1, d);
    }
    if (t->n_days) x1 = fmax(x1, (double)daynum(t->days[t->n_days - 1].date));
    chart c;
    chart_begin(&c, b, "Questionnaires", "PHQ-9 (mood, 0-27, blue) and GAD-7 (anxiety, 0-21, purple) totals. Shading "
                "marks the standard ranges: minimal, mild, moderate, moderately severe / severe.",
                x0 - 0.5, x1 + 0.5, 0, 27, 220);
    static const struct { double lo, hi; const char *col; } bands[] = {
        {0, 5, "#e8f5e9"}, {5, 10, "#fffde7"}, {10, 15, "#fff3e0"}, {15, 20, "#fbe9e7"}, {20, 27, "#ffebee"}};
    for (size_t k = 0; k < VH_COUNTOF(bands); k++)
        vh_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", c.L, py(&c, bands[k].hi),
                      c.W - c.L - c.R, py(&c, bands[k].lo) - py(&c, bands[k].hi), bands[k].col);
    static const double yt[] = {0, 5, 10, 15, 20, 27};
    chart_yaxis(&c, yt, 6, "%.0f");
    double *xs = malloc(nsv * sizeof *xs), *ys = malloc(nsv * sizeof *ys);
    if (!xs || !ys) { free(xs); free(ys); b->failed = 1; return; }
    for (int pass = 0; pass < 2; pass++) {
        const char *id = pass ? "gad7" : "phq9", *col = pass ? "#8e24aa" : "#1e88e5";
        size_t n = 0;
        for (size_t i = 0; i < nsv; i++)
            if (!strcmp(sv[i].instrument, id)) {
                xs[n] = (double)vh__local_day(sv[i].taken_at, sv[i].tz_minutes);
                ys[n++] = sv[i].score.total;
            }
        polyline(&c, xs, ys, n, col, 2, pass ? "5 3" : NULL);
        for (size_t i = 0; i < n; i++)
            vh_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>", px(&c, xs[i]), py(&c, ys[i]), col);
    }
    free(xs);
    free(ys);
    chart_xdates(&c);
    chart_end(&c, "<span style=\"color:#1e88e5\">&#9679;</span> PHQ-9 <span style=\"color:#8e24aa\">&#9679;</span> GAD-7");
    vh_buf_puts(b, "<section><table><tr><th>date</th><th>questionnaire</th><th>score</th><th>range</th></tr>");
    for (size_t i = 0; i < nsv; i++) {
        char day[16];
        vh_buf_printf(b, "<tr><td>%s</td><td>%s</td><td>%d</td><td>%s</td></tr>",
                      vh_monitor_format_time(sv[i].taken_at, sv[i].tz_minutes, 1, day, sizeof day),
                      sv[i].instrument[0] == 'p' ? "PHQ-9" : "GAD-7", sv[i].score.total, sv[i].score.severity);
    }
    vh_buf_puts(b, "</table></section>\n");
}

static void alerts(vh_buf *b, const vh_monitor_alert *al, size_t n) {
    vh_buf_puts(b, "<section><h2>Things to notice</h2>");
    if (!n) vh_buf_puts(b, "<p>Nothing stands out in this period.</p>");
    for (size_t i = 0; i < n; i++) {
        vh_buf_printf(b, "<div class=\"al l%d\"><p>", al[i].level);
        vh__html_escape(b, al[i].message);
        vh_buf_printf(b, "</p><p class=\"d\">%s &ndash; %s &middot; rule ", al[i].first_day, al[i].last_day);
        vh__html_escape(b, al[i].rule);
        vh_buf_puts(b, "</p><details><summary>Evidence</summary><pre>");
        vh__html_escape(b, al[i].evidence);
        vh_buf_puts(b, "</pre></details></div>");
    }
    vh_buf_puts(b, "</section>\n");
}

int vh_monitor_report_html(vh_monitor *m, const char *person, const vh_monitor_rules *rules, vh_buf *b) {
    vh_monitor_rules *own = NULL;
    int s = VH_OK;
    if (!rules) {
        if ((s = vh_monitor_rules_default(&own))) return vh__fail(&m->err, s, "%s", vh_last_error());
        rules = own;
    }
    vh_monitor_trend_params tp = vh_monitor_rules_trend_params(rules);
    vh_monitor_trends *t = NULL;
    vh_monitor_survey *sv = NULL;
    vh_monitor_alert *al = NULL;
    size_t nsv = 0, nal = 0;
    int n_new = 0;
    if ((s = vh_monitor_trends_compute(m, person, &tp, &t))) goto done;
    if (!m->readonly && (s = vh_monitor_evaluate(m, person, rules, t, &n_new))) goto done;
    if ((s = vh_monitor_surveys(m, person, &sv, &nsv))) goto done;
    if ((s = vh_monitor_alerts(m, person, &al, &nal))) goto done;
    vh_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>verhm report &ndash; ");
    vh__html_escape(b, person);
    vh_buf_puts(b, "</title><style>"
                   "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;padding:12px;"
                   "background:#fff;color:#212121;line-height:1.4}main{max-width:720px;margin:0 auto}"
                   "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .2em}"
                   "svg{width:100%;height:auto;display:block}.t{font-size:17px;fill:#555}"
                   ".d{color:#616161;font-size:.9em;margin:.2em 0}.lg{font-size:.85em;color:#424242}"
                   ".al{border-left:6px solid #90a4ae;background:#f5f7f8;padding:6px 10px;margin:8px 0}"
                   ".al.l2{border-color:#fb8c00;background:#fff8e1}.al.l3{border-color:#c62828;background:#ffebee}"
                   ".safety{border:3px solid #c62828;background:#ffebee;padding:12px;font-size:1.1em;font-weight:600}"
                   "table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border-bottom:1px solid #eee;"
                   "padding:3px;text-align:left}pre{white-space:pre-wrap;word-break:break-word;font-size:.8em}"
                   ".kv{display:flex;flex-wrap:wrap;gap:8px}.kv div{background:#f5f5f5;padding:6px 10px;border-radius:6px}"
                   "</style></head><body><main>\n<h1>How you have been &ndash; ");
    vh__html_escape(b, person);
    vh_buf_puts(b, "</h1>");
    int safety = 0;
    for (size_t i = 0; i < nsv; i++) safety |= sv[i].score.safety_flag;
    if (safety) {
        vh_buf_puts(b, "<div class=\"safety\" role=\"alert\">");
        vh__html_escape(b, vh_monitor_rules_safety_message(rules));
        vh_buf_puts(b, "</div>");
    }
    vh_buf_puts(b, "<p class=\"d\">These read-outs are estimates from facial expressions and the voice. They are not a "
                   "diagnosis; how you feel and what you tell people you trust matter more.</p>");
    if (t->n_days) {
        vh_buf_printf(b, "<div class=\"kv\"><div>%s &ndash; %s</div><div>%zu days with recordings</div>"
                         "<div>%.1f hours analysed</div>",
                      t->days[0].date, t->days[t->n_days - 1].date, t->n_days, t->total_hours);
        if (t->agree_days)
            vh_buf_printf(b, "<div>face and voice agree on %.0f%% of %d days</div>", 100 * t->agree_share, t->agree_days);
        if (isfinite(t->recent_expressivity))
            vh_buf_printf(b, "<div>expressivity (last %d days) %.2f</div>", t->params.recent_days, t->recent_expressivity);
        vh_buf_puts(b, "</div>\n");
    }
    alerts(b, al, nal);
    if (t->n_days) {
        timeline(b, t);
        circumplex(b, t);
        expressivity(b, t);
        distribution(b, t);
        weekdays(b, t);
        prosody(b, t);
    } else {
        vh_buf_puts(b, "<p>No recordings yet.</p>");
    }
    questionnaires(b, sv, nsv, t);
    vh_buf_puts(b, "<footer class=\"d\"><p>Made by verhm " VH_VERSION_STRING " from the local store. Valence/arousal "
                   "follow the circumplex model of affect; change detection uses CUSUM. PHQ-9 and GAD-7 developed by "
                   "Drs. Spitzer, Williams, Kroenke and colleagues (Pfizer; free to use).</p></footer>"
                   "</main></body></html>\n");
    if (b->failed) s = vh__fail(&m->err, VH_ENOMEM, "out of memory while writing the report");
done:
    vh_monitor_trends_free(t);
    free(sv);
    vh_monitor_alerts_free(al, nal);
    vh_monitor_rules_free(own);
    return s;
}
