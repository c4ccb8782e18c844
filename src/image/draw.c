/* Drawing in place, clipped to the image: filled/outlined rectangles, lines,
 * filled circles and text in the module's own 8x8 font. Coordinates are
 * 64-bit internally so that far-off shapes clip instead of overflowing. */
#include "font8x8.h"
#include "image_internal.h"
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Colour as the image's channels: luma for gray, alpha 255 for RGBA. */
static void pick(const vh_image *img, const uint8_t rgb[3], uint8_t px[4]) {
    if (img->c == 1) px[0] = vh__luma(rgb[0], rgb[1], rgb[2]);
    else { px[0] = rgb[0]; px[1] = rgb[1]; px[2] = rgb[2]; px[3] = 255; }
}

static int drawable(const vh_image *img) {
    return img && img->data && img->w > 0 && img->h > 0 && (img->c == 1 || img->c == 3 || img->c == 4);
}

/* Fills [x, x+w) × [y, y+h) ∩ image. */
static void fill(vh_image *img, int64_t x, int64_t y, int64_t w, int64_t h, const uint8_t px[4]) {
    int64_t x0 = VH_MAX(x, 0), y0 = VH_MAX(y, 0);
    int64_t x1 = VH_MIN(x + w, (int64_t)img->w), y1 = VH_MIN(y + h, (int64_t)img->h);
    if (w <= 0 || h <= 0 || x0 >= x1 || y0 >= y1) return;
    int c = img->c;
    for (int64_t r = y0; r < y1; r++) {
        uint8_t *p = img->data + (size_t)r * img->stride + (size_t)x0 * (size_t)c;
        for (int64_t q = x0; q < x1; q++, p += c) memcpy(p, px, (size_t)c);
    }
}

void vh_draw_rect(vh_image *img, int x, int y, int w, int h, int thickness, const uint8_t rgb[3]) {
    if (!drawable(img) || w <= 0 || h <= 0) return;
    uint8_t px[4];
    pick(img, rgb, px);
    int64_t t = thickness < 1 ? 1 : thickness;
    if (2 * t >= w || 2 * t >= h) { fill(img, x, y, w, h, px); return; }
    fill(img, x, y, w, t, px);
    fill(img, x, (int64_t)y + h - t, w, t, px);
    fill(img, x, (int64_t)y + t, t, h - 2 * t, px);
    fill(img, (int64_t)x + w - t, (int64_t)y + t, t, h - 2 * t, px);
}

void vh_draw_circle(vh_image *img, int cx, int cy, int r, const uint8_t rgb[3]) {
    if (!drawable(img) || r < 0) return;
    uint8_t px[4];
    pick(img, rgb, px);
    int64_t rr = (int64_t)r * r;
    int64_t y0 = VH_MAX((int64_t)cy - r, 0), y1 = VH_MIN((int64_t)cy + r, (int64_t)img->h - 1);
    for (int64_t y = y0; y <= y1; y++) {
        int64_t dy = y - cy;
        /* widest dx with dx² + dy² ≤ r² */
        int64_t dx = (int64_t)sqrt((double)(rr - dy * dy));
        while (dx * dx + dy * dy > rr) dx--;
        while ((dx + 1) * (dx + 1) + dy * dy <= rr) dx++;
        fill(img, (int64_t)cx - dx, y, 2 * dx + 1, 1, px);
    }
}

/* Liang–Barsky clip of the segment to [lo, hi] on both axes; 0 if outside. */
static int clip_segment(double *x0, double *y0, double *x1, double *y1, double xlo, double ylo, double xhi,
                        double yhi) {
    double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {*x0 - xlo, xhi - *x0, *y0 - ylo, yhi - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0) { if (t > t1) return 0; if (t > t0) t0 = t; }
            else { if (t < t0) return 0; if (t < t1) t1 = t; }
        }
    }
    double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy, bx = *x0 + t1 * dx, by = *y0 + t1 * dy;
    *x0 = ax; *y0 = ay; *x1 = bx; *y1 = by;
    return 1;
}

void vh_draw_line(vh_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3]) {
    if (!drawable(img)) return;
    uint8_t px[4];
    pick(img, rgb, px);
    int64_t ax = x0, ay = y0, bx = x1, by = y1;
    /* Far endpoints: clip first so the walk stays short (exact walk otherwise). */
    int64_t lim = 4 * (int64_t)VH_MAX(img->w, img->h);
    if (llabs(ax) > lim || llabs(ay) > lim || llabs(bx) > lim || llabs(by) > lim) {
        double fx0 = x0, fy0 = y0, fx1 = x1, fy1 = y1;
        if (!clip_segment(&fx0, &fy0, &fx1, &fy1, -1, -1, img->w, img->h)) return;
        ax = llround(fx0); ay = llround(fy0); bx = llround(fx1); by = llround(fy1);
    }
    int64_t dx = llabs(bx - ax), dy = -llabs(by - ay);
    int64_t sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1, err = dx + dy;
    for (;;) {
        if (ax >= 0 && ax < img->w && ay >= 0 && ay < img->h)
            memcpy(img->data + (size_t)ay * img->stride + (size_t)ax * (size_t)img->c, px, (size_t)img->c);
        if (ax == bx && ay == by) break;
        int64_t e2 = 2 * err;
        if (e2 >= dy) { err += dy; ax += sx; }
        if (e2 <= dx) { err += dx; ay += sy; }
    }
}

#define VH_TEXT_MAX_SCALE 256

void vh_text_size(const char *text, int scale, int *w, int *h) {
    if (scale < 1) scale = 1;
    if (scale > VH_TEXT_MAX_SCALE) scale = VH_TEXT_MAX_SCALE;
    size_t n = text ? strlen(text) : 0;
    uint64_t tw = (uint64_t)n * 8u * (uint64_t)scale;
    if (w) *w = tw > INT_MAX ? INT_MAX : (int)tw;
    if (h) *h = n ? 8 * scale : 0;
}

void vh_draw_text(vh_image *img, int x, int y, const char *text, int scale, const uint8_t fg[3], const uint8_t *bg) {
    if (!drawable(img) || !text || !*text) return;
    if (scale < 1) scale = 1;
    if (scale > VH_TEXT_MAX_SCALE) scale = VH_TEXT_MAX_SCALE;
    uint8_t fpx[4], bpx[4];
    pick(img, fg, fpx);
    if (bg) {
        int tw, th;
        vh_text_size(text, scale, &tw, &th);
        pick(img, bg, bpx);
        fill(img, x, y, tw, th, bpx);
    }
    int64_t cx = x;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++, cx += 8 * (int64_t)scale) {
        if (cx >= img->w) break;
        if (cx + 8 * (int64_t)scale <= 0) continue;
        unsigned ch = *s >= 32 && *s <= 126 ? *s : '?';
        const uint8_t *g = vh__font8x8[ch - 32];
        for (int r = 0; r < 8; r++)
            for (int col = 0; col < 8; col++)
                if (g[r] & (0x80u >> col))
                    fill(img, cx + (int64_t)col * scale, (int64_t)y + (int64_t)r * scale, scale, scale, fpx);
    }
}
