/* Media module tests on synthetic input: frames + a sine tone are encoded with
 * the writer and read back (count, size, pixels, timestamps, audio length and
 * pitch after resampling), a hand-made stereo WAV checks channel averaging,
 * and error cases check status codes and that nothing partial is left. */
#include "verhm/media.h"
#include "vh_test.h"
#include <dirent.h>
#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <stdint.h>
#include <unistd.h>

#define W 96
#define H 64
#define FPS 25
#define NFRAMES 20
#define ARATE 44100
#define TONE 440.0

static char tmpdir[256];

static const char *tpath(const char *name) {
    static char buf[4][512];
    static int i;
    char *b = buf[i++ & 3];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

/* Deterministic test frame: smooth gradients plus a moving square. */
static void make_frame(vh_image *img, int k) {
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = vh_image_at(img, x, y);
            int in_sq = x >= 8 + 3 * k && x < 24 + 3 * k && y >= 20 && y < 36;
            p[0] = (uint8_t)(x * 255 / (W - 1));
            p[1] = (uint8_t)(y * 255 / (H - 1));
            p[2] = in_sq ? 230 : (uint8_t)(40 + 5 * k);
        }
}

static double mean_abs_diff(const vh_image *a, const vh_image *b) {
    double s = 0;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w * a->c; x++)
            s += fabs((double)a->data[y * a->stride + x] - (double)b->data[y * b->stride + x]);
    return s / ((double)a->w * a->h * a->c);
}

static void sine(float *s, size_t n, double freq, int rate, double amp) {
    for (size_t i = 0; i < n; i++) s[i] = (float)(amp * sin(2 * M_PI * freq * (double)i / rate));
}

/* Frequency from rising zero crossings in s[from, to). */
static double zc_freq(const float *s, size_t from, size_t to, int rate) {
    size_t first = 0, last = 0;
    int count = 0;
    for (size_t i = from + 1; i < to; i++)
        if (s[i - 1] < 0 && s[i] >= 0) {
            if (!count) first = i;
            last = i;
            count++;
        }
    if (count < 2) return 0;
    return (double)(count - 1) * rate / (double)(last - first);
}

static int write_test_video(const char *path, int with_audio) {
    vh_writer_params p = vh_writer_default_params();
    p.width = W;
    p.height = H;
    p.fps = FPS;
    p.crf = 16;
    p.preset = "veryfast";
    p.audio_rate = with_audio ? ARATE : 0;
    vh_video_writer *w;
    int st = vh_video_writer_open(path, &p, &w);
    if (st) return st;
    vh_image img;
    vh_image_alloc(&img, W, H, 3);
    float *a = malloc(sizeof(float) * ARATE);
    sine(a, ARATE, TONE, ARATE, 0.5);
    size_t per = ARATE / FPS, pos = 0;
    for (int k = 0; k < NFRAMES && !st; k++) {
        make_frame(&img, k);
        st = vh_video_writer_frame(w, &img);
        if (!st && with_audio) { /* uneven chunks exercise the FIFO */
            size_t n = k % 2 ? per + 37 : per - 37;
            st = vh_video_writer_audio(w, a + pos, n);
            pos += n;
        }
    }
    vh_image_free(&img);
    free(a);
    if (st) { vh_video_writer_abort(w); return st; }
    return vh_video_writer_finish(w);
}

static int dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

VH_TEST(roundtrip_video) {
    const char *path = tpath("rt.mp4");
    VH_CHECK_OK(write_test_video(path, 1));
    vh_video *v;
    VH_CHECK_OK(vh_video_open(path, &v));
    if (!v) return;
    const vh_video_info *in = vh_video_get_info(v);
    VH_CHECK_INT_EQ(in->width, W);
    VH_CHECK_INT_EQ(in->height, H);
    VH_CHECK_NEAR(in->fps, FPS, 0.01);
    VH_CHECK_STR_EQ(in->codec, "h264");
    VH_CHECK_INT_EQ(in->has_audio, 1);
    VH_CHECK_INT_EQ(in->audio_rate, ARATE);
    VH_CHECK_INT_EQ(in->audio_channels, 1);
    VH_CHECK_NEAR(in->duration, (double)NFRAMES / FPS, 0.05);
    vh_image ref;
    vh_image_alloc(&ref, W, H, 3);
    const vh_image *f;
    double t, prev = -1, worst = 0;
    int n = 0;
    while (vh_video_read(v, &f, &t) == VH_OK) {
        VH_CHECK_INT_EQ(f->w, W);
        VH_CHECK_INT_EQ(f->h, H);
        VH_CHECK_INT_EQ(f->c, 3);
        VH_CHECK_NEAR(t, (double)n / FPS, 1e-3);
        if (prev >= 0) VH_CHECK_NEAR(t - prev, 1.0 / FPS, 1e-3);
        prev = t;
        make_frame(&ref, n);
        double d = mean_abs_diff(f, &ref);
        if (d > worst) worst = d;
        n++;
    }
    VH_CHECK_INT_EQ(n, NFRAMES);
    VH_CHECK(worst < 3.0);
    VH_CHECK_INT_EQ(vh_video_skipped(v), 0);
    VH_CHECK_INT_EQ(vh_video_read(v, &f, &t), VH_EEMPTY);
    /* Seek: the next frame is the first at or after t, with its pixels. */
    VH_CHECK_OK(vh_video_seek(v, 0.4));
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 0.4, 1e-3);
    make_frame(&ref, 10);
    if (f) VH_CHECK(mean_abs_diff(f, &ref) < 3.0);
    VH_CHECK_OK(vh_video_seek(v, 0.41)); /* between frames → the next one */
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 0.44, 1e-3);
    VH_CHECK_OK(vh_video_seek(v, 0.0));
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 0.0, 1e-3);
    VH_CHECK_OK(vh_video_seek(v, 100.0)); /* past the end: reads say so */
    VH_CHECK_INT_EQ(vh_video_read(v, &f, &t), VH_EEMPTY);
    VH_CHECK_INT_EQ(vh_video_seek(v, -1.0), VH_EINVAL);
    vh_image_free(&ref);
    vh_video_close(v);
}

VH_TEST(roundtrip_audio_resampled) {
    const char *path = tpath("rt.mp4"); /* written by roundtrip_video */
    float *s = NULL;
    size_t n = 0;
    VH_CHECK_OK(vh_audio_load(path, 16000, 0, &s, &n));
    /* 20 frames at 25 fps = 0.8 s; AAC priming is trimmed by the edit list. */
    VH_CHECK_NEAR((double)n, 0.8 * 16000, 0.8 * 16000 * 0.03);
    if (n > 4000) {
        VH_CHECK_NEAR(zc_freq(s, 1000, n - 1000, 16000), TONE, 2.0);
        double peak = 0;
        for (size_t i = 1000; i < n - 1000; i++) peak = fmax(peak, fabs(s[i]));
        VH_CHECK_NEAR(peak, 0.5, 0.05);
    }
    /* max_seconds limits the result. */
    float *s2 = NULL;
    size_t n2 = 0;
    VH_CHECK_OK(vh_audio_load(path, 16000, 0.25, &s2, &n2));
    VH_CHECK_INT_EQ(n2, 4000);
    /* The streaming reader yields the same samples in small pieces. */
    vh_audio_reader *r;
    VH_CHECK_OK(vh_audio_open(path, 16000, &r));
    if (r) {
        VH_CHECK_NEAR(vh_audio_duration(r), 0.8, 0.05);
        float buf[777];
        size_t pos = 0, mismatch = 0;
        long got;
        while ((got = vh_audio_read(r, buf, sizeof buf / sizeof buf[0])) > 0) {
            for (long i = 0; i < got; i++)
                if (pos + (size_t)i < n && buf[i] != s[pos + (size_t)i]) mismatch++;
            pos += (size_t)got;
        }
        VH_CHECK_INT_EQ(got, 0);
        VH_CHECK_INT_EQ(pos, n);
        VH_CHECK_INT_EQ(mismatch, 0);
        vh_audio_close(r);
    }
    vh_free(s);
    vh_free(s2);
}

/* Writes a 16-bit PCM WAV with `ch` interleaved channels from fn(i, c). */
static void write_wav(const char *path, int rate, int ch, size_t frames, double (*fn)(size_t, int, int)) {
    FILE *fp = fopen(path, "wb");
    uint32_t data = (uint32_t)(frames * ch * 2), u32;
    uint16_t u16;
    fwrite("RIFF", 1, 4, fp);
    u32 = 36 + data; fwrite(&u32, 4, 1, fp);
    fwrite("WAVEfmt ", 1, 8, fp);
    u32 = 16; fwrite(&u32, 4, 1, fp);
    u16 = 1; fwrite(&u16, 2, 1, fp);
    u16 = (uint16_t)ch; fwrite(&u16, 2, 1, fp);
    u32 = (uint32_t)rate; fwrite(&u32, 4, 1, fp);
    u32 = (uint32_t)(rate * ch * 2); fwrite(&u32, 4, 1, fp);
    u16 = (uint16_t)(ch * 2); fwrite(&u16, 2, 1, fp);
    u16 = 16; fwrite(&u16, 2, 1, fp);
    fwrite("data", 1, 4, fp);
    fwrite(&data, 4, 1, fp);
    for (size_t i = 0; i < frames; i++)
        for (int c = 0; c < ch; c++) {
            int16_t v = (int16_t)lrint(32767 * fn(i, c, rate));
            fwrite(&v, 2, 1, fp);
        }
    fclose(fp);
}

static double opposite(size_t i, int c, int rate) { /* L = -R: averages to silence */
    double s = 0.5 * sin(2 * M_PI * 300.0 * (double)i / rate);
    return c == 0 ? s : -s;
}
static double left_only(size_t i, int c, int rate) { /* tone in L, silence in R */
    return c == 0 ? 0.8 * sin(2 * M_PI * 1000.0 * (double)i / rate) : 0.0;
}

VH_TEST(stereo_wav_averaged) {
    const char *p1 = tpath("opp.wav"), *p2 = tpath("left.wav");
    write_wav(p1, 48000, 2, 48000, opposite);
    write_wav(p2, 48000, 2, 24000, left_only);
    float *s = NULL;
    size_t n = 0;
    VH_CHECK_OK(vh_audio_load(p1, 16000, 0, &s, &n));
    VH_CHECK_NEAR((double)n, 16000, 2);
    double peak = 0;
    for (size_t i = 0; i < n; i++) peak = fmax(peak, fabs(s[i]));
    VH_CHECK(peak < 1e-3);
    vh_free(s);
    VH_CHECK_OK(vh_audio_load(p2, 22050, 0, &s, &n));
    VH_CHECK_NEAR((double)n, 11025, 2);
    peak = 0;
    for (size_t i = 500; i + 500 < n; i++) peak = fmax(peak, fabs(s[i]));
    VH_CHECK_NEAR(peak, 0.4, 0.01); /* (0.8 + 0) / 2 */
    VH_CHECK_NEAR(zc_freq(s, 500, n - 500, 22050), 1000.0, 2.0);
    vh_free(s);
}

VH_TEST(writer_abort_and_overwrite) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/abort", tmpdir);
    mkdir(dir, 0755);
    char path[400];
    snprintf(path, sizeof path, "%s/out.mp4", dir);
    vh_writer_params p = vh_writer_default_params();
    p.width = 32;
    p.height = 32;
    p.audio_rate = 16000;
    vh_video_writer *w;
    VH_CHECK_OK(vh_video_writer_open(path, &p, &w));
    vh_image img;
    vh_image_alloc(&img, 32, 32, 1); /* gray input is accepted */
    for (int k = 0; k < 3 && w; k++) VH_CHECK_OK(vh_video_writer_frame(w, &img));
    vh_video_writer_abort(w);
    VH_CHECK_INT_EQ(dir_entries(dir), 0); /* neither the file nor a temporary */
    /* Finishing without frames fails and leaves nothing. */
    VH_CHECK_OK(vh_video_writer_open(path, &p, &w));
    VH_CHECK_INT_EQ(vh_video_writer_finish(w), VH_EEMPTY);
    VH_CHECK_INT_EQ(dir_entries(dir), 0);
    /* An existing file is refused without overwrite and kept intact. */
    FILE *fp = fopen(path, "w");
    fputs("keep", fp);
    fclose(fp);
    w = (vh_video_writer *)1;
    VH_CHECK_INT_EQ(vh_video_writer_open(path, &p, &w), VH_EEXIST);
    VH_CHECK(w == NULL);
    p.overwrite = 1;
    VH_CHECK_OK(vh_video_writer_open(path, &p, &w));
    if (w) {
        VH_CHECK_OK(vh_video_writer_frame(w, &img));
        VH_CHECK_OK(vh_video_writer_finish(w));
    }
    VH_CHECK_INT_EQ(dir_entries(dir), 1);
    vh_video *v = NULL;
    VH_CHECK_OK(vh_video_open(path, &v)); /* replaced by a real video */
    vh_video_close(v);
    vh_image_free(&img);
}

VH_TEST(writer_bad_params) {
    vh_writer_params p = vh_writer_default_params();
    vh_video_writer *w;
    p.width = 33;
    p.height = 32;
    VH_CHECK_INT_EQ(vh_video_writer_open(tpath("bad.mp4"), &p, &w), VH_EINVAL);
    p.width = 32;
    p.fps = 0;
    VH_CHECK_INT_EQ(vh_video_writer_open(tpath("bad.mp4"), &p, &w), VH_EINVAL);
    p.fps = 30;
    p.crf = 60;
    VH_CHECK_INT_EQ(vh_video_writer_open(tpath("bad.mp4"), &p, &w), VH_EINVAL);
    p.crf = 0;
    p.preset = "warp-speed";
    VH_CHECK_INT_EQ(vh_video_writer_open(tpath("bad.mp4"), &p, &w), VH_EINVAL);
    VH_CHECK(access(tpath("bad.mp4"), F_OK) != 0);
    p.preset = NULL;
    VH_CHECK_INT_EQ(vh_video_writer_open(tpath("nodir/x.mp4"), &p, &w), VH_EIO);
    VH_CHECK_OK(vh_video_writer_open(tpath("bad.mp4"), &p, &w));
    if (!w) return;
    vh_image img;
    vh_image_alloc(&img, 30, 32, 3);
    VH_CHECK_INT_EQ(vh_video_writer_frame(w, &img), VH_EINVAL); /* wrong size */
    VH_CHECK(strstr(vh_video_writer_error(w), "30x32") != NULL);
    float a[4] = {0};
    VH_CHECK_INT_EQ(vh_video_writer_audio(w, a, 4), VH_EINVAL); /* no audio track */
    vh_image_free(&img);
    vh_video_writer_abort(w);
    VH_CHECK(access(tpath("bad.mp4"), F_OK) != 0);
}

VH_TEST(open_errors) {
    vh_video *v = (vh_video *)1;
    VH_CHECK_INT_EQ(vh_video_open(tpath("missing.mp4"), &v), VH_ENOTFOUND);
    VH_CHECK(v == NULL);
    VH_CHECK(strstr(vh_last_error(), "missing.mp4") != NULL);
    FILE *fp = fopen(tpath("empty.mp4"), "w");
    fclose(fp);
    VH_CHECK_INT_EQ(vh_video_open(tpath("empty.mp4"), &v), VH_EFORMAT);
    fp = fopen(tpath("text.mp4"), "w");
    for (int i = 0; i < 200; i++) fprintf(fp, "this is not a video, line %d\n", i);
    fclose(fp);
    VH_CHECK_INT_EQ(vh_video_open(tpath("text.mp4"), &v), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "text.mp4") != NULL);
    fp = fopen(tpath("notes.txt"), "w");
    fputs("plain text that FFmpeg could render as ANSI art\n", fp);
    fclose(fp);
    VH_CHECK_INT_EQ(vh_video_open(tpath("notes.txt"), &v), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_video_open(tmpdir, &v), VH_EIO);
    VH_CHECK_INT_EQ(vh_video_open("/dev/video99", &v), VH_ENOTFOUND);
    VH_CHECK(strstr(vh_last_error(), "camera") != NULL);
    /* Audio-only input has no video stream. */
    VH_CHECK_INT_EQ(vh_video_open(tpath("opp.wav"), &v), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "no video stream") != NULL);

    float *s = (float *)1;
    size_t n = 7;
    VH_CHECK_INT_EQ(vh_audio_load(tpath("missing.wav"), 16000, 0, &s, &n), VH_ENOTFOUND);
    VH_CHECK(s == NULL && n == 0);
    VH_CHECK_INT_EQ(vh_audio_load(tpath("text.mp4"), 16000, 0, &s, &n), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_audio_load(tpath("empty.mp4"), 16000, 0, &s, &n), VH_EFORMAT);
    VH_CHECK_INT_EQ(vh_audio_load(tpath("opp.wav"), 10, 0, &s, &n), VH_EINVAL);
    VH_CHECK_OK(write_test_video(tpath("silent.mp4"), 0));
    VH_CHECK_INT_EQ(vh_audio_load(tpath("silent.mp4"), 16000, 0, &s, &n), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "no audio stream") != NULL);
}

VH_TEST(truncated_video_counts_damage) {
    /* Keep the first 60% of a clip: the cut packet is skipped and counted. */
    char *data;
    size_t size;
    VH_CHECK_OK(vh_file_read_all(tpath("rt.mp4"), 0, &data, &size));
    if (!data) return;
    FILE *fp = fopen(tpath("cut.mp4"), "wb");
    fwrite(data, 1, size * 6 / 10, fp);
    fclose(fp);
    vh_free(data);
    vh_video *v;
    VH_CHECK_OK(vh_video_open(tpath("cut.mp4"), &v));
    if (!v) return;
    int n = 0;
    int st;
    while ((st = vh_video_read(v, NULL, NULL)) == VH_OK) n++;
    VH_CHECK_INT_EQ(st, VH_EEMPTY);
    VH_CHECK(n > 0 && n < NFRAMES);
    VH_CHECK(vh_video_skipped(v) > 0);
    vh_video_close(v);
}

/* A raw H.264 elementary stream (Annex B, no container, no timestamps, no
 * index), encoded here with libavcodec directly: timestamps are best-effort
 * (the raw demuxer assumes 25 fps) and seeking falls back to rewinding. */
static int write_raw_h264(const char *path) {
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    if (!c) return -1;
    AVCodecContext *e = avcodec_alloc_context3(c);
    AVFrame *fr = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    FILE *fp = fopen(path, "wb");
    int rc = -1;
    if (!e || !fr || !pkt || !fp) goto done;
    e->width = W;
    e->height = H;
    e->time_base = (AVRational){1, FPS};
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->gop_size = 5;
    e->thread_count = 1;
    av_opt_set(e->priv_data, "preset", "ultrafast", 0);
    if (avcodec_open2(e, c, NULL) < 0) goto done;
    fr->format = AV_PIX_FMT_YUV420P;
    fr->width = W;
    fr->height = H;
    if (av_frame_get_buffer(fr, 0) < 0) goto done;
    for (int k = 0; k <= NFRAMES; k++) {
        int r;
        if (k < NFRAMES) {
            if (av_frame_make_writable(fr) < 0) goto done;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) fr->data[0][y * fr->linesize[0] + x] = (uint8_t)(16 + 10 * k + x);
            for (int y = 0; y < H / 2; y++)
                for (int x = 0; x < W / 2; x++) {
                    fr->data[1][y * fr->linesize[1] + x] = 128;
                    fr->data[2][y * fr->linesize[2] + x] = 128;
                }
            fr->pts = k;
            r = avcodec_send_frame(e, fr);
        } else {
            r = avcodec_send_frame(e, NULL);
        }
        if (r < 0) goto done;
        while (avcodec_receive_packet(e, pkt) == 0) {
            fwrite(pkt->data, 1, (size_t)pkt->size, fp);
            av_packet_unref(pkt);
        }
    }
    rc = 0;
done:
    if (fp) fclose(fp);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    avcodec_free_context(&e);
    return rc;
}

VH_TEST(raw_stream_timestamps_and_seek) {
    const char *path = tpath("raw.h264");
    VH_CHECK_INT_EQ(write_raw_h264(path), 0);
    vh_video *v;
    VH_CHECK_OK(vh_video_open(path, &v));
    if (!v) return;
    VH_CHECK_STR_EQ(vh_video_get_info(v)->codec, "h264");
    const vh_image *f;
    double t, prev = -1;
    int n = 0, monotonic = 1;
    uint8_t first_px[NFRAMES];
    while (n < NFRAMES && vh_video_read(v, &f, &t) == VH_OK) {
        if (!(t > prev)) monotonic = 0;
        prev = t;
        first_px[n++] = f->data[0];
    }
    VH_CHECK_INT_EQ(n, NFRAMES);
    VH_CHECK(monotonic);
    VH_CHECK_NEAR(prev, (NFRAMES - 1) / 25.0, 0.01);
    VH_CHECK_OK(vh_video_seek(v, 0.5)); /* first at/after 0.5 s: frame 13 (0.52 s) */
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 0.52, 1e-3);
    if (f) VH_CHECK_INT_EQ(f->data[0], first_px[13]);
    vh_video_close(v);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vh_test_media_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    VH_RUN(roundtrip_video);
    VH_RUN(roundtrip_audio_resampled);
    VH_RUN(stereo_wav_averaged);
    VH_RUN(writer_abort_and_overwrite);
    VH_RUN(writer_bad_params);
    VH_RUN(open_errors);
    VH_RUN(truncated_video_counts_damage);
    VH_RUN(raw_stream_timestamps_and_seek);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    return vh_test_summary();
}
