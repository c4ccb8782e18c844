/* verhm recognize: faces in a video (or image, or camera) → per-frame emotion,
 * age and gender with stable track ids; annotated video; monitor result;
 * place suggestions for the recognized state. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/affect.h"
#include "verhm/media.h"
#include "verhm/poi.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm recognize VIDEO|IMAGE|/dev/videoN [options]\n"
            "\n"
            "Finds faces, tracks them, and reads emotion (FER+ classes, filtered over time),\n"
            "valence/arousal, head pose, age and gender in every processed frame.\n"
            "\n"
            "  --json               JSON lines: one per processed frame, then a summary line\n"
            "  --annotate OUT.mp4   video with boxes and 'Gender, Age group, Emotion' labels\n"
            "                       (keeps the audio); for an IMAGE input, an annotated PNG/JPEG\n"
            "  --every N            analyse every Nth frame (default 1)\n"
            "  --max-seconds S      stop after S seconds of video (cameras: default 10)\n"
            "  --labels fer|emopoi  label set of the output (default fer; emopoi uses\n"
            "                       data/emopoi_map.tsv, the original prototype's eight states)\n"
            "  --model FILE         facial-emotion model (default models/fer-emotion.safetensors)\n"
            "  --agegender FILE     age-gender model (default models/age-gender.safetensors)\n"
            "  --result FILE        write the result for `verhm monitor import` (JSON)\n"
            "  --poi CATALOG        end with place suggestions for the main face's state...\n"
            "  --at LAT,LON         ...near this position (needed with --poi)\n"
            "  --force              overwrite existing output files\n"
            "  --stats              print frames per second and the time per stage on stderr\n");
}

typedef struct opts {
    const char *input, *annotate, *labels, *model, *agegender, *result, *poi, *at;
    int json, every, force, stats;
    double max_seconds;
} opts;

typedef struct run {
    opts o;
    vh_face_analyzer *an;
    vh_label_map map;
    int use_map;
    vh_face_result *result;  /* monitor document of the main face */
    long frames, analysed, with_face;
    double t_decode, t_encode, t_total;
} run;

static const char *gender_word(float pf) { return pf >= 0.5f ? "Female" : "Male"; }

/* Label set of the output: FER+ or the mapped set. */
static int out_labels(const run *r, const char **names) {
    if (r->use_map) {
        for (int j = 0; j < r->map.n; j++) names[j] = r->map.names[j];
        return r->map.n;
    }
    for (int j = 0; j < VH_FER_COUNT; j++) names[j] = vh_fer_labels[j];
    return VH_FER_COUNT;
}

static int out_probs(const run *r, const float *fer, float *out) {
    if (r->use_map) {
        vh_label_map_apply(&r->map, fer, out);
        return r->map.n;
    }
    memcpy(out, fer, sizeof(float) * VH_FER_COUNT);
    return VH_FER_COUNT;
}

static int argmax(const float *p, int n) {
    int b = 0;
    for (int i = 1; i < n; i++) if (p[i] > p[b]) b = i;
    return b;
}

static void write_agegender(vh_json_writer *w, float age, float p_female) {
    vh_jw_key(w, "age"); vh_jw_number(w, round(age * 10) / 10);
    vh_jw_key(w, "age_group"); vh_jw_string(w, vh_age_group(age));
    vh_jw_key(w, "age_group_legacy"); vh_jw_string(w, vh_age_group_legacy(age));
    vh_jw_key(w, "gender"); vh_jw_string(w, p_female >= 0.5f ? "female" : "male");
    vh_jw_key(w, "gender_prob"); vh_jw_number(w, round(fmaxf(p_female, 1 - p_female) * 1e3) / 1e3);
}

/* {"label": p, ...} of a FER+ distribution in the output label set; returns the
 * dominant label's index. */
static int write_probs(vh_json_writer *w, const run *r, const char *key, const float *fer) {
    const char *names[VH_LABELMAP_MAX];
    float p[VH_LABELMAP_MAX];
    int n = out_labels(r, names);
    out_probs(r, fer, p);
    vh_jw_key(w, key);
    vh_jw_object_begin(w);
    for (int k = 0; k < n; k++) { vh_jw_key(w, names[k]); vh_jw_number(w, round(p[k] * 1e4) / 1e4); }
    vh_jw_object_end(w);
    return argmax(p, n);
}

static void write_face_json(vh_json_writer *w, const run *r, const vh_face_obs *f) {
    vh_jw_object_begin(w);
    vh_jw_key(w, "track"); vh_jw_int(w, f->track);
    vh_jw_key(w, "box");
    vh_jw_object_begin(w);
    vh_jw_key(w, "x"); vh_jw_int(w, f->box.x);
    vh_jw_key(w, "y"); vh_jw_int(w, f->box.y);
    vh_jw_key(w, "w"); vh_jw_int(w, f->box.w);
    vh_jw_key(w, "h"); vh_jw_int(w, f->box.h);
    vh_jw_object_end(w);
    vh_jw_key(w, "landmarks");
    vh_jw_array_begin(w);
    for (int k = 0; k < 68; k++) {
        char pt[64];
        snprintf(pt, sizeof pt, "[%.1f,%.1f]", f->landmarks[k].x, f->landmarks[k].y);
        vh_jw_raw(w, pt);
    }
    vh_jw_array_end(w);
    vh_jw_key(w, "pose");
    vh_jw_object_begin(w);
    vh_jw_key(w, "yaw"); vh_jw_number(w, round(f->yaw * 10) / 10);
    vh_jw_key(w, "pitch"); vh_jw_number(w, round(f->pitch * 10) / 10);
    vh_jw_key(w, "roll"); vh_jw_number(w, round(f->roll * 10) / 10);
    vh_jw_object_end(w);
    if (f->has_emotion) {
        const char *names[VH_LABELMAP_MAX];
        out_labels(r, names);
        int dom = write_probs(w, r, "emotion", f->emotion);
        write_probs(w, r, "emotion_frame", f->emotion_raw);
        vh_jw_key(w, "dominant"); vh_jw_string(w, names[dom]);
        vh_jw_key(w, "valence"); vh_jw_number(w, round(f->valence * 1e3) / 1e3);
        vh_jw_key(w, "arousal"); vh_jw_number(w, round(f->arousal * 1e3) / 1e3);
    }
    if (f->has_agegender) write_agegender(w, f->age, f->p_female);
    vh_jw_object_end(w);
}

/* One JSON line: {"frame":…, "time":…, "faces":[…]}. */
static void print_frame_json(const run *r, long frame, double t, const vh_face_obs *faces, int n) {
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "frame"); vh_jw_int(&w, frame);
    vh_jw_key(&w, "time"); vh_jw_number(&w, round(t * 1000) / 1000);
    vh_jw_key(&w, "faces");
    vh_jw_array_begin(&w);
    for (int i = 0; i < n; i++) write_face_json(&w, r, &faces[i]);
    vh_jw_array_end(&w);
    vh_jw_object_end(&w);
    vh_cli_print_json(&b);
    vh_buf_free(&b);
}

static void annotate_frame(const run *r, vh_image *img, const vh_face_obs *faces, int n) {
    static const uint8_t green[3] = {40, 220, 90}, white[3] = {255, 255, 255}, bg[3] = {20, 60, 30};
    int scale = img->h >= 600 ? 2 : 1;
    for (int i = 0; i < n; i++) {
        const vh_face_obs *f = &faces[i];
        vh_draw_rect(img, f->box.x, f->box.y, f->box.w, f->box.h, scale + 1, green);
        for (int k = 0; k < 68; k++) vh_draw_circle(img, (int)lroundf(f->landmarks[k].x), (int)lroundf(f->landmarks[k].y), scale, green);
        char label[160];
        int len = snprintf(label, sizeof label, "#%d", f->track);
        if (f->has_agegender)
            len += snprintf(label + len, sizeof label - (size_t)len, " %s, %s", gender_word(f->p_female), vh_age_group(f->age));
        if (f->has_emotion) {
            const char *names[VH_LABELMAP_MAX];
            float p[VH_LABELMAP_MAX];
            int m = out_labels(r, names);
            out_probs(r, f->emotion, p);
            int b = argmax(p, m);
            snprintf(label + len, sizeof label - (size_t)len, ", %s %d%%", names[b], (int)lroundf(100 * p[b]));
        }
        int tw, th;
        vh_text_size(label, scale, &tw, &th);
        int ty = f->box.y - th - 4 >= 0 ? f->box.y - th - 4 : f->box.y + f->box.h + 2;
        vh_draw_text(img, f->box.x, ty, label, scale, white, bg);
    }
}

static int write_result(run *r, double duration) {
    /* The session starts when the recording was made: the media file's time. */
    struct stat sb;
    time_t when = stat(r->o.input, &sb) == 0 ? sb.st_mtime : time(NULL);
    struct tm tm;
    char ts[40];
    gmtime_r(&when, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char *json;
    size_t len;
    int st = vh_face_result_json(r->result, vh_path_base(r->o.input), ts, duration, &json, &len);
    if (st) return vh_cli_fail_status(st);
    vh_atomic_file af;
    if (vh_atomic_open(&af, r->o.result, r->o.force)) { vh_free(json); return vh_cli_fail_status(VH_EIO); }
    fprintf(af.fp, "%s\n", json);
    vh_free(json);
    if (vh_atomic_commit(&af)) return vh_cli_fail_status(VH_EIO);
    return 0;
}

static int suggest_places(const run *r, const vh_track_summary *main) {
    double lat, lon;
    char *end;
    lat = strtod(r->o.at, &end);
    if (*end != ',') return vh_cli_fail(r->o.at, "--at expects LAT,LON");
    lon = strtod(end + 1, &end);
    if (*end || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) return vh_cli_fail(r->o.at, "--at expects LAT,LON in range");
    const char *rules_path = vh_cli_find_resource("data/poi_rules.tsv");
    if (!rules_path) return vh_cli_fail("data/poi_rules.tsv", "rule table not found (set VERHM_HOME)");
    vh_poi_rules *rules = NULL;
    vh_poi_catalog *cat = NULL;
    int st = vh_poi_rules_load(rules_path, &rules);
    if (!st) st = vh_poi_catalog_open(r->o.poi, &cat);
    if (st) { vh_poi_rules_free(rules); return vh_cli_fail_status(st); }
    vh_poi_state state;
    state.emotion = vh_poi_emotion_parse(vh_fer_labels[main->dominant]);
    state.age = main->has_agegender ? vh_poi_age_parse(vh_age_group(main->age)) : vh_poi_age_parse("Adult");
    state.gender = vh_poi_gender_parse(main->has_agegender ? (main->p_female >= 0.5f ? "female" : "male") : "unknown");
    vh_poi_suggest_params sp = vh_poi_suggest_default_params();
    sp.lat = lat;
    sp.lon = lon;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    sp.now.weekday = (tm.tm_wday + 6) % 7;
    sp.now.minute = tm.tm_hour * 60 + tm.tm_min;
    vh_poi_suggestion *s = NULL;
    size_t n = 0;
    st = state.emotion < 0 || state.age < 0 || state.gender < 0 ? VH_EINVAL : vh_poi_suggest(cat, rules, &state, &sp, &s, &n);
    if (st) {
        vh_poi_catalog_free(cat);
        vh_poi_rules_free(rules);
        return vh_cli_fail_status(st);
    }
    char *sentence = vh_poi_sentence(&state, s, n);
    if (r->o.json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "poi");
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "sentence"); vh_jw_string(&w, sentence);
        vh_jw_key(&w, "suggestions");
        vh_jw_array_begin(&w);
        for (size_t i = 0; i < n; i++) {
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "name"); vh_jw_string(&w, s[i].place->name);
            vh_jw_key(&w, "category"); vh_jw_string(&w, vh_poi_category_name(s[i].place->category));
            vh_jw_key(&w, "distance_m"); vh_jw_number(&w, round(s[i].distance_m));
            vh_jw_key(&w, "why"); vh_jw_string(&w, s[i].why);
            vh_jw_object_end(&w);
        }
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s\n", sentence ? sentence : "");
        for (size_t i = 0; i < n; i++) printf("  %zu. %s\n", i + 1, s[i].why);
    }
    free(sentence);
    vh_poi_suggestions_free(s, n);
    vh_poi_catalog_free(cat);
    vh_poi_rules_free(rules);
    return 0;
}

static int is_image_path(const char *p) {
    const char *e = vh_path_ext(p);
    return !strcasecmp(e, "png") || !strcasecmp(e, "jpg") || !strcasecmp(e, "jpeg");
}

static int summarize(run *r, double duration) {
    const vh_track_summary *tr;
    int nt;
    if (vh_face_analyzer_tracks(r->an, &tr, &nt)) return vh_cli_fail_status(VH_ENOMEM);
    /* The main face: the track seen in most frames. */
    int main_i = -1;
    for (int i = 0; i < nt; i++) if (main_i < 0 || tr[i].frames > tr[main_i].frames) main_i = i;
    const char *names[VH_LABELMAP_MAX];
    int nl = out_labels(r, names);
    if (r->o.json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "summary");
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "file"); vh_jw_string(&w, r->o.input);
        vh_jw_key(&w, "frames"); vh_jw_int(&w, r->frames);
        vh_jw_key(&w, "analysed_frames"); vh_jw_int(&w, r->analysed);
        vh_jw_key(&w, "frames_with_faces"); vh_jw_int(&w, r->with_face);
        vh_jw_key(&w, "duration"); vh_jw_number(&w, round(duration * 1000) / 1000);
        vh_jw_key(&w, "faces_found"); vh_jw_bool(&w, nt > 0);
        vh_jw_key(&w, "tracks");
        vh_jw_array_begin(&w);
        for (int i = 0; i < nt; i++) {
            const vh_track_summary *s = &tr[i];
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "track"); vh_jw_int(&w, s->id);
            vh_jw_key(&w, "first"); vh_jw_number(&w, round(s->first * 1000) / 1000);
            vh_jw_key(&w, "last"); vh_jw_number(&w, round(s->last * 1000) / 1000);
            vh_jw_key(&w, "frames"); vh_jw_int(&w, s->frames);
            if (s->has_emotion) {
                int dom = write_probs(&w, r, "emotion", s->mean_emotion);
                vh_jw_key(&w, "dominant"); vh_jw_string(&w, names[dom]);
                vh_jw_key(&w, "valence"); vh_jw_number(&w, round(s->valence * 1e3) / 1e3);
                vh_jw_key(&w, "arousal"); vh_jw_number(&w, round(s->arousal * 1e3) / 1e3);
                vh_jw_key(&w, "segments");
                vh_jw_array_begin(&w);
                for (int g = 0; g < s->nsegments; g++) {
                    vh_jw_object_begin(&w);
                    vh_jw_key(&w, "start"); vh_jw_number(&w, round(s->segments[g].start * 1000) / 1000);
                    vh_jw_key(&w, "end"); vh_jw_number(&w, round(s->segments[g].end * 1000) / 1000);
                    vh_jw_key(&w, "emotion"); vh_jw_string(&w, vh_fer_labels[s->segments[g].label]);
                    vh_jw_key(&w, "mean_prob"); vh_jw_number(&w, round(s->segments[g].mean_prob * 1e3) / 1e3);
                    vh_jw_object_end(&w);
                }
                vh_jw_array_end(&w);
            }
            if (s->has_agegender) write_agegender(&w, s->age, s->p_female);
            vh_jw_object_end(&w);
        }
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s: %ld frames, %ld analysed, faces in %ld; %d track%s\n", r->o.input, r->frames, r->analysed,
               r->with_face, nt, nt == 1 ? "" : "s");
        if (nt == 0) printf("  no face found\n");
        for (int i = 0; i < nt; i++) {
            const vh_track_summary *s = &tr[i];
            printf("  track %d: %.2f–%.2f s, %d frames", s->id, s->first, s->last, s->frames);
            if (s->has_agegender) printf(", %s, %s (age %.0f)", gender_word(s->p_female), vh_age_group(s->age), s->age);
            if (s->has_emotion) {
                float p[VH_LABELMAP_MAX];
                out_probs(r, s->mean_emotion, p);
                int b = argmax(p, nl);
                printf(", mostly %s (%.0f%%), valence %+.2f, arousal %+.2f", names[b], 100 * p[b], s->valence, s->arousal);
            }
            printf("\n");
        }
    }
    if (r->o.poi) {
        if (main_i < 0 || !tr[main_i].has_emotion) return vh_cli_fail(r->o.input, "no face with an emotion read-out: no place suggestions");
        return suggest_places(r, &tr[main_i]);
    }
    return 0;
}

static int process_image(run *r) {
    vh_image img = {0};
    int st = vh_image_load(r->o.input, 3, &img);
    if (st) return vh_cli_fail_status(st);
    const vh_face_obs *faces;
    int n, rc = 0;
    st = vh_face_analyzer_process(r->an, &img, 0, &faces, &n);
    if (st) { vh_image_free(&img); return vh_cli_fail_status(st); }
    r->frames = r->analysed = 1;
    r->with_face = n > 0;
    if (r->o.json) {
        print_frame_json(r, 1, 0, faces, n);
    }
    if (n > 0) vh_face_result_add(r->result, 0, &faces[0]);
    if (r->o.annotate) {
        annotate_frame(r, &img, faces, n);
        st = vh_image_save(r->o.annotate, &img, 92);
        if (st) rc = vh_cli_fail_status(st);
    }
    vh_image_free(&img);
    if (!rc) rc = summarize(r, 0);
    if (!rc && r->o.result) rc = write_result(r, 1);
    return rc;
}

static int process_video(run *r) {
    vh_video *v = NULL;
    int st = vh_video_open(r->o.input, &v);
    if (st) return vh_cli_fail_status(st);
    const vh_video_info *info = vh_video_get_info(v);
    double max_s = r->o.max_seconds > 0 ? r->o.max_seconds : strncmp(r->o.input, "/dev/", 5) == 0 ? 10 : 0;
    vh_video_writer *wr = NULL;
    float *audio = NULL;
    size_t naudio = 0, audio_pos = 0;
    const int arate = 44100;
    int rc = 0, ew = info->width & ~1, eh = info->height & ~1;
    vh_image even = {0};
    if (r->o.annotate) {
        vh_writer_params wp = vh_writer_default_params();
        wp.width = ew;
        wp.height = eh;
        wp.fps = info->fps > 0 ? info->fps / r->o.every : 25.0 / r->o.every;
        wp.overwrite = r->o.force;
        if (info->has_audio && vh_audio_load(r->o.input, arate, max_s, &audio, &naudio) == VH_OK) wp.audio_rate = arate;
        st = vh_video_writer_open(r->o.annotate, &wp, &wr);
        if (st) { vh_free(audio); vh_video_close(v); return vh_cli_fail_status(st); }
    }
    vh_progress_bar bar;
    vh_cli_progress_init(&bar);
    double t = 0, last_t = 0;
    const vh_image *frame;
    uint64_t total = info->frame_count > 0 ? (uint64_t)info->frame_count : 0;
    double t_start = vh_now(), t_mark = t_start;
    while ((st = vh_video_read(v, &frame, &t)) == VH_OK) {
        r->t_decode += vh_now() - t_mark;
        if (max_s > 0 && t > max_s) break;
        last_t = t;
        r->frames++;
        vh_progress_bar_update((uint64_t)r->frames, total, "recognize", NULL, &bar);
        if ((r->frames - 1) % r->o.every) { t_mark = vh_now(); continue; }
        r->analysed++;
        const vh_face_obs *faces;
        int n;
        st = vh_face_analyzer_process(r->an, frame, t, &faces, &n);
        if (st) break;
        r->with_face += n > 0;
        if (n > 0 && (st = vh_face_result_add(r->result, t, &faces[0]))) break;
        if (r->o.json) {
            print_frame_json(r, r->frames, t, faces, n);
        }
        if (wr) {
            double e0 = vh_now();
            vh_image_free(&even);
            st = vh_image_crop(frame, 0, 0, ew, eh, &even);
            if (!st) {
                annotate_frame(r, &even, faces, n);
                st = vh_video_writer_frame(wr, &even);
            }
            /* Audio up to the end of this output frame. */
            size_t upto = (size_t)fmin((double)naudio, (t + (double)r->o.every / (info->fps > 0 ? info->fps : 25)) * arate);
            if (!st && audio && upto > audio_pos) {
                st = vh_video_writer_audio(wr, audio + audio_pos, upto - audio_pos);
                audio_pos = upto;
            }
            r->t_encode += vh_now() - e0;
            if (st) { vh_cli_fail(r->o.annotate, "%s", vh_video_writer_error(wr)); rc = VH_EXIT_INPUT; break; }
        }
        t_mark = vh_now();
    }
    r->t_total = vh_now() - t_start;
    vh_progress_bar_finish(&bar);
    if (!rc && st != VH_OK && st != VH_EEMPTY) rc = vh_cli_fail_status(st);
    if (!rc && r->frames == 0) rc = vh_cli_fail(r->o.input, "no video frames could be decoded");
    if (!rc && vh_video_skipped(v) > 0)
        fprintf(stderr, "verhm: %s: %lld unreadable frames skipped\n", r->o.input, (long long)vh_video_skipped(v));
    if (wr) {
        if (rc) vh_video_writer_abort(wr);
        else if ((st = vh_video_writer_finish(wr))) rc = vh_cli_fail(r->o.annotate, "%s", vh_last_error());
    }
    vh_image_free(&even);
    vh_free(audio);
    vh_video_close(v);
    double duration = info->fps > 0 ? last_t + 1.0 / info->fps : last_t;
    if (!rc) rc = summarize(r, duration);
    if (!rc && r->o.result) rc = write_result(r, duration);
    return rc;
}

int cmd_recognize(int argc, char **argv) {
    static const struct option lopts[] = {
        {"json", no_argument, 0, 'j'},           {"annotate", required_argument, 0, 'a'},
        {"every", required_argument, 0, 'e'},    {"max-seconds", required_argument, 0, 'm'},
        {"labels", required_argument, 0, 'l'},   {"model", required_argument, 0, 'M'},
        {"agegender", required_argument, 0, 'g'}, {"result", required_argument, 0, 'r'},
        {"poi", required_argument, 0, 'p'},      {"at", required_argument, 0, 't'},
        {"force", no_argument, 0, 'f'},          {"stats", no_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *cmd = "recognize";
    run r;
    memset(&r, 0, sizeof r);
    r.o.every = 1;
    r.o.labels = "fer";
    int c;
    while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (c) {
        case 'j': r.o.json = 1; break;
        case 'a': r.o.annotate = optarg; break;
        case 'e': if (vh_cli_parse_int(cmd, "--every", optarg, 1, 100000, &r.o.every)) return VH_EXIT_USAGE; break;
        case 'm': if (vh_cli_parse_double(cmd, "--max-seconds", optarg, 0.001, 1e7, &r.o.max_seconds)) return VH_EXIT_USAGE; break;
        case 'l': r.o.labels = optarg; break;
        case 'M': r.o.model = optarg; break;
        case 'g': r.o.agegender = optarg; break;
        case 'r': r.o.result = optarg; break;
        case 'p': r.o.poi = optarg; break;
        case 't': r.o.at = optarg; break;
        case 'f': r.o.force = 1; break;
        case 'S': r.o.stats = 1; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return vh_cli_usage_error(cmd, "expected one VIDEO, IMAGE or camera device");
    r.o.input = argv[optind];
    if (strcmp(r.o.labels, "fer") && strcmp(r.o.labels, "emopoi")) return vh_cli_usage_error(cmd, "--labels is fer or emopoi");
    if (!!r.o.poi != !!r.o.at) return vh_cli_usage_error(cmd, "--poi and --at go together");
    if (r.o.annotate && !r.o.force && vh_is_file(r.o.annotate)) return vh_cli_fail(r.o.annotate, "already exists (use --force)");
    if (r.o.result && !r.o.force && vh_is_file(r.o.result)) return vh_cli_fail(r.o.result, "already exists (use --force)");
    if (strncmp(r.o.input, "/dev/", 5) != 0 && !vh_is_file(r.o.input)) return vh_cli_fail(r.o.input, "no such file");
    if (!strcmp(r.o.labels, "emopoi")) {
        const char *mp = vh_cli_find_resource("data/emopoi_map.tsv");
        if (!mp) return vh_cli_fail("data/emopoi_map.tsv", "label map not found (set VERHM_HOME)");
        if (vh_label_map_load(mp, &r.map)) return vh_cli_fail_status(VH_EFORMAT);
        r.use_map = 1;
    }
    vh_analyzer_params ap = vh_analyzer_default_params();
    /* Following faces by landmarks needs neighbouring frames. */
    if (r.o.every > 2) ap.redetect_every = 1;
    ap.emotion_model = r.o.model ? r.o.model : vh_cli_find_resource("models/fer-emotion.safetensors");
    if (!ap.emotion_model) return vh_cli_fail("models/fer-emotion.safetensors", "facial-emotion model not found (give --model, or train one: verhm train)");
    char emo_path[4096];
    snprintf(emo_path, sizeof emo_path, "%s", ap.emotion_model);
    ap.emotion_model = emo_path;
    const char *agp = r.o.agegender ? r.o.agegender : vh_cli_find_resource("models/age-gender.safetensors");
    char ag_path[4096];
    if (agp) {
        snprintf(ag_path, sizeof ag_path, "%s", agp);
        ap.agegender_model = ag_path;
    } else {
        fprintf(stderr, "verhm: warning: models/age-gender.safetensors not found: no age or gender in the output (train one with verhm train-agegender)\n");
    }
    int st = vh_face_analyzer_new(&ap, &r.an);
    if (!st) st = vh_face_result_new(&r.result);
    if (st) { vh_face_analyzer_free(r.an); return vh_cli_fail_status(st); }
    int rc = is_image_path(r.o.input) ? process_image(&r) : process_video(&r);
    if (!rc && r.o.stats) {
        vh_analyzer_timing tm;
        vh_face_analyzer_timing(r.an, &tm);
        double per = tm.frames ? 1000.0 / tm.frames : 0;
        fprintf(stderr,
                "verhm: %ld frames in %.3f s = %.1f fps; ms per analysed frame: decode %.2f, detect %.2f, "
                "landmarks %.2f, pose %.2f, emotion %.2f, age/gender %.2f, encode %.2f\n",
                r.frames, r.t_total, r.t_total > 0 ? r.frames / r.t_total : 0, r.analysed ? 1000 * r.t_decode / r.analysed : 0,
                tm.detect * per, tm.landmarks * per, tm.pose * per, tm.emotion * per, tm.agegender * per,
                r.analysed ? 1000 * r.t_encode / r.analysed : 0);
    }
    vh_face_analyzer_free(r.an);
    vh_face_result_free(r.result);
    return rc;
}
