#!/usr/bin/env bash
# test_nonlinear_cli.sh — the nonlinear operators of issue #17 through the
# command line: recover with phaseless-gaussian finds z0 up to sign at a
# generous m (with gd, signflip and adam), onebit-gaussian finds its
# direction (both losses), phaseless-fourier recovers z0 (and G(z0) up to its
# sign, shift and flip), the output and JSON name the metric, a --y the
# link cannot make is refused by one line, and so is a bad spec.
source "$(dirname "$0")/lib.sh"
M=$TMP/g.safetensors
$GINV net random --layers 10,100,500 --seed 3 -o "$M" >/dev/null

# JSON summary of recover (3 trials) must satisfy the jq condition
recover_json() { # NAME CONDITION OP [more options]
    local name=$1 cond=$2 op=$3
    shift 3
    local out
    out=$($GINV recover --model "$M" --op "$op" --iters 1000 --trials 3 --seed 1 --json - -q "$@" 2>&1)
    if jq -e "$cond" <<<"$out" >/dev/null 2>&1; then ok "$name"; else
        fail "$name" "$(jq -c '.summary' <<<"$out" 2>/dev/null || echo "$out")"; fi
}
PR='.summary.success_rate == 1 and .summary.median_rel_error < 1e-4 and .summary.error_metric == "relative-up-to-sign"'
recover_json phaseless_gd_recovers_up_to_sign "$PR" phaseless-gaussian --m 200
recover_json phaseless_signflip_recovers_up_to_sign "$PR" phaseless-gaussian --m 200 --algo signflip --restarts 2
recover_json phaseless_adam_recovers_up_to_sign "$PR" phaseless-gaussian --m 200 --algo adam
# too few magnitudes: not every trial (the test would pass a metric that ignores the data otherwise)
recover_json phaseless_fails_at_tiny_m '.summary.success_rate < 1' phaseless-gaussian --m 8
# phaseless-fourier (y = |F x| of the image padded twice): 500 = 5 x 10 x 10, m = 5 x 20 x 20
PF='.summary.success_rate == 1 and .summary.median_rel_error < 1e-4 and .params.m == 2000 and .summary.error_metric == "relative-up-to-sign" and .summary.signal_error_metric == "relative-up-to-sign-shift-flip" and ([.trials[].signal_rel_error] | max) < 1e-4'
recover_json phaseless_fourier_recovers_up_to_sign "$PF" phaseless-fourier --image 5x10x10
recover_json phaseless_fourier_k3_has_k2_hw_magnitudes '.params.m == 4500' phaseless-fourier:3 --image 5x10x10 --iters 5
# 3 iterations do not reach z0: the metric measures the fit, it is not 0 by construction
recover_json phaseless_fourier_unconverged_is_no_success '.summary.success_rate == 0' phaseless-fourier --image 5x10x10 --iters 3
expect_ok phaseless_fourier_square_n_runs -- $GINV recover --layers 4,64,64 --op phaseless-fourier --iters 20 -q
OB='.summary.error_metric == "direction" and ([.trials[].rel_error] | max) < 0.25 and ([.trials[].rel_error] | min) > 1e-4'
recover_json onebit_onesided_recovers_the_direction "$OB" onebit-gaussian --m 500 --algo adam
recover_json onebit_corr_recovers_the_direction_roughly '.summary.error_metric == "direction" and ([.trials[].rel_error] | max) < 0.6' onebit-gaussian:corr --m 500 --algo adam
recover_json linear_metric_is_named '.summary.error_metric == "relative"' gaussian --m 60

# the table says which metric it printed
out=$($GINV recover --model "$M" --op phaseless-gaussian --m 100 --iters 10 2>&1)
check phaseless_table_names_the_metric grep -q "rel_error up to sign" <<<"$out"
out=$($GINV recover --model "$M" --op phaseless-fourier --image 5x10x10 --iters 10 2>&1)
check phaseless_fourier_table_names_the_metric grep -q "up to sign, circular shift and flip" <<<"$out"
out=$($GINV recover --model "$M" --op onebit-gaussian --m 100 --iters 10 2>&1)
check onebit_table_names_the_metric grep -q "rel_error of the directions" <<<"$out"

# bad input: one line naming the problem
printf '0.5\n-0.25\n1\n' >"$TMP/neg.txt"
printf '1\n0.5\n-1\n' >"$TMP/half.txt"
printf '1\n-1\n-1\n' >"$TMP/signs.txt"
expect_error phaseless_negative_y 2 "is negative" -- $GINV recover --model "$M" --op phaseless-gaussian --y "$TMP/neg.txt"
expect_error onebit_y_not_a_sign 2 "is not -1 or +1" -- $GINV recover --model "$M" --op onebit-gaussian --y "$TMP/half.txt"
expect_ok onebit_sign_y_is_taken -- $GINV recover --model "$M" --op onebit-gaussian --y "$TMP/signs.txt" --iters 5 -q
expect_error phaseless_needs_m 2 "--m" -- $GINV recover --model "$M" --op phaseless-gaussian
expect_error phaseless_fourier_bad_oversample 2 "integer from 1 to 16" -- $GINV recover --model "$M" --op phaseless-fourier:0 --image 5x10x10
expect_error phaseless_fourier_fractional_oversample 2 "integer from 1 to 16" -- $GINV recover --model "$M" --op phaseless-fourier:1.5 --image 5x10x10
expect_error phaseless_fourier_needs_an_image 2 "needs an image shape" -- $GINV recover --model "$M" --op phaseless-fourier
expect_error onebit_unknown_loss 2 "onebit-gaussian:onesided or onebit-gaussian:corr" -- $GINV recover --model "$M" --op onebit-gaussian:hinge --m 50
echo done
