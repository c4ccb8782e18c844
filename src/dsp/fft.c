/* FFT plans: iterative radix-2 for powers of two, Bluestein (chirp-z through a
 * power-of-two FFT) for any other length, and the real-input packing trick
 * (one complex FFT of n/2 for even n). All tables and scratch are allocated at
 * plan creation; transforms never allocate. */
#include "core/internal.h"
#include "verhm/dsp.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

struct vh_fft {
    size_t n;
    int pow2;
    /* radix-2 */
    size_t *rev;  /* bit reversal permutation */
    double *tw;   /* per-stage twiddles, see vh_fft_new */
    /* Bluestein */
    size_t m;
    vh_fft *sub;  /* power-of-two plan of length m */
    double *chirp;  /* n values exp(-i pi k^2 / n) */
    double *bfft;   /* FFT of the conjugate chirp, length m */
    double *work;   /* m complex scratch */
};

static int is_pow2(size_t n) { return n && !(n & (n - 1)); }

void vh_fft_free(vh_fft *f) {
    if (!f) return;
    free(f->rev);
    free(f->tw);
    vh_fft_free(f->sub);
    free(f->chirp);
    free(f->bfft);
    free(f->work);
    free(f);
}

size_t vh_fft_size(const vh_fft *f) { return f ? f->n : 0; }

static void radix2(const vh_fft *f, double *a, int inverse) {
    size_t n = f->n;
    for (size_t i = 0; i < n; i++) {
        size_t j = f->rev[i];
        if (j > i) {
            double tr = a[2 * i], ti = a[2 * i + 1];
            a[2 * i] = a[2 * j]; a[2 * i + 1] = a[2 * j + 1];
            a[2 * j] = tr; a[2 * j + 1] = ti;
        }
    }
    /* stage of length 2: no multiplications */
    if (n >= 2)
        for (size_t s = 0; s < 2 * n; s += 4) {
            double xr = a[s + 2], xi = a[s + 3];
            a[s + 2] = a[s] - xr; a[s + 3] = a[s + 1] - xi;
            a[s] += xr; a[s + 1] += xi;
        }
    /* stage of length 4: twiddles 1 and -i (forward) / +i (inverse) */
    if (n >= 4) {
        double sg = inverse ? -1.0 : 1.0;
        for (size_t s = 0; s < 2 * n; s += 8) {
            double *p = a + s;
            double r0 = p[4], i0 = p[5];
            double r1 = sg * p[7], i1 = -sg * p[6]; /* (-i) * x for forward */
            p[4] = p[0] - r0; p[5] = p[1] - i0; p[0] += r0; p[1] += i0;
            p[6] = p[2] - r1; p[7] = p[3] - i1; p[2] += r1; p[3] += i1;
        }
    }
    double sgn = inverse ? -1.0 : 1.0;
    for (size_t half = 4; half < n; half <<= 1) {
        const double *tw = f->tw + 2 * half; /* exp(-i pi k / half), k < half */
        for (size_t s = 0; s < n; s += 2 * half) {
            double *p = a + 2 * s, *q = a + 2 * (s + half);
            for (size_t k = 0; k < half; k++) {
                double wr = tw[2 * k], wi = sgn * tw[2 * k + 1];
                double xr = q[2 * k] * wr - q[2 * k + 1] * wi;
                double xi = q[2 * k] * wi + q[2 * k + 1] * wr;
                q[2 * k] = p[2 * k] - xr; q[2 * k + 1] = p[2 * k + 1] - xi;
                p[2 * k] += xr; p[2 * k + 1] += xi;
            }
        }
    }
}

int vh_fft_new(size_t n, vh_fft **out) {
    *out = NULL;
    if (n < 1 || n > VH_DSP_MAX_N)
        return vh__fail(NULL, VH_ERANGE, "fft: length %zu outside [1, %zu]", n, VH_DSP_MAX_N);
    vh_fft *f = calloc(1, sizeof *f);
    if (!f) return vh__fail(NULL, VH_ENOMEM, "fft: out of memory");
    f->n = n;
    f->pow2 = is_pow2(n);
    if (f->pow2) {
        f->rev = malloc(n * sizeof *f->rev);
        f->tw = malloc(2 * (n + 1) * sizeof *f->tw);
        if (!f->rev || !f->tw) goto nomem;
        int bits = 0;
        while (((size_t)1 << bits) < n) bits++;
        for (size_t i = 0; i < n; i++) {
            size_t r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            f->rev[i] = r;
        }
        /* per-stage contiguous twiddles: tw[half + k] = exp(-i pi k / half) */
        for (size_t half = 1; half < n; half <<= 1)
            for (size_t k = 0; k < half; k++) {
                double a = -M_PI * (double)k / (double)half;
                f->tw[2 * (half + k)] = cos(a);
                f->tw[2 * (half + k) + 1] = sin(a);
            }
    } else {
        size_t m = 1;
        while (m < 2 * n - 1) m <<= 1;
        f->m = m;
        int st = vh_fft_new(m, &f->sub);
        if (st) { vh_fft_free(f); return st; }
        f->chirp = malloc(2 * n * sizeof(double));
        f->bfft = calloc(2 * m, sizeof(double));
        f->work = malloc(2 * m * sizeof(double));
        if (!f->chirp || !f->bfft || !f->work) goto nomem;
        for (size_t k = 0; k < n; k++) {
            /* k^2 mod 2n keeps the angle small and exact. */
            unsigned long long k2 = ((unsigned long long)k * k) % (2ull * n);
            double a = -M_PI * (double)k2 / (double)n;
            f->chirp[2 * k] = cos(a);
            f->chirp[2 * k + 1] = sin(a);
        }
        /* b[k] = conj(chirp[k]) for |k| < n, wrapped. */
        for (size_t k = 0; k < n; k++) {
            f->bfft[2 * k] = f->chirp[2 * k];
            f->bfft[2 * k + 1] = -f->chirp[2 * k + 1];
            if (k) {
                f->bfft[2 * (m - k)] = f->chirp[2 * k];
                f->bfft[2 * (m - k) + 1] = -f->chirp[2 * k + 1];
            }
        }
        radix2(f->sub, f->bfft, 0);
    }
    *out = f;
    return VH_OK;
nomem:
    vh_fft_free(f);
    return vh__fail(NULL, VH_ENOMEM, "fft: out of memory for length %zu", n);
}

static void bluestein(vh_fft *f, const double *in, double *out, int inverse) {
    size_t n = f->n, m = f->m;
    double *w = f->work;
    double cs = inverse ? -1.0 : 1.0; /* inverse uses the conjugate chirp */
    for (size_t k = 0; k < n; k++) {
        double cr = f->chirp[2 * k], ci = cs * f->chirp[2 * k + 1];
        double xr = in[2 * k], xi = in[2 * k + 1];
        w[2 * k] = xr * cr - xi * ci;
        w[2 * k + 1] = xr * ci + xi * cr;
    }
    memset(w + 2 * n, 0, 2 * (m - n) * sizeof(double));
    radix2(f->sub, w, 0);
    for (size_t k = 0; k < m; k++) {
        double br = f->bfft[2 * k], bi = f->bfft[2 * k + 1];
        if (inverse) {
            /* The inverse convolves with the chirp itself: FFT(conj b)[k] =
             * conj(FFT(b)[-k]). */
            size_t r = (m - k) % m;
            br = f->bfft[2 * r];
            bi = -f->bfft[2 * r + 1];
        }
        double xr = w[2 * k], xi = w[2 * k + 1];
        w[2 * k] = xr * br - xi * bi;
        w[2 * k + 1] = xr * bi + xi * br;
    }
    radix2(f->sub, w, 1);
    double sc = 1.0 / (double)m;
    for (size_t k = 0; k < n; k++) {
        double cr = f->chirp[2 * k], ci = cs * f->chirp[2 * k + 1];
        double xr = w[2 * k] * sc, xi = w[2 * k + 1] * sc;
        out[2 * k] = xr * cr - xi * ci;
        out[2 * k + 1] = xr * ci + xi * cr;
    }
}

void vh_fft_forward(vh_fft *f, const double *in, double *out) {
    if (f->pow2) {
        if (out != in) memcpy(out, in, 2 * f->n * sizeof(double));
        radix2(f, out, 0);
    } else {
        bluestein(f, in, out, 0);
    }
}

void vh_fft_inverse(vh_fft *f, const double *in, double *out) {
    if (f->pow2) {
        if (out != in) memcpy(out, in, 2 * f->n * sizeof(double));
        radix2(f, out, 1);
    } else {
        bluestein(f, in, out, 1);
    }
    double sc = 1.0 / (double)f->n;
    for (size_t k = 0; k < 2 * f->n; k++) out[k] *= sc;
}

/* ---- real-input FFT ---- */

struct vh_rfft {
    size_t n;
    vh_fft *c;      /* n/2 (even n) or n (odd n) */
    double *tw;     /* even n: exp(-2 pi i k / n), k <= n/2 */
    double *buf;    /* complex scratch */
};

void vh_rfft_free(vh_rfft *f) {
    if (!f) return;
    vh_fft_free(f->c);
    free(f->tw);
    free(f->buf);
    free(f);
}

size_t vh_rfft_size(const vh_rfft *f) { return f ? f->n : 0; }

int vh_rfft_new(size_t n, vh_rfft **out) {
    *out = NULL;
    if (n < 1 || n > VH_DSP_MAX_N)
        return vh__fail(NULL, VH_ERANGE, "rfft: length %zu outside [1, %zu]", n, VH_DSP_MAX_N);
    vh_rfft *f = calloc(1, sizeof *f);
    if (!f) return vh__fail(NULL, VH_ENOMEM, "rfft: out of memory");
    f->n = n;
    int even = n % 2 == 0;
    size_t cn = even ? n / 2 : n;
    int st = vh_fft_new(cn, &f->c);
    if (st) { vh_rfft_free(f); return st; }
    f->buf = malloc(2 * (cn + 1) * sizeof(double));
    if (even) f->tw = malloc(2 * (n / 2 + 1) * sizeof(double));
    if (!f->buf || (even && !f->tw)) {
        vh_rfft_free(f);
        return vh__fail(NULL, VH_ENOMEM, "rfft: out of memory for length %zu", n);
    }
    if (even)
        for (size_t k = 0; k <= n / 2; k++) {
            double a = -2.0 * M_PI * (double)k / (double)n;
            f->tw[2 * k] = cos(a);
            f->tw[2 * k + 1] = sin(a);
        }
    *out = f;
    return VH_OK;
}

void vh_rfft_forward(vh_rfft *f, const double *in, double *out) {
    size_t n = f->n;
    double *z = f->buf;
    if (n % 2) {
        for (size_t j = 0; j < n; j++) { z[2 * j] = in[j]; z[2 * j + 1] = 0.0; }
        vh_fft_forward(f->c, z, z);
        memcpy(out, z, 2 * (n / 2 + 1) * sizeof(double));
        return;
    }
    size_t m = n / 2;
    memcpy(z, in, n * sizeof(double)); /* pairs (x[2j], x[2j+1]) as complex */
    vh_fft_forward(f->c, z, z);
    z[2 * m] = z[0];
    z[2 * m + 1] = z[1];
    for (size_t k = 0; k <= m; k++) {
        double ar = z[2 * k], ai = z[2 * k + 1];
        double br = z[2 * (m - k)], bi = -z[2 * (m - k) + 1]; /* conj(Z[m-k]) */
        double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
        /* O = (Z - conj Z') / (2i) */
        double dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
        double or_ = di, oi = -dr;
        double wr = f->tw[2 * k], wi = f->tw[2 * k + 1];
        out[2 * k] = er + or_ * wr - oi * wi;
        out[2 * k + 1] = ei + or_ * wi + oi * wr;
    }
}

void vh_rfft_inverse(vh_rfft *f, const double *in, double *out) {
    size_t n = f->n;
    double *z = f->buf;
    if (n % 2) {
        size_t h = n / 2;
        for (size_t k = 0; k <= h; k++) { z[2 * k] = in[2 * k]; z[2 * k + 1] = k ? in[2 * k + 1] : 0.0; }
        for (size_t k = h + 1; k < n; k++) { z[2 * k] = in[2 * (n - k)]; z[2 * k + 1] = -in[2 * (n - k) + 1]; }
        vh_fft_inverse(f->c, z, z);
        for (size_t j = 0; j < n; j++) out[j] = z[2 * j];
        return;
    }
    size_t m = n / 2;
    for (size_t k = 0; k < m; k++) {
        double xr = in[2 * k], xi = k ? in[2 * k + 1] : 0.0;
        /* conj(X[m-k]); bin m (Nyquist) is real */
        double yr = in[2 * (m - k)], yi = k ? -in[2 * (m - k) + 1] : 0.0;
        double er = 0.5 * (xr + yr), ei = 0.5 * (xi + yi);
        double dr = 0.5 * (xr - yr), di = 0.5 * (xi - yi);
        /* O = D * conj(W^k) */
        double wr = f->tw[2 * k], wi = -f->tw[2 * k + 1];
        double or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
        /* Z = E + i O */
        z[2 * k] = er - oi;
        z[2 * k + 1] = ei + or_;
    }
    vh_fft_inverse(f->c, z, z);
    memcpy(out, z, n * sizeof(double));
}
