#!/usr/bin/env bash
# sampling_experiments.sh — the runs behind docs/sampling.md's experiments:
#   escape  Daras et al. Thm 3.1: ULA from near -z0 on random ReLU nets, fraction
#           of chains near z0 and sliced W1 to a reference chain vs step, per C
#   pr      Pareek & Risteski: R-hat after GD->Langevin vs random starts on an
#           invertible and a non-invertible generator
# Usage: scripts/sampling_experiments.sh escape|pr OUTDIR
set -eu
cd "$(dirname "$0")/.."
G=build/ginv
what=$1 O=$2
mkdir -p "$O"
if [[ $what == escape ]]; then
    for L in 10,250,1000 10,100,300,1000; do
        d=$(($(tr -cd , <<<"$L" | wc -c)))   # depth
        for Cc in 1 4 16 64; do
            # Daras's beta = C n (n = k = 10) for weights scaled so ||G(z)|| = ||z||;
            # ginv's paper weights give ||G(z)||^2 = ||z||^2 / 2^d, so beta_ginv = 2^d C k
            beta=$((2 ** d * Cc * 10))
            common="--layers $L --op gaussian --m 100 --noise 0 --sigma 0.70710678 --prior none --sampler ula --step 0.1 --temperature $beta --seed 1 -q"
            tag=L${L//,/-}_C$Cc
            $G sample $common --init truth --chains 64 --burn-in 5000 --samples 300 --thin 100 --chain-seed 1001 --out "$O/ref_$tag" --json "$O/ref_$tag.json"
            $G sample $common --init negative --chains 64 --burn-in 0 --samples 200 --thin 100 --reference "$O/ref_$tag/samples.npy" --w1-dirs 8 --out "$O/neg_$tag" --json "$O/neg_$tag.json"
            $G sample $common --init truth --chains 64 --burn-in 0 --samples 200 --thin 100 --reference "$O/ref_$tag/samples.npy" --w1-dirs 8 --out "$O/floor_$tag" --json "$O/floor_$tag.json"
        done
    done
fi
if [[ $what == pr ]]; then
    # invertible: 10 -> 40 leaky ReLU; non-invertible: 10 -> 5 -> 40 leaky ReLU (rank 5)
    $G net random --layers 10,40 --act leaky_relu --alpha 0.5 --seed 1 -o "$O/inv.safetensors"
    $G net random --layers 10,5,40 --act leaky_relu --alpha 0.5 --seed 1 -o "$O/noninv.safetensors"
    for g in inv noninv; do
        $G info "$O/$g.safetensors" --jacobian 2000 --seed 1 --json "$O/jac_$g.json" | tail -1
        for init in gd random; do
            for B in 0 1000; do for S in 1000 4000 16000; do
                t=${g}_${init}_B${B}_S$S
                $G sample --model "$O/$g.safetensors" --op identity --noise 0.05 --prior gaussian \
                    --sampler ula --step 1e-3 --chains 16 --burn-in $B --samples $S --init $init \
                    --gd-iters 2000 --gd-lr 0.5 --seed 1 -q --out "$O/s_$t" --json "$O/s_$t.json"
                printf '%s %s %s %s %s\n' $g $init $B $S "$(jq -c '.summary|[.max_rhat, .min_ess_bulk, .mean_rel_error, .sampling_seconds]' "$O/s_$t.json")"
            done; done
        done
    done
fi
