# shellcheck shell=bash disable=SC2034  # (the variables set here are used by the drivers)
# bench/common.sh — the part of the benchmark drivers bench/run.sh and
# bench/sample_run.sh that they share; sourced by them, not run.
#
# The driver sets, before sourcing it, from the repository root:
#   NAME       the log prefix, and the make target that builds the
#              prerequisites ("bench", "bench-sample")
#   WORK_NAME  the folder under BENCH_OUT for inputs and raw samples
#   TIME_KEY   the key of the time per iteration/step in a raw line (for the
#              progress line)
# and its own knobs. Sourcing it reads the shared knobs (BENCH_CORETYPE,
# BENCH_OUT, BENCH_PYTHON, BENCH_RUN_TIMEOUT, GINV; described in the
# drivers' headers), checks the dependencies, makes a fresh work folder with
# a copy of ginv, builds the BLAS chain, chooses OpenBLAS's kernels for all
# three implementations, checks for torch and makes the inputs (model, A, y).
# The functions after that are for the driver's measuring loop and report.

CORETYPE=${BENCH_CORETYPE:-auto}
OUT=${BENCH_OUT:-bench/results}
PY=${BENCH_PYTHON:-/usr/bin/python3}
GINV=${GINV:-build/ginv}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-600}
M=100
WARMUP=20

die() { echo "$NAME: $*" >&2; exit 1; }
log() { echo "$NAME: $*" >&2; }

[[ -x $GINV ]] || die "$GINV not found: run 'make $NAME' (or 'make build/ginv')"
command -v cc >/dev/null || die "no C compiler (cc)"
"$PY" -c 'import numpy' 2>/dev/null ||
    die "$PY cannot import numpy: run 'scripts/deps.sh --bench'"

# ginv is copied into the work folder first, so that a rebuild during the run
# cannot mix two versions
mkdir -p "$OUT" build/bench
WORK="$OUT/$WORK_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"
cp "$GINV" "$WORK/ginv"
GINV="$WORK/ginv"
tmo() { timeout --kill-after=10 "$RUN_TIMEOUT" "$@"; }

# ---- the BLAS chain (the 8 products of one gradient) --------------------------
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
GENERATOR="20-500-500-784 dense+softplus, dense+softplus, dense+sigmoid, bias"
"$GINV" net random --layers 20,500,500,784 --act softplus --out-act sigmoid --bias --seed 1 \
    -o "$MODEL" >"$WORK/net.log" 2>&1 || { cat "$WORK/net.log" >&2; die "'ginv net random' failed"; }
"$PY" bench/make_inputs.py --model "$MODEL" --m $M --seed 1 --out-dir "$WORK" ||
    die "make_inputs.py failed"
A="$WORK/A.npy"
Y="$WORK/y.npy"

META="$WORK/meta.json"
RAW="$WORK/raw.jsonl"
: >"$RAW"
nerr=0
emit() { echo "$1" >>"$RAW"; }

# ---- functions for the driver --------------------------------------------------

write_meta() { # stdin: the driver's own entries of the metadata dict, as Python source
    local fields ginv_version cpu
    fields=$(cat)
    ginv_version=$("$GINV" version 2>/dev/null | head -n1 || true)
    cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
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
$fields
}, open(sys.argv[1], "w"), indent=2)
EOF
}

fail_run() { # impl where rc logfile key value ... : count a failed run and emit its error line
    # (where: the configuration for the log, e.g. "B=64 T=2"; the key-value
    # pairs: the integer fields of the error line, in order)
    local impl=$1 where=$2 rc=$3 logf=$4 why
    shift 4
    nerr=$((nerr + 1))
    if ((rc == 124 || rc == 137)); then
        why="timed out after ${RUN_TIMEOUT}s"
    else
        why="exit status $rc: $(tail -n 1 "$logf" 2>/dev/null)"
    fi
    log "$impl failed ($where): $why; log: $logf"
    tail -n 5 "$logf" >&2 2>/dev/null || true
    emit "$("$PY" -c 'import json,sys
a = sys.argv[1:]
d = {"impl": a[0]}
d.update((k, int(v)) for k, v in zip(a[1:-1:2], a[2:-1:2]))
d["error"] = a[-1]
print(json.dumps(d))' "$impl" "$@" "$why")"
}

last_time() { # the time of the last sample, for the progress line
    "$PY" -c 'import json,sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print("%.3f ms" % (1e3 * d[sys.argv[2]]) if sys.argv[2] in d else "-")' "$RAW" "$TIME_KEY"
}

IMPLS=(ginv torch blas)

start_clock() { # warn about a loaded machine; t_start
    local load1
    read -r load1 _ </proc/loadavg
    if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > 0.25 * n) }'; then
        log "warning: load average $load1 on $(nproc) CPUs before the start: other work will disturb the figures"
    fi
    t_start=$(date +%s)
}

run_config() { # rep T msg args... : the three implementations on T threads, args to each run_<impl>
    local rep=$1 T=$2 msg=$3 i impl
    shift 3
    export OPENBLAS_NUM_THREADS=$T OMP_NUM_THREADS=$T MKL_NUM_THREADS=$T OMP_WAIT_POLICY=PASSIVE
    for ((i = 0; i < 3; i++)); do # rotate the order between repetitions
        impl=${IMPLS[$(((i + rep - 1) % 3))]}
        "run_$impl" "$@"
        msg+=" $impl $(last_time)"
    done
    log "$msg"
}

rep_done() { # rep: after the first of several repetitions, the time still to go
    local el
    if (($1 == 1 && REPS > 1)); then
        el=$(($(date +%s) - t_start))
        log "first repetition took ${el}s; about $((el * (REPS - 1) / 60 + 1)) more minutes"
    fi
}

finish() { # report.py latest-name copy-prefix: metadata, report, dated copies; exit status
    local report=$1 latest=$2 prefix=$3 stamp
    unset OPENBLAS_NUM_THREADS OMP_NUM_THREADS MKL_NUM_THREADS OMP_WAIT_POLICY
    "$PY" - "$META" "$(($(date +%s) - t_start))" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["duration_s"] = int(sys.argv[2])
m["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
    stamp=$(date +%Y%m%d-%H%M%S)
    "$PY" "$report" --raw "$RAW" --meta "$META" --json "$OUT/$latest.json" --md "$OUT/$latest.md"
    cp "$OUT/$latest.json" "$OUT/$prefix-$stamp.json"
    cp "$OUT/$latest.md" "$OUT/$prefix-$stamp.md"
    log "wrote $OUT/$latest.json and $OUT/$latest.md (copies: $prefix-$stamp.*)"
    ((nerr == 0)) || die "$nerr run(s) failed; see above"
}
