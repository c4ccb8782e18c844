#!/usr/bin/env bash
# verhm eval on a lip-sync model: the shipped model on FaceGood clip 1114_3_15
# prints per-channel r and MAE (null r where the truth is constant), the number
# of channels whose truth varies, their mean r and MAE, and the lip-vertex
# error; train-lipsync rejects bad options with exit 2.
source "$(dirname "$0")/cli_lib.sh"
need_data
[ -f "$DATA/lipsync/facegood/1114_3_15.csv" ] || { echo "skipped: FaceGood clip missing"; exit 77; }
src=$(cd "$DATA/lipsync/facegood" && pwd)
model=$(dirname "$0")/../models/lipsync.safetensors
mkdir "$T/held"; ln -s "$src/1114_3_15.flac" "$src/1114_3_15.csv" "$T/held/"
expect_exit 0 "eval --json" "$VERHM" eval "$model" "$T/held" --json
j=$T/out
check "1472 frames" grep -q '"frames":1472' "$j"
check "jawOpen r is null (constant truth)" grep -q '"jawOpen":null' "$j"
check "8 channels vary in 1114_3_15" grep -q '"varying_channels":8' "$j"
check "mean r and MAE in range" /usr/bin/env python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
d = [v for v in r["pearson"].values() if v is not None]
assert len(d) == r["varying_channels"] and abs(sum(d) / len(d) - r["mean_pearson"]) < 1e-6
assert -1 <= r["mean_pearson"] <= 1 and 0 < r["mean_mae"] < 0.5 and 0 < r["lve_mm"] < 20' "$j"
expect_exit 2 "train-lipsync --norm bad" "$VERHM" train-lipsync "$src" --out "$T/m.safetensors" --norm bogus
expect_exit 2 "train-lipsync --ahead 11 (over 100 ms)" "$VERHM" train-lipsync "$src" --out "$T/m.safetensors" --ahead 11
check "no model left" test ! -e "$T/m.safetensors"
finish
