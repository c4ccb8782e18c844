/* Data tests for nn_model.h: the FER+ loader on the real valid split, and the
 * shipped model (models/fer-emotion.safetensors) evaluated on it. */
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include "vh_test.h"

static const char *data;

VH_TEST(ferplus_valid_loads) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/faces/ferplus/valid", data);
    vh_dataset d;
    VH_CHECK_OK(vh_dataset_load(dir, 48, &d));
    /* 3,579 rows; a few dozen have a majority of unknown/NF and are dropped */
    VH_CHECK_INT_EQ((long)d.n + (long)d.skipped, 3579);
    VH_CHECK(d.n > 3400);
    VH_CHECK_INT_EQ(d.num_classes, 8);
    VH_CHECK(d.w == 48 && d.h == 48 && d.soft != NULL);
    int counts[8] = {0};
    for (int i = 0; i < d.n; i++) counts[d.label[i]]++;
    VH_CHECK(counts[0] > counts[6] && counts[1] > counts[7]); /* neutral/happiness dominate, contempt rare */
    for (int i = 0; i < d.n && d.soft; i += 97) {
        double s = 0;
        for (int c = 0; c < 8; c++) s += d.soft[(size_t)i * 8 + (size_t)c];
        VH_CHECK_NEAR(s, 1.0, 1e-5);
    }
    vh_dataset_free(&d);
}

VH_TEST(shipped_model_accuracy) {
    const char *path = vh_test_src("models/fer-emotion.safetensors");
    vh_model *m = NULL;
    VH_CHECK_OK(vh_model_load(path, &m));
    if (!m) return;
    VH_CHECK_STR_EQ(m->arch, "fer-fast");
    VH_CHECK_INT_EQ(m->num_classes, 8);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/faces/ferplus/valid", data);
    vh_dataset d;
    VH_CHECK_OK(vh_dataset_load(dir, m->in_w, &d));
    VH_CHECK_OK(vh_dataset_remap(&d, (const char *const *)m->labels, m->num_classes));
    vh_eval_result ev;
    VH_CHECK_OK(vh_model_evaluate(m, &d, 64, &ev));
    /* the model card reports the measured value; this guards against regressions */
    VH_CHECK(ev.accuracy >= 0.70);
    printf("shipped model: FER+ valid accuracy %.4f on %d images\n", ev.accuracy, ev.n);
    vh_eval_result_free(&ev);
    vh_dataset_free(&d);
    vh_model_free(m);
}

int main(void) {
    data = vh_test_require_data();
    VH_RUN(ferplus_valid_loads);
    VH_RUN(shipped_model_accuracy);
    return vh_test_summary();
}
