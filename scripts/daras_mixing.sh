#!/usr/bin/env bash
# daras_mixing.sh — Daras et al. (2022) Theorem 3.1 / App. A Thm A.4 in numbers
# (issue #20): ULA on the latent space of random ReLU generators from near
# -z0, W(Z_t, mu) against t from below (sliced W1 to a reference run) and
# from above (a synchronous coupling with a twin run started at draws of the
# stationary law and driven by the same noise), the exact OT between the two
# clouds of chains and its floor, mixing times against eps (eta = c eps^2),
# C (beta = C n) and the width n; and Lemma B.6's smallest Hessian eigenvalue
# in a ball around z0. Every number in docs/sampling.md's section "Theorem 3.1
# in numbers" comes from this script.
#
# Usage: nice -n 5 scripts/daras_mixing.sh OUTDIR [eps|C|width|depth|hessian|all|fits]
# (fits: only the fits over OUTDIR/summary.tsv; WIDTHS="5,125,500 .." runs a part
# of the width sweep, e.g. in two processes; GINV=path picks the binary)
# (all: about 20-30 minutes on the busy 2-core development machine; the
# sweeps may run as separate processes into the same OUTDIR)
#
# Units. ginv's f is 1/2||A G(z) - y||^2 with weights N(0, 1/n_i), so
# ||G(z)||^2 ~ ||z||^2 / 2^d; Daras et al.'s loss is for weights scaled so that
# ||G(z)|| ~ ||z|| (N(0, 2/n_i): the "x2 per layer" variance), i.e. their
# ||A G(z) - y||^2 is 2^d times ours, and their beta = C n (n = k, the latent
# size) is ginv's --temperature 2^d C k with --sigma 0.70710678 (U = ||A G - y||^2).
# Time is counted in steps and in units t eta (the Langevin diffusion's time).
set -eu
cd "$(dirname "$0")/.."
G=${GINV:-build/ginv}
O=$1 what=${2:-all}
mkdir -p "$O"
SUM=$O/summary.tsv
[[ -f $SUM ]] || printf 'sweep\tnet\tm\tC\teta\teps\tsteps\tz0_norm\tt_hi_steps\tt_lo_steps\tcoupling_end\tsliced_end\tot_indep_start\tot_indep_at_t_hi\tot_indep_end\n' >"$SUM"

# one setting: net L, measurements m, C, step eta, target eps, horizon H (in units t eta)
run() {
    local sweep=$1 L=$2 m=$3 Cc=$4 eta=$5 eps=$6 H=$7
    local d k beta steps thin burn tag common
    d=$(($(tr -cd , <<<"$L" | wc -c)))
    k=${L%%,*}
    beta=$((2 ** d * Cc * k))
    thin=$(awk -v e=$eta -v H=$H 'BEGIN { t = int(H / e / 100 + 0.5); print t < 1 ? 1 : t }') # 100 checkpoints
    steps=$((100 * thin))
    burn=$(awk -v e=$eta 'BEGIN { print int(30 / e + 0.5) }')                       # 30 time units
    tag=${sweep}_L${L//,/-}_m${m}_C${Cc}_eta$eta
    common="--layers $L --op gaussian --m $m --noise 0 --sigma 0.70710678 --prior none --sampler ula --step $eta --temperature $beta --seed 1 --adapt off --allow-warnings -q --chains 64"
    # the reference: from z0, 30 time units of burn-in, then 20 x 64 draws one time unit apart
    $G sample $common --start truth --burn-in "$burn" --samples 20 --thin "$(awk -v e=$eta 'BEGIN { t = int(1 / e + 0.5); print t < 1 ? 1 : t }')" \
        --chain-seed 1001 --out "$O/ref_$tag" --json "$O/ref_$tag.json" 2>/dev/null
    # the twin: from the reference's last states (draws of the stationary law), noise stream 2001
    $G sample $common --start-from "$O/ref_$tag/samples.npy" --burn-in 0 --samples 100 --thin "$thin" \
        --chain-seed 2001 --out "$O/twin_$tag" 2>/dev/null
    # the experiment: from -z0 + N(0, (0.05 ||z0||)^2 I / k), the same noise as the twin
    $G sample $common --start negative --burn-in 0 --samples 100 --thin "$thin" --chain-seed 2001 \
        --couple "$O/twin_$tag/samples.npy" --reference "$O/ref_$tag/samples.npy" --w1-dirs 8 \
        --out "$O/neg_$tag" --json "$O/neg_$tag.json" 2>/dev/null
    # the empirical W1 with independent clouds: a second stationary run (noise 3001,
    # independent of the experiment's 2001) against the experiment's chains, exact OT
    # per kept step; once the chains have mixed it is the floor of two independent
    # 64-point samples of one law (the estimator's bias)
    $G sample $common --start-from "$O/ref_$tag/samples.npy" --burn-in 0 --samples 100 --thin "$thin" \
        --chain-seed 3001 --couple "$O/neg_$tag/samples.npy" --json "$O/indep_$tag.json" 2>/dev/null
    # t_hi: the first kept step from which the coupling stays <= eps ||z0|| (an upper
    # bound on the mixing time to W <= eps ||z*||); t_lo: the same for the sliced W1 (a
    # lower bound; NaN-free once the chains have left -z0)
    jq -r --arg s "$sweep" --arg L "$L" --argjson m "$m" --argjson C "$Cc" --argjson eta "$eta" --argjson eps "$eps" \
        --argjson steps "$steps" --slurpfile ind "$O/indep_$tag.json" '
        def nz: (.z0 | map(. * .) | add | sqrt);
        def stay(a; thr): ([range(0; a | length)] | map(select(a[.:] | all(. <= thr))) | first) as $i
            | if $i == null then "NaN" else .trajectory.step[$i] end;
        nz as $n | .trajectory as $t | $ind[0].trajectory.ot_w1 as $o |
        (stay($t.coupling; $eps * $n)) as $th |
        [$s, $L, $m, $C, $eta, $eps, $steps, ($n * 1000 | round / 1000),
         $th, stay($t.w1_sliced; $eps * $n),
         ($t.coupling[-1] * 1e4 | round / 1e4), ($t.w1_sliced[-1] * 1e4 | round / 1e4), ($o[0] * 1e4 | round / 1e4),
         (if $th == "NaN" then "NaN" else ($o[($t.step | index($th))] * 1e4 | round / 1e4) end),
         ($o[-1] * 1e4 | round / 1e4)] | @tsv' \
        "$O/neg_$tag.json" | tee -a "$SUM"
}

N1=10,250,1000
if [[ $what == eps || $what == all ]]; then
    # eps sweep, eta = 10 eps^2 (eps 0.1 -> eta 0.1, the step of the escape experiment), C = 4, 100 time units
    for eps in 0.1 0.07 0.05 0.035; do
        run eps $N1 100 4 "$(awk -v e=$eps 'BEGIN { printf "%.6g", 10 * e * e }')" $eps 100
    done
fi
if [[ $what == C || $what == all ]]; then
    # eta 0.1 (eps 0.1), 200 time units: the escape experiment's step; large C escapes late
    for Cc in 1 4 16 64; do run C $N1 100 $Cc 0.1 0.1 200; done
fi
if [[ $what == width || $what == all ]]; then
    # n = k: layers k, 25k, 100k, m = 10k, 200 time units
    for L in ${WIDTHS:-5,125,500 10,250,1000 15,375,1500 20,500,2000}; do run width $L $((10 * ${L%%,*})) 4 0.1 0.1 200; done
fi
if [[ $what == depth || $what == all ]]; then
    run depth 10,100,300,1000 100 4 0.1 0.1 400 # d = 3 escapes later
fi
if [[ $what == hessian || $what == all ]]; then
    # Lemma B.6: smallest eigenvalue of the Hessian of f in balls of radius R ||z0|| around z0
    HS=$O/hessian.tsv
    printf 'net\tm\td\tR\tstep\tlam_z0\tlam_min\tlam_mean\tfrac_pos\tdaras_z0\tdaras_min\n' >"$HS"
    for Lm in 5,125,500:50 10,250,1000:100 20,500,2000:200 10,250,1000:1000 10,100,300,1000:100; do
        L=${Lm%%:*} m=${Lm##*:}
        for R in 0.05 0.1 0.2 0.4; do for h in 0.01 0.03; do
            $G landscape --layers "$L" --op gaussian --m "$m" --seed 1 --out "$O/ls" --grid 3 --inits 2 --iters 10 -q \
                --hessian-ball $R --hessian-points 50 --hessian-step $h --json "$O/ls.json" >/dev/null
            jq -r --arg L "$L" --argjson m "$m" '.convexity as $c | .params.d as $d | ($c.daras_scale) as $s |
                [$L, $m, $d, $c.radius, $c.step] + ([$c.lambda_min_at_z0, $c.lambda_min, $c.lambda_min_mean, $c.frac_positive,
                 $s * $c.lambda_min_at_z0, $s * $c.lambda_min] | map(. * 1e4 | round / 1e4)) | @tsv' "$O/ls.json" | tee -a "$HS"
        done; done
    done
fi
# the fits: t_hi against log(1/eps)/eps^2 (eps sweep) and against k (width sweep, depth 2)
fit() { # x y pairs on stdin: slope a, intercept b, their 95% intervals (t quantile, n - 2 dof)
    awk 'BEGIN { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306", tq, " ") }
         $2 != "NaN" { n++; x[n] = $1; y[n] = $2; sx += $1; sy += $2 }
         END { if (n < 3) { print "fewer than 3 points"; exit }
               mx = sx / n; my = sy / n
               for (i = 1; i <= n; i++) { sxx += (x[i] - mx)^2; sxy += (x[i] - mx) * (y[i] - my) }
               a = sxy / sxx; b = my - a * mx
               for (i = 1; i <= n; i++) rss += (y[i] - a * x[i] - b)^2
               s2 = rss / (n - 2); sa = sqrt(s2 / sxx); sb = sqrt(s2 * (1 / n + mx * mx / sxx)); q = tq[n - 2]
               printf "n %d: slope %.4g [%.4g, %.4g], intercept %.4g [%.4g, %.4g] (95%%, t %d dof)\n",
                      n, a, a - q * sa, a + q * sa, b, b - q * sb, b + q * sb, n - 2 }'
}
if [[ -s $SUM ]]; then
    echo "fit: t_hi (steps) against log(1/eps)/eps^2, eps sweep"
    awk -F'\t' '$1 == "eps" { e = $6; print log(1 / e) / (e * e), $9 }' "$SUM" | fit
    echo "fit: t_hi * eta (time units) against log(1/eps), eps sweep"
    awk -F'\t' '$1 == "eps" && $9 != "NaN" { print log(1 / $6), $9 * $5 }' "$SUM" | fit
    echo "fit: ln t_hi against k, width sweep (depth 2): t_hi ~ exp(a k)"
    awk -F'\t' '$1 == "width" && $9 != "NaN" { split($2, p, ","); print p[1], log($9) }' "$SUM" | fit
    echo "fit: ln t_hi against ln k, width sweep (depth 2): t_hi ~ k^a"
    awk -F'\t' '$1 == "width" && $9 != "NaN" { split($2, p, ","); print log(p[1]), log($9) }' "$SUM" | fit
fi
