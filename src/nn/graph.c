/* Graph of nn nodes: builders (shape inference, parameter creation), compile
 * (all buffers allocated once), forward/backward drivers, parameters, seeded
 * initialisation and batch-norm folding. Op kernels live in ops_*.c. */
#include "nn_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { INIT_NONE, INIT_UNIFORM, INIT_ONE, INIT_ZERO };

int vh_nn_graph_new(vh_nn_graph **out) {
    *out = NULL;
    vh_nn_graph *g = calloc(1, sizeof *g);
    if (!g) return vh__fail(NULL, VH_ENOMEM, "nn: out of memory creating a graph");
    g->training = 1;
    g->fwd_upto = -1;
    vh_rng_seed(&g->rng, 0);
    *out = g;
    return VH_OK;
}

static void free_buffers(vh_nn_graph *g) {
    for (int i = 0; i < g->n_nodes; i++) {
        vh__nn_node *n = &g->nodes[i];
        if (!n->alias) {
            free(n->val.data);
            free(n->val.grad);
        }
        n->val.data = n->val.grad = NULL;
        vh__nn_conv_dnnl_free(n);
        free(n->cache);
        n->cache = NULL;
    }
    free(g->ws);
    g->ws = NULL;
    g->compiled = 0;
    g->max_batch = g->batch = 0;
    g->fwd_upto = -1;
}

void vh_nn_graph_free(vh_nn_graph *g) {
    if (!g) return;
    free_buffers(g);
    for (int i = 0; i < g->n_nodes; i++) {
        free(g->nodes[i].name);
        free(g->nodes[i].in);
    }
    for (int i = 0; i < g->n_params; i++) {
        free(g->params[i]->t.data);
        free(g->params[i]->t.grad);
        free(g->params[i]->name);
        free(g->params[i]);
    }
    free(g->params);
    free(g->nodes);
    free(g);
}

const char *vh_nn_graph_error(const vh_nn_graph *g) { return g->status ? g->err.msg : ""; }

/* Records a sticky build error and returns it. */
static int bfail(vh_nn_graph *g, int st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int bfail(vh_nn_graph *g, int st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (!g->status) {
        vh__vfail(&g->err, st, fmt, ap);
        g->status = st;
    }
    va_end(ap);
    return g->status;
}

/* ---- op table info ----------------------------------------------------- */

const vh_nn_op_info *vh_nn_op_info_get(int id) {
    if (id < 0 || id >= VH_OP_COUNT) return NULL;
    return &vh__nn_ops[id].info;
}

int vh_nn_op_find(const char *name) {
    for (int i = 0; i < VH_OP_COUNT; i++)
        if (name && strcmp(vh__nn_ops[i].info.name, name) == 0) return i;
    return vh__fail(NULL, VH_ENOTFOUND, "nn: no op named '%s'", name ? name : "(null)");
}

/* ---- node creation ----------------------------------------------------- */

static const char *nname(const vh__nn_node *n) { return n->name ? n->name : vh__nn_ops[n->op].info.name; }

/* Validates that `x` is an existing node id. */
static int check_in(vh_nn_graph *g, int x, const char *what) {
    if (g->status) return g->status;
    if (x < 0 || x >= g->n_nodes)
        return bfail(g, VH_EINVAL, "nn: %s: input node %d does not exist", what, x);
    return VH_OK;
}

static int new_node(vh_nn_graph *g, int op, const char *name, int n_in, const int *in,
                    int ndim, const int *dims_in) {
    if (g->status) return g->status;
    int dims[3] = {1, 1, 1}; /* copy: dims_in may point into g->nodes (realloc below) */
    for (int i = 0; i < ndim && i < 3; i++) dims[i] = dims_in[i];
    if (name) {
        for (int i = 0; i < g->n_nodes; i++)
            if (g->nodes[i].name && strcmp(g->nodes[i].name, name) == 0)
                return bfail(g, VH_EEXIST, "nn: node name '%s' used twice", name);
    }
    size_t per = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 1 || dims[i] > VH_NN_MAX_DIM)
            return bfail(g, VH_ERANGE, "nn: %s: dimension %d is %d (allowed 1..%d)",
                         name ? name : vh__nn_ops[op].info.name, i, dims[i], VH_NN_MAX_DIM);
        if (vh__mul_size(per, (size_t)dims[i], &per) || per > VH_NN_MAX_ELEMS)
            return bfail(g, VH_ERANGE, "nn: %s: tensor too large",
                         name ? name : vh__nn_ops[op].info.name);
    }
    if (g->n_nodes == g->cap_nodes) {
        int nc = g->cap_nodes ? g->cap_nodes * 2 : 32;
        vh__nn_node *nn = realloc(g->nodes, (size_t)nc * sizeof *nn);
        if (!nn) return bfail(g, VH_ENOMEM, "nn: out of memory adding a node");
        g->nodes = nn;
        g->cap_nodes = nc;
    }
    if (g->compiled) free_buffers(g); /* graph changed: must be recompiled */
    vh__nn_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->p0 = g->n_params;
    if (name && !(n->name = vh__strdup(name))) return bfail(g, VH_ENOMEM, "nn: out of memory");
    if (n_in > 0) {
        n->in = malloc((size_t)n_in * sizeof(int));
        if (!n->in) {
            free(n->name);
            return bfail(g, VH_ENOMEM, "nn: out of memory");
        }
        memcpy(n->in, in, (size_t)n_in * sizeof(int));
        for (int i = 0; i < n_in; i++) g->nodes[in[i]].consumers++;
    }
    n->n_in = n_in;
    n->ndim = ndim;
    for (int i = 0; i < 3; i++) n->dims[i] = i < ndim ? dims[i] : 1;
    n->per = per;
    n->scalar = ndim == 0;
    return g->n_nodes++;
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void init_param(vh__nn_pent *p, uint64_t seed, int index) {
    vh_tensor *t = &p->t;
    switch (p->init) {
    case INIT_UNIFORM: {
        vh_rng r;
        vh_rng_seed(&r, mix64(seed * 0x9e3779b97f4a7c15ULL + (uint64_t)index + 1));
        for (size_t i = 0; i < t->size; i++)
            t->data[i] = (float)((2.0 * vh_rng_uniform(&r) - 1.0) * p->init_bound);
        break;
    }
    case INIT_ONE:
        for (size_t i = 0; i < t->size; i++) t->data[i] = 1.0f;
        break;
    case INIT_ZERO: memset(t->data, 0, t->size * sizeof(float)); break;
    default: break;
    }
}

/* Adds a parameter (trainable) or buffer to the most recent node. */
static int add_param(vh_nn_graph *g, const char *suffix, int ndim, const int *shape,
                     int trainable, int decay, int init, float bound) {
    if (g->status) return g->status;
    vh__nn_node *n = &g->nodes[g->n_nodes - 1];
    if (g->n_params == g->cap_params) {
        int nc = g->cap_params ? g->cap_params * 2 : 32;
        vh__nn_pent **np = realloc(g->params, (size_t)nc * sizeof *np);
        if (!np) return bfail(g, VH_ENOMEM, "nn: out of memory adding a parameter");
        g->params = np;
        g->cap_params = nc;
    }
    vh__nn_pent *p = calloc(1, sizeof *p);
    if (!p) return bfail(g, VH_ENOMEM, "nn: out of memory adding a parameter");
    size_t size = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1 || vh__mul_size(size, (size_t)shape[i], &size) || size > VH_NN_MAX_ELEMS) {
            free(p);
            return bfail(g, VH_ERANGE, "nn: %s.%s: parameter too large", nname(n), suffix);
        }
    }
    size_t nl = strlen(n->name) + strlen(suffix) + 2;
    p->name = malloc(nl);
    p->t.data = calloc(size, sizeof(float));
    if (trainable) p->t.grad = calloc(size, sizeof(float));
    if (!p->name || !p->t.data || (trainable && !p->t.grad)) {
        free(p->name);
        free(p->t.data);
        free(p->t.grad);
        free(p);
        return bfail(g, VH_ENOMEM, "nn: out of memory for parameter %s.%s", n->name, suffix);
    }
    snprintf(p->name, nl, "%s.%s", n->name, suffix);
    p->t.ndim = ndim;
    for (int i = 0; i < VH_NN_MAX_DIMS; i++) p->t.shape[i] = i < ndim ? shape[i] : 1;
    p->t.size = size;
    p->init = init;
    p->init_bound = bound;
    p->pub.name = p->name;
    p->pub.t = &p->t;
    p->pub.trainable = trainable;
    p->pub.decay = decay;
    p->pub.node = g->n_nodes - 1;
    init_param(p, 0, g->n_params);
    g->params[g->n_params++] = p;
    n->np++;
    return VH_OK;
}

static int need_name(vh_nn_graph *g, const char *name, const char *op) {
    if (g->status) return g->status;
    if (!name || !*name) return bfail(g, VH_EINVAL, "nn: %s needs a name (parameter prefix)", op);
    return VH_OK;
}

/* After adding parameters, return the node id or the sticky error. */
static int done(vh_nn_graph *g, int id) { return g->status ? g->status : id; }

int vh_nn_input(vh_nn_graph *g, const char *name, int ndim, const int *dims) {
    if (g->status) return g->status;
    if (ndim < 1 || ndim > 3 || !dims)
        return bfail(g, VH_EINVAL, "nn: input %s: ndim %d (allowed 1..3)", name ? name : "", ndim);
    return new_node(g, VH_OP_INPUT, name, 0, NULL, ndim, dims);
}

int vh_nn_input_requires_grad(vh_nn_graph *g, int node, int on) {
    if (node < 0 || node >= g->n_nodes || g->nodes[node].op != VH_OP_INPUT)
        return vh__fail(&g->err, VH_EINVAL, "nn: node %d is not an input", node);
    if (g->compiled) free_buffers(g);
    g->nodes[node].req_grad = on != 0;
    return VH_OK;
}

int vh_nn_lengths(vh_nn_graph *g, const char *name) {
    int one = 1;
    int id = vh_nn_input(g, name, 1, &one);
    if (id >= 0) g->nodes[id].is_lengths = 1;
    return id;
}

static int out_size(int in, int k, int s, int p, int d) {
    long eff = (long)d * (k - 1) + 1;
    long num = (long)in + 2L * p - eff;
    if (num < 0) return 0;
    return (int)(num / s + 1);
}

int vh_nn_conv2d(vh_nn_graph *g, const char *name, int x, int out_ch, int k, int stride,
                 int pad, int dilation, int groups, int bias) {
    if (check_in(g, x, "conv2d") || need_name(g, name, "conv2d")) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim != 3) return bfail(g, VH_EINVAL, "nn: %s: input must be [C,H,W], has %d dims", name, xi->ndim);
    int C = xi->dims[0];
    if (out_ch < 1 || k < 1 || k > 64 || stride < 1 || stride > 64 || pad < 0 || pad > 64 ||
        dilation < 1 || dilation > 64 || groups < 1)
        return bfail(g, VH_EINVAL, "nn: %s: bad conv hyper-parameters (out %d k %d stride %d pad %d dilation %d groups %d)",
                     name, out_ch, k, stride, pad, dilation, groups);
    if (C % groups || out_ch % groups)
        return bfail(g, VH_EINVAL, "nn: %s: groups=%d does not divide in=%d and out=%d channels", name, groups, C, out_ch);
    int oh = out_size(xi->dims[1], k, stride, pad, dilation), ow = out_size(xi->dims[2], k, stride, pad, dilation);
    if (oh < 1 || ow < 1)
        return bfail(g, VH_EINVAL, "nn: %s: %dx%d input too small for kernel %d dilation %d pad %d",
                     name, xi->dims[1], xi->dims[2], k, dilation, pad);
    int dims[3] = {out_ch, oh, ow};
    int in[1] = {x};
    int id = new_node(g, VH_OP_CONV2D, name, 1, in, 3, dims);
    if (id < 0) return id;
    vh__nn_node *n = &g->nodes[id];
    int a[8] = {out_ch, k, stride, pad, dilation, groups, bias != 0, 0};
    memcpy(n->ia, a, sizeof a);
    float bound = 1.0f / sqrtf((float)(C / groups * k * k));
    int ws[4] = {out_ch, C / groups, k, k};
    add_param(g, "weight", 4, ws, 1, 1, INIT_UNIFORM, bound);
    if (bias) add_param(g, "bias", 1, &out_ch, 1, 0, INIT_UNIFORM, bound);
    return done(g, id);
}

int vh_nn_batchnorm(vh_nn_graph *g, const char *name, int x, float eps, float momentum) {
    if (check_in(g, x, "batchnorm") || need_name(g, name, "batchnorm")) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim != 3 && xi->ndim != 1)
        return bfail(g, VH_EINVAL, "nn: %s: batchnorm needs [C,H,W] or [F] input, has %d dims", name, xi->ndim);
    if (!(eps > 0) || !(momentum >= 0 && momentum <= 1))
        return bfail(g, VH_EINVAL, "nn: %s: eps must be > 0 and momentum in [0,1]", name);
    int in[1] = {x};
    int C = xi->dims[0];
    int id = new_node(g, VH_OP_BATCHNORM, name, 1, in, xi->ndim, xi->dims);
    if (id < 0) return id;
    g->nodes[id].fa[0] = eps;
    g->nodes[id].fa[1] = momentum;
    add_param(g, "weight", 1, &C, 1, 0, INIT_ONE, 0);
    add_param(g, "bias", 1, &C, 1, 0, INIT_ZERO, 0);
    add_param(g, "running_mean", 1, &C, 0, 0, INIT_ZERO, 0);
    add_param(g, "running_var", 1, &C, 0, 0, INIT_ONE, 0);
    return done(g, id);
}

static int unary(vh_nn_graph *g, int op, int x, float a) {
    if (check_in(g, x, vh__nn_ops[op].info.name)) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    int in[1] = {x};
    int id = new_node(g, op, NULL, 1, in, xi->ndim, xi->dims);
    if (id >= 0) g->nodes[id].fa[0] = a;
    return id;
}

int vh_nn_relu(vh_nn_graph *g, int x) { return unary(g, VH_OP_RELU, x, 0); }
int vh_nn_leaky_relu(vh_nn_graph *g, int x, float slope) { return unary(g, VH_OP_LEAKY_RELU, x, slope); }
int vh_nn_elu(vh_nn_graph *g, int x, float alpha) { return unary(g, VH_OP_ELU, x, alpha); }
int vh_nn_gelu(vh_nn_graph *g, int x) { return unary(g, VH_OP_GELU, x, 0); }
int vh_nn_sigmoid(vh_nn_graph *g, int x) { return unary(g, VH_OP_SIGMOID, x, 0); }
int vh_nn_tanh(vh_nn_graph *g, int x) { return unary(g, VH_OP_TANH, x, 0); }
int vh_nn_scale(vh_nn_graph *g, int x, float alpha) { return unary(g, VH_OP_SCALE, x, alpha); }

int vh_nn_softmax(vh_nn_graph *g, int x) {
    if (check_in(g, x, "softmax")) return g->status;
    if (g->nodes[x].scalar) return bfail(g, VH_EINVAL, "nn: softmax of a scalar");
    return unary(g, VH_OP_SOFTMAX, x, 0);
}

int vh_nn_dropout(vh_nn_graph *g, int x, float p) {
    if (check_in(g, x, "dropout")) return g->status;
    if (!(p >= 0 && p < 1)) return bfail(g, VH_EINVAL, "nn: dropout probability %g not in [0,1)", (double)p);
    return unary(g, VH_OP_DROPOUT, x, p);
}

static int pool(vh_nn_graph *g, int op, int x, int k, int s, int p) {
    const char *what = vh__nn_ops[op].info.name;
    if (check_in(g, x, what)) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim != 3) return bfail(g, VH_EINVAL, "nn: %s: input must be [C,H,W]", what);
    if (k < 1 || k > 64 || s < 1 || s > 64 || p < 0 || 2 * p > k)
        return bfail(g, VH_EINVAL, "nn: %s: bad window k %d stride %d pad %d (pad <= k/2)", what, k, s, p);
    int oh = out_size(xi->dims[1], k, s, p, 1), ow = out_size(xi->dims[2], k, s, p, 1);
    if (oh < 1 || ow < 1) return bfail(g, VH_EINVAL, "nn: %s: input %dx%d smaller than window %d", what, xi->dims[1], xi->dims[2], k);
    int dims[3] = {xi->dims[0], oh, ow};
    int in[1] = {x};
    int id = new_node(g, op, NULL, 1, in, 3, dims);
    if (id >= 0) {
        g->nodes[id].ia[0] = k;
        g->nodes[id].ia[1] = s;
        g->nodes[id].ia[2] = p;
    }
    return id;
}

int vh_nn_maxpool(vh_nn_graph *g, int x, int k, int stride, int pad) { return pool(g, VH_OP_MAXPOOL, x, k, stride, pad); }
int vh_nn_avgpool(vh_nn_graph *g, int x, int k, int stride, int pad) { return pool(g, VH_OP_AVGPOOL, x, k, stride, pad); }

int vh_nn_global_avgpool(vh_nn_graph *g, int x) {
    if (check_in(g, x, "global_avgpool")) return g->status;
    if (g->nodes[x].ndim != 3) return bfail(g, VH_EINVAL, "nn: global_avgpool: input must be [C,H,W]");
    int in[1] = {x};
    return new_node(g, VH_OP_GLOBAL_AVGPOOL, NULL, 1, in, 1, g->nodes[x].dims);
}

int vh_nn_dense(vh_nn_graph *g, const char *name, int x, int out, int bias) {
    if (check_in(g, x, "dense") || need_name(g, name, "dense")) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim < 1 || xi->ndim > 2)
        return bfail(g, VH_EINVAL, "nn: %s: dense needs [F] or [T,F] input (flatten images first), has %d dims", name, xi->ndim);
    if (out < 1 || out > VH_NN_MAX_DIM) return bfail(g, VH_EINVAL, "nn: %s: output size %d", name, out);
    int F = xi->dims[xi->ndim - 1];
    int dims[3] = {xi->dims[0], out, 1};
    if (xi->ndim == 1) dims[0] = out;
    int in[1] = {x};
    int id = new_node(g, VH_OP_DENSE, name, 1, in, xi->ndim, dims);
    if (id < 0) return id;
    g->nodes[id].ia[0] = out;
    g->nodes[id].ia[1] = bias != 0;
    float bound = 1.0f / sqrtf((float)F);
    int ws[2] = {out, F};
    add_param(g, "weight", 2, ws, 1, 1, INIT_UNIFORM, bound);
    if (bias) add_param(g, "bias", 1, &out, 1, 0, INIT_UNIFORM, bound);
    return done(g, id);
}

int vh_nn_add(vh_nn_graph *g, int n, const int *xs) {
    if (g->status) return g->status;
    if (n < 1 || n > 64 || !xs) return bfail(g, VH_EINVAL, "nn: add of %d nodes (1..64)", n);
    for (int i = 0; i < n; i++) {
        if (check_in(g, xs[i], "add")) return g->status;
        const vh__nn_node *a = &g->nodes[xs[0]], *b = &g->nodes[xs[i]];
        if (a->ndim != b->ndim || a->scalar != b->scalar || memcmp(a->dims, b->dims, sizeof a->dims))
            return bfail(g, VH_EINVAL, "nn: add: input %d has a different shape", i);
    }
    const vh__nn_node *a = &g->nodes[xs[0]];
    return new_node(g, VH_OP_ADD, NULL, n, xs, a->ndim, a->dims);
}

int vh_nn_concat(vh_nn_graph *g, int n, const int *xs, int axis) {
    if (g->status) return g->status;
    if (n < 1 || n > 64 || !xs) return bfail(g, VH_EINVAL, "nn: concat of %d nodes (1..64)", n);
    for (int i = 0; i < n; i++)
        if (check_in(g, xs[i], "concat")) return g->status;
    const vh__nn_node *a = &g->nodes[xs[0]];
    if (a->scalar || axis < 0 || axis >= a->ndim)
        return bfail(g, VH_EINVAL, "nn: concat: axis %d out of range for %d dims", axis, a->ndim);
    int dims[3] = {a->dims[0], a->dims[1], a->dims[2]};
    dims[axis] = 0;
    for (int i = 0; i < n; i++) {
        const vh__nn_node *b = &g->nodes[xs[i]];
        if (b->ndim != a->ndim || b->scalar) return bfail(g, VH_EINVAL, "nn: concat: input %d has %d dims, expected %d", i, b->ndim, a->ndim);
        for (int d = 0; d < a->ndim; d++)
            if (d != axis && b->dims[d] != a->dims[d])
                return bfail(g, VH_EINVAL, "nn: concat: input %d differs in dimension %d", i, d);
        if (dims[axis] > VH_NN_MAX_DIM) return bfail(g, VH_ERANGE, "nn: concat: too large");
        dims[axis] += b->dims[axis];
    }
    int id = new_node(g, VH_OP_CONCAT, NULL, n, xs, a->ndim, dims);
    if (id >= 0) g->nodes[id].ia[0] = axis;
    return id;
}

int vh_nn_reshape(vh_nn_graph *g, int x, int ndim, const int *dims) {
    if (check_in(g, x, "reshape")) return g->status;
    if (ndim < 1 || ndim > 3 || !dims) return bfail(g, VH_EINVAL, "nn: reshape: ndim %d (1..3)", ndim);
    size_t per = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 1) return bfail(g, VH_EINVAL, "nn: reshape: dimension %d is %d", i, dims[i]);
        per *= (size_t)dims[i];
        if (per > VH_NN_MAX_ELEMS) return bfail(g, VH_ERANGE, "nn: reshape: too large");
    }
    if (g->nodes[x].scalar || per != g->nodes[x].per)
        return bfail(g, VH_EINVAL, "nn: reshape: %zu elements per sample, input has %zu", per, g->nodes[x].per);
    int in[1] = {x};
    return new_node(g, VH_OP_RESHAPE, NULL, 1, in, ndim, dims);
}

int vh_nn_flatten(vh_nn_graph *g, int x) {
    if (check_in(g, x, "flatten")) return g->status;
    if (g->nodes[x].per > VH_NN_MAX_DIM) return bfail(g, VH_ERANGE, "nn: flatten: %zu features exceed %d", g->nodes[x].per, VH_NN_MAX_DIM);
    int d = (int)g->nodes[x].per;
    return vh_nn_reshape(g, x, 1, &d);
}

int vh_nn_to_sequence(vh_nn_graph *g, int x) {
    if (check_in(g, x, "to_sequence")) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim != 3) return bfail(g, VH_EINVAL, "nn: to_sequence: input must be [C,H,W]");
    if ((size_t)xi->dims[0] * (size_t)xi->dims[1] > VH_NN_MAX_DIM) return bfail(g, VH_ERANGE, "nn: to_sequence: C*H too large");
    int dims[2] = {xi->dims[2], xi->dims[0] * xi->dims[1]};
    int in[1] = {x};
    return new_node(g, VH_OP_TO_SEQUENCE, NULL, 1, in, 2, dims);
}

static int check_lengths(vh_nn_graph *g, int lengths, const char *name) {
    if (lengths < 0) return VH_OK;
    if (check_in(g, lengths, name)) return g->status;
    if (!g->nodes[lengths].is_lengths)
        return bfail(g, VH_EINVAL, "nn: %s: node %d is not a vh_nn_lengths input", name, lengths);
    return VH_OK;
}

static int rnn(vh_nn_graph *g, int op, const char *name, int x, int lengths, int hidden,
               int bidir, int retseq) {
    const char *what = vh__nn_ops[op].info.name;
    if (check_in(g, x, what) || need_name(g, name, what) || check_lengths(g, lengths, name)) return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim != 2) return bfail(g, VH_EINVAL, "nn: %s: input must be a sequence [T,F], has %d dims", name, xi->ndim);
    if (hidden < 1 || hidden > 65536) return bfail(g, VH_EINVAL, "nn: %s: hidden size %d", name, hidden);
    int dirs = bidir ? 2 : 1, T = xi->dims[0], F = xi->dims[1];
    int dims[2] = {T, dirs * hidden};
    if (!retseq) dims[0] = dirs * hidden;
    int in[2] = {x, lengths};
    int id = new_node(g, op, name, lengths >= 0 ? 2 : 1, in, retseq ? 2 : 1, dims);
    if (id < 0) return id;
    int a[8] = {hidden, dirs, retseq != 0, lengths, 0, 0, 0, 0};
    memcpy(g->nodes[id].ia, a, sizeof a);
    int G = (op == VH_OP_LSTM ? 4 : 3) * hidden;
    float bound = 1.0f / sqrtf((float)hidden);
    for (int d = 0; d < dirs; d++) {
        char s[32];
        const char *suf = d ? "_reverse" : "";
        int wih[2] = {G, F}, whh[2] = {G, hidden};
        snprintf(s, sizeof s, "weight_ih_l0%s", suf);
        add_param(g, s, 2, wih, 1, 1, INIT_UNIFORM, bound);
        snprintf(s, sizeof s, "weight_hh_l0%s", suf);
        add_param(g, s, 2, whh, 1, 1, INIT_UNIFORM, bound);
        snprintf(s, sizeof s, "bias_ih_l0%s", suf);
        add_param(g, s, 1, &G, 1, 0, INIT_UNIFORM, bound);
        snprintf(s, sizeof s, "bias_hh_l0%s", suf);
        add_param(g, s, 1, &G, 1, 0, INIT_UNIFORM, bound);
    }
    return done(g, id);
}

int vh_nn_lstm(vh_nn_graph *g, const char *name, int x, int lengths, int hidden, int bidirectional,
               int return_sequence) {
    return rnn(g, VH_OP_LSTM, name, x, lengths, hidden, bidirectional, return_sequence);
}
int vh_nn_gru(vh_nn_graph *g, const char *name, int x, int lengths, int hidden, int bidirectional,
              int return_sequence) {
    return rnn(g, VH_OP_GRU, name, x, lengths, hidden, bidirectional, return_sequence);
}

int vh_nn_attention_pool(vh_nn_graph *g, const char *name, int x, int lengths, int att) {
    if (check_in(g, x, "attention_pool") || need_name(g, name, "attention_pool") || check_lengths(g, lengths, name))
        return g->status;
    const vh__nn_node *xi = &g->nodes[x];
    if (xi->ndim != 2) return bfail(g, VH_EINVAL, "nn: %s: input must be a sequence [T,F]", name);
    if (att < 1 || att > 65536) return bfail(g, VH_EINVAL, "nn: %s: attention size %d", name, att);
    int F = xi->dims[1];
    int in[2] = {x, lengths};
    int id = new_node(g, VH_OP_ATTENTION_POOL, name, lengths >= 0 ? 2 : 1, in, 1, &F);
    if (id < 0) return id;
    g->nodes[id].ia[0] = att;
    g->nodes[id].ia[1] = lengths;
    float bound = 1.0f / sqrtf((float)F), vb = 1.0f / sqrtf((float)att);
    int ws[2] = {att, F};
    add_param(g, "weight", 2, ws, 1, 1, INIT_UNIFORM, bound);
    add_param(g, "bias", 1, &att, 1, 0, INIT_UNIFORM, bound);
    add_param(g, "v", 1, &att, 1, 1, INIT_UNIFORM, vb);
    return done(g, id);
}

static int loss(vh_nn_graph *g, int op, int a, int b, float f) {
    const char *what = vh__nn_ops[op].info.name;
    if (check_in(g, a, what) || check_in(g, b, what)) return g->status;
    const vh__nn_node *x = &g->nodes[a], *y = &g->nodes[b];
    if (x->scalar || y->scalar || x->per != y->per)
        return bfail(g, VH_EINVAL, "nn: %s: prediction (%zu per sample) and target (%zu) differ", what, x->per, y->per);
    if (op == VH_OP_SOFTMAX_XENT && x->ndim != 1)
        return bfail(g, VH_EINVAL, "nn: softmax_xent: logits must be [C]");
    int in[2] = {a, b};
    int id = new_node(g, op, NULL, 2, in, 0, NULL);
    if (id >= 0) g->nodes[id].fa[0] = f;
    return id;
}

int vh_nn_softmax_xent(vh_nn_graph *g, int logits, int target, float ls) {
    if (!(ls >= 0 && ls < 1)) return bfail(g, VH_EINVAL, "nn: label smoothing %g not in [0,1)", (double)ls);
    return loss(g, VH_OP_SOFTMAX_XENT, logits, target, ls);
}
int vh_nn_mse(vh_nn_graph *g, int p, int t) { return loss(g, VH_OP_MSE, p, t, 0); }
int vh_nn_l1(vh_nn_graph *g, int p, int t) { return loss(g, VH_OP_L1, p, t, 0); }
int vh_nn_huber(vh_nn_graph *g, int p, int t, float delta) {
    if (!(delta > 0)) return bfail(g, VH_EINVAL, "nn: huber delta %g must be > 0", (double)delta);
    return loss(g, VH_OP_HUBER, p, t, delta);
}

/* ---- queries ----------------------------------------------------------- */

int vh_nn_node_count(const vh_nn_graph *g) { return g->n_nodes; }
int vh_nn_node_op(const vh_nn_graph *g, int node) {
    if (node < 0 || node >= g->n_nodes) return VH_EINVAL;
    return g->nodes[node].op;
}
const char *vh_nn_node_name(const vh_nn_graph *g, int node) {
    if (node < 0 || node >= g->n_nodes || !g->nodes[node].name) return "";
    return g->nodes[node].name;
}
int vh_nn_node_find(const vh_nn_graph *g, const char *name) {
    for (int i = 0; i < g->n_nodes; i++)
        if (name && g->nodes[i].name && strcmp(g->nodes[i].name, name) == 0) return i;
    return vh__fail(NULL, VH_ENOTFOUND, "nn: no node named '%s'", name ? name : "(null)");
}
vh_tensor *vh_nn_value(vh_nn_graph *g, int node) {
    if (!g->compiled || node < 0 || node >= g->n_nodes) return NULL;
    return &g->nodes[node].val;
}
int vh_nn_node_shape(const vh_nn_graph *g, int node, int dims[3]) {
    if (node < 0 || node >= g->n_nodes) return VH_EINVAL;
    for (int i = 0; i < 3; i++) dims[i] = g->nodes[node].dims[i];
    return g->nodes[node].ndim;
}

int vh_nn_param_count(const vh_nn_graph *g) { return g->n_params; }
const vh_nn_param *vh_nn_param_get(const vh_nn_graph *g, int i) {
    return i >= 0 && i < g->n_params ? &g->params[i]->pub : NULL;
}
const vh_nn_param *vh_nn_param_find(const vh_nn_graph *g, const char *name) {
    for (int i = 0; i < g->n_params; i++)
        if (name && strcmp(g->params[i]->name, name) == 0) return &g->params[i]->pub;
    return NULL;
}
size_t vh_nn_param_scalars(const vh_nn_graph *g) {
    size_t s = 0;
    for (int i = 0; i < g->n_params; i++)
        if (g->params[i]->pub.trainable) s += g->params[i]->t.size;
    return s;
}

void vh_nn_graph_init_params(vh_nn_graph *g, uint64_t seed) {
    for (int i = 0; i < g->n_params; i++) init_param(g->params[i], seed, i);
}

void vh_nn_set_training(vh_nn_graph *g, int training) { g->training = training != 0; }
int vh_nn_training(const vh_nn_graph *g) { return g->training; }
void vh_nn_graph_seed(vh_nn_graph *g, uint64_t seed) { vh_rng_seed(&g->rng, seed); }
void vh_nn_set_kernel(vh_nn_graph *g, int kernel) {
    g->kernel = kernel == VH_NN_KERNEL_REFERENCE;
    g->no_dnnl = kernel == VH_NN_KERNEL_OWN;
}
int vh_nn_batch(const vh_nn_graph *g) { return g->batch; }
int vh_nn_max_batch(const vh_nn_graph *g) { return g->max_batch; }

/* ---- compile ----------------------------------------------------------- */

static void set_shapes(vh_nn_graph *g) {
    for (int i = 0; i < g->n_nodes; i++) {
        vh__nn_node *n = &g->nodes[i];
        vh_tensor *t = &n->val;
        if (n->scalar) {
            t->ndim = 1;
            t->shape[0] = t->shape[1] = t->shape[2] = t->shape[3] = 1;
            t->size = 1;
            continue;
        }
        t->ndim = n->ndim + 1;
        t->shape[0] = g->batch;
        for (int d = 0; d < 3; d++) t->shape[d + 1] = n->dims[d];
        t->size = (size_t)g->batch * n->per;
    }
}

int vh_nn_graph_compile(vh_nn_graph *g, int max_batch) {
    if (g->status) return vh__fail(&g->err, g->status, "%s", g->err.msg);
    if (g->compiled) free_buffers(g);
    if (max_batch < 1 || max_batch > 65536)
        return vh__fail(&g->err, VH_EINVAL, "nn: compile: batch %d (allowed 1..65536)", max_batch);
    if (g->n_nodes == 0) return vh__fail(&g->err, VH_EINVAL, "nn: compile: empty graph");
    vh__nn_blas_single_thread();
    g->max_batch = g->batch = max_batch;
    g->nthreads = vh_threads_get();
    size_t ws = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        vh__nn_node *n = &g->nodes[i];
        int ng = n->op == VH_OP_INPUT ? n->req_grad : 0;
        for (int j = 0; j < n->np; j++) ng |= g->params[n->p0 + j]->pub.trainable;
        for (int j = 0; j < n->n_in; j++)
            if (!(j == 1 && (n->op == VH_OP_LSTM || n->op == VH_OP_GRU || n->op == VH_OP_ATTENTION_POOL)))
                ng |= g->nodes[n->in[j]].needs_grad;
        n->needs_grad = ng;
        n->alias = n->op == VH_OP_RESHAPE;
        n->fused_relu = 0;
        if (n->op == VH_OP_RELU) { /* batch norm + ReLU: BN writes max(0, y) in place, no ReLU pass */
            vh__nn_node *p = &g->nodes[n->in[0]];
            if (p->op == VH_OP_BATCHNORM && p->consumers == 1 && p->needs_grad == ng) {
                n->alias = 1;
                p->fused_relu = 1;
            }
        }
        size_t cnt;
        if (vh__mul_size(n->scalar ? 1 : (size_t)max_batch, n->per, &cnt) || cnt > VH_NN_MAX_ELEMS * 2) {
            free_buffers(g);
            return vh__fail(&g->err, VH_ERANGE, "nn: %s: activation of %zu x %d too large", nname(n), n->per, max_batch);
        }
        if (n->alias) {
            n->val.data = g->nodes[n->in[0]].val.data;
            n->val.grad = g->nodes[n->in[0]].val.grad;
        } else {
            n->val.data = calloc(cnt, sizeof(float));
            n->val.grad = ng ? calloc(cnt, sizeof(float)) : NULL;
            if (!n->val.data || (ng && !n->val.grad)) goto nomem;
        }
        n->cache_bytes = 0;
        n->ws_floats = 0;
        if (vh__nn_ops[n->op].setup) vh__nn_ops[n->op].setup(g, n);
        if (n->cache_bytes) {
            n->cache = calloc(1, n->cache_bytes);
            if (!n->cache) goto nomem;
        }
        if (n->ws_floats > ws) ws = n->ws_floats;
    }
    g->ws_per_thread = ws;
    if (ws) {
        size_t tot;
        if (vh__mul_size(ws, (size_t)g->nthreads, &tot) || !(g->ws = malloc(tot * sizeof(float)))) goto nomem;
    }
    g->compiled = 1;
    g->fwd_upto = -1;
    set_shapes(g);
    return VH_OK;
nomem:
    free_buffers(g);
    return vh__fail(&g->err, VH_ENOMEM, "nn: compile: out of memory for batch %d", max_batch);
}

int vh_nn_set_batch(vh_nn_graph *g, int batch) {
    if (!g->compiled || batch < 1 || batch > g->max_batch)
        return vh__fail(&g->err, VH_EINVAL, "nn: batch %d outside 1..%d (compiled)", batch, g->max_batch);
    g->batch = batch;
    g->fwd_upto = -1;
    set_shapes(g);
    return VH_OK;
}

int vh_nn_set_input(vh_nn_graph *g, int node, const float *data, size_t n) {
    if (!g->compiled || node < 0 || node >= g->n_nodes || g->nodes[node].op != VH_OP_INPUT)
        return vh__fail(&g->err, VH_EINVAL, "nn: set_input: node %d is not an input of a compiled graph", node);
    vh__nn_node *x = &g->nodes[node];
    if (n != x->val.size)
        return vh__fail(&g->err, VH_EINVAL, "nn: set_input %s: %zu values, expected %zu (batch %d)", nname(x), n, x->val.size, g->batch);
    memcpy(x->val.data, data, n * sizeof(float));
    return VH_OK;
}

int vh_nn_forward(vh_nn_graph *g, int upto) {
    if (!g->compiled) return vh__fail(&g->err, VH_EINVAL, "nn: forward before compile");
    if (upto < 0 || upto >= g->n_nodes) upto = g->n_nodes - 1;
    if (vh_threads_get() != g->nthreads)
        return vh__fail(&g->err, VH_EINVAL, "nn: thread count changed from %d to %d since compile; compile again", g->nthreads, vh_threads_get());
    g->fwd_upto = -1;
    for (int i = 0; i <= upto; i++) g->nodes[i].fwd_done = 0;
    for (int i = 0; i <= upto; i++) {
        vh__nn_node *n = &g->nodes[i];
        if (!vh__nn_ops[n->op].forward || n->alias) continue;
        int st = vh__nn_ops[n->op].forward(g, n);
        if (st) return st;
    }
    g->fwd_upto = upto;
    return VH_OK;
}

int vh_nn_backward(vh_nn_graph *g, int loss) {
    if (!g->compiled || loss < 0 || loss >= g->n_nodes || !g->nodes[loss].scalar)
        return vh__fail(&g->err, VH_EINVAL, "nn: backward: node %d is not a scalar loss of a compiled graph", loss);
    if (g->fwd_upto < loss) return vh__fail(&g->err, VH_EINVAL, "nn: backward before forward");
    if (vh_threads_get() != g->nthreads)
        return vh__fail(&g->err, VH_EINVAL, "nn: thread count changed since compile; compile again");
    for (int i = 0; i <= loss; i++) {
        vh__nn_node *n = &g->nodes[i];
        if (n->val.grad && !n->alias) memset(n->val.grad, 0, vh__total(g, n) * sizeof(float));
    }
    for (int i = 0; i < g->n_params; i++)
        if (g->params[i]->t.grad) memset(g->params[i]->t.grad, 0, g->params[i]->t.size * sizeof(float));
    vh__nn_node *L = &g->nodes[loss];
    if (!L->needs_grad) return VH_OK;
    L->val.grad[0] = 1.0f;
    for (int i = loss; i >= 0; i--) {
        vh__nn_node *n = &g->nodes[i];
        if (n->needs_grad && !n->alias && vh__nn_ops[n->op].backward) vh__nn_ops[n->op].backward(g, n);
    }
    return VH_OK;
}

/* ---- batch-norm folding ----------------------------------------------- */

int vh_nn_fold_batchnorm(vh_nn_graph *g) {
    if (g->status) return g->status;
    int folded = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        vh__nn_node *bn = &g->nodes[i];
        if (bn->op != VH_OP_BATCHNORM || bn->folded) continue;
        vh__nn_node *p = &g->nodes[bn->in[0]];
        if ((p->op != VH_OP_CONV2D && p->op != VH_OP_DENSE) || p->consumers != 1) continue;
        if (p->op == VH_OP_DENSE && p->ndim != 1) continue;
        vh_tensor *w = vh__pt(g, p, 0);
        int has_bias = p->np > 1;
        vh_tensor *b = has_bias ? vh__pt(g, p, 1) : NULL;
        float *gam = vh__pt(g, bn, 0)->data, *bet = vh__pt(g, bn, 1)->data;
        float *mu = vh__pt(g, bn, 2)->data, *var = vh__pt(g, bn, 3)->data;
        float eps = bn->fa[0];
        int C = bn->dims[0];
        size_t per = w->size / (size_t)C;
        for (int c = 0; c < C; c++) {
            double s = gam[c] / sqrt((double)var[c] + eps);
            double shift = bet[c] - mu[c] * s;
            for (size_t j = 0; j < per; j++) w->data[(size_t)c * per + j] = (float)(w->data[(size_t)c * per + j] * s);
            if (b) {
                b->data[c] = (float)(b->data[c] * s + shift);
                bet[c] = 0;
            } else {
                bet[c] = (float)shift;
            }
            gam[c] = 1;
            mu[c] = 0;
            var[c] = 1 - eps;
        }
        bn->folded = has_bias;
        folded++;
    }
    return folded;
}
