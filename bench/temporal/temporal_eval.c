/* Which temporal model for facial emotion over time: the HMM filter of
 * vh_emotion_filter, or an LSTM trained with the engine?
 *
 * Labelled emotion videos are not available, so sequences are simulated from
 * held-out FER+ faces: each sequence has segments of one true emotion (1–3 s
 * at 15 fps); every frame shows a face of that emotion (a new face every 3
 * frames; emotions as frequent as in FER+), scored by the facial-emotion model, so the per-frame
 * probabilities carry the model's real errors. FER+ validation images are split
 * by index: even ones make the LSTM's training sequences (and tune the filter),
 * odd ones the test sequences. Printed: frame accuracy against the true
 * segment label and label changes per second (flicker), for the raw per-frame
 * arg-max, the HMM filter (defaults and tuned) and the LSTM.
 *   temporal_eval MODEL FERPLUS_VALID_DIR [SEED] */
#include "verhm/affect.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C VH_FER_COUNT
#define TMAX 180
static int T = 90;      /* frames per sequence (6 s) */
static double FPS = 15; /* frame rate of the simulated video */
static int HOLD = 3;    /* frames showing the same face (0.2 s) */

typedef struct pool { int n; int *all; int *idx[C]; int cnt[C]; } pool;

static float *g_probs; /* per image, C */
static int *g_label;

static void make_seq(vh_rng *r, const pool *p, float *x, int *y) {
    int t = 0;
    while (t < T) {
        /* Emotions as frequent as in the data: the class of a random face. */
        int cls = g_label[p->all[vh_rng_below(r, (uint64_t)p->n)]];
        int len = (int)(FPS * (1.0 + 2.0 * vh_rng_uniform(r))); /* 1–3 s */
        int img = 0;
        for (int k = 0; k < len && t < T; k++, t++) {
            if (k % HOLD == 0) img = p->idx[cls][vh_rng_below(r, (uint64_t)p->cnt[cls])];
            memcpy(x + (size_t)t * C, g_probs + (size_t)img * C, sizeof(float) * C);
            y[t] = cls;
        }
    }
}

static int argmax(const float *p) {
    int b = 0;
    for (int i = 1; i < C; i++) if (p[i] > p[b]) b = i;
    return b;
}

typedef struct score { double acc, flicker; } score;

static void add_score(score *s, const int *pred, const int *y) {
    int ok = 0, ch = 0;
    for (int t = 0; t < T; t++) {
        ok += pred[t] == y[t];
        if (t && pred[t] != pred[t - 1]) ch++;
    }
    s->acc += (double)ok / T;
    s->flicker += ch / (T / FPS);
}

static score eval_filter(vh_rng *r, const pool *p, int nseq, float tau, float ev) {
    score s = {0, 0};
    float x[TMAX * C], out[C];
    int y[TMAX], pred[TMAX];
    for (int q = 0; q < nseq; q++) {
        make_seq(r, p, x, y);
        vh_emotion_filter f;
        vh_emotion_filter_init(&f, C, tau, ev);
        for (int t = 0; t < T; t++) {
            vh_emotion_filter_update(&f, t / FPS, x + t * C, out);
            pred[t] = argmax(out);
        }
        add_score(&s, pred, y);
    }
    s.acc /= nseq;
    s.flicker /= nseq;
    return s;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: temporal_eval MODEL FERPLUS_VALID_DIR [SEED]\n"); return 2; }
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    vh_model *m;
    vh_dataset d;
    if (vh_model_load(argv[1], &m) || vh_dataset_load_ferplus(argv[2], m->in_w, &d)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    /* Per-image probabilities in FER+ order. */
    g_probs = malloc(sizeof(float) * C * (size_t)d.n);
    g_label = d.label;
    const int B = 64;
    vh_model_prepare(m, B);
    float *xb = malloc(sizeof(float) * (size_t)B * d.w * d.h), *pb = malloc(sizeof(float) * (size_t)B * m->num_classes);
    int idx[64];
    for (int i0 = 0; i0 < d.n; i0 += B) {
        int cnt = d.n - i0 < B ? d.n - i0 : B;
        for (int k = 0; k < cnt; k++) idx[k] = i0 + k;
        vh_dataset_batch(&d, idx, cnt, m->mean, m->std, NULL, 0, 0, xb, NULL);
        vh_model_predict(m, xb, cnt, pb);
        for (int k = 0; k < cnt; k++)
            for (int c = 0; c < C; c++) g_probs[(size_t)(i0 + k) * C + c] = pb[(size_t)k * m->num_classes + c];
    }
    int frame_ok = 0;
    for (int i = 0; i < d.n; i++) frame_ok += argmax(g_probs + (size_t)i * C) == d.label[i];
    printf("model: %s; %d FER+ validation faces, per-image accuracy %.2f%%\n", argv[1], d.n, 100.0 * frame_ok / d.n);
    pool pa = {0}, pb2 = {0};
    for (int c = 0; c < C; c++) { pa.idx[c] = malloc(sizeof(int) * (size_t)d.n); pb2.idx[c] = malloc(sizeof(int) * (size_t)d.n); }
    pa.all = malloc(sizeof(int) * (size_t)d.n);
    pb2.all = malloc(sizeof(int) * (size_t)d.n);
    for (int i = 0; i < d.n; i++) {
        pool *p = i % 2 ? &pb2 : &pa;
        p->idx[d.label[i]][p->cnt[d.label[i]]++] = i;
        p->all[p->n++] = i;
    }
    vh_rng r;
    const int NTEST = 1000;
    /* Raw arg-max. */
    vh_rng_seed(&r, seed + 100);
    score raw = {0, 0};
    {
        float x[T * C];
        int y[TMAX], pred[TMAX];
        for (int q = 0; q < NTEST; q++) {
            make_seq(&r, &pb2, x, y);
            for (int t = 0; t < T; t++) pred[t] = argmax(x + t * C);
            add_score(&raw, pred, y);
        }
        raw.acc /= NTEST;
        raw.flicker /= NTEST;
    }
    vh_rng_seed(&r, seed + 100);
    score def = eval_filter(&r, &pb2, NTEST, 1.5f, 0.6f);
    /* Tune the filter on the training pool. */
    float best_tau = 1.5f, best_ev = 0.6f;
    double best = -1;
    const float taus[] = {0.25f, 0.5f, 1.0f, 1.5f, 2.5f, 4.0f}, evs[] = {0.3f, 0.45f, 0.6f, 0.8f, 1.0f};
    for (size_t i = 0; i < sizeof taus / sizeof *taus; i++)
        for (size_t j = 0; j < sizeof evs / sizeof *evs; j++) {
            vh_rng_seed(&r, seed + 7);
            score s = eval_filter(&r, &pa, 300, taus[i], evs[j]);
            if (s.acc > best) { best = s.acc; best_tau = taus[i]; best_ev = evs[j]; }
        }
    vh_rng_seed(&r, seed + 100);
    score tuned = eval_filter(&r, &pb2, NTEST, best_tau, best_ev);

    /* LSTM: input log-probabilities [T, C] → LSTM(32) → dense C → softmax,
     * trained on sequences from the training pool with MSE to one-hot targets. */
    vh_nn_graph *g;
    vh_nn_graph_new(&g);
    int dims[2] = {T, C};
    int in = vh_nn_input(g, "x", 2, dims);
    int tgt = vh_nn_input(g, "y", 2, dims);
    int h = vh_nn_lstm(g, "lstm", in, -1, 32, 0, 1);
    int o = vh_nn_dense(g, "out", h, C, 1);
    int sm = vh_nn_softmax(g, o);
    int loss = vh_nn_mse(g, sm, tgt);
    vh_nn_graph_init_params(g, seed);
    const int BS = 32, STEPS = 600;
    if (vh_nn_graph_compile(g, BS)) { fprintf(stderr, "%s\n", vh_nn_graph_error(g)); return 1; }
    vh_nn_optim_params op = vh_nn_optim_default_params();
    op.kind = VH_OPTIM_ADAM;
    op.lr = 0.01f;
    vh_nn_optim *opt;
    vh_nn_optim_new(g, &op, &opt);
    float *X = malloc(sizeof(float) * BS * TMAX * C), *Y = malloc(sizeof(float) * BS * TMAX * C);
    int ys[TMAX];
    vh_rng_seed(&r, seed + 3);
    double t0 = vh_now();
    for (int step = 0; step < STEPS; step++) {
        memset(Y, 0, sizeof(float) * BS * T * C);
        for (int b = 0; b < BS; b++) {
            make_seq(&r, &pa, X + (size_t)b * T * C, ys);
            for (int t = 0; t < T; t++) {
                Y[((size_t)b * T + t) * C + ys[t]] = 1;
                for (int c = 0; c < C; c++) X[((size_t)b * T + t) * C + c] = logf(fmaxf(X[((size_t)b * T + t) * C + c], 1e-6f));
            }
        }
        vh_nn_set_training(g, 1);
        vh_nn_set_batch(g, BS);
        vh_nn_set_input(g, in, X, (size_t)BS * T * C);
        vh_nn_set_input(g, tgt, Y, (size_t)BS * T * C);
        vh_nn_forward(g, loss);
        vh_nn_backward(g, loss);
        vh_nn_optim_step(opt, NULL);
    }
    double train_s = vh_now() - t0;
    vh_nn_set_training(g, 0);
    vh_rng_seed(&r, seed + 100);
    score lstm = {0, 0};
    {
        int y[TMAX], pred[TMAX];
        for (int q = 0; q < NTEST; q++) {
            make_seq(&r, &pb2, X, y);
            for (int i = 0; i < T * C; i++) X[i] = logf(fmaxf(X[i], 1e-6f));
            vh_nn_set_batch(g, 1);
            vh_nn_set_input(g, in, X, (size_t)T * C);
            vh_nn_forward(g, sm);
            const float *out = vh_nn_value(g, sm)->data;
            for (int t = 0; t < T; t++) pred[t] = argmax(out + t * C);
            add_score(&lstm, pred, y);
        }
        lstm.acc /= NTEST;
        lstm.flicker /= NTEST;
    }
    printf("%d test sequences of %d frames (%.0f fps), segments of 1-3 s; true changes: ~0.5/s\n", NTEST, T, FPS);
    printf("  per-frame arg-max      accuracy %.2f%%  label changes %.2f/s\n", 100 * raw.acc, raw.flicker);
    printf("  HMM filter (1.5 s, 0.6) accuracy %.2f%%  label changes %.2f/s\n", 100 * def.acc, def.flicker);
    printf("  HMM filter tuned (%.2f s, %.2f) accuracy %.2f%%  label changes %.2f/s\n", best_tau, best_ev, 100 * tuned.acc, tuned.flicker);
    printf("  LSTM(32), causal, %d steps (%.1f s) accuracy %.2f%%  label changes %.2f/s\n", STEPS, train_s, 100 * lstm.acc, lstm.flicker);

    /* The same at 30 fps (a face every 0.2 s still): the filter works in
     * seconds; the LSTM was trained on 15-fps sequences. */
    FPS = 30;
    T = 180;
    HOLD = 6;
    vh_rng_seed(&r, seed + 200);
    score raw30 = {0, 0};
    {
        float x[TMAX * C];
        int y[TMAX], pred[TMAX];
        for (int q = 0; q < NTEST; q++) {
            make_seq(&r, &pb2, x, y);
            for (int t = 0; t < T; t++) pred[t] = argmax(x + t * C);
            add_score(&raw30, pred, y);
        }
        raw30.acc /= NTEST;
        raw30.flicker /= NTEST;
    }
    vh_rng_seed(&r, seed + 200);
    score def30 = eval_filter(&r, &pb2, NTEST, 1.5f, 0.6f);
    /* The trained LSTM's weights in a graph for 180-step sequences. */
    vh_nn_graph *g30;
    vh_nn_graph_new(&g30);
    int dims30[2] = {T, C};
    int in30 = vh_nn_input(g30, "x", 2, dims30);
    int h30 = vh_nn_lstm(g30, "lstm", in30, -1, 32, 0, 1);
    int o30 = vh_nn_dense(g30, "out", h30, C, 1);
    int sm30 = vh_nn_softmax(g30, o30);
    if (vh_nn_graph_compile(g30, 1)) { fprintf(stderr, "%s\n", vh_nn_graph_error(g30)); return 1; }
    for (int i = 0; i < vh_nn_param_count(g30); i++) {
        const vh_nn_param *dst = vh_nn_param_get(g30, i), *src = vh_nn_param_find(g, dst->name);
        if (src) memcpy(dst->t->data, src->t->data, sizeof(float) * dst->t->size);
    }
    vh_nn_set_training(g30, 0);
    vh_rng_seed(&r, seed + 200);
    score lstm30 = {0, 0};
    {
        int y[TMAX], pred[TMAX];
        for (int q = 0; q < NTEST; q++) {
            make_seq(&r, &pb2, X, y);
            for (int i = 0; i < T * C; i++) X[i] = logf(fmaxf(X[i], 1e-6f));
            vh_nn_set_input(g30, in30, X, (size_t)T * C);
            vh_nn_forward(g30, sm30);
            const float *out = vh_nn_value(g30, sm30)->data;
            for (int t = 0; t < T; t++) pred[t] = argmax(out + t * C);
            add_score(&lstm30, pred, y);
        }
        lstm30.acc /= NTEST;
        lstm30.flicker /= NTEST;
    }
    printf("the same at 30 fps (%d frames, a new face every %d frames):\n", T, HOLD);
    printf("  per-frame arg-max      accuracy %.2f%%  label changes %.2f/s\n", 100 * raw30.acc, raw30.flicker);
    printf("  HMM filter (1.5 s, 0.6) accuracy %.2f%%  label changes %.2f/s\n", 100 * def30.acc, def30.flicker);
    printf("  LSTM trained at 15 fps accuracy %.2f%%  label changes %.2f/s\n", 100 * lstm30.acc, lstm30.flicker);
    return 0;
}
