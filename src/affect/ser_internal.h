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
};

/* Rebuilds the graph for batches up to max_batch with a label smoothing (keeps parameters). */
int vh__ser_rebuild(vh_ser *m, int max_batch, float smoothing);
int vh__ser_add_params(const vh_ser *m, vh_st_writer *w, const char *prefix);
int vh__ser_write_meta(const vh_ser *m, vh_st_writer *w);
int vh__ser_config_from_st(const vh_safetensors *st, const char *path, vh_ser_config *c);
int vh__ser_read_params(vh_ser *m, const vh_safetensors *st, const char *path, const char *prefix, int exact);
void vh__ser_fill_input(const vh_ser_config *c, const float *lm, size_t start, size_t len, float *dst);
int vh__ser_seq_len(const vh_ser_config *c, size_t frames);
#endif
