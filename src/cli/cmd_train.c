/* verhm train: train an image emotion model from a folder, FER+ folder or FER-2013 CSV. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/nn.h"
#include "verhm/nn_model.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm train DATA --out MODEL.safetensors [options]\n"
            "\n"
            "Trains a facial-emotion classifier. DATA is a folder of <Label>/ image folders,\n"
            "a FER+ folder (label.csv with crowd votes) or a FER-2013 CSV.\n"
            "\n"
            "  --out FILE          model to write (safetensors, written atomically)\n"
            "  --arch NAME         fer-fast (default), fer-acc or tiny\n"
            "  --width N           channels of the first stage (default 32; tiny 8)\n"
            "  --size N            input side in pixels (default 48)\n"
            "  --epochs N          epochs (default 30)\n"
            "  --batch N           mini-batch size (default 64)\n"
            "  --lr X              peak learning rate (default 0.002; warm-up then cosine)\n"
            "  --wd X              weight decay (default 0.0005)\n"
            "  --optimizer NAME    adamw (default), adam or sgd (Nesterov momentum 0.9)\n"
            "  --val DIR           validation data (selects the best epoch, early stopping)\n"
            "  --val-split F       hold out a stratified fraction F of DATA instead\n"
            "  --patience N        stop after N epochs without validation gain (default 8, 0 off)\n"
            "  --augment           crop/flip/rotate/scale/brightness/contrast/erasing\n"
            "  --checkpoint FILE   checkpoint written every epoch (default MODEL.ckpt)\n"
            "  --resume CKPT       continue from a checkpoint (same data, options and seed)\n"
            "  --from MODEL        fine-tune an existing model's backbone with a new head\n"
            "  --seed S            random seed (default 1); same seed+threads = same model\n"
            "  --threads N         worker threads (default: all cores)\n"
            "  --labels-out FILE   also write the class labels, one per line\n"
            "  --json              print the summary as JSON\n"
            "  --progress          progress bar even when stderr is not a terminal\n");
}

typedef struct prog {
    vh_progress_bar bar;
    int quiet;
} prog;

static int on_progress(const vh_train_status *s, void *user) {
    prog *p = user;
    if (strcmp(s->phase, "train") == 0) {
        char extra[128];
        snprintf(extra, sizeof extra, "epoch %d/%d loss %.3f acc %.1f%% lr %.2g", s->epoch, s->epochs, s->loss,
                 100 * s->acc, s->lr);
        vh_progress_bar_update((uint64_t)s->step, (uint64_t)s->steps_total, "train", extra, &p->bar);
    } else if (!p->quiet) {
        vh_progress_bar_finish(&p->bar);
        p->bar.drawn = 0;
        fprintf(stderr, "verhm: epoch %d/%d: train loss %.4f acc %.2f%%", s->epoch, s->epochs, s->loss, 100 * s->acc);
        if (!isnan(s->val_acc))
            fprintf(stderr, ", val loss %.4f acc %.2f%% (best %.2f%%)", s->val_loss, 100 * s->val_acc,
                    100 * s->best_val_acc);
        fprintf(stderr, ", %.0f s, eta %.0f s\n", s->elapsed, s->eta);
    }
    return 0;
}

int cmd_train(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},       {"arch", required_argument, 0, 'a'},
        {"width", required_argument, 0, 'W'},     {"size", required_argument, 0, 'S'},
        {"epochs", required_argument, 0, 'e'},    {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'l'},        {"wd", required_argument, 0, 'w'},
        {"optimizer", required_argument, 0, 'O'}, {"val", required_argument, 0, 'v'},
        {"val-split", required_argument, 0, 'V'}, {"patience", required_argument, 0, 'P'},
        {"augment", no_argument, 0, 'A'},         {"checkpoint", required_argument, 0, 'c'},
        {"resume", required_argument, 0, 'r'},    {"from", required_argument, 0, 'f'},
        {"seed", required_argument, 0, 's'},      {"threads", required_argument, 0, 't'},
        {"labels-out", required_argument, 0, 'L'}, {"json", no_argument, 0, 'j'},
        {"progress", no_argument, 0, 'p'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *out = NULL, *arch = "fer-fast", *val_dir = NULL, *ckpt = NULL, *resume = NULL, *from = NULL,
               *labels_out = NULL;
    double val_split = 0, d;
    int width = 0, size = 48, threads = 0, json = 0, c;
    vh_train_params tp = vh_train_default_params();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'a': arch = optarg; break;
        case 'W': if (vh_cli_parse_int("train", "--width", optarg, 4, 256, &width)) return 2; break;
        case 'S': if (vh_cli_parse_int("train", "--size", optarg, 16, 512, &size)) return 2; break;
        case 'e': if (vh_cli_parse_int("train", "--epochs", optarg, 1, 100000, &tp.epochs)) return 2; break;
        case 'b': if (vh_cli_parse_int("train", "--batch", optarg, 2, 4096, &tp.batch)) return 2; break;
        case 'l': if (vh_cli_parse_double("train", "--lr", optarg, 1e-8, 10, &d)) return 2; tp.lr = (float)d; break;
        case 'w': if (vh_cli_parse_double("train", "--wd", optarg, 0, 1, &d)) return 2; tp.weight_decay = (float)d; break;
        case 'O':
            if (!strcmp(optarg, "adamw")) tp.optimizer = VH_TRAIN_ADAMW;
            else if (!strcmp(optarg, "adam")) tp.optimizer = VH_TRAIN_ADAM;
            else if (!strcmp(optarg, "sgd")) tp.optimizer = VH_TRAIN_SGD;
            else return vh_cli_usage_error("train", "unknown optimizer '%s' (adamw, adam, sgd)", optarg);
            break;
        case 'v': val_dir = optarg; break;
        case 'V': if (vh_cli_parse_double("train", "--val-split", optarg, 0.001, 0.9, &val_split)) return 2; break;
        case 'P': if (vh_cli_parse_int("train", "--patience", optarg, 0, 100000, &tp.patience)) return 2; break;
        case 'A': tp.aug.enabled = 1; break;
        case 'c': ckpt = optarg; break;
        case 'r': resume = optarg; break;
        case 'f': from = optarg; break;
        case 's': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-') return vh_cli_usage_error("train", "--seed expects a non-negative integer, got '%s'", optarg);
            tp.seed = v;
            break;
        }
        case 't': if (vh_cli_parse_int("train", "--threads", optarg, 1, 256, &threads)) return 2; break;
        case 'L': labels_out = optarg; break;
        case 'j': json = 1; break;
        case 'p': break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("train", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return vh_cli_usage_error("train", "expected one DATA argument");
    if (!out) return vh_cli_usage_error("train", "--out MODEL.safetensors is required");
    if (val_dir && val_split > 0) return vh_cli_usage_error("train", "use either --val or --val-split");
    int known = 0;
    for (const char *const *n = vh_arch_names(); *n; n++) known |= !strcmp(*n, arch);
    if (!known) return vh_cli_fail(arch, "unknown architecture (known: fer-fast, fer-acc, tiny)");
    if (threads) vh_threads_set(threads);
    const char *data = argv[optind];

    char ckbuf[4096];
    if (!ckpt) {
        snprintf(ckbuf, sizeof ckbuf, "%s.ckpt", out);
        ckpt = ckbuf;
    }
    vh_model *base = NULL, *m = NULL;
    vh_dataset all = {0}, tr = {0}, va = {0};
    int rc = VH_EXIT_INPUT, r;
    if (from) {
        r = vh_model_load(from, &base);
        if (r) { vh_cli_fail_status(r); goto done; }
        size = base->in_w;
        arch = base->arch;
    }
    r = vh_dataset_load(data, size, &all);
    if (r) { vh_cli_fail_status(r); goto done; }
    if (all.skipped && !vh_cli.quiet)
        fprintf(stderr, "verhm: %s: %zu inputs skipped (unreadable, or no majority emotion)\n", data, all.skipped);
    if (val_dir) {
        r = vh_dataset_load(val_dir, size, &va);
        if (!r) r = vh_dataset_remap(&va, (const char *const *)all.labels, all.num_classes);
        if (r) { vh_cli_fail_status(r); goto done; }
        tr = all;
        memset(&all, 0, sizeof all);
    } else if (val_split > 0) {
        r = vh_dataset_split(&all, val_split, tp.seed, &tr, &va);
        if (r) { vh_cli_fail_status(r); goto done; }
        vh_dataset_free(&all);
    } else {
        tr = all;
        memset(&all, 0, sizeof all);
    }
    if (tr.num_classes < 2) { vh_cli_fail(data, "needs at least 2 classes, found %d", tr.num_classes); goto done; }
    vh_arch_params ap = base ? base->ap : vh_arch_default_params(arch);
    if (width && !base) ap.width = width;
    r = vh_model_new(arch, &ap, (const char *const *)tr.labels, tr.num_classes, size, size, tp.seed, &m);
    if (r) { vh_cli_fail_status(r); goto done; }
    if (base) vh_cli_copy_backbone(m, base, from);
    tp.checkpoint = ckpt;
    tp.resume = resume;
    prog pg;
    vh_cli_progress_init(&pg.bar);
    pg.quiet = vh_cli.quiet;
    tp.progress = on_progress;
    tp.user = &pg;
    vh_train_result res;
    r = vh_train(m, &tr, va.n ? &va : NULL, &tp, &res);
    vh_progress_bar_finish(&pg.bar);
    if (r) { vh_cli_fail_status(r); goto done; }
    r = vh_model_save(m, out, 1);
    if (r) { vh_cli_fail_status(r); goto done; }
    if (labels_out) {
        vh_atomic_file f;
        r = vh_atomic_open(&f, labels_out, 1);
        if (!r) {
            for (int i = 0; i < m->num_classes; i++) fprintf(f.fp, "%s\n", m->labels[i]);
            r = vh_atomic_commit(&f);
        }
        if (r) { vh_cli_fail(labels_out, "cannot write labels (%s)", vh_strerror(r)); goto done; }
    }
    if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "model"); vh_jw_string(&w, out);
        vh_jw_key(&w, "arch"); vh_jw_string(&w, m->arch);
        vh_jw_key(&w, "params"); vh_jw_int(&w, (long long)vh_nn_param_scalars(m->g));
        vh_jw_key(&w, "train_examples"); vh_jw_int(&w, tr.n);
        vh_jw_key(&w, "val_examples"); vh_jw_int(&w, va.n);
        vh_jw_key(&w, "epochs"); vh_jw_int(&w, res.epochs_done);
        vh_jw_key(&w, "best_epoch"); vh_jw_int(&w, res.best_epoch);
        vh_jw_key(&w, "val_accuracy"); vh_jw_number(&w, res.best_val_acc);
        vh_jw_key(&w, "train_loss"); vh_jw_number(&w, res.last_train_loss);
        vh_jw_key(&w, "train_accuracy"); vh_jw_number(&w, res.last_train_acc);
        vh_jw_key(&w, "early_stopped"); vh_jw_bool(&w, res.early_stopped);
        vh_jw_key(&w, "seconds"); vh_jw_number(&w, res.seconds);
        vh_jw_key(&w, "labels");
        vh_jw_array_begin(&w);
        for (int i = 0; i < m->num_classes; i++) vh_jw_string(&w, m->labels[i]);
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s: %s, %d epochs, %d train / %d val examples", out, m->arch, res.epochs_done, tr.n, va.n);
        if (va.n) printf(", best epoch %d, val accuracy %.2f%%", res.best_epoch, 100 * res.best_val_acc);
        printf(", %.0f s\n", res.seconds);
    }
    rc = 0;
done:
    vh_model_free(m);
    vh_model_free(base);
    vh_dataset_free(&all);
    vh_dataset_free(&tr);
    vh_dataset_free(&va);
    return rc;
}
