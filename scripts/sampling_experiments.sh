#!/usr/bin/env bash
# sampling_experiments.sh — the runs behind docs/sampling.md's experiments:
#   escape  Daras et al. Thm 3.1: ULA from near -z0 on random ReLU nets, fraction
#           of chains near z0 and sliced W1 to a reference chain vs step, per C
#   pr      Pareek & Risteski: R-hat after GD->Langevin vs random starts on an
#           invertible and a non-invertible generator (ULA, sigma 0.05)
#   pr-mala the same question with MALA at small sigma on a square generator
#           with orthogonal weights (certified strongly invertible) and a
#           rank-deficient one: steps until R-hat stays below 1.01
#   vae     the Fashion-MNIST VAE (models/fmnist-vae-k20.safetensors): posterior
#           of real test images under inpainting and random subsampling;
#           MALA from GD vs random starts, ULA and annealed chains
#   vae-laplace  the same posteriors with GD -> Laplace-preconditioned MALA,
#           and replica exchange on the large hidden box
# Usage: scripts/sampling_experiments.sh escape|pr|pr-mala|pr-mala-laplace|vae|vae-laplace OUTDIR
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
            $G sample --adapt off --allow-warnings $common --start truth --chains 64 --burn-in 5000 --samples 300 --thin 100 --chain-seed 1001 --out "$O/ref_$tag" --json "$O/ref_$tag.json"
            $G sample --adapt off --allow-warnings $common --start negative --chains 64 --burn-in 0 --samples 200 --thin 100 --reference "$O/ref_$tag/samples.npy" --w1-dirs 8 --out "$O/neg_$tag" --json "$O/neg_$tag.json"
            $G sample --adapt off --allow-warnings $common --start truth --chains 64 --burn-in 0 --samples 200 --thin 100 --reference "$O/ref_$tag/samples.npy" --w1-dirs 8 --out "$O/floor_$tag" --json "$O/floor_$tag.json"
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
                $G sample --adapt off --allow-warnings --model "$O/$g.safetensors" --op identity --noise 0.05 --prior gaussian \
                    --sampler ula --step 1e-3 --chains 16 --burn-in $B --samples $S --start $init \
                    --gd-iters 2000 --gd-lr 0.5 --seed 1 -q --out "$O/s_$t" --json "$O/s_$t.json"
                printf '%s %s %s %s %s\n' $g $init $B $S "$(jq -c '.summary|[.max_rhat, .min_ess_bulk, .mean_rel_error, .sampling_seconds]' "$O/s_$t.json")"
            done; done
        done
    done
fi
# GD -> MALA preconditioned by the Gauss-Newton Hessian at the GD point
pr_laplace() { # generator sigma
    local t=$1_s$2_gd_laplace
    $G sample --adapt off --allow-warnings --model "$O/$1.safetensors" --op identity --noise $2 --prior gaussian \
        --sampler mala --step 0.3 --precond laplace --chains 16 --burn-in 0 --samples 64000 --start gd \
        --gd-iters 4000 --gd-lr 0.5 --rhat-curve --seed 1 -q --out "$O/m_$t" --json "$O/m_$t.json"
    printf '%-32s %s\n' $t "$(jq -c '[.summary.acceptance_rate, .rhat_curve.steps_to_threshold, .rhat_curve.max_rhat[-1], .summary.min_ess_bulk, .summary.mean_rel_error, .summary.precond_eig]' "$O/m_$t.json")"
}
if [[ $what == pr-mala-laplace ]]; then # only the preconditioned runs of pr-mala
    for g in sq sq10; do for sigma in 0.01 0.001; do pr_laplace $g $sigma; done; done
fi
if [[ $what == pr-mala ]]; then
    # square 20 -> 20 -> 20 -> 20, orthogonal weights, leaky ReLU 0.5: every
    # singular value of J_G in [0.5^3, 1] (Assumption 1 with m = 0.125, M = 1);
    # the rank-deficient one squeezes through 10 units
    $G net random --layers 20,20,20,20 --act leaky_relu --alpha 0.5 --weights orthogonal --seed 1 -o "$O/sq.safetensors"
    $G net random --layers 20,10,20,20 --act leaky_relu --alpha 0.5 --weights orthogonal --seed 1 -o "$O/sq10.safetensors"
    for g in sq sq10; do
        $G info "$O/$g.safetensors" --jacobian 2000 --seed 1 --json "$O/jac_$g.json" | tail -1
        for sigma in 0.01 0.001; do
            h=$(awk -v s=$sigma 'BEGIN { printf "%g", s * s }')   # acceptance about 0.7 at the mode
            for run in "gd 1" "random 1" "random 0.1" "random 0.01"; do
                set -- $run
                [[ $g == sq10 && $2 != 1 ]] && continue
                step=$(awk -v h=$h -v f=$2 'BEGIN { printf "%g", h * f }')
                t=${g}_s${sigma}_$1_h$step
                $G sample --adapt off --allow-warnings --model "$O/$g.safetensors" --op identity --noise $sigma --prior gaussian \
                    --sampler mala --step $step --chains 16 --burn-in 0 --samples 64000 --start $1 \
                    --gd-iters 4000 --gd-lr 0.5 --rhat-curve --seed 1 -q --out "$O/m_$t" --json "$O/m_$t.json"
                printf '%-32s %s\n' $t "$(jq -c '[.summary.acceptance_rate, .rhat_curve.steps_to_threshold, .rhat_curve.max_rhat[-1], .summary.min_ess_bulk, .summary.mean_rel_error]' "$O/m_$t.json")"
            done
            pr_laplace "$g" $sigma
        done
    done
fi
if [[ $what == vae ]]; then
    V=models/fmnist-vae-k20.safetensors
    # measurements of real test images (y.npy); the hidden box of big1 leaves rows 0-1 and 24-27
    $G cs --model $V --data "fashion-mnist:test[0:1]" --op inpaint-box --method csgm --iters 300 --restarts 2 --out "$O/cs_inp0" -q
    $G cs --model $V --data "fashion-mnist:test[1:2]" --op inpaint-box:2,0,22,28 --method csgm --iters 300 --restarts 2 --out "$O/cs_big1" -q
    $G cs --model $V --data "fashion-mnist:test[0:1]" --op subsample --m 150 --noise 0.1 --method csgm --iters 300 --restarts 2 --out "$O/cs_sub0" -q
    I="--op inpaint-box --y $O/cs_inp0/y.npy --sigma 0.1"
    B="--op inpaint-box:2,0,22,28 --y $O/cs_big1/y.npy --sigma 0.1"
    short="--chains 16 --burn-in 1000 --samples 400 --thin 2"
    long="--chains 16 --burn-in 10000 --samples 1000 --thin 20"
    ann="--sampler annealed --levels 10 --level-max 10 --step 2e-4"
    run() { local t=$1; shift
        $G sample --adapt off --allow-warnings --model $V --prior gaussian --seed 1 -q --out "$O/r_$t" --json "$O/r_$t.json" "$@"
        printf '%-22s %s\n' $t "$(jq -c '.summary|[.max_rhat, .min_ess_bulk, .acceptance_rate, .sampling_seconds, .seconds_per_effective_sample]' "$O/r_$t.json")"
    }
    run inp0_mala_gd $I --sampler mala --step 2e-4 $short --start gd
    run inp0_mala_rand $I --sampler mala --step 2e-4 $short --start random
    run inp0_ann_rand $I $ann $short --start random
    run inp0_mala_gd_long $I --sampler mala --step 2e-4 $long --start gd
    run inp0_mala_rand_long $I --sampler mala --step 2e-4 $long --start random
    run inp0_mala_4e-4_long $I --sampler mala --step 4e-4 $long --start gd
    run inp0_ula_4e-4_long $I --sampler ula --step 4e-4 $long --start gd
    run inp0_ula_1e-3_long $I --sampler ula --step 1e-3 $long --start gd
    run inp0_ann_gd_long $I $ann $long --start gd
    run inp0_ann_rand_long $I $ann $long --start random
    run id0_mala_gd --op identity --y "$O/cs_inp0/truth.npy" --sigma 0.1 --sampler mala --step 2e-4 $long --start gd
    run big1_mala_gd $B --sampler mala --step 2e-4 $long --start gd
    run big1_ann_rand $B $ann $long --start random
    run sub0_mala_gd --op subsample --m 150 --y "$O/cs_sub0/y.npy" --sigma 0.1 --sampler mala --step 2e-4 $long --start gd
    run inp0_mala_4e-4_vlong $I --sampler mala --step 4e-4 --chains 16 --burn-in 20000 --samples 1000 --thin 80 --start gd
fi
if [[ $what == vae-laplace ]]; then
    V=models/fmnist-vae-k20.safetensors
    $G cs --model $V --data "fashion-mnist:test[0:1]" --op inpaint-box --method csgm --iters 300 --restarts 2 --out "$O/cs_inp0" -q
    $G cs --model $V --data "fashion-mnist:test[1:2]" --op inpaint-box:2,0,22,28 --method csgm --iters 300 --restarts 2 --out "$O/cs_big1" -q
    I="--op inpaint-box --y $O/cs_inp0/y.npy --sigma 0.1"
    B="--op inpaint-box:2,0,22,28 --y $O/cs_big1/y.npy --sigma 0.1"
    gd="--start gd --gd-iters 1000 --gd-lr 0.1 --chains 16"
    run() { local t=$1; shift
        $G sample --adapt off --allow-warnings --model $V --prior gaussian --seed 1 -q --signal-diag --out "$O/$t" --json "$O/$t.json" "$@"
        printf '%-10s %s\n' $t "$(jq -c '[.summary.acceptance_rate, .summary.max_rhat, .summary.min_ess_bulk, .rhat_curve.steps_to_threshold, .signal_summary.max_rhat, .summary.swap_rate, .summary.sampling_seconds]' "$O/$t.json")"
    }
    run plain $I --sampler mala --step 2e-4 $gd --burn-in 0 --samples 10000 --rhat-curve
    run lap_0.3 $I --sampler mala --step 0.3 --precond laplace $gd --burn-in 0 --samples 10000 --rhat-curve
    run lap_0.6 $I --sampler mala --step 0.6 --precond laplace $gd --burn-in 0 --samples 10000 --rhat-curve
    run big_pt1 $B --sampler mala --step 0.3 --precond laplace $gd --burn-in 1000 --samples 10000
    run big_pt8 $B --sampler mala --step 0.3 --precond laplace $gd --burn-in 1000 --samples 10000 --temps 8 --temp-max 50
    run hot $B --sampler mala --step 0.3 --precond laplace $gd --burn-in 500 --samples 3000 --temperature 0.02
fi
