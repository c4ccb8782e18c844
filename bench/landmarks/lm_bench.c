/* Landmark benchmark driver (verhm side).
 *   lm_bench prepare DATA_DIR OUT.bin   faces of dlib_examples' *_with_face_landmarks.xml
 *                                       → a simple binary both peers read
 *   lm_bench run IN.bin REPS OUT.txt    times vh_shape_predict over all faces, writes points
 * Binary layout (little-endian uint32): nfaces, then per face: w, h, left, top,
 * width, height, then w*h*3 RGB bytes. */
#include "verhm/landmarks.h"
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static uint32_t get32(FILE *f) { uint32_t v = 0; if (fread(&v, 4, 1, f) != 1) exit(1); return v; }

static int prepare(const char *data, const char *out) {
    FILE *f = fopen(out, "wb");
    if (!f) return 1;
    uint32_t nfaces = 0;
    put32(f, 0);
    const char *xmls[] = {"training_with_face_landmarks.xml", "testing_with_face_landmarks.xml"};
    for (int x = 0; x < 2; x++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/faces/dlib_examples/%s", data, xmls[x]);
        xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
        if (!doc) return 1;
        for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "images")) continue;
            for (xmlNode *im = n->children; im; im = im->next) {
                if (im->type != XML_ELEMENT_NODE) continue;
                xmlChar *file = xmlGetProp(im, (const xmlChar *)"file");
                char ipath[1024];
                snprintf(ipath, sizeof ipath, "%s/faces/dlib_examples/%s", data, (const char *)file);
                xmlFree(file);
                vh_image img = {0};
                if (vh_image_load(ipath, 3, &img)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
                for (xmlNode *b = im->children; b; b = b->next) {
                    if (b->type != XML_ELEMENT_NODE) continue;
                    const char *keys[4] = {"left", "top", "width", "height"};
                    put32(f, (uint32_t)img.w);
                    put32(f, (uint32_t)img.h);
                    for (int k = 0; k < 4; k++) {
                        xmlChar *v = xmlGetProp(b, (const xmlChar *)keys[k]);
                        put32(f, (uint32_t)atoi((const char *)v));
                        xmlFree(v);
                    }
                    for (int y = 0; y < img.h; y++) fwrite(vh_image_at(&img, 0, y), 1, (size_t)img.w * 3, f);
                    nfaces++;
                }
                vh_image_free(&img);
            }
        }
        xmlFreeDoc(doc);
    }
    fseek(f, 0, SEEK_SET);
    put32(f, nfaces);
    fclose(f);
    return 0;
}

static int run(const char *in, int reps, const char *out) {
    vh_shape_predictor *sp;
    double t0 = vh_now();
    if (vh_shape_predictor_load(vh_shape_predictor_default_path(), &sp)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    double t_load = vh_now() - t0;
    FILE *f = fopen(in, "rb");
    if (!f) return 1;
    uint32_t n = get32(f);
    vh_image *imgs = calloc(n, sizeof *imgs);
    int (*boxes)[4] = calloc(n, sizeof *boxes);
    for (uint32_t i = 0; i < n; i++) {
        int w = (int)get32(f), h = (int)get32(f);
        for (int k = 0; k < 4; k++) boxes[i][k] = (int)get32(f);
        vh_image_alloc(&imgs[i], w, h, 3);
        if (fread(imgs[i].data, 1, (size_t)w * h * 3, f) != (size_t)w * h * 3) return 1;
    }
    fclose(f);
    vh_point2f pts[68];
    FILE *o = fopen(out, "w");
    t0 = vh_now();
    for (int r = 0; r < reps; r++)
        for (uint32_t i = 0; i < n; i++) {
            vh_shape_predict(sp, &imgs[i], boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3], 1, pts);
            if (r == 0)
                for (int p = 0; p < 68; p++) fprintf(o, "%d %d %g %g\n", i, p, pts[p].x, pts[p].y);
        }
    double t = vh_now() - t0;
    fclose(o);
    printf("verhm: load %.3f s, %u faces x %d reps, %.1f us/face\n", t_load, n, reps, 1e6 * t / ((double)n * reps));
    for (uint32_t i = 0; i < n; i++) vh_image_free(&imgs[i]);
    free(imgs);
    free(boxes);
    vh_shape_predictor_free(sp);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "prepare")) return prepare(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "run")) return run(argv[2], atoi(argv[3]), argv[4]);
    fprintf(stderr, "usage: lm_bench prepare DATA OUT.bin | run IN.bin REPS OUT.txt\n");
    return 2;
}
