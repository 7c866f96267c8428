#!/usr/bin/env bash
# Command-line behaviour of `ginv sweep` and `ginv results`: the same small
# sweep run in one process, on 2 threads, on 3 MPI ranks, and killed with
# SIGKILL at 10 random moments and resumed each time stores identical rows
# (every metric equal as a double, none missing, none twice); bad specs and
# bad, locked or foreign stores give one clear error and change nothing.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

cat > $TMP/spec.json <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "signflip", "iters": 1500, "restarts": 2},
 "grid": {"layers": ["5,50,200", "8,50,200"], "m": [15, 30, 60]}, "trials": 8, "seed": 7}
JSON
TOTAL=48 NMET=9

# same DB content: units and metrics counted, then every (cell, trial, metric)
# matched by exact equality of the stored doubles (NULL = NaN matches NULL)
same_rows() {
    local got
    got=$(sqlite3 "$1" "ATTACH '$2' AS o;
        SELECT (SELECT count(*) FROM units), (SELECT count(DISTINCT cell || ':' || trial) FROM units),
               (SELECT count(*) FROM o.units), (SELECT count(*) FROM metrics), (SELECT count(*) FROM o.metrics),
               (SELECT count(*) FROM units u JOIN metrics m ON m.unit = u.id
                  JOIN o.units ou ON ou.cell = u.cell AND ou.trial = u.trial AND ou.seed = u.seed AND ou.params = u.params
                  JOIN o.metrics om ON om.unit = ou.id AND om.pos = m.pos
                 WHERE om.name = m.name AND om.value IS m.value);")
    [[ "$got" == "$TOTAL|$TOTAL|$TOTAL|$((TOTAL * NMET))|$((TOTAL * NMET))|$((TOTAL * NMET))" ]] ||
        { echo "    rows differ: $got" >&2; return 1; }
}

expect_ok one_process -- $GINV sweep $TMP/spec.json --db $TMP/one.db -q
check one_process_stores_every_unit test "$(sqlite3 $TMP/one.db 'SELECT count(*) FROM units WHERE status = "ok"')" = $TOTAL
check store_is_wal test "$(sqlite3 $TMP/one.db 'PRAGMA journal_mode')" = wal

# a unit is trial TRIAL of `ginv recover` with the cell's options and seed
read -r seed trial rel <<<"$(sqlite3 -separator ' ' $TMP/one.db "SELECT u.seed, u.trial, printf('%!.17g', m.value) FROM units u JOIN metrics m ON m.unit = u.id WHERE u.cell = 4 AND u.trial = 2 AND m.name = 'rel_error'")"
rec=$($GINV recover --layers 8,50,200 --m 30 --op gaussian --algo signflip --iters 1500 --restarts 2 --seed $seed --trials 3 --json - -q |
      sed -n 's/.*"rel_error":[[:space:]]*\([^,]*\),.*/\1/p' | sed -n 3p)
check unit_equals_ginv_recover_trial awk -v a="$rel" -v b="$rec" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'

expect_ok two_threads -- $GINV sweep $TMP/spec.json --db $TMP/two.db --threads 2 -q
check two_threads_rows_identical same_rows $TMP/one.db $TMP/two.db

if command -v mpirun >/dev/null; then
    # Open MPI keeps allocations until exit by design: under make test-asan the
    # ranks run without LeakSanitizer (ASan and UBSan still apply)
    NOLEAK=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    expect_ok mpi_three_ranks -- "${NOLEAK[@]}" mpirun -np 3 --oversubscribe $GINV sweep $TMP/spec.json --db $TMP/mpi.db -q
    check mpi_rows_identical same_rows $TMP/one.db $TMP/mpi.db
    check mpi_work_split_over_ranks test "$(sqlite3 $TMP/mpi.db 'SELECT count(DISTINCT rank) FROM units')" -ge 2
    # a partial sweep finished by 2 ranks, then resumed on 1 process
    expect_ok mpi_partial -- "${NOLEAK[@]}" mpirun -np 2 --oversubscribe $GINV sweep $TMP/spec.json --db $TMP/mpi2.db --max-units 20 -q
    expect_ok mpi_resume_single -- $GINV sweep $TMP/spec.json --db $TMP/mpi2.db --resume -q
    check mpi_resume_rows_identical same_rows $TMP/one.db $TMP/mpi2.db
else
    echo "SKIP mpi_three_ranks (no mpirun: install openmpi-bin and libopenmpi-dev)"
fi

# SIGKILL at 10 random moments, resume each time
interrupted=0
for i in $(seq 10); do
    $GINV sweep $TMP/spec.json --db $TMP/kill.db --resume -q 2>/dev/null &
    pid=$!
    sleep "0.$(printf '%02d' $((RANDOM % 20 + 3)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    n=$(sqlite3 $TMP/kill.db 'SELECT count(*) FROM units' 2>/dev/null || echo 0)
    [[ $n -lt $TOTAL ]] && interrupted=$((interrupted + 1))
done
check kills_interrupted_the_sweep test $interrupted -ge 3
expect_ok resume_after_kills -- $GINV sweep $TMP/spec.json --db $TMP/kill.db --resume -q
check killed_and_resumed_rows_identical same_rows $TMP/one.db $TMP/kill.db
check resume_of_finished_sweep_runs_nothing sh -c "$GINV sweep $TMP/spec.json --db $TMP/kill.db --resume | grep -q '48 were stored before, 0 ran now'"

# results: table, csv, json, heat map
check results_table sh -c "$GINV results $TMP/one.db | grep -Eq '^5,50,200 +60 +8 +0 +8/8 +1.00 \[0.68, 1.00\]'"
# the table fits the terminal ($COLUMNS or the tty): metric columns dropped from the right, with a note
check results_fit_columns sh -c "COLUMNS=70 $GINV results $TMP/one.db > $TMP/narrow.txt &&
    awk 'length > 70 && !/left out to fit/ {bad=1} END {exit bad}' $TMP/narrow.txt &&
    grep -q 'metric columns left out to fit 70 columns: .*flips_total' $TMP/narrow.txt"
check results_not_a_tty_shows_every_metric sh -c "COLUMNS= $GINV results $TMP/one.db | head -1 | grep -q 'flips_total'"
check results_csv sh -c "$GINV results $TMP/one.db --group-by m --format csv | head -1 | grep -q '^m,units,errors,successes,success_rate,wilson95_lo,wilson95_hi,rel_error_median'"
check results_json sh -c "$GINV results $TMP/one.db --format json | grep -q '\"wilson95\"'"
expect_ok results_heat_map -- $GINV results $TMP/one.db --group-by layers,m --plot $TMP/phase.png
check heat_map_is_png test "$(head -c 4 $TMP/phase.png | tail -c 3)" = PNG
expect_error results_unknown_group 2 "--group-by 'k' is not a parameter" -- $GINV results $TMP/one.db --group-by k

# bad specs: one error line, nothing written
cat > $TMP/unknown.json <<'JSON'
{"command": "recover", "fixed": {"layers": "4,20", "iterations": 10}, "grid": {"m": [5]}}
JSON
expect_error spec_unknown_parameter 2 "unknown parameter 'iterations' in \"fixed\" for command 'recover' (valid: model, layers" -- $GINV sweep $TMP/unknown.json --db $TMP/new.db
echo '{"command": "recover", "fixed": {"layers": "4,20"}, "grid": {"m": []}}' > $TMP/empty.json
expect_error spec_empty_grid 2 "the grid is empty: grid parameter 'm' has no values" -- $GINV sweep $TMP/empty.json --db $TMP/new.db
echo '{"command": "recover", "fixed": {"layers": "4,20"}, "grid": {}}' > $TMP/empty2.json
expect_error spec_no_grid 2 "the grid is empty" -- $GINV sweep $TMP/empty2.json --db $TMP/new.db
check bad_specs_write_no_store test ! -e $TMP/new.db

# bad stores: refused, left byte for byte as they were
echo "just text" > $TMP/text.db
expect_error store_not_sqlite 4 "is not an SQLite database (left untouched)" -- $GINV sweep $TMP/spec.json --db $TMP/text.db
check not_sqlite_untouched test "$(cat $TMP/text.db)" = "just text"
cp $TMP/one.db $TMP/corrupt.db
head -c 4096 /dev/zero | tr '\0' '\377' | dd of=$TMP/corrupt.db bs=1 seek=4096 conv=notrunc 2>/dev/null
sum=$(md5sum < $TMP/corrupt.db)
expect_error store_corrupted 4 "is a corrupted SQLite database" -- $GINV sweep $TMP/spec.json --db $TMP/corrupt.db --resume
expect_error results_corrupted 4 "is a corrupted SQLite database" -- $GINV results $TMP/corrupt.db
check corrupted_untouched test "$(md5sum < $TMP/corrupt.db)" = "$sum"
sqlite3 $TMP/other.db 'CREATE TABLE t(x); INSERT INTO t VALUES(1);'
expect_error store_foreign_sqlite 4 "not a ginv sweep store" -- $GINV sweep $TMP/spec.json --db $TMP/other.db
sum=$(md5sum < $TMP/one.db)
expect_error store_needs_resume 2 "already holds this sweep (48 of 48 units done); set --resume" -- $GINV sweep $TMP/spec.json --db $TMP/one.db
sed 's/"seed": 7/"seed": 8/' $TMP/spec.json > $TMP/spec8.json
expect_error store_other_spec 2 "holds a sweep of another spec" -- $GINV sweep $TMP/spec8.json --db $TMP/one.db --resume
check refused_store_untouched test "$(md5sum < $TMP/one.db)" = "$sum"
# a writer holds the lock: refused after the busy timeout
(echo 'BEGIN EXCLUSIVE;'; echo "INSERT INTO ginv_meta VALUES('lock', 'held');"; sleep 3; echo 'ROLLBACK;') | sqlite3 $TMP/kill.db &
lockpid=$!
sleep 0.5
expect_error store_locked 5 "is locked by another process (gave up after the busy timeout" -- $GINV sweep $TMP/spec.json --db $TMP/kill.db --resume --busy-timeout 300
wait $lockpid
check locked_store_unchanged same_rows $TMP/one.db $TMP/kill.db
expect_error needs_db 2 "--db FILE is required" -- $GINV sweep $TMP/spec.json
echo done
