/* Speech-emotion evaluation on real RAVDESS files (needs ../shared/data):
 * an untrained model gives well-formed metrics; the shipped model, when
 * present, is far above chance on a held-out actor it never saw (19). */
#define _POSIX_C_SOURCE 200809L
#include "verhm/ser.h"
#include "vh_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char actor_dir[1024];

static void check_well_formed(const vh_ser_eval *e) {
    VH_CHECK_INT_EQ((long)e->n, 60);
    VH_CHECK_INT_EQ(e->n_classes, 8);
    long total = 0;
    for (int k = 0; k < 8; k++)
        for (int j = 0; j < 8; j++) total += e->confusion[k][j];
    VH_CHECK_INT_EQ(total, 60);
    VH_CHECK_INT_EQ(e->support[0], 4); /* neutral has no strong intensity */
    for (int k = 1; k < 8; k++) VH_CHECK_INT_EQ(e->support[k], 8);
    VH_CHECK(e->ua >= 0 && e->ua <= 1 && e->wa >= 0 && e->wa <= 1);
    VH_CHECK_STR_EQ(e->labels[7], "surprised");
}

VH_TEST(untrained_eval) {
    vh_ser_dataset d;
    VH_CHECK_OK(vh_ser_dataset_scan(actor_dir, &d));
    VH_CHECK_INT_EQ((long)d.n, 60);
    for (size_t i = 0; i < d.n; i++) VH_CHECK_INT_EQ(d.speaker[i], 19);
    vh_ser_config c = vh_ser_default_config();
    vh_ser *m = NULL;
    VH_CHECK_OK(vh_ser_new(&c, 3, &m));
    vh_ser_eval e;
    VH_CHECK_OK(vh_ser_evaluate(m, &d, NULL, NULL, &e));
    check_well_formed(&e);
    vh_ser_free(m);
    vh_ser_dataset_free(&d);
}

VH_TEST(shipped_model) {
    const char *path = vh_test_src("models/ser.safetensors");
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("note: %s not present, skipping this case\n", path);
        return;
    }
    fclose(f);
    vh_ser *m = NULL;
    VH_CHECK_OK(vh_ser_load(path, &m));
    if (!m) return;
    vh_ser_dataset d;
    VH_CHECK_OK(vh_ser_dataset_scan(actor_dir, &d));
    vh_ser_eval e;
    VH_CHECK_OK(vh_ser_evaluate(m, &d, NULL, NULL, &e));
    check_well_formed(&e);
    /* chance is 12.5%; the model card reports the full held-out numbers */
    VH_CHECK(e.ua > 0.3);
    printf("shipped model on held-out actor 19: UA %.3f WA %.3f\n", e.ua, e.wa);
    vh_ser_free(m);
    vh_ser_dataset_free(&d);
}

int main(void) {
    const char *data = vh_test_require_data();
    snprintf(actor_dir, sizeof actor_dir, "%s/speech/ravdess/Actor_19", data);
    vh_threads_set(2);
    VH_RUN(untrained_eval);
    VH_RUN(shipped_model);
    return vh_test_summary();
}
