#!/usr/bin/env bash
# scripts/hardness_solver_wall.sh at tiny sizes: every family runs beside its
# reference solver with no disagreement, and the fit (log2 median seconds
# against n, least squares with a 95% interval) recovers a known exponent from
# synthetic times (refit only: APPEND=1 with no families).
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

out=$TMP/wall
GINV=$GINV INST=2 TIMEOUT=20 SAT_REF="30 40" SAT_DEC="8 10" CVP_REF="8 10" CVP_DEC="4 6" HC_REF="16 20" HC_DEC="8 10" \
    bash scripts/hardness_solver_wall.sh $out > $TMP/log 2>&1
check wall_tiny_runs_without_disagreements grep -q '^0 disagreements' $out/fits.md
check wall_tiny_records_every_series bash -c "for s in 'sat	minisat' 'sat	decide' 'cvp	fplll' 'cvp	decide' 'hc	cliquer' 'hc	decide'; do grep -q \"^\$s	\" $out/medians.tsv || exit 1; done"
check wall_tiny_decide_answers_recorded bash -c "awk -F'\t' '\$2 == \"decide\" && \$6 != \"YES\" && \$6 != \"NO\" { bad = 1 } END { exit bad }' $out/times.tsv"

# synthetic: seconds = 2^(0.5 n - 10) at n = 20..30 (a = 0.5), and a second
# series with noise (a = 0.25 +- a little); timeouts and failed runs are left
# out of the medians
syn=$TMP/syn
mkdir -p $syn
{ printf 'family\tsolver\tn\tseed\tseconds\tanswer\tstate\n'
  for n in 20 22 24 26 28 30; do
      for s in 1 2 3; do
          awk -v n=$n -v s=$s 'BEGIN { printf "sat\tdecide\t%d\t%d\t%.9f\tYES\tok\n", n, s, 2 ^ (0.5 * n - 10) }'
          awk -v n=$n -v s=$s 'BEGIN { printf "sat\tminisat\t%d\t%d\t%.9f\tYES\tok\n", n, s, 2 ^ (0.25 * n - 4 + 0.1 * (s - 2) + 0.05 * (n % 4)) }'
      done
      printf 'sat\tminisat\t%d\t9\tnan\t-\tfailed\n' $n
  done; } > $syn/times.tsv
GINV=$GINV APPEND=1 FAMILIES="" bash scripts/hardness_solver_wall.sh $syn > $TMP/synlog 2>&1
check wall_fit_recovers_exponent_one_half grep -q '^| sat | decide | 6 (n 20–30) | 0.500 ± 0.000 |' $syn/fits.md
check wall_fit_noisy_exponent_near_one_quarter bash -c "grep '^| sat | minisat |' $syn/fits.md | awk -F'|' '{ split(\$5, a, \" \"); exit !(a[1] > 0.2 && a[1] < 0.3 && a[3] > 0) }'"
check wall_fit_interval_contains_the_slope bash -c "grep '^| sat | minisat |' $syn/fits.md | grep -q '\[0\.[12][0-9]*, 0\.[23][0-9]*\]'"
echo done
