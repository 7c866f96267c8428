#!/usr/bin/env bash
# bench/ops_run.sh — circulant vs dense Gaussian (and the other structured
# operators) per batched apply + adjoint, the timing of issue #17
# (docs/benchmarks.md, "Structured operators"). Builds bench/ops_bench.c
# against the library of BUILD (default build) and prints a Markdown table
# of medians (and minima) over REPS timed pairs, batch B, at each thread
# count. Run it on a quiet machine: it measures wall time.
#
# Knobs (environment): BUILD [build], OPS_BATCH [64], OPS_REPS [30],
# OPS_THREADS ["1 2"].
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B=${OPS_BATCH:-64}
REPS=${OPS_REPS:-30}
THREADS=${OPS_THREADS:-"1 2"}
[[ -e $BUILD/libginv.so.0 ]] || { echo "ops_run: $BUILD/libginv.so.0 not found: run 'make BUILD=$BUILD'" >&2; exit 1; }
BIN=$BUILD/bench/ops_bench
mkdir -p "$BUILD/bench"
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Iinclude -o "$BIN" bench/ops_bench.c \
    -L"$BUILD" -l:libginv.so.0 -Wl,-rpath,"$(cd "$BUILD" && pwd)"
echo "| n | m | operator | threads | median ms | min ms | gaussian / this |"
echo "|---|---|---|---|---|---|---|"
for T in $THREADS; do
    # n = 784 (28 x 28) and n = 12288 (3 x 64 x 64), m = n/4
    for nm in "784 196 1x28x28" "12288 3072 3x64x64"; do
        read -r n m img <<<"$nm"
        side=${img##*x}
        specs=("gaussian@$m" "circulant:$m")
        [[ $img == 1x* ]] && specs+=("fourier-subsample:random:$((m / 2))" "blur:1.5")
        out=$("$BIN" "$n" "$B" "$REPS" "$T" "${specs[@]}" 2>/dev/null)
        gmed=$(awk '$1 ~ /^gaussian/ {print $6}' <<<"$out")
        while read -r spec nn mm bb tt med mn; do
            printf '| %s | %s | `%s` | %s | %s | %s | %s |\n' "$nn" "$mm" "${spec%@*}" "$tt" "$med" "$mn" \
                "$(awk -v g="$gmed" -v t="$med" 'BEGIN {printf "%.1fx", g / t}')"
        done <<<"$out"
    done
done
