/*
 * Safetensors reader/writer (https://huggingface.co/docs/safetensors format):
 *   u64 little-endian header length N | N bytes of JSON | raw little-endian data.
 * The JSON maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]}
 * (offsets relative to the data area) plus an optional "__metadata__" object of
 * string values. The reader checks everything an untrusted file can get wrong.
 */
#include "core/internal.h"
#include "verhm/nn_model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_HEADER (100u << 20) /* the reference implementation's limit */
#define ST_MAX_FILE ((size_t)1 << 31)

struct vh_safetensors {
    char *name;
    uint8_t *file; /* whole file (owned) */
    size_t file_size;
    const uint8_t *data; /* start of the data area inside `file` */
    size_t data_size;
    vh_st_tensor *tensors;
    size_t count;
    char **meta_keys, **meta_vals;
    size_t meta_count;
    vh__err err;
};

static const struct { const char *name; int dtype; size_t size; } dtypes[] = {
    {"F32", VH_ST_F32, 4},   {"F16", VH_ST_F16, 2},   {"BF16", VH_ST_BF16, 2},
    {"F64", VH_ST_F64, 8},   {"I64", VH_ST_I64, 8},   {"I32", VH_ST_I32, 4},
    {"I16", VH_ST_I16, 2},   {"I8", VH_ST_I8, 1},     {"U8", VH_ST_U8, 1},
    {"BOOL", VH_ST_BOOL, 1}, {"U16", VH_ST_U16, 2},   {"U32", VH_ST_U32, 4},
    {"U64", VH_ST_U64, 8},
};

const char *vh_st_dtype_name(int dtype) {
    for (size_t i = 0; i < VH_COUNTOF(dtypes); i++)
        if (dtypes[i].dtype == dtype) return dtypes[i].name;
    return "?";
}

size_t vh_st_dtype_size(int dtype) {
    for (size_t i = 0; i < VH_COUNTOF(dtypes); i++)
        if (dtypes[i].dtype == dtype) return dtypes[i].size;
    return 0;
}

void vh_st_free(vh_safetensors *st) {
    if (!st) return;
    for (size_t i = 0; i < st->count; i++) free(st->tensors[i].name);
    for (size_t i = 0; i < st->meta_count; i++) {
        free(st->meta_keys[i]);
        free(st->meta_vals[i]);
    }
    free(st->tensors);
    free(st->meta_keys);
    free(st->meta_vals);
    free(st->file);
    free(st->name);
    free(st);
}

/* An exact non-negative integer from JSON (doubles are exact up to 2^53). */
static int json_uint(const vh_json *v, uint64_t *out) {
    if (!v || v->type != VH_JSON_NUMBER) return -1;
    double d = v->number;
    if (!(d >= 0) || d > 9007199254740992.0 || floor(d) != d) return -1;
    *out = (uint64_t)d;
    return 0;
}

static int cmp_offset(const void *a, const void *b) {
    const vh_st_tensor *x = *(const vh_st_tensor *const *)a, *y = *(const vh_st_tensor *const *)b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    if (x->nbytes != y->nbytes) return x->nbytes < y->nbytes ? -1 : 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int parse_entry(vh_safetensors *st, const char *key, const vh_json *v, vh_st_tensor *t) {
    const char *nm = st->name;
    if (v->type != VH_JSON_OBJECT)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': entry is not an object", nm, key);
    const vh_json *dt = vh_json_get(v, "dtype"), *sh = vh_json_get(v, "shape"),
                  *off = vh_json_get(v, "data_offsets");
    if (!dt || dt->type != VH_JSON_STRING)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': missing or non-string dtype", nm, key);
    t->dtype = -1;
    for (size_t i = 0; i < VH_COUNTOF(dtypes); i++)
        if (strcmp(dt->string, dtypes[i].name) == 0) t->dtype = dtypes[i].dtype;
    if (t->dtype < 0)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': unknown dtype '%.32s'", nm, key, dt->string);
    if (!sh || sh->type != VH_JSON_ARRAY)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': missing or non-array shape", nm, key);
    if (sh->count > VH_ST_MAX_DIMS)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': %zu dimensions (at most %d)", nm, key,
                        sh->count, VH_ST_MAX_DIMS);
    t->ndim = (int)sh->count;
    size_t numel = 1;
    for (size_t i = 0; i < sh->count; i++) {
        uint64_t d;
        if (json_uint(&sh->items[i], &d) || d > (uint64_t)INT32_MAX)
            return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': shape[%zu] is not a valid size", nm, key, i);
        t->shape[i] = (int64_t)d;
        if (vh__mul_size(numel, (size_t)d, &numel))
            return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': shape product overflows", nm, key);
    }
    t->numel = numel;
    size_t nbytes;
    if (vh__mul_size(numel, vh_st_dtype_size(t->dtype), &nbytes))
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': byte size overflows", nm, key);
    uint64_t b, e;
    if (!off || off->type != VH_JSON_ARRAY || off->count != 2 || json_uint(&off->items[0], &b) ||
        json_uint(&off->items[1], &e))
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': data_offsets must be two non-negative integers",
                        nm, key);
    if (b > e)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': data_offsets begin %llu > end %llu", nm, key,
                        (unsigned long long)b, (unsigned long long)e);
    if (e > st->data_size)
        return vh__fail(&st->err, VH_EFORMAT,
                        "%s: tensor '%s': data_offsets end %llu beyond the data area (%zu bytes; truncated file?)",
                        nm, key, (unsigned long long)e, st->data_size);
    if (e - b != nbytes)
        return vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%s': %s shape needs %zu bytes but data_offsets span %llu",
                        nm, key, dt->string, nbytes, (unsigned long long)(e - b));
    t->offset = (size_t)b;
    t->nbytes = nbytes;
    t->name = vh__strdup(key);
    if (!t->name) return vh__fail(&st->err, VH_ENOMEM, "%s: out of memory", nm);
    return VH_OK;
}

static int parse_header(vh_safetensors *st, const vh_json *root) {
    const char *nm = st->name;
    if (root->type != VH_JSON_OBJECT)
        return vh__fail(&st->err, VH_EFORMAT, "%s: header is not a JSON object", nm);
    /* duplicate names: sort a copy of the keys */
    if (root->count > 1) {
        char **keys = malloc(root->count * sizeof *keys);
        if (!keys) return vh__fail(&st->err, VH_ENOMEM, "%s: out of memory", nm);
        memcpy(keys, root->keys, root->count * sizeof *keys);
        qsort(keys, root->count, sizeof *keys, cmp_str);
        for (size_t i = 1; i < root->count; i++)
            if (strcmp(keys[i - 1], keys[i]) == 0) {
                int r = vh__fail(&st->err, VH_EFORMAT, "%s: duplicate entry '%.64s' in header", nm, keys[i]);
                free(keys);
                return r;
            }
        free(keys);
    }
    st->tensors = calloc(root->count ? root->count : 1, sizeof *st->tensors);
    if (!st->tensors) return vh__fail(&st->err, VH_ENOMEM, "%s: out of memory", nm);
    for (size_t i = 0; i < root->count; i++) {
        const char *key = root->keys[i];
        const vh_json *v = &root->items[i];
        if (strcmp(key, "__metadata__") == 0) {
            if (v->type != VH_JSON_OBJECT)
                return vh__fail(&st->err, VH_EFORMAT, "%s: __metadata__ is not an object", nm);
            st->meta_keys = calloc(v->count ? v->count : 1, sizeof(char *));
            st->meta_vals = calloc(v->count ? v->count : 1, sizeof(char *));
            if (!st->meta_keys || !st->meta_vals) return vh__fail(&st->err, VH_ENOMEM, "%s: out of memory", nm);
            for (size_t j = 0; j < v->count; j++) {
                if (v->items[j].type != VH_JSON_STRING)
                    return vh__fail(&st->err, VH_EFORMAT, "%s: __metadata__ value '%.64s' is not a string", nm,
                                    v->keys[j]);
                st->meta_keys[j] = vh__strdup(v->keys[j]);
                st->meta_vals[j] = vh__strdup(v->items[j].string);
                st->meta_count = j + 1;
                if (!st->meta_keys[j] || !st->meta_vals[j])
                    return vh__fail(&st->err, VH_ENOMEM, "%s: out of memory", nm);
            }
            continue;
        }
        if (!*key) return vh__fail(&st->err, VH_EFORMAT, "%s: tensor with an empty name", nm);
        int r = parse_entry(st, key, v, &st->tensors[st->count]);
        if (r) return r;
        st->count++;
    }
    /* The data area must be covered exactly: no overlaps, no holes. */
    vh_st_tensor **order = malloc((st->count ? st->count : 1) * sizeof *order);
    if (!order) return vh__fail(&st->err, VH_ENOMEM, "%s: out of memory", nm);
    for (size_t i = 0; i < st->count; i++) order[i] = &st->tensors[i];
    qsort(order, st->count, sizeof *order, cmp_offset);
    size_t pos = 0;
    int r = VH_OK;
    for (size_t i = 0; i < st->count && !r; i++) {
        const vh_st_tensor *t = order[i];
        if (t->nbytes == 0 && t->offset <= pos) continue; /* empty tensors take no room */
        if (t->offset < pos)
            r = vh__fail(&st->err, VH_EFORMAT, "%s: tensor '%.64s' overlaps the previous tensor (offset %zu < %zu)",
                         nm, t->name, t->offset, pos);
        else if (t->offset > pos)
            r = vh__fail(&st->err, VH_EFORMAT, "%s: gap in the data area before tensor '%.64s' (bytes %zu..%zu unused)",
                         nm, t->name, pos, t->offset);
        pos = t->offset + t->nbytes;
    }
    free(order);
    if (!r && pos != st->data_size)
        r = vh__fail(&st->err, VH_EFORMAT, "%s: %zu trailing bytes after the last tensor", nm, st->data_size - pos);
    return r;
}

int vh_st_open_mem(const void *buf, size_t len, const char *name, vh_safetensors **out) {
    *out = NULL;
    if (!name) name = "(memory)";
    vh_safetensors *st = calloc(1, sizeof *st);
    if (!st) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    st->name = vh__strdup(name);
    st->file = malloc(len ? len : 1);
    if (!st->name || !st->file) {
        vh_st_free(st);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    }
    if (len) memcpy(st->file, buf, len);
    st->file_size = len;
    int r;
    if (len < 8) {
        r = vh__fail(&st->err, VH_EFORMAT, "%s: %zu bytes is too short for a safetensors file", name, len);
        goto fail;
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | st->file[i];
    if (hlen < 2 || hlen > ST_MAX_HEADER) {
        r = vh__fail(&st->err, VH_EFORMAT, "%s: header length %llu is out of range (not a safetensors file?)", name,
                     (unsigned long long)hlen);
        goto fail;
    }
    if (hlen > len - 8) {
        r = vh__fail(&st->err, VH_EFORMAT, "%s: header length %llu exceeds the file size %zu (truncated file?)", name,
                     (unsigned long long)hlen, len);
        goto fail;
    }
    const char *hdr = (const char *)st->file + 8;
    if (hdr[0] != '{') {
        r = vh__fail(&st->err, VH_EFORMAT, "%s: header does not start with '{'", name);
        goto fail;
    }
    st->data = st->file + 8 + hlen;
    st->data_size = len - 8 - (size_t)hlen;
    vh_json *root = NULL;
    r = vh_json_parse(hdr, (size_t)hlen, &root);
    if (r) {
        char msg[VH_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", vh_last_error());
        r = vh__fail(&st->err, VH_EFORMAT, "%s: header: %s", name, msg);
        goto fail;
    }
    r = parse_header(st, root);
    vh_json_free(root);
    if (r) goto fail;
    *out = st;
    return VH_OK;
fail:
    vh_st_free(st);
    return r;
}

int vh_st_open(const char *path, vh_safetensors **out) {
    *out = NULL;
    char *buf = NULL;
    size_t size = 0;
    int r = vh_file_read_all(path, ST_MAX_FILE, &buf, &size);
    if (r) {
        if (r == VH_ENOTFOUND) return vh__fail(NULL, r, "%s: no such file", path);
        if (r == VH_ERANGE) return vh__fail(NULL, r, "%s: file larger than 2 GiB", path);
        return vh__fail(NULL, r, "%s: cannot read file", path);
    }
    r = vh_st_open_mem(buf, size, path, out);
    vh_free(buf);
    return r;
}

size_t vh_st_count(const vh_safetensors *st) { return st ? st->count : 0; }
const vh_st_tensor *vh_st_get(const vh_safetensors *st, size_t i) {
    return st && i < st->count ? &st->tensors[i] : NULL;
}
const char *vh_st_name(const vh_safetensors *st) { return st ? st->name : ""; }

const vh_st_tensor *vh_st_find(const vh_safetensors *st, const char *name) {
    for (size_t i = 0; st && i < st->count; i++)
        if (strcmp(st->tensors[i].name, name) == 0) return &st->tensors[i];
    return NULL;
}

const void *vh_st_data(const vh_safetensors *st, const vh_st_tensor *t) { return st->data + t->offset; }

const char *vh_st_meta(const vh_safetensors *st, const char *key) {
    for (size_t i = 0; st && i < st->meta_count; i++)
        if (strcmp(st->meta_keys[i], key) == 0) return st->meta_vals[i];
    return NULL;
}
size_t vh_st_meta_count(const vh_safetensors *st) { return st ? st->meta_count : 0; }
const char *vh_st_meta_key(const vh_safetensors *st, size_t i) {
    return st && i < st->meta_count ? st->meta_keys[i] : NULL;
}

static float half_to_float(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 31, man = h & 1023;
    float v;
    if (exp == 0) v = ldexpf((float)man, -24);
    else if (exp == 31) v = man ? NAN : INFINITY;
    else v = ldexpf((float)(man | 1024), exp - 25);
    return sign ? -v : v;
}

static float le_f32(const uint8_t *p) {
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

int vh_st_read_f32(const vh_safetensors *st, const vh_st_tensor *t, float *dst, size_t n) {
    if (n != t->numel)
        return vh__fail(NULL, VH_EFORMAT, "%s: tensor '%s' has %zu elements, expected %zu", st->name, t->name,
                        t->numel, n);
    const uint8_t *p = st->data + t->offset;
    switch (t->dtype) {
    case VH_ST_F32:
        for (size_t i = 0; i < n; i++) dst[i] = le_f32(p + 4 * i);
        break;
    case VH_ST_F16:
        for (size_t i = 0; i < n; i++) dst[i] = half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        break;
    case VH_ST_BF16:
        for (size_t i = 0; i < n; i++) {
            uint32_t u = (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) << 16;
            memcpy(&dst[i], &u, 4);
        }
        break;
    case VH_ST_F64:
        for (size_t i = 0; i < n; i++) {
            uint64_t u = 0;
            for (int b = 7; b >= 0; b--) u = u << 8 | p[8 * i + (size_t)b];
            double d;
            memcpy(&d, &u, 8);
            dst[i] = (float)d;
        }
        break;
    default:
        return vh__fail(NULL, VH_EUNSUPPORTED, "%s: tensor '%s' has dtype %s, not convertible to float", st->name,
                        t->name, vh_st_dtype_name(t->dtype));
    }
    return VH_OK;
}

/* ---- writer ---- */

typedef struct wtensor {
    char *name;
    int ndim;
    int64_t shape[VH_ST_MAX_DIMS];
    float *data;
    size_t numel;
} wtensor;

struct vh_st_writer {
    wtensor *t;
    size_t count, cap;
    char **mk, **mv;
    size_t mcount, mcap;
};

int vh_st_writer_new(vh_st_writer **out) {
    *out = calloc(1, sizeof **out);
    return *out ? VH_OK : vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
}

void vh_st_writer_free(vh_st_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->count; i++) {
        free(w->t[i].name);
        free(w->t[i].data);
    }
    for (size_t i = 0; i < w->mcount; i++) {
        free(w->mk[i]);
        free(w->mv[i]);
    }
    free(w->t);
    free(w->mk);
    free(w->mv);
    free(w);
}

int vh_st_writer_add_f32(vh_st_writer *w, const char *name, const float *data, int ndim, const int64_t *shape) {
    if (!name || !*name || strcmp(name, "__metadata__") == 0 || ndim < 0 || ndim > VH_ST_MAX_DIMS)
        return vh__fail(NULL, VH_EINVAL, "safetensors writer: invalid tensor name or rank");
    for (size_t i = 0; i < w->count; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return vh__fail(NULL, VH_EEXIST, "safetensors writer: duplicate tensor '%s'", name);
    size_t numel = 1, bytes;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || shape[i] > INT32_MAX || vh__mul_size(numel, (size_t)shape[i], &numel))
            return vh__fail(NULL, VH_ERANGE, "safetensors writer: tensor '%s': bad shape", name);
    }
    if (vh__mul_size(numel, 4, &bytes)) return vh__fail(NULL, VH_ERANGE, "safetensors writer: '%s' too large", name);
    if (w->count == w->cap) {
        size_t nc = w->cap ? 2 * w->cap : 16;
        wtensor *nt = realloc(w->t, nc * sizeof *nt);
        if (!nt) return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
        w->t = nt;
        w->cap = nc;
    }
    wtensor *t = &w->t[w->count];
    memset(t, 0, sizeof *t);
    t->name = vh__strdup(name);
    t->data = malloc(bytes ? bytes : 1);
    if (!t->name || !t->data) {
        free(t->name);
        free(t->data);
        return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
    }
    if (bytes) memcpy(t->data, data, bytes);
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->numel = numel;
    w->count++;
    return VH_OK;
}

int vh_st_writer_meta(vh_st_writer *w, const char *key, const char *value) {
    if (!key || !value) return vh__fail(NULL, VH_EINVAL, "safetensors writer: NULL metadata");
    for (size_t i = 0; i < w->mcount; i++)
        if (strcmp(w->mk[i], key) == 0) {
            char *v = vh__strdup(value);
            if (!v) return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
            free(w->mv[i]);
            w->mv[i] = v;
            return VH_OK;
        }
    if (w->mcount == w->mcap) {
        size_t nc = w->mcap ? 2 * w->mcap : 8;
        char **a = realloc(w->mk, nc * sizeof *a);
        if (!a) return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
        w->mk = a;
        char **b = realloc(w->mv, nc * sizeof *b);
        if (!b) return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
        w->mv = b;
        w->mcap = nc;
    }
    w->mk[w->mcount] = vh__strdup(key);
    w->mv[w->mcount] = vh__strdup(value);
    if (!w->mk[w->mcount] || !w->mv[w->mcount]) {
        free(w->mk[w->mcount]);
        free(w->mv[w->mcount]);
        return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
    }
    w->mcount++;
    return VH_OK;
}

int vh_st_writer_serialize(const vh_st_writer *w, vh_buf *out) {
    vh_buf h = {0};
    vh_json_writer jw;
    vh_jw_init(&jw, &h, 0);
    vh_jw_object_begin(&jw);
    if (w->mcount) {
        vh_jw_key(&jw, "__metadata__");
        vh_jw_object_begin(&jw);
        for (size_t i = 0; i < w->mcount; i++) {
            vh_jw_key(&jw, w->mk[i]);
            vh_jw_string(&jw, w->mv[i]);
        }
        vh_jw_object_end(&jw);
    }
    size_t off = 0;
    for (size_t i = 0; i < w->count; i++) {
        const wtensor *t = &w->t[i];
        vh_jw_key(&jw, t->name);
        vh_jw_object_begin(&jw);
        vh_jw_key(&jw, "dtype");
        vh_jw_string(&jw, "F32");
        vh_jw_key(&jw, "shape");
        vh_jw_array_begin(&jw);
        for (int d = 0; d < t->ndim; d++) vh_jw_int(&jw, (long long)t->shape[d]);
        vh_jw_array_end(&jw);
        vh_jw_key(&jw, "data_offsets");
        vh_jw_array_begin(&jw);
        vh_jw_int(&jw, (long long)off);
        vh_jw_int(&jw, (long long)(off + 4 * t->numel));
        vh_jw_array_end(&jw);
        vh_jw_object_end(&jw);
        off += 4 * t->numel;
    }
    vh_jw_object_end(&jw);
    while (!h.failed && (h.len + 8) % 8) vh_buf_puts(&h, " "); /* align the data area */
    if (h.failed) {
        vh_buf_free(&h);
        return vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory");
    }
    uint8_t len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (uint8_t)((uint64_t)h.len >> (8 * i));
    vh_buf_append(out, len8, 8);
    vh_buf_append(out, h.data, h.len);
    vh_buf_free(&h);
    for (size_t i = 0; i < w->count; i++) {
        const wtensor *t = &w->t[i];
        for (size_t k = 0; k < t->numel; k++) {
            uint32_t u;
            memcpy(&u, &t->data[k], 4);
            uint8_t b[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
            vh_buf_append(out, b, 4);
        }
    }
    return out->failed ? vh__fail(NULL, VH_ENOMEM, "safetensors writer: out of memory") : VH_OK;
}

int vh_st_writer_save(const vh_st_writer *w, const char *path, int overwrite) {
    vh_buf b = {0};
    int r = vh_st_writer_serialize(w, &b);
    if (r) {
        vh_buf_free(&b);
        return r;
    }
    vh_atomic_file f;
    r = vh_atomic_open(&f, path, overwrite);
    if (r) {
        vh_buf_free(&b);
        return vh__fail(NULL, r, "%s: cannot create file (%s)", path, vh_strerror(r));
    }
    if (fwrite(b.data, 1, b.len, f.fp) != b.len) {
        vh_atomic_abort(&f);
        vh_buf_free(&b);
        return vh__fail(NULL, VH_EIO, "%s: write failed", path);
    }
    vh_buf_free(&b);
    r = vh_atomic_commit(&f);
    if (r) return vh__fail(NULL, r, "%s: cannot write file (%s)", path, vh_strerror(r));
    return VH_OK;
}
