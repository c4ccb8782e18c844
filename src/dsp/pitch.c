/* YIN pitch tracker (de Cheveigne & Kawahara 2002). Per centred frame the
 * difference function d(tau) = e(0) + e(tau) - 2 r(tau) is built from an FFT
 * cross-correlation r and sliding energies e, normalised by its cumulative
 * mean, thresholded, and refined by parabolic interpolation on d. The plan
 * holds every buffer; tracking does not allocate. */
#include "core/internal.h"
#include "verhm/dsp.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

vh_pitch_params vh_pitch_default_params(void) {
    vh_pitch_params p;
    p.sr = 16000;
    p.fmin = 65.0;
    p.fmax = 500.0;
    p.hop_s = 0.01;
    p.threshold = 0.15;
    p.silence_db = -60.0;
    return p;
}

struct vh_pitch {
    vh_pitch_params p;
    size_t hop, tau_min, tau_max, w, len, nfft;
    vh_rfft *fft;
    double *full, *head, *fa, *fb, *r, *e, *d, *dn;
    vh__err err;
};

const char *vh_pitch_error(const vh_pitch *h) { return h ? h->err.msg : ""; }
size_t vh_pitch_hop(const vh_pitch *h) { return h->hop; }
size_t vh_pitch_frames(const vh_pitch *h, size_t n) { return 1 + n / h->hop; }

void vh_pitch_free(vh_pitch *h) {
    if (!h) return;
    vh_rfft_free(h->fft);
    free(h->full);
    free(h->head);
    free(h->fa);
    free(h->fb);
    free(h->r);
    free(h->e);
    free(h->d);
    free(h->dn);
    free(h);
}

int vh_pitch_new(const vh_pitch_params *p, vh_pitch **out) {
    *out = NULL;
    if (p->sr < 1000 || p->sr > 384000)
        return vh__fail(NULL, VH_EINVAL, "pitch: sample rate %d outside [1000, 384000]", p->sr);
    if (!(p->fmin >= 20) || !(p->fmax > p->fmin) || !(p->fmax <= p->sr / 4.0))
        return vh__fail(NULL, VH_EINVAL, "pitch: need 20 <= fmin < fmax <= sr/4 (got %g, %g)", p->fmin, p->fmax);
    if (!(p->hop_s > 0 && p->hop_s <= 1) || !(p->threshold > 0 && p->threshold < 1) || !(p->silence_db < 0))
        return vh__fail(NULL, VH_EINVAL, "pitch: need hop_s in (0, 1], threshold in (0, 1), silence_db < 0");
    vh_pitch *h = calloc(1, sizeof *h);
    if (!h) return vh__fail(NULL, VH_ENOMEM, "pitch: out of memory");
    h->p = *p;
    h->hop = (size_t)lround(p->hop_s * p->sr);
    if (h->hop < 1) h->hop = 1;
    h->tau_min = (size_t)floor(p->sr / p->fmax);
    if (h->tau_min < 2) h->tau_min = 2;
    h->tau_max = (size_t)ceil(p->sr / p->fmin);
    h->w = h->tau_max;
    h->len = h->w + h->tau_max + 2;
    size_t nfft = 1;
    while (nfft < h->len) nfft <<= 1;
    h->nfft = nfft;
    int st = vh_rfft_new(nfft, &h->fft);
    if (st) { vh_pitch_free(h); return st; }
    size_t nb = nfft / 2 + 1;
    h->full = calloc(nfft, sizeof(double));
    h->head = calloc(nfft, sizeof(double));
    h->fa = malloc(2 * nb * sizeof(double));
    h->fb = malloc(2 * nb * sizeof(double));
    h->r = malloc(nfft * sizeof(double));
    h->e = malloc((h->len + 1) * sizeof(double));
    h->d = malloc((h->tau_max + 2) * sizeof(double));
    h->dn = malloc((h->tau_max + 2) * sizeof(double));
    if (!h->full || !h->head || !h->fa || !h->fb || !h->r || !h->e || !h->d || !h->dn) {
        vh_pitch_free(h);
        return vh__fail(NULL, VH_ENOMEM, "pitch: out of memory");
    }
    *out = h;
    return VH_OK;
}

/* One frame starting at sample s (may be out of range: zeros). Returns f0 or 0. */
static float yin_frame(vh_pitch *h, const float *x, size_t n, long long s, double gate_db, float *aper) {
    size_t len = h->len, w = h->w, tmax = h->tau_max + 1;
    double *full = h->full;
    for (size_t j = 0; j < len; j++) {
        long long i = s + (long long)j;
        full[j] = (i >= 0 && (size_t)i < n) ? x[i] : 0.0;
    }
    /* loudness gate on the central integration window */
    double ce = 0;
    size_t c0 = (len - w) / 2;
    for (size_t j = c0; j < c0 + w; j++) ce += full[j] * full[j];
    double rms_db = 10.0 * log10(ce / (double)w + 1e-20);
    /* sliding energy: cum[j] = sum_{i<j} full[i]^2 */
    double *cum = h->e;
    cum[0] = 0;
    for (size_t j = 0; j < len; j++) cum[j + 1] = cum[j] + full[j] * full[j];
    if (cum[w] <= 0 || rms_db < gate_db) { *aper = 1.0f; return 0.0f; }
    memcpy(h->head, full, w * sizeof(double));
    vh_rfft_forward(h->fft, full, h->fa);
    vh_rfft_forward(h->fft, h->head, h->fb);
    size_t nb = h->nfft / 2 + 1;
    for (size_t k = 0; k < nb; k++) {
        double ar = h->fa[2 * k], ai = h->fa[2 * k + 1], br = h->fb[2 * k], bi = -h->fb[2 * k + 1];
        h->fa[2 * k] = ar * br - ai * bi;
        h->fa[2 * k + 1] = ar * bi + ai * br;
    }
    vh_rfft_inverse(h->fft, h->fa, h->r);
    double *d = h->d, *dn = h->dn, e0 = cum[w], run = 0;
    d[0] = 0;
    dn[0] = 1;
    for (size_t t = 1; t <= tmax; t++) {
        double et = cum[t + w] - cum[t];
        double v = e0 + et - 2.0 * h->r[t];
        d[t] = v > 0 ? v : 0;
        run += d[t];
        dn[t] = run > 0 ? d[t] * (double)t / run : 1.0;
    }
    size_t best = 0;
    for (size_t t = h->tau_min; t <= h->tau_max; t++) {
        if (dn[t] < h->p.threshold) {
            while (t + 1 <= h->tau_max && dn[t + 1] < dn[t]) t++;
            best = t;
            break;
        }
    }
    int voiced = best != 0;
    if (!best) {
        best = h->tau_min;
        for (size_t t = h->tau_min; t <= h->tau_max; t++)
            if (dn[t] < dn[best]) best = t;
    }
    *aper = (float)dn[best];
    if (!voiced) return 0.0f;
    double tau = (double)best;
    double a = d[best - 1], b = d[best], c = d[best + 1], den = a - 2 * b + c;
    if (den > 0) {
        double off = 0.5 * (a - c) / den;
        if (off > -1 && off < 1) tau += off;
    }
    double f0 = h->p.sr / tau;
    if (f0 < h->p.fmin * 0.97 || f0 > h->p.fmax * 1.03) return 0.0f;
    return (float)f0;
}

int vh_pitch_track(vh_pitch *h, const float *x, size_t n, float *f0, float *aperiodicity, size_t frames) {
    if ((!x && n) || !f0) return vh__fail(&h->err, VH_EINVAL, "pitch: NULL buffer");
    if (frames != vh_pitch_frames(h, n))
        return vh__fail(&h->err, VH_EINVAL, "pitch: %zu frames given, %zu expected", frames, vh_pitch_frames(h, n));
    /* the loudness gate is relative to the loudest sample (Praat-style), so a
     * quietly recorded voice is still tracked */
    double peak = 0;
    for (size_t i = 0; i < n; i++) peak = fmax(peak, fabs(x[i]));
    double gate_db = 20.0 * log10(peak > 1e-10 ? peak : 1e-10) + h->p.silence_db;
    for (size_t t = 0; t < frames; t++) {
        long long s = (long long)(t * h->hop) - (long long)(h->len / 2);
        float ap;
        f0[t] = yin_frame(h, x, n, s, gate_db, &ap);
        if (aperiodicity) aperiodicity[t] = ap;
    }
    return VH_OK;
}
