#!/usr/bin/env bash
# bench/sample_nuts.sh — min bulk-ESS per second of NUTS (adapted) against
# GD -> Laplace-preconditioned MALA and plain MALA at the step of
# docs/sampling.md, on the shipped VAE's inpainting posterior (test image 0,
# centred 14 x 14 box hidden, sigma 0.1, gaussian prior, GD start), the same
# chains, warm-up and kept draws for all three; NBENCH_REPS repetitions with
# chain seeds 1, 2, ...; medians. ESS/s is given for the sampling time (the
# chains, warm-up included: summary.sampling_seconds) and for the whole
# process (wall time of `ginv sample`, loading and GD included). Not a test:
# docs/benchmarks.md records its figures with this command.
#
#   NBENCH_REPS [3]  NBENCH_CHAINS [4]  NBENCH_BURN_IN [500]  NBENCH_SAMPLES [500]
#   NBENCH_THREADS [1]  GINV [build/ginv]  BENCH_OUT [bench/results]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
G=${GINV:-build/ginv}
REPS=${NBENCH_REPS:-3}
CH=${NBENCH_CHAINS:-4}
BURN=${NBENCH_BURN_IN:-500}
KEEP=${NBENCH_SAMPLES:-500}
THR=${NBENCH_THREADS:-1}
OUT=${BENCH_OUT:-bench/results}/nuts-work
mkdir -p "$OUT"
V=models/fmnist-vae-k20.safetensors
[[ -s $OUT/cs_inp0/y.npy ]] ||
    $G cs --model $V --data "fashion-mnist:test[0:1]" --op inpaint-box --method csgm --iters 300 --restarts 2 \
        --out "$OUT/cs_inp0" -q
BASE=(sample --model $V --op inpaint-box --y "$OUT/cs_inp0/y.npy" --sigma 0.1 --prior gaussian --start gd
      --gd-iters 1000 --gd-lr 0.1 --chains "$CH" --burn-in "$BURN" --samples "$KEEP" --threads "$THR"
      --allow-warnings -q)
declare -A ARGS=(
    [nuts]="--sampler nuts"
    [mala-laplace]="--sampler mala --precond laplace --step 0.3 --adapt off"
    [mala]="--sampler mala --step 2e-4 --adapt off"
)
printf '%-13s %4s %10s %10s %10s %9s %9s %8s\n' sampler rep min_bulk sampling_s process_s ess/s ess/s_all max_rhat
for r in $(seq 1 "$REPS"); do
    for s in nuts mala-laplace mala; do
        j="$OUT/$s-$r.json"
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        $G "${BASE[@]}" ${ARGS[$s]} --chain-seed "$r" --out "$OUT/$s-$r" --json "$j"
        t1=$(date +%s.%N)
        python3 - "$j" "$s" "$r" "$t0" "$t1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d["summary"]
wall = float(sys.argv[5]) - float(sys.argv[4])
print("%-13s %4s %10.1f %10.2f %10.2f %9.1f %9.1f %8.4f" % (sys.argv[2], sys.argv[3], s["min_ess_bulk"],
      s["sampling_seconds"], wall, s["min_ess_bulk"] / s["sampling_seconds"], s["min_ess_bulk"] / wall, s["max_rhat"]))
PY
    done
done | tee "$OUT/runs.txt"
python3 - "$OUT/runs.txt" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("sampler")]
print("\nmedians over %d runs:" % (len(rows) // 3))
print("| sampler | min bulk-ESS | sampling s | process s | ESS/s (sampling) | ESS/s (process) | max R-hat |")
print("|---|---:|---:|---:|---:|---:|---:|")
for s in ("nuts", "mala-laplace", "mala"):
    r = [x for x in rows if x[0] == s]
    m = lambda i: st.median(float(x[i]) for x in r)
    print("| %s | %.1f | %.2f | %.2f | %.1f | %.1f | %.4f |" % (s, m(2), m(3), m(4), m(5), m(6), m(7)))
PY
