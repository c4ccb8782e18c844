/* Private helpers shared by the media sources (FFmpeg glue). Not installed. */
#ifndef VH_MEDIA_INTERNAL_H
#define VH_MEDIA_INTERNAL_H
#include "core/internal.h"
#include "verhm/media.h"
#include <libavformat/avformat.h>

/* Largest frame area the decoder accepts (matches the image loaders). */
#define VH__MEDIA_MAX_PIXELS ((int64_t)1 << 28)

/* One-time process set-up: routes FFmpeg's log to vh_log (debug level, so the
 * library never prints) and registers capture devices. Thread-safe. */
void vh__media_init(void);

/* Opens `path` for demuxing and reads stream info. Camera paths (/dev/video*)
 * go through the v4l2 input format. Only the "file" protocol is allowed (no
 * network, no playlists reaching other protocols). Maps failures to
 * VH_ENOTFOUND (missing file / camera), VH_EIO (directory, unreadable) or
 * VH_EFORMAT (empty file, not media) with a message naming the file.
 * *is_device is set when the v4l2 input was used. */
int vh__media_open_input(vh__err *err, const char *path, AVFormatContext **out, int *is_device);

/* Text of an FFmpeg error code (static per thread, for messages only). */
const char *vh__av_err(int averr);
#endif
