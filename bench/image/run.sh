#!/usr/bin/env bash
# Bilinear and area resize of a 1920x1080 RGB frame to 640x360, single thread:
# verhm (built here at -O2 from src/image + src/core) vs cv2.resize
# (python3-opencv). Usage: bench/image/run.sh [REPS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -DNDEBUG -Iinclude -Isrc bench/image/bench_resize.c src/image/*.c src/core/*.c \
   $(pkg-config --cflags --libs libpng libjpeg) -lpthread -lm -o "$work/bench_resize"
VERHM_THREADS=1 "$work/bench_resize" "$work" "$reps" > "$work/verhm.txt"
/usr/bin/python3 bench/image/bench_cv2.py "$work" "$reps" > "$work/cv2.txt"
echo "1920x1080 RGB -> 640x360, single thread, median of $reps runs ($(uname -m), $(nproc) cores)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %10s %10s %10s %10s %8s %8s %9s %11s\n' mode verhm_med opencv_med verhm_min opencv_min ratio_med \
  ratio_min max_diff identical_%
# both programs print the modes in the same order: name median min [diff identical]
paste -d' ' "$work/verhm.txt" "$work/cv2.txt" | while read -r name vm vmin _ om omin diff same; do
  awk -v n="$name" -v vm="$vm" -v om="$om" -v vn="$vmin" -v on="$omin" -v d="$diff" -v s="$same" \
    'BEGIN { printf "%-9s %10.3f %10.3f %10.3f %10.3f %8.2f %8.2f %9d %11.3f\n", n, vm, om, vn, on, vm / om, vn / on, d, s }'
done
echo "(times in ms; ratio = verhm / OpenCV, lower is better for verhm)"
