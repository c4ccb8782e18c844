/* File helpers: whole-file reads, atomic (temp + rename) output, directory walks. */
#define _GNU_SOURCE
#include "internal.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int vh_file_read_all(const char *path, size_t max_bytes, char **data, size_t *size) {
    *data = NULL;
    *size = 0;
    if (!max_bytes) max_bytes = (size_t)1 << 30;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return vh__fail(NULL, errno == ENOENT ? VH_ENOTFOUND : VH_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return vh__fail(NULL, VH_EIO, "%s: is a directory", path);
    }
    vh_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + n > max_bytes) {
            fclose(fp);
            vh_buf_free(&b);
            return vh__fail(NULL, VH_ERANGE, "%s: larger than %zu bytes", path, max_bytes);
        }
        vh_buf_append(&b, chunk, n);
    }
    int rerr = ferror(fp);
    fclose(fp);
    if (rerr) { vh_buf_free(&b); return vh__fail(NULL, VH_EIO, "%s: read error", path); }
    if (b.failed) { vh_buf_free(&b); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    if (!b.data) vh_buf_append(&b, "", 0);
    if (b.failed) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    *data = b.data;
    *size = b.len;
    return VH_OK;
}

int vh_atomic_open(vh_atomic_file *f, const char *path, int overwrite) {
    memset(f, 0, sizeof *f);
    if (!overwrite && access(path, F_OK) == 0)
        return vh__fail(NULL, VH_EEXIST, "%s: already exists", path);
    size_t n = strlen(path);
    f->path = vh__strdup(path);
    f->tmp_path = malloc(n + 16);
    if (!f->path || !f->tmp_path) { vh_atomic_abort(f); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    snprintf(f->tmp_path, n + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(f->tmp_path);
        f->tmp_path = NULL;
        vh_atomic_abort(f);
        return vh__fail(NULL, e == ENOSPC ? VH_ENOSPC : VH_EIO, "%s: cannot create: %s", path, strerror(e));
    }
    fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) { close(fd); vh_atomic_abort(f); return vh__fail(NULL, VH_EIO, "%s: cannot open", path); }
    f->overwrite = overwrite;
    return VH_OK;
}

int vh_atomic_commit(vh_atomic_file *f) {
    if (!f->fp) return vh__fail(NULL, VH_EINVAL, "atomic file not open");
    int bad = fflush(f->fp) != 0 || ferror(f->fp);
    int e = errno;
    if (!bad && fsync(fileno(f->fp)) != 0) { bad = 1; e = errno; }
    if (fclose(f->fp) != 0 && !bad) { bad = 1; e = errno; }
    f->fp = NULL;
    if (bad) {
        char path[1024];
        snprintf(path, sizeof path, "%s", f->path);
        vh_atomic_abort(f);
        return vh__fail(NULL, e == ENOSPC ? VH_ENOSPC : VH_EIO, "%s: write failed: %s", path,
                        e == ENOSPC ? "no space left on device" : strerror(e));
    }
    if (!f->overwrite) {
        /* link() fails if the target appeared meanwhile: never clobber. */
        if (link(f->tmp_path, f->path) != 0) {
            int le = errno;
            char path[1024];
            snprintf(path, sizeof path, "%s", f->path);
            vh_atomic_abort(f);
            return vh__fail(NULL, le == EEXIST ? VH_EEXIST : VH_EIO, "%s: %s", path,
                            le == EEXIST ? "already exists" : strerror(le));
        }
        unlink(f->tmp_path);
    } else if (rename(f->tmp_path, f->path) != 0) {
        int re = errno;
        char path[1024];
        snprintf(path, sizeof path, "%s", f->path);
        vh_atomic_abort(f);
        return vh__fail(NULL, VH_EIO, "%s: %s", path, strerror(re));
    }
    free(f->tmp_path);
    free(f->path);
    f->tmp_path = f->path = NULL;
    return VH_OK;
}

void vh_atomic_abort(vh_atomic_file *f) {
    if (f->fp) fclose(f->fp);
    f->fp = NULL;
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->tmp_path);
    free(f->path);
    f->tmp_path = f->path = NULL;
}

int vh_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int vh_is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int vh_mkdir_p(const char *path) {
    char *p = vh__strdup(path);
    if (!p) return vh__fail(NULL, VH_ENOMEM, "out of memory");
    for (char *q = p + 1; ; q++) {
        if (*q == '/' || *q == 0) {
            char c = *q;
            *q = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                int e = errno;
                int st = vh__fail(NULL, VH_EIO, "%s: cannot create directory: %s", p, strerror(e));
                free(p);
                return st;
            }
            *q = c;
            if (!c) break;
        }
    }
    free(p);
    if (!vh_is_dir(path)) return vh__fail(NULL, VH_EIO, "%s: not a directory", path);
    return VH_OK;
}

const char *vh_path_ext(const char *path) {
    const char *base = vh_path_base(path);
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

const char *vh_path_base(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

const char *vh_data_dir(void) {
    const char *e = getenv("VERHM_DATA");
    return e && *e ? e : "../shared/data";
}

typedef struct strlist { char **v; size_t n, cap; int failed; } strlist;

static void sl_push(strlist *l, char *s) {
    if (!s) { l->failed = 1; return; }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) { free(s); l->failed = 1; return; }
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
}

static int ext_ok(const char *path, const char *const *exts) {
    if (!exts) return 1;
    const char *e = vh_path_ext(path);
    for (; *exts; exts++)
        if (strcasecmp(e, *exts) == 0) return 1;
    return 0;
}

static int walk(const char *dir, int recursive, const char *const *exts, strlist *out, int depth) {
    if (depth > 32) return 0;
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(n);
        if (!p) { out->failed = 1; break; }
        snprintf(p, n, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0) { free(p); continue; }
        if (S_ISDIR(st.st_mode)) {
            if (recursive) walk(p, recursive, exts, out, depth + 1);
            free(p);
        } else if (S_ISREG(st.st_mode) && ext_ok(p, exts)) {
            sl_push(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int vh_list_files(const char *dir, int recursive, const char *const *exts,
                  char ***paths, size_t *count) {
    *paths = NULL;
    *count = 0;
    strlist l = {0};
    if (!vh_is_dir(dir)) return vh__fail(NULL, VH_ENOTFOUND, "%s: not a directory", dir);
    if (walk(dir, recursive, exts, &l, 0) != 0) {
        return vh__fail(NULL, VH_EIO, "%s: cannot read directory: %s", dir, strerror(errno));
    }
    if (l.failed) { vh_strlist_free(l.v, l.n); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", dir); }
    if (l.n) qsort(l.v, l.n, sizeof *l.v, cmp_str);
    *paths = l.v;
    *count = l.n;
    return VH_OK;
}

void vh_strlist_free(char **list, size_t count) {
    if (!list) return;
    for (size_t i = 0; i < count; i++) free(list[i]);
    free(list);
}
