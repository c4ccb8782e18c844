/* Recursive-descent JSON parser into a small DOM (RFC 8259, UTF-8 in, UTF-8 out). */
#include "internal.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

typedef struct parser {
    const char *s, *end, *p;
    int failed;
} parser;

static int perr(parser *ps, const char *what) {
    if (ps->failed) return -1;
    ps->failed = 1;
    int line = 1, col = 1;
    for (const char *q = ps->s; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') { line++; col = 1; } else col++;
    }
    vh__fail(NULL, VH_EFORMAT, "JSON line %d, column %d: %s", line, col, what);
    return -1;
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(parser *ps, unsigned *out) {
    if (ps->end - ps->p < 4) return perr(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)ps->p[i]);
        if (h < 0) return perr(ps, "bad \\u escape");
        v = v * 16 + (unsigned)h;
    }
    ps->p += 4;
    *out = v;
    return 0;
}

static void put_utf8(vh_buf *b, unsigned cp) {
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (unsigned char)(0xC0 | cp >> 6); u[1] = (unsigned char)(0x80 | (cp & 63)); n = 2; }
    else if (cp < 0x10000) { u[0] = (unsigned char)(0xE0 | cp >> 12); u[1] = (unsigned char)(0x80 | (cp >> 6 & 63)); u[2] = (unsigned char)(0x80 | (cp & 63)); n = 3; }
    else { u[0] = (unsigned char)(0xF0 | cp >> 18); u[1] = (unsigned char)(0x80 | (cp >> 12 & 63)); u[2] = (unsigned char)(0x80 | (cp >> 6 & 63)); u[3] = (unsigned char)(0x80 | (cp & 63)); n = 4; }
    vh_buf_append(b, u, n);
}

/* Parses a string starting at the opening quote; returns malloc'ed text. */
static char *parse_string(parser *ps, size_t *len) {
    vh_buf b = {0};
    ps->p++; /* opening quote */
    for (;;) {
        if (ps->p >= ps->end) { perr(ps, "unterminated string"); break; }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') { ps->p++; break; }
        if (c < 0x20) { perr(ps, "control character in string"); break; }
        if (c != '\\') {
            const char *q = ps->p;
            while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20) q++;
            vh_buf_append(&b, ps->p, (size_t)(q - ps->p));
            ps->p = q;
            continue;
        }
        ps->p++;
        if (ps->p >= ps->end) { perr(ps, "unterminated escape"); break; }
        char e = *ps->p++;
        switch (e) {
        case '"': vh_buf_append(&b, "\"", 1); break;
        case '\\': vh_buf_append(&b, "\\", 1); break;
        case '/': vh_buf_append(&b, "/", 1); break;
        case 'b': vh_buf_append(&b, "\b", 1); break;
        case 'f': vh_buf_append(&b, "\f", 1); break;
        case 'n': vh_buf_append(&b, "\n", 1); break;
        case 'r': vh_buf_append(&b, "\r", 1); break;
        case 't': vh_buf_append(&b, "\t", 1); break;
        case 'u': {
            unsigned cp;
            if (read_hex4(ps, &cp)) goto fail;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') { perr(ps, "unpaired surrogate"); goto fail; }
                ps->p += 2;
                if (read_hex4(ps, &lo)) goto fail;
                if (lo < 0xDC00 || lo > 0xDFFF) { perr(ps, "unpaired surrogate"); goto fail; }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) { perr(ps, "unpaired surrogate"); goto fail; }
            if (cp == 0) { perr(ps, "\\u0000 in string"); goto fail; }
            put_utf8(&b, cp);
            break;
        }
        default: perr(ps, "bad escape"); goto fail;
        }
    }
    if (ps->failed) goto fail;
    if (b.failed) { ps->failed = 1; vh__fail(NULL, VH_ENOMEM, "JSON: out of memory"); goto fail; }
    if (!b.data) vh_buf_append(&b, "", 0);
    if (b.failed) goto fail;
    *len = b.len;
    return b.data;
fail:
    vh_buf_free(&b);
    return NULL;
}

static void free_value(vh_json *v);

static int parse_value(parser *ps, vh_json *v, int depth);

static int parse_container(parser *ps, vh_json *v, int depth, int is_obj) {
    char close = is_obj ? '}' : ']';
    size_t cap = 0;
    ps->p++;
    v->type = is_obj ? VH_JSON_OBJECT : VH_JSON_ARRAY;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; return 0; }
    for (;;) {
        if (v->count == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            vh_json *ni = realloc(v->items, ncap * sizeof *ni);
            if (!ni) return perr(ps, "out of memory");
            v->items = ni;
            if (is_obj) {
                char **nk = realloc(v->keys, ncap * sizeof *nk);
                if (!nk) return perr(ps, "out of memory");
                v->keys = nk;
            }
            cap = ncap;
        }
        skip_ws(ps);
        if (is_obj) {
            if (ps->p >= ps->end || *ps->p != '"') return perr(ps, "expected string key");
            size_t klen;
            char *k = parse_string(ps, &klen);
            if (!k) return -1;
            v->keys[v->count] = k;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                memset(&v->items[v->count], 0, sizeof(vh_json));
                v->count++;
                return perr(ps, "expected ':'");
            }
            ps->p++;
        }
        memset(&v->items[v->count], 0, sizeof(vh_json));
        v->count++;
        if (parse_value(ps, &v->items[v->count - 1], depth + 1)) return -1;
        skip_ws(ps);
        if (ps->p >= ps->end) return perr(ps, is_obj ? "unterminated object" : "unterminated array");
        if (*ps->p == ',') { ps->p++; continue; }
        if (*ps->p == close) { ps->p++; return 0; }
        return perr(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_number(parser *ps, vh_json *v) {
    const char *q = ps->p;
    if (q < ps->end && *q == '-') q++;
    if (q >= ps->end) return perr(ps, "bad number");
    if (*q == '0') q++;
    else if (*q >= '1' && *q <= '9') while (q < ps->end && *q >= '0' && *q <= '9') q++;
    else return perr(ps, "unexpected character");
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9') return perr(ps, "bad number");
        while (q < ps->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (q >= ps->end || *q < '0' || *q > '9') return perr(ps, "bad number");
        while (q < ps->end && *q >= '0' && *q <= '9') q++;
    }
    char tmp[64];
    size_t n = (size_t)(q - ps->p);
    if (n >= sizeof tmp) {
        char *big = malloc(n + 1);
        if (!big) return perr(ps, "out of memory");
        memcpy(big, ps->p, n);
        big[n] = 0;
        v->number = strtod(big, NULL);
        free(big);
    } else {
        memcpy(tmp, ps->p, n);
        tmp[n] = 0;
        v->number = strtod(tmp, NULL);
    }
    v->type = VH_JSON_NUMBER;
    ps->p = q;
    return 0;
}

static int match_word(parser *ps, const char *w) {
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) return 0;
    ps->p += n;
    return 1;
}

static int parse_value(parser *ps, vh_json *v, int depth) {
    if (depth > MAX_DEPTH) return perr(ps, "nesting too deep");
    skip_ws(ps);
    if (ps->p >= ps->end) return perr(ps, "unexpected end of input");
    switch (*ps->p) {
    case '{': return parse_container(ps, v, depth, 1);
    case '[': return parse_container(ps, v, depth, 0);
    case '"':
        v->type = VH_JSON_STRING;
        v->string = parse_string(ps, &v->len);
        return v->string ? 0 : -1;
    case 't': if (match_word(ps, "true")) { v->type = VH_JSON_BOOL; v->boolean = 1; return 0; } break;
    case 'f': if (match_word(ps, "false")) { v->type = VH_JSON_BOOL; return 0; } break;
    case 'n': if (match_word(ps, "null")) { v->type = VH_JSON_NULL; return 0; } break;
    default: return parse_number(ps, v);
    }
    return perr(ps, "unexpected word");
}

static void free_value(vh_json *v) {
    if (v->type == VH_JSON_ARRAY || v->type == VH_JSON_OBJECT) {
        for (size_t i = 0; i < v->count; i++) {
            free_value(&v->items[i]);
            if (v->keys) free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
    free(v->string);
}

int vh_json_parse(const char *text, size_t len, vh_json **out) {
    *out = NULL;
    vh_json *root = calloc(1, sizeof *root);
    if (!root) return vh__fail(NULL, VH_ENOMEM, "JSON: out of memory");
    parser ps = {text, text + len, text, 0};
    if (parse_value(&ps, root, 0) == 0) {
        skip_ws(&ps);
        if (ps.p != ps.end) perr(&ps, "trailing characters after the document");
    }
    if (ps.failed) {
        free_value(root);
        free(root);
        return VH_EFORMAT;
    }
    *out = root;
    return VH_OK;
}

void vh_json_free(vh_json *v) {
    if (!v) return;
    free_value(v);
    free(v);
}

const vh_json *vh_json_get(const vh_json *obj, const char *key) {
    if (!obj || obj->type != VH_JSON_OBJECT) return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

const vh_json *vh_json_at(const vh_json *arr, size_t i) {
    if (!arr || arr->type != VH_JSON_ARRAY || i >= arr->count) return NULL;
    return &arr->items[i];
}

double vh_json_get_number(const vh_json *obj, const char *key, double dflt) {
    const vh_json *v = vh_json_get(obj, key);
    return v && v->type == VH_JSON_NUMBER ? v->number : dflt;
}

const char *vh_json_get_string(const vh_json *obj, const char *key, const char *dflt) {
    const vh_json *v = vh_json_get(obj, key);
    return v && v->type == VH_JSON_STRING ? v->string : dflt;
}
