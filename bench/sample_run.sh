#!/usr/bin/env bash
# bench/sample_run.sh — effective samples per second of ginv's ULA (`ginv
# sample --sampler ula`) against the same chain written in PyTorch, and the
# time per step against a plain BLAS chain, for 64 chains on the benchmark's
# 20-500-500-784 generator (docs/benchmarks.md, "Posterior sampling"). Run
# from anywhere; `make bench-sample` installs the dependencies and builds
# build/ginv first.
#
# Every thread count is run SBENCH_REPS times; the three implementations run
# one after the other inside each repetition, in a rotating order. Repetition
# r uses seed r for both samplers. The bulk-ESS of both samplers' samples is
# computed by the same code (bench/ess.py). Results:
# bench/results/sample_latest.{json,md} (plus a dated copy), table on stdout.
#
# Environment knobs (defaults in brackets):
#   SBENCH_REPS [3]            repetitions (medians reported)
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

REPS=${SBENCH_REPS:-3}
CHAINS=${SBENCH_CHAINS:-64}
BURN=${SBENCH_BURN_IN:-200}
SAMPLES=${SBENCH_SAMPLES:-1000}
STEP=${SBENCH_STEP:-1e-2}
BETA=${SBENCH_TEMPERATURE:-1}
SIGMA=${SBENCH_SIGMA:-0.03}
THREADS=${SBENCH_THREADS:-"1 2"}
CORETYPE=${BENCH_CORETYPE:-auto}
OUT=${BENCH_OUT:-bench/results}
PY=${BENCH_PYTHON:-/usr/bin/python3}
GINV=${GINV:-build/ginv}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-600}
M=100
WARMUP=20
STEPS=$((BURN + SAMPLES))

die() { echo "bench-sample: $*" >&2; exit 1; }
log() { echo "bench-sample: $*" >&2; }

[[ -x $GINV ]] || die "$GINV not found: run 'make bench-sample' (or 'make build/ginv')"
command -v cc >/dev/null || die "no C compiler (cc)"
"$PY" -c 'import numpy' 2>/dev/null ||
    die "$PY cannot import numpy: run 'scripts/deps.sh --bench'"

mkdir -p "$OUT" build/bench
WORK="$OUT/sample-work"
rm -rf "$WORK"
mkdir -p "$WORK"
cp "$GINV" "$WORK/ginv"
GINV="$WORK/ginv"
tmo() { timeout --kill-after=10 "$RUN_TIMEOUT" "$@"; }

# ---- the BLAS chain (the 8 products of one gradient: one ULA step) ----------
CHAIN=build/bench/blas_chain
if [[ ! -x $CHAIN || bench/blas_chain.c -nt $CHAIN ]]; then
    cc -O2 -std=c11 -Wall -Wextra -o "$CHAIN" bench/blas_chain.c -lopenblas -lm ||
        die "cannot build $CHAIN"
fi

# ---- OpenBLAS kernel choice: exactly as bench/run.sh -------------------------
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

# ---- inputs: model, A, y (as bench/run.sh) -----------------------------------
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
    "reps": $REPS, "chains": $CHAINS, "burn_in": $BURN, "samples": $SAMPLES, "steps": $STEPS,
    "step": float("$STEP"), "temperature": float("$BETA"), "sigma": float("$SIGMA"),
    "prior": "gaussian", "init": "zero", "m": $M, "warmup_peer": $WARMUP,
    "generator": "20-500-500-784 dense+softplus, dense+softplus, dense+sigmoid, bias",
    "threads": [int(t) for t in "$THREADS".split()],
}, open(sys.argv[1], "w"), indent=2)
EOF

RAW="$WORK/raw.jsonl"
: >"$RAW"
nerr=0
emit() { echo "$1" >>"$RAW"; }

fail() { # impl T rep rc logfile
    local why
    nerr=$((nerr + 1))
    if (($4 == 124 || $4 == 137)); then
        why="timed out after ${RUN_TIMEOUT}s"
    else
        why="exit status $4: $(tail -n 1 "$5" 2>/dev/null)"
    fi
    log "$1 failed (T=$2): $why; log: $5"
    tail -n 5 "$5" >&2 2>/dev/null || true
    emit "$("$PY" -c 'import json,sys; print(json.dumps({"impl":sys.argv[1],"threads":int(sys.argv[2]),"rep":int(sys.argv[3]),"error":sys.argv[4]}))' "$1" "$2" "$3" "$why")"
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
    tmo "$GINV" sample --model "$MODEL" --op "matrix:$A" --y "$Y" --sigma "$SIGMA" \
        --prior gaussian --sampler ula --step "$STEP" --temperature "$BETA" \
        --chains "$CHAINS" --burn-in "$BURN" --samples "$SAMPLES" --init zero \
        --seed "$rep" --threads "$T" --out "$o" --json "$j" -q >"$WORK/ginv.log" 2>&1 || rc=$?
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
        --samples "$SAMPLES" --warmup $WARMUP --seed "$rep" --out-samples "$s" \
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

last_time() { # the time per step of the last sample, for the progress line
    "$PY" -c 'import json,sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print("%.3f ms" % (1e3 * d["seconds_per_step"]) if "seconds_per_step" in d else "-")' "$RAW"
}

impls=(ginv torch blas)
read -r load1 _ </proc/loadavg
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > 0.25 * n) }'; then
    log "warning: load average $load1 on $(nproc) CPUs before the start: other work will disturb the figures"
fi
t_start=$(date +%s)
log "$REPS repetitions x threads in {$THREADS}: ULA, $CHAINS chains, $BURN + $SAMPLES steps, eta $STEP, beta $BETA, sigma $SIGMA; OpenBLAS core $core"
for ((rep = 1; rep <= REPS; rep++)); do
    for T in $THREADS; do
        export OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T MKL_NUM_THREADS=$T OMP_WAIT_POLICY=PASSIVE
        msg="rep $rep/$REPS T=$T:"
        for ((i = 0; i < 3; i++)); do # rotate the order between repetitions
            impl=${impls[$(((i + rep - 1) % 3))]}
            "run_$impl" "$T" "$rep"
            msg+=" $impl $(last_time)"
        done
        log "$msg"
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
"$PY" bench/sample_report.py --raw "$RAW" --meta "$META" --json "$OUT/sample_latest.json" \
    --md "$OUT/sample_latest.md"
cp "$OUT/sample_latest.json" "$OUT/sample-$stamp.json"
cp "$OUT/sample_latest.md" "$OUT/sample-$stamp.md"
log "wrote $OUT/sample_latest.json and $OUT/sample_latest.md (copies: sample-$stamp.*)"
((nerr == 0)) || die "$nerr run(s) failed; see above"
