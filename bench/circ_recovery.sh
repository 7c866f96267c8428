#!/usr/bin/env bash
# bench/circ_recovery.sh — issue #17, experiment 3: recovery curves of
# circulant:M vs dense gaussian on random expansive ReLU generators
# (docs/operators.md, "Experiment: circulant vs dense Gaussian"), and the
# wall time per trial of a whole recovery at n = 4096.
# Usage: bench/circ_recovery.sh OUTDIR   (BUILD [build], TRIALS [40],
# BIG_TRIALS [20]); prints Markdown tables with 95 % Wilson intervals.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
G=$PWD/$BUILD/ginv
OUT=${1:?usage: bench/circ_recovery.sh OUTDIR}
TRIALS=${TRIALS:-40}
BIG_TRIALS=${BIG_TRIALS:-20}
mkdir -p "$OUT"
for op in gaussian circulant; do for algo in adam signflip; do for m in 20 30 40 60 80 120; do
    "$G" recover --layers 10,250,1000 --op $op --m $m --algo $algo --iters 1000 \
        --trials "$TRIALS" --seed 1 -q --json "$OUT/curve_${op}_${algo}_$m.json"
done; done; done
# n = 4096: one thread, so solve_seconds / trials is the wall time of a trial
for m in 100 200; do for op in gaussian circulant; do
    "$G" recover --layers 10,250,1000,4096 --op $op --m $m --algo adam --iters 1000 \
        --trials "$BIG_TRIALS" --seed 1 --threads 1 -q --json "$OUT/big_${op}_$m.json"
done; done
python3 - "$OUT" <<'PY'
import json, math, sys, glob, os
out = sys.argv[1]
def wilson(s, n, z=1.959964):
    p = s / n; d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)
def load(f): return json.load(open(os.path.join(out, f)))["summary"]
print("| m | op | algo | successes / trials | rate | 95 % Wilson |")
print("|--:|---|---|--:|--:|---|")
for algo in ("adam", "signflip"):
    for m in (20, 30, 40, 60, 80, 120):
        for op in ("gaussian", "circulant"):
            s = load(f"curve_{op}_{algo}_{m}.json")
            lo, hi = wilson(s["successes"], s["trials"])
            print(f"| {m} | `{op}` | {algo} | {s['successes']}/{s['trials']} | "
                  f"{s['successes']/s['trials']:.2f} | [{lo:.2f}, {hi:.2f}] |")
print()
print("| m | op | successes / trials | 95 % Wilson | median rel_error | s per trial | ms per iteration |")
print("|--:|---|--:|---|--:|--:|--:|")
for m in (100, 200):
    for op in ("gaussian", "circulant"):
        s = load(f"big_{op}_{m}.json")
        lo, hi = wilson(s["successes"], s["trials"])
        print(f"| {m} | `{op}` | {s['successes']}/{s['trials']} | [{lo:.2f}, {hi:.2f}] | "
              f"{s['median_rel_error']:.1e} | {s['solve_seconds']/s['trials']:.2f} | {1e3*s['seconds_per_iter']:.3f} |")
PY
