/* Tests for nn_model.h: safetensors round trip and validation, dataset loaders,
 * augmentation, architectures, model files, evaluation and the trainer. */
#include "verhm/image.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include "vh_test.h"
#include <stdint.h>
#include <unistd.h>

static char tmpdir[256];

static void mkpath(char *out, size_t n, const char *rel) { snprintf(out, n, "%s/%s", tmpdir, rel); }

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* ---- safetensors ---- */

/* A file with header `json` followed by `data_len` bytes 0..255. */
static size_t make_st(uint8_t *buf, const char *json, size_t data_len) {
    size_t h = strlen(json);
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)h >> (8 * i));
    memcpy(buf + 8, json, h);
    for (size_t i = 0; i < data_len; i++) buf[8 + h + i] = (uint8_t)i;
    return 8 + h + data_len;
}

static int st_status(const char *json, size_t data_len, const char *want_msg) {
    static uint8_t buf[4096];
    size_t n = make_st(buf, json, data_len);
    vh_safetensors *st = NULL;
    int r = vh_st_open_mem(buf, n, "t.safetensors", &st);
    vh_st_free(st);
    if (want_msg && !strstr(vh_last_error(), want_msg)) {
        VH_FAILMSG("message '%s' lacks '%s'", vh_last_error(), want_msg);
    }
    if (r && !strstr(vh_last_error(), "t.safetensors")) VH_FAILMSG("message '%s' lacks file name", vh_last_error());
    return r;
}

VH_TEST(st_round_trip) {
    vh_st_writer *w = NULL;
    VH_CHECK_OK(vh_st_writer_new(&w));
    float a[6] = {1, -2, 3.5f, 0, 1e-3f, -7};
    float b[1] = {42};
    int64_t sa[2] = {2, 3};
    VH_CHECK_OK(vh_st_writer_add_f32(w, "layer.weight", a, 2, sa));
    VH_CHECK_OK(vh_st_writer_add_f32(w, "scalar", b, 0, NULL));
    VH_CHECK_INT_EQ(vh_st_writer_add_f32(w, "scalar", b, 0, NULL), VH_EEXIST);
    VH_CHECK_OK(vh_st_writer_meta(w, "arch", "x"));
    VH_CHECK_OK(vh_st_writer_meta(w, "arch", "fer-fast"));
    VH_CHECK_OK(vh_st_writer_meta(w, "labels", "[\"a\",\"b\"]"));
    char path[512];
    mkpath(path, sizeof path, "rt.safetensors");
    VH_CHECK_OK(vh_st_writer_save(w, path, 1));
    VH_CHECK_INT_EQ(vh_st_writer_save(w, path, 0), VH_EEXIST);
    vh_st_writer_free(w);
    vh_safetensors *st = NULL;
    VH_CHECK_OK(vh_st_open(path, &st));
    if (!st) return;
    VH_CHECK_INT_EQ(vh_st_count(st), 2);
    const vh_st_tensor *t = vh_st_find(st, "layer.weight");
    VH_CHECK(t != NULL);
    if (t) {
        VH_CHECK_INT_EQ(t->ndim, 2);
        VH_CHECK_INT_EQ(t->shape[0], 2);
        VH_CHECK_INT_EQ(t->shape[1], 3);
        VH_CHECK_INT_EQ(t->dtype, VH_ST_F32);
        float got[6];
        VH_CHECK_OK(vh_st_read_f32(st, t, got, 6));
        for (int i = 0; i < 6; i++) VH_CHECK(got[i] == a[i]);
        VH_CHECK_INT_EQ(vh_st_read_f32(st, t, got, 5), VH_EFORMAT);
    }
    t = vh_st_find(st, "scalar");
    VH_CHECK(t && t->ndim == 0 && t->numel == 1);
    VH_CHECK_STR_EQ(vh_st_meta(st, "arch"), "fer-fast");
    VH_CHECK_STR_EQ(vh_st_meta(st, "labels"), "[\"a\",\"b\"]");
    VH_CHECK(vh_st_meta(st, "nope") == NULL);
    VH_CHECK_INT_EQ(vh_st_meta_count(st), 2);
    vh_st_free(st);
    VH_CHECK_INT_EQ(vh_st_open("/nonexistent/x.safetensors", &st), VH_ENOTFOUND);
    /* the data area starts 8-byte aligned */
    char *raw = NULL;
    size_t len = 0;
    VH_CHECK_OK(vh_file_read_all(path, 0, &raw, &len));
    if (raw) {
        uint64_t h = 0;
        for (int i = 7; i >= 0; i--) h = h << 8 | (uint8_t)raw[i];
        VH_CHECK_INT_EQ((8 + h) % 8, 0);
        VH_CHECK_INT_EQ(len, 8 + h + 7 * 4);
        vh_free(raw);
    }
}

VH_TEST(st_dtypes_convert) {
    /* F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, smallest subnormal 0x0001; BF16 1.0 = 0x3F80, -3 = 0xC040 */
    static uint8_t buf[512];
    const char *json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                       "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                       "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
    size_t n = make_st(buf, json, 16);
    uint8_t *d = buf + n - 16;
    uint8_t vals[16] = {0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0x01, 0x00, 0x80, 0x3F, 0x40, 0xC0, 1, 0, 0, 0};
    memcpy(d, vals, 16);
    vh_safetensors *st = NULL;
    VH_CHECK_OK(vh_st_open_mem(buf, n, "d.safetensors", &st));
    if (!st) return;
    float h[4], b[2], i1[1];
    VH_CHECK_OK(vh_st_read_f32(st, vh_st_find(st, "h"), h, 4));
    VH_CHECK(h[0] == 1.0f && h[1] == -2.0f && h[2] == 0.5f);
    VH_CHECK_NEAR(h[3], 5.9604644775390625e-08, 1e-20);
    VH_CHECK_OK(vh_st_read_f32(st, vh_st_find(st, "b"), b, 2));
    VH_CHECK(b[0] == 1.0f && b[1] == -3.0f);
    VH_CHECK_INT_EQ(vh_st_read_f32(st, vh_st_find(st, "i"), i1, 1), VH_EUNSUPPORTED);
    vh_st_free(st);
}

VH_TEST(st_rejects_bad_files) {
    vh_safetensors *st = NULL;
    uint8_t small[4] = {0};
    VH_CHECK_INT_EQ(vh_st_open_mem(small, 4, "t.safetensors", &st), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "too short") != NULL);
    /* header length beyond the file */
    uint8_t buf[64];
    size_t n = make_st(buf, "{}", 0);
    buf[0] = 40;
    VH_CHECK_INT_EQ(vh_st_open_mem(buf, n, "t.safetensors", &st), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "exceeds the file size") != NULL);
    buf[0] = 0; buf[5] = 1; /* 2^40 */
    VH_CHECK_INT_EQ(vh_st_open_mem(buf, n, "t.safetensors", &st), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "out of range") != NULL);
    VH_CHECK_OK(st_status("{}", 0, NULL));
    VH_CHECK_OK(st_status("{\"__metadata__\":{\"a\":\"b\"}}  ", 0, NULL));
    VH_CHECK_INT_EQ(st_status("{\"a\":", 0, "JSON"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("[1,2]", 0, "start with"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{} x", 0, "JSON"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":1}", 0, "not an object"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape[0]"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "shape[0]"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],"
                              "\"data_offsets\":[0,4]}}", 4, "overflows"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
                              "dimensions"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "needs 8 bytes"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "beyond"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "begin"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "data_offsets"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "overlaps"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 6, "trailing"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                              "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "duplicate"),
                    VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"__metadata__\":{\"a\":1}}", 0, "not a string"), VH_EFORMAT);
    VH_CHECK_INT_EQ(st_status("{\"__metadata__\":[]}", 0, "not an object"), VH_EFORMAT);
    /* empty tensors and contiguous ones are fine in any header order */
    VH_CHECK_OK(st_status("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},"
                          "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                          "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 6, NULL));
}

/* ---- datasets ---- */

static void save_gray(const char *path, int w, int h, uint8_t v) {
    vh_image im = {0};
    if (vh_image_alloc(&im, w, h, 1)) return;
    memset(im.data, v, (size_t)w * (size_t)h);
    vh_image_save(path, &im, 0);
    vh_image_free(&im);
}

VH_TEST(dataset_folder) {
    char p[512];
    mkpath(p, sizeof p, "fold");
    vh_mkdir_p(p);
    mkpath(p, sizeof p, "fold/Sad"); vh_mkdir_p(p);
    mkpath(p, sizeof p, "fold/Happy"); vh_mkdir_p(p);
    mkpath(p, sizeof p, "fold/Sad/a.png"); save_gray(p, 10, 10, 20);
    mkpath(p, sizeof p, "fold/Sad/b.png"); save_gray(p, 20, 20, 40);
    mkpath(p, sizeof p, "fold/Happy/c.png"); save_gray(p, 10, 10, 200);
    mkpath(p, sizeof p, "fold/Happy/broken.png"); write_text(p, "not a png");
    mkpath(p, sizeof p, "fold/readme.txt"); write_text(p, "ignored");
    vh_dataset d;
    mkpath(p, sizeof p, "fold");
    VH_CHECK_OK(vh_dataset_load(p, 8, &d));
    VH_CHECK_INT_EQ(d.n, 3);
    VH_CHECK_INT_EQ(d.skipped, 1);
    VH_CHECK_INT_EQ(d.num_classes, 2);
    if (d.num_classes == 2) {
        VH_CHECK_STR_EQ(d.labels[0], "Happy");
        VH_CHECK_STR_EQ(d.labels[1], "Sad");
    }
    VH_CHECK(d.w == 8 && d.h == 8 && d.soft == NULL);
    if (d.n == 3) {
        /* files sorted by path: Happy/c (200), Sad/a (20), Sad/b (40) */
        VH_CHECK_INT_EQ(d.label[0], 0);
        VH_CHECK_INT_EQ(d.pixels[0], 200);
        VH_CHECK_INT_EQ(d.label[2], 1);
        VH_CHECK_INT_EQ(d.pixels[2 * 64 + 10], 40);
    }
    vh_dataset_free(&d);
    /* different sizes without resizing → error; empty label folder → error */
    VH_CHECK_INT_EQ(vh_dataset_load_folder(p, 0, &d), VH_EFORMAT);
    mkpath(p, sizeof p, "fold/Empty"); vh_mkdir_p(p);
    mkpath(p, sizeof p, "fold");
    VH_CHECK_INT_EQ(vh_dataset_load(p, 8, &d), VH_EEMPTY);
    VH_CHECK(strstr(vh_last_error(), "Empty") != NULL);
    mkpath(p, sizeof p, "nothing"); vh_mkdir_p(p);
    VH_CHECK_INT_EQ(vh_dataset_load(p, 8, &d), VH_EEMPTY);
    VH_CHECK_INT_EQ(vh_dataset_load("/nonexistent/dir", 8, &d), VH_ENOTFOUND);
}

VH_TEST(dataset_ferplus) {
    char p[512], csv[512];
    mkpath(p, sizeof p, "ferp");
    vh_mkdir_p(p);
    for (int i = 0; i < 5; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "ferp/f%d.png", i);
        mkpath(csv, sizeof csv, rel);
        save_gray(csv, 48, 48, (uint8_t)(i * 50));
    }
    mkpath(csv, sizeof csv, "ferp/label.csv");
    write_text(csv,
               "f0.png,\"(0, 0, 48, 48)\",4,0,0,1,3,2,0,0,0,0\n"   /* neutral, soft 4/10 */
               "f1.png,\"(0, 0, 48, 48)\",0,0,0,0,0,0,0,0,2,8\n"   /* NF majority: dropped */
               "f2.png,\"(0, 0, 48, 48)\",1,0,0,0,0,0,0,0,9,0\n"   /* unknown majority: dropped */
               "f3.png,\"(0, 0, 48, 48)\",0,2,0,0,0,0,0,6,2,0\r\n" /* contempt */
               "garbage line\n"
               "missing.png,\"(0, 0, 48, 48)\",0,10,0,0,0,0,0,0,0,0\n" /* unreadable */
               "f4.png,\"(0, 0, 48, 48)\",0,5,5,0,0,0,0,0,0,0\n");  /* tie: first (happiness) */
    vh_dataset d;
    VH_CHECK_OK(vh_dataset_load(p, 0, &d));
    VH_CHECK_INT_EQ(d.n, 3);
    VH_CHECK_INT_EQ(d.skipped, 4);
    VH_CHECK_INT_EQ(d.num_classes, 8);
    VH_CHECK(d.soft != NULL);
    if (d.n == 3 && d.soft) {
        VH_CHECK_STR_EQ(d.labels[7], "contempt");
        VH_CHECK_INT_EQ(d.label[0], 0);
        VH_CHECK_NEAR(d.soft[0], 0.4, 1e-6);
        VH_CHECK_NEAR(d.soft[4], 0.3, 1e-6);
        VH_CHECK_INT_EQ(d.label[1], 7);
        VH_CHECK_NEAR(d.soft[8 + 7], 0.75, 1e-6);
        VH_CHECK_INT_EQ(d.label[2], 1);
        VH_CHECK_INT_EQ(d.pixels[2 * 48 * 48], 200);
    }
    vh_dataset_free(&d);
    mkpath(p, sizeof p, "nolabels");
    vh_mkdir_p(p);
    VH_CHECK_INT_EQ(vh_dataset_load_ferplus(p, 0, &d), VH_ENOTFOUND);
}

VH_TEST(dataset_fer2013_csv) {
    char p[512];
    mkpath(p, sizeof p, "fer2013.csv");
    vh_buf b = {0};
    vh_buf_puts(&b, "emotion,pixels,Usage\n");
    for (int r = 0; r < 3; r++) {
        vh_buf_printf(&b, "%d,", r + 2);
        for (int i = 0; i < 2304; i++) vh_buf_printf(&b, "%s%d", i ? " " : "", (i + r) % 256);
        vh_buf_printf(&b, ",%s\n", r == 2 ? "PublicTest" : "Training");
    }
    vh_buf_puts(&b, "9,1 2 3,Training\n"); /* bad label and too few pixels */
    write_text(p, b.data);
    vh_buf_free(&b);
    vh_dataset d;
    VH_CHECK_OK(vh_dataset_load(p, 0, &d));
    VH_CHECK_INT_EQ(d.n, 3);
    VH_CHECK_INT_EQ(d.skipped, 1);
    VH_CHECK_INT_EQ(d.num_classes, 7);
    if (d.n == 3) {
        VH_CHECK_INT_EQ(d.label[1], 3);
        VH_CHECK_STR_EQ(d.labels[3], "Happy");
        VH_CHECK_INT_EQ(d.pixels[48 * 48 + 5], 6);
    }
    vh_dataset_free(&d);
    VH_CHECK_OK(vh_dataset_load_fer2013(p, "Training", 24, &d));
    VH_CHECK_INT_EQ(d.n, 2);
    VH_CHECK_INT_EQ(d.w, 24);
    vh_dataset_free(&d);
    VH_CHECK_INT_EQ(vh_dataset_load_fer2013(p, "PrivateTest", 0, &d), VH_EEMPTY);
}

/* Synthetic 2-class set: horizontal vs vertical stripes with noise. */
static void make_stripes(vh_dataset *d, int n, int side, uint64_t seed) {
    memset(d, 0, sizeof *d);
    d->n = n;
    d->w = d->h = side;
    d->num_classes = 2;
    d->labels = calloc(2, sizeof(char *));
    d->labels[0] = malloc(16); strcpy(d->labels[0], "horizontal");
    d->labels[1] = malloc(16); strcpy(d->labels[1], "vertical");
    d->pixels = malloc((size_t)n * (size_t)side * (size_t)side);
    d->label = malloc((size_t)n * sizeof(int));
    d->source = malloc(16); strcpy(d->source, "synthetic");
    vh_rng r;
    vh_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int c = i % 2, ph = (int)vh_rng_below(&r, 4);
        d->label[i] = c;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                int on = (((c ? x : y) + ph) / 2) % 2;
                int v = (on ? 180 : 70) + (int)vh_rng_below(&r, 41) - 20;
                d->pixels[((size_t)i * (size_t)side + (size_t)y) * (size_t)side + (size_t)x] = (uint8_t)v;
            }
    }
}

VH_TEST(dataset_split_and_batch) {
    vh_dataset d, tr, va;
    make_stripes(&d, 40, 12, 7);
    VH_CHECK_OK(vh_dataset_split(&d, 0.25, 3, &tr, &va));
    VH_CHECK_INT_EQ(tr.n, 30);
    VH_CHECK_INT_EQ(va.n, 10);
    int c1 = 0;
    for (int i = 0; i < va.n; i++) c1 += va.label[i];
    VH_CHECK_INT_EQ(c1, 5); /* stratified */
    vh_dataset_free(&tr);
    vh_dataset_free(&va);
    VH_CHECK_INT_EQ(vh_dataset_split(&d, 1.5, 3, &tr, &va), VH_EINVAL);
    int idx[3] = {0, 1, 5};
    float x[3 * 144], y[6], x2[3 * 144];
    vh_dataset_batch(&d, idx, 3, 0.5f, 0.25f, NULL, 0, 0, x, y);
    VH_CHECK_NEAR(x[144 + 7], ((float)d.pixels[144 + 7] / 255.0f - 0.5f) / 0.25f, 1e-6);
    VH_CHECK(y[0] == 1 && y[1] == 0 && y[2] == 0 && y[3] == 1);
    vh_augment_params a = vh_augment_default_params();
    a.enabled = 1;
    vh_dataset_batch(&d, idx, 3, 0.5f, 0.25f, &a, 11, 2, x, NULL);
    vh_dataset_batch(&d, idx, 3, 0.5f, 0.25f, &a, 11, 2, x2, NULL);
    VH_CHECK(memcmp(x, x2, sizeof x) == 0);
    vh_dataset_batch(&d, idx, 3, 0.5f, 0.25f, &a, 11, 3, x2, NULL);
    VH_CHECK(memcmp(x, x2, sizeof x) != 0);
    int finite = 1;
    for (int i = 0; i < 3 * 144; i++) finite &= x[i] >= -2.0001f && x[i] <= 2.0001f;
    VH_CHECK(finite);
    /* identity augmentation reproduces the plain batch */
    vh_augment_params id = {1, 0, 0, 0, 0, 0, 0, 0};
    vh_dataset_batch(&d, idx, 3, 0.5f, 0.25f, &id, 11, 2, x2, NULL);
    vh_dataset_batch(&d, idx, 3, 0.5f, 0.25f, NULL, 0, 0, x, NULL);
    double md = 0;
    for (int i = 0; i < 3 * 144; i++) md = fmax(md, fabs(x[i] - x2[i]));
    VH_CHECK_NEAR(md, 0, 1e-4);
    const char *names[3] = {"x", "vertical", "horizontal"};
    VH_CHECK_OK(vh_dataset_remap(&d, names, 3));
    VH_CHECK_INT_EQ(d.num_classes, 3);
    VH_CHECK_INT_EQ(d.label[0], 2);
    VH_CHECK_INT_EQ(d.label[1], 1);
    const char *bad[2] = {"x", "y"};
    VH_CHECK_INT_EQ(vh_dataset_remap(&d, bad, 2), VH_EINVAL);
    vh_dataset_free(&d);
}

/* ---- architectures and model files ---- */

VH_TEST(arch_build) {
    static const char *labels[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (const char *const *n = vh_arch_names(); *n; n++) {
        vh_model *m = NULL;
        vh_arch_params ap = vh_arch_default_params(*n);
        VH_CHECK_OK(vh_model_new(*n, &ap, labels, 8, 48, 48, 1, &m));
        if (!m) continue;
        size_t ps = vh_nn_param_scalars(m->g);
        if (strcmp(*n, "fer-fast") == 0) VH_CHECK(ps > 300000 && ps < 500000);
        if (strcmp(*n, "fer-acc") == 0) VH_CHECK(ps > 1000000 && ps < 3000000);
        VH_CHECK(vh_nn_param_find(m->g, "head.weight") != NULL);
        vh_model_free(m);
    }
    vh_model *m = NULL;
    VH_CHECK_INT_EQ(vh_model_new("resnet-9000", NULL, labels, 8, 48, 48, 1, &m), VH_ENOTFOUND);
    VH_CHECK(strstr(vh_last_error(), "resnet-9000") != NULL);
    VH_CHECK_INT_EQ(vh_model_new("fer-fast", NULL, labels, 8, 8, 8, 1, &m), VH_EINVAL);
}

VH_TEST(model_save_load) {
    static const char *labels[3] = {"x", "y", "z"};
    vh_model *m = NULL, *m2 = NULL;
    vh_arch_params ap = vh_arch_default_params("tiny");
    VH_CHECK_OK(vh_model_new("tiny", &ap, labels, 3, 12, 12, 5, &m));
    if (!m) return;
    VH_CHECK_OK(vh_model_set_provenance(m, "{\"data\":\"unit\"}"));
    float x[2 * 144], p1[6], p2[6];
    for (int i = 0; i < 2 * 144; i++) x[i] = (float)((i * 37) % 17) / 8.0f - 1.0f;
    VH_CHECK_OK(vh_model_predict(m, x, 2, p1));
    VH_CHECK_NEAR(p1[0] + p1[1] + p1[2], 1.0, 1e-5);
    char path[512];
    mkpath(path, sizeof path, "m.safetensors");
    VH_CHECK_OK(vh_model_save(m, path, 1));
    VH_CHECK_OK(vh_model_load(path, &m2));
    if (m2) {
        VH_CHECK_STR_EQ(m2->arch, "tiny");
        VH_CHECK_INT_EQ(m2->num_classes, 3);
        VH_CHECK_STR_EQ(m2->labels[2], "z");
        VH_CHECK_STR_EQ(m2->provenance, "{\"data\":\"unit\"}");
        VH_CHECK(m2->in_w == 12 && m2->mean == 0.5f && m2->std == 0.25f);
        VH_CHECK_OK(vh_model_predict(m2, x, 2, p2));
        for (int i = 0; i < 6; i++) VH_CHECK(p1[i] == p2[i]);
        /* classify an RGB image of another size */
        vh_image im = {0};
        VH_CHECK_OK(vh_image_alloc(&im, 30, 20, 3));
        memset(im.data, 90, 30 * 20 * 3);
        VH_CHECK_OK(vh_model_classify_image(m2, &im, p2));
        VH_CHECK_NEAR(p2[0] + p2[1] + p2[2], 1.0, 1e-5);
        vh_image_free(&im);
        vh_model_free(m2);
        m2 = NULL;
    }
    /* a file with a wrong-shaped tensor, a missing tensor, a foreign file */
    vh_st_writer *w = NULL;
    VH_CHECK_OK(vh_st_writer_new(&w));
    VH_CHECK_OK(vh_model_to_writer(m, w, ""));
    float junk[4] = {0};
    int64_t s1 = 4;
    VH_CHECK_OK(vh_st_writer_add_f32(w, "extra.weight", junk, 1, &s1));
    mkpath(path, sizeof path, "extra.safetensors");
    VH_CHECK_OK(vh_st_writer_save(w, path, 1));
    vh_st_writer_free(w);
    VH_CHECK_INT_EQ(vh_model_load(path, &m2), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "extra.weight") != NULL);
    VH_CHECK_OK(vh_st_writer_new(&w));
    VH_CHECK_OK(vh_st_writer_meta(w, "format", "verhm-model-1"));
    VH_CHECK_OK(vh_st_writer_meta(w, "arch", "tiny"));
    VH_CHECK_OK(vh_st_writer_meta(w, "arch_params", "{\"width\":8,\"fc\":256,\"dropout\":0}"));
    VH_CHECK_OK(vh_st_writer_meta(w, "labels", "[\"x\",\"y\",\"z\"]"));
    VH_CHECK_OK(vh_st_writer_meta(w, "input", "{\"width\":12,\"height\":12,\"channels\":1,\"mean\":0.5,\"std\":0.25}"));
    for (int i = 0; i < vh_nn_param_count(m->g); i++) {
        const vh_nn_param *p = vh_nn_param_get(m->g, i);
        int64_t sh[4] = {0};
        for (int k = 0; k < p->t->ndim; k++) sh[k] = p->t->shape[k];
        if (strcmp(p->name, "head.weight") == 0) sh[0] = 4; /* wrong shape */
        float *z = calloc(p->t->size * 2 + 1, sizeof(float));
        VH_CHECK_OK(vh_st_writer_add_f32(w, p->name, z, p->t->ndim, sh));
        free(z);
    }
    mkpath(path, sizeof path, "shape.safetensors");
    VH_CHECK_OK(vh_st_writer_save(w, path, 1));
    vh_st_writer_free(w);
    VH_CHECK_INT_EQ(vh_model_load(path, &m2), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "head.weight") != NULL && strstr(vh_last_error(), "expects") != NULL);
    mkpath(path, sizeof path, "rt.safetensors"); /* plain safetensors without verhm metadata */
    VH_CHECK_INT_EQ(vh_model_load(path, &m2), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "not a verhm model") != NULL);
    vh_model_free(m);
}

VH_TEST(model_evaluate_metrics) {
    static const char *labels[2] = {"horizontal", "vertical"};
    vh_dataset d;
    make_stripes(&d, 10, 12, 3);
    vh_model *m = NULL;
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 1, &m));
    vh_eval_result ev;
    VH_CHECK_OK(vh_model_evaluate(m, &d, 4, &ev));
    int tot = 0, diag = 0;
    for (int i = 0; i < 4; i++) tot += ev.confusion[i];
    diag = ev.confusion[0] + ev.confusion[3];
    VH_CHECK_INT_EQ(tot, 10);
    VH_CHECK_NEAR(ev.accuracy, diag / 10.0, 1e-12);
    VH_CHECK_INT_EQ(ev.support[0], 5);
    VH_CHECK_INT_EQ(ev.support[1], 5);
    for (int c = 0; c < 2; c++) {
        double pr = ev.precision[c], rc = ev.recall[c];
        VH_CHECK_NEAR(ev.f1[c], pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0, 1e-12);
    }
    vh_eval_result_free(&ev);
    vh_model_free(m);
    vh_dataset_free(&d);
}


/* ---- trainer ---- */

static vh_train_params small_params(void) {
    vh_train_params p = vh_train_default_params();
    p.epochs = 6;
    p.batch = 16;
    p.lr = 0.02f;
    p.weight_decay = 0;
    p.patience = 0;
    p.seed = 42;
    p.warmup_epochs = 0.5f;
    return p;
}

VH_TEST(train_separable) {
    static const char *labels[2] = {"horizontal", "vertical"};
    vh_dataset tr, va;
    make_stripes(&tr, 96, 12, 1);
    make_stripes(&va, 32, 12, 2);
    vh_model *m = NULL;
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 42, &m));
    if (!m) return;
    vh_train_params p = small_params();
    vh_train_result res;
    VH_CHECK_OK(vh_train(m, &tr, &va, &p, &res));
    VH_CHECK_INT_EQ(res.epochs_done, 6);
    VH_CHECK(res.best_val_acc >= 0.96);
    VH_CHECK(res.best_epoch >= 1 && res.best_epoch <= 6);
    vh_eval_result ev;
    VH_CHECK_OK(vh_model_evaluate(m, &va, 32, &ev));
    VH_CHECK_NEAR(ev.accuracy, res.best_val_acc, 1e-12); /* the best weights are in the model */
    vh_eval_result_free(&ev);
    VH_CHECK(m->provenance && strstr(m->provenance, "\"seed\":\"42\"") != NULL);
    vh_model_free(m);
    vh_dataset_free(&tr);
    vh_dataset_free(&va);
}

VH_TEST(train_resume_bit_identical) {
    static const char *labels[2] = {"horizontal", "vertical"};
    vh_dataset tr, va;
    make_stripes(&tr, 64, 12, 5);
    make_stripes(&va, 16, 12, 6);
    char ck[512];
    mkpath(ck, sizeof ck, "resume.ckpt");
    vh_model *a = NULL, *b = NULL;
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 9, &a));
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 9, &b));
    if (!a || !b) return;
    vh_train_params p = small_params();
    p.epochs = 4;
    p.aug = vh_augment_default_params();
    p.aug.enabled = 1;
    vh_train_result ra, rb;
    VH_CHECK_OK(vh_train(a, &tr, &va, &p, &ra));
    /* the same run interrupted after 2 epochs and resumed from its checkpoint */
    p.checkpoint = ck;
    p.stop_after = 2;
    VH_CHECK_OK(vh_train(b, &tr, &va, &p, &rb));
    VH_CHECK_INT_EQ(rb.epochs_done, 2);
    vh_model_free(b);
    b = NULL;
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 777, &b)); /* other init: all comes from the checkpoint */
    p.stop_after = 0;
    p.resume = ck;
    VH_CHECK_OK(vh_train(b, &tr, &va, &p, &rb));
    VH_CHECK_INT_EQ(rb.epochs_done, 4);
    VH_CHECK_INT_EQ(rb.best_epoch, ra.best_epoch);
    int same = 1;
    for (int i = 0; i < vh_nn_param_count(a->g); i++) {
        const vh_nn_param *pa = vh_nn_param_get(a->g, i), *pb = vh_nn_param_find(b->g, pa->name);
        same &= pb && memcmp(pa->t->data, pb->t->data, pa->t->size * sizeof(float)) == 0;
    }
    VH_CHECK(same);
    /* a checkpoint with another seed is refused */
    p.seed = 43;
    VH_CHECK_INT_EQ(vh_train(b, &tr, &va, &p, &rb), VH_EINVAL);
    VH_CHECK(strstr(vh_last_error(), "seed") != NULL);
    vh_model_free(a);
    vh_model_free(b);
    vh_dataset_free(&tr);
    vh_dataset_free(&va);
}

/* keep_last: validation is measured but neither selects weights nor stops the
 * run; the weights are those of the same run without validation (bit for bit). */
VH_TEST(train_keep_last) {
    static const char *labels[2] = {"horizontal", "vertical"};
    vh_dataset tr, va;
    make_stripes(&tr, 64, 12, 7);
    make_stripes(&va, 16, 12, 8);
    vh_model *a = NULL, *b = NULL;
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 11, &a));
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 11, &b));
    if (!a || !b) return;
    vh_train_params p = small_params();
    p.epochs = 5;
    p.patience = 1; /* would stop early without keep_last */
    p.lr = 0.2f;    /* noisy enough that the last epoch need not be the best */
    p.keep_last = 1;
    vh_train_result ra, rb;
    VH_CHECK_OK(vh_train(a, &tr, &va, &p, &ra));
    VH_CHECK_INT_EQ(ra.epochs_done, 5);
    VH_CHECK(!ra.early_stopped);
    VH_CHECK(a->provenance && strstr(a->provenance, "\"kept\":\"last epoch\"") != NULL);
    VH_CHECK_OK(vh_train(b, &tr, NULL, &p, &rb));
    int same = 1;
    for (int i = 0; i < vh_nn_param_count(a->g); i++) {
        const vh_nn_param *pa = vh_nn_param_get(a->g, i), *pb = vh_nn_param_find(b->g, pa->name);
        same &= pb && memcmp(pa->t->data, pb->t->data, pa->t->size * sizeof(float)) == 0;
    }
    VH_CHECK(same);
    vh_model_free(a);
    vh_model_free(b);
    vh_dataset_free(&tr);
    vh_dataset_free(&va);
}

VH_TEST(train_nan_stops) {
    static const char *labels[2] = {"horizontal", "vertical"};
    vh_dataset tr;
    make_stripes(&tr, 32, 12, 5);
    char ck[512];
    mkpath(ck, sizeof ck, "nan.ckpt");
    write_text(ck, "previous checkpoint");
    vh_model *m = NULL;
    VH_CHECK_OK(vh_model_new("tiny", NULL, labels, 2, 12, 12, 9, &m));
    if (!m) return;
    m->std = 1e-45f; /* inputs overflow to ±inf → non-finite loss (BN cannot rescue inf) */
    vh_train_params p = small_params();
    p.checkpoint = ck;
    vh_train_result res;
    VH_CHECK_INT_EQ(vh_train(m, &tr, NULL, &p, &res), VH_ENUMERIC);
    VH_CHECK(strstr(vh_last_error(), "epoch 1, batch 1") != NULL);
    VH_CHECK(strstr(vh_last_error(), "not finite") != NULL);
    char *text = NULL;
    size_t len = 0;
    VH_CHECK_OK(vh_file_read_all(ck, 0, &text, &len));
    VH_CHECK_STR_EQ(text, "previous checkpoint");
    vh_free(text);
    vh_model_free(m);
    vh_dataset_free(&tr);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vh_nn_model_XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    VH_RUN(st_round_trip);
    VH_RUN(st_dtypes_convert);
    VH_RUN(st_rejects_bad_files);
    VH_RUN(dataset_folder);
    VH_RUN(dataset_ferplus);
    VH_RUN(dataset_fer2013_csv);
    VH_RUN(dataset_split_and_batch);
    VH_RUN(arch_build);
    VH_RUN(model_save_load);
    VH_RUN(model_evaluate_metrics);
    VH_RUN(train_separable);
    VH_RUN(train_resume_bit_identical);
    VH_RUN(train_keep_last);
    VH_RUN(train_nan_stops);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    return vh_test_summary();
}
