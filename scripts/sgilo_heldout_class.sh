#!/usr/bin/env bash
# sgilo_heldout_class.sh — docs/ilo-sgilo.md's out-of-range test, which
# Fashion-MNIST allows and Daras et al. could not run: a VAE and its SGILO
# prior trained on nine classes (class C left out), then CSGM, ILO and SGILO
# on test images of the held-out class and of the nine seen ones. The
# subsets are written as IDX files (python3 with numpy) and read through
# `--data idx:FILE`.
# Usage: scripts/sgilo_heldout_class.sh OUTDIR [CLASS] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
G=${GINV:-build/ginv}
O=$1 C=${2:-9} E=${3:-20}
mkdir -p "$O"
/usr/bin/python3 - "$O" "$C" <<'PY'
import gzip, struct, sys
import numpy as np
O, C = sys.argv[1], int(sys.argv[2])
D = "/usr/share/datasets/fashion-mnist/"
def images(name):
    b = gzip.open(D + name).read()
    n, h, w = struct.unpack(">III", b[4:16])
    return np.frombuffer(b, np.uint8, offset=16).reshape(n, h, w)
def labels(name):
    return np.frombuffer(gzip.open(D + name).read(), np.uint8, offset=8)
def write(path, x):
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + struct.pack(">III", *x.shape) + x.tobytes())
tr, trl = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
te, tel = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
write(O + "/train_seen.idx", tr[trl != C])
write(O + "/test_seen.idx", te[tel != C][:30])
write(O + "/test_heldout.idx", te[tel == C][:30])
print("train %d images without class %d; test 30 + 30" % ((trl != C).sum(), C))
PY
t0=$(date +%s)
$G train vae --data "idx:$O/train_seen.idx" --no-test --latent 20 --hidden 500,500 --epochs "$E" --seed 1 -q \
    -o "$O/vae9.safetensors" --json "$O/vae9.train.json"
$G train score --model "$O/vae9.safetensors" --layer 2 --source prior,ilo --examples 20000 \
    --data "idx:$O/train_seen.idx[0:10000]" --restarts 2 --iters 300 --ilo-iters 300 --epochs 60 --seed 1 -q \
    -o "$O/vae9-sgilo.safetensors" --json "$O/vae9-sgilo.train.json"
echo "trained in $(($(date +%s) - t0)) s"
echo "| test images | task | CSGM | ILO (r = inf) | SGILO |"
echo "|---|---|---|---|---|"
for set in seen heldout; do
    for task in "cs m=100|gaussian-unit|100|0.1" "inpaint 20%|subsample|157|0.01"; do
        IFS='|' read -r name op m noise <<<"$task"
        j="$O/${set}_${op}.json"
        $G cs --model "$O/vae9-sgilo.safetensors" --layer 2 --data "idx:$O/test_$set.idx" --op "$op" --m "$m" \
            --noise "$noise" --method csgm,ilo,sgilo --restarts 2 --iters 300 --ilo-radius inf --seed 1 -q \
            --out "$O/${set}_$op" --json "$j"
        /usr/bin/python3 - "$j" "$set" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
f = lambda x: "%.4f ± %.4f" % (x["mse_mean"], x["mse_ci95"])
print("| %s | %s | %s | %s | %s |" % (sys.argv[2], sys.argv[3], f(s["csgm"]), f(s["ilo"]), f(s["sgilo"])))
PY
    done
done
