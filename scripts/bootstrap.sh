#!/usr/bin/env bash
# Installs the Debian packages verhm needs, only those missing (idempotent).
#   scripts/bootstrap.sh           build + test + demo dependencies
#   scripts/bootstrap.sh --bench   also the peers the benchmarks compare against
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config clang libclang-rt-14-dev
  libopenblas-dev libdnnl-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavdevice-dev
  libpng-dev libjpeg-dev libxml2-dev libsqlite3-dev libsqlcipher-dev
  libpocketsphinx-dev pocketsphinx-en-us
  opencv-data libdlib-data)
# Tools the tests and the demo use: speech with known text, audio checks,
# media inspection, and a browser to check the HTML report renders.
TOOL_PKGS=(ffmpeg espeak-ng sox python3 chromium)
BENCH_PKGS=(python3-opencv python3-numpy python3-torch python3-scipy libdlib-dev blender hyperfine festival festvox-kallpc16k bc time)

want=("${BUILD_PKGS[@]}" "${TOOL_PKGS[@]}")
[ "${1:-}" = "--bench" ] && want+=("${BENCH_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
