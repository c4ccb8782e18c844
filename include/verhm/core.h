/*
 * verhm/core.h — status codes, error text, logging, threads, RNG, JSON, files.
 *
 * Everything else in libverhm builds on this header.
 *
 * Errors: every fallible function returns an int status: VH_OK (0) or a negative
 * VH_E* code. The detailed message of the most recent failure ("cascade.xml:12:
 * expected <stages>") is kept in the failing handle (see each module) and, for
 * functions without a handle, in a per-thread buffer read with vh_last_error().
 * Library code never prints and never exits; diagnostics go through the log
 * callback set with vh_log_set().
 *
 * Ownership: strings returned as `const char *` belong to the library and stay
 * valid until the next call on the same handle/thread unless stated otherwise.
 * Memory the caller must release is said so explicitly and is freed with vh_free().
 */
#ifndef VERHM_CORE_H
#define VERHM_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VH_VERSION_MAJOR 0
#define VH_VERSION_MINOR 1
#define VH_VERSION_PATCH 0
#define VH_VERSION_STRING "0.1.0"

/* The one list of status codes: X(name, value, message). */
#define VH_STATUS_LIST(X)                                                   \
    X(VH_OK, 0, "success")                                                  \
    X(VH_EINVAL, -1, "invalid argument")                                    \
    X(VH_ENOMEM, -2, "out of memory")                                       \
    X(VH_EIO, -3, "input/output error")                                     \
    X(VH_EFORMAT, -4, "malformed or unsupported file content")              \
    X(VH_ENOTFOUND, -5, "not found")                                        \
    X(VH_EUNSUPPORTED, -6, "unsupported feature")                           \
    X(VH_ERANGE, -7, "value or size out of range")                          \
    X(VH_EEXIST, -8, "already exists")                                      \
    X(VH_ECANCELED, -9, "canceled")                                         \
    X(VH_ENUMERIC, -10, "numerical failure (NaN or infinity)")              \
    X(VH_EEMPTY, -11, "no data")                                            \
    X(VH_EAUTH, -12, "wrong key or passphrase")                             \
    X(VH_ENOSPC, -13, "no space left on device")                            \
    X(VH_EINTERNAL, -14, "internal error")

enum vh_status {
#define VH__ENUM(name, value, msg) name = value,
    VH_STATUS_LIST(VH__ENUM)
#undef VH__ENUM
};

/* Returns a static, human-readable message for a status code (never NULL;
 * unknown codes give "unknown status"). */
const char *vh_strerror(int status);

/* Returns the detailed message of the most recent failure on the calling thread
 * (set by every failing library call, also those with handles). Never NULL; ""
 * when nothing failed yet. Valid until the next failing call on this thread. */
const char *vh_last_error(void);

/* Library version string, e.g. "0.1.0". */
const char *vh_version(void);

/* ---- memory ------------------------------------------------------------ */

/* Frees memory the library handed to the caller (documented per function). NULL ok. */
void vh_free(void *p);

/* ---- logging ----------------------------------------------------------- */

enum vh_log_level { VH_LOG_DEBUG = 0, VH_LOG_INFO = 1, VH_LOG_WARN = 2, VH_LOG_ERROR = 3 };

/* Log sink. `msg` has no trailing newline and is only valid during the call. */
typedef void (*vh_log_fn)(int level, const char *msg, void *user);

/* Installs the process-wide log callback (NULL: drop all messages, the default).
 * Messages below `min_level` are not formatted. Not thread-safe against
 * concurrent logging: call it once at start-up. */
void vh_log_set(vh_log_fn fn, void *user, int min_level);

/* Formats and sends a message to the log callback (printf-style). */
void vh_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- progress ---------------------------------------------------------- */

/* Progress callback for long operations: `done` of `total` units (total 0 when
 * unknown), `label` names the phase and `extra` is optional detail such as
 * "loss 0.53 acc 81.2%" (may be NULL). Return non-zero to cancel; the
 * operation then stops and returns VH_ECANCELED. */
typedef int (*vh_progress_fn)(uint64_t done, uint64_t total, const char *label,
                              const char *extra, void *user);

/* A terminal progress bar (percent, rate, ETA) that a program (not the library)
 * may pass as vh_progress_fn with a vh_progress_bar as `user`. It writes to
 * `out` only when `enabled` is non-zero, and at most ~10 times a second. */
typedef struct vh_progress_bar {
    FILE *out;
    int enabled;
    double t_start, t_last;
    uint64_t last_done;
    int drawn;
} vh_progress_bar;

/* Initialises a bar; enabled when `force` is non-zero or `out` is a terminal. */
void vh_progress_bar_init(vh_progress_bar *bar, FILE *out, int force);
/* The vh_progress_fn that draws `user` (a vh_progress_bar *). Never cancels. */
int vh_progress_bar_update(uint64_t done, uint64_t total, const char *label,
                           const char *extra, void *user);
/* Ends the bar's line (if anything was drawn). */
void vh_progress_bar_finish(vh_progress_bar *bar);

/* ---- time -------------------------------------------------------------- */

/* Monotonic time in seconds (arbitrary origin). */
double vh_now(void);

/* ---- threads ----------------------------------------------------------- */

/* Number of worker threads the library uses for parallel work. The default is
 * the number of online CPUs (at least 1); VERHM_THREADS overrides it. */
int vh_threads_get(void);
/* Sets the number of threads (n < 1 means "all cores"). Call before parallel work. */
void vh_threads_set(int n);

/* Body of a parallel loop: processes items [begin, end) on worker `tid`. */
typedef void (*vh_range_fn)(void *ctx, size_t begin, size_t end, int tid);

/* Runs fn over [0, n) split into contiguous chunks of at least `grain` items on
 * up to vh_threads_get() threads (the caller's thread takes part) and returns
 * when all are done. Uses a persistent pool; nested calls run serially. */
void vh_parallel_for(size_t n, size_t grain, vh_range_fn fn, void *ctx);

/* ---- random numbers ---------------------------------------------------- */

/* Deterministic PRNG (xoshiro256**), seeded with vh_rng_seed. Plain data. */
typedef struct vh_rng { uint64_t s[4]; } vh_rng;

void vh_rng_seed(vh_rng *r, uint64_t seed);
uint64_t vh_rng_u64(vh_rng *r);
/* Uniform in [0, 1). */
double vh_rng_uniform(vh_rng *r);
/* Uniform integer in [0, n), n > 0. */
uint64_t vh_rng_below(vh_rng *r, uint64_t n);
/* Standard normal (Box–Muller). */
double vh_rng_normal(vh_rng *r);
/* Fisher–Yates shuffle of n ints. */
void vh_rng_shuffle_int(vh_rng *r, int *a, size_t n);

/* ---- growable byte buffer --------------------------------------------- */

/* A growable, NUL-terminated byte buffer. Zero-initialise, then append. The
 * caller owns `data` (free with vh_buf_free). On allocation failure `failed`
 * is set and further appends are ignored. */
typedef struct vh_buf {
    char *data;
    size_t len, cap;
    int failed;
} vh_buf;

void vh_buf_append(vh_buf *b, const void *p, size_t n);
void vh_buf_puts(vh_buf *b, const char *s);
void vh_buf_printf(vh_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void vh_buf_free(vh_buf *b);

/* ---- JSON writer ------------------------------------------------------- */

/* Streaming JSON writer into a vh_buf. Commas and nesting are tracked for you;
 * with `pretty` it indents by two spaces. Non-finite numbers are written as
 * null (JSON has no NaN). Keys and strings are escaped as UTF-8 JSON. */
typedef struct vh_json_writer {
    vh_buf *out;
    int pretty;
    int depth;
    unsigned char first[64]; /* per depth: no value written yet */
    int after_key;
} vh_json_writer;

void vh_jw_init(vh_json_writer *w, vh_buf *out, int pretty);
void vh_jw_object_begin(vh_json_writer *w);
void vh_jw_object_end(vh_json_writer *w);
void vh_jw_array_begin(vh_json_writer *w);
void vh_jw_array_end(vh_json_writer *w);
void vh_jw_key(vh_json_writer *w, const char *key);
void vh_jw_string(vh_json_writer *w, const char *s);
void vh_jw_number(vh_json_writer *w, double v);
void vh_jw_int(vh_json_writer *w, long long v);
void vh_jw_bool(vh_json_writer *w, int v);
void vh_jw_null(vh_json_writer *w);
/* Writes pre-formatted JSON text as one value (caller guarantees validity). */
void vh_jw_raw(vh_json_writer *w, const char *json);

/* ---- JSON reader ------------------------------------------------------- */

enum vh_json_type { VH_JSON_NULL, VH_JSON_BOOL, VH_JSON_NUMBER, VH_JSON_STRING,
                    VH_JSON_ARRAY, VH_JSON_OBJECT };

/* A parsed JSON value (DOM). Objects keep key order; `keys[i]` names `items[i]`.
 * Strings are NUL-terminated UTF-8 (embedded \u0000 is rejected). */
typedef struct vh_json {
    int type;
    int boolean;
    double number;
    char *string;          /* VH_JSON_STRING */
    size_t len, count;     /* string length / number of items */
    struct vh_json *items; /* array elements or object values */
    char **keys;           /* object keys, NULL for arrays */
} vh_json;

/* Parses `len` bytes of JSON text. Limits: nesting depth 256, whole document
 * only (trailing garbage is an error). On success *out is a tree the caller
 * frees with vh_json_free. On failure returns VH_EFORMAT (or VH_ENOMEM) and
 * vh_last_error() says "line L, column C: what". */
int vh_json_parse(const char *text, size_t len, vh_json **out);
void vh_json_free(vh_json *v);
/* Object member by key (first match) or NULL; NULL-safe on `obj`. */
const vh_json *vh_json_get(const vh_json *obj, const char *key);
/* Array element or NULL when out of range / not an array. */
const vh_json *vh_json_at(const vh_json *arr, size_t i);
/* Conveniences: value if the member exists with that type, else `dflt`. */
double vh_json_get_number(const vh_json *obj, const char *key, double dflt);
const char *vh_json_get_string(const vh_json *obj, const char *key, const char *dflt);

/* ---- files ------------------------------------------------------------- */

/* Reads a whole file (at most `max_bytes`, 0 = 1 GiB) into a new buffer that is
 * NUL-terminated for convenience; *size excludes the NUL. Caller frees with
 * vh_free. Errors: VH_ENOTFOUND, VH_EIO, VH_ERANGE (too large). */
int vh_file_read_all(const char *path, size_t max_bytes, char **data, size_t *size);

/* Atomic output file: writes go to a temporary file beside `path` that only
 * replaces `path` on vh_atomic_commit, so no partial output is ever left
 * behind. With `overwrite` 0, an existing `path` is VH_EEXIST (checked at open
 * and again at commit, without replacing it). */
typedef struct vh_atomic_file {
    FILE *fp;          /* write here */
    char *path;
    char *tmp_path;
    int overwrite;
} vh_atomic_file;

int vh_atomic_open(vh_atomic_file *f, const char *path, int overwrite);
/* Flushes, fsyncs and renames into place. Closes the file either way; on
 * failure the temporary is removed and the status says why (VH_ENOSPC, VH_EIO...). */
int vh_atomic_commit(vh_atomic_file *f);
/* Discards the temporary file. Safe after a failed commit and on a zeroed struct. */
void vh_atomic_abort(vh_atomic_file *f);

/* Non-zero if `path` exists and is a directory / a regular file. */
int vh_is_dir(const char *path);
int vh_is_file(const char *path);
/* Creates a directory and its parents (mode 0755). Existing is fine. */
int vh_mkdir_p(const char *path);

/* Lists regular files under `dir` (recursively when `recursive`), sorted by path,
 * whose extension (case-insensitive, without dot) is in the NULL-terminated
 * `exts` list (NULL = all files). Hidden entries are skipped. On success *paths
 * is an array of *count malloc'ed strings; free with vh_strlist_free. */
int vh_list_files(const char *dir, int recursive, const char *const *exts,
                  char ***paths, size_t *count);
void vh_strlist_free(char **list, size_t count);

/* Extension of `path` without the dot, as written (compare case-insensitively;
 * "" if none); points into path. */
const char *vh_path_ext(const char *path);
/* Final path component; points into path. */
const char *vh_path_base(const char *path);

/* Directory of the shared data corpora: $VERHM_DATA, else "../shared/data".
 * Static string. */
const char *vh_data_dir(void);

#ifdef __cplusplus
}
#endif
#endif
