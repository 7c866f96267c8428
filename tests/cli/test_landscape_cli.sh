#!/usr/bin/env bash
# Command-line behaviour of landscape (and the gnuplot figures of cli/plot.c):
# PNG and JSON outputs, the fields, and bad input with no partial outputs.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

png_ok() { # a PNG (magic bytes) of more than 2 kB
    [[ -f $1 && $(stat -c %s "$1") -gt 2000 && "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]]
}

check landscape_listed_in_help grep -q landscape <($GINV --help)
check landscape_help_documents_range grep -q -- '--range R' <($GINV landscape --help)

O=$TMP/out
expect_ok landscape_runs -- $GINV landscape --layers 10,60,300 --seed 2 --points 41 --grid 9 --inits 6 --iters 50 --out $O --json $TMP/l.json -q
check line_plot_is_png png_ok $O/landscape_line.png
check plane_heatmap_is_png png_ok $O/landscape_plane.png
for key in measured_rho rho_d t_slope_zero hessian eigenvalues kind local_minima log10_f_clipped near_z0 frac_near_negative grad_norm_orthogonal; do
    check "landscape_json_has_$key" grep -q "\"$key\"" $TMP/l.json
done
check json_rho_d_is_rho_2 grep -q '"rho_d":	0.3183098' $TMP/l.json
check basins_add_up python3 -c "import json; b = json.load(open('$TMP/l.json'))['basins']; assert b['near_z0'] + b['near_negative'] + b['elsewhere'] == 6"
# Daras et al. Lemma B.6 measured: the smallest Hessian eigenvalue at z0 and in a ball
expect_ok landscape_hessian_ball -- $GINV landscape --layers 10,60,300 --seed 2 --points 41 --grid 9 --inits 2 --iters 10 --hessian-ball 0.05 --hessian-points 10 --out $TMP/lb --json $TMP/lb.json -q
check hessian_ball_is_convex_near_z0 bash -c "jq -e '.convexity | .lambda_min_at_z0 > 0 and .lambda_min > 0 and .frac_positive == 1 and .daras_scale == 4 and .points == 10' $TMP/lb.json >/dev/null"
check no_hessian_ball_by_default bash -c "jq -e 'has(\"convexity\") | not' $TMP/l.json >/dev/null"
expect_error hessian_ball_negative 2 "hessian-ball" -- $GINV landscape --layers 10,60,300 --hessian-ball -1 --out $TMP/lb2
check line_has_41_points python3 -c "import json; assert len(json.load(open('$TMP/l.json'))['line']['f']) == 41"
printf '1 -1 0.5 2 0 -0.3 0.7 1.1 -2 0.2\n' > $TMP/z0.txt
expect_ok landscape_with_truth_and_gaussian_op -- $GINV landscape --layers 10,60,300 --op gaussian --m 100 --truth $TMP/z0.txt --points 21 --grid 5 --inits 2 --iters 10 --out $TMP/o2 -q
check truth_run_writes_pngs png_ok $TMP/o2/landscape_line.png

# bad input: one clear line, non-zero exit, nothing written
B=$TMP/bad
expect_error needs_out 2 "--out DIR is required" -- $GINV landscape --layers 10,60,300
expect_error model_or_layers 2 "exactly one" -- $GINV landscape --out $B
expect_error grid_too_small 2 "--grid" -- $GINV landscape --layers 10,60,300 --grid 1 --out $B
expect_error negative_range 2 "--range" -- $GINV landscape --layers 10,60,300 --range -1 --out $B
expect_error bad_layers 2 "sizes must be positive" -- $GINV landscape --layers 10,x --out $B
expect_error missing_model 5 "cannot open" -- $GINV landscape --model $TMP/nope.safetensors --out $B
expect_error gaussian_needs_m 2 "needs --m" -- $GINV landscape --layers 10,60,300 --op gaussian --out $B
printf '1 2 3\n' > $TMP/short.txt
expect_error truth_of_wrong_length 4 "holds 3 values; expected 10" -- $GINV landscape --layers 10,60,300 --truth $TMP/short.txt --out $B
expect_error latent_of_size_1 2 "k >= 2" -- $GINV landscape --layers 1,20 --out $B --json $TMP/k1.json
check bad_input_writes_no_outputs test ! -e $B -a ! -e $TMP/k1.json
echo x > $TMP/afile
expect_error out_is_a_file 5 "not a directory" -- $GINV landscape --layers 10,60,300 --out $TMP/afile
GINV_GNUPLOT=$TMP/no-gnuplot expect_error missing_gnuplot_is_clear 8 "gnuplot is not installed" -- $GINV landscape --layers 10,60,300 --points 11 --grid 3 --inits 1 --iters 1 --out $TMP/o3 --json $TMP/o3.json
check no_figure_or_json_without_gnuplot test ! -e $TMP/o3 -a ! -e $TMP/o3.json
check no_temporary_files_left bash -c "! find $TMP -name '*.tmp.*' | grep -q ."
# sweepable: a landscape unit (seed S, trial T) measures what `ginv landscape --seed S --trial T` does
cat > $TMP/lsweep.json <<'SPEC'
{"command": "landscape", "fixed": {"layers": "6,40,160", "inits": 6, "iters": 60},
 "grid": {"op": ["identity", "gaussian"], "m": [60]}, "trials": 2, "seed": 4, "seeds": "shared"}
SPEC
expect_ok landscape_sweep_runs -- $GINV sweep $TMP/lsweep.json --db $TMP/lsweep.db -q
check landscape_sweep_stores_four_units test "$(sqlite3 $TMP/lsweep.db "SELECT count(*) FROM units WHERE status = 'ok'")" = 4
$GINV landscape --layers 6,40,160 --inits 6 --iters 60 --op gaussian --m 60 --seed 4 --trial 1 --points 11 --grid 3 \
    --out $TMP/lt1 --json $TMP/lt1.json -q
cat > $TMP/lsweep.py <<'PY'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
unit = [u for u, p in db.execute("SELECT id, params FROM units WHERE trial = 1") if json.loads(p)["op"] == "gaussian"][0]
row = dict(db.execute("SELECT name, value FROM metrics WHERE unit = ?", (unit,)).fetchall())
neg, bas = d["negative"], d["basins"]
assert d["trial"] == 1 and d["params"]["m"] == 60
assert row["measured_rho"] == neg["measured_rho"], (row["measured_rho"], neg["measured_rho"])
assert row["rho_d"] == neg["rho_d"]
assert row["slope_zero"] == -neg["t_slope_zero"]
eig = [h for h in neg["hessian"] if h["step"] == 0.01][0]["eigenvalues"]
assert abs(row["hess_min_eig"] - eig[0]) <= 1e-12 * abs(eig[0]) and abs(row["hess_max_eig"] - eig[-1]) <= 1e-12 * abs(eig[-1])
assert row["frac_near_z0"] == bas["frac_near_z0"] and row["frac_near_negative"] == bas["frac_near_negative"]
PY
check landscape_sweep_unit_is_landscape_trial /usr/bin/python3 $TMP/lsweep.py $TMP/lt1.json $TMP/lsweep.db
echo '{"command": "landscape", "fixed": {"layers": "1,40"}, "grid": {"inits": [4]}}' > $TMP/lsweep_bad.json
expect_error landscape_sweep_refuses_k_1 2 "latent size k >= 2" -- $GINV sweep $TMP/lsweep_bad.json --db $TMP/lsweep2.db -q
check landscape_sweep_refused_spec_makes_no_store test ! -e $TMP/lsweep2.db
echo done
