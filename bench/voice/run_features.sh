#!/usr/bin/env bash
# Audio front-end speed on one core: log-mel (80) + MFCC (20) + YIN pitch on
# RAVDESS speech at 16 kHz, verhm (C) vs the same features in NumPy, in the
# same run, as multiples of real time (audio seconds / thread CPU seconds).
# Decoding is excluded from both (C loads with vh_audio_load first; NumPy reads
# float32 files that ffmpeg converted beforehand). librosa is not installable
# here (no PyPI), so NumPy stands in for it.
# Usage: bench/voice/run_features.sh [ACTORS] [REPS]   (default "01 02 03 04", 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
actors=${1:-"01 02 03 04"}
reps=${2:-3}
data=${VERHM_DATA:-../shared/data}
py=python3
$py -c "import numpy" 2>/dev/null || py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -DNDEBUG -Iinclude -Isrc bench/voice/features_bench.c src/dsp/*.c src/media/*.c src/image/*.c src/core/*.c \
   $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale libswresample libavdevice libpng libjpeg) \
   -lpthread -lm -o "$work/features_bench"
files=()
for a in $actors; do files+=("$data"/speech/ravdess/Actor_$a/*.flac); done
mkdir -p "$work/f32"
i=0
for f in "${files[@]}"; do
  i=$((i+1))
  ffmpeg -nostdin -v error -i "$f" -ac 1 -ar 16000 -f f32le "$work/f32/$i.f32"
done
echo "machine: $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); pinned to core 0; numpy $($py -c 'import numpy; print(numpy.__version__)')"
echo "$((${#files[@]})) RAVDESS files (actors $actors), best of $reps passes, thread CPU time"
export VERHM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
taskset -c 0 "$work/features_bench" "$reps" "${files[@]}"
taskset -c 0 $py bench/voice/features_numpy.py "$reps" "$work"/f32/*.f32
