#!/usr/bin/env bash
# test_figures.sh — every figure-producing command on a small, fast case:
# each PNG decodes, has a sensible size and is not blank (pixel variance > 0);
# gnuplot figures keep NAME.dat and NAME.gp beside them and the kept script
# redraws the figure; --format svg/pdf; image grids are labelled and not tiny;
# ginv plot reaches arrays of objects and takes series of different lengths.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
VAE=models/fmnist-vae-k20.safetensors

# pngstat FILE: "W H VARIANCE" of the decoded pixels (8-bit gray, gray+alpha,
# RGB, RGBA or palette PNGs; every filter type), or nothing on a bad file
pngstat() {
    /usr/bin/python3 - "$1" <<'PY' 2>/dev/null
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, plte = 8, b'', None
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b'IHDR': w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif t == b'IDAT': idat += body
    elif t == b'PLTE': plte = body
assert depth == 8 and interlace == 0
bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
raw = zlib.decompress(idat); stride = w * bpp
prev = bytearray(stride); vals = []
for y in range(h):
    f = raw[y * (stride + 1)]; line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, w, 3):  # every third pixel: enough for the variance
        px = line[x * bpp:(x + 1) * bpp]
        vals.append(sum(plte[3 * px[0]:3 * px[0] + 3]) if ctype == 3 else sum(px[:3]) if ctype in (2, 6) else px[0])
m = sum(vals) / len(vals)
print(w, h, sum((v - m) ** 2 for v in vals) / len(vals))
PY
}

# fig_ok NAME FILE MINW MINH [MINBYTES]: a PNG at least MINW x MINH, over
# MINBYTES (default 1000) bytes, not blank
fig_ok() {
    local s w h v min=${5:-1000}
    s=$(pngstat "$2")
    read -r w h v <<<"$s"
    if [[ -z $s ]]; then fail "$1" "$2 is missing or not a PNG"; return; fi
    if (( $(stat -c %s "$2") < min )); then fail "$1" "$2 is only $(stat -c %s "$2") bytes"; return; fi
    if (( w < $3 || h < $4 )); then fail "$1" "$2 is ${w}x${h}, want at least ${3}x${4}"; return; fi
    if ! awk -v v="$v" 'BEGIN { exit !(v > 0) }'; then fail "$1" "$2 is blank (variance $v)"; return; fi
    ok "$1"
}

# gp_ok NAME DIR BASE: BASE.dat and BASE.gp beside BASE.png, and the kept
# script redraws the figure in a copy of the directory
gp_ok() {
    local d=$TMP/redraw-$1
    if [[ ! -s $2/$3.dat || ! -s $2/$3.gp ]]; then fail "$1" "$2/$3.dat or .gp missing"; return; fi
    mkdir -p "$d" && cp "$2/$3.dat" "$2/$3.gp" "$d/" &&
        (cd "$d" && gnuplot "$3.gp" >/dev/null 2>&1) && [[ -s $d/$3.png ]] &&
        cmp -s <(head -c 8 "$d/$3.png") <(head -c 8 "$2/$3.png") ||
        { fail "$1" "gnuplot $3.gp did not redraw $3.png"; return; }
    ok "$1"
}

# demo is the slowest (the Lasso tuned at three m): in the background
$GINV demo --images 2 --restarts 1 --iters 30 --out $TMP/demo -q > $TMP/demo.out 2>&1 &
demo_pid=$!

# results --plot: a 2 x 2 heat map and curves
cat > $TMP/spec.json <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": 150, "restarts": 1},
 "grid": {"layers": ["5,50,200", "8,50,200"], "m": [15, 60]}, "trials": 4, "seed": 7}
JSON
$GINV sweep $TMP/spec.json --db $TMP/s.db -q >/dev/null 2>&1
R=$TMP/res && mkdir -p $R
expect_ok results_heat_map -- $GINV results $TMP/s.db --plot $R/heat.png
fig_ok results_heat_map_png $R/heat.png 500 400
gp_ok results_heat_map_redraws $R heat
check results_heat_map_rate_range_0_1 grep -q 'set cbrange \[0:1\]' $R/heat.gp
check results_heat_map_categorical_ticks grep -q "set ytics ('5,50,200' 0, '8,50,200' 1)" $R/heat.gp
expect_ok results_curve_numeric -- $GINV results $TMP/s.db --group-by m --plot $R/curve.png
fig_ok results_curve_png $R/curve.png 500 300
expect_ok results_curve_categorical -- $GINV results $TMP/s.db --group-by layers --z rel_error --plot $R/cat.svg
check results_svg_by_extension grep -q '</svg>' $R/cat.svg

# experiment recovery: categorical heat maps, noise 0 on the log axis
expect_ok experiment_recovery -- $GINV experiment recovery --k 4,6 --widths 100,400 --m 8,40 --algos gd,signflip \
    --noise 0,0.05 --trials 2 --iters 200 --out $TMP/exp -q
fig_ok experiment_phase_png $TMP/exp/phase_d2_100-400.png 700 400
fig_ok experiment_error_vs_noise_png $TMP/exp/error_vs_noise.png 500 300
check error_vs_noise_draws_sigma_0 grep -q "set xtics ('0'" $TMP/exp/error_vs_noise.gp
check phase_cells_are_categories grep -q "set xtics ('8' 0, '40' 1)" $TMP/exp/phase_d2_100-400.gp
gp_ok experiment_phase_redraws $TMP/exp phase_d2_100-400
check experiment_no_figures_says_so bash -c "$GINV experiment recovery --k 4 --widths 50,200 --m 10 --algos gd \
    --trials 1 --iters 10 --out $TMP/exp0 | grep -q 'no figures'"

# sample: trace, trajectory (0..1), R-hat curve; mean/std with colour bars; samples grid
$GINV net random --layers 6,60,196 --seed 3 -o $TMP/img.safetensors >/dev/null
expect_ok sample_images -- $GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 \
    --chains 3 --burn-in 5 --samples 10 --start truth --rhat-curve --out $TMP/sam --json $TMP/sam.json -q
for f in trace trajectory rhat_curve rank; do
    fig_ok "sample_${f}_png" $TMP/sam/$f.png 500 300
    check "sample_${f}_keeps_dat_gp" test -s $TMP/sam/$f.dat -a -s $TMP/sam/$f.gp
done
check trajectory_fraction_range grep -q 'set yrange \[-0.03:1.03\]' $TMP/sam/trajectory.gp
# rank.png: per chain, its 10 draws spread over the bins (counts sum to S), and the uniform line S/bins
check sample_rank_counts_sum_to_s /usr/bin/python3 -c "
import re; blocks = open('$TMP/sam/rank.dat').read().split('# series ')[1:]
sums = [sum(float(l.split()[1]) for l in b.splitlines()[1:] if l.strip() and not l.startswith('#')) for b in blocks]
assert len(blocks) == 4 and sums[:3] == [10.0] * 3 and 'uniform' in blocks[3], (len(blocks), sums)"
check sample_trace_is_the_worst_coordinate bash -c "w=\$(jq '.worst_first[0]' $TMP/sam.json); grep -q \"z\[\$w\], the worst R-hat\" $TMP/sam/trace.gp"
fig_ok sample_mean_png $TMP/sam/mean.png 90 60 300
fig_ok sample_std_png $TMP/sam/std.png 90 60 300
fig_ok sample_samples_png $TMP/sam/samples.png 250 180
expect_ok sample_svg -- $GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 \
    --chains 2 --burn-in 2 --samples 5 --format svg --out $TMP/samsvg -q
check sample_svg_trace bash -c "grep -q '</svg>' $TMP/samsvg/trace.svg && test ! -e $TMP/samsvg/trace.png"

# ginv plot: arrays of objects, series of different lengths
$GINV sample --allow-warnings --model $TMP/img.safetensors --op gaussian --m 50 --noise 0.1 --step 1e-3 --chains 2 --burn-in 2 \
    --samples 20 --start truth --out $TMP/sam2 --json $TMP/sam2.json -q
expect_ok plot_different_lengths -- $GINV plot -o $TMP/p1.png --x trajectory.step --y trajectory.frac_near \
    $TMP/sam.json=ten $TMP/sam2.json=twenty
fig_ok plot_different_lengths_png $TMP/p1.png 500 300
$GINV recover --layers 10,100,400 --m 60 --trials 3 --iters 50 --json $TMP/r.json -q >/dev/null 2>&1
expect_ok plot_array_of_objects -- $GINV plot -o $TMP/p2.pdf --y 'trials[].rel_error' $TMP/r.json --logy
check plot_pdf_by_extension bash -c "head -c 4 $TMP/p2.pdf | grep -q '%PDF'"
check plot_dat_has_three_trials bash -c "test \$(grep -c '^[0-9]' $TMP/p2.dat) -eq 3"
expect_error plot_bad_format 2 "--format" -- $GINV plot -o $TMP/p3.png --y x --format gif $TMP/r.json

# landscape
expect_ok landscape -- $GINV landscape --layers 10,60,300 --seed 2 --points 41 --grid 9 --inits 4 --iters 30 --out $TMP/land -q
fig_ok landscape_line_png $TMP/land/landscape_line.png 500 300
fig_ok landscape_plane_png $TMP/land/landscape_plane.png 400 400
gp_ok landscape_plane_redraws $TMP/land landscape_plane

# experiment hardness (one family, tiny)
expect_ok experiment_hardness -- $GINV experiment hardness --out $TMP/hard --families sat --sat-n 6,8 --instances 1 \
    --time-budget 20 --solver-timeout 5 --fit-min 0 -q
fig_ok hardness_png $TMP/hard/time_vs_n_sat.png 500 300

# cs and experiment cs with the shipped VAE
if [[ -f $VAE ]]; then
    expect_ok cs_grid -- $GINV cs --model $VAE --data "fashion-mnist:test[0:4]" --m 50 --restarts 1 --iters 30 \
        --method csgm,lasso-dct --lasso-lambda 0.01 --out $TMP/cs -q
    # 4 images of 28 x 28 at the default scale 3, plus the row labels: far over 244 px
    fig_ok cs_grid_png $TMP/cs/grid.png 400 400
    expect_ok cs_png_scale -- $GINV cs --model $VAE --data "fashion-mnist:test[0:2]" --m 50 --restarts 1 --iters 5 \
        --method csgm --png-scale 1 --out $TMP/cs1 -q
    fig_ok cs_grid_scale_1_png $TMP/cs1/grid.png 90 90
    expect_ok experiment_cs -- $GINV experiment cs --model $VAE --out $TMP/ecs --m 25,100 --images 2 --restarts 1 \
        --iters 30 --lasso lasso-dct --lambdas 0.1 -q
    fig_ok experiment_cs_png $TMP/ecs/mse_vs_m.png 500 300
    wait $demo_pid
    check demo_exits_0 test $? -eq 0
    for m in 25 100 400; do fig_ok "demo_grid_m${m}_png" $TMP/demo/grid_m$m.png 250 400; done
    fig_ok demo_mse_png $TMP/demo/mse_vs_m.png 500 300
else
    wait $demo_pid
    echo "ok cs_and_demo_skipped_without_$VAE"
fi
echo done
