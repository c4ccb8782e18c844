#!/usr/bin/env bash
# Runs every benchmark against its peer (OpenCV, dlib, PyTorch, NumPy, FFmpeg,
# Blender where installed) and keeps going when one fails. `make bench` calls it
# after installing the peers (scripts/bootstrap.sh --bench).
# usage: bench/run_all.sh [BUILD_DIR]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
verhm=$build/verhm
failed=()
run() { # name command...
  local name=$1; shift
  echo; echo "==== $name"
  "$@" || failed+=("$name")
}
run image      bash "$root/bench/image/run.sh" 200
run media      bash "$root/bench/media/run.sh" 2
run detect     bash "$root/bench/detect/run.sh" "$build"
run landmarks  bash "$root/bench/landmarks/run.sh" "$build" 100
run nn         bash "$root/bench/nn/run.sh" "$build" 1 10
run train      bash "$root/bench/train/run.sh" "$build"
run recognize  bash "$root/bench/recognize/run.sh" "$verhm" 2
run features   bash "$root/bench/voice/run_features.sh"
run voice      bash "$root/bench/voice/run_voice.sh" "$verhm"
run animate    bash "$root/bench/animate/run.sh" "$verhm"
run monitor    bash "$root/bench/monitor/run.sh" "$verhm" 90
run poi        bash "$root/bench/poi/run.sh" "$verhm"
echo
if [ ${#failed[@]} -gt 0 ]; then echo "benchmarks that failed: ${failed[*]}"; exit 1; fi
echo "all benchmarks ran"
