/* Analytic tests of the audio front end: FFT vs direct DFT, Parseval, windows,
 * mel scale and filterbank, white-noise level, DCT, deltas, dB, YIN on tones
 * and pulse trains, jitter/shimmer with known perturbations, HNR, VAD and
 * prosody on synthetic signals. All signals are generated with fixed seeds. */
#include "verhm/dsp.h"
#include "vh_test.h"

#define VH_COUNTOF_T(a) (sizeof(a) / sizeof((a)[0]))
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Direct O(n^2) DFT with an exact-angle table (angle index j*k mod n). */
static void dft(const double *in, double *out, size_t n, int inverse) {
    double *c = malloc(n * sizeof(double)), *s = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        long double a = (inverse ? 2.0L : -2.0L) * (long double)M_PI * (long double)i / (long double)n;
        c[i] = (double)cosl(a);
        s[i] = (double)sinl(a);
    }
    for (size_t k = 0; k < n; k++) {
        long double re = 0, im = 0;
        for (size_t j = 0; j < n; j++) {
            size_t a = (j * k) % n;
            re += in[2 * j] * c[a] - in[2 * j + 1] * s[a];
            im += in[2 * j] * s[a] + in[2 * j + 1] * c[a];
        }
        out[2 * k] = (double)re / (inverse ? (double)n : 1.0);
        out[2 * k + 1] = (double)im / (inverse ? (double)n : 1.0);
    }
    free(c);
    free(s);
}

VH_TEST(fft_matches_direct_dft) {
    const size_t sizes[] = {1, 2, 3, 5, 8, 12, 17, 64, 400, 512, 1000, 2048};
    vh_rng r;
    vh_rng_seed(&r, 1);
    for (size_t s = 0; s < VH_COUNTOF_T(sizes); s++) {
        size_t n = sizes[s];
        double *x = malloc(2 * n * sizeof(double)), *y = malloc(2 * n * sizeof(double));
        double *z = malloc(2 * n * sizeof(double)), *w = malloc(2 * n * sizeof(double));
        for (size_t i = 0; i < 2 * n; i++) x[i] = vh_rng_normal(&r);
        vh_fft *f;
        VH_CHECK_OK(vh_fft_new(n, &f));
        VH_CHECK_INT_EQ(vh_fft_size(f), n);
        vh_fft_forward(f, x, y);
        dft(x, z, n, 0);
        double err = 0;
        for (size_t i = 0; i < 2 * n; i++) err = fmax(err, fabs(y[i] - z[i]));
        VH_CHECK_NEAR(err, 0, 1e-10 * (double)n);
        vh_fft_inverse(f, y, w); /* round trip */
        err = 0;
        for (size_t i = 0; i < 2 * n; i++) err = fmax(err, fabs(w[i] - x[i]));
        VH_CHECK_NEAR(err, 0, 1e-12 * (double)n);
        dft(y, z, n, 1); /* inverse vs direct inverse DFT */
        err = 0;
        for (size_t i = 0; i < 2 * n; i++) err = fmax(err, fabs(w[i] - z[i]));
        VH_CHECK_NEAR(err, 0, 1e-10);
        memcpy(z, x, 2 * n * sizeof(double)); /* in place */
        vh_fft_forward(f, z, z);
        VH_CHECK_NEAR(z[0], y[0], 1e-12 * (double)n);
        vh_fft_free(f);
        free(x); free(y); free(z); free(w);
    }
    vh_fft *f;
    VH_CHECK_INT_EQ(vh_fft_new(0, &f), VH_ERANGE);
    VH_CHECK(f == NULL);
    vh_fft_free(NULL);
}

VH_TEST(fft_impulse_and_sine) {
    size_t n = 400;
    double *x = calloc(2 * n, sizeof(double)), *y = malloc(2 * n * sizeof(double));
    vh_fft *f;
    VH_CHECK_OK(vh_fft_new(n, &f));
    x[0] = 1;
    vh_fft_forward(f, x, y);
    for (size_t k = 0; k < n; k++) { VH_CHECK_NEAR(y[2 * k], 1, 1e-12); VH_CHECK_NEAR(y[2 * k + 1], 0, 1e-12); }
    for (size_t j = 0; j < n; j++) { x[2 * j] = cos(2 * M_PI * 7 * (double)j / (double)n); x[2 * j + 1] = 0; }
    vh_fft_forward(f, x, y);
    for (size_t k = 0; k < n; k++) {
        double mag = hypot(y[2 * k], y[2 * k + 1]);
        VH_CHECK_NEAR(mag, (k == 7 || k == n - 7) ? n / 2.0 : 0.0, 1e-9);
    }
    vh_fft_free(f);
    free(x); free(y);
}

VH_TEST(rfft_matches_fft_and_parseval) {
    const size_t sizes[] = {1, 2, 3, 4, 6, 7, 9, 400, 401, 512, 2048};
    vh_rng r;
    vh_rng_seed(&r, 2);
    for (size_t s = 0; s < VH_COUNTOF_T(sizes); s++) {
        size_t n = sizes[s], nb = n / 2 + 1;
        double *x = malloc(n * sizeof(double)), *c = malloc(2 * n * sizeof(double));
        double *y = malloc(2 * nb * sizeof(double)), *back = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++) { x[i] = vh_rng_normal(&r); c[2 * i] = x[i]; c[2 * i + 1] = 0; }
        vh_fft *f;
        vh_rfft *rf;
        VH_CHECK_OK(vh_fft_new(n, &f));
        VH_CHECK_OK(vh_rfft_new(n, &rf));
        vh_fft_forward(f, c, c);
        vh_rfft_forward(rf, x, y);
        double err = 0;
        for (size_t i = 0; i < 2 * nb; i++) err = fmax(err, fabs(y[i] - c[i]));
        VH_CHECK_NEAR(err, 0, 1e-10 * (double)n);
        /* Parseval: sum x^2 = (1/n) sum_k |X_k|^2 over the full spectrum */
        double et = 0, ef = 0;
        for (size_t i = 0; i < n; i++) et += x[i] * x[i];
        for (size_t k = 0; k < n; k++) ef += c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1];
        VH_CHECK_NEAR(ef / (double)n, et, 1e-9 * et);
        vh_rfft_inverse(rf, y, back);
        err = 0;
        for (size_t i = 0; i < n; i++) err = fmax(err, fabs(back[i] - x[i]));
        VH_CHECK_NEAR(err, 0, 1e-12 * (double)n);
        vh_fft_free(f);
        vh_rfft_free(rf);
        free(x); free(c); free(y); free(back);
    }
}

VH_TEST(windows) {
    double w[8];
    VH_CHECK_OK(vh_window_fill(VH_WINDOW_HANN, 4, 1, w));
    VH_CHECK_NEAR(w[0], 0, 1e-15); VH_CHECK_NEAR(w[1], 0.5, 1e-15);
    VH_CHECK_NEAR(w[2], 1, 1e-15); VH_CHECK_NEAR(w[3], 0.5, 1e-15);
    VH_CHECK_OK(vh_window_fill(VH_WINDOW_HANN, 5, 0, w));
    VH_CHECK_NEAR(w[0], 0, 1e-15); VH_CHECK_NEAR(w[2], 1, 1e-15); VH_CHECK_NEAR(w[4], 0, 1e-15);
    VH_CHECK_OK(vh_window_fill(VH_WINDOW_HAMMING, 8, 1, w));
    VH_CHECK_NEAR(w[0], 0.08, 1e-15); VH_CHECK_NEAR(w[4], 1.0, 1e-15);
    VH_CHECK_INT_EQ(vh_window_fill(9, 8, 1, w), VH_EINVAL);
    VH_CHECK_INT_EQ(vh_window_fill(VH_WINDOW_HANN, 0, 1, w), VH_EINVAL);
}

VH_TEST(mel_scale) {
    VH_CHECK_NEAR(vh_hz_to_mel(1000, 0), 15.0, 1e-12);
    VH_CHECK_NEAR(vh_hz_to_mel(500, 0), 7.5, 1e-12);
    VH_CHECK_NEAR(vh_hz_to_mel(6400, 0), 42.0, 1e-9); /* 15 + 27 */
    VH_CHECK_NEAR(vh_hz_to_mel(1000, 1), 999.9855, 1e-3);
    for (double f = 0; f < 12000; f += 733) {
        VH_CHECK_NEAR(vh_mel_to_hz(vh_hz_to_mel(f, 0), 0), f, 1e-9);
        VH_CHECK_NEAR(vh_mel_to_hz(vh_hz_to_mel(f, 1), 1), f, 1e-9);
    }
}

static float *tone(size_t n, int sr, double f, double amp) {
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = (float)(amp * sin(2 * M_PI * f * (double)i / sr));
    return x;
}

VH_TEST(tone_lands_in_its_mel_band) {
    const int htk[] = {0, 1};
    const double freqs[] = {440, 1000, 3000};
    for (int h = 0; h < 2; h++)
        for (int fi = 0; fi < 3; fi++) {
            vh_features_params p = vh_features_default_params();
            p.htk = htk[h];
            vh_features *fx;
            VH_CHECK_OK(vh_features_new(&p, &fx));
            size_t n = 16000, frames;
            float *x = tone(n, 16000, freqs[fi], 0.5), *m;
            VH_CHECK_OK(vh_features_melspec(fx, x, n, &m, &frames));
            VH_CHECK_INT_EQ(frames, 1 + n / 160);
            const float *row = m + (frames / 2) * (size_t)p.n_mels;
            int best = 0;
            for (int b = 1; b < p.n_mels; b++) if (row[b] > row[best]) best = b;
            /* the band whose centre is closest to f on the mel scale */
            double lo = vh_hz_to_mel(0, p.htk), hi = vh_hz_to_mel(8000, p.htk), target = vh_hz_to_mel(freqs[fi], p.htk);
            double centre = (target - lo) / (hi - lo) * (p.n_mels + 1) - 1;
            VH_CHECK(fabs(best - centre) <= 1.0);
            free(x); free(m);
            vh_features_free(fx);
        }
}

VH_TEST(slaney_norm_filter_area) {
    /* Slaney norm: each triangle has height 2/(f2-f0) so its area in Hz is 1 */
    vh_features_params p = vh_features_librosa_params(22050);
    p.n_fft = 8192;
    p.win_length = 8192;
    p.n_mels = 40;
    vh_features *fx;
    VH_CHECK_OK(vh_features_new(&p, &fx));
    const float *w = vh_features_mel_weights(fx);
    size_t bins = 4097;
    double df = 22050.0 / 8192;
    for (int m = 2; m < 38; m++) {
        double area = 0;
        for (size_t b = 0; b < bins; b++) area += w[(size_t)m * bins + b] * df;
        VH_CHECK_NEAR(area, 1.0, 0.02);
    }
    vh_features_free(fx);
}

VH_TEST(unnormalised_triangles_peak_at_one) {
    /* without the Slaney norm each (HTK) triangle rises to 1 at its centre
     * frequency; with fine FFT bins the sampled peak is close to 1 */
    vh_features_params p = vh_features_librosa_params(16000);
    p.n_fft = 16384; p.win_length = 16384; p.n_mels = 20; p.htk = 1; p.slaney_norm = 0;
    vh_features *fx;
    VH_CHECK_OK(vh_features_new(&p, &fx));
    const float *w = vh_features_mel_weights(fx);
    size_t bins = 8193;
    for (int m = 0; m < 20; m++) {
        float mx = 0;
        for (size_t b = 0; b < bins; b++) mx = w[(size_t)m * bins + b] > mx ? w[(size_t)m * bins + b] : mx;
        VH_CHECK(mx <= 1.0f);
        VH_CHECK_NEAR(mx, 1.0, 0.05);
    }
    vh_features_free(fx);
}

VH_TEST(mask_segments) {
    unsigned char m[10] = {1, 1, 0, 0, 1, 0, 0, 0, 1, 1};
    vh_segment *s;
    size_t k;
    VH_CHECK_OK(vh_mask_segments(m, 10, 0.01, 0.093, &s, &k));
    VH_CHECK_INT_EQ(k, 3);
    if (k == 3) {
        VH_CHECK_NEAR(s[0].start, 0.0, 1e-12); VH_CHECK_NEAR(s[0].end, 0.015, 1e-12);
        VH_CHECK_NEAR(s[1].start, 0.035, 1e-12); VH_CHECK_NEAR(s[1].end, 0.045, 1e-12);
        VH_CHECK_NEAR(s[2].start, 0.075, 1e-12); VH_CHECK_NEAR(s[2].end, 0.093, 1e-12);
    }
    free(s);
    memset(m, 0, sizeof m);
    VH_CHECK_OK(vh_mask_segments(m, 10, 0.01, 0.1, &s, &k));
    VH_CHECK_INT_EQ(k, 0);
    VH_CHECK(s == NULL);
}

VH_TEST(white_noise_level_is_variance) {
    vh_features_params p = vh_features_default_params();
    p.window = VH_WINDOW_RECT;
    p.win_length = p.n_fft;
    p.center = 0;
    vh_features *fx;
    VH_CHECK_OK(vh_features_new(&p, &fx));
    vh_rng r;
    vh_rng_seed(&r, 3);
    size_t n = 160000;
    float *x = malloc(n * sizeof(float));
    double sigma = 0.1;
    for (size_t i = 0; i < n; i++) x[i] = (float)(sigma * vh_rng_normal(&r));
    float *s;
    size_t frames;
    VH_CHECK_OK(vh_features_spectrogram(fx, x, n, &s, &frames));
    VH_CHECK_INT_EQ(frames, 1 + (n - 512) / 160);
    double acc = 0;
    size_t cnt = 0;
    for (size_t t = 0; t < frames; t++)
        for (size_t b = 1; b < 256; b++) { acc += s[t * 257 + b]; cnt++; }
    VH_CHECK_NEAR(acc / cnt / 512.0, sigma * sigma, 0.03 * sigma * sigma);
    free(x); free(s);
    vh_features_free(fx);
}

VH_TEST(reflect_padding_frames) {
    /* frame 0 of a centred STFT equals the FFT of the reflect-padded head */
    vh_features_params p = vh_features_default_params();
    p.n_fft = 16; p.win_length = 16; p.hop = 4; p.n_mels = 4; p.n_mfcc = 4; p.window = VH_WINDOW_RECT;
    vh_features *fx;
    VH_CHECK_OK(vh_features_new(&p, &fx));
    float x[10];
    for (int i = 0; i < 10; i++) x[i] = (float)(i * i % 7) - 2.5f;
    float *s;
    size_t frames;
    VH_CHECK_OK(vh_features_spectrogram(fx, x, 10, &s, &frames));
    VH_CHECK_INT_EQ(frames, 3);
    /* numpy reflect of length 10 padded by 8: index -k -> k, 10+k -> 8-k, periodic beyond */
    double fr[16], sp[18];
    for (int j = 0; j < 16; j++) {
        int i = j - 8;
        while (i < 0 || i > 9) i = i < 0 ? -i : 18 - i;
        fr[j] = x[i];
    }
    vh_rfft *rf;
    VH_CHECK_OK(vh_rfft_new(16, &rf));
    vh_rfft_forward(rf, fr, sp);
    for (int b = 0; b < 9; b++) VH_CHECK_NEAR(s[b], sp[2 * b] * sp[2 * b] + sp[2 * b + 1] * sp[2 * b + 1], 1e-3);
    free(s);
    vh_rfft_free(rf);
    VH_CHECK_INT_EQ(vh_features_spectrogram(fx, x, 1, &s, &frames), VH_EINVAL);
    VH_CHECK(s == NULL);
    vh_features_free(fx);
    p.pad_mode = VH_PAD_ZERO;
    VH_CHECK_OK(vh_features_new(&p, &fx));
    VH_CHECK_OK(vh_features_mfcc(fx, x, 1, &s, &frames));
    VH_CHECK_INT_EQ(frames, 1);
    free(s);
    vh_features_free(fx);
    p.n_mfcc = 9; /* > n_mels */
    VH_CHECK_INT_EQ(vh_features_new(&p, &fx), VH_EINVAL);
    VH_CHECK(strstr(vh_last_error(), "n_mfcc") != NULL);
}

VH_TEST(dct_orthonormal) {
    size_t n = 12;
    float x[12], y[12], z[12];
    for (size_t i = 0; i < n; i++) x[i] = (float)sin(1.7 * (double)i) + 0.3f;
    VH_CHECK_OK(vh_dct2_ortho(x, 1, n, n, y));
    double ex = 0, ey = 0;
    for (size_t i = 0; i < n; i++) { ex += x[i] * x[i]; ey += y[i] * y[i]; }
    VH_CHECK_NEAR(ey, ex, 1e-4 * ex); /* orthonormal: energy preserved */
    double s0 = 0;
    for (size_t i = 0; i < n; i++) s0 += x[i];
    VH_CHECK_NEAR(y[0], s0 / sqrt((double)n), 1e-5);
    double s3 = 0;
    for (size_t i = 0; i < n; i++) s3 += x[i] * cos(M_PI * 3 * (2.0 * i + 1) / (2.0 * n));
    VH_CHECK_NEAR(y[3], s3 * sqrt(2.0 / n), 1e-5);
    VH_CHECK_OK(vh_dct2_ortho(x, 1, n, 4, z));
    for (int k = 0; k < 4; k++) VH_CHECK_NEAR(z[k], y[k], 1e-6);
    VH_CHECK_INT_EQ(vh_dct2_ortho(x, 1, n, n + 1, z), VH_EINVAL);
}

VH_TEST(deltas) {
    size_t T = 20;
    float lin[40], quad[40], d[40];
    for (size_t t = 0; t < T; t++) {
        lin[2 * t] = 3.0f * t - 1; lin[2 * t + 1] = -0.5f * t;
        quad[2 * t] = (float)(t * t); quad[2 * t + 1] = 5.0f;
    }
    VH_CHECK_OK(vh_delta(lin, T, 2, 9, 1, d));
    for (size_t t = 0; t < T; t++) { VH_CHECK_NEAR(d[2 * t], 3.0, 1e-4); VH_CHECK_NEAR(d[2 * t + 1], -0.5, 1e-5); }
    VH_CHECK_OK(vh_delta(quad, T, 2, 9, 2, d));
    for (size_t t = 0; t < T; t++) { VH_CHECK_NEAR(d[2 * t], 2.0, 1e-3); VH_CHECK_NEAR(d[2 * t + 1], 0.0, 1e-5); }
    VH_CHECK_OK(vh_delta(quad, T, 2, 9, 1, d));
    VH_CHECK_NEAR(d[2 * 10], 20.0, 1e-3);   /* interior: exact derivative 2t */
    VH_CHECK_NEAR(d[2 * 0], 8.0, 1e-3);     /* interp edge: slope of the line fit to t=0..8 */
    VH_CHECK_NEAR(d[2 * 19], 30.0, 1e-3);   /* slope fit on t=11..19 */
    VH_CHECK_INT_EQ(vh_delta(quad, 8, 2, 9, 1, d), VH_ERANGE);
    VH_CHECK_INT_EQ(vh_delta(quad, T, 2, 8, 1, d), VH_EINVAL);
}

VH_TEST(power_to_db) {
    float s[4] = {1.0f, 0.01f, 0.0f, 100.0f};
    vh_power_to_db(s, 4, 1.0, 1e-10, 80.0);
    VH_CHECK_NEAR(s[0], 0, 1e-5);
    VH_CHECK_NEAR(s[1], -20, 1e-4);
    VH_CHECK_NEAR(s[2], -60, 1e-4); /* -100 clipped to max (20) - 80 */
    VH_CHECK_NEAR(s[3], 20, 1e-5);
    float u[2] = {0.0f, 1e-3f};
    vh_power_to_db(u, 2, 10.0, 1e-10, 0);
    VH_CHECK_NEAR(u[0], -110, 1e-4);
    VH_CHECK_NEAR(u[1], -40, 1e-4);
}

static double median_voiced(const float *f0, size_t n, size_t *voiced) {
    float *v = malloc(n * sizeof(float));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (f0[i] > 0) v[k++] = f0[i];
    *voiced = k;
    for (size_t i = 1; i < k; i++) for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) { float t = v[j]; v[j] = v[j - 1]; v[j - 1] = t; }
    double m = k ? v[k / 2] : 0;
    free(v);
    return m;
}

/* Differentiated Rosenberg glottal pulse train at f0 Hz. */
static float *pulse_train(size_t n, int sr, double f0) {
    float *x = malloc(n * sizeof(float));
    double prev = 0;
    for (size_t i = 0; i < n; i++) {
        double ph = fmod((double)i * f0 / sr, 1.0), g;
        const double tp = 0.4, tn = 0.16;
        if (ph < tp) g = 0.5 * (1 - cos(M_PI * ph / tp));
        else if (ph < tp + tn) g = cos(M_PI * (ph - tp) / (2 * tn));
        else g = 0;
        x[i] = (float)(4.0 * (g - prev));
        prev = g;
    }
    return x;
}

VH_TEST(yin_tones_and_pulses) {
    vh_pitch_params pp = vh_pitch_default_params();
    vh_pitch *ph;
    VH_CHECK_OK(vh_pitch_new(&pp, &ph));
    size_t n = 16000, frames = vh_pitch_frames(ph, n);
    VH_CHECK_INT_EQ(frames, 101);
    float *f0 = malloc(frames * sizeof(float)), *ap = malloc(frames * sizeof(float));
    const double freqs[] = {80, 100, 220.5, 330, 455};
    for (int i = 0; i < 5; i++) {
        float *x = tone(n, 16000, freqs[i], 0.3);
        VH_CHECK_OK(vh_pitch_track(ph, x, n, f0, ap, frames));
        size_t nv;
        double m = median_voiced(f0, frames, &nv);
        VH_CHECK_NEAR(m, freqs[i], 0.01 * freqs[i]);
        VH_CHECK(nv >= frames - 6);
        for (size_t t = 5; t < frames - 5; t++) VH_CHECK_NEAR(f0[t], freqs[i], 0.01 * freqs[i]);
        free(x);
        x = pulse_train(n, 16000, freqs[i]);
        VH_CHECK_OK(vh_pitch_track(ph, x, n, f0, NULL, frames));
        for (size_t t = 5; t < frames - 5; t++) VH_CHECK_NEAR(f0[t], freqs[i], 0.01 * freqs[i]);
        free(x);
    }
    /* a quiet recording (-66 dBFS peak) is tracked too: the gate is relative */
    {
        float *q = tone(n, 16000, 150, 0.0005);
        VH_CHECK_OK(vh_pitch_track(ph, q, n, f0, NULL, frames));
        for (size_t t = 5; t < frames - 5; t++) VH_CHECK_NEAR(f0[t], 150, 1.5);
        free(q);
    }
    /* silence: nothing voiced; white noise: almost nothing voiced */
    float *z = calloc(n, sizeof(float));
    VH_CHECK_OK(vh_pitch_track(ph, z, n, f0, NULL, frames));
    size_t nv;
    median_voiced(f0, frames, &nv);
    VH_CHECK_INT_EQ(nv, 0);
    vh_rng r;
    vh_rng_seed(&r, 4);
    for (size_t i = 0; i < n; i++) z[i] = (float)(0.1 * vh_rng_normal(&r));
    VH_CHECK_OK(vh_pitch_track(ph, z, n, f0, ap, frames));
    median_voiced(f0, frames, &nv);
    VH_CHECK(nv <= frames / 20);
    VH_CHECK(ap[50] > 0.5);
    VH_CHECK_INT_EQ(vh_pitch_track(ph, z, n, f0, NULL, frames - 1), VH_EINVAL);
    free(z); free(f0); free(ap);
    vh_pitch_free(ph);
    pp.fmax = 7000;
    VH_CHECK_INT_EQ(vh_pitch_new(&pp, &ph), VH_EINVAL);
}

/* Gaussian glottal-like pulses at cycle boundaries with given periods (s) and
 * amplitudes; returns the signal and its length. */
static float *cycles(int sr, const double *per, const double *amp, size_t nc, size_t *n_out) {
    double total = 0;
    for (size_t k = 0; k < nc; k++) total += per[k];
    size_t n = (size_t)(total * sr);
    float *x = calloc(n, sizeof(float));
    double b = 0;
    for (size_t k = 0; k < nc; k++) {
        double pk = b; /* peak at the start of cycle k */
        for (long i = (long)((pk - 0.5 * per[k]) * sr); i < (long)((pk + 0.5 * per[k]) * sr) + 1; i++) {
            if (i < 0 || (size_t)i >= n) continue;
            double t = i / (double)sr - pk;
            double T = t < 0 ? (k ? per[k - 1] : per[k]) : per[k];
            double u = t / (0.08 * T);
            if (fabs(t) <= 0.5 * T) x[i] += (float)(amp[k] * exp(-0.5 * u * u));
        }
        b += per[k];
    }
    *n_out = n;
    return x;
}

VH_TEST(jitter_and_shimmer_known_perturbation) {
    int sr = 16000;
    size_t nc = 200, n;
    double *per = malloc(nc * sizeof(double)), *amp = malloc(nc * sizeof(double));
    float f0[400];
    for (int i = 0; i < 400; i++) f0[i] = 125.0f;
    double jit, shim;
    size_t np;
    /* 1: alternating periods +-1 % -> jitter 2 %; constant amplitude -> shimmer ~0 */
    for (size_t k = 0; k < nc; k++) { per[k] = 0.008 * (k % 2 ? 1.01 : 0.99); amp[k] = 0.5; }
    float *x = cycles(sr, per, amp, nc, &n);
    size_t frames = 1 + n / 160;
    VH_CHECK_OK(vh_jitter_shimmer(x, n, sr, f0, frames, 160, 60, 500, &jit, &shim, &np));
    VH_CHECK_NEAR(jit, 0.02, 0.002);
    VH_CHECK(shim < 0.05);
    VH_CHECK(np > 150);
    free(x);
    /* 2: random periods (+-2 % uniform) vs the generated truth */
    vh_rng r;
    vh_rng_seed(&r, 5);
    for (size_t k = 0; k < nc; k++) { per[k] = 0.008 * (1 + 0.02 * (2 * vh_rng_uniform(&r) - 1)); amp[k] = 0.5; }
    double sd = 0, sp = 0;
    for (size_t k = 1; k < nc; k++) sd += fabs(per[k] - per[k - 1]);
    for (size_t k = 0; k < nc; k++) sp += per[k];
    double truth = (sd / (nc - 1)) / (sp / nc);
    x = cycles(sr, per, amp, nc, &n);
    frames = 1 + n / 160;
    VH_CHECK_OK(vh_jitter_shimmer(x, n, sr, f0, frames, 160, 60, 500, &jit, &shim, &np));
    VH_CHECK_NEAR(jit, truth, 0.1 * truth);
    free(x);
    /* 3: clean periodic -> jitter ~0; alternating amplitude 0.55/0.45 -> shimmer 20log10(0.55/0.45) */
    for (size_t k = 0; k < nc; k++) { per[k] = 0.008; amp[k] = k % 2 ? 0.55 : 0.45; }
    x = cycles(sr, per, amp, nc, &n);
    frames = 1 + n / 160;
    VH_CHECK_OK(vh_jitter_shimmer(x, n, sr, f0, frames, 160, 60, 500, &jit, &shim, &np));
    VH_CHECK(jit < 0.002);
    VH_CHECK_NEAR(shim, 20 * log10(0.55 / 0.45), 0.05);
    /* 4: the alternating +-1 % train through a 700 Hz formant resonator
     * (ripples between the pulses) still gives 2 % */
    for (size_t k = 0; k < nc; k++) { per[k] = 0.008 * (k % 2 ? 1.01 : 0.99); amp[k] = 0.5; }
    free(x);
    x = cycles(sr, per, amp, nc, &n);
    {
        double rr = exp(-M_PI * 120.0 / sr), th = 2 * M_PI * 700.0 / sr, y1 = 0, y2 = 0;
        for (size_t i = 0; i < n; i++) {
            double y = x[i] + 2 * rr * cos(th) * y1 - rr * rr * y2;
            y2 = y1; y1 = y;
            x[i] = (float)(0.05 * y);
        }
    }
    frames = 1 + n / 160;
    VH_CHECK_OK(vh_jitter_shimmer(x, n, sr, f0, frames, 160, 60, 500, &jit, &shim, &np));
    VH_CHECK_NEAR(jit, 0.02, 0.003);
    VH_CHECK(np > 150);
    /* unvoiced everywhere -> NaN */
    float z[400] = {0};
    VH_CHECK_OK(vh_jitter_shimmer(x, n, sr, z, frames, 160, 60, 500, &jit, &shim, &np));
    VH_CHECK(isnan(jit) && isnan(shim));
    VH_CHECK_INT_EQ(np, 0);
    free(x);
    free(per); free(amp);
}

VH_TEST(hnr_clean_noisy_noise) {
    int sr = 16000;
    size_t n = 16000, frames = 1 + n / 160;
    float *x = tone(n, sr, 137.3, 0.5);
    double h;
    VH_CHECK_OK(vh_hnr(x, n, sr, 60, 500, 160, NULL, frames, &h));
    VH_CHECK(h > 30);
    vh_rng r;
    vh_rng_seed(&r, 6);
    /* tone power 0.125; noise power 0.0125 -> SNR 10 dB */
    for (size_t i = 0; i < n; i++) x[i] += (float)(sqrt(0.0125) * vh_rng_normal(&r));
    VH_CHECK_OK(vh_hnr(x, n, sr, 60, 500, 160, NULL, frames, &h));
    VH_CHECK_NEAR(h, 10.0, 2.0);
    for (size_t i = 0; i < n; i++) x[i] = (float)(0.3 * vh_rng_normal(&r));
    VH_CHECK_OK(vh_hnr(x, n, sr, 60, 500, 160, NULL, frames, &h));
    VH_CHECK(h < 0);
    memset(x, 0, n * sizeof(float));
    VH_CHECK_OK(vh_hnr(x, n, sr, 60, 500, 160, NULL, frames, &h));
    VH_CHECK(isnan(h));
    free(x);
}

/* Harmonic "vowel" bursts over a -50 dBFS noise floor: bursts at the given
 * [start, end) times (s). */
static float *bursts(size_t n, int sr, const double *se, int nb, double am_hz, unsigned seed) {
    float *x = malloc(n * sizeof(float));
    vh_rng r;
    vh_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / sr, v = 0.00316 * vh_rng_normal(&r);
        for (int b = 0; b < nb; b++)
            if (t >= se[2 * b] && t < se[2 * b + 1]) {
                double env = am_hz > 0 ? 0.5 - 0.5 * cos(2 * M_PI * am_hz * (t - se[2 * b])) : 1.0;
                for (int hmo = 1; hmo <= 12; hmo++) v += env * 0.3 / hmo * sin(2 * M_PI * 140 * hmo * t + hmo);
            }
        x[i] = (float)v;
    }
    return x;
}

VH_TEST(vad_finds_known_silences) {
    int sr = 16000;
    const double se[] = {0.30, 1.10, 1.50, 2.00, 2.90, 3.60};
    size_t n = 4 * sr, frames = 1 + n / 160;
    float *x = bursts(n, sr, se, 3, 0, 7);
    vh_vad_params vp = vh_vad_default_params();
    unsigned char *m = malloc(frames);
    VH_CHECK_OK(vh_vad(&vp, x, n, NULL, m, frames));
    vh_segment *s;
    size_t k;
    VH_CHECK_OK(vh_mask_segments(m, frames, 0.01, 4.0, &s, &k));
    VH_CHECK_INT_EQ(k, 3);
    for (size_t i = 0; i < k && i < 3; i++) {
        VH_CHECK_NEAR(s[i].start, se[2 * i], 0.05);
        VH_CHECK_NEAR(s[i].end, se[2 * i + 1], 0.05);
    }
    free(s);
    /* stationary white noise alone is never speech; a sustained vowel without
     * any pause is speech throughout */
    vh_rng r;
    vh_rng_seed(&r, 9);
    for (size_t i = 0; i < n; i++) x[i] = (float)(0.05 * vh_rng_normal(&r));
    VH_CHECK_OK(vh_vad(&vp, x, n, NULL, m, frames));
    size_t cnt = 0;
    for (size_t t = 0; t < frames; t++) cnt += m[t];
    VH_CHECK_INT_EQ(cnt, 0);
    free(x);
    const double all[] = {0.0, 4.0};
    x = bursts(n, sr, all, 1, 0, 10);
    VH_CHECK_OK(vh_vad(&vp, x, n, NULL, m, frames));
    cnt = 0;
    for (size_t t = 0; t < frames; t++) cnt += m[t];
    VH_CHECK_INT_EQ(cnt, frames);
    /* pure silence: no speech at all */
    memset(x, 0, n * sizeof(float));
    VH_CHECK_OK(vh_vad(&vp, x, n, NULL, m, frames));
    size_t any = 0;
    for (size_t t = 0; t < frames; t++) any += m[t];
    VH_CHECK_INT_EQ(any, 0);
    free(x); free(m);
}

VH_TEST(prosody_synthetic) {
    int sr = 16000;
    /* two 1 s stretches of 4 Hz "syllables" separated by a 0.6 s pause */
    const double se[] = {0.2, 1.2, 1.8, 2.8};
    size_t n = 3 * sr;
    float *x = bursts(n, sr, se, 2, 4.0, 8);
    vh_prosody_params pp = vh_prosody_default_params();
    vh_prosody pr;
    vh_segment *segs;
    size_t ns;
    VH_CHECK_OK(vh_prosody_compute(&pp, x, n, &pr, &segs, &ns));
    VH_CHECK_NEAR(pr.duration_s, 3.0, 1e-9);
    VH_CHECK_INT_EQ(pr.syllables, 8);
    VH_CHECK_INT_EQ(pr.pause_count, 1);
    VH_CHECK_NEAR(pr.pause_total_s, 0.6, 0.1);
    VH_CHECK_NEAR(pr.pause_max_s, pr.pause_mean_s, 1e-12);
    VH_CHECK_NEAR(pr.f0_mean_hz, 140, 1.4);
    VH_CHECK(pr.f0_sd_hz < 2);
    VH_CHECK_NEAR(pr.f0_mean_st, 12 * log2(1.4), 0.2);
    VH_CHECK(pr.jitter_local < 0.01);
    VH_CHECK(pr.hnr_db > 15);
    VH_CHECK_NEAR(pr.articulation_rate, 4.0, 0.6);
    VH_CHECK_INT_EQ(ns, (size_t)pr.segments);
    free(segs);
    memset(x, 0, n * sizeof(float));
    VH_CHECK_OK(vh_prosody_compute(&pp, x, n, &pr, NULL, NULL));
    VH_CHECK_NEAR(pr.speech_s, 0, 0);
    VH_CHECK_INT_EQ(pr.syllables, 0);
    VH_CHECK_INT_EQ(pr.pause_count, 0);
    VH_CHECK(isnan(pr.f0_mean_hz) && isnan(pr.jitter_local) && isnan(pr.hnr_db));
    VH_CHECK_INT_EQ(vh_prosody_compute(&pp, x, 0, &pr, NULL, NULL), VH_EEMPTY);
    free(x);
}

int main(void) {
    VH_RUN(fft_matches_direct_dft);
    VH_RUN(fft_impulse_and_sine);
    VH_RUN(rfft_matches_fft_and_parseval);
    VH_RUN(windows);
    VH_RUN(mel_scale);
    VH_RUN(tone_lands_in_its_mel_band);
    VH_RUN(slaney_norm_filter_area);
    VH_RUN(unnormalised_triangles_peak_at_one);
    VH_RUN(mask_segments);
    VH_RUN(white_noise_level_is_variance);
    VH_RUN(reflect_padding_frames);
    VH_RUN(dct_orthonormal);
    VH_RUN(deltas);
    VH_RUN(power_to_db);
    VH_RUN(yin_tones_and_pulses);
    VH_RUN(jitter_and_shimmer_known_perturbation);
    VH_RUN(hnr_clean_noisy_noise);
    VH_RUN(vad_finds_known_silences);
    VH_RUN(prosody_synthetic);
    return vh_test_summary();
}
