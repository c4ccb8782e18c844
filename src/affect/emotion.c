/* Emotion labels, circumplex valence/arousal, the HMM temporal filter, age
 * groups, and the Haar → dlib box map. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/affect.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const vh_fer_labels[VH_FER_COUNT] = {"neutral", "happiness", "surprise", "sadness",
                                                 "anger", "disgust", "fear", "contempt"};

int vh_fer_index(const char *label) {
    for (int i = 0; i < VH_FER_COUNT; i++)
        if (strcasecmp(label, vh_fer_labels[i]) == 0) return i;
    return VH_ENOTFOUND;
}

static const struct { const char *name; float v, a; } k_circumplex[] = {
    {"neutral", 0.0f, 0.0f}, {"happiness", 0.8f, 0.5f}, {"happy", 0.8f, 0.5f},
    {"surprise", 0.4f, 0.8f}, {"surprised", 0.4f, 0.8f}, {"sadness", -0.7f, -0.4f},
    {"sad", -0.7f, -0.4f}, {"anger", -0.6f, 0.7f}, {"angry", -0.6f, 0.7f},
    {"disgust", -0.7f, 0.3f}, {"fear", -0.6f, 0.6f}, {"fearful", -0.6f, 0.6f},
    {"contempt", -0.5f, 0.1f}, {"calm", 0.4f, -0.6f},
    /* EmoPOI labels of the original prototype. */
    {"worried", -0.5f, 0.4f}, {"excited", 0.7f, 0.8f}, {"exhausted", -0.4f, -0.8f},
    {"frustrated", -0.6f, 0.5f}, {"bored", -0.3f, -0.6f},
};

int vh_emotion_circumplex(const char *label, float *valence, float *arousal) {
    for (size_t i = 0; i < VH_COUNTOF(k_circumplex); i++)
        if (strcasecmp(label, k_circumplex[i].name) == 0) {
            *valence = k_circumplex[i].v;
            *arousal = k_circumplex[i].a;
            return VH_OK;
        }
    return vh__fail(NULL, VH_ENOTFOUND, "unknown emotion label '%s'", label);
}

void vh_emotion_va(const float *probs, const char *const *labels, int n, float *valence, float *arousal) {
    double v = 0, a = 0, w = 0;
    for (int i = 0; i < n; i++) {
        float lv, la;
        if (vh_emotion_circumplex(labels[i], &lv, &la) != VH_OK) continue;
        v += probs[i] * lv;
        a += probs[i] * la;
        w += probs[i];
    }
    *valence = w > 0 ? (float)(v / w) : 0.0f;
    *arousal = w > 0 ? (float)(a / w) : 0.0f;
}

void vh_emotion_filter_init(vh_emotion_filter *f, int n, float persistence_s, float evidence) {
    f->n = VH_CLAMP(n, 1, 16);
    f->persistence_s = persistence_s > 0 ? persistence_s : 1.0f;
    f->evidence = evidence > 0 && evidence <= 1 ? evidence : 1.0f;
    for (int i = 0; i < f->n; i++) f->post[i] = 1.0f / (float)f->n;
    f->started = 0;
    f->last_t = 0;
}

void vh_emotion_filter_update(vh_emotion_filter *f, double t, const float *probs, float *out) {
    const int n = f->n;
    double dt = f->started ? t - f->last_t : 1e9;
    if (dt < 0) dt = 0;
    double stay = exp(-dt / f->persistence_s);
    double prior[16], post[16], z = 0;
    for (int i = 0; i < n; i++) prior[i] = stay * f->post[i] + (1 - stay) / n;
    for (int i = 0; i < n; i++) {
        double like = pow(fmax((double)probs[i], 1e-6), f->evidence);
        post[i] = prior[i] * like;
        z += post[i];
    }
    for (int i = 0; i < n; i++) {
        f->post[i] = (float)(z > 0 ? post[i] / z : 1.0 / n);
        out[i] = f->post[i];
    }
    f->last_t = t;
    f->started = 1;
}

const char *vh_age_group(float age) {
    return age < 13 ? "Child" : age < 20 ? "Teen" : age < 60 ? "Adult" : "Senior";
}

const char *vh_age_group_legacy(float age) {
    return age < 13 ? "Child" : age < 60 ? "Adult" : "Old";
}

void vh_haar_to_dlib_box(const vh_box *b, double *left, double *top, double *width, double *height) {
    double side = 0.8712 * b->w;
    double cx = b->x + b->w / 2.0 - 0.0008 * b->w, cy = b->y + b->h / 2.0 + 0.0705 * b->h;
    *left = cx - side / 2;
    *top = cy - side / 2;
    *width = *height = side;
}

vh_face_template vh_face_template_agegender(void) {
    vh_face_template t = vh_face_template_fer();
    float *v[6] = {&t.left_eye_x, &t.left_eye_y, &t.right_eye_x, &t.right_eye_y, &t.mouth_x, &t.mouth_y};
    for (int i = 0; i < 6; i++) *v[i] = 0.5f + 0.8f * (*v[i] - 0.5f);
    return t;
}

int vh_face_align_crop(const vh_image *img, const vh_point2f lm[68], int size, vh_image *out) {
    vh_face_template tpl = vh_face_template_fer();
    return vh_face_align_crop_tpl(img, lm, size, &tpl, out);
}

int vh_face_align_crop_tpl(const vh_image *img, const vh_point2f lm[68], int size, const vh_face_template *tpl,
                           vh_image *out) {
    double m[6];
    int st = vh_face_align_matrix(lm, size, tpl, m);
    if (st) return st;
    vh_image gray = {0};
    const vh_image *src = img;
    if (img->c != 1) {
        st = vh_image_to_gray(img, &gray);
        if (st) return st;
        src = &gray;
    }
    st = vh_image_warp_affine(src, m, size, size, 0, out);
    vh_image_free(&gray);
    return st;
}

int vh_label_map_load(const char *path, vh_label_map *out) {
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    int st = vh_file_read_all(path, 1 << 20, &text, &len);
    if (st) return st;
    int seen[VH_FER_COUNT] = {0}, header = 0, lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[l - 1] = 0;
        if (!line[0] || line[0] == '#') continue;
        char *fs = NULL, *f = strtok_r(line, "\t", &fs);
        if (!header) {
            if (!f || strcmp(f, "fer") != 0) { st = vh__fail(NULL, VH_EFORMAT, "%s:%d: header must start with 'fer'", path, lineno); break; }
            for (char *c = strtok_r(NULL, "\t", &fs); c; c = strtok_r(NULL, "\t", &fs)) {
                if (out->n == VH_LABELMAP_MAX || strlen(c) >= sizeof out->names[0]) { st = vh__fail(NULL, VH_EFORMAT, "%s:%d: too many or too long labels", path, lineno); break; }
                strcpy(out->names[out->n++], c);
            }
            if (!st && out->n == 0) st = vh__fail(NULL, VH_EFORMAT, "%s:%d: no target labels", path, lineno);
            if (st) break;
            header = 1;
            continue;
        }
        int k = f ? vh_fer_index(f) : -1;
        if (k < 0) { st = vh__fail(NULL, VH_EFORMAT, "%s:%d: '%s' is not a FER+ label", path, lineno, f ? f : ""); break; }
        double sum = 0;
        int j = 0;
        for (char *c = strtok_r(NULL, "\t", &fs); c; c = strtok_r(NULL, "\t", &fs), j++) {
            char *end;
            double v = strtod(c, &end);
            if (j >= out->n || end == c || *end || !(v >= 0 && v <= 1)) { j = -1; break; }
            out->w[k][j] = (float)v;
            sum += v;
        }
        if (j != out->n || fabs(sum - 1) > 0.01) { st = vh__fail(NULL, VH_EFORMAT, "%s:%d: need %d weights in [0,1] summing to 1", path, lineno, out->n); break; }
        seen[k] = 1;
    }
    for (int k = 0; !st && k < VH_FER_COUNT; k++)
        if (!seen[k]) st = vh__fail(NULL, VH_EFORMAT, "%s: no row for '%s'", path, vh_fer_labels[k]);
    if (!st && !header) st = vh__fail(NULL, VH_EFORMAT, "%s: empty map", path);
    vh_free(text);
    return st;
}

void vh_label_map_apply(const vh_label_map *m, const float fer[VH_FER_COUNT], float *out) {
    for (int j = 0; j < m->n; j++) {
        double s = 0;
        for (int k = 0; k < VH_FER_COUNT; k++) s += fer[k] * m->w[k][j];
        out[j] = (float)s;
    }
}
