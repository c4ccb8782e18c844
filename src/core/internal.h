/* Private helpers shared by all modules (not installed). */
#ifndef VH_CORE_INTERNAL_H
#define VH_CORE_INTERNAL_H
#include "verhm/core.h"
#include <stdarg.h>

#define VH_ERRMSG_MAX 512

/* A per-handle error message; handles embed one. */
typedef struct vh__err { char msg[VH_ERRMSG_MAX]; } vh__err;

/* Records a failure: formats the message into `e` (may be NULL) and into the
 * thread's last-error buffer, and returns `status` so callers can write
 * `return vh__fail(&h->err, VH_EFORMAT, "%s: bad", path);`. */
int vh__fail(vh__err *e, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int vh__vfail(vh__err *e, int status, const char *fmt, va_list ap);

/* Overflow-checked size arithmetic: return 0 and set *out, or non-zero on overflow. */
static inline int vh__mul_size(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > (size_t)-1 / a) return 1;
    *out = a * b;
    return 0;
}
static inline int vh__add_size(size_t a, size_t b, size_t *out) {
    if (b > (size_t)-1 - a) return 1;
    *out = a + b;
    return 0;
}

/* strdup that reports ENOMEM as NULL (C11 has no strdup). */
char *vh__strdup(const char *s);

#define VH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VH_MAX(a, b) ((a) > (b) ? (a) : (b))
#define VH_CLAMP(x, lo, hi) ((x) < (lo) ? (lo) : (x) > (hi) ? (hi) : (x))
#define VH_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
