/* PNG (libpng) and JPEG (libjpeg) loading from memory and saving through atomic
 * files. Both libraries report errors by longjmp: each setjmp lives in a small
 * function whose caller owns every resource (in a context struct), so nothing
 * modified after setjmp is read from an indeterminate local. Library warnings
 * are never printed; a JPEG that runs out of data is an error (not gray fill). */
#include "image_internal.h"
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* Largest file the path loaders read (a 2^28-pixel PNG compresses far below). */
#define VH_IMAGE_MAX_FILE ((size_t)1 << 30)
/* Progressive JPEGs with absurd scan counts are a known decoder DoS. */
#define VH_JPEG_MAX_SCANS 1000

static int is_png(const uint8_t *b, size_t n) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    return n >= 8 && memcmp(b, sig, 8) == 0;
}
static int is_jpeg(const uint8_t *b, size_t n) { return n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff; }

/* ================================ PNG ================================== */

typedef struct png_ctx {
    const char *name;
    const uint8_t *buf;
    size_t len, pos;
    png_structp png;
    png_infop info;
    uint8_t *pix;      /* decoded rows (pw*pc bytes or 2*pw bytes for 16-bit gray) */
    png_bytep *rows;
    int pw, ph, pc;    /* after transforms */
    int bytes;         /* bytes per sample after transforms (2 only for png16) */
    int want16;        /* vh_image_load_png16 */
    int status;
    char msg[256];
} png_ctx;

static void png_err_fn(png_structp png, png_const_charp msg) {
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "error");
    png_longjmp(png, 1);
}
static void png_warn_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static void png_read_fn(png_structp png, png_bytep out, size_t n) {
    png_ctx *c = png_get_io_ptr(png);
    if (n > c->len - c->pos) png_error(png, "truncated file (unexpected end of data)");
    memcpy(out, c->buf + c->pos, n);
    c->pos += n;
}

/* Runs the whole decode; returns 0 or 1 after a libpng error (msg set) or a
 * failure of ours (status set). Resources stay in c for the caller to free. */
static int png_decode(png_ctx *c) {
    if (setjmp(png_jmpbuf(c->png))) return 1;
    png_set_read_fn(c->png, c, png_read_fn);
    /* our own cap (below) reports VH_ERANGE; libpng keeps only the spec limit */
    png_set_user_limits(c->png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(c->png, (png_alloc_size_t)64 << 20);
    png_read_info(c->png, c->info);
    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(c->png, c->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    if (w == 0 || h == 0 || w > VH_IMAGE_MAX_DIM || h > VH_IMAGE_MAX_DIM ||
        (uint64_t)w * h > VH_IMAGE_MAX_PIXELS) {
        c->status = vh__fail(NULL, VH_ERANGE, "%s: PNG size %ux%u exceeds the limit (%d per side, 2^28 pixels)",
                             c->name, (unsigned)w, (unsigned)h, VH_IMAGE_MAX_DIM);
        return 1;
    }
    if (c->want16) {
        if (ctype != PNG_COLOR_TYPE_GRAY) {
            c->status = vh__fail(NULL, VH_EUNSUPPORTED, "%s: 16-bit loader needs a gray PNG without alpha", c->name);
            return 1;
        }
        if (depth < 8) png_set_expand_gray_1_2_4_to_8(c->png);
    } else {
        png_set_expand(c->png); /* palette → RGB, gray < 8 bit → 8, tRNS → alpha */
        if (depth == 16) png_set_strip_16(c->png); /* high byte, as cv2.imread */
    }
    png_set_interlace_handling(c->png);
    png_read_update_info(c->png, c->info);
    c->pw = (int)w;
    c->ph = (int)h;
    c->pc = png_get_channels(c->png, c->info);
    c->bytes = (c->want16 && depth == 16) ? 2 : 1;
    size_t rowbytes = png_get_rowbytes(c->png, c->info), expect, total;
    int bytes = c->bytes;
    if (c->pc < 1 || c->pc > 4 || vh__mul_size((size_t)c->pw, (size_t)(c->pc * bytes), &expect) ||
        rowbytes != expect || vh__mul_size(rowbytes, (size_t)c->ph, &total)) {
        c->status = vh__fail(NULL, VH_EFORMAT, "%s: unexpected PNG row layout", c->name);
        return 1;
    }
    c->pix = malloc(total);
    c->rows = malloc(sizeof(png_bytep) * (size_t)c->ph);
    if (!c->pix || !c->rows) {
        c->status = vh__fail(NULL, VH_ENOMEM, "%s: out of memory for %dx%d image", c->name, c->pw, c->ph);
        return 1;
    }
    for (int y = 0; y < c->ph; y++) c->rows[y] = c->pix + (size_t)y * rowbytes;
    png_read_image(c->png, c->rows);
    png_read_end(c->png, NULL);
    return 0;
}

static int png_open(png_ctx *c, const void *buf, size_t len, const char *name) {
    memset(c, 0, sizeof *c);
    c->name = name;
    c->buf = buf;
    c->len = len;
    c->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_err_fn, png_warn_fn);
    if (c->png) c->info = png_create_info_struct(c->png);
    if (!c->png || !c->info) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory (libpng)", name);
    return VH_OK;
}

static int png_finish(png_ctx *c, int failed) {
    int st = VH_OK;
    if (failed) st = c->status ? c->status : vh__fail(NULL, VH_EFORMAT, "%s: corrupt PNG: %s", c->name, c->msg);
    png_destroy_read_struct(c->png ? &c->png : NULL, c->info ? &c->info : NULL, NULL);
    free(c->rows);
    c->rows = NULL;
    return st;
}

static int load_png(const uint8_t *buf, size_t len, const char *name, int want_c, vh_image *out) {
    png_ctx c;
    int st = png_open(&c, buf, len, name);
    if (st) { png_finish(&c, 0); return st; }
    st = png_finish(&c, png_decode(&c));
    if (st) { free(c.pix); return st; }
    int dc = want_c ? want_c : (c.pc == 2 ? 4 : c.pc);
    if (dc == c.pc) {
        out->w = c.pw; out->h = c.ph; out->c = c.pc;
        out->stride = (size_t)c.pw * (size_t)c.pc;
        out->data = c.pix;
        out->owns = 1;
        return VH_OK;
    }
    st = vh_image_alloc(out, c.pw, c.ph, dc);
    if (!st)
        for (int y = 0; y < c.ph; y++)
            vh__convert_row(c.pix + (size_t)y * (size_t)c.pw * (size_t)c.pc, c.pc, out->data + (size_t)y * out->stride,
                            dc, c.pw);
    free(c.pix);
    return st;
}

/* ================================ JPEG ================================= */

/* Error manager shared by decoder and encoder (first member of both contexts). */
typedef struct jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    int eof_ok;       /* running out of input is read-ahead only (see jpeg_emit_fn) */
    char msg[JMSG_LENGTH_MAX];
} jerr;

typedef struct jpeg_ctx {
    jerr e;
    struct jpeg_progress_mgr prog;
    const char *name;
    struct jpeg_decompress_struct d;
    int d_init;
    uint8_t *pix;
    uint8_t *row;     /* CMYK scratch row */
    int status;
} jpeg_ctx;

static void jpeg_error_exit_fn(j_common_ptr ci) {
    jerr *c = (jerr *)ci->err;
    ci->err->format_message(ci, c->msg);
    longjmp(c->jb, 1);
}
/* Warnings: truncation (libjpeg would pad with gray) is fatal for us; others
 * (recoverable corrupt data) are ignored silently. Truncation shows as
 * JWRN_HIT_MARKER when the entropy decoder needs bits past the end. End of
 * input alone (JWRN_JPEG_EOF) is fatal while headers or buffered multi-scan
 * (progressive) data are read, but only read-ahead while a single-scan image
 * streams its rows or after all rows: a file missing just its EOI marker loads,
 * as in OpenCV. */
static void jpeg_emit_fn(j_common_ptr ci, int level) {
    jerr *c = (jerr *)ci->err;
    if (level < 0 && ((ci->err->msg_code == JWRN_JPEG_EOF && !c->eof_ok) || ci->err->msg_code == JWRN_HIT_MARKER)) {
        snprintf(c->msg, sizeof c->msg, "truncated file (unexpected end of data)");
        longjmp(c->jb, 1);
    }
}
static void jpeg_output_fn(j_common_ptr ci) { (void)ci; }
static void jpeg_progress_fn(j_common_ptr ci) {
    if (ci->is_decompressor) {
        j_decompress_ptr d = (j_decompress_ptr)ci;
        if (d->input_scan_number > VH_JPEG_MAX_SCANS) {
            jerr *c = (jerr *)ci->err;
            snprintf(c->msg, sizeof c->msg, "more than %d progressive scans", VH_JPEG_MAX_SCANS);
            longjmp(c->jb, 1);
        }
    }
}

static int jpeg_decode(jpeg_ctx *c, const uint8_t *buf, size_t len) {
    if (setjmp(c->e.jb)) return 1;
    jpeg_create_decompress(&c->d);
    c->d_init = 1;
    c->prog.progress_monitor = jpeg_progress_fn;
    c->d.progress = &c->prog;
    jpeg_mem_src(&c->d, buf, (unsigned long)len);
    jpeg_read_header(&c->d, TRUE);
    unsigned w = c->d.image_width, h = c->d.image_height;
    if (w == 0 || h == 0 || w > VH_IMAGE_MAX_DIM || h > VH_IMAGE_MAX_DIM || (uint64_t)w * h > VH_IMAGE_MAX_PIXELS) {
        c->status = vh__fail(NULL, VH_ERANGE, "%s: JPEG size %ux%u exceeds the limit (%d per side, 2^28 pixels)",
                             c->name, w, h, VH_IMAGE_MAX_DIM);
        return 1;
    }
    int cmyk = c->d.jpeg_color_space == JCS_CMYK || c->d.jpeg_color_space == JCS_YCCK;
    if (cmyk) c->d.out_color_space = JCS_CMYK;
    else if (c->d.num_components == 1) c->d.out_color_space = JCS_GRAYSCALE;
    else c->d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c->d);
    int oc = c->d.output_components;
    if (c->d.output_width != w || c->d.output_height != h || oc != (cmyk ? 4 : c->d.out_color_space == JCS_RGB ? 3 : 1)) {
        c->status = vh__fail(NULL, VH_EFORMAT, "%s: unexpected JPEG output layout", c->name);
        return 1;
    }
    int pc = cmyk ? 3 : oc;
    size_t total = (size_t)w * h * (size_t)pc; /* ≤ 2^28 * 3, checked above */
    c->pix = malloc(total);
    if (cmyk) c->row = malloc((size_t)w * 4);
    if (!c->pix || (cmyk && !c->row)) {
        c->status = vh__fail(NULL, VH_ENOMEM, "%s: out of memory for %ux%u image", c->name, w, h);
        return 1;
    }
    c->e.eof_ok = !jpeg_has_multiple_scans(&c->d);
    while (c->d.output_scanline < h) {
        uint8_t *dst = c->pix + (size_t)c->d.output_scanline * w * (size_t)pc;
        JSAMPROW r = cmyk ? c->row : dst;
        if (jpeg_read_scanlines(&c->d, &r, 1) != 1) {
            snprintf(c->e.msg, sizeof c->e.msg, "decoder made no progress");
            return 1;
        }
        if (cmyk) /* Adobe-style inverted CMYK: R = C·K/255 etc. */
            for (unsigned x = 0; x < w; x++) {
                const uint8_t *s = c->row + 4 * x;
                for (int k = 0; k < 3; k++) dst[3 * x + (unsigned)k] = (uint8_t)((s[k] * s[3] + 127) / 255);
            }
    }
    c->e.eof_ok = 1; /* all rows are in: only the EOI marker can be missing */
    jpeg_finish_decompress(&c->d);
    return 0;
}

static int load_jpeg(const uint8_t *buf, size_t len, const char *name, int want_c, vh_image *out) {
    jpeg_ctx *c = calloc(1, sizeof *c);
    if (!c) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", name);
    c->name = name;
    c->d.err = jpeg_std_error(&c->e.pub);
    c->e.pub.error_exit = jpeg_error_exit_fn;
    c->e.pub.emit_message = jpeg_emit_fn;
    c->e.pub.output_message = jpeg_output_fn;
    int failed = jpeg_decode(c, buf, len);
    int st = VH_OK;
    if (failed) st = c->status ? c->status : vh__fail(NULL, VH_EFORMAT, "%s: corrupt JPEG: %s", name, c->e.msg);
    int w = (int)c->d.image_width, h = (int)c->d.image_height;
    int pc = c->d.out_color_space == JCS_GRAYSCALE ? 1 : 3;
    if (c->d_init) jpeg_destroy_decompress(&c->d);
    uint8_t *pix = c->pix;
    free(c->row);
    free(c);
    if (st) { free(pix); return st; }
    int dc = want_c ? want_c : pc;
    if (dc == pc) {
        out->w = w; out->h = h; out->c = pc;
        out->stride = (size_t)w * (size_t)pc;
        out->data = pix;
        out->owns = 1;
        return VH_OK;
    }
    st = vh_image_alloc(out, w, h, dc);
    if (!st)
        for (int y = 0; y < h; y++)
            vh__convert_row(pix + (size_t)y * (size_t)w * (size_t)pc, pc, out->data + (size_t)y * out->stride, dc, w);
    free(pix);
    return st;
}

/* ============================== loading ================================ */

int vh_image_load_mem(const void *buf, size_t len, const char *name, int want_c, vh_image *out) {
    memset(out, 0, sizeof *out);
    if (!name) name = "(memory)";
    if (want_c != 0 && want_c != 1 && want_c != 3 && want_c != 4)
        return vh__fail(NULL, VH_EINVAL, "%s: unsupported channel count %d", name, want_c);
    if (!buf || len == 0) return vh__fail(NULL, VH_EFORMAT, "%s: empty file", name);
    const uint8_t *b = buf;
    int st;
    if (is_png(b, len)) st = load_png(b, len, name, want_c, out);
    else if (is_jpeg(b, len)) st = load_jpeg(b, len, name, want_c, out);
    else return vh__fail(NULL, VH_EFORMAT, "%s: not a PNG or JPEG image", name);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

int vh_image_load(const char *path, int want_c, vh_image *out) {
    memset(out, 0, sizeof *out);
    char *data;
    size_t size;
    int st = vh_file_read_all(path, VH_IMAGE_MAX_FILE, &data, &size);
    if (st) return st;
    st = vh_image_load_mem(data, size, path, want_c, out);
    vh_free(data);
    return st;
}

int vh_image_load_png16(const char *path, uint16_t **samples, int *w, int *h) {
    *samples = NULL;
    *w = *h = 0;
    char *data;
    size_t size;
    int st = vh_file_read_all(path, VH_IMAGE_MAX_FILE, &data, &size);
    if (st) return st;
    if (!is_png((const uint8_t *)data, size)) {
        vh_free(data);
        return vh__fail(NULL, VH_EFORMAT, "%s: not a PNG file", path);
    }
    png_ctx c;
    st = png_open(&c, data, size, path);
    if (!st) {
        c.want16 = 1;
        st = png_finish(&c, png_decode(&c));
    } else {
        png_finish(&c, 0);
    }
    vh_free(data);
    if (st) { free(c.pix); return st; }
    size_t n = (size_t)c.pw * (size_t)c.ph; /* ≤ 2^28 */
    uint16_t *s = malloc(n * sizeof *s);
    if (!s) { free(c.pix); return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path); }
    for (size_t i = 0; i < n; i++)
        s[i] = c.bytes == 2 ? (uint16_t)(c.pix[2 * i] << 8 | c.pix[2 * i + 1]) : (uint16_t)(c.pix[i] * 257u);
    free(c.pix);
    *samples = s;
    *w = c.pw;
    *h = c.ph;
    return VH_OK;
}

/* ============================== saving ================================= */

typedef struct png_wctx {
    const char *path;
    int overwrite;
    FILE *fp;
    png_structp png;
    png_infop info;
    const vh_image *img;       /* 8-bit source, or NULL with s16 */
    const uint16_t *s16;
    int w, h;
    uint8_t *row;              /* 16-bit scratch row */
    char msg[256];
} png_wctx;

static int png_encode(png_wctx *c) {
    if (setjmp(png_jmpbuf(c->png))) return 1;
    png_init_io(c->png, c->fp);
    if (c->img) {
        int ct = c->img->c == 1 ? PNG_COLOR_TYPE_GRAY : c->img->c == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA;
        png_set_IHDR(c->png, c->info, (png_uint_32)c->w, (png_uint_32)c->h, 8, ct, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(c->png, c->info);
        for (int y = 0; y < c->h; y++) png_write_row(c->png, c->img->data + (size_t)y * c->img->stride);
    } else {
        png_set_IHDR(c->png, c->info, (png_uint_32)c->w, (png_uint_32)c->h, 16, PNG_COLOR_TYPE_GRAY,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(c->png, c->info);
        for (int y = 0; y < c->h; y++) {
            const uint16_t *s = c->s16 + (size_t)y * (size_t)c->w;
            for (int x = 0; x < c->w; x++) {
                c->row[2 * x] = (uint8_t)(s[x] >> 8);
                c->row[2 * x + 1] = (uint8_t)(s[x] & 0xff);
            }
            png_write_row(c->png, c->row);
        }
    }
    png_write_end(c->png, c->info);
    return 0;
}

static void pngw_err_fn(png_structp png, png_const_charp msg) {
    png_wctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "error");
    png_longjmp(png, 1);
}

static int save_png(png_wctx *c) {
    vh_atomic_file af;
    int st = vh_atomic_open(&af, c->path, c->overwrite);
    if (st) return st;
    c->fp = af.fp;
    c->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, pngw_err_fn, png_warn_fn);
    if (c->png) c->info = png_create_info_struct(c->png);
    if (!c->png || !c->info) {
        st = vh__fail(NULL, VH_ENOMEM, "%s: out of memory (libpng)", c->path);
    } else if (png_encode(c)) {
        st = vh__fail(NULL, VH_EIO, "%s: PNG write failed: %s", c->path, c->msg);
    }
    png_destroy_write_struct(c->png ? &c->png : NULL, c->info ? &c->info : NULL);
    if (st) { vh_atomic_abort(&af); return st; }
    return vh_atomic_commit(&af);
}

typedef struct jpeg_wctx {
    jerr e;
    struct jpeg_compress_struct j;
    int j_init;
    uint8_t *row;
} jpeg_wctx;

static int jpeg_encode(jpeg_wctx *c, FILE *fp, const vh_image *img, int quality) {
    if (setjmp(c->e.jb)) return 1;
    jpeg_create_compress(&c->j);
    c->j_init = 1;
    jpeg_stdio_dest(&c->j, fp);
    c->j.image_width = (JDIMENSION)img->w;
    c->j.image_height = (JDIMENSION)img->h;
    c->j.input_components = img->c == 1 ? 1 : 3;
    c->j.in_color_space = img->c == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c->j);
    jpeg_set_quality(&c->j, quality, TRUE);
    jpeg_start_compress(&c->j, TRUE);
    while (c->j.next_scanline < c->j.image_height) {
        const uint8_t *src = img->data + (size_t)c->j.next_scanline * img->stride;
        JSAMPROW r;
        if (img->c == 4) {
            vh__convert_row(src, 4, c->row, 3, img->w);
            r = c->row;
        } else {
            r = (JSAMPROW)(uintptr_t)src; /* libjpeg does not write through it */
        }
        jpeg_write_scanlines(&c->j, &r, 1);
    }
    jpeg_finish_compress(&c->j);
    return 0;
}

static int save_jpeg(const char *path, const vh_image *img, int quality, int overwrite) {
    jpeg_wctx *c = calloc(1, sizeof *c);
    if (!c) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    if (img->c == 4 && !(c->row = malloc((size_t)img->w * 3))) {
        free(c);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    }
    vh_atomic_file af;
    int st = vh_atomic_open(&af, path, overwrite);
    if (!st) {
        c->j.err = jpeg_std_error(&c->e.pub);
        c->e.pub.error_exit = jpeg_error_exit_fn;
        c->e.pub.output_message = jpeg_output_fn;
        if (jpeg_encode(c, af.fp, img, quality))
            st = vh__fail(NULL, VH_EIO, "%s: JPEG write failed: %s", path, c->e.msg);
        if (c->j_init) jpeg_destroy_compress(&c->j);
        if (st) vh_atomic_abort(&af);
        else st = vh_atomic_commit(&af);
    }
    free(c->row);
    free(c);
    return st;
}

/* ASCII case-insensitive equality with a lower-case `want`. */
static int ext_is(const char *ext, const char *want) {
    for (; *ext && *want; ext++, want++) {
        char c = *ext >= 'A' && *ext <= 'Z' ? (char)(*ext - 'A' + 'a') : *ext;
        if (c != *want) return 0;
    }
    return *ext == 0 && *want == 0;
}

int vh_image_save(const char *path, const vh_image *img, int quality) {
    return vh_image_save_ex(path, img, quality, 1);
}

int vh_image_save_ex(const char *path, const vh_image *img, int quality, int overwrite) {
    int st = vh__image_check(img, path);
    if (st) return st;
    if (quality == 0) quality = 92;
    if (quality < 1 || quality > 100) return vh__fail(NULL, VH_EINVAL, "%s: JPEG quality %d not in 1..100", path, quality);
    const char *ext = vh_path_ext(path);
    if (ext_is(ext, "png")) {
        png_wctx c;
        memset(&c, 0, sizeof c);
        c.path = path;
        c.overwrite = overwrite;
        c.img = img;
        c.w = img->w;
        c.h = img->h;
        return save_png(&c);
    }
    if (ext_is(ext, "jpg") || ext_is(ext, "jpeg")) return save_jpeg(path, img, quality, overwrite);
    return vh__fail(NULL, VH_EUNSUPPORTED, "%s: unknown image extension '%s' (want .png, .jpg or .jpeg)", path, ext);
}

int vh_image_save_png16(const char *path, const uint16_t *samples, int w, int h) {
    int st = vh__image_check_dims(path, w, h, 1);
    if (st) return st;
    if (!samples) return vh__fail(NULL, VH_EINVAL, "%s: no samples", path);
    png_wctx c;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.overwrite = 1;
    c.s16 = samples;
    c.w = w;
    c.h = h;
    c.row = malloc((size_t)w * 2);
    if (!c.row) return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    st = save_png(&c);
    free(c.row);
    return st;
}
