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
expect_error extract_refuses_a_file_without_an_encoder 4 "no \"ginv.encoder\"" -- \
    $GINV net extract "$TMP/gen.st" --part encoder -o "$TMP/x.st"

# one epoch, then --resume to two: the same file as two epochs straight
expect_ok train_one_epoch -- $GINV train vae "${small[@]}" --epochs 1 -o "$TMP/b.st"
expect_ok train_resume_to_two -- $GINV train vae "${small[@]}" --epochs 2 -o "$TMP/b.st" --resume
check resumed_vae_is_bit_identical cmp -s "$TMP/a.st" "$TMP/b.st"

cp "$TMP/a.st" "$TMP/keep.st"
expect_error train_refuses_a_missing_dataset 5 "no-such" -- \
    $GINV train vae --data "idx:$TMP/no-such.idx" --epochs 1 -o "$TMP/a.st" -q
expect_error train_refuses_a_batch_larger_than_the_data 2 "batch size" -- \
    $GINV train vae --data "fashion-mnist:train[0:20]" --no-test --batch 50 --epochs 1 -o "$TMP/a.st" -q
check failed_runs_leave_the_output_alone cmp -s "$TMP/a.st" "$TMP/keep.st"
expect_error train_needs_an_output 2 "-o FILE" -- $GINV train vae --epochs 1 -q
expect_error train_needs_a_model_kind 2 "train vae" -- $GINV train gan

# --resume checks the checkpoint against the run (issue 18, item 13): another
# architecture or other data is refused and changes nothing; other settings
# train with a warning each; nothing left to train says so (no "nan").
tiny=(--data "fashion-mnist:train[0:100]" --no-test --latent 3 --hidden 8 --batch 50 --seed 3 -q)
expect_ok tiny_one_epoch -- $GINV train vae "${tiny[@]}" --epochs 1 -o "$TMP/c.st"
cp "$TMP/c.st.ckpt" "$TMP/c.ckpt.keep"
cp "$TMP/c.st" "$TMP/c.keep"
expect_error resume_refuses_another_latent_size 2 "holds a VAE with --arch mlp --latent 3 --hidden 8 --act softplus, this run asks for --arch mlp --latent 5 --hidden 8" -- \
    $GINV train vae "${tiny[@]}" --latent 5 --epochs 2 -o "$TMP/c.st" --resume
expect_error resume_refuses_other_hidden_widths 2 "this run asks for --arch mlp --latent 3 --hidden 8,8" -- \
    $GINV train vae "${tiny[@]}" --hidden 8,8 --epochs 2 -o "$TMP/c.st" --resume
expect_error resume_refuses_another_activation 2 "--act relu" -- \
    $GINV train vae "${tiny[@]}" --act relu --epochs 2 -o "$TMP/c.st" --resume
expect_error resume_refuses_other_data 2 "the checkpoint was trained on 100 images" -- \
    $GINV train vae "${tiny[@]}" --data "fashion-mnist:train[100:200]" --epochs 2 -o "$TMP/c.st" --resume
expect_error resume_refuses_fewer_images 2 "this run gives 50" -- \
    $GINV train vae "${tiny[@]}" --data "fashion-mnist:train[0:50]" --epochs 2 -o "$TMP/c.st" --resume
check refused_resumes_leave_checkpoint_and_output_alone bash -c \
    "cmp -s '$TMP/c.st.ckpt' '$TMP/c.ckpt.keep' && cmp -s '$TMP/c.st' '$TMP/c.keep'"
check resume_warns_on_another_learning_rate_and_seed bash -c \
    "$GINV train vae ${tiny[*]} --lr 0.002 --seed 4 --epochs 2 -o '$TMP/c.st' --resume 2>&1 >/dev/null |
     grep -q 'warning: resuming with learning rate 0.002, the checkpoint.s epochs used 0.001' &&
     $GINV train vae ${tiny[*]} --batch 25 --lr 0.002 --seed 4 --epochs 3 -o '$TMP/c.st' --resume 2>&1 >/dev/null |
     grep -q 'warning: resuming with batch size 25, the checkpoint.s epochs used 50'"
check resume_at_the_last_epoch_has_nothing_to_train bash -c \
    "out=\$($GINV train vae ${tiny[*]/-q/} --batch 25 --lr 0.002 --seed 4 --epochs 3 -o '$TMP/c.st' --resume 2>/dev/null); echo \"\$out\" |
     grep -q 'nothing to train: the checkpoint already holds 3 epochs (--epochs 3) (its last training loss [0-9]' &&
     ! echo \"\$out\" | grep -qi nan"
check epochs_zero_has_nothing_to_train bash -c \
    "out=\$($GINV train vae ${tiny[*]/-q/} --epochs 0 -o '$TMP/z.st' 2>/dev/null); echo \"\$out\" | grep -q 'nothing to train (--epochs 0)' &&
     ! echo \"\$out\" | grep -qi nan && test -s '$TMP/z.st' && test ! -e '$TMP/z.st.ckpt'"
check an_error_before_training_names_no_checkpoint bash -c \
    "$GINV train vae --data 'fashion-mnist:train[0:20]' --no-test --batch 50 --epochs 1 -o '$TMP/n.st' -q 2>&1 | grep -v ckpt | grep -q 'batch size 50'"
# -q: only errors (docs/cli.md, "Options"): not even the summary line
check train_quiet_prints_nothing bash -c "[ -z \"\$($GINV train vae ${tiny[*]} --epochs 0 -o '$TMP/q.st' 2>&1)\" ]"
# --arch conv: strided convs in the encoder, conv_transpose2d in the decoder;
# one epoch then --resume to two gives the file two epochs straight give
conv=(--arch conv --data "fashion-mnist:train[0:200]" --test-data "fashion-mnist:test[0:50]"
      --latent 4 --hidden 4,8 --batch 50 --seed 3 -q)
expect_ok conv_train_two_epochs -- $GINV train vae "${conv[@]}" --epochs 2 -o "$TMP/cv.st" --json "$TMP/cv.json"
check conv_json_records_the_arch_and_a_test_elbo bash -c \
    "jq -e '.params.arch == \"conv\" and .params.hidden == \"4,8\" and .params.act == \"elu\" and (.test.elbo | type == \"number\") and (.epoch_loss[1] < .epoch_loss[0])' '$TMP/cv.json' >/dev/null"
check conv_generator_ends_in_conv_transpose_and_sigmoid bash -c \
    "$GINV info --json - '$TMP/cv.st' | jq -e '.latent == 4 and .output == 784' >/dev/null &&
     $GINV info '$TMP/cv.st' | grep -q conv_transpose2d && $GINV info '$TMP/cv.st' | grep -q sigmoid"
expect_ok conv_train_one_epoch -- $GINV train vae "${conv[@]}" --epochs 1 -o "$TMP/cw.st"
expect_ok conv_train_resume_to_two -- $GINV train vae "${conv[@]}" --epochs 2 -o "$TMP/cw.st" --resume
check conv_resumed_vae_is_bit_identical cmp -s "$TMP/cv.st" "$TMP/cw.st"
expect_error conv_resume_refuses_the_mlp_arch 2 "holds a VAE with --arch conv --latent 4 --hidden 4,8 --act elu, this run asks for --arch mlp" -- \
    $GINV train vae "${conv[@]/conv/mlp}" --epochs 3 -o "$TMP/cw.st" --resume
# --fc W: the dense hidden layer is in the file, and --resume refuses a changed --fc
expect_ok conv_fc_train_one_epoch -- $GINV train vae "${conv[@]}" --fc 16 --epochs 1 -o "$TMP/cf.st"
check conv_fc_generator_has_the_dense_hidden_layer bash -c \
    "$GINV info --json - '$TMP/cf.st' | jq -e '[.architecture.layers[] | select(.type == \"dense\")] | length == 2' >/dev/null"
expect_error conv_fc_resume_refuses_another_fc 2 "holds a VAE with --arch conv --latent 4 --hidden 4,8 --fc 16 --act elu, this run asks for --arch conv --latent 4 --hidden 4,8 --fc 8" -- \
    $GINV train vae "${conv[@]}" --fc 8 --epochs 2 -o "$TMP/cf.st" --resume
expect_error train_refuses_fc_with_the_mlp_arch 2 "--fc is the conv VAE's dense hidden layer" -- \
    $GINV train vae --arch mlp --fc 8 --epochs 1 -o "$TMP/cx.st" -q
expect_ok conv_csgm_runs_on_the_conv_generator -- $GINV cs --model "$TMP/cv.st" --data "fashion-mnist:test[0:2]" \
    --m 50 --method csgm --restarts 1 --iters 20 -q
expect_error conv_refuses_images_that_do_not_halve 2 "divide by 8, they are 28x28" -- \
    $GINV train vae --arch conv --hidden 4,8,8 --data "fashion-mnist:train[0:100]" --no-test --epochs 1 -o "$TMP/cx.st" -q
expect_error train_refuses_an_unknown_arch 2 "expected mlp or conv" -- \
    $GINV train vae --arch gan --epochs 1 -o "$TMP/cx.st" -q
expect_error train_refuses_a_layer_as_activation 2 "not an activation" -- \
    $GINV train vae --arch conv --act conv2d --epochs 1 -o "$TMP/cx.st" -q
# --likelihood gaussian --beta B (Pareek & Risteski Definition 1): the loss
# falls, the file says so and reads back, --resume refuses a changed
# likelihood or beta, and bad --beta values are refused (exit 2)
gauss=(--data "fashion-mnist:train[0:200]" --test-data "fashion-mnist:test[0:50]"
       --latent 3 --hidden 16 --batch 50 --seed 3 -q --likelihood gaussian --beta 0.2)
expect_ok gaussian_train_three_epochs -- $GINV train vae "${gauss[@]}" --epochs 3 -o "$TMP/g.st" --json "$TMP/g.json"
check gaussian_json_records_beta_and_a_falling_loss bash -c \
    "jq -e '.params.likelihood == \"gaussian\" and .params.beta == 0.2 and (.test.elbo | type == \"number\") and (.epoch_loss[2] < .epoch_loss[0])' '$TMP/g.json' >/dev/null"
# the safetensors header holds ginv.vae as an escaped JSON string
gauss_meta() { head -c 4096 "$TMP/g.st" | tr -d '\\"' | grep -a -q 'likelihood:gaussian,beta:0.2,'; }
check gaussian_file_metadata_has_the_likelihood_and_beta gauss_meta
cp "$TMP/g.st.ckpt" "$TMP/g.ckpt.keep"
expect_error gaussian_resume_refuses_the_bernoulli_likelihood 2 "holds a VAE with --arch mlp --latent 3 --hidden 16 --act softplus --likelihood gaussian --beta 0.2, this run asks for --arch mlp --latent 3 --hidden 16 --act softplus;" -- \
    $GINV train vae "${gauss[@]:0:13}" --epochs 4 -o "$TMP/g.st" --resume
expect_error gaussian_resume_refuses_another_beta 2 "this run asks for --arch mlp --latent 3 --hidden 16 --act softplus --likelihood gaussian --beta 0.3" -- \
    $GINV train vae "${gauss[@]}" --beta 0.3 --epochs 4 -o "$TMP/g.st" --resume
check gaussian_refused_resumes_leave_the_checkpoint_alone cmp -s "$TMP/g.st.ckpt" "$TMP/g.ckpt.keep"
expect_ok gaussian_resume_with_the_same_beta -- $GINV train vae "${gauss[@]}" --epochs 4 -o "$TMP/g.st" --resume
expect_error gaussian_refuses_beta_zero 2 "--beta 0 must be > 0" -- \
    $GINV train vae "${gauss[@]}" --beta 0 --epochs 1 -o "$TMP/gx.st"
expect_error gaussian_refuses_a_negative_beta 2 "--beta -0.1 must be > 0" -- \
    $GINV train vae "${gauss[@]}" --beta -0.1 --epochs 1 -o "$TMP/gx.st"
expect_error gaussian_needs_beta 2 "needs --beta" -- \
    $GINV train vae --likelihood gaussian --epochs 1 -o "$TMP/gx.st" -q
expect_error bernoulli_refuses_beta 2 "--beta is the Gaussian likelihood" -- \
    $GINV train vae --beta 0.1 --epochs 1 -o "$TMP/gx.st" -q
expect_error train_refuses_an_unknown_likelihood 2 "expected bernoulli or gaussian" -- \
    $GINV train vae --likelihood poisson --epochs 1 -o "$TMP/gx.st" -q
check refused_gaussian_runs_write_nothing test ! -e "$TMP/gx.st"
echo done
