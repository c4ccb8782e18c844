/* verhm voice: speech segments of a recording with emotion probabilities,
 * valence/arousal and prosody per segment, and a summary. Streams the audio in
 * blocks (bounded memory). Also cmd_eval_ser, the `verhm eval` back end for
 * speech-emotion models. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/affect.h"
#include "verhm/dsp.h"
#include "verhm/media.h"
#include "verhm/monitor.h"
#include "verhm/ser.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SR 16000
#define BLOCK_S 30.0      /* audio analysed at once */
#define CARRY_MAX_S 10.0  /* an unfinished segment carried into the next block */
#define TAIL_S 0.5        /* segments ending this close to the block end wait for more audio */

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm voice AUDIO [--json] [--segment SECONDS] [--model FILE] [--result FILE]\n"
            "\n"
            "Finds speech segments (voice-activity detection) in any audio or video file and\n"
            "reports for each: start, end, emotion probabilities (speech-emotion model,\n"
            "RAVDESS labels), the dominant emotion, valence/arousal and prosody (speaking\n"
            "rate, pauses, pitch, jitter, shimmer, HNR); then a summary over all speech.\n"
            "Long recordings are streamed in %.0f s blocks (bounded memory).\n"
            "\n"
            "  --segment S      fixed windows of S seconds (0.5..600) instead of VAD segments\n"
            "  --max-segment S  split longer VAD segments into pieces (default 8, 1..60)\n"
            "  --model FILE     speech-emotion model (default models/ser.safetensors)\n"
            "  --json           JSON document (also importable by `verhm monitor import`)\n"
            "  --result FILE    write that JSON document to FILE (atomically)\n",
            BLOCK_S);
}

/* ---- accumulated output -------------------------------------------------- */

typedef struct seg_out {
    double start, end;
    int speech;              /* 0: a fixed window without speech (no emotion) */
    float probs[VH_SER_MAX_CLASSES];
    float valence, arousal;
    vh_prosody pr;
} seg_out;

typedef struct voice_ctx {
    vh_ser *model;
    const vh_ser_config *cfg;
    const char *labels[VH_SER_MAX_CLASSES];
    vh_prosody_params pp;
    double max_segment;
    seg_out *segs;
    size_t nseg, cap;
    double samples_total;
} voice_ctx;

static int push_seg(voice_ctx *v, const seg_out *s) {
    if (v->nseg == v->cap) {
        size_t nc = v->cap ? 2 * v->cap : 64;
        if (nc > SIZE_MAX / sizeof *v->segs) return VH_ENOMEM;
        seg_out *p = realloc(v->segs, nc * sizeof *p);
        if (!p) return VH_ENOMEM;
        v->segs = p;
        v->cap = nc;
    }
    v->segs[v->nseg++] = *s;
    return VH_OK;
}

/* Emotion + prosody of speech samples x[0..n) placed at [t0, t1]. */
static int analyse_piece(voice_ctx *v, const float *x, size_t n, double t0, double t1, seg_out *o) {
    memset(o, 0, sizeof *o);
    o->start = t0;
    o->end = t1;
    o->speech = 1;
    int st = vh_ser_predict(v->model, x, n, o->probs);
    if (st == VH_EEMPTY) {
        /* too short to analyse: uniform */
        for (int k = 0; k < v->cfg->n_classes; k++) o->probs[k] = 1.0f / (float)v->cfg->n_classes;
        st = VH_OK;
    }
    if (st) return st;
    vh_emotion_va(o->probs, v->labels, v->cfg->n_classes, &o->valence, &o->arousal);
    st = vh_prosody_compute(&v->pp, x, n, &o->pr, NULL, NULL);
    if (st == VH_EEMPTY) {
        memset(&o->pr, 0, sizeof o->pr);
        st = VH_OK;
    }
    return st;
}

/* A VAD segment [a, b) of block samples (block starts at time t_block): split into
 * pieces of at most max_segment seconds. */
static int emit_segment(voice_ctx *v, const float *buf, size_t a, size_t b, double t_block) {
    size_t len = b - a;
    size_t maxn = (size_t)(v->max_segment * SR);
    size_t pieces = (len + maxn - 1) / maxn;
    if (pieces < 1) pieces = 1;
    for (size_t i = 0; i < pieces; i++) {
        size_t pa = a + len * i / pieces, pb = a + len * (i + 1) / pieces;
        seg_out o;
        int st = analyse_piece(v, buf + pa, pb - pa, t_block + (double)pa / SR, t_block + (double)pb / SR, &o);
        if (!st) st = push_seg(v, &o);
        if (st) return st;
    }
    return VH_OK;
}

/* Streams the file through VAD blocks. */
static int run_vad(voice_ctx *v, vh_audio_reader *r) {
    size_t cap = (size_t)((BLOCK_S + CARRY_MAX_S + 1) * SR);
    float *buf = malloc(cap * sizeof *buf);
    if (!buf) return VH_ENOMEM;
    size_t len = 0;
    double t_block = 0;
    int eof = 0, st = VH_OK;
    size_t block_n = (size_t)(BLOCK_S * SR);
    while (!st) {
        while (!eof && len < block_n) {
            long got = vh_audio_read(r, buf + len, block_n - len);
            if (got < 0) {
                st = (int)got;
                break;
            }
            if (got == 0) eof = 1;
            len += (size_t)got;
            v->samples_total += (double)got;
        }
        if (st || len == 0) break;
        vh_prosody pr;
        vh_segment *segs = NULL;
        size_t nseg = 0;
        if (len >= 2) {
            st = vh_prosody_compute(&v->pp, buf, len, &pr, &segs, &nseg);
            if (st) break;
        }
        double blen = (double)len / SR;
        size_t carry_from = len, last_end = 0;
        for (size_t i = 0; i < nseg && !st; i++) {
            size_t a = (size_t)(segs[i].start * SR), b = (size_t)(segs[i].end * SR);
            if (b > len) b = len;
            if (a >= b) continue;
            if (!eof && segs[i].end > blen - TAIL_S) {
                /* unfinished: carry it (unless it is already too long) */
                size_t from = a > (size_t)(0.25 * SR) ? a - (size_t)(0.25 * SR) : 0;
                if ((double)(len - from) / SR <= CARRY_MAX_S) {
                    carry_from = from;
                    break;
                }
            }
            st = emit_segment(v, buf, a, b, t_block);
            last_end = b;
        }
        vh_free(segs);
        if (st || eof) break;
        if (carry_from == len) {
            /* no open segment: carry the tail (it may hold a starting word), but
             * never audio that was already emitted */
            carry_from = len > (size_t)(TAIL_S * SR) ? len - (size_t)(TAIL_S * SR) : 0;
            if (carry_from < last_end) carry_from = last_end;
        }
        memmove(buf, buf + carry_from, (len - carry_from) * sizeof *buf);
        t_block += (double)carry_from / SR;
        len -= carry_from;
        if (len >= block_n) {
            st = VH_EINTERNAL;
            break;
        }
    }
    free(buf);
    return st;
}

/* Fixed windows of `seg` seconds; emotion from the window's speech. */
static int run_windows(voice_ctx *v, vh_audio_reader *r, double seg) {
    size_t wn = (size_t)(seg * SR);
    if (wn < 2) wn = 2;
    float *buf = malloc(wn * sizeof *buf), *speech = malloc(wn * sizeof *speech);
    if (!buf || !speech) {
        free(buf);
        free(speech);
        return VH_ENOMEM;
    }
    double t = 0;
    int st = VH_OK;
    for (;;) {
        size_t len = 0;
        while (len < wn) {
            long got = vh_audio_read(r, buf + len, wn - len);
            if (got < 0) {
                st = (int)got;
                break;
            }
            if (got == 0) break;
            len += (size_t)got;
        }
        if (st || len == 0) break;
        v->samples_total += (double)len;
        seg_out o;
        memset(&o, 0, sizeof o);
        o.start = t;
        o.end = t + (double)len / SR;
        vh_segment *segs = NULL;
        size_t nseg = 0;
        if (len >= 2) st = vh_prosody_compute(&v->pp, buf, len, &o.pr, &segs, &nseg);
        if (st) break;
        size_t ns = 0;
        for (size_t i = 0; i < nseg; i++) {
            size_t a = (size_t)(segs[i].start * SR), b = (size_t)(segs[i].end * SR);
            if (b > len) b = len;
            if (a < b) {
                memcpy(speech + ns, buf + a, (b - a) * sizeof *buf);
                ns += b - a;
            }
        }
        vh_free(segs);
        if (ns >= 2) {
            st = vh_ser_predict(v->model, speech, ns, o.probs);
            if (st == VH_EEMPTY) st = VH_OK;
            else if (!st) {
                o.speech = 1;
                vh_emotion_va(o.probs, v->labels, v->cfg->n_classes, &o.valence, &o.arousal);
            }
            if (st) break;
        }
        if ((st = push_seg(v, &o))) break;
        t = o.end;
        if (len < wn) break;
    }
    free(buf);
    free(speech);
    return st;
}

/* ---- summary ------------------------------------------------------------- */

typedef struct summary {
    double duration, speech_s;
    double dist[VH_SER_MAX_CLASSES];
    int dominant;
    double valence, arousal;
    vh_prosody pr;
} summary;

static void summarise(const voice_ctx *v, summary *s, int fixed_windows) {
    memset(s, 0, sizeof *s);
    s->duration = v->samples_total / SR;
    int K = v->cfg->n_classes;
    double wsum = 0, vsum = 0, asum = 0;
    /* prosody pooled over segments */
    double vo = 0, f0w = 0, f0ss = 0, stw = 0, stss = 0, rng_hz = 0, rng_st = 0, per = 0, jit = 0, shim = 0, hnrw = 0, hnr = 0;
    double f0min = INFINITY, f0max = -INFINITY;
    vh_prosody *p = &s->pr;
    double prev_end = -1;
    for (size_t i = 0; i < v->nseg; i++) {
        const seg_out *g = &v->segs[i];
        const vh_prosody *q = &g->pr;
        double d = fixed_windows ? q->speech_s : g->end - g->start;
        if (g->speech) {
            for (int k = 0; k < K; k++) s->dist[k] += d * g->probs[k];
            vsum += d * g->valence;
            asum += d * g->arousal;
            wsum += d;
        }
        p->speech_s += fixed_windows ? q->speech_s : d;
        p->voiced_s += q->voiced_s;
        p->syllables += q->syllables;
        if (fixed_windows) {
            p->segments += q->segments;
            p->pause_count += q->pause_count;
            p->pause_total_s += q->pause_total_s;
            if (q->pause_max_s > p->pause_max_s) p->pause_max_s = q->pause_max_s;
        } else {
            p->segments++;
            if (prev_end >= 0) {
                double gap = g->start - prev_end;
                if (gap >= v->pp.vad.min_pause_s) {
                    p->pause_count++;
                    p->pause_total_s += gap;
                    if (gap > p->pause_max_s) p->pause_max_s = gap;
                }
            }
            prev_end = g->end;
        }
        if (q->voiced_s > 0 && isfinite(q->f0_mean_hz)) {
            double n = q->voiced_s;
            vo += n;
            f0w += n * q->f0_mean_hz;
            stw += n * q->f0_mean_st;
            double sd = isfinite(q->f0_sd_hz) ? q->f0_sd_hz : 0, sds = isfinite(q->f0_sd_st) ? q->f0_sd_st : 0;
            f0ss += n * (sd * sd + q->f0_mean_hz * q->f0_mean_hz);
            stss += n * (sds * sds + q->f0_mean_st * q->f0_mean_st);
            if (isfinite(q->f0_range_hz)) rng_hz += n * q->f0_range_hz;
            if (isfinite(q->f0_range_st)) rng_st += n * q->f0_range_st;
            if (q->f0_min_hz < f0min) f0min = q->f0_min_hz;
            if (q->f0_max_hz > f0max) f0max = q->f0_max_hz;
            if (isfinite(q->hnr_db)) {
                hnr += n * q->hnr_db;
                hnrw += n;
            }
        }
        if (q->periods > 0 && isfinite(q->jitter_local) && isfinite(q->shimmer_local_db)) {
            per += q->periods;
            jit += q->periods * q->jitter_local;
            shim += q->periods * q->shimmer_local_db;
        }
    }
    s->speech_s = p->speech_s;
    s->dominant = -1;
    if (wsum > 0) {
        for (int k = 0; k < K; k++) {
            s->dist[k] /= wsum;
            if (s->dominant < 0 || s->dist[k] > s->dist[s->dominant]) s->dominant = k;
        }
        s->valence = vsum / wsum;
        s->arousal = asum / wsum;
    }
    p->duration_s = s->duration;
    p->speech_rate = s->duration > 0 ? p->syllables / s->duration : 0;
    p->articulation_rate = p->speech_s > 0 ? p->syllables / p->speech_s : 0;
    p->pause_mean_s = p->pause_count ? p->pause_total_s / p->pause_count : 0;
    p->pause_ratio = p->pause_total_s + p->speech_s > 0 ? p->pause_total_s / (p->pause_total_s + p->speech_s) : 0;
    if (vo > 0) {
        p->f0_mean_hz = f0w / vo;
        p->f0_sd_hz = sqrt(fmax(0, f0ss / vo - p->f0_mean_hz * p->f0_mean_hz));
        p->f0_mean_st = stw / vo;
        p->f0_sd_st = sqrt(fmax(0, stss / vo - p->f0_mean_st * p->f0_mean_st));
        p->f0_min_hz = f0min;
        p->f0_max_hz = f0max;
        p->f0_range_hz = rng_hz / vo;
        p->f0_range_st = rng_st / vo;
    } else {
        p->f0_mean_hz = p->f0_sd_hz = p->f0_mean_st = p->f0_sd_st = NAN;
        p->f0_min_hz = p->f0_max_hz = p->f0_range_hz = p->f0_range_st = NAN;
    }
    p->hnr_db = hnrw > 0 ? hnr / hnrw : NAN;
    p->periods = (int)per;
    p->jitter_local = per > 0 ? jit / per : NAN;
    p->shimmer_local_db = per > 0 ? shim / per : NAN;
}

static void prosody_json(vh_json_writer *w, const vh_prosody *p) {
    const char *names[VH_PROSODY_FIELDS];
    double vals[VH_PROSODY_FIELDS];
    int n = vh_prosody_fields(p, names, vals, VH_PROSODY_FIELDS);
    vh_jw_object_begin(w);
    for (int i = 0; i < n; i++) { vh_jw_key(w, names[i]); vh_jw_number(w, vals[i]); }
    vh_jw_object_end(w);
}

static double r4(double x) { return isfinite(x) ? round(x * 10000.0) / 10000.0 : x; }

static void document(vh_json_writer *w, const voice_ctx *v, const summary *s, const char *path, const char *sha,
                     const char *model_path, double segment) {
    int K = v->cfg->n_classes;
    vh_jw_object_begin(w);
    vh_jw_key(w, "kind");
    vh_jw_string(w, "voice");
    vh_jw_key(w, "source");
    vh_jw_string(w, vh_path_base(path));
    if (sha) {
        vh_jw_key(w, "source_sha256");
        vh_jw_string(w, sha);
    }
    vh_jw_key(w, "duration");
    vh_jw_number(w, r4(s->duration));
    vh_jw_key(w, "model");
    char mname[160];
    snprintf(mname, sizeof mname, "verhm-ser %s", vh_path_base(model_path));
    vh_jw_string(w, mname);
    vh_jw_key(w, "mode");
    vh_jw_string(w, segment > 0 ? "windows" : "vad");
    vh_jw_key(w, "labels");
    vh_jw_array_begin(w);
    for (int k = 0; k < K; k++) vh_jw_string(w, v->labels[k]);
    vh_jw_array_end(w);
    vh_jw_key(w, "segments");
    vh_jw_array_begin(w);
    for (size_t i = 0; i < v->nseg; i++) {
        const seg_out *g = &v->segs[i];
        vh_jw_object_begin(w);
        vh_jw_key(w, "start");
        vh_jw_number(w, r4(g->start));
        vh_jw_key(w, "end");
        vh_jw_number(w, r4(g->end));
        vh_jw_key(w, "speech");
        vh_jw_bool(w, g->speech);
        if (g->speech) {
            int dom = 0;
            vh_jw_key(w, "probs");
            vh_jw_object_begin(w);
            for (int k = 0; k < K; k++) {
                vh_jw_key(w, v->labels[k]);
                vh_jw_number(w, r4(g->probs[k]));
                if (g->probs[k] > g->probs[dom]) dom = k;
            }
            vh_jw_object_end(w);
            vh_jw_key(w, "dominant");
            vh_jw_string(w, v->labels[dom]);
            vh_jw_key(w, "valence");
            vh_jw_number(w, r4(g->valence));
            vh_jw_key(w, "arousal");
            vh_jw_number(w, r4(g->arousal));
        }
        vh_jw_key(w, "prosody");
        prosody_json(w, &g->pr);
        vh_jw_object_end(w);
    }
    vh_jw_array_end(w);
    /* the monitor's import contract: windows with probability arrays */
    vh_jw_key(w, "windows");
    vh_jw_array_begin(w);
    for (size_t i = 0; i < v->nseg; i++) {
        const seg_out *g = &v->segs[i];
        if (!g->speech) continue;
        vh_jw_object_begin(w);
        vh_jw_key(w, "t");
        vh_jw_number(w, r4(g->start));
        vh_jw_key(w, "dur");
        vh_jw_number(w, r4(g->end - g->start));
        vh_jw_key(w, "probs");
        vh_jw_array_begin(w);
        for (int k = 0; k < K; k++) vh_jw_number(w, r4(g->probs[k]));
        vh_jw_array_end(w);
        vh_jw_key(w, "valence");
        vh_jw_number(w, r4(g->valence));
        vh_jw_key(w, "arousal");
        vh_jw_number(w, r4(g->arousal));
        vh_jw_object_end(w);
    }
    vh_jw_array_end(w);
    vh_jw_key(w, "prosody");
    prosody_json(w, &s->pr);
    vh_jw_key(w, "summary");
    vh_jw_object_begin(w);
    vh_jw_key(w, "duration");
    vh_jw_number(w, r4(s->duration));
    vh_jw_key(w, "speech_s");
    vh_jw_number(w, r4(s->speech_s));
    vh_jw_key(w, "speech_ratio");
    vh_jw_number(w, s->duration > 0 ? r4(s->speech_s / s->duration) : 0);
    vh_jw_key(w, "segments");
    vh_jw_int(w, (long long)v->nseg);
    if (s->dominant >= 0) {
        vh_jw_key(w, "emotions");
        vh_jw_object_begin(w);
        for (int k = 0; k < K; k++) {
            vh_jw_key(w, v->labels[k]);
            vh_jw_number(w, r4(s->dist[k]));
        }
        vh_jw_object_end(w);
        vh_jw_key(w, "dominant");
        vh_jw_string(w, v->labels[s->dominant]);
        vh_jw_key(w, "valence");
        vh_jw_number(w, r4(s->valence));
        vh_jw_key(w, "arousal");
        vh_jw_number(w, r4(s->arousal));
    } else {
        vh_jw_key(w, "dominant");
        vh_jw_null(w);
        vh_jw_key(w, "note");
        vh_jw_string(w, "no speech found");
    }
    vh_jw_object_end(w);
    vh_jw_object_end(w);
}

static void print_text(const voice_ctx *v, const summary *s, const char *path) {
    int K = v->cfg->n_classes;
    printf("%s: %.2f s, %zu %s\n", path, s->duration, v->nseg, v->nseg == 1 ? "segment" : "segments");
    for (size_t i = 0; i < v->nseg; i++) {
        const seg_out *g = &v->segs[i];
        printf("  %8.2f-%8.2f s  ", g->start, g->end);
        if (!g->speech) {
            printf("no speech\n");
            continue;
        }
        int dom = 0;
        for (int k = 1; k < K; k++)
            if (g->probs[k] > g->probs[dom]) dom = k;
        printf("%-10s %4.0f%%  valence %+.2f arousal %+.2f  f0 %.0f Hz  rate %.1f syl/s\n", v->labels[dom], 100 * g->probs[dom],
               g->valence, g->arousal, g->pr.f0_mean_hz, g->pr.articulation_rate);
    }
    if (s->dominant < 0) {
        printf("no speech found\n");
        return;
    }
    printf("summary: speech %.1f s (%.0f%%), dominant %s, valence %+.2f, arousal %+.2f\n", s->speech_s,
           s->duration > 0 ? 100 * s->speech_s / s->duration : 0, v->labels[s->dominant], s->valence, s->arousal);
    printf("  emotions:");
    for (int k = 0; k < K; k++) printf(" %s %.0f%%", v->labels[k], 100 * s->dist[k]);
    printf("\n  prosody: f0 %.0f Hz (sd %.1f st), articulation %.1f syl/s, pauses %d (ratio %.2f), HNR %.1f dB\n",
           s->pr.f0_mean_hz, s->pr.f0_sd_st, s->pr.articulation_rate, s->pr.pause_count, s->pr.pause_ratio, s->pr.hnr_db);
}

static int load_model(const char *model_path, vh_ser **m) {
    if (!model_path) return vh_cli_fail("voice", "models/ser.safetensors not found (use --model FILE)");
    int st = vh_ser_load(model_path, m);
    if (st) return vh_cli_fail_status(st);
    return 0;
}

int cmd_voice(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'},           {"segment", required_argument, 0, 's'},
        {"model", required_argument, 0, 'm'},    {"result", required_argument, 0, 'r'},
        {"max-segment", required_argument, 0, 'M'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *cmd = "voice", *model_path = NULL, *result = NULL;
    int json = 0, c;
    double segment = 0, max_segment = 8;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 's': if (vh_cli_parse_double(cmd, "--segment", optarg, 0.5, 600, &segment)) return VH_EXIT_USAGE; break;
        case 'M': if (vh_cli_parse_double(cmd, "--max-segment", optarg, 1, 60, &max_segment)) return VH_EXIT_USAGE; break;
        case 'm': model_path = optarg; break;
        case 'r': result = optarg; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) return vh_cli_usage_error(cmd, "expected one AUDIO file");
    const char *path = argv[optind];
    if (!model_path) model_path = vh_cli_find_resource("models/ser.safetensors");
    voice_ctx v;
    memset(&v, 0, sizeof v);
    int rc = load_model(model_path, &v.model);
    if (rc) return rc;
    v.cfg = vh_ser_get_config(v.model);
    if (v.cfg->sample_rate != SR) {
        vh_ser_free(v.model);
        return vh_cli_fail(model_path, "model sample rate %d Hz is not %d Hz", v.cfg->sample_rate, SR);
    }
    for (int k = 0; k < v.cfg->n_classes; k++) v.labels[k] = v.cfg->labels[k];
    v.pp = vh_prosody_default_params();
    v.max_segment = max_segment;
    vh_audio_reader *r = NULL;
    int st = vh_audio_open(path, SR, &r);
    if (!st) st = segment > 0 ? run_windows(&v, r, segment) : run_vad(&v, r);
    if (!st && v.samples_total < 2) st = VH_EEMPTY;
    vh_audio_close(r);
    if (st) {
        rc = st == VH_EEMPTY ? vh_cli_fail(path, "no audio samples (too short to analyse)") : vh_cli_fail_status(st);
        free(v.segs);
        vh_ser_free(v.model);
        return rc;
    }
    summary s;
    summarise(&v, &s, segment > 0);
    char sha[65];
    const char *shap = vh_monitor_sha256_file(path, sha) == VH_OK ? sha : NULL;
    vh_buf b = {0};
    if (json || result) {
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        document(&w, &v, &s, path, shap, model_path, segment);
        if (b.failed) rc = vh_cli_fail(path, "out of memory");
    }
    if (!rc && result) {
        if (s.dominant < 0) {
            if (!vh_cli.quiet) fprintf(stderr, "verhm: voice: %s: no speech found; no --result written\n", path);
        } else {
            vh_atomic_file af;
            st = vh_atomic_open(&af, result, 1);
            if (!st) {
                fwrite(b.data, 1, b.len, af.fp);
                fputc('\n', af.fp);
                st = vh_atomic_commit(&af);
            }
            if (st) rc = vh_cli_fail_status(st);
        }
    }
    if (!rc) {
        if (json) vh_cli_print_json(&b);
        else print_text(&v, &s, path);
    }
    vh_buf_free(&b);
    free(v.segs);
    vh_ser_free(v.model);
    return rc;
}

/* `verhm eval` back end for verhm-ser-1 models (cmd_eval dispatches here when
 * vh_ser_is_model_file(MODEL)): UA, WA, per-class metrics and the confusion
 * matrix on a RAVDESS-style or <Label>/ folder. Returns the exit status. */
int vh_cli_eval_ser(const char *model_path, const char *dir, int json);

/* The same as a stand-alone entry with eval's argument syntax:
 * argv = {"eval", MODEL, DIR, [--json]}. */
int cmd_eval_ser(int argc, char **argv);
int cmd_eval_ser(int argc, char **argv) {
    static const struct option opts[] = {{"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h':
            printf("usage: verhm eval SER_MODEL DIR [--json]\n"
                   "Speech-emotion model on a RAVDESS-style or <Label>/ folder: UA (mean per-class\n"
                   "recall), WA (accuracy), per-class recall/precision/F1, confusion matrix.\n");
            return 0;
        default: return vh_cli_usage_error("eval", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 2 != argc) return vh_cli_usage_error("eval", "expected SER_MODEL and DIR");
    return vh_cli_eval_ser(argv[optind], argv[optind + 1], json);
}

int vh_cli_eval_ser(const char *model_path, const char *dir, int json) {
    vh_ser *m = NULL;
    int rc = load_model(model_path, &m);
    if (rc) return rc;
    vh_ser_dataset d;
    int st = vh_ser_dataset_scan(dir, &d);
    vh_ser_eval e;
    if (!st) st = vh_ser_evaluate(m, &d, NULL, NULL, &e);
    if (st) {
        rc = vh_cli_fail_status(st);
    } else if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "model");
        vh_jw_string(&w, model_path);
        vh_jw_key(&w, "data");
        vh_jw_string(&w, dir);
        vh_ser_eval_json(&e, &w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s on %s: %zu files, UA %.2f%%, WA %.2f%%\n", model_path, dir, e.n, 100 * e.ua, 100 * e.wa);
        for (int k = 0; k < e.n_classes; k++)
            printf("  %-10s recall %5.1f%%  precision %5.1f%%  F1 %.3f  n %ld\n", e.labels[k], 100 * e.recall[k], 100 * e.precision[k],
                   e.f1[k], e.support[k]);
        printf("confusion (rows true, columns predicted):\n");
        for (int k = 0; k < e.n_classes; k++) {
            printf("  %-10s", e.labels[k]);
            for (int j = 0; j < e.n_classes; j++) printf(" %4ld", e.confusion[k][j]);
            printf("\n");
        }
    }
    vh_ser_dataset_free(&d);
    vh_ser_free(m);
    return rc;
}
