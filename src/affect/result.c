/* The monitor import document of a face analysis, and whole-file analysis. */
#define _POSIX_C_SOURCE 200809L
#include "verhm/affect.h"
#include "verhm/media.h"
#include "core/internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct vh_face_result {
    vh_buf windows; /* comma-separated window objects */
    double t0, sum[VH_FER_COUNT], v, a;
    int n, nwindows;
};

int vh_face_result_new(vh_face_result **out) {
    *out = calloc(1, sizeof **out);
    return *out ? VH_OK : vh__fail(NULL, VH_ENOMEM, "face result: out of memory");
}

void vh_face_result_free(vh_face_result *r) {
    if (!r) return;
    vh_buf_free(&r->windows);
    free(r);
}

static void flush(vh_face_result *r) {
    if (r->n == 0) return;
    vh_json_writer w;
    vh_jw_init(&w, &r->windows, 0);
    if (r->nwindows) vh_buf_puts(&r->windows, ",");
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "t"); vh_jw_number(&w, round(r->t0 * 1000) / 1000);
    vh_jw_key(&w, "dur"); vh_jw_number(&w, 1.0);
    vh_jw_key(&w, "probs");
    vh_jw_array_begin(&w);
    for (int k = 0; k < VH_FER_COUNT; k++) vh_jw_number(&w, round(r->sum[k] / r->n * 1e4) / 1e4);
    vh_jw_array_end(&w);
    vh_jw_key(&w, "valence"); vh_jw_number(&w, round(r->v / r->n * 1e3) / 1e3);
    vh_jw_key(&w, "arousal"); vh_jw_number(&w, round(r->a / r->n * 1e3) / 1e3);
    vh_jw_object_end(&w);
    r->nwindows++;
    memset(r->sum, 0, sizeof r->sum);
    r->v = r->a = 0;
    r->n = 0;
}

int vh_face_result_add(vh_face_result *r, double t, const vh_face_obs *f) {
    if (!f || !f->has_emotion) return VH_OK;
    if (r->n && t >= r->t0 + 1.0) flush(r);
    if (!r->n) r->t0 = floor(t);
    for (int k = 0; k < VH_FER_COUNT; k++) r->sum[k] += f->emotion[k];
    r->v += f->valence;
    r->a += f->arousal;
    r->n++;
    return r->windows.failed ? vh__fail(NULL, VH_ENOMEM, "face result: out of memory") : VH_OK;
}

int vh_face_result_windows(vh_face_result *r) {
    flush(r);
    return r->nwindows;
}

int vh_face_result_json(vh_face_result *r, const char *source, const char *started_at, double duration,
                        char **json, size_t *len) {
    *json = NULL;
    *len = 0;
    flush(r);
    if (r->nwindows == 0) return vh__fail(NULL, VH_EEMPTY, "%s: no face with an emotion read-out", source);
    char model[64];
    snprintf(model, sizeof model, "verhm-fer+ %s", vh_version());
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "kind"); vh_jw_string(&w, "face");
    vh_jw_key(&w, "source"); vh_jw_string(&w, source);
    if (started_at) { vh_jw_key(&w, "started_at"); vh_jw_string(&w, started_at); }
    vh_jw_key(&w, "duration"); vh_jw_number(&w, round(duration * 1000) / 1000);
    vh_jw_key(&w, "model"); vh_jw_string(&w, model);
    vh_jw_key(&w, "labels");
    vh_jw_array_begin(&w);
    for (int k = 0; k < VH_FER_COUNT; k++) vh_jw_string(&w, vh_fer_labels[k]);
    vh_jw_array_end(&w);
    vh_jw_key(&w, "windows");
    vh_jw_raw(&w, "[");
    vh_buf_puts(&b, r->windows.data ? r->windows.data : "");
    vh_buf_puts(&b, "]");
    vh_jw_object_end(&w);
    if (b.failed || r->windows.failed) { vh_buf_free(&b); return vh__fail(NULL, VH_ENOMEM, "face result: out of memory"); }
    *json = b.data;
    *len = b.len;
    return VH_OK;
}

int vh_affect_analyze_media(const char *path, const vh_media_analysis_params *p, char **json, size_t *len) {
    *json = NULL;
    *len = 0;
    if (!p || !p->emotion_model) return vh__fail(NULL, VH_ENOTFOUND, "%s: no facial-emotion model (models/fer-emotion.safetensors not found)", path);
    vh_analyzer_params ap = vh_analyzer_default_params();
    ap.emotion_model = p->emotion_model;
    ap.agegender_model = p->agegender_model;
    vh_face_analyzer *an = NULL;
    vh_face_result *res = NULL;
    vh_video *v = NULL;
    int st = vh_face_analyzer_new(&ap, &an);
    if (!st) st = vh_face_result_new(&res);
    if (!st) st = vh_video_open(path, &v);
    const vh_image *frame;
    double t = 0, last = 0;
    long k = 0;
    int every = p->every > 0 ? p->every : 1;
    while (!st && (st = vh_video_read(v, &frame, &t)) == VH_OK) {
        last = t;
        if (k++ % every) continue;
        const vh_face_obs *faces;
        int n;
        st = vh_face_analyzer_process(an, frame, t, &faces, &n);
        if (!st && n > 0) st = vh_face_result_add(res, t, &faces[0]);
    }
    if (st == VH_EEMPTY) st = VH_OK;
    if (!st) {
        const vh_video_info *info = vh_video_get_info(v);
        struct stat sb;
        time_t when = stat(path, &sb) == 0 ? sb.st_mtime : time(NULL);
        struct tm tm;
        char ts[40];
        gmtime_r(&when, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        double duration = info->fps > 0 ? last + 1.0 / info->fps : last;
        st = vh_face_result_json(res, vh_path_base(path), ts, duration, json, len);
    }
    vh_video_close(v);
    vh_face_result_free(res);
    vh_face_analyzer_free(an);
    return st;
}
