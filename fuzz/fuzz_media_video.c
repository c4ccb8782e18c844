/* libFuzzer harness: arbitrary bytes as a media file through the media glue
 * (open, info, decode up to 30 frames, seek, decode; audio load to 16 kHz).
 * The API takes paths, so each input is written to one private temp file. */
#define _GNU_SOURCE
#include "verhm/media.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[64];

static void cleanup(void) {
    if (path[0]) unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz_media_XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0) { path[0] = 0; return 0; }
        close(fd);
        atexit(cleanup);
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    vh_video *v;
    if (vh_video_open(path, &v) == VH_OK) {
        const vh_image *f;
        double t;
        (void)vh_video_get_info(v);
        for (int i = 0; i < 30 && vh_video_read(v, &f, &t) == VH_OK; i++)
            if (f->w <= 0 || f->h <= 0 || f->c != 3 || !f->data) abort();
        if (vh_video_seek(v, 0.1) == VH_OK) (void)vh_video_read(v, &f, &t);
        vh_video_close(v);
    }
    float *s;
    size_t n;
    if (vh_audio_load(path, 16000, 2.0, &s, &n) == VH_OK) {
        for (size_t i = 0; i < n; i++)
            if (!(s[i] >= -1.0f && s[i] <= 1.0f)) abort();
        vh_free(s);
    }
    return 0;
}
