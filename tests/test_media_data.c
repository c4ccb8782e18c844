/* Media module on real data: the GRID clips (360x288 MPEG-1 video at 25 fps
 * with MPEG-1 Layer II stereo audio at 44.1 kHz, ~3 s each). */
#include "verhm/media.h"
#include "vh_test.h"
#include <dirent.h>

static char clip[1024];
static const char *data_dir;

/* Decodes every frame of `path` keeping a copy of frame `keep` (if >= 0). */
static int count_frames(const char *path, int keep, vh_image *kept, double *kept_t, int *monotonic,
                        double *max_gap, int64_t *skipped) {
    vh_video *v;
    if (vh_video_open(path, &v) != VH_OK) return -1;
    const vh_image *f;
    double t, prev = -1;
    int n = 0;
    *monotonic = 1;
    *max_gap = 0;
    while (vh_video_read(v, &f, &t) == VH_OK) {
        if (prev >= 0) {
            if (!(t > prev)) *monotonic = 0;
            if (t - prev > *max_gap) *max_gap = t - prev;
        }
        prev = t;
        if (n == keep && kept) {
            vh_image_clone(f, kept);
            *kept_t = t;
        }
        n++;
    }
    *skipped = vh_video_skipped(v);
    vh_video_close(v);
    return n;
}

VH_TEST(grid_info) {
    vh_video *v;
    VH_CHECK_OK(vh_video_open(clip, &v));
    if (!v) return;
    const vh_video_info *in = vh_video_get_info(v);
    VH_CHECK_INT_EQ(in->width, 360);
    VH_CHECK_INT_EQ(in->height, 288);
    VH_CHECK_NEAR(in->fps, 25.0, 0.01);
    VH_CHECK_NEAR(in->duration, 3.0, 0.1);
    VH_CHECK_NEAR((double)in->frame_count, 75, 2);
    VH_CHECK_STR_EQ(in->codec, "mpeg1video");
    VH_CHECK_INT_EQ(in->has_audio, 1);
    VH_CHECK_INT_EQ(in->audio_rate, 44100);
    VH_CHECK_INT_EQ(in->audio_channels, 2);
    vh_video_close(v);
}

VH_TEST(grid_frames_and_seek) {
    vh_image at1 = {0};
    double t1 = -1, gap;
    int mono;
    int64_t skipped;
    int n = count_frames(clip, 25, &at1, &t1, &mono, &gap, &skipped);
    VH_CHECK_NEAR(n, 75, 2);
    VH_CHECK(mono);
    VH_CHECK_NEAR(gap, 0.04, 1e-3);
    VH_CHECK_INT_EQ(skipped, 0);
    VH_CHECK_NEAR(t1, 1.0, 1e-3);
    /* Seeking to 1.0 s gives the frame that sequential decoding shows at 1.0 s. */
    vh_video *v;
    VH_CHECK_OK(vh_video_open(clip, &v));
    if (!v || !at1.data) { vh_video_close(v); vh_image_free(&at1); return; }
    VH_CHECK_OK(vh_video_seek(v, 1.0));
    const vh_image *f = NULL;
    double t = -1;
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 1.0, 1e-3);
    if (f) {
        long diff = 0;
        for (int y = 0; y < f->h; y++)
            for (int x = 0; x < f->w * 3; x++)
                diff += labs((long)f->data[y * f->stride + x] - (long)at1.data[y * at1.stride + x]);
        VH_CHECK((double)diff / (f->w * f->h * 3) < 0.5);
    }
    /* Backwards seek, then to a time between frames (→ the next frame). */
    VH_CHECK_OK(vh_video_seek(v, 0.0));
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 0.0, 1e-3);
    VH_CHECK_OK(vh_video_seek(v, 2.01));
    VH_CHECK_OK(vh_video_read(v, &f, &t));
    VH_CHECK_NEAR(t, 2.04, 1e-3);
    int rest = 1;
    while (vh_video_read(v, NULL, NULL) == VH_OK) rest++;
    VH_CHECK_INT_EQ(rest, n - 51);
    vh_video_close(v);
    vh_image_free(&at1);
}

/* Seeks to many times (forwards and backwards) and compares with the frames
 * of one sequential pass: same time, same pixels. */
VH_TEST(grid_seek_sweep) {
    vh_video *v;
    VH_CHECK_OK(vh_video_open(clip, &v));
    if (!v) return;
    vh_image frames[80];
    double times[80];
    int n = 0;
    const vh_image *f;
    double t;
    while (n < 80 && vh_video_read(v, &f, &t) == VH_OK) {
        vh_image_clone(f, &frames[n]);
        times[n++] = t;
    }
    static const double targets[] = {2.5, 0.3, 0.5, 1.7, 0.0, 2.96, 0.47, 0.49, 1.2, 0.04};
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        double want = targets[k];
        int idx = 0;
        while (idx < n && times[idx] < want - 1e-6) idx++;
        if (vh_video_seek(v, want) != VH_OK || vh_video_read(v, &f, &t) != VH_OK) {
            VH_FAILMSG("seek %.2f failed: %s", want, vh_video_error(v));
            continue;
        }
        if (idx >= n || fabs(t - times[idx]) > 1e-6) {
            VH_FAILMSG("seek %.2f: got t=%.3f, want %.3f", want, t, idx < n ? times[idx] : -1.0);
            continue;
        }
        long diff = 0;
        for (int y = 0; y < f->h; y++)
            for (int x = 0; x < f->w * 3; x++)
                diff += labs((long)f->data[y * f->stride + x] - (long)frames[idx].data[y * frames[idx].stride + x]);
        if ((double)diff / (f->w * f->h * 3) > 0.5) VH_FAILMSG("seek %.2f: pixels differ (%ld)", want, diff);
    }
    for (int i = 0; i < n; i++) vh_image_free(&frames[i]);
    vh_video_close(v);
}

VH_TEST(grid_audio_16k) {
    float *s = NULL;
    size_t n = 0;
    VH_CHECK_OK(vh_audio_load(clip, 16000, 0, &s, &n));
    VH_CHECK_NEAR((double)n, 3.0 * 16000, 16000 * 0.05);
    double e = 0, peak = 0;
    for (size_t i = 0; i < n; i++) {
        e += (double)s[i] * s[i];
        peak = fmax(peak, fabs(s[i]));
    }
    double rms = n ? sqrt(e / n) : 0;
    VH_CHECK(rms > 0.005); /* someone speaks */
    VH_CHECK(peak <= 1.0);
    vh_free(s);
}

VH_TEST(all_grid_clips) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/video/grid", data_dir);
    DIR *d = opendir(dir);
    VH_CHECK(d != NULL);
    if (!d) return;
    struct dirent *e;
    int clips = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".mpg")) continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        double gap;
        int mono;
        int64_t skipped;
        int n = count_frames(p, -1, NULL, NULL, &mono, &gap, &skipped);
        if (n < 70 || n > 80 || !mono || skipped) VH_FAILMSG("%s: %d frames, monotonic %d, skipped %lld", p, n, mono, (long long)skipped);
        clips++;
    }
    closedir(d);
    VH_CHECK_INT_EQ(clips, 10);
}

int main(void) {
    data_dir = vh_test_require_data();
    snprintf(clip, sizeof clip, "%s/video/grid/bbaf2n.mpg", data_dir);
    VH_RUN(grid_info);
    VH_RUN(grid_frames_and_seek);
    VH_RUN(grid_seek_sweep);
    VH_RUN(grid_audio_16k);
    VH_RUN(all_grid_clips);
    return vh_test_summary();
}
