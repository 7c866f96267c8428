#!/usr/bin/env bash
# bench/sweep_run.sh — units per second of `ginv sweep` for a recovery sweep
# of 20 cells x 30 trials (600 units) on 1 and 2 threads and on 1 and 2 MPI
# ranks (`make bench-sweep`; the numbers go in docs/benchmarks.md). Each
# configuration runs the same spec into a fresh store; the stores are then
# checked to hold identical metrics (the splits must not change a number).
#
# Knobs (environment): SWEEP_TRIALS [30], SWEEP_ITERS [500],
# SWEEP_LAYERS ['"10,250,1000", "20,250,1000"'], SWEEP_M ['20, 30, 40, 50,
# 60, 80, 100, 120, 160, 200'] (2 x 10 = 20 cells), BENCH_OUT [bench/results],
# GINV [build/ginv]. Run it on a quiet machine: it measures wall time.
set -u
cd "$(dirname "$0")/.." || exit 1
GINV=${GINV:-build/ginv}
OUT=${BENCH_OUT:-bench/results}/sweep
TRIALS=${SWEEP_TRIALS:-30}
ITERS=${SWEEP_ITERS:-500}
LAYERS=${SWEEP_LAYERS:-'"10,250,1000", "20,250,1000"'}
MS=${SWEEP_M:-20, 30, 40, 50, 60, 80, 100, 120, 160, 200}
die() { echo "bench-sweep: $*" >&2; exit 1; }
[[ -x $GINV ]] || die "$GINV not found: run 'make build/ginv'"
command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/deps.sh installs it)"
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$GINV" "$OUT/ginv"
cat > "$OUT/spec.json" <<JSON
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": $ITERS},
 "grid": {"layers": [$LAYERS], "m": [$MS]}, "trials": $TRIALS, "seed": 1}
JSON
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

now() { date +%s.%N; }
# run NAME COMMAND...: time a sweep into $OUT/NAME.db
run() {
    local name=$1 t0 t1
    shift
    t0=$(now)
    "$@" "$OUT/spec.json" --db "$OUT/$name.db" --json "$OUT/$name.json" -q || die "$name failed"
    t1=$(now)
    local units
    units=$(sqlite3 "$OUT/$name.db" 'SELECT count(*) FROM units')
    awk -v n="$name" -v u="$units" -v a="$t0" -v b="$t1" \
        'BEGIN { printf "| %s | %d | %.2f | %.2f |\n", n, u, b - a, u / (b - a) }' >> "$OUT/report.md"
    echo "bench-sweep: $name done" >&2
}

{
    echo "ginv sweep: $(sqlite3 -version | cut -d' ' -f1) SQLite, $(nproc) cores, $(date -u +%F)"
    echo "spec: $(tr -s ' \n' ' ' < "$OUT/spec.json")"
    echo
    echo "| configuration | units | wall s | units/s |"
    echo "|---|---|---|---|"
} > "$OUT/report.md"
run "1-thread" "$OUT/ginv" sweep --threads 1
run "2-threads" "$OUT/ginv" sweep --threads 2
if command -v mpirun >/dev/null; then
    run "1-rank" mpirun -np 1 "$OUT/ginv" sweep --threads 1
    run "2-ranks" mpirun -np 2 "$OUT/ginv" sweep --threads 1
else
    echo "| MPI | skipped: no mpirun | | |" >> "$OUT/report.md"
fi

# every store holds the same numbers
ref="$OUT/1-thread.db"
for db in "$OUT"/*.db; do
    [[ $db == "$ref" ]] && continue
    diff <(sqlite3 "$ref" "SELECT u.cell, u.trial, m.name, printf('%!.17g', m.value) FROM units u JOIN metrics m ON m.unit = u.id ORDER BY 1, 2, 3") \
         <(sqlite3 "$db" "SELECT u.cell, u.trial, m.name, printf('%!.17g', m.value) FROM units u JOIN metrics m ON m.unit = u.id ORDER BY 1, 2, 3") \
         >/dev/null || die "$db differs from $ref"
done
echo >> "$OUT/report.md"
echo "all stores hold identical metrics" >> "$OUT/report.md"
cat "$OUT/report.md"
