#!/usr/bin/env bash
# nn engine vs PyTorch 1.13 CPU on the FER CNN (fer-fast, 48×48, batch 64):
# training step, batch-64 inference and single-image latency, same thread count.
# usage: bench/nn/run.sh [BUILD_DIR] [THREADS] [REPS]
# BUILD_DIR must hold libverhm.a, or the object files of vh_core/vh_image/vh_nn
# (a tree where only those targets were built).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}; threads=${2:-2}; reps=${3:-10}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
libs="$(pkg-config --cflags --libs openblas libpng libjpeg) -lpthread -lm"
dnnl=$(ls /usr/lib/x86_64-linux-gnu/libdnnl.so >/dev/null 2>&1 && echo -ldnnl || true)
if [ -f "$build/libverhm.a" ]; then
  objs="$build/libverhm.a $(pkg-config --libs libxml-2.0 libavformat libavcodec libavutil libavdevice libswscale libswresample sqlcipher 2>/dev/null)"
else
  objs=$(ls "$build"/CMakeFiles/vh_core.dir/src/core/*.o "$build"/CMakeFiles/vh_image.dir/src/image/*.o \
            "$build"/CMakeFiles/vh_nn.dir/src/nn/*.o)
fi
cc -O2 -I"$root/include" "$here/bench_nn.c" -o "$tmp/bench_nn" $objs $dnnl $libs
echo "== verhm ($threads threads, default kernels: oneDNN convolutions if OMP waits passively or 1 thread)"; VERHM_THREADS=$threads OMP_NUM_THREADS=$threads "$tmp/bench_nn" "$reps" | tee "$tmp/ours.txt"
echo "== verhm, own kernels only ($threads threads)"; VERHM_THREADS=$threads "$tmp/bench_nn" "$reps" own | tee "$tmp/own.txt"
echo "== PyTorch ($threads threads)"; OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/torch_peer.py" "$threads" "$reps" | tee "$tmp/torch.txt"
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
def rd(f): return {l.split()[0]: float(l.split()[1]) for l in open(d + f) if len(l.split()) == 2}
b = rd("/torch.txt")
for tag, f in (("verhm", "/ours.txt"), ("verhm own kernels", "/own.txt")):
    a = rd(f)
    print("ratio %s/torch (>1: verhm faster):" % tag)
    print("  train step images/s     %.2fx  (%.0f vs %.0f)" % (a["train_ips"] / b["train_ips"], a["train_ips"], b["train_ips"]))
    print("  batch-64 inference      %.2fx  (%.0f vs %.0f images/s)" % (a["infer64_ips"] / b["infer64_ips"], a["infer64_ips"], b["infer64_ips"]))
    print("  single-image latency    %.2fx  (%.3f vs %.3f ms)" % (b["infer1_ms"] / a["infer1_ms"], a["infer1_ms"], b["infer1_ms"]))
PY
