/*
 * verhm/media.h — video and audio through the FFmpeg libraries.
 *
 * Reading: vh_video_open() opens anything libavformat reads (MP4/H.264, AVI,
 * WebM, MPEG-1, camera devices via "/dev/videoN") and yields RGB frames with
 * timestamps; vh_audio_load() decodes a file's audio track to mono float.
 * Writing: vh_video_writer encodes H.264 MP4 from RGB frames, optionally with
 * an AAC audio track from float samples.
 *
 * Handles are opaque; each keeps its last error message (vh_*_error()), which
 * is also readable through vh_last_error(). A handle is used by one thread at
 * a time; different handles may be used concurrently.
 *
 * Only local files (the "file" protocol) and V4L2 cameras are opened: no
 * network URLs. FFmpeg's own log output is routed to vh_log() at debug level,
 * so the library never prints.
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
    int width, height;   /* coded frame size of the video stream */
    double fps;          /* average frame rate (0 if unknown) */
    double duration;     /* seconds (0 if unknown, e.g. cameras) */
    int64_t frame_count; /* from the container, else duration*fps; 0 if unknown */
    int has_audio;       /* the file also has an audio stream */
    int audio_rate, audio_channels;
    char codec[32];      /* video codec name, e.g. "h264", "mpeg1video" */
} vh_video_info;

/* Opens a video file or a camera and prepares threaded decoding
 * (vh_threads_get() threads; one for cameras, for latency).
 * `path` is a local file, or "/dev/videoN" (read through FFmpeg's v4l2 input
 * with the camera's default format).
 * Returns VH_OK with *out set, or: VH_ENOTFOUND (no such file / camera),
 * VH_EIO (a directory, unreadable), VH_EFORMAT (empty file, not media, no
 * video stream), VH_ERANGE (frames larger than VH_IMAGE_MAX_DIM per side or
 * 2^28 pixels), VH_EUNSUPPORTED (no decoder). *out is NULL on failure.
 * Close with vh_video_close. */
int vh_video_open(const char *path, vh_video **out);
void vh_video_close(vh_video *v); /* NULL ok */
/* Stream facts read at open time; owned by the handle, valid until close. */
const vh_video_info *vh_video_get_info(const vh_video *v);

/* Decodes the next frame into `frame` (RGB, c = 3, owned by the handle and
 * valid until the next read/seek/close on it; do not free) and its
 * presentation time `t` in seconds from the start of the file (container
 * start time subtracted; for cameras from the first frame). Timestamps come
 * from the frame's best-effort PTS; a frame without one gets the previous
 * time + 1/fps. Either output pointer may be NULL.
 * Returns VH_OK, VH_EEMPTY at end of stream, or an error (VH_EIO for a camera
 * read failure, VH_EFORMAT after 200 consecutive undecodable frames).
 * Corrupt packets (flagged by the demuxer, e.g. cut short by truncation),
 * packets the decoder rejects, and frames the decoder marks as damaged are
 * skipped and counted (vh_video_skipped()), not returned. */
int vh_video_read(vh_video *v, const vh_image **frame, double *t);
/* Seeks so that the next vh_video_read returns the first frame whose time is
 * at or after `t` seconds (t >= 0): seeks to the keyframe before t, then
 * decodes forward. A `t` past the end is not an error: the next read returns
 * VH_EEMPTY. Returns VH_OK, VH_EINVAL (negative/NaN t), VH_EUNSUPPORTED
 * (cameras, or a file FFmpeg cannot seek in). */
int vh_video_seek(vh_video *v, double t);
/* Number of corrupt packets/frames skipped so far (0 for a clean file). */
int64_t vh_video_skipped(const vh_video *v);
/* Last error message of this handle ("" if none). Owned by the handle. */
const char *vh_video_error(const vh_video *v);

/* Decodes the whole audio track of any media file to mono float32 in [-1, 1]
 * at `rate` Hz (1000..768000; channels averaged with equal weights, any input
 * layout, sample format and rate, resampled with libswresample). Uses the
 * file's "best" audio stream; sample-rate or layout changes mid-stream are
 * handled. `max_seconds` > 0 stops after that much audio (0 = all, up to 2^31
 * samples, else VH_ERANGE). On success *samples (caller frees with vh_free)
 * holds *n samples.
 * Errors: VH_ENOTFOUND (missing file), VH_EFORMAT (no audio stream / not
 * media / undecodable), VH_EEMPTY (an audio stream without samples),
 * VH_EINVAL (bad rate), VH_ENOMEM. *samples is NULL on failure. */
int vh_audio_load(const char *path, int rate, double max_seconds, float **samples, size_t *n);

/* Streaming audio reader for long recordings: memory is bounded by one
 * decoded frame (plus its resampled copy), whatever the file length.
 * Open errors are those of vh_audio_load. Close with vh_audio_close. */
typedef struct vh_audio_reader vh_audio_reader;
int vh_audio_open(const char *path, int rate, vh_audio_reader **out);
/* Reads up to `max` mono samples at the requested rate into `buf` (caller's
 * buffer). Returns the count (< max only at the end; 0 at end) or a negative
 * status (samples read before an error are returned first, the error on the
 * next call). */
long vh_audio_read(vh_audio_reader *r, float *buf, size_t max);
/* Duration from the container in seconds, 0 if unknown. */
double vh_audio_duration(const vh_audio_reader *r);
/* Corrupt audio packets/frames skipped so far. */
int64_t vh_audio_skipped(const vh_audio_reader *r);
/* Last error message of this reader ("" if none). Owned by the reader. */
const char *vh_audio_error(const vh_audio_reader *r);
void vh_audio_close(vh_audio_reader *r); /* NULL ok */

/* ---- encoding ---- */

typedef struct vh_video_writer vh_video_writer;

typedef struct vh_writer_params {
    int width, height;  /* even sizes (2..16384) required by H.264/yuv420p */
    double fps;         /* e.g. 30 (0 < fps <= 1000) */
    int crf;            /* quality (libx264 crf 1..51, lower is better; 0 → 20) */
    int audio_rate;     /* 0: no audio track; else samples/s of the audio you pass
                           (resampled to 48 kHz when AAC cannot use the rate) */
    int overwrite;      /* 0: refuse to replace an existing file (VH_EEXIST) */
    const char *preset; /* libx264 preset ("ultrafast" .. "veryslow"); NULL → "medium" */
} vh_writer_params;

/* fps 30, crf 20, preset "medium", no audio, no overwrite, size 0 (set it). */
vh_writer_params vh_writer_default_params(void);

/* Creates an MP4 (H.264 yuv420p BT.601 limited range, a keyframe every ~2 s,
 * AAC-LC mono 96 kb/s when audio_rate > 0, "faststart" index at the front).
 * It is written to a temporary file beside `path` that replaces `path` only
 * when vh_video_writer_finish succeeds: no partial output, ever.
 * Errors: VH_EINVAL (bad params), VH_EEXIST (exists and !overwrite), VH_EIO
 * (cannot create), VH_EUNSUPPORTED (FFmpeg lacks libx264/aac). *out is NULL
 * on failure. The handle is used by one thread at a time. */
int vh_video_writer_open(const char *path, const vh_writer_params *p, vh_video_writer **out);
/* Appends one frame of the configured size: gray (c 1), RGB (3) or RGBA (4,
 * alpha ignored); the caller keeps ownership of `frame`. Frame i is shown at
 * i/fps. Errors: VH_EINVAL (wrong size/channels), encoder/write errors. */
int vh_video_writer_frame(vh_video_writer *w, const vh_image *frame);
/* Appends mono float audio samples at the configured rate (any amount per
 * call; values are clamped to [-1, 1], NaN/Inf become 0). The muxer
 * interleaves audio and video by time; feeding both in step (roughly
 * rate/fps samples per frame) keeps memory small. VH_EINVAL if the writer has
 * no audio track. */
int vh_video_writer_audio(vh_video_writer *w, const float *samples, size_t n);
/* Pads the audio with silence up to the video's duration (frames/fps; longer
 * audio is kept), flushes the encoders, writes the index and moves the file
 * into place. Frees w in all cases; on failure nothing is left at `path`
 * (and an existing file there is untouched). VH_EEMPTY if no frame was
 * written. */
int vh_video_writer_finish(vh_video_writer *w);
/* Discards everything (no file left). Frees w. NULL ok. */
void vh_video_writer_abort(vh_video_writer *w);
const char *vh_video_writer_error(const vh_video_writer *w);

#ifdef __cplusplus
}
#endif
#endif
