/* verhm eval: accuracy, per-class precision/recall/F1 and confusion matrix of a model on a dataset. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/nn_model.h"
#include "verhm/affect.h"
#include "verhm/ser.h"
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm eval MODEL DATA [--json] [--threads N]\n"
            "\n"
            "Evaluates MODEL (.safetensors from 'verhm train') on DATA: a folder of <Label>/\n"
            "image folders, a FER+ folder (label.csv; majority vote as the true class) or a\n"
            "FER-2013 CSV. The data's class names must be among the model's labels.\n"
            "Prints accuracy, mean cross-entropy, per-class precision/recall/F1/support and\n"
            "the confusion matrix (rows = true class, columns = predicted).\n");
}

/* Model kinds with their own `eval` back ends, told apart by the model file's
 * metadata: speech emotion (cmd_voice.c), lip-sync (cmd_train_lipsync.c),
 * age-gender (eval_agegender.c, after loading). */
int cmd_eval_ser(int argc, char **argv);
int cmd_eval_lipsync(int argc, char **argv);

static const char *first_operand(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads")) { i++; continue; }
        if (argv[i][0] != '-') return argv[i];
    }
    return NULL;
}

int cmd_eval(int argc, char **argv) {
    const char *model_path = first_operand(argc, argv);
    if (model_path && vh_is_file(model_path)) {
        if (vh_ser_is_model_file(model_path)) return cmd_eval_ser(argc, argv);
        vh_safetensors *st = NULL;
        if (vh_st_open(model_path, &st) == VH_OK) {
            const char *fmt = vh_st_meta(st, "format");
            int lipsync = fmt && !strcmp(fmt, "verhm-lipsync-1");
            vh_st_free(st);
            if (lipsync) return cmd_eval_lipsync(argc, argv);
        }
    }
    static const struct option opts[] = {{"json", no_argument, 0, 'j'}, {"threads", required_argument, 0, 't'},
                                         {"progress", no_argument, 0, 'p'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int json = 0, threads = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 't': if (vh_cli_parse_int("eval", "--threads", optarg, 1, 256, &threads)) return 2; break;
        case 'p': break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("eval", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 2) return vh_cli_usage_error("eval", "expected MODEL and DATA");
    if (threads) vh_threads_set(threads);
    vh_model *m = NULL;
    vh_dataset d = {0};
    vh_eval_result ev = {0};
    int r = vh_model_load(argv[optind], &m);
    if (!r && vh_agegender_check(m) == VH_OK) {
        r = vh_cli_eval_agegender(m, argv[optind], argv[optind + 1], json);
        vh_model_free(m);
        return r;
    }
    if (!r) r = vh_dataset_load(argv[optind + 1], m->in_w, &d);
    if (!r) r = vh_dataset_remap(&d, (const char *const *)m->labels, m->num_classes);
    if (!r) r = vh_model_evaluate(m, &d, 64, &ev);
    if (r) {
        vh_model_free(m);
        vh_dataset_free(&d);
        return vh_cli_fail_status(r);
    }
    int k = m->num_classes;
    if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "model"); vh_jw_string(&w, argv[optind]);
        vh_jw_key(&w, "data"); vh_jw_string(&w, argv[optind + 1]);
        vh_jw_key(&w, "n"); vh_jw_int(&w, ev.n);
        vh_jw_key(&w, "skipped"); vh_jw_int(&w, (long long)d.skipped);
        vh_jw_key(&w, "accuracy"); vh_jw_number(&w, ev.accuracy);
        vh_jw_key(&w, "loss"); vh_jw_number(&w, ev.loss);
        vh_jw_key(&w, "labels");
        vh_jw_array_begin(&w);
        for (int i = 0; i < k; i++) vh_jw_string(&w, m->labels[i]);
        vh_jw_array_end(&w);
        vh_jw_key(&w, "per_class");
        vh_jw_object_begin(&w);
        for (int i = 0; i < k; i++) {
            vh_jw_key(&w, m->labels[i]);
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "precision"); vh_jw_number(&w, ev.precision[i]);
            vh_jw_key(&w, "recall"); vh_jw_number(&w, ev.recall[i]);
            vh_jw_key(&w, "f1"); vh_jw_number(&w, ev.f1[i]);
            vh_jw_key(&w, "support"); vh_jw_int(&w, ev.support[i]);
            vh_jw_object_end(&w);
        }
        vh_jw_object_end(&w);
        vh_jw_key(&w, "confusion");
        vh_jw_array_begin(&w);
        for (int i = 0; i < k; i++) {
            vh_jw_array_begin(&w);
            for (int j = 0; j < k; j++) vh_jw_int(&w, ev.confusion[i * k + j]);
            vh_jw_array_end(&w);
        }
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s on %s: %d examples, accuracy %.2f%%, loss %.4f\n\n", argv[optind], argv[optind + 1], ev.n,
               100 * ev.accuracy, ev.loss);
        printf("%-12s %9s %9s %9s %8s\n", "class", "precision", "recall", "f1", "support");
        for (int i = 0; i < k; i++)
            printf("%-12.12s %9.4f %9.4f %9.4f %8d\n", m->labels[i], ev.precision[i], ev.recall[i], ev.f1[i],
                   ev.support[i]);
        printf("\nconfusion (rows true, columns predicted):\n%-12s", "");
        for (int j = 0; j < k; j++) printf(" %6.6s", m->labels[j]);
        printf("\n");
        for (int i = 0; i < k; i++) {
            printf("%-12.12s", m->labels[i]);
            for (int j = 0; j < k; j++) printf(" %6d", ev.confusion[i * k + j]);
            printf("\n");
        }
    }
    vh_eval_result_free(&ev);
    vh_model_free(m);
    vh_dataset_free(&d);
    return 0;
}
