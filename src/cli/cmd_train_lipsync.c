/* verhm train-lipsync: trains the audio → ARKit lip-sync model; and the
 * lip-sync back end of `verhm eval` (cmd_eval_lipsync). */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/avatar.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm train_lipsync DIR --out MODEL [options]\n"
            "Trains the learned lip-sync model on DIR: <clip>.flac (speech) + <clip>.csv (frame, then\n"
            "ARKit-named weight columns at 30 fps), e.g. ../shared/data/lipsync/facegood.\n\n"
            "  --out F        model file (safetensors) to write (required)\n"
            "  --holdout C    leave clip C out of training (evaluate on it with verhm eval)\n"
            "  --steps N      optimizer steps (default 3000)\n"
            "  --batch N      sequences per step (default 16)\n"
            "  --seq N        frames per training sequence (default 90)\n"
            "  --hidden N     LSTM width (default 96)\n"
            "  --conv N       temporal-conv width (default 128)\n"
            "  --lr X         peak learning rate (default 0.002)\n"
            "  --seed N       seed (default 1)\n"
            "  --mels N       mel bands 8..80 (default 32)\n"
            "  --past N       input mel frames (10 ms) before each video frame, 0..50 (default 12)\n"
            "  --ahead N      look-ahead mel frames, 0..10 (default 3 = 30 ms)\n"
            "  --norm M       input normalisation: max (dB re the loudest frame) or cmn (minus each\n"
            "                 band's mean over the analysed audio) (default max)\n"
            "  --dropout X    dropout after the conv layer, 0..0.9 (default 0)\n"
            "  --ynorm        standardise each output channel for training (equal weight per channel)\n"
            "  --augment      speaking-rate (x0.9..1.1) and mel-band-mask augmentation\n"
            "  --force        replace MODEL\n\n"
            "Exit status: 0 trained, 1 bad input, 2 usage.\n");
}

static int progress(int step, int total, double loss, void *user) {
    (void)user;
    if (step == 1 || step % 100 == 0 || step == total) {
        if (!vh_cli.quiet) fprintf(stderr, "step %d/%d loss %.5f\n", step, total, loss);
    }
    return 0;
}

int cmd_train_lipsync(int argc, char **argv) {
    vh_lipsync_train_params p = vh_lipsync_train_default_params();
    const char *out = NULL;
    int force = 0;
    double lr = p.lr, dropout = p.dropout;
    int seed = 1;
    static const struct option opts[] = {
        { "out", required_argument, 0, 'o' }, { "holdout", required_argument, 0, 'H' },
        { "steps", required_argument, 0, 's' }, { "batch", required_argument, 0, 'b' },
        { "seq", required_argument, 0, 'q' }, { "hidden", required_argument, 0, 'n' },
        { "conv", required_argument, 0, 'c' }, { "lr", required_argument, 0, 'l' },
        { "seed", required_argument, 0, 'S' }, { "force", no_argument, 0, 'f' },
        { "mels", required_argument, 0, 'M' }, { "past", required_argument, 0, 'P' },
        { "ahead", required_argument, 0, 'A' }, { "norm", required_argument, 0, 'N' },
        { "dropout", required_argument, 0, 'D' }, { "ynorm", no_argument, 0, 'Y' },
        { "augment", no_argument, 0, 'G' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'H': p.holdout = optarg; break;
        case 's': if (vh_cli_parse_int("train_lipsync", "--steps", optarg, 1, 10000000, &p.steps)) return 2; break;
        case 'b': if (vh_cli_parse_int("train_lipsync", "--batch", optarg, 1, 256, &p.batch)) return 2; break;
        case 'q': if (vh_cli_parse_int("train_lipsync", "--seq", optarg, 8, 400, &p.seq)) return 2; break;
        case 'n': if (vh_cli_parse_int("train_lipsync", "--hidden", optarg, 4, 1024, &p.hidden)) return 2; break;
        case 'c': if (vh_cli_parse_int("train_lipsync", "--conv", optarg, 4, 4096, &p.conv)) return 2; break;
        case 'l': if (vh_cli_parse_double("train_lipsync", "--lr", optarg, 1e-6, 1.0, &lr)) return 2; break;
        case 'S': if (vh_cli_parse_int("train_lipsync", "--seed", optarg, 0, 2147483647L, &seed)) return 2; break;
        case 'f': force = 1; break;
        case 'Y': p.ynorm = 1; break;
        case 'G': p.augment = 1; break;
        case 'M': if (vh_cli_parse_int("train_lipsync", "--mels", optarg, 8, 80, &p.mels)) return 2; break;
        case 'P': if (vh_cli_parse_int("train_lipsync", "--past", optarg, 0, 50, &p.past)) return 2; break;
        case 'A': if (vh_cli_parse_int("train_lipsync", "--ahead", optarg, 0, 10, &p.ahead)) return 2; break;
        case 'N':
            if (!strcmp(optarg, "max")) p.norm = 0;
            else if (!strcmp(optarg, "cmn")) p.norm = 1;
            else return vh_cli_usage_error("train_lipsync", "--norm must be max or cmn");
            break;
        case 'D': if (vh_cli_parse_double("train_lipsync", "--dropout", optarg, 0.0, 0.9, &dropout)) return 2; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("train_lipsync", "unknown option");
        }
    }
    if (optind != argc - 1) return vh_cli_usage_error("train_lipsync", "expected one data folder");
    if (!out) return vh_cli_usage_error("train_lipsync", "--out MODEL is required");
    p.lr = (float)lr;
    p.dropout = (float)dropout;
    p.seed = (uint64_t)seed;
    const char *dir = argv[optind];
    if (!vh_is_dir(dir)) return vh_cli_fail(dir, "not a folder");
    if (!force && vh_is_file(out)) return vh_cli_fail(out, "exists (use --force to replace it)");
    int st = vh_lipsync_train(dir, out, &p, force, progress, NULL);
    if (st) return vh_cli_fail_status(st);
    printf("wrote %s\n", out);
    return 0;
}

/* `verhm eval MODEL DIR [--json]` for lip-sync models (metadata format
 * "verhm-lipsync-1"): argv[0] is "eval", then MODEL and DIR. */
int cmd_eval_lipsync(int argc, char **argv) {
    int json = 0;
    const char *pos[2] = { NULL, NULL };
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (argv[i][0] == '-' && argv[i][1]) return vh_cli_usage_error("eval", "unknown option %s for a lip-sync model", argv[i]);
        else if (np < 2) pos[np++] = argv[i];
        else return vh_cli_usage_error("eval", "expected MODEL DIR");
    }
    if (np != 2) return vh_cli_usage_error("eval", "expected MODEL DIR");
    if (!vh_is_dir(pos[1])) return vh_cli_fail(pos[1], "not a folder");
    vh_lipsync *m = NULL;
    int st = vh_lipsync_load(pos[0], &m);
    if (st) return vh_cli_fail_status(st);
    vh_rig *rig = NULL;
    const char *rp = vh_cli_find_resource("assets/face/ict_rig.vhrig");
    if (rp && vh_rig_load(rp, &rig)) rig = NULL;
    vh_lipsync_metrics r;
    st = vh_lipsync_eval(m, rig, pos[1], &r);
    vh_lipsync_free(m);
    vh_rig_free(rig);
    if (st) return vh_cli_fail_status(st);
    if (json) {
        vh_buf b = { 0 };
        vh_json_writer w;
        vh_jw_init(&w, &b, 0);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "clips"); vh_jw_int(&w, r.clips);
        vh_jw_key(&w, "frames"); vh_jw_int(&w, r.frames);
        vh_jw_key(&w, "pearson");
        vh_jw_object_begin(&w);
        for (int c = 0; c < r.channels; c++) {
            vh_jw_key(&w, vh_arkit_names[r.channel[c]]);
            if (isfinite(r.pearson[c])) vh_jw_number(&w, r.pearson[c]); else vh_jw_null(&w);
        }
        vh_jw_object_end(&w);
        vh_jw_key(&w, "mae");
        vh_jw_object_begin(&w);
        for (int c = 0; c < r.channels; c++) { vh_jw_key(&w, vh_arkit_names[r.channel[c]]); vh_jw_number(&w, r.mae[c]); }
        vh_jw_object_end(&w);
        vh_jw_key(&w, "varying_channels"); vh_jw_int(&w, r.varying);
        vh_jw_key(&w, "mean_pearson");
        if (isfinite(r.mean_pearson)) vh_jw_number(&w, r.mean_pearson); else vh_jw_null(&w);
        vh_jw_key(&w, "mean_mae");
        if (isfinite(r.mean_mae)) vh_jw_number(&w, r.mean_mae); else vh_jw_null(&w);
        vh_jw_key(&w, "lve_mm");
        if (isfinite(r.lve_mm)) vh_jw_number(&w, r.lve_mm); else vh_jw_null(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
    } else {
        printf("%d clips, %ld frames\n%-20s %8s %8s\n", r.clips, r.frames, "channel", "pearson", "mae");
        for (int c = 0; c < r.channels; c++) printf("%-20s %8.3f %8.4f\n", vh_arkit_names[r.channel[c]], r.pearson[c], r.mae[c]);
        printf("mean pearson %.3f, mean mae %.4f (over the %d channels whose truth varies; r 0 where the prediction is constant)\n"
               "lip-vertex error %.2f mm\n", r.mean_pearson, r.mean_mae, r.varying, r.lve_mm);
    }
    return 0;
}
