/* Learned lip-sync: log-mel → causal temporal conv (a dense layer over a
 * window of past mel frames) → LSTM → dense, 27 ARKit jaw/mouth weights per
 * video frame. Training on FaceGood-style folders, model files, evaluation
 * (Pearson r, MAE, lip-vertex error). */
#define _POSIX_C_SOURCE 200809L
#include "verhm/avatar.h"
#include "verhm/dsp.h"
#include "verhm/media.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include "core/internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LS_RATE 16000
#define LS_MAX_MELS 80
#define LS_MAX_PAST 50  /* mel frames (10 ms) before the frame's time */
#define LS_MAX_AHEAD 10 /* look-ahead: at most 100 ms */
#define LS_MAX_T 400    /* frames per LSTM run (state restarts after) */
#define LS_MAX_OUT 52
#define LS_FLOOR_DB (-80.0f) /* top_db: the quietest value relative to the maximum */
#define LS_CMN_MIN 300  /* training: CMN context 3..12 s (mel frames), like animate's chunks */
#define LS_CMN_MAX 1200
#define LS_YSTD_MIN 0.01 /* floor of a standardised output's std */

/* Input normalisation before the per-band standardisation: dB relative to
 * the loudest frame (max), or minus each band's mean over the analysed audio
 * (cmn: cepstral-style mean normalisation, removes level and channel/session
 * colouring). */
enum { LS_NORM_MAX = 0, LS_NORM_CMN = 1 };

struct vh_lipsync {
    vh_nn_graph *g;
    int x, len, out;
    int hidden, conv, nout;
    int mels, past, ahead, in; /* in = (past + 1 + ahead) * mels */
    int norm;                  /* LS_NORM_* */
    float dropout;             /* training graph only */
    int chan[LS_MAX_OUT]; /* ARKit index of each output */
    float mean[LS_MAX_MELS], std_[LS_MAX_MELS];
    int ynorm;                                /* outputs are standardised: w = o * ystd + ymean */
    float ymean[LS_MAX_OUT], ystd[LS_MAX_OUT];
    vh_features *fe;
};

static int build(vh_lipsync *m, int T, int batch, int train_target, int *loss) {
    vh_nn_graph *g = NULL;
    int st = vh_nn_graph_new(&g);
    if (st) return st;
    int dims[2] = { T, m->in };
    int x = vh_nn_input(g, "x", 2, dims);
    int len = vh_nn_lengths(g, "len");
    int c = vh_nn_dense(g, "conv", x, m->conv, 1);
    c = vh_nn_relu(g, c);
    if (train_target && m->dropout > 0) c = vh_nn_dropout(g, c, m->dropout);
    int h = vh_nn_lstm(g, "lstm", c, len, m->hidden, 0, 1);
    int o = vh_nn_dense(g, "head", h, m->nout, 1);
    if (train_target) {
        int yd[2] = { T, m->nout };
        int y = vh_nn_input(g, "y", 2, yd);
        *loss = vh_nn_huber(g, o, y, m->ynorm ? 1.0f : 0.1f);
    }
    st = vh_nn_graph_compile(g, batch);
    if (st) { vh_nn_graph_free(g); return st; }
    m->g = g;
    m->x = x;
    m->len = len;
    m->out = o;
    return VH_OK;
}

static int features_new(vh_lipsync *m) {
    vh_features_params p = vh_features_default_params();
    p.n_mels = m->mels;
    if (p.n_mfcc > m->mels) p.n_mfcc = m->mels; /* unused here, but validated */
    p.top_db = 80;
    return vh_features_new(&p, &m->fe);
}

void vh_lipsync_free(vh_lipsync *m) {
    if (!m) return;
    vh_nn_graph_free(m->g);
    vh_features_free(m->fe);
    free(m);
}

/* Log-mel of a signal in dB relative to its loudest frame (floor -80 dB);
 * *out = frames × mels (caller frees). */
static int logmel(vh_lipsync *m, const float *pcm, size_t n, float **out, size_t *frames) {
    *out = NULL;
    *frames = 0;
    if (n < 2) return VH_EEMPTY;
    int st = vh_features_logmel(m->fe, pcm, n, out, frames);
    if (st) return st;
    float mx = -INFINITY;
    for (size_t i = 0; i < *frames * (size_t)m->mels; i++) mx = fmaxf(mx, (*out)[i]);
    for (size_t i = 0; i < *frames * (size_t)m->mels; i++) (*out)[i] -= mx;
    return VH_OK;
}

/* Per-band offsets subtracted before dividing by std_: the training mean,
 * plus (cmn) the band's mean over mel frames [k0, k1) of `mel`. */
static void offsets(const vh_lipsync *m, const float *mel, size_t k0, size_t k1, float *off) {
    for (int b = 0; b < m->mels; b++) off[b] = m->mean[b];
    if (m->norm != LS_NORM_CMN || k1 <= k0) return;
    for (int b = 0; b < m->mels; b++) {
        double s = 0;
        for (size_t k = k0; k < k1; k++) s += mel[k * (size_t)m->mels + b];
        off[b] = (float)(s / (double)(k1 - k0)) + m->mean[b];
    }
}

/* Input window of the video frame at time t seconds from the signal start:
 * mel frames t-past .. t+ahead (10 ms each; spaced `speed` frames apart for
 * the speed augmentation, 1 otherwise), (v - off) / std; frames outside the
 * signal read as the -80 dB floor. */
static void window(const vh_lipsync *m, const float *mel, size_t nmel, double t, double speed, const float *off, float *dst) {
    long c = lround(t * 100.0);
    for (int j = 0; j < m->past + 1 + m->ahead; j++) {
        long k = speed == 1.0 ? c - m->past + j : c + lround((j - m->past) * speed);
        for (int b = 0; b < m->mels; b++)
            dst[j * m->mels + b] = ((k >= 0 && (size_t)k < nmel) ? mel[(size_t)k * m->mels + b] : LS_FLOOR_DB) - off[b];
        for (int b = 0; b < m->mels; b++) dst[j * m->mels + b] /= m->std_[b];
    }
}

/* ---- model file ---- */

static int load_common(vh_lipsync *m, vh_safetensors *st, const char *path) {
    const char *fmt = vh_st_meta(st, "format");
    if (!fmt || strcmp(fmt, "verhm-lipsync-1") != 0)
        return vh__fail(NULL, VH_EFORMAT, "%s: not a verhm lip-sync model (metadata format '%s')", path, fmt ? fmt : "");
    const char *ap = vh_st_meta(st, "arch_params");
    const char *ch = vh_st_meta(st, "channels");
    const char *norm = vh_st_meta(st, "input");
    if (!ap || !ch || !norm) return vh__fail(NULL, VH_EFORMAT, "%s: metadata lacks arch_params, channels or input", path);
    vh_json *j = NULL;
    if (vh_json_parse(ap, strlen(ap), &j)) return vh__fail(NULL, VH_EFORMAT, "%s: arch_params is not JSON", path);
    double hid = vh_json_get_number(j, "hidden", -1), conv = vh_json_get_number(j, "conv", -1);
    double mels = vh_json_get_number(j, "mels", -1), past = vh_json_get_number(j, "past", -1), ahead = vh_json_get_number(j, "ahead", -1);
    const char *norm_s = vh_json_get_string(j, "norm", "max");
    int normk = !strcmp(norm_s, "max") ? LS_NORM_MAX : !strcmp(norm_s, "cmn") ? LS_NORM_CMN : -1;
    vh_json_free(j);
    if (!(hid >= 1 && hid <= 1024 && hid == floor(hid)) || !(conv >= 1 && conv <= 4096 && conv == floor(conv)))
        return vh__fail(NULL, VH_EFORMAT, "%s: arch_params hidden/conv out of range", path);
    if (!(mels >= 8 && mels <= LS_MAX_MELS && mels == floor(mels)) || !(past >= 0 && past <= LS_MAX_PAST && past == floor(past)) ||
        !(ahead >= 0 && ahead <= LS_MAX_AHEAD && ahead == floor(ahead)))
        return vh__fail(NULL, VH_EFORMAT, "%s: input window (mels %g, past %g, ahead %g) outside 8..%d, 0..%d, 0..%d",
                        path, mels, past, ahead, LS_MAX_MELS, LS_MAX_PAST, LS_MAX_AHEAD);
    if (normk < 0) return vh__fail(NULL, VH_EFORMAT, "%s: arch_params norm must be \"max\" or \"cmn\"", path);
    m->hidden = (int)hid;
    m->conv = (int)conv;
    m->mels = (int)mels;
    m->past = (int)past;
    m->ahead = (int)ahead;
    m->in = (m->past + 1 + m->ahead) * m->mels;
    m->norm = normk;
    if (vh_json_parse(ch, strlen(ch), &j) || j->type != VH_JSON_ARRAY || j->count < 1 || j->count > LS_MAX_OUT) {
        vh_json_free(j);
        return vh__fail(NULL, VH_EFORMAT, "%s: channels must be a JSON array of 1..52 ARKit names", path);
    }
    m->nout = (int)j->count;
    for (size_t i = 0; i < j->count; i++) {
        const vh_json *e = vh_json_at(j, i);
        int k = e->type == VH_JSON_STRING ? vh_arkit_index(e->string) : -1;
        if (k < 0) { vh_json_free(j); return vh__fail(NULL, VH_EFORMAT, "%s: channel %zu is not an ARKit name", path, i); }
        m->chan[i] = k;
    }
    vh_json_free(j);
    if (vh_json_parse(norm, strlen(norm), &j) || j->type != VH_JSON_OBJECT) {
        vh_json_free(j);
        return vh__fail(NULL, VH_EFORMAT, "%s: input metadata is not a JSON object", path);
    }
    const vh_json *mn = vh_json_get(j, "mean"), *sd = vh_json_get(j, "std");
    int bad = !mn || !sd || mn->type != VH_JSON_ARRAY || sd->type != VH_JSON_ARRAY || mn->count != (size_t)m->mels ||
              sd->count != (size_t)m->mels;
    for (int b = 0; !bad && b < m->mels; b++) {
        const vh_json *a = vh_json_at(mn, (size_t)b), *s = vh_json_at(sd, (size_t)b);
        bad = a->type != VH_JSON_NUMBER || s->type != VH_JSON_NUMBER || !isfinite(a->number) || !(s->number > 1e-6 && s->number < 1e6);
        if (!bad) { m->mean[b] = (float)a->number; m->std_[b] = (float)s->number; }
    }
    vh_json_free(j);
    if (bad) return vh__fail(NULL, VH_EFORMAT, "%s: input mean/std must be %d finite numbers (std > 0)", path, m->mels);
    /* Optional output standardisation. */
    const char *outn = vh_st_meta(st, "output");
    if (!outn) return VH_OK;
    if (vh_json_parse(outn, strlen(outn), &j) || j->type != VH_JSON_OBJECT) {
        vh_json_free(j);
        return vh__fail(NULL, VH_EFORMAT, "%s: output metadata is not a JSON object", path);
    }
    mn = vh_json_get(j, "mean");
    sd = vh_json_get(j, "std");
    bad = !mn || !sd || mn->type != VH_JSON_ARRAY || sd->type != VH_JSON_ARRAY || mn->count != (size_t)m->nout ||
          sd->count != (size_t)m->nout;
    for (int c = 0; !bad && c < m->nout; c++) {
        const vh_json *a = vh_json_at(mn, (size_t)c), *s = vh_json_at(sd, (size_t)c);
        bad = a->type != VH_JSON_NUMBER || s->type != VH_JSON_NUMBER || !isfinite(a->number) || !(s->number > 1e-6 && s->number < 1e6);
        if (!bad) { m->ymean[c] = (float)a->number; m->ystd[c] = (float)s->number; }
    }
    vh_json_free(j);
    if (bad) return vh__fail(NULL, VH_EFORMAT, "%s: output mean/std must be %d finite numbers (std > 0)", path, m->nout);
    m->ynorm = 1;
    return VH_OK;
}

static int load_params(vh_lipsync *m, vh_safetensors *st, const char *path) {
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        const vh_st_tensor *t = vh_st_find(st, p->name);
        if (!t) return vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' missing", path, p->name);
        int s = vh_st_read_f32(st, t, p->t->data, p->t->size);
        if (s) return vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' has the wrong size or type", path, p->name);
        for (size_t k = 0; k < p->t->size; k++)
            if (!isfinite(p->t->data[k])) return vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' holds a non-finite value", path, p->name);
    }
    if (vh_st_count(st) != (size_t)np) return vh__fail(NULL, VH_EFORMAT, "%s: %zu tensors, the architecture has %d", path, vh_st_count(st), np);
    return VH_OK;
}

int vh_lipsync_load(const char *path, vh_lipsync **out) {
    if (!path || !out) return vh__fail(NULL, VH_EINVAL, "vh_lipsync_load: bad arguments");
    *out = NULL;
    vh_safetensors *st = NULL;
    int s = vh_st_open(path, &st);
    if (s) return s;
    vh_lipsync *m = calloc(1, sizeof *m);
    if (!m) { vh_st_free(st); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    if ((s = load_common(m, st, path)) || (s = build(m, LS_MAX_T, 1, 0, NULL)) || (s = load_params(m, st, path)) ||
        (s = features_new(m))) {
        vh_st_free(st);
        vh_lipsync_free(m);
        return s;
    }
    vh_st_free(st);
    vh_nn_set_training(m->g, 0);
    *out = m;
    return VH_OK;
}

/* Weights of `nframes` video frames at times t_first + i/fps (seconds from the
 * signal start) from `n` samples at 16 kHz. */
int vh_lipsync_run(vh_lipsync *m, const float *pcm, size_t n, double t_first, double fps, int nframes, float *w) {
    if (!m || !w || nframes < 0 || !(fps > 0) || (n && !pcm)) return vh__fail(NULL, VH_EINVAL, "vh_lipsync_run: bad arguments");
    memset(w, 0, (size_t)nframes * VH_ARKIT_COUNT * sizeof *w);
    if (nframes == 0 || n < 400) return VH_OK;
    float *mel = NULL;
    size_t nmel = 0;
    int st = logmel(m, pcm, n, &mel, &nmel);
    if (st) return st;
    float off[LS_MAX_MELS];
    offsets(m, mel, 0, nmel, off);
    vh_nn_set_batch(m->g, 1);
    vh_tensor *x = vh_nn_value(m->g, m->x), *len = vh_nn_value(m->g, m->len);
    for (int f0 = 0; f0 < nframes; f0 += LS_MAX_T) {
        int T = VH_MIN(LS_MAX_T, nframes - f0);
        memset(x->data, 0, x->size * sizeof *x->data);
        for (int i = 0; i < T; i++) window(m, mel, nmel, t_first + (f0 + i) / fps, 1.0, off, x->data + (size_t)i * m->in);
        len->data[0] = (float)T;
        if ((st = vh_nn_forward(m->g, m->out))) break;
        const float *o = vh_nn_value(m->g, m->out)->data;
        for (int i = 0; i < T; i++)
            for (int c = 0; c < m->nout; c++) {
                float v = o[(size_t)i * m->nout + c];
                if (m->ynorm) v = v * m->ystd[c] + m->ymean[c];
                w[(size_t)(f0 + i) * VH_ARKIT_COUNT + m->chan[c]] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
    }
    free(mel);
    return st;
}

/* ---- data: <clip>.flac + <clip>.csv ---- */

typedef struct clip {
    char name[256];
    float *mel;  /* nmel × mels, dB relative to the clip's max */
    size_t nmel;
    double *cum; /* (nmel + 1) × mels prefix sums of mel (for CMN contexts) */
    float *y;    /* frames × nout */
    int frames;
} clip;

/* Reads a capture CSV: header "frame,<names>", rows of numbers. Maps the
 * columns to ARKit indices (all must be ARKit names). */
static int read_csv(const char *path, int *nout, int *chan, float **y, int *frames) {
    char *txt = NULL;
    size_t len = 0;
    int st = vh_file_read_all(path, 64u << 20, &txt, &len);
    if (st) return st;
    *y = NULL;
    char *p = txt, *eol = strchr(p, '\n');
    if (!eol) { vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: no header line", path); }
    *eol = 0;
    int nc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(p, ",\r", &save); tok; tok = strtok_r(NULL, ",\r", &save), nc++) {
        if (nc == 0) {
            if (strcmp(tok, "frame") != 0) { vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: first column must be 'frame'", path); }
            continue;
        }
        int k = vh_arkit_index(tok);
        if (k < 0 || nc - 1 >= LS_MAX_OUT) { vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: column '%s' is not an ARKit name", path, tok); }
        if (*nout > 0 && (nc - 1 >= *nout || chan[nc - 1] != k)) { vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: columns differ from the first clip's", path); }
        chan[nc - 1] = k;
    }
    int cols = nc - 1;
    if (cols < 1 || (*nout > 0 && cols != *nout)) { vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: %d weight columns", path, cols); }
    *nout = cols;
    size_t rows = 0;
    for (char *q = eol + 1; *q; q++) rows += *q == '\n';
    rows++;
    if (rows > 10000000) { vh_free(txt); return vh__fail(NULL, VH_ERANGE, "%s: too many rows", path); }
    float *out = malloc(rows * (size_t)cols * sizeof *out);
    if (!out) { vh_free(txt); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    int r = 0;
    char *line = eol + 1;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (*line && *line != '\r') {
            char *q = line, *end;
            strtod(q, &end); /* frame number */
            if (end == q) { free(out); vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: row %d: bad frame number", path, r + 2); }
            q = end;
            for (int c = 0; c < cols; c++) {
                if (*q != ',') { free(out); vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: row %d: %d values, want %d", path, r + 2, c, cols); }
                double v = strtod(q + 1, &end);
                if (end == q + 1 || !isfinite(v)) { free(out); vh_free(txt); return vh__fail(NULL, VH_EFORMAT, "%s: row %d: bad number", path, r + 2); }
                out[(size_t)r * cols + c] = (float)v;
                q = end;
            }
            r++;
        }
        line = nl ? nl + 1 : NULL;
    }
    vh_free(txt);
    if (r == 0) { free(out); return vh__fail(NULL, VH_EEMPTY, "%s: no rows", path); }
    *y = out;
    *frames = r;
    return VH_OK;
}

static int load_clip(vh_lipsync *m, const char *dir, const char *base, int *nout, int *chan, clip *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", base);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", dir, base);
    int st = read_csv(path, nout, chan, &c->y, &c->frames);
    if (st) return st;
    snprintf(path, sizeof path, "%s/%s.flac", dir, base);
    float *pcm = NULL;
    size_t n = 0;
    if ((st = vh_audio_load(path, LS_RATE, 0, &pcm, &n))) return st;
    st = logmel(m, pcm, n, &c->mel, &c->nmel);
    vh_free(pcm);
    if (st) return st;
    size_t nb = (size_t)m->mels;
    c->cum = malloc((c->nmel + 1) * nb * sizeof *c->cum);
    if (!c->cum) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    for (size_t b = 0; b < nb; b++) c->cum[b] = 0;
    for (size_t k = 0; k < c->nmel; k++)
        for (size_t b = 0; b < nb; b++) c->cum[(k + 1) * nb + b] = c->cum[k * nb + b] + c->mel[k * nb + b];
    return VH_OK;
}

static void clip_free(clip *c) {
    free(c->mel);
    free(c->cum);
    free(c->y);
    memset(c, 0, sizeof *c);
}

/* Lists <clip> names that have both .flac and .csv in dir, sorted. */
static int list_clips(const char *dir, char ***names, size_t *count) {
    static const char *const exts[] = { "csv", NULL };
    char **files = NULL;
    size_t nf = 0;
    int st = vh_list_files(dir, 0, exts, &files, &nf);
    if (st) return st;
    char **out = calloc(nf ? nf : 1, sizeof *out);
    size_t n = 0;
    if (!out) { vh_strlist_free(files, nf); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); }
    for (size_t i = 0; i < nf; i++) {
        const char *b = vh_path_base(files[i]);
        size_t l = strlen(b);
        if (l < 5 || l > 200) continue;
        char flac[4096];
        snprintf(flac, sizeof flac, "%s/%.*s.flac", dir, (int)(l - 4), b);
        if (!vh_is_file(flac)) continue;
        out[n] = malloc(l - 3);
        if (!out[n]) break;
        memcpy(out[n], b, l - 4);
        out[n][l - 4] = 0;
        n++;
    }
    vh_strlist_free(files, nf);
    if (n == 0) { free(out); return vh__fail(NULL, VH_EEMPTY, "%s: no <clip>.csv + <clip>.flac pairs", dir); }
    *names = out;
    *count = n;
    return VH_OK;
}

/* ---- evaluation ---- */

/* Lip vertices: skin vertices that the lip shapes (funnel, pucker, roll)
 * move by more than 2.5 mm in total. */
static int lip_vertices(const vh_rig *rig, int **out, int *count) {
    int nv = vh_rig_vertex_count(rig);
    float *mag = calloc((size_t)nv, sizeof *mag);
    if (!mag) return VH_ENOMEM;
    const char *names[] = { "mouthFunnel", "mouthPucker", "mouthRollLower", "mouthRollUpper" };
    for (int s = 0; s < 4; s++) {
        int cnt;
        const uint16_t *vi;
        const float *d;
        vh_rig_shape(rig, vh_arkit_index(names[s]), &cnt, &vi, &d);
        for (int j = 0; j < cnt; j++) mag[vi[j]] += sqrtf(d[3 * j] * d[3 * j] + d[3 * j + 1] * d[3 * j + 1] + d[3 * j + 2] * d[3 * j + 2]);
    }
    const uint8_t *part = vh_rig_parts(rig);
    int n = 0;
    int *v = malloc((size_t)nv * sizeof *v);
    if (!v) { free(mag); return VH_ENOMEM; }
    for (int i = 0; i < nv; i++)
        if (part[i] == VH_PART_SKIN && mag[i] > 0.25f) v[n++] = i;
    free(mag);
    *out = v;
    *count = n;
    return VH_OK;
}

/* Largest distance (cm) over lip vertices between meshes posed with a and b. */
static double lip_error(const vh_rig *rig, const int *lips, int nl, const float *a, const float *b, float *buf) {
    /* buf holds nverts*3 floats: the difference of the two posed meshes. */
    int nv = vh_rig_vertex_count(rig);
    memset(buf, 0, (size_t)nv * 3 * sizeof *buf);
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        float dw = a[k] - b[k];
        if (dw == 0) continue;
        int cnt;
        const uint16_t *vi;
        const float *d;
        vh_rig_shape(rig, k, &cnt, &vi, &d);
        for (int j = 0; j < cnt; j++)
            for (int c = 0; c < 3; c++) buf[3 * (size_t)vi[j] + c] += dw * d[3 * j + c];
    }
    double mx = 0;
    for (int i = 0; i < nl; i++) {
        const float *d = buf + 3 * (size_t)lips[i];
        mx = fmax(mx, sqrt((double)d[0] * d[0] + (double)d[1] * d[1] + (double)d[2] * d[2]));
    }
    return mx;
}

int vh_lipsync_eval(vh_lipsync *m, const vh_rig *rig, const char *dir, vh_lipsync_metrics *res) {
    if (!m || !dir || !res) return vh__fail(NULL, VH_EINVAL, "vh_lipsync_eval: bad arguments");
    memset(res, 0, sizeof *res);
    char **names = NULL;
    size_t nclips = 0;
    int st = list_clips(dir, &names, &nclips);
    if (st) return st;
    int nout = 0, chan[LS_MAX_OUT];
    double sx[LS_MAX_OUT] = { 0 }, sy[LS_MAX_OUT] = { 0 }, sxx[LS_MAX_OUT] = { 0 }, syy[LS_MAX_OUT] = { 0 }, sxy[LS_MAX_OUT] = { 0 }, sae[LS_MAX_OUT] = { 0 };
    long total = 0;
    double lve = 0;
    int *lips = NULL, nl = 0;
    float *buf = NULL, *w = NULL;
    if (rig) {
        if ((st = lip_vertices(rig, &lips, &nl)) || !(buf = malloc((size_t)vh_rig_vertex_count(rig) * 3 * sizeof *buf))) {
            st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir);
            goto out;
        }
    }
    for (size_t ci = 0; ci < nclips; ci++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.csv", dir, names[ci]);
        float *y = NULL;
        int frames = 0;
        if ((st = read_csv(path, &nout, chan, &y, &frames))) goto out;
        snprintf(path, sizeof path, "%s/%s.flac", dir, names[ci]);
        float *pcm = NULL;
        size_t n = 0;
        if ((st = vh_audio_load(path, LS_RATE, 0, &pcm, &n))) { free(y); goto out; }
        free(w);
        w = malloc((size_t)frames * VH_ARKIT_COUNT * sizeof *w);
        if (!w) { free(y); vh_free(pcm); st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); goto out; }
        /* As verhm animate does: 12 s pieces. */
        const int piece = 360;
        for (int f0 = 0; f0 < frames && !st; f0 += piece) {
            int nf = VH_MIN(piece, frames - f0);
            size_t s0 = (size_t)((double)f0 / 30.0 * LS_RATE), s1 = (size_t)((double)(f0 + nf) / 30.0 * LS_RATE);
            if (s0 > n) s0 = n;
            if (s1 > n) s1 = n;
            st = vh_lipsync_run(m, pcm + s0, s1 - s0, (double)f0 / 30.0 - (double)s0 / LS_RATE, 30.0, nf, w + (size_t)f0 * VH_ARKIT_COUNT);
        }
        vh_free(pcm);
        if (!st)
            for (int f = 0; f < frames; f++) {
                float truth[VH_ARKIT_COUNT] = { 0 }, pred[VH_ARKIT_COUNT] = { 0 };
                for (int c = 0; c < nout; c++) {
                    double p = w[(size_t)f * VH_ARKIT_COUNT + chan[c]], t = y[(size_t)f * nout + c];
                    sx[c] += p; sy[c] += t; sxx[c] += p * p; syy[c] += t * t; sxy[c] += p * t; sae[c] += fabs(p - t);
                    truth[chan[c]] = (float)t;
                    pred[chan[c]] = (float)p;
                }
                if (rig) lve += lip_error(rig, lips, nl, pred, truth, buf);
                total++;
            }
        free(y);
        if (st) goto out;
    }
    res->channels = nout;
    res->frames = total;
    res->clips = (int)nclips;
    double mr = 0, me = 0;
    int nr = 0;
    for (int c = 0; c < nout; c++) {
        res->channel[c] = chan[c];
        double N = (double)total, cov = sxy[c] / N - sx[c] / N * sy[c] / N;
        double vx = sxx[c] / N - sx[c] / N * sx[c] / N, vy = syy[c] / N - sy[c] / N * sy[c] / N;
        res->mae[c] = sae[c] / N;
        if (!(vy > VH_LIPSYNC_VARYING_STD * VH_LIPSYNC_VARYING_STD)) { res->pearson[c] = NAN; continue; }
        /* The truth varies: a constant prediction has r = 0 and still counts. */
        res->pearson[c] = vx > 1e-12 ? cov / sqrt(vx * vy) : 0.0;
        mr += res->pearson[c];
        me += res->mae[c];
        nr++;
    }
    res->varying = nr;
    res->mean_pearson = nr ? mr / nr : NAN;
    res->mean_mae = nr ? me / nr : NAN;
    res->lve_mm = rig && total ? 10.0 * lve / (double)total : NAN;
out:
    for (size_t i = 0; i < nclips; i++) free(names[i]);
    free(names);
    free(lips);
    free(buf);
    free(w);
    return st;
}

/* ---- training ---- */

vh_lipsync_train_params vh_lipsync_train_default_params(void) {
    vh_lipsync_train_params p;
    memset(&p, 0, sizeof p);
    p.holdout = NULL;
    p.steps = 3000;
    p.batch = 16;
    p.seq = 90;
    p.hidden = 96;
    p.conv = 128;
    p.lr = 2e-3f;
    p.seed = 1;
    p.mels = 32;
    p.past = 12;
    p.ahead = 3;
    p.norm = 0;
    p.dropout = 0;
    p.ynorm = 0;
    p.augment = 0;
    return p;
}

static int save_model(vh_lipsync *m, const char *path, const char *provenance, int overwrite) {
    vh_st_writer *wr = NULL;
    int st = vh_st_writer_new(&wr);
    if (st) return st;
    int np = vh_nn_param_count(m->g);
    for (int i = 0; i < np && !st; i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        int64_t shape[4];
        for (int d = 0; d < p->t->ndim; d++) shape[d] = p->t->shape[d];
        st = vh_st_writer_add_f32(wr, p->name, p->t->data, p->t->ndim, shape);
    }
    vh_buf b = { 0 };
    vh_buf_printf(&b, "{\"hidden\":%d,\"conv\":%d,\"mels\":%d,\"past\":%d,\"ahead\":%d,\"norm\":\"%s\",\"fps\":30}", m->hidden,
                  m->conv, m->mels, m->past, m->ahead, m->norm == LS_NORM_CMN ? "cmn" : "max");
    vh_buf c = { 0 };
    vh_buf_puts(&c, "[");
    for (int i = 0; i < m->nout; i++) vh_buf_printf(&c, "%s\"%s\"", i ? "," : "", vh_arkit_names[m->chan[i]]);
    vh_buf_puts(&c, "]");
    vh_buf in = { 0 };
    vh_buf_puts(&in, "{\"rate\":16000,\"mean\":[");
    for (int i = 0; i < m->mels; i++) vh_buf_printf(&in, "%s%.7g", i ? "," : "", m->mean[i]);
    vh_buf_puts(&in, "],\"std\":[");
    for (int i = 0; i < m->mels; i++) vh_buf_printf(&in, "%s%.7g", i ? "," : "", m->std_[i]);
    vh_buf_puts(&in, "]}");
    vh_buf_puts(&b, "");
    vh_buf_puts(&c, "");
    vh_buf_puts(&in, "");
    if (b.failed || c.failed || in.failed) st = VH_ENOMEM;
    if (!st) st = vh_st_writer_meta(wr, "format", "verhm-lipsync-1");
    if (!st) st = vh_st_writer_meta(wr, "arch", "lipsync-conv-lstm");
    if (!st) st = vh_st_writer_meta(wr, "arch_params", b.data);
    if (!st) st = vh_st_writer_meta(wr, "channels", c.data);
    if (!st) st = vh_st_writer_meta(wr, "input", in.data);
    if (!st && m->ynorm) {
        vh_buf on = { 0 };
        vh_buf_puts(&on, "{\"mean\":[");
        for (int i = 0; i < m->nout; i++) vh_buf_printf(&on, "%s%.7g", i ? "," : "", m->ymean[i]);
        vh_buf_puts(&on, "],\"std\":[");
        for (int i = 0; i < m->nout; i++) vh_buf_printf(&on, "%s%.7g", i ? "," : "", m->ystd[i]);
        vh_buf_puts(&on, "]}");
        st = on.failed ? VH_ENOMEM : vh_st_writer_meta(wr, "output", on.data);
        vh_buf_free(&on);
    }
    if (!st && provenance) st = vh_st_writer_meta(wr, "provenance", provenance);
    if (!st) st = vh_st_writer_save(wr, path, overwrite);
    vh_buf_free(&b);
    vh_buf_free(&c);
    vh_buf_free(&in);
    vh_st_writer_free(wr);
    return st;
}

int vh_lipsync_train(const char *dir, const char *out, const vh_lipsync_train_params *p, int overwrite,
                     vh_lipsync_progress_fn progress, void *user) {
    if (!dir || !out || !p || p->steps < 1 || p->batch < 1 || p->batch > 256 || p->seq < 8 || p->seq > LS_MAX_T ||
        p->hidden < 4 || p->hidden > 1024 || p->conv < 4 || p->conv > 4096 || !(p->lr > 0) || p->mels < 8 ||
        p->mels > LS_MAX_MELS || p->past < 0 || p->past > LS_MAX_PAST || p->ahead < 0 || p->ahead > LS_MAX_AHEAD ||
        (p->norm != LS_NORM_MAX && p->norm != LS_NORM_CMN) || !(p->dropout >= 0 && p->dropout < 0.9f) || p->ynorm < 0 || p->ynorm > 1 || p->augment < 0 ||
        p->augment > 1)
        return vh__fail(NULL, VH_EINVAL, "lip-sync training: bad parameters");
    char **names = NULL;
    size_t nclips = 0;
    int st = list_clips(dir, &names, &nclips);
    if (st) return st;
    vh_lipsync *m = calloc(1, sizeof *m);
    clip *clips = calloc(nclips, sizeof *clips);
    float *xb = NULL, *yb = NULL;
    vh_nn_optim *opt = NULL;
    int ntrain = 0, loss = -1;
    if (!m || !clips) { st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); goto out; }
    m->hidden = p->hidden;
    m->conv = p->conv;
    m->mels = p->mels;
    m->past = p->past;
    m->ahead = p->ahead;
    m->in = (m->past + 1 + m->ahead) * m->mels;
    m->norm = p->norm;
    m->dropout = p->dropout;
    if ((st = features_new(m))) goto out;
    int nout = 0;
    for (size_t i = 0; i < nclips; i++) {
        if (p->holdout && strcmp(names[i], p->holdout) == 0) continue;
        if ((st = load_clip(m, dir, names[i], &nout, m->chan, &clips[ntrain]))) goto out;
        if (clips[ntrain].frames >= p->seq) ntrain++;
        else clip_free(&clips[ntrain]);
    }
    if (ntrain == 0) { st = vh__fail(NULL, VH_EEMPTY, "%s: no training clip of at least %d frames", dir, p->seq); goto out; }
    m->nout = nout;
    /* Output standardisation: every channel weighs the same in the loss
     * (std floored at LS_YSTD_MIN so all-zero channels stay at 0). */
    m->ynorm = p->ynorm;
    if (m->ynorm) {
        double ys[LS_MAX_OUT] = { 0 }, yss[LS_MAX_OUT] = { 0 }, yn = 0;
        for (int i = 0; i < ntrain; i++)
            for (int f = 0; f < clips[i].frames; f++, yn++)
                for (int c = 0; c < nout; c++) { double v = clips[i].y[(size_t)f * nout + c]; ys[c] += v; yss[c] += v * v; }
        for (int c = 0; c < nout; c++) {
            double mu = ys[c] / yn, var = yss[c] / yn - mu * mu;
            m->ymean[c] = (float)mu;
            m->ystd[c] = (float)fmax(sqrt(var > 0 ? var : 0), LS_YSTD_MIN);
        }
        for (int i = 0; i < ntrain; i++)
            for (int f = 0; f < clips[i].frames; f++)
                for (int c = 0; c < nout; c++) {
                    float *v = &clips[i].y[(size_t)f * nout + c];
                    *v = (*v - m->ymean[c]) / m->ystd[c];
                }
    }
    /* Per-band statistics over the training audio (cmn: after subtracting
     * each clip's band means). */
    size_t nb = (size_t)m->mels;
    double s[LS_MAX_MELS] = { 0 }, ss[LS_MAX_MELS] = { 0 }, cnt = 0;
    for (int i = 0; i < ntrain; i++) {
        float cm[LS_MAX_MELS] = { 0 };
        if (m->norm == LS_NORM_CMN)
            for (size_t b = 0; b < nb; b++) cm[b] = (float)(clips[i].cum[clips[i].nmel * nb + b] / (double)clips[i].nmel);
        for (size_t f = 0; f < clips[i].nmel; f++) {
            for (size_t b = 0; b < nb; b++) { double v = clips[i].mel[f * nb + b] - cm[b]; s[b] += v; ss[b] += v * v; }
            cnt++;
        }
    }
    for (size_t b = 0; b < nb; b++) {
        m->mean[b] = (float)(s[b] / cnt);
        double var = ss[b] / cnt - (s[b] / cnt) * (s[b] / cnt);
        m->std_[b] = (float)sqrt(var > 1e-6 ? var : 1e-6);
    }
    if ((st = build(m, p->seq, p->batch, 1, &loss))) goto out;
    vh_nn_graph_init_params(m->g, p->seed);
    vh_nn_graph_seed(m->g, p->seed);
    vh_nn_optim_params op = vh_nn_optim_default_params();
    op.kind = VH_OPTIM_ADAMW;
    op.lr = p->lr;
    op.weight_decay = 1e-4f;
    op.clip_norm = 1.0f;
    op.schedule = VH_LR_COSINE;
    op.warmup_steps = 100;
    op.total_steps = p->steps;
    op.min_lr = p->lr * 0.02f;
    if ((st = vh_nn_optim_new(m->g, &op, &opt))) goto out;
    vh_nn_set_training(m->g, 1);
    vh_rng rng;
    vh_rng_seed(&rng, p->seed);
    vh_tensor *x = vh_nn_value(m->g, m->x), *len = vh_nn_value(m->g, m->len);
    vh_tensor *yt = NULL;
    for (int i = 0; i < vh_nn_node_count(m->g); i++)
        if (vh_nn_node_op(m->g, i) == VH_OP_INPUT && vh_nn_node_name(m->g, i) && strcmp(vh_nn_node_name(m->g, i), "y") == 0)
            yt = vh_nn_value(m->g, i);
    if (!yt) { st = vh__fail(NULL, VH_EINTERNAL, "lip-sync: target node missing"); goto out; }
    double run = 0;
    for (int step = 0; step < p->steps; step++) {
        for (int b = 0; b < p->batch; b++) {
            int ci = (int)vh_rng_below(&rng, (uint64_t)ntrain);
            clip *c = &clips[ci];
            /* augment: speaking rate ×0.9..1.1 (audio frames and labels
             * resampled together) and up to 4 adjacent mel bands masked. */
            double sp = 1.0;
            int span = p->seq, mask0 = 0, maskw = 0;
            if (p->augment) {
                sp = exp(0.1 * (2 * vh_rng_uniform(&rng) - 1));
                span = (int)ceil((p->seq - 1) * sp) + 1;
                if (span > c->frames) { sp = 1.0; span = p->seq; }
                maskw = (int)vh_rng_below(&rng, 5);
                mask0 = (int)vh_rng_below(&rng, (uint64_t)(m->mels - maskw + 1));
            }
            int f0 = (int)vh_rng_below(&rng, (uint64_t)(c->frames - span + 1));
            /* max: gain augmentation is a no-op after max-normalisation; add a
             * small random offset instead (level/channel response). cmn: the
             * band means come from a random 3..12 s context around the crop,
             * as animate analyses ≤ 12 s chunks (an offset would cancel). */
            float jitter = (float)(0.1 * vh_rng_normal(&rng));
            float off[LS_MAX_MELS];
            offsets(m, c->mel, 0, 0, off);
            if (m->norm == LS_NORM_CMN) {
                long n = (long)c->nmel;
                long k0 = VH_MAX(0L, lround(f0 * 100.0 / 30.0) - m->past), k1 = VH_MIN(n, lround((f0 + span) * 100.0 / 30.0) + m->ahead);
                long L = LS_CMN_MIN + (long)vh_rng_below(&rng, LS_CMN_MAX - LS_CMN_MIN + 1);
                if (L < k1 - k0) L = k1 - k0;
                if (L > n) L = n;
                long lo = VH_MAX(0L, k1 - L), hi = VH_MIN(k0, n - L);
                long c0 = hi > lo ? lo + (long)vh_rng_below(&rng, (uint64_t)(hi - lo + 1)) : lo;
                for (size_t bb = 0; bb < nb; bb++)
                    off[bb] += (float)((c->cum[(size_t)(c0 + L) * nb + bb] - c->cum[(size_t)c0 * nb + bb]) / (double)L);
                jitter = 0;
            }
            for (int i = 0; i < p->seq; i++) {
                float *dst = x->data + ((size_t)b * p->seq + i) * m->in;
                float *yd = yt->data + ((size_t)b * p->seq + i) * nout;
                if (sp == 1.0) {
                    window(m, c->mel, c->nmel, (f0 + i) / 30.0, 1.0, off, dst);
                    memcpy(yd, c->y + (size_t)(f0 + i) * nout, (size_t)nout * sizeof(float));
                } else {
                    double u = f0 + i * sp;
                    int i0 = VH_MIN((int)u, c->frames - 1), i1 = VH_MIN(i0 + 1, c->frames - 1);
                    float a = (float)(u - i0);
                    window(m, c->mel, c->nmel, u / 30.0, sp, off, dst);
                    for (int k = 0; k < nout; k++) yd[k] = (1 - a) * c->y[(size_t)i0 * nout + k] + a * c->y[(size_t)i1 * nout + k];
                }
                for (int j = 0; maskw && j < m->past + 1 + m->ahead; j++)
                    for (int k = mask0; k < mask0 + maskw; k++) dst[j * m->mels + k] = 0;
                if (jitter != 0)
                    for (int k = 0; k < m->in; k++) dst[k] += jitter;
            }
            len->data[b] = (float)p->seq;
        }
        vh_nn_set_batch(m->g, p->batch);
        if ((st = vh_nn_forward(m->g, loss)) || (st = vh_nn_backward(m->g, loss)) || (st = vh_nn_optim_step(opt, NULL))) goto out;
        double l = vh_nn_value(m->g, loss)->data[0];
        run = step ? 0.98 * run + 0.02 * l : l;
        if (progress && progress(step + 1, p->steps, run, user)) { st = vh__fail(NULL, VH_ECANCELED, "training canceled"); goto out; }
    }
    {
        char prov[1024];
        snprintf(prov, sizeof prov,
                 "{\"data\":\"%s\",\"holdout\":\"%s\",\"train_clips\":%d,\"steps\":%d,\"batch\":%d,\"seq\":%d,"
                 "\"seed\":%llu,\"final_loss\":%.6g,\"license\":\"FACEGOOD data: MIT, authors ask for non-commercial use\"}",
                 vh_path_base(dir), p->holdout ? p->holdout : "", ntrain, p->steps, p->batch, p->seq,
                 (unsigned long long)p->seed, run);
        st = save_model(m, out, prov, overwrite);
    }
out:
    vh_nn_optim_free(opt);
    for (size_t i = 0; clips && i < nclips; i++) clip_free(&clips[i]);
    free(clips);
    for (size_t i = 0; i < nclips; i++) free(names[i]);
    free(names);
    free(xb);
    free(yb);
    vh_lipsync_free(m);
    return st;
}
