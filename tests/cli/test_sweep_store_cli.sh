#!/usr/bin/env bash
# The sweep store under stress (issue 18, items 4, 5, 6, 10, 15): a truncated
# store is refused with SQLite's own message (no uninitialised bytes); a
# second sweep on a store in use is refused at once naming the owner's PID
# while the first finishes intact; `cs` specs whose units could only fail are
# refused before a store exists; --retry-errors reruns error units; --where
# refuses unknown parameters, values and malformed text; a store in a
# read-only directory can be read; a heat map over a single-valued parameter
# becomes a curve.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

cat > $TMP/spec.json <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": 200, "restarts": 1, "layers": "4,20,60"},
 "grid": {"m": [10, 20, 30]}, "trials": 10, "seed": 7}
JSON
TOTAL=30
# a sweep of a few seconds: still running when the tests below stop or kill it
cat > $TMP/slow.json <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": 3000, "restarts": 2, "layers": "10,100,400"},
 "grid": {"m": [20, 40]}, "trials": 8, "seed": 3}
JSON
SLOW=16
expect_ok sweep_reference -- $GINV sweep $TMP/spec.json --db $TMP/ref.db -q

# --- item 4: a finished store truncated to 8192 bytes
cp $TMP/ref.db $TMP/trunc.db
truncate -s 8192 $TMP/trunc.db
sum=$(md5sum < $TMP/trunc.db)
expect_error truncated_store_refused 4 "'$TMP/trunc.db' is a corrupted SQLite database (database disk image is malformed; left untouched)" -- \
    $GINV sweep $TMP/spec.json --db $TMP/trunc.db --resume
expect_error truncated_store_refused_by_results 4 "database disk image is malformed" -- $GINV results $TMP/trunc.db
check truncated_store_message_is_clean_text bash -c \
    "$GINV sweep $TMP/spec.json --db $TMP/trunc.db --resume 2>&1 >/dev/null | LC_ALL=C grep -q '[^[:print:]]' && exit 1 || exit 0"
check truncated_store_untouched test "$(md5sum < $TMP/trunc.db)" = "$sum"

# A store whose ginv_meta lost its command row (found by fuzz_store): refused,
# never read as a sweep with no command.
cp $TMP/ref.db $TMP/nometa.db
sqlite3 $TMP/nometa.db "DELETE FROM ginv_meta WHERE key = 'command'"
expect_error store_without_command_row_refused 4 "not a complete ginv sweep store" -- $GINV results $TMP/nometa.db
if command -v valgrind >/dev/null && ! ldd "$GINV" 2>/dev/null | grep -q 'libasan'; then
    check truncated_store_reads_no_uninitialised_memory bash -c \
        "valgrind -q --error-exitcode=99 $GINV sweep $TMP/spec.json --db $TMP/trunc.db --resume >/dev/null 2>&1; test \$? -eq 4"
else
    echo "SKIP truncated_store_reads_no_uninitialised_memory (no valgrind, or an ASan build: its own checks apply)"
fi

# --- item 5: two sweeps on one store. The first is stopped (SIGSTOP) once it
# holds the lock; the second must be refused at once, naming the first's PID;
# the first, continued, must finish the sweep with every unit once.
$GINV sweep $TMP/slow.json --db $TMP/conc.db --resume -q 2>$TMP/first.err &
first=$!
for _ in $(seq 200); do grep -q "^$first " $TMP/conc.db.lock 2>/dev/null && break; sleep 0.05; done
kill -STOP $first
t0=$(date +%s%N)
expect_error second_sweep_refused 5 "'$TMP/conc.db' is in use by another sweep (process $first on " -- \
    $GINV sweep $TMP/slow.json --db $TMP/conc.db --resume --busy-timeout 20000
t1=$(date +%s%N)
check second_sweep_refused_at_once test $(((t1 - t0) / 1000000)) -lt 3000
expect_error second_fresh_sweep_refused 5 "is in use by another sweep (process $first" -- \
    $GINV sweep $TMP/slow.json --db $TMP/conc.db
kill -CONT $first
wait $first
check first_sweep_finishes test $? -eq 0
check first_sweep_stores_every_unit_once test "$(sqlite3 $TMP/conc.db "SELECT count(*) || ' ' || count(DISTINCT cell || ':' || trial) || ' ' || sum(status = 'ok') FROM units")" = "$SLOW $SLOW $SLOW"
check lock_file_removed_after_a_clean_finish test ! -e $TMP/conc.db.lock
# a holder killed with SIGKILL leaves its note, not its lock
$GINV sweep $TMP/slow.json --db $TMP/killed.db -q 2>/dev/null &
victim=$!
for _ in $(seq 200); do grep -q "^$victim " $TMP/killed.db.lock 2>/dev/null && break; sleep 0.05; done
kill -9 $victim
wait $victim 2>/dev/null
check killed_holder_left_its_lock_file test -e $TMP/killed.db.lock
expect_ok resume_after_the_holder_was_killed -- $GINV sweep $TMP/slow.json --db $TMP/killed.db --resume -q --max-units 2
check killed_then_resumed test "$(sqlite3 $TMP/killed.db 'SELECT count(DISTINCT cell || ":" || trial) FROM units')" -ge 2

# --- item 6: cs specs whose units could only fail are refused before a store exists
if [[ -e /usr/share/fashion-mnist || -e models/fmnist-vae-k20.safetensors ]]; then
    VAE=$PWD/models/fmnist-vae-k20.safetensors
    $GINV net random --layers 4,20,100 --seed 1 -o $TMP/g100.st >/dev/null
    cat > $TMP/cs_size.json <<JSON
{"command": "cs", "fixed": {"model": "$TMP/g100.st", "iters": 10, "restarts": 1, "m": 50},
 "grid": {"method": ["csgm"]}, "trials": 2}
JSON
    expect_error cs_model_of_another_size_refused 4 "the generator makes 100 pixels but the images of 'fashion-mnist:test[0:16]' have 784" -- \
        $GINV sweep $TMP/cs_size.json --db $TMP/cs_size.db
    check cs_model_of_another_size_writes_no_store test ! -e $TMP/cs_size.db -a ! -e $TMP/cs_size.db.lock
    cat > $TMP/cs_many.json <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 10, "restarts": 1, "m": 50, "lasso-lambda": 30,
 "data": "fashion-mnist:test"}, "grid": {"method": ["csgm", "lasso-dct"]}, "trials": 10001}
JSON
    expect_error cs_more_trials_than_images_refused 2 "10001 trials need its images 0..10000" -- \
        $GINV sweep $TMP/cs_many.json --db $TMP/cs_many.db
    check cs_more_trials_writes_no_store test ! -e $TMP/cs_many.db
    # the default data is `ginv cs`'s, fashion-mnist:test[0:16]: 16 trials at most
    cat > $TMP/cs_17.json <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 10, "restarts": 1, "lasso-lambda": 30},
 "grid": {"method": ["csgm", "lasso-dct"]}, "trials": 17}
JSON
    expect_error cs_more_trials_than_the_slice_refused 2 "parameter 'data' 'fashion-mnist:test[0:16]' holds 16 images but the spec asks for 17 trials" -- \
        $GINV sweep $TMP/cs_17.json --db $TMP/cs_17.db
    cat > $TMP/cs_two.json <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 10, "restarts": 1}, "grid": {"m": [50]}, "trials": 2}
JSON
    expect_error cs_cell_with_two_methods_refused 2 "parameter 'method' 'csgm,lasso-dct': one method per cell" -- \
        $GINV sweep $TMP/cs_two.json --db $TMP/cs_two.db
    cat > $TMP/cs_op.json <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 10, "restarts": 1, "op": "subsample", "lasso-lambda": 30,
 "method": "lasso-dct"},
 "grid": {"m": [50, 900]}, "trials": 2}
JSON
    expect_error cs_operator_larger_than_the_images_refused 2 "parameter 'op' 'subsample' with m 900 on 28x28 images" -- \
        $GINV sweep $TMP/cs_op.json --db $TMP/cs_op.db
    check cs_operator_writes_no_store test ! -e $TMP/cs_op.db
else
    echo "SKIP cs_model_of_another_size_refused (no Fashion-MNIST)"
fi

# --- item 6: --retry-errors. Three units of a finished store turned into
# errors (as a failed runner stores them); a plain resume keeps them, a retry
# recomputes exactly those, with the numbers of the reference.
cp $TMP/ref.db $TMP/err.db
sqlite3 $TMP/err.db "DELETE FROM metrics WHERE unit IN (SELECT id FROM units WHERE trial = 4);
                     UPDATE units SET status = 'error', error = 'diverged (test)' WHERE trial = 4;"
check resume_keeps_error_units sh -c "$GINV sweep $TMP/spec.json --db $TMP/err.db --resume | grep -q '30 were stored before, 0 ran now'"
check retry_errors_reruns_them sh -c "$GINV sweep $TMP/spec.json --db $TMP/err.db --resume --retry-errors 2>/dev/null | grep -q '27 were stored before, 3 ran now.*3 error units retried'"
check retried_rows_equal_the_reference test "$(sqlite3 $TMP/err.db "ATTACH '$TMP/ref.db' AS r;
    SELECT (SELECT count(*) FROM units), (SELECT sum(status = 'ok') FROM units),
           (SELECT count(*) FROM units u JOIN metrics m ON m.unit = u.id JOIN r.units ru ON ru.cell = u.cell AND ru.trial = u.trial
              JOIN r.metrics rm ON rm.unit = ru.id AND rm.pos = m.pos WHERE rm.name = m.name AND rm.value IS m.value),
           (SELECT count(*) FROM r.metrics)")" = "$TOTAL|$TOTAL|$(sqlite3 $TMP/ref.db 'SELECT count(*) FROM metrics')|$(sqlite3 $TMP/ref.db 'SELECT count(*) FROM metrics')"
expect_error retry_errors_needs_resume 2 "--retry-errors needs --resume" -- $GINV sweep $TMP/spec.json --db $TMP/err.db --retry-errors

# --- item 10: --where refuses what cannot select anything by construction
expect_error where_unknown_parameter 2 "'nonexistent' is not a parameter of this sweep" -- $GINV results $TMP/ref.db --where "nonexistent=5"
expect_error where_double_equals 2 "one '='" -- $GINV results $TMP/ref.db --where "m==;;"
expect_error where_trailing_semicolon 2 "empty condition" -- $GINV results $TMP/ref.db --where "m=10;"
expect_error where_value_never_taken 2 "parameter 'm' is never '35' in this sweep (its values: '10', '20', '30')" -- $GINV results $TMP/ref.db --where "m=35"
expect_error where_no_equals 2 "expected P=V" -- $GINV results $TMP/ref.db --where "m"
expect_error where_twice 2 "given twice" -- $GINV results $TMP/ref.db --where "m=10;m=20"
check where_selects_one_group sh -c "$GINV results $TMP/ref.db --where ' m = 20 ' --format csv | tail -n +2 | cut -d, -f1-2 | grep -qx '20,10'"
check where_on_a_fixed_parameter sh -c "$GINV results $TMP/ref.db --where 'layers=4,20,60;m=30' --format csv | tail -n +2 | cut -d, -f1 | grep -qx 30"
# a valid filter that matches no stored unit yet is an empty result, not an error
expect_ok partial_store -- $GINV sweep $TMP/spec.json --db $TMP/part.db --max-units 5 -q
check where_matching_no_unit_yet sh -c "$GINV results $TMP/part.db --where m=30 | grep -q 'no units stored match --where'"
check where_matching_no_unit_yet_csv sh -c "$GINV results $TMP/part.db --where m=30 --format csv --metrics rel_error | wc -l | grep -qx 1"

# --- item 15: a store in a directory this user cannot write
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
    mkdir -p $TMP/ro && cp $TMP/ref.db $TMP/ro/ && chmod 755 $TMP $TMP/ro && chmod 644 $TMP/ro/ref.db
    as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    check results_in_a_read_only_directory sh -c "$(declare -f as_nobody); as_nobody $GINV results $TMP/ro/ref.db --group-by m --format csv | tail -n +2 | cut -d, -f1-2 | tr '\n' ' ' | grep -qx '10,10 20,10 30,10 '"
    check read_only_directory_left_as_it_was test "$(ls $TMP/ro)" = ref.db
    # units waiting in a write-ahead log that cannot be read without -shm: a clear refusal
    cp $TMP/ref.db $TMP/ro/wal.db
    printf 'not empty' > $TMP/ro/wal.db-wal
    expect_error results_refuses_an_unreadable_wal 5 "its directory is read-only and units not yet in the main file wait in its write-ahead log" -- \
        as_nobody $GINV results $TMP/ro/wal.db
else
    echo "SKIP results_in_a_read_only_directory (needs root and setpriv to act as an unprivileged user)"
fi

# --- item 15: a heat map over a parameter with one value is drawn as a curve
expect_ok heat_map_with_a_single_row -- $GINV results $TMP/ref.db --group-by layers,m --plot $TMP/one_row.png
check single_row_plot_is_png sh -c "file $TMP/one_row.png | grep -q 'PNG image data'"
expect_ok heat_map_with_a_single_column -- $GINV results $TMP/ref.db --group-by m,layers --z rel_error --plot $TMP/one_col.png
check single_column_plot_is_png sh -c "file $TMP/one_col.png | grep -q 'PNG image data'"
echo done
