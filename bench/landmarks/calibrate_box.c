/* Fits the map from Haar-cascade face boxes (frontalface_alt, verhm's
 * detector) to the dlib HOG boxes the 68-point model was trained on, using the
 * boxes in dlib_examples' *_with_face_landmarks.xml (dlib's own detections).
 * Prints scale and centre offsets (as fractions of the Haar box) and how well
 * landmarks predicted from remapped Haar boxes match the reference points.
 *   calibrate_box DATA_DIR */
#include "verhm/face.h"
#include "verhm/landmarks.h"
#include <libxml/parser.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double hx, hy, hw, hh, dx, dy, dw, dh; char file[256]; } pairrec;

static int attr(xmlNode *n, const char *k) {
    xmlChar *v = xmlGetProp(n, (const xmlChar *)k);
    int r = v ? atoi((const char *)v) : 0;
    xmlFree(v);
    return r;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: calibrate_box DATA_DIR\n"); return 2; }
    vh_cascade *cas;
    if (vh_cascade_load(vh_cascade_default_path(), &cas)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    vh_shape_predictor *sp;
    if (vh_shape_predictor_load(vh_shape_predictor_default_path(), &sp)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    pairrec pr[256];
    int np = 0;
    const char *xmls[] = {"training_with_face_landmarks.xml", "testing_with_face_landmarks.xml"};
    for (int x = 0; x < 2; x++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/faces/dlib_examples/%s", argv[1], xmls[x]);
        xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
        for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "images")) continue;
            for (xmlNode *im = n->children; im; im = im->next) {
                if (im->type != XML_ELEMENT_NODE) continue;
                xmlChar *file = xmlGetProp(im, (const xmlChar *)"file");
                char ip[1024];
                snprintf(ip, sizeof ip, "%s/faces/dlib_examples/%s", argv[1], (const char *)file);
                vh_image img = {0}, gray = {0};
                vh_image_load(ip, 3, &img);
                vh_image_to_gray(&img, &gray);
                vh_detect_params dp = vh_detect_default_params();
                vh_box *boxes; size_t nb;
                vh_cascade_detect(cas, &gray, &dp, &boxes, &nb);
                for (xmlNode *b = im->children; b; b = b->next) {
                    if (b->type != XML_ELEMENT_NODE) continue;
                    double dx = attr(b, "left"), dy = attr(b, "top"), dw = attr(b, "width"), dh = attr(b, "height");
                    /* Best Haar box by centre distance relative to size. */
                    int best = -1; double bd = 1e9;
                    for (size_t k = 0; k < nb; k++) {
                        double d = hypot(boxes[k].x + boxes[k].w / 2.0 - (dx + dw / 2), boxes[k].y + boxes[k].h / 2.0 - (dy + dh / 2)) / dw;
                        double ratio = boxes[k].w / dw;
                        if (d < 0.35 && ratio > 0.6 && ratio < 2.0 && d < bd) { bd = d; best = (int)k; }
                    }
                    if (best >= 0 && np < 256) {
                        pairrec *p = &pr[np++];
                        p->hx = boxes[best].x; p->hy = boxes[best].y; p->hw = boxes[best].w; p->hh = boxes[best].h;
                        p->dx = dx; p->dy = dy; p->dw = dw; p->dh = dh;
                        snprintf(p->file, sizeof p->file, "%s", ip);
                    }
                }
                vh_free(boxes);
                vh_image_free(&img);
                vh_image_free(&gray);
                xmlFree(file);
            }
        }
        xmlFreeDoc(doc);
    }
    /* Least squares: dlib size = s · haar size; centre offset = (ox, oy) · haar size. */
    double ss = 0, sh = 0, ox = 0, oy = 0;
    for (int i = 0; i < np; i++) {
        ss += pr[i].dw * pr[i].hw; sh += pr[i].hw * pr[i].hw;
        ox += ((pr[i].dx + pr[i].dw / 2) - (pr[i].hx + pr[i].hw / 2)) / pr[i].hw;
        oy += ((pr[i].dy + pr[i].dh / 2) - (pr[i].hy + pr[i].hh / 2)) / pr[i].hh;
    }
    double s = ss / sh;
    ox /= np; oy /= np;
    printf("matched %d faces: dlib_size = %.4f * haar_size, centre offset (%.4f, %.4f) * haar_size\n", np, s, ox, oy);
    /* Landmarks from remapped Haar boxes vs from the dlib boxes. */
    double err_raw = 0, err_map = 0, norm = 0;
    for (int i = 0; i < np; i++) {
        vh_image img = {0};
        vh_image_load(pr[i].file, 3, &img);
        vh_point2f ref[68], raw[68], map[68];
        vh_shape_predict(sp, &img, pr[i].dx, pr[i].dy, pr[i].dw, pr[i].dh, 0, ref);
        vh_shape_predict(sp, &img, pr[i].hx, pr[i].hy, pr[i].hw, pr[i].hh, 0, raw);
        double w = s * pr[i].hw, cx = pr[i].hx + pr[i].hw / 2 + ox * pr[i].hw, cy = pr[i].hy + pr[i].hh / 2 + oy * pr[i].hh;
        vh_shape_predict(sp, &img, cx - w / 2, cy - w / 2, w, w, 0, map);
        double iod = hypot(ref[36].x - ref[45].x, ref[36].y - ref[45].y);
        for (int k = 0; k < 68; k++) {
            err_raw += hypot(raw[k].x - ref[k].x, raw[k].y - ref[k].y) / iod;
            err_map += hypot(map[k].x - ref[k].x, map[k].y - ref[k].y) / iod;
        }
        norm += 68;
        vh_image_free(&img);
    }
    printf("landmark error vs dlib-box landmarks (normalised by outer inter-ocular distance): raw Haar box %.4f, remapped %.4f\n",
           err_raw / norm, err_map / norm);
    vh_cascade_free(cas);
    vh_shape_predictor_free(sp);
    return 0;
}
