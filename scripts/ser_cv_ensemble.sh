#!/usr/bin/env bash
# Cross-validated ensembles: for each fold k of scripts/ser_cv.sh, merges the
# fold-k models of two or more recipe runs (CVDIR/foldK.safetensors, all trained
# without fold k's actors) with `verhm train-voice --merge` and evaluates the
# ensemble with `verhm eval` on fold k's four actors only (so every number is on
# actors none of the members trained on). Summary: scripts/ser_cv_summary.py.
# Usage: scripts/ser_cv_ensemble.sh VERHM OUTDIR CVDIR1 CVDIR2 [CVDIR...]
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 VERHM OUTDIR CVDIR1 CVDIR2 [CVDIR...]" >&2; exit 2; }
VERHM=$1
OUT=$2
shift 2
DATA=$(cd "${VERHM_DATA:-../shared/data}/speech/ravdess" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ACTORS=("1 2 3 4" "5 6 7 8" "9 10 11 12" "13 14 15 16" "17 18 19 20")
for k in ${FOLDS:-1 2 3 4 5}; do
  list=""
  for d in "$@"; do list="$list${list:+,}$d/fold$k.safetensors"; done
  "$VERHM" train-voice --merge "$list" --out "$OUT/fold$k.safetensors" > /dev/null
  rm -rf "$TMP/fold"
  mkdir -p "$TMP/fold"
  for a in ${ACTORS[k-1]}; do ln -s "$DATA/$(printf 'Actor_%02d' "$a")" "$TMP/fold/"; done
  "$VERHM" eval "$OUT/fold$k.safetensors" "$TMP/fold" --json > "$OUT/fold$k.json"
done
python3 "$HERE/ser_cv_summary.py" "$OUT"/fold*.json > "$OUT/cv.json"
cat "$OUT/cv.json"
