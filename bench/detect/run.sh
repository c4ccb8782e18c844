#!/usr/bin/env bash
# Face detection: verhm vs OpenCV 4.6 (python3-opencv) on the same gray images
# (dlib_examples photos + one frame of each GRID clip), same cascade
# (haarcascade_frontalface_alt.xml) and parameters, 1 thread and all threads.
# Prints the share of faces matched both ways (IoU >= 0.5), exact matches and
# the time ratios (single thread also by CPU time, which stays meaningful on a
# busy machine; wall time for all threads).
# usage: bench/detect/run.sh [BUILD_DIR] [REPS] [SCALE] [NEIGHBORS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}; reps=${2:-5}; scale=${3:-1.1}; neighbors=${4:-3}
data=${VERHM_DATA:-$root/../shared/data}
cascade=${VERHM_CASCADE:-/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt.xml}
py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Link only what the detector needs (core, image, face objects of the build tree).
libs=$(find "$build/CMakeFiles/vh_core.dir" "$build/CMakeFiles/vh_image.dir" "$build/CMakeFiles/vh_face.dir" -name '*.o')
cc -O2 -I"$root/include" "$here/detect_bench.c" -o "$tmp/detect_bench" $libs \
   $(pkg-config --libs libxml-2.0 libpng libjpeg) -lpthread -lm
mkdir -p "$tmp/img"
$py "$here/cv_detect.py" prepare "$data" "$tmp/img" "$tmp/list.txt"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; params scale=$scale neighbors=$neighbors"
"$tmp/detect_bench" "$cascade" "$tmp/list.txt" "$reps" "$tmp/ours.txt" "$scale" "$neighbors" | tee "$tmp/ours.log"
$py "$here/cv_detect.py" run "$cascade" "$tmp/list.txt" "$reps" "$tmp/cv.txt" "$scale" "$neighbors" | tee "$tmp/cv.log"
$py - "$tmp" <<'PY'
import sys, re, collections
d = sys.argv[1]
def boxes(p):
    m = collections.defaultdict(list)
    for l in open(p):
        f, *b = l.split()
        m[f].append(tuple(map(int, b)))
    return m
def iou(a, b):
    ix = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]); iy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0: return 0.0
    i = ix * iy
    return i / (a[2] * a[3] + b[2] * b[3] - i)
ours, cv = boxes(d + "/ours.txt"), boxes(d + "/cv.txt")
files = set(ours) | set(cv)
def matched(x, y):
    return sum(1 for f in files for a in x[f] if any(iou(a, b) >= 0.5 for b in y[f]))
n_o, n_c = sum(map(len, ours.values())), sum(map(len, cv.values()))
exact = sum(1 for f in files for a in cv[f] if a in ours[f])
print(f"faces: verhm {n_o}, opencv {n_c}; opencv faces found by verhm {matched(cv, ours)}/{n_c} "
      f"({100 * matched(cv, ours) / max(n_c, 1):.1f}%), verhm faces found by opencv {matched(ours, cv)}/{n_o} "
      f"({100 * matched(ours, cv) / max(n_o, 1):.1f}%), identical boxes {exact}/{n_c}")
def t(f, threads, kind):
    for l in open(d + f):
        m = re.search(r"threads=(\d+): ([0-9.]+) ms wall, ([0-9.]+) ms cpu", l)
        if m and (m.group(1) == "1") == (threads == 1):
            return float(m.group(2 if kind == "wall" else 3))
a, b = t("/ours.log", 1, "cpu"), t("/cv.log", 1, "cpu")
print(f"speed, 1 thread (CPU time): verhm {a:.1f} ms, opencv {b:.1f} ms per pass -> verhm is {b / a:.2f}x OpenCV's speed")
a, b = t("/ours.log", 1, "wall"), t("/cv.log", 1, "wall")
print(f"speed, 1 thread (wall): verhm {a:.1f} ms, opencv {b:.1f} ms per pass -> verhm is {b / a:.2f}x OpenCV's speed")
a, b = t("/ours.log", 0, "wall"), t("/cv.log", 0, "wall")
print(f"speed, all threads (wall): verhm {a:.1f} ms, opencv {b:.1f} ms per pass -> verhm is {b / a:.2f}x OpenCV's speed")
PY
