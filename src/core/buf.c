/* Growable byte buffer and the streaming JSON writer. */
#include "internal.h"
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int buf_reserve(vh_buf *b, size_t extra) {
    if (b->failed) return -1;
    size_t need;
    if (vh__add_size(b->len, extra + 1, &need)) { b->failed = 1; return -1; }
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) { b->failed = 1; return -1; }
    b->data = p;
    b->cap = cap;
    return 0;
}

void vh_buf_append(vh_buf *b, const void *p, size_t n) {
    if (buf_reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void vh_buf_puts(vh_buf *b, const char *s) { vh_buf_append(b, s, strlen(s)); }

void vh_buf_printf(vh_buf *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && buf_reserve(b, (size_t)n) == 0) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void vh_buf_free(vh_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* ---- JSON writer ---- */

void vh_jw_init(vh_json_writer *w, vh_buf *out, int pretty) {
    memset(w, 0, sizeof *w);
    w->out = out;
    w->pretty = pretty;
    w->first[0] = 1;
}

static void newline(vh_json_writer *w) {
    if (!w->pretty) return;
    vh_buf_append(w->out, "\n", 1);
    for (int i = 0; i < w->depth; i++) vh_buf_append(w->out, "  ", 2);
}

/* Emits the separator before a value (or a key). */
static void before_value(vh_json_writer *w) {
    if (w->after_key) { w->after_key = 0; return; }
    if (w->depth > 0) {
        if (!w->first[w->depth]) vh_buf_append(w->out, ",", 1);
        newline(w);
    }
    w->first[w->depth] = 0;
}

static void open_scope(vh_json_writer *w, char c) {
    before_value(w);
    vh_buf_append(w->out, &c, 1);
    if (w->depth < (int)sizeof w->first - 1) w->depth++;
    w->first[w->depth] = 1;
}

static void close_scope(vh_json_writer *w, char c) {
    int empty = w->first[w->depth];
    if (w->depth > 0) w->depth--;
    if (!empty) newline(w);
    vh_buf_append(w->out, &c, 1);
}

void vh_jw_object_begin(vh_json_writer *w) { open_scope(w, '{'); }
void vh_jw_object_end(vh_json_writer *w) { close_scope(w, '}'); }
void vh_jw_array_begin(vh_json_writer *w) { open_scope(w, '['); }
void vh_jw_array_end(vh_json_writer *w) { close_scope(w, ']'); }

static void put_escaped(vh_buf *b, const char *s) {
    vh_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': vh_buf_append(b, "\\\"", 2); break;
        case '\\': vh_buf_append(b, "\\\\", 2); break;
        case '\n': vh_buf_append(b, "\\n", 2); break;
        case '\r': vh_buf_append(b, "\\r", 2); break;
        case '\t': vh_buf_append(b, "\\t", 2); break;
        default:
            if (*p < 0x20) vh_buf_printf(b, "\\u%04x", *p);
            else vh_buf_append(b, p, 1);
        }
    }
    vh_buf_append(b, "\"", 1);
}

void vh_jw_key(vh_json_writer *w, const char *key) {
    before_value(w);
    put_escaped(w->out, key);
    vh_buf_append(w->out, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
    w->after_key = 1;
}

void vh_jw_string(vh_json_writer *w, const char *s) {
    before_value(w);
    if (s) put_escaped(w->out, s);
    else vh_buf_puts(w->out, "null");
}

void vh_jw_number(vh_json_writer *w, double v) {
    before_value(w);
    if (!isfinite(v)) { vh_buf_puts(w->out, "null"); return; }
    if (v == (double)(long long)v && fabs(v) < 1e15) vh_buf_printf(w->out, "%lld", (long long)v);
    else vh_buf_printf(w->out, "%.9g", v);
}

void vh_jw_int(vh_json_writer *w, long long v) {
    before_value(w);
    vh_buf_printf(w->out, "%lld", v);
}

void vh_jw_bool(vh_json_writer *w, int v) {
    before_value(w);
    vh_buf_puts(w->out, v ? "true" : "false");
}

void vh_jw_null(vh_json_writer *w) {
    before_value(w);
    vh_buf_puts(w->out, "null");
}

void vh_jw_raw(vh_json_writer *w, const char *json) {
    before_value(w);
    vh_buf_puts(w->out, json);
}
