/*
 * verhm/nn.h — the neural-network engine: tensors, a graph of ops with
 * reverse-mode autodiff, optimizers and learning-rate schedules.
 *
 * Model of use
 *   1. vh_nn_graph_new()                     an empty graph
 *   2. vh_nn_input(), vh_nn_conv2d(), ...    add nodes; each builder returns the
 *                                            new node's id (>= 0) or a negative
 *                                            VH_E* status. Errors are sticky: the
 *                                            first one is kept in the graph, later
 *                                            builders fail with the same status, and
 *                                            vh_nn_graph_compile() reports it. So a
 *                                            model can be built without checking
 *                                            every call.
 *   3. parameters exist as soon as their node does (named tensors such as
 *      "conv1.weight"); fill them with vh_nn_graph_init_params() or by name
 *      through vh_nn_param_find() (model files, see nn_model.h).
 *   4. vh_nn_graph_compile(g, max_batch)     allocates every activation, gradient,
 *                                            cache and per-thread workspace once.
 *                                            forward/backward never allocate.
 *   5. per batch: fill inputs (vh_nn_value()->data or vh_nn_set_input()),
 *      vh_nn_set_batch(), vh_nn_forward(), vh_nn_backward(), vh_nn_optim_step().
 *
 * Tensors are float32, row-major (C order), at most 4 dimensions. Image tensors
 * are NCHW; sequences are [N, T, F]; dense activations are [N, F]. Dimension 0 is
 * always the batch. Node shapes are given WITHOUT the batch dimension when a node
 * is built; the batch is chosen at compile time (maximum) and per call
 * (vh_nn_set_batch, 1..max).
 *
 * Parameter names follow PyTorch's state_dict conventions so weights can be
 * exchanged 1:1: "<name>.weight", "<name>.bias", batch norm adds
 * "<name>.running_mean" / "<name>.running_var" (buffers, not trained), LSTM/GRU
 * use "<name>.weight_ih_l0", "<name>.weight_hh_l0", "<name>.bias_ih_l0",
 * "<name>.bias_hh_l0" and the "_reverse" suffix for the backward direction, with
 * PyTorch's gate order (LSTM i,f,g,o; GRU r,z,n) and weight layouts (conv
 * [OC, IC/groups, KH, KW], dense [OUT, IN]).
 *
 * Determinism: given the same seeds (vh_nn_graph_init_params, vh_nn_graph_seed)
 * and the same vh_threads_get() count (and, for convolutions that oneDNN runs,
 * the same OpenMP thread count), training is bit-for-bit reproducible.
 * Reductions over the batch are done per thread in fixed chunks and summed in
 * thread order. The engine runs OpenBLAS single-threaded (it calls
 * openblas_set_num_threads(1) on compile) and parallelises itself with
 * vh_parallel_for; oneDNN convolutions (see vh_nn_set_kernel) use oneDNN's
 * OpenMP pool, one op at a time, so the pools do not run concurrently.
 *
 * Thread safety: one graph must not be used from two threads at once. Distinct
 * graphs may be used concurrently only if vh_parallel_for is not needed by both
 * (the core pool runs one job at a time; calls serialise safely).
 *
 * Errors: functions return VH_OK / node id or a negative VH_E*; the detailed
 * message ("conv1: input has 3 channels, groups=2 does not divide them") is in
 * vh_nn_graph_error(g) and vh_last_error(). Library code never prints.
 */
#ifndef VERHM_NN_H
#define VERHM_NN_H

#include "verhm/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tensors ----------------------------------------------------------- */

#define VH_NN_MAX_DIMS 4
/* Upper bound on any single dimension and on a tensor's element count that the
 * engine accepts (builders fail with VH_ERANGE beyond them). */
#define VH_NN_MAX_DIM 1048576
#define VH_NN_MAX_ELEMS ((size_t)1 << 31)

/* A float32 tensor. `data` and `grad` (NULL when the tensor has no gradient) are
 * owned by the graph; a caller may read/write the values in place but must not
 * free or replace the pointers. For node values `shape[0]` is the current batch
 * (see vh_nn_set_batch) and `size` the current element count. */
typedef struct vh_tensor {
    int ndim;                     /* 1..4 */
    int shape[VH_NN_MAX_DIMS];    /* unused trailing entries are 1 */
    size_t size;                  /* product of shape[0..ndim-1] */
    float *data;
    float *grad;
} vh_tensor;

/* ---- op table ---------------------------------------------------------- */

/* Stable op ids: numbers never change once released (append new ops at the end). */
enum vh_nn_op_id {
    VH_OP_INPUT = 0,
    VH_OP_CONV2D = 1,
    VH_OP_BATCHNORM = 2,
    VH_OP_RELU = 3,
    VH_OP_LEAKY_RELU = 4,
    VH_OP_ELU = 5,
    VH_OP_GELU = 6,
    VH_OP_SIGMOID = 7,
    VH_OP_TANH = 8,
    VH_OP_MAXPOOL = 9,
    VH_OP_AVGPOOL = 10,
    VH_OP_GLOBAL_AVGPOOL = 11,
    VH_OP_DENSE = 12,
    VH_OP_DROPOUT = 13,
    VH_OP_ADD = 14,
    VH_OP_CONCAT = 15,
    VH_OP_RESHAPE = 16,           /* flatten is a reshape */
    VH_OP_LSTM = 17,
    VH_OP_GRU = 18,
    VH_OP_ATTENTION_POOL = 19,
    VH_OP_SOFTMAX = 20,
    VH_OP_SCALE = 21,
    VH_OP_TO_SEQUENCE = 22,
    VH_OP_SOFTMAX_XENT = 23,
    VH_OP_MSE = 24,
    VH_OP_L1 = 25,
    VH_OP_HUBER = 26,
    VH_OP_COUNT
};

/* Public view of one op-table record. The engine's table also holds the shape,
 * forward and backward functions (private). */
typedef struct vh_nn_op_info {
    int id;              /* enum vh_nn_op_id, equal to the index */
    const char *name;    /* "conv2d", "batchnorm", ... (stable, lower case) */
    int n_inputs;        /* fixed number of inputs, -1 = variable (concat, add) */
    int is_loss;         /* produces a scalar loss ([1]) */
} vh_nn_op_info;

/* The record for `id`, or NULL when out of range. Static storage. */
const vh_nn_op_info *vh_nn_op_info_get(int id);
/* Op id for a name ("conv2d"), or VH_ENOTFOUND. */
int vh_nn_op_find(const char *name);

/* ---- graph lifecycle --------------------------------------------------- */

typedef struct vh_nn_graph vh_nn_graph;

/* Creates an empty graph. Returns VH_OK and *out, or VH_ENOMEM. Free with
 * vh_nn_graph_free. */
int vh_nn_graph_new(vh_nn_graph **out);
/* Frees the graph, all its tensors and workspaces. NULL is a no-op. */
void vh_nn_graph_free(vh_nn_graph *g);
/* First (sticky) build/compile error message of the graph, "" if none. */
const char *vh_nn_graph_error(const vh_nn_graph *g);

/* Allocates activations, gradients (for nodes that need them), op caches and
 * per-thread workspace for batches of up to `max_batch` samples, and sets the
 * current batch to `max_batch`. May be called again (e.g. after adding nodes or
 * to change max_batch): the old buffers are freed, parameters are kept. Returns
 * the graph's sticky build error if any, VH_ERANGE for absurd sizes,
 * VH_ENOMEM. Also sets OpenBLAS to one thread (see the top of this file).
 * Workspaces are sized for vh_threads_get() at this call: if the thread count
 * changes later, forward/backward fail with VH_EINVAL until compiled again. */
int vh_nn_graph_compile(vh_nn_graph *g, int max_batch);

/* Sets the number of samples of the next forward/backward (1..max_batch of the
 * last compile). Shapes of all node values follow. Returns VH_EINVAL out of range. */
int vh_nn_set_batch(vh_nn_graph *g, int batch);
/* Current batch / maximum compiled batch (0 before compile). */
int vh_nn_batch(const vh_nn_graph *g);
int vh_nn_max_batch(const vh_nn_graph *g);

/* Training (1) or evaluation (0) mode. Training: batch norm uses batch
 * statistics and updates its running averages; dropout is active. Eval: running
 * statistics, dropout is the identity. New graphs start in training mode. */
void vh_nn_set_training(vh_nn_graph *g, int training);
int vh_nn_training(const vh_nn_graph *g);

/* Seeds the graph's own RNG used by dropout masks (default seed 0). Masks are
 * drawn serially, so results do not depend on the thread count. */
void vh_nn_graph_seed(vh_nn_graph *g, uint64_t seed);

/* Initialises all trainable parameters from `seed`: conv/dense weights with
 * PyTorch's default (Kaiming-uniform, a = sqrt(5): U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in))), biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)), batch norm
 * weight 1, bias 0, running mean 0, var 1; LSTM/GRU weights and biases
 * U(-1/sqrt(H), 1/sqrt(H)); attention pooling like dense. Deterministic;
 * independent of the thread count. Parameters are initialised once at creation
 * with seed 0, so this is only needed to choose another seed. */
void vh_nn_graph_init_params(vh_nn_graph *g, uint64_t seed);

/* ---- nodes ------------------------------------------------------------- */

/* Number of nodes; node ids are 0..count-1 in creation (= topological) order. */
int vh_nn_node_count(const vh_nn_graph *g);
/* Op id of a node, or VH_EINVAL for a bad id. */
int vh_nn_node_op(const vh_nn_graph *g, int node);
/* Node name given at creation (the parameter prefix), "" if none; owned by g. */
const char *vh_nn_node_name(const vh_nn_graph *g, int node);
/* Finds a node by name; returns its id or VH_ENOTFOUND. */
int vh_nn_node_find(const vh_nn_graph *g, const char *name);
/* The node's value tensor (after compile; NULL before or for a bad id). Owned by
 * g; pointers stay valid until the next compile or vh_nn_graph_free. Shape
 * entries and `size` follow vh_nn_set_batch. */
vh_tensor *vh_nn_value(vh_nn_graph *g, int node);
/* Per-sample shape of a node (without batch): writes up to 3 dims into dims
 * and returns their count, or VH_EINVAL. Available before compile. */
int vh_nn_node_shape(const vh_nn_graph *g, int node, int dims[3]);

/* ---- graph builders ---------------------------------------------------- *
 * `name` (may be NULL for ops without parameters) must be unique among nodes
 * with parameters; it is copied. Every builder returns the new node id (>= 0)
 * or a negative status (and records it as the sticky error). Adding a node to a
 * compiled graph discards its buffers (value pointers become invalid): compile
 * again before running it. */

/* A graph input of per-sample shape dims[0..ndim-1] (ndim 1..3): an image
 * [C, H, W], a sequence [T, F], a vector [F], a target [C]. The caller writes
 * its value before vh_nn_forward. Inputs get no gradient unless
 * vh_nn_input_requires_grad is set (used by gradient checks). */
int vh_nn_input(vh_nn_graph *g, const char *name, int ndim, const int *dims);
/* Requests d(loss)/d(input) for an input node (stored in its value's grad).
 * Like adding a node, it discards compiled buffers: call it before compiling. */
int vh_nn_input_requires_grad(vh_nn_graph *g, int node, int on);
/* A per-sample sequence-length input for recurrent/attention ops: a [1] float
 * input holding the valid length (1..T) of each sample's sequence. Ops given -1
 * instead of a lengths node treat every sequence as full length. */
int vh_nn_lengths(vh_nn_graph *g, const char *name);

/* 2-D convolution of NCHW x: out_ch filters k×k, stride, zero padding `pad`,
 * dilation, groups (in and out channels divisible by it; groups == in == out is
 * depthwise), optional bias. Output [out_ch, (H+2p-d(k-1)-1)/s+1, same for W].
 * Parameters "<name>.weight" [out_ch, in/groups, k, k], "<name>.bias" [out_ch]. */
int vh_nn_conv2d(vh_nn_graph *g, const char *name, int x, int out_ch, int k, int stride,
                 int pad, int dilation, int groups, int bias);
/* Batch normalisation over channels of NCHW input (per C over N,H,W) or over
 * features of [N, F] input. eps (e.g. 1e-5) and momentum (PyTorch convention:
 * running = (1-m) running + m batch, running variance unbiased; e.g. 0.1).
 * Parameters weight/bias [C], buffers running_mean/running_var [C].
 * A batch norm whose only consumer is a ReLU is fused with it at compile time
 * (one pass instead of two); the batch norm's value tensor then holds the
 * ReLU's output (the two nodes share it). */
int vh_nn_batchnorm(vh_nn_graph *g, const char *name, int x, float eps, float momentum);
/* Elementwise activations (any shape). */
int vh_nn_relu(vh_nn_graph *g, int x);
int vh_nn_leaky_relu(vh_nn_graph *g, int x, float slope);
int vh_nn_elu(vh_nn_graph *g, int x, float alpha);
int vh_nn_gelu(vh_nn_graph *g, int x);    /* exact (erf) form, like PyTorch's default */
int vh_nn_sigmoid(vh_nn_graph *g, int x);
int vh_nn_tanh(vh_nn_graph *g, int x);
/* Max / average pooling over k×k windows of NCHW x with stride and zero pad
 * (average divides by k*k, counting padding, PyTorch's count_include_pad=True;
 * max ignores padding). Output (H+2p-k)/s+1 (floor). */
int vh_nn_maxpool(vh_nn_graph *g, int x, int k, int stride, int pad);
int vh_nn_avgpool(vh_nn_graph *g, int x, int k, int stride, int pad);
/* Mean over H×W: [C, H, W] → [C]. */
int vh_nn_global_avgpool(vh_nn_graph *g, int x);
/* Fully connected layer over the LAST dimension (like torch.nn.Linear):
 * [F] → [out] or [T, F] → [T, out]. 4-D inputs must be flattened first.
 * Parameters weight [out, F], bias [out] (when `bias`). */
int vh_nn_dense(vh_nn_graph *g, const char *name, int x, int out, int bias);
/* Inverted dropout with drop probability p in [0, 1): training scales kept
 * values by 1/(1-p); eval is the identity. */
int vh_nn_dropout(vh_nn_graph *g, int x, float p);
/* Elementwise sum of n >= 1 nodes of identical shape. */
int vh_nn_add(vh_nn_graph *g, int n, const int *xs);
/* Concatenation of n >= 1 nodes along per-sample dimension `axis` (0 = channel /
 * feature / time for [T,F], counted without batch); other dims must match. */
int vh_nn_concat(vh_nn_graph *g, int n, const int *xs, int axis);
/* Reshape to per-sample dims (ndim 1..3, same element count). */
int vh_nn_reshape(vh_nn_graph *g, int x, int ndim, const int *dims);
/* Flatten to [C*H*W] (reshape to one dimension). */
int vh_nn_flatten(vh_nn_graph *g, int x);
/* Multiply by a constant: y = alpha * x (e.g. to weight a loss term). */
int vh_nn_scale(vh_nn_graph *g, int x, float alpha);
/* Softmax over the last dimension (for inference read-outs; train with
 * vh_nn_softmax_xent on logits instead). */
int vh_nn_softmax(vh_nn_graph *g, int x);
/* Image feature map to sequence: [C, H, W] → [W, C*H] (time runs along the
 * width; feature index c*H + h). For CRNNs over spectrograms. */
int vh_nn_to_sequence(vh_nn_graph *g, int x);

/* Recurrent layers over x [T, F] (batch-first, like PyTorch batch_first=True)
 * with hidden size `hidden`. `lengths` is a vh_nn_lengths node or -1. Padding
 * steps (t >= length) leave the state unchanged and output zeros; the reverse
 * direction starts at each sequence's last valid step (packed-sequence
 * semantics). `bidirectional` concatenates [forward, backward] features.
 * `return_sequence` 1: output [T, dirs*hidden]; 0: output [dirs*hidden], the
 * forward state after the last valid step and the backward state after step 0
 * (PyTorch's h_n). Initial states are zero. */
int vh_nn_lstm(vh_nn_graph *g, const char *name, int x, int lengths, int hidden,
               int bidirectional, int return_sequence);
int vh_nn_gru(vh_nn_graph *g, const char *name, int x, int lengths, int hidden,
              int bidirectional, int return_sequence);
/* Additive attention pooling over valid steps of x [T, F]:
 * s_t = v · tanh(W x_t + b), a = softmax over t < length, out = Σ a_t x_t → [F].
 * Parameters "<name>.weight" [att, F], "<name>.bias" [att], "<name>.v" [att]. */
int vh_nn_attention_pool(vh_nn_graph *g, const char *name, int x, int lengths, int att);

/* ---- losses (scalar outputs, shape [1] with batch 1, mean over the batch) -- */

/* Softmax cross-entropy of logits [C] against soft targets [C] (rows that sum to
 * 1, e.g. one-hot or FER+ vote distributions; a row of all zeros contributes
 * nothing and is not counted in the mean). Label smoothing eps: target ←
 * (1-eps) target + eps/C. Loss = mean over counted samples of −Σ t log softmax. */
int vh_nn_softmax_xent(vh_nn_graph *g, int logits, int target, float label_smoothing);
/* Mean squared error / mean absolute error / Huber (quadratic below delta,
 * PyTorch's HuberLoss) over all elements of pred and target (same shape). */
int vh_nn_mse(vh_nn_graph *g, int pred, int target);
int vh_nn_l1(vh_nn_graph *g, int pred, int target);
int vh_nn_huber(vh_nn_graph *g, int pred, int target, float delta);

/* ---- running the graph ------------------------------------------------- */

/* Copies `n` floats (must equal batch × per-sample size) into an input node.
 * Returns VH_EINVAL for a non-input node or a size mismatch. */
int vh_nn_set_input(vh_nn_graph *g, int node, const float *data, size_t n);
/* Evaluates all nodes up to and including `upto` (-1: all) for the current batch.
 * Returns VH_OK, VH_EINVAL before compile, VH_ENUMERIC if a loss is not finite. */
int vh_nn_forward(vh_nn_graph *g, int upto);
/* Reverse-mode autodiff from the scalar node `loss` (seeded with d loss = 1):
 * overwrites every parameter's gradient with d loss / d param for the current
 * batch (no accumulation across calls) and fills the grads of inputs that
 * requested them. Requires a preceding vh_nn_forward covering `loss`.
 * Returns VH_EINVAL if `loss` is not a scalar or forward was not run. */
int vh_nn_backward(vh_nn_graph *g, int loss);

/* Folds every batch norm that directly follows a conv2d or dense node (whose
 * output feeds nothing else) into that node's weight (and bias): the running
 * statistics and affine parameters are multiplied into the weights. If the
 * conv/dense has a bias, the batch norm becomes the identity (weight 1, bias 0,
 * mean 0, var 1 − eps) and is skipped in eval mode; without a bias the batch
 * norm keeps only the shift (weight 1, mean 0, var 1 − eps, bias = shift) and
 * runs as a cheap per-channel add. Eval outputs are unchanged up to rounding and
 * the graph stays a valid model that can be saved. Training after folding is
 * allowed but the folded statistics are gone. Returns the number of folded
 * batch norms (>= 0) or a status. Call before or after compile. */
int vh_nn_fold_batchnorm(vh_nn_graph *g);

/* ---- parameters -------------------------------------------------------- */

/* A named parameter or buffer. `t` has the full shape (no batch); `t->grad` is
 * NULL for buffers (running statistics). Owned by the graph. */
typedef struct vh_nn_param {
    const char *name;   /* "conv1.weight" */
    vh_tensor *t;
    int trainable;      /* 0 for buffers */
    int decay;          /* 1 if weight decay applies (weights, not biases/BN) */
    int node;           /* owning node id */
} vh_nn_param;

/* Number of parameters+buffers, in creation order (stable for a given build
 * sequence). */
int vh_nn_param_count(const vh_nn_graph *g);
/* The i-th parameter, or NULL when out of range. */
const vh_nn_param *vh_nn_param_get(const vh_nn_graph *g, int i);
/* A parameter by name, or NULL. */
const vh_nn_param *vh_nn_param_find(const vh_nn_graph *g, const char *name);
/* Total number of trainable scalars. */
size_t vh_nn_param_scalars(const vh_nn_graph *g);

/* ---- optimizers -------------------------------------------------------- */

enum vh_nn_optim_kind { VH_OPTIM_SGD = 0, VH_OPTIM_ADAM = 1, VH_OPTIM_ADAMW = 2 };
enum vh_nn_lr_schedule {
    VH_LR_CONSTANT = 0,
    VH_LR_STEP = 1,    /* lr * gamma^(floor(step / step_size)) after warm-up */
    VH_LR_COSINE = 2   /* min_lr + (lr - min_lr)(1 + cos(pi * t / T)) / 2 after warm-up */
};

typedef struct vh_nn_optim_params {
    int kind;              /* enum vh_nn_optim_kind */
    float lr;              /* base learning rate */
    float momentum;        /* SGD momentum (0 = plain SGD) */
    int nesterov;          /* SGD Nesterov momentum (PyTorch's formulation) */
    float beta1, beta2, eps;  /* Adam/AdamW */
    float weight_decay;    /* SGD/Adam: L2 added to the gradient; AdamW: decoupled */
    float clip_norm;       /* > 0: scale gradients so their global L2 norm ≤ clip_norm */
    int schedule;          /* enum vh_nn_lr_schedule */
    int warmup_steps;      /* linear warm-up from lr/warmup to lr over these steps */
    int total_steps;       /* cosine: schedule length T (after warm-up) */
    int step_size;         /* step schedule: decay every step_size steps */
    float gamma;           /* step schedule factor */
    float min_lr;          /* cosine floor */
} vh_nn_optim_params;

/* Defaults: Adam, lr 1e-3, betas 0.9/0.999, eps 1e-8, no decay, no clipping,
 * constant schedule, momentum 0.9 (used if kind is switched to SGD), gamma 0.1. */
vh_nn_optim_params vh_nn_optim_default_params(void);

typedef struct vh_nn_optim vh_nn_optim;

/* Creates an optimizer for all trainable parameters of g (the graph must
 * outlive it; parameter tensors are updated in place; nodes added later make
 * vh_nn_optim_step fail with VH_EINVAL). Returns VH_EINVAL for bad
 * hyper-parameters (lr <= 0, betas outside [0,1), ...), VH_ENOMEM. */
int vh_nn_optim_new(vh_nn_graph *g, const vh_nn_optim_params *p, vh_nn_optim **out);
void vh_nn_optim_free(vh_nn_optim *o);
/* Applies one update from the parameters' current gradients (after
 * vh_nn_backward) and advances the schedule. If grad_norm is not NULL it
 * receives the global gradient L2 norm before clipping. Returns VH_ENUMERIC
 * (parameters untouched) if a gradient is NaN/inf. */
int vh_nn_optim_step(vh_nn_optim *o, float *grad_norm);
/* Learning rate the next step will use. */
float vh_nn_optim_lr(const vh_nn_optim *o);
/* Number of steps taken. */
long vh_nn_optim_steps(const vh_nn_optim *o);
/* Optimizer state for checkpoints: `n` state floats (moments) in a fixed order
 * (per trainable parameter, first then second moment where used) plus the step
 * count. vh_nn_optim_state returns pointers owned by the optimizer. */
size_t vh_nn_optim_state_size(const vh_nn_optim *o);
float *vh_nn_optim_state(vh_nn_optim *o);
void vh_nn_optim_set_steps(vh_nn_optim *o, long steps);

/* ---- low-level kernels (exposed for tests and benchmarks) -------------- */

/* C[M×N] = alpha · op(A) · op(B) + beta · C, row-major, op = transpose when
 * ta/tb are non-zero; lda/ldb/ldc are the row strides. The one GEMM entry
 * point of the library (OpenBLAS cblas_sgemm). */
void vh_nn_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc);

/* Kernel selection for tests/benchmarks, per graph, any time:
 * VH_NN_KERNEL_FAST (default): the optimised kernels — convolutions through
 *   oneDNN's direct AVX-512/AVX2 kernels where they were measured faster
 *   (groups 1, >= 8 input channels, kernel >= 2, full compiled batch; built
 *   when oneDNN's header is present; reorders NCHW <-> blocked each call),
 *   otherwise im2col + GEMM with several small feature maps per GEMM; direct
 *   depthwise convolution; GEMM dense layers; the 2x2 max-pool fast path.
 *   oneDNN runs on its own OpenMP threads (OMP_NUM_THREADS, default all cores).
 *   Because OpenMP spin-waits by default, which next to our own pool halved
 *   training speed on 2 cores, oneDNN is used only if OMP_WAIT_POLICY=passive,
 *   or if both vh_threads_get() and OMP_NUM_THREADS are 1; VERHM_DNNL=1 / 0
 *   forces it on / off. The choice is made by vh_nn_graph_compile.
 *   In eval mode (vh_nn_set_training(g, 0)) 3x3 stride-1 convolutions with
 *   groups 1, in channels % 16 == 0 and out channels % 32 == 0 run as Winograd
 *   F(2x2,3x3) on CPUs with AVX2+FMA or AVX-512F (before oneDNN; results agree
 *   with the reference within the 1e-4 relative the tests use, not bit for bit
 *   with training mode);
 *   the transformed filters are cached per node and rebuilt whenever the
 *   weights differ from the copy they were made from (checked every call, so
 *   writing parameter data directly is safe). VERHM_WINOGRAD=0 turns it off,
 *   =avx2 forces the AVX2 kernels; read by vh_nn_graph_compile. Also in eval
 *   mode, a batch norm (and its ReLU) that is a convolution's only consumer is
 *   applied in the convolution's epilogue.
 * VH_NN_KERNEL_REFERENCE: plain loops for convolution, dense and pooling (slow,
 *   the ground truth the fast kernels are tested against).
 * VH_NN_KERNEL_OWN: like FAST but never oneDNN (our kernels only, Winograd
 *   included; results then depend only on vh_threads_get(), not on OpenMP
 *   settings).
 * Other ops have one implementation, checked by finite differences and against
 * PyTorch. Measurements: docs/bench-nn.md. */
enum vh_nn_kernel { VH_NN_KERNEL_FAST = 0, VH_NN_KERNEL_REFERENCE = 1, VH_NN_KERNEL_OWN = 2 };
void vh_nn_set_kernel(vh_nn_graph *g, int kernel);

#ifdef __cplusplus
}
#endif
#endif
