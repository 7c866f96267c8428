#!/usr/bin/env bash
# ilo_fmnist.sh — ILO (docs/ilo.md) on the first 16 Fashion-MNIST test images
# with the shipped conv VAE: CSGM, then ILO with z free or fixed
# (--ilo-fix-z), one stage (layer 3, the 64x7x7 input of the first transposed
# convolution) or two (layers 3 and 5, the second stage at the 32x14x14 input
# of the last one), and the control r = 0 with z free, at m = 100, 200, 400
# Gaussian measurements. Writes one
# JSON per run into OUT (default out/ilo_fmnist) and prints the table of
# docs/ilo.md. Not part of `make test` (minutes). TABLE_ONLY=1: only the
# tables, from the JSON already in OUT.
set -euo pipefail
GINV=${GINV:-build/ginv}
OUT=${1:-out/ilo_fmnist}
MODEL=models/fmnist-convvae-k20.safetensors
mkdir -p "$OUT"
common=(--model "$MODEL" --data "fashion-mnist:test[0:16]" --restarts 3 --iters 500 --seed 1 -q)
start=$(date +%s)
for m in 100 200 400; do
    [[ ${TABLE_ONLY:-0} == 1 ]] && break
    $GINV cs "${common[@]}" --m $m --method csgm,ilo --layer 3 --ilo-radius 2 --ilo-iters 300 --json "$OUT/one_free_m$m.json"
    $GINV cs "${common[@]}" --m $m --method ilo --layer 3 --ilo-radius 2 --ilo-iters 300 --ilo-fix-z --json "$OUT/one_fixed_m$m.json"
    $GINV cs "${common[@]}" --m $m --method ilo --layer 3,5 --ilo-radius 2,4 --ilo-iters 300,300 --json "$OUT/two_free_m$m.json"
    $GINV cs "${common[@]}" --m $m --method ilo --layer 3,5 --ilo-radius 2,4 --ilo-iters 300,300 --ilo-fix-z --json "$OUT/two_fixed_m$m.json"
    # the control: r = 0, z free (CSGM continued on the measurement term alone)
    $GINV cs "${common[@]}" --m $m --method ilo --layer 3 --ilo-radius 0 --ilo-iters 300 --json "$OUT/r0_free_m$m.json"
done
[[ ${TABLE_ONLY:-0} == 1 ]] || echo "wall time $(( $(date +%s) - start )) s"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
print("| m | CSGM | ILO 1 stage, z fixed | ILO 1 stage, z free | ILO 2 stages, z fixed | ILO 2 stages, z free |")
print("|---|---|---|---|---|---|")
for m in (100, 200, 400):
    d = {k: json.load(open(f"{out}/{k}_m{m}.json")) for k in ("one_free", "one_fixed", "two_free", "two_fixed")}
    def cell(doc, meth):
        s = doc["summary"][meth]
        return "%.5f ± %.5f (%.0f s)" % (s["mse_mean"], s["mse_ci95"], s["seconds"])
    print("| %d | %s | %s | %s | %s | %s |" % (m, cell(d["one_free"], "csgm"), cell(d["one_fixed"], "ilo"),
          cell(d["one_free"], "ilo"), cell(d["two_fixed"], "ilo"), cell(d["two_free"], "ilo")))
# paired: ILO's per-image MSE minus CSGM's (the CSGM of the one_free run; every
# run's CSGM stage is the same computation), mean +- 1.96 SE, and the images ILO improves
print()
print("| m | run | ILO − CSGM MSE/pixel, paired, ± 1.96 SE | images improved |")
print("|---|---|---|---|")
for m in (100, 200, 400):
    cs = [im["csgm"]["mse"] for im in json.load(open(f"{out}/one_free_m{m}.json"))["images"]]
    for k in ("r0_free", "one_fixed", "one_free", "two_fixed", "two_free"):
        il = [im["ilo"]["mse"] for im in json.load(open(f"{out}/{k}_m{m}.json"))["images"]]
        d = [a - b for a, b in zip(il, cs)]
        n = len(d); mu = sum(d) / n
        se = (sum((x - mu) ** 2 for x in d) / (n - 1) / n) ** 0.5
        print("| %d | %s | %+.5f ± %.5f | %d/%d |" % (m, {"r0_free": "r = 0, z free", "one_fixed": "one, z fixed", "one_free": "one, z free",
                                                                 "two_fixed": "two, z fixed", "two_free": "two, z free"}[k], mu, 1.96 * se, sum(x < 0 for x in d), n))
PY
