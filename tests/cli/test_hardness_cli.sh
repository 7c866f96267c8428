#!/usr/bin/env bash
# Command-line behaviour of the hardness pipeline (Keles & Hegde 2023):
# `reduce` then `decide` through the commands agrees with minisat, and a YES
# witness written by decide maps back (`reduce check`) to a model of the CNF;
# `experiment hardness` runs, writes its table, JSON and plots, agrees with
# the reference solvers, reports a missing solver as absent, refuses bad input.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

# ------------------------------------- reduce + decide vs minisat (CLI)
bad="" sat=0 unsat=0
for seed in 1 2 3 4 5 6; do
    f=$TMP/s$seed.cnf
    $GINV reduce random-sat --n 10 --ratio $((seed % 2 ? 4 : 6)) --seed $((seed + 40)) -o $f >/dev/null
    minisat -verb=0 $f $TMP/ms.out >/dev/null 2>&1
    verdict=$(head -1 $TMP/ms.out)
    [[ $verdict == SAT ]] && sat=$((sat + 1)) || unsat=$((unsat + 1))
    want=$([[ $verdict == SAT ]] && echo YES || echo NO)
    # Thm 1 as stored; Thm 2 in the box its clamp [-1, 1] gives (G(z) = G(clamp(z)))
    for lat in pm1 real; do
        $GINV reduce sat $f --latent $lat -o $TMP/s.safetensors >/dev/null || bad="$bad reduce-$seed-$lat"
        extra=(); [[ $lat == real ]] && extra=(--latent real:box=1)
        $GINV decide --model $TMP/s.safetensors "${extra[@]}" --time-limit 60 --json $TMP/d.json -q ||
            bad="$bad decide-exit-$seed-$lat"
        got=$(jq -r .answer $TMP/d.json)
        [[ $got == "$want" ]] || bad="$bad $seed-$lat:$got-vs-$verdict"
        if [[ $got == YES ]]; then
            jq -r '.witness | map(tostring) | join(" ")' $TMP/d.json > $TMP/w.txt
            $GINV reduce check $TMP/s.safetensors --z $TMP/w.txt | grep -q 'solves the instance: yes' ||
                bad="$bad witness-$seed-$lat"
            # the assignment it prints satisfies the CNF (checked here, independently)
            $GINV reduce check $TMP/s.safetensors --z $TMP/w.txt | sed -n 's/^assignment: //p' > $TMP/a.txt
            awk 'NR == FNR { n = split($0, v, " "); next } /^[pc]/ { next }
                 { ok = 0; for (i = 1; i < NF; i++) { l = $i; x = l < 0 ? -l : l; if ((l > 0) == (v[x] == 1)) ok = 1 }
                   if (!ok) bad = 1 } END { exit bad }' $TMP/a.txt $f || bad="$bad unsat-model-$seed-$lat"
        fi
    done
done
check decide_through_the_commands_agrees_with_minisat test -z "$bad"
[[ -n $bad ]] && echo "  disagreements:$bad"
check cli_minisat_cases_include_sat_and_unsat test $sat -ge 1 -a $unsat -ge 1

# ------------------------------------------------- experiment hardness
check experiment_help_lists_hardness bash -c "$GINV experiment --help | grep -q hardness"
check hardness_help_documents_budget bash -c "$GINV experiment hardness --help | grep -q -- '--time-budget S'"
check hardness_help_documents_timeout bash -c "$GINV experiment hardness --help | grep -q -- '--solver-timeout S'"
expect_error hardness_needs_out 2 "--out DIR is required" -- $GINV experiment hardness
expect_error hardness_unknown_family 2 "unknown family 'knapsack'" -- $GINV experiment hardness --out $TMP/x --families knapsack
expect_error hardness_sizes_increase 2 "sizes must increase" -- $GINV experiment hardness --out $TMP/x --sat-n 10,8
expect_error hardness_cvp_size_range 2 "--cvp-n" -- $GINV experiment hardness --out $TMP/x --cvp-n 40

H=$TMP/h
$GINV experiment hardness --out $H --sat-n 8,10 --cvp-n 4,5 --vc-n 8,10 --instances 3 --time-budget 120 \
    --solver-timeout 20 --fit-min 0 --json $TMP/h.json -q > $TMP/h.txt 2> $TMP/h.err
rc=$?
check hardness_run_exits_0 test $rc -eq 0
[[ $rc -ne 0 ]] && head -5 $TMP/h.err
for file in table.md results.json time_vs_n_sat.png time_vs_n_cvp.png time_vs_n_vertex-cover.png; do
    check "hardness_writes_$file" test -s $H/$file
done
check hardness_plot_is_png bash -c "head -c 8 $H/time_vs_n_sat.png | od -An -c | grep -q 'P   N   G'"
check hardness_json_copy_matches cmp -s $H/results.json $TMP/h.json
check hardness_table_has_fit_row grep -q '^| fit a |' $H/table.md
# -q means only errors (docs/cli.md, "Options"): the fits are in table.md, not on stdout
check hardness_fits_in_table grep -q 'decide Thm 1 (enum)' $H/table.md
check hardness_quiet_prints_nothing test ! -s $TMP/h.txt
# every run: decide answered and agreed with minisat / cliquer / glpsol / cbc; two sizes fitted
check hardness_json_consistent python3 - $H/results.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = True
for fam, want in (("sat", "minisat"), ("cvp", None), ("vertex-cover", "cliquer")):
    F = d["families"][fam]
    if len(F["sizes"]) != 2: ok = False
    if any(v != 0 for v in F["disagreements"].values()): ok = False
    if not (F["fits"]["decide"]["ok"] and F["fits"]["decide"]["points"] == 2): ok = False
    for size in F["sizes"]:
        if size["instances"] != 3 or not size["complete"]: ok = False
        for r in size["runs"]:
            if r["decide"]["state"] != "ok" or r["answer"] != r["decide"]["answer"]: ok = False
            if want and r[want]["answer"] != r["answer"]: ok = False
            for s in ("glpsol", "cbc"):
                if r[s]["state"] == "ok" and r[s]["answer"] != r["answer"]: ok = False
            if r["gd_found"] and r["answer"] != "YES": ok = False
sys.exit(0 if ok else 1)
PY

# a missing solver is reported absent, the rest still runs: PATH holds only gnuplot
mkdir -p $TMP/bin && ln -sf "$(command -v gnuplot)" $TMP/bin/gnuplot
PATH=$TMP/bin $GINV experiment hardness --out $TMP/h2 --families sat --sat-n 6,8 --instances 1 \
    --time-budget 60 > /dev/null 2> $TMP/h2.err
check hardness_without_solvers_exits_0 test $? -eq 0
check hardness_reports_minisat_absent grep -q 'minisat is not installed: reported absent' $TMP/h2.err
check hardness_table_says_absent grep -q '| absent |' $TMP/h2/table.md
check hardness_absent_json_state bash -c "jq -e '.families.sat.sizes[0].runs[0].minisat.state == \"absent\"' $TMP/h2/results.json >/dev/null"
echo done
