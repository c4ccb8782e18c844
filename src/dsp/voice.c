/* Voice activity detection, glottal-cycle jitter/shimmer, autocorrelation HNR
 * and the clinical prosody summary (pauses, syllable-nuclei rate, pitch
 * statistics). Definitions and references are in include/verhm/dsp.h. */
#include "core/internal.h"
#include "verhm/dsp.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

vh_vad_params vh_vad_default_params(void) {
    vh_vad_params p;
    p.sr = 16000;
    p.hop_s = 0.01;
    p.win_s = 0.025;
    p.margin_db = 10.0;
    p.range_db = 45.0;
    p.strong_db = 10.0;
    p.min_range_db = 15.0;
    p.flatness_max = 0.35;
    p.hangover_s = 0.1;
    p.min_pause_s = 0.15;
    p.min_speech_s = 0.05;
    return p;
}

vh_prosody_params vh_prosody_default_params(void) {
    vh_prosody_params p;
    p.pitch = vh_pitch_default_params();
    p.vad = vh_vad_default_params();
    p.min_dip_db = 2.0;
    return p;
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* q-quantile (0..1) of v[0..n), n > 0; sorts a copy in `tmp`. */
static double quantile(const float *v, size_t n, double q, float *tmp) {
    memcpy(tmp, v, n * sizeof(float));
    qsort(tmp, n, sizeof(float), cmp_float);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double fr = pos - (double)i;
    return i + 1 < n ? tmp[i] * (1 - fr) + tmp[i + 1] * fr : tmp[n - 1];
}

/* Closes gaps of 0 shorter than `gap` frames between runs of 1, extends runs
 * by `ext` frames on both sides, drops runs shorter than `minrun`. */
static void smooth_mask(unsigned char *m, size_t n, size_t ext, size_t gap, size_t minrun) {
    if (ext) {
        /* dilate: two passes with a distance counter */
        size_t last = (size_t)-1;
        unsigned char *o = m;
        for (size_t t = 0; t < n; t++) {
            if (o[t] == 1) last = t;
            else if (last != (size_t)-1 && t - last <= ext) o[t] = 2;
        }
        last = (size_t)-1;
        for (size_t t = n; t-- > 0;) {
            if (o[t] == 1) last = t;
            else if (last != (size_t)-1 && last - t <= ext) o[t] = 2;
        }
        for (size_t t = 0; t < n; t++) o[t] = o[t] ? 1 : 0;
    }
    /* bridge internal gaps shorter than `gap` */
    size_t t = 0;
    while (t < n && !m[t]) t++;
    while (t < n) {
        while (t < n && m[t]) t++;
        size_t g0 = t;
        while (t < n && !m[t]) t++;
        if (t < n && t - g0 < gap) memset(m + g0, 1, t - g0);
    }
    /* drop short runs */
    t = 0;
    while (t < n) {
        while (t < n && !m[t]) t++;
        size_t r0 = t;
        while (t < n && m[t]) t++;
        if (t - r0 < minrun) memset(m + r0, 0, t - r0);
    }
}

static int vad_check(const vh_vad_params *p) {
    if (p->sr < 1000 || p->sr > 384000 || !(p->hop_s > 0 && p->hop_s <= 1) || !(p->win_s >= p->hop_s && p->win_s <= 1) ||
        !(p->margin_db >= 0) || !(p->range_db > 0) || !(p->min_range_db >= 0) || !(p->strong_db >= 0) || !(p->hangover_s >= 0) ||
        !(p->min_pause_s >= 0) || !(p->min_speech_s >= 0) || !(p->flatness_max >= 0))
        return vh__fail(NULL, VH_EINVAL, "vad: invalid parameters (sr %d, hop %g s, window %g s)", p->sr, p->hop_s, p->win_s);
    return VH_OK;
}

/* Energy (dB) per frame and VAD threshold; e has `frames` entries. */
static int vad_energy(const vh_vad_params *p, const float *x, size_t n, size_t hop, float *e, size_t frames,
                      float *tmp, double *thr, double *floor_out) {
    size_t win = (size_t)lround(p->win_s * p->sr);
    int st = vh_rms(x, n, win, hop, 1, e, frames);
    if (st) return st;
    for (size_t t = 0; t < frames; t++)
        if (e[t] < -120.0f) e[t] = -120.0f;
    double floor_db = quantile(e, frames, 0.10, tmp), peak = quantile(e, frames, 0.99, tmp);
    double a = floor_db + p->margin_db, b = peak - p->range_db, c = peak - p->min_range_db;
    *thr = a > b ? a : b;
    if (*thr > c) *thr = c; /* stationary input: the "floor" is the signal itself */
    if (floor_out) *floor_out = floor_db;
    return VH_OK;
}

int vh_vad(const vh_vad_params *p, const float *x, size_t n, const float *f0, unsigned char *speech, size_t frames) {
    int st = vad_check(p);
    if (st) return st;
    size_t hop = (size_t)lround(p->hop_s * p->sr);
    if ((!x && n) || !speech || frames != 1 + n / hop)
        return vh__fail(NULL, VH_EINVAL, "vad: %zu frames given, %zu expected", frames, 1 + n / hop);
    size_t win = (size_t)lround(p->win_s * p->sr), nfft = 1;
    while (nfft < win) nfft <<= 1;
    float *e = malloc(frames * sizeof(float)), *tmp = malloc(frames * sizeof(float));
    double *fr = malloc(nfft * sizeof(double)), *sp = malloc((nfft + 2) * sizeof(double));
    double *wnd = malloc(win * sizeof(double));
    vh_rfft *fft = NULL;
    if (!e || !tmp || !fr || !sp || !wnd) { st = vh__fail(NULL, VH_ENOMEM, "vad: out of memory"); goto done; }
    if ((st = vh_rfft_new(nfft, &fft))) goto done;
    vh_window_fill(VH_WINDOW_HANN, win, 1, wnd);
    double thr, thr_floor;
    if ((st = vad_energy(p, x, n, hop, e, frames, tmp, &thr, &thr_floor))) goto done;
    size_t b0 = (size_t)(300.0 * nfft / p->sr), b1 = (size_t)(4000.0 * nfft / p->sr);
    if (b1 > nfft / 2) b1 = nfft / 2;
    if (b0 < 1) b0 = 1;
    for (size_t t = 0; t < frames; t++) {
        speech[t] = 0;
        if (!(e[t] > thr)) continue;
        int strong = e[t] > thr_floor + p->margin_db + p->strong_db || (f0 && f0[t] > 0);
        if (!strong && b1 > b0) {
            long long s = (long long)(t * hop) - (long long)win / 2;
            memset(fr, 0, nfft * sizeof(double));
            for (size_t j = 0; j < win; j++) {
                long long i = s + (long long)j;
                fr[j] = (i >= 0 && (size_t)i < n) ? x[i] * wnd[j] : 0.0;
            }
            vh_rfft_forward(fft, fr, sp);
            double lg = 0, ar = 0;
            for (size_t b = b0; b < b1; b++) {
                double pw = sp[2 * b] * sp[2 * b] + sp[2 * b + 1] * sp[2 * b + 1] + 1e-20;
                lg += log(pw);
                ar += pw;
            }
            double cnt = (double)(b1 - b0);
            double flat = exp(lg / cnt) / (ar / cnt);
            strong = flat < p->flatness_max;
        }
        speech[t] = (unsigned char)strong;
    }
    /* hangover with hysteresis: runs continue for up to hangover_s while the
     * energy stays above a lower threshold (6 dB under, >= floor + margin/2) */
    size_t hang = (size_t)lround(p->hangover_s / p->hop_s);
    double lo = thr - 6.0, lo_min = thr_floor + p->margin_db / 2;
    if (lo < lo_min) lo = lo_min;
    for (size_t t = 0; t < frames; t++) {
        if (speech[t] != 1) continue;
        if (t + 1 < frames && !speech[t + 1])
            for (size_t k = t + 1; k < frames && k <= t + hang && !speech[k] && e[k] > lo; k++) speech[k] = 2;
        if (t > 0 && !speech[t - 1])
            for (size_t k = t; k-- > 0 && t - k <= hang && !speech[k] && e[k] > lo;) speech[k] = 2;
    }
    for (size_t t = 0; t < frames; t++) speech[t] = speech[t] ? 1 : 0;
    smooth_mask(speech, frames, 0, (size_t)lround(p->min_pause_s / p->hop_s),
                (size_t)lround(p->min_speech_s / p->hop_s));
done:
    free(e);
    free(tmp);
    free(fr);
    free(sp);
    free(wnd);
    vh_rfft_free(fft);
    return st;
}

int vh_mask_segments(const unsigned char *mask, size_t frames, double hop_s, double duration_s, vh_segment **segs,
                     size_t *count) {
    *segs = NULL;
    *count = 0;
    if ((!mask && frames) || !(hop_s > 0)) return vh__fail(NULL, VH_EINVAL, "segments: bad arguments");
    size_t k = 0;
    for (size_t t = 0; t < frames; t++)
        if (mask[t] && (t == 0 || !mask[t - 1])) k++;
    if (!k) return VH_OK;
    vh_segment *s = malloc(k * sizeof *s);
    if (!s) return vh__fail(NULL, VH_ENOMEM, "segments: out of memory");
    size_t i = 0;
    for (size_t t = 0; t < frames;) {
        if (!mask[t]) { t++; continue; }
        size_t a = t;
        while (t < frames && mask[t]) t++;
        double st = (double)a * hop_s - hop_s / 2, en = (double)(t - 1) * hop_s + hop_s / 2;
        s[i].start = st < 0 ? 0 : st;
        s[i].end = en > duration_s ? duration_s : en;
        i++;
    }
    *segs = s;
    *count = k;
    return VH_OK;
}

/* Parabolic peak refinement around integer index i of x (1 <= i < n-1). */
static void refine_peak(const float *x, size_t i, double *pos, double *amp) {
    double a = x[i - 1], b = x[i], c = x[i + 1], den = a - 2 * b + c, off = 0;
    if (den < 0) {
        off = 0.5 * (a - c) / den;
        if (off < -0.5) off = -0.5;
        if (off > 0.5) off = 0.5;
    }
    *pos = (double)i + off;
    *amp = b - 0.25 * (a - c) * off;
}

int vh_jitter_shimmer(const float *x, size_t n, int sr, const float *f0, size_t frames, size_t hop, double fmin,
                      double fmax, double *jitter_local, double *shimmer_local_db, size_t *n_periods) {
    *jitter_local = NAN;
    *shimmer_local_db = NAN;
    if (n_periods) *n_periods = 0;
    if ((!x && n) || (!f0 && frames) || sr < 1 || hop == 0 || !(fmin > 0) || !(fmax > fmin))
        return vh__fail(NULL, VH_EINVAL, "jitter: bad arguments");
    double tmin = sr / fmax, tmax = sr / fmin; /* periods in samples */
    double sum_dt = 0, sum_t = 0, sum_sh = 0;
    size_t n_dt = 0, n_t = 0, n_sh = 0;
    size_t t = 0;
    while (t < frames) {
        if (!(f0[t] > 0)) { t++; continue; }
        size_t a = t;
        while (t < frames && f0[t] > 0) t++;
        long long s0 = (long long)(a * hop) - (long long)hop / 2, s1 = (long long)((t - 1) * hop + hop / 2);
        if (s0 < 1) s0 = 1;
        if (s1 > (long long)n - 2) s1 = (long long)n - 2;
        if (s1 - s0 < 3) continue;
        /* first cycle: maximum over one local period, half a period in (so
         * the correlation window fits before it) */
        double T = sr / f0[a];
        s0 += (long long)(T / 2) + 1;
        if (s0 + (long long)T > s1) continue;
        size_t best = (size_t)s0;
        for (long long i = s0; i < s0 + (long long)T; i++)
            if (x[i] > x[best]) best = (size_t)i;
        double pos, prev_amp, prev_T = 0;
        refine_peak(x, best, &pos, &prev_amp);
        for (;;) {
            size_t fi = (size_t)(pos / (double)hop + 0.5);
            if (fi >= frames) fi = frames - 1;
            if (f0[fi] > 0) T = sr / f0[fi];
            long long c = llround(pos), h = (long long)(T / 2);
            long long lo = (long long)ceil(0.75 * T), hi = (long long)floor(1.25 * T);
            if (lo < 2) lo = 2;
            if (c + hi + 1 + h > s1 + 1 || c - h < 0) break;
            /* period = lag of the best normalised cross-correlation between
             * this cycle (one period centred on pos) and the next */
            double e1 = 0, best_r = -2, rp = 0, rn = 0, r_prev = 0;
            long long best_l = 0;
            for (long long j = -h; j <= h; j++) e1 += (double)x[c + j] * x[c + j];
            for (long long l = lo - 1; l <= hi + 1; l++) {
                double xy = 0, e2 = 0;
                for (long long j = -h; j <= h; j++) {
                    double v = x[c + l + j];
                    xy += (double)x[c + j] * v;
                    e2 += v * v;
                }
                double r = e1 > 0 && e2 > 0 ? xy / sqrt(e1 * e2) : 0;
                if (l == best_l + 1) rn = r;
                if (l >= lo && l <= hi && r > best_r) { best_r = r; best_l = l; rp = r_prev; }
                r_prev = r;
            }
            double per = (double)best_l, den = rp - 2 * best_r + rn;
            if (den < 0) {
                double off = 0.5 * (rp - rn) / den;
                if (off > -1 && off < 1) per += off;
            }
            /* snap the predicted next pulse to the waveform peak within
             * +-T/8 (sub-sample); the period is the peak-to-peak distance */
            double pred = pos + per, npos, amp;
            long long a0 = llround(pred - T / 8), a1 = llround(pred + T / 8);
            if (a0 < 1) a0 = 1;
            if (a1 > (long long)n - 2) a1 = (long long)n - 2;
            if (a1 <= a0) break;
            size_t bi = (size_t)a0;
            for (long long i = a0; i <= a1; i++)
                if (x[i] > x[bi]) bi = (size_t)i;
            refine_peak(x, bi, &npos, &amp);
            per = npos - pos;
            pos = npos;
            int ok = per >= tmin && per <= tmax && best_r >= 0.5;
            if (ok) {
                sum_t += per;
                n_t++;
                if (prev_T > 0 && per / prev_T <= 1.3 && prev_T / per <= 1.3) {
                    sum_dt += fabs(per - prev_T);
                    n_dt++;
                }
                if (prev_amp > 0 && amp > 0) {
                    sum_sh += fabs(20.0 * log10(amp / prev_amp));
                    n_sh++;
                }
            }
            prev_T = ok ? per : 0;
            prev_amp = ok ? amp : 0;
        }
    }
    if (n_periods) *n_periods = n_t;
    if (n_t >= 3 && n_dt >= 2) *jitter_local = (sum_dt / (double)n_dt) / (sum_t / (double)n_t);
    if (n_sh >= 2 && n_t >= 3) *shimmer_local_db = sum_sh / (double)n_sh;
    return VH_OK;
}

int vh_hnr(const float *x, size_t n, int sr, double fmin, double fmax, size_t hop, const unsigned char *mask,
           size_t frames, double *hnr_db) {
    *hnr_db = NAN;
    if ((!x && n) || sr < 1000 || hop == 0 || !(fmin >= 20) || !(fmax > fmin) || !(fmax < sr / 2.0) ||
        frames != 1 + n / hop)
        return vh__fail(NULL, VH_EINVAL, "hnr: bad arguments (sr %d, fmin %g, fmax %g, %zu frames)", sr, fmin, fmax, frames);
    size_t L = (size_t)lround(4.5 * sr / fmin), nfft = 1;
    if (L > VH_DSP_MAX_N / 4) return vh__fail(NULL, VH_ERANGE, "hnr: window of %zu samples too long", L);
    while (nfft < 2 * L) nfft <<= 1;
    size_t lag0 = (size_t)floor(sr / fmax), lag1 = (size_t)ceil(sr / fmin);
    if (lag0 < 1) lag0 = 1;
    if (lag1 + 1 >= L) lag1 = L - 2;
    double *w = malloc(L * sizeof(double)), *fr = malloc(nfft * sizeof(double));
    double *sp = malloc((nfft + 2) * sizeof(double)), *rw = malloc(nfft * sizeof(double));
    double *rx = malloc(nfft * sizeof(double));
    float *e = NULL, *tmp = NULL;
    vh_rfft *fft = NULL;
    int st = VH_OK;
    if (!w || !fr || !sp || !rw || !rx) { st = vh__fail(NULL, VH_ENOMEM, "hnr: out of memory"); goto done; }
    if ((st = vh_rfft_new(nfft, &fft))) goto done;
    vh_window_fill(VH_WINDOW_HANN, L, 0, w);
    /* window autocorrelation */
    memset(fr, 0, nfft * sizeof(double));
    memcpy(fr, w, L * sizeof(double));
    vh_rfft_forward(fft, fr, sp);
    for (size_t k = 0; k <= nfft / 2; k++) {
        sp[2 * k] = sp[2 * k] * sp[2 * k] + sp[2 * k + 1] * sp[2 * k + 1];
        sp[2 * k + 1] = 0;
    }
    vh_rfft_inverse(fft, sp, rw);
    if (!mask) {
        e = malloc(frames * sizeof(float));
        tmp = malloc(frames * sizeof(float));
        if (!e || !tmp) { st = vh__fail(NULL, VH_ENOMEM, "hnr: out of memory"); goto done; }
        if ((st = vh_rms(x, n, L, hop, 1, e, frames))) goto done;
        float mx = -1e30f;
        for (size_t t = 0; t < frames; t++) mx = e[t] > mx ? e[t] : mx;
        for (size_t t = 0; t < frames; t++) e[t] = (e[t] > mx - 40.0f && e[t] > -100.0f) ? 1.0f : 0.0f;
    }
    double acc = 0;
    size_t cnt = 0;
    for (size_t t = 0; t < frames; t++) {
        if (mask ? !mask[t] : !(e[t] > 0)) continue;
        long long s = (long long)(t * hop) - (long long)L / 2;
        double mean = 0;
        for (size_t j = 0; j < L; j++) {
            long long i = s + (long long)j;
            fr[j] = (i >= 0 && (size_t)i < n) ? x[i] : 0.0;
            mean += fr[j];
        }
        mean /= (double)L;
        for (size_t j = 0; j < L; j++) fr[j] = (fr[j] - mean) * w[j];
        memset(fr + L, 0, (nfft - L) * sizeof(double));
        vh_rfft_forward(fft, fr, sp);
        for (size_t k = 0; k <= nfft / 2; k++) {
            sp[2 * k] = sp[2 * k] * sp[2 * k] + sp[2 * k + 1] * sp[2 * k + 1];
            sp[2 * k + 1] = 0;
        }
        vh_rfft_inverse(fft, sp, rx);
        if (!(rx[0] > 1e-20)) continue;
        size_t bi = 0;
        double bv = -2;
        for (size_t l = lag0; l <= lag1; l++) {
            double r = (rx[l] / rx[0]) / (rw[l] / rw[0]);
            double rp = (rx[l - 1] / rx[0]) / (rw[l - 1] / rw[0]);
            double rn = (rx[l + 1] / rx[0]) / (rw[l + 1] / rw[0]);
            if (r >= rp && r >= rn && r > bv) { bv = r; bi = l; }
        }
        double r = 1e-6;
        if (bi) {
            double a = (rx[bi - 1] / rx[0]) / (rw[bi - 1] / rw[0]), c = (rx[bi + 1] / rx[0]) / (rw[bi + 1] / rw[0]);
            double den = a - 2 * bv + c;
            r = bv;
            if (den < 0) {
                double off = 0.5 * (a - c) / den;
                r = bv - 0.25 * (a - c) * off;
            }
        }
        if (r < 1e-6) r = 1e-6;
        if (r > 1 - 1e-6) r = 1 - 1e-6;
        acc += 10.0 * log10(r / (1 - r));
        cnt++;
    }
    if (cnt) *hnr_db = acc / (double)cnt;
done:
    free(w);
    free(fr);
    free(sp);
    free(rw);
    free(rx);
    free(e);
    free(tmp);
    vh_rfft_free(fft);
    return st;
}

int vh_prosody_compute(const vh_prosody_params *p, const float *x, size_t n, vh_prosody *out, vh_segment **segs_out,
                       size_t *nseg_out) {
    memset(out, 0, sizeof *out);
    if (segs_out) *segs_out = NULL;
    if (nseg_out) *nseg_out = 0;
    out->f0_mean_hz = out->f0_sd_hz = out->f0_min_hz = out->f0_max_hz = out->f0_range_hz = NAN;
    out->f0_mean_st = out->f0_sd_st = out->f0_range_st = NAN;
    out->jitter_local = out->shimmer_local_db = out->hnr_db = NAN;
    out->pause_mean_s = out->pause_max_s = 0;
    if (!x || n == 0) return vh__fail(NULL, VH_EEMPTY, "prosody: no samples");
    if (p->pitch.sr != p->vad.sr || lround(p->pitch.hop_s * p->pitch.sr) != lround(p->vad.hop_s * p->vad.sr))
        return vh__fail(NULL, VH_EINVAL, "prosody: pitch and VAD need the same sample rate and hop");
    if (!(p->min_dip_db >= 0)) return vh__fail(NULL, VH_EINVAL, "prosody: min_dip_db must be >= 0");
    int st = vad_check(&p->vad);
    if (st) return st;
    int sr = p->pitch.sr;
    vh_pitch *ph = NULL;
    if ((st = vh_pitch_new(&p->pitch, &ph))) return st;
    size_t hop = vh_pitch_hop(ph), frames = vh_pitch_frames(ph, n);
    double hop_s = (double)hop / sr;
    float *f0 = malloc(frames * sizeof(float)), *in = malloc(frames * sizeof(float));
    float *sm = malloc(frames * sizeof(float)), *tmp = malloc(frames * sizeof(float));
    unsigned char *speech = malloc(frames), *vmask = malloc(frames);
    vh_segment *segs = NULL;
    size_t nseg = 0;
    if (!f0 || !in || !sm || !tmp || !speech || !vmask) { st = vh__fail(NULL, VH_ENOMEM, "prosody: out of memory"); goto done; }
    if ((st = vh_pitch_track(ph, x, n, f0, NULL, frames))) goto done;
    if ((st = vh_vad(&p->vad, x, n, f0, speech, frames))) goto done;
    out->duration_s = (double)n / sr;
    if ((st = vh_mask_segments(speech, frames, hop_s, out->duration_s, &segs, &nseg))) goto done;
    out->segments = (int)nseg;
    for (size_t i = 0; i < nseg; i++) out->speech_s += segs[i].end - segs[i].start;
    for (size_t i = 1; i < nseg; i++) {
        double g = segs[i].start - segs[i - 1].end;
        if (g < p->vad.min_pause_s - 1e-9) continue;
        out->pause_count++;
        out->pause_total_s += g;
        if (g > out->pause_max_s) out->pause_max_s = g;
    }
    if (out->pause_count) out->pause_mean_s = out->pause_total_s / out->pause_count;
    if (out->speech_s + out->pause_total_s > 0)
        out->pause_ratio = out->pause_total_s / (out->speech_s + out->pause_total_s);
    /* voiced speech frames and pitch statistics */
    size_t nv = 0;
    double s1 = 0, s2 = 0, st1 = 0, st2 = 0;
    for (size_t t = 0; t < frames; t++) {
        vmask[t] = speech[t] && f0[t] > 0;
        if (!vmask[t]) continue;
        tmp[nv++] = f0[t];
        s1 += f0[t];
        s2 += (double)f0[t] * f0[t];
        double sv = 12.0 * log2(f0[t] / 100.0);
        st1 += sv;
        st2 += sv * sv;
    }
    out->voiced_s = (double)nv * hop_s;
    if (nv) {
        double m = s1 / nv, ms = st1 / nv;
        out->f0_mean_hz = m;
        out->f0_sd_hz = nv > 1 ? sqrt(fmax(0, (s2 - nv * m * m) / (nv - 1))) : 0;
        out->f0_mean_st = ms;
        out->f0_sd_st = nv > 1 ? sqrt(fmax(0, (st2 - nv * ms * ms) / (nv - 1))) : 0;
        float *cp = in; /* reuse as scratch for quantiles */
        memcpy(sm, tmp, nv * sizeof(float));
        double p5 = quantile(sm, nv, 0.05, cp), p95 = quantile(sm, nv, 0.95, cp);
        out->f0_min_hz = cp[0];
        out->f0_max_hz = cp[nv - 1];
        out->f0_range_hz = p95 - p5;
        out->f0_range_st = 12.0 * log2(p95 / p5);
    }
    /* syllable nuclei on the smoothed intensity contour */
    if (nseg) {
        if ((st = vh_rms(x, n, (size_t)lround(0.05 * sr), hop, 1, in, frames))) goto done;
        for (size_t t = 0; t < frames; t++) {
            double a = in[t > 0 ? t - 1 : t], b = in[t], c = in[t + 1 < frames ? t + 1 : t];
            sm[t] = (float)((a + b + c) / 3.0);
        }
        double thr_vad;
        if ((st = vad_energy(&p->vad, x, n, hop, in, frames, tmp, &thr_vad, NULL))) goto done;
        double p99 = quantile(sm, frames, 0.99, tmp), thr = p99 - 25.0;
        if (thr < thr_vad) thr = thr_vad;
        long long kept = -1;
        int count = 0;
        for (size_t t = 1; t + 1 < frames; t++) {
            if (!speech[t] || !(sm[t] > sm[t - 1] && sm[t] >= sm[t + 1]) || !(sm[t] > thr)) continue;
            int voiced = 0;
            for (size_t k = t >= 2 ? t - 2 : 0; k <= t + 2 && k < frames; k++) voiced |= f0[k] > 0;
            if (!voiced) continue;
            if (kept >= 0) {
                double dip = sm[t];
                int gap = 0;
                for (size_t k = (size_t)kept; k <= t; k++) {
                    if (sm[k] < dip) dip = sm[k];
                    if (!speech[k]) gap = 1;
                }
                if (!gap && (sm[kept] - dip < p->min_dip_db || sm[t] - dip < p->min_dip_db)) {
                    if (sm[t] > sm[kept]) kept = (long long)t; /* same nucleus, higher peak */
                    continue;
                }
            }
            kept = (long long)t;
            count++;
        }
        out->syllables = count;
    }
    out->speech_rate = out->duration_s > 0 ? out->syllables / out->duration_s : 0;
    out->articulation_rate = out->speech_s > 0 ? out->syllables / out->speech_s : 0;
    /* voice quality over voiced speech */
    if (nv) {
        for (size_t t = 0; t < frames; t++) tmp[t] = vmask[t] ? f0[t] : 0.0f;
        size_t np = 0;
        if ((st = vh_jitter_shimmer(x, n, sr, tmp, frames, hop, p->pitch.fmin, p->pitch.fmax, &out->jitter_local,
                                    &out->shimmer_local_db, &np)))
            goto done;
        out->periods = (int)np;
        if ((st = vh_hnr(x, n, sr, p->pitch.fmin, p->pitch.fmax, hop, vmask, frames, &out->hnr_db))) goto done;
    }
    if (segs_out) {
        *segs_out = segs;
        segs = NULL;
        if (nseg_out) *nseg_out = nseg;
    }
done:
    vh_pitch_free(ph);
    free(f0);
    free(in);
    free(sm);
    free(tmp);
    free(speech);
    free(vmask);
    free(segs);
    return st;
}

int vh_prosody_fields(const vh_prosody *p, const char **names, double *vals, int max) {
    int k = 0;
#define F(name, v) do { if (k < max) { names[k] = name; vals[k] = (double)(v); k++; } } while (0)
    F("duration_s", p->duration_s); F("speech_s", p->speech_s); F("voiced_s", p->voiced_s);
    F("segments", p->segments); F("syllables", p->syllables); F("speech_rate", p->speech_rate);
    F("articulation_rate", p->articulation_rate); F("pause_count", p->pause_count);
    F("pause_total_s", p->pause_total_s); F("pause_mean_s", p->pause_mean_s); F("pause_max_s", p->pause_max_s);
    F("pause_ratio", p->pause_ratio); F("f0_mean_hz", p->f0_mean_hz); F("f0_sd_hz", p->f0_sd_hz);
    F("f0_min_hz", p->f0_min_hz); F("f0_max_hz", p->f0_max_hz); F("f0_range_hz", p->f0_range_hz);
    F("f0_mean_st", p->f0_mean_st); F("f0_sd_st", p->f0_sd_st); F("f0_range_st", p->f0_range_st);
    F("jitter_local", p->jitter_local); F("shimmer_local_db", p->shimmer_local_db); F("hnr_db", p->hnr_db);
    F("periods", p->periods);
#undef F
    return k;
}
