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
CORETYPE=${BENCH_CORETYPE:-auto}
OUT=${BENCH_OUT:-bench/results}
PY=${BENCH_PYTHON:-/usr/bin/python3}
GINV=${GINV:-build/ginv}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-600}
M=100
LR=0.01
WARMUP=20

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

[[ -x $GINV ]] || die "$GINV not found: run 'make bench' (or 'make build/ginv')"
command -v cc >/dev/null || die "no C compiler (cc)"
"$PY" -c 'import numpy' 2>/dev/null ||
    die "$PY cannot import numpy: run 'scripts/deps.sh --bench'"

mkdir -p "$OUT" build/bench
WORK="$OUT/work"
rm -rf "$WORK"
mkdir -p "$WORK"
cp "$GINV" "$WORK/ginv"
GINV="$WORK/ginv"
tmo() { timeout --kill-after=10 "$RUN_TIMEOUT" "$@"; }

# ---- the BLAS chain -------------------------------------------------------
CHAIN=build/bench/blas_chain
if [[ ! -x $CHAIN || bench/blas_chain.c -nt $CHAIN ]]; then
    cc -O2 -std=c11 -Wall -Wextra -o "$CHAIN" bench/blas_chain.c -lopenblas -lm ||
        die "cannot build $CHAIN"
fi

# ---- OpenBLAS kernel choice (the same for all three implementations) -------
jget() { "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d.get(sys.argv[1], ""))' "$1"; }
core_default=$(env -u OPENBLAS_CORETYPE "$CHAIN" --B 1 --iters 1 --warmup 0 | jget core)
case $CORETYPE in
auto)
    unset OPENBLAS_CORETYPE
    if [[ ${core_default,,} == prescott ]]; then
        if grep -qw avx512f /proc/cpuinfo; then
            export OPENBLAS_CORETYPE=SkylakeX
        elif grep -qw avx2 /proc/cpuinfo; then
            export OPENBLAS_CORETYPE=Haswell
        fi
        [[ -n ${OPENBLAS_CORETYPE:-} ]] &&
            log "OpenBLAS falls back to Prescott kernels on this CPU; using OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE for all (BENCH_CORETYPE=none to keep Prescott)"
    fi ;;
none) unset OPENBLAS_CORETYPE; export GINV_NO_REEXEC=1 ;;
native) unset OPENBLAS_CORETYPE GINV_NO_REEXEC ;;
*) export OPENBLAS_CORETYPE=$CORETYPE ;;
esac
chain_info=$("$CHAIN" --B 1 --iters 1 --warmup 0)
core=$(jget core <<<"$chain_info")
openblas_cfg=$(jget openblas <<<"$chain_info")

# ---- torch available? --------------------------------------------------------
torch_version=""
if torch_version=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null); then
    :
else
    torch_version=""
    log "PyTorch cannot be imported by $PY: the torch column is skipped (scripts/deps.sh --bench installs python3-torch)"
fi

# ---- inputs: model, A, y -------------------------------------------------------
MODEL="$WORK/model.safetensors"
"$GINV" net random --layers 20,500,500,784 --act softplus --out-act sigmoid --bias --seed 1 \
    -o "$MODEL" >"$WORK/net.log" 2>&1 || { cat "$WORK/net.log" >&2; die "'ginv net random' failed"; }
"$PY" bench/make_inputs.py --model "$MODEL" --m $M --seed 1 --out-dir "$WORK" ||
    die "make_inputs.py failed"
A="$WORK/A.npy"
Y="$WORK/y.npy"

# ---- metadata --------------------------------------------------------------
ginv_version=$("$GINV" version 2>/dev/null | head -n1 || true)
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
META="$WORK/meta.json"
"$PY" - "$META" <<EOF
import json, os, subprocess, sys, time
def git(*a):
    try:
        return subprocess.run(["git", *a], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
json.dump({
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "host_nproc": os.cpu_count(), "nproc": int(subprocess.run(["nproc"], capture_output=True, text=True).stdout),
    "cpu": """$cpu""", "loadavg_start": open("/proc/loadavg").read().split()[:3],
    "openblas": """$openblas_cfg""", "openblas_core": "$core",
    "openblas_core_default": "$core_default",
    "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
    "coretype_mode": "$CORETYPE",
    "torch": "$torch_version", "ginv": """$ginv_version""",
    "git": git("rev-parse", "--short", "HEAD") + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else ""),
    "reps": $REPS, "iters": $ITERS, "warmup_peer": $WARMUP, "lr": $LR, "m": $M,
    "generator": "20-500-500-784 dense+softplus, dense+softplus, dense+sigmoid, bias",
    "batches": [int(b) for b in "$BATCHES".split()],
    "threads": [int(t) for t in "$THREADS".split()],
    "torch_iters_override": "$TORCH_ITERS",
}, open(sys.argv[1], "w"), indent=2)
EOF

torch_iters_for() { # B -> iterations for torch
    local b=$1 kv
    for kv in $TORCH_ITERS; do
        [[ ${kv%%:*} == "$b" ]] && { echo "${kv#*:}"; return; }
    done
    echo "$ITERS"
}

RAW="$WORK/raw.jsonl"
: >"$RAW"
nerr=0
emit() { echo "$1" >>"$RAW"; }
err_line() { # impl B T rep message
    "$PY" -c 'import json,sys; print(json.dumps({"impl":sys.argv[1],"B":int(sys.argv[2]),"threads":int(sys.argv[3]),"rep":int(sys.argv[4]),"error":sys.argv[5]}))' "$@"
}

fail() { # impl B T rep rc logfile
    local why
    nerr=$((nerr + 1))
    if (($5 == 124 || $5 == 137)); then
        why="timed out after ${RUN_TIMEOUT}s"
    else
        why="exit status $5: $(tail -n 1 "$6" 2>/dev/null)"
    fi
    log "$1 failed (B=$2 T=$3): $why; log: $6"
    tail -n 5 "$6" >&2 2>/dev/null || true
    emit "$(err_line "$1" "$2" "$3" "$4" "$why")"
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

last_time() { # the time of the last sample, for the progress line
    "$PY" -c 'import json,sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print("%.3f ms" % (1e3 * d["seconds_per_iter"]) if "seconds_per_iter" in d else "-")' "$RAW"
}

impls=(ginv torch blas)
read -r load1 _ </proc/loadavg
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > 0.25 * n) }'; then
    log "warning: load average $load1 on $(nproc) CPUs before the start: other work will disturb the figures"
fi
t_start=$(date +%s)
log "$REPS repetitions x B in {$BATCHES} x threads in {$THREADS}, $ITERS iterations; OpenBLAS core $core"
for ((rep = 1; rep <= REPS; rep++)); do
    for B in $BATCHES; do
        for T in $THREADS; do
            export OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T MKL_NUM_THREADS=$T OMP_WAIT_POLICY=PASSIVE
            msg="rep $rep/$REPS B=$B T=$T:"
            for ((i = 0; i < 3; i++)); do # rotate the order between repetitions
                impl=${impls[$(((i + rep - 1) % 3))]}
                "run_$impl" "$B" "$T" "$rep"
                msg+=" $impl $(last_time)"
            done
            log "$msg"
        done
    done
    if ((rep == 1 && REPS > 1)); then
        el=$(($(date +%s) - t_start))
        log "first repetition took ${el}s; about $((el * (REPS - 1) / 60 + 1)) more minutes"
    fi
done
unset OPENBLAS_NUM_THREADS OMP_NUM_THREADS MKL_NUM_THREADS OMP_WAIT_POLICY

"$PY" - "$META" "$(($(date +%s) - t_start))" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["duration_s"] = int(sys.argv[2])
m["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF

stamp=$(date +%Y%m%d-%H%M%S)
"$PY" bench/report.py --raw "$RAW" --meta "$META" --json "$OUT/latest.json" --md "$OUT/latest.md"
cp "$OUT/latest.json" "$OUT/bench-$stamp.json"
cp "$OUT/latest.md" "$OUT/bench-$stamp.md"
log "wrote $OUT/latest.json and $OUT/latest.md (copies: bench-$stamp.*)"
((nerr == 0)) || die "$nerr run(s) failed; see above"
