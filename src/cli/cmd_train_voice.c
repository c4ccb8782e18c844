/* verhm train-voice: the speech-emotion model (log-mel CRNN) from RAVDESS or a
 * <Label>/ folder, with a speaker-independent validation split. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/ser.h"
#include "verhm/nn_model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm train-voice DATA --out MODEL.safetensors [options]\n"
            "       verhm train-voice --merge M1,M2[,...] --out ENSEMBLE.safetensors\n"
            "\n"
            "Trains the speech-emotion model (log-mel -> 4 conv stages -> BiGRU -> attention\n"
            "pooling -> classes) on DATA: RAVDESS file names (03-01-EE-II-SS-RR-AA.wav|flac,\n"
            "speaker-independent split by actor) or a generic <Label>/*.wav|flac|mp3 folder.\n"
            "The best model by validation UA (mean per-class recall) is written to --out\n"
            "after every improvement (atomically); with --select last, the last epoch's.\n"
            "\n"
            "  --out FILE          model to write\n"
            "  --val-actors LIST   RAVDESS actors held out for validation (default 17,18,19,20)\n"
            "  --val DIR           separate validation folder (same layout as DATA)\n"
            "  --val-split F       generic folders without --val: share per class held out\n"
            "                      (default 0.2; NOT speaker-independent)\n"
            "  --epochs N          epochs (default 60)\n"
            "  --batch N           mini-batch (default 32)\n"
            "  --lr X              peak learning rate, AdamW + cosine (default 0.002)\n"
            "  --patience N        early stopping on validation UA (default 15)\n"
            "  --seed S            random seed (default 1)\n"
            "  --checkpoint FILE   per-epoch checkpoint (default MODEL.ckpt)\n"
            "  --resume            continue from the checkpoint if it exists\n"
            "  --no-augment        no noise/gain/speed/SpecAugment\n"
            "  --width N           channels of the first conv stage (default 8; x2, x4, x6 after)\n"
            "  --hidden N          GRU hidden size per direction (default 48)\n"
            "  --select best|last  keep the epoch with the best validation UA (default, with\n"
            "                      early stopping) or the last epoch (nothing is chosen on\n"
            "                      the validation actors: their UA is an unbiased estimate)\n"
            "  --mixup A           mix every example with another of its batch, weight\n"
            "                      ~ Beta(A, A) (default 0: off; 0.4 is typical)\n"
            "  --cmn               remove each utterance's per-band mean (speaker/channel\n"
            "                      normalisation) before the global scaling\n"
            "  --merge LIST        no training: write the ensemble of these trained models\n"
            "                      (same architecture, trained on the same files; class\n"
            "                      probabilities are averaged) to --out\n"
            "  --json              print the summary as JSON\n");
}

static int on_epoch(const vh_ser_epoch_status *s, void *user) {
    (void)user;
    if (!vh_cli.quiet)
        fprintf(stderr, "verhm: epoch %d/%d: loss %.4f train acc %.1f%% val UA %.1f%% WA %.1f%% (best %.1f%% @%d) lr %.2g %.0f s%s\n",
                s->epoch, s->epochs, s->train_loss, 100 * s->train_acc, 100 * s->val_ua, 100 * s->val_wa, 100 * s->best_ua,
                s->best_epoch, s->lr, s->seconds, s->improved ? " *" : "");
    return 0;
}

static int on_progress(size_t done, size_t total, const char *what, void *user) {
    vh_progress_bar *bar = user;
    vh_progress_bar_update(done, total, what, NULL, bar);
    return 0;
}

static int parse_actors(const char *s, int *out, int *n) {
    *n = 0;
    const char *p = s;
    while (*p) {
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 99 || *n >= 64) return -1;
        out[(*n)++] = (int)v;
        p = end;
        if (*p == ',') p++;
        else if (*p) return -1;
    }
    return *n > 0 ? 0 : -1;
}

/* --merge: loads the comma-separated models and writes their ensemble. */
static int merge_models(const char *list, const char *out, int json) {
    vh_ser *ms[VH_SER_MAX_MEMBERS];
    int n = 0, rc = 0;
    char *copy = strdup(list);
    if (!copy) return vh_cli_fail("train-voice", "out of memory");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        if (n == VH_SER_MAX_MEMBERS) {
            rc = vh_cli_usage_error("train-voice", "--merge: at most %d models", VH_SER_MAX_MEMBERS);
            break;
        }
        int st = vh_ser_load(tok, &ms[n]);
        if (st) rc = vh_cli_fail_status(st);
        else if (vh_ser_member_count(ms[n++]) != 1) rc = vh_cli_fail(tok, "is already an ensemble");
    }
    if (!rc && n < 2) rc = vh_cli_usage_error("train-voice", "--merge: expected at least two models");
    vh_ser *e = NULL;
    if (!rc) {
        int st = vh_ser_ensemble(ms, n, &e);
        /* provenance: the members' own provenance objects, in order */
        char prov[16384];
        size_t o = (size_t)snprintf(prov, sizeof prov, "{\"tool\":\"verhm train-voice --merge\",\"version\":\"%s\",\"members\":[",
                                    vh_version());
        char *save2 = NULL;
        strcpy(copy, list);
        int i = 0;
        for (char *tok = strtok_r(copy, ",", &save2); tok && o < sizeof prov; tok = strtok_r(NULL, ",", &save2), i++) {
            vh_safetensors *sf = NULL;
            const char *mp = NULL;
            if (!vh_st_open(tok, &sf)) mp = vh_st_meta(sf, "provenance");
            o += (size_t)snprintf(prov + o, sizeof prov - o, "%s%s", i ? "," : "", mp && mp[0] == '{' ? mp : "null");
            vh_st_free(sf);
        }
        if (o + 3 < sizeof prov) snprintf(prov + o, sizeof prov - o, "]}");
        else snprintf(prov, sizeof prov, "{\"tool\":\"verhm train-voice --merge\",\"version\":\"%s\",\"members\":%d}", vh_version(), n);
        if (!st) st = vh_ser_save(e, out, prov, 1);
        if (st) rc = vh_cli_fail_status(st);
    }
    if (!rc) {
        if (json) {
            vh_buf b = {0};
            vh_json_writer w;
            vh_jw_init(&w, &b, 1);
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "model");
            vh_jw_string(&w, out);
            vh_jw_key(&w, "members");
            vh_jw_int(&w, n);
            vh_jw_key(&w, "parameters");
            vh_jw_int(&w, (long long)vh_ser_param_count(e));
            vh_jw_object_end(&w);
            vh_cli_print_json(&b);
            vh_buf_free(&b);
        } else {
            printf("%s: ensemble of %d models, %zu parameters\n", out, n, vh_ser_param_count(e));
        }
    }
    vh_ser_free(e);
    for (int i = 0; i < n; i++) vh_ser_free(ms[i]);
    free(copy);
    return rc;
}

static int *labels_of(const vh_ser_dataset *d) {
    int *l = malloc((d->n ? d->n : 1) * sizeof *l);
    if (l) memcpy(l, d->label, d->n * sizeof *l);
    return l;
}

int cmd_train_voice(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},        {"val-actors", required_argument, 0, 'A'},
        {"val", required_argument, 0, 'v'},        {"val-split", required_argument, 0, 'V'},
        {"epochs", required_argument, 0, 'e'},     {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'l'},         {"patience", required_argument, 0, 'P'},
        {"seed", required_argument, 0, 's'},       {"checkpoint", required_argument, 0, 'c'},
        {"resume", no_argument, 0, 'r'},           {"no-augment", no_argument, 0, 'N'},
        {"width", required_argument, 0, 'W'},      {"hidden", required_argument, 0, 'H'},
        {"json", no_argument, 0, 'j'},             {"help", no_argument, 0, 'h'},
        {"cmn", no_argument, 0, 'C'},             {"select", required_argument, 0, 'S'},
        {"mixup", required_argument, 0, 'X'},     {"merge", required_argument, 0, 'M'},
        {0, 0, 0, 0}};
    const char *cmd = "train-voice", *out = NULL, *val_dir = NULL, *ckpt = NULL, *merge = NULL;
    int actors[64] = {17, 18, 19, 20}, nactors = 4, json = 0, augment = 1, seed = 1, width = 8, hidden = 48, cmn = 0;
    double val_split = 0.2;
    vh_ser_train_params tp = vh_ser_train_default_params();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'A':
            if (parse_actors(optarg, actors, &nactors)) return vh_cli_usage_error(cmd, "--val-actors: expected a list like 17,18,19,20");
            break;
        case 'v': val_dir = optarg; break;
        case 'V': if (vh_cli_parse_double(cmd, "--val-split", optarg, 0.01, 0.9, &val_split)) return VH_EXIT_USAGE; break;
        case 'e': if (vh_cli_parse_int(cmd, "--epochs", optarg, 1, 10000, &tp.epochs)) return VH_EXIT_USAGE; break;
        case 'b': if (vh_cli_parse_int(cmd, "--batch", optarg, 1, 1024, &tp.batch)) return VH_EXIT_USAGE; break;
        case 'l': { double v; if (vh_cli_parse_double(cmd, "--lr", optarg, 1e-7, 10, &v)) return VH_EXIT_USAGE; tp.lr = (float)v; break; }
        case 'P': if (vh_cli_parse_int(cmd, "--patience", optarg, 1, 10000, &tp.patience)) return VH_EXIT_USAGE; break;
        case 's': if (vh_cli_parse_int(cmd, "--seed", optarg, 0, 2147483647, &seed)) return VH_EXIT_USAGE; break;
        case 'c': ckpt = optarg; break;
        case 'r': tp.resume = 1; break;
        case 'N': augment = 0; break;
        case 'W': if (vh_cli_parse_int(cmd, "--width", optarg, 1, 42, &width)) return VH_EXIT_USAGE; break;
        case 'H': if (vh_cli_parse_int(cmd, "--hidden", optarg, 4, 512, &hidden)) return VH_EXIT_USAGE; break;
        case 'j': json = 1; break;
        case 'C': cmn = 1; break;
        case 'M': merge = optarg; break;
        case 'S':
            if (!strcmp(optarg, "last")) tp.select_last = 1;
            else if (!strcmp(optarg, "best")) tp.select_last = 0;
            else return vh_cli_usage_error(cmd, "--select: expected best or last");
            break;
        case 'X': { double v; if (vh_cli_parse_double(cmd, "--mixup", optarg, 0, 10, &v)) return VH_EXIT_USAGE; tp.mixup = (float)v; break; }
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (merge) {
        if (optind != argc) return vh_cli_usage_error(cmd, "--merge takes no DATA folder");
        if (!out) return vh_cli_usage_error(cmd, "--out MODEL is required");
        return merge_models(merge, out, json);
    }
    if (optind + 1 != argc) return vh_cli_usage_error(cmd, "expected one DATA folder");
    if (!out) return vh_cli_usage_error(cmd, "--out MODEL is required");
    const char *data = argv[optind];
    tp.seed = (uint64_t)seed;
    if (!augment) {
        tp.speed = 0;
        tp.noise_p = 0;
        tp.gain_db = 0;
        tp.freq_masks = tp.time_masks = 0;
    }
    char ckpt_buf[4096];
    if (!ckpt) {
        snprintf(ckpt_buf, sizeof ckpt_buf, "%s.ckpt", out);
        ckpt = ckpt_buf;
    }
    tp.checkpoint = ckpt;
    tp.best_path = out;

    vh_ser_dataset all, train, val;
    memset(&train, 0, sizeof train);
    memset(&val, 0, sizeof val);
    int st = vh_ser_dataset_scan(data, &all);
    if (st) return vh_cli_fail_status(st);
    const char *split = "speakers";
    if (val_dir) {
        st = vh_ser_dataset_scan(val_dir, &val);
        if (!st && (val.n_classes != all.n_classes || memcmp(val.labels, all.labels, sizeof val.labels))) {
            vh_ser_dataset_free(&all);
            vh_ser_dataset_free(&val);
            return vh_cli_fail(val_dir, "labels differ from the training folder's");
        }
        train = all;
        memset(&all, 0, sizeof all);
        split = "folder";
    } else if (all.speaker[0] >= 0) {
        st = vh_ser_dataset_split_speakers(&all, actors, nactors, &train, &val);
    } else {
        st = vh_ser_dataset_split_random(&all, val_split, (uint64_t)seed, &train, &val);
        split = "random (not speaker-independent)";
        if (!vh_cli.quiet) fprintf(stderr, "verhm: train-voice: warning: %s has no speaker information; validation is a random %.0f%% per class\n", data, 100 * val_split);
    }
    vh_ser_dataset_free(&all);
    if (st) {
        vh_ser_dataset_free(&train);
        vh_ser_dataset_free(&val);
        return vh_cli_fail_status(st);
    }
    vh_ser_config cfg = vh_ser_default_config();
    cfg.n_classes = train.n_classes;
    memcpy(cfg.labels, train.labels, sizeof cfg.labels);
    cfg.channels[0] = width;
    cfg.channels[1] = 2 * width;
    cfg.channels[2] = 4 * width;
    cfg.channels[3] = 6 * width;
    cfg.rnn_hidden = hidden;
    cfg.cmn = cmn;
    vh_ser *m = NULL;
    vh_ser_features ftr, fva;
    memset(&ftr, 0, sizeof ftr);
    memset(&fva, 0, sizeof fva);
    int *ltr = NULL, *lva = NULL;
    vh_progress_bar bar;
    vh_cli_progress_init(&bar);
    st = vh_ser_new(&cfg, (uint64_t)seed, &m);
    double t0 = vh_now();
    if (!st) st = vh_ser_features_compute(&cfg, &train, tp.speed, on_progress, &bar, &ftr);
    if (!st) st = vh_ser_features_compute(&cfg, &val, 0, on_progress, &bar, &fva);
    vh_progress_bar_finish(&bar);
    double tfeat = vh_now() - t0;
    if (!st) {
        ltr = labels_of(&train);
        lva = labels_of(&val);
        if (!ltr || !lva) st = VH_ENOMEM;
    }
    char prov[1024];
    {
        char acts[256] = "";
        size_t o = 0;
        for (int i = 0; i < nactors && o + 4 < sizeof acts; i++) o += (size_t)snprintf(acts + o, sizeof acts - o, "%s%d", i ? "," : "", actors[i]);
        snprintf(prov, sizeof prov,
                 "{\"tool\":\"verhm train-voice\",\"version\":\"%s\",\"data\":\"%s\",\"split\":\"%s\",\"val_actors\":\"%s\","
                 "\"train_files\":%zu,\"val_files\":%zu,\"epochs\":%d,\"batch\":%d,\"lr\":%g,\"seed\":%d,\"augment\":%d,"
                 "\"width\":%d,\"hidden\":%d,\"cmn\":%d,\"mixup\":%g,\"select\":\"%s\"}",
                 vh_version(), vh_path_base(data), split, strcmp(split, "speakers") ? "" : acts, train.n, val.n, tp.epochs, tp.batch,
                 (double)tp.lr, seed, augment, width, hidden, cmn, (double)tp.mixup, tp.select_last ? "last" : "best");
    }
    tp.provenance = prov;
    if (!st && !vh_cli.quiet)
        fprintf(stderr, "verhm: train-voice: %zu training / %zu validation files (%s split), %zu parameters, features %.0f s\n", train.n,
                val.n, split, vh_ser_param_count(m), tfeat);
    vh_ser_train_result res;
    memset(&res, 0, sizeof res);
    if (!st) st = vh_ser_train(m, &ftr, ltr, &fva, lva, &tp, on_epoch, NULL, &res);
    vh_ser_eval ev;
    memset(&ev, 0, sizeof ev);
    if (!st) st = vh_ser_evaluate_features(m, &fva, lva, &ev);
    if (!st) st = vh_ser_save(m, out, prov, 1);
    int rc = 0;
    if (st) {
        rc = vh_cli_fail_status(st);
    } else if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "model");
        vh_jw_string(&w, out);
        vh_jw_key(&w, "split");
        vh_jw_string(&w, split);
        vh_jw_key(&w, "train_files");
        vh_jw_int(&w, (long long)train.n);
        vh_jw_key(&w, "parameters");
        vh_jw_int(&w, (long long)vh_ser_param_count(m));
        vh_jw_key(&w, "epochs_run");
        vh_jw_int(&w, res.epochs_run);
        vh_jw_key(&w, "best_epoch");
        vh_jw_int(&w, res.best_epoch);
        vh_jw_key(&w, "select");
        vh_jw_string(&w, tp.select_last ? "last" : "best");
        vh_jw_key(&w, "seconds");
        vh_jw_number(&w, res.seconds + tfeat);
        vh_jw_key(&w, "validation");
        vh_jw_object_begin(&w);
        vh_ser_eval_json(&ev, &w);
        vh_jw_object_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("%s: best epoch %d of %d, validation (%zu files, %s split): UA %.1f%%, WA %.1f%%, %.0f s\n", out, res.best_epoch,
               res.epochs_run, val.n, split, 100 * ev.ua, 100 * ev.wa, res.seconds + tfeat);
    }
    free(ltr);
    free(lva);
    vh_ser_features_free(&ftr);
    vh_ser_features_free(&fva);
    vh_ser_free(m);
    vh_ser_dataset_free(&train);
    vh_ser_dataset_free(&val);
    return rc;
}
