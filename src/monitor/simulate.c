/* Deterministic synthetic weeks for the demo and the tests: face and voice
 * results with a low-mood period, plus weekly questionnaires. Synthetic data
 * only — it exercises the same JSON import path as real analysis results. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"
#include <math.h>
#include <string.h>

vh_monitor_sim_params vh_monitor_default_sim_params(void) {
    vh_monitor_sim_params p = {7, "2026-01-05", 42, 26, 0.8, 60, 0};
    return p;
}

static const char *const face_labels[8] = {"neutral", "happiness", "surprise", "sadness",
                                           "anger", "disgust", "fear", "contempt"};
static const char *const voice_labels[8] = {"neutral", "calm", "happy", "sad",
                                            "angry", "fearful", "disgust", "surprised"};

void vh_monitor_simulate_result(vh_rng *rng, const char *kind, const char *started_at, double mood,
                                int n_windows, vh_buf *out) {
    int voice = kind[0] == 'v';
    const char *const *labels = voice ? voice_labels : face_labels;
    /* base weights: pleasant labels grow with mood, negative ones with -mood */
    double up = fmax(0, mood), down = fmax(0, -mood);
    double face_w[8] = {1.0, 0.25 + 1.4 * up, 0.12, 0.08 + 1.5 * down, 0.05 + 0.3 * down,
                        0.03 + 0.15 * down, 0.04 + 0.25 * down, 0.03 + 0.15 * down};
    double voice_w[8] = {0.9, 0.4 + 0.6 * up, 0.2 + 1.1 * up, 0.08 + 1.4 * down,
                         0.05 + 0.3 * down, 0.04 + 0.3 * down, 0.03 + 0.1 * down, 0.1};
    const double *base = voice ? voice_w : face_w;
    double dur = voice ? 3.0 : 2.0;
    vh_json_writer w;
    vh_jw_init(&w, out, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "kind"); vh_jw_string(&w, kind);
    vh_jw_key(&w, "source"); vh_jw_string(&w, voice ? "simulated-checkin.wav" : "simulated-evening.mp4");
    vh_jw_key(&w, "model"); vh_jw_string(&w, "simulated (verhm monitor demo)");
    vh_jw_key(&w, "started_at"); vh_jw_string(&w, started_at);
    vh_jw_key(&w, "duration"); vh_jw_number(&w, n_windows * dur);
    vh_jw_key(&w, "labels"); vh_jw_array_begin(&w);
    for (int i = 0; i < 8; i++) vh_jw_string(&w, labels[i]);
    vh_jw_array_end(&w);
    vh_jw_key(&w, "windows"); vh_jw_array_begin(&w);
    for (int k = 0; k < n_windows; k++) {
        double p[8], sum = 0;
        for (int i = 0; i < 8; i++) sum += p[i] = base[i] * exp(0.6 * vh_rng_normal(rng));
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "t"); vh_jw_number(&w, k * dur);
        vh_jw_key(&w, "dur"); vh_jw_number(&w, dur);
        vh_jw_key(&w, "probs"); vh_jw_array_begin(&w);
        for (int i = 0; i < 8; i++) vh_jw_number(&w, round(p[i] / sum * 1e5) / 1e5);
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
    }
    vh_jw_array_end(&w);
    if (voice) {
        double f = fmin(1, down * 1.2);
        vh_jw_key(&w, "prosody"); vh_jw_object_begin(&w);
        vh_jw_key(&w, "f0_mean_hz"); vh_jw_number(&w, round((182 - 8 * f + 3 * vh_rng_normal(rng)) * 100) / 100);
        vh_jw_key(&w, "f0_sd_hz"); vh_jw_number(&w, round((31 - 12 * f + 2 * vh_rng_normal(rng)) * 100) / 100);
        vh_jw_key(&w, "speech_rate"); vh_jw_number(&w, round((4.3 - 0.9 * f + 0.15 * vh_rng_normal(rng)) * 1000) / 1000);
        vh_jw_key(&w, "pause_ratio"); vh_jw_number(&w, round((0.18 + 0.12 * f + 0.02 * vh_rng_normal(rng)) * 1000) / 1000);
        vh_jw_object_end(&w);
    }
    vh_jw_key(&w, "summary"); vh_jw_object_begin(&w);
    vh_jw_key(&w, "windows"); vh_jw_int(&w, n_windows);
    vh_jw_object_end(&w);
    vh_jw_object_end(&w);
}

int vh_monitor_simulate(vh_monitor *m, const char *person, const vh_monitor_sim_params *pp,
                        int *n_sessions, int *n_surveys) {
    vh_monitor_sim_params p = pp ? *pp : vh_monitor_default_sim_params();
    if (n_sessions) *n_sessions = 0;
    if (n_surveys) *n_surveys = 0;
    int64_t t0;
    int tz0;
    if (p.days < 1 || p.days > 3660) return vh__fail(&m->err, VH_EINVAL, "simulate: days must be 1..3660");
    char iso[40];
    snprintf(iso, sizeof iso, "%.12sT00:00:00Z", p.start_date ? p.start_date : "");
    if (vh_monitor_parse_time(iso, &t0, &tz0)) return vh__fail(&m->err, VH_EINVAL, "simulate: bad start date");
    vh_rng rng;
    vh_rng_seed(&rng, p.seed);
    int s = VH_OK;
    for (int d = 0; d < p.days && !s; d++) {
        int64_t day0 = t0 + (int64_t)d * 86400 - (int64_t)p.tz_minutes * 60; /* local midnight */
        int weekday = (int)((vh__local_day(day0, p.tz_minutes) % 7 + 10) % 7);
        double mood = 0.35 + (weekday == 5 || weekday == 6 ? 0.15 : 0) + 0.12 * vh_rng_normal(&rng);
        if (p.dip_start >= 0 && d >= p.dip_start) {
            double ramp = fmin(1, (d - p.dip_start + 1) / 4.0);
            mood -= ramp * (0.35 + p.dip_depth);
        }
        mood = fmax(-1, fmin(1, mood));
        int skip = vh_rng_uniform(&rng) < 0.1;
        for (int k = 0; k < 2 && !skip && !s; k++) {
            int64_t at = day0 + (k ? 20 * 3600 + (int64_t)vh_rng_below(&rng, 7200) : 8 * 3600 + (int64_t)vh_rng_below(&rng, 3600));
            vh_monitor_format_time(at, p.tz_minutes, 0, iso, sizeof iso);
            vh_buf b = {0};
            vh_monitor_simulate_result(&rng, k ? "face" : "voice", iso, mood, k ? 40 : 20, &b);
            if (b.failed) s = vh__fail(&m->err, VH_ENOMEM, "out of memory");
            if (!s) s = vh_monitor_import(m, person, b.data, b.len, NULL, NULL, NULL);
            vh_buf_free(&b);
            if (!s && n_sessions) (*n_sessions)++;
        }
        if (!s && weekday == 6) { /* Sunday questionnaires */
            int low = p.dip_start >= 0 && d >= p.dip_start + 3;
            int phq[9], gad[7];
            for (int i = 0; i < 9; i++) phq[i] = (int)vh_rng_below(&rng, 2) + (low && i < 8 ? 1 : 0) + (low && i < 3);
            phq[8] = (p.item9_positive && d + 7 >= p.days) ? 1 : 0;
            for (int i = 0; i < 7; i++) gad[i] = (int)vh_rng_below(&rng, 2) + (low && i % 2 == 0);
            int64_t at = day0 + 19 * 3600;
            s = vh_monitor_add_survey(m, person, vh_monitor_instrument("phq9"), phq, 9, at, p.tz_minutes, NULL);
            if (!s) s = vh_monitor_add_survey(m, person, vh_monitor_instrument("gad7"), gad, 7, at + 300, p.tz_minutes, NULL);
            if (!s && n_surveys) *n_surveys += 2;
        }
    }
    return s;
}
