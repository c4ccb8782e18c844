#!/usr/bin/env bash
# Trains the shipped facial-emotion model models/fer-emotion.safetensors on FER+
# (train split), selecting the best epoch on FER+ valid. Reproducible: the same
# command, seed and thread count give the same weights (see models/MODEL_CARD.md).
#
# usage: scripts/train_fer.sh [OUT.safetensors]   (env: VERHM=path/to/verhm, VERHM_DATA)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
VERHM=${VERHM:-$here/build/verhm}
DATA=${VERHM_DATA:-$here/../shared/data}
OUT=${1:-$here/models/fer-emotion.safetensors}
# oneDNN's convolutions run on OpenMP threads; passive waiting keeps them from
# spinning against our own pool (docs/bench-nn.md).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
exec "$VERHM" train "$DATA/faces/ferplus/train" --val "$DATA/faces/ferplus/valid" --out "$OUT" \
  --arch fer-fast --epochs 24 --batch 64 --lr 0.002 --wd 0.05 --augment --patience 0 --seed 1 --threads 2
