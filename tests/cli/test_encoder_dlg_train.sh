#!/usr/bin/env bash
# Command-line behaviour of `ginv encoder train --arch dlg` (docs/encoders.md):
# an amortised deep latent Gaussian trained by the SIVI bound, whose JSON
# counts N' exactly (the architecture's formula), whose file `ginv encoder
# sample` and `ginv encoder distance` read; bad input (L < 1, K < 0, a width
# <= 0 or more than one, a Gaussian-only option, a missing or malformed
# model) is refused with one line and the documented code, and leaves an
# existing output alone. Checkpoints: N steps in one run give the same file
# as N/2 steps then --resume to N; --resume refuses another --hidden or
# --layers (exit 2), a damaged checkpoint (exit 4) and a missing one (exit 5)
# with one line, and leaves the output as it was.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

expect_ok dlg_model -- $GINV net random --layers 3,3,3 --act tanh --out-act identity --weights orthogonal --bias --seed 2 -o $TMP/g.safetensors
expect_ok dlg_train -- $GINV encoder train --model $TMP/g.safetensors --arch dlg --layers 3 --hidden 8 --sivi-k 4 --act softplus \
    --beta 0.2 --steps 60 --batch 16 --lr 3e-3 --seed 4 -o $TMP/e.safetensors --json $TMP/e.json -q
# N' = (1 + H n + H + d H + d) + (L - 1) (1 + H n + H + H d + 2 + d H + d), n = d = 3, H = 8, L = 3
check dlg_train_json_counts_parameters /usr/bin/python3 -c "
import json, math; j = json.load(open('$TMP/e.json'))
n = d = 3; H = 8; L = 3
assert j['parameters'] == (1 + H*n + H + d*H + d) + (L - 1) * (1 + H*n + H + H*d + 2 + d*H + d), j['parameters']
assert j['params']['arch'] == 'dlg' and j['params']['sivi_k'] == 4 and j['params']['layers'] == 3, j['params']
assert math.isfinite(j['final_bound']), j"
check dlg_train_prints_n_prime grep -q "N' = 232 parameters" <($GINV encoder train --model $TMP/g.safetensors --arch dlg --layers 3 \
    --hidden 8 --steps 2 --batch 4 -o $TMP/e1.safetensors)
printf '0.1 0.2 -0.3\n' > $TMP/x.txt
expect_ok dlg_trained_sample -- $GINV encoder sample --encoder $TMP/e.safetensors --obs $TMP/x.txt --draws 50 --seed 1 -o $TMP/z.npy --json $TMP/s.json -q
check dlg_trained_sample_json grep -q '"layers":[[:space:]]*3' $TMP/s.json
expect_ok dlg_trained_distance -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/e.safetensors --beta 0.2 --n 1 \
    --draws 200 --ref-steps 200 --ref-chains 2 --json $TMP/dist.json -q
check dlg_trained_distance_json /usr/bin/python3 -c "
import json; j = json.load(open('$TMP/dist.json')); assert j['encoder_parameters'] == 232 and j['mean']['w1'] > 0, j"
# refusals; an existing output is left as it was
printf 'keep' > $TMP/keep.safetensors
T="$GINV encoder train --model $TMP/g.safetensors --arch dlg -o $TMP/keep.safetensors"
expect_error dlg_layers_at_least_1 2 "layers" -- $T --layers 0
expect_error dlg_sivi_k_not_negative 2 "sivi-k" -- $T --sivi-k -1
expect_error dlg_hidden_positive 2 "sizes must be positive" -- $T --hidden 0
expect_error dlg_hidden_one_width 2 "at most 1 sizes" -- $T --hidden 8,8
expect_error dlg_hidden_empty 2 "non-empty value" -- $T --hidden ''
expect_error dlg_no_objective 2 "--objective is for --arch gaussian" -- $T --objective elbo
expect_error dlg_unknown_arch 2 "must be gaussian or dlg" -- $GINV encoder train --model $TMP/g.safetensors --arch flow -o $TMP/keep.safetensors
expect_error dlg_sign_act 2 "not a differentiable activation" -- $T --act sign
# activations after the conv kinds in the enum (elu, gelu, silu, smooth_leaky) are accepted
expect_ok dlg_elu_act -- $T --act elu --steps 2 --checkpoint-every 0 -o $TMP/elu.safetensors -q
expect_error dlg_missing_model 5 "" -- $GINV encoder train --model $TMP/none.safetensors --arch dlg -o $TMP/keep.safetensors
printf 'not a model' > $TMP/bad.safetensors
expect_error dlg_malformed_model 4 "" -- $GINV encoder train --model $TMP/bad.safetensors --arch dlg -o $TMP/keep.safetensors
check dlg_refusals_leave_the_output grep -qx keep $TMP/keep.safetensors

# checkpoints and --resume
R="$GINV encoder train --model $TMP/g.safetensors --arch dlg --layers 3 --hidden 8 --sivi-k 4 --act softplus --beta 0.2 --batch 16 --lr 3e-3 --seed 4 -q"
expect_ok dlg_uninterrupted -- $R --steps 40 --checkpoint-every 0 -o $TMP/full.safetensors
check dlg_no_checkpoint_with_every_0 test ! -e $TMP/full.safetensors.ckpt
expect_ok dlg_first_half -- $R --steps 20 --checkpoint-every 7 -o $TMP/half.safetensors
check dlg_checkpoint_written test -s $TMP/half.safetensors.ckpt
expect_ok dlg_resumed -- $R --steps 40 --checkpoint-every 7 --resume -o $TMP/half.safetensors
check dlg_resume_is_bit_identical cmp -s $TMP/full.safetensors $TMP/half.safetensors
check dlg_nothing_left_says_so grep -q "nothing left to train" <($R --steps 40 --resume -o $TMP/half.safetensors 2>&1)
check dlg_nothing_left_still_writes cmp -s $TMP/full.safetensors $TMP/half.safetensors
cp $TMP/half.safetensors $TMP/half.before
expect_error dlg_resume_refuses_other_hidden 2 "width 8 (softplus), 232 parameters, this run asks for dlg 3 -> 3, 3 layers of width 6" -- $R --steps 40 --resume --hidden 6 -o $TMP/half.safetensors
expect_error dlg_resume_refuses_other_layers 2 "this run asks for dlg 3 -> 3, 2 layers" -- $R --steps 40 --resume --layers 2 -o $TMP/half.safetensors
check dlg_resume_refusal_is_one_line test "$($R --steps 40 --resume --layers 2 -o $TMP/half.safetensors 2>&1 >/dev/null | wc -l)" -eq 1
$GINV net random --layers 3,3,3 --act tanh --out-act identity --weights orthogonal --bias --seed 3 -o $TMP/g2.safetensors >/dev/null
expect_error dlg_resume_refuses_other_g 2 "another G" -- $GINV encoder train --model $TMP/g2.safetensors --arch dlg --layers 3 --hidden 8 --sivi-k 4 --act softplus --beta 0.2 --steps 40 --resume -o $TMP/half.safetensors
cp $TMP/half.safetensors.ckpt $TMP/warn.safetensors.ckpt
check dlg_resume_warns_other_lr grep -q "resuming with learning rate 0.001, the checkpoint's steps used 0.003" <($R --steps 50 --lr 1e-3 --resume -o $TMP/warn.safetensors 2>&1)
head -c 200 $TMP/half.safetensors.ckpt > $TMP/cut && mv $TMP/cut $TMP/half.safetensors.ckpt
expect_error dlg_resume_damaged_checkpoint 4 "resume:" -- $R --steps 40 --resume -o $TMP/half.safetensors
check dlg_damaged_checkpoint_one_line test "$($R --steps 40 --resume -o $TMP/half.safetensors 2>&1 >/dev/null | wc -l)" -eq 1
expect_error dlg_resume_missing_checkpoint 5 "no checkpoint" -- $R --steps 40 --resume -o $TMP/none.safetensors
check dlg_resume_refusals_leave_the_output cmp -s $TMP/half.before $TMP/half.safetensors
check dlg_resume_missing_writes_nothing test ! -e $TMP/none.safetensors
echo done
