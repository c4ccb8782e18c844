#!/usr/bin/env bash
# Retrains the shipped age-gender model (models/age-gender.safetensors).
# usage: scripts/train_agegender.sh [OUT]   (VERHM=path/to/verhm, VERHM_DATA=corpora)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
VERHM=${VERHM:-$here/build/verhm}
DATA=${VERHM_DATA:-$here/../shared/data}
OUT=${1:-$here/models/age-gender.safetensors}
exec "$VERHM" train-agegender "$DATA/faces/utkface" --out "$OUT" --epochs 24 --patience 8 --width 32 --seed 1
