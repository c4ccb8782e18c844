/*
 * Models: a named architecture + weights + labels + input spec + provenance,
 * stored as safetensors with verhm metadata; inference on normalised batches
 * and on arbitrary images; evaluation metrics.
 */
#include "core/internal.h"
#include "verhm/image.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_FORMAT "verhm-model-1"

void vh_model_free(vh_model *m) {
    if (!m) return;
    vh_nn_graph_free(m->g);
    for (int i = 0; m->labels && i < m->num_classes; i++) free(m->labels[i]);
    free(m->labels);
    free(m->arch);
    free(m->provenance);
    free(m);
}

static int build(vh_model *m, uint64_t seed) {
    int r = vh_nn_graph_new(&m->g);
    if (r) return vh__fail(NULL, r, "out of memory");
    r = vh_arch_build(m->g, m->arch, &m->ap, m->in_c, m->in_h, m->in_w, m->num_classes, &m->input, &m->logits);
    if (r) return r;
    int k = m->num_classes;
    m->probs = vh_nn_softmax(m->g, m->logits);
    m->target = vh_nn_input(m->g, "target", 1, &k);
    m->loss = vh_nn_softmax_xent(m->g, m->logits, m->target, 0.0f);
    if (m->loss < 0) return vh__fail(NULL, m->loss, "%s: cannot build graph: %s", m->arch, vh_nn_graph_error(m->g));
    vh_nn_graph_init_params(m->g, seed);
    return VH_OK;
}

static int set_labels(vh_model *m, const char *const *labels, int classes) {
    m->labels = calloc((size_t)classes, sizeof(char *));
    if (!m->labels) return VH_ENOMEM;
    m->num_classes = classes;
    for (int i = 0; i < classes; i++)
        if (!(m->labels[i] = vh__strdup(labels[i]))) return VH_ENOMEM;
    return VH_OK;
}

int vh_model_new(const char *arch, const vh_arch_params *ap, const char *const *labels, int classes, int w, int h,
                 uint64_t seed, vh_model **out) {
    *out = NULL;
    if (classes < 2 || classes > VH_DATA_MAX_CLASSES)
        return vh__fail(NULL, VH_EINVAL, "model needs 2..%d classes, got %d", VH_DATA_MAX_CLASSES, classes);
    vh_model *m = calloc(1, sizeof *m);
    if (!m) return vh__fail(NULL, VH_ENOMEM, "out of memory");
    m->arch = vh__strdup(arch ? arch : "");
    m->ap = ap ? *ap : vh_arch_default_params(arch);
    m->in_w = w;
    m->in_h = h;
    m->in_c = 1;
    m->mean = 0.5f;
    m->std = 0.25f;
    int r = m->arch ? set_labels(m, labels, classes) : VH_ENOMEM;
    if (r) {
        vh_model_free(m);
        return vh__fail(NULL, r, "out of memory");
    }
    r = build(m, seed);
    if (r) {
        vh_model_free(m);
        return r;
    }
    *out = m;
    return VH_OK;
}

int vh_model_set_provenance(vh_model *m, const char *json) {
    char *p = json ? vh__strdup(json) : NULL;
    if (json && !p) return vh__fail(NULL, VH_ENOMEM, "out of memory");
    free(m->provenance);
    m->provenance = p;
    return VH_OK;
}

/* ---- saving ---- */

int vh_model_to_writer(const vh_model *m, vh_st_writer *w, const char *prefix) {
    vh_buf b = {0};
    vh_json_writer jw;
    int r = vh_st_writer_meta(w, "format", MODEL_FORMAT);
    if (!r) r = vh_st_writer_meta(w, "arch", m->arch);
    vh_jw_init(&jw, &b, 0);
    vh_jw_object_begin(&jw);
    vh_jw_key(&jw, "width"); vh_jw_int(&jw, m->ap.width);
    vh_jw_key(&jw, "fc"); vh_jw_int(&jw, m->ap.fc);
    vh_jw_key(&jw, "dropout"); vh_jw_number(&jw, m->ap.dropout);
    vh_jw_object_end(&jw);
    if (!r) r = b.failed ? VH_ENOMEM : vh_st_writer_meta(w, "arch_params", b.data);
    b.len = 0;
    vh_jw_init(&jw, &b, 0);
    vh_jw_array_begin(&jw);
    for (int i = 0; i < m->num_classes; i++) vh_jw_string(&jw, m->labels[i]);
    vh_jw_array_end(&jw);
    if (!r) r = b.failed ? VH_ENOMEM : vh_st_writer_meta(w, "labels", b.data);
    b.len = 0;
    vh_jw_init(&jw, &b, 0);
    vh_jw_object_begin(&jw);
    vh_jw_key(&jw, "width"); vh_jw_int(&jw, m->in_w);
    vh_jw_key(&jw, "height"); vh_jw_int(&jw, m->in_h);
    vh_jw_key(&jw, "channels"); vh_jw_int(&jw, m->in_c);
    vh_jw_key(&jw, "mean"); vh_jw_number(&jw, m->mean);
    vh_jw_key(&jw, "std"); vh_jw_number(&jw, m->std);
    vh_jw_object_end(&jw);
    if (!r) r = b.failed ? VH_ENOMEM : vh_st_writer_meta(w, "input", b.data);
    vh_buf_free(&b);
    if (!r && m->provenance) r = vh_st_writer_meta(w, "provenance", m->provenance);
    for (int i = 0; !r && i < vh_nn_param_count(m->g); i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        int64_t shape[VH_NN_MAX_DIMS];
        for (int d = 0; d < p->t->ndim; d++) shape[d] = p->t->shape[d];
        char name[256];
        snprintf(name, sizeof name, "%s%s", prefix, p->name);
        r = vh_st_writer_add_f32(w, name, p->t->data, p->t->ndim, shape);
    }
    return r ? vh__fail(NULL, r, "cannot serialise model: %s", vh_strerror(r)) : VH_OK;
}

int vh_model_save(const vh_model *m, const char *path, int overwrite) {
    vh_st_writer *w = NULL;
    int r = vh_st_writer_new(&w);
    if (!r) r = vh_model_to_writer(m, w, "");
    if (!r) r = vh_st_writer_save(w, path, overwrite);
    vh_st_writer_free(w);
    return r;
}

/* ---- loading ---- */

static int meta_json(const vh_safetensors *st, const char *key, int type, vh_json **out) {
    const char *s = vh_st_meta(st, key);
    *out = NULL;
    if (!s) return vh__fail(NULL, VH_EFORMAT, "%s: not a verhm model (metadata '%s' missing)", vh_st_name(st), key);
    if (vh_json_parse(s, strlen(s), out) || (*out)->type != type) {
        vh_json_free(*out);
        *out = NULL;
        return vh__fail(NULL, VH_EFORMAT, "%s: metadata '%s' is not a JSON %s", vh_st_name(st), key,
                        type == VH_JSON_ARRAY ? "array" : "object");
    }
    return VH_OK;
}

static int get_int(const vh_json *o, const char *key, int lo, int hi, int *out) {
    const vh_json *v = vh_json_get(o, key);
    if (!v || v->type != VH_JSON_NUMBER || v->number != floor(v->number) || v->number < lo || v->number > hi) return -1;
    *out = (int)v->number;
    return 0;
}

static int get_float(const vh_json *o, const char *key, double lo, double hi, float *out) {
    const vh_json *v = vh_json_get(o, key);
    if (!v || v->type != VH_JSON_NUMBER || !(v->number >= lo && v->number <= hi)) return -1;
    *out = (float)v->number;
    return 0;
}

static int starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

int vh_model_from_st(const vh_safetensors *st, const char *prefix, vh_model **out) {
    *out = NULL;
    const char *nm = vh_st_name(st);
    const char *fmt = vh_st_meta(st, "format"), *arch = vh_st_meta(st, "arch");
    if (!fmt || strcmp(fmt, MODEL_FORMAT) != 0)
        return vh__fail(NULL, VH_EFORMAT, "%s: not a verhm model (metadata format is %s%s%s, want %s)", nm,
                        fmt ? "'" : "", fmt ? fmt : "missing", fmt ? "'" : "", MODEL_FORMAT);
    if (!arch) return vh__fail(NULL, VH_EFORMAT, "%s: metadata 'arch' missing", nm);
    vh_json *ap = NULL, *labels = NULL, *input = NULL;
    vh_model *m = calloc(1, sizeof *m);
    int r = m ? VH_OK : vh__fail(NULL, VH_ENOMEM, "out of memory");
    if (!r) r = meta_json(st, "arch_params", VH_JSON_OBJECT, &ap);
    if (!r) r = meta_json(st, "labels", VH_JSON_ARRAY, &labels);
    if (!r) r = meta_json(st, "input", VH_JSON_OBJECT, &input);
    if (r) goto done;
    m->arch = vh__strdup(arch);
    if (get_int(ap, "width", 4, 256, &m->ap.width) || get_int(ap, "fc", 16, 4096, &m->ap.fc) ||
        get_float(ap, "dropout", 0, 0.9, &m->ap.dropout)) {
        r = vh__fail(NULL, VH_EFORMAT, "%s: metadata 'arch_params' has missing or out-of-range values", nm);
        goto done;
    }
    if (get_int(input, "width", 1, 512, &m->in_w) || get_int(input, "height", 1, 512, &m->in_h) ||
        get_int(input, "channels", 1, 1, &m->in_c) || get_float(input, "mean", -10, 10, &m->mean) ||
        get_float(input, "std", 1e-6, 1e6, &m->std)) {
        r = vh__fail(NULL, VH_EFORMAT, "%s: metadata 'input' has missing or out-of-range values (gray only)", nm);
        goto done;
    }
    if (labels->count < 2 || labels->count > VH_DATA_MAX_CLASSES) {
        r = vh__fail(NULL, VH_EFORMAT, "%s: %zu labels (need 2..%d)", nm, labels->count, VH_DATA_MAX_CLASSES);
        goto done;
    }
    m->labels = calloc(labels->count, sizeof(char *));
    if (!m->arch || !m->labels) { r = vh__fail(NULL, VH_ENOMEM, "out of memory"); goto done; }
    m->num_classes = (int)labels->count;
    for (size_t i = 0; i < labels->count; i++) {
        if (labels->items[i].type != VH_JSON_STRING || !labels->items[i].len) {
            r = vh__fail(NULL, VH_EFORMAT, "%s: label %zu is not a non-empty string", nm, i);
            goto done;
        }
        if (!(m->labels[i] = vh__strdup(labels->items[i].string))) { r = vh__fail(NULL, VH_ENOMEM, "out of memory"); goto done; }
    }
    const char *prov = vh_st_meta(st, "provenance");
    if (prov && !(m->provenance = vh__strdup(prov))) { r = vh__fail(NULL, VH_ENOMEM, "out of memory"); goto done; }
    r = build(m, 0);
    if (r) {
        char msg[VH_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", vh_last_error());
        r = vh__fail(NULL, r, "%s: %s", nm, msg);
        goto done;
    }
    size_t matched = 0;
    for (int i = 0; !r && i < vh_nn_param_count(m->g); i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        char name[256];
        snprintf(name, sizeof name, "%s%s", prefix, p->name);
        const vh_st_tensor *t = vh_st_find(st, name);
        if (!t) { r = vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' missing (architecture %s)", nm, name, m->arch); break; }
        int same = t->ndim == p->t->ndim;
        for (int d = 0; same && d < t->ndim; d++) same = t->shape[d] == p->t->shape[d];
        if (!same) {
            char want[64] = "", have[64] = "";
            for (int d = 0; d < p->t->ndim; d++)
                snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", d ? "," : "", p->t->shape[d]);
            for (int d = 0; d < t->ndim && d < 6; d++)
                snprintf(have + strlen(have), sizeof have - strlen(have), "%s%lld", d ? "," : "", (long long)t->shape[d]);
            r = vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' has shape [%s], architecture %s expects [%s]", nm, name,
                         have, m->arch, want);
            break;
        }
        r = vh_st_read_f32(st, t, p->t->data, p->t->size);
        if (!r) {
            for (size_t k = 0; k < p->t->size && !r; k++)
                if (!isfinite(p->t->data[k])) r = vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' holds NaN/inf", nm, name);
        }
        matched++;
    }
    if (!r) {
        size_t with_prefix = 0;
        const char *extra = NULL;
        for (size_t i = 0; i < vh_st_count(st); i++) {
            const vh_st_tensor *t = vh_st_get(st, i);
            if (!starts_with(t->name, prefix)) continue;
            with_prefix++;
            if (!vh_nn_param_find(m->g, t->name + strlen(prefix))) extra = t->name;
        }
        if (extra || with_prefix != matched)
            r = vh__fail(NULL, VH_EFORMAT, "%s: unexpected tensor '%s' for architecture %s", nm, extra ? extra : "?",
                         m->arch);
    }
done:
    vh_json_free(ap);
    vh_json_free(labels);
    vh_json_free(input);
    if (r) vh_model_free(m);
    else *out = m;
    return r;
}

int vh_model_load(const char *path, vh_model **out) {
    *out = NULL;
    vh_safetensors *st = NULL;
    int r = vh_st_open(path, &st);
    if (r) return r;
    r = vh_model_from_st(st, "", out);
    vh_st_free(st);
    return r;
}

int vh_model_copy_params(vh_model *dst, const vh_model *src, int *copied) {
    int n = 0;
    for (int i = 0; i < vh_nn_param_count(dst->g); i++) {
        const vh_nn_param *p = vh_nn_param_get(dst->g, i);
        const vh_nn_param *q = vh_nn_param_find(src->g, p->name);
        if (!q || q->t->ndim != p->t->ndim || q->t->size != p->t->size) continue;
        int same = 1;
        for (int d = 0; d < p->t->ndim; d++) same &= p->t->shape[d] == q->t->shape[d];
        if (!same) continue;
        memcpy(p->t->data, q->t->data, p->t->size * sizeof(float));
        n++;
    }
    if (copied) *copied = n;
    return VH_OK;
}

/* ---- inference ---- */

int vh_model_prepare(vh_model *m, int batch) {
    if (batch < 1) batch = 1;
    if (m->compiled_batch >= batch) return VH_OK;
    int r = vh_nn_graph_compile(m->g, batch);
    if (r) return vh__fail(NULL, r, "%s: cannot compile graph for batch %d: %s", m->arch, batch, vh_nn_graph_error(m->g));
    m->compiled_batch = batch;
    return VH_OK;
}

int vh_model_predict(vh_model *m, const float *x, int n, float *probs) {
    int r = vh_model_prepare(m, n < 64 ? n : 64);
    if (r) return r;
    vh_nn_set_training(m->g, 0);
    size_t per = (size_t)m->in_c * (size_t)m->in_h * (size_t)m->in_w, k = (size_t)m->num_classes;
    for (int off = 0; off < n; off += m->compiled_batch) {
        int b = n - off < m->compiled_batch ? n - off : m->compiled_batch;
        vh_nn_set_batch(m->g, b);
        r = vh_nn_set_input(m->g, m->input, x + (size_t)off * per, (size_t)b * per);
        if (!r) r = vh_nn_forward(m->g, m->probs);
        if (r) return vh__fail(NULL, r, "%s: inference failed: %s", m->arch, vh_nn_graph_error(m->g));
        memcpy(probs + (size_t)off * k, vh_nn_value(m->g, m->probs)->data, (size_t)b * k * sizeof(float));
    }
    return VH_OK;
}

int vh_model_classify_image(vh_model *m, const vh_image *img, float *probs) {
    vh_image gray = {0}, sized = {0};
    int r = vh_image_to_gray(img, &gray);
    if (!r && (gray.w != m->in_w || gray.h != m->in_h))
        r = vh_image_resize(&gray, m->in_w, m->in_h, VH_INTERP_AREA, &sized);
    else if (!r) {
        sized = gray;
        gray.owns = 0;
    }
    if (r) {
        vh_image_free(&gray);
        return r;
    }
    size_t px = (size_t)m->in_w * (size_t)m->in_h;
    float *x = malloc(px * sizeof(float));
    if (!x) r = vh__fail(NULL, VH_ENOMEM, "out of memory");
    for (int y = 0; !r && y < m->in_h; y++)
        for (int xx = 0; xx < m->in_w; xx++)
            x[(size_t)y * (size_t)m->in_w + (size_t)xx] = ((float)vh_image_at(&sized, xx, y)[0] / 255.0f - m->mean) / m->std;
    if (!r) r = vh_model_predict(m, x, 1, probs);
    free(x);
    vh_image_free(&gray);
    vh_image_free(&sized);
    return r;
}

/* ---- evaluation ---- */

void vh_eval_result_free(vh_eval_result *r) {
    if (!r) return;
    free(r->confusion);
    free(r->precision);
    free(r->recall);
    free(r->f1);
    free(r->support);
    memset(r, 0, sizeof *r);
}

int vh_model_evaluate(vh_model *m, const vh_dataset *d, int batch, vh_eval_result *out) {
    memset(out, 0, sizeof *out);
    int k = m->num_classes;
    if (d->num_classes != k)
        return vh__fail(NULL, VH_EINVAL, "%s: dataset has %d classes, model has %d", d->source ? d->source : "dataset",
                        d->num_classes, k);
    if (d->w != m->in_w || d->h != m->in_h)
        return vh__fail(NULL, VH_EINVAL, "%s: images are %dx%d, model expects %dx%d", d->source ? d->source : "dataset",
                        d->w, d->h, m->in_w, m->in_h);
    if (d->n < 1) return vh__fail(NULL, VH_EEMPTY, "%s: no examples", d->source ? d->source : "dataset");
    if (batch < 1) batch = 64;
    size_t kk = (size_t)k;
    out->num_classes = k;
    out->n = d->n;
    out->confusion = calloc(kk * kk, sizeof(int));
    out->precision = calloc(kk, sizeof(double));
    out->recall = calloc(kk, sizeof(double));
    out->f1 = calloc(kk, sizeof(double));
    out->support = calloc(kk, sizeof(int));
    size_t px = (size_t)d->w * (size_t)d->h;
    float *x = malloc((size_t)batch * px * sizeof(float)), *y = malloc((size_t)batch * kk * sizeof(float)),
          *p = malloc((size_t)batch * kk * sizeof(float));
    int *idx = malloc((size_t)batch * sizeof(int));
    int r = VH_OK;
    if (!out->confusion || !out->precision || !out->recall || !out->f1 || !out->support || !x || !y || !p || !idx)
        r = vh__fail(NULL, VH_ENOMEM, "out of memory");
    double loss = 0;
    long correct = 0;
    for (int off = 0; !r && off < d->n; off += batch) {
        int b = d->n - off < batch ? d->n - off : batch;
        for (int i = 0; i < b; i++) idx[i] = off + i;
        vh_dataset_batch(d, idx, b, m->mean, m->std, NULL, 0, 0, x, y);
        r = vh_model_predict(m, x, b, p);
        for (int i = 0; !r && i < b; i++) {
            const float *pi = p + (size_t)i * kk, *yi = y + (size_t)i * kk;
            int best = 0;
            for (int c = 1; c < k; c++)
                if (pi[c] > pi[best]) best = c;
            int t = d->label[off + i];
            out->confusion[(size_t)t * kk + (size_t)best]++;
            correct += best == t;
            for (int c = 0; c < k; c++)
                if (yi[c] > 0) loss -= yi[c] * log(pi[c] > 1e-30f ? pi[c] : 1e-30f);
        }
    }
    free(x); free(y); free(p); free(idx);
    if (r) {
        vh_eval_result_free(out);
        return r;
    }
    out->accuracy = (double)correct / d->n;
    out->loss = loss / d->n;
    for (int c = 0; c < k; c++) {
        long tp = out->confusion[(size_t)c * kk + (size_t)c], col = 0, row = 0;
        for (int j = 0; j < k; j++) {
            row += out->confusion[(size_t)c * kk + (size_t)j];
            col += out->confusion[(size_t)j * kk + (size_t)c];
        }
        out->support[c] = (int)row;
        out->precision[c] = col ? (double)tp / col : 0;
        out->recall[c] = row ? (double)tp / row : 0;
        double s = out->precision[c] + out->recall[c];
        out->f1[c] = s > 0 ? 2 * out->precision[c] * out->recall[c] / s : 0;
    }
    return VH_OK;
}
