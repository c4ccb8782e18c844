/*
 * Image-classification datasets held in memory as 8-bit gray images: a folder
 * of <Label>/ subfolders, a FER+ folder (label.csv with crowd votes) and a
 * FER-2013 CSV; stratified splits; and seeded per-example augmentation
 * (crop/flip/rotate/scale, brightness/contrast, random erasing) into float
 * NCHW batches.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/internal.h"
#include "verhm/image.h"
#include "verhm/nn_model.h"
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIDE 1024

static const char *ferplus_names[8] = {"neutral", "happiness", "surprise", "sadness",
                                       "anger",   "disgust",   "fear",     "contempt"};
static const char *fer2013_names[7] = {"Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral"};

void vh_dataset_free(vh_dataset *d) {
    if (!d) return;
    free(d->pixels);
    free(d->label);
    free(d->soft);
    for (int i = 0; i < d->num_classes && d->labels; i++) free(d->labels[i]);
    free(d->labels);
    free(d->source);
    memset(d, 0, sizeof *d);
}

static int set_labels(vh_dataset *d, const char *const *names, int k) {
    d->labels = calloc((size_t)k, sizeof(char *));
    if (!d->labels) return VH_ENOMEM;
    d->num_classes = k;
    for (int i = 0; i < k; i++)
        if (!(d->labels[i] = vh__strdup(names[i]))) return VH_ENOMEM;
    return VH_OK;
}

/* Allocates room for n examples of w×h (soft targets optional). */
static int alloc_examples(vh_dataset *d, size_t n, int w, int h, int with_soft) {
    size_t px, bytes;
    if (n > VH_DATA_MAX_IMAGES || w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE) return VH_ERANGE;
    if (vh__mul_size((size_t)w, (size_t)h, &px) || vh__mul_size(px, n ? n : 1, &bytes)) return VH_ERANGE;
    d->pixels = malloc(bytes);
    d->label = malloc((n ? n : 1) * sizeof(int));
    if (with_soft) d->soft = calloc((n ? n : 1) * (size_t)d->num_classes, sizeof(float));
    if (!d->pixels || !d->label || (with_soft && !d->soft)) return VH_ENOMEM;
    d->w = w;
    d->h = h;
    return VH_OK;
}

/* ---- image loading (parallel) ---- */

typedef struct load_job {
    char **paths;
    size_t n;
    int size;      /* target side, 0 = keep */
    vh_image *imgs;
    int *status;
    char **errs;
} load_job;

static void load_range(void *ctx, size_t b, size_t e, int tid) {
    (void)tid;
    load_job *j = ctx;
    for (size_t i = b; i < e; i++) {
        vh_image img = {0}, g = {0};
        int r = vh_image_load(j->paths[i], 1, &img);
        if (!r && j->size && (img.w != j->size || img.h != j->size)) {
            r = vh_image_resize(&img, j->size, j->size, VH_INTERP_AREA, &g);
            vh_image_free(&img);
            img = g;
        }
        j->status[i] = r;
        if (r) {
            j->errs[i] = vh__strdup(vh_last_error());
            vh_image_free(&img);
        } else {
            j->imgs[i] = img;
        }
    }
}

/* Loads all paths; failures are logged and flagged with a non-zero status. */
static int load_images(char **paths, size_t n, int size, vh_image **imgs_out, int **status_out) {
    load_job j = {paths, n, size, calloc(n ? n : 1, sizeof(vh_image)), calloc(n ? n : 1, sizeof(int)),
                  calloc(n ? n : 1, sizeof(char *))};
    if (!j.imgs || !j.status || !j.errs) {
        free(j.imgs);
        free(j.status);
        free(j.errs);
        return VH_ENOMEM;
    }
    vh_parallel_for(n, 16, load_range, &j);
    for (size_t i = 0; i < n; i++)
        if (j.status[i]) {
            vh_log(VH_LOG_WARN, "skipping unreadable image: %s", j.errs[i] ? j.errs[i] : paths[i]);
            free(j.errs[i]);
        }
    free(j.errs);
    *imgs_out = j.imgs;
    *status_out = j.status;
    return VH_OK;
}

/* Copies loaded images into d (which has num_classes set); labels[i] per path. */
static int fill_from_images(vh_dataset *d, const char *what, vh_image *imgs, int *status, size_t n,
                            const int *labels, const float *soft) {
    size_t good = 0;
    int w = 0, h = 0;
    for (size_t i = 0; i < n; i++)
        if (!status[i]) {
            if (!good) { w = imgs[i].w; h = imgs[i].h; }
            if (imgs[i].w != w || imgs[i].h != h) {
                return vh__fail(NULL, VH_EFORMAT, "%s: images differ in size (%dx%d and %dx%d); pass a size to resize",
                                what, w, h, imgs[i].w, imgs[i].h);
            }
            good++;
        }
    if (!good) return vh__fail(NULL, VH_EEMPTY, "%s: no readable images", what);
    int r = alloc_examples(d, good, w, h, soft != NULL);
    if (r) return vh__fail(NULL, r, "%s: %s", what, r == VH_ERANGE ? "images too large or too many" : "out of memory");
    size_t k = 0, px = (size_t)w * (size_t)h;
    for (size_t i = 0; i < n; i++) {
        if (status[i]) { d->skipped++; continue; }
        for (int y = 0; y < h; y++)
            memcpy(d->pixels + k * px + (size_t)y * (size_t)w, vh_image_at(&imgs[i], 0, y), (size_t)w);
        d->label[k] = labels[i];
        if (soft) memcpy(d->soft + k * (size_t)d->num_classes, soft + i * (size_t)d->num_classes,
                         (size_t)d->num_classes * sizeof(float));
        k++;
    }
    d->n = (int)good;
    return VH_OK;
}

static void free_images(vh_image *imgs, int *status, size_t n) {
    for (size_t i = 0; imgs && i < n; i++) vh_image_free(&imgs[i]);
    free(imgs);
    free(status);
}

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

/* ---- <Label>/ folder ---- */

static int cmp_cstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int vh_dataset_load_folder(const char *dir, int size, vh_dataset *out) {
    memset(out, 0, sizeof *out);
    if (size < 0 || size > MAX_SIDE) return vh__fail(NULL, VH_ERANGE, "%s: image size %d out of range", dir, size);
    if (!vh_is_dir(dir)) return vh__fail(NULL, VH_ENOTFOUND, "%s: not a directory", dir);
    static const char *const exts[] = {"png", "jpg", "jpeg", NULL};
    char **all = NULL;
    size_t nall = 0;
    int r = vh_list_files(dir, 1, exts, &all, &nall);
    if (r) return vh__fail(NULL, r, "%s: cannot list images", dir);
    /* class = first path component below dir; files directly in dir are ignored */
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    char **classes = calloc(nall ? nall : 1, sizeof(char *));
    int *lab = calloc(nall ? nall : 1, sizeof(int));
    char **paths = calloc(nall ? nall : 1, sizeof(char *));
    size_t nc = 0, np = 0;
    vh_image *imgs = NULL;
    int *status = NULL;
    if (!classes || !lab || !paths) { r = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); goto done; }
    for (size_t i = 0; i < nall; i++) {
        const char *rel = all[i] + dl;
        while (*rel == '/') rel++;
        const char *slash = strchr(rel, '/');
        if (!slash) continue;
        size_t len = (size_t)(slash - rel);
        size_t c = 0;
        for (; c < nc; c++)
            if (strlen(classes[c]) == len && strncmp(classes[c], rel, len) == 0) break;
        if (c == nc) {
            classes[nc] = malloc(len + 1);
            if (!classes[nc]) { r = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); goto done; }
            memcpy(classes[nc], rel, len);
            classes[nc][len] = 0;
            nc++;
        }
        paths[np++] = all[i];
    }
    /* label folders that exist but hold no image are an error */
    {
        DIR *dp = opendir(dir);
        struct dirent *de;
        while (dp && (de = readdir(dp)) != NULL) {
            if (de->d_name[0] == '.') continue;
            char *sp = join(dir, de->d_name);
            int isd = sp && vh_is_dir(sp);
            free(sp);
            if (!isd) continue;
            size_t c = 0;
            for (; c < nc; c++)
                if (strcmp(classes[c], de->d_name) == 0) break;
            if (c == nc) {
                r = vh__fail(NULL, VH_EEMPTY, "%s/%s: label folder has no images", dir, de->d_name);
                break;
            }
        }
        if (dp) closedir(dp);
        if (r) goto done;
    }
    if (nc == 0) { r = vh__fail(NULL, VH_EEMPTY, "%s: no <Label>/ subfolders with images", dir); goto done; }
    if (nc > VH_DATA_MAX_CLASSES) { r = vh__fail(NULL, VH_ERANGE, "%s: %zu classes (at most %d)", dir, nc, VH_DATA_MAX_CLASSES); goto done; }
    qsort(classes, nc, sizeof *classes, cmp_cstr);
    for (size_t i = 0; i < np; i++) {
        const char *rel = paths[i] + dl;
        while (*rel == '/') rel++;
        size_t len = (size_t)(strchr(rel, '/') - rel);
        for (size_t c = 0; c < nc; c++)
            if (strlen(classes[c]) == len && strncmp(classes[c], rel, len) == 0) lab[i] = (int)c;
    }
    r = set_labels(out, (const char *const *)classes, (int)nc);
    if (r) { r = vh__fail(NULL, r, "%s: out of memory", dir); goto done; }
    r = load_images(paths, np, size, &imgs, &status);
    if (r) { r = vh__fail(NULL, r, "%s: out of memory", dir); goto done; }
    /* every class needs at least one readable image */
    for (size_t c = 0; c < nc; c++) {
        size_t cnt = 0;
        for (size_t i = 0; i < np; i++) cnt += (lab[i] == (int)c && !status[i]);
        if (!cnt) { r = vh__fail(NULL, VH_EEMPTY, "%s/%s: label folder has no readable images", dir, classes[c]); goto done; }
    }
    r = fill_from_images(out, dir, imgs, status, np, lab, NULL);
    if (!r) {
        vh_buf b = {0};
        vh_buf_printf(&b, "folder:%s", dir);
        out->source = b.data;
    }
done:
    free_images(imgs, status, np);
    for (size_t c = 0; classes && c < nc; c++) free(classes[c]);
    free(classes);
    free(lab);
    free(paths);
    vh_strlist_free(all, nall);
    if (r) vh_dataset_free(out);
    return r;
}

/* ---- FER+ ---- */

/* Parses one label.csv row: name, quoted box, 10 integer votes. */
static int parse_ferplus_row(char *line, char **name, int votes[10]) {
    char *p = strchr(line, ',');
    if (!p || p == line) return -1;
    *p++ = 0;
    *name = line;
    if (*p == '"') {
        char *q = strchr(p + 1, '"');
        if (!q) return -1;
        p = q + 1;
    } else {
        p = strchr(p, ',');
        if (!p) return -1;
    }
    for (int i = 0; i < 10; i++) {
        if (*p != ',') return -1;
        p++;
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > 1000) return -1;
        votes[i] = (int)v;
        p = end;
    }
    while (*p == '\r' || *p == ' ') p++;
    return *p ? -1 : 0;
}

int vh_dataset_load_ferplus(const char *dir, int size, vh_dataset *out) {
    memset(out, 0, sizeof *out);
    if (size < 0 || size > MAX_SIDE) return vh__fail(NULL, VH_ERANGE, "%s: image size %d out of range", dir, size);
    char *csv = join(dir, "label.csv");
    if (!csv) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir);
    char *text = NULL;
    size_t len = 0;
    int r = vh_file_read_all(csv, 256u << 20, &text, &len);
    if (r) {
        r = vh__fail(NULL, r, "%s: %s", csv, r == VH_ENOTFOUND ? "no such file" : "cannot read");
        free(csv);
        return r;
    }
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    char **paths = calloc(lines, sizeof(char *));
    int *lab = calloc(lines, sizeof(int));
    float *soft = calloc(lines * 8, sizeof(float));
    size_t np = 0, dropped = 0, lineno = 0;
    vh_image *imgs = NULL;
    int *status = NULL;
    if (!paths || !lab || !soft) { r = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", csv); goto done; }
    char *save = NULL;
    for (char *line = text; line && *line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl) *nl = 0;
        lineno++;
        if (!*line || *line == '\r') continue;
        char *name;
        int v[10];
        if (parse_ferplus_row(line, &name, v)) {
            if (lineno == 1) continue; /* optional header row */
            vh_log(VH_LOG_WARN, "%s:%zu: malformed row skipped", csv, lineno);
            dropped++;
            continue;
        }
        if (strchr(name, '/') || strstr(name, "..")) {
            vh_log(VH_LOG_WARN, "%s:%zu: image name with a path skipped", csv, lineno);
            dropped++;
            continue;
        }
        int best = 0, emo = 0;
        for (int i = 1; i < 10; i++)
            if (v[i] > v[best]) best = i;
        for (int i = 0; i < 8; i++) emo += v[i];
        if (best >= 8 || emo == 0) { dropped++; continue; } /* majority unknown / not a face */
        paths[np] = join(dir, name);
        if (!paths[np]) { r = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", csv); goto done; }
        lab[np] = best;
        for (int i = 0; i < 8; i++) soft[np * 8 + (size_t)i] = (float)v[i] / (float)emo;
        np++;
    }
    if (!np) { r = vh__fail(NULL, VH_EEMPTY, "%s: no usable rows", csv); goto done; }
    r = set_labels(out, ferplus_names, 8);
    if (r) { r = vh__fail(NULL, r, "%s: out of memory", csv); goto done; }
    r = load_images(paths, np, size, &imgs, &status);
    if (r) { r = vh__fail(NULL, r, "%s: out of memory", csv); goto done; }
    r = fill_from_images(out, dir, imgs, status, np, lab, soft);
    if (!r) {
        out->skipped += dropped;
        vh_buf b = {0};
        vh_buf_printf(&b, "ferplus:%s", dir);
        out->source = b.data;
    }
done:
    free_images(imgs, status, np);
    for (size_t i = 0; paths && i < np; i++) free(paths[i]);
    free(paths);
    free(lab);
    free(soft);
    vh_free(text);
    free(csv);
    if (r) vh_dataset_free(out);
    return r;
}

/* ---- FER-2013 CSV ---- */

int vh_dataset_load_fer2013(const char *path, const char *usage, int size, vh_dataset *out) {
    memset(out, 0, sizeof *out);
    if (size < 0 || size > MAX_SIDE) return vh__fail(NULL, VH_ERANGE, "%s: image size %d out of range", path, size);
    char *text = NULL;
    size_t len = 0;
    int r = vh_file_read_all(path, 0, &text, &len);
    if (r) return vh__fail(NULL, r, "%s: %s", path, r == VH_ENOTFOUND ? "no such file" : "cannot read");
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    int side = size ? size : 48;
    r = set_labels(out, fer2013_names, 7);
    if (!r) r = alloc_examples(out, lines, side, side, 0);
    if (r) {
        vh_free(text);
        vh_dataset_free(out);
        return vh__fail(NULL, r, "%s: %s", path, r == VH_ERANGE ? "too many rows" : "out of memory");
    }
    vh_image src = {0}, dst = {0};
    r = vh_image_alloc(&src, 48, 48, 1);
    size_t lineno = 0, k = 0;
    char *save = NULL;
    for (char *line = text; !r && line && *line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl) *nl = 0;
        lineno++;
        if (!*line || *line == '\r') continue;
        if (lineno == 1 && !isdigit((unsigned char)*line)) continue; /* header */
        char *p = line, *end;
        long e = strtol(p, &end, 10);
        int ok = end != p && *end == ',' && e >= 0 && e < 7;
        p = end + 1;
        for (int i = 0; ok && i < 2304; i++) {
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v > 255) { ok = 0; break; }
            src.data[i] = (uint8_t)v;
            p = end;
        }
        if (ok) {
            while (*p == ' ') p++;
            if (*p != ',') ok = 0;
            else p++;
        }
        if (ok) {
            char *u = p;
            size_t ul = strcspn(u, "\r");
            u[ul] = 0;
            if (usage && strcmp(u, usage) != 0) continue;
        }
        if (!ok) {
            vh_log(VH_LOG_WARN, "%s:%zu: malformed row skipped", path, lineno);
            out->skipped++;
            continue;
        }
        const vh_image *im = &src;
        if (side != 48) {
            r = vh_image_resize(&src, side, side, VH_INTERP_AREA, &dst);
            if (r) break;
            im = &dst;
        }
        memcpy(out->pixels + k * (size_t)side * (size_t)side, im->data, (size_t)side * (size_t)side);
        vh_image_free(&dst);
        out->label[k++] = (int)e;
    }
    vh_image_free(&src);
    vh_image_free(&dst);
    vh_free(text);
    if (r) {
        vh_dataset_free(out);
        return vh__fail(NULL, r, "%s: out of memory", path);
    }
    if (!k) {
        vh_dataset_free(out);
        return vh__fail(NULL, VH_EEMPTY, "%s: no usable rows%s%s", path, usage ? " with Usage " : "", usage ? usage : "");
    }
    out->n = (int)k;
    vh_buf b = {0};
    vh_buf_printf(&b, "fer2013:%s%s%s", path, usage ? ":" : "", usage ? usage : "");
    out->source = b.data;
    return VH_OK;
}

int vh_dataset_load(const char *path, int size, vh_dataset *out) {
    memset(out, 0, sizeof *out);
    if (vh_is_dir(path)) {
        char *csv = join(path, "label.csv");
        if (!csv) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
        int fp = vh_is_file(csv);
        free(csv);
        return fp ? vh_dataset_load_ferplus(path, size, out) : vh_dataset_load_folder(path, size, out);
    }
    if (vh_is_file(path)) {
        if (strcmp(vh_path_ext(path), "csv") == 0) return vh_dataset_load_fer2013(path, NULL, size, out);
        return vh__fail(NULL, VH_EFORMAT, "%s: not a dataset (expected a folder or a FER-2013 .csv)", path);
    }
    return vh__fail(NULL, VH_ENOTFOUND, "%s: no such file or directory", path);
}

/* ---- split / remap ---- */

static int copy_subset(const vh_dataset *d, const int *idx, int n, vh_dataset *o) {
    memset(o, 0, sizeof *o);
    int r = set_labels(o, (const char *const *)d->labels, d->num_classes);
    if (!r) r = alloc_examples(o, (size_t)n, d->w, d->h, d->soft != NULL);
    if (!r && d->source && !(o->source = vh__strdup(d->source))) r = VH_ENOMEM;
    if (r) {
        vh_dataset_free(o);
        return r;
    }
    size_t px = (size_t)d->w * (size_t)d->h, k = (size_t)d->num_classes;
    for (int i = 0; i < n; i++) {
        memcpy(o->pixels + (size_t)i * px, d->pixels + (size_t)idx[i] * px, px);
        o->label[i] = d->label[idx[i]];
        if (d->soft) memcpy(o->soft + (size_t)i * k, d->soft + (size_t)idx[i] * k, k * sizeof(float));
    }
    o->n = n;
    return VH_OK;
}

int vh_dataset_split(const vh_dataset *d, double frac, uint64_t seed, vh_dataset *train, vh_dataset *val) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    if (!(frac > 0 && frac < 1) || d->n < 2)
        return vh__fail(NULL, VH_EINVAL, "validation split %g needs 0 < F < 1 and at least 2 examples", frac);
    int *perm = malloc((size_t)d->n * sizeof(int)), *tr = malloc((size_t)d->n * sizeof(int)),
        *va = malloc((size_t)d->n * sizeof(int));
    if (!perm || !tr || !va) {
        free(perm); free(tr); free(va);
        return vh__fail(NULL, VH_ENOMEM, "split: out of memory");
    }
    vh_rng rng;
    vh_rng_seed(&rng, seed);
    for (int i = 0; i < d->n; i++) perm[i] = i;
    vh_rng_shuffle_int(&rng, perm, (size_t)d->n);
    int ntr = 0, nva = 0;
    for (int c = 0; c < d->num_classes; c++) {
        int cnt = 0;
        for (int i = 0; i < d->n; i++) cnt += d->label[perm[i]] == c;
        int nv = (int)lround(frac * cnt), seen = 0;
        for (int i = 0; i < d->n; i++)
            if (d->label[perm[i]] == c) {
                if (seen++ < nv) va[nva++] = perm[i];
                else tr[ntr++] = perm[i];
            }
    }
    /* keep the shuffled-by-class order deterministic but not class-sorted for training */
    vh_rng_shuffle_int(&rng, tr, (size_t)ntr);
    int r = VH_OK;
    if (!nva || !ntr) r = vh__fail(NULL, VH_EEMPTY, "split %g of %d examples leaves one side empty", frac, d->n);
    if (!r && (copy_subset(d, tr, ntr, train) || copy_subset(d, va, nva, val))) {
        vh_dataset_free(train);
        r = vh__fail(NULL, VH_ENOMEM, "split: out of memory");
    }
    free(perm); free(tr); free(va);
    return r;
}

int vh_dataset_remap(vh_dataset *d, const char *const *names, int count) {
    int map[VH_DATA_MAX_CLASSES];
    if (count <= 0 || count > VH_DATA_MAX_CLASSES) return vh__fail(NULL, VH_EINVAL, "remap: bad class count %d", count);
    for (int c = 0; c < d->num_classes; c++) {
        map[c] = -1;
        for (int j = 0; j < count; j++)
            if (strcmp(d->labels[c], names[j]) == 0) map[c] = j;
        if (map[c] < 0)
            return vh__fail(NULL, VH_EINVAL, "%s: class '%s' is not one of the model's labels",
                            d->source ? d->source : "dataset", d->labels[c]);
    }
    float *soft = NULL;
    if (d->soft) {
        soft = calloc((size_t)d->n * (size_t)count, sizeof(float));
        if (!soft) return vh__fail(NULL, VH_ENOMEM, "remap: out of memory");
        for (int i = 0; i < d->n; i++)
            for (int c = 0; c < d->num_classes; c++)
                soft[(size_t)i * (size_t)count + (size_t)map[c]] = d->soft[(size_t)i * (size_t)d->num_classes + (size_t)c];
    }
    char **labels = calloc((size_t)count, sizeof(char *));
    if (!labels) {
        free(soft);
        return vh__fail(NULL, VH_ENOMEM, "remap: out of memory");
    }
    for (int j = 0; j < count; j++)
        if (!(labels[j] = vh__strdup(names[j]))) {
            for (int k = 0; k < j; k++) free(labels[k]);
            free(labels);
            free(soft);
            return vh__fail(NULL, VH_ENOMEM, "remap: out of memory");
        }
    for (int i = 0; i < d->n; i++) d->label[i] = map[d->label[i]];
    for (int c = 0; c < d->num_classes; c++) free(d->labels[c]);
    free(d->labels);
    d->labels = labels;
    d->num_classes = count;
    if (d->soft) {
        free(d->soft);
        d->soft = soft;
    }
    return VH_OK;
}

/* ---- augmentation and batches ---- */

vh_augment_params vh_augment_default_params(void) {
    vh_augment_params p = {0, 4, 0.5f, 10.0f, 0.1f, 0.1f, 0.2f, 0.25f};
    return p;
}

typedef struct batch_job {
    const vh_dataset *d;
    const int *idx;
    float mean, inv_std;
    const vh_augment_params *aug;
    uint64_t seed;
    int epoch;
    float *x, *y;
} batch_job;

static uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static float rnd_range(vh_rng *r, float a) { return (float)((vh_rng_uniform(r) * 2 - 1) * a); }

static void augment_one(const uint8_t *src, int w, int h, const vh_augment_params *a, vh_rng *rng, float *dst) {
    /* destination → source mapping: centre, un-rotate/un-scale, un-flip, un-shift */
    int flip = vh_rng_uniform(rng) < a->flip_p;
    double ang = rnd_range(rng, a->rot_deg) * 3.14159265358979323846 / 180.0;
    double sc = 1.0 + rnd_range(rng, a->scale);
    double tx = a->pad > 0 ? (double)(int)vh_rng_below(rng, (uint64_t)(2 * a->pad + 1)) - a->pad : 0;
    double ty = a->pad > 0 ? (double)(int)vh_rng_below(rng, (uint64_t)(2 * a->pad + 1)) - a->pad : 0;
    float alpha = 1.0f + rnd_range(rng, a->contrast), beta = rnd_range(rng, a->brightness) * 255.0f;
    double cs = cos(ang) / sc, sn = sin(ang) / sc, cx = (w - 1) * 0.5, cy = (h - 1) * 0.5;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double dx = x - cx - tx, dy = y - cy - ty;
            double sx = cs * dx + sn * dy, sy = -sn * dx + cs * dy;
            if (flip) sx = -sx;
            sx += cx;
            sy += cy;
            int x0 = (int)floor(sx), y0 = (int)floor(sy);
            double fx = sx - x0, fy = sy - y0, v = 0;
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    int xx = x0 + i, yy = y0 + j;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                    v += (i ? fx : 1 - fx) * (j ? fy : 1 - fy) * src[(size_t)yy * (size_t)w + (size_t)xx];
                }
            float p = alpha * (float)v + beta;
            dst[(size_t)y * (size_t)w + (size_t)x] = p < 0 ? 0 : p > 255 ? 255 : p;
        }
    if (vh_rng_uniform(rng) < a->erase_p) {
        double area = (0.02 + vh_rng_uniform(rng) * 0.18) * w * h;
        double ar = exp((vh_rng_uniform(rng) * 2 - 1) * log(3.0));
        int ew = (int)lround(sqrt(area * ar)), eh = (int)lround(sqrt(area / ar));
        if (ew >= 1 && eh >= 1 && ew < w && eh < h) {
            int ex = (int)vh_rng_below(rng, (uint64_t)(w - ew + 1)), ey = (int)vh_rng_below(rng, (uint64_t)(h - eh + 1));
            for (int y = ey; y < ey + eh; y++)
                for (int x = ex; x < ex + ew; x++) dst[(size_t)y * (size_t)w + (size_t)x] = (float)vh_rng_below(rng, 256);
        }
    }
}

static void batch_range(void *ctx, size_t b, size_t e, int tid) {
    (void)tid;
    batch_job *j = ctx;
    const vh_dataset *d = j->d;
    size_t px = (size_t)d->w * (size_t)d->h, k = (size_t)d->num_classes;
    for (size_t i = b; i < e; i++) {
        int ex = j->idx[i];
        const uint8_t *src = d->pixels + (size_t)ex * px;
        float *dst = j->x + i * px;
        if (j->aug && j->aug->enabled) {
            vh_rng rng;
            vh_rng_seed(&rng, mix64(j->seed ^ mix64((uint64_t)ex * 0x100000001ull + (uint64_t)(uint32_t)j->epoch)));
            augment_one(src, d->w, d->h, j->aug, &rng, dst);
            for (size_t p = 0; p < px; p++) dst[p] = (dst[p] / 255.0f - j->mean) * j->inv_std;
        } else {
            for (size_t p = 0; p < px; p++) dst[p] = ((float)src[p] / 255.0f - j->mean) * j->inv_std;
        }
        if (j->y) {
            float *t = j->y + i * k;
            if (d->soft) memcpy(t, d->soft + (size_t)ex * k, k * sizeof(float));
            else {
                memset(t, 0, k * sizeof(float));
                t[d->label[ex]] = 1.0f;
            }
        }
    }
}

void vh_dataset_batch(const vh_dataset *d, const int *idx, int count, float mean, float std_,
                      const vh_augment_params *aug, uint64_t seed, int epoch, float *x, float *y) {
    batch_job j = {d, idx, mean, std_ > 0 ? 1.0f / std_ : 1.0f, aug, seed, epoch, x, y};
    vh_parallel_for((size_t)count, 8, batch_range, &j);
}
