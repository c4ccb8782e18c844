#!/usr/bin/env bash
# End-to-end tests of `verhm features`: formats (CSV/JSON/NPY), sample formats
# (8/16/24-bit, float WAV), silence, clipping, one-sample and non-audio files,
# a video without audio, atomic --out, and pause timing on espeak-ng speech
# joined with silences of known length (needs sox, espeak-ng, ffmpeg).
source "$(dirname "$0")/cli_lib.sh"
for tool in sox espeak-ng ffmpeg python3; do
  command -v $tool >/dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
cd "$T"
J() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(repr(($1)))" "$2"; }

# usage
expect_exit 0 help "$VERHM" features --help
expect_exit 2 no_file "$VERHM" features
expect_exit 2 two_kinds "$VERHM" features x.wav --mfcc --prosody
expect_exit 2 prosody_npy "$VERHM" features x.wav --prosody --npy
expect_exit 2 bad_sr "$VERHM" features x.wav --sr 12
expect_exit 2 bad_option "$VERHM" features x.wav --bogus
expect_exit 1 missing_file "$VERHM" features nothere.wav

# sample formats: one second of a 220 Hz tone at 16 kHz
for fmt in "-b 8 -e unsigned-integer" "-b 16" "-b 24" "-b 32 -e floating-point"; do
  name=$(echo "$fmt" | tr -d ' -')
  sox -n -r 16000 -c 1 $fmt "t_$name.wav" synth 1.0 sine 220 vol 0.5
  expect_exit 0 "csv_$name" "$VERHM" features "t_$name.wav" --out "t_$name.csv"
  check "csv_${name}_shape" test "$(wc -l <"t_$name.csv")" -eq 102 -a "$(head -1 "t_$name.csv" | tr ',' '\n' | wc -l)" -eq 21
done
# the same tone must give (nearly) the same MFCCs in 16-bit, 24-bit and float
check mfcc_formats_agree python3 - t_b16.csv t_b24.csv t_b32efloatingpoint.csv <<'EOF'
import csv, sys
m = [[[float(v) for v in r[1:]] for r in list(csv.reader(open(f)))[1:]] for f in sys.argv[1:]]
d = max(abs(a - b) for other in m[1:] for r0, r in zip(m[0], other) for a, b in zip(r0, r))
sys.exit(0 if d < 0.5 else 1)
EOF

# stereo 44.1 kHz input is mixed down and resampled
sox -n -r 44100 -c 2 -b 16 st.wav synth 1.0 sine 300 sine 500 vol 0.4
expect_exit 0 stereo "$VERHM" features st.wav --logmel --json --out st.json
check stereo_frames test "$(J "d['frames'], d['coefficients'], d['sample_rate']" st.json)" = "(101, 80, 16000)"

# librosa mode and deltas
expect_exit 0 librosa "$VERHM" features t_b16.wav --librosa --logmel --json --out lr.json
check librosa_shape test "$(J "d['frames'], d['coefficients'], d['sample_rate'], d['mode']" lr.json)" = "(44, 128, 22050, 'librosa')"
expect_exit 0 deltas "$VERHM" features t_b16.wav --deltas --json --out dl.json
check deltas_shape test "$(J "d['coefficients'], len(d['data'][0])" dl.json)" = "(60, 60)"

# NPY v1.0: magic, version, 64-byte aligned header, shape, payload size
expect_exit 0 npy "$VERHM" features t_b16.wav --mfcc --npy --out m.npy
check npy_header python3 - m.npy <<'EOF'
import ast, struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x93NUMPY\x01\x00", b[:8]
hl = struct.unpack("<H", b[8:10])[0]
assert (10 + hl) % 64 == 0 and b[10 + hl - 1:10 + hl] == b"\n"
h = ast.literal_eval(b[10:10 + hl].decode("latin1"))
assert h == {"descr": "<f4", "fortran_order": False, "shape": (101, 20)}, h
assert len(b) == 10 + hl + 101 * 20 * 4
vals = struct.unpack("<2020f", b[10 + hl:])
assert all(v == v for v in vals)
EOF
"$VERHM" features t_b16.wav --mfcc --csv > m.csv
check npy_matches_csv python3 - m.npy m.csv <<'EOF'
import csv, struct, sys
b = open(sys.argv[1], "rb").read(); hl = struct.unpack("<H", b[8:10])[0]
v = struct.unpack("<2020f", b[10 + hl:])
rows = list(csv.reader(open(sys.argv[2])))[1:]
c = [float(x) for r in rows for x in r[1:]]
sys.exit(0 if len(c) == 2020 and max(abs(a - b) for a, b in zip(v, c)) < 1e-3 else 1)
EOF

# silence: features fine, prosody has zero speech and null pitch
sox -n -r 16000 -c 1 -b 16 sil.wav trim 0 1.0
expect_exit 0 silence_mfcc "$VERHM" features sil.wav
expect_exit 0 silence_prosody "$VERHM" features sil.wav --prosody --out sil.json
check silence_values test "$(J "d['speech_s'], d['syllables'], d['pause_count'], d['f0_mean_hz'], d['jitter_local'], d['speech_segments']" sil.json)" = "(0, 0, 0, None, None, [])"

# clipping: a tone driven 20 dB into clipping still has its pitch
sox -n -r 16000 -c 1 -b 16 clip.wav synth 1.0 sine 200 gain 20 2>/dev/null
expect_exit 0 clipped "$VERHM" features clip.wav --prosody --out clip.json
check clipped_pitch python3 -c "import json; d=json.load(open('clip.json')); assert abs(d['f0_mean_hz'] - 200) < 2, d"
expect_exit 0 clipped_csv "$VERHM" features clip.wav --prosody --csv --out clip.csv
check prosody_csv test "$(wc -l <clip.csv)" -eq 2 -a "$(head -1 clip.csv | cut -d, -f1)" = file

# a one-sample file: matrices refuse with one line, prosody reports no speech
wav() { python3 -c "import sys, wave; w = wave.open(sys.argv[1], 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes.fromhex(sys.argv[2])); w.close()" "$@"; }
wav one.wav 0010
expect_exit 1 one_sample_mfcc "$VERHM" features one.wav --out one.csv
check one_sample_message grep -q "too short" "$T/err"
check one_sample_no_output test ! -e one.csv
expect_exit 0 one_sample_prosody "$VERHM" features one.wav --prosody --out one.json
check one_sample_values test "$(J "d['duration_s'], d['speech_s'], d['f0_mean_hz']" one.json)" = "(6.25e-05, 0, None)"
wav empty.wav ""
expect_exit 1 empty_wav "$VERHM" features empty.wav --prosody --out e.json
check empty_no_output test ! -e e.json

# not audio; a video without an audio track; no partial output either way
echo "not audio at all" > notaudio.wav
expect_exit 1 not_audio "$VERHM" features notaudio.wav --out na.csv
check not_audio_no_output test ! -e na.csv
ffmpeg -loglevel error -f lavfi -i testsrc=duration=1:size=64x64:rate=10 -an -pix_fmt yuv420p v.mp4
expect_exit 1 video_no_audio "$VERHM" features v.mp4 --out v.csv
check video_no_audio_message grep -q "audio" "$T/err"
check video_no_output test ! -e v.csv
# a video with sound works
ffmpeg -loglevel error -f lavfi -i testsrc=duration=1:size=64x64:rate=10 -f lavfi -i sine=frequency=300:duration=1 \
  -shortest -pix_fmt yuv420p -c:a aac va.mp4
expect_exit 0 video_with_audio "$VERHM" features va.mp4 --logmel --out va.csv

# pauses of known length between espeak-ng phrases (silence trimmed with sox)
i=0
for text in "we were away in may" "my mother and my niece" "no one knew"; do
  i=$((i+1))
  espeak-ng -w raw$i.wav "$text"
  sox raw$i.wav -r 16000 -b 16 c$i.wav silence 1 0.005 -45d reverse silence 1 0.005 -45d reverse
done
sox -n -r 16000 -c 1 -b 16 p0.wav trim 0 0.3
sox -n -r 16000 -c 1 -b 16 p1.wav trim 0 0.5
sox -n -r 16000 -c 1 -b 16 p2.wav trim 0 0.8
sox p0.wav c1.wav p1.wav c2.wav p2.wav c3.wav p0.wav speech.wav
d1=$(soxi -D c1.wav); d2=$(soxi -D c2.wav); d3=$(soxi -D c3.wav)
# with a white-noise floor at about -50 dBFS too
sox -n -r 16000 -c 1 -b 16 nz.wav synth "$(soxi -D speech.wav)" whitenoise vol 0.003
sox -m -v 1 speech.wav -v 1 nz.wav noisy.wav
for f in speech noisy; do
  expect_exit 0 "prosody_$f" "$VERHM" features $f.wav --prosody --out $f.json
  check "pauses_$f" python3 - $f.json "$d1" "$d2" "$d3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); c = [float(x) for x in sys.argv[2:]]
want = [(0.3, 0.3 + c[0]), (0.8 + c[0], 0.8 + c[0] + c[1]), (1.6 + c[0] + c[1], 1.6 + sum(c))]
segs = d["speech_segments"]
ok = len(segs) == 3 and all(abs(a - x) <= 0.05 and abs(b - y) <= 0.05 for (a, b), (x, y) in zip(segs, want))
gaps = [segs[i + 1][0] - segs[i][1] for i in range(len(segs) - 1)]
ok = ok and d["pause_count"] == 2 and abs(gaps[0] - 0.5) <= 0.05 and abs(gaps[1] - 0.8) <= 0.05
ok = ok and abs(d["pause_max_s"] - 0.8) <= 0.05 and abs(d["pause_mean_s"] - 0.65) <= 0.05
ok = ok and 70 < d["f0_mean_hz"] < 200 and d["syllables"] >= 8
if not ok: print(d, want, file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
done
finish
