#!/usr/bin/env bash
# hardness_solver_wall.sh — issue #20: instance families that are hard for the
# reference solvers too, timed beside `ginv decide` on the reduced nets of
# Keles & Hegde (2023), with the growth exponent of each fitted.
#
#   sat   random 3-SAT at clause ratio 4.26 (the satisfiability threshold).
#         minisat on the CNF at n = SAT_REF; decide on the Thm 1 net
#         (z in {-1,1}^n, exact) at n = SAT_DEC, minisat beside it there.
#   cvp   fplll -a cvp (exact l2 CVP over Z^n) on a random full-rank lattice
#         (d = n, integer entries in [-6, 6]) with a far target (noise 100:
#         t = B y0 + e, e uniform in [-100, 100]^d) at n = CVP_REF; decide on
#         the Thm 3 net (z in {0,1}^2n, l2) of the planted (0,1)-CVP (noise 1)
#         at n = CVP_DEC with radius fplll's distance (even seeds) or 10^-3
#         below it (odd seeds: a NO that fplll certifies; decide must agree).
#   hc    Half-Clique on G(n, p_n), p_n the threshold edge density at which
#         the expected number of n/2-cliques is 1 (p_n = C(n, n/2)^(-1/C(n/2, 2)),
#         0.87 at n = 40, 0.97 at n = 180): cliquer -m n/2 -M n/2 at n = HC_REF;
#         decide on the Thm 5 net (z in {0,1}^n, l2) at n = HC_DEC, cliquer
#         beside it there (answers compared).
# The reference solvers' runs at decide's sizes are recorded as
# minisat_beside / cliquer_beside (process-start floor) and fitted apart.
#
# External programs are timed as whole processes (wall clock), decide by its
# own in-process "seconds"; all are killed at TIMEOUT. Per size the median of
# INST instances; the fit is least squares of log2(median seconds) = a n + b
# over the sizes whose median is finite and at least FIT_MIN seconds (the
# formulas of ginv_linear_fit, src/run/fit.c), reported as a +- its standard
# error and a 95% interval (Student t, n - 2 degrees of freedom).
#
# A failed run (no answer, not a timeout) is reported, kept in times.tsv and
# left out of the medians.
# usage: GINV=build/ginv nice -n 5 scripts/hardness_solver_wall.sh OUTDIR
# writes OUTDIR/times.tsv (every run), OUTDIR/medians.tsv, OUTDIR/fits.md.
set -euo pipefail
GINV=${GINV:-build/ginv}
OUT=${1:?usage: $0 OUTDIR}
INST=${INST:-5}
TIMEOUT=${TIMEOUT:-60}
FIT_MIN=${FIT_MIN:-0.01}
SAT_REF=${SAT_REF-"150 175 200 225 250"}
SAT_DEC=${SAT_DEC-"16 20 24 28 32"}
CVP_REF=${CVP_REF-"36 40 44 48"}
CVP_DEC=${CVP_DEC-"8 10 12 14 16 18 20 22 24"}
HC_REF=${HC_REF-"100 120 140 160 180"}
HC_DEC=${HC_DEC-"12 14 16 18 20 22 24"}
FAMILIES=${FAMILIES-"sat cvp hc"}

for prog in minisat fplll cliquer; do
    command -v $prog >/dev/null || { echo "$0: $prog is not installed" >&2; exit 8; }
done
mkdir -p "$OUT"
T=$(mktemp -d /tmp/ginv-wall-XXXXXX)
trap 'rm -rf "$T"' EXIT
TSV="$OUT/times.tsv"
bad=0
# A size list set to "" is skipped. APPEND=1: add runs to an existing OUTDIR/times.tsv (the fits use them all);
# FAMILIES="" with APPEND=1 only refits
[[ ${APPEND:-0} == 1 && -s $TSV ]] || printf 'family\tsolver\tn\tseed\tseconds\tanswer\tstate\n' > "$TSV"

now() { date +%s.%N; }
# timed CMD...: runs it under timeout; sets SECS and STATE (ok|timeout|failed), RC
timed() {
    local s e
    s=$(now)
    set +e
    timeout "$TIMEOUT" "$@" > "$T/stdout" 2> "$T/stderr"
    RC=$?
    set -e
    e=$(now)
    SECS=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.6f", b - a }')
    STATE=ok
    [[ $RC == 124 ]] && STATE=timeout && SECS=inf
    return 0
}
# decide MODEL: sets SECS (decide's own), ANS (YES/NO/UNKNOWN), STATE
decide() {
    set +e
    timeout $((${TIMEOUT%.*} + 30)) "$GINV" decide --model "$1" --time-limit "$TIMEOUT" -q --json "$T/d.json" >/dev/null 2>&1
    local rc=$?
    set -e
    ANS=$(sed -n 's/.*"answer":[[:space:]]*"\([A-Z]*\)".*/\1/p' "$T/d.json" 2>/dev/null | head -1)
    SECS=$(sed -n 's/.*"seconds":[[:space:]]*\([0-9.eE+-]*\).*/\1/p' "$T/d.json" 2>/dev/null | head -1)
    STATE=ok
    # UNKNOWN (exit 3): the time limit; anything else without an answer failed
    if [[ $ANS == UNKNOWN && $rc == 3 ]]; then STATE=timeout; SECS=inf
    elif [[ $rc != 0 || -z $ANS ]]; then STATE=failed; SECS=nan; ANS=-; fi
    rm -f "$T/d.json"
}
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TSV"; }
say() { echo "$*" >&2; }
mismatch() { say "DISAGREEMENT: $*"; bad=$((bad + 1)); }

minisat_run() { # CNF -> ANS
    timed minisat -verb=0 "$1" "$T/ms.out"
    ANS=-
    [[ $STATE == ok ]] && ANS=$(head -1 "$T/ms.out" | sed 's/^SAT$/YES/; s/^UNSAT$/NO/')
    [[ $STATE == ok && $ANS != YES && $ANS != NO ]] && STATE=failed
    return 0
}
fplll_file() { # BASIS TARGET -> fplll input on stdout
    printf '['; sed 's/.*/[&]/' "$1" | tr -d '\n'; printf '] [%s]\n' "$(cat "$2")"
}
fplll_dist() { # closest vector (stdout of fplll) and target -> l2 distance
    awk -v v="$(cat "$T/stdout")" -v t="$(cat "$1")" 'BEGIN { gsub(/[\[\]]/, "", v); split(v, a, " ");
        split(t, b, " "); s = 0; for (i in b) s += (a[i] - b[i]) ^ 2; printf "%.12f", sqrt(s) }'
}
threshold_p() {
    awk -v n="$1" 'BEGIN { h = n / 2; l = 0; for (i = 1; i <= h; i++) l += log((h + i) / i);
                           printf "%.6f", exp(-l / (h * (h - 1) / 2)) }'
}
cliquer_run() { # GRAPH N -> ANS (a clique on N/2 vertices?)
    timed cliquer -u -m $(($2 / 2)) -M $(($2 / 2)) -q -q "$1"
    ANS=-
    [[ $STATE == ok ]] && { grep -q 'size=' "$T/stdout" && ANS=YES || ANS=NO; }
    return 0
}

# a random n x n lattice and target (noise N: far targets at 100, planted
# near a lattice point at 1), solved by fplll's CVP, timed and recorded as
# series S (arguments: N SEED NOISE S)
lattice_fplll() {
    "$GINV" reduce random-lattice --n "$1" --d "$1" --range 6 --noise "$3" --seed "$2" \
        --basis-out "$T/B.txt" --target-out "$T/t.txt" >/dev/null
    fplll_file "$T/B.txt" "$T/t.txt" > "$T/l.fplll"
    timed fplll -a cvp "$T/l.fplll"
    rec cvp "$4" "$1" "$2" "$SECS" - "$STATE"
}

t_start=$(now)
for fam in $FAMILIES; do

case $fam in
sat)
    for n in $SAT_REF $SAT_DEC; do
        for seed in $(seq 1 "$INST"); do
            "$GINV" reduce random-sat --n "$n" --ratio 4.26 --k 3 --seed "$seed" -o "$T/f.cnf" >/dev/null
            minisat_run "$T/f.cnf"
            who=minisat; [[ " $SAT_REF " == *" $n "* ]] || who=minisat_beside
            rec sat "$who" "$n" "$seed" "$SECS" "$ANS" "$STATE"
            ms=$ANS
            if [[ " $SAT_DEC " == *" $n "* ]]; then
                "$GINV" reduce sat "$T/f.cnf" --latent pm1 -o "$T/f.safetensors" >/dev/null
                decide "$T/f.safetensors"
                rec sat decide "$n" "$seed" "$SECS" "$ANS" "$STATE"
                [[ $STATE == ok && $ms != - && $ANS != "$ms" ]] && mismatch "sat n=$n seed=$seed decide $ANS minisat $ms"
            fi
        done
        say "sat n=$n done ($(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s)"
    done ;;
cvp)
    for n in $CVP_REF; do
        for seed in $(seq 1 "$INST"); do
            lattice_fplll "$n" "$seed" 100 fplll
        done
        say "cvp fplll n=$n done"
    done
    for n in $CVP_DEC; do
        for seed in $(seq 1 "$INST"); do
            lattice_fplll "$n" "$seed" 1 fplll_planted
            dz=$(fplll_dist "$T/t.txt")
            r=$(awk -v d="$dz" -v s="$seed" 'BEGIN { printf "%.12f", (s % 2 && d > 0.001) ? d - 0.001 : d }')
            "$GINV" reduce cvp --basis "$T/B.txt" --target "$T/t.txt" --radius "$r" --p 2 --latent 01 \
                -o "$T/c.safetensors" >/dev/null
            decide "$T/c.safetensors"
            rec cvp decide "$n" "$seed" "$SECS" "$ANS" "$STATE"
            # below fplll's distance over all of Z^n no binary y can be within r
            if (( seed % 2 )) && awk -v d="$dz" 'BEGIN { exit !(d > 0.001) }' && [[ $STATE == ok && $ANS != NO ]]; then
                mismatch "cvp n=$n seed=$seed decide $ANS below fplll's distance $dz"
            fi
        done
        say "cvp decide n=$n done"
    done ;;
hc)
    for n in $HC_REF $HC_DEC; do
        p=$(threshold_p "$n")
        for seed in $(seq 1 "$INST"); do
            "$GINV" reduce random-graph --n "$n" --p-edge "$p" --seed "$seed" -o "$T/g.col" >/dev/null
            cliquer_run "$T/g.col" "$n"
            who=cliquer; [[ " $HC_REF " == *" $n "* ]] || who=cliquer_beside
            rec hc "$who" "$n" "$seed" "$SECS" "$ANS" "$STATE"
            cq=$ANS
            if [[ " $HC_DEC " == *" $n "* ]]; then
                "$GINV" reduce half-clique "$T/g.col" --p 2 -o "$T/g.safetensors" >/dev/null
                decide "$T/g.safetensors"
                rec hc decide "$n" "$seed" "$SECS" "$ANS" "$STATE"
                [[ $STATE == ok && $cq != - && $ANS != "$cq" ]] && mismatch "hc n=$n seed=$seed decide $ANS cliquer $cq"
            fi
        done
        say "hc n=$n (p $p) done"
    done ;;
*) echo "$0: unknown family $fam (sat, cvp, hc)" >&2; exit 2 ;;
esac
done

# medians per (family, solver, n): timeouts count as +inf
awk -F'\t' 'NR > 1 && $7 != "failed" { k = $1 "\t" $2 "\t" $3; v[k, ++c[k]] = ($5 == "inf" ? 1e300 : $5 + 0);
                     if ($6 == "YES") y[k]++; else if ($6 == "NO") no[k]++ }
    END { for (k in c) { m = c[k]; for (i = 1; i <= m; i++) a[i] = v[k, i];
              for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j + 1] = a[j]; j-- } a[j + 1] = x }
              med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2;
              printf "%s\t%s\t%d\t%d\t%d\n", k, (med >= 1e299 ? "inf" : sprintf("%.6f", med)), m, y[k] + 0, no[k] + 0 } }' \
    "$TSV" | sort -t$'\t' -k1,1 -k2,2 -k3,3n > "$T/med"
{ printf 'family\tsolver\tn\tmedian_s\tinstances\tyes\tno\n'; cat "$T/med"; } > "$OUT/medians.tsv"

# fits: log2(median) = a n + b over finite medians >= FIT_MIN
{ echo "| family | solver | sizes fitted | a (log2 s per unit n) | 95% interval | doubling every |"
  echo "|---|---|---|---|---|---|"; } > "$OUT/fits.md"
awk -F'\t' -v fmin="$FIT_MIN" '
    function tq(df) { # Student t 0.975 quantile
        split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228", q, " ");
        return df <= 10 ? q[df] : 2.0 + 2.4 / df }
    NR > 1 && $4 != "inf" && $4 + 0 >= fmin { k = $1 "\t" $2; i = ++c[k]; x[k, i] = $3; y[k, i] = log($4) / log(2);
        if (!(k in lo) || $3 < lo[k]) lo[k] = $3; if (!(k in hi) || $3 > hi[k]) hi[k] = $3 }
    END { for (k in c) { m = c[k]; split(k, fs, "\t");
              if (m < 2) printf "| %s | %s | %d | – | | |\n", fs[1], fs[2], m; else fitrow(k, m, fs[1], fs[2]) } }
    function fitrow(k, m, f1, f2,    i, mx, my, sxx, sxy, a, b, se, iv, rss, s) {
              mx = my = 0; for (i = 1; i <= m; i++) { mx += x[k, i]; my += y[k, i] } mx /= m; my /= m;
              sxx = sxy = 0; for (i = 1; i <= m; i++) { sxx += (x[k, i] - mx) ^ 2; sxy += (x[k, i] - mx) * (y[k, i] - my) }
              a = sxy / sxx; b = my - a * mx; se = "nan"; iv = "–";
              if (m > 2) { rss = 0; for (i = 1; i <= m; i++) rss += (y[k, i] - a * x[k, i] - b) ^ 2;
                  s = sqrt(rss / (m - 2) / sxx); se = sprintf("%.3f", s);
                  iv = sprintf("[%.3f, %.3f]", a - tq(m - 2) * s, a + tq(m - 2) * s) }
              printf "| %s | %s | %d (n %d–%d) | %.3f ± %s | %s | %s |\n", f1, f2, m, lo[k], hi[k], a, se, iv,
                     (a > 0 ? sprintf("%.1f", 1 / a) : "–") }' "$OUT/medians.tsv" | sort >> "$OUT/fits.md"
total=$(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
{ echo; echo "$bad disagreements; $total s wall; INST=$INST TIMEOUT=$TIMEOUT FIT_MIN=$FIT_MIN"; } >> "$OUT/fits.md"
cat "$OUT/fits.md"
[[ $bad == 0 ]] || exit 1
