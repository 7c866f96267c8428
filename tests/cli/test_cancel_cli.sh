#!/usr/bin/env bash
# test_cancel_cli.sh — Ctrl-C (SIGINT) on a long run: the command stops at
# its next check (the library's ginv_ctx_cancel), prints one error line,
# exits 130 and writes none of its outputs; a sweep keeps its finished units.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
export GINV_NO_REEXEC=1

# alive PID: running (a finished child not yet waited for is a zombie: not alive)
alive() {
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
    [[ -n $st && $st != Z ]]
}

# interrupt PID: SIGINT once the run is under way (before the command installs
# its handler, a background job of a script ignores SIGINT: then again after 5 s)
interrupt() {
    local pid=$1 i j
    sleep 1
    for ((i = 0; i < 6; i++)); do
        kill -INT "$pid" 2>/dev/null || return 0
        for ((j = 0; j < 50; j++)); do
            sleep 0.1
            alive "$pid" || return 0
        done
    done
    kill -KILL "$pid" 2>/dev/null
}

$GINV net random --layers 4,30,50 --seed 3 -o "$TMP/g.safetensors" >/dev/null
# sample: a burn-in of a billion steps (hours), interrupted
$GINV sample --model "$TMP/g.safetensors" --op gaussian --m 20 --noise 0.1 --step 1e-3 \
    --chains 2 --burn-in 1000000000 --samples 10 --out "$TMP/out" --json "$TMP/s.json" \
    >"$TMP/s.out" 2>"$TMP/s.err" &
pid=$!
interrupt $pid
wait $pid
rc=$?
lines=$(wc -l <"$TMP/s.err")
if [[ $rc -ne 130 ]]; then fail sample_sigint_exits_130 "exit $rc: $(head -3 "$TMP/s.err")"
else ok sample_sigint_exits_130; fi
if [[ $lines -eq 1 ]] && grep -q '^ginv sample: error: cancelled' "$TMP/s.err"; then
    ok sample_sigint_prints_one_cancelled_line
else
    fail sample_sigint_prints_one_cancelled_line "$lines lines: $(head -3 "$TMP/s.err")"
fi
left=$(ls -A "$TMP" | grep -v -e '^g.safetensors$' -e '^s.out$' -e '^s.err$')
if [[ -z $left ]]; then ok sample_sigint_writes_no_outputs
else fail sample_sigint_writes_no_outputs "left: $left"; fi

# recover: many long trials, interrupted; no JSON
$GINV recover --layers 4,30,50 --op gaussian --m 20 --trials 100000 --iters 100000 \
    --json "$TMP/r.json" >"$TMP/r.out" 2>"$TMP/r.err" &
pid=$!
interrupt $pid
wait $pid
rc=$?
if [[ $rc -eq 130 && ! -e $TMP/r.json ]] && grep -q 'cancelled' "$TMP/r.err"; then
    ok recover_sigint_exits_130_without_json
else
    fail recover_sigint_exits_130_without_json "exit $rc: $(head -3 "$TMP/r.err")"
fi

# decide: exact inversion of a 60-variable 3-SAT instance at the threshold
# (minutes of enumeration), interrupted; no JSON
$GINV reduce random-sat --n 60 --ratio 4.26 --k 3 --seed 2 -o "$TMP/h.cnf" >/dev/null
$GINV reduce sat "$TMP/h.cnf" --latent pm1 -o "$TMP/h.st" >/dev/null
$GINV decide --model "$TMP/h.st" --json "$TMP/d.json" >"$TMP/d.out" 2>"$TMP/d.err" &
pid=$!
interrupt $pid
wait $pid
rc=$?
if [[ $rc -eq 130 && ! -e $TMP/d.json ]] && grep -q "^ginv decide: error: decide: cancelled after [0-9]* nodes" "$TMP/d.err"; then
    ok decide_sigint_exits_130_without_json
else
    fail decide_sigint_exits_130_without_json "exit $rc: $(head -3 "$TMP/d.err")"
fi
rm -f "$TMP/h.cnf" "$TMP/h.st" "$TMP/d.out" "$TMP/d.err"

# landscape: basins of 100 inits x 10^8 GD iterations, interrupted; no --out set
$GINV landscape --layers 10,100,300 --inits 100 --iters 100000000 --out "$TMP/ls" \
    --json "$TMP/ls.json" >"$TMP/l.out" 2>"$TMP/l.err" &
pid=$!
interrupt $pid
wait $pid
rc=$?
if [[ $rc -eq 130 && ! -e $TMP/ls.json && ! -e $TMP/ls ]] && grep -q 'cancelled' "$TMP/l.err"; then
    ok landscape_sigint_exits_130_without_outputs
else
    fail landscape_sigint_exits_130_without_outputs "exit $rc: $(head -3 "$TMP/l.err")"
fi
rm -f "$TMP/l.out" "$TMP/l.err"

# the experiments: a long recovery grid and the hardness run, interrupted
for ex in "recovery --k 10 --widths 250,1000 --m 50,100 --trials 1000 --iters 100000" \
          "hardness --families sat --time-budget 600"; do
    name=${ex%% *}
    $GINV experiment $ex --out "$TMP/ex_$name" >"$TMP/e.out" 2>"$TMP/e.err" &
    pid=$!
    interrupt $pid
    wait $pid
    rc=$?
    if [[ $rc -eq 130 && ! -e $TMP/ex_$name ]] && grep -q 'cancelled' "$TMP/e.err"; then
        ok "experiment_${name}_sigint_exits_130_without_outputs"
    else
        fail "experiment_${name}_sigint_exits_130_without_outputs" "exit $rc: $(head -3 "$TMP/e.err")"
    fi
    rm -f "$TMP/e.out" "$TMP/e.err"
done

# sweep: the store keeps the finished units, --resume completes it
cat >"$TMP/sweep.json" <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": 2000, "restarts": 2},
 "grid": {"layers": ["4,30,100"], "m": [10, 30]}, "trials": 2000, "seed": 5}
JSON
$GINV sweep "$TMP/sweep.json" --db "$TMP/s.db" -q --threads 1 >/dev/null 2>"$TMP/w.err" &
pid=$!
interrupt $pid
wait $pid
rc=$?
if [[ $rc -eq 130 ]] && grep -q 'cancelled: [0-9]* of 4000 units in the store' "$TMP/w.err"; then
    ok sweep_sigint_exits_130
else
    fail sweep_sigint_exits_130 "exit $rc: $(head -3 "$TMP/w.err")"
fi
if $GINV sweep "$TMP/sweep.json" --db "$TMP/s.db" -q --resume --max-units 2 >/dev/null 2>"$TMP/w2.err"; then
    ok sweep_resumes_after_sigint
else
    fail sweep_resumes_after_sigint "$(head -3 "$TMP/w2.err")"
fi

echo done
