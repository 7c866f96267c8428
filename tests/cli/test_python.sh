#!/usr/bin/env bash
# test_python.sh — the Python module's tests (python/tests, pytest under
# Debian's /usr/bin/python3) against this build's libginv.so.0 and ginv: one
# "ok"/"FAIL" line per pytest test. Skipped for sanitizer builds (an ASan
# library cannot be loaded into an uninstrumented Python).
source "$(dirname "$0")/lib.sh"
B=$(dirname "$GINV")
if ldd "$GINV" 2>/dev/null | grep -q libasan; then
    echo "SKIP python module tests (sanitizer build)"
elif ! /usr/bin/python3 -c 'import numpy, pytest' 2>/dev/null; then
    fail python_module "numpy or pytest missing under /usr/bin/python3 (scripts/deps.sh installs python3-numpy python3-pytest)"
else
    out=$(GINV_LIBRARY="$(cd "$B" && pwd)/libginv.so.0" GINV_CLI="$(cd "$B" && pwd)/ginv" PYTHONDONTWRITEBYTECODE=1 \
          /usr/bin/python3 -m pytest -q -rA -p no:cacheprovider python/tests 2>&1)
    rc=$?
    grep -E '^(PASSED|FAILED|ERROR) ' <<<"$out" | while read -r what name rest; do
        case $what in
            PASSED) ok "python ${name##*::}" ;;
            *) fail "python ${name##*::}" "$what $rest" ;;
        esac
    done
    grep -E '^SKIPPED ' <<<"$out" | sed 's/^/SKIP python: /'
    [[ $rc -eq 0 || $rc -eq 5 ]] || grep -qE '^(FAILED|ERROR) ' <<<"$out" ||
        fail python_module "pytest exited $rc: $(tail -5 <<<"$out")"
fi
echo done
