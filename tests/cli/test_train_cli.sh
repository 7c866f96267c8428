#!/usr/bin/env bash
# test_train_cli.sh — `ginv train vae` on a small slice of Fashion-MNIST:
# output and JSON, resume equal to an uninterrupted run, bad input refused
# without touching existing files.
source "$(dirname "$0")/lib.sh"

small=(--data "fashion-mnist:train[0:300]" --test-data "fashion-mnist:test[0:100]"
       --latent 4 --hidden 32 --batch 50 --seed 3 -q)

expect_ok train_two_epochs -- $GINV train vae "${small[@]}" --epochs 2 -o "$TMP/a.st" --json "$TMP/a.json"
check train_writes_a_loadable_generator test -s "$TMP/a.st"
check train_json_has_a_finite_test_elbo bash -c \
    "jq -e '(.test.elbo | type == \"number\") and .test.elbo < 0 and (.epoch_loss | length == 2)' '$TMP/a.json' >/dev/null"
expect_ok info_reads_the_vae_generator -- $GINV info "$TMP/a.st"
check info_sees_latent_4_and_784_pixels bash -c "$GINV info --json - '$TMP/a.st' | jq -e '.latent == 4 and .output == 784' >/dev/null"

# each net of the VAE file loads alone
expect_ok extract_the_encoder -- $GINV net extract "$TMP/a.st" --part encoder -o "$TMP/enc.st"
check encoder_maps_784_pixels_to_mean_and_log_variance bash -c \
    "$GINV info --json - '$TMP/enc.st' | jq -e '.latent == 784 and .output == 8' >/dev/null"
expect_ok extract_the_generator -- $GINV net extract "$TMP/a.st" --part generator -o "$TMP/gen.st"
expect_error extract_refuses_a_file_without_an_encoder 1 "no \"ginv.encoder\"" -- \
    $GINV net extract "$TMP/gen.st" --part encoder -o "$TMP/x.st"

# one epoch, then --resume to two: the same file as two epochs straight
expect_ok train_one_epoch -- $GINV train vae "${small[@]}" --epochs 1 -o "$TMP/b.st"
expect_ok train_resume_to_two -- $GINV train vae "${small[@]}" --epochs 2 -o "$TMP/b.st" --resume
check resumed_vae_is_bit_identical cmp -s "$TMP/a.st" "$TMP/b.st"

cp "$TMP/a.st" "$TMP/keep.st"
expect_error train_refuses_a_missing_dataset 1 "no-such" -- \
    $GINV train vae --data "idx:$TMP/no-such.idx" --epochs 1 -o "$TMP/a.st" -q
expect_error train_refuses_a_batch_larger_than_the_data 1 "batch size" -- \
    $GINV train vae --data "fashion-mnist:train[0:20]" --no-test --batch 50 --epochs 1 -o "$TMP/a.st" -q
check failed_runs_leave_the_output_alone cmp -s "$TMP/a.st" "$TMP/keep.st"
expect_error train_needs_an_output 2 "-o FILE" -- $GINV train vae --epochs 1 -q
expect_error train_needs_a_model_kind 2 "train vae" -- $GINV train gan
echo done
