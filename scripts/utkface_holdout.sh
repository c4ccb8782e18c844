#!/usr/bin/env bash
# Makes a folder of symbolic links to the UTKFace images the age-gender model
# never trained on (the 15 % validation split, chosen by FNV-1a of the file
# name, as src/affect/agegender.c does), for `verhm eval`.
# usage: scripts/utkface_holdout.sh UTKFACE_DIR OUT_DIR
set -euo pipefail
src=$(cd "${1:?usage: utkface_holdout.sh UTKFACE_DIR OUT_DIR}" && pwd); out=${2:?OUT_DIR}
mkdir -p "$out"
python3 - "$src" "$out" <<'P'
import os, sys
src, out = sys.argv[1], sys.argv[2]
n = 0
for f in sorted(os.listdir(src)):
    h = 2166136261
    for c in f.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    if h % 10000 < 1500:
        os.symlink(os.path.join(src, f), os.path.join(out, f)); n += 1
print(f"{n} held-out images linked in {out}")
P
