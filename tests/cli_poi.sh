#!/bin/bash
# verhm poi: import/suggest/train/eval/recommend end to end, and bad input
# (exit 1 with one stderr line, nothing left behind) and usage errors (exit 2).
source "$(dirname "$0")/cli_lib.sh"
export XDG_DATA_HOME="$T/xdg"
one_line() { [ "$(wc -l <"$T/err")" -eq 1 ]; }
no_file() { [ ! -e "$1" ]; }

# --- hand-written inputs
cat >"$T/ok.geojson" <<'J'
{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[24.95,60.17]},"properties":{"@type":"node","@id":1,"name":"Cafe A","amenity":"cafe"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[24.951,60.171]},"properties":{"@type":"node","@id":2,"name":"Bar B","amenity":"bar","opening_hours":"Mo-Su 18:00-02:00"}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[24.94,60.16],[24.945,60.16],[24.945,60.165],[24.94,60.16]]]},"properties":{"@type":"way","@id":3,"name":"Park C","leisure":"park"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[24.96,60.18]},"properties":{"@type":"node","@id":4,"name":"Museum D","tourism":"museum","opening_hours":"Tu-Su 10:00-17:00"}}]}
J
echo '{"type":"FeatureCollection","features":[' >"$T/broken.geojson"
echo '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"amenity":"cafe"}}]}' >"$T/nogeom.geojson"
echo '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,91.5]},"properties":{"amenity":"cafe"}}]}' >"$T/range.geojson"
echo '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,60.1]},"properties":{"amenity":"bench"}}]}' >"$T/benches.geojson"
echo '{"type":"FeatureCollection","features":[]}' >"$T/empty.geojson"

expect_exit 0 "poi --help" "$VERHM" poi --help
expect_exit 2 "poi without subcommand" "$VERHM" poi
expect_exit 2 "poi unknown subcommand" "$VERHM" poi frobnicate
expect_exit 2 "import without file" "$VERHM" poi import
expect_exit 2 "suggest without --emotion" "$VERHM" poi suggest --at 60.17,24.95 --catalog "$T/ok.geojson"
expect_exit 2 "suggest -n 0" "$VERHM" poi suggest --emotion Sad --at 60.17,24.95 -n 0
expect_exit 2 "suggest bad option" "$VERHM" poi suggest --emotion Sad --at 60.17,24.95 --bogus

expect_exit 0 "import to --out" "$VERHM" poi import "$T/ok.geojson" --out "$T/cat.json"
check "import counts four places" grep -q "imported 4 places" "$T/out"
expect_exit 0 "import to default location" "$VERHM" poi import "$T/ok.geojson"
check "default catalog under XDG_DATA_HOME" test -s "$T/xdg/verhm/catalog.json"

for f in broken nogeom range benches empty; do
  expect_exit 1 "import $f.geojson fails" "$VERHM" poi import "$T/$f.geojson" --out "$T/bad_$f.json"
  check "import $f.geojson: one line naming the file" bash -c "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q '$f.geojson' '$T/err'"
  check "import $f.geojson: no output left" no_file "$T/bad_$f.json"
done
expect_exit 1 "out-of-range names the problem" "$VERHM" poi import "$T/range.geojson" --out "$T/r.json"
check "out-of-range message" grep -q "out of range" "$T/err"
expect_exit 1 "import missing file" "$VERHM" poi import "$T/nope.geojson" --out "$T/x.json"
check "missing file: one line" one_line
expect_exit 0 "import --skip-invalid keeps good features" "$VERHM" poi import "$T/ok.geojson" "$T/nogeom.geojson" --skip-invalid --out "$T/lenient.json" --json
check "skip-invalid counts" grep -q '"invalid": 1' "$T/out"

expect_exit 1 "suggest unknown emotion" "$VERHM" poi suggest --catalog "$T/cat.json" --emotion Gloomy --at 60.17,24.95
check "unknown emotion: one line" one_line
check "unknown emotion: names the label" grep -q "Gloomy" "$T/err"
expect_exit 1 "suggest unknown age group" "$VERHM" poi suggest --catalog "$T/cat.json" --emotion Sad --age-group Toddler --at 60.17,24.95
expect_exit 1 "suggest bad --at" "$VERHM" poi suggest --catalog "$T/cat.json" --emotion Sad --at 95,24.95
expect_exit 1 "suggest bad --time" "$VERHM" poi suggest --catalog "$T/cat.json" --emotion Sad --at 60.17,24.95 --time 2026-02-30T10:00
expect_exit 1 "suggest missing catalog" "$VERHM" poi suggest --catalog "$T/none.json" --emotion Sad --at 60.17,24.95
check "missing catalog: one line" one_line
echo '{"format":"verhm-poi-catalog","version":1,"places":[]}' >"$T/emptycat.json"
expect_exit 1 "suggest empty catalog" "$VERHM" poi suggest --catalog "$T/emptycat.json" --emotion Sad --at 60.17,24.95
check "empty catalog: one line" one_line
expect_exit 1 "suggest on a GeoJSON without places" "$VERHM" poi suggest --catalog "$T/benches.geojson" --emotion Sad --at 60.17,24.95
printf 'Sad * * cafe:1\n' >"$T/rules.tsv"
expect_exit 1 "suggest with an incomplete rule table" "$VERHM" poi suggest --catalog "$T/cat.json" --rules "$T/rules.tsv" --emotion Sad --at 60.17,24.95
check "bad rules: one line" one_line

expect_exit 0 "suggest Sad" "$VERHM" poi suggest --catalog "$T/cat.json" --emotion sadness --gender female --at 60.17,24.95 --time 2026-11-27T20:00 -n 3
check "prototype sentence" grep -q "^You are Female, Adult and Sad. The recommended places are: Cafe A" "$T/out"
check "explanations" grep -q "why: cafe is a strong fit for Sad" "$T/out"
expect_exit 0 "suggest Excited --json" "$VERHM" poi suggest --catalog "$T/ok.geojson" --emotion Excited --at 60.171,24.951 --time 2026-11-27T20:00 --json
check "json: bar first and open" python3 -c "
import json,sys; d=json.load(open('$T/out')); s=d['suggestions']
assert s[0]['name']=='Bar B' and s[0]['open'] is True and s[0]['why'], s[0]
assert d['state']['emotion']=='Excited'"

# --- check-ins: a tiny log
printf 'poi,lat,lon\n1,40.0,-74.0\n2,40.01,-74.0\n3,40.02,-74.0\n' >"$T/pois.csv"
{ echo user,poi,minute; for u in 1 2 3 4; do for d in 0 1 2; do echo "$u,1,$((d*1440+480))"; echo "$u,2,$((d*1440+540))"; echo "$u,3,$((d*1440+600))"; done; done; } >"$T/ck.csv"
expect_exit 0 "train" "$VERHM" poi train --checkins "$T/ck.csv" --pois "$T/pois.csv" --out "$T/m.vhcf"
check "model written" test -s "$T/m.vhcf"
expect_exit 0 "recommend" "$VERHM" poi recommend --model "$T/m.vhcf" --history 2@540 -n 2 --json
check "recommend: the office again, then the gym that follows it" python3 -c "import json; assert [x['poi'] for x in json.load(open('$T/out'))] == [2, 3]"
printf 'id,name,lat,lon,category\n1,Home cafe,40.0,-74.0,cafe\n2,Office cafe,40.0,-74.0,cafe\n3,Gym cafe,40.0,-74.0,cafe\n' >"$T/nyc_cat.csv"
expect_exit 0 "suggest with a visit history" "$VERHM" poi suggest --catalog "$T/nyc_cat.csv" --model "$T/m.vhcf" --history 2@540 --emotion Sad --at 40,-74 --json
check "history lifts the usual place and explains it" python3 -c "
import json; s=json.load(open('$T/out'))['suggestions']
assert s[0]['name']=='Office cafe' and 'visit history' in s[0]['why'], s[0]"
expect_exit 2 "suggest --model without --history" "$VERHM" poi suggest --catalog "$T/nyc_cat.csv" --model "$T/m.vhcf" --emotion Sad --at 40,-74
expect_exit 1 "suggest with a history unknown to the model" "$VERHM" poi suggest --catalog "$T/nyc_cat.csv" --model "$T/m.vhcf" --history 99 --emotion Sad --at 40,-74
check "unknown history: one line" one_line
expect_exit 1 "recommend unknown place" "$VERHM" poi recommend --model "$T/m.vhcf" --history 99
check "unknown place: one line" one_line
expect_exit 1 "recommend with a corrupt model" "$VERHM" poi recommend --model "$T/ck.csv" --history 1
expect_exit 2 "train without --out" "$VERHM" poi train --checkins "$T/ck.csv" --pois "$T/pois.csv"
printf 'user,poi,minute\n1,7,0\n' >"$T/badck.csv"
expect_exit 1 "train on check-ins at unknown places" "$VERHM" poi train --checkins "$T/badck.csv" --pois "$T/pois.csv" --out "$T/m2.vhcf"
check "bad check-ins: one line naming file:line" bash -c "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'badck.csv:2' '$T/err'"
check "bad check-ins: no model left" no_file "$T/m2.vhcf"
expect_exit 0 "eval --json on the tiny log" "$VERHM" poi eval --checkins "$T/ck.csv" --pois "$T/pois.csv" --json
check "eval json fields" python3 -c "
import json; d=json.load(open('$T/out'))
for k in ('hr10','ndcg10'): assert 0 <= d[k] <= 1
for b in ('popularity','distance'): assert 'hr10' in d['baselines'][b] and 'ndcg10' in d['baselines'][b]"

# --- real data
need_data
expect_exit 0 "suggest on the Helsinki extract" "$VERHM" poi suggest --catalog "$DATA/poi/helsinki.geojson" --emotion Bored --age-group Senior --at 60.1695,24.9525 --time 2026-11-27T15:00 -n 6 --json
check "Helsinki: varied categories" python3 -c "
import json; s=json.load(open('$T/out'))['suggestions']
assert len(s)==6 and len({x['category'] for x in s})>=4, s"
finish
