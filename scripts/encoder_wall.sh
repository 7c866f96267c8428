#!/usr/bin/env bash
# encoder_wall.sh — docs/encoders.md's experiment on Pareek & Risteski's
# dichotomy: amortised Gaussian encoders of growing size, trained by the sleep
# objective on G(z) = C(sgn z) (ginv net oneway: C a Feistel permutation of
# {-1, +1}^d) and on a strongly invertible G of the same d (two orthogonal
# leaky-ReLU layers, slope 0.5: singular values of J_G in [0.25, 1]), and how
# often each explains fresh samples x = G(z) + beta xi (on the one-way G:
# inverts C). Prints one markdown row per (d, width, generator).
# Usage: scripts/encoder_wall.sh OUTDIR [STEPS]   (make encoder-wall)
set -eu
cd "$(dirname "$0")/.."
G=build/ginv
O=$1 steps=${2:-4000}
mkdir -p "$O"
echo "| d | encoder widths | encoder parameters | G | G parameters | explains x (mean) | explains x (draw) | true z |"
echo "|---|---|---|---|---|---|---|---|"
for d in 8 12 16 20; do
    $G net oneway --d $d --rounds 6 --seed 1 -o "$O/oneway$d.safetensors" > /dev/null
    $G net random --layers $d,$d,$d --act leaky_relu --alpha 0.5 --weights orthogonal --seed 1 \
        -o "$O/inv$d.safetensors" > /dev/null
    for h in 32,32 128,128 512,512; do
        for g in oneway inv; do
            j=$O/${g}${d}_${h//,/-}.json
            $G encoder train --model "$O/$g$d.safetensors" --beta 0.05 --hidden $h --steps "$steps" --batch 128 \
                --lr 2e-3 --seed 1 --eval 2000 --threads 1 --checkpoint-every 0 -o "$O/enc_${g}${d}_${h//,/-}.safetensors" --json "$j" -q
            /usr/bin/python3 - "$j" "$d" "$h" "$g" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); e = d["eval"]
name = {"oneway": "C(sgn z)", "inv": "orthogonal leaky-ReLU"}[sys.argv[4]]
print("| %s | %s | %d | %s | %d | %.3f | %.3f | %.3f |" % (sys.argv[2], sys.argv[3], d["parameters"], name,
      d["generator_parameters"], e["success_mean"], e["success_draw"], e["success_truth"]))
PY
        done
    done
done
