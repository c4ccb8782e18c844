/* verhm features: MFCC / log-mel matrices (CSV, JSON, NPY) or a prosody summary
 * (JSON object or CSV row) of any audio or video file's sound track. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/dsp.h"
#include "verhm/media.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { KIND_MFCC, KIND_LOGMEL, KIND_PROSODY };
enum { FMT_CSV, FMT_JSON, FMT_NPY };

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm features AUDIO [--mfcc|--logmel|--prosody] [--librosa] [--csv|--json|--npy]\n"
            "                      [--out FILE] [--deltas] [--sr HZ] [--n-mels N] [--n-mfcc N]\n\n"
            "Acoustic features of an audio (or video) file's sound track, mixed to mono.\n\n"
            "  --mfcc       MFCCs, frames x n_mfcc (default)\n"
            "  --logmel     log-mel spectrogram in dB, frames x n_mels\n"
            "  --prosody    one summary: speaking rate, pauses, pitch (Hz, semitones), jitter,\n"
            "               shimmer, HNR and the speech segments (JSON object or CSV row)\n"
            "  --librosa    librosa 0.8 defaults: 22050 Hz, n_fft 2048, hop 512, 128 mels;\n"
            "               default is the 16 kHz speech front end (n_fft 512, 25 ms window,\n"
            "               10 ms hop, 80 mels up to 8 kHz)\n"
            "  --deltas     append delta and delta-delta columns (librosa delta, width 9)\n"
            "  --sr HZ      resample to HZ first (default 16000, 22050 with --librosa)\n"
            "  --n-mels N, --n-mfcc N   override the band / coefficient counts\n"
            "  --csv        CSV with a header row (default for matrices)\n"
            "  --json       JSON (default for --prosody)\n"
            "  --npy        NumPy .npy v1.0, float32 little-endian, shape (frames, coefs)\n"
            "  --out FILE   write to FILE (atomically) instead of standard output\n\n"
            "Undefined values (pitch of silence) are null in JSON and empty in CSV.\n"
            "exit status: 0 success, 1 bad input, 2 usage error\n");
}

static void csv_num(vh_buf *b, double v) {
    if (isfinite(v)) vh_buf_printf(b, "%.7g", v);
}

static void npy_write(vh_buf *b, const float *m, size_t rows, size_t cols) {
    char hdr[128];
    int hl = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols);
    size_t total = 10 + (size_t)hl + 1, pad = (64 - total % 64) % 64;
    vh_buf_append(b, "\x93NUMPY\x01\x00", 8);
    size_t hlen = (size_t)hl + pad + 1;
    unsigned char le[2] = {(unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    vh_buf_append(b, le, 2);
    vh_buf_append(b, hdr, (size_t)hl);
    for (size_t i = 0; i < pad; i++) vh_buf_append(b, " ", 1);
    vh_buf_append(b, "\n", 1);
    for (size_t i = 0; i < rows * cols; i++) {
        uint32_t u;
        memcpy(&u, &m[i], 4);
        unsigned char o[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
        vh_buf_append(b, o, 4);
    }
}


int cmd_features(int argc, char **argv) {
    static const struct option opts[] = {
        {"mfcc", no_argument, 0, 'm'},   {"logmel", no_argument, 0, 'l'}, {"prosody", no_argument, 0, 'p'},
        {"librosa", no_argument, 0, 'L'}, {"csv", no_argument, 0, 'c'},   {"json", no_argument, 0, 'j'},
        {"npy", no_argument, 0, 'n'},     {"out", required_argument, 0, 'o'}, {"deltas", no_argument, 0, 'd'},
        {"sr", required_argument, 0, 's'}, {"n-mels", required_argument, 0, 'M'},
        {"n-mfcc", required_argument, 0, 'C'}, {"help", no_argument, 0, 'h'}, {"progress", no_argument, 0, 'P'},
        {0, 0, 0, 0}};
    int kind = -1, fmt = -1, librosa = 0, deltas = 0, sr = 0, n_mels = 0, n_mfcc = 0, c;
    const char *out_path = NULL;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'm': case 'l': case 'p': {
            int k = c == 'm' ? KIND_MFCC : c == 'l' ? KIND_LOGMEL : KIND_PROSODY;
            if (kind >= 0 && kind != k) return vh_cli_usage_error("features", "choose one of --mfcc, --logmel, --prosody");
            kind = k;
            break;
        }
        case 'c': case 'j': case 'n': {
            int f = c == 'c' ? FMT_CSV : c == 'j' ? FMT_JSON : FMT_NPY;
            if (fmt >= 0 && fmt != f) return vh_cli_usage_error("features", "choose one of --csv, --json, --npy");
            fmt = f;
            break;
        }
        case 'L': librosa = 1; break;
        case 'd': deltas = 1; break;
        case 'o': out_path = optarg; break;
        case 'P': break;
        case 's': if (vh_cli_parse_int("features", "--sr", optarg, 1000, 192000, &sr)) return VH_EXIT_USAGE; break;
        case 'M': if (vh_cli_parse_int("features", "--n-mels", optarg, 1, 512, &n_mels)) return VH_EXIT_USAGE; break;
        case 'C': if (vh_cli_parse_int("features", "--n-mfcc", optarg, 1, 512, &n_mfcc)) return VH_EXIT_USAGE; break;
        case ':': return vh_cli_usage_error("features", "option '%s' needs a value", argv[optind - 1]);
        default: return vh_cli_usage_error("features", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return vh_cli_usage_error("features", "expected exactly one AUDIO file");
    const char *path = argv[optind];
    if (kind < 0) kind = KIND_MFCC;
    if (fmt < 0) fmt = kind == KIND_PROSODY ? FMT_JSON : FMT_CSV;
    if (kind == KIND_PROSODY && fmt == FMT_NPY) return vh_cli_usage_error("features", "--prosody writes JSON or CSV, not NPY");
    if (kind == KIND_PROSODY && (deltas || n_mels || n_mfcc))
        return vh_cli_usage_error("features", "--deltas, --n-mels and --n-mfcc apply to --mfcc/--logmel");
    if (!out_path && fmt == FMT_NPY && isatty(1)) return vh_cli_usage_error("features", "--npy needs --out FILE or a redirected stdout");

    vh_features_params fp = librosa ? vh_features_librosa_params(sr ? sr : 22050) : vh_features_default_params();
    if (!librosa && sr) {
        fp.sr = sr;
        fp.fmax = sr / 2.0 < 8000.0 ? sr / 2.0 : 8000.0;
        fp.win_length = (int)lround(0.025 * sr);
        fp.hop = (int)lround(0.010 * sr);
        fp.n_fft = 1;
        while (fp.n_fft < fp.win_length) fp.n_fft <<= 1;
    }
    if (n_mels) fp.n_mels = n_mels;
    if (n_mfcc) fp.n_mfcc = n_mfcc;
    if (fp.n_mfcc > fp.n_mels) return vh_cli_usage_error("features", "--n-mfcc (%d) must not exceed the mel bands (%d)", fp.n_mfcc, fp.n_mels);

    float *x = NULL, *m = NULL, *full = NULL;
    size_t n = 0, frames = 0, cols = 0;
    vh_features *fx = NULL;
    vh_segment *segs = NULL;
    size_t nseg = 0;
    vh_buf b = {0};
    int rc = VH_EXIT_INPUT, st;
    if (kind != KIND_PROSODY && (st = vh_features_new(&fp, &fx))) { rc = vh_cli_fail_status(st); goto done; }
    if ((st = vh_audio_load(path, fp.sr, 0, &x, &n))) { rc = vh_cli_fail_status(st); goto done; }

    if (kind == KIND_PROSODY) {
        vh_prosody_params pp = vh_prosody_default_params();
        pp.pitch.sr = pp.vad.sr = fp.sr;
        if (pp.pitch.fmax > fp.sr / 4.0) pp.pitch.fmax = fp.sr / 4.0;
        vh_prosody pr;
        if ((st = vh_prosody_compute(&pp, x, n, &pr, &segs, &nseg))) { rc = vh_cli_fail(path, "%s", vh_last_error()); goto done; }
        const char *names[VH_PROSODY_FIELDS];
        double vals[VH_PROSODY_FIELDS];
        int k = vh_prosody_fields(&pr, names, vals, VH_PROSODY_FIELDS);
        if (fmt == FMT_JSON) {
            vh_json_writer w;
            vh_jw_init(&w, &b, 1);
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "file"); vh_jw_string(&w, path);
            vh_jw_key(&w, "sample_rate"); vh_jw_int(&w, fp.sr);
            for (int i = 0; i < k; i++) { vh_jw_key(&w, names[i]); vh_jw_number(&w, vals[i]); }
            vh_jw_key(&w, "speech_segments");
            vh_jw_array_begin(&w);
            for (size_t i = 0; i < nseg; i++) {
                vh_jw_array_begin(&w);
                vh_jw_number(&w, round(segs[i].start * 1000) / 1000);
                vh_jw_number(&w, round(segs[i].end * 1000) / 1000);
                vh_jw_array_end(&w);
            }
            vh_jw_array_end(&w);
            vh_jw_object_end(&w);
            vh_buf_puts(&b, "\n");
        } else {
            vh_buf_puts(&b, "file");
            for (int i = 0; i < k; i++) vh_buf_printf(&b, ",%s", names[i]);
            vh_buf_puts(&b, "\n\"");
            for (const char *s = path; *s; s++) vh_buf_printf(&b, *s == '"' ? "\"\"" : "%c", *s);
            vh_buf_puts(&b, "\"");
            for (int i = 0; i < k; i++) { vh_buf_puts(&b, ","); csv_num(&b, vals[i]); }
            vh_buf_puts(&b, "\n");
        }
    } else {
        if (n < 2) { rc = vh_cli_fail(path, "audio too short for features (%zu sample%s)", n, n == 1 ? "" : "s"); goto done; }
        st = kind == KIND_MFCC ? vh_features_mfcc(fx, x, n, &m, &frames) : vh_features_logmel(fx, x, n, &m, &frames);
        if (st) { rc = vh_cli_fail(path, "%s", vh_last_error()); goto done; }
        size_t base = kind == KIND_MFCC ? (size_t)fp.n_mfcc : (size_t)fp.n_mels;
        cols = base;
        if (deltas) {
            if (frames < 9) { rc = vh_cli_fail(path, "--deltas needs at least 9 frames, the audio gives %zu", frames); goto done; }
            cols = 3 * base;
            full = malloc(frames * cols * sizeof(float));
            float *d1 = malloc(frames * base * sizeof(float)), *d2 = malloc(frames * base * sizeof(float));
            if (!full || !d1 || !d2) { free(d1); free(d2); rc = vh_cli_fail(path, "out of memory"); goto done; }
            vh_delta(m, frames, base, 9, 1, d1);
            vh_delta(m, frames, base, 9, 2, d2);
            for (size_t t = 0; t < frames; t++) {
                memcpy(full + t * cols, m + t * base, base * sizeof(float));
                memcpy(full + t * cols + base, d1 + t * base, base * sizeof(float));
                memcpy(full + t * cols + 2 * base, d2 + t * base, base * sizeof(float));
            }
            free(d1);
            free(d2);
            free(m);
            m = full;
            full = NULL;
        }
        const char *pre = kind == KIND_MFCC ? "mfcc" : "logmel";
        double hop_s = (double)fp.hop / fp.sr;
        if (fmt == FMT_NPY) {
            npy_write(&b, m, frames, cols);
        } else if (fmt == FMT_CSV) {
            vh_buf_puts(&b, "time_s");
            for (size_t j = 0; j < cols; j++)
                vh_buf_printf(&b, ",%s%s_%zu", j < base ? "" : j < 2 * base ? "d_" : "dd_", pre, j % base);
            vh_buf_puts(&b, "\n");
            for (size_t t = 0; t < frames && !b.failed; t++) {
                vh_buf_printf(&b, "%.4f", (double)t * hop_s);
                for (size_t j = 0; j < cols; j++) vh_buf_printf(&b, ",%.7g", m[t * cols + j]);
                vh_buf_puts(&b, "\n");
            }
        } else {
            vh_json_writer w;
            vh_jw_init(&w, &b, 0);
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "file"); vh_jw_string(&w, path);
            vh_jw_key(&w, "feature"); vh_jw_string(&w, pre);
            vh_jw_key(&w, "mode"); vh_jw_string(&w, librosa ? "librosa" : "speech");
            vh_jw_key(&w, "sample_rate"); vh_jw_int(&w, fp.sr);
            vh_jw_key(&w, "hop_s"); vh_jw_number(&w, hop_s);
            vh_jw_key(&w, "deltas"); vh_jw_bool(&w, deltas);
            vh_jw_key(&w, "frames"); vh_jw_int(&w, (long long)frames);
            vh_jw_key(&w, "coefficients"); vh_jw_int(&w, (long long)cols);
            vh_jw_key(&w, "data");
            vh_jw_array_begin(&w);
            for (size_t t = 0; t < frames && !b.failed; t++) {
                vh_jw_array_begin(&w);
                for (size_t j = 0; j < cols; j++) vh_jw_number(&w, m[t * cols + j]);
                vh_jw_array_end(&w);
            }
            vh_jw_array_end(&w);
            vh_jw_object_end(&w);
            vh_buf_puts(&b, "\n");
        }
    }
    if (b.failed) { rc = vh_cli_fail(path, "out of memory formatting the output"); goto done; }
    if (out_path) {
        vh_atomic_file af;
        if ((st = vh_atomic_open(&af, out_path, 1))) { rc = vh_cli_fail_status(st); goto done; }
        if (fwrite(b.data, 1, b.len, af.fp) != b.len) {
            vh_atomic_abort(&af);
            rc = vh_cli_fail(out_path, "write failed");
            goto done;
        }
        if ((st = vh_atomic_commit(&af))) { rc = vh_cli_fail_status(st); goto done; }
    } else {
        if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) { rc = vh_cli_fail("stdout", "write failed"); goto done; }
    }
    rc = 0;
done:
    vh_features_free(fx);
    free(x);
    free(m);
    free(full);
    free(segs);
    vh_buf_free(&b);
    return rc;
}
