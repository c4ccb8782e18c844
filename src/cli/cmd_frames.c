/* verhm frames: video → numbered PNG/JPEG frames. Frames are written into a
 * hidden temporary folder inside OUTDIR and renamed into place only when the
 * whole range decoded cleanly, so a failure leaves nothing behind. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/image.h"
#include "verhm/media.h"
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) { (void)sig; interrupted = 1; }

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm frames VIDEO OUTDIR [options]\n"
            "Writes the frames of VIDEO as OUTDIR/frame_000001.png, frame_000002.png, ...\n\n"
            "  --fps N          frames on a regular grid of N per second from --start (or the first\n"
            "                   frame): the nearest frame per tick (ties: the earlier one), the last\n"
            "                   frame lasting 1/rate; like ffmpeg's fps filter, frames repeat when N\n"
            "                   exceeds the video's rate\n"
            "  --every N        every Nth frame of the range (default: every frame)\n"
            "  --start T        begin at T seconds (default 0)\n"
            "  --end T          stop before T seconds (default: the end)\n"
            "  --format F       png (default) or jpg\n"
            "  --quality Q      JPEG quality 1-100 (default 92)\n"
            "  --gray           write one-channel (grayscale) images\n"
            "  --force          replace frame_* files already in OUTDIR (otherwise refused)\n"
            "  --keep-going     accept a damaged or truncated video: write its readable frames\n"
            "  --json           print {\"count\", \"dir\", \"frames\": [{\"file\", \"time\"}]} on stdout\n"
            "  --progress       progress bar on stderr even when it is not a terminal\n\n"
            "VIDEO is any file FFmpeg reads (MP4, AVI, WebM, MPEG) or a camera (/dev/video0, with --end).\n"
            "Exit status: 0 frames written, 1 bad input (nothing is written), 2 usage error.\n");
}

typedef struct frames_job {
    const char *outdir;
    char tmpdir[4096];
    const char *ext;
    int gray, quality;
    int count;
    double *times;
    size_t times_cap;
    vh_image scratch;
} frames_job;

/* Writes one selected frame into the temporary folder. */
static int emit(frames_job *j, const vh_image *img, double t) {
    if (j->count >= 999999) return vh_cli_fail(j->outdir, "more than 999999 frames selected");
    if ((size_t)j->count == j->times_cap) {
        size_t cap = j->times_cap ? j->times_cap * 2 : 256;
        double *p = realloc(j->times, cap * sizeof *p);
        if (!p) return vh_cli_fail(j->outdir, "out of memory");
        j->times = p;
        j->times_cap = cap;
    }
    const vh_image *out = img;
    if (j->gray) {
        vh_image_free(&j->scratch);
        int st = vh_image_to_gray(img, &j->scratch);
        if (st) return vh_cli_fail_status(st);
        out = &j->scratch;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/frame_%06d.%s", j->tmpdir, j->count + 1, j->ext);
    int st = vh_image_save(path, out, j->quality);
    if (st) return vh_cli_fail(j->outdir, "cannot write frames: %s", vh_last_error());
    j->times[j->count++] = t;
    return 0;
}

/* Non-zero when `dir` holds an entry named frame_*. */
static int has_frames(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) found = strncmp(e->d_name, "frame_", 6) == 0;
    closedir(d);
    return found;
}

/* Removes the regular files named frame_* in `dir` (for --force). */
static int remove_old_frames(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return vh_cli_fail(dir, "cannot list: %s", strerror(errno));
    struct dirent *e;
    char p[4400];
    int rc = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "frame_", 6) != 0) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            rc = vh_cli_fail(p, "not a regular file; refusing to replace it");
            break;
        }
        if (unlink(p) != 0) { rc = vh_cli_fail(p, "cannot remove: %s", strerror(errno)); break; }
    }
    closedir(d);
    return rc;
}

/* Deletes the temporary folder and everything written into it. */
static void remove_tmp(frames_job *j) {
    if (!j->tmpdir[0]) return;
    DIR *d = opendir(j->tmpdir);
    if (d) {
        struct dirent *e;
        char p[4400];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", j->tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(j->tmpdir);
    j->tmpdir[0] = 0;
}

/* Creates `dir` and missing parents, remembering the highest one created in
 * `top` (empty when the directory existed) so a failure can remove them. */
static int make_outdir(const char *dir, char *top, size_t top_size) {
    top[0] = 0;
    if (vh_is_dir(dir)) return 0;
    if (access(dir, F_OK) == 0) return vh_cli_fail(dir, "exists and is not a directory");
    char *p = strdup(dir);
    if (!p) return vh_cli_fail(dir, "out of memory");
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') p[--n] = 0;
    for (char *q = p + 1;; q++) {
        if (*q == '/' || *q == 0) {
            char c = *q;
            *q = 0;
            if (mkdir(p, 0755) == 0) {
                if (!top[0]) snprintf(top, top_size, "%s", p);
            } else if (errno != EEXIST || !vh_is_dir(p)) {
                int e = errno == EEXIST ? ENOTDIR : errno;
                *q = c;
                free(p);
                return vh_cli_fail(dir, "cannot create directory: %s", strerror(e));
            }
            *q = c;
            if (!c) break;
        }
    }
    free(p);
    return 0;
}

/* Removes directories created by make_outdir (deepest first, empty only). */
static void unmake_outdir(const char *dir, const char *top) {
    if (!top[0]) return;
    char *p = strdup(dir);
    if (!p) return;
    size_t tl = strlen(top);
    for (;;) {
        rmdir(p);
        if (strlen(p) <= tl) break;
        char *s = strrchr(p, '/');
        if (!s || s == p) break;
        *s = 0;
    }
    free(p);
}

/* Moves the finished frames from the temporary folder into OUTDIR. */
static int publish(frames_job *j) {
    char from[4400], to[4400];
    for (int i = 1; i <= j->count; i++) {
        snprintf(from, sizeof from, "%s/frame_%06d.%s", j->tmpdir, i, j->ext);
        snprintf(to, sizeof to, "%s/frame_%06d.%s", j->outdir, i, j->ext);
        if (rename(from, to) != 0) {
            int e = errno;
            for (int k = 1; k < i; k++) { /* put the moved ones back, then drop all */
                snprintf(from, sizeof from, "%s/frame_%06d.%s", j->tmpdir, k, j->ext);
                snprintf(to, sizeof to, "%s/frame_%06d.%s", j->outdir, k, j->ext);
                rename(to, from);
            }
            return vh_cli_fail(to, "cannot move into place: %s", strerror(e));
        }
    }
    return 0;
}

int cmd_frames(int argc, char **argv) {
    static const struct option opts[] = {
        {"fps", required_argument, NULL, 'f'},   {"every", required_argument, NULL, 'e'},
        {"start", required_argument, NULL, 's'}, {"end", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'}, {"quality", required_argument, NULL, 'q'},
        {"gray", no_argument, NULL, 'g'},        {"force", no_argument, NULL, 'x'},
        {"keep-going", no_argument, NULL, 'k'},  {"json", no_argument, NULL, 'j'},
        {"progress", no_argument, NULL, 'p'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    double fps = 0, start = 0, end = -1;
    int every = 0, quality = 0, gray = 0, force = 0, keep_going = 0, json = 0, have_start = 0;
    const char *ext = "png";
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': if (vh_cli_parse_double("frames", "--fps", optarg, 1e-3, 1000, &fps)) return VH_EXIT_USAGE; break;
        case 'e': if (vh_cli_parse_int("frames", "--every", optarg, 1, 1000000, &every)) return VH_EXIT_USAGE; break;
        case 's': if (vh_cli_parse_double("frames", "--start", optarg, 0, 1e9, &start)) return VH_EXIT_USAGE; have_start = 1; break;
        case 't': if (vh_cli_parse_double("frames", "--end", optarg, 0, 1e9, &end)) return VH_EXIT_USAGE; break;
        case 'q': if (vh_cli_parse_int("frames", "--quality", optarg, 1, 100, &quality)) return VH_EXIT_USAGE; break;
        case 'F':
            if (!strcmp(optarg, "png")) ext = "png";
            else if (!strcmp(optarg, "jpg") || !strcmp(optarg, "jpeg")) ext = "jpg";
            else return vh_cli_usage_error("frames", "--format expects png or jpg, got '%s'", optarg);
            break;
        case 'g': gray = 1; break;
        case 'x': force = 1; break;
        case 'k': keep_going = 1; break;
        case 'j': json = 1; break;
        case 'p': break; /* handled by main */
        case 'h': usage(stdout); return VH_EXIT_OK;
        default:
            return vh_cli_usage_error("frames", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2) return vh_cli_usage_error("frames", "expected VIDEO and OUTDIR");
    if (fps > 0 && every > 0) return vh_cli_usage_error("frames", "--fps and --every cannot be combined");
    if (end >= 0 && end <= start) return vh_cli_usage_error("frames", "--end (%g) must be after --start (%g)", end, start);
    const char *video = argv[optind], *outdir = argv[optind + 1];
    if (strncmp(video, "/dev/video", 10) == 0 && end < 0)
        return vh_cli_usage_error("frames", "a camera needs --end T (seconds to capture)");

    vh_video *v;
    int st = vh_video_open(video, &v);
    if (st) return vh_cli_fail_status(st);
    const vh_video_info *info = vh_video_get_info(v);
    if (vh_is_dir(outdir) && has_frames(outdir) && !force) {
        vh_video_close(v);
        return vh_cli_fail(outdir, "already holds frame_* files (use --force to replace them)");
    }
    char created[4096];
    if (make_outdir(outdir, created, sizeof created)) { vh_video_close(v); return VH_EXIT_INPUT; }

    frames_job j;
    memset(&j, 0, sizeof j);
    j.outdir = outdir;
    j.ext = ext;
    j.gray = gray;
    j.quality = quality;
    int rc = 0;
    snprintf(j.tmpdir, sizeof j.tmpdir, "%s/.frames-tmpXXXXXX", outdir);
    if (!mkdtemp(j.tmpdir)) {
        j.tmpdir[0] = 0;
        rc = vh_cli_fail(outdir, "cannot write: %s", strerror(errno));
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    if (!rc && start > 0) {
        st = vh_video_seek(v, start);
        if (st && st != VH_EUNSUPPORTED) rc = vh_cli_fail_status(st);
        /* Cameras and unseekable files: frames before `start` are dropped below. */
    }
    vh_progress_bar bar;
    vh_cli_progress_init(&bar);
    uint64_t total = info->frame_count > 0 ? (uint64_t)info->frame_count : 0;
    uint64_t decoded = 0;
    vh_image prev = {0};
    double tp = 0, last_gap = 0, t0 = start;
    int have_prev = 0;
    int64_t tick = 0, index = 0;
    int read_st = VH_EEMPTY;
    const double eps = 1e-6;
    while (!rc) {
        if (interrupted) { rc = vh_cli_fail(video, "interrupted; nothing written"); break; }
        const vh_image *f;
        double t;
        read_st = vh_video_read(v, &f, &t);
        if (read_st) break;
        decoded++;
        vh_progress_bar_update(decoded, total, "frames", NULL, &bar);
        if (t < start - eps) continue;
        if (end >= 0 && t >= end - eps) break;
        if (fps > 0) {
            if (!have_prev) {
                if (!have_start) t0 = t;
            } else {
                double mid = 0.5 * (tp + t);
                for (;;) {
                    double g = t0 + (double)tick / fps;
                    if (g > mid + eps || (end >= 0 && g >= end - eps)) break; /* ties: the earlier frame */
                    if ((rc = emit(&j, &prev, tp))) break;
                    tick++;
                }
                last_gap = t - tp;
                vh_image_free(&prev);
            }
            if (!rc && (st = vh_image_clone(f, &prev))) rc = vh_cli_fail_status(st);
            tp = t;
            have_prev = 1;
        } else {
            if (every <= 1 || index % every == 0) rc = emit(&j, f, t);
            index++;
        }
    }
    if (!rc && read_st != VH_OK && read_st != VH_EEMPTY) rc = vh_cli_fail_status(read_st);
    if (!rc && fps > 0 && have_prev) { /* the last frame lasts one frame duration */
        double d = info->fps > 0 ? 1.0 / info->fps : last_gap > 0 ? last_gap : 1.0 / fps;
        for (;;) {
            double g = t0 + (double)tick / fps;
            if (g >= tp + d - eps || (end >= 0 && g >= end - eps)) break;
            if ((rc = emit(&j, &prev, tp))) break;
            tick++;
        }
    }
    vh_image_free(&prev);
    vh_progress_bar_finish(&bar);
    int64_t skipped = vh_video_skipped(v);
    if (!rc && skipped > 0 && !keep_going)
        rc = vh_cli_fail(video, "damaged or truncated video: %lld corrupt packets/frames (--keep-going writes the readable frames)",
                         (long long)skipped);
    if (!rc && j.count == 0) {
        if (decoded == 0 && start == 0)
            rc = vh_cli_fail(video, "no decodable frames");
        else if (start > 0 && (decoded == 0 || (info->duration > 0 && start >= info->duration)))
            rc = vh_cli_fail(video, "--start %g s is at or after the end of the video (%.2f s)", start, info->duration);
        else
            rc = vh_cli_fail(video, "no frames in the selected range");
    }
    if (!rc && force) rc = remove_old_frames(outdir);
    if (!rc) rc = publish(&j);
    remove_tmp(&j);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc) {
        unmake_outdir(outdir, created);
    } else if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "video"); vh_jw_string(&w, video);
        vh_jw_key(&w, "dir"); vh_jw_string(&w, outdir);
        vh_jw_key(&w, "count"); vh_jw_int(&w, j.count);
        vh_jw_key(&w, "skipped"); vh_jw_int(&w, skipped);
        vh_jw_key(&w, "frames");
        vh_jw_array_begin(&w);
        char name[64];
        for (int i = 0; i < j.count; i++) {
            snprintf(name, sizeof name, "frame_%06d.%s", i + 1, ext);
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "file"); vh_jw_string(&w, name);
            vh_jw_key(&w, "time"); vh_jw_number(&w, round(j.times[i] * 1e6) / 1e6);
            vh_jw_object_end(&w);
        }
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("wrote %d frames to %s\n", j.count, outdir);
    }
    if (!rc && skipped > 0)
        fprintf(stderr, "verhm: warning: %s: skipped %lld corrupt packets/frames\n", video, (long long)skipped);
    vh_image_free(&j.scratch);
    free(j.times);
    vh_video_close(v);
    return rc;
}
