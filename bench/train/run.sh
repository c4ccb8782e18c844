#!/usr/bin/env bash
# End-to-end training throughput and single-face latency: verhm (vh_train with
# augmentation, fer-fast, AdamW) vs PyTorch 1.13 CPU (same network, optimizer,
# batch, input and thread count), in one run, with both ratios.
# usage: bench/train/run.sh [BUILD_DIR] [THREADS] [IMAGES] [EPOCHS] [BATCH] [REPS]
# BUILD_DIR holds the object files of vh_core/vh_image/vh_nn (e.g. a tree where
# `cmake --build B --target vh_nn` ran) or libverhm.a.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}; threads=${2:-1}; n=${3:-2048}; epochs=${4:-1}; batch=${5:-64}; reps=${6:-200}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
libs="$(pkg-config --libs openblas libpng libjpeg) -lpthread -lm"
if [ -f "$build/libverhm.a" ]; then
  objs="$build/libverhm.a $(pkg-config --libs libxml-2.0 libavformat libavcodec libavutil libswscale libswresample sqlcipher 2>/dev/null)"
else
  objs=$(find "$build/CMakeFiles/vh_core.dir" "$build/CMakeFiles/vh_image.dir" "$build/CMakeFiles/vh_nn.dir" -name '*.o')
fi
dnnl=$(ls /usr/lib/x86_64-linux-gnu/libdnnl.so 2>/dev/null >/dev/null && echo -ldnnl || true)
cc -std=c11 -O2 -I"$root/include" "$here/bench_train.c" -o "$tmp/bench_train" $objs $dnnl $libs
echo "fer-fast, 48x48 gray, batch $batch, $n images x $epochs epoch(s), $threads thread(s), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
VERHM_THREADS=$threads "$tmp/bench_train" fer-fast "$n" "$epochs" "$batch" "$reps" | tee "$tmp/ours.txt" | sed 's/^/verhm   /'
OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/torch_peer.py" fer-fast "$n" "$epochs" "$batch" "$reps" "$threads" \
  | tee "$tmp/torch.txt" | sed 's/^/pytorch /'
/usr/bin/python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
rd = lambda f: {l.split()[0]: float(l.split()[1]) for l in open(d + f)}
a, b = rd("/ours.txt"), rd("/torch.txt")
print("training images/s       verhm %.1f  pytorch %.1f  ratio verhm/pytorch %.2f" % (a["train_ips"], b["train_ips"], a["train_ips"] / b["train_ips"]))
print("single-face latency ms  verhm %.3f  pytorch %.3f  ratio pytorch/verhm %.2f (>1: verhm faster)" % (a["latency_ms"], b["latency_ms"], b["latency_ms"] / a["latency_ms"]))
PY
