#!/usr/bin/env bash
# test_kill.sh — SIGKILL `cs`, `sample`, `train vae` and `sweep` inside their
# write phase and at random moments: every output set (an --out directory,
# each single output file) must be all old or all new afterwards, and the
# next run must leave no temporaries (NAME.tmp.PID, .DIR.staging.PID,
# .DIR.old.PID). Kills inside the write phase are deterministic: an
# LD_PRELOAD shim (shim_rename_stop.c) kills the process just before its Nth
# rename, for every N a complete run makes; the last of a set's renames is
# the directory swap itself, so the states "nothing committed" and
# "committed" are both reached. The same again with the shim refusing
# RENAME_EXCHANGE (a file system without it: DIR renamed aside, then the
# staging directory into place; for cs: the code is shared). Tiny problems.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
export GINV_NO_REEXEC=1
# under an ASan build the shim comes before the sanitizer runtime: allowed
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

SHIM=$TMP/shim.so
if ! cc -shared -fPIC -o "$SHIM" tests/cli/shim_rename_stop.c -ldl 2>"$TMP/cc.err"; then
    fail shim_builds "$(head -3 "$TMP/cc.err")"
    echo done
    exit 0
fi

# sig PATH...: name and md5 of every file (a directory: of every entry in it,
# hidden ones included), MISSING for an absent path
sig() {
    local p f
    for p in "$@"; do
        if [[ -d $p ]]; then
            for f in $(ls -A "$p" | LC_ALL=C sort); do
                if [[ -f $p/$f ]]; then echo "$f $(md5sum <"$p/$f" | cut -c1-32)"; else echo "$f NOTAFILE"; fi
            done
        elif [[ -e $p ]]; then
            echo "$(basename "$p") $(md5sum <"$p" | cut -c1-32)"
        else
            echo "$(basename "$p") MISSING"
        fi
    done
}

# leftovers DIR: temporaries of writers anywhere under DIR
leftovers() { find "$1" \( -name '*.tmp.*' -o -name '.*.staging.*' -o -name '.*.old.*' \) -print; }

# json_ok FILE: absent or a parsable JSON document
json_ok() { [[ ! -e $1 ]] || jq empty "$1" 2>/dev/null; }

# kill_campaign NAME RUNNER MODES SETS...: RUNNER SEED DIR sets CMD to the command
# line that runs with seed SEED writing into DIR (run as "${CMD[@]}", so a
# background job's $! is ginv itself). SETS are paths relative to DIR: an
# --out directory or single files; JSON files (*.json) are only checked to
# parse, since they hold timings, and checkpoints (*.ckpt), written every
# epoch, to load. Seed 1 is "old", seed 2 "new". MODES: "exchange" and/or
# "noexchange" (the shim refuses RENAME_EXCHANGE).
kill_campaign() {
    local name=$1 runner=$2 modes=$3
    shift 3
    local sets=("$@") W=$TMP/$name s
    mkdir -p "$W/old" "$W/new" "$W/run"
    "$runner" 1 "$W/old"
    if ! "${CMD[@]}" >"$W/log" 2>&1; then fail "${name}_reference_old" "$(tail -2 "$W/log")"; return; fi
    "$runner" 2 "$W/new"
    local t0=$EPOCHREALTIME
    if ! "${CMD[@]}" >"$W/log" 2>&1; then fail "${name}_reference_new" "$(tail -2 "$W/log")"; return; fi
    # a run's length in ms: random kills fall inside it
    local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 + 1 ))
    "$runner" 2 "$W/run" # CMD from here on: the new run into $W/run
    local -a A=() B=() P=()
    for s in "${sets[@]}"; do
        [[ $s == *.json || $s == *.ckpt ]] && continue
        P+=("$s")
        A+=("$(sig "$W/old/$s")")
        B+=("$(sig "$W/new/$s")")
    done
    local differ=0 i
    for i in "${!P[@]}"; do [[ "${A[$i]}" != "${B[$i]}" ]] && differ=1; done
    check "${name}_old_and_new_differ" test $differ = 1

    reset_run() { rm -rf "$W/run"; cp -a "$W/old" "$W/run"; }
    # the sets back to old; what killed runs left beside them stays
    reset_sets() {
        local s
        for s in "${sets[@]}"; do
            rm -rf "${W:?}/run/$s"
            [[ -e $W/old/$s ]] && cp -a "$W/old/$s" "$W/run/$s"
        done
    }
    reset_run

    # state_ok: each set old or new; counts which
    local nold nnew nasideold bad
    state_ok() {
        local i cur isold=1 isnew=1
        for i in "${!P[@]}"; do
            cur=$(sig "$W/run/${P[$i]}")
            # without RENAME_EXCHANGE, a kill between "DIR aside" and "staging
            # into place" leaves .DIR.old.PID alone: the old set, which the
            # next run renames back (next_run_clean checks nothing is left)
            local aside=("$W/run/.${P[$i]}".old.*)
            if [[ ! -e $W/run/${P[$i]} && ${#aside[@]} -eq 1 && -d ${aside[0]} ]]; then
                cur=$(sig "${aside[0]}")
                [[ "$cur" == "${A[$i]}" ]] || { bad="$1: ${P[$i]} is missing and the old one aside is not old"; return 1; }
                nasideold=$((nasideold + 1))
            fi
            [[ "$cur" == "${A[$i]}" ]] || isold=0
            [[ "$cur" == "${B[$i]}" ]] || isnew=0
            if [[ "$cur" != "${A[$i]}" && "$cur" != "${B[$i]}" ]]; then
                bad="$1: ${P[$i]} is neither old nor new: $(diff <(echo "${A[$i]}") <(echo "$cur") | tr '\n' ' ')"
                return 1
            fi
        done
        for s in "${sets[@]}"; do
            if [[ $s == *.json ]]; then
                json_ok "$W/run/$s" || { bad="$1: $s does not parse"; return 1; }
            elif [[ $s == *.ckpt ]]; then
                $GINV info "$W/run/$s" >/dev/null 2>&1 || { bad="$1: $s does not load"; return 1; }
            fi
        done
        # counted as old only when every set is old (else it is a newer state)
        if ((isold)); then nold=$((nold + 1)); elif ((isnew)); then nnew=$((nnew + 1)); fi
        return 0
    }
    # next_run_clean: a normal run gives the new sets and leaves no temporaries
    next_run_clean() {
        if ! "${CMD[@]}" >"$W/log" 2>&1; then bad="$1: the next run failed: $(tail -1 "$W/log")"; return 1; fi
        local i left
        for i in "${!P[@]}"; do
            [[ "$(sig "$W/run/${P[$i]}")" == "${B[$i]}" ]] || { bad="$1: after the next run ${P[$i]} is not new"; return 1; }
        done
        left=$(leftovers "$W/run")
        [[ -z $left ]] || { bad="$1: temporaries left after the next run: $left"; return 1; }
        return 0
    }

    local mode k rc N noex
    for mode in $modes; do
        nold=0 nnew=0 nasideold=0 bad=""
        noex=""
        [[ $mode == noexchange ]] && noex=1
        # how many renames a complete run makes
        reset_sets
        rm -f "$W/renames"
        SHIM_NO_EXCHANGE=$noex GINV_RENAME_LOG=$W/renames LD_PRELOAD=$SHIM "${CMD[@]}" >/dev/null 2>&1
        N=$(wc -l <"$W/renames" 2>/dev/null || echo 0)
        check "${name}_makes_renames_$mode" test "$N" -ge 2
        # a kill before each of the N renames, and (k = N + 1) none: the run
        # completes, the state just after the last rename (when that rename
        # is a set's commit, no kill can land after it)
        for ((k = 1; k <= N + 1; k++)); do
            reset_sets
            { SHIM_NO_EXCHANGE=$noex GINV_KILL_AT_RENAME=$k LD_PRELOAD=$SHIM "${CMD[@]}" >/dev/null 2>&1; } 2>/dev/null
            rc=$?
            if ((k <= N)); then
                [[ $rc -eq 137 ]] || { bad="rename $k: exit $rc, not killed"; break; }
            else
                [[ $rc -eq 0 ]] || { bad="the run without a kill: exit $rc"; break; }
            fi
            state_ok "rename $k" || break
        done
        # what the kills left beside the sets (reset_sets keeps it) is gone
        # after one complete run
        [[ -z $bad ]] && next_run_clean "after the kills"
        if [[ -n $bad ]]; then
            fail "${name}_killed_at_each_rename_$mode" "$bad"
        elif ((nold < 1 || nnew < 1)); then
            fail "${name}_killed_at_each_rename_$mode" "$N kills: $nold all old, $nnew all new (expected both)"
        else
            ok "${name}_killed_at_each_rename_$mode ($N kills: $nold all old ($nasideold of them aside), $nnew all new, the rest mixed single files)"
        fi
    done

    # random moments within a run's length; then one clean run at the end
    bad=""
    local killed=0 pid d
    for ((k = 1; k <= 6; k++)); do
        reset_sets
        d=$((RANDOM * ms / 32768))
        "${CMD[@]}" >/dev/null 2>&1 &
        pid=$!
        sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
        kill -9 $pid 2>/dev/null && killed=$((killed + 1))
        { wait $pid; } 2>/dev/null
        state_ok "random kill $k" || break
    done
    [[ -z $bad ]] && next_run_clean "after the random kills"
    if [[ -n $bad ]]; then fail "${name}_killed_at_random_moments" "$bad"
    else ok "${name}_killed_at_random_moments ($killed of 6 killed while running)"; fi
}

# ---------------------------------------------------------------- cs
VAE=models/fmnist-vae-k20.safetensors
run_cs() {
    CMD=($GINV cs --model "$VAE" --data "fashion-mnist:test[0:2]" --m 20 --restarts 1 --iters 10 \
        --method csgm,lasso-dct --lasso-lambda 0.01 --seed "$1" -q --out "$2/out" --json "$2/cs.json")
}
kill_campaign cs run_cs "exchange noexchange" out cs.json

# ---------------------------------------------------------------- sample
$GINV net random --layers 4,30,50 --seed 3 -o "$TMP/g8.safetensors" >/dev/null
run_sample() {
    CMD=($GINV sample --allow-warnings --model "$TMP/g8.safetensors" --op gaussian --m 20 --noise 0.1 --step 1e-3 \
        --chains 2 --burn-in 5 --samples 10 --seed "$1" -q --out "$2/out" --json "$2/s.json")
}
kill_campaign sample run_sample exchange out s.json

# ---------------------------------------------------------------- train vae
# ten 8x8 images: the model and its checkpoint are single files, each atomic
for i in 0 1 2 3 4 5 6 7 8 9; do
    { printf 'P5\n8 8\n255\n'; head -c 64 /dev/urandom; } >"$TMP/img$i.pgm"
done
imgs=$(printf "$TMP/img%d.pgm," 0 1 2 3 4 5 6 7 8 9)
run_train() {
    CMD=($GINV train vae --data "${imgs%,}" --no-test --latent 2 --hidden 8 --batch 5 --epochs 3
         --seed "$1" -q -o "$2/v.st" --json "$2/v.json")
}
run_train 1 "$TMP"
if "${CMD[@]}" >"$TMP/train.log" 2>&1; then
    kill_campaign train run_train exchange v.st v.st.ckpt v.json
else
    fail train_runs_on_pgm_files "$(tail -1 "$TMP/train.log")"
fi

# ---------------------------------------------------------------- sweep
# the store is SQLite (WAL, one transaction per unit): after any kill, a
# --resume completes it with exactly the rows of an uninterrupted run; the
# --json summary is an atomic single file
cat >"$TMP/sweep.json" <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": 300, "restarts": 2},
 "grid": {"layers": ["4,30,100"], "m": [10, 30]}, "trials": 6, "seed": 5}
JSON
rows() { sqlite3 "$1" "SELECT u.cell, u.trial, u.seed, u.status, m.name, quote(m.value) FROM units u
    LEFT JOIN metrics m ON m.unit = u.id ORDER BY u.cell, u.trial, m.pos" | md5sum | cut -c1-32; }
if $GINV sweep "$TMP/sweep.json" --db "$TMP/ref.db" -q --json "$TMP/ref.json" >/dev/null 2>"$TMP/sweep.err"; then
    ref=$(rows "$TMP/ref.db")
    rm -f "$TMP/renames"
    GINV_RENAME_LOG=$TMP/renames LD_PRELOAD=$SHIM $GINV sweep "$TMP/sweep.json" --db "$TMP/n.db" -q \
        --json "$TMP/n.json" >/dev/null 2>&1
    N=$(wc -l <"$TMP/renames" 2>/dev/null || echo 0)
    bad=""
    for ((k = 1; k <= N; k++)); do
        rm -f "$TMP"/k.db* "$TMP"/k.json*
        { GINV_KILL_AT_RENAME=$k LD_PRELOAD=$SHIM $GINV sweep "$TMP/sweep.json" --db "$TMP/k.db" -q \
            --json "$TMP/k.json" >/dev/null 2>&1; } 2>/dev/null
        json_ok "$TMP/k.json" || { bad="rename $k: the summary does not parse"; break; }
        $GINV sweep "$TMP/sweep.json" --db "$TMP/k.db" --resume -q --json "$TMP/k.json" >/dev/null 2>"$TMP/k.err" ||
            { bad="rename $k: resume failed: $(head -1 "$TMP/k.err")"; break; }
        [[ "$(rows "$TMP/k.db")" == "$ref" ]] || { bad="rename $k: rows differ from an uninterrupted run"; break; }
        left=$(ls -A "$TMP" | grep -E '^k\.json\.tmp\.') && { bad="rename $k: left $left"; break; }
    done
    if [[ -n $bad ]]; then fail sweep_killed_at_each_rename "$bad"
    else ok "sweep_killed_at_each_rename ($N renames)"; fi
    # random moments, each resumed by the next; then a final resume
    rm -f "$TMP"/r.db* "$TMP"/r.json*
    bad=""
    for ((k = 1; k <= 8; k++)); do
        $GINV sweep "$TMP/sweep.json" --db "$TMP/r.db" --resume -q --json "$TMP/r.json" >/dev/null 2>"$TMP/r.err" &
        pid=$!
        sleep "0.$(printf '%02d' $((RANDOM % 30 + 2)))"
        kill -9 $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        rc=$?
        [[ $rc -eq 0 || $rc -eq 137 ]] || { bad="kill $k: exit $rc: $(head -1 "$TMP/r.err")"; break; }
        json_ok "$TMP/r.json" || { bad="kill $k: the summary does not parse"; break; }
    done
    if [[ -z $bad ]]; then
        $GINV sweep "$TMP/sweep.json" --db "$TMP/r.db" --resume -q --json "$TMP/r.json" >/dev/null 2>"$TMP/r.err" ||
            bad="final resume failed: $(head -1 "$TMP/r.err")"
    fi
    [[ -z $bad && "$(rows "$TMP/r.db")" != "$ref" ]] && bad="rows differ from an uninterrupted run"
    [[ -z $bad ]] && left=$(ls -A "$TMP" | grep -E '^r\.json\.tmp\.') && bad="left $left"
    if [[ -n $bad ]]; then fail sweep_killed_at_random_moments "$bad"
    else ok sweep_killed_at_random_moments; fi
else
    fail sweep_reference_runs "$(head -1 "$TMP/sweep.err")"
fi

echo done
