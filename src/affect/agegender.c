/* Age and gender: UTKFace loading into aligned crops, the joint gender × age
 * bin label space, decoding and evaluation. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/affect.h"
#include "verhm/nn_model.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char g_label_buf[VH_AGEGENDER_CLASSES][16];
static int g_labels_init;

void vh_agegender_labels(const char *labels[VH_AGEGENDER_CLASSES]) {
    if (!g_labels_init) {
        for (int g = 0; g < 2; g++)
            for (int k = 0; k < VH_AGE_BINS; k++)
                snprintf(g_label_buf[g * VH_AGE_BINS + k], sizeof g_label_buf[0], "%s:%d", g ? "female" : "male", 5 * k);
        g_labels_init = 1;
    }
    for (int i = 0; i < VH_AGEGENDER_CLASSES; i++) labels[i] = g_label_buf[i];
}

int vh_agegender_check(const vh_model *m) {
    const char *lab[VH_AGEGENDER_CLASSES];
    vh_agegender_labels(lab);
    if (m->num_classes != VH_AGEGENDER_CLASSES)
        return vh__fail(NULL, VH_EFORMAT, "not an age-gender model (%d classes, want %d)", m->num_classes, VH_AGEGENDER_CLASSES);
    for (int i = 0; i < VH_AGEGENDER_CLASSES; i++)
        if (strcmp(m->labels[i], lab[i]) != 0)
            return vh__fail(NULL, VH_EFORMAT, "not an age-gender model (label %d is '%s', want '%s')", i, m->labels[i], lab[i]);
    return VH_OK;
}

void vh_agegender_decode(const float probs[VH_AGEGENDER_CLASSES], float *age, float *p_female) {
    double pf = 0, ea = 0, z = 0;
    for (int g = 0; g < 2; g++)
        for (int k = 0; k < VH_AGE_BINS; k++) {
            double p = probs[g * VH_AGE_BINS + k];
            z += p;
            ea += p * 5.0 * k;
            if (g) pf += p;
        }
    *age = (float)(z > 0 ? ea / z : 0);
    *p_female = (float)(z > 0 ? pf / z : 0.5);
}

int vh_utkface_parse_name(const char *name, int *age, int *gender) {
    const char *base = vh_path_base(name);
    char *end;
    long a = strtol(base, &end, 10);
    if (end == base || *end != '_' || a < 0 || a > 120) return vh__fail(NULL, VH_EFORMAT, "%s: name does not start with AGE_", name);
    const char *g = end + 1;
    if ((g[0] != '0' && g[0] != '1') || g[1] != '_') return vh__fail(NULL, VH_EFORMAT, "%s: gender field is not 0 or 1", name);
    *age = (int)a;
    *gender = g[0] - '0';
    return VH_OK;
}

/* FNV-1a of the file name: a split that is stable across runs and machines. */
static uint32_t name_hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Gaussian over the age bins (σ = 3 years) times the gender one-hot. */
static void soft_target(int age, int gender, float *t) {
    double z = 0;
    float tmp[VH_AGE_BINS];
    for (int k = 0; k < VH_AGE_BINS; k++) {
        double d = (age > 100 ? 100 : age) - 5.0 * k;
        tmp[k] = (float)exp(-d * d / (2 * 9.0));
        z += tmp[k];
    }
    memset(t, 0, sizeof(float) * VH_AGEGENDER_CLASSES);
    for (int k = 0; k < VH_AGE_BINS; k++) t[gender * VH_AGE_BINS + k] = (float)(tmp[k] / z);
}

typedef struct ex { char *path; int age, gender, val; } ex;

typedef struct crop_ctx {
    ex *items;
    int n, size;
    const vh_cascade *cas;
    const vh_shape_predictor *sp;
    uint8_t *pixels; /* n * size * size */
    int *ok;
    vh_face_template tpl;
} crop_ctx;

static void crop_range(void *vctx, size_t b, size_t e, int tid) {
    (void)tid;
    crop_ctx *c = vctx;
    for (size_t i = b; i < e; i++) {
        vh_image img = {0}, gray = {0}, crop = {0};
        c->ok[i] = 0;
        if (vh_image_load(c->items[i].path, 3, &img) != VH_OK || vh_image_to_gray(&img, &gray) != VH_OK) {
            vh_image_free(&img);
            continue;
        }
        vh_detect_params dp = vh_detect_default_params();
        dp.min_w = dp.min_h = img.w / 4;
        vh_box *boxes = NULL;
        size_t nb = 0;
        double l, t, w, h;
        if (vh_cascade_detect(c->cas, &gray, &dp, &boxes, &nb) == VH_OK && nb > 0) {
            size_t best = 0;
            for (size_t k = 1; k < nb; k++)
                if (boxes[k].w > boxes[best].w) best = k;
            vh_haar_to_dlib_box(&boxes[best], &l, &t, &w, &h);
        } else {
            /* UTKFace crops are centred faces: the dlib box is about the middle 55%. */
            w = h = 0.55 * img.w;
            l = (img.w - w) / 2;
            t = (img.h - h) / 2 + 0.05 * img.h;
        }
        vh_free(boxes);
        vh_point2f lm[68];
        if (vh_shape_predict(c->sp, &img, l, t, w, h, 0, lm) == VH_OK &&
            vh_face_align_crop_tpl(&gray, lm, c->size, &c->tpl, &crop) == VH_OK) {
            for (int y = 0; y < c->size; y++)
                memcpy(c->pixels + (i * (size_t)c->size + (size_t)y) * (size_t)c->size, vh_image_at(&crop, 0, y), (size_t)c->size);
            c->ok[i] = 1;
        }
        vh_image_free(&crop);
        vh_image_free(&gray);
        vh_image_free(&img);
    }
}

static int fill_dataset(vh_dataset *d, const crop_ctx *c, int want_val, float **ages_out, const char *dir) {
    memset(d, 0, sizeof *d);
    int n = 0;
    for (int i = 0; i < c->n; i++) n += c->ok[i] && c->items[i].val == want_val;
    const char *lab[VH_AGEGENDER_CLASSES];
    vh_agegender_labels(lab);
    size_t px = (size_t)c->size * (size_t)c->size;
    d->n = n;
    d->w = d->h = c->size;
    d->num_classes = VH_AGEGENDER_CLASSES;
    d->pixels = malloc((n ? (size_t)n : 1) * px);
    d->label = malloc((n ? (size_t)n : 1) * sizeof(int));
    d->soft = malloc((n ? (size_t)n : 1) * VH_AGEGENDER_CLASSES * sizeof(float));
    d->labels = calloc(VH_AGEGENDER_CLASSES, sizeof(char *));
    d->source = malloc(strlen(dir) + 16);
    float *ages = malloc((n ? (size_t)n : 1) * sizeof(float));
    if (!d->pixels || !d->label || !d->soft || !d->labels || !d->source || !ages) {
        free(ages);
        vh_dataset_free(d);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir);
    }
    sprintf(d->source, "utkface:%s", dir);
    for (int k = 0; k < VH_AGEGENDER_CLASSES; k++) {
        d->labels[k] = vh__strdup(lab[k]);
        if (!d->labels[k]) { free(ages); vh_dataset_free(d); return vh__fail(NULL, VH_ENOMEM, "out of memory"); }
    }
    int j = 0;
    for (int i = 0; i < c->n; i++) {
        if (!c->ok[i] || c->items[i].val != want_val) continue;
        memcpy(d->pixels + (size_t)j * px, c->pixels + (size_t)i * px, px);
        int bin = (int)lround((c->items[i].age > 100 ? 100 : c->items[i].age) / 5.0);
        d->label[j] = c->items[i].gender * VH_AGE_BINS + bin;
        soft_target(c->items[i].age, c->items[i].gender, d->soft + (size_t)j * VH_AGEGENDER_CLASSES);
        ages[j] = (float)c->items[i].age;
        j++;
    }
    if (ages_out) *ages_out = ages;
    else free(ages);
    return VH_OK;
}

int vh_utkface_load(const char *dir, int size, const vh_cascade *cas, const vh_shape_predictor *sp,
                    double val_frac, vh_dataset *train, vh_dataset *val, float **train_ages,
                    float **val_ages) {
    memset(train, 0, sizeof *train);
    if (val) memset(val, 0, sizeof *val);
    if (size < 16 || size > 512) return vh__fail(NULL, VH_EINVAL, "age-gender crop size %d out of range 16..512", size);
    static const char *const exts[] = {"jpg", "jpeg", "png", NULL};
    char **files;
    size_t nf;
    int st = vh_list_files(dir, 1, exts, &files, &nf);
    if (st) return st;
    ex *items = calloc(nf ? nf : 1, sizeof *items);
    if (!items) { vh_strlist_free(files, nf); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); }
    int n = 0;
    size_t skipped = 0;
    for (size_t i = 0; i < nf; i++) {
        int age, gender;
        if (vh_utkface_parse_name(files[i], &age, &gender) != VH_OK) {
            vh_log(VH_LOG_WARN, "%s", vh_last_error());
            skipped++;
            continue;
        }
        items[n].path = files[i];
        items[n].age = age;
        items[n].gender = gender;
        items[n].val = val_frac > 0 && (name_hash(vh_path_base(files[i])) % 10000) < val_frac * 10000;
        n++;
    }
    if (n == 0) {
        free(items);
        vh_strlist_free(files, nf);
        return vh__fail(NULL, VH_EEMPTY, "%s: no UTKFace images (AGE_GENDER_RACE_DATE.jpg)", dir);
    }
    crop_ctx c = {items, n, size, cas, sp, malloc((size_t)n * (size_t)size * (size_t)size), calloc((size_t)n, sizeof(int)),
                  vh_face_template_agegender()};
    if (!c.pixels || !c.ok) {
        st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir);
    } else {
        vh_parallel_for((size_t)n, 8, crop_range, &c);
        for (int i = 0; i < n; i++)
            if (!c.ok[i]) { vh_log(VH_LOG_WARN, "%s: unreadable image skipped", items[i].path); skipped++; }
        st = fill_dataset(train, &c, 0, train_ages, dir);
        if (!st && val) st = fill_dataset(val, &c, 1, val_ages, dir);
        if (!st) train->skipped = skipped;
        if (st) { vh_dataset_free(train); if (train_ages) { free(*train_ages); *train_ages = NULL; } }
    }
    free(c.pixels);
    free(c.ok);
    free(items);
    vh_strlist_free(files, nf);
    if (!st && train->n == 0) {
        vh_dataset_free(train);
        if (val) vh_dataset_free(val);
        return vh__fail(NULL, VH_EEMPTY, "%s: no usable face in any image", dir);
    }
    return st;
}

int vh_agegender_evaluate(vh_model *m, const vh_dataset *d, const float *ages, vh_agegender_eval *out) {
    memset(out, 0, sizeof *out);
    int st = vh_agegender_check(m);
    if (st) return st;
    if (d->n == 0) return vh__fail(NULL, VH_EEMPTY, "age-gender evaluation: no examples");
    if (d->w != m->in_w || d->h != m->in_h)
        return vh__fail(NULL, VH_EINVAL, "age-gender evaluation: images are %d×%d, the model takes %d×%d", d->w, d->h, m->in_w, m->in_h);
    const int B = 64;
    st = vh_model_prepare(m, B);
    if (st) return st;
    float *x = malloc((size_t)B * d->w * d->h * sizeof(float));
    float *p = malloc((size_t)B * VH_AGEGENDER_CLASSES * sizeof(float));
    int *idx = malloc((size_t)B * sizeof(int));
    if (!x || !p || !idx) { free(x); free(p); free(idx); return vh__fail(NULL, VH_ENOMEM, "out of memory"); }
    double abs_err = 0;
    int gender_ok = 0, group_ok = 0;
    for (int i0 = 0; i0 < d->n && !st; i0 += B) {
        int cnt = VH_MIN(B, d->n - i0);
        for (int k = 0; k < cnt; k++) idx[k] = i0 + k;
        vh_dataset_batch(d, idx, cnt, m->mean, m->std, NULL, 0, 0, x, NULL);
        st = vh_model_predict(m, x, cnt, p);
        for (int k = 0; k < cnt && !st; k++) {
            float age, pf;
            vh_agegender_decode(p + (size_t)k * VH_AGEGENDER_CLASSES, &age, &pf);
            float truth = ages[i0 + k];
            abs_err += fabs(age - truth);
            gender_ok += (pf > 0.5f) == (d->label[i0 + k] >= VH_AGE_BINS);
            group_ok += strcmp(vh_age_group(age), vh_age_group(truth)) == 0;
        }
    }
    free(x); free(p); free(idx);
    if (st) return st;
    out->n = d->n;
    out->age_mae = abs_err / d->n;
    out->gender_accuracy = (double)gender_ok / d->n;
    out->group_accuracy = (double)group_ok / d->n;
    return VH_OK;
}
