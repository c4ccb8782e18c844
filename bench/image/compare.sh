#!/usr/bin/env bash
# Agreement with OpenCV on random inputs (not timing): resize in all modes and
# affine warp vs python3-opencv, and JPEG/PNG decoding vs cv2.imread on the
# seed corpus plus up to 40 photos from $VERHM_DATA (../shared/data) when present.
# Usage: bench/image/compare.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-600}
seed=${2:-42}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for p in cmp_resize cmp_warp cmp_decode; do
  cc -std=c11 -O2 -Iinclude -Isrc bench/image/$p.c src/image/*.c src/core/*.c \
     $(pkg-config --cflags --libs libpng libjpeg) -lpthread -lm -o "$work/$p"
done
/usr/bin/python3 bench/image/gen_resize_cases.py "$work/resize.bin" "$seed" "$n"
/usr/bin/python3 bench/image/gen_warp_cases.py "$work/warp.bin"
"$work/cmp_resize" "$work/resize.bin"
"$work/cmp_warp" "$work/warp.bin"
data=${VERHM_DATA:-../shared/data}
imgs=(fuzz/corpus/fuzz_image_load/{baseline,progressive,gray}.jpg fuzz/corpus/fuzz_image_load/{palette,gray_alpha,interlaced,rgb16,gray1}.png)
if [ -d "$data/faces" ]; then
  mapfile -t more < <(find "$data/faces/utkface" "$data/faces/dlib_examples" -name '*.jpg' 2>/dev/null | sort | head -40)
  imgs+=("${more[@]}")
fi
mkdir -p "$work/dec"
"$work/cmp_decode" "$work/dec" "${imgs[@]}"
/usr/bin/python3 bench/image/cmp_decode.py "$work/dec" "${imgs[@]}"
