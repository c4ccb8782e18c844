/* Face alignment (similarity fit to a canonical template) and head pose from
 * 68 landmarks (generic 3-D face + Levenberg–Marquardt PnP). */
#include "verhm/landmarks.h"
#include "core/internal.h"
#include <math.h>
#include <string.h>

int vh_similarity_fit(const vh_point2f *src, const vh_point2f *dst, int n, double m[6]) {
    if (n < 2) return vh__fail(NULL, VH_EINVAL, "similarity fit needs at least 2 points");
    double msx = 0, msy = 0, mdx = 0, mdy = 0;
    for (int i = 0; i < n; i++) { msx += src[i].x; msy += src[i].y; mdx += dst[i].x; mdy += dst[i].y; }
    msx /= n; msy /= n; mdx /= n; mdy /= n;
    double sa = 0, sb = 0, n2 = 0;
    for (int i = 0; i < n; i++) {
        double x = src[i].x - msx, y = src[i].y - msy, u = dst[i].x - mdx, v = dst[i].y - mdy;
        sa += x * u + y * v;
        sb += x * v - y * u;
        n2 += x * x + y * y;
    }
    if (!(n2 > 1e-12)) return vh__fail(NULL, VH_ENUMERIC, "similarity fit: degenerate points");
    double a = sa / n2, b = sb / n2;
    m[0] = a; m[1] = -b; m[2] = mdx - (a * msx - b * msy);
    m[3] = b; m[4] = a;  m[5] = mdy - (b * msx + a * msy);
    return VH_OK;
}

vh_face_template vh_face_template_fer(void) {
    /* Measured: mean eye and mouth centres of the 2,117 FER+ validation faces that
     * the detector + landmarks find after 4× enlargement
     * (bench/landmarks/fer_template.c): eyes (0.322, 0.399) and (0.673, 0.396),
     * mouth (0.501, 0.771); eyes levelled to their mean height. */
    vh_face_template t = {0.322f, 0.3975f, 0.673f, 0.3975f, 0.501f, 0.771f};
    return t;
}

static vh_point2f mean_pts(const vh_point2f *p, int from, int to) {
    vh_point2f r = {0, 0};
    for (int i = from; i <= to; i++) { r.x += p[i].x; r.y += p[i].y; }
    r.x /= (float)(to - from + 1);
    r.y /= (float)(to - from + 1);
    return r;
}

int vh_face_align_matrix(const vh_point2f lm[68], int size, const vh_face_template *tpl, double m[6]) {
    if (size <= 0) return vh__fail(NULL, VH_EINVAL, "alignment: crop size must be positive");
    /* iBUG 68: 36–41 image-left eye, 42–47 image-right eye, 48–67 mouth. */
    vh_point2f src[3] = {mean_pts(lm, 36, 41), mean_pts(lm, 42, 47), mean_pts(lm, 48, 67)};
    vh_point2f dst[3] = {{tpl->left_eye_x * size, tpl->left_eye_y * size},
                         {tpl->right_eye_x * size, tpl->right_eye_y * size},
                         {tpl->mouth_x * size, tpl->mouth_y * size}};
    double fwd[6];
    /* Fit crop → image directly: that is the matrix warp_affine wants. */
    int st = vh_similarity_fit(dst, src, 3, fwd);
    if (st) return st;
    memcpy(m, fwd, sizeof fwd);
    return VH_OK;
}

/* ---- head pose ---- */

/* Generic face in camera-aligned units (≈ 0.1 mm, x right, y down, z away from
 * the camera), nose tip at the origin; the widely used six-point model. */
static const double k_model[6][3] = {
    {0, 0, 0},          /* 30 nose tip */
    {0, 330, 65},       /* 8 chin */
    {-225, -170, 135},  /* 36 outer corner of the image-left eye */
    {225, -170, 135},   /* 45 outer corner of the image-right eye */
    {-150, 150, 125},   /* 48 image-left mouth corner */
    {150, 150, 125},    /* 54 image-right mouth corner */
};
static const int k_idx[6] = {30, 8, 36, 45, 48, 54};

static void rodrigues(const double r[3], double R[9]) {
    double th = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    if (th < 1e-12) {
        double I[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        memcpy(R, I, sizeof I);
        return;
    }
    double k[3] = {r[0] / th, r[1] / th, r[2] / th}, c = cos(th), s = sin(th), v = 1 - c;
    R[0] = c + k[0] * k[0] * v;        R[1] = k[0] * k[1] * v - k[2] * s; R[2] = k[0] * k[2] * v + k[1] * s;
    R[3] = k[1] * k[0] * v + k[2] * s; R[4] = c + k[1] * k[1] * v;        R[5] = k[1] * k[2] * v - k[0] * s;
    R[6] = k[2] * k[0] * v - k[1] * s; R[7] = k[2] * k[1] * v + k[0] * s; R[8] = c + k[2] * k[2] * v;
}

static void residuals(const double p[6], const double obs[12], double f, double cx, double cy, double res[12]) {
    double R[9];
    rodrigues(p, R);
    for (int i = 0; i < 6; i++) {
        const double *X = k_model[i];
        double x = R[0] * X[0] + R[1] * X[1] + R[2] * X[2] + p[3];
        double y = R[3] * X[0] + R[4] * X[1] + R[5] * X[2] + p[4];
        double z = R[6] * X[0] + R[7] * X[1] + R[8] * X[2] + p[5];
        if (z < 1e-6) z = 1e-6;
        res[2 * i] = f * x / z + cx - obs[2 * i];
        res[2 * i + 1] = f * y / z + cy - obs[2 * i + 1];
    }
}

static double sumsq(const double *r, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += r[i] * r[i];
    return s;
}

/* Solves the 6×6 system A x = b (Gaussian elimination, partial pivoting). */
static int solve6(double A[36], double b[6], double x[6]) {
    for (int c = 0; c < 6; c++) {
        int piv = c;
        for (int r = c + 1; r < 6; r++) if (fabs(A[r * 6 + c]) > fabs(A[piv * 6 + c])) piv = r;
        if (fabs(A[piv * 6 + c]) < 1e-300) return -1;
        if (piv != c) {
            for (int k = 0; k < 6; k++) { double t = A[c * 6 + k]; A[c * 6 + k] = A[piv * 6 + k]; A[piv * 6 + k] = t; }
            double t = b[c]; b[c] = b[piv]; b[piv] = t;
        }
        for (int r = c + 1; r < 6; r++) {
            double f = A[r * 6 + c] / A[c * 6 + c];
            for (int k = c; k < 6; k++) A[r * 6 + k] -= f * A[c * 6 + k];
            b[r] -= f * b[c];
        }
    }
    for (int r = 5; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < 6; k++) s -= A[r * 6 + k] * x[k];
        x[r] = s / A[r * 6 + r];
    }
    return 0;
}

int vh_head_pose(const vh_point2f lm[68], int image_w, int image_h, double *yaw, double *pitch,
                 double *roll, double *err_px) {
    if (image_w <= 0 || image_h <= 0) return vh__fail(NULL, VH_EINVAL, "head pose: empty image");
    const double f = image_w, cx = image_w / 2.0, cy = image_h / 2.0;
    double obs[12];
    for (int i = 0; i < 6; i++) {
        obs[2 * i] = lm[k_idx[i]].x;
        obs[2 * i + 1] = lm[k_idx[i]].y;
        if (!isfinite(obs[2 * i]) || !isfinite(obs[2 * i + 1])) return vh__fail(NULL, VH_ENUMERIC, "head pose: non-finite landmarks");
    }
    double eye = hypot(obs[6] - obs[4], obs[7] - obs[5]);
    if (eye < 1) return vh__fail(NULL, VH_ENUMERIC, "head pose: degenerate landmarks");
    double p[6] = {0, 0, 0, 0, 0, f * 450.0 / eye};
    p[3] = (obs[0] - cx) * p[5] / f;
    p[4] = (obs[1] - cy) * p[5] / f;
    double res[12], cost, lambda = 1e-3;
    residuals(p, obs, f, cx, cy, res);
    cost = sumsq(res, 12);
    for (int it = 0; it < 100; it++) {
        double J[12][6];
        for (int j = 0; j < 6; j++) {
            double q[6], r2[12];
            memcpy(q, p, sizeof q);
            double h = j < 3 ? 1e-6 : 1e-4 * (fabs(p[j]) + 1);
            q[j] += h;
            residuals(q, obs, f, cx, cy, r2);
            for (int i = 0; i < 12; i++) J[i][j] = (r2[i] - res[i]) / h;
        }
        double A[36] = {0}, g[6] = {0};
        for (int a = 0; a < 6; a++) {
            for (int b = 0; b < 6; b++)
                for (int i = 0; i < 12; i++) A[a * 6 + b] += J[i][a] * J[i][b];
            for (int i = 0; i < 12; i++) g[a] -= J[i][a] * res[i];
        }
        int improved = 0;
        for (int tries = 0; tries < 10 && !improved; tries++) {
            double Ad[36], gd[6], d[6], q[6], r2[12];
            memcpy(Ad, A, sizeof Ad);
            memcpy(gd, g, sizeof gd);
            for (int a = 0; a < 6; a++) Ad[a * 6 + a] *= 1 + lambda;
            if (solve6(Ad, gd, d)) { lambda *= 10; continue; }
            for (int a = 0; a < 6; a++) q[a] = p[a] + d[a];
            residuals(q, obs, f, cx, cy, r2);
            double c2 = sumsq(r2, 12);
            if (c2 < cost) {
                memcpy(p, q, sizeof q);
                memcpy(res, r2, sizeof r2);
                double rel = (cost - c2) / (cost + 1e-12);
                cost = c2;
                lambda = fmax(lambda / 10, 1e-9);
                improved = 1;
                if (rel < 1e-12) it = 1000;
            } else {
                lambda *= 10;
            }
        }
        if (!improved) break;
    }
    if (!isfinite(cost)) return vh__fail(NULL, VH_ENUMERIC, "head pose: fit diverged");
    double R[9];
    rodrigues(p, R);
    const double deg = 180.0 / 3.14159265358979323846;
    /* R = Rz(roll) · Ry(θy) · Rx(φ); signs turned into the documented conventions. */
    double sy = VH_CLAMP(R[6], -1.0, 1.0);
    *yaw = asin(sy) * deg;
    *pitch = -atan2(R[7], R[8]) * deg;
    *roll = atan2(R[3], R[0]) * deg;
    if (err_px) *err_px = sqrt(cost / 6);
    return VH_OK;
}
