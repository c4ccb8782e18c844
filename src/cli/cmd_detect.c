/* verhm detect IMAGE|DIR|VIDEO: Viola-Jones face boxes as JSON lines or text,
 * optionally drawn onto annotated copies. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/face.h"
#include "verhm/image.h"
#include "verhm/media.h"
#include <stdlib.h>
#include <string.h>

static void usage(FILE *o) {
    fprintf(o,
            "usage: verhm detect IMAGE|DIR|VIDEO [options]\n\n"
            "Finds faces with a Viola-Jones Haar cascade (OpenCV 4.x detectMultiScale\n"
            "semantics: same boxes as OpenCV on the same image and parameters).\n"
            "A DIR is searched recursively for .png/.jpg/.jpeg; a video (.mp4 .avi .mpg\n"
            ".mpeg .mkv .webm .mov, or /dev/videoN) is processed frame by frame.\n\n"
            "options:\n"
            "  --cascade FILE   cascade XML (default: $VERHM_CASCADE, else opencv-data's\n"
            "                   haarcascade_frontalface_alt.xml)\n"
            "  --scale F        pyramid scale factor > 1 (default 1.1)\n"
            "  --neighbors N    a face needs more than N raw hits (default 3; 0 = raw hits)\n"
            "  --min-size N     smallest face in pixels (default 0 = cascade window)\n"
            "  --max-size N     largest face in pixels (default 0 = image size)\n"
            "  --json           one JSON object per image (or video frame) per line:\n"
            "                   {\"file\":...,\"faces\":[{\"x\":..,\"y\":..,\"w\":..,\"h\":..}]}\n"
            "                   (video frames also carry \"frame\" and \"time\")\n"
            "  --draw OUTDIR    write annotated copies (green boxes) into OUTDIR\n"
            "  --help           this text\n\n"
            "Unreadable images inside a DIR are reported on stderr and skipped.\n"
            "exit status: 0 ok, 1 bad input, 2 usage\n");
}

typedef struct dctx {
    const vh_cascade *casc;
    vh_detect_params prm;
    int json;
    const char *draw;
    long images, faces, bad;
} dctx;

static int is_video(const char *path) {
    static const char *const v[] = {"mp4", "avi", "mpg", "mpeg", "mkv", "webm", "mov", "m4v", NULL};
    if (strncmp(path, "/dev/video", 10) == 0) return 1;
    const char *e = vh_path_ext(path);
    for (int i = 0; v[i]; i++)
        if (strcmp(e, v[i]) == 0) return 1;
    return 0;
}

static void emit(dctx *d, const char *file, int w, int h, long frame, double t, const vh_box *b, size_t n) {
    if (d->json) {
        vh_buf out = {0};
        vh_json_writer jw;
        vh_jw_init(&jw, &out, 0);
        vh_jw_object_begin(&jw);
        vh_jw_key(&jw, "file");
        vh_jw_string(&jw, file);
        if (frame >= 0) {
            vh_jw_key(&jw, "frame");
            vh_jw_int(&jw, frame);
            vh_jw_key(&jw, "time");
            vh_jw_number(&jw, t);
        }
        vh_jw_key(&jw, "width");
        vh_jw_int(&jw, w);
        vh_jw_key(&jw, "height");
        vh_jw_int(&jw, h);
        vh_jw_key(&jw, "faces");
        vh_jw_array_begin(&jw);
        for (size_t i = 0; i < n; i++) {
            vh_jw_object_begin(&jw);
            vh_jw_key(&jw, "x"); vh_jw_int(&jw, b[i].x);
            vh_jw_key(&jw, "y"); vh_jw_int(&jw, b[i].y);
            vh_jw_key(&jw, "w"); vh_jw_int(&jw, b[i].w);
            vh_jw_key(&jw, "h"); vh_jw_int(&jw, b[i].h);
            vh_jw_key(&jw, "neighbors"); vh_jw_int(&jw, b[i].neighbors);
            vh_jw_object_end(&jw);
        }
        vh_jw_array_end(&jw);
        vh_jw_object_end(&jw);
        vh_cli_print_json(&out);
        vh_buf_free(&out);
    } else {
        if (frame >= 0) printf("%s frame %ld (%.3f s): %zu face%s", file, frame, t, n, n == 1 ? "" : "s");
        else printf("%s: %zu face%s", file, n, n == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) printf("%s x=%d y=%d w=%d h=%d", i ? "," : "", b[i].x, b[i].y, b[i].w, b[i].h);
        putchar('\n');
    }
}

/* Annotated copy: RGB, green boxes; written atomically by vh_image_save. */
static int draw_copy(const vh_image *img, const vh_box *b, size_t n, const char *out_path) {
    vh_image rgb;
    int st = vh_image_convert(img, 3, &rgb);
    if (st) return st;
    static const uint8_t green[3] = {0, 255, 0};
    for (size_t i = 0; i < n; i++) {
        int th = b[i].w >= 100 ? 3 : 2;
        vh_draw_rect(&rgb, b[i].x, b[i].y, b[i].w, b[i].h, th, green);
    }
    char *dir = strdup(out_path);
    if (!dir) { vh_image_free(&rgb); return VH_ENOMEM; }
    char *slash = strrchr(dir, '/');
    if (slash) { *slash = 0; st = vh_mkdir_p(dir); }
    free(dir);
    if (!st) st = vh_image_save(out_path, &rgb, 92);
    vh_image_free(&rgb);
    return st;
}

/* Output name for an input image: its path relative to the input DIR (or its
 * base name), with the extension kept. */
static int draw_path(const dctx *d, const char *root, const char *file, char *out, size_t cap) {
    const char *rel = vh_path_base(file);
    size_t rl = root ? strlen(root) : 0;
    if (root && strncmp(file, root, rl) == 0 && file[rl] == '/') rel = file + rl + 1;
    int k = snprintf(out, cap, "%s/%s", d->draw, rel);
    return k < 0 || (size_t)k >= cap ? -1 : 0;
}

static int run_image(dctx *d, const char *root, const char *file, int in_dir) {
    vh_image img;
    int st = vh_image_load(file, 0, &img);
    if (st) {
        if (in_dir) {
            fprintf(stderr, "verhm: warning: skipping %s\n", vh_last_error());
            d->bad++;
            return 0;
        }
        return vh_cli_fail_status(st);
    }
    vh_box *b = NULL;
    size_t n = 0;
    st = vh_cascade_detect(d->casc, &img, &d->prm, &b, &n);
    if (!st && d->draw) {
        char out[4096];
        if (draw_path(d, root, file, out, sizeof out)) {
            vh_free(b);
            vh_image_free(&img);
            return vh_cli_fail(file, "output path too long");
        }
        st = draw_copy(&img, b, n, out);
    }
    if (st) {
        vh_free(b);
        vh_image_free(&img);
        return vh_cli_fail_status(st);
    }
    emit(d, file, img.w, img.h, -1, 0, b, n);
    d->images++;
    d->faces += (long)n;
    vh_free(b);
    vh_image_free(&img);
    return 0;
}

static int run_video(dctx *d, const char *path) {
    vh_video *v = NULL;
    int st = vh_video_open(path, &v);
    if (st) return vh_cli_fail_status(st);
    const vh_image *fr;
    double t;
    long idx = 0;
    int rc = 0;
    while ((st = vh_video_read(v, &fr, &t)) == VH_OK) {
        vh_box *b = NULL;
        size_t n = 0;
        st = vh_cascade_detect(d->casc, fr, &d->prm, &b, &n);
        if (!st && d->draw) {
            char out[4096];
            int k = snprintf(out, sizeof out, "%s/frame_%06ld.png", d->draw, idx + 1);
            if (k < 0 || (size_t)k >= sizeof out) { vh_free(b); rc = vh_cli_fail(d->draw, "output path too long"); break; }
            st = draw_copy(fr, b, n, out);
        }
        if (st) { vh_free(b); rc = vh_cli_fail_status(st); break; }
        emit(d, path, fr->w, fr->h, idx, t, b, n);
        d->images++;
        d->faces += (long)n;
        vh_free(b);
        idx++;
    }
    if (!rc && st != VH_EEMPTY) rc = vh_cli_fail_status(st);
    if (!rc && idx == 0) rc = vh_cli_fail(path, "no video frames");
    vh_video_close(v);
    return rc;
}

int cmd_detect(int argc, char **argv) {
    static const struct option opts[] = {
        {"cascade", required_argument, 0, 'c'}, {"scale", required_argument, 0, 's'},
        {"neighbors", required_argument, 0, 'n'}, {"min-size", required_argument, 0, 'm'},
        {"max-size", required_argument, 0, 'M'}, {"json", no_argument, 0, 'j'},
        {"draw", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    dctx d;
    memset(&d, 0, sizeof d);
    d.prm = vh_detect_default_params();
    const char *cascade = NULL;
    int c, v;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cascade = optarg; break;
        case 's': if (vh_cli_parse_double("detect", "--scale", optarg, 1.0001, 10, &d.prm.scale_factor)) return VH_EXIT_USAGE; break;
        case 'n': if (vh_cli_parse_int("detect", "--neighbors", optarg, 0, 1000, &d.prm.min_neighbors)) return VH_EXIT_USAGE; break;
        case 'm': if (vh_cli_parse_int("detect", "--min-size", optarg, 0, VH_IMAGE_MAX_DIM, &v)) return VH_EXIT_USAGE; d.prm.min_w = d.prm.min_h = v; break;
        case 'M': if (vh_cli_parse_int("detect", "--max-size", optarg, 0, VH_IMAGE_MAX_DIM, &v)) return VH_EXIT_USAGE; d.prm.max_w = d.prm.max_h = v; break;
        case 'j': d.json = 1; break;
        case 'd': d.draw = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':': return vh_cli_usage_error("detect", "option '%s' needs a value", argv[optind - 1]);
        default: return vh_cli_usage_error("detect", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) return vh_cli_usage_error("detect", "expected one IMAGE, DIR or VIDEO");
    const char *in = argv[optind];
    if (!cascade) cascade = vh_cascade_default_path();
    if (!cascade)
        return vh_cli_fail("detect", "no face cascade found: install opencv-data, set VERHM_CASCADE or pass --cascade FILE");
    vh_cascade *casc = NULL;
    int st = vh_cascade_load(cascade, &casc);
    if (st) return vh_cli_fail_status(st);
    d.casc = casc;
    int rc = 0;
    if (vh_is_dir(in)) {
        static const char *const exts[] = {"png", "jpg", "jpeg", NULL};
        char **files = NULL;
        size_t nf = 0;
        st = vh_list_files(in, 1, exts, &files, &nf);
        if (st) rc = vh_cli_fail_status(st);
        else if (nf == 0) rc = vh_cli_fail(in, "no .png/.jpg/.jpeg images in this folder");
        size_t rl = strlen(in);
        while (rl > 1 && in[rl - 1] == '/') rl--;
        char *root = strndup(in, rl);
        for (size_t i = 0; !rc && i < nf; i++) rc = run_image(&d, root, files[i], 1);
        free(root);
        vh_strlist_free(files, nf);
        if (!rc && nf > 0 && d.images == 0) rc = vh_cli_fail(in, "none of the %zu images could be read", nf);
    } else if (is_video(in)) {
        rc = run_video(&d, in);
    } else {
        rc = run_image(&d, NULL, in, 0);
    }
    if (!rc && !d.json)
        printf("%ld %s, %ld face%s%s", d.images, is_video(in) ? "frames" : (d.images == 1 ? "image" : "images"), d.faces,
               d.faces == 1 ? "" : "s", d.bad ? "" : "\n");
    if (!rc && !d.json && d.bad) printf(", %ld unreadable image%s skipped\n", d.bad, d.bad == 1 ? "" : "s");
    if (!rc && d.json && d.bad) fprintf(stderr, "verhm: warning: %ld unreadable image%s skipped\n", d.bad, d.bad == 1 ? "" : "s");
    vh_cascade_free(casc);
    return rc;
}
