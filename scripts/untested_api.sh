#!/usr/bin/env bash
# untested_api.sh — public functions no test names.
#
# Lists every function declared in include/ginv/*.h and prints, one a line,
# those whose name appears in no file under tests/ (C unit tests, CLI
# scripts, Python tests all count: any mention as a whole word).
# tests/unit/test_api_nulls.c does not count: it calls each function only
# with NULLs, which tests argument checks, not behaviour.
#
#   scripts/untested_api.sh            the untested names, then "N of M untested" on stderr
#   scripts/untested_api.sh --count    just N
#   scripts/untested_api.sh --all      every declared name
#   UNTESTED_API_EXCLUDE=REGEX         names matching REGEX (grep -E) are left out
#
# tests/cli/test_library.sh runs it and fails when N is not 0.
set -euo pipefail
cd "$(dirname "$0")/.."

# declared functions (scripts/api_names.sh: the one extraction)
declared=$(scripts/api_names.sh)

if [[ "${1:-}" == --all ]]; then echo "$declared"; exit 0; fi

# every whole word ginv_... any test file mentions (test_api_nulls.c excluded)
mentioned=$(find tests python/tests -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' \) \
                ! -path tests/unit/test_api_nulls.c -print0 |
            xargs -0 grep -ohE '\bginv_[a-z0-9_]+\b' | sort -u)

untested=$(comm -23 <(echo "$declared") <(echo "$mentioned"))
if [[ -n "${UNTESTED_API_EXCLUDE:-}" ]]; then
    untested=$(grep -vE "$UNTESTED_API_EXCLUDE" <<<"$untested" || true)
fi
n=$(grep -c . <<<"$untested" || true)
if [[ "${1:-}" == --count ]]; then echo "$n"; exit 0; fi
[[ -n "$untested" ]] && echo "$untested"
echo "$n of $(grep -c . <<<"$declared") public functions named by no test" >&2
