#!/usr/bin/env bash
# bench/monitor/run.sh VERHM [DAYS] — timings of the monitoring store on this machine:
# simulated import (library path), CLI import of result files, trends/alerts, report,
# exports, erase; plain and SQLCipher-encrypted. Prints one line per measurement.
set -euo pipefail
V=$(readlink -f "${1:?usage: run.sh path/to/verhm [days]}")
DAYS=${2:-365}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'; }
line() { printf '%-58s %8.3f s\n' "$1" "$2"; }
for mode in plain encrypted; do
  export VERHM_DB="$W/$mode.db"
  if [ $mode = encrypted ]; then export VERHM_PASSPHRASE="bench passphrase"; else unset VERHM_PASSPHRASE; fi
  s=$(t "$V" monitor demo --person b1 --days "$DAYS")
  n=$("$V" monitor list --json | grep -o '"sessions": [0-9]*' | grep -o '[0-9]*$')
  line "$mode: demo $DAYS days ($n sessions, 30 windows avg)" "$s"
  awk -v s="$s" -v n="$n" 'BEGIN { printf "%-58s %8.1f /s\n", "'$mode': sessions stored per second (library path)", n / s }'
  line "$mode: alerts (trends + rule evaluation)" "$(t "$V" monitor alerts --person b1)"
  line "$mode: report (HTML)" "$(t "$V" monitor report --person b1 --out "$W/r.html")"
  line "$mode: export --csv (per window)" "$(t "$V" monitor export --person b1 --csv --out "$W/w.csv")"
  line "$mode: export --fhir" "$(t "$V" monitor export --person b1 --fhir --out "$W/f.json")"
  line "$mode: list (open + read)" "$(t "$V" monitor list)"
  line "$mode: erase + VACUUM" "$(t "$V" monitor erase --person b1 --yes)"
done
# CLI import of separate result files (process start + parse + one transaction each)
unset VERHM_PASSPHRASE
export VERHM_DB="$W/files.db"
python3 - "$W/res" <<'P'
import json, os, random, sys
random.seed(1)
os.makedirs(sys.argv[1])
labels = ["neutral","happiness","surprise","sadness","anger","disgust","fear","contempt"]
for i in range(200):
    ws = []
    for k in range(120):
        p = [random.random() for _ in labels]; s = sum(p)
        ws.append({"t": k * 0.5, "dur": 0.5, "probs": [round(x / s, 5) for x in p]})
    doc = {"kind": "face", "started_at": "2026-01-%02dT10:%02d:00Z" % (1 + i % 28, i % 60),
           "labels": labels, "windows": ws}
    json.dump(doc, open(os.path.join(sys.argv[1], "r%03d.json" % i), "w"))
P
line "CLI: import 200 files x 120 windows, one command" "$(t "$V" monitor import --person f1 "$W"/res/*.json)"
rm -f "$W"/files.db*
s=$(date +%s.%N); for f in "$W"/res/*.json; do "$V" monitor import --person f1 "$f" >/dev/null; done; e=$(date +%s.%N)
line "CLI: import 200 files x 120 windows, one command each" "$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')"
