#!/usr/bin/env bash
# verhm voice / train-voice end to end: an espeak-ng sentence pair with a sox-made
# pause (segments found, JSON well-formed, fixed windows, a long file streamed in
# blocks), --result imported into a temporary monitor store, silence, bad inputs,
# and a one-epoch train-voice on a tiny generic <Label>/ folder.
source "$(dirname "$0")/cli_lib.sh"
PY=$(command -v /usr/bin/python3 || command -v python3)
for tool in espeak-ng sox ffmpeg; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool missing"; exit 77; }
done
V() { "$VERHM" voice "$@"; }

expect_exit 0 "help" V --help
expect_exit 2 "no file" V
expect_exit 2 "bad segment" V x.wav --segment 0
expect_exit 2 "unknown option" V x.wav --frobnicate
expect_exit 1 "missing file" V "$T/missing.wav"

espeak-ng -v en-us -s 150 -w "$T/a22.wav" "I am feeling quite good today, thank you for asking."
espeak-ng -v en-us -s 150 -w "$T/b22.wav" "But yesterday was a really difficult day for me."
sox "$T/a22.wav" -r 16000 "$T/a.wav"
sox "$T/b22.wav" -r 16000 "$T/b.wav"
sox -n -r 16000 -c 1 "$T/sil.wav" trim 0 1.5
sox "$T/sil.wav" "$T/a.wav" "$T/sil.wav" "$T/b.wav" "$T/sil.wav" "$T/speech.wav"

expect_exit 0 "voice text" V "$T/speech.wav"
check "text has a summary" grep -q "^summary: speech" "$T/out"
expect_exit 0 "voice json" V "$T/speech.wav" --json --result "$T/r.json"
cp "$T/out" "$T/v.json"
check "json: segments, probabilities, prosody, windows" "$PY" - "$T/v.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "voice" and len(d["labels"]) == 8 and "calm" in d["labels"], d["labels"]
segs = d["segments"]
assert len(segs) >= 2, segs
prev = 0.0
for s in segs:
    assert s["speech"] and prev <= s["start"] < s["end"] <= d["duration"] + 1e-3, s
    prev = s["end"]
    assert abs(sum(s["probs"].values()) - 1) < 1e-2 and s["dominant"] in d["labels"]
    assert -1 <= s["valence"] <= 1 and -1 <= s["arousal"] <= 1
    assert s["prosody"]["speech_s"] > 0 and s["prosody"]["f0_mean_hz"] > 50
# the 1.5 s pauses are not speech: first segment after 1.2 s, a gap between the sentences
assert segs[0]["start"] > 1.2, segs[0]
assert any(b["start"] - a["end"] > 1.0 for a, b in zip(segs, segs[1:]))
assert len(d["windows"]) == len(segs)
for w in d["windows"]:
    assert len(w["probs"]) == 8 and abs(sum(w["probs"]) - 1) < 1e-2
sm = d["summary"]
assert 0.2 < sm["speech_ratio"] < 0.9 and sm["dominant"] in d["labels"], sm
assert abs(sum(sm["emotions"].values()) - 1) < 1e-2
p = d["prosody"]
assert p["pause_count"] >= 1 and p["speech_rate"] > 0 and 70 < p["f0_mean_hz"] < 300, p
PYEOF
check "result file written" test -s "$T/r.json"
expect_exit 0 "monitor import of --result" "$VERHM" monitor import --db "$T/m.db" --person p1 "$T/r.json"
expect_exit 0 "monitor lists it" "$VERHM" monitor list --db "$T/m.db" --person p1 --json
check "session is a voice session" grep -q voice "$T/out"

expect_exit 0 "fixed windows" V "$T/speech.wav" --segment 2 --json
check "windows cover the file" "$PY" -c '
import json, math, sys
d = json.load(open(sys.argv[1]))
n = math.ceil(d["duration"] / 2 - 1e-9)
assert d["mode"] == "windows" and len(d["segments"]) == n, (len(d["segments"]), n)
assert all(s["end"] - s["start"] <= 2 + 1e-6 for s in d["segments"])
sp = [s for s in d["segments"] if s["speech"]]
assert sp and len(d["windows"]) == len(sp)
assert all(abs(sum(s["probs"].values()) - 1) < 1e-2 for s in sp)
' "$T/out"

# a long recording (> one 30 s analysis block) is streamed in blocks
sox "$T/speech.wav" "$T/speech.wav" "$T/speech.wav" "$T/speech.wav" "$T/speech.wav" "$T/speech.wav" "$T/long.wav"
expect_exit 0 "long file" V "$T/long.wav" --json
check "long file: ordered, non-overlapping segments across blocks" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1])); s = d["segments"]
assert d["duration"] > 60 and len(s) >= 12, (d["duration"], len(s))
assert all(a["end"] <= b["start"] for a, b in zip(s, s[1:]))
' "$T/out"

# silence: no speech, exit 0, empty segment list, no result file
sox -n -r 16000 -c 1 "$T/quiet.wav" trim 0 3
expect_exit 0 "silence" V "$T/quiet.wav" --json --result "$T/q.json"
check "silence: empty segments" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"] == [] and d["summary"]["dominant"] is None' "$T/out"
check "silence: no result file" test ! -e "$T/q.json"

# bad inputs: one line, exit 1
echo "this is not audio" > "$T/notes.wav"
expect_exit 1 "not audio" V "$T/notes.wav"
check "one error line" test "$(wc -l <"$T/err")" -eq 1
ffmpeg -loglevel error -f lavfi -i testsrc=size=64x64:rate=10 -t 1 -an "$T/video.mp4"
expect_exit 1 "video without audio" V "$T/video.mp4"
check "one error line (video)" test "$(wc -l <"$T/err")" -eq 1
sox -n -r 16000 -c 1 "$T/one.wav" trim 0 1s
expect_exit 1 "one sample" V "$T/one.wav"
check "one-sample message" grep -q "too short" "$T/err"
expect_exit 1 "bad model" V "$T/speech.wav" --model "$T/notes.wav"

# train-voice: usage, bad data, a tiny generic folder for one epoch
expect_exit 0 "train help" "$VERHM" train-voice --help
expect_exit 2 "train needs --out" "$VERHM" train-voice "$T"
expect_exit 1 "train bad folder" "$VERHM" train-voice "$T/nothing" --out "$T/m.safetensors"
mkdir -p "$T/gen/low" "$T/gen/high"
for i in 1 2 3 4; do
  sox -n -r 16000 -c 1 "$T/gen/low/t$i.wav" synth 0.$((4 + i)) sine $((140 + 5 * i)) vol 0.3
  sox -n -r 16000 -c 1 "$T/gen/high/t$i.wav" synth 0.$((4 + i)) sine $((600 + 10 * i)) vol 0.3
done
expect_exit 0 "train one epoch" "$VERHM" train-voice "$T/gen" --out "$T/tiny.safetensors" --epochs 1 --width 2 --hidden 4 --batch 4 --val-split 0.25 --json
check "train json" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d["validation"]; assert d["epochs_run"]==1 and v["labels"]==["high","low"] and len(v["confusion"])==2' "$T/out"
check "checkpoint written" test -s "$T/tiny.safetensors.ckpt"
expect_exit 0 "voice with the tiny model" V "$T/gen/low/t1.wav" --model "$T/tiny.safetensors" --json
check "tiny model labels" grep -q '"labels":\["high","low"\]' "$T/out"
# last-epoch selection with mixup: no early stop at patience 1, the last epoch kept
expect_exit 0 "train --select last --mixup" "$VERHM" train-voice "$T/gen" --out "$T/tiny2.safetensors" --epochs 3 --patience 1 --width 2 --hidden 4 --batch 4 --val-split 0.25 --select last --mixup 0.4 --json
check "select last json" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["epochs_run"]==3 and d["best_epoch"]==3 and d["select"]=="last"' "$T/out"
check "provenance records the recipe" grep -q 'mixup' "$T/tiny2.safetensors"
expect_exit 2 "bad --select" "$VERHM" train-voice "$T/gen" --out "$T/x.safetensors" --select worst
expect_exit 2 "bad --mixup" "$VERHM" train-voice "$T/gen" --out "$T/x.safetensors" --mixup -1
# --merge: an ensemble of the two tiny models (same files, same normalisation)
expect_exit 0 "merge" "$VERHM" train-voice --merge "$T/tiny.safetensors,$T/tiny2.safetensors" --out "$T/ens.safetensors" --json
check "merge json" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["members"]==2' "$T/out"
expect_exit 0 "voice with the ensemble" V "$T/gen/low/t1.wav" --model "$T/ens.safetensors" --json
check "ensemble probabilities" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); s=[x for x in d["segments"] if x["speech"]]; assert s and all(abs(sum(x["probs"].values())-1)<1e-2 for x in s)' "$T/out"
expect_exit 0 "eval the ensemble" "$VERHM" eval "$T/ens.safetensors" "$T/gen" --json
check "ensemble eval json" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["n"]==8 and len(d["confusion"])==2' "$T/out"
expect_exit 2 "merge needs two models" "$VERHM" train-voice --merge "$T/tiny.safetensors" --out "$T/e1.safetensors"
expect_exit 2 "merge takes no DATA" "$VERHM" train-voice "$T/gen" --merge "$T/tiny.safetensors,$T/tiny2.safetensors" --out "$T/e1.safetensors"
expect_exit 1 "merge a non-model" "$VERHM" train-voice --merge "$T/tiny.safetensors,$T/notes.wav" --out "$T/e1.safetensors"
expect_exit 1 "merge an ensemble" "$VERHM" train-voice --merge "$T/ens.safetensors,$T/tiny.safetensors" --out "$T/e1.safetensors"
check "no partial ensemble" test ! -e "$T/e1.safetensors"
# scripts/ser_cv_summary.py: fold mean/SD and the pooled confusion
SUMMARY="$(dirname "$0")/../scripts/ser_cv_summary.py"
echo '{"validation":{"n":4,"ua":0.75,"wa":0.75,"labels":["a","b"],"confusion":[[1,1],[0,2]]}}' > "$T/fold1.json"
echo '{"n":4,"ua":0.5,"wa":0.5,"labels":["a","b"],"confusion":[[2,0],[2,0]]}' > "$T/fold2.json"
expect_exit 0 "cv summary" python3 "$SUMMARY" "$T/fold1.json" "$T/fold2.json"
check "cv summary numbers" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["ua_mean"] - 0.625) < 1e-12 and abs(d["ua_sd"] - 0.1767766953) < 1e-9, d
p = d["pooled"]
assert p["confusion"] == [[3, 1], [2, 2]] and p["n"] == 8, p
assert abs(p["ua"] - 0.625) < 1e-12 and abs(p["wa"] - 0.625) < 1e-12
assert abs(p["per_class"]["a"]["precision"] - 0.6) < 1e-12
' "$T/out"
echo '{"n":4,"ua":0.5,"wa":0.5,"labels":["x","b"],"confusion":[[2,0],[2,0]]}' > "$T/fold3.json"
expect_exit 1 "cv summary: labels differ" python3 "$SUMMARY" "$T/fold1.json" "$T/fold3.json"
finish
