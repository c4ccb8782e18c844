/* Resampling quality of the audio path the front end uses: sines written to a
 * 44.1 kHz float WAV by this test are loaded at 16 kHz through vh_audio_load;
 * below the new Nyquist the SNR (signal vs residual after a least-squares sine
 * fit) must be >= 60 dB with the amplitude kept (0.1 dB to 5.6 kHz, 0.5 dB at
 * 7 kHz), and a tone above it must be
 * rejected (no aliasing). */
#include "verhm/dsp.h"
#include "verhm/media.h"
#include "vh_test.h"
#include <stdint.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void put32(FILE *f, uint32_t v) { unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)}; fwrite(b, 1, 4, f); }
static void put16(FILE *f, unsigned v) { unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)}; fwrite(b, 1, 2, f); }

/* IEEE-float mono WAV */
static int write_wav(const char *path, const float *x, size_t n, unsigned rate) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fwrite("RIFF", 1, 4, f); put32(f, (uint32_t)(36 + 4 * n)); fwrite("WAVEfmt ", 1, 8, f);
    put32(f, 16); put16(f, 3); put16(f, 1); put32(f, rate); put32(f, rate * 4); put16(f, 4); put16(f, 32);
    fwrite("data", 1, 4, f); put32(f, (uint32_t)(4 * n));
    for (size_t i = 0; i < n; i++) { uint32_t u; memcpy(&u, &x[i], 4); put32(f, u); }
    return fclose(f);
}

/* Least-squares fit of a*sin + b*cos + c at f over y[lo, hi): returns the SNR in
 * dB and the fitted amplitude. */
static double sine_snr(const float *y, size_t lo, size_t hi, double f, double sr, double *amp) {
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0, mean = 0;
    for (size_t i = lo; i < hi; i++) mean += y[i];
    mean /= (double)(hi - lo);
    for (size_t i = lo; i < hi; i++) {
        double s = sin(2 * M_PI * f * i / sr), c = cos(2 * M_PI * f * i / sr), v = y[i] - mean;
        ss += s * s; cc += c * c; sc += s * c; ys += v * s; yc += v * c;
    }
    double det = ss * cc - sc * sc, a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
    double ps = 0, pn = 0;
    for (size_t i = lo; i < hi; i++) {
        double fit = a * sin(2 * M_PI * f * i / sr) + b * cos(2 * M_PI * f * i / sr);
        ps += fit * fit;
        pn += (y[i] - mean - fit) * (y[i] - mean - fit);
    }
    *amp = hypot(a, b);
    return 10 * log10(ps / (pn + 1e-30));
}

VH_TEST(resample_44k1_to_16k_snr) {
    char path[] = "/tmp/vh_dsp_resample_XXXXXX";
    int fd = mkstemp(path);
    VH_CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    const double freqs[] = {100, 440, 1000, 3000, 5000, 7000};
    size_t n = 2 * 44100;
    float *x = malloc(n * sizeof(float));
    for (size_t k = 0; k < sizeof freqs / sizeof freqs[0]; k++) {
        for (size_t i = 0; i < n; i++) x[i] = (float)(0.5 * sin(2 * M_PI * freqs[k] * i / 44100.0 + 0.3));
        VH_CHECK(write_wav(path, x, n, 44100) == 0);
        float *y;
        size_t m;
        VH_CHECK_OK(vh_audio_load(path, 16000, 0, &y, &m));
        if (!y) continue;
        VH_CHECK(m >= 31900 && m <= 32100);
        double amp, snr = sine_snr(y, 1600, m - 1600, freqs[k], 16000, &amp);
        printf("  %6.0f Hz: SNR %.1f dB, amplitude %.4f\n", freqs[k], snr, amp);
        VH_CHECK(snr >= 60);
        /* pass band: within 0.1 dB up to 0.7 x Nyquist, 0.5 dB at 7 kHz (filter roll-off) */
        VH_CHECK_NEAR(20 * log10(amp / 0.5), 0, freqs[k] <= 5600 ? 0.1 : 0.5);
        vh_free(y);
    }
    /* 11 kHz is above the 8 kHz Nyquist: must not alias into the band */
    for (size_t i = 0; i < n; i++) x[i] = (float)(0.5 * sin(2 * M_PI * 11000 * i / 44100.0));
    VH_CHECK(write_wav(path, x, n, 44100) == 0);
    float *y;
    size_t m;
    VH_CHECK_OK(vh_audio_load(path, 16000, 0, &y, &m));
    if (y) {
        double p = 0;
        for (size_t i = 1600; i < m - 1600; i++) p += (double)y[i] * y[i];
        double db = 10 * log10(p / (double)(m - 3200) / 0.125 + 1e-30);
        printf("  11000 Hz: %.1f dB after resampling (alias rejection)\n", db);
        VH_CHECK(db < -40);
        vh_free(y);
    }
    free(x);
    unlink(path);
}

int main(void) {
    VH_RUN(resample_44k1_to_16k_snr);
    return vh_test_summary();
}
