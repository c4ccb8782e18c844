#!/usr/bin/env bash
# verhm detect: JSON lines, text summary, --draw, video frames, bad inputs.
source "$(dirname "$0")/cli_lib.sh"
need_data
IMG="$DATA/faces/dlib_examples/2008_001322.jpg"
one_line() { [ "$(wc -l <"$T/err")" -eq 1 ]; }

expect_exit 0 help "$VERHM" detect --help
expect_exit 0 single_json "$VERHM" detect "$IMG" --json
check single_json_parses python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["file"].endswith("2008_001322.jpg") and o["width"] == 500 and o["height"] == 375
assert len(o["faces"]) == 3, o
# OpenCV 4.6 finds these three boxes (tests/data/detect_opencv_boxes.json)
assert sorted((f["x"], f["y"], f["w"], f["h"]) for f in o["faces"]) == [(100, 148, 88, 88), (222, 204, 81, 81), (338, 138, 116, 116)], o
' "$T/out"

expect_exit 0 dir_json "$VERHM" detect "$DATA/faces/dlib_examples" --json --draw "$T/drawn"
check dir_json_lines python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert len(objs) == 12, len(objs)
assert sum(len(o["faces"]) for o in objs) >= 60
assert all(set(f) >= {"x", "y", "w", "h"} for o in objs for f in o["faces"])
' "$T/out"
check draw_wrote_12 test "$(ls "$T/drawn" | wc -l)" -eq 12
check draw_is_image python3 -c '
import sys
b = open(sys.argv[1], "rb").read(3)
assert b == b"\xff\xd8\xff", b
' "$T/drawn/2008_001322.jpg"
check draw_no_temp_files test -z "$(ls -A "$T/drawn" | grep -v -E '\.jpg$')"

expect_exit 0 text_summary "$VERHM" detect "$IMG" --scale 1.3 --neighbors 5 --min-size 30
check text_summary_content grep -q "2 faces x=96 y=146 w=95 h=95, x=221 y=203 w=82 h=82" "$T/out"

expect_exit 0 video_json "$VERHM" detect "$DATA/video/grid/bbaf2n.mpg" --json
check video_frames python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) >= 70, len(objs)
assert all("time" in o and "frame" in o for o in objs)
assert sum(1 for o in objs if len(o["faces"]) == 1) >= 0.9 * len(objs)
assert objs[1]["time"] > objs[0]["time"]
' "$T/out"

# bad inputs: exit 1, one line, nothing left behind
expect_exit 1 missing_file "$VERHM" detect "$T/nope.jpg" --draw "$T/d1"
check missing_file_one_line one_line
check missing_file_no_output test ! -e "$T/d1"
printf 'not an image' >"$T/bad.jpg"
expect_exit 1 bad_file "$VERHM" detect "$T/bad.jpg" --json --draw "$T/d2"
check bad_file_one_line one_line
check bad_file_no_output test ! -e "$T/d2"
check bad_file_no_stdout test ! -s "$T/out"
mkdir -p "$T/empty"
expect_exit 1 empty_dir "$VERHM" detect "$T/empty"
check empty_dir_one_line one_line
mkdir -p "$T/mixed"
cp "$T/bad.jpg" "$T/mixed/a_bad.jpg"
cp "$IMG" "$T/mixed/b_good.jpg"
expect_exit 0 mixed_dir_continues "$VERHM" detect "$T/mixed" --json
check mixed_dir_warns grep -q "a_bad.jpg" "$T/err"
check mixed_dir_one_result test "$(wc -l <"$T/out")" -eq 1
printf '<?xml version="1.0"?>\n<opencv_storage><x>1</x></opencv_storage>\n' >"$T/notcascade.xml"
expect_exit 1 not_a_cascade "$VERHM" detect "$IMG" --cascade "$T/notcascade.xml"
check not_a_cascade_msg grep -q "notcascade.xml:2: not a cascade" "$T/err"
VERHM_CASCADE="$T/none.xml" expect_exit 1 env_cascade_missing "$VERHM" detect "$IMG"
check env_cascade_missing_msg grep -q "none.xml" "$T/err"
expect_exit 2 bad_scale "$VERHM" detect "$IMG" --scale 1
expect_exit 2 bad_option "$VERHM" detect "$IMG" --bogus
expect_exit 2 no_input "$VERHM" detect
finish
