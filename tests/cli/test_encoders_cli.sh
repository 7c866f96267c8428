#!/usr/bin/env bash
# Command-line behaviour of Pareek & Risteski's objects (docs/encoders.md):
# `ginv net oneway` writes Theorem 2's instance G(z) = C(sgn z) only after C
# is checked to be a bijection computed exactly by the net (every vertex,
# d <= 20), its outputs are hypercube vertices; `ginv encoder train|eval`
# train an amortised encoder and measure how often it explains samples; bad
# input is refused with one line. Checkpoints: N steps in one run give the
# same encoder file as N/2 then --resume to N (sleep and elbo); --resume
# refuses another --hidden (exit 2) and a damaged checkpoint (exit 4) with
# one line, leaving the output as it was.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

check net_help_lists_oneway grep -q 'net oneway' <($GINV net --help)
expect_ok oneway_writes_a_model -- $GINV net oneway --d 12 --rounds 4 --seed 2 -o $TMP/ow.safetensors --json $TMP/ow.json
# parameters: d -> 5d, (R - 1) x (5d -> 5d), 5d -> d, with biases
check oneway_json_verified_with_parameter_count /usr/bin/python3 -c "
import json; d = json.load(open('$TMP/ow.json'))
D, R, W = 12, 4, 60
assert d['verified'] is True and d['params'] == {'d': 12, 'rounds': 4}, d
assert d['parameters'] == D * W + W + (R - 1) * (W * W + W) + W * D + D, d['parameters']"
check oneway_info_starts_with_sign grep -Eq '^ +0 +sign' <($GINV info $TMP/ow.safetensors)
expect_ok oneway_generate -- $GINV generate --model $TMP/ow.safetensors --n 200 --seed 3 -o $TMP/owx.npy -q
check oneway_outputs_are_vertices_and_distinct /usr/bin/python3 -c "
import numpy as np; x = np.load('$TMP/owx.npy').reshape(200, 12)
assert set(np.unique(x)) <= {-1.0, 1.0}, np.unique(x)
assert len({r.tobytes() for r in x}) > 190"
expect_ok oneway_d22_is_not_enumerated -- $GINV net oneway --d 22 --rounds 2 -o $TMP/ow22.safetensors --json $TMP/ow22.json
check oneway_d22_json_says_unverified grep -q '"verified":[[:space:]]*false' $TMP/ow22.json
expect_error oneway_odd_d 2 "must be even" -- $GINV net oneway --d 7 -o $TMP/bad.safetensors
expect_error oneway_needs_d 2 "--d D is required" -- $GINV net oneway -o $TMP/bad.safetensors
expect_error oneway_rounds_in_range 2 "rounds" -- $GINV net oneway --d 8 --rounds 0 -o $TMP/bad.safetensors
expect_error oneway_needs_output 2 "-o FILE is required" -- $GINV net oneway --d 8
check oneway_bad_input_writes_nothing test ! -e $TMP/bad.safetensors
# encoders: trained on a strongly invertible G, evaluated again by `encoder eval`
expect_ok inv_model -- $GINV net random --layers 6,6 --act leaky_relu --alpha 0.5 --weights orthogonal --seed 2 -o $TMP/inv.safetensors
expect_ok encoder_train -- $GINV encoder train --model $TMP/inv.safetensors --beta 0.05 --hidden 32 --steps 400 --batch 64 \
    --lr 3e-3 --eval 500 --seed 4 -o $TMP/enc.safetensors --json $TMP/enc.json -q
check encoder_train_json /usr/bin/python3 -c "
import json; d = json.load(open('$TMP/enc.json'))
assert d['parameters'] == 6 * 32 + 32 + 32 * 12 + 12, d['parameters']
e = d['eval']; assert e['samples'] == 500 and e['success_truth'] > 0.95 and e['success_mean'] > 0.9, e"
check encoder_file_maps_x_to_mu_and_logvar grep -q 'latent 6 -> output 12' <($GINV info $TMP/enc.safetensors)
expect_ok encoder_eval -- $GINV encoder eval --model $TMP/inv.safetensors --encoder $TMP/enc.safetensors --beta 0.05 --n 500 --seed 4 --json $TMP/ev.json -q
check encoder_eval_repeats_the_training_evaluation /usr/bin/python3 -c "
import json; a = json.load(open('$TMP/enc.json'))['eval']; b = json.load(open('$TMP/ev.json'))['eval']
assert a == b, (a, b)"
# on the one-way G the sleep objective needs no gradient: it trains, and evaluation runs
# --act elu (after the conv kinds in the layer enum) is an activation; sign is refused
expect_ok encoder_elu_act -- $GINV encoder train --model $TMP/inv.safetensors --beta 0.05 --hidden 8 --act elu --steps 5 \
    --checkpoint-every 0 -o $TMP/encelu.safetensors -q
expect_error encoder_sign_act 2 "not a differentiable activation" -- $GINV encoder train --model $TMP/inv.safetensors \
    --beta 0.05 --hidden 8 --act sign --steps 5 -o $TMP/encsign.safetensors -q
expect_ok encoder_on_oneway -- $GINV encoder train --model $TMP/ow.safetensors --beta 0.05 --hidden 16 --steps 50 --eval 100 -o $TMP/encow.safetensors -q
expect_error encoder_needs_model 2 "--model FILE and -o FILE are required" -- $GINV encoder train -o $TMP/e2.safetensors
expect_error encoder_unknown_objective 2 "must be sleep or elbo" -- $GINV encoder train --model $TMP/inv.safetensors --objective kl -o $TMP/e2.safetensors
expect_error encoder_mismatch 4 "the encoder maps" -- $GINV encoder eval --model $TMP/ow.safetensors --encoder $TMP/enc.safetensors
check encoder_bad_input_writes_nothing test ! -e $TMP/e2.safetensors
# checkpoints and --resume (the Gaussian encoder)
for obj in sleep elbo; do
    R="$GINV encoder train --model $TMP/inv.safetensors --objective $obj --beta 0.1 --hidden 16,16 --batch 32 --lr 3e-3 --seed 4 --eval 0 -q"
    expect_ok encoder_${obj}_uninterrupted -- $R --steps 60 -o $TMP/ef_$obj.safetensors
    expect_ok encoder_${obj}_first_half -- $R --steps 30 --checkpoint-every 10 -o $TMP/eh_$obj.safetensors
    expect_ok encoder_${obj}_resumed -- $R --steps 60 --checkpoint-every 10 --resume -o $TMP/eh_$obj.safetensors
    check encoder_${obj}_resume_is_bit_identical cmp -s $TMP/ef_$obj.safetensors $TMP/eh_$obj.safetensors
done
R="$GINV encoder train --model $TMP/inv.safetensors --beta 0.1 --hidden 16,16 --batch 32 --lr 3e-3 --seed 4 --eval 0 -q"
cp $TMP/eh_sleep.safetensors $TMP/eh.before
expect_error encoder_resume_refuses_other_hidden 2 "holds an encoder gaussian 6-16-16-12 (relu), this run asks for gaussian 6-16-12 (relu)" -- $R --steps 80 --hidden 16 --resume -o $TMP/eh_sleep.safetensors
check encoder_resume_refusal_is_one_line test "$($R --steps 80 --hidden 16 --resume -o $TMP/eh_sleep.safetensors 2>&1 >/dev/null | wc -l)" -eq 1
expect_error encoder_resume_refuses_other_objective 2 "another loss" -- $R --steps 80 --objective elbo --resume -o $TMP/eh_sleep.safetensors
printf 'not a checkpoint' > $TMP/eh_sleep.safetensors.ckpt
expect_error encoder_resume_damaged_checkpoint 4 "resume:" -- $R --steps 80 --resume -o $TMP/eh_sleep.safetensors
check encoder_resume_refusals_leave_the_output cmp -s $TMP/eh.before $TMP/eh_sleep.safetensors
echo done
