/* Audio reading: decode any media file's best audio stream and turn it into
 * mono float at a requested rate with libswresample (channels averaged with an
 * explicit matrix). Streaming reader with a bounded one-frame buffer, and
 * vh_audio_load on top of it. */
#define _GNU_SOURCE
#include "media_internal.h"
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VH__AUDIO_MIN_RATE 1000
#define VH__AUDIO_MAX_RATE 768000
/* Largest decoded frame (samples per channel) accepted from a file. */
#define VH__AUDIO_MAX_FRAME (1 << 20)
#define VH__AUDIO_MAX_CHANNELS 64
/* vh_audio_load refuses results longer than this many samples. */
#define VH__AUDIO_MAX_TOTAL ((size_t)1 << 31)

struct vh_audio_reader {
    vh__err err;
    char *path;
    AVFormatContext *fc;
    AVCodecContext *dec;
    AVStream *st;
    int as;
    AVPacket *pkt;
    AVFrame *frame;
    SwrContext *swr;
    int swr_rate, swr_fmt;
    AVChannelLayout swr_layout;
    int out_rate;
    float *buf;          /* converted samples not yet returned */
    size_t buf_cap, buf_len, buf_pos;
    int input_eof, decoder_eof, done;
    double duration;
    int64_t skipped;
    int sticky; /* error to report after returning the samples read before it */
};

const char *vh_audio_error(const vh_audio_reader *r) { return r ? r->err.msg : ""; }
double vh_audio_duration(const vh_audio_reader *r) { return r->duration; }
int64_t vh_audio_skipped(const vh_audio_reader *r) { return r->skipped; }

void vh_audio_close(vh_audio_reader *r) {
    if (!r) return;
    swr_free(&r->swr);
    av_channel_layout_uninit(&r->swr_layout);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fc);
    free(r->buf);
    free(r->path);
    free(r);
}

int vh_audio_open(const char *path, int rate, vh_audio_reader **out) {
    *out = NULL;
    if (rate < VH__AUDIO_MIN_RATE || rate > VH__AUDIO_MAX_RATE)
        return vh__fail(NULL, VH_EINVAL, "%s: output rate %d Hz outside [%d, %d]", path ? path : "(null)", rate,
                        VH__AUDIO_MIN_RATE, VH__AUDIO_MAX_RATE);
    vh_audio_reader *r = calloc(1, sizeof *r);
    if (!r) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path ? path : "(null)");
    r->out_rate = rate;
    int st = vh__media_open_input(&r->err, path, &r->fc, NULL);
    if (st) { vh_audio_close(r); return st; }
    r->path = vh__strdup(path);
    if (!r->path) { vh_audio_close(r); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    const AVCodec *codec = NULL;
    int as = av_find_best_stream(r->fc, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (as == AVERROR_STREAM_NOT_FOUND) { vh_audio_close(r); return vh__fail(NULL, VH_EFORMAT, "%s: no audio stream", path); }
    if (as < 0 || !codec) { vh_audio_close(r); return vh__fail(NULL, VH_EUNSUPPORTED, "%s: no decoder for the audio stream", path); }
    r->as = as;
    r->st = r->fc->streams[as];
    AVCodecParameters *par = r->st->codecpar;
    if (par->ch_layout.nb_channels > VH__AUDIO_MAX_CHANNELS || par->sample_rate > VH__AUDIO_MAX_RATE) {
        int ch = par->ch_layout.nb_channels, sr = par->sample_rate; /* par dies with r */
        vh_audio_close(r);
        return vh__fail(NULL, VH_ERANGE, "%s: unsupported audio (%d channels, %d Hz)", path, ch, sr);
    }
    r->dec = avcodec_alloc_context3(codec);
    r->pkt = av_packet_alloc();
    r->frame = av_frame_alloc();
    if (!r->dec || !r->pkt || !r->frame) { vh_audio_close(r); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    int e = avcodec_parameters_to_context(r->dec, par);
    if (e >= 0) {
        r->dec->pkt_timebase = r->st->time_base;
        e = avcodec_open2(r->dec, codec, NULL);
    }
    if (e < 0) {
        vh_audio_close(r);
        return vh__fail(NULL, VH_EFORMAT, "%s: cannot open the %s decoder (%s)", path, codec->name, vh__av_err(e));
    }
    if (r->st->duration > 0 && r->st->duration != AV_NOPTS_VALUE)
        r->duration = (double)r->st->duration * av_q2d(r->st->time_base);
    else if (r->fc->duration > 0 && r->fc->duration != AV_NOPTS_VALUE)
        r->duration = (double)r->fc->duration / AV_TIME_BASE;
    *out = r;
    return VH_OK;
}

/* (Re)creates the resampler for the current frame's format; channels are
 * averaged with equal weights. Any samples buffered in an old resampler are
 * drained into r->buf first by the caller. */
static int setup_swr(vh_audio_reader *r, const AVFrame *f) {
    swr_free(&r->swr);
    av_channel_layout_uninit(&r->swr_layout);
    AVChannelLayout in;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || f->ch_layout.nb_channels <= 0) {
        if (f->ch_layout.nb_channels <= 0)
            return vh__fail(&r->err, VH_EFORMAT, "%s: audio frame without channels", r->path);
        av_channel_layout_default(&in, f->ch_layout.nb_channels);
    } else if (av_channel_layout_copy(&in, &f->ch_layout) < 0) {
        return vh__fail(&r->err, VH_ENOMEM, "%s: out of memory", r->path);
    }
    int nch = in.nb_channels;
    if (nch > VH__AUDIO_MAX_CHANNELS) {
        av_channel_layout_uninit(&in);
        return vh__fail(&r->err, VH_ERANGE, "%s: %d audio channels", r->path, nch);
    }
    if (f->sample_rate < 1 || f->sample_rate > VH__AUDIO_MAX_RATE) {
        av_channel_layout_uninit(&in);
        return vh__fail(&r->err, VH_EFORMAT, "%s: bad audio sample rate %d", r->path, f->sample_rate);
    }
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    int e = swr_alloc_set_opts2(&r->swr, &mono, AV_SAMPLE_FMT_FLT, r->out_rate, &in,
                                (enum AVSampleFormat)f->format, f->sample_rate, 0, NULL);
    if (e >= 0) {
        double m[VH__AUDIO_MAX_CHANNELS];
        for (int i = 0; i < nch; i++) m[i] = 1.0 / nch;
        e = swr_set_matrix(r->swr, m, nch);
    }
    if (e >= 0) e = swr_init(r->swr);
    if (e < 0) {
        av_channel_layout_uninit(&in);
        swr_free(&r->swr);
        return vh__fail(&r->err, VH_EUNSUPPORTED, "%s: cannot resample this audio (%s)", r->path, vh__av_err(e));
    }
    r->swr_rate = f->sample_rate;
    r->swr_fmt = f->format;
    r->swr_layout = in;
    return VH_OK;
}

/* Makes room for `n` more samples after the unread part of r->buf. */
static int reserve(vh_audio_reader *r, size_t n) {
    if (r->buf_pos > 0) {
        memmove(r->buf, r->buf + r->buf_pos, (r->buf_len - r->buf_pos) * sizeof(float));
        r->buf_len -= r->buf_pos;
        r->buf_pos = 0;
    }
    size_t need, bytes;
    if (vh__add_size(r->buf_len, n, &need) || vh__mul_size(need, sizeof(float), &bytes))
        return vh__fail(&r->err, VH_ERANGE, "%s: audio frame too large", r->path);
    if (need <= r->buf_cap) return VH_OK;
    float *nb = realloc(r->buf, bytes);
    if (!nb) return vh__fail(&r->err, VH_ENOMEM, "%s: out of memory", r->path);
    r->buf = nb;
    r->buf_cap = need;
    return VH_OK;
}

/* Runs the resampler on `f` (NULL: drain) appending to r->buf. */
static int convert(vh_audio_reader *r, const AVFrame *f) {
    if (!r->swr) return VH_OK;
    int in_n = f ? f->nb_samples : 0;
    int cap = swr_get_out_samples(r->swr, in_n);
    if (cap < 0) return vh__fail(&r->err, VH_EINTERNAL, "%s: resampler error", r->path);
    cap += 16;
    int st = reserve(r, (size_t)cap);
    if (st) return st;
    uint8_t *outp = (uint8_t *)(r->buf + r->buf_len);
    int got = swr_convert(r->swr, &outp, cap, f ? (const uint8_t **)f->extended_data : NULL, in_n);
    if (got < 0) return vh__fail(&r->err, VH_EFORMAT, "%s: resampling failed (%s)", r->path, vh__av_err(got));
    float *o = r->buf + r->buf_len; /* decoders and filters may overshoot a little */
    for (int i = 0; i < got; i++) o[i] = o[i] > 1.0f ? 1.0f : o[i] < -1.0f ? -1.0f : o[i];
    r->buf_len += (size_t)got;
    return VH_OK;
}

static int same_layout(const AVChannelLayout *a, const AVChannelLayout *b) {
    if (a->nb_channels != b->nb_channels) return 0;
    if (a->order == AV_CHANNEL_ORDER_UNSPEC || b->order == AV_CHANNEL_ORDER_UNSPEC) return 1;
    return av_channel_layout_compare(a, b) == 0;
}

/* Decodes more audio into r->buf. Returns VH_OK (maybe nothing added yet),
 * VH_EEMPTY when everything was delivered to the buffer, or an error. */
static int fill(vh_audio_reader *r) {
    int consecutive = 0;
    for (;;) {
        if (r->done) return VH_EEMPTY;
        int e = avcodec_receive_frame(r->dec, r->frame);
        if (e >= 0) {
            AVFrame *f = r->frame;
            if (f->nb_samples <= 0 || f->nb_samples > VH__AUDIO_MAX_FRAME) {
                av_frame_unref(f);
                r->skipped++;
                continue;
            }
            int st = VH_OK;
            if (!r->swr || f->sample_rate != r->swr_rate || f->format != r->swr_fmt ||
                !same_layout(&f->ch_layout, &r->swr_layout)) {
                st = convert(r, NULL); /* drain the old resampler */
                if (!st) st = setup_swr(r, f);
            }
            if (!st) st = convert(r, f);
            av_frame_unref(f);
            return st;
        }
        if (e == AVERROR_EOF) {
            r->done = 1;
            int st = convert(r, NULL);
            return st ? st : VH_OK;
        }
        if (e != AVERROR(EAGAIN)) {
            r->skipped++;
            if (++consecutive > 200)
                return vh__fail(&r->err, VH_EFORMAT, "%s: too many undecodable audio frames", r->path);
            continue;
        }
        if (r->input_eof) { r->done = 1; return convert(r, NULL); }
        e = av_read_frame(r->fc, r->pkt);
        if (e < 0) {
            r->input_eof = 1;
            avcodec_send_packet(r->dec, NULL);
            continue;
        }
        if (r->pkt->stream_index != r->as) { av_packet_unref(r->pkt); continue; }
        if (r->pkt->flags & AV_PKT_FLAG_CORRUPT) {
            r->skipped++;
            av_packet_unref(r->pkt);
            continue;
        }
        e = avcodec_send_packet(r->dec, r->pkt);
        av_packet_unref(r->pkt);
        if (e < 0 && e != AVERROR(EAGAIN)) {
            r->skipped++;
            if (++consecutive > 200)
                return vh__fail(&r->err, VH_EFORMAT, "%s: too many undecodable audio packets", r->path);
        }
    }
}

long vh_audio_read(vh_audio_reader *r, float *buf, size_t max) {
    size_t got = 0;
    if (r->sticky) return r->sticky;
    if (max > (size_t)LONG_MAX) max = (size_t)LONG_MAX;
    while (got < max) {
        if (r->buf_pos < r->buf_len) {
            size_t n = VH_MIN(max - got, r->buf_len - r->buf_pos);
            memcpy(buf + got, r->buf + r->buf_pos, n * sizeof(float));
            r->buf_pos += n;
            got += n;
            continue;
        }
        r->buf_pos = r->buf_len = 0;
        int st = fill(r);
        if (st == VH_EEMPTY && r->buf_len == 0) break;
        if (st && st != VH_EEMPTY) {
            if (!got) return st;
            r->sticky = st;
            break;
        }
    }
    return (long)got;
}

int vh_audio_load(const char *path, int rate, double max_seconds, float **samples, size_t *n) {
    *samples = NULL;
    *n = 0;
    if (!(max_seconds >= 0) || !isfinite(max_seconds))
        return vh__fail(NULL, VH_EINVAL, "%s: bad max_seconds", path ? path : "(null)");
    vh_audio_reader *r;
    int st = vh_audio_open(path, rate, &r);
    if (st) return st;
    size_t limit = VH__AUDIO_MAX_TOTAL;
    if (max_seconds > 0 && max_seconds * rate < (double)limit) limit = (size_t)ceil(max_seconds * rate);
    size_t len = 0, cap = 0;
    float *out = NULL;
    for (;;) {
        if (len == cap) {
            if (cap >= limit) break;
            size_t ncap = cap ? cap * 2 : (size_t)rate * 4;
            if (ncap > limit) ncap = limit;
            float *p = realloc(out, ncap * sizeof(float));
            if (!p) { st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); break; }
            out = p;
            cap = ncap;
        }
        long got = vh_audio_read(r, out + len, cap - len);
        if (got < 0) { st = (int)got; break; }
        if (got == 0) break;
        len += (size_t)got;
    }
    if (!st && max_seconds == 0 && len == cap && cap == VH__AUDIO_MAX_TOTAL) {
        float probe;
        if (vh_audio_read(r, &probe, 1) > 0)
            st = vh__fail(NULL, VH_ERANGE, "%s: audio longer than %zu samples", path, VH__AUDIO_MAX_TOTAL);
    }
    if (!st && len == 0) st = vh__fail(NULL, VH_EEMPTY, "%s: the audio stream holds no samples", path);
    vh_audio_close(r);
    if (st) { free(out); return st; }
    *samples = out;
    *n = len;
    return VH_OK;
}
