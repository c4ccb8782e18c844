#!/usr/bin/env bash
# verhm train-agegender and `verhm eval` of the age-gender model: bad input,
# a tiny training run, and evaluation on a few UTKFace faces.
source "$(dirname "$0")/cli_lib.sh"
need_data
PY=$(command -v /usr/bin/python3 || command -v python3)
MODEL=$(cd "$(dirname "$0")/.." && pwd)/models/age-gender.safetensors

expect_exit 0 "help" "$VERHM" train-agegender --help
expect_exit 2 "no --out" "$VERHM" train-agegender "$T"
expect_exit 2 "bad --epochs" "$VERHM" train-agegender "$T" --out "$T/m.st" --epochs 0
expect_exit 1 "missing folder" "$VERHM" train-agegender "$T/nope" --out "$T/m.st"
mkdir -p "$T/empty"
expect_exit 1 "folder without UTKFace images" "$VERHM" train-agegender "$T/empty" --out "$T/m.st"
check "nothing written on failure" test ! -e "$T/m.st"
expect_exit 2 "bad --keep" "$VERHM" train-agegender "$T" --out "$T/m.st" --keep median

# 40 faces spread over the folder: a one-epoch run writes a model that eval recognises.
mkdir -p "$T/utk"
ls "$DATA/faces/utkface" | awk "NR % 150 == 1" | head -n 40 | while read -r f; do ln -s "$DATA/faces/utkface/$f" "$T/utk/$f"; done
"$VERHM" train-agegender "$T/utk" --out "$T/m.st" --epochs 1 --width 8 --val-split 0.3 >"$T/out" 2>"$T/err"
check "tiny training run ($(tail -c 200 "$T/err"))" test -s "$T/m.st"
"$VERHM" eval "$MODEL" "$T/utk" --json >"$T/eval.json" 2>"$T/err"
check "eval prints age_mae and gender_accuracy ($(head -c 200 "$T/err"))" "$PY" -c \
  "import json,sys; d=json.load(open(sys.argv[1])); assert d['n'] == 40 and 0 <= d['age_mae'] < 60 and 0 <= d['gender_accuracy'] <= 1" "$T/eval.json"
echo "junk" >"$T/bad.safetensors"
expect_exit 1 "--from a corrupt model" "$VERHM" train-agegender "$T/utk" --out "$T/m2.st" --from "$T/bad.safetensors"
check "nothing written after a corrupt --from" test ! -e "$T/m2.st"
# Starting from the shipped emotion model copies its backbone into the new model.
"$VERHM" train-agegender "$T/utk" --out "$T/m3.st" --epochs 1 --val-split 0.3 \
  --from "$(dirname "$MODEL")/fer-emotion.safetensors" >"$T/out" 2>"$T/err"
check "--from run copies the backbone ($(tail -c 200 "$T/err"))" grep -q "20 of 22 tensors copied" "$T/err"
check "--from run writes a model" test -s "$T/m3.st"
expect_exit 1 "eval with a corrupt model" "$VERHM" eval "$T/bad.safetensors" "$T/utk"
finish
