#!/usr/bin/env bash
# Landmarks: verhm vs dlib 19.24 (Debian libdlib-dev) on the same images and
# boxes (dlib_examples' *_with_face_landmarks.xml), one thread each.
# usage: bench/landmarks/run.sh [BUILD_DIR] [REPS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}; reps=${2:-200}
data=${VERHM_DATA:-$root/../shared/data}
model=${VERHM_LANDMARKS:-/usr/share/dlib/shape_predictor_68_face_landmarks.dat}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cc -O2 -I"$root/include" "$here/lm_bench.c" -o "$tmp/lm_bench" "$build/libverhm.a" \
   $(pkg-config --cflags --libs libxml-2.0 libpng libjpeg libavformat libavcodec libavutil libswscale libswresample openblas sqlcipher) -lpthread -lm
g++ -O2 "$here/dlib_peer.cpp" -o "$tmp/dlib_peer" $(pkg-config --cflags --libs dlib-1 2>/dev/null || echo -ldlib) -lpthread
"$tmp/lm_bench" prepare "$data" "$tmp/in.bin"
VERHM_THREADS=1 "$tmp/lm_bench" run "$tmp/in.bin" "$reps" "$tmp/ours.txt" | tee "$tmp/ours.log"
OMP_NUM_THREADS=1 "$tmp/dlib_peer" "$model" "$tmp/in.bin" "$reps" "$tmp/dlib.txt" | tee "$tmp/dlib.log"
python3 - "$tmp" <<'PY'
import sys, math, re
d = sys.argv[1]
def pts(p):
    return {(int(a), int(b)): (float(x), float(y)) for a, b, x, y in (l.split() for l in open(p))}
a, b = pts(d + "/ours.txt"), pts(d + "/dlib.txt")
diff = [math.hypot(a[k][0] - b[k][0], a[k][1] - b[k][1]) for k in b]
same = sum(1 for x in diff if x == 0)
us = lambda f: float(re.search(r"([0-9.]+) us/face", open(d + f).read()).group(1))
print(f"points compared: {len(diff)}, mean difference {sum(diff)/len(diff):.4f} px, max {max(diff):.2f} px, identical {100*same/len(diff):.1f}%")
print(f"speed: verhm {us('/ours.log'):.1f} us/face, dlib {us('/dlib.log'):.1f} us/face, ratio {us('/dlib.log')/us('/ours.log'):.2f}x")
PY
