#!/usr/bin/env bash
# End-to-end: verhm train / eval / classify on a small FER+ subset.
source "$(dirname "$0")/cli_lib.sh"
need_data
FER="$DATA/faces/ferplus/train"
[ -f "$FER/label.csv" ] || { echo "FAIL: $FER/label.csv missing"; exit 1; }

# a 200-image FER+ subset (images + their label.csv rows)
mkdir -p "$T/sub" "$T/val"
head -200 "$FER/label.csv" > "$T/sub/label.csv"
sed -n '201,260p' "$FER/label.csv" > "$T/val/label.csv"
for d in sub val; do
  cut -d, -f1 "$T/$d/label.csv" | while read -r f; do cp "$FER/$f" "$T/$d/"; done
done

expect_exit 0 "train help" "$VERHM" train --help
expect_exit 2 "train without --out" "$VERHM" train "$T/sub"
expect_exit 2 "train bad epochs" "$VERHM" train "$T/sub" --out "$T/m.safetensors" --epochs zero
expect_exit 1 "train unknown arch" "$VERHM" train "$T/sub" --out "$T/m.safetensors" --arch resnet-9000
expect_exit 1 "train missing data" "$VERHM" train "$T/nope" --out "$T/m.safetensors"
mkdir -p "$T/empty"
expect_exit 1 "train empty data" "$VERHM" train "$T/empty" --out "$T/m.safetensors"
check "no partial model after failures" test ! -e "$T/m.safetensors"

expect_exit 0 "train 1 epoch" "$VERHM" train "$T/sub" --val "$T/val" --out "$T/m.safetensors" --arch fer-fast \
  --width 8 --epochs 1 --batch 32 --augment --seed 3 --threads 2 --labels-out "$T/labels.txt" --json
check "train json" python3 -c "import json,sys; d=json.load(open('$T/out')); assert d['epochs']==1 and d['val_examples']>0 and 0<=d['val_accuracy']<=1"
check "model written" test -s "$T/m.safetensors"
check "checkpoint written" test -s "$T/m.safetensors.ckpt"
check "labels written" test "$(wc -l < "$T/labels.txt")" -eq 8

expect_exit 0 "resume to 2 epochs" "$VERHM" train "$T/sub" --val "$T/val" --out "$T/m2.safetensors" --arch fer-fast \
  --width 8 --epochs 2 --batch 32 --augment --seed 3 --threads 2 --resume "$T/m.safetensors.ckpt" \
  --checkpoint "$T/m2.ckpt" --json
check "resumed run did 2 epochs" python3 -c "import json; assert json.load(open('$T/out'))['epochs']==2"

# fine-tune the backbone on a <Label>/ folder with other labels (new head)
mkdir -p "$T/poi/Happy" "$T/poi/Worried"
awk -F, '$4>=6{print $1}' "$T/sub/label.csv" | head -12 | while read -r f; do cp "$T/sub/$f" "$T/poi/Happy/"; done
awk -F, '$7>=4||$10>=4{print $1}' "$T/sub/label.csv" | head -12 | while read -r f; do cp "$T/sub/$f" "$T/poi/Worried/"; done
expect_exit 0 "fine-tune --from" "$VERHM" train "$T/poi" --from "$T/m.safetensors" --out "$T/ft.safetensors" \
  --epochs 1 --batch 8 --seed 3 --threads 2 --json
check "fine-tuned labels" python3 -c "import json; d=json.load(open('$T/out')); assert d['labels']==['Happy','Worried'], d['labels']"

expect_exit 0 "eval json" "$VERHM" eval "$T/m.safetensors" "$T/val" --json
check "eval json fields" python3 -c "
import json; d=json.load(open('$T/out'))
assert len(d['labels'])==8 and len(d['confusion'])==8 and all(len(r)==8 for r in d['confusion'])
assert sum(map(sum,d['confusion']))==d['n'] and 0<=d['accuracy']<=1
assert set(d['per_class'])==set(d['labels']) and all(k in d['per_class']['happiness'] for k in ('precision','recall','f1','support'))
assert abs(d['accuracy'] - sum(d['confusion'][i][i] for i in range(8))/d['n']) < 1e-6"
expect_exit 0 "eval text" "$VERHM" eval "$T/m.safetensors" "$T/val"

img1="$T/val/$(head -1 "$T/val/label.csv" | cut -d, -f1)"
ffmpeg -loglevel error -y -i "$img1" -vf scale=97:120,format=rgb24 "$T/big.jpg"
check "colour test image made" test -s "$T/big.jpg"
expect_exit 0 "classify json" "$VERHM" classify "$T/m.safetensors" "$img1" "$T/big.jpg" --top 2 --json
check "classify json fields" python3 -c "
import json; d=json.load(open('$T/out'))
assert len(d)==2 and all(len(x['top'])==2 for x in d)
assert all(abs(sum(x['probs'].values())-1)<1e-4 for x in d) and d[0]['label']==d[0]['top'][0]['label']"
expect_exit 0 "classify text" "$VERHM" classify "$T/m.safetensors" "$img1"

# bad inputs: one line, exit 1
head -c 100 "$T/m.safetensors" > "$T/trunc.safetensors"
expect_exit 1 "classify truncated model" "$VERHM" classify "$T/trunc.safetensors" "$img1"
printf 'not a model at all' > "$T/junk.safetensors"
expect_exit 1 "eval junk model" "$VERHM" eval "$T/junk.safetensors" "$T/val"
expect_exit 1 "classify missing model" "$VERHM" classify "$T/none.safetensors" "$img1"
printf 'garbage' > "$T/bad.png"
expect_exit 1 "classify corrupt image" "$VERHM" classify "$T/m.safetensors" "$T/bad.png"
ffmpeg -loglevel error -y -f lavfi -i color=black:s=4x4 -frames:v 1 "$T/tiny.png"
check "tiny test image made" test -s "$T/tiny.png"
expect_exit 1 "classify tiny image" "$VERHM" classify "$T/m.safetensors" "$T/tiny.png"
check "one-line message" test "$(wc -l < "$T/err")" -eq 1
expect_exit 2 "classify without image" "$VERHM" classify "$T/m.safetensors"
expect_exit 1 "eval empty data" "$VERHM" eval "$T/m.safetensors" "$T/empty"
finish
