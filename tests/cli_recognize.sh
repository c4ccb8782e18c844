#!/usr/bin/env bash
# verhm recognize end to end: JSON lines and summary on a GRID clip (one stable
# track), annotated MP4 with audio, image input, no-face video, monitor result,
# place suggestions, bad inputs.
source "$(dirname "$0")/cli_lib.sh"
need_data
PY=$(command -v /usr/bin/python3 || command -v python3)
CLIP="$DATA/video/grid/bbaf2n.mpg"

expect_exit 0 "help" "$VERHM" recognize --help
expect_exit 2 "no input" "$VERHM" recognize
expect_exit 2 "bad --labels" "$VERHM" recognize "$CLIP" --labels foo
expect_exit 2 "--poi without --at" "$VERHM" recognize "$CLIP" --poi x.json
expect_exit 1 "missing file" "$VERHM" recognize "$T/nope.mp4"
: >"$T/empty.mp4"
expect_exit 1 "zero-length file" "$VERHM" recognize "$T/empty.mp4"
echo "not a video" >"$T/text.mp4"
expect_exit 1 "text file" "$VERHM" recognize "$T/text.mp4"
expect_exit 1 "camera that does not exist" "$VERHM" recognize /dev/video99

# JSON lines: one per frame, then a summary with one track in nearly every frame.
"$VERHM" recognize "$CLIP" --json >"$T/out.jsonl" 2>"$T/err"
check "recognize --json exits 0 ($(head -c 200 "$T/err"))" [ $? -eq 0 ]
check "JSON lines parse, one track, face in >= 95% of frames, emotion present" "$PY" - "$T/out.jsonl" <<'P'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
frames, summary = lines[:-1], lines[-1]["summary"]
assert len(frames) == summary["frames"] == 75, len(frames)
with_face = sum(1 for f in frames if f["faces"])
assert with_face >= 72, with_face
assert len(summary["tracks"]) == 1, summary["tracks"]
f = next(f for f in frames if f["faces"])["faces"][0]
assert len(f["landmarks"]) == 68 and abs(sum(f["emotion"].values()) - 1) < 1e-2
assert -1 <= f["valence"] <= 1 and "yaw" in f["pose"]
t = summary["tracks"][0]
assert t["segments"] and t["dominant"] in t["emotion"]
P

# EmoPOI labels
"$VERHM" recognize "$CLIP" --json --every 10 --labels emopoi 2>/dev/null | tail -n 1 >"$T/emo.json"
check "emopoi labels in the summary" grep -q '"Worried"' "$T/emo.json"

# Annotated video keeps the audio; nothing is left behind on refusal.
"$VERHM" recognize "$CLIP" --annotate "$T/ann.mp4" >/dev/null 2>&1
check "annotated MP4 has H.264 video and AAC audio" sh -c "ffprobe -v error -show_entries stream=codec_name -of csv=p=0 '$T/ann.mp4' | tr '\n' ' ' | grep -q 'h264 aac'"
expect_exit 1 "refuses to overwrite without --force" "$VERHM" recognize "$CLIP" --annotate "$T/ann.mp4"

# Image input
"$VERHM" recognize "$DATA/faces/dlib_examples/2008_002470.jpg" --json >"$T/img.jsonl" 2>/dev/null
check "image input finds a face" "$PY" -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; assert l[0]['faces'], l[0]" "$T/img.jsonl"

# A video without faces: the summary says so.
ffmpeg -v error -y -f lavfi -i color=c=gray:s=320x240:d=1:r=10 -c:v libx264 -pix_fmt yuv420p "$T/noface.mp4"
"$VERHM" recognize "$T/noface.mp4" >"$T/nf.txt" 2>&1
check "no-face video: exit 0 and says no face" grep -q "no face found" "$T/nf.txt"

# Monitor result, importable.
"$VERHM" recognize "$CLIP" --every 2 --result "$T/session.json" >/dev/null 2>&1
check "result imports into the monitor" "$VERHM" monitor import --db "$T/m.db" --person p1 "$T/session.json"
"$VERHM" recognize "$T/noface.mp4" --result "$T/none.json" >/dev/null 2>&1; rc=$?
check "no face: --result fails and writes nothing" sh -c "[ $rc -eq 1 ] && [ ! -e '$T/none.json' ]"

# Place suggestions for the recognized state.
"$VERHM" recognize "$CLIP" --every 5 --poi "$DATA/poi/helsinki.geojson" --at 60.1695,24.9525 >"$T/poi.txt" 2>&1
check "suggestions after recognition" grep -q "The recommended places are" "$T/poi.txt"
finish
