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

step "2. detect: faces in those frames, boxes drawn ($OUT/detect/)"
"$VERHM" detect "$OUT/frames" --json --draw "$OUT/detect" >"$OUT/detect.jsonl"
echo "   $(grep -c '"x"' "$OUT/detect.jsonl") faces in $(wc -l <"$OUT/detect.jsonl") frames"

step "3. recognize: emotion over time, age group and gender; annotated video with the audio"
"$VERHM" recognize "$CLIP" --annotate "$OUT/recognized.mp4" --result "$OUT/session.json" --force
"$VERHM" recognize "$CLIP" --labels emopoi --every 5 --json >"$OUT/recognize.jsonl"
tail -n 1 "$OUT/recognize.jsonl" | cut -c1-300

step "4. places for the recognized state (Liechtenstein, near Vaduz)"
"$VERHM" recognize "$CLIP" --every 5 --poi "$ROOT/assets/demo/poi_liechtenstein.json" --at 47.1410,9.5209 | tail -n 6

step "5. voice features of the clip's audio (prosody)"
"$VERHM" features "$CLIP" --prosody --json >"$OUT/prosody.json"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print("   " + ", ".join("%s %s" % (k, round(v, 2) if isinstance(v, float) else v) for k, v in p.items() if not isinstance(v, (list, dict)))[:300])' "$OUT/prosody.json" 2>/dev/null || head -c 300 "$OUT/prosody.json"

step "6. voice: speech segments, emotion from the voice, prosody"
rm -f "$OUT/voice.json"
"$VERHM" voice "$CLIP" --result "$OUT/voice.json" | head -n 8

step "7. animate: the clip's voice drives the 3-D face (MP4 with the audio, glTF, LiveLinkFace CSV)"
"$VERHM" animate "$CLIP" --out "$OUT/face.mp4" --glb "$OUT/face.glb" --csv "$OUT/face.csv" --force

step "8. monitoring: the sessions above plus six simulated weeks, alerts, report, FHIR export"
rm -f "$OUT"/monitor.db*
"$VERHM" monitor import --db "$OUT/monitor.db" --person demo01 "$OUT/session.json" "$OUT/voice.json"
"$VERHM" monitor demo --db "$OUT/monitor.db" --person demo02 >/dev/null
"$VERHM" monitor alerts --db "$OUT/monitor.db" --person demo02 | head -n 8
"$VERHM" monitor report --db "$OUT/monitor.db" --person demo02 --out "$OUT/monitor-report.html"
"$VERHM" monitor export --db "$OUT/monitor.db" --person demo02 --fhir --out "$OUT/monitor-fhir.json"

step "outputs"
echo "   $OUT/frames/        PNG frames (frame_000001.png ...)"
echo "   $OUT/frames.json    frame list with timestamps"
echo "   $OUT/detect/        frames with face boxes; detect.jsonl the boxes"
echo "   $OUT/recognized.mp4 annotated video (boxes, landmarks, 'Gender, Age group, Emotion') with audio"
echo "   $OUT/recognize.jsonl per-frame read-out (EmoPOI labels) and the summary"
echo "   $OUT/session.json   the result as stored by the monitor"
echo "   $OUT/prosody.json   speaking rate, pauses, pitch, jitter, shimmer, HNR"
echo "   $OUT/voice.json     voice segments with emotion and prosody (monitor import format)"
echo "   $OUT/face.mp4       the talking 3-D face; face.glb opens in Blender; face.csv the 52 weights"
echo "   $OUT/monitor-report.html  six weeks of simulated monitoring: charts and alerts"
echo "   $OUT/monitor-fhir.json    the same as a FHIR R4 bundle"
