#!/usr/bin/env bash
# End-to-end face analysis speed: `verhm recognize --stats` (decode, detect,
# landmarks, pose, emotion, age/gender, and encode with --annotate) on the GRID
# clips and on a 640×480 single-face clip made from one of them.
# usage: bench/recognize/run.sh [path/to/verhm] [THREADS]
# (RECOGNIZE_ARGS adds options, e.g. other --model/--agegender files)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
verhm=${1:-$root/build/verhm}; threads=${2:-2}
data=${VERHM_DATA:-$root/../shared/data}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export VERHM_THREADS=$threads
echo "machine: $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), VERHM_THREADS=$threads"
run() { # name file [extra args]
  local name=$1 file=$2; shift 2
  local out
  out=$("$verhm" recognize "$file" --stats --force ${RECOGNIZE_ARGS:-} "$@" 2>&1 >/dev/null) || { echo "$name: FAILED: $out"; return; }
  echo "$out" | grep ' fps' | sed "s|^verhm: |$name: |"
}
for clip in "$data"/video/grid/*.mpg; do
  run "$(basename "$clip")" "$clip"
done
ffmpeg -v error -y -i "$data/video/grid/bbaf2n.mpg" -vf "scale=600:480,pad=640:480:20:0" \
  -c:v libx264 -preset veryfast -crf 18 -c:a aac "$tmp/face640.mp4"
run "640x480 (bbaf2n upscaled)" "$tmp/face640.mp4"
run "640x480 + --annotate" "$tmp/face640.mp4" --annotate "$tmp/annotated.mp4"
