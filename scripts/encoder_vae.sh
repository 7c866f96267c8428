#!/usr/bin/env bash
# encoder_vae.sh — docs/encoders.md's experiment 3 (issue #14): the shipped
# Gaussian-likelihood VAE (models/fmnist-gvae-k20.safetensors, beta = 0.1,
# Pareek & Risteski's Definition 1) on Fashion-MNIST test images: how far its
# own amortised encoder q(z | x) is from the posterior p(z | x) (a long-MALA
# reference, ginv encoder distance --data), and the same for GD -> ULA, the
# algorithm Theorem 1's constructed encoder runs (ginv sample: GD from 0,
# then ULA; the construction itself is for d_in = d_out, and for this
# 20 -> 784 decoder one layer of it holds 1.3 M parameters, so the
# algorithm is run, not the built network), on the first NU images.
# Prints one markdown row per image.
# Usage: [GINV=path/to/ginv] scripts/encoder_vae.sh OUTDIR [NX] [NU] [T] [H]
set -eu
cd "$(dirname "$0")/.."
G=${GINV:-build/ginv}
O=$1 nx=${2:-20} nu=${3:-5} T=${4:-3000} h=${5:-1e-4}
M=models/fmnist-gvae-k20.safetensors beta=0.1
mkdir -p "$O"
$G net extract "$M" --part encoder -o "$O/enc.safetensors" > /dev/null
$G encoder distance --model "$M" --encoder "$O/enc.safetensors" --beta $beta --data "fashion-mnist:test[0:$nx]" \
    --draws 2000 --seed 1 --json "$O/vae_encoder.json" -q
for ((i = 0; i < nu; i++)); do
    # image i as text (pixels / 255, as ginv reads the IDX file)
    /usr/bin/python3 - "$i" "$O/y$i.txt" <<'PY'
import gzip, os, sys
i, out = int(sys.argv[1]), sys.argv[2]
d = os.environ.get("GINV_DATA_DIR") or "/usr/share/datasets/fashion-mnist"
p = d + "/t10k-images-idx3-ubyte"
b = (open(p, "rb") if os.path.exists(p) else gzip.open(p + ".gz")).read()
open(out, "w").write("\n".join("%.9g" % (v / 255.0) for v in b[16 + 784 * i:16 + 784 * (i + 1)]) + "\n")
PY
    $G sample --model "$M" --op identity --y "$O/y$i.txt" --sigma $beta --prior gaussian --sampler ula --step $h \
        --adapt off --start gd --gd-iters 1000 --gd-lr 0.1 --chains 100 --burn-in $T --samples 4 --seed 1 \
        --out "$O/ula$i" -q --allow-warnings > /dev/null 2>&1
    $G encoder distance --model "$M" --draws-file "$O/ula$i/samples.npy" --beta $beta --data "fashion-mnist:test[$i:$((i + 1))]" \
        --seed 1 --json "$O/ula$i.json" -q
done
/usr/bin/python3 - "$O" "$nx" "$nu" <<'PY'
import json, sys
O, nx, nu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
v = json.load(open(O + "/vae_encoder.json"))
print("| image | encoder | sliced W1 | reference floor | MMD² (se) | MMD² floor | mean error | covariance error |")
print("|---|---|---|---|---|---|---|---|")
def row(i, lab, e):
    print("| %s | %s | %.4f | %.4f | %.3f (%.3f) | %.3f | %.3f | %.3f |" % (i, lab, e["w1"], e["w1_floor"], e["mmd2"],
          e["mmd2_se"], e["mmd2_floor"], e["mean_err"], e["cov_err"]))
for i in range(nx):
    row(i, "VAE encoder", v["per_x"][i])
    if i < nu: row(i, "GD -> ULA", json.load(open("%s/ula%d.json" % (O, i)))["per_x"][0])
row("mean", "VAE encoder (%d images)" % nx, v["mean"])
def mean(es):
    m = {k: sum(e[k] for e in es) / len(es) for k in ("w1", "w1_floor", "mmd2", "mmd2_floor", "mean_err", "cov_err")}
    m["mmd2_se"] = sum(e["mmd2_se"] ** 2 for e in es) ** 0.5 / len(es)
    return m
if nu:
    u = [json.load(open("%s/ula%d.json" % (O, i)))["per_x"][0] for i in range(nu)]
    row("mean", "VAE encoder (first %d)" % nu, mean(v["per_x"][:nu]))
    row("mean", "GD -> ULA (first %d)" % nu, mean(u))
PY
