/* Measures where the eyes and mouth sit in FER-2013 face crops: every FER+
 * image is enlarged 4×, its face detected and landmarked, and the eye centres
 * and mouth centre averaged as fractions of the side. The result is the
 * template verhm aligns faces to (vh_face_template_fer), so aligned crops look
 * like the emotion model's training images.
 *   fer_template FERPLUS_DIR   (e.g. ../shared/data/faces/ferplus/train) */
#include "verhm/affect.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: fer_template FERPLUS_DIR\n"); return 2; }
    vh_cascade *cas;
    vh_shape_predictor *sp;
    if (vh_cascade_load(vh_cascade_default_path(), &cas) || vh_shape_predictor_load(vh_shape_predictor_default_path(), &sp)) {
        fprintf(stderr, "%s\n", vh_last_error());
        return 1;
    }
    static const char *const exts[] = {"png", NULL};
    char **files;
    size_t n;
    if (vh_list_files(argv[1], 0, exts, &files, &n)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    double s[6] = {0};
    int used = 0;
    for (size_t i = 0; i < n; i++) {
        vh_image img = {0}, big = {0};
        if (vh_image_load(files[i], 1, &img) || vh_image_resize(&img, img.w * 4, img.h * 4, VH_INTERP_BILINEAR, &big)) {
            vh_image_free(&img);
            continue;
        }
        vh_detect_params dp = vh_detect_default_params();
        dp.min_w = dp.min_h = big.w / 2;
        vh_box *b;
        size_t nb;
        if (vh_cascade_detect(cas, &big, &dp, &b, &nb) == VH_OK && nb == 1) {
            double l, t, w, h;
            vh_haar_to_dlib_box(&b[0], &l, &t, &w, &h);
            vh_point2f lm[68];
            vh_shape_predict(sp, &big, l, t, w, h, 0, lm);
            double e[6] = {0};
            for (int k = 36; k <= 41; k++) { e[0] += lm[k].x / 6; e[1] += lm[k].y / 6; }
            for (int k = 42; k <= 47; k++) { e[2] += lm[k].x / 6; e[3] += lm[k].y / 6; }
            for (int k = 48; k <= 67; k++) { e[4] += lm[k].x / 20; e[5] += lm[k].y / 20; }
            for (int k = 0; k < 6; k++) s[k] += e[k] / big.w;
            used++;
        }
        vh_free(b);
        vh_image_free(&img);
        vh_image_free(&big);
    }
    printf("%d of %zu faces: left eye (%.3f, %.3f), right eye (%.3f, %.3f), mouth (%.3f, %.3f)\n", used, n, s[0] / used,
           s[1] / used, s[2] / used, s[3] / used, s[4] / used, s[5] / used);
    vh_strlist_free(files, n);
    vh_cascade_free(cas);
    vh_shape_predictor_free(sp);
    return 0;
}
