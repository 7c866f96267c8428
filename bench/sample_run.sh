#!/usr/bin/env bash
# bench/sample_run.sh — effective samples per second of ginv's ULA (`ginv
# sample --sampler ula`) against the same chain written in PyTorch, and the
# time per step against a plain BLAS chain, for 64 chains on the benchmark's
# 20-500-500-784 generator (docs/benchmarks.md, "Posterior sampling"). Run
# from anywhere; `make bench-sample` installs the dependencies and builds
# build/ginv first.
#
# Every thread count is run SBENCH_REPS times; the three implementations run
# one after the other inside each repetition, in a rotating order. Run (r, T)
# uses seed 100 r + T for both samplers, so every run is an independent chain.
# The bulk-ESS of both samplers' samples is computed by the same code
# (bench/ess.py); since ESS per step is a property of the Markov chain, not
# of the implementation or the thread count, the report pools it over all of
# an implementation's runs (mean) and divides by its median loop time per
# thread count. Results:
# bench/results/sample_latest.{json,md} (plus a dated copy), table on stdout.
#
# Environment knobs (defaults in brackets):
#   SBENCH_REPS [5]            repetitions (medians reported)
#   SBENCH_CHAINS [64]
#   SBENCH_BURN_IN [200]       steps discarded (timed: part of the chain's cost)
#   SBENCH_SAMPLES [1000]      steps kept per chain
#   SBENCH_STEP [1e-2]         ULA step eta
#   SBENCH_TEMPERATURE [1]     beta
#   SBENCH_SIGMA [0.03]        likelihood sigma (gaussian prior on z)
#   SBENCH_THREADS [1 2]
#   BENCH_CORETYPE [auto]      as in bench/run.sh (OPENBLAS_CORETYPE for all three)
#   BENCH_OUT [bench/results]
#   BENCH_PYTHON [/usr/bin/python3]
#   BENCH_RUN_TIMEOUT [600]    seconds before one run is killed and counted failed
#   GINV [build/ginv]          (copied into BENCH_OUT/sample-work first)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

REPS=${SBENCH_REPS:-5}
CHAINS=${SBENCH_CHAINS:-64}
BURN=${SBENCH_BURN_IN:-200}
SAMPLES=${SBENCH_SAMPLES:-1000}
STEP=${SBENCH_STEP:-1e-2}
BETA=${SBENCH_TEMPERATURE:-1}
SIGMA=${SBENCH_SIGMA:-0.03}
THREADS=${SBENCH_THREADS:-"1 2"}
STEPS=$((BURN + SAMPLES))

NAME=bench-sample
WORK_NAME=sample-work
TIME_KEY=seconds_per_step
# shellcheck source-path=SCRIPTDIR source=common.sh
source bench/common.sh

write_meta <<EOF
    "reps": $REPS, "chains": $CHAINS, "burn_in": $BURN, "samples": $SAMPLES, "steps": $STEPS,
    "step": float("$STEP"), "temperature": float("$BETA"), "sigma": float("$SIGMA"),
    "prior": "gaussian", "init": "zero", "m": $M, "warmup_peer": $WARMUP,
    "generator": "$GENERATOR",
    "threads": [int(t) for t in "$THREADS".split()],
EOF

fail() { # impl T rep rc logfile
    fail_run "$1" "T=$2" "$4" "$5" threads "$2" rep "$3"
}

# the line for one sampler run: its loop time, plus the bulk-ESS of its samples by bench/ess.py
sampler_line() { # impl T rep seconds_per_step seconds samples.npy [extra-json]
    "$PY" - "$@" <<'EOF'
import json, sys
sys.path.insert(0, "bench")
import ess
impl, T, rep, sps, sec, path = sys.argv[1:7]
extra = json.loads(sys.argv[7]) if len(sys.argv) > 7 else {}
e = ess.summary(path)
d = {"impl": impl, "threads": int(T), "rep": int(rep), "seconds_per_step": float(sps),
     "seconds": float(sec), "min_ess_bulk": e["min_ess_bulk"],
     "median_ess_bulk": e["median_ess_bulk"], "finite": e["finite"],
     "ess_per_second": e["min_ess_bulk"] / float(sec)}
d.update(extra)
print(json.dumps(d))
EOF
}

run_ginv() { # T rep
    local T=$1 rep=$2 j="$WORK/ginv-T$1.json" o="$WORK/ginv-T$1" line rc=0
    rm -rf "$j" "$o"
    tmo "$GINV" sample --allow-warnings --model "$MODEL" --op "matrix:$A" --y "$Y" --sigma "$SIGMA" \
        --prior gaussian --sampler ula --step "$STEP" --temperature "$BETA" \
        --chains "$CHAINS" --burn-in "$BURN" --samples "$SAMPLES" --start zero \
        --seed $((100 * rep + T)) --threads "$T" --out "$o" --json "$j" -q >"$WORK/ginv.log" 2>&1 || rc=$?
    if ((rc == 0)) && line=$("$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["seconds_per_step"], s["sampling_seconds"],
      json.dumps({"ginv_min_ess_bulk": s.get("min_ess_bulk"), "max_rhat": s.get("max_rhat"),
                  "steps": s.get("steps_per_chain")}))
' "$j" 2>>"$WORK/ginv.log") && read -r sps sec extra <<<"$line" &&
        line=$(sampler_line ginv "$T" "$rep" "$sps" "$sec" "$o/samples.npy" "$extra" 2>>"$WORK/ginv.log"); then
        emit "$line"
    else
        ((rc != 0)) || rc=1
        fail ginv "$T" "$rep" $rc "$WORK/ginv.log"
    fi
}

run_torch() { # T rep
    local T=$1 rep=$2 s="$WORK/torch-T$1.npy" line rc=0
    if [[ -z $torch_version ]]; then
        emit "{\"impl\": \"torch\", \"threads\": $T, \"rep\": $rep, \"skipped\": \"torch cannot be imported\"}"
        return
    fi
    rm -f "$s"
    line=$(tmo "$PY" bench/peer_torch_ula.py --model "$MODEL" --A "$A" --y "$Y" --chains "$CHAINS" \
        --threads "$T" --step "$STEP" --temperature "$BETA" --sigma "$SIGMA" --burn-in "$BURN" \
        --samples "$SAMPLES" --warmup $WARMUP --seed $((100 * rep + T)) --out-samples "$s" \
        2>"$WORK/torch.log") || rc=$?
    if ((rc == 0)) && line=$("$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
print(d["seconds_per_step"], d["seconds"], json.dumps({"steps": d["steps"]}))' "$line") &&
        read -r sps sec extra <<<"$line" &&
        line=$(sampler_line torch "$T" "$rep" "$sps" "$sec" "$s" "$extra" 2>>"$WORK/torch.log"); then
        emit "$line"
    else
        ((rc != 0)) || rc=1
        fail torch "$T" "$rep" $rc "$WORK/torch.log"
    fi
}

run_blas() { # T rep
    local T=$1 rep=$2 line rc=0
    line=$(tmo "$CHAIN" --B "$CHAINS" --threads "$T" --iters "$STEPS" --warmup $WARMUP \
        2>"$WORK/blas.log") || rc=$?
    if ((rc == 0)); then
        emit "$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d["rep"]=int(sys.argv[2]); d["seconds_per_step"]=d.pop("seconds_per_iter"); print(json.dumps(d))' "$line" "$rep")"
    else
        fail blas "$T" "$rep" $rc "$WORK/blas.log"
    fi
}

start_clock
log "$REPS repetitions x threads in {$THREADS}: ULA, $CHAINS chains, $BURN + $SAMPLES steps, eta $STEP, beta $BETA, sigma $SIGMA; OpenBLAS core $core"
for ((rep = 1; rep <= REPS; rep++)); do
    for T in $THREADS; do
        run_config "$rep" "$T" "rep $rep/$REPS T=$T:" "$T" "$rep"
    done
    rep_done "$rep"
done
finish bench/sample_report.py sample_latest sample
