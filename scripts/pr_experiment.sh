#!/usr/bin/env bash
# pr_experiment.sh — docs/operators.md's experiment 2, phase-retrieval part:
# the first N Fashion-MNIST test images measured by phaseless-fourier:K
# (y = max(0, |F x_pad| + e), the unitary DFT of the image zero-padded to
# K h x K w, all magnitudes), for K = 1, 2, 3 and noise 0 and 0.01 per
# magnitude, reconstructed by CSGM on the amplitude loss with the shipped
# conv VAE and MLP VAE (4 restarts, 500 Adam iterations, lambda 0.1), by
# Fienup's HIO (500 iterations, beta 0.9, then 100 of ER) and by ER alone
# (500 iterations), each with 10 random starts and the smallest magnitude
# residual kept, the support (the h x w box) and x >= 0 known. The MSE per
# pixel is measured up to the trivial ambiguities (sign, circular shift,
# flip: the JSON's error_metric). One markdown row per (K, noise); the grid
# PNG of every run of the conv VAE in OUT/grid_K_NOISE/grid.png.
# Usage: scripts/pr_experiment.sh OUTDIR [IMAGES]
set -eu
cd "$(dirname "$0")/.."
G=build/ginv
O=$1 N=${2:-32}
mkdir -p "$O"
common=(--data "fashion-mnist:test[0:$N]" --seed 1 --threads 1 -q --restarts 4 --iters 500)
echo "| K | m | noise | CSGM conv VAE | CSGM MLP VAE | HIO + ER | ER |"
echo "|---|---|---|---|---|---|---|"
for K in 1 2 3; do
    for s in 0 0.01; do
        op=phaseless-fourier:$K
        $G cs --model models/fmnist-convvae-k20.safetensors "${common[@]}" --op $op --noise $s \
            --method csgm,hio,er --json "$O/conv_${K}_$s.json" --out "$O/grid_${K}_$s"
        $G cs --model models/fmnist-vae-k20.safetensors "${common[@]}" --op $op --noise $s \
            --method csgm --json "$O/mlp_${K}_$s.json"
        /usr/bin/python3 - "$O" "$K" "$s" <<'PY'
import json, sys
O, K, s = sys.argv[1:]
c, m = (json.load(open("%s/%s_%s_%s.json" % (O, t, K, s))) for t in ("conv", "mlp"))
assert c["error_metric"] == m["error_metric"] == "mse-up-to-sign-shift-flip"
f = lambda x: "%.4f ± %.4f" % (x["mse_mean"], x["mse_ci95"])
S = c["summary"]
print("| %s | %d | %s | %s | %s | %s | %s |" % (K, c["params"]["m"], s, f(S["csgm"]), f(m["summary"]["csgm"]),
      f(S["hio"]), f(S["er"])))
PY
    done
done
