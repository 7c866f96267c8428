#!/usr/bin/env bash
# test_cs_cli.sh — `ginv cs` with the shipped Fashion-MNIST VAE: the reduced
# CSGM-vs-Lasso claim (6 test images, m = 50: measured 3.9x, asserted >= 2x),
# outputs, JSON, the in-range variant, and bad input.
source "$(dirname "$0")/lib.sh"
VAE=models/fmnist-vae-k20.safetensors
common=(--model "$VAE" --m 50 --restarts 3 --iters 300 --seed 1 -q)

expect_ok cs_runs_every_method -- $GINV cs "${common[@]}" --data "fashion-mnist:test[0:6]" \
    --method csgm,lasso-pixel,lasso-dct,lasso-wavelet,lasso-db4 --out "$TMP/cs" --json "$TMP/cs.json"
check cs_csgm_beats_every_lasso_by_2x_at_m50 bash -c "jq -e '.summary as \$s |
    [\$s[\"lasso-pixel\"].mse_mean, \$s[\"lasso-dct\"].mse_mean, \$s[\"lasso-wavelet\"].mse_mean,
     \$s[\"lasso-db4\"].mse_mean] | min >= 2 * \$s.csgm.mse_mean' '$TMP/cs.json' >/dev/null"
check cs_json_has_every_image bash -c "jq -e '(.images | length == 6) and
    ([.images[].csgm.mse] | all(. > 0)) and .params.m == 50' '$TMP/cs.json' >/dev/null"
# 6 images x 7 rows of 28 x 28 with 2-pixel gaps at the default --png-scale 3,
# and the row labels, column labels and title around them
check cs_writes_a_png_grid bash -c "file '$TMP/cs/grid.png' | awk -F'[ ,]+' '/PNG image data/ {
    for (i = 1; i < NF; i++) if (\$i == \"x\") { w = \$(i - 1); h = \$(i + 1) }
    exit !(w > (6 * 28 + 7 * 2) * 3 && h > (7 * 28 + 8 * 2) * 3) }'"
check cs_writes_reconstructions bash -c "test -s '$TMP/cs/csgm.npy' && test -s '$TMP/cs/lasso-dct.npy' && test -s '$TMP/cs/truth.npy' && test -s '$TMP/cs/y.npy'"

# threads never change the numbers
for t in 1 2; do
    $GINV cs --model "$VAE" --data "fashion-mnist:test[0:3]" --m 60 --restarts 2 --iters 60 \
        --method csgm,lasso-dct --lasso-lambda 30 --threads $t -q --json "$TMP/th$t.json" >/dev/null
done
check cs_same_numbers_with_1_and_2_threads bash -c "diff <(jq -c '.images' '$TMP/th1.json') <(jq -c '.images' '$TMP/th2.json') >/dev/null"

# in range (x = G(z*)): only optimisation and noise error remain
expect_ok cs_in_range -- $GINV cs "${common[@]}" --in-range 6 --method csgm --json "$TMP/ir.json"
check cs_in_range_error_is_small bash -c "jq -e '.summary.csgm.mse_mean < 0.01' '$TMP/ir.json' >/dev/null"

# every operator runs (a view of each is drawn)
for op in subsample inpaint-box downsample:4 identity; do
    expect_ok "cs_op_$op" -- $GINV cs "${common[@]}" --data "fashion-mnist:test[0:2]" --op "$op" \
        --m 200 --iters 50 --method csgm,lasso-dct --lasso-lambda 0.01 --out "$TMP/op"
done

# a sweep over cs: unit t is image t of `ginv cs` (same A, noise and starts)
cat > "$TMP/spec.json" <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 100, "restarts": 2, "lasso-lambda": 30, "m": 50},
 "grid": {"method": ["csgm", "lasso-dct"]}, "trials": 3, "seed": 1, "seeds": "shared"}
JSON
expect_ok sweep_cs_runs -- $GINV sweep "$TMP/spec.json" --db "$TMP/cs.db" -q
expect_ok cs_same_images -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:3]" --m 50 --iters 100 \
    --restarts 2 --lasso-lambda 30 --method csgm,lasso-dct --seed 1 -q --json "$TMP/cs3.json"
cs_units_match() { # each unit's MSE equals ginv cs's for the same image, up to the
    # float differences of another batch size (CSGM: 1e-5; FISTA's 500 steps: 1e-3)
    local meth t a b tol
    for meth in csgm lasso-dct; do
        tol=1e-5; [[ $meth == csgm ]] || tol=1e-3
        for t in 0 1 2; do
            a=$(sqlite3 "$TMP/cs.db" "select m.value from metrics m join units u on u.id = m.unit
                where m.name = 'mse' and u.trial = $t and u.params like '%\"method\":\"$meth\"%'")
            b=$(jq ".images[$t][\"$meth\"].mse" "$TMP/cs3.json")
            awk -v a="$a" -v b="$b" -v tol="$tol" 'BEGIN { d = a - b; if (d < 0) d = -d;
                exit !(a > 0 && d <= tol * b) }' || { echo "    $meth image $t: sweep $a, ginv cs $b"; return 1; }
        done
    done
}
check sweep_cs_units_match_ginv_cs cs_units_match

# the same with the N(0, 1/m) operator and a slice: one parameter table, so
# unit t of data [5:7] is ginv cs's image t of [5:7], and gaussian is the
# command's gaussian (the sweep once read it as gaussian-unit)
cat > "$TMP/spec2.json" <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 60, "restarts": 1, "m": 40, "op": "gaussian",
 "data": "fashion-mnist:test[5:7]"}, "grid": {"method": ["csgm"]}, "trials": 2, "seed": 3, "seeds": "shared"}
JSON
expect_ok sweep_cs_slice_runs -- $GINV sweep "$TMP/spec2.json" --db "$TMP/cs2.db" -q
expect_ok cs_slice_runs -- $GINV cs --model "$VAE" --data "fashion-mnist:test[5:7]" --m 40 --iters 60 \
    --restarts 1 --op gaussian --method csgm --seed 3 -q --json "$TMP/cs2.json"
# units_match DB JSON METHOD TOL: each of the sweep's 2 units has ginv cs's MSE
# for its image, within TOL relative (the float differences of another batch)
units_match() {
    local db=$1 json=$2 meth=$3 tol=$4 t a b
    for t in 0 1; do
        a=$(sqlite3 "$db" "select m.value from metrics m join units u on u.id = m.unit
            where m.name = 'mse' and u.trial = $t")
        b=$(jq ".images[$t][\"$meth\"].mse" "$json")
        awk -v a="$a" -v b="$b" -v tol="$tol" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= tol * b) }' ||
            { echo "    image $t: sweep $a, ginv cs $b"; return 1; }
    done
}
check sweep_cs_slice_and_gaussian_match_ginv_cs units_match "$TMP/cs2.db" "$TMP/cs2.json" csgm 1e-5
# ILO (docs/ilo.md): CSGM, then the input of layer 2 within an l1 ball; its
# sweep unit t gives ginv cs's image t
expect_ok cs_ilo_runs -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:2]" --m 50 --iters 60 --restarts 1 \
    --method csgm,ilo --layer 2 --ilo-radius 2 --ilo-iters 40 --seed 2 -q --json "$TMP/ilo.json"
check cs_ilo_json_has_both_methods bash -c "jq -e '[.images[].ilo.mse] | length == 2 and all(. > 0)' $TMP/ilo.json >/dev/null &&
    jq -e '.params.layer == \"2\" and .params.ilo_radius == \"2\" and .params.method == \"csgm,ilo\"' $TMP/ilo.json >/dev/null"
cat > "$TMP/spec3.json" <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 60, "restarts": 1, "m": 50, "data": "fashion-mnist:test[0:2]",
 "layer": 2, "ilo-radius": 2, "ilo-iters": 40}, "grid": {"method": ["ilo"]}, "trials": 2, "seed": 2, "seeds": "shared"}
JSON
expect_ok sweep_cs_ilo_runs -- $GINV sweep "$TMP/spec3.json" --db "$TMP/cs3.db" -q
check sweep_cs_ilo_units_match_ginv_cs units_match "$TMP/cs3.db" "$TMP/ilo.json" ilo 1e-4
expect_error cs_ilo_layer_out_of_range 2 "layer" -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" \
    --method ilo --layer 6 -q
# two stages (layers 2, 4; radius 2 then none) and z fixed; a sweep cell takes the lists
expect_ok cs_ilo_two_stages_runs -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:2]" --m 50 --iters 60 --restarts 1 \
    --method ilo --layer 2,4 --ilo-radius 2,inf --ilo-iters 40,20 --seed 2 -q --json "$TMP/ilo2.json"
check cs_ilo_two_stages_json bash -c "jq -e '.params.layer == \"2,4\" and .params.ilo_radius == \"2,inf\" and .params.ilo_fix_z == false and ([.images[].ilo.mse] | all(. > 0))' $TMP/ilo2.json >/dev/null"
cat > "$TMP/spec4.json" <<JSON
{"command": "cs", "fixed": {"model": "$VAE", "iters": 60, "restarts": 1, "m": 50, "data": "fashion-mnist:test[0:2]",
 "layer": "2,4", "ilo-radius": "2,inf", "ilo-iters": "40,20"}, "grid": {"method": ["ilo"]}, "trials": 2, "seed": 2, "seeds": "shared"}
JSON
expect_ok sweep_cs_ilo_two_stages_runs -- $GINV sweep "$TMP/spec4.json" --db "$TMP/cs4.db" -q
check sweep_cs_ilo_two_stages_match_ginv_cs units_match "$TMP/cs4.db" "$TMP/ilo2.json" ilo 1e-4
expect_ok cs_ilo_fix_z_runs -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" --m 50 --iters 20 --restarts 1 \
    --method ilo --layer 2 --ilo-iters 10 --ilo-fix-z --seed 2 -q --json "$TMP/ilo3.json"
check cs_ilo_fix_z_in_json bash -c "jq -e '.params.ilo_fix_z == true' $TMP/ilo3.json >/dev/null"
expect_error cs_ilo_layers_must_increase 2 "--layer: '4,2' must be layers" -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" \
    --method ilo --layer 4,2 -q
expect_error cs_ilo_radius_list_length 2 "one value or one per layer" -- $GINV cs --model "$VAE" \
    --data "fashion-mnist:test[0:1]" --method ilo --layer 2,4 --ilo-radius 1,2,3 -q
expect_error cs_ilo_negative_radius 2 "--ilo-radius: '-1'" -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" \
    --method ilo --layer 2 --ilo-radius -1 -q
expect_error cs_ilo_layer_at_the_output 2 "layer" -- $GINV cs --model "$VAE" --data "fashion-mnist:test[0:1]" \
    --method ilo --layer 2,6 --iters 5 -q
check cs_json_params_come_from_the_table bash -c "jq -e '.params.op == \"gaussian\" and .params.m == 40 and
    .params.lasso_iters == 500 and .params.method == \"csgm\" and (.params | has(\"lasso_lambda\") | not)' '$TMP/cs2.json' >/dev/null"

# the main job, reduced: its table and images
expect_ok demo_runs -- $GINV demo --images 3 --restarts 2 --iters 100 --out "$TMP/demo" --json "$TMP/demo.json" -q
check demo_writes_three_grids_and_the_plot bash -c "for f in grid_m25 grid_m100 grid_m400 mse_vs_m; do
    file '$TMP/demo/'\$f.png | grep -q 'PNG image data' || exit 1; done"
check demo_json_has_a_row_per_m bash -c "jq -e '[.rows[].m] == [25, 100, 400] and
    ([.rows[].csgm.mse_mean] | all(. > 0 and . < 1))' '$TMP/demo.json' >/dev/null"

# bad input: clear errors, no output
echo "P2 3 3 255 0 0 0 0 0 0 0 0 0" > "$TMP/small.pgm"
expect_error cs_refuses_images_of_another_size 4 "784 pixels" -- \
    $GINV cs "${common[@]}" --data "$TMP/small.pgm" --method csgm
expect_error cs_refuses_an_unknown_method 2 "unknown method 'lasso-foo'" -- \
    $GINV cs "${common[@]}" --method csgm,lasso-foo
expect_error cs_needs_a_model_for_csgm 2 "--model is required" -- $GINV cs --method csgm -q
expect_error cs_refuses_an_unknown_operator 2 "--op" -- $GINV cs "${common[@]}" --op blur --method csgm
expect_error cs_refuses_nan_noise 2 "noise" -- $GINV cs "${common[@]}" --noise nan --method csgm
expect_error cs_refuses_a_slice_past_the_end 2 "10000" -- \
    $GINV cs "${common[@]}" --data "fashion-mnist:test[9990:10010]" --method csgm
echo '{"not": "a model"}' > "$TMP/bad.safetensors"
expect_error cs_refuses_a_broken_model 4 "--model" -- \
    $GINV cs --model "$TMP/bad.safetensors" --method csgm -q
echo done
