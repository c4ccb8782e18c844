/*
 * Training loop: seeded shuffles and augmentation, AdamW/SGD with warm-up +
 * cosine schedule, per-epoch validation with best-weight selection and early
 * stopping, atomic per-epoch checkpoints (current + best weights, optimizer
 * moments, epoch and early-stopping state) and bit-identical resume.
 *
 * Every random choice is derived from (seed, epoch): the shuffle, the
 * augmentation of each example, the dropout masks. So a checkpoint taken at an
 * epoch boundary needs no RNG state beyond the seed and the epoch number.
 */
#include "core/internal.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

vh_train_params vh_train_default_params(void) {
    vh_train_params p;
    memset(&p, 0, sizeof p);
    p.epochs = 30;
    p.batch = 64;
    p.optimizer = VH_TRAIN_ADAMW;
    p.lr = 2e-3f;
    p.weight_decay = 5e-4f;
    p.momentum = 0.9f;
    p.warmup_epochs = 1;
    p.clip_norm = 5;
    p.patience = 8;
    p.seed = 1;
    p.aug = vh_augment_default_params();
    return p;
}

static uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct trainer {
    vh_model *m;
    const vh_train_params *p;
    vh_nn_optim *opt;
    float *best;         /* copy of all params+buffers of the best epoch */
    size_t best_size;
    int epoch;           /* epochs completed */
    int best_epoch, best_correct, no_improve;
} trainer;

static size_t params_total(const vh_nn_graph *g) {
    size_t n = 0;
    for (int i = 0; i < vh_nn_param_count(g); i++) n += vh_nn_param_get(g, i)->t->size;
    return n;
}

static void params_copy(vh_nn_graph *g, float *buf, int to_buf) {
    size_t off = 0;
    for (int i = 0; i < vh_nn_param_count(g); i++) {
        const vh_nn_param *p = vh_nn_param_get(g, i);
        if (to_buf) memcpy(buf + off, p->t->data, p->t->size * sizeof(float));
        else memcpy(p->t->data, buf + off, p->t->size * sizeof(float));
        off += p->t->size;
    }
}

static int save_checkpoint(trainer *t) {
    const char *path = t->p->checkpoint;
    vh_st_writer *w = NULL;
    int r = vh_st_writer_new(&w);
    if (!r) r = vh_model_to_writer(t->m, w, "cur.");
    size_t off = 0;
    for (int i = 0; !r && i < vh_nn_param_count(t->m->g); i++) {
        const vh_nn_param *p = vh_nn_param_get(t->m->g, i);
        int64_t shape[VH_NN_MAX_DIMS];
        for (int d = 0; d < p->t->ndim; d++) shape[d] = p->t->shape[d];
        char name[256];
        snprintf(name, sizeof name, "best.%s", p->name);
        r = vh_st_writer_add_f32(w, name, t->best + off, p->t->ndim, shape);
        off += p->t->size;
    }
    int64_t n = (int64_t)vh_nn_optim_state_size(t->opt);
    if (!r) r = vh_st_writer_add_f32(w, "optim.state", vh_nn_optim_state(t->opt), 1, &n);
    if (!r) {
        char meta[512];
        snprintf(meta, sizeof meta,
                 "{\"epoch\":%d,\"steps\":%ld,\"seed\":\"%" PRIu64 "\",\"best_epoch\":%d,\"best_correct\":%d,"
                 "\"no_improve\":%d}",
                 t->epoch, vh_nn_optim_steps(t->opt), t->p->seed, t->best_epoch, t->best_correct, t->no_improve);
        r = vh_st_writer_meta(w, "checkpoint", meta);
    }
    if (!r) r = vh_st_writer_save(w, path, 1);
    vh_st_writer_free(w);
    return r;
}

static int load_checkpoint(trainer *t) {
    const char *path = t->p->resume;
    vh_safetensors *st = NULL;
    vh_model *cm = NULL;
    vh_json *meta = NULL;
    int r = vh_st_open(path, &st);
    if (r) return r;
    const char *ck = vh_st_meta(st, "checkpoint");
    if (!ck || vh_json_parse(ck, strlen(ck), &meta) || meta->type != VH_JSON_OBJECT) {
        r = vh__fail(NULL, VH_EFORMAT, "%s: not a verhm training checkpoint (metadata 'checkpoint' missing or bad)", path);
        goto done;
    }
    r = vh_model_from_st(st, "cur.", &cm);
    if (r) goto done;
    if (strcmp(cm->arch, t->m->arch) != 0 || cm->num_classes != t->m->num_classes || cm->in_w != t->m->in_w ||
        cm->in_h != t->m->in_h || cm->ap.width != t->m->ap.width || cm->ap.fc != t->m->ap.fc) {
        r = vh__fail(NULL, VH_EINVAL, "%s: checkpoint is for %s with %d classes at %dx%d, not the model being trained",
                     path, cm->arch, cm->num_classes, cm->in_w, cm->in_h);
        goto done;
    }
    for (int c = 0; c < cm->num_classes; c++)
        if (strcmp(cm->labels[c], t->m->labels[c]) != 0) {
            r = vh__fail(NULL, VH_EINVAL, "%s: checkpoint label %d is '%s', data has '%s'", path, c, cm->labels[c],
                         t->m->labels[c]);
            goto done;
        }
    int copied = 0;
    vh_model_copy_params(t->m, cm, &copied);
    size_t off = 0;
    for (int i = 0; !r && i < vh_nn_param_count(t->m->g); i++) {
        const vh_nn_param *p = vh_nn_param_get(t->m->g, i);
        char name[256];
        snprintf(name, sizeof name, "best.%s", p->name);
        const vh_st_tensor *bt = vh_st_find(st, name);
        if (!bt) r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint tensor '%s' missing", path, name);
        else r = vh_st_read_f32(st, bt, t->best + off, p->t->size);
        off += p->t->size;
    }
    if (r) goto done;
    const vh_st_tensor *os = vh_st_find(st, "optim.state");
    if (!os || os->numel != vh_nn_optim_state_size(t->opt)) {
        r = vh__fail(NULL, VH_EFORMAT, "%s: optimizer state missing or of the wrong size (other optimizer?)", path);
        goto done;
    }
    r = vh_st_read_f32(st, os, vh_nn_optim_state(t->opt), os->numel);
    if (r) goto done;
    double ep = vh_json_get_number(meta, "epoch", -1), steps = vh_json_get_number(meta, "steps", -1);
    const char *seed = vh_json_get_string(meta, "seed", "");
    char want[32];
    snprintf(want, sizeof want, "%" PRIu64, t->p->seed);
    if (ep < 0 || ep > 100000 || steps < 0 || floor(ep) != ep || floor(steps) != steps) {
        r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint epoch/steps missing or invalid", path);
        goto done;
    }
    if (strcmp(seed, want) != 0) {
        r = vh__fail(NULL, VH_EINVAL, "%s: checkpoint was trained with seed %s, not %s", path, seed, want);
        goto done;
    }
    t->epoch = (int)ep;
    vh_nn_optim_set_steps(t->opt, (long)steps);
    t->best_epoch = (int)vh_json_get_number(meta, "best_epoch", 0);
    t->best_correct = (int)vh_json_get_number(meta, "best_correct", -1);
    t->no_improve = (int)vh_json_get_number(meta, "no_improve", 0);
    if (copied != vh_nn_param_count(t->m->g))
        r = vh__fail(NULL, VH_EFORMAT, "%s: checkpoint weights do not match the model", path);
done:
    vh_json_free(meta);
    vh_model_free(cm);
    vh_st_free(st);
    return r;
}

static void set_provenance(trainer *t, const vh_dataset *train, const vh_dataset *val, double val_acc) {
    vh_buf b = {0};
    vh_json_writer jw;
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, t->p->seed);
    vh_jw_init(&jw, &b, 0);
    vh_jw_object_begin(&jw);
    vh_jw_key(&jw, "data"); vh_jw_string(&jw, train->source ? train->source : "");
    vh_jw_key(&jw, "train_examples"); vh_jw_int(&jw, train->n);
    vh_jw_key(&jw, "split"); vh_jw_string(&jw, val && val->source ? val->source : "none");
    vh_jw_key(&jw, "val_examples"); vh_jw_int(&jw, val ? val->n : 0);
    vh_jw_key(&jw, "epochs"); vh_jw_int(&jw, t->epoch);
    vh_jw_key(&jw, "best_epoch"); vh_jw_int(&jw, t->best_epoch);
    vh_jw_key(&jw, "kept"); vh_jw_string(&jw, t->p->keep_last || !val ? "last epoch" : "best validation epoch");
    vh_jw_key(&jw, "batch"); vh_jw_int(&jw, t->p->batch);
    vh_jw_key(&jw, "optimizer");
    vh_jw_string(&jw, t->p->optimizer == VH_TRAIN_SGD ? "sgd" : t->p->optimizer == VH_TRAIN_ADAM ? "adam" : "adamw");
    vh_jw_key(&jw, "lr"); vh_jw_number(&jw, t->p->lr);
    vh_jw_key(&jw, "weight_decay"); vh_jw_number(&jw, t->p->weight_decay);
    vh_jw_key(&jw, "augment"); vh_jw_bool(&jw, t->p->aug.enabled);
    vh_jw_key(&jw, "seed"); vh_jw_string(&jw, seed);
    vh_jw_key(&jw, "threads"); vh_jw_int(&jw, vh_threads_get());
    vh_jw_key(&jw, "metrics");
    vh_jw_object_begin(&jw);
    if (val) { vh_jw_key(&jw, "val_accuracy"); vh_jw_number(&jw, val_acc); }
    vh_jw_object_end(&jw);
    vh_jw_object_end(&jw);
    if (!b.failed) vh_model_set_provenance(t->m, b.data);
    vh_buf_free(&b);
}

int vh_train(vh_model *m, const vh_dataset *train, const vh_dataset *val, const vh_train_params *p,
             vh_train_result *res) {
    memset(res, 0, sizeof *res);
    double t0 = vh_now();
    const char *src = train->source ? train->source : "training data";
    if (train->num_classes != m->num_classes || (val && val->num_classes != m->num_classes))
        return vh__fail(NULL, VH_EINVAL, "%s: %d classes, model has %d", src, train->num_classes, m->num_classes);
    if (train->w != m->in_w || train->h != m->in_h || (val && (val->w != m->in_w || val->h != m->in_h)))
        return vh__fail(NULL, VH_EINVAL, "%s: images are %dx%d, model expects %dx%d", src, train->w, train->h, m->in_w,
                        m->in_h);
    if (train->n < 2) return vh__fail(NULL, VH_EEMPTY, "%s: need at least 2 training examples", src);
    if (p->epochs < 1 || p->batch < 1 || p->batch > 4096 || !(p->lr > 0))
        return vh__fail(NULL, VH_EINVAL, "bad training parameters (epochs %d, batch %d, lr %g)", p->epochs, p->batch,
                        (double)p->lr);
    int batch = p->batch < train->n ? p->batch : train->n;
    int spe = train->n / batch; /* full batches only (batch norm dislikes tiny tails) */
    int r = vh_model_prepare(m, batch);
    if (r) return r;
    if (m->compiled_batch != batch) { /* a larger earlier compile is fine: set_batch picks the size */ }
    trainer t = {m, p, NULL, NULL, 0, 0, 0, -1, 0};
    vh_nn_optim_params op = vh_nn_optim_default_params();
    op.kind = p->optimizer == VH_TRAIN_SGD ? VH_OPTIM_SGD : p->optimizer == VH_TRAIN_ADAM ? VH_OPTIM_ADAM : VH_OPTIM_ADAMW;
    op.lr = p->lr;
    op.momentum = p->momentum;
    op.nesterov = p->optimizer == VH_TRAIN_SGD;
    op.weight_decay = p->weight_decay;
    op.clip_norm = p->clip_norm;
    op.schedule = VH_LR_COSINE;
    op.warmup_steps = (int)(p->warmup_epochs * (float)spe);
    op.total_steps = p->epochs * spe - op.warmup_steps;
    if (op.total_steps < 1) op.total_steps = 1;
    op.min_lr = p->lr / 100;
    r = vh_nn_optim_new(m->g, &op, &t.opt);
    if (r) return vh__fail(NULL, r, "cannot create optimizer: %s", vh_last_error());
    t.best_size = params_total(m->g);
    t.best = malloc(t.best_size * sizeof(float));
    size_t px = (size_t)m->in_w * (size_t)m->in_h, k = (size_t)m->num_classes;
    int *perm = malloc((size_t)train->n * sizeof(int));
    float *x = malloc((size_t)batch * px * sizeof(float)), *y = malloc((size_t)batch * k * sizeof(float));
    if (!t.best || !perm || !x || !y) {
        r = vh__fail(NULL, VH_ENOMEM, "out of memory");
        goto done;
    }
    params_copy(m->g, t.best, 1);
    if (p->resume) {
        r = load_checkpoint(&t);
        if (r) goto done;
    }
    vh_train_status s;
    memset(&s, 0, sizeof s);
    s.epochs = p->epochs;
    s.val_acc = s.val_loss = NAN;
    s.best_val_acc = val && t.best_correct >= 0 ? (double)t.best_correct / val->n : NAN;
    int first = t.epoch, run_epochs = p->epochs - first;
    if (p->stop_after > 0 && p->stop_after < run_epochs) run_epochs = p->stop_after;
    s.steps_total = (long)run_epochs * spe;
    for (int e = first; e < first + run_epochs; e++) {
        vh_rng rng;
        vh_rng_seed(&rng, mix64(p->seed ^ mix64((uint64_t)e + 1)));
        for (int i = 0; i < train->n; i++) perm[i] = i;
        vh_rng_shuffle_int(&rng, perm, (size_t)train->n);
        vh_nn_graph_seed(m->g, mix64(p->seed + 0x5151u + (uint64_t)e));
        vh_nn_set_training(m->g, 1);
        vh_nn_set_batch(m->g, batch);
        double loss_sum = 0;
        long correct = 0, seen = 0;
        s.phase = "train";
        s.epoch = e + 1;
        for (int bi = 0; bi < spe; bi++) {
            const int *idx = perm + (size_t)bi * (size_t)batch;
            vh_dataset_batch(train, idx, batch, m->mean, m->std, &p->aug, p->seed, e, x, y);
            r = vh_nn_set_input(m->g, m->input, x, (size_t)batch * px);
            if (!r) r = vh_nn_set_input(m->g, m->target, y, (size_t)batch * k);
            if (!r) r = vh_nn_forward(m->g, m->loss);
            float loss = r ? NAN : vh_nn_value(m->g, m->loss)->data[0];
            if (r == VH_ENUMERIC || (!r && !isfinite(loss))) {
                r = vh__fail(NULL, VH_ENUMERIC,
                             "epoch %d, batch %d: loss is not finite (NaN/inf); training stopped%s%s%s (try a lower --lr)",
                             e + 1, bi + 1, p->checkpoint ? ", last good checkpoint " : "",
                             p->checkpoint ? p->checkpoint : "", p->checkpoint ? " kept" : "");
                goto done;
            }
            if (!r) r = vh_nn_backward(m->g, m->loss);
            if (!r) r = vh_nn_optim_step(t.opt, NULL);
            if (r == VH_ENUMERIC) {
                r = vh__fail(NULL, VH_ENUMERIC,
                             "epoch %d, batch %d: gradient is not finite (NaN/inf); training stopped%s%s%s (try a lower --lr)",
                             e + 1, bi + 1, p->checkpoint ? ", last good checkpoint " : "",
                             p->checkpoint ? p->checkpoint : "", p->checkpoint ? " kept" : "");
                goto done;
            }
            if (r) {
                r = vh__fail(NULL, r, "training step failed: %s", vh_nn_graph_error(m->g));
                goto done;
            }
            const float *lg = vh_nn_value(m->g, m->logits)->data;
            for (int i = 0; i < batch; i++) {
                int best = 0;
                for (size_t c = 1; c < k; c++)
                    if (lg[(size_t)i * k + c] > lg[(size_t)i * k + (size_t)best]) best = (int)c;
                correct += best == train->label[idx[i]];
            }
            loss_sum += loss * batch;
            seen += batch;
            s.step++;
            s.loss = loss_sum / (double)seen;
            s.acc = (double)correct / (double)seen;
            s.lr = vh_nn_optim_lr(t.opt);
            s.elapsed = vh_now() - t0;
            s.eta = s.elapsed / (double)s.step * (double)(s.steps_total - s.step);
            if (p->progress && p->progress(&s, p->user)) {
                r = vh__fail(NULL, VH_ECANCELED, "training canceled");
                goto done;
            }
        }
        t.epoch = e + 1;
        res->last_train_loss = s.loss;
        res->last_train_acc = s.acc;
        if (val) {
            vh_eval_result ev;
            r = vh_model_evaluate(m, val, batch, &ev);
            if (r) goto done;
            int vc = (int)lround(ev.accuracy * val->n);
            s.val_acc = ev.accuracy;
            s.val_loss = ev.loss;
            vh_eval_result_free(&ev);
            if (vc > t.best_correct) {
                t.best_correct = vc;
                t.best_epoch = e + 1;
                t.no_improve = 0;
                params_copy(m->g, t.best, 1);
            } else {
                t.no_improve++;
            }
            s.best_val_acc = (double)t.best_correct / val->n;
        }
        s.phase = "epoch";
        s.elapsed = vh_now() - t0;
        if (p->progress && p->progress(&s, p->user)) {
            r = vh__fail(NULL, VH_ECANCELED, "training canceled");
            goto done;
        }
        if (p->checkpoint) {
            r = save_checkpoint(&t);
            if (r) goto done;
        }
        if (val && !p->keep_last && p->patience > 0 && t.no_improve >= p->patience) {
            res->early_stopped = 1;
            break;
        }
    }
    if (val && t.best_epoch > 0 && !p->keep_last) params_copy(m->g, t.best, 0);
    res->epochs_done = t.epoch;
    res->best_epoch = t.best_epoch;
    res->best_val_acc = val && t.best_correct >= 0 ? (double)t.best_correct / val->n : NAN;
    set_provenance(&t, train, val, res->best_val_acc);
done:
    res->seconds = vh_now() - t0;
    vh_nn_optim_free(t.opt);
    free(t.best);
    free(perm);
    free(x);
    free(y);
    return r;
}
