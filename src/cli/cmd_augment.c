/* verhm augment DIR: detect the largest face in every image, write a gray
 * face crop and N augmented variants beside the original (never overwriting). */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/face.h"
#include "verhm/image.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *o) {
    fprintf(o,
            "usage: verhm augment DIR [options]\n\n"
            "For every .png/.jpg/.jpeg under DIR (label subfolders kept), detects faces,\n"
            "crops the largest with a margin, converts to gray, resizes (area) and writes\n"
            "beside the original:\n"
            "  NAME.face.png            the face crop (SIZE x SIZE)\n"
            "  NAME.aug01.png ...       N variants: random mirror, rotation (±10°), shift\n"
            "                           (±8%%), scale (0.9-1.1), brightness/contrast and\n"
            "                           Gaussian noise, reproducible from --seed\n"
            "Originals are never modified; existing outputs are never rewritten and files\n"
            "with these suffixes are not used as inputs, so a second run adds nothing.\n\n"
            "options:\n"
            "  --size N        crop side in pixels (default 48)\n"
            "  --margin F      margin around the face box, fraction of its size (default 0.2)\n"
            "  --per-image N   augmented variants per face (default 5, 0-99)\n"
            "  --seed S        random seed (default 1)\n"
            "  --cascade FILE  cascade XML (default: $VERHM_CASCADE, else opencv-data's\n"
            "                  haarcascade_frontalface_alt.xml)\n"
            "  --help          this text\n\n"
            "Prints one line per image without a face and a summary.\n"
            "exit status: 0 ok, 1 bad input, 2 usage\n");
}

/* Outputs of earlier runs: NAME.face.EXT or NAME.augNN.EXT. */
static int is_output(const char *path) {
    const char *b = vh_path_base(path);
    const char *dot = strrchr(b, '.');
    if (!dot || dot == b) return 0;
    const char *prev = dot - 1;
    while (prev > b && *prev != '.') prev--;
    if (*prev != '.') return 0;
    size_t k = (size_t)(dot - prev);
    if (k == 5 && strncmp(prev, ".face", 5) == 0) return 1;
    if (k == 6 && strncmp(prev, ".aug", 4) == 0 && isdigit((unsigned char)prev[4]) && isdigit((unsigned char)prev[5]))
        return 1;
    return 0;
}

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

typedef struct actx {
    const vh_cascade *casc;
    int size, per;
    double margin;
    uint64_t seed;
    long images, faces, noface, bad, written;
} actx;

/* Writes img to path unless it exists. Returns 0, 1 if written, or <0 status. */
static int save_new(actx *a, const char *path, const vh_image *img) {
    if (vh_is_file(path)) return 0;
    int st = vh_image_save(path, img, 0);
    if (st) return st;
    a->written++;
    return 1;
}

static int augment_one(actx *a, const char *root, const char *file) {
    vh_image src, gray;
    memset(&gray, 0, sizeof gray);
    int st = vh_image_load(file, 0, &src);
    if (st) {
        fprintf(stderr, "verhm: warning: skipping %s\n", vh_last_error());
        a->bad++;
        return 0;
    }
    st = vh_image_to_gray(&src, &gray);
    vh_image_free(&src);
    if (st) return st;
    a->images++;
    vh_box *b = NULL;
    size_t n = 0;
    vh_detect_params prm = vh_detect_default_params();
    st = vh_cascade_detect(a->casc, &gray, &prm, &b, &n);
    if (st) { vh_image_free(&gray); return st; }
    if (n == 0) {
        printf("no face: %s\n", file);
        a->noface++;
        vh_image_free(&gray);
        return 0;
    }
    a->faces++;
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if ((long)b[i].w * b[i].h > (long)b[best].w * b[best].h) best = i;
    vh_box f = b[best];
    vh_free(b);
    /* Square crop with margin around the box centre. */
    double side = fmax(f.w, f.h) * (1.0 + 2.0 * a->margin);
    double cx = f.x + f.w / 2.0, cy = f.y + f.h / 2.0;
    int cs = (int)lrint(side);
    if (cs < 1) cs = 1;
    vh_image crop, face, wide, tmp;
    memset(&crop, 0, sizeof crop);
    memset(&face, 0, sizeof face);
    memset(&wide, 0, sizeof wide);
    memset(&tmp, 0, sizeof tmp);
    int interp = cs >= a->size ? VH_INTERP_AREA : VH_INTERP_BILINEAR;
    st = vh_image_crop(&gray, (int)lrint(cx - cs / 2.0), (int)lrint(cy - cs / 2.0), cs, cs, &crop);
    if (!st) st = vh_image_resize(&crop, a->size, a->size, interp, &face);
    /* A crop twice as wide, for the variants: rotations/shifts sample real
     * pixels instead of a border. */
    if (!st) {
        vh_image_free(&crop);
        st = vh_image_crop(&gray, (int)lrint(cx - cs), (int)lrint(cy - cs), 2 * cs, 2 * cs, &crop);
    }
    if (!st) st = vh_image_resize(&crop, 2 * a->size, 2 * a->size, interp, &wide);
    vh_image_free(&crop);
    vh_image_free(&gray);
    char base[4096];
    const char *dot = strrchr(file, '.');
    const char *slash = strrchr(file, '/');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - file) : strlen(file);
    if (!st && stem + 16 > sizeof base) st = VH_ERANGE;
    if (!st) {
        snprintf(base, sizeof base, "%.*s.face.png", (int)stem, file);
        int w = save_new(a, base, &face);
        if (w < 0) st = w;
    }
    /* Variants: seeded by the seed and the path relative to DIR, so a file's
     * variants do not depend on which other files exist. */
    size_t rl = strlen(root);
    while (rl > 0 && root[rl - 1] == '/') rl--;
    const char *rel = strncmp(file, root, rl) == 0 ? file + rl : file;
    vh_rng rng;
    vh_rng_seed(&rng, a->seed ^ hash_str(rel));
    for (int k = 1; !st && k <= a->per; k++) {
        double ang = (vh_rng_uniform(&rng) * 2 - 1) * 10.0 * M_PI / 180.0;
        double sc = 0.9 + 0.2 * vh_rng_uniform(&rng);
        double tx = (vh_rng_uniform(&rng) * 2 - 1) * 0.08 * a->size;
        double ty = (vh_rng_uniform(&rng) * 2 - 1) * 0.08 * a->size;
        int flip = vh_rng_uniform(&rng) < 0.5;
        double alpha = 0.8 + 0.4 * vh_rng_uniform(&rng), beta = (vh_rng_uniform(&rng) * 2 - 1) * 20.0;
        double sigma = 6.0 * vh_rng_uniform(&rng);
        /* dst (x, y) → wide: rotate/scale about the centre, then shift. */
        double c = cos(ang) / sc, s = sin(ang) / sc, h = a->size / 2.0, H = (double)a->size;
        double m[6] = {c, -s, H - c * h + s * h + tx, s, c, H - s * h - c * h + ty};
        snprintf(base, sizeof base, "%.*s.aug%02d.png", (int)stem, file, k);
        if (vh_is_file(base)) continue;
        st = vh_image_warp_affine(&wide, m, a->size, a->size, 0, &tmp);
        if (st) break;
        if (flip) vh_image_flip_h(&tmp);
        vh_image_adjust(&tmp, alpha, beta);
        for (int y = 0; y < tmp.h; y++) {
            uint8_t *row = tmp.data + (size_t)y * tmp.stride;
            for (int x = 0; x < tmp.w; x++) {
                double v = row[x] + sigma * vh_rng_normal(&rng);
                row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v));
            }
        }
        int w = save_new(a, base, &tmp);
        vh_image_free(&tmp);
        if (w < 0) st = w;
    }
    vh_image_free(&face);
    vh_image_free(&wide);
    if (st == VH_ERANGE && stem + 16 > sizeof base) return vh_cli_fail(file, "path too long");
    return st ? vh_cli_fail_status(st) : 0;
}

int cmd_augment(int argc, char **argv) {
    static const struct option opts[] = {
        {"size", required_argument, 0, 's'}, {"margin", required_argument, 0, 'm'},
        {"per-image", required_argument, 0, 'n'}, {"seed", required_argument, 0, 'S'},
        {"cascade", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    actx a;
    memset(&a, 0, sizeof a);
    a.size = 48;
    a.margin = 0.2;
    a.per = 5;
    a.seed = 1;
    const char *cascade = NULL;
    int c;
    double seed;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 's': if (vh_cli_parse_int("augment", "--size", optarg, 8, 1024, &a.size)) return VH_EXIT_USAGE; break;
        case 'm': if (vh_cli_parse_double("augment", "--margin", optarg, 0, 2, &a.margin)) return VH_EXIT_USAGE; break;
        case 'n': if (vh_cli_parse_int("augment", "--per-image", optarg, 0, 99, &a.per)) return VH_EXIT_USAGE; break;
        case 'S':
            if (vh_cli_parse_double("augment", "--seed", optarg, 0, 9007199254740992.0, &seed)) return VH_EXIT_USAGE;
            if (seed != floor(seed)) return vh_cli_usage_error("augment", "--seed expects a whole number");
            a.seed = (uint64_t)seed;
            break;
        case 'c': cascade = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':': return vh_cli_usage_error("augment", "option '%s' needs a value", argv[optind - 1]);
        default: return vh_cli_usage_error("augment", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) return vh_cli_usage_error("augment", "expected one DIR");
    const char *dir = argv[optind];
    if (!vh_is_dir(dir)) return vh_cli_fail(dir, vh_is_file(dir) ? "not a folder" : "no such folder");
    if (!cascade) cascade = vh_cascade_default_path();
    if (!cascade)
        return vh_cli_fail("augment", "no face cascade found: install opencv-data, set VERHM_CASCADE or pass --cascade FILE");
    vh_cascade *casc = NULL;
    int st = vh_cascade_load(cascade, &casc);
    if (st) return vh_cli_fail_status(st);
    a.casc = casc;
    static const char *const exts[] = {"png", "jpg", "jpeg", NULL};
    char **files = NULL;
    size_t nf = 0;
    int rc = 0;
    st = vh_list_files(dir, 1, exts, &files, &nf);
    if (st) rc = vh_cli_fail_status(st);
    size_t inputs = 0;
    for (size_t i = 0; !rc && i < nf; i++) inputs += !is_output(files[i]);
    if (!rc && inputs == 0) rc = vh_cli_fail(dir, "no .png/.jpg/.jpeg images in this folder");
    vh_progress_bar bar;
    vh_cli_progress_init(&bar);
    size_t done = 0;
    for (size_t i = 0; !rc && i < nf; i++) {
        if (is_output(files[i])) continue;
        rc = augment_one(&a, dir, files[i]);
        vh_progress_bar_update(++done, inputs, "augment", NULL, &bar);
    }
    vh_progress_bar_finish(&bar);
    if (!rc && a.images == 0) rc = vh_cli_fail(dir, "none of the %zu images could be read", inputs);
    if (!rc)
        printf("%ld images: %ld with a face, %ld without; %ld unreadable; %ld new files\n", a.images, a.faces,
               a.noface, a.bad, a.written);
    vh_strlist_free(files, nf);
    vh_cascade_free(casc);
    return rc;
}
