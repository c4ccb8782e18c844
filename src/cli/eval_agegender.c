/* `verhm eval` for age-gender models: age MAE, gender accuracy, age-group
 * accuracy on a UTKFace-style folder (called by cmd_eval when the model's
 * labels are the joint gender × age-bin set). */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/affect.h"
#include "verhm/nn_model.h"
#include <stdlib.h>

int vh_cli_eval_agegender(vh_model *m, const char *model_path, const char *dir, int json) {
    if (!vh_is_dir(dir)) return vh_cli_fail(dir, "not a directory (a UTKFace-style folder of AGE_GENDER_RACE_DATE.jpg)");
    vh_cascade *cas = NULL;
    vh_shape_predictor *sp = NULL;
    vh_dataset d = {0};
    float *ages = NULL;
    int rc = VH_EXIT_INPUT, st;
    if ((st = vh_cascade_load(vh_cascade_default_path(), &cas)) ||
        (st = vh_shape_predictor_load(vh_shape_predictor_default_path(), &sp)) ||
        (st = vh_utkface_load(dir, m->in_w, cas, sp, 0, &d, NULL, &ages, NULL))) {
        vh_cli_fail_status(st);
        goto done;
    }
    vh_agegender_eval ev;
    if ((st = vh_agegender_evaluate(m, &d, ages, &ev))) { vh_cli_fail_status(st); goto done; }
    if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "model"); vh_jw_string(&w, model_path);
        vh_jw_key(&w, "data"); vh_jw_string(&w, dir);
        vh_jw_key(&w, "n"); vh_jw_int(&w, ev.n);
        vh_jw_key(&w, "skipped"); vh_jw_int(&w, (long long)d.skipped);
        vh_jw_key(&w, "age_mae"); vh_jw_number(&w, ev.age_mae);
        vh_jw_key(&w, "gender_accuracy"); vh_jw_number(&w, ev.gender_accuracy);
        vh_jw_key(&w, "age_group_accuracy"); vh_jw_number(&w, ev.group_accuracy);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s on %s: %d faces, age MAE %.2f years, gender accuracy %.2f%%, age-group accuracy %.2f%%\n", model_path,
               dir, ev.n, ev.age_mae, 100 * ev.gender_accuracy, 100 * ev.group_accuracy);
    }
    rc = 0;
done:
    vh_dataset_free(&d);
    free(ages);
    vh_cascade_free(cas);
    vh_shape_predictor_free(sp);
    return rc;
}
