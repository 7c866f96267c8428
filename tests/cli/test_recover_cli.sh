#!/usr/bin/env bash
# Command-line behaviour of net random, info and recover: outputs, JSON,
# determinism across thread counts, and bad input.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

expect_ok help_lists_commands -- $GINV --help
check help_names_recover grep -q recover <($GINV --help)
check recover_help_documents_m grep -q -- '--m M' <($GINV recover --help)
expect_error unknown_command_is_usage_error 2 "unknown command" -- $GINV frobnicate

M=$TMP/g.safetensors
expect_ok net_random_writes_model -- $GINV net random --layers 10,250,1000 --seed 3 -o $M
check info_counts_parameters grep -q '252500 parameters' <($GINV info $M)
check net_random_json_counts_parameters grep -q "\"parameters\":	15" <($GINV net random --layers 3,5 --seed 2 -o $TMP/small.safetensors --json -)
check info_json_has_architecture grep -q '"type":	"dense"' <($GINV info $M --json -)
# image layers: shapes and settings in the layer table (as `ginv import` prints it)
check info_shows_image_layer_shapes bash -c "$GINV info tests/fixtures/conv/dcgan32.safetensors |
    grep -Eq '^ +4  conv_transpose2d +8x4x4 +-> 8x8x8 +1024  k 4x4 s 2,2 p 1,1 d 1,1$'"

# JSON results: per-trial fields and the summary
expect_ok recover_writes_json -- $GINV recover --model $M --op gaussian --m 60 --iters 300 --trials 2 --seed 1 --json $TMP/r.json -q
for key in rel_error meas_loss iters success success_rate median_rel_error; do
    check "recover_json_has_$key" grep -q "\"$key\"" $TMP/r.json
done

# same seed -> identical results with 1 and 2 threads (timings aside)
for tr in 1 3; do
    $GINV recover --layers 10,200,600 --op gaussian --m 40 --iters 200 --restarts 3 --trials $tr --noise 0.01 --seed 7 --threads 1 --json $TMP/t1.json -q
    $GINV recover --layers 10,200,600 --op gaussian --m 40 --iters 200 --restarts 3 --trials $tr --noise 0.01 --seed 7 --threads 2 --json $TMP/t2.json -q
    check "json_identical_with_1_and_2_threads_trials_$tr" cmp -s <(grep -v seconds $TMP/t1.json) <(grep -v seconds $TMP/t2.json)
done
$GINV recover --layers 10,200,600 --op gaussian --m 40 --iters 200 --trials 1 --seed 8 --json $TMP/s8.json -q
check different_seed_gives_different_results bash -c "! cmp -s <(grep -v seconds $TMP/t1.json) <(grep -v seconds $TMP/s8.json)"

# arrays out and back in: truth -> x -> y through the identity operator
printf '1 -1 0.5 2 0 -0.3 0.7 1.1 -2 0.2\n' > $TMP/z0.txt
expect_ok recover_with_truth_saves_z_and_x -- $GINV recover --model $M --op gaussian --m 80 --iters 500 --truth $TMP/z0.txt --save-z $TMP/z.npy --save-x $TMP/x.npy -q
check saved_z_is_npy_of_10_floats test "$(head -c 6 $TMP/z.npy | tail -c 5)" = NUMPY
expect_ok recover_from_user_measurements -- $GINV recover --model $M --op identity --y $TMP/x.npy --iters 300 --json $TMP/fit.json -q
check user_y_reports_fit_not_rel_error bash -c "! grep -q rel_error $TMP/fit.json && grep -q '\"y\"' $TMP/fit.json"

# bad input: one clear line, non-zero exit
expect_error subsample_m_larger_than_n 2 "larger than the signal size" -- $GINV recover --model $M --op subsample --m 2000
printf '1 2 3\n' > $TMP/short.txt
expect_error truth_of_wrong_length 4 "holds 3 values; expected 10" -- $GINV recover --model $M --m 50 --truth $TMP/short.txt
expect_error negative_noise 2 "--noise" -- $GINV recover --model $M --m 50 --noise -1
expect_error nan_step_size 2 "must be finite" -- $GINV recover --model $M --m 50 --lr nan
expect_error negative_iters 2 "--iters" -- $GINV recover --model $M --m 50 --iters -5
expect_error zero_trials 2 "--trials" -- $GINV recover --model $M --m 50 --trials 0
expect_error missing_model 5 "cannot open" -- $GINV recover --model $TMP/nope.safetensors --m 50
expect_error truncated_model 4 "past the end of the 12-byte data buffer" -- $GINV info tests/malformed/safetensors/truncated.safetensors
expect_error unknown_option 2 "unknown option" -- $GINV recover --model $M --bogus 1
expect_error unknown_operator 2 "unknown operator" -- $GINV recover --model $M --op fourier
expect_error unknown_option_suggests_the_closest 2 "did you mean --iters?" -- $GINV recover --model $M --op identity --iter 5
expect_error unknown_option_far_from_any_gets_help 2 "(see --help)" -- $GINV recover --model $M --op identity --zzzz 5
expect_error downsample_needs_square 2 "not a square" -- $GINV recover --model $M --op downsample:2
expect_error gaussian_needs_m 2 "needs --m" -- $GINV recover --model $M --op gaussian
expect_error model_and_layers_exclusive 2 "error: --model and --layers: give exactly one" -- $GINV recover --model $M --layers 10,20 --m 5
# the library's check names parameters; the command spells them as its options
expect_error choice_named_as_the_option 2 "error: --algo 'sgd' must be gd, adam or signflip" -- $GINV recover --model $M --m 5 --algo sgd
expect_error deprecated_alias_checked_as_its_new_name 2 "error: --weights 'xavier' must be paper, fanin or orthogonal" -- \
    $GINV recover --layers 5,20 --m 5 --init xavier
check json_params_come_from_the_table bash -c "$GINV recover --layers 5,20,40 --m 10 --iters 5 -q --json - |
    jq -e '.params.lr == 0.01 and .params.start_scale == 1 and .params.iters == 5 and .params.weights == \"paper\" and
    .params.out_act == \"relu\" and .params.m == 10 and .params.k == 5 and .params.n == 40 and (.params | has(\"model\") | not)' >/dev/null"
printf '1 2\n3 4\n' > $TMP/A.txt
expect_error matrix_of_wrong_width 4 "expected 1000 columns" -- $GINV recover --model $M --op matrix:$TMP/A.txt
printf '1 nan 3\n' > $TMP/ynan.txt
expect_error nan_in_measurements 6 "not finite" -- $GINV recover --model $M --op identity --y $TMP/ynan.txt

# divergence: an error, and the existing output file is left untouched
echo precious > $TMP/keep.json
expect_error divergence_is_an_error 6 "step size" -- $GINV recover --model $M --m 50 --algo gd --lr 1e30 --iters 20 --json $TMP/keep.json --save-z $TMP/newz.npy
check failed_run_keeps_existing_output test "$(cat $TMP/keep.json)" = precious
check failed_run_writes_no_new_output test ! -e $TMP/newz.npy
check no_temporary_files_left bash -c "! ls $TMP | grep -q tmp"
echo done
