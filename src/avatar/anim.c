/* Animation layers of the voice-driven face: phones → visemes → coarticulated
 * mouth curves, Savitzky–Golay smoothing, blinks and gaze, emotion layer. */
#include "verhm/avatar.h"
#include "core/internal.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VH_PI 3.14159265358979323846

/* ARKit indices used below. */
enum {
    K_BLINK_L = 0, K_SQUINT_L = 5, K_WIDE_L = 6, K_BLINK_R = 7, K_SQUINT_R = 12, K_WIDE_R = 13,
    K_JAW_FWD = 14, K_JAW_OPEN = 17, K_CLOSE = 18, K_FUNNEL = 19, K_PUCKER = 20,
    K_SMILE_L = 23, K_SMILE_R = 24, K_FROWN_L = 25, K_FROWN_R = 26, K_DIMPLE_L = 27,
    K_DIMPLE_R = 28, K_STRETCH_L = 29, K_STRETCH_R = 30, K_ROLL_LO = 31, K_ROLL_UP = 32,
    K_SHRUG_LO = 33, K_SHRUG_UP = 34, K_PRESS_L = 35, K_PRESS_R = 36, K_LOWER_L = 37,
    K_LOWER_R = 38, K_UPPER_L = 39, K_UPPER_R = 40, K_BROWD_L = 41, K_BROWD_R = 42,
    K_BROW_IN = 43, K_BROWO_L = 44, K_BROWO_R = 45, K_CHEEK_SQ_L = 47, K_CHEEK_SQ_R = 48,
    K_SNEER_L = 49, K_SNEER_R = 50, K_TONGUE = 51
};

/* Mouth/jaw channels driven by the lip-sync (14..40). */
static int is_mouth(int k) { return k >= K_JAW_FWD && k <= K_UPPER_R; }

/* Viseme targets, filled lazily from a compact description. */
typedef struct { int k; float v; } kv;
typedef struct { const kv *e; int n; float dominance, rate; } vdesc;

#define V(...) { (const kv[]){ __VA_ARGS__ }, (int)(sizeof((kv[]){ __VA_ARGS__ }) / sizeof(kv))

static const vdesc vis_desc[VH_VIS_COUNT] = {
    /* SIL */ { (const kv[]){ { K_JAW_OPEN, 0.0f } }, 1, 0.6f, 10.0f },
    /* PBM */ V({ K_JAW_OPEN, 0.02f }, { K_CLOSE, 0.05f }, { K_PRESS_L, 0.45f }, { K_PRESS_R, 0.45f },
                { K_ROLL_LO, 0.15f }, { K_ROLL_UP, 0.1f }), 10.0f, 28.0f },
    /* FV  */ V({ K_JAW_OPEN, 0.06f }, { K_ROLL_LO, 0.55f }, { K_UPPER_L, 0.2f }, { K_UPPER_R, 0.2f },
                { K_SHRUG_UP, 0.1f }), 5.0f, 24.0f },
    /* TH  */ V({ K_JAW_OPEN, 0.14f }, { K_TONGUE, 0.25f }, { K_STRETCH_L, 0.1f }, { K_STRETCH_R, 0.1f }), 1.3f, 18.0f },
    /* DTN */ V({ K_JAW_OPEN, 0.12f }, { K_STRETCH_L, 0.12f }, { K_STRETCH_R, 0.12f },
                { K_LOWER_L, 0.08f }, { K_LOWER_R, 0.08f }), 0.9f, 16.0f },
    /* SZ  */ V({ K_JAW_OPEN, 0.06f }, { K_STRETCH_L, 0.25f }, { K_STRETCH_R, 0.25f },
                { K_UPPER_L, 0.1f }, { K_UPPER_R, 0.1f }), 1.4f, 18.0f },
    /* SH  */ V({ K_JAW_OPEN, 0.1f }, { K_FUNNEL, 0.5f }, { K_PUCKER, 0.25f },
                { K_UPPER_L, 0.15f }, { K_UPPER_R, 0.15f }), 1.6f, 18.0f },
    /* KG  */ V({ K_JAW_OPEN, 0.2f }, { K_STRETCH_L, 0.08f }, { K_STRETCH_R, 0.08f }), 0.7f, 14.0f },
    /* R   */ V({ K_JAW_OPEN, 0.12f }, { K_PUCKER, 0.35f }, { K_FUNNEL, 0.2f }), 1.0f, 14.0f },
    /* W   */ V({ K_JAW_OPEN, 0.06f }, { K_PUCKER, 0.75f }, { K_FUNNEL, 0.15f }), 1.8f, 18.0f },
    /* AA  */ V({ K_JAW_OPEN, 0.55f }, { K_LOWER_L, 0.2f }, { K_LOWER_R, 0.2f },
                { K_UPPER_L, 0.05f }, { K_UPPER_R, 0.05f }), 1.0f, 12.0f },
    /* EH  */ V({ K_JAW_OPEN, 0.36f }, { K_STRETCH_L, 0.3f }, { K_STRETCH_R, 0.3f },
                { K_LOWER_L, 0.15f }, { K_LOWER_R, 0.15f }), 1.0f, 12.0f },
    /* IY  */ V({ K_JAW_OPEN, 0.16f }, { K_STRETCH_L, 0.4f }, { K_STRETCH_R, 0.4f },
                { K_SMILE_L, 0.15f }, { K_SMILE_R, 0.15f }), 1.0f, 13.0f },
    /* OW  */ V({ K_JAW_OPEN, 0.36f }, { K_FUNNEL, 0.5f }, { K_PUCKER, 0.3f }), 1.0f, 12.0f },
    /* UW  */ V({ K_JAW_OPEN, 0.14f }, { K_PUCKER, 0.6f }, { K_FUNNEL, 0.35f }), 1.2f, 14.0f },
};

static float vis_table[VH_VIS_COUNT][VH_ARKIT_COUNT];
static int vis_ready;

static void vis_init(void) {
    if (vis_ready) return; /* the table is a pure function of vis_desc: racing writers store equal values */
    for (int v = 0; v < VH_VIS_COUNT; v++) {
        memset(vis_table[v], 0, sizeof vis_table[v]);
        for (int i = 0; i < vis_desc[v].n; i++) vis_table[v][vis_desc[v].e[i].k] = vis_desc[v].e[i].v;
    }
    vis_ready = 1;
}

const float *vh_viseme_target(int viseme) {
    if (viseme < 0 || viseme >= VH_VIS_COUNT) return NULL;
    vis_init();
    return vis_table[viseme];
}

int vh_viseme_of_phone(const char *phone) {
    static const struct { const char *p; int v; } map[] = {
        { "P", VH_VIS_PBM }, { "B", VH_VIS_PBM }, { "M", VH_VIS_PBM },
        { "F", VH_VIS_FV }, { "V", VH_VIS_FV },
        { "TH", VH_VIS_TH }, { "DH", VH_VIS_TH },
        { "T", VH_VIS_DTN }, { "D", VH_VIS_DTN }, { "N", VH_VIS_DTN }, { "L", VH_VIS_DTN },
        { "S", VH_VIS_SZ }, { "Z", VH_VIS_SZ },
        { "SH", VH_VIS_SH }, { "ZH", VH_VIS_SH }, { "CH", VH_VIS_SH }, { "JH", VH_VIS_SH },
        { "K", VH_VIS_KG }, { "G", VH_VIS_KG }, { "NG", VH_VIS_KG }, { "HH", VH_VIS_KG }, { "Y", VH_VIS_IY },
        { "R", VH_VIS_R }, { "ER", VH_VIS_R },
        { "W", VH_VIS_W },
        { "AA", VH_VIS_AA }, { "AH", VH_VIS_AA }, { "AW", VH_VIS_AA }, { "AY", VH_VIS_AA },
        { "AE", VH_VIS_EH }, { "EH", VH_VIS_EH }, { "EY", VH_VIS_EH },
        { "IY", VH_VIS_IY }, { "IH", VH_VIS_IY },
        { "AO", VH_VIS_OW }, { "OW", VH_VIS_OW }, { "OY", VH_VIS_OW },
        { "UW", VH_VIS_UW }, { "UH", VH_VIS_UW },
    };
    if (!phone) return VH_VIS_SIL;
    char b[8];
    size_t n = 0;
    for (const char *p = phone; *p && !isdigit((unsigned char)*p); p++) {
        if (n + 1 >= sizeof b) return VH_VIS_SIL;
        b[n++] = (char)toupper((unsigned char)*p);
    }
    b[n] = 0;
    for (size_t i = 0; i < VH_COUNTOF(map); i++)
        if (strcmp(map[i].p, b) == 0) return map[i].v;
    return VH_VIS_SIL;
}

int vh_phones_to_curves(const vh_phone_seg *segs, int nsegs, double t0, double fps, int nframes, float *w) {
    if (!(fps > 0) || nframes < 0 || nsegs < 0 || (nframes > 0 && !w) || (nsegs > 0 && !segs))
        return vh__fail(NULL, VH_EINVAL, "vh_phones_to_curves: bad arguments");
    vis_init();
    /* Resting dominance: pulls the mouth toward closed between phones. */
    const double rest = 0.02;
    int first = 0;
    for (int f = 0; f < nframes; f++) {
        double t = t0 + f / fps;
        double num[VH_ARKIT_COUNT] = { 0 }, den = rest;
        /* Segments are sorted by time: skip those that ended long before t. */
        while (first < nsegs && segs[first].end < t - 0.6) first++;
        for (int i = first; i < nsegs; i++) {
            const vh_phone_seg *s = &segs[i];
            if (s->start > t + 0.6) break;
            int v = vh_viseme_of_phone(s->phone);
            const vdesc *d = &vis_desc[v];
            double c = 0.5 * (s->start + s->end), half = 0.5 * (s->end - s->start);
            if (half < 0) half = 0;
            /* Full dominance inside the phone's core, exponential decay outside. */
            double dist = fabs(t - c) - 0.5 * half;
            if (dist < 0) dist = 0;
            double D = d->dominance * exp(-d->rate * dist);
            den += D;
            for (int k = 0; k < VH_ARKIT_COUNT; k++) num[k] += D * vis_table[v][k];
        }
        float *row = w + (size_t)f * VH_ARKIT_COUNT;
        for (int k = 0; k < VH_ARKIT_COUNT; k++) row[k] = (is_mouth(k) || k == K_TONGUE) ? (float)(num[k] / den) : 0.0f;
    }
    return VH_OK;
}

/* ---- Savitzky–Golay ---- */

/* Solves the (order+1)² normal equations of a least-squares polynomial fit
 * over offsets [lo, hi] and returns the weights that give the fitted value at
 * offset 0. */
static int sg_weights(int lo, int hi, int order, double *wts) {
    int m = order + 1;
    double A[7][8];
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int x = lo; x <= hi; x++) s += pow(x, i + j);
            A[i][j] = s;
        }
    /* Solve A c = e0 (c gives the row of the pseudo-inverse for the constant term). */
    for (int i = 0; i < m; i++) A[i][m] = (i == 0);
    for (int col = 0; col < m; col++) {
        int piv = col;
        for (int r = col + 1; r < m; r++)
            if (fabs(A[r][col]) > fabs(A[piv][col])) piv = r;
        if (fabs(A[piv][col]) < 1e-12) return -1;
        if (piv != col)
            for (int j = 0; j <= m; j++) { double t = A[col][j]; A[col][j] = A[piv][j]; A[piv][j] = t; }
        for (int r = 0; r < m; r++) {
            if (r == col) continue;
            double f = A[r][col] / A[col][col];
            for (int j = col; j <= m; j++) A[r][j] -= f * A[col][j];
        }
    }
    double c[7];
    for (int i = 0; i < m; i++) c[i] = A[i][m] / A[i][i];
    for (int x = lo; x <= hi; x++) {
        double s = 0;
        for (int i = 0; i < m; i++) s += c[i] * pow(x, i);
        wts[x - lo] = s;
    }
    return 0;
}

int vh_savgol(float *x, int n, int stride, int half, int order) {
    if (!x || n < 0 || stride < 1 || half < 1 || half > 32 || order < 0 || order > 6 || order >= 2 * half + 1)
        return vh__fail(NULL, VH_EINVAL, "vh_savgol: bad arguments (half %d, order %d)", half, order);
    if (n < 2) return VH_OK;
    float *tmp = malloc((size_t)n * sizeof *tmp);
    if (!tmp) return vh__fail(NULL, VH_ENOMEM, "vh_savgol: out of memory");
    double wts[65];
    int cached_h = -1;
    for (int i = 0; i < n; i++) {
        int h = VH_MIN(half, VH_MIN(i, n - 1 - i));
        int o = VH_MIN(order, 2 * h);
        if (h != cached_h) {
            if (h == 0) { wts[0] = 1; }
            else if (sg_weights(-h, h, o, wts)) { free(tmp); return vh__fail(NULL, VH_EINTERNAL, "vh_savgol: singular fit"); }
            cached_h = h;
        }
        double s = 0;
        for (int j = -h; j <= h; j++) s += wts[j + h] * x[(size_t)(i + j) * (size_t)stride];
        tmp[i] = (float)s;
    }
    for (int i = 0; i < n; i++) x[(size_t)i * (size_t)stride] = tmp[i];
    free(tmp);
    return VH_OK;
}

/* ---- blinks and gaze ---- */

static long blink_interval(vh_eyes *e) {
    /* Log-normal intervals with the requested mean (σ = 0.5), at least 1 s. */
    double mean = 60.0 / (e->rate_per_min > 0 ? e->rate_per_min : 15.0);
    double sigma = 0.5, mu = log(mean) - 0.5 * sigma * sigma;
    double s = exp(mu + sigma * vh_rng_normal(&e->rng));
    if (s < 1.0) s = 1.0;
    return (long)lround(s * e->fps);
}

static long fixation_frames(vh_eyes *e) { return (long)lround((0.4 + 2.1 * vh_rng_uniform(&e->rng)) * e->fps); }

void vh_eyes_init(vh_eyes *e, uint64_t seed, double fps, double rate_per_min) {
    memset(e, 0, sizeof *e);
    vh_rng_seed(&e->rng, seed);
    e->fps = fps > 0 ? fps : 30;
    e->rate_per_min = rate_per_min > 0 ? rate_per_min : 15;
    e->blink_start = -1;
    /* The first blink comes somewhere within the first interval. */
    e->next_blink = (long)(vh_rng_uniform(&e->rng) * (double)blink_interval(e));
    e->next_fix = fixation_frames(e);
}

float vh_eyes_step(vh_eyes *e, float *gaze_yaw, float *gaze_pitch) {
    float closure = 0;
    if (e->frame >= e->next_blink && e->blink_start < 0) {
        e->blink_start = e->frame;
        double dur = 0.1 + 0.3 * vh_rng_uniform(&e->rng) * vh_rng_uniform(&e->rng) + 0.05 * vh_rng_uniform(&e->rng);
        if (dur > 0.4) dur = 0.4;
        e->blink_len = VH_MAX(3, (long)lround(dur * e->fps));
        e->next_blink = e->frame + blink_interval(e);
    }
    if (e->blink_start >= 0) {
        double u = (double)(e->frame - e->blink_start) / (double)e->blink_len; /* 0..1 */
        /* Closing takes the first 35 %, opening the rest. */
        closure = (float)(u < 0.35 ? sin(0.5 * VH_PI * u / 0.35) : cos(0.5 * VH_PI * (u - 0.35) / 0.65));
        if (closure < 0) closure = 0;
        if (e->frame - e->blink_start + 1 >= e->blink_len) e->blink_start = -1;
    }
    if (e->frame >= e->next_fix) {
        e->target_yaw = (float)(3.0 * (2 * vh_rng_uniform(&e->rng) - 1));
        e->target_pitch = (float)(2.0 * (2 * vh_rng_uniform(&e->rng) - 1));
        e->next_fix = e->frame + fixation_frames(e);
    }
    /* Saccade: most of the way within ~2 frames. */
    e->gaze_yaw += 0.6f * (e->target_yaw - e->gaze_yaw);
    e->gaze_pitch += 0.6f * (e->target_pitch - e->gaze_pitch);
    if (gaze_yaw) *gaze_yaw = e->gaze_yaw;
    if (gaze_pitch) *gaze_pitch = e->gaze_pitch;
    e->frame++;
    return closure;
}

/* ---- emotion layer ---- */

int vh_emotion_expression(const char *label, float intensity, float expr[VH_ARKIT_COUNT]) {
    static const struct { const char *name; kv e[10]; } tab[] = {
        { "neutral", { { -1, 0 } } },
        { "calm", { { K_SMILE_L, 0.08f }, { K_SMILE_R, 0.08f }, { K_SQUINT_L, 0.05f }, { K_SQUINT_R, 0.05f }, { -1, 0 } } },
        { "happy", { { K_SMILE_L, 0.55f }, { K_SMILE_R, 0.55f }, { K_CHEEK_SQ_L, 0.45f }, { K_CHEEK_SQ_R, 0.45f },
                     { K_SQUINT_L, 0.3f }, { K_SQUINT_R, 0.3f }, { K_DIMPLE_L, 0.2f }, { K_DIMPLE_R, 0.2f },
                     { K_BROWO_L, 0.1f }, { K_BROWO_R, 0.1f } } },
        { "sad", { { K_BROW_IN, 0.6f }, { K_FROWN_L, 0.45f }, { K_FROWN_R, 0.45f }, { K_BROWD_L, 0.1f },
                   { K_BROWD_R, 0.1f }, { K_SHRUG_LO, 0.2f }, { K_SQUINT_L, 0.1f }, { K_SQUINT_R, 0.1f }, { -1, 0 } } },
        { "angry", { { K_BROWD_L, 0.75f }, { K_BROWD_R, 0.75f }, { K_SQUINT_L, 0.4f }, { K_SQUINT_R, 0.4f },
                     { K_SNEER_L, 0.3f }, { K_SNEER_R, 0.3f }, { K_PRESS_L, 0.15f }, { K_PRESS_R, 0.15f },
                     { K_FROWN_L, 0.2f }, { K_FROWN_R, 0.2f } } },
        { "fear", { { K_BROW_IN, 0.7f }, { K_BROWO_L, 0.35f }, { K_BROWO_R, 0.35f }, { K_WIDE_L, 0.6f },
                    { K_WIDE_R, 0.6f }, { K_STRETCH_L, 0.3f }, { K_STRETCH_R, 0.3f }, { -1, 0 } } },
        { "surprise", { { K_BROW_IN, 0.6f }, { K_BROWO_L, 0.7f }, { K_BROWO_R, 0.7f }, { K_WIDE_L, 0.7f },
                        { K_WIDE_R, 0.7f }, { K_JAW_OPEN, 0.12f }, { -1, 0 } } },
        { "disgust", { { K_SNEER_L, 0.6f }, { K_SNEER_R, 0.6f }, { K_UPPER_L, 0.3f }, { K_UPPER_R, 0.3f },
                       { K_BROWD_L, 0.4f }, { K_BROWD_R, 0.4f }, { K_CHEEK_SQ_L, 0.3f }, { K_CHEEK_SQ_R, 0.3f },
                       { K_FROWN_L, 0.2f }, { K_FROWN_R, 0.2f } } },
        { "contempt", { { K_SMILE_L, 0.35f }, { K_DIMPLE_L, 0.35f }, { K_SNEER_L, 0.15f }, { K_BROWD_R, 0.15f }, { -1, 0 } } },
    };
    static const struct { const char *alias, *name; } alias[] = {
        { "happiness", "happy" }, { "joy", "happy" }, { "sadness", "sad" }, { "anger", "angry" },
        { "fearful", "fear" }, { "surprised", "surprise" }, { "disgusted", "disgust" },
    };
    if (!label || !expr || !(intensity >= 0 && intensity <= 1.5f))
        return vh__fail(NULL, VH_EINVAL, "emotion: bad label or intensity");
    char low[32];
    size_t n = strlen(label);
    if (n >= sizeof low) return vh__fail(NULL, VH_ENOTFOUND, "emotion: unknown label '%.40s'", label);
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)label[i]);
    const char *name = low;
    for (size_t i = 0; i < VH_COUNTOF(alias); i++)
        if (strcmp(low, alias[i].alias) == 0) name = alias[i].name;
    for (size_t i = 0; i < VH_COUNTOF(tab); i++) {
        if (strcmp(tab[i].name, name) != 0) continue;
        memset(expr, 0, VH_ARKIT_COUNT * sizeof *expr);
        for (int j = 0; j < 10 && tab[i].e[j].k >= 0; j++) {
            /* Zero-initialised trailing entries have k 0 and v 0: harmless. */
            expr[tab[i].e[j].k] += intensity * tab[i].e[j].v;
        }
        return VH_OK;
    }
    return vh__fail(NULL, VH_ENOTFOUND, "emotion: unknown label '%s'", label);
}

void vh_emotion_blend(float w[VH_ARKIT_COUNT], const float expr[VH_ARKIT_COUNT], float blink) {
    /* How busy the lips are: closing (press/roll) or rounding (pucker/funnel). */
    float lips = w[K_PRESS_L] + w[K_ROLL_LO] + w[K_PUCKER] + w[K_FUNNEL];
    if (lips > 1) lips = 1;
    for (int k = 0; k < VH_ARKIT_COUNT; k++) {
        float e = expr[k];
        if (e == 0) continue;
        if (is_mouth(k)) {
            if (k == K_JAW_OPEN) { w[k] = w[k] > e ? w[k] : w[k] + 0.5f * e * (1 - w[k]); continue; }
            /* Corners and stretch yield to the lip shapes speech needs. */
            e *= 1.0f - 0.6f * lips;
            w[k] = w[k] + e * (1 - w[k]);
        } else {
            w[k] += e;
        }
    }
    float b = blink < 0 ? 0 : blink > 1 ? 1 : blink;
    w[K_BLINK_L] += b * (1 - w[K_BLINK_L]);
    w[K_BLINK_R] += b * (1 - w[K_BLINK_R]);
    /* Wide eyes open against a blink only while not blinking. */
    w[K_WIDE_L] *= 1 - b;
    w[K_WIDE_R] *= 1 - b;
    for (int k = 0; k < VH_ARKIT_COUNT; k++) w[k] = w[k] < 0 ? 0 : w[k] > 1 ? 1 : w[k];
}
