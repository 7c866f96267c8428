#!/usr/bin/env bash
# Command-line behaviour of wdc and rric (Hand & Voroninski Defs. 2 and 3):
# tables, JSON fields, determinism, and bad input.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

check help_names_wdc_and_rric bash -c "$GINV --help | grep -q wdc && $GINV --help | grep -q rric"
check wdc_help_documents_pairs grep -q -- '--pairs P' <($GINV wdc --help)
check rric_help_documents_op grep -q -- '--op SPEC' <($GINV rric --help)

M=$TMP/g.safetensors
expect_ok net_random_writes_model -- $GINV net random --layers 5,60,240 --seed 3 -o $M

# wdc: one row per dense layer, JSON fields
check wdc_table_has_one_row_per_dense_layer test "$($GINV wdc --model $M --pairs 40 --ascent-steps 10 | grep -cE '^ +[12] ')" = 2
expect_ok wdc_writes_json -- $GINV wdc --model $M --pairs 40 --ascent-steps 10 --range --seed 2 --json $TMP/w.json -q
for key in n_i n_prev ratio n_var rate eps eps_sampled mean worst_angle range domain; do
    check "wdc_json_has_$key" grep -q "\"$key\"" $TMP/w.json
done
$GINV wdc --model $M --pairs 40 --ascent-steps 10 --range --seed 2 --json $TMP/w2.json -q
check wdc_same_seed_same_json cmp -s $TMP/w.json $TMP/w2.json
$GINV wdc --model $M --layer 2 --pairs 40 --ascent-steps 10 --json $TMP/w3.json -q
check wdc_layer_selects_one_layer bash -c "test \$(grep -c '\"n_i\"' $TMP/w3.json) = 1 && grep -q '\"n_i\":	240' $TMP/w3.json"
check wdc_without_range_has_no_range_result bash -c "! grep -q '\"range\"' $TMP/w3.json"

# rric: JSON fields; exactly 0 for the identity operator
expect_ok rric_writes_json -- $GINV rric --model $M --op gaussian --m 30 --pairs 60 --ascent-steps 5 --json $TMP/r.json -q
for key in eps eps_sampled mean worst_dist12 worst_dist34 rate m depth; do
    check "rric_json_has_$key" grep -q "\"$key\"" $TMP/r.json
done
$GINV rric --model $M --op identity --pairs 60 --ascent-steps 5 --json $TMP/ri.json -q
check rric_identity_is_exactly_zero grep -q '"eps":	0,' $TMP/ri.json

# bad input: one clear line, non-zero exit
expect_error wdc_missing_model 5 "cannot open" -- $GINV wdc --model $TMP/nope.safetensors
expect_error wdc_needs_model 2 "--model FILE is required" -- $GINV wdc --pairs 10
expect_error wdc_layer_out_of_range 2 "--layer 3 is out of range" -- $GINV wdc --model $M --layer 3
expect_error wdc_layer_zero 2 "--layer" -- $GINV wdc --model $M --layer 0
expect_error wdc_zero_pairs 2 "--pairs" -- $GINV wdc --model $M --pairs 0
expect_error rric_missing_model 5 "cannot open" -- $GINV rric --model $TMP/nope.safetensors --m 10
expect_error rric_zero_pairs 2 "--pairs" -- $GINV rric --model $M --m 10 --pairs 0
expect_error rric_gaussian_needs_m 2 "needs --m" -- $GINV rric --model $M --op gaussian
expect_error rric_unknown_operator 2 "unknown operator" -- $GINV rric --model $M --op fourier
echo done
