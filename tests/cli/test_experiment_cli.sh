#!/usr/bin/env bash
# Command-line behaviour of `ginv experiment recovery`: a tiny sweep writes
# its table, JSON and figures; bad grids are refused.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

expect_ok tiny_sweep_runs -- $GINV experiment recovery --k 4,6 --widths '100,400' --m 8,40 --algos gd,signflip --noise 0,0.05 --trials 3 --iters 400 --out $TMP/exp -q
check sweep_writes_table test -s $TMP/exp/table.md
check sweep_writes_heat_map test "$(head -c 4 $TMP/exp/phase_d2_100-400.png | tail -c 3)" = PNG
check sweep_writes_noise_plot test "$(head -c 4 $TMP/exp/error_vs_noise.png | tail -c 3)" = PNG
check sweep_json_has_16_cells test "$(grep -c '"success_rate"' $TMP/exp/results.json)" = 16
# at m = 40 >> k every trial succeeds (observed 3/3 for both k), so m* = 40
check enough_measurements_succeed grep -q '| 100-400 | 2 | 4 | signflip | 40 |' $TMP/exp/table.md
# a cell is `ginv recover` with the same parameters (both through ginv_recover_setup)
expect_ok cell_run -- $GINV experiment recovery --k 4 --widths 30 --m 12 --algos gd --noise 0.05 --trials 3 --iters 200 --seed 5 --out $TMP/cell -q
check cell_is_recover_run python3 -c "
import json, subprocess
cell = json.load(open('$TMP/cell/results.json'))['cells'][0]
rec = json.loads(subprocess.run(['$GINV', 'recover', '--layers', '4,30', '--m', '12', '--algo', 'gd', '--lr', '1', '--noise', '0.05',
                                 '--trials', '3', '--iters', '200', '--seed', '5', '--json', '-', '-q'], capture_output=True, text=True).stdout)
assert cell['median_rel_error'] == rec['summary']['median_rel_error'], (cell, rec['summary'])
assert cell['success_rate'] == rec['summary']['success_rate']"
expect_error unknown_algo 2 "unknown solver 'lbfgs'" -- $GINV experiment recovery --algos lbfgs --out $TMP/x
expect_error bad_m_grid 2 "--m" -- $GINV experiment recovery --m 10,-3 --out $TMP/x
expect_error needs_out 2 "--out DIR is required" -- $GINV experiment recovery
# --generators: ILO and SGILO tuned per m on held-out images (Daras et al. 2022's protocol)
expect_ok experiment_cs_generators_run -- $GINV experiment cs --model models/fmnist-vae-k20-sgilo.safetensors \
    --images 2 --m 50 --lambdas 0.1 --lasso lasso-dct --generators ilo,sgilo --restarts 1 --iters 20 \
    --out "$TMP/exg" --json "$TMP/exg.json" -q
check experiment_cs_generators_record_their_tuned_settings bash -c \
    "jq -e '[.cells[] | select(.method == \"sgilo\")] | length == 1 and (.[0].sgilo_prior_weight | IN(0.1, 1)) and
            (.[0].ilo_radius | IN(1, 4, 16, \"inf\"))' $TMP/exg.json >/dev/null && grep -q 'SGILO (tuned)' $TMP/exg/table.md"
expect_error experiment_cs_unknown_generator 2 "--generators" -- $GINV experiment cs --model models/fmnist-vae-k20.safetensors \
    --generators gan --out "$TMP/exx" -q
echo done
