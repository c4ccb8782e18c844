/* Video writing: RGB/gray frames → yuv420p → libx264, mono float audio →
 * libswresample → FIFO → native AAC in encoder-sized frames, muxed into MP4
 * (faststart) inside a temporary file that replaces the target only on finish. */
#define _GNU_SOURCE
#include "media_internal.h"
#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Audio is pushed through the resampler in chunks of at most this many samples. */
#define VH__AUDIO_CHUNK 16384
/* H.264 level limits aside, libx264 accepts up to 16384 per side. */
#define VH__WRITER_MAX_DIM 16384

struct vh_video_writer {
    vh__err err;
    vh_writer_params p;
    char *path;
    vh_atomic_file af;
    int af_open;
    AVFormatContext *oc;
    AVCodecContext *venc, *aenc;
    AVStream *vst, *ast;
    AVFrame *vframe, *aframe;
    AVPacket *pkt;
    struct SwsContext *sws;
    int sws_c;
    SwrContext *swr;
    AVAudioFifo *fifo;
    float *abuf; /* resampler output scratch */
    int abuf_cap;
    int64_t vpts, apts, audio_in;
    int header_written;
};

vh_writer_params vh_writer_default_params(void) {
    vh_writer_params p;
    memset(&p, 0, sizeof p);
    p.fps = 30;
    p.crf = 20;
    p.preset = "medium";
    return p;
}

const char *vh_video_writer_error(const vh_video_writer *w) { return w ? w->err.msg : ""; }

static void writer_free(vh_video_writer *w) {
    sws_freeContext(w->sws);
    swr_free(&w->swr);
    if (w->fifo) av_audio_fifo_free(w->fifo);
    av_frame_free(&w->vframe);
    av_frame_free(&w->aframe);
    av_packet_free(&w->pkt);
    avcodec_free_context(&w->venc);
    avcodec_free_context(&w->aenc);
    if (w->oc) {
        if (w->oc->pb) avio_closep(&w->oc->pb);
        avformat_free_context(w->oc);
    }
    if (w->af_open) vh_atomic_abort(&w->af);
    free(w->abuf);
    free(w->path);
    free(w);
}

void vh_video_writer_abort(vh_video_writer *w) {
    if (w) writer_free(w);
}

/* Sends `frame` (NULL: flush) to `enc` and writes every packet it yields. */
static int encode(vh_video_writer *w, AVCodecContext *enc, AVStream *st, AVFrame *frame) {
    int r = avcodec_send_frame(enc, frame);
    if (r < 0 && !(r == AVERROR_EOF && !frame))
        return vh__fail(&w->err, VH_EINTERNAL, "%s: %s encoder failed (%s)", w->path, enc->codec->name, vh__av_err(r));
    for (;;) {
        r = avcodec_receive_packet(enc, w->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return VH_OK;
        if (r < 0)
            return vh__fail(&w->err, VH_EINTERNAL, "%s: %s encoder failed (%s)", w->path, enc->codec->name, vh__av_err(r));
        av_packet_rescale_ts(w->pkt, enc->time_base, st->time_base);
        w->pkt->stream_index = st->index;
        r = av_interleaved_write_frame(w->oc, w->pkt); /* takes the packet's reference */
        if (r < 0)
            return vh__fail(&w->err, r == AVERROR(ENOSPC) ? VH_ENOSPC : VH_EIO, "%s: write failed (%s)", w->path,
                            vh__av_err(r));
    }
}

static int open_video(vh_video_writer *w) {
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    if (!c) return vh__fail(&w->err, VH_EUNSUPPORTED, "%s: FFmpeg was built without libx264", w->path);
    AVCodecContext *e = w->venc = avcodec_alloc_context3(c);
    if (!e) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    AVRational rate = av_d2q(w->p.fps, 1000000);
    e->width = w->p.width;
    e->height = w->p.height;
    e->framerate = rate;
    e->time_base = av_inv_q(rate);
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->gop_size = (int)VH_CLAMP(lround(w->p.fps * 2), 1, 600); /* a keyframe every ~2 s: fast seeks */
    e->thread_count = vh_threads_get();
    e->color_range = AVCOL_RANGE_MPEG;
    e->colorspace = AVCOL_SPC_SMPTE170M;
    e->color_primaries = AVCOL_PRI_SMPTE170M;
    e->color_trc = AVCOL_TRC_SMPTE170M;
    e->sample_aspect_ratio = (AVRational){1, 1};
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    char crf[16];
    snprintf(crf, sizeof crf, "%d", w->p.crf);
    av_opt_set(e->priv_data, "crf", crf, 0);
    /* Checked here: libx264 prints unknown presets straight to stderr. */
    static const char *const presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                          "medium", "slow", "slower", "veryslow", "placebo"};
    const char *preset = w->p.preset ? w->p.preset : "medium";
    size_t pi = 0;
    while (pi < VH_COUNTOF(presets) && strcmp(presets[pi], preset) != 0) pi++;
    if (pi == VH_COUNTOF(presets) || av_opt_set(e->priv_data, "preset", preset, 0) < 0)
        return vh__fail(&w->err, VH_EINVAL, "%s: unknown x264 preset '%s'", w->path, preset);
    int r = avcodec_open2(e, c, NULL);
    if (r < 0) return vh__fail(&w->err, VH_EUNSUPPORTED, "%s: cannot open libx264 (%s)", w->path, vh__av_err(r));
    w->vst = avformat_new_stream(w->oc, NULL);
    if (!w->vst) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    w->vst->time_base = e->time_base;
    w->vst->avg_frame_rate = rate;
    w->vst->sample_aspect_ratio = e->sample_aspect_ratio;
    r = avcodec_parameters_from_context(w->vst->codecpar, e);
    if (r < 0) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    w->vframe = av_frame_alloc();
    if (!w->vframe) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    w->vframe->format = e->pix_fmt;
    w->vframe->width = e->width;
    w->vframe->height = e->height;
    w->vframe->color_range = e->color_range;
    w->vframe->colorspace = e->colorspace;
    if (av_frame_get_buffer(w->vframe, 0) < 0) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    return VH_OK;
}

/* The encoder rate: the caller's rate when AAC supports it, else 48 kHz. */
static int aac_rate(const AVCodec *c, int want) {
    const int *r = c->supported_samplerates;
    if (!r) return want;
    for (; *r; r++)
        if (*r == want) return want;
    return 48000;
}

static int open_audio(vh_video_writer *w) {
    const AVCodec *c = avcodec_find_encoder_by_name("aac");
    if (!c) return vh__fail(&w->err, VH_EUNSUPPORTED, "%s: FFmpeg has no AAC encoder", w->path);
    AVCodecContext *e = w->aenc = avcodec_alloc_context3(c);
    if (!e) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    e->sample_fmt = AV_SAMPLE_FMT_FLTP;
    e->sample_rate = aac_rate(c, w->p.audio_rate);
    av_channel_layout_copy(&e->ch_layout, &mono);
    e->bit_rate = 96000;
    e->time_base = (AVRational){1, e->sample_rate};
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int r = avcodec_open2(e, c, NULL);
    if (r < 0) return vh__fail(&w->err, VH_EUNSUPPORTED, "%s: cannot open the AAC encoder (%s)", w->path, vh__av_err(r));
    w->ast = avformat_new_stream(w->oc, NULL);
    if (!w->ast) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    w->ast->time_base = e->time_base;
    if (avcodec_parameters_from_context(w->ast->codecpar, e) < 0)
        return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    r = swr_alloc_set_opts2(&w->swr, &mono, AV_SAMPLE_FMT_FLTP, e->sample_rate, &mono, AV_SAMPLE_FMT_FLT,
                            w->p.audio_rate, 0, NULL);
    if (r >= 0) r = swr_init(w->swr);
    if (r < 0) return vh__fail(&w->err, VH_EUNSUPPORTED, "%s: cannot set up the resampler (%s)", w->path, vh__av_err(r));
    int fs = e->frame_size > 0 ? e->frame_size : 1024;
    w->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 1, fs * 4);
    w->aframe = av_frame_alloc();
    if (!w->fifo || !w->aframe) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    w->aframe->format = AV_SAMPLE_FMT_FLTP;
    w->aframe->sample_rate = e->sample_rate;
    w->aframe->nb_samples = fs;
    av_channel_layout_copy(&w->aframe->ch_layout, &mono);
    if (av_frame_get_buffer(w->aframe, 0) < 0) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    return VH_OK;
}

int vh_video_writer_open(const char *path, const vh_writer_params *p, vh_video_writer **out) {
    *out = NULL;
    vh__media_init();
    if (!path || !*path || !p) return vh__fail(NULL, VH_EINVAL, "video writer: missing path or parameters");
    if (p->width < 2 || p->height < 2 || p->width > VH__WRITER_MAX_DIM || p->height > VH__WRITER_MAX_DIM ||
        (p->width & 1) || (p->height & 1))
        return vh__fail(NULL, VH_EINVAL, "%s: frame size %dx%d must be even and within 2..%d", path, p->width,
                        p->height, VH__WRITER_MAX_DIM);
    if (!(p->fps > 0 && p->fps <= 1000)) return vh__fail(NULL, VH_EINVAL, "%s: fps %g outside (0, 1000]", path, p->fps);
    if (p->crf < 0 || p->crf > 51) return vh__fail(NULL, VH_EINVAL, "%s: crf %d outside 0..51", path, p->crf);
    if (p->audio_rate && (p->audio_rate < 1000 || p->audio_rate > 768000))
        return vh__fail(NULL, VH_EINVAL, "%s: audio rate %d Hz outside [1000, 768000]", path, p->audio_rate);
    vh_video_writer *w = calloc(1, sizeof *w);
    if (!w) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    w->p = *p;
    if (w->p.crf == 0) w->p.crf = 20;
    w->path = vh__strdup(path);
    w->pkt = av_packet_alloc();
    if (!w->path || !w->pkt) { writer_free(w); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    int st = vh_atomic_open(&w->af, path, p->overwrite);
    if (st) { writer_free(w); return st; } /* message already names the path */
    w->af_open = 1;
    size_t n = strlen(w->af.tmp_path);
    char *url = malloc(n + 6);
    if (!url) { writer_free(w); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    memcpy(url, "file:", 5);
    memcpy(url + 5, w->af.tmp_path, n + 1);
    int r = avformat_alloc_output_context2(&w->oc, NULL, "mp4", url);
    if (r >= 0) r = avio_open(&w->oc->pb, url, AVIO_FLAG_WRITE);
    free(url);
    if (r < 0) {
        st = vh__fail(&w->err, VH_EIO, "%s: cannot create the output (%s)", path, vh__av_err(r));
        writer_free(w);
        return st;
    }
    st = open_video(w);
    if (!st && p->audio_rate) st = open_audio(w);
    if (!st) {
        AVDictionary *opts = NULL;
        av_dict_set(&opts, "movflags", "+faststart", 0);
        r = avformat_write_header(w->oc, &opts);
        av_dict_free(&opts);
        if (r < 0) st = vh__fail(&w->err, VH_EIO, "%s: cannot write the MP4 header (%s)", path, vh__av_err(r));
        else w->header_written = 1;
    }
    if (st) {
        vh__fail(NULL, st, "%s", w->err.msg);
        writer_free(w);
        return st;
    }
    *out = w;
    return VH_OK;
}

int vh_video_writer_frame(vh_video_writer *w, const vh_image *f) {
    if (!f || !f->data || (f->c != 1 && f->c != 3 && f->c != 4))
        return vh__fail(&w->err, VH_EINVAL, "%s: frame must be a gray, RGB or RGBA image", w->path);
    if (f->w != w->p.width || f->h != w->p.height)
        return vh__fail(&w->err, VH_EINVAL, "%s: frame is %dx%d, the video is %dx%d", w->path, f->w, f->h,
                        w->p.width, w->p.height);
    if (f->stride > (size_t)INT32_MAX || f->stride < (size_t)f->w * (size_t)f->c)
        return vh__fail(&w->err, VH_EINVAL, "%s: bad frame stride", w->path);
    if (!w->sws || w->sws_c != f->c) {
        sws_freeContext(w->sws);
        enum AVPixelFormat src = f->c == 1 ? AV_PIX_FMT_GRAY8 : f->c == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGBA;
        w->sws = sws_getContext(f->w, f->h, src, f->w, f->h, AV_PIX_FMT_YUV420P, SWS_BILINEAR | SWS_ACCURATE_RND,
                                NULL, NULL, NULL);
        if (!w->sws) return vh__fail(&w->err, VH_ENOMEM, "%s: cannot set up colour conversion", w->path);
        sws_setColorspaceDetails(w->sws, sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_SMPTE170M),
                                 0, 0, 1 << 16, 1 << 16);
        w->sws_c = f->c;
    }
    if (av_frame_make_writable(w->vframe) < 0) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    const uint8_t *src[4] = {f->data, NULL, NULL, NULL};
    int src_stride[4] = {(int)f->stride, 0, 0, 0};
    sws_scale(w->sws, src, src_stride, 0, f->h, w->vframe->data, w->vframe->linesize);
    w->vframe->pts = w->vpts++;
    return encode(w, w->venc, w->vst, w->vframe);
}

/* Encodes whole frames from the FIFO; with `final`, also the last partial one. */
static int drain_fifo(vh_video_writer *w, int final) {
    int fs = w->aframe->nb_samples;
    int small_last = (w->aenc->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) != 0;
    for (;;) {
        int avail = av_audio_fifo_size(w->fifo);
        if (avail <= 0 || (avail < fs && !final)) return VH_OK;
        if (av_frame_make_writable(w->aframe) < 0) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
        int n = avail < fs ? avail : fs;
        if (av_audio_fifo_read(w->fifo, (void **)w->aframe->data, n) != n)
            return vh__fail(&w->err, VH_EINTERNAL, "%s: audio FIFO read failed", w->path);
        if (n < fs) memset(w->aframe->data[0] + (size_t)n * sizeof(float), 0, (size_t)(fs - n) * sizeof(float));
        w->aframe->nb_samples = (n < fs && small_last) ? n : fs;
        w->aframe->pts = w->apts;
        w->apts += w->aframe->nb_samples;
        int st = encode(w, w->aenc, w->ast, w->aframe);
        w->aframe->nb_samples = fs;
        if (st) return st;
    }
}

/* Resamples `n` samples (NULL: flush the resampler) into the FIFO. */
static int push_audio(vh_video_writer *w, const float *s, int n) {
    int cap = swr_get_out_samples(w->swr, n) + 32;
    if (cap > w->abuf_cap) {
        float *b = realloc(w->abuf, (size_t)cap * sizeof(float));
        if (!b) return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
        w->abuf = b;
        w->abuf_cap = cap;
    }
    uint8_t *o = (uint8_t *)w->abuf;
    const uint8_t *in = (const uint8_t *)s;
    int got = swr_convert(w->swr, &o, cap, s ? &in : NULL, s ? n : 0);
    if (got < 0) return vh__fail(&w->err, VH_EINTERNAL, "%s: resampling failed (%s)", w->path, vh__av_err(got));
    if (got > 0 && av_audio_fifo_write(w->fifo, (void **)&o, got) != got)
        return vh__fail(&w->err, VH_ENOMEM, "%s: out of memory", w->path);
    return drain_fifo(w, 0);
}

int vh_video_writer_audio(vh_video_writer *w, const float *samples, size_t n) {
    if (!w->aenc) return vh__fail(&w->err, VH_EINVAL, "%s: the writer was opened without audio", w->path);
    if (n && !samples) return vh__fail(&w->err, VH_EINVAL, "%s: NULL samples", w->path);
    float clip[256];
    while (n) {
        int k = n > VH__AUDIO_CHUNK ? VH__AUDIO_CHUNK : (int)n;
        /* Non-finite input would poison the AAC encoder: map it to silence. */
        for (int i0 = 0; i0 < k; i0 += (int)VH_COUNTOF(clip)) {
            int m = VH_MIN(k - i0, (int)VH_COUNTOF(clip));
            for (int i = 0; i < m; i++) {
                float x = samples[i0 + i];
                clip[i] = isfinite(x) ? VH_CLAMP(x, -1.0f, 1.0f) : 0.0f;
            }
            int st = push_audio(w, clip, m);
            if (st) return st;
        }
        samples += k;
        n -= (size_t)k;
        w->audio_in += k;
    }
    return VH_OK;
}

int vh_video_writer_finish(vh_video_writer *w) {
    if (!w) return vh__fail(NULL, VH_EINVAL, "video writer: NULL handle");
    int st = VH_OK;
    if (w->vpts == 0) st = vh__fail(&w->err, VH_EEMPTY, "%s: no video frames were written", w->path);
    if (!st && w->aenc) {
        /* Pad the audio with silence up to the video's duration. */
        int64_t want = llround((double)w->vpts / w->p.fps * w->p.audio_rate);
        static const float zeros[1024];
        while (!st && w->audio_in < want) {
            size_t k = (size_t)VH_MIN(want - w->audio_in, (int64_t)VH_COUNTOF(zeros));
            st = vh_video_writer_audio(w, zeros, k);
        }
        if (!st) st = push_audio(w, NULL, 0);
        if (!st) st = drain_fifo(w, 1);
        if (!st) st = encode(w, w->aenc, w->ast, NULL);
    }
    if (!st) st = encode(w, w->venc, w->vst, NULL);
    if (!st) {
        int r = av_write_trailer(w->oc);
        if (r < 0) st = vh__fail(&w->err, r == AVERROR(ENOSPC) ? VH_ENOSPC : VH_EIO, "%s: cannot finish the MP4 (%s)",
                                 w->path, vh__av_err(r));
    }
    if (!st) {
        int r = avio_closep(&w->oc->pb);
        if (r < 0) st = vh__fail(&w->err, r == AVERROR(ENOSPC) ? VH_ENOSPC : VH_EIO, "%s: write failed (%s)", w->path,
                                 vh__av_err(r));
    }
    if (!st) {
        w->af_open = 0;
        w->err.msg[0] = 0;
        st = vh_atomic_commit(&w->af); /* fsyncs the file written above and moves it into place */
    }
    if (st && w->err.msg[0]) vh__fail(NULL, st, "%s", w->err.msg);
    writer_free(w);
    return st;
}
