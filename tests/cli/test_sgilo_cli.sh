#!/usr/bin/env bash
# test_sgilo_cli.sh — issue 13: `ginv train score` (both data sources, the
# file that carries G and its prior, --resume equal to an uninterrupted run,
# bad input refused without touching outputs) and `ginv cs --method sgilo`
# (posterior mean, std map, draws, R-hat/ESS in JSON; bad input).
source "$(dirname "$0")/lib.sh"

VAE=models/fmnist-vae-k20.safetensors
small=(--model "$VAE" --layer 2 --hidden 32 --fourier 4 --batch 50 --seed 3 -q)

expect_ok score_trains_on_prior_draws -- $GINV train score "${small[@]}" --examples 400 --epochs 2 \
    -o "$TMP/s.st" --json "$TMP/s.json"
check score_json_has_losses_and_a_heldout_loss bash -c \
    "jq -e '(.epoch_loss | length == 2) and (.heldout_loss | type == \"number\") and .p == 500 and .train_examples == 360' '$TMP/s.json' >/dev/null"
check score_file_is_still_the_generator bash -c \
    "$GINV info --json - '$TMP/s.st' | jq -e '.latent == 20 and .output == 784' >/dev/null"

# one epoch, then --resume to two: the same file as two epochs straight
expect_ok score_one_epoch -- $GINV train score "${small[@]}" --examples 400 --epochs 1 -o "$TMP/r.st"
expect_ok score_resume_to_two -- $GINV train score "${small[@]}" --examples 400 --epochs 2 -o "$TMP/r.st" --resume
check resumed_score_is_bit_identical cmp -s "$TMP/s.st" "$TMP/r.st"

# source (b): ILO inversions of real images, saved and reused
expect_ok score_trains_on_ilo_inversions -- $GINV train score "${small[@]}" --source ilo \
    --data "fashion-mnist:train[0:60]" --restarts 1 --iters 20 --ilo-iters 20 --epochs 1 \
    --save-h "$TMP/h.npy" -o "$TMP/b.st"
check ilo_training_set_is_60_by_500 python3 -c \
    "import struct,sys; b=open('$TMP/h.npy','rb').read(256); sys.exit(0 if b'(60, 500)' in b else 1)"
expect_ok score_trains_on_saved_h -- $GINV train score "${small[@]}" --h-data "$TMP/h.npy" --epochs 1 -o "$TMP/c.st"

cp "$TMP/s.st" "$TMP/keep.st"
expect_error score_needs_a_layer 2 "--layer" -- $GINV train score --model "$VAE" -o "$TMP/s.st" -q
expect_error score_layer_at_the_output 2 "layers" -- $GINV train score --model "$VAE" --layer 6 -o "$TMP/s.st" -q
expect_error score_unknown_source 2 "--source" -- $GINV train score --model "$VAE" --layer 2 --source gan -o "$TMP/s.st" -q
expect_error score_h_data_of_the_wrong_width 4 "p = 500" -- $GINV train score --model "$VAE" --layer 4 \
    --h-data tests/fixtures/conv/dcgan28.z.npy -o "$TMP/s.st" -q
expect_error score_resume_at_another_layer 2 "layer 2" -- $GINV train score --model "$VAE" --layer 4 --hidden 32 \
    --examples 400 --epochs 3 -o "$TMP/s.st" --resume -q
check failed_score_runs_leave_the_output_alone cmp -s "$TMP/s.st" "$TMP/keep.st"

# SGILO in cs: the prior comes with the model file
expect_ok cs_sgilo_runs -- $GINV cs --model "$TMP/s.st" --data "fashion-mnist:test[0:2]" --m 50 --iters 40 \
    --restarts 1 --method csgm,sgilo --layer 2 --ilo-iters 20 --sgilo-burn 10 --sgilo-draws 8 --samples 3 \
    --seed 2 -q --json "$TMP/sg.json" --out "$TMP/sg"
check cs_sgilo_json_has_diagnostics bash -c "jq -e '[.images[].sgilo.mse] | length == 2 and all(. > 0)' $TMP/sg.json >/dev/null &&
    jq -e '.summary.sgilo.chains == 2 and .summary.sgilo.gradient_evaluations_per_chain == 18 and (.summary.sgilo.max_rhat | type == \"number\") and .summary.sgilo.mean_step > 0' $TMP/sg.json >/dev/null"
check cs_sgilo_writes_std_and_draws bash -c "test -s $TMP/sg/sgilo_std.png && test -s $TMP/sg/sgilo_std.npy &&
    python3 -c \"import sys; b=open('$TMP/sg/sgilo_draws.npy','rb').read(128); sys.exit(0 if b'(2, 3, 784)' in b else 1)\""
expect_ok cs_sgilo_sdedit_runs -- $GINV cs --model "$TMP/s.st" --data "fashion-mnist:test[0:1]" --m 50 --iters 20 \
    --restarts 1 --method sgilo --layer 2 --ilo-iters 10 --sgilo-burn 4 --sgilo-draws 4 --sgilo-sdedit 3 \
    --sgilo-t 0.05 --sgilo-precond none --sgilo-start prior -q --json "$TMP/sd.json"
check cs_sgilo_sdedit_counts_its_score_evaluations bash -c \
    "jq -e '.summary.sgilo.score_evaluations_per_chain >= 24' $TMP/sd.json >/dev/null"

expect_error cs_sgilo_needs_a_score 4 "ginv train score" -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" \
    --method sgilo --layer 2 -q
expect_error cs_sgilo_layer_mismatch 2 "give --layer 2" -- $GINV cs --model "$TMP/s.st" \
    --data "fashion-mnist:test[0:1]" --method sgilo --layer 4 -q
expect_error cs_sgilo_score_of_another_size 4 "takes 500 values" -- $GINV cs --model "$VAE" \
    --score tests/fuzz/corpus/score/tiny.safetensors --data "fashion-mnist:test[0:1]" --method sgilo --layer 2 -q
expect_error cs_sgilo_needs_noise 2 "noise" -- $GINV cs --model "$TMP/s.st" --data "fashion-mnist:test[0:1]" \
    --method sgilo --layer 2 --noise 0 -q
expect_error cs_samples_without_sgilo 2 "--samples" -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" \
    --method csgm --samples 2 -q
expect_error cs_samples_past_the_draws 2 "--samples" -- $GINV cs --model "$TMP/s.st" --data "fashion-mnist:test[0:1]" \
    --method sgilo --layer 2 --sgilo-draws 2 --samples 5 -q
expect_ok cs_sgilo_runs_on_fourier_magnitudes -- $GINV cs --model "$TMP/s.st" --data "fashion-mnist:test[0:1]" \
    --method sgilo --layer 2 --op phaseless-fourier:2 --noise 0.01 --iters 20 --restarts 1 --ilo-iters 10 \
    --sgilo-burn 4 --sgilo-draws 4 -q --json "$TMP/pf.json"
check cs_sgilo_on_magnitudes_measures_up_to_the_ambiguities bash -c \
    "jq -e '.error_metric == \"mse-up-to-sign-shift-flip\" and .summary.sgilo.mse_mean > 0' $TMP/pf.json >/dev/null"
expect_error cs_sgilo_refused_for_signs 2 "measures signs" -- $GINV cs --model "$TMP/s.st" \
    --data "fashion-mnist:test[0:1]" --method sgilo --layer 2 --op onebit-gaussian --m 50 -q
expect_error cs_sgilo_unknown_start 2 "sgilo-start" -- $GINV cs --model "$TMP/s.st" --data "fashion-mnist:test[0:1]" \
    --method sgilo --layer 2 --sgilo-start gd -q
echo done
