#!/usr/bin/env bash
# run.sh — all tests: the unit binary, then the command-line cases. Ends with
# the line "N passed, N failed" and a non-zero exit on any failure.
# GINV_BUILD names the build directory to test (default build; make test-asan
# sets build/asan).
set -u
cd "$(dirname "$0")/.."
B=${GINV_BUILD:-build}
export GINV=$B/ginv
passed=0 failed=0

unit_out=$(mktemp)
"$B/test_unit" 2>&1 | tee "$unit_out"
line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' "$unit_out" | tail -1)
if [[ -n "$line" ]]; then
    p=$(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$line")
    f=$(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$line")
    passed=$((passed + p)) failed=$((failed + f))
else
    echo "unit tests did not finish (crash?)"
    failed=$((failed + 1))
fi
rm -f "$unit_out"

for t in tests/cli/test_*.sh; do
    out=$(mktemp)
    bash "$t" 2>&1 | tee "$out"
    p=$(grep -c '^ok ' "$out")
    f=$(grep -c '^FAIL ' "$out")
    grep -q '^done$' "$out" || { echo "FAIL $t did not finish"; f=$((f + 1)); }
    passed=$((passed + p)) failed=$((failed + f))
    rm -f "$out"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
