#!/usr/bin/env bash
# Leave-one-clip-out cross-validation of the lip-sync recipe: for every clip of
# the FaceGood folder, trains `verhm train-lipsync` on the other clips with the
# given options, evaluates on the left-out clip (`verhm eval MODEL DIR --json`:
# Pearson r and MAE over the channels whose truth varies in that clip, LVE),
# then prints one line per fold and the mean over folds.
# usage: scripts/lipsync_cv.sh BUILD_DIR OUT_DIR [train-lipsync options...]
#   e.g. scripts/lipsync_cv.sh build-lip /tmp/cv-r1 --norm cmn --ahead 10
# Environment: VERHM_DATA (default ../shared/data), JOBS (folds run at once,
# default 1; each training uses VERHM_THREADS, default 1, at nice 5),
# CV_REUSE=1 keeps fold models already in OUT_DIR (re-evaluates them).
set -euo pipefail
if [ $# -lt 2 ]; then sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd); out=$2; shift 2
data=${VERHM_DATA:-$root/../shared/data}/lipsync/facegood
jobs=${JOBS:-1}
export VERHM_THREADS=${VERHM_THREADS:-1} OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
clips=$(cd "$data" && ls *.csv | sed 's/\.csv$//' | sort)
echo "train-lipsync options: $*" > "$out/options.txt"

fold() {
    local c=$1 t0 t1
    shift
    if [ "${CV_REUSE:-0}" != 1 ] || [ ! -f "$out/$c.safetensors" ]; then
        t0=$(date +%s)
        nice -n 5 "$build/verhm" train-lipsync "$data" --holdout "$c" --out "$out/$c.safetensors" --force "$@" \
            > "$out/$c.train.log" 2>&1
        t1=$(date +%s)
        echo "$((t1 - t0)) s, load $(cut -d' ' -f1-3 /proc/loadavg)" > "$out/$c.time"
    fi
    rm -rf "$out/held_$c"; mkdir "$out/held_$c"
    ln -s "$data/$c.flac" "$data/$c.csv" "$out/held_$c/"
    (cd "$root" && "$build/verhm" eval "$out/$c.safetensors" "$out/held_$c" --json) > "$out/$c.json"
}

running=0
for c in $clips; do
    fold "$c" "$@" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

python3 - "$out" $clips <<'EOF' | tee "$out/summary.txt"
import json, sys
out, clips = sys.argv[1], sys.argv[2:]
print("options:", open(out + "/options.txt").read().split(":", 1)[1].strip() or "(defaults)")
print("%-10s %6s %4s %7s %8s %7s  %s" % ("held out", "frames", "ch", "mean r", "mean MAE", "LVE mm", "training"))
rows, per = [], {}
for c in clips:
    r = json.load(open("%s/%s.json" % (out, c)))
    try: t = open("%s/%s.time" % (out, c)).read().strip()
    except OSError: t = "?"
    rows.append((r["mean_pearson"], r["mean_mae"], r["lve_mm"]))
    print("%-10s %6d %4d %7.3f %8.4f %7.2f  %s" % (c, r["frames"], r["varying_channels"], r["mean_pearson"], r["mean_mae"], r["lve_mm"], t))
    for k, v in r["pearson"].items():
        if v is not None: per.setdefault(k, []).append(v)
n = len(rows)
print("%-10s %6s %4s %7.3f %8.4f %7.2f" % ("mean", "", "", sum(x[0] for x in rows) / n, sum(x[1] for x in rows) / n, sum(x[2] for x in rows) / n))
print("per channel, mean r over the folds where its truth varies:")
for k, v in sorted(per.items(), key=lambda kv: -sum(kv[1]) / len(kv[1])):
    print("  %-20s %6.3f  (%d folds)" % (k, sum(v) / len(v), len(v)))
EOF
