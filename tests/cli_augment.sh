#!/usr/bin/env bash
# verhm augment on a small FER+ sample: counts, suffixes, idempotence, originals untouched.
source "$(dirname "$0")/cli_lib.sh"
need_data
SRC="$DATA/faces/ferplus/valid"
mkdir -p "$T/set/happy" "$T/set/sad"
for f in $(ls "$SRC" | grep '\.png$' | head -12); do cp "$SRC/$f" "$T/set/happy/"; done
for f in $(ls "$SRC" | grep '\.png$' | sed -n 13,24p); do cp "$SRC/$f" "$T/set/sad/"; done
(cd "$T/set" && find . -type f | sort | xargs md5sum) >"$T/orig.md5"

expect_exit 0 help "$VERHM" augment --help
expect_exit 0 first_run "$VERHM" augment "$T/set" --per-image 3 --seed 7
cp "$T/out" "$T/run1.txt"
nface=$(find "$T/set" -name '*.face.png' | wc -l)
naug=$(find "$T/set" -name '*.aug[0-9][0-9].png' | wc -l)
nnoface=$(grep -c '^no face: ' "$T/run1.txt")
check some_faces test "$nface" -ge 10
check counts_add_up test $((nface + nnoface)) -eq 24
check three_variants_per_face test "$naug" -eq $((3 * nface))
check summary_line grep -q "24 images: $nface with a face, $nnoface without; 0 unreadable; $((4 * nface)) new files" "$T/run1.txt"
check beside_originals test "$(find "$T/set/sad" -name '*.face.png' | wc -l)" -ge 1
check crops_are_48_gray python3 -c '
import struct, sys, glob
for p in glob.glob(sys.argv[1] + "/*/*.face.png") + glob.glob(sys.argv[1] + "/*/*.aug01.png"):
    d = open(p, "rb").read(33)
    w, h, depth, ctype = struct.unpack(">IIBB", d[16:26])
    assert (w, h, ctype) == (48, 48, 0), (p, w, h, ctype)
' "$T/set"
check originals_unchanged bash -c "cd '$T/set' && md5sum --quiet -c '$T/orig.md5'"
find "$T/set" -type f | sort | xargs md5sum >"$T/after1.md5"

expect_exit 0 second_run "$VERHM" augment "$T/set" --per-image 3 --seed 7
check second_run_adds_nothing grep -q "0 new files" "$T/out"
check second_run_same_inputs grep -q "^24 images" "$T/out"
find "$T/set" -type f | sort | xargs md5sum >"$T/after2.md5"
check second_run_rewrites_nothing cmp -s "$T/after1.md5" "$T/after2.md5"

# deterministic: the same seed gives the same files in a fresh copy
mkdir -p "$T/copy/happy"
cp "$SRC/$(ls "$SRC" | grep '\.png$' | head -1)" "$T/copy/happy/"
expect_exit 0 fresh_copy "$VERHM" augment "$T/copy" --per-image 3 --seed 7
b=$(ls "$T/copy/happy" | grep aug01 | head -1)
if [ -n "$b" ]; then check same_seed_same_output cmp -s "$T/copy/happy/$b" "$T/set/happy/$b"; fi

mkdir -p "$T/empty"
expect_exit 1 empty_dir "$VERHM" augment "$T/empty"
check empty_dir_one_line test "$(wc -l <"$T/err")" -eq 1
expect_exit 1 not_a_dir "$VERHM" augment "$T/nope"
expect_exit 2 bad_size "$VERHM" augment "$T/set" --size 0
expect_exit 2 no_dir "$VERHM" augment
finish
