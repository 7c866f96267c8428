#!/usr/bin/env bash
# Command-line behaviour of Theorem 1's constructed encoder (docs/encoders.md):
# `ginv encoder build` writes a deep latent Gaussian whose parameter count
# N' = (S + T)(N + N_W + 6 A + 5) is reported in its JSON and is exactly
# what the file stores; `ginv encoder sample` draws from it, reproducibly
# per seed; bad input (beta <= 0, kinked activations, an encoder over the
# size limit, files of the wrong kind, x of the wrong size) gets one line,
# its exit status, and leaves an existing output alone.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

check encoder_help_lists_build grep -q 'encoder build' <($GINV encoder --help)
expect_ok smooth_model -- $GINV net random --layers 3,6,3 --act softplus --out-act identity --weights orthogonal --bias --bias-sd 0.1 --seed 3 -o $TMP/g.safetensors
expect_ok build -- $GINV encoder build --model $TMP/g.safetensors --beta 0.1 --gd-steps 30 --gd-lr 0.2 --langevin-steps 40 --h 1e-3 \
    -o $TMP/e.safetensors --json $TMP/e.json -q
# G: 3 -> 6 (softplus) -> 3 with biases: N = 18 + 6 + 18 + 3 = 45, N_W = 36, A = 1 (the identity is no node)
check build_json_counts_parameters /usr/bin/python3 -c "
import json; d = json.load(open('$TMP/e.json'))
N, NW, A, L = 45, 36, 1, 70
assert d['generator_parameters'] == N and d['generator_weights'] == NW and d['generator_activations'] == A, d
assert d['parameters_per_layer'] == N + NW + 6 * A + 5 and d['parameters'] == L * (N + NW + 6 * A + 5), d
assert d['layers'] == L and d['theorem_setting'] is True and abs(d['ratio_to_N_times_layers'] - d['parameters'] / (N * L)) < 1e-12, d"
check build_file_stores_exactly_the_parameters /usr/bin/python3 -c "
import json, struct; b = open('$TMP/e.safetensors', 'rb').read(); n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n]); meta = h.pop('__metadata__')
assert json.loads(meta['ginv.dlg'])['format'] == 'ginv-dlg' and 'ginv.dlg.record' in meta
total = sum(t['shape'][0] for t in h.values()); assert total == json.load(open('$TMP/e.json'))['parameters'], total"
printf '0.3 -0.5 0.2\n-0.1 0.4 0.0\n' > $TMP/x.txt
expect_ok sample -- $GINV encoder sample --encoder $TMP/e.safetensors --obs $TMP/x.txt --draws 50 --seed 5 -o $TMP/z1.npy --json $TMP/z.json -q
expect_ok sample_again -- $GINV encoder sample --encoder $TMP/e.safetensors --obs $TMP/x.txt --draws 50 --seed 5 -o $TMP/z2.npy -q
expect_ok sample_other_seed -- $GINV encoder sample --encoder $TMP/e.safetensors --obs $TMP/x.txt --draws 50 --seed 6 -o $TMP/z3.npy -q
check sample_shapes_and_seeds /usr/bin/python3 -c "
import json, numpy as np; a, b, c = (np.load('$TMP/z%d.npy' % i) for i in (1, 2, 3))
assert a.shape == (100, 3) and np.array_equal(a, b) and not np.allclose(a, c), a.shape
d = json.load(open('$TMP/z.json'))['per_x']; assert len(d) == 2
assert np.allclose(d[0]['mean'], a[:50].mean(0), atol=1e-6) and np.allclose(d[1]['sd'], a[50:].std(0, ddof=1), atol=1e-6)"
expect_ok relu_model -- $GINV net random --layers 3,4,2 --act leaky_relu --seed 3 -o $TMP/r.safetensors
# distances to a MALA reference: the built encoder (long enough to mix) beats its own GD-only prefix
expect_ok build_mixing -- $GINV encoder build --model $TMP/g.safetensors --beta 0.1 --gd-steps 30 --gd-lr 0.2 --langevin-steps 400 --h 2e-3 -o $TMP/em.safetensors -q
expect_ok distance_dlg -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/em.safetensors --beta 0.1 --n 2 --draws 400 \
    --ref-steps 400 --json $TMP/d.json -q
expect_ok build_gd_only -- $GINV encoder build --model $TMP/g.safetensors --beta 0.1 --gd-steps 30 --gd-lr 0.2 --langevin-steps 0 -o $TMP/e0.safetensors -q
expect_ok distance_gd_only -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/e0.safetensors --beta 0.1 --n 2 --draws 400 \
    --ref-steps 400 --json $TMP/d0.json -q
expect_ok gaussian_encoder -- $GINV encoder train --model $TMP/g.safetensors --beta 0.1 --hidden 8 --steps 20 --eval 0 -o $TMP/a.safetensors -q
expect_ok distance_gaussian -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/a.safetensors --beta 0.1 --n 1 --draws 100 \
    --ref-steps 100 --json $TMP/da.json -q
check distance_json /usr/bin/python3 -c "
import json; d, d0, a = (json.load(open('$TMP/%s.json' % f)) for f in ('d', 'd0', 'da'))
assert d['encoder_kind'] == 'dlg' and a['encoder_kind'] == 'gaussian' and len(d['per_x']) == 2, d
m, m0 = d['mean'], d0['mean']
assert m0['cov_err'] > 0.99 and m['cov_err'] < 0.5 and m['w1'] < m0['w1'], (m, m0)
assert 0.3 < m['ref_accept'] < 0.9 and m['w1_floor'] > 0, m"
# the certified smooth nets: smooth_leaky a = 0.5 between orthogonal square layers: sigma(J) in (0.5, 1),
# M2 <= (1 - a)/4, M3 <= (1 - a)/(6 sqrt 3); the construction takes them; ONNX export refuses them
expect_ok smooth_leaky_model -- $GINV net random --layers 4,4,4 --act smooth_leaky --alpha 0.5 --out-act identity --weights orthogonal \
    --bias --bias-sd 0.1 --seed 3 -o $TMP/sl.safetensors
check smooth_leaky_certified bash -c "$GINV info $TMP/sl.safetensors --jacobian 200 --smoothness 100 --json - | jq -e \
    '.jacobian.m >= 0.5 - 1e-5 and .jacobian.M <= 1 + 1e-5 and .smoothness.M2 > 0.01 and .smoothness.M2 <= 0.125 * 1.01 and .smoothness.M3 <= 0.0482 * 1.05' >/dev/null"
expect_ok smooth_leaky_build -- $GINV encoder build --model $TMP/sl.safetensors --beta 0.1 --gd-steps 5 --gd-lr 0.5 --langevin-steps 5 --h 1e-3 -o $TMP/esl.safetensors -q
expect_error smooth_leaky_export 8 "smooth_leaky has no ONNX operator" -- $GINV export $TMP/sl.safetensors -o $TMP/sl.onnx
expect_error smooth_leaky_zero_slope 2 "must be in (0, 1)" -- $GINV net random --layers 4,4 --act smooth_leaky --alpha 0 -o $TMP/bad.safetensors
# the distances' new columns; given draws (another sampler's) instead of an encoder; observations from images
check distance_json_mmd_tv /usr/bin/python3 -c "
import json; m = json.load(open('$TMP/d.json'))['mean']; m0 = json.load(open('$TMP/d0.json'))['mean']
assert m['tv'] is None and m['mmd_bandwidth'] > 0 and m0['mmd2'] > m['mmd2'] and m0['mmd2'] > 5 * m0['mmd2_se'], (m, m0)"
expect_ok distance_given_draws -- $GINV encoder distance --model $TMP/g.safetensors --draws-file $TMP/z1.npy --beta 0.1 --n 2 \
    --ref-steps 100 --json $TMP/dz.json -q
check distance_given_draws_json /usr/bin/python3 -c "
import json; d = json.load(open('$TMP/dz.json')); assert d['encoder_kind'] == 'draws' and len(d['per_x']) == 2, d"
printf 'P2\n3 1\n255\n10 200 30\n' > $TMP/x3.pgm
printf 'P2\n2 2\n255\n10 200 30 4\n' > $TMP/x4.pgm
expect_ok distance_data -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/em.safetensors --beta 0.1 --data $TMP/x3.pgm \
    --draws 100 --ref-steps 100 --json $TMP/dd.json -q
check distance_data_json /usr/bin/python3 -c "
import json; d = json.load(open('$TMP/dd.json')); assert len(d['per_x']) == 1 and d['params']['data'].endswith('x3.pgm'), d"
expect_error distance_data_wrong_size 4 "images of 2 x 2" -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/em.safetensors --data $TMP/x4.pgm
expect_error distance_draws_wrong_count 4 "are not 3 observations" -- $GINV encoder distance --model $TMP/g.safetensors --draws-file $TMP/z1.npy --n 3
expect_error distance_encoder_and_draws 2 "one of --encoder" -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/em.safetensors --draws-file $TMP/z1.npy
printf 'nan 0 0\n' > $TMP/nan.txt; for i in $(seq 31); do echo '0 0 0' >> $TMP/nan.txt; done
expect_error distance_draws_nan 6 "not finite" -- $GINV encoder distance --model $TMP/g.safetensors --draws-file $TMP/nan.txt --n 1
expect_error distance_odd_chains 2 "must be even" -- $GINV encoder distance --model $TMP/g.safetensors --encoder $TMP/e.safetensors --ref-chains 3
expect_error distance_wrong_encoder 4 "the encoder maps" -- $GINV encoder distance --model $TMP/r.safetensors --encoder $TMP/e0.safetensors --n 1
# bad input: one line, its exit status, nothing written over
echo keep > $TMP/keep.safetensors
expect_error build_beta_zero 2 "noise level must be positive" -- $GINV encoder build --model $TMP/g.safetensors --beta 0 -o $TMP/keep.safetensors
expect_error build_beta_negative 2 "noise level must be positive" -- $GINV encoder build --model $TMP/g.safetensors --beta -0.5 -o $TMP/keep.safetensors
expect_error build_kinked_activation 8 "needs a differentiable activation" -- $GINV encoder build --model $TMP/r.safetensors -o $TMP/keep.safetensors
expect_error build_over_the_limit 7 "N' = 9200000 parameters ((S + T) = 100000 layers x 92), over the limit of 100000" -- $GINV encoder build --model $TMP/g.safetensors \
    --gd-steps 50000 --langevin-steps 50000 --max-params 1e5 -o $TMP/keep.safetensors
expect_error build_no_steps 2 "together 1 to" -- $GINV encoder build --model $TMP/g.safetensors --gd-steps 0 --langevin-steps 0 -o $TMP/keep.safetensors
expect_error build_needs_output 2 "-o FILE are required" -- $GINV encoder build --model $TMP/g.safetensors
expect_error build_missing_model 5 "cannot open" -- $GINV encoder build --model $TMP/none.safetensors -o $TMP/keep.safetensors
check build_failures_leave_the_output grep -qx keep $TMP/keep.safetensors
expect_error sample_not_a_dlg 4 "not a deep latent Gaussian encoder" -- $GINV encoder sample --encoder $TMP/g.safetensors --obs $TMP/x.txt -o $TMP/zz.npy
printf '1 2\n' > $TMP/x2.txt
expect_error sample_x_wrong_size 4 "not rows of the encoder's n = 3" -- $GINV encoder sample --encoder $TMP/e.safetensors --obs $TMP/x2.txt -o $TMP/zz.npy
expect_error sample_needs_output 2 "nothing to write" -- $GINV encoder sample --encoder $TMP/e.safetensors --obs $TMP/x.txt
# hostile encoder files: truncated, a NaN parameter, a node whose operand comes later
/usr/bin/python3 - "$TMP" <<'PY'
import json, struct, sys
tmp = sys.argv[1]; b = open(tmp + '/e.safetensors', 'rb').read(); n = struct.unpack('<Q', b[:8])[0]
head, data = json.loads(b[8:8 + n]), bytearray(b[8 + n:])
def write(path, head, data):
    h = json.dumps(head, separators=(',', ':')).encode(); open(path, 'wb').write(struct.pack('<Q', len(h)) + h + data)
open(tmp + '/trunc.safetensors', 'wb').write(b[:len(b) - 100])
nan = bytearray(data); nan[8:12] = struct.pack('<f', float('nan')); write(tmp + '/nan.safetensors', head, bytes(nan))
s = json.loads(head['__metadata__']['ginv.dlg']); s['graphs'][0]['nodes'][0]['a'] = 50
h2 = dict(head); h2['__metadata__'] = dict(head['__metadata__'], **{'ginv.dlg': json.dumps(s)}); write(tmp + '/cyc.safetensors', h2, bytes(data))
PY
expect_error sample_truncated_file 4 "" -- $GINV encoder sample --encoder $TMP/trunc.safetensors --obs $TMP/x.txt -o $TMP/zz.npy
expect_error sample_nan_parameter 4 "is not finite" -- $GINV encoder sample --encoder $TMP/nan.safetensors --obs $TMP/x.txt -o $TMP/zz.npy
expect_error sample_operand_not_earlier 4 "is not an earlier node" -- $GINV encoder sample --encoder $TMP/cyc.safetensors --obs $TMP/x.txt -o $TMP/zz.npy
check sample_failures_write_nothing test ! -e $TMP/zz.npy
echo done
