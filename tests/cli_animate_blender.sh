#!/usr/bin/env bash
# The .glb of `verhm animate --glb` imports into Blender (Debian's blender 3.4):
# one mesh, shape keys named after the ARKit shapes, an animated action with
# one keyframe per frame. Skipped when blender is not installed.
source "$(dirname "$0")/cli_lib.sh"
for tool in blender espeak-ng; do
  command -v $tool >/dev/null || { echo "skipped: $tool missing"; exit 77; }
done
here=$(cd "$(dirname "$0")/.." && pwd)
espeak-ng -w "$T/s.wav" "Maybe a bottle of milk." 2>/dev/null
expect_exit 0 "animate --glb" "$VERHM" animate "$T/s.wav" --no-video --glb "$T/f.glb" --csv "$T/f.csv" --emotion surprise
frames=$(( $(wc -l <"$T/f.csv") - 1 ))
blender -b --factory-startup --python "$here/scripts/check_glb_blender.py" -- "$T/f.glb" "$frames" >"$T/bl.log" 2>&1
rc=$?
check "blender imports the glb (rc $rc: $(grep '^{' "$T/bl.log" | head -c 200))" [ "$rc" -eq 0 ]
check "jawOpen is a shape key" grep -q "\"jawOpen\"" "$T/bl.log"
check "keyframes = frames ($frames)" grep -q "\"keyframes\": $frames," "$T/bl.log"
# A damaged glb is refused by Blender's importer (the check script reports it).
head -c 2000 "$T/f.glb" >"$T/cut.glb"
blender -b --factory-startup --python "$here/scripts/check_glb_blender.py" -- "$T/cut.glb" >"$T/bl2.log" 2>&1
check "truncated glb fails the check" [ $? -ne 0 ]
finish
