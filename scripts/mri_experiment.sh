#!/usr/bin/env bash
# mri_experiment.sh — docs/operators.md's experiment 2, MRI-like part:
# Fashion-MNIST test images measured by fourier-subsample:radial:L (the
# centred 2-D unitary DFT kept on L radial lines, (Re, Im) pairs), noise
# 0.01, reconstructed by CSGM with the shipped conv VAE and MLP VAE, the
# wavelet (Haar) Lasso with lambda tuned on held-out images, and the
# zero-filled inverse DFT (the Lasso in the pixel basis with lambda 0: from
# 0 its iterates are A^T y, clipped to [0, 1]). One markdown row per L.
# Usage: scripts/mri_experiment.sh OUTDIR [IMAGES]
set -eu
cd "$(dirname "$0")/.."
G=build/ginv
O=$1 N=${2:-32}
mkdir -p "$O"
common=(--data "fashion-mnist:test[0:$N]" --noise 0.01 --seed 1 -q)
echo "| radial lines L | m (reals) | CSGM conv VAE | CSGM MLP VAE | wavelet Lasso | zero-filled |"
echo "|---|---|---|---|---|---|"
for L in 2 4 6 8 12; do
    op=fourier-subsample:radial:$L
    $G cs --model models/fmnist-convvae-k20.safetensors "${common[@]}" --op $op --method csgm,lasso-wavelet \
        --restarts 4 --iters 500 --json "$O/conv_$L.json"
    $G cs --model models/fmnist-vae-k20.safetensors "${common[@]}" --op $op --method csgm \
        --restarts 4 --iters 500 --json "$O/mlp_$L.json"
    $G cs "${common[@]}" --op $op --method lasso-pixel --lasso-lambda 0 --json "$O/zf_$L.json"
    /usr/bin/python3 - "$O" "$L" <<'PY'
import json, sys
O, L = sys.argv[1], sys.argv[2]
c, m, z = (json.load(open("%s/%s_%s.json" % (O, t, L))) for t in ("conv", "mlp", "zf"))
f = lambda s: "%.4f ± %.4f" % (s["mse_mean"], s["mse_ci95"])
print("| %s | %d | %s | %s | %s | %s |" % (L, c["params"]["m"], f(c["summary"]["csgm"]), f(m["summary"]["csgm"]),
      f(c["summary"]["lasso-wavelet"]), f(z["summary"]["lasso-pixel"])))
PY
done
