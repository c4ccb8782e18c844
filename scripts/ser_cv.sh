#!/usr/bin/env bash
# Speaker-independent 5-fold cross-validation of the speech-emotion recipe.
# RAVDESS actors 1-20 in 5 folds of 4 consecutive actors (1-4, 5-8, ..., 17-20:
# two male, odd numbers, and two female, even numbers, in each). Each fold trains
# `verhm train-voice` on the other 16 actors with --select last (fixed epoch
# count, nothing chosen on the fold's actors) and reports UA/WA on the 4 unseen
# ones; the summary is the mean (and spread) of the fold UAs plus the pooled
# confusion over all 1,200 files (scripts/ser_cv_summary.py).
# Usage: scripts/ser_cv.sh VERHM OUTDIR [train-voice options...]
#   e.g. scripts/ser_cv.sh build/verhm cv-base --width 12 --hidden 64 --epochs 40
# Resumable: a fold whose OUTDIR/foldK.json exists is skipped, a half-done fold
# resumes from its checkpoint. FOLDS="1 3" runs a subset. Training threads follow
# VERHM_THREADS. Writes OUTDIR/foldK.{safetensors,json,log} and OUTDIR/cv.json.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 VERHM OUTDIR [train-voice options...]" >&2; exit 2; }
VERHM=$1
OUT=$2
shift 2
DATA=${VERHM_DATA:-../shared/data}/speech/ravdess
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
ACTORS=("1,2,3,4" "5,6,7,8" "9,10,11,12" "13,14,15,16" "17,18,19,20")
for k in ${FOLDS:-1 2 3 4 5}; do
  [ -s "$OUT/fold$k.json" ] && continue
  echo "ser_cv: fold $k (validation actors ${ACTORS[k-1]})" >&2
  "$VERHM" train-voice "$DATA" --out "$OUT/fold$k.safetensors" --checkpoint "$OUT/fold$k.ckpt" --resume \
      --val-actors "${ACTORS[k-1]}" --select last --seed 1 --json "$@" > "$OUT/fold$k.json.tmp" 2> "$OUT/fold$k.log"
  mv "$OUT/fold$k.json.tmp" "$OUT/fold$k.json"
  rm -f "$OUT/fold$k.ckpt"
done
python3 "$HERE/ser_cv_summary.py" "$OUT"/fold*.json > "$OUT/cv.json"
cat "$OUT/cv.json"
