/* Private parts of the speech-emotion model shared by ser_model.c and ser_train.c. */
#ifndef VH_SER_INTERNAL_H
#define VH_SER_INTERNAL_H
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include "verhm/ser.h"

struct vh_ser {
    vh_ser_config cfg;
    vh_nn_graph *g;
    int x, len, y, logits, loss, probs;
    int max_batch;
    float smoothing;
    /* ensembles: n_members >= 2 parameter sets of the same graph, each flat
     * (every vh_nn_param in graph order); `current` is the set in the graph
     * (-1: none yet). n_members 1: members NULL, the graph holds the model. */
    int n_members, current;
    float **members;
};

/* Puts member k's parameters into the graph (no-op for single models). */
void vh__ser_use_member(vh_ser *m, int k);
/* Adds the window-averaged class probabilities of a log-mel under the graph's
 * current parameters to acc[0..n_classes). */
int vh__ser_predict_member(vh_ser *m, const float *logmel, size_t frames, double *acc);
/* Same features, architecture and labels (normalisation not compared). */
int vh__ser_same_arch(const vh_ser_config *a, const vh_ser_config *b);

/* Rebuilds the graph for batches up to max_batch with a label smoothing (keeps parameters). */
int vh__ser_rebuild(vh_ser *m, int max_batch, float smoothing);
int vh__ser_add_params(const vh_ser *m, vh_st_writer *w, const char *prefix);
int vh__ser_write_meta(const vh_ser *m, vh_st_writer *w);
int vh__ser_config_from_st(const vh_safetensors *st, const char *path, vh_ser_config *c);
int vh__ser_read_params(vh_ser *m, const vh_safetensors *st, const char *path, const char *prefix, int exact);
void vh__ser_fill_input(const vh_ser_config *c, const float *lm, size_t start, size_t len, float *dst);
int vh__ser_seq_len(const vh_ser_config *c, size_t frames);
/* Mixup of a training batch (see vh_ser_train_params.mixup); xs, ys, ls are
 * scratch of nb*xsize, nb*K and nb floats. Deterministic for a seed. */
void vh__ser_mixup(float *x, float *y, float *len, int nb, size_t xsize, int K, float alpha, uint64_t seed, float *xs,
                   float *ys, float *ls);
#endif
