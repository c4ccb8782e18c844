#!/usr/bin/env bash
# verhm animate on a RAVDESS recording (48 kHz FLAC): --emotion auto runs the
# speech-emotion model and prints a RAVDESS emotion; the learned engine runs
# with the shipped lip-sync model; the mouth moves with the phoneme engine.
source "$(dirname "$0")/cli_lib.sh"
need_data
f=$(find "$DATA/speech/ravdess" -name '03-01-03-02-01-02-17.flac' | head -1)
[ -n "$f" ] || { echo "skipped: RAVDESS clip missing"; exit 77; }
expect_exit 0 "auto emotion" "$VERHM" animate "$f" --no-video --csv "$T/a.csv"
if [ -f "$(dirname "$0")/../models/ser.safetensors" ]; then
  check "prints a RAVDESS emotion from the model" grep -Eq '^emotion: (neutral|calm|happy|sad|angry|fearful|disgust|surprised) .*auto: speech-emotion model' "$T/out"
else
  check "no speech-emotion model: neutral, said so" grep -q '^emotion: neutral .*no speech-emotion model' "$T/out"
fi
check "mouth moves" awk -F, 'NR > 1 { if ($20 > 0.2) o++ } END { exit !(o > 5) }' "$T/a.csv"
expect_exit 0 "learned engine" "$VERHM" animate "$f" --no-video --csv "$T/l.csv" --engine learned --emotion neutral
# FaceGood has no jaw: the learned engine moves the lips (rolls, funnel, pucker).
check "learned: lips move" awk -F, 'NR > 1 { s = $34 + $22 + $23; if (s > m) m = s } END { exit !(m > 0.1) }' "$T/l.csv"
finish
