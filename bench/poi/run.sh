#!/bin/bash
# Times `verhm poi` import / suggest / train / eval on the shared data and checks
# the eval metric code against a NumPy implementation of the same baselines.
# usage: bench/poi/run.sh [VERHM_BINARY]   (default: build/verhm)
# Needs hyperfine and python3-numpy; results go to stdout (see docs/bench-poi.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VERHM=${1:-$here/../../build/verhm}
DATA=${VERHM_DATA:-$here/../../../shared/data}
export VERHM_DATA=$DATA
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# verhm: $VERHM ($("$VERHM" --version))"
"$VERHM" poi import "$DATA/poi/helsinki.geojson" --out "$W/hel.json" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-markdown "$W/t1.md" \
  -n "import helsinki.geojson (1,762 features)" "$VERHM poi import $DATA/poi/helsinki.geojson --out $W/h2.json" \
  -n "suggest from catalog (790 places)" "$VERHM poi suggest --catalog $W/hel.json --emotion Sad --at 60.1695,24.9525 --time 2026-11-27T15:00 -n 10 --json" \
  -n "suggest straight from GeoJSON" "$VERHM poi suggest --catalog $DATA/poi/helsinki.geojson --emotion Sad --at 60.1695,24.9525 --time 2026-11-27T15:00 -n 10 --json" >/dev/null
cat "$W/t1.md"
hyperfine -N --warmup 1 --runs 5 --export-markdown "$W/t2.md" \
  -n "train co-visitation (147,938 check-ins)" "$VERHM poi train --out $W/m.vhcf" \
  -n "eval: 4 recommenders, leave-last-out (BPR 30 epochs)" "$VERHM poi eval --json" >/dev/null
cat "$W/t2.md"
echo
"$VERHM" poi eval
"$VERHM" poi eval --exclude-visited
"$VERHM" poi eval --json >"$W/eval.json"
echo
echo "# NumPy reference of the baselines (popularity, distance) vs verhm poi eval --json"
$PY "$here/popularity_ref.py" "$DATA/poi/nyc_checkins.csv" "$DATA/poi/nyc_pois.csv" "$W/eval.json"
