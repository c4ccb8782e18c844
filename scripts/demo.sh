#!/usr/bin/env bash
# verhm demo, run by `make demo` as: bash scripts/demo.sh path/to/verhm
# Reads only files shipped in the repository (assets/demo/), writes everything
# under ./demo-out/, and prints where the outputs are. One numbered step per
# capability; add new steps at the end.
set -euo pipefail
VERHM=${1:?usage: bash scripts/demo.sh path/to/verhm}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLIP="$ROOT/assets/demo/grid_bbaf2n.mp4" # GRID corpus, CC BY 4.0 (assets/demo/ATTRIBUTION.md)
OUT=./demo-out
[ -x "$VERHM" ] || { echo "demo: $VERHM is not an executable" >&2; exit 1; }
[ -f "$CLIP" ] || { echo "demo: $CLIP is missing (scripts/make_demo_assets.sh makes it)" >&2; exit 1; }
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. frames: the demo video as PNG frames, 5 per second ($OUT/frames/)"
"$VERHM" frames "$CLIP" "$OUT/frames" --fps 5 --force --json >"$OUT/frames.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("   %d frames, times %s s" % (d["count"], ", ".join("%.1f" % f["time"] for f in d["frames"])))' \
  "$OUT/frames.json" 2>/dev/null || cat "$OUT/frames.json"

step "outputs"
echo "   $OUT/frames/        PNG frames (frame_000001.png ...)"
echo "   $OUT/frames.json    frame list with timestamps"
