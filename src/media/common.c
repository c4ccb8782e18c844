/* Media module glue: FFmpeg log routing, device registration, guarded input
 * opening with clear error messages shared by the video and audio readers. */
#define _GNU_SOURCE
#include "media_internal.h"
#include <errno.h>
#include <libavdevice/avdevice.h>
#include <libavutil/log.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

static pthread_once_t media_once = PTHREAD_ONCE_INIT;

/* FFmpeg messages are decoder/demuxer internals: they go to the debug log,
 * failures reach the caller through status codes and handle messages. */
static void av_log_forward(void *avcl, int level, const char *fmt, va_list ap) {
    if (level > AV_LOG_WARNING) return;
    char line[1024];
    int prefix = 1;
    av_log_format_line2(avcl, level, fmt, ap, line, (int)sizeof line, &prefix);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (n) vh_log(VH_LOG_DEBUG, "ffmpeg: %s", line);
}

static void media_init_once(void) {
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(av_log_forward);
    avdevice_register_all();
}

void vh__media_init(void) { pthread_once(&media_once, media_init_once); }

const char *vh__av_err(int averr) {
    static _Thread_local char buf[AV_ERROR_MAX_STRING_SIZE];
    if (av_strerror(averr, buf, sizeof buf) < 0) snprintf(buf, sizeof buf, "error %d", averr);
    return buf;
}

static int is_camera_path(const char *path) {
    return strncmp(path, "/dev/video", 10) == 0;
}

int vh__media_open_input(vh__err *err, const char *path, AVFormatContext **out, int *is_device) {
    *out = NULL;
    if (is_device) *is_device = 0;
    vh__media_init();
    if (!path || !*path) return vh__fail(err, VH_EINVAL, "media: empty path");
    int camera = is_camera_path(path);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return vh__fail(err, VH_ENOTFOUND, camera ? "%s: no such camera device" : "%s: no such file",
                            path);
        return vh__fail(err, VH_EIO, "%s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) return vh__fail(err, VH_EIO, "%s: is a directory", path);
    if (!camera && S_ISREG(st.st_mode) && st.st_size == 0)
        return vh__fail(err, VH_EFORMAT, "%s: empty file", path);

    const AVInputFormat *ifmt = NULL;
    AVDictionary *opts = NULL;
    if (camera) {
        ifmt = av_find_input_format("video4linux2");
        if (!ifmt) return vh__fail(err, VH_EUNSUPPORTED, "%s: this FFmpeg has no v4l2 input", path);
    } else {
        av_dict_set(&opts, "protocol_whitelist", "file", 0);
    }
    AVFormatContext *fc = NULL;
    /* FFmpeg treats ':' as a protocol separator: force the file protocol. */
    char *url = NULL;
    if (!camera) {
        size_t n = strlen(path);
        url = av_malloc(n + 6);
        if (!url) { av_dict_free(&opts); return vh__fail(err, VH_ENOMEM, "%s: out of memory", path); }
        memcpy(url, "file:", 5);
        memcpy(url + 5, path, n + 1);
    }
    int r = avformat_open_input(&fc, camera ? path : url, ifmt, &opts);
    av_dict_free(&opts);
    av_free(url);
    if (r < 0) {
        if (r == AVERROR(ENOENT) || r == AVERROR(ENODEV) || r == AVERROR(ENXIO))
            return vh__fail(err, VH_ENOTFOUND, "%s: cannot open: %s", path, vh__av_err(r));
        if (r == AVERROR(EACCES) || r == AVERROR(EBUSY) || r == AVERROR(EIO))
            return vh__fail(err, VH_EIO, "%s: cannot open: %s", path, vh__av_err(r));
        return vh__fail(err, VH_EFORMAT, "%s: not a recognized media file (%s)", path, vh__av_err(r));
    }
    r = avformat_find_stream_info(fc, NULL);
    if (r < 0) {
        avformat_close_input(&fc);
        return vh__fail(err, VH_EFORMAT, "%s: cannot read stream information (%s)", path, vh__av_err(r));
    }
    *out = fc;
    if (is_device) *is_device = camera;
    return VH_OK;
}
