#!/usr/bin/env bash
# One-time conversion of the demo input: a GRID corpus clip (CC BY 4.0) turned
# into H.264 + AAC MP4 under assets/demo/ (see assets/demo/ATTRIBUTION.md).
# The demo never reads ../shared at run time; rerun this only to regenerate.
#   bash scripts/make_demo_assets.sh            (uses $VERHM_DATA or ../shared/data)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${VERHM_DATA:-$ROOT/../shared/data}
SRC="$DATA/video/grid/bbaf2n.mpg"
OUT="$ROOT/assets/demo/grid_bbaf2n.mp4"
[ -f "$SRC" ] || { echo "make_demo_assets: $SRC not found (set VERHM_DATA)" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "make_demo_assets: ffmpeg is required" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
TMP="$OUT.tmp.mp4"
trap 'rm -f "$TMP"' EXIT
# Video: same 360x288 frames at 25 fps, re-encoded with libx264 (crf 20).
# Audio: MPEG-1 Layer II stereo 44.1 kHz → AAC-LC mono 44.1 kHz 96 kb/s.
# Metadata stripped and bit-exact flags set so reruns give the same file.
ffmpeg -nostdin -v error -y -i "$SRC" -map 0:v:0 -map 0:a:0 -map_metadata -1 \
  -c:v libx264 -preset slow -crf 20 -pix_fmt yuv420p -g 50 \
  -c:a aac -b:a 96k -ac 1 \
  -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
  -movflags +faststart "$TMP"
mv "$TMP" "$OUT"
trap - EXIT
echo "wrote $OUT ($(stat -c %s "$OUT") bytes, sha256 $(sha256sum "$OUT" | cut -c1-16)...)"
