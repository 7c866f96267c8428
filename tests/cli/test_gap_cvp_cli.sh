#!/usr/bin/env bash
# Command-line behaviour of Gap-CVP_gamma (Keles & Hegde 2023, §3.3, §5.1):
# `ginv reduce random-gap-cvp` makes planted YES and certified NO instances,
# checked here against fplll's exact closest vector (l2, all of Z^n); `ginv
# reduce cvp --gap` reduces them; `ginv decide` says YES at delta = r with a
# witness that maps back to a lattice vector within r, and NO on the NO
# instances, also at delta = gamma r (the same net: --radius gamma r --gap 1
# builds identical layers), for binary (Thm 3) and real (App. A) latents.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

jnum() { grep -o "\"$2\":[[:space:]]*[-0-9.e+]*" "$1" | head -1 | sed 's/.*:[[:space:]]*//'; }
# fplll's closest vector to the target, as an l2 distance
fplll_dist() {
    local v
    v=$( { printf '['; sed 's/.*/[&]/' "$1" | tr -d '\n'; printf '] [%s]\n' "$(cat "$2")"; } | fplll -a cvp)
    awk -v v="$v" -v t="$(cat "$2")" 'BEGIN { gsub(/[\[\]]/, "", v); split(v, a, " "); split(t, b, " ");
        s = 0; for (i in b) s += (a[i] - b[i]) ^ 2; printf "%.12f", sqrt(s) }'
}
answer() { $GINV decide --model "$1" | sed -n 's/^answer: //p'; }

check reference_solver_fplll_installed bash -c "command -v fplll >/dev/null"
check reduce_random_gap_cvp_help bash -c "$GINV reduce random-gap-cvp --help | grep -q usage"
check reduce_cvp_help_names_gap bash -c "$GINV reduce cvp --help | grep -q -- --gap"

# ---------------------------------------------- generator against fplll (l2)
bad="" yes=0 no=0
r=3 gamma=2
for seed in 1 2 3 4 5 6; do
    n=$((4 + seed % 3))
    for a in yes no; do
        $GINV reduce random-gap-cvp --n $n --d $((n + 1)) --radius $r --gap $gamma --answer $a --seed $seed \
            --basis-out $TMP/B.txt --target-out $TMP/t.txt --solution-out $TMP/y.txt --json $TMP/g.json >/dev/null ||
            { bad="$bad gen-$a-$seed"; continue; }
        dz=$(fplll_dist $TMP/B.txt $TMP/t.txt)
        if [[ $a == yes ]]; then
            awk -v d="$dz" -v r=$r 'BEGIN { exit !(d <= r + 1e-9) }' || bad="$bad yes-far-$seed($dz)"
            # our exact distance is fplll's
            awk -v d="$dz" -v g="$(jnum $TMP/g.json dist)" 'BEGIN { exit !(d - g < 1e-9 && g - d < 1e-9) }' ||
                bad="$bad dist-$seed"
            yes=$((yes + 1))
        else
            awk -v d="$dz" -v g=$((r * gamma)) 'BEGIN { exit !(d > g) }' || bad="$bad no-near-$seed($dz)"
            no=$((no + 1))
        fi
        # ------------------------------------- the gap reduction, Thm 3 (binary)
        $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius $r --gap $gamma --p 2 --latent 01 \
            -o $TMP/c.safetensors >/dev/null
        if [[ $a == yes ]]; then
            [[ $(answer $TMP/c.safetensors) == YES ]] || bad="$bad decide-yes-$seed"
            $GINV decide --model $TMP/c.safetensors -q --json $TMP/d.json >/dev/null
            tr -d '\n\t ' < $TMP/d.json | sed 's/.*"witness":\[\([^]]*\)\].*/\1/' | tr ',' ' ' > $TMP/z.txt
            $GINV reduce check $TMP/c.safetensors --z $TMP/z.txt --json $TMP/w.json >/dev/null
            grep -q '"solves":[[:space:]]*true' $TMP/w.json || bad="$bad witness-$seed"
            awk -v v="$(jnum $TMP/w.json value)" -v r=$r 'BEGIN { exit !(v <= r) }' || bad="$bad witness-far-$seed"
            # the planted y0, encoded, is a witness too
            $GINV reduce encode $TMP/c.safetensors --solution $TMP/y.txt -o $TMP/z0.txt >/dev/null
            $GINV reduce check $TMP/c.safetensors --z $TMP/z0.txt --json $TMP/w.json >/dev/null
            grep -q '"solves":[[:space:]]*true' $TMP/w.json || bad="$bad planted-$seed"
        else
            [[ $(answer $TMP/c.safetensors) == NO ]] || bad="$bad decide-no-$seed"
            # at delta = gamma r: the same layers, still NO (every latent is farther)
            $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius $((r * gamma)) --p 2 --latent 01 \
                -o $TMP/c6.safetensors >/dev/null
            [[ $(answer $TMP/c6.safetensors) == NO ]] || bad="$bad decide-no-gamma-r-$seed"
        fi
    done
done
check gap_cvp_generator_agrees_with_fplll_and_decide test -z "$bad"
[[ -n $bad ]] && echo "  disagreements:$bad"
check gap_cvp_cases_include_yes_and_no test $yes -ge 6 -a $no -ge 6

# ------------------------------------- real latents (Thm 4 / App. A front end)
bad=""
for seed in 5 6; do
    for a in yes no; do
        $GINV reduce random-gap-cvp --n 2 --d 3 --radius 1 --gap 2 --answer $a --seed $seed \
            --basis-out $TMP/B.txt --target-out $TMP/t.txt >/dev/null
        $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 1 --gap 2 --p 2 --latent real \
            -o $TMP/r.safetensors --json $TMP/r.json >/dev/null
        grep -q '"gamma":[[:space:]]*2' $TMP/r.json || bad="$bad json-$seed"
        if [[ $a == yes ]]; then
            [[ $(answer $TMP/r.safetensors) == YES ]] || bad="$bad real-yes-$seed"
        else
            $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 2 --p 2 --latent real \
                -o $TMP/r2.safetensors >/dev/null
            [[ $(answer $TMP/r2.safetensors) == NO ]] || bad="$bad real-no-gamma-r-$seed"
        fi
    done
done
check gap_cvp_real_latents_yes_at_r_no_at_gamma_r test -z "$bad"
[[ -n $bad ]] && echo "  disagreements:$bad"

# ------------------------------------------------------------------ bad input
expect_error gap_below_one_refused 2 "--gap" -- $GINV reduce cvp --basis $TMP/B.txt --target $TMP/t.txt --radius 1 \
    --gap 0.5 --p 2 --latent 01 -o $TMP/x.safetensors
expect_error gap_answer_required 2 "--answer" -- $GINV reduce random-gap-cvp --n 2 --d 3 --radius 1 \
    --basis-out $TMP/x.txt --target-out $TMP/xt.txt
expect_error gap_n_above_d_refused 2 "n <= d" -- $GINV reduce random-gap-cvp --n 4 --d 3 --radius 1 --answer no \
    --basis-out $TMP/x.txt --target-out $TMP/xt.txt
expect_error gap_no_far_target_found 6 "no target" -- $GINV reduce random-gap-cvp --n 3 --d 3 --radius 100000 \
    --answer no --tries 2 --basis-out $TMP/x.txt --target-out $TMP/xt.txt
check gap_failure_writes_nothing test ! -e $TMP/x.txt
expect_error gap_bad_norm 2 "--p" -- $GINV reduce random-gap-cvp --n 2 --d 3 --radius 1 --answer yes --p 2.5 \
    --basis-out $TMP/x.txt --target-out $TMP/xt.txt
echo done
