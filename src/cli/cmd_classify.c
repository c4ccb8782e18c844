/* verhm classify: emotion probabilities of face images with a trained model. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/image.h"
#include "verhm/nn_model.h"
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm classify MODEL IMAGE... [--top K] [--json]\n"
            "\n"
            "Classifies face crops (PNG/JPEG, any size, gray or colour: converted to the\n"
            "model's input, gray and resized with area interpolation). Prints the top K\n"
            "classes (default 3) per image; --json prints every probability.\n"
            "Images smaller than 8x8 pixels are rejected.\n");
}

int cmd_classify(int argc, char **argv) {
    static const struct option opts[] = {{"top", required_argument, 0, 'k'}, {"json", no_argument, 0, 'j'},
                                         {"threads", required_argument, 0, 't'}, {"progress", no_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int json = 0, top = 3, threads = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': if (vh_cli_parse_int("classify", "--top", optarg, 1, 64, &top)) return 2; break;
        case 'j': json = 1; break;
        case 't': if (vh_cli_parse_int("classify", "--threads", optarg, 1, 256, &threads)) return 2; break;
        case 'p': break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("classify", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind > argc - 2) return vh_cli_usage_error("classify", "expected MODEL and at least one IMAGE");
    if (threads) vh_threads_set(threads);
    vh_model *m = NULL;
    int r = vh_model_load(argv[optind], &m);
    if (r) return vh_cli_fail_status(r);
    int k = m->num_classes, n = argc - optind - 1;
    if (top > k) top = k;
    float *probs = malloc((size_t)n * (size_t)k * sizeof(float));
    if (!probs) {
        vh_model_free(m);
        return vh_cli_fail(NULL, "out of memory");
    }
    /* classify everything first so that a bad image leaves no partial output */
    for (int i = 0; i < n; i++) {
        const char *path = argv[optind + 1 + i];
        vh_image img = {0};
        r = vh_image_load(path, 0, &img);
        if (!r && (img.w < 8 || img.h < 8)) {
            vh_image_free(&img);
            free(probs);
            vh_model_free(m);
            return vh_cli_fail(path, "image is %dx%d, too small for a face (at least 8x8)", img.w, img.h);
        }
        if (!r) r = vh_model_classify_image(m, &img, probs + (size_t)i * (size_t)k);
        vh_image_free(&img);
        if (r) {
            free(probs);
            vh_model_free(m);
            return vh_cli_fail_status(r);
        }
    }
    vh_buf b = {0};
    vh_json_writer w;
    if (json) {
        vh_jw_init(&w, &b, 1);
        vh_jw_array_begin(&w);
    }
    int *order = malloc((size_t)k * sizeof(int));
    for (int i = 0; order && i < n; i++) {
        const float *p = probs + (size_t)i * (size_t)k;
        for (int j = 0; j < k; j++) order[j] = j;
        for (int a = 0; a < k; a++) /* selection sort: k is small */
            for (int bb = a + 1; bb < k; bb++)
                if (p[order[bb]] > p[order[a]]) {
                    int t = order[a]; order[a] = order[bb]; order[bb] = t;
                }
        if (json) {
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "image"); vh_jw_string(&w, argv[optind + 1 + i]);
            vh_jw_key(&w, "label"); vh_jw_string(&w, m->labels[order[0]]);
            vh_jw_key(&w, "top");
            vh_jw_array_begin(&w);
            for (int t = 0; t < top; t++) {
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "label"); vh_jw_string(&w, m->labels[order[t]]);
                vh_jw_key(&w, "prob"); vh_jw_number(&w, p[order[t]]);
                vh_jw_object_end(&w);
            }
            vh_jw_array_end(&w);
            vh_jw_key(&w, "probs");
            vh_jw_object_begin(&w);
            for (int j = 0; j < k; j++) {
                vh_jw_key(&w, m->labels[j]);
                vh_jw_number(&w, p[j]);
            }
            vh_jw_object_end(&w);
            vh_jw_object_end(&w);
        } else {
            printf("%s:", argv[optind + 1 + i]);
            for (int t = 0; t < top; t++) printf(" %s %.1f%%", m->labels[order[t]], 100 * p[order[t]]);
            printf("\n");
        }
    }
    if (json) {
        vh_jw_array_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    }
    free(order);
    free(probs);
    vh_model_free(m);
    return 0;
}
