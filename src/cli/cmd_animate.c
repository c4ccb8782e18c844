/* verhm animate: speech → a talking, emoting 3-D face (MP4 with the audio,
 * PNG frames, LiveLinkFace CSV, .npy and .glb weight tracks). The audio is
 * streamed in chunks cut at quiet points, so memory stays bounded whatever the
 * length (except for --glb, which keeps the weight track: 52 floats a frame). */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/avatar.h"
#include "verhm/image.h"
#include "verhm/media.h"
#include "verhm/ser.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RATE 16000
#define CHUNK_S 12.0  /* audio analysed at a time */
#define CUT_S 3.0     /* the cut is placed at the quietest 20 ms in the chunk's last CUT_S */
#define ENC_SLOTS 3   /* frames queued for the encoder thread */
#define MAX_PAR 8     /* frames rendered at once (one renderer each) */

/* The encoder thread: colour conversion, H.264/AAC encoding and muxing run
 * beside the renderer, which goes on with the next frame meanwhile. Frames
 * and audio reach the writer in the order they were queued, so the file is
 * the one a single thread would write. */
typedef struct enc_item { int is_audio; vh_image img; float *pcm; size_t n; } enc_item;
typedef struct encoder {
    vh_video_writer *vw;
    pthread_t th;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enc_item q[ENC_SLOTS + 1];  /* ring; head = next to encode */
    int head, count, stop, failed;
    char msg[512];
} encoder;

static void *enc_main(void *arg) {
    encoder *e = arg;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        while (!e->count && !e->stop) pthread_cond_wait(&e->cv, &e->mu);
        if (!e->count) break;
        enc_item *it = &e->q[e->head];
        int failed = e->failed;
        pthread_mutex_unlock(&e->mu);
        int st = VH_OK;
        if (!failed) st = it->is_audio ? vh_video_writer_audio(e->vw, it->pcm, it->n) : vh_video_writer_frame(e->vw, &it->img);
        pthread_mutex_lock(&e->mu);
        if (st && !e->failed) {
            e->failed = st;
            snprintf(e->msg, sizeof e->msg, "%s", vh_video_writer_error(e->vw));
        }
        e->head = (e->head + 1) % (ENC_SLOTS + 1);
        e->count--;
        pthread_cond_broadcast(&e->cv);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

static int enc_start(encoder *e, vh_video_writer *vw, int w, int h) {
    memset(e, 0, sizeof *e);
    e->vw = vw;
    for (int i = 0; i <= ENC_SLOTS; i++)
        if (vh_image_alloc(&e->q[i].img, w, h, 3)) return VH_ENOMEM;
    if (pthread_mutex_init(&e->mu, NULL)) return VH_ENOMEM;
    if (pthread_cond_init(&e->cv, NULL)) { pthread_mutex_destroy(&e->mu); return VH_ENOMEM; }
    if (pthread_create(&e->th, NULL, enc_main, e)) {
        pthread_cond_destroy(&e->cv);
        pthread_mutex_destroy(&e->mu);
        return VH_ENOMEM;
    }
    e->started = 1;
    return VH_OK;
}

/* Waits for a free slot and returns it (locked), or NULL (unlocked, *failed
 * set) once the writer failed. */
static enc_item *enc_slot(encoder *e, int *failed) {
    pthread_mutex_lock(&e->mu);
    while (e->count == ENC_SLOTS && !e->failed) pthread_cond_wait(&e->cv, &e->mu);
    if (e->failed) {
        *failed = e->failed;
        pthread_mutex_unlock(&e->mu);
        return NULL;
    }
    return &e->q[(e->head + e->count) % (ENC_SLOTS + 1)];
}

static void enc_push(encoder *e) {
    e->count++;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

static int enc_frame(encoder *e, const vh_image *img) {
    int failed;
    enc_item *it = enc_slot(e, &failed);
    if (!it) return failed;
    it->is_audio = 0;
    for (int y = 0; y < img->h; y++)
        memcpy(it->img.data + (size_t)y * it->img.stride, img->data + (size_t)y * img->stride, (size_t)img->w * 3);
    enc_push(e);
    return VH_OK;
}

static int enc_audio(encoder *e, const float *pcm, size_t n) {
    int failed;
    enc_item *it = enc_slot(e, &failed);
    if (!it) return failed;
    float *p = realloc(it->pcm, n * sizeof *p);
    if (!p) { pthread_mutex_unlock(&e->mu); return VH_ENOMEM; }
    memcpy(p, pcm, n * sizeof *p);
    it->pcm = p;
    it->n = n;
    it->is_audio = 1;
    enc_push(e);
    return VH_OK;
}

/* Encodes what is queued and stops the thread; returns the first writer error. */
static int enc_stop(encoder *e) {
    if (!e->started) return VH_OK;
    pthread_mutex_lock(&e->mu);
    e->stop = 1;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    pthread_join(e->th, NULL);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    e->started = 0;
    return e->failed;
}

static void enc_free(encoder *e) {
    enc_stop(e);
    for (int i = 0; i <= ENC_SLOTS; i++) {
        vh_image_free(&e->q[i].img);
        free(e->q[i].pcm);
        e->q[i].pcm = NULL;
    }
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm animate AUDIO [options]\n"
            "Animates the 3-D face (ICT rig, 52 ARKit blendshapes) from speech and renders it.\n\n"
            "  --out F          MP4 (H.264 + AAC with the input audio; default face.mp4)\n"
            "  --no-video       do not render (exports only)\n"
            "  --frames DIR     also write every frame as DIR/frame_000001.png ...\n"
            "  --csv F          LiveLinkFace-style CSV of the 52 weights per frame\n"
            "  --npy F          float32 array [frames, 52]\n"
            "  --glb F          glTF 2.0 binary: mesh, morph targets, weight animation\n"
            "  --engine E       phonemes (PocketSphinx phones → visemes, default) or learned\n"
            "  --model F        lip-sync model for --engine learned (default models/lipsync.safetensors)\n"
            "  --emotion E      auto (speech-emotion model) or neutral, happy, sad, angry, fear,\n"
            "                   surprise, disgust, contempt, calm (default auto)\n"
            "  --intensity X    emotion intensity 0-1.5 (default 0.8)\n"
            "  --fps N          frame rate (default 30)\n"
            "  --size WxH       frame size (default 512x768; even numbers)\n"
            "  --supersample N  anti-aliasing samples per pixel side, 1-4 (default 2; 1 is ~20%% faster)\n"
            "  --seed N         seed of the blink and gaze generator (default 1)\n"
            "  --force          replace existing output files\n"
            "  --json           print a JSON summary on stdout\n\n"
            "Prints the emotion the face shows. Exit status: 0 ok, 1 bad input (no output left), 2 usage.\n");
}

typedef struct anim {
    /* options */
    const char *audio, *out, *frames_dir, *csv, *npy, *glb, *engine, *emotion;
    double fps, intensity;
    int width, height, force, json, video, supersample;
    uint64_t seed;
    /* state */
    vh_rig *rig;
    /* Whole frames are rendered concurrently, one renderer and vertex buffer
     * per frame in flight: no barrier inside a frame, so the encoder thread
     * preempting one renderer does not leave the other core idle. */
    vh_renderer *ren[MAX_PAR];
    float *pos[MAX_PAR];
    int nren;
    float pend_w[MAX_PAR][VH_ARKIT_COUNT];
    vh_render_pose pend_pose[MAX_PAR];
    const vh_image *pend_img[MAX_PAR];
    int pend_st[MAX_PAR];
    int npend;
    vh_video_writer *vw;
    encoder enc;                  /* runs the writer on its own thread */
    vh_anim_csv *csvw;
    vh_anim_npy *npyw;
    vh_phone_rec *rec;
    vh_lipsync *ls;
    float *track;  /* all frames (for --glb) */
    size_t track_cap;
    long frames;
    int frames_written;
    float expr[VH_ARKIT_COUNT];   /* target expression (manual, or this chunk's auto one) */
    float cur[VH_ARKIT_COUNT];    /* expression shown, eased toward expr */
    const char *shown;
    vh_ser *ser;                  /* --emotion auto */
    double label_frames[VH_SER_MAX_CLASSES + 1]; /* frames per dominant label (last: silence) */
    vh_eyes eyes;
    double mouth_open_sum;
} anim;

static int add_track(anim *a, const float *w) {
    if (!a->glb) return 0;
    if ((size_t)a->frames >= a->track_cap) {
        size_t cap = a->track_cap ? a->track_cap * 2 : 1024;
        if (cap > 216000) cap = 216000;
        if ((size_t)a->frames >= cap) return vh_cli_fail(a->glb, "more than 216000 frames (2 h at 30 fps) for a .glb");
        float *p = realloc(a->track, cap * VH_ARKIT_COUNT * sizeof *p);
        if (!p) return vh_cli_fail(a->glb, "out of memory");
        a->track = p;
        a->track_cap = cap;
    }
    memcpy(a->track + (size_t)a->frames * VH_ARKIT_COUNT, w, VH_ARKIT_COUNT * sizeof *w);
    return 0;
}

static void render_pending(void *ctx, size_t begin, size_t end, int tid) {
    (void)tid;
    anim *a = ctx;
    for (size_t i = begin; i < end; i++) {
        a->pend_st[i] = vh_rig_apply(a->rig, a->pend_w[i], a->pos[i]);
        if (!a->pend_st[i]) a->pend_st[i] = vh_render(a->ren[i], a->pos[i], &a->pend_pose[i], &a->pend_img[i]);
    }
}

/* Renders the pending frames (in parallel) and writes them in order. */
static int flush_frames(anim *a) {
    int n = a->npend;
    if (!n) return 0;
    a->npend = 0;
    vh_parallel_for((size_t)n, 1, render_pending, a);
    for (int i = 0; i < n; i++) {
        int st = a->pend_st[i];
        if (st) return vh_cli_fail_status(st);
        const vh_image *img = a->pend_img[i];
        if (a->vw && enc_frame(&a->enc, img)) return vh_cli_fail(a->out, "%s", a->enc.msg[0] ? a->enc.msg : "out of memory");
        if (a->frames_dir) {
            char path[4200];
            snprintf(path, sizeof path, "%s/frame_%06d.png", a->frames_dir, a->frames_written + 1);
            if ((st = vh_image_save_ex(path, img, 0, a->force))) return vh_cli_fail_status(st);
            a->frames_written++;
        }
    }
    return 0;
}

/* Emits one finished frame: emotion, blink, gaze; queued for rendering and
 * writing (flush_frames renders once a renderer per frame is in use). */
static int emit_frame(anim *a, float *w) {
    float gy, gp;
    float blink = vh_eyes_step(&a->eyes, &gy, &gp);
    /* The shown expression eases toward the target (time constant 0.4 s):
     * it fades in at the start and changes smoothly between chunks. */
    float ease = (float)(1.0 - exp(-1.0 / (0.4 * a->fps)));
    for (int k = 0; k < VH_ARKIT_COUNT; k++) a->cur[k] += ease * (a->expr[k] - a->cur[k]);
    vh_emotion_blend(w, a->cur, blink);
    a->mouth_open_sum += w[17];
    if (add_track(a, w)) return 1;
    if (a->csvw && vh_anim_csv_frame(a->csvw, w)) return vh_cli_fail_status(VH_EIO);
    if (a->npyw && vh_anim_npy_frame(a->npyw, w)) return vh_cli_fail_status(VH_EIO);
    if (a->nren) {
        /* Slow, small head sway (seeded by the frame count, deterministic). */
        double t = a->frames / a->fps;
        vh_render_pose pose = { (float)(1.2 * sin(0.37 * t + 0.5)), (float)(0.8 * sin(0.23 * t + 1.3)),
                                (float)(0.5 * sin(0.17 * t)), gy, gp };
        memcpy(a->pend_w[a->npend], w, sizeof a->pend_w[0]);
        a->pend_pose[a->npend] = pose;
        if (++a->npend == a->nren && flush_frames(a)) return 1;
    }
    a->frames++;
    return 0;
}

/* Mouth curves for samples [0, n) of `pcm` starting at time t0, frames
 * [f0, f1) (absolute indices). */
static int mouth_curves(anim *a, const float *pcm, size_t n, double t0, long f0, long f1, float *w) {
    if (a->ls) {
        int st = vh_lipsync_run(a->ls, pcm, n, (double)f0 / a->fps - t0, a->fps, (int)(f1 - f0), w);
        if (st) return vh_cli_fail_status(st);
        if (f1 - f0 >= 5)
            for (int k = 14; k <= 40; k++) vh_savgol(w + k, (int)(f1 - f0), VH_ARKIT_COUNT, 2, 2);
        return 0;
    }
    vh_phone_seg *segs = NULL;
    int nseg = 0;
    int st = vh_phone_rec_run(a->rec, pcm, n, t0, &segs, &nseg);
    if (st) return vh_cli_fail_status(st);
    /* Frame f shows time f/fps: curves from absolute times. */
    st = vh_phones_to_curves(segs, nseg, (double)f0 / a->fps, a->fps, (int)(f1 - f0), w);
    free(segs);
    if (st) return vh_cli_fail_status(st);
    if (f1 - f0 >= 5)
        for (int k = 14; k <= 40; k++) vh_savgol(w + k, (int)(f1 - f0), VH_ARKIT_COUNT, 2, 2);
    return 0;
}

/* --emotion auto: the speech-emotion model's probabilities for this chunk
 * blend the expressions of its labels; silence (no speech) is neutral. */
static int auto_emotion(anim *a, const float *pcm, size_t n, long nframes) {
    const vh_ser_config *c = vh_ser_get_config(a->ser);
    float probs[VH_SER_MAX_CLASSES];
    int st = vh_ser_predict(a->ser, pcm, n, probs);
    memset(a->expr, 0, sizeof a->expr);
    if (st == VH_EEMPTY) {
        a->label_frames[VH_SER_MAX_CLASSES] += (double)nframes;
        return 0;
    }
    if (st) return vh_cli_fail_status(st);
    int best = 0;
    for (int i = 0; i < c->n_classes; i++) {
        if (probs[i] > probs[best]) best = i;
        float e[VH_ARKIT_COUNT];
        /* Labels without an expression (none in RAVDESS) contribute nothing. */
        if (vh_emotion_expression(c->labels[i], (float)a->intensity, e)) continue;
        for (int k = 0; k < VH_ARKIT_COUNT; k++) a->expr[k] += probs[i] * e[k];
    }
    a->label_frames[best] += (double)nframes;
    return 0;
}

static size_t quietest_cut(const float *x, size_t n) {
    size_t win = RATE / 50, lo = n > (size_t)(CUT_S * RATE) ? n - (size_t)(CUT_S * RATE) : 0;
    size_t best = n;
    double be = INFINITY;
    for (size_t s = lo; s + win <= n; s += win / 2) {
        double e = 0;
        for (size_t i = 0; i < win; i++) e += (double)x[s + i] * x[s + i];
        if (e < be) { be = e; best = s + win / 2; }
    }
    return best;
}

static void cleanup_frames(anim *a) {
    if (!a->frames_dir) return;
    char path[4200];
    for (long i = 1; i <= a->frames_written; i++) {
        snprintf(path, sizeof path, "%s/frame_%06ld.png", a->frames_dir, i);
        unlink(path);
    }
}

static int run(anim *a) {
    vh_audio_reader *rd = NULL;
    int st = vh_audio_open(a->audio, RATE, &rd);
    if (st) return vh_cli_fail_status(st);
    size_t cap = (size_t)(CHUNK_S * RATE);
    float *buf = malloc(cap * sizeof *buf);
    float *w = malloc(((size_t)(CHUNK_S * a->fps) + 8) * VH_ARKIT_COUNT * sizeof *w);
    int rc = 0;
    if (!buf || !w) { rc = vh_cli_fail(a->audio, "out of memory"); goto out; }
    size_t have = 0;
    uint64_t consumed = 0; /* samples before buf[0] */
    int eof = 0;
    while (!eof || have > 0) {
        while (!eof && have < cap) {
            long r = vh_audio_read(rd, buf + have, cap - have);
            if (r < 0) { rc = vh_cli_fail(a->audio, "%s", vh_audio_error(rd)); goto out; }
            if (r == 0) eof = 1;
            have += (size_t)r;
        }
        size_t use = eof ? have : quietest_cut(buf, have);
        if (use == 0) use = have;
        double t0 = (double)consumed / RATE, t1 = (double)(consumed + use) / RATE;
        long f0 = a->frames, f1 = (long)ceil(t1 * a->fps - 1e-9);
        if (f1 > f0) {
            if (a->ser && auto_emotion(a, buf, use, f1 - f0)) { rc = 1; goto out; }
            if (mouth_curves(a, buf, use, t0, f0, f1, w)) { rc = 1; goto out; }
            for (long f = f0; f < f1; f++) {
                /* Audio for this frame goes in step with the video. */
                if (emit_frame(a, w + (size_t)(f - f0) * VH_ARKIT_COUNT)) { rc = 1; goto out; }
            }
        }
        if (flush_frames(a)) { rc = 1; goto out; } /* this chunk's frames before its audio */
        if (a->vw && use && enc_audio(&a->enc, buf, use)) { rc = vh_cli_fail(a->out, "%s", a->enc.msg[0] ? a->enc.msg : "out of memory"); goto out; }
        memmove(buf, buf + use, (have - use) * sizeof *buf);
        have -= use;
        consumed += use;
    }
    if (a->frames == 0) rc = vh_cli_fail(a->audio, "no audio samples");
out:
    if (rd && vh_audio_skipped(rd) > 0 && !rc) fprintf(stderr, "verhm: warning: %s: %lld damaged audio packets skipped\n", a->audio, (long long)vh_audio_skipped(rd));
    vh_audio_close(rd);
    free(buf);
    free(w);
    return rc;
}

static int parse_size(const char *s, int *w, int *h) {
    char *end;
    long x = strtol(s, &end, 10);
    if (*end != 'x') return -1;
    long y = strtol(end + 1, &end, 10);
    if (*end || x < 16 || y < 16 || x > 4096 || y > 4096 || (x & 1) || (y & 1)) return -1;
    *w = (int)x;
    *h = (int)y;
    return 0;
}

int cmd_animate(int argc, char **argv) {
    anim a;
    memset(&a, 0, sizeof a);
    a.out = "face.mp4";
    a.engine = "phonemes";
    a.emotion = "auto";
    a.intensity = 0.8;
    a.fps = 30;
    a.width = 512;
    a.height = 768;
    a.video = 1;
    a.supersample = 2;
    a.seed = 1;
    const char *model = NULL;
    static const struct option opts[] = {
        { "out", required_argument, 0, 'o' }, { "frames", required_argument, 0, 'F' },
        { "csv", required_argument, 0, 'c' }, { "npy", required_argument, 0, 'n' },
        { "glb", required_argument, 0, 'g' }, { "engine", required_argument, 0, 'e' },
        { "model", required_argument, 0, 'm' }, { "emotion", required_argument, 0, 'E' },
        { "intensity", required_argument, 0, 'i' }, { "fps", required_argument, 0, 'r' },
        { "size", required_argument, 0, 's' }, { "seed", required_argument, 0, 'S' }, { "supersample", required_argument, 0, 'A' },
        { "force", no_argument, 0, 'f' }, { "json", no_argument, 0, 'j' },
        { "no-video", no_argument, 0, 'N' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    int c, iv;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a.out = optarg; break;
        case 'F': a.frames_dir = optarg; break;
        case 'c': a.csv = optarg; break;
        case 'n': a.npy = optarg; break;
        case 'g': a.glb = optarg; break;
        case 'e': a.engine = optarg; break;
        case 'm': model = optarg; break;
        case 'E': a.emotion = optarg; break;
        case 'i': if (vh_cli_parse_double("animate", "--intensity", optarg, 0, 1.5, &a.intensity)) return 2; break;
        case 'r': if (vh_cli_parse_double("animate", "--fps", optarg, 1, 120, &a.fps)) return 2; break;
        case 's': if (parse_size(optarg, &a.width, &a.height)) return vh_cli_usage_error("animate", "--size wants WxH, even, 16..4096"); break;
        case 'S': if (vh_cli_parse_int("animate", "--seed", optarg, 0, 2147483647L, &iv)) return 2; a.seed = (uint64_t)iv; break;
        case 'A': if (vh_cli_parse_int("animate", "--supersample", optarg, 1, 4, &a.supersample)) return 2; break;
        case 'f': a.force = 1; break;
        case 'j': a.json = 1; break;
        case 'N': a.video = 0; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("animate", "unknown option");
        }
    }
    if (optind != argc - 1) return vh_cli_usage_error("animate", "expected one AUDIO file");
    a.audio = argv[optind];
    if (strcmp(a.engine, "phonemes") != 0 && strcmp(a.engine, "learned") != 0)
        return vh_cli_usage_error("animate", "--engine must be phonemes or learned");
    if (!vh_is_file(a.audio)) return vh_cli_fail(a.audio, "no such file");
    /* Emotion. */
    const char *source = "--emotion";
    int want_auto = strcmp(a.emotion, "auto") == 0;
    a.shown = want_auto ? "neutral" : a.emotion;
    if (vh_emotion_expression(a.shown, (float)a.intensity, a.expr))
        return vh_cli_usage_error("animate", "unknown emotion '%s' (auto, neutral, happy, sad, angry, fear, surprise, disgust, contempt, calm)", a.emotion);
    if (!a.force) {
        const char *outs[] = { a.video ? a.out : NULL, a.csv, a.npy, a.glb };
        for (size_t i = 0; i < 4; i++)
            if (outs[i] && vh_is_file(outs[i])) return vh_cli_fail(outs[i], "exists (use --force to replace it)");
    }
    int rc = 0, st;
    const char *rig_path = vh_cli_find_resource("assets/face/ict_rig.vhrig");
    if (!rig_path) return vh_cli_fail("assets/face/ict_rig.vhrig", "face rig not found");
    if ((st = vh_rig_load(rig_path, &a.rig))) return vh_cli_fail_status(st);
    if (strcmp(a.engine, "learned") == 0) {
        const char *mp = model ? model : vh_cli_find_resource("models/lipsync.safetensors");
        if (!mp) { rc = vh_cli_fail("models/lipsync.safetensors", "lip-sync model not found (use --model F)"); goto done; }
        if ((st = vh_lipsync_load(mp, &a.ls))) { rc = vh_cli_fail_status(st); goto done; }
    } else if ((st = vh_phone_rec_new(NULL, &a.rec))) { rc = vh_cli_fail_status(st); goto done; }
    if (want_auto) {
        const char *sp = vh_cli_find_resource("models/ser.safetensors");
        if (!sp) {
            /* Without the model the face stays neutral; say so. */
            source = "auto: no speech-emotion model (models/ser.safetensors) found, neutral; use --emotion NAME";
        } else {
            if ((st = vh_ser_load(sp, &a.ser))) { rc = vh_cli_fail_status(st); goto done; }
            if (vh_ser_get_config(a.ser)->sample_rate != RATE) { rc = vh_cli_fail(sp, "speech-emotion model is not a 16 kHz model"); goto done; }
            source = "auto: speech-emotion model";
        }
    }
    vh_eyes_init(&a.eyes, a.seed, a.fps, 15);
    if (a.video || a.frames_dir) {
        vh_render_params rp = vh_render_default_params();
        rp.width = a.width;
        rp.height = a.height;
        rp.supersample = a.supersample;
        int nren = vh_threads_get() < 1 ? 1 : vh_threads_get() > MAX_PAR ? MAX_PAR : vh_threads_get();
        for (; a.nren < nren; a.nren++) {
            if ((st = vh_renderer_new(a.rig, &rp, &a.ren[a.nren]))) { rc = vh_cli_fail_status(st); goto done; }
            a.pos[a.nren] = malloc((size_t)vh_rig_vertex_count(a.rig) * 3 * sizeof *a.pos[0]);
            if (!a.pos[a.nren]) { a.nren++; rc = vh_cli_fail(a.audio, "out of memory"); goto done; }
        }
    }
    if (a.frames_dir) {
        if (vh_mkdir_p(a.frames_dir)) { rc = vh_cli_fail(a.frames_dir, "cannot create the folder"); goto done; }
    }
    if (a.video) {
        vh_writer_params wp = vh_writer_default_params();
        wp.width = a.width;
        wp.height = a.height;
        wp.fps = a.fps;
        wp.audio_rate = RATE;
        wp.overwrite = a.force;
        wp.preset = "veryfast";
        if ((st = vh_video_writer_open(a.out, &wp, &a.vw))) { rc = vh_cli_fail_status(st); goto done; }
        if (enc_start(&a.enc, a.vw, a.width, a.height)) { rc = vh_cli_fail(a.out, "cannot start the encoder thread"); goto done; }
    }
    if (a.csv && (st = vh_anim_csv_open(a.csv, a.fps, a.force, &a.csvw))) { rc = vh_cli_fail_status(st); goto done; }
    if (a.npy && (st = vh_anim_npy_open(a.npy, a.force, &a.npyw))) { rc = vh_cli_fail_status(st); goto done; }
    rc = run(&a);
    if (!rc && a.glb && (st = vh_anim_write_glb(a.rig, a.track, (int)a.frames, a.fps, a.glb, a.force))) rc = vh_cli_fail_status(st);
    if (!rc && a.csvw) { st = vh_anim_csv_close(a.csvw, 1); a.csvw = NULL; if (st) rc = vh_cli_fail_status(st); }
    if (!rc && a.npyw) { st = vh_anim_npy_close(a.npyw, 1); a.npyw = NULL; if (st) rc = vh_cli_fail_status(st); }
    if (!rc && a.vw && enc_stop(&a.enc)) rc = vh_cli_fail(a.out, "%s", a.enc.msg);
    if (!rc && a.vw) { st = vh_video_writer_finish(a.vw); a.vw = NULL; if (st) rc = vh_cli_fail_status(st); }
    if (!rc && a.ser) {
        /* The emotion shown longest (by frames); silence counts as neutral. */
        const vh_ser_config *c = vh_ser_get_config(a.ser);
        double bestf = a.label_frames[VH_SER_MAX_CLASSES];
        for (int i = 0; i < c->n_classes; i++)
            if (a.label_frames[i] > bestf) { bestf = a.label_frames[i]; a.shown = c->labels[i]; }
    }
    if (!rc) {
        double mean_open = a.frames ? a.mouth_open_sum / (double)a.frames : 0;
        if (a.json) {
            vh_buf b = { 0 };
            vh_json_writer jw;
            vh_jw_init(&jw, &b, 0);
            vh_jw_object_begin(&jw);
            vh_jw_key(&jw, "emotion"); vh_jw_string(&jw, a.shown);
            vh_jw_key(&jw, "intensity"); vh_jw_number(&jw, a.intensity);
            vh_jw_key(&jw, "emotion_source"); vh_jw_string(&jw, source);
            vh_jw_key(&jw, "engine"); vh_jw_string(&jw, a.engine);
            vh_jw_key(&jw, "frames"); vh_jw_int(&jw, a.frames);
            vh_jw_key(&jw, "fps"); vh_jw_number(&jw, a.fps);
            vh_jw_key(&jw, "mean_jaw_open"); vh_jw_number(&jw, mean_open);
            if (a.video) { vh_jw_key(&jw, "video"); vh_jw_string(&jw, a.out); }
            vh_jw_object_end(&jw);
            vh_cli_print_json(&b);
        } else {
            printf("emotion: %s (intensity %.2f; %s)\n", a.shown, a.intensity, source);
            printf("frames: %ld at %.4g fps, engine %s, mean jawOpen %.3f%s%s\n", a.frames, a.fps, a.engine, mean_open,
                   a.video ? ", video " : "", a.video ? a.out : "");
        }
    }
done:
    if (rc) cleanup_frames(&a);
    vh_anim_csv_close(a.csvw, 0);
    vh_anim_npy_close(a.npyw, 0);
    enc_free(&a.enc); /* before the writer it uses */
    vh_video_writer_abort(a.vw);
    vh_phone_rec_free(a.rec);
    vh_lipsync_free(a.ls);
    vh_ser_free(a.ser);
    for (int i = 0; i < a.nren; i++) {
        vh_renderer_free(a.ren[i]);
        free(a.pos[i]);
    }
    vh_rig_free(a.rig);
    free(a.track);
    return rc;
}
