#!/usr/bin/env bash
# Command-line behaviour of `ginv net oneway`: Pareek & Risteski's Theorem 2
# instance G(z) = C(sgn z) is written only after C is checked to be a
# bijection computed exactly by the net (every vertex, d <= 20); its outputs
# are hypercube vertices; bad sizes are refused with one line.
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
echo done
