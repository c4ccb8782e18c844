/* Video reading: demux + threaded decode with libavformat/libavcodec, RGB
 * conversion with libswscale, PTS-based timestamps, keyframe seek + decode
 * forward, corrupt packets/frames skipped and counted. */
#define _GNU_SOURCE
#include "media_internal.h"
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Consecutive decode failures after which the stream is declared unreadable. */
#define VH__MAX_CONSECUTIVE_ERRORS 200

struct vh_video {
    vh__err err;
    char *path;
    AVFormatContext *fc;
    AVCodecContext *dec;
    AVStream *st;
    int vs;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt, sws_cs, sws_range;
    vh_image rgb;
    vh_video_info info;
    int is_device;
    int input_eof;   /* flush packet sent */
    int decoder_eof; /* decoder fully drained */
    int pending;     /* `frame` holds a decoded frame not yet returned */
    double pending_t;
    double start;    /* container start time in seconds, subtracted from PTS */
    double last_t;   /* time of the last frame produced (for missing PTS) */
    int have_last;
    double frame_dur;
    int64_t skipped;
};

static void fill_info(vh_video *v) {
    vh_video_info *in = &v->info;
    AVStream *st = v->st;
    memset(in, 0, sizeof *in);
    in->width = st->codecpar->width;
    in->height = st->codecpar->height;
    AVRational fr = st->avg_frame_rate;
    if (fr.num <= 0 || fr.den <= 0) fr = st->r_frame_rate;
    if (fr.num > 0 && fr.den > 0) in->fps = av_q2d(fr);
    if (!(in->fps > 0 && in->fps < 10000)) in->fps = 0;
    if (v->fc->duration > 0 && v->fc->duration != AV_NOPTS_VALUE)
        in->duration = (double)v->fc->duration / AV_TIME_BASE;
    else if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
        in->duration = (double)st->duration * av_q2d(st->time_base);
    if (st->nb_frames > 0) in->frame_count = st->nb_frames;
    else if (in->duration > 0 && in->fps > 0) in->frame_count = (int64_t)llround(in->duration * in->fps);
    int as = av_find_best_stream(v->fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (as >= 0) {
        AVCodecParameters *ap = v->fc->streams[as]->codecpar;
        in->has_audio = 1;
        in->audio_rate = ap->sample_rate;
        in->audio_channels = ap->ch_layout.nb_channels;
    }
    snprintf(in->codec, sizeof in->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
    v->frame_dur = in->fps > 0 ? 1.0 / in->fps : 1.0 / 25.0;
    if (v->fc->start_time != AV_NOPTS_VALUE) v->start = (double)v->fc->start_time / AV_TIME_BASE;
    else if (st->start_time != AV_NOPTS_VALUE) v->start = (double)st->start_time * av_q2d(st->time_base);
    if (v->is_device) v->start = 0; /* recomputed from the first frame */
}

int vh_video_open(const char *path, vh_video **out) {
    *out = NULL;
    vh_video *v = calloc(1, sizeof *v);
    if (!v) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path ? path : "(null)");
    v->vs = -1;
    int st = vh__media_open_input(&v->err, path, &v->fc, &v->is_device);
    if (st) { vh_video_close(v); return st; }
    v->path = vh__strdup(path);
    if (!v->path) { vh_video_close(v); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    const AVCodec *codec = NULL;
    int r = av_find_best_stream(v->fc, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (r == AVERROR_STREAM_NOT_FOUND) {
        vh_video_close(v);
        return vh__fail(NULL, VH_EFORMAT, "%s: no video stream", path);
    }
    if (r < 0 || !codec) {
        vh_video_close(v);
        return vh__fail(NULL, VH_EUNSUPPORTED, "%s: no decoder for the video stream", path);
    }
    v->vs = r;
    v->st = v->fc->streams[r];
    AVCodecParameters *par = v->st->codecpar;
    if (par->codec_id == AV_CODEC_ID_ANSI || par->codec_id == AV_CODEC_ID_BINTEXT ||
        par->codec_id == AV_CODEC_ID_XBIN || par->codec_id == AV_CODEC_ID_IDF) {
        vh_video_close(v); /* FFmpeg renders plain text files as "video" */
        return vh__fail(NULL, VH_EFORMAT, "%s: not a video file (text)", path);
    }
    if (par->width <= 0 || par->height <= 0 || par->width > VH_IMAGE_MAX_DIM ||
        par->height > VH_IMAGE_MAX_DIM || (int64_t)par->width * par->height > VH__MEDIA_MAX_PIXELS) {
        int w = par->width, h = par->height;
        vh_video_close(v);
        return vh__fail(NULL, w <= 0 || h <= 0 ? VH_EFORMAT : VH_ERANGE, "%s: unusable frame size %dx%d",
                        path, w, h);
    }
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (!v->dec || !v->pkt || !v->frame) { vh_video_close(v); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    r = avcodec_parameters_to_context(v->dec, par);
    if (r >= 0) {
        v->dec->pkt_timebase = v->st->time_base;
        v->dec->thread_count = v->is_device ? 1 : vh_threads_get();
        v->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        r = avcodec_open2(v->dec, codec, NULL);
    }
    if (r < 0) {
        vh_video_close(v);
        return vh__fail(NULL, VH_EFORMAT, "%s: cannot open the %s decoder (%s)", path, codec->name, vh__av_err(r));
    }
    fill_info(v);
    *out = v;
    return VH_OK;
}

void vh_video_close(vh_video *v) {
    if (!v) return;
    sws_freeContext(v->sws);
    vh_image_free(&v->rgb);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fc);
    free(v->path);
    free(v);
}

const vh_video_info *vh_video_get_info(const vh_video *v) { return &v->info; }
int64_t vh_video_skipped(const vh_video *v) { return v->skipped; }
const char *vh_video_error(const vh_video *v) { return v ? v->err.msg : ""; }

/* Timestamp of the frame in `v->frame`, seconds from the container start. */
static double frame_time(vh_video *v) {
    int64_t ts = v->frame->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) ts = v->frame->pts;
    double t;
    if (ts != AV_NOPTS_VALUE) {
        t = (double)ts * av_q2d(v->st->time_base);
        if (v->is_device && !v->have_last) v->start = t;
        t -= v->start;
    } else {
        t = v->have_last ? v->last_t + v->frame_dur : 0.0;
    }
    return t;
}

/* Decodes the next good frame into v->frame. VH_OK, VH_EEMPTY or an error. */
static int decode_next(vh_video *v) {
    int consecutive = 0;
    for (;;) {
        if (v->decoder_eof) return VH_EEMPTY;
        int r = avcodec_receive_frame(v->dec, v->frame);
        if (r >= 0) {
            if (v->frame->decode_error_flags || (v->frame->flags & AV_FRAME_FLAG_CORRUPT)) {
                v->skipped++;
                av_frame_unref(v->frame);
                if (++consecutive > VH__MAX_CONSECUTIVE_ERRORS) break;
                continue;
            }
            return VH_OK;
        }
        if (r == AVERROR_EOF) { v->decoder_eof = 1; return VH_EEMPTY; }
        if (r != AVERROR(EAGAIN)) {
            v->skipped++;
            if (++consecutive > VH__MAX_CONSECUTIVE_ERRORS) break;
            continue;
        }
        if (v->input_eof) { v->decoder_eof = 1; return VH_EEMPTY; }
        r = av_read_frame(v->fc, v->pkt);
        if (r == AVERROR(EAGAIN)) continue; /* devices: no frame ready yet */
        if (r < 0) {
            if (r != AVERROR_EOF && r != AVERROR_INVALIDDATA && !v->is_device)
                vh_log(VH_LOG_DEBUG, "%s: read stopped: %s", v->path, vh__av_err(r));
            if (v->is_device && r != AVERROR_EOF)
                return vh__fail(&v->err, VH_EIO, "%s: camera read failed: %s", v->path, vh__av_err(r));
            v->input_eof = 1;
            avcodec_send_packet(v->dec, NULL);
            continue;
        }
        if (v->pkt->stream_index != v->vs) { av_packet_unref(v->pkt); continue; }
        if (v->pkt->flags & AV_PKT_FLAG_CORRUPT) {
            v->skipped++;
            av_packet_unref(v->pkt);
            if (++consecutive > VH__MAX_CONSECUTIVE_ERRORS) break;
            continue;
        }
        r = avcodec_send_packet(v->dec, v->pkt);
        av_packet_unref(v->pkt);
        if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_EOF) {
            v->skipped++;
            if (++consecutive > VH__MAX_CONSECUTIVE_ERRORS) break;
        }
    }
    return vh__fail(&v->err, VH_EFORMAT, "%s: too many undecodable frames (%lld skipped)", v->path,
                    (long long)v->skipped);
}

/* Converts v->frame to RGB in v->rgb (reallocating on size/format change). */
static int convert_rgb(vh_video *v) {
    AVFrame *f = v->frame;
    int w = f->width, h = f->height;
    if (w <= 0 || h <= 0 || w > VH_IMAGE_MAX_DIM || h > VH_IMAGE_MAX_DIM ||
        (int64_t)w * h > VH__MEDIA_MAX_PIXELS)
        return vh__fail(&v->err, VH_ERANGE, "%s: unusable frame size %dx%d", v->path, w, h);
    enum AVPixelFormat fmt = (enum AVPixelFormat)f->format;
    int full = f->color_range == AVCOL_RANGE_JPEG || fmt == AV_PIX_FMT_YUVJ420P ||
               fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P || fmt == AV_PIX_FMT_YUVJ440P;
    int cs = f->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709
             : (f->colorspace == AVCOL_SPC_BT2020_NCL || f->colorspace == AVCOL_SPC_BT2020_CL) ? SWS_CS_BT2020
             : SWS_CS_DEFAULT;
    if (!v->sws || v->sws_w != w || v->sws_h != h || v->sws_fmt != (int)fmt || v->sws_cs != cs ||
        v->sws_range != full) {
        sws_freeContext(v->sws);
        v->sws = sws_getContext(w, h, fmt, w, h, AV_PIX_FMT_RGB24, SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
        if (!v->sws)
            return vh__fail(&v->err, VH_EUNSUPPORTED, "%s: cannot convert pixel format %s", v->path,
                            av_get_pix_fmt_name(fmt) ? av_get_pix_fmt_name(fmt) : "?");
        const int *coef = sws_getCoefficients(cs);
        sws_setColorspaceDetails(v->sws, coef, full, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
        v->sws_w = w; v->sws_h = h; v->sws_fmt = (int)fmt; v->sws_cs = cs; v->sws_range = full;
    }
    if (v->rgb.w != w || v->rgb.h != h || !v->rgb.data) {
        vh_image_free(&v->rgb);
        int st = vh_image_alloc(&v->rgb, w, h, 3);
        if (st) return vh__fail(&v->err, st, "%s: cannot allocate a %dx%d frame", v->path, w, h);
    }
    uint8_t *dst[4] = {v->rgb.data, NULL, NULL, NULL};
    int dst_stride[4] = {(int)v->rgb.stride, 0, 0, 0};
    sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, h, dst, dst_stride);
    return VH_OK;
}

int vh_video_read(vh_video *v, const vh_image **frame, double *t) {
    if (frame) *frame = NULL;
    if (!v->pending) {
        int st = decode_next(v);
        if (st) return st;
        v->pending_t = frame_time(v);
    }
    v->pending = 0;
    int st = convert_rgb(v);
    av_frame_unref(v->frame);
    if (st) return st;
    v->last_t = v->pending_t;
    v->have_last = 1;
    if (frame) *frame = &v->rgb;
    if (t) *t = v->pending_t;
    return VH_OK;
}

/* Positions the demuxer at a keyframe at or before `ts_sec` (stream seconds
 * relative to start) and resets the decoder. */
static int seek_to(vh_video *v, double ts_sec) {
    double tb = av_q2d(v->st->time_base);
    int64_t ts = (int64_t)floor((ts_sec + v->start) / tb);
    int r = -1;
    /* The very beginning: rewind by bytes where the format allows it, since a
     * timestamp search can land past the first sequence header (MPEG-PS). */
    if (ts_sec <= 0 && !(v->fc->iformat->flags & AVFMT_NO_BYTE_SEEK))
        r = avformat_seek_file(v->fc, -1, 0, 0, 0, AVSEEK_FLAG_BYTE);
    if (r < 0) r = avformat_seek_file(v->fc, v->vs, INT64_MIN, ts, ts, 0);
    if (r < 0) r = av_seek_frame(v->fc, v->vs, ts, AVSEEK_FLAG_BACKWARD);
    /* No timestamp index (raw elementary streams): rewind and decode forward. */
    if (r < 0 && ts_sec > 0 && !(v->fc->iformat->flags & AVFMT_NO_BYTE_SEEK))
        r = avformat_seek_file(v->fc, -1, 0, 0, 0, AVSEEK_FLAG_BYTE);
    if (r < 0) return r;
    avcodec_flush_buffers(v->dec);
    v->input_eof = v->decoder_eof = v->pending = 0;
    v->have_last = 0;
    av_frame_unref(v->frame);
    return 0;
}

int vh_video_seek(vh_video *v, double t) {
    if (!(t >= 0) || !isfinite(t)) return vh__fail(&v->err, VH_EINVAL, "%s: bad seek time %g", v->path, t);
    if (v->is_device) return vh__fail(&v->err, VH_EUNSUPPORTED, "%s: cameras cannot seek", v->path);
    /* Half a time-base tick of tolerance so exact frame times count as "at t". */
    double eps = 0.5 * av_q2d(v->st->time_base);
    if (eps > 1e-3) eps = 1e-3;
    /* Index-less formats may land after the target: back off and retry. */
    double back = 0.0;
    for (int attempt = 0; attempt < 6; attempt++) {
        double at = t - back;
        if (at < 0) at = 0;
        int r = seek_to(v, at);
        if (r < 0) return vh__fail(&v->err, VH_EUNSUPPORTED, "%s: cannot seek to %.3f s (%s)", v->path, t, vh__av_err(r));
        int st = decode_next(v);
        if (st == VH_EEMPTY) {
            if (at <= 0) return VH_OK; /* empty stream: reads report the end */
            back = back > 0 ? back * 4 : 1.0;
            continue;
        }
        if (st) return st;
        double ft = frame_time(v);
        if (ft > t + eps && at > 0) { /* landed past the target */
            back = back > 0 ? back * 4 : 1.0;
            continue;
        }
        /* Decode forward to the first frame at or after t. */
        for (;;) {
            if (ft + eps >= t) {
                v->pending = 1;
                v->pending_t = ft;
                v->last_t = ft;
                v->have_last = 1;
                return VH_OK;
            }
            v->last_t = ft;
            v->have_last = 1;
            av_frame_unref(v->frame);
            st = decode_next(v);
            if (st == VH_EEMPTY) return VH_OK; /* t is past the end: next read says so */
            if (st) return st;
            ft = frame_time(v);
        }
    }
    return vh__fail(&v->err, VH_EUNSUPPORTED, "%s: cannot seek to %.3f s", v->path, t);
}
