#!/usr/bin/env bash
# sbc_run.sh — simulation-based calibration (Talts et al. 2018) of ginv's
# samplers at scale, behind docs/sampling.md ("SBC"): `ginv sample --sbc`
# with R = 1000 replicates on a small nonlinear generator (k = 2 -> tanh, 3
# units with biases -> 3 outputs, A = I, sigma 0.05), NUTS, MALA and HMC (adapted),
# and ULA at a large step as the control that must fail. Not part of
# `make test` (about half a minute on one core).
# Usage: scripts/sbc_run.sh OUTDIR [R]
set -eu
cd "$(dirname "$0")/.."
G=build/ginv
O=${1:?usage: scripts/sbc_run.sh OUTDIR [R]} R=${2:-1000}
mkdir -p "$O"
common=(--layers 2,3,3 --act tanh --out-act identity --bias --bias-sd 0.5 --op identity --noise 0.05
        --seed 3 --sbc "$R" --samples 99 --allow-warnings -q)
run() { # run NAME OPTIONS...: time, JSON, figure
    local name=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    $G sample "${common[@]}" "$@" --out "$O/$name" --json "$O/$name.json"
    t1=$(date +%s.%N)
    /usr/bin/python3 - "$O/$name.json" "$name" "$(echo "$t1 - $t0" | bc)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d['sbc']
print("%-5s R %d L %d bins %d: chi2 %s  p %s  ess/replicate %s  Bonferroni p %.3g  %s  (acceptance %.3f, sampler %.1f s, process %.1f s)" % (
    sys.argv[2], s['replicates'], s['draws'], s['bins'], ["%.1f" % c for c in s['chi2']],
    ["%.3g" % p for p in s['pvalue']], ["%.1f" % e for e in s['ess_per_replicate']], s['p_bonferroni'],
    "pass" if s['pass'] else "FAIL", s['acceptance'], s['seconds'], float(sys.argv[3])))
PY
}
run nuts --sampler nuts --burn-in 1000 --thin 5
run hmc  --sampler hmc --leapfrog 8 --burn-in 1000 --thin 10
run mala --sampler mala --burn-in 2000 --thin 20
run ula  --sampler ula --step 0.05 --burn-in 2000 --thin 20
