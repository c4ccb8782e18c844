/*
 * verhm/media.h — video and audio through the FFmpeg libraries.
 *
 * Reading: vh_video_open() opens anything libavformat reads (MP4/H.264, AVI,
 * WebM, MPEG-1, camera devices via "/dev/videoN") and yields RGB frames with
 * timestamps; vh_audio_load() decodes a file's audio track to mono float.
 * Writing: vh_video_writer encodes H.264 MP4 from RGB frames, optionally with
 * an AAC audio track from float samples.
 *
 * Handles are opaque; each keeps its last error message (vh_*_error()).
 */
#ifndef VERHM_MEDIA_H
#define VERHM_MEDIA_H

#include "verhm/core.h"
#include "verhm/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vh_video vh_video;

typedef struct vh_video_info {
    int width, height;
    double fps;          /* average frame rate (0 if unknown) */
    double duration;     /* seconds (0 if unknown) */
    int64_t frame_count; /* estimate, 0 if unknown */
    int has_audio;
    int audio_rate, audio_channels;
    char codec[32];
} vh_video_info;

/* Opens a video file or camera. Errors: VH_ENOTFOUND, VH_EFORMAT (not a video
 * / no video stream), VH_EIO. *out is NULL on failure. */
int vh_video_open(const char *path, vh_video **out);
void vh_video_close(vh_video *v); /* NULL ok */
const vh_video_info *vh_video_get_info(const vh_video *v);

/* Decodes the next frame into `frame` (RGB, owned by the handle and valid until
 * the next call; do not free) and its presentation time in seconds.
 * Returns VH_OK, VH_EEMPTY at end of stream, or an error. Frames that fail to
 * decode are skipped and counted (vh_video_skipped()). */
int vh_video_read(vh_video *v, const vh_image **frame, double *t);
/* Seeks so that the next vh_video_read returns the first frame at or after t. */
int vh_video_seek(vh_video *v, double t);
/* Number of corrupt frames skipped so far. */
int64_t vh_video_skipped(const vh_video *v);
const char *vh_video_error(const vh_video *v);

/* Decodes the whole audio track of any media file to mono float32 in [-1, 1]
 * at `rate` Hz (channels averaged, resampled with libswresample). `max_seconds`
 * > 0 stops after that much audio. Caller frees *samples with vh_free.
 * Errors: VH_ENOTFOUND, VH_EFORMAT (no audio stream / not media). */
int vh_audio_load(const char *path, int rate, double max_seconds, float **samples, size_t *n);

/* Streaming audio reader for long recordings (bounded memory). */
typedef struct vh_audio_reader vh_audio_reader;
int vh_audio_open(const char *path, int rate, vh_audio_reader **out);
/* Reads up to `max` mono samples; returns the count (0 at end) or a negative status. */
long vh_audio_read(vh_audio_reader *r, float *buf, size_t max);
double vh_audio_duration(const vh_audio_reader *r); /* seconds, 0 if unknown */
void vh_audio_close(vh_audio_reader *r);

/* ---- encoding ---- */

typedef struct vh_video_writer vh_video_writer;

typedef struct vh_writer_params {
    int width, height;  /* even sizes required by H.264/yuv420p */
    double fps;         /* e.g. 30 */
    int crf;            /* quality (libx264 crf, 0 → 20) */
    int audio_rate;     /* 0: no audio track; else samples/s of the audio you pass */
    int overwrite;      /* 0: refuse to replace an existing file */
} vh_writer_params;

vh_writer_params vh_writer_default_params(void);

/* Creates an MP4 (written to a temporary file that replaces `path` only when
 * vh_video_writer_finish succeeds: no partial output). */
int vh_video_writer_open(const char *path, const vh_writer_params *p, vh_video_writer **out);
/* Appends one RGB (or gray/RGBA, converted) frame of the configured size. */
int vh_video_writer_frame(vh_video_writer *w, const vh_image *frame);
/* Appends mono float audio samples at the configured rate (any amount per call). */
int vh_video_writer_audio(vh_video_writer *w, const float *samples, size_t n);
/* Flushes encoders, writes the trailer and moves the file into place. Frees w. */
int vh_video_writer_finish(vh_video_writer *w);
/* Discards everything (no file left). Frees w. NULL ok. */
void vh_video_writer_abort(vh_video_writer *w);
const char *vh_video_writer_error(const vh_video_writer *w);

#ifdef __cplusplus
}
#endif
#endif
