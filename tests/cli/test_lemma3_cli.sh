#!/usr/bin/env bash
# test_lemma3_cli.sh — `ginv info MODEL --lemma3`: Pareek & Risteski's Lemma 3
# (beta_0, rad(D)) and Lemma 12 from certified constants (orthogonal
# smooth_leaky nets) or sampled ones (softplus: m estimated), and bad input.
source "$(dirname "$0")/lib.sh"

expect_ok model -- $GINV net random --layers 10,10,10 --act smooth_leaky --alpha 0.5 --out-act identity --weights orthogonal \
    --bias --bias-sd 0.1 --seed 3 -o $TMP/g10.safetensors
expect_ok lemma3_text -- $GINV info $TMP/g10.safetensors --lemma3 --beta 0.1
# d = 10, the docs table's row: beta_0 0.00308, rad(D) 0.533 at beta_0 and 17.3 at 0.1, Lemma 12 0.0333
check lemma3_certified_json /usr/bin/python3 -c "
import json, subprocess
j = json.loads(subprocess.run(['$GINV', 'info', '$TMP/g10.safetensors', '--lemma3', '--beta', '0.1', '--json', '-'],
               capture_output=True, check=True).stdout)['lemma3']
c = j['constants']
assert all(c[k]['source'] == 'certified' for k in ('m', 'M', 'M2', 'M3')), c
assert abs(c['m']['value'] - 0.5) < 1e-5 and abs(c['M2']['value'] - 0.125) < 1e-5, c
assert abs(j['beta0'] - 0.003085) < 1e-6 and abs(j['rad_at_beta0'] - 0.5333) < 1e-3, j
assert abs(j['rad_at_beta'] - 17.29) < 0.01 and abs(j['lemma12_bound'] - 0.03333) < 1e-4 and j['in_regime'] is False, j
assert j['d'] == 10 and abs(j['x_norm'] - 10 ** 0.5) < 1e-12 and j['eps'] == 0.1, j"
# inside the regime with a small beta; --x-norm and --eps are used
check lemma3_in_regime bash -c "$GINV info $TMP/g10.safetensors --lemma3 --beta 1e-3 --x-norm 0 --eps 0.01 --json - | jq -e \
    '.lemma3.in_regime == true and .lemma3.x_norm == 0 and .lemma3.A == 20 and .lemma3.eps == 0.01' >/dev/null"
check lemma3_no_beta bash -c "$GINV info $TMP/g10.safetensors --lemma3 --json - | jq -e '.lemma3.beta == null and .lemma3.in_regime == null' >/dev/null"
# softplus: m is not certified (slope not bounded below): estimated, and said so
expect_ok softplus_model -- $GINV net random --layers 2,2,2 --act softplus --out-act identity --weights orthogonal --bias \
    --bias-sd 0.1 --seed 3 -o $TMP/sp.safetensors
check lemma3_estimate bash -c "$GINV info $TMP/sp.safetensors --lemma3 --jacobian 300 --json - | jq -e \
    '.lemma3.constants.m.source == \"estimate\" and .lemma3.constants.M2.source == \"certified\" and .jacobian.m == .lemma3.constants.m.value' >/dev/null"
check lemma3_estimate_said bash -c "$GINV info $TMP/sp.safetensors --lemma3 | grep -q 'm    0.02.*estimate'"
# a ReLU net: sampled m can be 0, where Lemma 3 is undefined
expect_ok relu_model -- $GINV net random --layers 3,3,3 --act relu --weights orthogonal --seed 1 -o $TMP/relu.safetensors
expect_error lemma3_zero_m 6 "Assumption 1 fails" -- $GINV info $TMP/relu.safetensors --lemma3
# a G with n != k: computed with d = k, estimated constants, and a note
expect_ok expanding_model -- $GINV net random --layers 3,5 --act tanh -o $TMP/wide.safetensors
check lemma3_expanding_note bash -c "$GINV info $TMP/wide.safetensors --lemma3 --json - | jq -e \
    '.lemma3.d == 3 and (.lemma3.note | test(\"d_l = d_o\")) and .lemma3.constants.M.source == \"estimate\"' >/dev/null"
expect_error lemma3_options_alone 2 "go with --lemma3" -- $GINV info $TMP/g10.safetensors --beta 0.1
expect_error lemma3_eps_range 2 "out of range" -- $GINV info $TMP/g10.safetensors --lemma3 --eps 1
expect_error lemma3_beta_range 2 "out of range" -- $GINV info $TMP/g10.safetensors --lemma3 --beta 0
echo done
