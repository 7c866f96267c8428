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

# cancelled NAME PATTERN OUTPUT -- command...: run the command in the
# background, interrupt it; it must exit 130 with PATTERN on stderr and leave
# OUTPUT (its --json or --out) absent.
cancelled() {
    local name=$1 pattern=$2 output=$3
    shift 4
    "$@" >"$TMP/c.out" 2>"$TMP/c.err" &
    local pid=$!
    interrupt $pid
    wait $pid
    local rc=$?
    if [[ $rc -eq 130 && ! -e $output ]] && grep -q "$pattern" "$TMP/c.err"; then ok "$name"
    else fail "$name" "exit $rc: $(head -3 "$TMP/c.err")"; fi
    rm -f "$TMP/c.out" "$TMP/c.err"
}

# recover: many long trials; no JSON
cancelled recover_sigint_exits_130_without_json 'cancelled' "$TMP/r.json" -- \
    $GINV recover --layers 4,30,50 --op gaussian --m 20 --trials 100000 --iters 100000 --json "$TMP/r.json"
# decide: exact inversion of a 60-variable 3-SAT instance at the threshold
# (minutes of enumeration); no JSON
$GINV reduce random-sat --n 60 --ratio 4.26 --k 3 --seed 2 -o "$TMP/h.cnf" >/dev/null
$GINV reduce sat "$TMP/h.cnf" --latent pm1 -o "$TMP/h.st" >/dev/null
cancelled decide_sigint_exits_130_without_json '^ginv decide: error: decide: cancelled after [0-9]* nodes' \
    "$TMP/d.json" -- $GINV decide --model "$TMP/h.st" --json "$TMP/d.json"
rm -f "$TMP/h.cnf" "$TMP/h.st"
# landscape: basins of 100 inits x 10^8 GD iterations; no --out set
cancelled landscape_sigint_exits_130_without_outputs 'cancelled' "$TMP/ls" -- \
    $GINV landscape --layers 10,100,300 --inits 100 --iters 100000000 --out "$TMP/ls"
# the experiments: a long recovery grid and the hardness run; no --out set
cancelled experiment_recovery_sigint_exits_130_without_outputs 'cancelled' "$TMP/ex_r" -- \
    $GINV experiment recovery --k 10 --widths 250,1000 --m 50,100 --trials 1000 --iters 100000 --out "$TMP/ex_r"
cancelled experiment_hardness_sigint_exits_130_without_outputs 'cancelled' "$TMP/ex_h" -- \
    $GINV experiment hardness --families sat --time-budget 600 --out "$TMP/ex_h"

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
