/* Convolution through oneDNN's AVX-512/AVX2 direct kernels, where measured
 * faster than our im2col + GEMM (docs/bench-nn.md: layers with >= 8 input
 * channels, 1.2-1.7x including the reorders; see dnnl_allowed for when). Our tensors stay NCHW; each call
 * reorders into oneDNN's blocked layouts and back. Primitives and blocked
 * buffers are created at compile for the maximum batch (a smaller batch uses
 * our kernels). Any oneDNN failure at setup silently keeps our kernels.
 * Built only when <oneapi/dnnl/dnnl.h> is available (Debian libdnnl-dev). */
#include "nn_internal.h"
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<oneapi/dnnl/dnnl.h>)
#define VH_HAVE_DNNL 1
#endif
#endif

#ifdef VH_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>

static dnnl_engine_t g_eng;
static dnnl_stream_t g_strm;
static int g_dnnl_state; /* 0 untried, 1 ok, -1 unavailable */

enum { M_XP, M_WP, M_BP, M_YP, M_DYP, M_DXP, M_DWP, M_DBP, M_SRC, M_W, M_DST, M_DDST, M_W2, M_DSRC, M_DDST2,
       M_SRC2, M_DW, M_COUNT };

typedef struct {
    dnnl_primitive_t p;
    int n;
    dnnl_exec_arg_t a[4];
} step;

struct vh__nn_dnnl_conv {
    dnnl_memory_t m[M_COUNT];
    step fwd[4], bwd[8];
    int nfwd, nbwd, bwd_data_from; /* bwd[bwd_data_from..] need dx; others always */
    dnnl_primitive_desc_t pd[3];
    int batch;
};

#define TRY(x) \
    do {       \
        if ((x) != dnnl_success) goto fail; \
    } while (0)

/* oneDNN's OpenMP pool spin-waits between calls by default; interleaved with
 * our own pool on few cores that made training 2x slower (docs/bench-nn.md), so
 * oneDNN is only used when that cannot happen: OMP_WAIT_POLICY=passive, or one
 * thread on both sides. VERHM_DNNL=1 / 0 forces it on / off. Read at compile. */
static int env_is(const char *name, const char *want) {
    const char *v = getenv(name);
    if (!v) return 0;
    for (; *v && *want; v++, want++)
        if ((*v | 0x20) != *want) return 0;
    return *v == 0 && *want == 0;
}

static int dnnl_allowed(void) {
    if (env_is("VERHM_DNNL", "1")) return 1;
    if (env_is("VERHM_DNNL", "0")) return 0;
    if (env_is("OMP_WAIT_POLICY", "passive")) return 1;
    return vh_threads_get() == 1 && env_is("OMP_NUM_THREADS", "1");
}

static int engine(void) {
    if (g_dnnl_state == 0) {
        g_dnnl_state = -1;
        if (dnnl_engine_create(&g_eng, dnnl_cpu, 0) == dnnl_success) {
            if (dnnl_stream_create(&g_strm, g_eng, dnnl_stream_default_flags) == dnnl_success) g_dnnl_state = 1;
            else dnnl_engine_destroy(g_eng);
        }
    }
    return g_dnnl_state == 1;
}

/* Appends "reorder a -> b" (accumulating into b when `sum`) unless layouts match
 * and no sum is needed; returns the memory to use downstream. */
static int add_reorder(step *s, int *n, const dnnl_memory_desc_t *a, dnnl_memory_t ma, const dnnl_memory_desc_t *b,
                       dnnl_memory_t mb, int sum) {
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    int ok = 0;
    if (sum) {
        if (dnnl_primitive_attr_create(&attr) || dnnl_post_ops_create(&po) || dnnl_post_ops_append_sum(po, 1.0f) ||
            dnnl_primitive_attr_set_post_ops(attr, po))
            goto out;
    }
    if (dnnl_reorder_primitive_desc_create(&pd, a, g_eng, b, g_eng, attr) != dnnl_success) goto out;
    if (dnnl_primitive_create(&s[*n].p, pd) != dnnl_success) goto out;
    s[*n].n = 2;
    s[*n].a[0] = (dnnl_exec_arg_t){DNNL_ARG_FROM, ma};
    s[*n].a[1] = (dnnl_exec_arg_t){DNNL_ARG_TO, mb};
    (*n)++;
    ok = 1;
out:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return ok;
}

static dnnl_memory_t mk(const dnnl_memory_desc_t *md, void *ptr) {
    dnnl_memory_t m = NULL;
    if (dnnl_memory_create(&m, md, g_eng, ptr ? ptr : DNNL_MEMORY_ALLOCATE) != dnnl_success) return NULL;
    return m;
}

void vh__nn_conv_dnnl_free(vh__nn_node *n) {
    struct vh__nn_dnnl_conv *d = n->dnnl;
    if (!d) return;
    for (int i = 0; i < d->nfwd; i++) dnnl_primitive_destroy(d->fwd[i].p);
    for (int i = 0; i < d->nbwd; i++) dnnl_primitive_destroy(d->bwd[i].p);
    for (int i = 0; i < 3; i++)
        if (d->pd[i]) dnnl_primitive_desc_destroy(d->pd[i]);
    for (int i = 0; i < M_COUNT; i++)
        if (d->m[i]) dnnl_memory_destroy(d->m[i]);
    free(d);
    n->dnnl = NULL;
}

static const dnnl_memory_desc_t *q(dnnl_primitive_desc_t pd, dnnl_query_t what) {
    return dnnl_primitive_desc_query_md(pd, what, 0);
}

void vh__nn_conv_dnnl_setup(vh_nn_graph *g, vh__nn_node *n) {
    vh__nn_node *xn = vh__in(g, n, 0);
    int C = xn->dims[0], H = xn->dims[1], W = xn->dims[2];
    int OC = n->ia[0], k = n->ia[1], st = n->ia[2], p = n->ia[3], dil = n->ia[4], G = n->ia[5], bias = n->ia[6];
    /* measured: oneDNN wins for ordinary convolutions with enough input channels */
    if (G != 1 || C < 8 || k < 2 || !dnnl_allowed() || !engine()) return;
    struct vh__nn_dnnl_conv *d = calloc(1, sizeof *d);
    if (!d) return;
    n->dnnl = d;
    d->batch = g->max_batch;
    dnnl_dims_t sd = {g->max_batch, C, H, W}, wd = {OC, C, k, k}, dd = {g->max_batch, OC, n->dims[1], n->dims[2]};
    dnnl_dims_t bd = {OC}, sv = {st, st}, dv = {dil - 1, dil - 1}, pv = {p, p};
    dnnl_dims_t pr; /* right padding so that the output size matches ours */
    for (int i = 0; i < 2; i++) {
        int in = i ? W : H, out = n->dims[1 + i];
        pr[i] = (dnnl_dim_t)((out - 1) * st + (k - 1) * dil + 1 - in - p);
    }
    dnnl_memory_desc_t ps, pw, pdd, pb, as, aw, ad;
    TRY(dnnl_memory_desc_init_by_tag(&ps, 4, sd, dnnl_f32, dnnl_nchw));
    TRY(dnnl_memory_desc_init_by_tag(&pw, 4, wd, dnnl_f32, dnnl_oihw));
    TRY(dnnl_memory_desc_init_by_tag(&pdd, 4, dd, dnnl_f32, dnnl_nchw));
    TRY(dnnl_memory_desc_init_by_tag(&pb, 1, bd, dnnl_f32, dnnl_x));
    TRY(dnnl_memory_desc_init_by_tag(&as, 4, sd, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&aw, 4, wd, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&ad, 4, dd, dnnl_f32, dnnl_format_tag_any));
    dnnl_convolution_desc_t fd, bdd, bwd;
    TRY(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &as, &aw,
                                                   bias ? &pb : NULL, &ad, sv, dv, pv, pr));
    TRY(dnnl_primitive_desc_create(&d->pd[0], &fd, NULL, g_eng, NULL));
    TRY(dnnl_dilated_convolution_backward_data_desc_init(&bdd, dnnl_convolution_direct, &as, &aw, &ad, sv, dv, pv, pr));
    TRY(dnnl_primitive_desc_create(&d->pd[1], &bdd, NULL, g_eng, d->pd[0]));
    TRY(dnnl_dilated_convolution_backward_weights_desc_init(&bwd, dnnl_convolution_direct, &as, &aw,
                                                            bias ? &pb : NULL, &ad, sv, dv, pv, pr));
    TRY(dnnl_primitive_desc_create(&d->pd[2], &bwd, NULL, g_eng, d->pd[0]));
    /* only the blocked implementations are worth it; a GEMM/reference pick is not */
    for (int i = 0; i < 3; i++) {
        const char *impl = "";
        dnnl_primitive_desc_query(d->pd[i], dnnl_query_impl_info_str, 0, &impl);
        if (strncmp(impl, "jit:", 4) != 0) goto fail;
    }
    vh_tensor *wt = vh__pt(g, n, 0);
    dnnl_memory_t *m = d->m;
    int grads = n->val.grad != NULL, dx = xn->val.grad != NULL;
    /* plain memories on our buffers (fixed after compile) */
    m[M_XP] = mk(&ps, xn->val.data);
    m[M_WP] = mk(&pw, wt->data);
    m[M_YP] = mk(&pdd, n->val.data);
    if (bias) m[M_BP] = mk(&pb, vh__pt(g, n, 1)->data);
    if (grads) {
        m[M_DYP] = mk(&pdd, n->val.grad);
        m[M_DWP] = mk(&pw, wt->grad);
        if (bias) m[M_DBP] = mk(&pb, vh__pt(g, n, 1)->grad);
        if (dx) m[M_DXP] = mk(&ps, xn->val.grad);
    }
    m[M_SRC] = mk(q(d->pd[0], dnnl_query_src_md), NULL);
    m[M_W] = mk(q(d->pd[0], dnnl_query_weights_md), NULL);
    m[M_DST] = mk(q(d->pd[0], dnnl_query_dst_md), NULL);
    if (grads) {
        m[M_DDST2] = mk(q(d->pd[2], dnnl_query_diff_dst_md), NULL);
        m[M_SRC2] = mk(q(d->pd[2], dnnl_query_src_md), NULL);
        m[M_DW] = mk(q(d->pd[2], dnnl_query_diff_weights_md), NULL);
        if (dx) {
            m[M_DDST] = mk(q(d->pd[1], dnnl_query_diff_dst_md), NULL);
            m[M_W2] = mk(q(d->pd[1], dnnl_query_weights_md), NULL);
            m[M_DSRC] = mk(q(d->pd[1], dnnl_query_diff_src_md), NULL);
        }
    }
    for (int i = 0; i < M_COUNT; i++) {
        int need = i == M_XP || i == M_WP || i == M_YP || i == M_SRC || i == M_W || i == M_DST || (i == M_BP && bias);
        need |= grads && (i == M_DYP || i == M_DWP || i == M_DDST2 || i == M_SRC2 || i == M_DW || (i == M_DBP && bias));
        need |= grads && dx && (i == M_DXP || i == M_DDST || i == M_W2 || i == M_DSRC);
        if (need && !m[i]) goto fail;
    }
    /* forward: x -> src, w -> W, conv (+bias), dst -> y */
    step *f = d->fwd;
    if (!add_reorder(f, &d->nfwd, &ps, m[M_XP], q(d->pd[0], dnnl_query_src_md), m[M_SRC], 0)) goto fail;
    if (!add_reorder(f, &d->nfwd, &pw, m[M_WP], q(d->pd[0], dnnl_query_weights_md), m[M_W], 0)) goto fail;
    TRY(dnnl_primitive_create(&f[d->nfwd].p, d->pd[0]));
    f[d->nfwd].a[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, m[M_SRC]};
    f[d->nfwd].a[1] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, m[M_W]};
    f[d->nfwd].a[2] = (dnnl_exec_arg_t){DNNL_ARG_DST, m[M_DST]};
    f[d->nfwd].a[3] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, m[M_BP]};
    f[d->nfwd].n = bias ? 4 : 3;
    d->nfwd++;
    if (!add_reorder(f, &d->nfwd, q(d->pd[0], dnnl_query_dst_md), m[M_DST], &pdd, m[M_YP], 0)) goto fail;
    if (!grads) return;
    /* backward, weights part: dy -> DDST2, x -> SRC2, bwd weights (+bias grad), DW -> dW */
    step *b = d->bwd;
    if (!add_reorder(b, &d->nbwd, &pdd, m[M_DYP], q(d->pd[2], dnnl_query_diff_dst_md), m[M_DDST2], 0)) goto fail;
    if (!add_reorder(b, &d->nbwd, &ps, m[M_XP], q(d->pd[2], dnnl_query_src_md), m[M_SRC2], 0)) goto fail;
    TRY(dnnl_primitive_create(&b[d->nbwd].p, d->pd[2]));
    b[d->nbwd].a[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, m[M_SRC2]};
    b[d->nbwd].a[1] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, m[M_DDST2]};
    b[d->nbwd].a[2] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS, m[M_DW]};
    b[d->nbwd].a[3] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, m[M_DBP]};
    b[d->nbwd].n = bias ? 4 : 3;
    d->nbwd++;
    if (!add_reorder(b, &d->nbwd, q(d->pd[2], dnnl_query_diff_weights_md), m[M_DW], &pw, m[M_DWP], 0)) goto fail;
    d->bwd_data_from = d->nbwd;
    if (!dx) return;
    /* data part: dy -> DDST, w -> W2, bwd data, DSRC -> dx (accumulating) */
    if (!add_reorder(b, &d->nbwd, &pdd, m[M_DYP], q(d->pd[1], dnnl_query_diff_dst_md), m[M_DDST], 0)) goto fail;
    if (!add_reorder(b, &d->nbwd, &pw, m[M_WP], q(d->pd[1], dnnl_query_weights_md), m[M_W2], 0)) goto fail;
    TRY(dnnl_primitive_create(&b[d->nbwd].p, d->pd[1]));
    b[d->nbwd].a[0] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, m[M_DDST]};
    b[d->nbwd].a[1] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, m[M_W2]};
    b[d->nbwd].a[2] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC, m[M_DSRC]};
    b[d->nbwd].n = 3;
    d->nbwd++;
    if (!add_reorder(b, &d->nbwd, q(d->pd[1], dnnl_query_diff_src_md), m[M_DSRC], &ps, m[M_DXP], 1)) goto fail;
    return;
fail:
    vh__nn_conv_dnnl_free(n);
}

static int run(step *s, int from, int to) {
    for (int i = from; i < to; i++)
        if (dnnl_primitive_execute(s[i].p, g_strm, s[i].n, s[i].a) != dnnl_success) return 0;
    return dnnl_stream_wait(g_strm) == dnnl_success;
}

int vh__nn_conv_dnnl_forward(vh_nn_graph *g, vh__nn_node *n) {
    struct vh__nn_dnnl_conv *d = n->dnnl;
    if (!d || g->kernel || g->no_dnnl || g->batch != d->batch) return 0;
    return run(d->fwd, 0, d->nfwd);
}

int vh__nn_conv_dnnl_backward(vh_nn_graph *g, vh__nn_node *n) {
    struct vh__nn_dnnl_conv *d = n->dnnl;
    if (!d || g->kernel || g->no_dnnl || g->batch != d->batch || !d->nbwd) return 0;
    int dx = vh__in(g, n, 0)->needs_grad;
    return run(d->bwd, 0, dx ? d->nbwd : d->bwd_data_from);
}
#else
void vh__nn_conv_dnnl_setup(vh_nn_graph *g, vh__nn_node *n) { (void)g, (void)n; }
void vh__nn_conv_dnnl_free(vh__nn_node *n) { (void)n; }
int vh__nn_conv_dnnl_forward(vh_nn_graph *g, vh__nn_node *n) { (void)g, (void)n; return 0; }
int vh__nn_conv_dnnl_backward(vh_nn_graph *g, vh__nn_node *n) { (void)g, (void)n; return 0; }
#endif
