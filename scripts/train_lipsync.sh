#!/usr/bin/env bash
# Reproduces models/lipsync.safetensors: trains on the FaceGood clips with
# 1114_3_15 held out, then prints the held-out metrics (Pearson r per channel,
# MAE, lip-vertex error) with bench/animate/eval_lipsync.c.
# usage: scripts/train_lipsync.sh [BUILD_DIR] [OUT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}; out=${2:-$root/models/lipsync.safetensors}
data=${VERHM_DATA:-$root/../shared/data}/lipsync/facegood
"$build/verhm" train-lipsync "$data" --holdout 1114_3_15 --out "$out" --force \
  --steps 3000 --batch 16 --seq 90 --hidden 96 --conv 128 --lr 0.002 --seed 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/held"; ln -s "$data"/1114_3_15.* "$tmp/held/"
cc -O2 -I"$root/include" "$root/bench/animate/eval_lipsync.c" -o "$tmp/eval" "$build/libverhm.a" \
  $(pkg-config --libs libavformat libavcodec libavutil libswscale libswresample libavdevice openblas sqlcipher libpng libjpeg libxml-2.0 pocketsphinx) \
  -lpthread -lm $(ls /usr/lib/x86_64-linux-gnu/libdnnl.so 2>/dev/null || true)
"$tmp/eval" "$out" "$tmp/held" "$root/assets/face/ict_rig.vhrig"
