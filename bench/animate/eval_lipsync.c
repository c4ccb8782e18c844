/* Held-out lip-sync metrics through the library (the same numbers as
 * `verhm eval MODEL DIR --json`; r of a channel whose truth is constant is
 * printed as -9 and left out of the means):
 *   eval_lipsync MODEL DIR RIG */
#include "verhm/avatar.h"
#include <math.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: eval_lipsync MODEL DIR RIG\n"); return 2; }
    vh_lipsync *m = NULL;
    vh_rig *rig = NULL;
    if (vh_lipsync_load(argv[1], &m) || vh_rig_load(argv[3], &rig)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    vh_lipsync_metrics r;
    if (vh_lipsync_eval(m, rig, argv[2], &r)) { fprintf(stderr, "%s\n", vh_last_error()); return 1; }
    printf("{\"clips\":%d,\"frames\":%ld,\"pearson\":{", r.clips, r.frames);
    for (int c = 0; c < r.channels; c++) printf("%s\"%s\":%.4f", c ? "," : "", vh_arkit_names[r.channel[c]], isfinite(r.pearson[c]) ? r.pearson[c] : -9);
    printf("},\"mae\":{");
    for (int c = 0; c < r.channels; c++) printf("%s\"%s\":%.4f", c ? "," : "", vh_arkit_names[r.channel[c]], r.mae[c]);
    printf("},\"varying_channels\":%d,\"mean_pearson\":%.4f,\"mean_mae\":%.4f,\"lve_mm\":%.3f}\n", r.varying, r.mean_pearson,
           r.mean_mae, r.lve_mm);
    vh_lipsync_free(m);
    vh_rig_free(rig);
    return 0;
}
