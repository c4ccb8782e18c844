#!/usr/bin/env bash
# End-to-end tests of `verhm frames` on a GRID clip (75 frames at 25 fps, 3 s):
# frame selection, formats, refusing to overwrite, and bad input that must
# exit 1 with one message and leave no frame_* files behind.
source "$(dirname "$0")/cli_lib.sh"
need_data
CLIP="$DATA/video/grid/bbaf2n.mpg"

count() { find "$1" -maxdepth 1 -name 'frame_*' 2>/dev/null | wc -l; }
# PNG colour type (byte 25 of the file): 0 gray, 2 RGB.
png_type() { od -An -tu1 -j25 -N1 "$1" | tr -d ' '; }
no_leftovers() { [ "$(find "$1" -mindepth 1 2>/dev/null | wc -l)" -eq 0 ]; }

expect_exit 0 "help" "$VERHM" frames --help
expect_exit 0 "all frames" "$VERHM" frames "$CLIP" "$T/all"
check "all frames: 75 files" [ "$(count "$T/all")" -eq 75 ]
check "all frames: png rgb" [ "$(png_type "$T/all/frame_000001.png")" = 2 ]
check "no temporary folder left" [ "$(find "$T/all" -name '.frames-*' | wc -l)" -eq 0 ]
check "stdout says how many" grep -q "wrote 75 frames" "$T/out"

expect_exit 0 "--fps 25 --end 2" "$VERHM" frames "$CLIP" "$T/fps25" --fps 25 --end 2
check "--fps 25 --end 2: 50 files" [ "$(count "$T/fps25")" -eq 50 ]
check "--fps 25 equals all frames" cmp -s "$T/fps25/frame_000040.png" "$T/all/frame_000040.png"
expect_exit 0 "--fps 5" "$VERHM" frames "$CLIP" "$T/fps5" --fps 5
check "--fps 5: 15 files" [ "$(count "$T/fps5")" -eq 15 ]
check "--fps 5: 2nd is frame 6" cmp -s "$T/fps5/frame_000002.png" "$T/all/frame_000006.png"
expect_exit 0 "--fps 50 --start 2" "$VERHM" frames "$CLIP" "$T/fps50" --fps 50 --start 2 --format jpg
check "--fps 50 --start 2: 50 files (repeats)" [ "$(count "$T/fps50")" -eq 50 ]

expect_exit 0 "--every 10 --json" "$VERHM" frames "$CLIP" "$T/every" --every 10 --json
check "--every 10: 8 files" [ "$(count "$T/every")" -eq 8 ]
check "--every 10: 3rd is frame 21" cmp -s "$T/every/frame_000003.png" "$T/all/frame_000021.png"
check "--json count" grep -q '"count":8' "$T/out"
check "--json frame entry" grep -q '{"file":"frame_000002.png","time":0.4}' "$T/out"
check "--json parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"]==len(d["frames"])==8' "$T/out"

expect_exit 0 "--start/--end" "$VERHM" frames "$CLIP" "$T/range" --start 1 --end 2
check "--start 1 --end 2: 25 files" [ "$(count "$T/range")" -eq 25 ]
check "--start 1: first is frame 26" cmp -s "$T/range/frame_000001.png" "$T/all/frame_000026.png"

expect_exit 0 "--gray" "$VERHM" frames "$CLIP" "$T/gray" --gray --every 25
check "--gray: 1-channel png" [ "$(png_type "$T/gray/frame_000001.png")" = 0 ]
expect_exit 0 "--format jpg" "$VERHM" frames "$CLIP" "$T/jpg" --format jpg --every 25
check "--format jpg: 3 .jpg files" [ "$(find "$T/jpg" -name 'frame_*.jpg' | wc -l)" -eq 3 ]
check "--format jpg: JPEG magic" [ "$(od -An -tx1 -N3 "$T/jpg/frame_000001.jpg" | tr -d ' ')" = ffd8ff ]

# Refuses to write into a folder that holds frame_* files, unless --force.
expect_exit 1 "refuses existing frames" "$VERHM" frames "$CLIP" "$T/every"
check "refusal names --force" grep -q -- "--force" "$T/err"
check "refusal leaves files" [ "$(count "$T/every")" -eq 8 ]
expect_exit 0 "--force replaces" "$VERHM" frames "$CLIP" "$T/every" --force --every 25
check "--force: old frames gone" [ "$(count "$T/every")" -eq 3 ]

# Bad input: exit 1, one line, nothing left behind.
: >"$T/empty.mp4"
printf 'this is a text file, not a video\n%.0s' {1..50} >"$T/text.mp4"
head -c 20000 "$CLIP" >"$T/trunc.mpg"
echo x >"$T/afile"
expect_exit 1 "zero-length file" "$VERHM" frames "$T/empty.mp4" "$T/o1"
check "zero-length: nothing written" [ ! -e "$T/o1" ]
expect_exit 1 "text named .mp4" "$VERHM" frames "$T/text.mp4" "$T/o2"
check "text: message names the file" grep -q "text.mp4" "$T/err"
check "text: nothing written" [ ! -e "$T/o2" ]
mkdir "$T/o3b"
expect_exit 1 "truncated GRID clip" "$VERHM" frames "$T/trunc.mpg" "$T/o3b"
check "truncated: says so" grep -q "truncated" "$T/err"
check "truncated: no frames left" no_leftovers "$T/o3b"
expect_exit 0 "truncated with --keep-going" "$VERHM" frames "$T/trunc.mpg" "$T/o3c" --keep-going
check "--keep-going: readable frames" [ "$(count "$T/o3c")" -ge 1 ]
expect_exit 1 "missing file" "$VERHM" frames "$T/nope.mp4" "$T/o4"
expect_exit 1 "unwritable OUTDIR" "$VERHM" frames "$CLIP" "$T/afile/sub/out"
check "unwritable: one line" [ "$(wc -l <"$T/err")" -eq 1 ]
expect_exit 1 "OUTDIR is a file" "$VERHM" frames "$CLIP" "$T/afile"
mkdir "$T/o5"
expect_exit 1 "--start after the end" "$VERHM" frames "$CLIP" "$T/o5" --start 10
check "--start after end: says so" grep -q "after the end" "$T/err"
check "--start after end: no frames" no_leftovers "$T/o5"
expect_exit 1 "--start after end, new dir" "$VERHM" frames "$CLIP" "$T/o6/deep" --start 10
check "created folders removed again" [ ! -e "$T/o6" ]

expect_exit 1 "missing camera" "$VERHM" frames /dev/video97 "$T/cam" --end 1
check "missing camera: says so" grep -q "no such camera" "$T/err"
check "missing camera: nothing written" [ ! -e "$T/cam" ]

# Usage errors exit 2.
expect_exit 2 "camera without --end" "$VERHM" frames /dev/video97 "$T/u"
expect_exit 2 "no OUTDIR" "$VERHM" frames "$CLIP"
expect_exit 2 "--fps with --every" "$VERHM" frames "$CLIP" "$T/u" --fps 5 --every 2
expect_exit 2 "bad --fps" "$VERHM" frames "$CLIP" "$T/u" --fps abc
expect_exit 2 "--end before --start" "$VERHM" frames "$CLIP" "$T/u" --start 2 --end 1
expect_exit 2 "bad --format" "$VERHM" frames "$CLIP" "$T/u" --format gif
check "usage errors write nothing" [ ! -e "$T/u" ]
finish
