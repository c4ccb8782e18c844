#!/usr/bin/env bash
# The HTML report of simulated weeks renders in headless Chromium at phone
# width: not blank, all SVG charts in the DOM, no console errors.
source "$(dirname "$0")/cli_lib.sh"
export VERHM_DB="$T/store.db"
unset VERHM_PASSPHRASE
expect_exit 0 "demo weeks" "$VERHM" monitor demo --person p7
expect_exit 0 "report" "$VERHM" monitor report --person p7 --out "$T/report.html"
bash "$(dirname "$0")/report_check.sh" "$T/report.html" "$T" >"$T/check.out" 2>&1; rc=$?
cat "$T/check.out"
if [ "$rc" -eq 77 ]; then echo "skipped: no chromium"; exit 77; fi
check "report renders in chromium" [ "$rc" -eq 0 ]
# a store with a single session and no questionnaires still renders
export VERHM_DB="$T/one.db"
expect_exit 0 "tiny demo" "$VERHM" monitor demo --person p1 --days 1
expect_exit 0 "tiny report" "$VERHM" monitor report --person p1 --out "$T/one.html"
mkdir -p "$T/one"
MIN_SVG=4 bash "$(dirname "$0")/report_check.sh" "$T/one.html" "$T/one" >"$T/check.out" 2>&1; rc=$?
cat "$T/check.out"
check "one-day report renders" [ "$rc" -eq 0 ]
finish
