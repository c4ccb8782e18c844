#!/usr/bin/env bash
# Reproduces models/lipsync.safetensors: the recipe chosen by leave-one-clip-out
# cross-validation (scripts/lipsync_cv.sh; see models/LIPSYNC_MODEL_CARD.md),
# trained on all five FaceGood clips, then its metrics on the training clips.
#   scripts/train_lipsync.sh [BUILD_DIR] [OUT]     train the shipped model
#   scripts/train_lipsync.sh --cv BUILD_DIR DIR    5-fold CV of the same recipe
# Runs single-threaded at nice 5 (VERHM_THREADS overrides).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RECIPE=(--steps 3000 --batch 16 --seq 90 --hidden 128 --conv 256 --lr 0.002 --seed 1
        --norm cmn --past 20 --ahead 10 --dropout 0.3 --augment)
if [ "${1:-}" = --cv ]; then
    [ $# -eq 3 ] || { echo "usage: $0 --cv BUILD_DIR OUT_DIR" >&2; exit 2; }
    exec "$root/scripts/lipsync_cv.sh" "$2" "$3" "${RECIPE[@]}"
fi
build=${1:-$root/build}; out=${2:-$root/models/lipsync.safetensors}
data=${VERHM_DATA:-$root/../shared/data}/lipsync/facegood
export VERHM_THREADS=${VERHM_THREADS:-1} OPENBLAS_NUM_THREADS=1
start=$(date +%s)
nice -n 5 "$build/verhm" train-lipsync "$data" --out "$out" --force "${RECIPE[@]}"
echo "trained in $(($(date +%s) - start)) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
# Metrics on the (seen) training clips: a fit check, not a generalisation
# estimate (that is the CV).
(cd "$root" && "$build/verhm" eval "$out" "$data")
