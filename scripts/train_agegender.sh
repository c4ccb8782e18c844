#!/usr/bin/env bash
# Retrains the shipped age-gender model (models/age-gender.safetensors).
# usage: scripts/train_agegender.sh [OUT]   (VERHM=path/to/verhm, VERHM_DATA=corpora)
set -euo pipefail
export VERHM_THREADS=${VERHM_THREADS:-2} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
here=$(cd "$(dirname "$0")/.." && pwd)
VERHM=${VERHM:-$here/build/verhm}
DATA=${VERHM_DATA:-$here/../shared/data}
OUT=${1:-$here/models/age-gender.safetensors}
# Starts from the shipped facial-emotion model's convolutions (FER+ faces); keeps the last epoch.
exec "$VERHM" train-agegender "$DATA/faces/utkface" --out "$OUT" --from "$here/models/fer-emotion.safetensors" \
  --epochs 36 --keep last --seed 1
