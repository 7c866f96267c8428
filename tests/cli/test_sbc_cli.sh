#!/usr/bin/env bash
# `ginv sample --sbc R`: simulation-based calibration (Talts et al. 2018) of
# a sampler from the command line: the table, the JSON (per-coordinate chi2,
# p-values, rank histograms summing to R), sbc_ranks.png and .npy in --out,
# exit 9 for a sampler that fails (ULA at a large step) unless
# --allow-warnings, and the options it refuses.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

# an injective tanh generator k = 2 -> 3, A = I, sigma 0.1 (the unit test's kind)
G=(--layers 2,3,3 --act tanh --op identity --noise 0.1 --samples 19 --burn-in 300)
O=$TMP/sbc
expect_ok sbc_nuts_passes -- $GINV sample "${G[@]}" --sampler nuts --thin 6 --sbc 200 --out $O --json $TMP/sbc.json -q
check sbc_writes_rank_png test -s $O/sbc_ranks.png
check sbc_ranks_npy_is_r_by_k grep -qa "'shape': (200, 2)" $O/sbc_ranks.npy
check sbc_json_holds_the_test python3 -c "
import json, math
d = json.load(open('$TMP/sbc.json'))['sbc']
assert d['replicates'] == 200 and d['draws'] == 19 and d['bins'] == 20 and d['df'] == 19
assert d['correction'] == 'bonferroni' and d['pass'] is True
h = d['rank_histograms']; assert len(h) == 2 and all(sum(r) == 200 for r in h)
# chi2 recomputed from the histograms; the p-value is its upper tail (monotone check)
for j in range(2):
    c2 = sum((n - 10.0) ** 2 / 10.0 for n in h[j])
    assert abs(c2 - d['chi2'][j]) < 1e-9, (c2, d['chi2'][j])
assert abs(d['min_p'] - min(d['pvalue'])) < 1e-15 and d['min_p'] > 0.005
assert all(e > 15 for e in d['ess_per_replicate'])"
out=$($GINV sample "${G[@]}" --sampler nuts --thin 6 --sbc 200 2>&1)
check sbc_prints_the_verdict grep -q 'ranks uniform (pass)' <<<"$out"

# a wrong sampler fails: exit 9 and a warning, 0 with --allow-warnings
expect_error sbc_ula_large_step_fails 9 'SBC ranks not uniform' -- $GINV sample "${G[@]}" --sampler ula --step 0.05 --thin 10 --sbc 300 -q
expect_ok sbc_allow_warnings_exits_0 -- $GINV sample "${G[@]}" --sampler ula --step 0.05 --thin 10 --sbc 300 -q --allow-warnings

# bad combinations: one line, exit 2 (8 for a nonlinear operator), nothing written
expect_error sbc_refuses_chains 2 '--sbc and --chains exclude' -- $GINV sample "${G[@]}" --sampler nuts --sbc 10 --chains 3
expect_error sbc_refuses_y 2 '--sbc and --y exclude' -- $GINV sample "${G[@]}" --sampler nuts --sbc 10 --y $TMP/none.npy
expect_error sbc_refuses_prior_none 2 'prior N(0, I)' -- $GINV sample "${G[@]}" --sampler nuts --sbc 10 --prior none
expect_error sbc_bins_must_divide 2 'does not divide the 20 possible ranks' -- $GINV sample "${G[@]}" --sampler nuts --sbc 10 --sbc-bins 7
expect_error sbc_no_default_bins 2 'no bin count' -- $GINV sample "${G[@]}" --sampler nuts --sbc 10 --samples 22
expect_error sbc_bins_need_sbc 2 '--sbc-bins needs --sbc' -- $GINV sample "${G[@]}" --sampler nuts --sbc-bins 5
expect_error sbc_refuses_nonlinear_op 8 'not linear' -- $GINV sample --layers 2,3 --op phaseless-gaussian --m 3 --noise 0.1 --sampler nuts --samples 19 --sbc 10 --out $TMP/bad
check sbc_failure_writes_nothing test ! -e $TMP/bad
echo done
