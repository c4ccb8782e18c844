/*
 * verhm/dsp.h — the audio front end: FFT, windows, STFT, mel filterbank, log-mel,
 * MFCC, deltas, pitch (YIN), energy, voice-activity detection and clinical prosody
 * (speaking rate, pauses, pitch statistics, jitter, shimmer, HNR).
 *
 * Conventions
 *  - Audio is mono float samples (any amplitude scale; [-1, 1] from vh_audio_load).
 *  - Frame-wise outputs are row-major [frame][coefficient] float arrays.
 *  - Frames are centred: frame t is centred on sample t*hop, so a signal of n
 *    samples has 1 + n/hop frames (integer division), the librosa convention.
 *  - Plans/handles (vh_fft, vh_rfft, vh_features, vh_pitch) size all their
 *    workspaces when created; computing never allocates per frame. A handle is
 *    not thread-safe: use one per thread. free(NULL) is a no-op for all of them.
 *  - Fallible functions return VH_OK or a negative VH_E* status; the detailed
 *    message is in vh_last_error() (and in the handle's *_error()).
 *  - Arrays returned through `float **out` are allocated by the library and the
 *    caller frees them with vh_free().
 *  - Statistics that are undefined (pitch of silence, jitter without periods)
 *    are NaN; the JSON writer prints them as null.
 */
#ifndef VERHM_DSP_H
#define VERHM_DSP_H

#include "verhm/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest transform / frame size accepted anywhere in this module (2^20). */
#define VH_DSP_MAX_N ((size_t)1 << 20)

/* ---- FFT ----------------------------------------------------------------
 * Complex DFT of any length n in [1, VH_DSP_MAX_N]: iterative radix-2 for
 * powers of two, Bluestein's chirp-z algorithm (through a power-of-two FFT)
 * otherwise. Complex data is interleaved (re, im) doubles.
 * Forward: X[k] = sum_j x[j] exp(-2 pi i j k / n) (no scaling).
 * Inverse: x[j] = (1/n) sum_k X[k] exp(+2 pi i j k / n) (numpy's convention). */
typedef struct vh_fft vh_fft;

/* Creates a plan for length n. Errors: VH_ERANGE (n out of range), VH_ENOMEM. */
int vh_fft_new(size_t n, vh_fft **out);
void vh_fft_free(vh_fft *f);
size_t vh_fft_size(const vh_fft *f);
/* Transforms n complex values `in` into `out` (2n doubles each; in == out allowed). */
void vh_fft_forward(vh_fft *f, const double *in, double *out);
void vh_fft_inverse(vh_fft *f, const double *in, double *out);

/* Real-input FFT of length n (any n in [1, VH_DSP_MAX_N]; even n runs one complex
 * FFT of n/2). Output: the n/2+1 non-negative-frequency bins, interleaved. */
typedef struct vh_rfft vh_rfft;
int vh_rfft_new(size_t n, vh_rfft **out);
void vh_rfft_free(vh_rfft *f);
size_t vh_rfft_size(const vh_rfft *f);
/* n real samples `in` -> 2*(n/2+1) doubles `out`. */
void vh_rfft_forward(vh_rfft *f, const double *in, double *out);
/* 2*(n/2+1) doubles (Hermitian half spectrum; the imaginary parts of bin 0 and,
 * for even n, bin n/2 are ignored) -> n real samples, scaled by 1/n. */
void vh_rfft_inverse(vh_rfft *f, const double *in, double *out);

/* ---- windows ----------------------------------------------------------- */

enum vh_window_type { VH_WINDOW_HANN = 0, VH_WINDOW_HAMMING = 1, VH_WINDOW_RECT = 2 };

/* Fills w[0..n-1]. `periodic` non-zero gives the DFT-even window used for
 * spectral analysis (scipy get_window(fftbins=True), librosa's STFT):
 * Hann w[j] = 0.5 - 0.5 cos(2 pi j / n); symmetric uses n-1 in the denominator.
 * Hamming: 0.54 - 0.46 cos(...). Errors: VH_EINVAL (unknown type, n == 0). */
int vh_window_fill(int type, size_t n, int periodic, double *w);

/* ---- mel scale --------------------------------------------------------- */

/* Hz <-> mel. htk == 0: Slaney's Auditory Toolbox scale (librosa default):
 * linear below 1 kHz (f / (200/3)), logarithmic above (15 + ln(f/1000) /
 * (ln 6.4 / 27)). htk != 0: 2595 log10(1 + f/700). */
double vh_hz_to_mel(double hz, int htk);
double vh_mel_to_hz(double mel, int htk);

/* ---- spectral features (STFT, mel, log-mel, MFCC) ----------------------- */

enum vh_pad_mode { VH_PAD_REFLECT = 0, VH_PAD_ZERO = 1 };

typedef struct vh_features_params {
    int sr;            /* sample rate of the input, Hz */
    int n_fft;         /* FFT length (any size; 2048, 512, 400...) */
    int hop;           /* hop length, samples */
    int win_length;    /* window length <= n_fft, zero-padded to n_fft centred */
    int window;        /* vh_window_type; periodic */
    int center;        /* non-zero: pad n_fft/2 on both sides (frames centred) */
    int pad_mode;      /* vh_pad_mode for the centre padding (numpy semantics) */
    double power;      /* spectrogram exponent: 2 power, 1 magnitude */
    int n_mels;        /* mel bands */
    double fmin, fmax; /* band edges, Hz; fmax <= 0 means sr/2 */
    int htk;           /* mel scale: 0 Slaney, 1 HTK */
    int slaney_norm;   /* non-zero: area normalisation 2/(f[i+2]-f[i]) (librosa norm='slaney') */
    double ref, amin, top_db; /* power_to_db; top_db <= 0 disables the clip */
    int n_mfcc;        /* MFCCs kept (DCT-II orthonormal of the dB mel spectrum) */
} vh_features_params;

/* librosa 0.8 melspectrogram / mfcc defaults at sample rate `sr` (22050 is
 * librosa's default): n_fft 2048, hop 512, win 2048, periodic Hann, centred,
 * reflect padding, power 2, 128 Slaney mels with Slaney norm over [0, sr/2],
 * power_to_db(ref 1, amin 1e-10, top_db 80), 20 MFCCs. */
vh_features_params vh_features_librosa_params(int sr);
/* The 16 kHz speech front end for verhm's models: n_fft 512, 25 ms Hann window
 * (400 samples), 10 ms hop (160), centred reflect, power 2, 80 Slaney mels
 * over [0, 8000] Hz, dB as above (top_db 80), 20 MFCCs. */
vh_features_params vh_features_default_params(void);

typedef struct vh_features vh_features;

/* Validates `p` (VH_EINVAL with a message naming the field) and builds the
 * window, FFT plan and mel filterbank. */
int vh_features_new(const vh_features_params *p, vh_features **out);
void vh_features_free(vh_features *h);
const char *vh_features_error(const vh_features *h);
const vh_features_params *vh_features_get_params(const vh_features *h);
/* Frames for a signal of n samples: 1 + n/hop when centred, else
 * 1 + (n - n_fft)/hop (0 when n < n_fft). */
size_t vh_features_frames(const vh_features *h, size_t n);
/* The mel filterbank, n_mels rows of n_fft/2+1 weights (owned by h). */
const float *vh_features_mel_weights(const vh_features *h);

/* Spectrogram |STFT|^power: *out = frames x (n_fft/2+1). Errors: VH_EEMPTY
 * (no complete frame), VH_EINVAL (reflect padding needs n >= 2), VH_ENOMEM. */
int vh_features_spectrogram(vh_features *h, const float *x, size_t n, float **out, size_t *frames);
/* Mel power spectrogram: *out = frames x n_mels (weights . |STFT|^power). */
int vh_features_melspec(vh_features *h, const float *x, size_t n, float **out, size_t *frames);
/* Log-mel in dB: power_to_db of the mel spectrogram (top_db relative to the
 * maximum of the whole signal, as librosa). *out = frames x n_mels. */
int vh_features_logmel(vh_features *h, const float *x, size_t n, float **out, size_t *frames);
/* MFCC: DCT-II (orthonormal) over the log-mel of each frame, first n_mfcc
 * coefficients. *out = frames x n_mfcc. */
int vh_features_mfcc(vh_features *h, const float *x, size_t n, float **out, size_t *frames);

/* MFCC from a log-mel matrix this handle produced (frames x n_mels), so a
 * caller who needs both runs the STFT once: *out = frames x n_mfcc. */
int vh_features_mfcc_from_logmel(vh_features *h, const float *logmel, size_t frames, float **out);

/* In place: S = 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then
 * S = max(S, max(S) - top_db) when top_db > 0 (librosa.power_to_db). */
void vh_power_to_db(float *s, size_t count, double ref, double amin, double top_db);

/* Orthonormal DCT-II of each of `rows` rows of length n, keeping the first
 * `keep` (<= n) coefficients: y[k] = s_k sum_j x[j] cos(pi k (2j+1) / (2n)),
 * s_0 = sqrt(1/n), s_k = sqrt(2/n) (scipy.fftpack.dct(type=2, norm='ortho')).
 * out: rows x keep. Errors: VH_EINVAL, VH_ENOMEM. */
int vh_dct2_ortho(const float *in, size_t rows, size_t n, size_t keep, float *out);

/* librosa.feature.delta(width, order, mode='interp') along frames: a
 * Savitzky-Golay derivative of polynomial order `order` (1 or 2) over `width`
 * frames (odd, >= 3); the first and last width/2 frames take the derivative of
 * the polynomial fitted to the first/last `width` frames. `in` and `out` are
 * frames x coefs (distinct buffers). Errors: VH_EINVAL (bad width/order),
 * VH_ERANGE (frames < width, as librosa). */
int vh_delta(const float *in, size_t frames, size_t coefs, int width, int order, float *out);

/* ---- energy ------------------------------------------------------------ */

/* RMS of centred frames (zero-padded at the ends) of `frame_len` samples every
 * `hop`: out[t] for t < frames (see vh_features_frames with center). With
 * `db` non-zero the values are 20 log10(max(rms, 1e-10)). Errors: VH_EINVAL. */
int vh_rms(const float *x, size_t n, size_t frame_len, size_t hop, int db, float *out, size_t frames);

/* ---- pitch (YIN) --------------------------------------------------------
 * de Cheveigne & Kawahara (2002), "YIN, a fundamental frequency estimator for
 * speech and music", JASA 111(4). Per frame: difference function d(tau) over
 * an integration window of W = ceil(sr/fmin) samples (computed with FFT
 * cross-correlation), cumulative-mean-normalised d'(tau); the first lag in
 * [sr/fmax, sr/fmin] where d' dips below `threshold` (then its local minimum),
 * else the global minimum; parabolic interpolation on d. A frame is voiced when
 * that d' < threshold and the RMS of its integration window is above
 * `silence_db` relative to the signal's peak sample (Praat's silence threshold
 * is relative to the global peak as well). */
typedef struct vh_pitch_params {
    int sr;
    double fmin, fmax;   /* search range, Hz (defaults 65, 500; at 16 kHz a 65 Hz floor
                          * keeps the correlation FFT at 512 points) */
    double hop_s;        /* frame step, seconds (default 0.01) */
    double threshold;    /* YIN absolute threshold on d' (default 0.15) */
    double silence_db;   /* frames quieter than this RMS, dB re the peak sample, are unvoiced (default -60) */
} vh_pitch_params;

/* Defaults for 16 kHz speech (values above). */
vh_pitch_params vh_pitch_default_params(void);

typedef struct vh_pitch vh_pitch;
int vh_pitch_new(const vh_pitch_params *p, vh_pitch **out);
void vh_pitch_free(vh_pitch *h);
const char *vh_pitch_error(const vh_pitch *h);
/* Hop in samples (round(hop_s * sr)) and frames for n samples (1 + n/hop). */
size_t vh_pitch_hop(const vh_pitch *h);
size_t vh_pitch_frames(const vh_pitch *h, size_t n);
/* Tracks f0: f0[t] in Hz (0 when unvoiced) for t < frames; `aperiodicity`
 * (may be NULL) receives the d' value of the chosen lag (0 = perfectly
 * periodic, ~1 = noise). frames must equal vh_pitch_frames(h, n). */
int vh_pitch_track(vh_pitch *h, const float *x, size_t n, float *f0, float *aperiodicity, size_t frames);

/* ---- voice-activity detection ------------------------------------------
 * Energy with an adaptive noise floor plus spectral/periodicity cues:
 *  floor = 10th percentile of frame RMS dB, peak = 99th percentile;
 *  threshold = min(max(floor + margin_db, peak - range_db), peak - min_range_db)
 *  (the cap keeps input without any pause, e.g. a sustained vowel, from being
 *  taken for the noise floor);
 *  a frame is speech if its energy exceeds the threshold and either it is
 *  voiced (f0 given and > 0), its spectral flatness (300-4000 Hz) is below
 *  `flatness_max`, or its energy exceeds the floor by margin_db + strong_db
 *  (so stationary noise alone is never speech);
 *  hangover with hysteresis: a run continues (both ends) for up to
 *  `hangover_s` while the energy stays above a lower threshold (threshold - 6
 *  dB, but at least floor + margin_db/2), so weak word endings are kept in
 *  noise without stretching runs into true silence; then gaps shorter than
 *  `min_pause_s` are bridged and runs shorter than `min_speech_s` dropped.
 *  Boundaries are accurate to about half the energy window (~12 ms early
 *  onsets / late offsets with the 25 ms default). */
typedef struct vh_vad_params {
    int sr;
    double hop_s, win_s;    /* 0.01, 0.025 */
    double margin_db;       /* 10 */
    double range_db;        /* 45 */
    double min_range_db;    /* 15 */
    double strong_db;       /* 10 */
    double flatness_max;    /* 0.35 */
    double hangover_s;      /* 0.1 */
    double min_pause_s;     /* 0.15 */
    double min_speech_s;    /* 0.05 */
} vh_vad_params;

vh_vad_params vh_vad_default_params(void);

/* speech[t] = 1/0 for t < frames (frames = 1 + n/round(hop_s*sr)). `f0` is an
 * optional pitch track with the same hop (NULL: no voicing cue). Errors:
 * VH_EINVAL, VH_ENOMEM. */
int vh_vad(const vh_vad_params *p, const float *x, size_t n, const float *f0,
           unsigned char *speech, size_t frames);

/* A time interval in seconds. */
typedef struct vh_segment { double start, end; } vh_segment;

/* Runs of 1 in mask[0..frames) as segments: frame t covers [t*hop_s - hop_s/2,
 * t*hop_s + hop_s/2] clipped to [0, duration_s]. *segs (caller frees with
 * vh_free; NULL when *count is 0). */
int vh_mask_segments(const unsigned char *mask, size_t frames, double hop_s, double duration_s,
                     vh_segment **segs, size_t *count);

/* ---- voice quality ----------------------------------------------------- */

/* Jitter and shimmer from glottal-cycle peaks (Praat's definitions, Boersma &
 * Weenink, "Voice" manual): in each run of voiced frames of `f0` (hop `hop`
 * samples) the first cycle's positive peak is taken; each next cycle is
 * predicted by the lag (0.75-1.25 local periods) of the best normalised
 * cross-correlation of one period around the current peak, then snapped to
 * the waveform peak within +-1/8 period (parabolic interpolation), so formant
 * ripples between pulses are not mistaken for pulses. Periods within
 * [1/fmax, 1/fmin] s whose correlation is >= 0.5 count; pairs with a period
 * ratio above 1.3 are skipped. Measured on connected speech these are higher
 * than on sustained vowels (intonation and voicing onsets are included).
 *  jitter_local = mean |T[i] - T[i-1]| / mean T          (fraction, not %)
 *  shimmer_local_db = mean |20 log10(A[i] / A[i-1])|      (dB)
 * Outputs are NaN when fewer than 3 cycles were found; *n_periods (may be
 * NULL) receives the number of periods used. */
int vh_jitter_shimmer(const float *x, size_t n, int sr, const float *f0, size_t frames, size_t hop,
                      double fmin, double fmax, double *jitter_local, double *shimmer_local_db,
                      size_t *n_periods);

/* Harmonics-to-noise ratio, autocorrelation method (Boersma 1993, "Accurate
 * short-term analysis of the fundamental frequency and the harmonics-to-noise
 * ratio of a sampled sound"): per Hann-windowed frame of 4.5/fmin s (hop
 * `hop` samples, centred like the pitch frames), r(tau) = r_x(tau)/r_w(tau)
 * normalised, r_max its maximum over lags [1/fmax, 1/fmin] (parabolic
 * interpolation, clamped to [1e-6, 1 - 1e-6]), HNR = 10 log10(r/(1-r)).
 * *hnr_db = mean HNR (dB) over frames with mask[t] != 0 (mask NULL: frames
 * whose RMS is within 40 dB of the loudest); NaN when no frame qualifies. */
int vh_hnr(const float *x, size_t n, int sr, double fmin, double fmax, size_t hop,
           const unsigned char *mask, size_t frames, double *hnr_db);

/* ---- prosody ------------------------------------------------------------
 * Clinical speech measures (pauses and rate follow de Jong & Wempe 2009,
 * "Praat script to detect syllable nuclei and measure speech rate
 * automatically", Behav. Res. Methods 41(2); pitch variability in semitones as
 * in depression-speech research, e.g. Cummins et al. 2015, Speech Commun. 71):
 *  - syllable nuclei: peaks of the intensity contour (RMS dB, 10 ms hop, 50 ms
 *    window, smoothed over 3 frames) inside speech that are voiced, lie above
 *    max(p99 - 25 dB, VAD threshold) and are separated from the previous kept
 *    peak by a dip of at least `min_dip_db`;
 *  - speech_rate = nuclei / duration; articulation_rate = nuclei / speech time;
 *  - pauses: silent gaps between speech segments (leading/trailing silence
 *    excluded) of at least vad.min_pause_s; pause_ratio = pause time /
 *    (pause time + speech time);
 *  - pitch over voiced speech frames: mean, SD (n-1), min and max (raw, so
 *    octave errors show there first), range = p95 - p5 (Hz); the semitone
 *    values use 12 log2(f0 / 100 Hz) (range: 12 log2(p95/p5));
 *  - jitter, shimmer, HNR as above over voiced speech. */
typedef struct vh_prosody_params {
    vh_pitch_params pitch;
    vh_vad_params vad;
    double min_dip_db;   /* 2 */
} vh_prosody_params;

vh_prosody_params vh_prosody_default_params(void);

typedef struct vh_prosody {
    double duration_s, speech_s, voiced_s;
    int segments;                 /* speech segments */
    int syllables;                /* syllable nuclei */
    double speech_rate, articulation_rate; /* nuclei per second */
    int pause_count;
    double pause_total_s, pause_mean_s, pause_max_s, pause_ratio;
    double f0_mean_hz, f0_sd_hz, f0_min_hz, f0_max_hz, f0_range_hz;
    double f0_mean_st, f0_sd_st, f0_range_st;
    double jitter_local, shimmer_local_db, hnr_db;
    int periods;                  /* cycles used by jitter/shimmer */
} vh_prosody;

/* Computes all measures for x (p->pitch and p->vad need the same sample rate
 * and hop). Silence gives zero speech, zero counts and NaN pitch/voice-quality
 * values. When `segs` is not NULL it receives the speech segments (caller
 * frees with vh_free; NULL when *nseg is 0). Errors: VH_EINVAL (parameters),
 * VH_EEMPTY (no samples), VH_ENOMEM. */
int vh_prosody_compute(const vh_prosody_params *p, const float *x, size_t n, vh_prosody *out,
                       vh_segment **segs, size_t *nseg);

/* The prosody measures as (name, value) pairs in a fixed order — the names
 * used in every output (features --prosody, voice, the monitor's prosody keys):
 * duration_s, speech_s, voiced_s, segments, syllables, speech_rate,
 * articulation_rate, pause_count, pause_total_s, pause_mean_s, pause_max_s,
 * pause_ratio, f0_mean_hz, f0_sd_hz, f0_min_hz, f0_max_hz, f0_range_hz,
 * f0_mean_st, f0_sd_st, f0_range_st, jitter_local, shimmer_local_db, hnr_db,
 * periods. Writes at most `max` entries (names are static strings) and
 * returns the number written. */
#define VH_PROSODY_FIELDS 24
int vh_prosody_fields(const vh_prosody *p, const char **names, double *vals, int max);

#ifdef __cplusplus
}
#endif
#endif
