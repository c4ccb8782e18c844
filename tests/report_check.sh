#!/usr/bin/env bash
# report_check.sh REPORT.html WORKDIR — opens the report in headless Chromium at
# phone width and checks that it renders: the screenshot is not blank (many
# distinct colours, enough non-white pixels), the DOM holds the SVG charts, and
# the console shows no errors. Exit 0 ok, 1 failed, 77 no chromium (not under CI).
set -u
html=$(readlink -f "$1"); work=$2
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: chromium missing under CI"; exit 1; fi
  echo "skipped: no chromium"; exit 77
fi
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --user-data-dir="$work/profile" --enable-logging=stderr --v=0)
timeout 120 "$CHROME" "${flags[@]}" --window-size=390,2400 --screenshot="$work/shot.png" "file://$html" \
  >"$work/chrome.out" 2>"$work/chrome.log" || { echo "chromium failed: $(tail -3 "$work/chrome.log")"; exit 1; }
timeout 120 "$CHROME" "${flags[@]}" --dump-dom "file://$html" >"$work/dom.html" 2>"$work/chrome2.log" \
  || { echo "chromium --dump-dom failed"; exit 1; }
fail=0
if grep -E "CONSOLE|Uncaught|Failed to load resource|file://.*net::ERR_" "$work/chrome.log" "$work/chrome2.log"; then
  echo "console errors (above)"; fail=1
fi
nsvg=$(grep -o "<svg" "$work/dom.html" | wc -l)
[ "$nsvg" -ge "${MIN_SVG:-8}" ] || { echo "only $nsvg SVG charts in the DOM"; fail=1; }
[ -s "$work/shot.png" ] || { echo "no screenshot"; exit 1; }
# decode the PNG with ffmpeg and count colours / non-white pixels (stdlib python only)
ffmpeg -v error -y -i "$work/shot.png" -f rawvideo -pix_fmt rgb24 "$work/shot.rgb" \
  || { echo "cannot decode screenshot"; exit 1; }
stats=$(python3 - "$work/shot.rgb" <<'P'
import sys
d = open(sys.argv[1], "rb").read()
px = [d[i:i + 3] for i in range(0, len(d) - 2, 3)]
colours = len(set(px))
nonwhite = sum(1 for p in px if p[0] < 235 or p[1] < 235 or p[2] < 235)
print(colours, nonwhite, len(px))
P
)
read -r colours nonwhite total <<<"$stats"
echo "screenshot: $colours colours, $nonwhite of $total pixels not white, $nsvg svg"
[ "$colours" -ge 50 ] || { echo "screenshot looks blank ($colours colours)"; fail=1; }
[ "$nonwhite" -ge $((total / 20)) ] || { echo "screenshot mostly white"; fail=1; }
exit $fail
