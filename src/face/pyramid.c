/* Pyramid building blocks of the detector: OpenCV's bit-exact bilinear resize
 * (INTER_LINEAR_EXACT, which CascadeClassifier uses for its image pyramid) and
 * the integral images (sum, squared sum mod 2^32, rotated sum). */
#include "face/face_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per destination coordinate: source offset and 8-bit fixed-point weight of
 * the second sample (first = 256 - w1). Coordinates before `*lo` replicate the
 * first source sample, from `*hi` on the last one. */
static void coeffs(int ssize, int dsize, int *ofs, uint16_t *w1, int *lo, int *hi) {
    double scale = 1.0 / ((double)dsize / (double)ssize);
    int mn = 0, mx = dsize;
    for (int d = 0; d < dsize; d++) {
        double f = scale * ((double)d + 0.5) - 0.5;
        int i = (int)floor(f);
        ofs[d] = 0;
        w1[d] = 0;
        if (i >= 0 && ssize > 1) {
            if (i < ssize - 1) {
                ofs[d] = i;
                double r = nearbyint((f - (double)i) * 256.0);
                w1[d] = (uint16_t)r;
            } else {
                ofs[d] = ssize - 1;
                if (d < mx) mx = d;
            }
        } else {
            if (d + 1 > mn) mn = d + 1;
        }
    }
    *lo = mn;
    *hi = mx;
}

size_t vh__resize_exact_scratch(int dw, int dh) {
    /* xofs, yofs (int), xw, yw (u16), two horizontal rows (u16) */
    return (size_t)(dw + dh) * sizeof(int) + (size_t)(dw + dh) * sizeof(uint16_t) + 2 * (size_t)dw * sizeof(uint16_t) + 64;
}

static void hrow(const uint8_t *s, int dw, const int *xo, const uint16_t *xw, int xlo, int xhi, uint16_t *out) {
    int x = 0;
    uint16_t first = (uint16_t)(s[0] << 8);
    for (; x < xlo && x < dw; x++) out[x] = first;
    for (; x < xhi; x++) {
        const uint8_t *p = s + xo[x];
        out[x] = (uint16_t)((256 - xw[x]) * p[0] + xw[x] * p[1]);
    }
    if (x < dw) {
        uint16_t last = (uint16_t)(s[xo[dw - 1]] << 8);
        for (; x < dw; x++) out[x] = last;
    }
}

void vh__resize_exact(const uint8_t *src, size_t sstride, int sw, int sh,
                      uint8_t *dst, size_t dstride, int dw, int dh, void *scratch) {
    if (sw == dw && sh == dh) {
        for (int y = 0; y < dh; y++) memcpy(dst + (size_t)y * dstride, src + (size_t)y * sstride, (size_t)dw);
        return;
    }
    int *xo = scratch, *yo = xo + dw;
    uint16_t *xw = (uint16_t *)(yo + dh), *yw = xw + dw, *r0 = yw + dh, *r1 = r0 + dw;
    int xlo, xhi, ylo, yhi;
    coeffs(sw, dw, xo, xw, &xlo, &xhi);
    coeffs(sh, dh, yo, yw, &ylo, &yhi);
    int have0 = -1, have1 = -1; /* source rows held in r0 / r1 */
    for (int y = 0; y < dh; y++) {
        uint8_t *d = dst + (size_t)y * dstride;
        if (y < ylo || y >= yhi) {
            int sy = y < ylo ? 0 : sh - 1;
            if (have0 != sy) { hrow(src + (size_t)sy * sstride, dw, xo, xw, xlo, xhi, r0); have0 = sy; }
            for (int x = 0; x < dw; x++) d[x] = (uint8_t)((r0[x] + 128) >> 8);
            continue;
        }
        int sy = yo[y];
        if (have0 != sy) {
            if (have1 == sy) { uint16_t *t = r0; r0 = r1; r1 = t; have0 = sy; have1 = -1; }
            else { hrow(src + (size_t)sy * sstride, dw, xo, xw, xlo, xhi, r0); have0 = sy; }
        }
        if (have1 != sy + 1) { hrow(src + (size_t)(sy + 1) * sstride, dw, xo, xw, xlo, xhi, r1); have1 = sy + 1; }
        uint32_t b = yw[y], a = 256 - b;
        for (int x = 0; x < dw; x++) {
            uint32_t v = (uint32_t)r0[x] * a + (uint32_t)r1[x] * b;
            v = (v + 32768u) >> 16;
            d[x] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
}

int vh__integral(const uint8_t *img, size_t img_stride, int w, int h, size_t stride,
                 uint32_t *sum, uint32_t *sqsum, uint32_t *tilted) {
    memset(sum, 0, sizeof *sum * (size_t)(w + 1));
    memset(sqsum, 0, sizeof *sqsum * (size_t)(w + 1));
    for (int y = 0; y < h; y++) {
        const uint8_t *p = img + (size_t)y * img_stride;
        const uint32_t *sp = sum + (size_t)y * stride;
        const uint32_t *qp = sqsum + (size_t)y * stride;
        uint32_t *s = sum + (size_t)(y + 1) * stride;
        uint32_t *q = sqsum + (size_t)(y + 1) * stride;
        uint32_t rs = 0, rq = 0;
        s[0] = 0;
        q[0] = 0;
        for (int x = 0; x < w; x++) {
            uint32_t v = p[x];
            rs += v;
            rq += v * v;
            s[x + 1] = sp[x + 1] + rs;
            q[x + 1] = qp[x + 1] + rq;
        }
    }
    if (!tilted) return VH_OK;
    /* Rotated sum T(X, Y) = Σ I(x, y) over y < Y, |x − X + 1| ≤ Y − y − 1, by the
     * recurrence T(X,Y) = T(X−1,Y−1) + T(X+1,Y−1) − T(X,Y−2) + I(X−1,Y−1) + I(X−1,Y−2)
     * evaluated on columns padded by h+2 on both sides (zero beyond). */
    int pad = h + 2;
    size_t pw = (size_t)w + 1 + 2 * (size_t)pad;
    uint32_t *buf = calloc(pw * (size_t)(h + 1), sizeof *buf);
    if (!buf) return vh__fail(NULL, VH_ENOMEM, "integral: out of memory for the rotated sum");
#define T(X, Y) buf[(size_t)(Y) * pw + (size_t)((X) + pad)]
#define PIX(x, y) (((x) >= 0 && (x) < w && (y) >= 0 && (y) < h) ? (uint32_t)img[(size_t)(y) * img_stride + (size_t)(x)] : 0)
    for (int Y = 1; Y <= h; Y++) {
        for (int X = -pad; X <= w + pad; X++) {
            uint32_t v = PIX(X - 1, Y - 1) + PIX(X - 1, Y - 2);
            if (X - 1 >= -pad) v += T(X - 1, Y - 1);
            if (X + 1 <= w + pad) v += T(X + 1, Y - 1);
            if (Y >= 2) v -= T(X, Y - 2);
            T(X, Y) = v;
        }
    }
    for (int Y = 0; Y <= h; Y++)
        for (int X = 0; X <= w; X++) tilted[(size_t)Y * stride + (size_t)X] = T(X, Y);
#undef T
#undef PIX
    free(buf);
    return VH_OK;
}
