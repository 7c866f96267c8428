#!/usr/bin/env bash
# run.sh FUZZ_DIR SECONDS TARGET... — `make fuzz-run`: each libFuzzer target
# for SECONDS seconds on a scratch copy of its seed corpus
# (tests/fuzz/corpus/NAME, NAME = the target without "fuzz_"; the copy grows,
# the repository does not) with its dictionary (tests/fuzz/NAME.dict) when
# there is one. Any finding (crash, sanitizer report, leak, timeout, memory
# limit) fails the run; its reproducer is kept in FUZZ_DIR/findings/TARGET/.
# Ends with one line per target and exits non-zero on any finding.
cd "$(dirname "$0")/../.." || exit 1
dir=$1 secs=$2
shift 2
scratch=$(mktemp -d /tmp/ginv-fuzz-run-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failed=0 summary=""
for t in "$@"; do
    name=${t#fuzz_}
    mkdir -p "$scratch/$t"
    [[ -d tests/fuzz/corpus/$name ]] && cp -r "tests/fuzz/corpus/$name/." "$scratch/$t/"
    dict=()
    [[ -f tests/fuzz/$name.dict ]] && dict=(-dict="tests/fuzz/$name.dict")
    mkdir -p "$dir/findings/$t"
    log="$dir/findings/$t/log.txt"
    "$dir/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$dir/findings/$t/" "${dict[@]}" "$scratch/$t" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [[ $rc -ne 0 ]]; then
        failed=$((failed + 1))
        summary+="FAIL $t (rc $rc, ${execs:-?} runs): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$log"); see $log"$'\n'
    else
        summary+="ok $t: ${execs:-?} runs in ${secs} s, ${cov:-cov ?}, $(ls "$scratch/$t" | wc -l) corpus files"$'\n'
        rm -f "$log"
        rmdir "$dir/findings/$t" 2>/dev/null
    fi
done
printf '%s' "$summary"
echo "fuzz: $(($# - failed)) targets clean, $failed with findings"
[[ $failed -eq 0 ]]
