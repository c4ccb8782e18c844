/* Optimizers (SGD with (Nesterov) momentum, Adam, AdamW), weight decay,
 * global-norm gradient clipping and learning-rate schedules. Updates follow
 * PyTorch's torch.optim formulas so hyper-parameters carry over. */
#include "nn_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct vh_nn_optim {
    vh_nn_graph *g;
    vh_nn_optim_params p;
    long step;
    float *state;   /* per trainable param: m (and v for Adam) */
    size_t nstate;
    int n_params;   /* graph's parameter count at creation (state layout) */
};

vh_nn_optim_params vh_nn_optim_default_params(void) {
    vh_nn_optim_params p;
    memset(&p, 0, sizeof p);
    p.kind = VH_OPTIM_ADAM;
    p.lr = 1e-3f;
    p.momentum = 0.9f;
    p.beta1 = 0.9f;
    p.beta2 = 0.999f;
    p.eps = 1e-8f;
    p.schedule = VH_LR_CONSTANT;
    p.gamma = 0.1f;
    p.step_size = 1000;
    p.total_steps = 1000;
    return p;
}

static int moments(const vh_nn_optim_params *p) {
    if (p->kind == VH_OPTIM_SGD) return p->momentum > 0 ? 1 : 0;
    return 2;
}

int vh_nn_optim_new(vh_nn_graph *g, const vh_nn_optim_params *p, vh_nn_optim **out) {
    *out = NULL;
    if (!g || !p) return vh__fail(NULL, VH_EINVAL, "nn optim: NULL graph or parameters");
    if (p->kind < VH_OPTIM_SGD || p->kind > VH_OPTIM_ADAMW || !(p->lr > 0) || !(p->momentum >= 0 && p->momentum < 1) ||
        !(p->beta1 >= 0 && p->beta1 < 1) || !(p->beta2 >= 0 && p->beta2 < 1) || !(p->eps > 0) ||
        !(p->weight_decay >= 0) || !(p->clip_norm >= 0) || p->warmup_steps < 0 ||
        p->schedule < VH_LR_CONSTANT || p->schedule > VH_LR_COSINE ||
        (p->schedule == VH_LR_STEP && (p->step_size < 1 || !(p->gamma > 0))) ||
        (p->schedule == VH_LR_COSINE && (p->total_steps < 1 || !(p->min_lr >= 0))))
        return vh__fail(NULL, VH_EINVAL, "nn optim: invalid hyper-parameters (lr %g, momentum %g, betas %g/%g, eps %g, "
                                         "decay %g, clip %g, schedule %d)", (double)p->lr, (double)p->momentum,
                        (double)p->beta1, (double)p->beta2, (double)p->eps, (double)p->weight_decay,
                        (double)p->clip_norm, p->schedule);
    vh_nn_optim *o = calloc(1, sizeof *o);
    if (!o) return vh__fail(NULL, VH_ENOMEM, "nn optim: out of memory");
    o->g = g;
    o->p = *p;
    o->n_params = g->n_params;
    size_t n = 0;
    if (vh__mul_size(vh_nn_param_scalars(g), (size_t)moments(p), &n)) n = (size_t)-1;
    o->nstate = n;
    if (n && !(o->state = calloc(n, sizeof(float)))) {
        free(o);
        return vh__fail(NULL, VH_ENOMEM, "nn optim: out of memory for %zu state values", n);
    }
    *out = o;
    return VH_OK;
}

void vh_nn_optim_free(vh_nn_optim *o) {
    if (!o) return;
    free(o->state);
    free(o);
}

float vh_nn_optim_lr(const vh_nn_optim *o) {
    const vh_nn_optim_params *p = &o->p;
    long s = o->step;
    if (s < p->warmup_steps) return p->lr * (float)(s + 1) / (float)p->warmup_steps;
    long t = s - p->warmup_steps;
    switch (p->schedule) {
    case VH_LR_STEP: return (float)(p->lr * pow(p->gamma, (double)(t / p->step_size)));
    case VH_LR_COSINE: {
        double tt = t > p->total_steps ? p->total_steps : (double)t;
        return (float)(p->min_lr + (p->lr - p->min_lr) * 0.5 * (1 + cos(3.14159265358979323846 * tt / p->total_steps)));
    }
    default: return p->lr;
    }
}

long vh_nn_optim_steps(const vh_nn_optim *o) { return o->step; }
size_t vh_nn_optim_state_size(const vh_nn_optim *o) { return o->nstate; }
float *vh_nn_optim_state(vh_nn_optim *o) { return o->state; }
void vh_nn_optim_set_steps(vh_nn_optim *o, long steps) { o->step = steps < 0 ? 0 : steps; }

int vh_nn_optim_step(vh_nn_optim *o, float *grad_norm) {
    vh_nn_graph *g = o->g;
    const vh_nn_optim_params *p = &o->p;
    if (g->n_params != o->n_params)
        return vh__fail(&g->err, VH_EINVAL, "nn optim: the graph gained parameters after the optimizer was created");
    double ss = 0;
    for (int i = 0; i < g->n_params; i++) {
        vh__nn_pent *e = g->params[i];
        if (!e->pub.trainable) continue;
        for (size_t j = 0; j < e->t.size; j++) ss += (double)e->t.grad[j] * e->t.grad[j];
    }
    double norm = sqrt(ss);
    if (grad_norm) *grad_norm = (float)norm;
    if (!isfinite(norm)) return vh__fail(&g->err, VH_ENUMERIC, "nn optim: gradient norm is not finite");
    float clip = (p->clip_norm > 0 && norm > p->clip_norm) ? (float)(p->clip_norm / (norm + 1e-6)) : 1.0f;
    float lr = vh_nn_optim_lr(o);
    o->step++;
    double bc1 = 1 - pow(p->beta1, (double)o->step), bc2 = 1 - pow(p->beta2, (double)o->step);
    int nm = moments(p);
    float *st = o->state;
    for (int i = 0; i < g->n_params; i++) {
        vh__nn_pent *e = g->params[i];
        if (!e->pub.trainable) continue;
        float *w = e->t.data;
        const float *gr = e->t.grad;
        size_t n = e->t.size;
        float wd = e->pub.decay ? p->weight_decay : 0.0f;
        float *m = st, *v = nm == 2 ? st + n : NULL; /* st is NULL for plain SGD */
        if (p->kind == VH_OPTIM_SGD) {
            for (size_t j = 0; j < n; j++) {
                float gj = gr[j] * clip + wd * w[j];
                if (nm) {
                    m[j] = p->momentum * m[j] + gj;
                    gj = p->nesterov ? gj + p->momentum * m[j] : m[j];
                }
                w[j] -= lr * gj;
            }
        } else {
            int adamw = p->kind == VH_OPTIM_ADAMW;
            for (size_t j = 0; j < n; j++) {
                float gj = gr[j] * clip;
                if (adamw) w[j] -= lr * wd * w[j];
                else gj += wd * w[j];
                m[j] = p->beta1 * m[j] + (1 - p->beta1) * gj;
                v[j] = p->beta2 * v[j] + (1 - p->beta2) * gj * gj;
                double mh = m[j] / bc1, vh = v[j] / bc2;
                w[j] -= (float)(lr * mh / (sqrt(vh) + p->eps));
            }
        }
        if (nm) st += (size_t)nm * n;
    }
    return VH_OK;
}
