#!/usr/bin/env bash
# Command-line behaviour of `ginv reduce` (Keles & Hegde 2023 reductions):
# generators, the model files and their problems, map-back, bad input, and
# the reduced nets against reference solvers: minisat (SAT), cliquer
# (half-clique, vertex cover through the complement's max clique) and fplll
# (CVP in l2). Each reduced net is checked over its whole binary latent
# domain with `ginv reduce check`.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

# every binary vector of length k, one a line: values 0/1, or -1/1 with pm1
all_latents() {
    awk -v k="$1" -v pm="${2:-0}" 'BEGIN { for (m = 0; m < 2 ^ k; m++) { s = "";
        for (i = 0; i < k; i++) { b = int(m / 2 ^ i) % 2; if (pm) b = 2 * b - 1; s = s (i ? " " : "") b }
        print s } }'
}
# a JSON number field of a `ginv ... --json` file
jnum() { grep -o "\"$2\":[[:space:]]*[-0-9.e+]*" "$1" | head -1 | sed 's/.*:[[:space:]]*//'; }

# the reference solvers come with scripts/deps.sh (make test installs them)
for solver in minisat cliquer fplll; do
    check "reference_solver_${solver}_installed" bash -c "command -v $solver >/dev/null"
done
check help_lists_reduce bash -c "$GINV --help | grep -q reduce"
check reduce_help_lists_subcommands bash -c "$GINV reduce --help | grep -q half-clique && $GINV reduce --help | grep -q random-lattice"
for s in sat cvp half-clique vertex-cover random-sat random-graph random-lattice check encode; do
    check "reduce_${s}_help" bash -c "$GINV reduce $s --help | grep -q usage"
done

# ---------------------------------------------------------------- generators
$GINV reduce random-sat --n 10 --ratio 4.26 --k 3 --seed 5 -o $TMP/a.cnf >/dev/null
$GINV reduce random-sat --n 10 --ratio 4.26 --k 3 --seed 5 -o $TMP/b.cnf >/dev/null
check random_sat_same_seed_same_file cmp -s $TMP/a.cnf $TMP/b.cnf
check random_sat_header grep -q '^p cnf 10 43$' $TMP/a.cnf
check random_sat_43_clauses test "$(grep -c ' 0$' $TMP/a.cnf)" = 43
$GINV reduce random-graph --n 9 --p-edge 0.5 --seed 2 -o $TMP/g.col >/dev/null
$GINV reduce random-graph --n 9 --p-edge 0.5 --seed 2 -o $TMP/g2.col >/dev/null
check random_graph_same_seed_same_file cmp -s $TMP/g.col $TMP/g2.col
check random_graph_header grep -q '^p edge 9 ' $TMP/g.col
$GINV reduce random-lattice --n 3 --d 3 --seed 4 --basis-out $TMP/B.txt --target-out $TMP/t.txt >/dev/null
check random_lattice_writes_3x3 test "$(wc -l < $TMP/B.txt)" = 3

# ------------------------------------------------- minisat vs Thms 1 and 2
sat=0 unsat=0 bad=""
for seed in 1 2 3 4 5 6 7 8; do
    f=$TMP/s$seed.cnf
    $GINV reduce random-sat --n 10 --ratio $((seed % 2 ? 4 : 6)) --seed $seed -o $f >/dev/null
    minisat -verb=0 $f $TMP/ms.out >/dev/null 2>&1
    verdict=$(head -1 $TMP/ms.out)
    all_latents 10 1 > $TMP/pm.txt
    for lat in pm1 real; do
        $GINV reduce sat $f --latent $lat -o $TMP/s.safetensors >/dev/null || bad="$bad reduce-$seed"
        $GINV reduce check $TMP/s.safetensors --z $TMP/pm.txt --json $TMP/c.json >/dev/null || bad="$bad check-$seed"
        w=$(jnum $TMP/c.json within) wrong=$(jnum $TMP/c.json within_not_solving)
        [[ $wrong == 0 ]] || bad="$bad wrong-$seed-$lat"
        if [[ $verdict == SAT ]]; then [[ $w -gt 0 ]] || bad="$bad sat-$seed-$lat"
        else [[ $w == 0 ]] || bad="$bad unsat-$seed-$lat"; fi
    done
    if [[ $verdict == SAT ]]; then
        sat=$((sat + 1))
        # minisat's model, encoded by the proof, is a witness of both nets
        awk 'NR == 2 { for (i = 1; i < NF; i++) printf "%d ", ($i > 0); print "" }' $TMP/ms.out > $TMP/model.txt
        for lat in pm1 real; do
            $GINV reduce sat $f --latent $lat -o $TMP/s.safetensors >/dev/null
            $GINV reduce encode $TMP/s.safetensors --solution $TMP/model.txt -o $TMP/z.txt >/dev/null
            $GINV reduce check $TMP/s.safetensors --z $TMP/z.txt --json $TMP/c.json >/dev/null
            grep -q '"solves":[[:space:]]*true' $TMP/c.json && [[ $(jnum $TMP/c.json within) == 1 ]] ||
                bad="$bad model-$seed-$lat"
        done
    else
        unsat=$((unsat + 1))
    fi
done
check minisat_agrees_with_thm1_and_thm2_nets test -z "$bad"
[[ -n $bad ]] && echo "  disagreements:$bad"
check minisat_cases_include_sat_and_unsat test $sat -ge 2 -a $unsat -ge 2

# --------------------------------------------- cliquer vs Thm 5 and §5.3
# complement of a DIMACS graph (for vertex cover = n - max clique of it)
complement() {
    awk '/^p/ { n = $3 } /^e/ { a[$2 " " $3] = 1; a[$3 " " $2] = 1 }
         END { m = 0; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (!((i " " j) in a)) { m++; e[m] = i " " j }
               print "p edge", n, m; for (x = 1; x <= m; x++) print "e", e[x] }' "$1"
}
yes_hc=0 no_hc=0 bad=""
all_latents 10 > $TMP/01.txt
for seed in 1 2 3 4 5 6; do
    g=$TMP/h$seed.col
    $GINV reduce random-graph --n 10 --p-edge 0.$((55 + 5 * seed)) --seed $seed -o $g >/dev/null
    clique=$(cliquer -u -m 5 -M 5 -q -q $g | sed -n 's/.*:[[:space:]]*//p' | head -1)
    p=$((seed % 2 + 2))
    $GINV reduce half-clique $g --p $p -o $TMP/h.safetensors >/dev/null || bad="$bad reduce-$seed"
    $GINV reduce check $TMP/h.safetensors --z $TMP/01.txt --json $TMP/c.json >/dev/null || bad="$bad check-$seed"
    w=$(jnum $TMP/c.json within)
    [[ $(jnum $TMP/c.json within_not_solving) == 0 ]] || bad="$bad wrong-$seed"
    if [[ -n $clique ]]; then
        yes_hc=$((yes_hc + 1))
        [[ $w -gt 0 ]] || bad="$bad hc-yes-$seed"
        # cliquer's clique, encoded, is a witness
        awk -v s="$clique" 'BEGIN { split(s, v, " "); for (i in v) in_[v[i]] = 1; for (i = 1; i <= 10; i++) printf "%d ", (i in in_); print "" }' > $TMP/cl.txt
        $GINV reduce encode $TMP/h.safetensors --solution $TMP/cl.txt -o $TMP/z.txt >/dev/null
        $GINV reduce check $TMP/h.safetensors --z $TMP/z.txt | grep -q 'solves the instance: yes' || bad="$bad hc-enc-$seed"
    else
        no_hc=$((no_hc + 1))
        [[ $w == 0 ]] || bad="$bad hc-no-$seed"
    fi
    # vertex cover: tau = n - omega(complement); sizes tau (YES) and tau - 1 (NO)
    complement $g > $TMP/gc.col
    omega=$(cliquer -u -q -q $TMP/gc.col | sed -n 's/^size=\([0-9]*\),.*/\1/p' | head -1)
    tau=$((10 - omega))
    for q in $tau $((tau - 1)); do
        $GINV reduce vertex-cover $g --size $q --p $p -o $TMP/v.safetensors >/dev/null || bad="$bad vc-reduce-$seed"
        $GINV reduce check $TMP/v.safetensors --z $TMP/01.txt --json $TMP/c.json >/dev/null
        w=$(jnum $TMP/c.json within)
        [[ $(jnum $TMP/c.json within_not_solving) == 0 ]] || bad="$bad vc-wrong-$seed-$q"
        if [[ $q == "$tau" ]]; then [[ $w -gt 0 ]] || bad="$bad vc-yes-$seed"
        else [[ $w == 0 ]] || bad="$bad vc-no-$seed"; fi
    done
done
check cliquer_agrees_with_half_clique_and_vertex_cover_nets test -z "$bad"
[[ -n $bad ]] && echo "  disagreements:$bad"
check cliquer_cases_include_yes_and_no test $yes_hc -ge 1 -a $no_hc -ge 1

# ------------------------------------- cliquer vs Thm 6 (real latents, 5 layers)
# every set S of 8 vertices encoded as z = B 1_S (B the stored box) is within
# delta exactly when S is a half-clique; cliquer's clique, encoded, solves the
# instance; `decide` (l2 and l4, over R^n) answers as cliquer on 4-vertex graphs, at
# the default bound (any half-clique) and at --bound 1 (weight < 1: NO).
yes6=0 no6=0 bad=""
all_latents 8 > $TMP/01_8.txt
for seed in 1 2 3 4; do
    g=$TMP/r$seed.col
    $GINV reduce random-graph --n 8 --p-edge 0.$((50 + 10 * seed)) --seed $((seed + 20)) -o $g >/dev/null
    clique=$(cliquer -u -m 4 -M 4 -q -q $g | sed -n 's/.*:[[:space:]]*//p' | head -1)
    $GINV reduce half-clique $g --p 2 --latent real -o $TMP/h6.safetensors --json $TMP/h6.json >/dev/null || bad="$bad reduce-$seed"
    B=$(jnum $TMP/h6.json box)
    awk -v B="$B" '{ for (i = 1; i <= NF; i++) $i = $i * B; print }' $TMP/01_8.txt > $TMP/01B.txt
    $GINV reduce check $TMP/h6.safetensors --z $TMP/01B.txt --json $TMP/c.json >/dev/null || bad="$bad check-$seed"
    w=$(jnum $TMP/c.json within)
    [[ $(jnum $TMP/c.json within_not_solving) == 0 ]] || bad="$bad wrong-$seed"
    if [[ -n $clique ]]; then
        yes6=$((yes6 + 1))
        [[ $w -gt 0 ]] || bad="$bad yes-$seed"
        awk -v s="$clique" 'BEGIN { split(s, v, " "); for (i in v) in_[v[i]] = 1; for (i = 1; i <= 8; i++) printf "%d ", (i in in_); print "" }' > $TMP/cl.txt
        $GINV reduce encode $TMP/h6.safetensors --solution $TMP/cl.txt -o $TMP/z.txt >/dev/null
        $GINV reduce check $TMP/h6.safetensors --z $TMP/z.txt | grep -q 'solves the instance: yes' || bad="$bad enc-$seed"
    else
        no6=$((no6 + 1))
        [[ $w == 0 ]] || bad="$bad no-$seed"
    fi
    g4=$TMP/q$seed.col
    $GINV reduce random-graph --n 4 --p-edge 0.$((seed * 2)) --seed $((seed + 30)) -o $g4 >/dev/null
    want=NO
    [[ -n $(cliquer -u -m 2 -M 2 -q -q $g4 | head -1) ]] && want=YES
    for bound in default 1; do
        opt=(); [[ $bound == 1 ]] && opt=(--bound 1) && want=NO
        for p in 2 4; do # l4: Theorem 6's norm, decided by cutting planes
            $GINV reduce half-clique $g4 --p $p --latent real "${opt[@]}" -o $TMP/h4.safetensors >/dev/null || bad="$bad reduce4-$seed"
            $GINV decide --model $TMP/h4.safetensors --time-limit 60 -q --json $TMP/d.json
            grep -q "\"answer\":[[:space:]]*\"$want\"" $TMP/d.json || bad="$bad decide-$seed-$bound-l$p"
        done
    done
done
check cliquer_agrees_with_thm6_real_half_clique_nets test -z "$bad"
[[ -n $bad ]] && echo "  disagreements:$bad"
check cliquer_thm6_cases_include_yes_and_no test $yes6 -ge 1 -a $no6 -ge 1
expect_error half_clique_latent_pm1_refused 2 "--latent 'pm1' must be 01 or real" -- $GINV reduce half-clique $TMP/r1.col --p 2 --latent pm1 -o $TMP/x6.safetensors

# ----------------------------------------------------- fplll vs Thm 3 (l2)
# fplll's closest lattice vector (integer coefficients) is at least as close
# as any binary combination: with a radius just below its distance the
# reduced net has no latent within delta; with the radius at the best binary
# distance it has one, and it maps back to exactly that distance.
fp_bad="" fp_yes=0
all_latents 8 > $TMP/l8.txt
for seed in 1 2 3 4 5 6; do
    $GINV reduce random-lattice --n 4 --d 4 --range 6 --noise $((seed % 3)) --seed $seed \
        --basis-out $TMP/B.txt --target-out $TMP/t.txt >/dev/null
    v=$( { printf '['; sed 's/.*/[&]/' $TMP/B.txt | tr -d '\n'; printf '] [%s]\n' "$(cat $TMP/t.txt)"; } | fplll -a cvp)
    dz=$(awk -v v="$v" -v t="$(cat $TMP/t.txt)" 'BEGIN { gsub(/[\[\]]/, "", v); split(v, a, " "); split(t, b, " ");
         s = 0; for (i in b) s += (a[i] - b[i]) ^ 2; printf "%.12f", sqrt(s) }')
    r=$(awk -v d="$dz" 'BEGIN { printf "%.12f", (d > 0.001 ? d - 0.001 : 0) }')
    $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius $r --p 2 --latent 01 -o $TMP/cv.safetensors >/dev/null
    $GINV reduce check $TMP/cv.safetensors --z $TMP/l8.txt --json $TMP/c.json >/dev/null
    if awk -v d="$dz" 'BEGIN { exit !(d > 0.001) }'; then
        [[ $(jnum $TMP/c.json within) == 0 ]] || fp_bad="$fp_bad below-$seed"
    else
        fp_yes=$((fp_yes + 1)) # t = B y0 with y0 binary (planted, no noise): radius 0 is a YES
        [[ $(jnum $TMP/c.json within) -gt 0 ]] || fp_bad="$fp_bad exact-$seed"
    fi
    # the best binary distance, from the net: with a generous radius, the smallest map-back value
    $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 1000 --p 2 --latent 01 -o $TMP/cv.safetensors >/dev/null
    best=""
    while read -r line; do
        echo "$line" > $TMP/one.txt
        $GINV reduce check $TMP/cv.safetensors --z $TMP/one.txt --json $TMP/o.json >/dev/null
        grep -q '"encoding_ok":[[:space:]]*true' $TMP/o.json || continue
        val=$(jnum $TMP/o.json value)
        best=$(awk -v a="$best" -v b="$val" 'BEGIN { print ((a == "" || b + 0 < a + 0) ? b : a) }')
    done < <(awk -F' ' '{ ok = 1; for (i = 1; i < NF; i += 2) if ($i == $(i + 1)) ok = 0; if (ok) print }' $TMP/l8.txt)
    awk -v b="$best" -v d="$dz" 'BEGIN { exit !(b + 1e-9 >= d) }' || fp_bad="$fp_bad binary-beats-fplll-$seed"
    $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius "$best" --p 2 --latent 01 -o $TMP/cv.safetensors >/dev/null
    $GINV reduce check $TMP/cv.safetensors --z $TMP/l8.txt --json $TMP/c.json >/dev/null
    [[ $(jnum $TMP/c.json within) -gt 0 && $(jnum $TMP/c.json within_not_solving) == 0 ]] || fp_bad="$fp_bad at-best-$seed"
done
check fplll_agrees_with_thm3_nets test -z "$fp_bad"
[[ -n $fp_bad ]] && echo "  disagreements:$fp_bad"
check fplll_cases_include_exact_lattice_targets test $fp_yes -ge 1

# ----------------------------------------------------- files and JSON
$GINV reduce sat $TMP/a.cnf --latent real -o $TMP/r.safetensors --json $TMP/r.json >/dev/null
for key in '"reduction":' '"architecture":' '"kind":' '"theorem":' '"paper":' '"file":' '"clamp":'; do
    check "sat_json_has_${key//[^a-z]/}" grep -q "$key" $TMP/r.json
done
check sat_real_is_four_relu_layers bash -c "$GINV info $TMP/r.safetensors | grep -c relu | grep -qx 4"
$GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 0.5 --p 3 --latent real -o $TMP/c.safetensors \
    --json $TMP/c.json >/dev/null
check cvp_half_radius_uses_appendix_a grep -q '"theorem":[[:space:]]*"4 (App. A)"' $TMP/c.json
check cvp_appendix_constant_c grep -q '"c":[[:space:]]*4' $TMP/c.json
$GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 0.2 --p 1 --latent real -o $TMP/c.safetensors \
    --json $TMP/c.json >/dev/null
check cvp_small_radius_uses_thm4 grep -q '"theorem":[[:space:]]*"4"' $TMP/c.json
check cvp_thm4_w4_is_4 grep -q '"w4":[[:space:]]*4' $TMP/c.json

# --------------------------------------------------------------- bad input
printf 'p cnf 3 1\n1 -4 0\n' > $TMP/bad.cnf
expect_error sat_bad_literal 4 "bad.cnf': line 2: literal -4 names variable 4" -- $GINV reduce sat $TMP/bad.cnf --latent pm1 -o $TMP/x.safetensors
check sat_bad_writes_nothing test ! -e $TMP/x.safetensors
printf 'p cnf 3 1\n1 -2 0\n%%\n0\n' > $TMP/satlib.cnf
expect_error sat_strict_refuses_percent 4 "line 3: '%' is SATLIB's end marker" -- $GINV reduce sat $TMP/satlib.cnf --latent pm1 -o $TMP/x.safetensors
expect_ok sat_lenient_takes_percent -- $GINV reduce sat $TMP/satlib.cnf --latent pm1 --lenient -o $TMP/x.safetensors
cp $TMP/r.safetensors $TMP/keep.safetensors
expect_error sat_error_keeps_old_output 4 "names variable 4" -- $GINV reduce sat $TMP/bad.cnf --latent real -o $TMP/r.safetensors
check sat_old_output_untouched cmp -s $TMP/r.safetensors $TMP/keep.safetensors
expect_error sat_missing_file 5 "cannot open" -- $GINV reduce sat $TMP/nope.cnf --latent pm1 -o $TMP/x.safetensors
expect_error sat_needs_latent 2 "--latent pm1|real is required" -- $GINV reduce sat $TMP/a.cnf -o $TMP/x.safetensors
expect_error sat_latent_01_refused 2 "--latent '01' must be pm1 or real" -- $GINV reduce sat $TMP/a.cnf --latent 01 -o $TMP/x.safetensors
printf 'p edge 3 2\ne 1 2\ne 2 2\n' > $TMP/loop.col
expect_error graph_self_loop 4 "loop.col': line 3: self-loop on vertex 2" -- $GINV reduce vertex-cover $TMP/loop.col --size 1 --p 2 -o $TMP/x2.safetensors
expect_error half_clique_odd_n 2 "even number of vertices" -- $GINV reduce half-clique $TMP/g.col --p 2 -o $TMP/x2.safetensors
expect_error half_clique_inf_norm 2 "--p 'inf' must be an integer in 1..64" -- $GINV reduce half-clique $TMP/g.col --p inf -o $TMP/x2.safetensors
expect_error vertex_cover_needs_size 2 "--size Q is required" -- $GINV reduce vertex-cover $TMP/g.col --p 2 -o $TMP/x2.safetensors
printf '1 2\n' > $TMP/t2.txt
printf '1 0 2\n0 3 1\n' > $TMP/B3.txt
expect_error cvp_target_length 4 "t2.txt': target: 2 values, but the basis vectors have 3" -- $GINV reduce cvp --basis $TMP/B3.txt --target $TMP/t2.txt --radius 1 --p 1 --latent 01 -o $TMP/x3.safetensors
expect_error cvp_bad_norm 2 "--p 'exact' must be an integer" -- $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 1 --p exact --latent 01 -o $TMP/x3.safetensors
expect_error cvp_negative_radius 2 "--radius" -- $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius -1 --p 1 --latent 01 -o $TMP/x3.safetensors
expect_error check_wrong_latent_size 4 "the net's latent has 10" -- $GINV reduce check $TMP/r.safetensors --z $TMP/t.txt
$GINV net random --layers 3,5 -o $TMP/plain.safetensors >/dev/null
expect_error check_needs_a_problem 4 "holds a net but no problem" -- $GINV reduce check $TMP/plain.safetensors --z $TMP/t.txt
printf '1 0 2 0\n' > $TMP/sol3.txt
expect_error encode_bad_certificate 2 "entries must be 0 or 1" -- $GINV reduce encode $TMP/c.safetensors --solution $TMP/sol3.txt -o $TMP/z3.txt
expect_error unknown_subcommand 2 "unknown subcommand 'solve'" -- $GINV reduce solve

# a problem whose source disagrees with its net (issue 18 item 1: the message
# read the source after freeing it: a segfault, rc 139, no message)
printf 'p cnf 3 2\n1 -2 0\n2 3 0\n' > $TMP/three.cnf
$GINV reduce sat $TMP/three.cnf --latent pm1 -o $TMP/three.safetensors >/dev/null
python3 - "$TMP/three.safetensors" "$TMP/three_bad.safetensors" <<'PY'
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
pb = json.loads(h['__metadata__']['ginv.problem'])
pb['source']['n'] = 4
h['__metadata__']['ginv.problem'] = json.dumps(pb)
t = json.dumps(h).encode()
t += b' ' * (-len(t) % 8)
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(t)) + t + b[8 + n:])
PY
printf -- '-1 1 1\n' > $TMP/z3.txt
expect_error check_source_disagrees_with_net 4 "does not match its problem's source (sat, latent 4" -- \
    $GINV reduce check $TMP/three_bad.safetensors --z $TMP/z3.txt
echo done
