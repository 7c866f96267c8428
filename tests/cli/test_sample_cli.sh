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
expect_ok sample_mala_writes_outputs -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler mala --step 1e-3 --chains 4 --burn-in 50 --samples 100 --init gd --gd-iters 200 --gd-lr 0.5 --seed 1 --out $O --json $TMP/s.json -q
for f in samples.npy samples.safetensors mean_z.npy std_z.npy mean_x.npy std_x.npy trace.png; do
    check "sample_writes_$f" test -s $O/$f
done
check samples_npy_is_chain_first_c_s_k grep -qa "'shape': (4, 100, 6)" $O/samples.npy
check samples_safetensors_holds_c_s_k_f32 grep -qa '"samples":{"dtype":"F32","shape":\[4,100,6\]' $O/samples.safetensors
# samples.nc: ArviZ's InferenceData layout, chain-first, the same draws as samples.npy
check samples_nc_is_inference_data bash -c "ncdump -h $O/samples.nc | sed 's/^[[:space:]]*//' > $TMP/nc.h &&
    grep -q '^group: posterior' $TMP/nc.h && grep -q '^group: sample_stats' $TMP/nc.h &&
    grep -q '^float z(chain, draw, z_dim_0) ;' $TMP/nc.h && grep -q '^chain = 4 ;' $TMP/nc.h &&
    grep -q '^draw = 100 ;' $TMP/nc.h && grep -q '^double lp(chain, draw) ;' $TMP/nc.h"
check samples_nc_holds_the_draws_chain_first /usr/bin/python3 -c "
import re, subprocess, numpy as np
txt = subprocess.run(['ncdump', '-p', '9', '-g', 'posterior', '-v', 'z', '$O/samples.nc'], capture_output=True, text=True).stdout
body = txt.split('z =', 1)[1].split(';', 1)[0]
z = np.array([float(v) for v in re.findall(r'[-+0-9.eE]+', body)], np.float32).reshape(4, 100, 6)
s = np.load('$O/samples.npy')
assert np.array_equal(z, s), abs(z - s).max()"
check samples_safetensors_same_bytes_as_npy cmp -s <(tail -c 9600 $O/samples.npy) <(tail -c 9600 $O/samples.safetensors)
check no_images_for_a_non_square_signal test ! -e $O/mean.png

# image models: mean, std map and samples as PNGs of the right size
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $3*256+$4 "x" $7*256+$8}'; }
$GINV net random --layers 6,60,196 --seed 3 -o $TMP/img.safetensors
expect_ok sample_square_signal_writes_images -- $GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 --chains 3 --burn-in 5 --samples 10 --out $TMP/im -q
# png_over FILE W H: wider than W and taller than H (the tiles, and room for
# the labels, title and colour bar around them)
png_over() { local s; s=$(png_size "$1"); (( ${s%x*} > $2 && ${s#*x} > $3 )); }
# 14x14 upscaled 4 times, a title and a colour bar; samples: 3 chains x 4
# draws of 14x14, 2-pixel gaps, times 4, with row and column labels
check mean_png_is_14x14_upscaled_4x png_over $TMP/im/mean.png 56 56
check std_png_is_14x14_upscaled_4x png_over $TMP/im/std.png 56 56
check samples_png_3_chains_by_4_draws png_over $TMP/im/samples.png $(( (4*14+5*2)*4 )) $(( (3*14+4*2)*4 ))
expect_ok sample_image_option_sets_shape -- $GINV sample --allow-warnings --model $TMP/img.safetensors --image 1x7x28 --op gaussian --m 50 --noise 0.1 --step 1e-3 --chains 5 --burn-in 5 --samples 10 --out $TMP/im2 -q
check image_option_mean_png_is_28x7_upscaled png_over $TMP/im2/mean.png 112 28
check samples_png_at_most_4_chains_4_draws png_over $TMP/im2/samples.png $(( (4*28+5*2)*4 )) $(( (4*7+5*2)*4 ))
expect_ok sample_signal_diag -- $GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 --chains 4 --burn-in 20 --samples 40 --signal-diag --out $TMP/sd --json $TMP/sd.json -q
check sample_signal_diag_json bash -c "jq -e '.signal_summary.pixels > 0 and .signal_summary.max_rhat >= 0.9 and .signal_summary.min_ess_bulk > 0 and .signal_summary.worst_pixel >= 0' $TMP/sd.json >/dev/null"
expect_ok sample_png_scale_1 -- $GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 --chains 2 --burn-in 5 --samples 5 --png-scale 1 --out $TMP/im3 -q
check png_scale_1_keeps_14x14 png_over $TMP/im3/mean.png 14 14
check png_scale_1_smaller_than_4 bash -c "test \$(stat -c %s $TMP/im3/samples.png) -lt \$(stat -c %s $TMP/im/samples.png)"
check samples_png_2_chains_by_4_draws_unscaled png_over $TMP/im3/samples.png 66 34
expect_error png_scale_out_of_range 2 "png-scale" -- $GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 --png-scale 0 --out $TMP/im4

# chains started near -z0 / at z0; trajectory in the JSON; W1 to a reference
expect_ok sample_init_negative -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --step 1e-6 --chains 4 --burn-in 0 --samples 10 --init negative --out $TMP/neg --json $TMP/neg.json -q
check negative_start_is_two_norms_from_z0 bash -c "jq -e '.trajectory.mean_rel_dist[0] > 1.95 and .trajectory.mean_rel_dist[0] < 2.05 and .trajectory.frac_near[0] == 0' $TMP/neg.json >/dev/null"
expect_ok sample_init_truth_with_reference -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --step 1e-6 --chains 4 --burn-in 0 --samples 10 --init truth --reference $TMP/neg/samples.npy --out $TMP/tru --json $TMP/tru.json -q
check truth_start_is_near_z0 bash -c "jq -e '.trajectory.frac_near[0] == 1 and .trajectory.mean_rel_dist[0] < 0.01' $TMP/tru.json >/dev/null"
check w1_to_the_negative_chains_is_large bash -c "jq -e '.trajectory.w1_sliced[0] > 0.5' $TMP/tru.json >/dev/null"
expect_ok sample_chain_seed_changes_only_the_chains -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --step 1e-3 --chains 4 --burn-in 0 --samples 10 --init negative --chain-seed 9 --out $TMP/neg9 --json $TMP/neg9.json -q
check chain_seed_keeps_y_and_z0 bash -c "cmp -s <(jq -c '[.y, .z0]' $TMP/neg.json) <(jq -c '[.y, .z0]' $TMP/neg9.json) && ! cmp -s $TMP/neg/samples.npy $TMP/neg9/samples.npy"
expect_ok plot_two_runs -- $GINV plot -o $TMP/fig.png --x trajectory.step --y trajectory.mean_rel_dist $TMP/neg.json=negative $TMP/tru.json=truth
check plot_is_png bash -c "head -c 4 $TMP/fig.png | grep -q PNG"
expect_error plot_missing_array 4 "no array" -- $GINV plot -o $TMP/fig2.png --x trajectory.step --y trajectory.nothing $TMP/neg.json
check failed_plot_writes_nothing test ! -e $TMP/fig2.png
printf '1 2 3\n' > $TMP/short.txt
expect_error negative_needs_truth 2 "needs a truth" -- $GINV sample --allow-warnings --model $M --op identity --y $TMP/short.txt --sigma 1 --step 0.1 --init negative --out $TMP/x
expect_error reference_of_wrong_width 4 "whole number" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --reference $TMP/short.txt --out $TMP/x

# Daras et al. Thm 3.1's coupling (scripts/daras_mixing.sh): a twin run from a
# run's last states with the same chain seed; coupled with itself the distance
# and the OT are exactly 0, with the chains from -z0 both are large at first and
# the OT never exceeds the coupling (the identity is one plan)
CS="--allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --step 1e-3 --chains 4 --burn-in 0 --samples 10 -q"
expect_ok sample_start_from_a_run -- $GINV sample $CS --start-from $TMP/tru/samples.npy --chain-seed 5 --out $TMP/twin --json $TMP/twin.json
check start_from_takes_each_chains_last_state bash -c "jq -e '.trajectory.frac_near[0] == 1' $TMP/twin.json >/dev/null"
expect_ok sample_couple_with_itself -- $GINV sample $CS --start-from $TMP/tru/samples.npy --chain-seed 5 --couple $TMP/twin/samples.npy --json $TMP/self.json
check coupling_of_identical_runs_is_zero bash -c "jq -e '(.trajectory.coupling | all(. == 0)) and (.trajectory.ot_w1 | all(. == 0)) and (.trajectory.ot_w2 | all(. == 0))' $TMP/self.json >/dev/null"
expect_ok sample_couple_negative -- $GINV sample $CS --start negative --chain-seed 5 --couple $TMP/twin/samples.npy --json $TMP/cneg.json
check coupling_from_negative_bounds_ot bash -c "jq -e '.trajectory as \$t | (\$t.coupling[0] > 1) and ([range(0; 10)] | all(\$t.ot_w1[.] <= \$t.coupling[.] + 1e-9))' $TMP/cneg.json >/dev/null"
expect_error couple_of_wrong_size 4 "not this run's" -- $GINV sample $CS --start negative --couple $TMP/neg9/samples.npy --samples 5 --out $TMP/x
expect_error start_from_of_wrong_size 4 "start-from" -- $GINV sample $CS --start-from $TMP/short.txt --out $TMP/x
check failed_couple_writes_nothing test ! -e $TMP/x

# sampled m and M of Pareek & Risteski: positive for 10 -> 40 leaky ReLU, 0 through a 5-wide layer
$GINV net random --layers 10,40 --act leaky_relu --seed 1 -o $TMP/inv.safetensors
$GINV net random --layers 10,5,40 --act leaky_relu --seed 1 -o $TMP/noninv.safetensors
check jacobian_m_positive_for_expanding_leaky bash -c "$GINV info $TMP/inv.safetensors --jacobian 200 --json - | jq -e '.jacobian.m > 0.05 and .jacobian.M >= .jacobian.m' >/dev/null"
check jacobian_m_zero_through_a_contracting_layer bash -c "$GINV info $TMP/noninv.safetensors --jacobian 50 --json - | jq -e '.jacobian.m < 1e-5' >/dev/null"
check trace_is_png bash -c "head -c 4 $O/trace.png | grep -q PNG"
for key in rhat ess_bulk ess_tail mcse_mean acceptance_rate max_rhat min_ess_bulk seconds_per_effective_sample posterior_mean '"y"' z0 gd_meas_loss; do
    check "sample_json_has_${key//\"/}" grep -q "$key" $TMP/s.json
done
check mala_acceptance_below_one grep -qE '"acceptance_rate":	0\.[0-9]' $TMP/s.json

# the other samplers run; projected needs a radius
expect_ok sample_ula_runs -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --step 1e-3 --chains 2 --burn-in 10 --samples 20 --out $TMP/u -q
expect_ok sample_projected_runs -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler projected --radius 0.5 --init gd --step 1e-3 --chains 2 --burn-in 10 --samples 20 --out $TMP/p -q
expect_ok sample_annealed_runs -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler annealed --levels 4 --level-max 5 --step 1e-3 --chains 2 --burn-in 40 --samples 20 --out $TMP/a -q
expect_ok sample_uniform_prior_with_mala -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --prior uniform --radius 3 --sampler mala --step 1e-3 --chains 2 --burn-in 10 --samples 20 --out $TMP/un -q

# same seed -> identical samples with 1 and 2 threads
for t in 1 2; do
    $GINV sample --allow-warnings --layers 10,200,600 --op gaussian --m 50 --noise 0.05 --sampler mala --step 1e-4 --chains 8 --burn-in 20 --samples 20 --init random --seed 7 --threads $t --out $TMP/t$t --json $TMP/t$t.json -q
done
check samples_identical_with_1_and_2_threads cmp -s $TMP/t1/samples.npy $TMP/t2/samples.npy
check json_identical_with_1_and_2_threads cmp -s <(grep -v -e seconds -e "$TMP/t" $TMP/t1.json) <(grep -v -e seconds -e "$TMP/t" $TMP/t2.json)

# user measurements are recorded; no truth then
printf '0.5 -1 0.2 0.3 0.1 -0.4\n' > $TMP/y.txt
$GINV net random --layers 3,6 --act identity --seed 2 -o $TMP/lin.safetensors
expect_ok sample_with_given_y -- $GINV sample --allow-warnings --model $TMP/lin.safetensors --op identity --y $TMP/y.txt --sigma 0.5 --step 0.01 --chains 2 --burn-in 10 --samples 20 --out $TMP/gy --json $TMP/gy.json -q
check given_y_recorded_without_truth bash -c "grep -q '\"y\":' $TMP/gy.json && ! grep -q '\"z0\"' $TMP/gy.json"

# bad input: one clear line, non-zero exit
expect_error step_required 2 "--step" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --out $TMP/x
# no --out: the table and the JSON only, nothing written beside them
mkdir -p "$TMP/noout" && (cd "$TMP/noout" && $GINV sample --allow-warnings --model "$M" --op gaussian --m 40 \
    --noise 0.1 --sampler mala --step 1e-3 --chains 2 --burn-in 10 --samples 20 --seed 1 --json - -q >../noout.json)
check sample_without_out_writes_only_its_json bash -c "jq -e '.summary.max_rhat > 0 and (has(\"files\") | not)' \
    $TMP/noout.json >/dev/null && [[ -z \$(ls -A $TMP/noout) ]]"
expect_error sigma_required 2 "noise level" -- $GINV sample --allow-warnings --model $M --m 40 --step 0.1 --out $TMP/x
expect_error unknown_sampler 2 "--sampler" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --sampler gibbs --out $TMP/x
expect_error unknown_prior 2 "--prior" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --prior laplace --out $TMP/x
expect_error projected_needs_radius 2 "--radius" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --sampler projected --out $TMP/x
expect_error uniform_prior_needs_ball_sampler 2 "uniform prior" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --prior uniform --radius 1 --out $TMP/x
expect_error too_few_samples 2 "--samples" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --samples 2 --out $TMP/x
expect_error negative_temperature 2 "--temperature" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --temperature -1 --out $TMP/x
printf '1 2 3\n' > $TMP/short.txt
expect_error truth_of_wrong_length 4 "holds 3 values; expected 6" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --truth $TMP/short.txt --out $TMP/x
expect_error y_and_truth_exclusive 2 "exclude" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 0.1 --truth $TMP/short.txt --y $TMP/y.txt --out $TMP/x
echo precious > $TMP/keep.json
expect_error divergence_is_an_error 6 "step" -- $GINV sample --allow-warnings --model $M --m 40 --noise 0.1 --step 1e6 --burn-in 100 --out $TMP/x --json $TMP/keep.json
check failed_run_keeps_existing_output test "$(cat $TMP/keep.json)" = precious
check failed_run_writes_no_outputs test ! -e $TMP/x
# HMC / NUTS, adaptation, warnings and their exit status (docs/sampling.md)
# check_json NAME FILE EXPR: EXPR (Python, d the parsed JSON) holds
check_json() { check "$1" python3 -c "import json, sys; d = json.load(open('$2')); sys.exit(0 if ($3) else 1)"; }
L="--layers 4,30,40 --act leaky_relu --op gaussian --m 20 --noise 0.1 --seed 3"
$GINV sample $L --sampler nuts --chains 2 --burn-in 60 --samples 30 --out $TMP/nw --json $TMP/nw.json -q 2>$TMP/nw.err
check nuts_short_run_exits_9_with_warnings test $? -eq 9
check warnings_printed_one_line_each grep -q "warning: min bulk-ESS .* < 100 per chain (200)" $TMP/nw.err
check warnings_written_anyway test -s $TMP/nw/samples.npy
check_json nuts_json_lists_warnings_and_adaptation $TMP/nw.json \
    "len(d['warnings']) >= 1 and any(w['check'] == 'ess_bulk' for w in d['warnings']) and \
     len(d['adaptation']['step_size']) == 2 and all(s > 0 for s in d['adaptation']['step_size']) and \
     len(d['adaptation']['inv_metric']) == 2 and len(d['adaptation']['inv_metric'][0]) == 4 and \
     d['params']['sampler'] == 'nuts' and d['params']['adapt'] == 'on' and \
     all(x['q5'] <= x['q50'] <= x['q95'] for x in d['diagnostics']) and \
     sorted(d['worst_first']) == [0, 1, 2, 3] and \
     d['diagnostics'][d['worst_first'][0]]['rhat'] == max(x['rhat'] for x in d['diagnostics']) and \
     len(d['sample_stats']['mean_accept_stat']) == 2 and 0 < d['sample_stats']['batch_fill'] <= 1"
expect_ok nuts_allow_warnings_exits_0 -- $GINV sample $L --sampler nuts --chains 2 --burn-in 60 --samples 30 --allow-warnings --out $TMP/nw2 -q
expect_ok hmc_reuses_an_adapted_metric -- $GINV sample $L --sampler hmc --leapfrog 5 --adapt off --step 0.1 \
    --metric $TMP/nw/inv_metric.npy --chains 2 --burn-in 0 --samples 20 --allow-warnings --out $TMP/hr --json $TMP/hr.json -q
check_json hmc_ran_with_the_given_metric $TMP/hr.json \
    "d['adaptation']['step_size'] == [0.1, 0.1] and d['adaptation']['adapt'] == 'off'"
expect_ok mala_step_with_adapt_off_and_no_metric -- $GINV sample $L --sampler mala --adapt off --step 1e-3 --chains 2 --burn-in 0 --samples 20 --allow-warnings --out $TMP/ma -q
expect_error target_accept_outside_0_1 2 "--target-accept" -- $GINV sample $L --sampler nuts --target-accept 1.5 --out $TMP/bad
expect_error max_depth_below_1 2 "--max-depth" -- $GINV sample $L --sampler nuts --max-depth 0 --out $TMP/bad
expect_error leapfrog_below_1 2 "--leapfrog" -- $GINV sample $L --sampler hmc --leapfrog 0 --out $TMP/bad
expect_error annealed_refuses_adaptation 2 "no accept step" -- $GINV sample $L --sampler annealed --adapt on --out $TMP/bad
expect_error ula_without_adapt_needs_a_step 2 "ula adapts only when asked" -- $GINV sample $L --sampler ula --out $TMP/bad
expect_ok ula_adapts_by_a_mala_warm_up -- $GINV sample $L --sampler ula --adapt on --burn-in 200 --samples 50 --allow-warnings --json $TMP/ula_ad.json -q
check ula_adapted_json bash -c "jq -e '.adaptation.target_accept == 0.95 and (.adaptation.step_size | all(. > 0)) and .summary.acceptance_rate == 1' $TMP/ula_ad.json >/dev/null"
expect_error ula_needs_a_step 2 "--step" -- $GINV sample $L --sampler ula --out $TMP/bad
printf '1 1 1\n' > $TMP/m3.txt
printf '1 -1 1 1\n' > $TMP/mneg.txt
expect_error metric_of_the_wrong_size 4 "holds 3 values" -- $GINV sample $L --sampler nuts --metric $TMP/m3.txt --out $TMP/bad
expect_error metric_not_positive 4 "positive" -- $GINV sample $L --sampler nuts --metric $TMP/mneg.txt --out $TMP/bad
# the dense metric (Stan's dense_e): adapted, written chains x k x k, reused; bad matrices refused
expect_ok nuts_dense_metric_adapts -- $GINV sample $L --sampler nuts --metric dense --chains 2 --burn-in 60 --samples 30 --allow-warnings --out $TMP/nd --json $TMP/nd.json -q
check dense_inv_metric_npy_is_c_k_k grep -qa "'shape': (2, 4, 4)" $TMP/nd/inv_metric.npy
check_json dense_json_holds_the_matrices $TMP/nd.json \
    "d['adaptation']['metric'] == 'dense' and len(d['adaptation']['inv_metric_dense']) == 2 and \
     all(len(m) == 4 and all(len(r) == 4 for r in m) for m in d['adaptation']['inv_metric_dense']) and \
     all(m[i][j] == m[j][i] for m in d['adaptation']['inv_metric_dense'] for i in range(4) for j in range(4)) and \
     any(m[0][1] != 0 for m in d['adaptation']['inv_metric_dense']) and \
     all(d['adaptation']['inv_metric'][c][i] == d['adaptation']['inv_metric_dense'][c][i][i] for c in range(2) for i in range(4))"
expect_ok hmc_reuses_an_adapted_dense_metric -- $GINV sample $L --sampler hmc --leapfrog 5 --adapt off --step 0.1 \
    --metric $TMP/nd/inv_metric.npy --chains 2 --burn-in 0 --samples 20 --allow-warnings --json $TMP/hd.json -q
check_json hmc_ran_with_the_dense_metric $TMP/hd.json "d['adaptation']['metric'] == 'dense'"
printf '1 2 0 0\n2 1 0 0\n0 0 1 0\n0 0 0 1\n' > $TMP/mindef.txt
printf '1 0.5 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n' > $TMP/masym.txt
printf '1 0 0 0 0\n0 1 0 0 0\n0 0 1 0 0\n' > $TMP/m15.txt
expect_error dense_metric_not_positive_definite 4 "not positive definite" -- $GINV sample $L --sampler nuts --metric $TMP/mindef.txt --out $TMP/bad --json $TMP/keep.json
check dense_metric_refusal_is_one_line test "$($GINV sample $L --sampler nuts --metric $TMP/mindef.txt 2>&1 >/dev/null | wc -l)" -eq 1
expect_error dense_metric_not_symmetric 4 "not symmetric" -- $GINV sample $L --sampler mala --chains 2 --metric $TMP/masym.txt --out $TMP/bad
expect_error dense_metric_of_the_wrong_size 4 "holds 15 values" -- $GINV sample $L --sampler nuts --metric $TMP/m15.txt --out $TMP/bad
check dense_refusal_keeps_existing_output test "$(cat $TMP/keep.json)" = precious
check bad_input_writes_nothing test ! -e $TMP/bad
# sweepable: a sample sweep unit (seed S, trial T) is `ginv sample --seed S --trial T`
# (the cell's parameters through ginv_sample_table), its metrics the command's numbers
cat > $TMP/ssweep.json <<'SPEC'
{"command": "sample", "fixed": {"layers": "4,20", "m": 10, "noise": 0.1, "sampler": "nuts",
 "burn-in": 100, "samples": 100}, "grid": {"chains": [2, 3]}, "trials": 2, "seed": 9, "seeds": "shared"}
SPEC
expect_ok sample_sweep_runs -- $GINV sweep $TMP/ssweep.json --db $TMP/ssweep.db -q
check sample_sweep_stores_four_units test "$(sqlite3 $TMP/ssweep.db "SELECT count(*) FROM units WHERE status = 'ok'")" = 4
$GINV sample --layers 4,20 --m 10 --noise 0.1 --sampler nuts --burn-in 100 --samples 100 --chains 3 --seed 9 --trial 1 \
    --allow-warnings --json $TMP/st1.json -q
cat > $TMP/ssweep.py <<'PY'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
units = [(u, json.loads(p)) for u, p in db.execute("SELECT id, params FROM units WHERE trial = 1")]
unit = [u for u, p in units if p["chains"] == "3"][0]
row = dict(db.execute("SELECT name, value FROM metrics WHERE unit = ?", (unit,)).fetchall())
assert d["trial"] == 1 and d["chain_seed"] == 10, (d["trial"], d["chain_seed"])
s = d["summary"]
assert abs(row["max_rhat"] - s["max_rhat"]) < 1e-12, (row["max_rhat"], s["max_rhat"])
assert abs(row["min_ess_bulk"] - s["min_ess_bulk"]) < 1e-9, (row["min_ess_bulk"], s["min_ess_bulk"])
assert abs(row["mean_rel_error"] - s["mean_rel_error"]) < 1e-6, (row["mean_rel_error"], s["mean_rel_error"])
assert abs(row["accept_rate"] - s["acceptance_rate"]) < 1e-12
PY
check sample_sweep_unit_is_sample_trial /usr/bin/python3 $TMP/ssweep.py $TMP/st1.json $TMP/ssweep.db
echo '{"command": "sample", "fixed": {"layers": "4,20", "noise": 0.1}, "grid": {"m": [5]}}' > $TMP/ssweep_bad.json
expect_error sample_sweep_refuses_bad_cells 2 "parameter 'step'" -- $GINV sweep $TMP/ssweep_bad.json --db $TMP/ssweep2.db -q
check sample_sweep_refused_spec_makes_no_store test ! -e $TMP/ssweep2.db
echo done

# orthogonal weights: a square leaky-ReLU net (slope 0.5, 3 layers) has every
# singular value of J_G in [0.125, 1] (Pareek & Risteski Assumption 1)
expect_ok net_random_orthogonal -- $GINV net random --layers 8,8,8,8 --act leaky_relu --alpha 0.5 --init orthogonal --seed 2 -o $TMP/orth.safetensors
check orthogonal_square_net_is_strongly_invertible bash -c "$GINV info $TMP/orth.safetensors --jacobian 300 --json - | jq -e '.jacobian.m >= 0.125 - 1e-5 and .jacobian.M <= 1 + 1e-5' >/dev/null"
expect_error net_random_unknown_init 2 "paper, fanin or orthogonal" -- $GINV net random --layers 8,8 --init gaussian --seed 2 -o $TMP/bad.safetensors
check bad_init_writes_no_model test ! -e $TMP/bad.safetensors

# R-hat against run length: GD start on the strongly invertible net
expect_ok sample_rhat_curve -- $GINV sample --allow-warnings --model $TMP/orth.safetensors --op identity --noise 0.05 --sampler mala --step 4e-3 --chains 4 --burn-in 0 --samples 8000 --init gd --gd-iters 500 --gd-lr 0.5 --rhat-curve --rhat-target 1.05 --out $TMP/rc --json $TMP/rc.json -q
check rhat_curve_png test -s $TMP/rc/rhat_curve.png
check rhat_curve_json_is_consistent bash -c "jq -e '.rhat_curve.threshold == 1.05 and (.rhat_curve.steps | length) == (.rhat_curve.max_rhat | length) and .rhat_curve.steps[-1] == 8000 and .rhat_curve.steps_to_threshold > 0 and .rhat_curve.max_rhat[-1] < 1.05 and .files[\"rhat_curve.png\"] != null' $TMP/rc.json >/dev/null"
expect_error rhat_target_below_1 2 "rhat-target" -- $GINV sample --allow-warnings --model $TMP/orth.safetensors --op identity --noise 0.05 --step 1e-3 --rhat-curve --rhat-target 0.5 --out $TMP/rc2
expect_error rhat_curve_needs_8_samples 2 "at least 8" -- $GINV sample --allow-warnings --model $TMP/orth.safetensors --op identity --noise 0.05 --step 1e-3 --samples 5 --rhat-curve --out $TMP/rc3 -q
check failed_rhat_curve_writes_no_outputs test ! -e $TMP/rc3/samples.npy

# nuts with --precond laplace: H^-1 at the GD point starts the metric (diagonal
# or dense); a tanh net, whose GD from 0 moves (the relu net's gradient at 0 is 0)
MT=$TMP/gtanh.safetensors
$GINV net random --layers 6,60,200 --act tanh --seed 3 -o $MT >/dev/null
expect_ok nuts_laplace_metric -- $GINV sample --allow-warnings --model $MT --op gaussian --m 40 --noise 0.1 --sampler nuts --start gd --precond laplace --chains 2 --burn-in 0 --samples 5 --step 0.1 --adapt off --json $TMP/nl.json -q
check nuts_laplace_metric_not_identity bash -c "jq -e '[.adaptation.inv_metric[0][] | select(. != 1)] | length == 6' $TMP/nl.json >/dev/null"
expect_ok nuts_laplace_dense_metric -- $GINV sample --allow-warnings --model $MT --op gaussian --m 40 --noise 0.1 --sampler nuts --start gd --precond laplace --metric dense --chains 2 --burn-in 30 --samples 5 --json $TMP/nld.json -q
check nuts_laplace_dense_reported bash -c "jq -e '.adaptation.metric == \"dense\"' $TMP/nld.json >/dev/null"
expect_error laplace_and_metric_file_refused 2 "exclude each other" -- $GINV sample --allow-warnings --model $MT --op gaussian --m 40 --noise 0.1 --sampler nuts --start gd --precond laplace --metric $TMP/nl.json --samples 5 -q
expect_error mala_laplace_dense_refused 2 "exclude each other for mala" -- $GINV sample --allow-warnings --model $MT --op gaussian --m 40 --noise 0.1 --sampler mala --start gd --precond laplace --metric dense --samples 5 -q

# replica exchange: rung 0 kept, swap rates in the JSON; bad ladders refused
expect_ok sample_tempering -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler mala --step 1e-3 --chains 3 --burn-in 20 --samples 50 --temps 4 --temp-max 20 --swap-every 2 --out $TMP/pt --json $TMP/pt.json -q
check tempering_keeps_rung_0_only grep -qa "'shape': (3, 50, 6)" $TMP/pt/samples.npy
check tempering_json_has_swap_rates bash -c "jq -e '(.summary.swap_rate | length) == 3 and ([.summary.swap_rate[] | select(. >= 0 and . <= 1)] | length) == 3 and .params.temps == 4' $TMP/pt.json >/dev/null"
expect_ok sample_tempering_threads_2 -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler mala --step 1e-3 --chains 3 --burn-in 20 --samples 50 --temps 4 --temp-max 20 --swap-every 2 --threads 2 --out $TMP/pt2 -q
check tempering_same_samples_with_2_threads cmp -s $TMP/pt/samples.npy $TMP/pt2/samples.npy
expect_error tempering_needs_ula_or_mala 2 "tempering works with ula and mala" -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler annealed --step 1e-3 --temps 3 --out $TMP/pt3 -q
expect_error tempering_temp_max_above_1 2 "must be > 1" -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler mala --step 1e-3 --temps 3 --temp-max 1 --out $TMP/pt4 -q
expect_error tempering_rungs_in_range 2 "temps" -- $GINV sample --allow-warnings --model $M --op gaussian --m 40 --noise 0.1 --sampler mala --step 1e-3 --temps 0 --out $TMP/pt5 -q
