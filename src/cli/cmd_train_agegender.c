/* verhm train-agegender: the age-gender model from a UTKFace-style folder. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/affect.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm train-agegender DIR --out MODEL.safetensors [options]\n"
            "\n"
            "Trains the age-gender model on a UTKFace-style folder (AGE_GENDER_RACE_DATE.jpg):\n"
            "faces are detected, landmarked and aligned like `verhm recognize` does, then one\n"
            "CNN learns the joint distribution over gender x 5-year age bins.\n"
            "\n"
            "  --out FILE        model to write (safetensors, atomically)\n"
            "  --arch NAME       fer-fast (default) or fer-acc\n"
            "  --width N         channels of the first stage (default 32)\n"
            "  --size N          aligned crop side (default 64)\n"
            "  --epochs N        epochs (default 30)\n"
            "  --batch N         mini-batch (default 64)\n"
            "  --lr X            peak learning rate (default 0.002)\n"
            "  --val-split F     held-out share, split by file-name hash (default 0.15)\n"
            "  --patience N      early stopping patience (default 8)\n"
            "  --no-augment      train without augmentation\n"
            "  --from MODEL      start from another model's backbone (e.g. models/fer-emotion.safetensors:\n"
            "                    its architecture and convolution weights; the head is new)\n"
            "  --keep last|best  keep the last epoch (default; no early stopping) or the epoch with\n"
            "                    the best joint validation accuracy (selection on the reported faces)\n"
            "  --seed S          random seed (default 1)\n"
            "  --json            print the summary as JSON\n");
}

static int on_progress(const vh_train_status *s, void *user) {
    vh_progress_bar *bar = user;
    if (strcmp(s->phase, "train") == 0) {
        char extra[96];
        snprintf(extra, sizeof extra, "epoch %d/%d loss %.3f", s->epoch, s->epochs, s->loss);
        vh_progress_bar_update((uint64_t)s->step, (uint64_t)s->steps_total, "train", extra, bar);
    } else {
        vh_progress_bar_finish(bar);
        if (!vh_cli.quiet)
            fprintf(stderr, "verhm: epoch %d/%d: loss %.4f, val joint acc %.2f%% (best %.2f%%), %.0f s\n", s->epoch,
                    s->epochs, s->loss, 100 * s->val_acc, 100 * s->best_val_acc, s->elapsed);
    }
    return 0;
}

int cmd_train_agegender(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},   {"arch", required_argument, 0, 'a'},
        {"width", required_argument, 0, 'W'}, {"size", required_argument, 0, 'S'},
        {"epochs", required_argument, 0, 'e'}, {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'l'},    {"val-split", required_argument, 0, 'V'},
        {"patience", required_argument, 0, 'P'}, {"no-augment", no_argument, 0, 'N'},
        {"seed", required_argument, 0, 's'},  {"json", no_argument, 0, 'j'},
        {"from", required_argument, 0, 'f'},  {"keep", required_argument, 0, 'k'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    const char *out = NULL, *arch = "fer-fast", *cmd = "train-agegender", *from = NULL;
    int width = 32, size = 64, json = 0, augment = 1;
    double val_split = 0.15;
    vh_train_params tp = vh_train_default_params();
    tp.epochs = 30;
    tp.patience = 8;
    tp.keep_last = 1;
    int c, seed = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'a': arch = optarg; break;
        case 'W': if (vh_cli_parse_int(cmd, "--width", optarg, 4, 256, &width)) return VH_EXIT_USAGE; break;
        case 'S': if (vh_cli_parse_int(cmd, "--size", optarg, 16, 256, &size)) return VH_EXIT_USAGE; break;
        case 'e': if (vh_cli_parse_int(cmd, "--epochs", optarg, 1, 1000, &tp.epochs)) return VH_EXIT_USAGE; break;
        case 'b': if (vh_cli_parse_int(cmd, "--batch", optarg, 1, 4096, &tp.batch)) return VH_EXIT_USAGE; break;
        case 'l': { double v; if (vh_cli_parse_double(cmd, "--lr", optarg, 1e-7, 10, &v)) return VH_EXIT_USAGE; tp.lr = (float)v; break; }
        case 'V': if (vh_cli_parse_double(cmd, "--val-split", optarg, 0.01, 0.9, &val_split)) return VH_EXIT_USAGE; break;
        case 'P': if (vh_cli_parse_int(cmd, "--patience", optarg, 0, 1000, &tp.patience)) return VH_EXIT_USAGE; break;
        case 'N': augment = 0; break;
        case 's': if (vh_cli_parse_int(cmd, "--seed", optarg, 0, 2147483647, &seed)) return VH_EXIT_USAGE; break;
        case 'j': json = 1; break;
        case 'f': from = optarg; break;
        case 'k':
            if (strcmp(optarg, "last") == 0) tp.keep_last = 1;
            else if (strcmp(optarg, "best") == 0) tp.keep_last = 0;
            else return vh_cli_usage_error(cmd, "--keep must be 'last' or 'best', not '%s'", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return vh_cli_usage_error(cmd, "expected one DIR");
    if (!out) return vh_cli_usage_error(cmd, "--out is required");
    const char *dir = argv[optind];
    if (!vh_is_dir(dir)) return vh_cli_fail(dir, "not a directory");

    vh_cascade *cas = NULL;
    vh_shape_predictor *sp = NULL;
    vh_model *m = NULL, *base = NULL;
    vh_dataset train = {0}, val = {0};
    float *train_ages = NULL, *val_ages = NULL;
    int rc = VH_EXIT_INPUT, st;
    if ((st = vh_cascade_load(vh_cascade_default_path(), &cas)) ||
        (st = vh_shape_predictor_load(vh_shape_predictor_default_path(), &sp))) {
        vh_cli_fail_status(st);
        goto done;
    }
    if (from) {
        if ((st = vh_model_load(from, &base))) { vh_cli_fail_status(st); goto done; }
        if (base->in_c != 1) { vh_cli_fail(from, "backbone expects %d channels; aligned crops are gray", base->in_c); goto done; }
        arch = base->arch;
    }
    if (!vh_cli.quiet) fprintf(stderr, "verhm: aligning faces in %s...\n", dir);
    if ((st = vh_utkface_load(dir, size, cas, sp, val_split, &train, &val, &train_ages, &val_ages))) {
        vh_cli_fail_status(st);
        goto done;
    }
    if (!vh_cli.quiet)
        fprintf(stderr, "verhm: %d training and %d validation faces (%zu skipped)\n", train.n, val.n, train.skipped);
    if (val.n == 0) { vh_cli_fail(dir, "too few images for a validation split"); goto done; }
    const char *labels[VH_AGEGENDER_CLASSES];
    vh_agegender_labels(labels);
    vh_arch_params ap = base ? base->ap : vh_arch_default_params(arch);
    if (!base) ap.width = width;
    if ((st = vh_model_new(arch, &ap, labels, VH_AGEGENDER_CLASSES, size, size, (uint64_t)seed, &m))) {
        vh_cli_fail_status(st);
        goto done;
    }
    if (base) vh_cli_copy_backbone(m, base, from);
    tp.seed = (uint64_t)seed;
    tp.aug = vh_augment_default_params();
    tp.aug.enabled = augment;
    tp.aug.pad = size / 12;
    vh_progress_bar bar;
    vh_cli_progress_init(&bar);
    tp.progress = on_progress;
    tp.user = &bar;
    vh_train_result res;
    st = vh_train(m, &train, &val, &tp, &res);
    vh_progress_bar_finish(&bar);
    if (st) { vh_cli_fail_status(st); goto done; }
    vh_agegender_eval ev;
    if ((st = vh_agegender_evaluate(m, &val, val_ages, &ev))) { vh_cli_fail_status(st); goto done; }
    vh_buf prov = {0};
    vh_json_writer w;
    vh_jw_init(&w, &prov, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "data"); vh_jw_string(&w, train.source);
    vh_jw_key(&w, "licence"); vh_jw_string(&w, "UTKFace: non-commercial research use only");
    vh_jw_key(&w, "split"); vh_jw_string(&w, "validation = FNV-1a(file name) mod 10000 < val_split*10000");
    vh_jw_key(&w, "val_split"); vh_jw_number(&w, val_split);
    vh_jw_key(&w, "train_faces"); vh_jw_int(&w, train.n);
    vh_jw_key(&w, "val_faces"); vh_jw_int(&w, val.n);
    vh_jw_key(&w, "epochs"); vh_jw_int(&w, res.epochs_done);
    vh_jw_key(&w, "kept"); vh_jw_string(&w, tp.keep_last ? "last epoch" : "best joint validation accuracy");
    if (!tp.keep_last) { vh_jw_key(&w, "best_epoch"); vh_jw_int(&w, res.best_epoch); }
    vh_jw_key(&w, "arch"); vh_jw_string(&w, arch);
    if (from) { vh_jw_key(&w, "backbone_from"); vh_jw_string(&w, from); }
    vh_jw_key(&w, "seed"); vh_jw_int(&w, seed);
    vh_jw_key(&w, "train_seconds"); vh_jw_number(&w, res.seconds);
    vh_jw_key(&w, "metrics");
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "val_age_mae"); vh_jw_number(&w, ev.age_mae);
    vh_jw_key(&w, "val_gender_accuracy"); vh_jw_number(&w, ev.gender_accuracy);
    vh_jw_key(&w, "val_age_group_accuracy"); vh_jw_number(&w, ev.group_accuracy);
    vh_jw_object_end(&w);
    vh_jw_object_end(&w);
    st = prov.failed ? VH_ENOMEM : vh_model_set_provenance(m, prov.data);
    if (!st) st = vh_model_save(m, out, 1);
    if (st) { vh_buf_free(&prov); vh_cli_fail_status(st); goto done; }
    if (json) vh_cli_print_json(&prov);
    else
        printf("wrote %s: validation (%d faces) age MAE %.2f years, gender accuracy %.2f%%, age-group accuracy %.2f%%\n",
               out, ev.n, ev.age_mae, 100 * ev.gender_accuracy, 100 * ev.group_accuracy);
    vh_buf_free(&prov);
    rc = 0;
done:
    vh_model_free(m);
    vh_model_free(base);
    vh_dataset_free(&train);
    vh_dataset_free(&val);
    free(train_ages);
    free(val_ages);
    vh_cascade_free(cas);
    vh_shape_predictor_free(sp);
    return rc;
}
