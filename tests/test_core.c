/* Core: status text, JSON writer/reader round trips, RNG determinism, thread
 * pool coverage, atomic files, directory listing. */
#include "vh_test.h"
#include "verhm/core.h"
#include <unistd.h>

VH_TEST(strerror_covers_codes) {
    VH_CHECK_STR_EQ(vh_strerror(VH_OK), "success");
    VH_CHECK_STR_EQ(vh_strerror(VH_EFORMAT), "malformed or unsupported file content");
    VH_CHECK_STR_EQ(vh_strerror(12345), "unknown status");
}

VH_TEST(json_writer_nests_and_escapes) {
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "a\"b");
    vh_jw_array_begin(&w);
    vh_jw_int(&w, 1);
    vh_jw_number(&w, 0.5);
    vh_jw_number(&w, NAN);
    vh_jw_string(&w, "x\ny");
    vh_jw_array_end(&w);
    vh_jw_key(&w, "e");
    vh_jw_object_begin(&w);
    vh_jw_object_end(&w);
    vh_jw_key(&w, "t");
    vh_jw_bool(&w, 1);
    vh_jw_object_end(&w);
    VH_CHECK_STR_EQ(b.data, "{\"a\\\"b\":[1,0.5,null,\"x\\ny\"],\"e\":{},\"t\":true}");
    vh_json *v = NULL;
    VH_CHECK_OK(vh_json_parse(b.data, b.len, &v));
    const vh_json *arr = vh_json_get(v, "a\"b");
    VH_CHECK(arr && arr->count == 4);
    VH_CHECK_NEAR(vh_json_at(arr, 1)->number, 0.5, 0);
    VH_CHECK_STR_EQ(vh_json_at(arr, 3)->string, "x\ny");
    VH_CHECK_INT_EQ(vh_json_at(arr, 2)->type, VH_JSON_NULL);
    vh_json_free(v);
    vh_buf_free(&b);
}

VH_TEST(json_reader_rejects_bad_input) {
    const char *bad[] = {"", "{", "[1,]", "{\"a\" 1}", "01", "\"\\ud800\"", "[1] x", "nul", "\"a\x01\"", "1e", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vh_json *v = NULL;
        int st = vh_json_parse(bad[i], strlen(bad[i]), &v);
        if (st != VH_EFORMAT) VH_FAILMSG("accepted '%s'", bad[i]);
        VH_CHECK(v == NULL);
    }
    char deep[600];
    memset(deep, '[', sizeof deep);
    vh_json *v = NULL;
    VH_CHECK_INT_EQ(vh_json_parse(deep, sizeof deep, &v), VH_EFORMAT);
    VH_CHECK(strstr(vh_last_error(), "line 1") != NULL);
}

VH_TEST(json_reader_unicode_and_numbers) {
    const char *t = " {\"s\":\"\\u00e9\\ud83d\\ude00\",\"n\":-1.25e2,\"z\":0,\"f\":false} ";
    vh_json *v = NULL;
    VH_CHECK_OK(vh_json_parse(t, strlen(t), &v));
    VH_CHECK_STR_EQ(vh_json_get_string(v, "s", ""), "\xc3\xa9\xf0\x9f\x98\x80");
    VH_CHECK_NEAR(vh_json_get_number(v, "n", 0), -125.0, 0);
    VH_CHECK_INT_EQ(vh_json_get(v, "f")->type, VH_JSON_BOOL);
    VH_CHECK(vh_json_get(v, "missing") == NULL);
    vh_json_free(v);
}

VH_TEST(rng_is_deterministic) {
    vh_rng a, b;
    vh_rng_seed(&a, 42);
    vh_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++) VH_CHECK(vh_rng_u64(&a) == vh_rng_u64(&b));
    double sum = 0, sq = 0;
    for (int i = 0; i < 20000; i++) { double x = vh_rng_normal(&a); sum += x; sq += x * x; }
    VH_CHECK_NEAR(sum / 20000, 0.0, 0.03);
    VH_CHECK_NEAR(sq / 20000, 1.0, 0.05);
    int hist[7] = {0};
    for (int i = 0; i < 7000; i++) hist[vh_rng_below(&a, 7)]++;
    for (int i = 0; i < 7; i++) VH_CHECK_NEAR(hist[i], 1000, 150);
}

typedef struct { int *hits; int tids_seen[64]; } pf_ctx;
static void pf_body(void *ctx, size_t b, size_t e, int tid) {
    pf_ctx *c = ctx;
    for (size_t i = b; i < e; i++) c->hits[i]++;
    c->tids_seen[tid] = 1;
}

VH_TEST(parallel_for_covers_range_once) {
    vh_threads_set(2);
    int hits[1001] = {0};
    pf_ctx c = {hits, {0}};
    vh_parallel_for(1001, 1, pf_body, &c);
    for (int i = 0; i < 1001; i++) VH_CHECK_INT_EQ(hits[i], 1);
    VH_CHECK(c.tids_seen[0] && c.tids_seen[1]);
    for (int rep = 0; rep < 200; rep++) vh_parallel_for(7, 1, pf_body, &c);
    VH_CHECK_INT_EQ(hits[6], 201);
    VH_CHECK_INT_EQ(hits[7], 1);
}

VH_TEST(atomic_file_leaves_nothing_on_abort) {
    char dir[] = "/tmp/vhcoreXXXXXX";
    VH_CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    vh_atomic_file f;
    VH_CHECK_OK(vh_atomic_open(&f, path, 0));
    fputs("partial", f.fp);
    vh_atomic_abort(&f);
    VH_CHECK(!vh_is_file(path));
    char **list; size_t n;
    VH_CHECK_OK(vh_list_files(dir, 1, NULL, &list, &n));
    VH_CHECK_INT_EQ(n, 0);
    vh_strlist_free(list, n);
    VH_CHECK_OK(vh_atomic_open(&f, path, 0));
    fputs("done", f.fp);
    VH_CHECK_OK(vh_atomic_commit(&f));
    char *data; size_t len;
    VH_CHECK_OK(vh_file_read_all(path, 0, &data, &len));
    VH_CHECK_STR_EQ(data, "done");
    vh_free(data);
    VH_CHECK_INT_EQ(vh_atomic_open(&f, path, 0), VH_EEXIST);
    VH_CHECK_OK(vh_atomic_open(&f, path, 1));
    fputs("again", f.fp);
    VH_CHECK_OK(vh_atomic_commit(&f));
    unlink(path);
    rmdir(dir);
    VH_CHECK_INT_EQ(vh_file_read_all("/nonexistent/x", 0, &data, &len), VH_ENOTFOUND);
    VH_CHECK(strstr(vh_last_error(), "/nonexistent/x") != NULL);
}

VH_TEST(paths) {
    VH_CHECK_STR_EQ(vh_path_ext("a/b.c/d.PNG"), "PNG");
    VH_CHECK_STR_EQ(vh_path_ext("a/b.c/d"), "");
    VH_CHECK_STR_EQ(vh_path_ext(".hidden"), "");
    VH_CHECK_STR_EQ(vh_path_base("a/b/c.txt"), "c.txt");
}

int main(void) {
    VH_RUN(strerror_covers_codes);
    VH_RUN(json_writer_nests_and_escapes);
    VH_RUN(json_reader_rejects_bad_input);
    VH_RUN(json_reader_unicode_and_numbers);
    VH_RUN(rng_is_deterministic);
    VH_RUN(parallel_for_covers_range_once);
    VH_RUN(atomic_file_leaves_nothing_on_abort);
    VH_RUN(paths);
    return vh_test_summary();
}
