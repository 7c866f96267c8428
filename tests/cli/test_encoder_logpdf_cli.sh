#!/usr/bin/env bash
# test_encoder_logpdf_cli.sh — `ginv encoder sample --logpdf`: log q(z | x) of
# each draw for a deep latent Gaussian with one stochastic layer (Theorem 1's
# encoder with one Langevin layer: q = N(F_L, 2h I)) and for an amortised
# Gaussian encoder; the mean over its own draws is minus the entropy; more
# stochastic layers and none are refused (exit 8) and write nothing.
source "$(dirname "$0")/lib.sh"

expect_ok model -- $GINV net random --layers 2,2,2 --act tanh --out-act identity --weights orthogonal --bias --bias-sd 0.1 \
    --seed 3 -o $TMP/g.safetensors
expect_ok build_t1 -- $GINV encoder build --model $TMP/g.safetensors --beta 0.1 --gd-steps 50 --gd-lr 0.2 --langevin-steps 1 \
    --h 1e-3 -o $TMP/e1.safetensors -q
printf '0.1 0.2\n-0.3 0.5\n' > $TMP/x.txt
expect_ok logpdf_t1 -- $GINV encoder sample --encoder $TMP/e1.safetensors --obs $TMP/x.txt --draws 2000 -o $TMP/z.txt \
    --logpdf $TMP/lq.txt --json $TMP/s.json -q
# d = 2, gamma^2 = 2h = 2e-3: E_q[log q] = -(d/2) log(2 pi e gamma^2) = 3.3766; sd of log q is 1, so 2000 draws: +- 0.022
check logpdf_t1_entropy /usr/bin/python3 -c "
import json, math
lq = [float(v) for v in open('$TMP/lq.txt').read().split()]
assert len(lq) == 4000, len(lq)
want = -math.log(2 * math.pi * math.e * 2e-3)
for r in json.load(open('$TMP/s.json'))['per_x']:
    assert abs(r['logpdf_mean'] - want) < 0.09, (r['logpdf_mean'], want)
assert abs(sum(lq[:2000]) / 2000 - json.load(open('$TMP/s.json'))['per_x'][0]['logpdf_mean']) < 1e-4"
# each value: the Gaussian density of the draw around the draws' mean (the mean is F_L, the same for every draw of an x)
check logpdf_t1_closed_form /usr/bin/python3 -c "
import math
z = [float(v) for v in open('$TMP/z.txt').read().split()]; lq = [float(v) for v in open('$TMP/lq.txt').read().split()]
z = [z[2 * i:2 * i + 2] for i in range(4000)]
m = [sum(p[j] for p in z[:2000]) / 2000 for j in range(2)]
g2 = 2e-3
worst = max(abs(lq[i] - (-sum((z[i][j] - m[j]) ** 2 for j in range(2)) / (2 * g2) - math.log(2 * math.pi * g2))) for i in range(2000))
assert worst < 0.05, worst"
expect_ok gaussian_encoder -- $GINV encoder train --model $TMP/g.safetensors --beta 0.1 --hidden 8 --steps 50 --eval 0 -o $TMP/a.safetensors -q
expect_ok logpdf_gaussian -- $GINV encoder sample --encoder $TMP/a.safetensors --obs $TMP/x.txt --draws 2000 --logpdf $TMP/lqa.txt \
    --json $TMP/sa.json -q
# minus the entropy of N(mu, diag sd^2): -sum_j log(sd_j sqrt(2 pi e)), sd from the draws
check logpdf_gaussian_entropy /usr/bin/python3 -c "
import json, math
d = json.load(open('$TMP/sa.json'))
assert d['encoder_kind'] == 'gaussian'
for r in d['per_x']:
    want = -sum(math.log(s * math.sqrt(2 * math.pi * math.e)) for s in r['sd'])
    assert abs(r['logpdf_mean'] - want) < 0.1, (r, want)"
expect_ok build_t3 -- $GINV encoder build --model $TMP/g.safetensors --beta 0.1 --gd-steps 5 --gd-lr 0.2 --langevin-steps 3 \
    --h 1e-3 -o $TMP/e3.safetensors -q
expect_error logpdf_intractable 8 "intractable: 3 stochastic layers" -- $GINV encoder sample --encoder $TMP/e3.safetensors --obs $TMP/x.txt \
    --logpdf $TMP/lq3.txt -o $TMP/z3.txt
check logpdf_refusal_writes_nothing test ! -e $TMP/lq3.txt -a ! -e $TMP/z3.txt
expect_ok build_t0 -- $GINV encoder build --model $TMP/g.safetensors --beta 0.1 --gd-steps 5 --gd-lr 0.2 --langevin-steps 0 \
    -o $TMP/e0.safetensors -q
expect_error logpdf_point_mass 8 "point mass" -- $GINV encoder sample --encoder $TMP/e0.safetensors --obs $TMP/x.txt --logpdf $TMP/lq0.txt
# without --logpdf the same encoders still sample
expect_ok sample_t3 -- $GINV encoder sample --encoder $TMP/e3.safetensors --obs $TMP/x.txt --draws 10 -o $TMP/z3.txt -q
echo done
