#!/usr/bin/env bash
# Real-time factor of `verhm voice` (decode + VAD + prosody + speech-emotion model,
# model load included, JSON output) on RAVDESS files and on long concatenations,
# with peak memory (streaming keeps it bounded whatever the length).
# RTF = CPU seconds (user+sys of the process) / audio seconds; wall time is also
# printed but depends on what else runs on the machine.
# Usage: bench/voice/run_voice.sh [VERHM] [ACTOR_DIR]
set -euo pipefail
VERHM=${1:-build/verhm}
DIR=${2:-${VERHM_DATA:-../shared/data}/speech/ravdess/Actor_01}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

measure() { # FILE -> prints "cpu wall maxrss_kb"
  /usr/bin/time -f "%U %S %e %M" -o "$T/t" "$VERHM" voice "$1" --json >/dev/null
  awk '{printf "%.3f %.3f %d\n", $1 + $2, $3, $4}' "$T/t"
}
dur() { soxi -D "$1"; }

files=("$DIR"/*.flac)
n=${#files[@]}
cpu=0; wall=0; audio=0
for f in "${files[@]}"; do
  read -r c w m < <(measure "$f")
  cpu=$(echo "$cpu + $c" | bc -l); wall=$(echo "$wall + $w" | bc -l)
  audio=$(echo "$audio + $(dur "$f")" | bc -l)
done
printf "short files: %d RAVDESS files, %.1f s audio, CPU %.2f s, wall %.2f s, RTF (CPU) %.3f, RTF (wall) %.3f\n" \
  "$n" "$audio" "$cpu" "$wall" "$(echo "$cpu / $audio" | bc -l)" "$(echo "$wall / $audio" | bc -l)"

sox "${files[@]}" -r 16000 -c 1 "$T/long1.wav"
sox "$T/long1.wav" "$T/long1.wav" "$T/long1.wav" "$T/long1.wav" "$T/long4.wav"
for f in "$T/long1.wav" "$T/long4.wav"; do
  a=$(dur "$f")
  read -r c w m < <(measure "$f")
  printf "long file: %.1f s audio, CPU %.2f s, wall %.2f s, RTF (CPU) %.3f, peak RSS %.1f MB\n" \
    "$a" "$c" "$w" "$(echo "$c / $a" | bc -l)" "$(echo "$m / 1024" | bc -l)"
done
