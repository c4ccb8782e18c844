/* Spectral features: windows, centred STFT with reflect padding, mel filterbank
 * (Slaney/HTK, Slaney area norm), power_to_db, orthonormal DCT-II (MFCC),
 * Savitzky-Golay deltas and frame RMS. The formulas follow librosa 0.8's
 * documented definitions; the vh_features handle owns every table and scratch
 * buffer so a whole signal is processed without per-frame allocation. */
#include "core/internal.h"
#include "verhm/dsp.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

int vh_window_fill(int type, size_t n, int periodic, double *w) {
    if (n == 0 || !w) return vh__fail(NULL, VH_EINVAL, "window: length must be >= 1");
    if (type != VH_WINDOW_HANN && type != VH_WINDOW_HAMMING && type != VH_WINDOW_RECT)
        return vh__fail(NULL, VH_EINVAL, "window: unknown type %d", type);
    double den = periodic ? (double)n : (double)(n - 1);
    for (size_t j = 0; j < n; j++) {
        double c = den > 0 ? cos(2.0 * M_PI * (double)j / den) : 1.0;
        w[j] = type == VH_WINDOW_HANN ? 0.5 - 0.5 * c : type == VH_WINDOW_HAMMING ? 0.54 - 0.46 * c : 1.0;
    }
    if (n == 1 && type != VH_WINDOW_RECT) w[0] = 1.0;
    return VH_OK;
}

#define SLANEY_FSP (200.0 / 3.0)
#define SLANEY_MIN_LOG_HZ 1000.0
#define SLANEY_MIN_LOG_MEL 15.0

static double slaney_logstep(void) { return log(6.4) / 27.0; }

double vh_hz_to_mel(double hz, int htk) {
    if (htk) return 2595.0 * log10(1.0 + hz / 700.0);
    if (hz >= SLANEY_MIN_LOG_HZ) return SLANEY_MIN_LOG_MEL + log(hz / SLANEY_MIN_LOG_HZ) / slaney_logstep();
    return hz / SLANEY_FSP;
}

double vh_mel_to_hz(double mel, int htk) {
    if (htk) return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
    if (mel >= SLANEY_MIN_LOG_MEL) return SLANEY_MIN_LOG_HZ * exp(slaney_logstep() * (mel - SLANEY_MIN_LOG_MEL));
    return SLANEY_FSP * mel;
}

vh_features_params vh_features_librosa_params(int sr) {
    vh_features_params p;
    memset(&p, 0, sizeof p);
    p.sr = sr;
    p.n_fft = 2048;
    p.hop = 512;
    p.win_length = 2048;
    p.window = VH_WINDOW_HANN;
    p.center = 1;
    p.pad_mode = VH_PAD_REFLECT;
    p.power = 2.0;
    p.n_mels = 128;
    p.fmin = 0.0;
    p.fmax = 0.0;
    p.htk = 0;
    p.slaney_norm = 1;
    p.ref = 1.0;
    p.amin = 1e-10;
    p.top_db = 80.0;
    p.n_mfcc = 20;
    return p;
}

vh_features_params vh_features_default_params(void) {
    vh_features_params p = vh_features_librosa_params(16000);
    p.n_fft = 512;
    p.win_length = 400;
    p.hop = 160;
    p.n_mels = 80;
    p.fmax = 8000.0;
    return p;
}

struct vh_features {
    vh_features_params p;
    size_t bins;
    vh_rfft *fft;
    double *window; /* n_fft, window centred */
    double *frame;  /* n_fft */
    double *spec;   /* 2 * bins */
    double *row;    /* bins (power of one frame) */
    float *melw;    /* n_mels x bins */
    size_t *mlo, *mhi; /* non-zero bin range per band [lo, hi) */
    double *dct;    /* n_mfcc x n_mels */
    vh__err err;
};

const char *vh_features_error(const vh_features *h) { return h ? h->err.msg : ""; }
const vh_features_params *vh_features_get_params(const vh_features *h) { return &h->p; }
const float *vh_features_mel_weights(const vh_features *h) { return h->melw; }

void vh_features_free(vh_features *h) {
    if (!h) return;
    vh_rfft_free(h->fft);
    free(h->window);
    free(h->frame);
    free(h->spec);
    free(h->row);
    free(h->melw);
    free(h->mlo);
    free(h->mhi);
    free(h->dct);
    free(h);
}

static int check_params(const vh_features_params *p) {
    const char *bad = NULL;
    if (p->sr < 1 || p->sr > 1000000) bad = "sr must be in [1, 1000000]";
    else if (p->n_fft < 2 || (size_t)p->n_fft > VH_DSP_MAX_N) bad = "n_fft must be in [2, 2^20]";
    else if (p->hop < 1 || (size_t)p->hop > VH_DSP_MAX_N) bad = "hop must be in [1, 2^20]";
    else if (p->win_length < 1 || p->win_length > p->n_fft) bad = "win_length must be in [1, n_fft]";
    else if (p->window < VH_WINDOW_HANN || p->window > VH_WINDOW_RECT) bad = "unknown window";
    else if (p->pad_mode != VH_PAD_REFLECT && p->pad_mode != VH_PAD_ZERO) bad = "unknown pad_mode";
    else if (!(p->power > 0 && p->power <= 4)) bad = "power must be in (0, 4]";
    else if (p->n_mels < 1 || p->n_mels > 1024) bad = "n_mels must be in [1, 1024]";
    else if (!(p->fmin >= 0) || !(p->fmax <= p->sr / 2.0 + 1e-9)) bad = "need 0 <= fmin and fmax <= sr/2";
    else if (!((p->fmax <= 0 ? p->sr / 2.0 : p->fmax) > p->fmin)) bad = "fmax must exceed fmin";
    else if (!(p->amin > 0) || !(p->ref > 0) || !(p->top_db == p->top_db)) bad = "amin and ref must be > 0";
    else if (p->n_mfcc < 1 || p->n_mfcc > p->n_mels) bad = "n_mfcc must be in [1, n_mels]";
    if (bad) return vh__fail(NULL, VH_EINVAL, "features: %s", bad);
    return VH_OK;
}

int vh_features_new(const vh_features_params *p, vh_features **out) {
    *out = NULL;
    int st = check_params(p);
    if (st) return st;
    vh_features *h = calloc(1, sizeof *h);
    if (!h) return vh__fail(NULL, VH_ENOMEM, "features: out of memory");
    h->p = *p;
    if (h->p.fmax <= 0) h->p.fmax = p->sr / 2.0;
    size_t nfft = (size_t)p->n_fft, bins = nfft / 2 + 1, nm = (size_t)p->n_mels;
    h->bins = bins;
    st = vh_rfft_new(nfft, &h->fft);
    if (st) { vh_features_free(h); return st; }
    h->window = calloc(nfft, sizeof(double));
    h->frame = malloc(nfft * sizeof(double));
    h->spec = malloc(2 * bins * sizeof(double));
    h->row = malloc(bins * sizeof(double));
    h->melw = calloc(nm * bins, sizeof(float));
    h->mlo = calloc(nm, sizeof(size_t));
    h->mhi = calloc(nm, sizeof(size_t));
    h->dct = malloc((size_t)p->n_mfcc * nm * sizeof(double));
    double *melf = malloc((nm + 2) * sizeof(double));
    if (!h->window || !h->frame || !h->spec || !h->row || !h->melw || !h->mlo || !h->mhi || !h->dct || !melf) {
        free(melf);
        vh_features_free(h);
        return vh__fail(NULL, VH_ENOMEM, "features: out of memory");
    }
    /* window of win_length centred in n_fft (librosa pad_center) */
    size_t wl = (size_t)p->win_length, off = (nfft - wl) / 2;
    vh_window_fill(p->window, wl, 1, h->window + off);
    /* mel band edges: n_mels + 2 points evenly spaced on the mel scale */
    double mlo = vh_hz_to_mel(h->p.fmin, p->htk), mhi = vh_hz_to_mel(h->p.fmax, p->htk);
    for (size_t i = 0; i < nm + 2; i++)
        melf[i] = vh_mel_to_hz(mlo + (mhi - mlo) * (double)i / (double)(nm + 1), p->htk);
    for (size_t m = 0; m < nm; m++) {
        double f0 = melf[m], f1 = melf[m + 1], f2 = melf[m + 2];
        double d0 = f1 - f0, d1 = f2 - f1;
        double enorm = p->slaney_norm ? 2.0 / (f2 - f0) : 1.0;
        size_t lo = bins, hi = 0;
        for (size_t b = 0; b < bins; b++) {
            double fb = (double)p->sr / 2.0 * (double)b / (double)(bins - 1);
            if (bins == 1) fb = 0;
            double lower = (fb - f0) / d0, upper = (f2 - fb) / d1;
            double wgt = lower < upper ? lower : upper;
            if (wgt > 0) {
                h->melw[m * bins + b] = (float)(wgt * enorm);
                if (b < lo) lo = b;
                hi = b + 1;
            }
        }
        h->mlo[m] = lo < hi ? lo : 0;
        h->mhi[m] = lo < hi ? hi : 0;
    }
    free(melf);
    for (size_t k = 0; k < (size_t)p->n_mfcc; k++) {
        double s = k == 0 ? sqrt(1.0 / (double)nm) : sqrt(2.0 / (double)nm);
        for (size_t j = 0; j < nm; j++)
            h->dct[k * nm + j] = s * cos(M_PI * (double)k * (2.0 * (double)j + 1.0) / (2.0 * (double)nm));
    }
    *out = h;
    return VH_OK;
}

size_t vh_features_frames(const vh_features *h, size_t n) {
    size_t hop = (size_t)h->p.hop, nfft = (size_t)h->p.n_fft;
    if (h->p.center) return 1 + n / hop;
    return n < nfft ? 0 : 1 + (n - nfft) / hop;
}

/* Sample at (possibly out-of-range) index i of x[0..n) under the pad mode;
 * reflect is numpy's 'reflect' (edge not repeated), periodic for long pads. */
static double padded_at(const float *x, size_t n, long long i, int mode) {
    if (i >= 0 && (size_t)i < n) return x[i];
    if (mode == VH_PAD_ZERO) return 0.0;
    if (n == 1) return x[0];
    long long period = 2 * ((long long)n - 1);
    long long q = i % period;
    if (q < 0) q += period;
    if (q >= (long long)n) q = period - q;
    return x[q];
}

/* Power spectrum |X|^power of frame t into h->row. */
static void frame_power(vh_features *h, const float *x, size_t n, size_t t) {
    size_t nfft = (size_t)h->p.n_fft;
    long long start = (long long)(t * (size_t)h->p.hop) - (h->p.center ? (long long)(nfft / 2) : 0);
    if (start >= 0 && (size_t)start + nfft <= n) {
        const float *s = x + start;
        for (size_t j = 0; j < nfft; j++) h->frame[j] = s[j] * h->window[j];
    } else {
        for (size_t j = 0; j < nfft; j++)
            h->frame[j] = padded_at(x, n, start + (long long)j, h->p.pad_mode) * h->window[j];
    }
    vh_rfft_forward(h->fft, h->frame, h->spec);
    double pw = h->p.power;
    for (size_t b = 0; b < h->bins; b++) {
        double re = h->spec[2 * b], im = h->spec[2 * b + 1], p2 = re * re + im * im;
        h->row[b] = pw == 2.0 ? p2 : pw == 1.0 ? sqrt(p2) : pow(p2, pw / 2.0);
    }
}

static int prepare(vh_features *h, const float *x, size_t n, size_t cols, float **out, size_t *frames) {
    *out = NULL;
    *frames = 0;
    if (!x && n) return vh__fail(&h->err, VH_EINVAL, "features: NULL samples");
    if (h->p.center && h->p.pad_mode == VH_PAD_REFLECT && n < 2)
        return vh__fail(&h->err, VH_EINVAL, "features: reflect padding needs at least 2 samples, got %zu", n);
    size_t nf = vh_features_frames(h, n), total;
    if (nf == 0)
        return vh__fail(&h->err, VH_EEMPTY, "features: %zu samples are shorter than one frame (%d)", n, h->p.n_fft);
    if (vh__mul_size(nf, cols, &total) || vh__mul_size(total, sizeof(float), &total))
        return vh__fail(&h->err, VH_ERANGE, "features: %zu frames x %zu values overflow", nf, cols);
    *out = malloc(total ? total : 1);
    if (!*out) return vh__fail(&h->err, VH_ENOMEM, "features: out of memory for %zu frames", nf);
    *frames = nf;
    return VH_OK;
}

int vh_features_spectrogram(vh_features *h, const float *x, size_t n, float **out, size_t *frames) {
    int st = prepare(h, x, n, h->bins, out, frames);
    if (st) return st;
    for (size_t t = 0; t < *frames; t++) {
        frame_power(h, x, n, t);
        float *o = *out + t * h->bins;
        for (size_t b = 0; b < h->bins; b++) o[b] = (float)h->row[b];
    }
    return VH_OK;
}

int vh_features_melspec(vh_features *h, const float *x, size_t n, float **out, size_t *frames) {
    size_t nm = (size_t)h->p.n_mels;
    int st = prepare(h, x, n, nm, out, frames);
    if (st) return st;
    for (size_t t = 0; t < *frames; t++) {
        frame_power(h, x, n, t);
        float *o = *out + t * nm;
        for (size_t m = 0; m < nm; m++) {
            const float *w = h->melw + m * h->bins;
            double acc = 0;
            for (size_t b = h->mlo[m]; b < h->mhi[m]; b++) acc += w[b] * h->row[b];
            o[m] = (float)acc;
        }
    }
    return VH_OK;
}

void vh_power_to_db(float *s, size_t count, double ref, double amin, double top_db) {
    double r = 10.0 * log10(ref > amin ? ref : amin);
    double mx = -HUGE_VAL;
    for (size_t i = 0; i < count; i++) {
        double v = s[i] > amin ? s[i] : amin;
        double d = 10.0 * log10(v) - r;
        s[i] = (float)d;
        if (d > mx) mx = d;
    }
    if (top_db > 0 && count) {
        float lo = (float)(mx - top_db);
        for (size_t i = 0; i < count; i++)
            if (s[i] < lo) s[i] = lo;
    }
}

int vh_features_logmel(vh_features *h, const float *x, size_t n, float **out, size_t *frames) {
    int st = vh_features_melspec(h, x, n, out, frames);
    if (st) return st;
    vh_power_to_db(*out, *frames * (size_t)h->p.n_mels, h->p.ref, h->p.amin, h->p.top_db);
    return VH_OK;
}

int vh_features_mfcc_from_logmel(vh_features *h, const float *logmel, size_t frames, float **out) {
    size_t nm = (size_t)h->p.n_mels, nc = (size_t)h->p.n_mfcc, total;
    *out = NULL;
    if (!logmel && frames) return vh__fail(&h->err, VH_EINVAL, "features: NULL log-mel");
    if (vh__mul_size(frames, nc, &total) || vh__mul_size(total, sizeof(float), &total))
        return vh__fail(&h->err, VH_ERANGE, "features: %zu frames overflow", frames);
    float *m = malloc(total ? total : 1);
    if (!m) return vh__fail(&h->err, VH_ENOMEM, "features: out of memory for MFCC");
    for (size_t t = 0; t < frames; t++) {
        const float *row = logmel + t * nm;
        for (size_t k = 0; k < nc; k++) {
            const double *c = h->dct + k * nm;
            double a0 = 0, a1 = 0;
            size_t j = 0;
            for (; j + 1 < nm; j += 2) { a0 += c[j] * row[j]; a1 += c[j + 1] * row[j + 1]; }
            if (j < nm) a0 += c[j] * row[j];
            m[t * nc + k] = (float)(a0 + a1);
        }
    }
    *out = m;
    return VH_OK;
}

int vh_features_mfcc(vh_features *h, const float *x, size_t n, float **out, size_t *frames) {
    float *lm;
    size_t nf;
    int st = vh_features_logmel(h, x, n, &lm, &nf);
    if (st) { *out = NULL; *frames = 0; return st; }
    st = vh_features_mfcc_from_logmel(h, lm, nf, out);
    free(lm);
    *frames = st ? 0 : nf;
    return st;
}

int vh_dct2_ortho(const float *in, size_t rows, size_t n, size_t keep, float *out) {
    if (!in || !out || n == 0 || keep == 0 || keep > n || n > VH_DSP_MAX_N)
        return vh__fail(NULL, VH_EINVAL, "dct: need 1 <= keep <= n <= 2^20 and buffers");
    size_t tn;
    if (vh__mul_size(keep, n, &tn) || vh__mul_size(tn, sizeof(double), &tn))
        return vh__fail(NULL, VH_ERANGE, "dct: table size overflows");
    double *c = malloc(tn);
    if (!c) return vh__fail(NULL, VH_ENOMEM, "dct: out of memory");
    for (size_t k = 0; k < keep; k++) {
        double s = k == 0 ? sqrt(1.0 / (double)n) : sqrt(2.0 / (double)n);
        for (size_t j = 0; j < n; j++)
            c[k * n + j] = s * cos(M_PI * (double)k * (2.0 * (double)j + 1.0) / (2.0 * (double)n));
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < keep; k++) {
            double acc = 0;
            for (size_t j = 0; j < n; j++) acc += c[k * n + j] * in[r * n + j];
            out[r * keep + k] = (float)acc;
        }
    free(c);
    return VH_OK;
}

int vh_delta(const float *in, size_t frames, size_t coefs, int width, int order, float *out) {
    if (!in || !out || width < 3 || width % 2 == 0 || width > 101 || (order != 1 && order != 2))
        return vh__fail(NULL, VH_EINVAL, "delta: width must be odd in [3, 101] and order 1 or 2");
    if (frames < (size_t)width)
        return vh__fail(NULL, VH_ERANGE, "delta: %zu frames are fewer than the width %d", frames, width);
    int h = width / 2;
    double c[101];
    double mean2 = 0, den = 0;
    for (int k = -h; k <= h; k++) mean2 += (double)k * k;
    mean2 /= width;
    for (int k = -h; k <= h; k++) {
        double v = order == 1 ? (double)k : (double)k * k - mean2;
        den += v * v;
    }
    for (int k = -h; k <= h; k++) {
        double v = order == 1 ? (double)k : (double)k * k - mean2;
        c[k + h] = (order == 1 ? 1.0 : 2.0) * v / den; /* d/dt of the LS line / parabola */
    }
    for (size_t t = 0; t < frames; t++) {
        size_t ct = t < (size_t)h ? (size_t)h : t + (size_t)h >= frames ? frames - 1 - (size_t)h : t;
        for (size_t j = 0; j < coefs; j++) {
            double acc = 0;
            for (int k = -h; k <= h; k++) acc += c[k + h] * in[(ct + (size_t)(k + h) - (size_t)h) * coefs + j];
            out[t * coefs + j] = (float)acc;
        }
    }
    return VH_OK;
}

int vh_rms(const float *x, size_t n, size_t frame_len, size_t hop, int db, float *out, size_t frames) {
    if ((!x && n) || !out || frame_len == 0 || hop == 0 || frame_len > VH_DSP_MAX_N)
        return vh__fail(NULL, VH_EINVAL, "rms: bad arguments");
    if (frames != 1 + n / hop)
        return vh__fail(NULL, VH_EINVAL, "rms: %zu frames given, %zu expected", frames, 1 + n / hop);
    long long half = (long long)frame_len / 2;
    for (size_t t = 0; t < frames; t++) {
        long long s = (long long)(t * hop) - half, e = s + (long long)frame_len;
        long long ns = s < 0 ? 0 : s, ne = e > (long long)n ? (long long)n : e;
        double acc = 0;
        for (long long i = ns; i < ne; i++) acc += (double)x[i] * x[i];
        double r = sqrt(acc / (double)frame_len);
        out[t] = db ? (float)(20.0 * log10(r > 1e-10 ? r : 1e-10)) : (float)r;
    }
    return VH_OK;
}
