#!/usr/bin/env bash
# verhm animate end to end: espeak-ng speech → MP4 (H.264 + AAC, right
# duration), CSV/NPY/GLB exports, silence → still face, any rate/channels,
# bad input → exit 1 with one line and nothing left behind.
source "$(dirname "$0")/cli_lib.sh"
for tool in espeak-ng sox ffprobe; do
  command -v $tool >/dev/null || { echo "skipped: $tool missing"; exit 77; }
done

espeak-ng -w "$T/s.wav" "Hello, my name is Bob. Please bring me a map." 2>/dev/null
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/s.wav")

expect_exit 0 "help" "$VERHM" animate --help
expect_exit 0 "speech → mp4" "$VERHM" animate "$T/s.wav" --out "$T/f.mp4" --size 128x192 --emotion happy \
  --csv "$T/f.csv" --npy "$T/f.npy" --glb "$T/f.glb"
check "prints the emotion shown" grep -q "^emotion: happy" "$T/out"
codecs=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$T/f.mp4" | sort | tr '\n' ' ')
check "h264 + aac ($codecs)" [ "$codecs" = "aac h264 " ]
vdur=$(ffprobe -v error -select_streams v:0 -show_entries stream=duration -of csv=p=0 "$T/f.mp4")
check "duration $vdur ≈ $dur" awk -v a="$vdur" -v b="$dur" 'BEGIN { d = a - b; exit !(d < 0.1 && d > -0.1) }'
frames=$(( $(wc -l <"$T/f.csv") - 1 ))
check "csv header" grep -q "^Timecode,BlendShapeCount,eyeBlinkLeft," "$T/f.csv"
check "csv has one row per frame ($frames)" awk -v n="$frames" -v d="$dur" 'BEGIN { e = n - d * 30; exit !(e < 1.5 && e > -1.5) }'
npy=$(stat -c %s "$T/f.npy")
check "npy size" [ "$npy" -eq $((128 + frames * 52 * 4)) ]
check "glb magic" [ "$(head -c 4 "$T/f.glb")" = "glTF" ]
# The mouth moves with speech: jawOpen (column 20) goes above 0.2 and back below 0.1.
check "mouth opens and closes" awk -F, 'NR > 1 { if ($20 > 0.2) o++; if ($20 < 0.1) c++ } END { exit !(o > 5 && c > 5) }' "$T/f.csv"
# --frames: one PNG per frame.
sox "$T/s.wav" "$T/short.wav" trim 0 0.5
expect_exit 0 "frames dir" "$VERHM" animate "$T/short.wav" --out "$T/short.mp4" --size 64x96 --frames "$T/png" --emotion sad
check "15 PNG frames" [ "$(ls "$T/png" | grep -c '^frame_0000[0-9][0-9].png$')" -eq 15 ]
check "PNG size" [ "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$T/png/frame_000001.png")" = "64,96" ]
# Refuses to overwrite without --force.
expect_exit 1 "existing output refused" "$VERHM" animate "$T/s.wav" --out "$T/f.mp4" --size 128x192

# Silence: a calm, still face (mouth shut the whole time).
sox -n -r 16000 -c 1 "$T/silence.wav" trim 0 2
expect_exit 0 "silence" "$VERHM" animate "$T/silence.wav" --no-video --csv "$T/sil.csv" --emotion neutral
check "silence: still mouth" awk -F, 'NR > 1 { if ($20 > 0.02 || $20 < 0) bad++ } END { exit !(NR == 61 && bad == 0) }' "$T/sil.csv"

# Any rate and channel count: 44.1 kHz stereo.
sox "$T/s.wav" -r 44100 -c 2 "$T/s44.wav"
expect_exit 0 "44.1 kHz stereo" "$VERHM" animate "$T/s44.wav" --no-video --npy "$T/s44.npy"
check "same frame count" [ "$(stat -c %s "$T/s44.npy")" -eq "$npy" ]

# Bad input: one line, exit 1, nothing written.
head -c 5000 /dev/urandom >"$T/noise.bin"
expect_exit 1 "non-audio file" "$VERHM" animate "$T/noise.bin" --out "$T/n.mp4" --csv "$T/n.csv"
check "one stderr line" [ "$(wc -l <"$T/err")" -eq 1 ]
check "no partial output" [ ! -e "$T/n.mp4" ] && [ ! -e "$T/n.csv" ]
expect_exit 1 "missing file" "$VERHM" animate "$T/none.wav"
expect_exit 2 "no argument" "$VERHM" animate
expect_exit 2 "unknown emotion" "$VERHM" animate "$T/s.wav" --emotion bored
expect_exit 2 "bad engine" "$VERHM" animate "$T/s.wav" --engine magic
expect_exit 2 "bad size" "$VERHM" animate "$T/s.wav" --size 10x10
finish
