/* librosa-compatibility: compares log-mel, MFCC and deltas with the reference
 * vectors of scripts/gen_librosa_vectors.py (an independent NumPy
 * implementation of librosa 0.8's formulas) stored in
 * tests/data/dsp_librosa_vectors.bin. Tolerances: 1e-3 dB on log-mel, 1e-3 on
 * MFCC and deltas. */
#include "verhm/dsp.h"
#include "vh_test.h"
#include <stdint.h>

typedef struct rec { char name[33]; uint32_t kind, sr, rows, cols; const unsigned char *data; } rec;
static rec recs[64];
static size_t nrec;
static char *blob;

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static int load(void) {
    size_t size;
    const char *path = vh_test_src("tests/data/dsp_librosa_vectors.bin");
    if (vh_file_read_all(path, 0, &blob, &size) != VH_OK) { printf("cannot read %s\n", path); return -1; }
    if (size < 8 || memcmp(blob, "VHDSPV1", 8) != 0) return -1;
    size_t off = 8;
    while (off < size && nrec < 64) {
        if (size - off < 48) return -1;
        rec *r = &recs[nrec++];
        memcpy(r->name, blob + off, 32);
        r->name[32] = 0;
        const unsigned char *h = (const unsigned char *)blob + off + 32;
        r->kind = le32(h); r->sr = le32(h + 4); r->rows = le32(h + 8); r->cols = le32(h + 12);
        size_t el = r->kind == 0 ? 2 : 4, bytes = (size_t)r->rows * r->cols * el;
        if (r->kind > 1 || r->rows > 100000 || r->cols > 1000000 || bytes > size - off - 48) return -1;
        r->data = (const unsigned char *)blob + off + 48;
        off += 48 + bytes;
    }
    return off == size ? 0 : -1;
}

static const rec *find(const char *name) {
    for (size_t i = 0; i < nrec; i++) if (!strcmp(recs[i].name, name)) return &recs[i];
    return NULL;
}

static float *signal_of(const rec *r) {
    float *x = malloc(r->cols * sizeof(float));
    for (uint32_t i = 0; i < r->cols; i++) {
        int16_t v = (int16_t)(r->data[2 * i] | r->data[2 * i + 1] << 8);
        x[i] = (float)(v / 32768.0);
    }
    return x;
}

static float mat_at(const rec *r, size_t i) {
    uint32_t u = le32(r->data + 4 * i);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* max |ours - ref| over a frames x cols matrix */
static double max_diff(const float *ours, size_t frames, size_t cols, const rec *ref) {
    if (!ref || ref->rows != frames || ref->cols != cols) return INFINITY;
    double m = 0;
    for (size_t i = 0; i < frames * cols; i++) m = fmax(m, fabs((double)ours[i] - mat_at(ref, i)));
    return m;
}

static void check_signal(const char *name, vh_features_params p, int htk_extra) {
    char key[64];
    const rec *s = find(name);
    VH_CHECK(s != NULL);
    if (!s) return;
    VH_CHECK_INT_EQ(s->sr, p.sr);
    float *x = signal_of(s), *lm, *mf;
    size_t n = s->cols, fr, fr2;
    vh_features *fx;
    VH_CHECK_OK(vh_features_new(&p, &fx));
    VH_CHECK_OK(vh_features_logmel(fx, x, n, &lm, &fr));
    VH_CHECK_OK(vh_features_mfcc(fx, x, n, &mf, &fr2));
    snprintf(key, sizeof key, "%s.logmel", name);
    double d = max_diff(lm, fr, (size_t)p.n_mels, find(key));
    printf("  %-16s log-mel max |diff| %.2e dB (%zu frames)\n", name, d, fr);
    VH_CHECK(d <= 1e-3);
    snprintf(key, sizeof key, "%s.mfcc", name);
    d = max_diff(mf, fr2, (size_t)p.n_mfcc, find(key));
    printf("  %-16s MFCC max |diff| %.2e\n", name, d);
    VH_CHECK(d <= 1e-3);
    snprintf(key, sizeof key, "%s.delta1", name);
    if (find(key)) {
        float *dl = malloc(fr2 * (size_t)p.n_mfcc * sizeof(float));
        for (int order = 1; order <= 2; order++) {
            snprintf(key, sizeof key, "%s.delta%d", name, order);
            VH_CHECK_OK(vh_delta(mf, fr2, (size_t)p.n_mfcc, 9, order, dl));
            d = max_diff(dl, fr2, (size_t)p.n_mfcc, find(key));
            printf("  %-16s delta order %d max |diff| %.2e\n", name, order, d);
            VH_CHECK(d <= 1e-3);
        }
        free(dl);
    }
    free(lm);
    free(mf);
    vh_features_free(fx);
    if (htk_extra) {
        p.htk = 1;
        VH_CHECK_OK(vh_features_new(&p, &fx));
        VH_CHECK_OK(vh_features_logmel(fx, x, n, &lm, &fr));
        snprintf(key, sizeof key, "%s.logmel_htk", name);
        d = max_diff(lm, fr, (size_t)p.n_mels, find(key));
        printf("  %-16s HTK log-mel max |diff| %.2e dB\n", name, d);
        VH_CHECK(d <= 1e-3);
        free(lm);
        vh_features_free(fx);
    }
    free(x);
}

VH_TEST(librosa_mode_matches_reference) {
    vh_features_params p = vh_features_librosa_params(22050);
    check_signal("chirp", p, 1);
    check_signal("tones", p, 0);
    check_signal("speech", p, 0);
}

VH_TEST(speech_mode_matches_reference) {
    check_signal("speech16", vh_features_default_params(), 0);
}

int main(void) {
    if (load() != 0) {
        printf("FAIL: tests/data/dsp_librosa_vectors.bin missing or malformed\n");
        return 1;
    }
    VH_RUN(librosa_mode_matches_reference);
    VH_RUN(speech_mode_matches_reference);
    free(blob);
    return vh_test_summary();
}
