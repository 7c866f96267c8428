# lib.sh — helpers for command-line tests: each check prints "ok NAME" or
# "FAIL NAME" with what went wrong; the file ends by printing "done".
GINV=${GINV:-build/ginv}
# absolute, so checks that cd elsewhere run the same binary
[[ $GINV == */* && $GINV != /* ]] && GINV=$PWD/$GINV
TMP=$(mktemp -d /tmp/ginv-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

# expect_error NAME EXIT_CODE SUBSTRING -- command...: must exit with the code,
# print one error line containing SUBSTRING on stderr, and not crash.
expect_error() {
    local name=$1 code=$2 sub=$3
    shift 4
    local err rc
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    if [[ $rc -ne $code ]]; then fail "$name" "exit $rc, expected $code ($err)"; return; fi
    if [[ "$err" != *"$sub"* ]]; then fail "$name" "stderr '$err' lacks '$sub'"; return; fi
    ok "$name"
}

# expect_ok NAME -- command...: must exit 0.
expect_ok() {
    local name=$1
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [[ $rc -ne 0 ]]; then fail "$name" "exit $rc: $out"; return; fi
    ok "$name"
}

# check NAME CONDITION-COMMAND...
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name" "condition failed: $*"; fi
}
