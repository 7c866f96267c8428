#!/usr/bin/env bash
# Command-line behaviour of sample: outputs in --out, JSON fields and
# diagnostics, determinism across thread counts, and bad input.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

check help_names_sample grep -q sample <($GINV --help)
check sample_help_documents_temperature grep -q -- '--temperature BETA' <($GINV sample --help)

M=$TMP/g.safetensors
$GINV net random --layers 6,60,200 --seed 3 -o $M
O=$TMP/o
expect_ok sample_mala_writes_outputs -- $GINV sample --model $M --op gaussian --m 40 --noise 0.1 --sampler mala --step 1e-3 --chains 4 --burn-in 50 --samples 100 --init gd --gd-iters 200 --gd-lr 0.5 --seed 1 --out $O --json $TMP/s.json -q
for f in samples.npy mean_z.npy std_z.npy mean_x.npy std_x.npy trace.png; do
    check "sample_writes_$f" test -s $O/$f
done
check samples_npy_has_shape_s_c_k grep -qa "'shape': (100, 4, 6)" $O/samples.npy
check trace_is_png bash -c "head -c 4 $O/trace.png | grep -q PNG"
for key in rhat ess_bulk ess_tail mcse_mean acceptance_rate max_rhat min_ess_bulk seconds_per_effective_sample posterior_mean '"y"' z0 gd_meas_loss; do
    check "sample_json_has_${key//\"/}" grep -q "$key" $TMP/s.json
done
check mala_acceptance_below_one grep -qE '"acceptance_rate":	0\.[0-9]' $TMP/s.json

# the other samplers run; projected needs a radius
expect_ok sample_ula_runs -- $GINV sample --model $M --op gaussian --m 40 --noise 0.1 --step 1e-3 --chains 2 --burn-in 10 --samples 20 --out $TMP/u -q
expect_ok sample_projected_runs -- $GINV sample --model $M --op gaussian --m 40 --noise 0.1 --sampler projected --radius 0.5 --init gd --step 1e-3 --chains 2 --burn-in 10 --samples 20 --out $TMP/p -q
expect_ok sample_annealed_runs -- $GINV sample --model $M --op gaussian --m 40 --noise 0.1 --sampler annealed --levels 4 --level-max 5 --step 1e-3 --chains 2 --burn-in 40 --samples 20 --out $TMP/a -q
expect_ok sample_uniform_prior_with_mala -- $GINV sample --model $M --op gaussian --m 40 --noise 0.1 --prior uniform --radius 3 --sampler mala --step 1e-3 --chains 2 --burn-in 10 --samples 20 --out $TMP/un -q

# same seed -> identical samples with 1 and 2 threads
for t in 1 2; do
    $GINV sample --layers 10,200,600 --op gaussian --m 50 --noise 0.05 --sampler mala --step 1e-4 --chains 8 --burn-in 20 --samples 20 --init random --seed 7 --threads $t --out $TMP/t$t --json $TMP/t$t.json -q
done
check samples_identical_with_1_and_2_threads cmp -s $TMP/t1/samples.npy $TMP/t2/samples.npy
check json_identical_with_1_and_2_threads cmp -s <(grep -v -e seconds -e "$TMP/t" $TMP/t1.json) <(grep -v -e seconds -e "$TMP/t" $TMP/t2.json)

# user measurements are recorded; no truth then
printf '0.5 -1 0.2 0.3 0.1 -0.4\n' > $TMP/y.txt
$GINV net random --layers 3,6 --act identity --seed 2 -o $TMP/lin.safetensors
expect_ok sample_with_given_y -- $GINV sample --model $TMP/lin.safetensors --op identity --y $TMP/y.txt --sigma 0.5 --step 0.01 --chains 2 --burn-in 10 --samples 20 --out $TMP/gy --json $TMP/gy.json -q
check given_y_recorded_without_truth bash -c "grep -q '\"y\":' $TMP/gy.json && ! grep -q '\"z0\"' $TMP/gy.json"

# bad input: one clear line, non-zero exit
expect_error step_required 2 "--step" -- $GINV sample --model $M --m 40 --noise 0.1 --out $TMP/x
expect_error out_required 2 "--out" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1
expect_error sigma_required 2 "noise level" -- $GINV sample --model $M --m 40 --step 0.1 --out $TMP/x
expect_error unknown_sampler 2 "--sampler" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --sampler hmc --out $TMP/x
expect_error unknown_prior 2 "--prior" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --prior laplace --out $TMP/x
expect_error projected_needs_radius 2 "--radius" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --sampler projected --out $TMP/x
expect_error uniform_prior_needs_ball_sampler 1 "uniform prior" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --prior uniform --radius 1 --out $TMP/x
expect_error too_few_samples 2 "--samples" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --samples 2 --out $TMP/x
expect_error negative_temperature 2 "--temperature" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --temperature -1 --out $TMP/x
printf '1 2 3\n' > $TMP/short.txt
expect_error truth_of_wrong_length 1 "holds 3 values; expected 6" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --truth $TMP/short.txt --out $TMP/x
expect_error y_and_truth_exclusive 2 "exclude" -- $GINV sample --model $M --m 40 --noise 0.1 --step 0.1 --truth $TMP/short.txt --y $TMP/y.txt --out $TMP/x
echo precious > $TMP/keep.json
expect_error divergence_is_an_error 1 "step" -- $GINV sample --model $M --m 40 --noise 0.1 --step 1e6 --burn-in 100 --out $TMP/x --json $TMP/keep.json
check failed_run_keeps_existing_output test "$(cat $TMP/keep.json)" = precious
check failed_run_writes_no_outputs test ! -e $TMP/x
echo done
