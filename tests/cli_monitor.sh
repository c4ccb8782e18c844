#!/usr/bin/env bash
# verhm monitor end to end: usage errors, record without analysis, import
# (validation, duplicates), surveys (answers, piped terminal input, safety
# message), list, alerts, report, exports, encryption, full disk, erase.
source "$(dirname "$0")/cli_lib.sh"
export VERHM_DB="$T/store.db"
unset VERHM_PASSPHRASE
M() { "$VERHM" monitor "$@"; }
PY=$(command -v /usr/bin/python3 || command -v python3)

expect_exit 0 "help" M --help
expect_exit 2 "no subcommand" "$VERHM" monitor
expect_exit 2 "unknown subcommand" M frobnicate
expect_exit 2 "import needs --person" M import x.json
expect_exit 2 "survey needs an instrument" M survey --person p1
expect_exit 2 "unknown questionnaire" M survey --person p1 bdi2 --answers 0
expect_exit 2 "export needs a format" M export --person p1
expect_exit 2 "erase needs --yes" M erase --person p1
expect_exit 1 "list without a store" M list
check "no store was created by list" test ! -e "$VERHM_DB"

# record: a file that is not media fails with one line naming it, storing nothing
echo "fake" >"$T/clip.mp4"
M record --person p1 "$T/clip.mp4" >"$T/out" 2>"$T/err"; rc=$?
check "record of a non-media file fails" [ "$rc" -eq 1 ]
check "record message names the file" grep -q "clip.mp4" "$T/err"
check "record message is one line" [ "$(wc -l <"$T/err")" -eq 1 ]
# record a real clip (runs the face analysis with the shipped models)
DATA=${VERHM_DATA:-../shared/data}
if [ -d "$DATA/video/grid" ]; then
  M record --person rec1 "$DATA/video/grid/bbaf2n.mpg" >"$T/out" 2>"$T/err"; rc=$?
  check "record a GRID clip (exit $rc: $(head -c 200 "$T/err"))" [ "$rc" -eq 0 ]
  M list --person rec1 >"$T/out" 2>&1
  check "record stored a face session" grep -q " face " "$T/out"
  M erase --person rec1 --yes >/dev/null 2>&1
elif [ "${CI:-}" = true ]; then
  bad "record: $DATA missing under CI"
fi

# import
cat >"$T/face.json" <<'J'
{"kind":"face","source":"a.mp4","started_at":"2026-03-02T09:30:00+01:00","duration":4,
 "labels":["neutral","happiness","surprise","sadness","anger","disgust","fear","contempt"],
 "windows":[{"t":0,"dur":2,"probs":[0.1,0.8,0.1,0,0,0,0,0]},{"t":2,"dur":2,"probs":[0.2,0.6,0,0.2,0,0,0,0]}],
 "summary":{"dominant":"happiness"}}
J
expect_exit 0 "import" M import --person p1 "$T/face.json"
check "store created" test -s "$VERHM_DB"
expect_exit 1 "duplicate import" M import --person p1 "$T/face.json"
check "duplicate message" grep -q "already imported" "$T/err"
expect_exit 0 "duplicate skipped" M import --person p1 --skip-existing "$T/face.json"
echo '{"kind":"face","labels":["neutral"],"windows":[{"t":0,"probs":[2]}]}' >"$T/bad.json"
expect_exit 1 "malformed result" M import --person p1 "$T/bad.json"
check "error names the file" grep -q "bad.json: windows\[0\]" "$T/err"
check "one error line" [ "$(wc -l <"$T/err")" -eq 1 ]
expect_exit 1 "bad person id" M import --person "../x" "$T/face.json"
expect_exit 1 "missing file" M import --person p1 "$T/nope.json"

# surveys
expect_exit 0 "survey from answers" M survey --person p1 phq9 --answers "1,1,1,1,1,1,1,1,0" --date 2026-03-01T20:00:00+01:00
check "survey score" grep -q "PHQ-9 total 8 of 27: mild range" "$T/out"
echo "0 1 0 1 0 1 0" >"$T/gad.txt"
expect_exit 0 "survey from file" M survey --person p1 gad7 --answers "$T/gad.txt" --json
check "survey json" grep -q '"total":3,"severity":"minimal"' "$T/out"
expect_exit 1 "wrong answer count" M survey --person p1 gad7 --answers "1,2"
printf '2\n7\n2\n2\n2\n2\n2\n2\n2\n0\n' | M survey --person p1 phq9 >"$T/out" 2>"$T/err"; rc=$?
check "piped survey" [ "$rc" -eq 0 ]
check "piped survey re-asks" grep -q "please type a single number from 0 to 3" "$T/out"
check "piped survey score" grep -q "PHQ-9 total 16 of 27: moderately severe range" "$T/out"
check "no safety box when item 9 is 0" bash -c "! grep -q '!!!!' '$T/out'"
printf '0\n1\n0\n1\n0\n1\n0\n' | M survey --person p1 gad7 --json >"$T/out" 2>"$T/err"; rc=$?
check "piped survey --json: stdout is only JSON" bash -c "'$PY' -m json.tool '$T/out' >/dev/null"
check "piped survey --json: questions on stderr" grep -q "Trouble relaxing" "$T/err"
printf '1\n1\n' | M survey --person p1 phq9 >"$T/out" 2>"$T/err"; rc=$?
check "cut-off survey fails" [ "$rc" -eq 1 ]
check "cut-off survey stores nothing" bash -c "[ \$('$VERHM' monitor list --person p1 --json | grep -c '\"instrument\"') -eq 4 ]"
printf 'phq9_item9\nsafety message="Call the Example Clinic line 0100 now."\n' >"$T/rules.conf"
expect_exit 0 "item 9 positive" M survey --person p1 phq9 --answers "0,0,0,0,0,0,0,0,2" --rules "$T/rules.conf"
check "safety box shown" grep -q "!!  Call the Example Clinic line 0100 now." "$T/out"
printf 'phq9 scor=1\n' >"$T/badrules.conf"
expect_exit 1 "bad rules file" M alerts --person p1 --rules "$T/badrules.conf"
check "rules error names line" grep -q "badrules.conf:1" "$T/err"

# simulated weeks -> alerts with evidence, report, exports
expect_exit 0 "demo" M demo --person p7 --seed 7
expect_exit 0 "list persons" M list --json
check "both persons listed" bash -c "grep -q '\"person\": \"p7\"' '$T/out' && grep -q '\"person\": \"p1\"' '$T/out'"
expect_exit 0 "alerts" M alerts --person p7 --json
check "alerts are JSON" bash -c "'$PY' -m json.tool '$T/out' >/dev/null"
check "negative_days alert with evidence" grep -q '"rule": "negative_days"' "$T/out"
check "alert wording" grep -q "mostly low moods on" "$T/out"
check "cusum alert" grep -q '"change_started"' "$T/out"
expect_exit 0 "report" M report --person p7 --out "$T/r.html"
check "report has charts" bash -c "[ \$(grep -o '<svg' '$T/r.html' | wc -l) -ge 8 ]"
check "report has no script" bash -c "! grep -q '<script' '$T/r.html'"
expect_exit 1 "report for unknown person" M report --person nobody --out "$T/nobody.html"
check "no partial report" test ! -e "$T/nobody.html"
expect_exit 0 "export csv" M export --person p7 --csv --out "$T/w.csv"
check "csv header" bash -c "head -1 '$T/w.csv' | grep -q '^session,modality,session_start,date,t,dur,p_neutral'"
check "csv rows" bash -c "[ \$(wc -l <'$T/w.csv') -gt 2000 ]"
expect_exit 0 "export csv days" M export --person p7 --csv-days --out "$T/d.csv"
check "daily rows" bash -c "[ \$(wc -l <'$T/d.csv') -ge 30 ]"
expect_exit 0 "export json" M export --person p7 --json --out "$T/e.json"
check "json valid" bash -c "'$PY' -m json.tool '$T/e.json' >/dev/null"
expect_exit 0 "export fhir" M export --person p7 --fhir --out "$T/f.json"
check "fhir valid" bash -c "'$PY' -m json.tool '$T/f.json' >/dev/null"
check "fhir bundle" grep -q '"type": "collection"' "$T/f.json"
check "fhir phq9 loinc" grep -q '"44261-6"' "$T/f.json"
expect_exit 0 "export to stdout" M export --person p1 --csv-days
check "export stdout rows" bash -c "[ \$(wc -l <'$T/out') -eq 2 ]"
expect_exit 0 "check" M check
expect_exit 0 "options before the subcommand" M --db "$VERHM_DB" --json list --person p1
expect_exit 2 "unknown option" M list --frobnicate
check "unknown option named" grep -q "frobnicate" "$T/err"

# full disk: the file-size limit stops a big import; what was stored stays
before=$(M list --person p1 --json | grep -c '"kind"')
"$PY" - "$T/big.json" <<'P'
import json, sys
w = [{"t": i * 0.5, "dur": 0.5, "probs": [0.5, 0.5]} for i in range(60000)]
json.dump({"kind": "voice", "labels": ["neutral", "sad"], "windows": w}, open(sys.argv[1], "w"))
P
bash -c "trap '' XFSZ; ulimit -f 600; exec \"$VERHM\" monitor import --person p1 '$T/big.json'" >"$T/out" 2>"$T/err"; rc=$?
check "full disk fails" [ "$rc" -eq 1 ]
check "full disk message" grep -q "no space left" "$T/err"
check "full disk keeps data" bash -c "[ \$('$VERHM' monitor list --person p1 --json | grep -c '\"kind\"') -eq $before ]"
expect_exit 0 "check after full disk" M check

# erase: nothing of p1 left in the files
check "p1 is in the file before erase" bash -c "cat '$VERHM_DB'* | grep -aq 'p1'"
expect_exit 0 "erase" M erase --person p7 --yes
check "erase reports rows" grep -q "erased p7:" "$T/out"
check "no trace of p7" bash -c "! cat '$VERHM_DB'* | grep -aq 'p7'"
expect_exit 1 "erase unknown" M erase --person p7 --yes
expect_exit 0 "p1 kept" M list --person p1

# encryption at rest
ENC="$T/enc.db"
expect_exit 0 "encrypted demo" env VERHM_PASSPHRASE="s3cret pass" "$VERHM" monitor demo --db "$ENC" --person secret-p9 --days 10
check "not a plain SQLite file" bash -c "[ \"\$(head -c 15 '$ENC')\" != 'SQLite format 3' ]"
check "no plaintext person id" bash -c "! cat '$ENC'* | grep -aq 'secret-p9'"
sum1=$(sha256sum "$ENC" | cut -d' ' -f1)
expect_exit 1 "no passphrase" M list --db "$ENC"
check "wrong key message" grep -q "enc.db: wrong passphrase or not a verhm store" "$T/err"
echo "wrong" >"$T/pw"
expect_exit 1 "wrong passphrase" M list --db "$ENC" --passphrase-file "$T/pw"
check "wrong key leaves file untouched" [ "$(sha256sum "$ENC" | cut -d' ' -f1)" = "$sum1" ]
echo "s3cret pass" >"$T/pw"
expect_exit 0 "right passphrase" M list --db "$ENC" --passphrase-file "$T/pw" --person secret-p9
expect_exit 2 "both passphrase options" M list --db "$ENC" --passphrase-file "$T/pw" --ask-passphrase
expect_exit 1 "ask without a terminal" setsid "$VERHM" monitor list --db "$ENC" --ask-passphrase

# on a real terminal (a pty): the passphrase prompt does not echo, the survey reads the terminal
cat >"$T/tty_check.py" <<'P'
import os, pty, select, sys
verhm, db = sys.argv[1], sys.argv[2]
def run(args, answers):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(verhm, [verhm, "monitor"] + args + ["--db", db])
    out, i = b"", 0
    while True:
        r, _, _ = select.select([fd], [], [], 20)
        if not r:
            os.kill(pid, 9); break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        while i < len(answers) and out.count(answers[i][0]) > sum(1 for a in answers[:i] if a[0] == answers[i][0]):
            os.write(fd, answers[i][1] + b"\n"); i += 1
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")
ok = True
def expect(name, cond):
    global ok
    print(("ok   " if cond else "FAIL ") + name); ok &= bool(cond)
rc, out = run(["demo", "--person", "tty1", "--days", "3", "--ask-passphrase"],
              [(b"Passphrase: ", b"tty secret 1"), (b"Repeat passphrase: ", b"tty secret 1")])
expect("pty: new encrypted store", rc == 0 and "stored" in out)
expect("pty: passphrase not echoed", "tty secret 1" not in out)
rc, out = run(["list", "--ask-passphrase"], [(b"Passphrase: ", b"not it")])
expect("pty: wrong passphrase", rc == 1 and "wrong passphrase or not a verhm store" in out)
rc, out = run(["survey", "--person", "tty1", "gad7", "--ask-passphrase"],
              [(b"answer 0-3: ", x) for x in (b"1", b"x", b"2", b"0", b"1", b"0", b"3", b"1")] +
              [(b"Passphrase: ", b"tty secret 1")])
expect("pty: interactive survey", rc == 0 and "GAD-7 total 8 of 21: mild range" in out)
expect("pty: invalid answer re-asked", "please type a single number from 0 to 3" in out)
sys.exit(0 if ok else 1)
P
if "$PY" "$T/tty_check.py" "$VERHM" "$T/tty.db" >"$T/pty.out" 2>&1; then ok "terminal (pty) checks"; else bad "terminal (pty) checks"; fi
cat "$T/pty.out"

# a pipeline: import from stdin
echo '{"kind":"voice","labels":["calm","sad"],"windows":[{"t":0,"probs":[0.9,0.1]}]}' \
  | "$VERHM" monitor import --person p1 - >"$T/out" 2>"$T/err"
check "import from stdin" grep -q "stored session" "$T/out"
finish
