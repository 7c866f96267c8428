#!/usr/bin/env bash
# bench/run.sh — ginv vs PyTorch vs a plain BLAS chain on the Adam inversion of
# a 20-500-500-784 generator (docs/benchmarks.md). Run from anywhere; `make
# bench` installs the dependencies and builds build/ginv first.
#
# Every configuration (B restarts x T threads) is run BENCH_REPS times; the
# three implementations run one after the other inside each repetition, in a
# rotating order, so that drift in the machine's load affects all alike.
# Results: bench/results/latest.{json,md} (plus a dated copy), table on stdout.
#
# Environment knobs (defaults in brackets):
#   BENCH_REPS [5]            repetitions per configuration (medians reported)
#   BENCH_ITERS [1000]        Adam iterations timed per run
#   BENCH_BATCHES [1 10 64 256]
#   BENCH_THREADS [1 2]
#   BENCH_TORCH_ITERS []      per-B override of torch's iteration count, e.g.
#                             "256:300" (for slow machines; reported)
#   BENCH_CORETYPE [auto]     OPENBLAS_CORETYPE for all three implementations:
#                             auto = set it only when OpenBLAS does not know
#                             this CPU and falls back to its generic Prescott
#                             (SSE3) kernels although the CPU has AVX-512/AVX2;
#                             none = OpenBLAS's own choice for all three
#                             (GINV_NO_REEXEC=1 stops ginv from fixing it);
#                             native = as installed: ginv fixes the fallback
#                             itself, torch and the chain keep it; or a name.
#   BENCH_OUT [bench/results] where inputs, raw samples and reports go
#   BENCH_PYTHON [/usr/bin/python3]  the Python with Debian's numpy and torch
#   BENCH_RUN_TIMEOUT [600]   seconds before one run is killed and counted failed
#   GINV [build/ginv]         (copied into BENCH_OUT/work first, so a rebuild
#                             during the run cannot mix two versions)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

REPS=${BENCH_REPS:-5}
ITERS=${BENCH_ITERS:-1000}
BATCHES=${BENCH_BATCHES:-"1 10 64 256"}
THREADS=${BENCH_THREADS:-"1 2"}
TORCH_ITERS=${BENCH_TORCH_ITERS:-}
LR=0.01

NAME=bench
WORK_NAME=work
TIME_KEY=seconds_per_iter
# shellcheck source-path=SCRIPTDIR source=common.sh
source bench/common.sh

write_meta <<EOF
    "reps": $REPS, "iters": $ITERS, "warmup_peer": $WARMUP, "lr": $LR, "m": $M,
    "generator": "$GENERATOR",
    "batches": [int(b) for b in "$BATCHES".split()],
    "threads": [int(t) for t in "$THREADS".split()],
    "torch_iters_override": "$TORCH_ITERS",
EOF

torch_iters_for() { # B -> iterations for torch
    local b=$1 kv
    for kv in $TORCH_ITERS; do
        [[ ${kv%%:*} == "$b" ]] && { echo "${kv#*:}"; return; }
    done
    echo "$ITERS"
}

fail() { # impl B T rep rc logfile
    fail_run "$1" "B=$2 T=$3" "$5" "$6" B "$2" threads "$3" rep "$4"
}

add_rep() { # JSON line, rep -> the line with "rep" added
    "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d["rep"]=int(sys.argv[2]); print(json.dumps(d))' "$1" "$2"
}

run_ginv() { # B T rep
    local B=$1 T=$2 rep=$3 j="$WORK/ginv-B$1-T$2.json" line rc=0
    rm -f "$j"
    tmo "$GINV" recover --model "$MODEL" --op "matrix:$A" --y "$Y" --algo adam --lr $LR \
        --iters "$ITERS" --restarts "$B" --trials 1 --seed 1 --threads "$T" --json "$j" \
        >"$WORK/ginv.log" 2>&1 || rc=$?
    if ((rc == 0)) && line=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]["seconds_per_iter"]
print(json.dumps({"impl": "ginv", "B": int(sys.argv[2]), "threads": int(sys.argv[3]),
                  "rep": int(sys.argv[4]), "iters": int(sys.argv[5]), "seconds_per_iter": float(s),
                  "meas_loss": d["summary"].get("median_meas_loss")}))
' "$j" "$B" "$T" "$rep" "$ITERS" 2>>"$WORK/ginv.log"); then
        emit "$line"
    else
        ((rc != 0)) || rc=1
        fail ginv "$B" "$T" "$rep" $rc "$WORK/ginv.log"
    fi
}

run_torch() { # B T rep
    local B=$1 T=$2 rep=$3 line rc=0
    if [[ -z $torch_version ]]; then
        emit "{\"impl\": \"torch\", \"B\": $B, \"threads\": $T, \"rep\": $rep, \"skipped\": \"torch cannot be imported\"}"
        return
    fi
    line=$(tmo "$PY" bench/peer_torch.py --model "$MODEL" --A "$A" --y "$Y" --B "$B" \
        --threads "$T" --iters "$(torch_iters_for "$B")" --warmup $WARMUP --lr $LR \
        2>"$WORK/torch.log") || rc=$?
    if ((rc == 0)); then emit "$(add_rep "$line" "$rep")"; else fail torch "$B" "$T" "$rep" $rc "$WORK/torch.log"; fi
}

run_blas() { # B T rep
    local B=$1 T=$2 rep=$3 line rc=0
    line=$(tmo "$CHAIN" --B "$B" --threads "$T" --iters "$ITERS" --warmup $WARMUP \
        2>"$WORK/blas.log") || rc=$?
    if ((rc == 0)); then emit "$(add_rep "$line" "$rep")"; else fail blas "$B" "$T" "$rep" $rc "$WORK/blas.log"; fi
}

start_clock
log "$REPS repetitions x B in {$BATCHES} x threads in {$THREADS}, $ITERS iterations; OpenBLAS core $core"
for ((rep = 1; rep <= REPS; rep++)); do
    for B in $BATCHES; do
        for T in $THREADS; do
            run_config "$rep" "$T" "rep $rep/$REPS B=$B T=$T:" "$B" "$T" "$rep"
        done
    done
    rep_done "$rep"
done
finish bench/report.py latest bench
