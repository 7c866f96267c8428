#!/usr/bin/env bash
# test_phase_retrieval_cli.sh — Fourier phase retrieval through `ginv cs`
# (issue #17, experiment 2): --op phaseless-fourier:2 with csgm and Fienup's
# hio and er on two Fashion-MNIST images writes JSON whose MSE is measured up
# to the trivial ambiguities (error_metric), hio recovers noiseless images,
# the numbers do not depend on the thread count, and methods that do not fit
# the operator are refused with exit 2.
source "$(dirname "$0")/lib.sh"
VAE=models/fmnist-convvae-k20.safetensors
D='fashion-mnist:test[0:2]'
jqc() { jq -e "$@" >/dev/null; } # a jq condition, quiet
run=(cs --model "$VAE" --data "$D" --op phaseless-fourier:2 --noise 0 --restarts 2 --iters 50
     --pr-iters 300 --pr-restarts 3 --seed 1 -q)
out=$($GINV "${run[@]}" --method csgm,hio --json - 2>&1)
check cs_phaseless_fourier_json_has_the_metric jqc '.error_metric == "mse-up-to-sign-shift-flip" and
    (.summary.csgm.mse_mean | type) == "number" and (.summary.hio.mse_mean | type) == "number" and
    (.images | length) == 2 and .params.m == 3136' <<<"$out"
# with the known support and K = 2, HIO (then ER) finds the noiseless images up to the ambiguities
check cs_hio_recovers_noiseless_images jqc '.summary.hio.mse_mean < 1e-6' <<<"$out"
nosecs='walk(if type == "object" then del(.seconds) else . end)'
a=$($GINV "${run[@]}" --method hio,er --threads 1 --json - | jq -S "$nosecs")
b=$($GINV "${run[@]}" --method hio,er --threads 2 --json - | jq -S "$nosecs")
check cs_hio_er_same_with_1_and_2_threads [ -n "$a" -a "$a" = "$b" ]
check cs_er_runs_alone jqc '.summary.er.mse_mean > 0' <<<"$a"
# a linear operator keeps the plain MSE
check cs_linear_metric_is_plain bash -c "$GINV cs --data '$D' --op gaussian-unit --m 50 --method lasso-dct \
    --lasso-lambda 0.1 -q --json - | jq -e '.error_metric == \"mse\"' >/dev/null"
expect_error cs_lasso_refused_for_magnitudes 2 "lasso-dct needs a linear operator" -- \
    $GINV cs --data "$D" --op phaseless-fourier:2 --method lasso-dct
expect_ok cs_ilo_runs_on_magnitudes -- $GINV cs --model "$VAE" --data "$D" --op phaseless-fourier --method csgm,ilo \
    --restarts 1 --iters 30 --ilo-iters 20 --layer 2 -q --json "$TMP/pilo.json"
check cs_ilo_on_magnitudes_reports_the_ambiguity_metric bash -c \
    "jq -e '.error_metric == \"mse-up-to-sign-shift-flip\" and ([.images[].ilo.mse] | all(. > 0))' $TMP/pilo.json >/dev/null"
expect_error cs_ilo_refused_for_signs 2 "measures signs" -- \
    $GINV cs --model "$VAE" --data "$D" --op onebit-gaussian --m 50 --method ilo
expect_error cs_hio_needs_phaseless_fourier 2 "needs --op phaseless-fourier" -- \
    $GINV cs --data "$D" --op gaussian-unit --m 100 --method hio
expect_error cs_hio_beta_out_of_range 2 "hio-beta" -- \
    $GINV cs --data "$D" --op phaseless-fourier --method hio --hio-beta 3
expect_error cs_phaseless_fourier_bad_K 2 "oversampling" -- \
    $GINV cs --data "$D" --op phaseless-fourier:0 --method hio
echo done
