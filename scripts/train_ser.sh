#!/usr/bin/env bash
# Trains models/ser.safetensors, the speech-emotion model, exactly as shipped.
# Data: RAVDESS actors 1-20 (../shared/data/speech/ravdess, 16 kHz FLAC); actors
# 17-20 (two male, two female) are the held-out validation speakers, never trained on.
# Usage: scripts/train_ser.sh [VERHM_BINARY] [OUT]   (log on stderr; resumable)
set -euo pipefail
VERHM=${1:-build/verhm}
OUT=${2:-models/ser.safetensors}
DATA=${VERHM_DATA:-../shared/data}/speech/ravdess
exec "$VERHM" train-voice "$DATA" --out "$OUT" --checkpoint "$OUT.ckpt" --resume \
    --val-actors 17,18,19,20 --width 12 --hidden 64 --epochs 80 --patience 25 \
    --batch 32 --lr 0.002 --seed 1 --json
