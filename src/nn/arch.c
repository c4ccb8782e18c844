/*
 * Named architectures for small gray face crops, built with the engine's
 * graph API (see nn_model.h for the list and parameter names).
 */
#include "core/internal.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <stdio.h>
#include <string.h>

static const char *const names[] = {"fer-fast", "fer-acc", "tiny", NULL};

const char *const *vh_arch_names(void) { return names; }

vh_arch_params vh_arch_default_params(const char *arch) {
    vh_arch_params p = {32, 256, 0.3f};
    if (arch && strcmp(arch, "fer-acc") == 0) p.dropout = 0.4f;
    if (arch && strcmp(arch, "tiny") == 0) { p.width = 8; p.dropout = 0; }
    return p;
}

/* conv3×3 (no bias) + BN + ReLU named s<stage>.conv<i> / s<stage>.bn<i>. */
static int conv_bn_relu(vh_nn_graph *g, int x, int stage, int i, int ch) {
    char cn[32], bn[32];
    snprintf(cn, sizeof cn, "s%d.conv%d", stage, i);
    snprintf(bn, sizeof bn, "s%d.bn%d", stage, i);
    x = vh_nn_conv2d(g, cn, x, ch, 3, 1, 1, 1, 1, 0);
    x = vh_nn_batchnorm(g, bn, x, 1e-5f, 0.1f);
    return vh_nn_relu(g, x);
}

int vh_arch_build(vh_nn_graph *g, const char *arch, const vh_arch_params *p, int channels, int h, int w,
                  int classes, int *input, int *logits) {
    int kind = -1;
    for (int i = 0; names[i]; i++)
        if (arch && strcmp(arch, names[i]) == 0) kind = i;
    if (kind < 0) return vh__fail(NULL, VH_ENOTFOUND, "unknown architecture '%s' (known: fer-fast, fer-acc, tiny)",
                                  arch ? arch : "(null)");
    if (p->width < 4 || p->width > 256 || p->fc < 16 || p->fc > 4096 || !(p->dropout >= 0 && p->dropout <= 0.9f))
        return vh__fail(NULL, VH_EINVAL, "%s: parameters out of range (width %d, fc %d, dropout %g)", arch, p->width,
                        p->fc, (double)p->dropout);
    if (classes < 2 || classes > VH_DATA_MAX_CLASSES || channels < 1 || channels > 4)
        return vh__fail(NULL, VH_EINVAL, "%s: %d classes / %d channels out of range", arch, classes, channels);
    if (h > 512 || w > 512 || h < (kind == 2 ? 3 : 16) || w < (kind == 2 ? 3 : 16))
        return vh__fail(NULL, VH_EINVAL, "%s: input %dx%d out of range (%s..512)", arch, w, h, kind == 2 ? "3" : "16");
    if (kind == 1) { /* fer-acc's fc weight grows with the input: cap it (untrusted model files) */
        double feat = 8.0 * p->width * (double)(h / 16) * (double)(w / 16);
        if (feat * p->fc > 64.0 * 1024 * 1024)
            return vh__fail(NULL, VH_ERANGE, "%s: fc layer of %.0f x %d weights is too large (input %dx%d)", arch, feat,
                            p->fc, w, h);
    }
    int dims[3] = {channels, h, w};
    int x = vh_nn_input(g, "input", 3, dims);
    *input = x;
    int c = p->width;
    if (kind == 2) { /* tiny */
        x = conv_bn_relu(g, x, 1, 1, c);
        x = vh_nn_global_avgpool(g, x);
    } else {
        for (int s = 1; s <= 4; s++) {
            x = conv_bn_relu(g, x, s, 1, c << (s - 1));
            if (kind == 1) x = conv_bn_relu(g, x, s, 2, c << (s - 1));
            x = vh_nn_maxpool(g, x, 2, 2, 0);
        }
        if (kind == 0) {
            x = vh_nn_global_avgpool(g, x);
        } else {
            x = vh_nn_flatten(g, x);
            if (p->dropout > 0) x = vh_nn_dropout(g, x, p->dropout * 0.5f);
            x = vh_nn_dense(g, "fc", x, p->fc, 0);
            x = vh_nn_batchnorm(g, "fcbn", x, 1e-5f, 0.1f);
            x = vh_nn_relu(g, x);
        }
    }
    if (p->dropout > 0) x = vh_nn_dropout(g, x, p->dropout);
    x = vh_nn_dense(g, "head", x, classes, 1);
    *logits = x;
    if (x < 0) return vh__fail(NULL, x, "%s: cannot build graph: %s", arch, vh_nn_graph_error(g));
    return VH_OK;
}
