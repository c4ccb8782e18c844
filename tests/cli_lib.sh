# Shared helpers for tests/cli_*.sh (sourced; not a test itself).
# $VERHM is the program under test; every test works in a fresh temp dir.
set -u
VERHM=${VERHM:-$1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PASS=0; FAIL=0
ok()   { PASS=$((PASS+1)); echo "ok   $1"; }
bad()  { FAIL=$((FAIL+1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# expect_exit CODE NAME CMD...: runs CMD, checks exit status and (for 1) one stderr line.
expect_exit() {
  local code=$1 name=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  if [ "$rc" -ne "$code" ]; then bad "$name (exit $rc, want $code: $(head -c 300 "$T/err"))"; return; fi
  if [ "$code" -eq 1 ] && [ "$(wc -l <"$T/err")" -lt 1 ]; then bad "$name (no message)"; return; fi
  ok "$name"
}
need_data() {
  DATA=${VERHM_DATA:-../shared/data}
  if [ ! -d "$DATA" ]; then
    if [ "${CI:-}" = true ]; then echo "FAIL: data directory $DATA missing under CI"; exit 1; fi
    echo "skipped: no data"; exit 77
  fi
}
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; exit $?; }
