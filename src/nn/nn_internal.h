/* Private structures of the nn engine: nodes, graph, the op table. */
#ifndef VH_NN_INTERNAL_H
#define VH_NN_INTERNAL_H
#include "core/internal.h"
#include "verhm/nn.h"

typedef struct vh__nn_node {
    int op;
    char *name;
    int n_in;
    int *in;
    int ndim;            /* per-sample dims (0 for scalar losses) */
    int dims[3];
    size_t per;          /* per-sample element count (1 for scalars) */
    int scalar;          /* loss-like node: one value, not batched */
    int ia[8];           /* integer attributes (op specific) */
    float fa[4];         /* float attributes */
    int p0, np;          /* parameters [p0, p0+np) */
    int needs_grad;      /* gradient flows through this node */
    int req_grad;        /* input node: caller wants its gradient */
    int is_lengths;      /* input node of sequence lengths */
    int alias;           /* value/grad share the input's buffers (reshape, fused ReLU); no own pass */
    int fused_relu;      /* batch norm whose only consumer is a ReLU: applies it in place */
    int folded;          /* batch norm folded into its producer: skip in eval */
    int consumers;       /* number of nodes using this one as input */
    vh_tensor val;
    void *cache;         /* op-specific saved state for backward (max batch) */
    size_t cache_bytes;
    size_t ws_floats;    /* per-thread workspace floats this op needs */
    void *dnnl;          /* conv: oneDNN primitives and buffers (conv_dnnl.c), or NULL */
    int wino;            /* conv: eval-mode Winograd path (conv_wino.c): 0 no, 1 AVX2, 2 AVX-512; cache holds its filters */
    int fwd_done;        /* batch norm: output already written by its convolution in this forward */
} vh__nn_node;

typedef struct vh__nn_pent {
    vh_nn_param pub;
    vh_tensor t;
    char *name;
    int init;            /* init kind, see graph.c */
    float init_bound;
} vh__nn_pent;

struct vh_nn_graph {
    vh__nn_node *nodes;
    int n_nodes, cap_nodes;
    vh__nn_pent **params;
    int n_params, cap_params;
    int batch, max_batch;
    int training;
    int kernel;          /* 1: reference loops */
    int no_dnnl;         /* 1: our fast kernels only (VH_NN_KERNEL_OWN) */
    int compiled;
    int fwd_upto;        /* last node evaluated by forward, -1 none */
    int status;          /* sticky error */
    vh__err err;
    vh_rng rng;          /* dropout */
    int nthreads;        /* threads the workspace was sized for */
    float *ws;           /* nthreads * ws_per_thread */
    size_t ws_per_thread;
};

typedef struct vh__nn_op {
    vh_nn_op_info info;
    /* sets node->cache_bytes and node->ws_floats for g->max_batch */
    void (*setup)(vh_nn_graph *g, vh__nn_node *n);
    int (*forward)(vh_nn_graph *g, vh__nn_node *n);
    void (*backward)(vh_nn_graph *g, vh__nn_node *n);
} vh__nn_op;

extern const vh__nn_op vh__nn_ops[VH_OP_COUNT];

/* helpers shared by op files */
static inline vh__nn_node *vh__in(vh_nn_graph *g, vh__nn_node *n, int i) {
    return &g->nodes[n->in[i]];
}
static inline vh_tensor *vh__pt(vh_nn_graph *g, vh__nn_node *n, int i) {
    return &g->params[n->p0 + i]->t;
}
static inline size_t vh__rows(const vh_nn_graph *g, const vh__nn_node *n) {
    return n->scalar ? 1 : (size_t)g->batch;
}
static inline size_t vh__total(const vh_nn_graph *g, const vh__nn_node *n) {
    return vh__rows(g, n) * n->per;
}
static inline float *vh__ws(vh_nn_graph *g, int tid) {
    return g->ws + (size_t)tid * g->ws_per_thread;
}

/* ops implemented in separate files */
void vh__nn_conv_setup(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_conv_forward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_conv_backward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_bn_setup(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_bn_forward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_bn_backward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_dense_setup(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_dense_forward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_dense_backward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_rnn_setup(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_rnn_forward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_rnn_backward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_attn_setup(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_attn_forward(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_attn_backward(vh_nn_graph *g, vh__nn_node *n);

/* oneDNN convolution path (conv_dnnl.c): setup at compile (may leave n->dnnl
 * NULL = not used), run returns 1 when it did the work, 0 to use our kernels. */
void vh__nn_conv_dnnl_setup(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_conv_dnnl_free(vh__nn_node *n);
int vh__nn_conv_dnnl_forward(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_conv_dnnl_backward(vh_nn_graph *g, vh__nn_node *n);

/* Winograd F(2x2,3x3) eval-mode convolution (conv_wino.c): setup at compile
 * (raises ws_floats / cache_bytes when usable), forward returns 1 when it did
 * the work, 0 to use the other kernels. */
void vh__nn_conv_wino_setup(vh_nn_graph *g, vh__nn_node *n);
int vh__nn_conv_wino_forward(vh_nn_graph *g, vh__nn_node *n);

/* Eval mode, fast kernels: the batch norm that is the only consumer of conv
 * node n, to be applied (with its fused ReLU) in the convolution's epilogue.
 * Returns NULL when there is none. vh__nn_bn_eval_begin fills its state for
 * backward and marks its forward done; vh__nn_bn_eval_sample writes its output
 * for sample i, channels [c0, c1), from x (the convolution's output for that
 * sample), computed as its own forward does. */
vh__nn_node *vh__nn_conv_eval_bn(vh_nn_graph *g, vh__nn_node *n);
void vh__nn_bn_eval_begin(vh_nn_graph *g, vh__nn_node *bn);
void vh__nn_bn_eval_sample(vh_nn_graph *g, vh__nn_node *bn, size_t i, const float *x, int c0, int c1);

/* reads and checks sequence lengths (node id or -1) into out[batch]. */
int vh__nn_get_lengths(vh_nn_graph *g, vh__nn_node *n, int lengths_node, int T, int *out);

/* vh_nn_gemm split over rows of C on the thread pool (gemm.c) */
void vh__nn_pgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);
/* OpenBLAS thread setting (gemm.c) */
void vh__nn_blas_single_thread(void);

#endif
