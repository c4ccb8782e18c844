#!/usr/bin/env bash
# verhm animate benchmark: 10 s of speech (espeak-ng) → 512×768 MP4 at 30 fps.
# Prints the total real-time factor (audio seconds / wall seconds, goal >= 3),
# our time per frame, and Blender 3.4 (Debian blender, Workbench, headless)
# rendering the same mesh (exported by --glb) at the same size per frame (goal:
# ours >= 10x faster). Our per-frame cost is (full run - run without video) /
# frames, so it includes H.264 encoding: an upper bound on rendering alone.
# usage: bench/animate/run.sh [VERHM] [BLENDER_FRAMES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
verhm=${1:-$root/build/verhm}; bframes=${2:-10}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
espeak-ng -w "$tmp/raw.wav" "Good morning. Today I would like to tell you about my week. \
On Monday I went for a long walk by the river, and on Tuesday I met my sister for lunch. \
The weather was cold but the sun was shining, and we talked about our plans for the summer." 2>/dev/null
sox "$tmp/raw.wav" "$tmp/speech.wav" pad 0 10 trim 0 10
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
# Wall time is what the goal is about; CPU time (user+sys) is reported too because
# wall time on a shared, loaded machine says little. "cpu RTF" = audio / (CPU / cores).
cores=$(nproc)
run() { /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$verhm" animate "$tmp/speech.wav" "$@" >/dev/null; cat "$tmp/time"; }
for ss in 2 1; do
  read -r wall user sys < <(run --out "$tmp/face$ss.mp4" --emotion happy --supersample "$ss")
  frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$tmp/face$ss.mp4")
  printf 'verhm animate --supersample %d: 10.0 s of speech, %d frames 512x768: wall %.2f s -> real-time factor %.2fx; CPU %.2f s -> cpu RTF on %d cores %.2fx\n' \
    "$ss" "$frames" "$wall" "$(echo "10 / $wall" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$cores" "$(echo "10 * $cores / ($user + $sys)" | bc -l)"
  eval "wall$ss=$wall cpu$ss=$(echo "$user + $sys" | bc -l)"
done
read -r nwall nuser nsys < <(run --no-video --glb "$tmp/face.glb" --emotion happy)
ncpu=$(echo "$nuser + $nsys" | bc -l)
ours=$(echo "($wall2 - $nwall) / $frames" | bc -l)
ourscpu=$(echo "($cpu2 - $ncpu) / $frames" | bc -l)
printf 'verhm (supersample 2): %.1f ms wall, %.1f ms CPU per frame (render + encode; the run without video: wall %.2f s, CPU %.2f s)\n' \
  "$(echo "$ours * 1000" | bc -l)" "$(echo "$ourscpu * 1000" | bc -l)" "$nwall" "$ncpu"
if command -v blender >/dev/null; then
  out=$(blender -b --factory-startup --python "$here/blender_render.py" -- "$tmp/face.glb" "$bframes" "$tmp" 2>/dev/null | grep '^{')
  echo "blender: $out"
  bl=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["per_frame_s"])')
  blc=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["per_frame_cpu_s"])')
  printf 'Blender Workbench %.1f ms wall, %.1f ms CPU per frame; verhm is %.1fx faster by wall time, %.1fx by CPU time\n' \
    "$(echo "$bl * 1000" | bc -l)" "$(echo "$blc * 1000" | bc -l)" "$(echo "$bl / $ours" | bc -l)" "$(echo "$blc / $ourscpu" | bc -l)"
else
  echo "blender: not installed (apt-get install --no-install-recommends blender)"
fi
