#!/usr/bin/env bash
# test_operators_cli.sh — the structured operators of issue #17 through the
# command line: recover with circulant, fourier-subsample, blur and colorize
# on small random nets (recovery where the operator is well posed), the same
# numbers with 1 and 2 threads, cs with the image operators, and every bad
# input answered by one line and its exit status.
source "$(dirname "$0")/lib.sh"
M=$TMP/g.safetensors
M784=$TMP/g784.safetensors
M768=$TMP/g768.safetensors
$GINV net random --layers 10,250,1000 --seed 3 -o "$M" >/dev/null
$GINV net random --layers 10,250,784 --seed 3 -o "$M784" >/dev/null
$GINV net random --layers 10,250,768 --seed 3 -o "$M768" >/dev/null

# recover: every trial succeeds and the median error is tiny
recovers() { # NAME MODEL OP [more options]: 3 trials, all recovered
    local name=$1 model=$2 op=$3
    shift 3
    local out
    out=$($GINV recover --model "$model" --op "$op" --iters 1000 --trials 3 --seed 1 --json - -q "$@" 2>&1)
    if jq -e '.summary.success_rate == 1 and .summary.median_rel_error < 1e-4' <<<"$out" >/dev/null 2>&1; then
        ok "$name"
    else
        fail "$name" "$(jq -c '.summary' <<<"$out" 2>/dev/null || echo "$out")"
    fi
}
recovers recover_circulant_200_of_1000 "$M" circulant:200
recovers recover_circulant_with_m "$M" circulant --m 150
recovers recover_fourier_radial "$M784" fourier-subsample:radial:6
recovers recover_fourier_cartesian "$M784" fourier-subsample:cartesian:4 --image 1x28x28
recovers recover_fourier_random "$M784" fourier-subsample:random:60
recovers recover_colorize "$M768" colorize
check recover_circulant_json_names_m bash -c "$GINV recover --model $M --op circulant:120 --iters 5 --json - -q | jq -e '.params.m == 120 and .params.op == \"circulant:120\"' >/dev/null"
expect_ok recover_blur_runs -- $GINV recover --model "$M784" --op blur:1.5,zero --iters 100 --trials 2 -q

# the operators' numbers do not depend on the thread count
for op in circulant:300 fourier-subsample:random:100 blur:1; do
    a=$($GINV recover --model "$M784" --op $op --iters 100 --restarts 3 --trials 2 --seed 4 --threads 1 --json - -q | grep -v seconds)
    b=$($GINV recover --model "$M784" --op $op --iters 100 --restarts 3 --trials 2 --seed 4 --threads 2 --json - -q | grep -v seconds)
    check "recover_${op%%:*}_same_with_1_and_2_threads" [ -n "$a" -a "$a" = "$b" ]
done

# cs takes them too (image shape from the data)
for op in circulant:200 fourier-subsample:radial:8 blur:1; do
    expect_ok "cs_op_${op%%:*}" -- $GINV cs --model models/fmnist-vae-k20.safetensors --data "fashion-mnist:test[0:2]" \
        --op "$op" --restarts 2 --iters 50 --seed 1 --method csgm,lasso-dct --lasso-lambda 0.01 -q --out "$TMP/cs_${op%%:*}"
done

# bad input: one line naming the problem
printf '1 0 1\n0 1 0\n1 0 1\n' >"$TMP/mask3.txt"
printf '1 1\n1 1\n' >"$TMP/even.txt"
printf '1 -1 0\n2 -2 0\n1 -1 0\n' >"$TMP/zerosum.txt"
expect_error circulant_needs_m 2 "circulant:M or --m" -- $GINV recover --model "$M" --op circulant
expect_error circulant_m_too_large 2 "out of range" -- $GINV recover --model "$M" --op circulant:2000
expect_error fourier_needs_image 2 "not a square" -- $GINV recover --model "$M" --op fourier-subsample:radial:4
expect_error fourier_needs_frequencies 2 "needs its frequencies" -- $GINV recover --model "$M784" --op fourier-subsample
expect_error fourier_mask_wrong_size 4 "mask is 3 x 3 but the image is 28 x 28" -- $GINV recover --model "$M784" --op "fourier-subsample:$TMP/mask3.txt"
expect_error fourier_random_out_of_range 2 "out of range" -- $GINV recover --model "$M784" --op fourier-subsample:random:785
expect_error blur_sigma_zero 2 "0 < sigma <= 64" -- $GINV recover --model "$M784" --op blur:0
expect_error blur_sigma_absurd 2 "out of range" -- $GINV recover --model "$M784" --op blur:1e9
expect_error blur_unknown_boundary 2 "unknown boundary rule 'mirror'" -- $GINV recover --model "$M784" --op blur:1,mirror
expect_error blur_kernel_even 4 "both sides must be odd" -- $GINV recover --model "$M784" --op "blur:$TMP/even.txt"
expect_error blur_kernel_sums_to_zero 2 "sums to zero" -- $GINV recover --model "$M784" --op "blur:$TMP/zerosum.txt"
expect_error blur_kernel_missing 5 "blur kernel" -- $GINV recover --model "$M784" --op "blur:$TMP/none.txt"
expect_error colorize_needs_3_channels 2 "3-channel" -- $GINV recover --model "$M784" --op colorize --image 1x28x28
expect_error colorize_needs_3_squares 2 "not 3 times a square" -- $GINV recover --model "$M784" --op colorize
echo done
