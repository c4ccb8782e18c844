#!/usr/bin/env bash
# Agreement with OpenCV on random inputs (not timing): resize in all modes and
# affine warp vs python3-opencv. Usage: bench/image/compare.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-600}
seed=${2:-42}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for p in cmp_resize cmp_warp; do
  cc -std=c11 -O2 -Iinclude -Isrc bench/image/$p.c src/image/*.c src/core/*.c \
     $(pkg-config --cflags --libs libpng libjpeg) -lpthread -lm -o "$work/$p"
done
/usr/bin/python3 bench/image/gen_resize_cases.py "$work/resize.bin" "$seed" "$n"
/usr/bin/python3 bench/image/gen_warp_cases.py "$work/warp.bin"
"$work/cmp_resize" "$work/resize.bin"
"$work/cmp_warp" "$work/warp.bin"
