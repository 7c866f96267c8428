#!/usr/bin/env bash
# encoder_theorem1.sh — docs/encoders.md's experiment 1 on Pareek & Risteski's
# Theorem 1: the constructed encoder (ginv encoder build: S GD layers, then T
# Langevin layers of step h) on a smooth orthogonal G : R^d -> R^d (two dense
# layers, ACT between, biases N(0, 0.01)), for several (S, T, h), and
# amortised Gaussian encoders (ginv encoder train, sleep and elbo objectives)
# with about as many parameters as the (S, T) = (200, 500) encoder; each
# against a long-MALA posterior reference on the same x (ginv encoder
# distance), and amortised deep latent Gaussians (ginv encoder train --arch
# dlg, trained by the SIVI bound L_K) of L layers whose width H makes N'
# about that encoder's too. Prints one markdown row per (d, encoder).
# ACT: softplus (the default; m measured, not certified) or smooth_leaky
# (a x + (1 - a) softplus x with a = 0.5: every singular value of J_G in
# (0.5, 1), certified, and G smooth: Assumptions 1 and 2).
# Usage: [GINV=path/to/ginv] [ROWS="S T h;S T h;..."] [OBJS="sleep elbo"] [DLGS="L K;L K;..."] \
#        scripts/encoder_theorem1.sh OUTDIR [DIMS] [NX] [ACT]   (make encoder-theorem1)
set -eu
cd "$(dirname "$0")/.."
G=${GINV:-build/ginv}
O=$1 dims=${2:-"2 5"} nx=${3:-20} act=${4:-softplus}
beta=0.1
mkdir -p "$O"
echo "| d | encoder | S | T | h | parameters | N' / (N (S + T)) | sliced W1 | reference floor | MMD² (se) | MMD² floor | TV (floor) | mean error | covariance error |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
row() { # JSON of encoder distance, d, label, S, T, h, ratio
    /usr/bin/python3 - "$@" <<'PY'
import json, sys
j, d, lab, S, T, h, ratio = sys.argv[1:8]; r = json.load(open(j)); m = r["mean"]
tv = "-" if m.get("tv") is None else "%.3f (%.3f)" % (m["tv"], m["tv_floor"])
print("| %s | %s | %s | %s | %s | %d | %s | %.4f | %.4f | %.1e (%.0e) | %.0e | %s | %.4f | %.4f |" % (d, lab, S, T, h,
      r["encoder_parameters"], ratio, m["w1"], m["w1_floor"], m["mmd2"], m["mmd2_se"], m["mmd2_floor"], tv,
      m["mean_err"], m["cov_err"]))
PY
}
for d in $dims; do
    M=$O/g$d.safetensors
    $G net random --layers $d,$d,$d --act $act --alpha 0.5 --out-act identity --weights orthogonal --bias --bias-sd 0.1 --seed 3 -o "$M" > /dev/null
    $G info "$M" --jacobian 1000 | tail -1 > "$O/jacobian$d.txt"
    IFS=';' read -ra rows <<< "${ROWS:-200 0 0.001;200 100 0.001;200 500 0.001;200 2000 0.001;20 2000 0.001;200 2000 0.00025}"
    for sth in "${rows[@]}"; do
        set -- $sth
        b=$O/dlg${d}_$1_$2_$3
        $G encoder build --model "$M" --beta $beta --gd-steps $1 --gd-lr 0.5 --langevin-steps $2 --h $3 -o "$b.safetensors" --json "$b.build.json" -q
        ratio=$(/usr/bin/python3 -c "import json; print('%.2f' % json.load(open('$b.build.json'))['ratio_to_N_times_layers'])")
        $G encoder distance --model "$M" --encoder "$b.safetensors" --beta $beta --n "$nx" --seed 1 --json "$b.json" -q
        row "$b.json" $d "constructed" $1 $2 $3 "$ratio"
    done
    # hidden width H of a d -> H -> H -> 2d Gaussian encoder with about N' of (S, T) = (200, 500):
    # H^2 + (3d + 2) H + 2d = 700 (4 d^2 + 2 d + 11), rounded (140 for d = 2, 280 for d = 5)
    H=$(/usr/bin/python3 -c "import math; d=$d; n=700*(4*d*d+2*d+11); b=3*d+2; print({2: 140, 5: 280}.get(d, round((-b+math.sqrt(b*b+4*(n-2*d)))/2)))")
    for obj in ${OBJS:-sleep elbo}; do
        a=$O/gauss${d}_$obj
        $G encoder train --model "$M" --beta $beta --objective $obj --hidden $H,$H --act softplus --steps 4000 --batch 128 \
            --lr 2e-3 --seed 1 --eval 0 --threads 1 --checkpoint-every 0 -o "$a.safetensors" -q
        $G encoder distance --model "$M" --encoder "$a.safetensors" --beta $beta --n "$nx" --seed 1 --json "$a.json" -q
        row "$a.json" $d "Gaussian, $obj, $H,$H" - - - -
    done
    # amortised DLGs, L layers, SIVI's K: H with N' = 1 + d + H (2d + 1) + (L - 1) (3 + d + H (3d + 1)) near
    # the (200, 500) encoder's 700 (4 d^2 + 2 d + 11) (src/learn/dlg_train.c's architecture with n = d)
    IFS=';' read -ra dl <<< "${DLGS-4 8}"
    for lk in "${dl[@]}"; do
        set -- $lk
        H=$(/usr/bin/python3 -c "d=$d; L=$1; print(round((700*(4*d*d+2*d+11) - 1 - d - (L-1)*(3+d)) / (2*d+1 + (L-1)*(3*d+1))))")
        a=$O/dlgtrained${d}_$1_$2
        $G encoder train --model "$M" --beta $beta --arch dlg --layers $1 --hidden $H --sivi-k $2 --act softplus \
            --steps 4000 --batch 128 --lr 2e-3 --seed 1 --threads 1 --checkpoint-every 0 -o "$a.safetensors" --json "$a.train.json" -q
        $G encoder distance --model "$M" --encoder "$a.safetensors" --beta $beta --n "$nx" --seed 1 --json "$a.json" -q
        row "$a.json" $d "DLG, SIVI K = $2, $1 x $H" - - - -
    done
done
