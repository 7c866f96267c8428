#!/usr/bin/env bash
# Command-line behaviour of decide and invert-lp: methods agree, the exported
# MILP gives glpsol and cbc the same optimum, stored problems are the
# defaults, the time limit gives UNKNOWN (exit 3), bad input is refused.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

expect_ok decide_help -- $GINV decide --help
check decide_help_documents_write_lp grep -q -- '--write-lp FILE' <($GINV decide --help)
check invert_lp_help_documents_act_tol grep -q -- '--act-tol T' <($GINV invert-lp --help)

B=$TMP/b.safetensors
$GINV net random --layers 8,12,3 --bias --bias-sd 0.5 --seed 2 -o $B >/dev/null
printf '0.1 0.5 0.3\n' > $TMP/t.txt
jqn() { jq -r "$1" "$2"; }

# every method that applies gives the same minimum (binary latents: enum, milp)
for norm in 1 inf exact; do
    d=0.01; [[ $norm == exact ]] && d=0
    $GINV decide --model $B --target $TMP/t.txt --norm $norm --delta $d --latent 01 --method enum --minimize --json $TMP/e.json -q
    $GINV decide --model $B --target $TMP/t.txt --norm $norm --delta $d --latent 01 --method milp --minimize --json $TMP/m.json --write-lp $TMP/m_$norm.lp -q
    check "enum_and_milp_agree_$norm" python3 -c "
import json,sys; e=json.load(open('$TMP/e.json')); m=json.load(open('$TMP/m.json'))
sys.exit(not (e['answer']==m['answer']=='NO' and abs(e['distance']-m['distance'])<1e-6))"
    # the exported MILP: glpsol and cbc find ginv's optimum
    glpsol --lp $TMP/m_$norm.lp -o $TMP/glp.txt >/dev/null 2>&1
    check "glpsol_finds_the_same_optimum_$norm" python3 -c "
import json,re,sys; m=json.load(open('$TMP/m.json'))
v=float(re.search(r'obj = ([-0-9.e+]+)', open('$TMP/glp.txt').read()).group(1))
sys.exit(not abs(v-m['distance'])<1e-6)"
    if command -v cbc >/dev/null; then
        cbc $TMP/m_$norm.lp solve > $TMP/cbc.txt 2>&1
        check "cbc_finds_the_same_optimum_$norm" python3 -c "
import json,re,sys; m=json.load(open('$TMP/m.json'))
v=float(re.findall(r'Objective value:\s+([-0-9.e+]+)', open('$TMP/cbc.txt').read())[-1])
sys.exit(not abs(v-m['distance'])<1e-6)"
    fi
done

# l2 and l3 on binary latents go to enumeration; the JSON carries the certificate
$GINV decide --model $B --target $TMP/t.txt --norm 3 --delta 0.5 --latent pm1 --json $TMP/p3.json -q
for key in answer witness distance method nodes seconds certificate; do
    check "decide_json_has_$key" bash -c "jq -e 'has(\"$key\")' $TMP/p3.json >/dev/null"
done
check enum_certificate_counts_all_latents bash -c "[[ \$(jq '.certificate.visited + .certificate.pruned_latents' $TMP/p3.json) == 256 || \$(jq -r .answer $TMP/p3.json) == YES ]]"

# l3 on real latents: branch and bound with cutting planes; --minimize brackets
# the minimum within the margin, delta just above it is YES and just below NO
printf '0.1 0.5 2.3\n' > $TMP/t3.txt
$GINV decide --model $B --target $TMP/t3.txt --norm 3 --delta 0.01 --latent real:box=1 --minimize --json $TMP/l3.json -q
check l3_real_minimize_brackets_the_minimum python3 -c "
import json,sys; d=json.load(open('$TMP/l3.json')); c=d['certificate']
sys.exit(not (d['answer']=='NO' and c['kind']=='bnb' and c['cuts']>0 and c['cut_budget_hit'] is False
              and 0 < d['upper_bound']-d['lower_bound'] < 2.3e-6))"
up=$(jq .upper_bound $TMP/l3.json); lo=$(jq .lower_bound $TMP/l3.json)
for side in above below; do
    d=$(python3 -c "print($up + 1e-5 if '$side' == 'above' else $lo - 1e-5)")
    $GINV decide --model $B --target $TMP/t3.txt --norm 3 --delta $d --latent real:box=1 -q --json $TMP/l3$side.json
done
check l3_real_yes_just_above test "$(jq -r .answer $TMP/l3above.json)" == YES
check l3_real_no_just_below python3 -c "
import json,sys; d=json.load(open('$TMP/l3below.json'))
sys.exit(not (d['answer']=='NO' and d['lower_bound'] > d['certificate']['threshold']))"

# a YES with its witness: the target is G(z) for a binary z, computed here by
# an independent forward pass over the model file (17 digits: exact works)
forward() { # MODEL Z... -> G(z) on one line
    python3 - "$@" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
hdr = json.loads(raw[8:8 + n]); data = raw[8 + n:]
def tensor(name):
    t = hdr[name]; a, b = t['data_offsets']
    return list(struct.unpack('<%df' % ((b - a) // 4), data[a:b]))
h = [float(v) for v in sys.argv[2:]]
for i, l in enumerate(json.loads(hdr['__metadata__']['ginv'])['layers']):
    if l['type'] == 'dense':
        W = tensor('layers.%d.weight' % i)
        b = tensor('layers.%d.bias' % i) if l.get('bias') else [0.0] * l['out']
        h = [b[r] + sum(W[r * l['in'] + c] * h[c] for c in range(l['in'])) for r in range(l['out'])]
    elif l['type'] == 'relu':
        h = [max(v, 0.0) for v in h]
print(' '.join(repr(v) for v in h))
PY
}
forward $B 1 0 1 1 0 0 1 0 > $TMP/x.txt
$GINV decide --model $B --target $TMP/x.txt --norm exact --latent 01 --json $TMP/y0.json -q
check exact_yes_with_the_planted_witness bash -c "[[ \$(jq -r .answer $TMP/y0.json) == YES && \$(jq -c .witness $TMP/y0.json) == '[1,0,1,1,0,0,1,0]' ]]"
$GINV decide --model $B --target $TMP/x.txt --norm 1 --delta 1e-5 --latent 01 --json $TMP/y.json -q
check yes_with_the_planted_witness bash -c "[[ \$(jq -r .answer $TMP/y.json) == YES && \$(jq -c .witness $TMP/y.json) == '[1,0,1,1,0,0,1,0]' ]]"
$GINV decide --model $B --target $TMP/x.txt --norm 1 --delta 1e-5 --latent 01 --method milp --json $TMP/y2.json -q
check milp_yes_too bash -c "[[ \$(jq -r .answer $TMP/y2.json) == YES ]]"

# real latents: milp (box) and bnb agree on the minimum
R=$TMP/r.safetensors
$GINV net random --layers 3,10,8,3 --bias --bias-sd 0.5 --act relu --seed 5 -o $R >/dev/null
for norm in 1 inf; do
    $GINV decide --model $R --target $TMP/t.txt --norm $norm --delta 0.01 --latent real:box=1 --method milp --minimize --json $TMP/rm.json -q
    $GINV decide --model $R --target $TMP/t.txt --norm $norm --delta 0.01 --latent real:box=1 --method bnb --minimize --json $TMP/rb.json -q
    check "milp_and_bnb_agree_on_boxed_real_$norm" python3 -c "
import json,sys; a=json.load(open('$TMP/rm.json')); b=json.load(open('$TMP/rb.json'))
sys.exit(not abs(a['upper_bound']-b['upper_bound'])<1e-6)"
done

# the stored problem is the default (as `ginv reduce` writes it)
python3 - "$B" "$TMP/s.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
hdr = json.loads(raw[8:8 + n])
hdr['__metadata__']['ginv.problem'] = json.dumps({"target": [0.1, 0.5, 0.3], "delta": 0.01,
    "p": 1, "latent": "01", "source": {"reduction": "hand"}})
h = json.dumps(hdr).encode()
h += b' ' * (-len(h) % 8)
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(h)) + h + raw[8 + n:])
PY
$GINV decide --model $TMP/s.safetensors --json $TMP/s.json -q
check stored_problem_is_the_default bash -c "[[ \$(jq -r .params.target $TMP/s.json) == stored && \$(jq -r .params.norm $TMP/s.json) == 1 && \$(jq -r .answer $TMP/s.json) == NO ]]"
$GINV decide --model $TMP/s.safetensors --delta 0.4 --json $TMP/s2.json -q
check options_override_the_stored_problem bash -c "[[ \$(jq -r .answer $TMP/s2.json) == YES ]]"

# the time limit: UNKNOWN, exit 3, bounds reported
H=$TMP/h.safetensors
$GINV net random --layers 4,30,30,5 --bias --bias-sd 0.5 --seed 4 -o $H >/dev/null
printf '0.1 0.5 0.3 0.2 0.9\n' > $TMP/t5.txt
$GINV decide --model $H --target $TMP/t5.txt --norm 2 --delta 0.01 --latent real --time-limit 0.3 --json $TMP/u.json -q
rc=$?
check time_limit_gives_unknown_exit_3 bash -c "[[ $rc == 3 && \$(jq -r .answer $TMP/u.json) == UNKNOWN ]]"

# bad input: one clear line, non-zero exit, nothing overwritten
echo keep > $TMP/keep.json
printf '1 2\n' > $TMP/short.txt
expect_error target_of_wrong_length 4 "holds 2 values; the net's output has 3" -- $GINV decide --model $B --target $TMP/short.txt --norm 1 --delta 0.1 --latent 01 --json $TMP/keep.json
check failed_run_leaves_json_untouched grep -qx keep $TMP/keep.json
printf '1 nan 2\n' > $TMP/nan.txt
expect_error nan_target 6 "not finite" -- $GINV decide --model $B --target $TMP/nan.txt --norm 1 --delta 0.1 --latent 01
printf '1 abc 2\n' > $TMP/abc.txt
expect_error malformed_target 4 "'abc' is not a number" -- $GINV decide --model $B --target $TMP/abc.txt --norm 1 --delta 0.1 --latent 01
expect_error missing_target_file 5 "cannot open" -- $GINV decide --model $B --target $TMP/none.txt --norm 1 --delta 0.1 --latent 01
expect_error l2_is_not_a_milp 8 "norms exact, 1 and inf" -- $GINV decide --model $B --target $TMP/t.txt --norm 2 --delta 0.1 --latent 01 --method milp
expect_error milp_needs_a_box 8 "box" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta 0.1 --latent real --method milp
expect_error write_lp_needs_a_box 8 "--write-lp" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta 0.1 --latent real --write-lp $TMP/x.lp
expect_error enum_needs_binary 2 "binary latents" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta 0.1 --latent real:box=1 --method enum
expect_error bnb_needs_real 2 "real latents" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta 0.1 --latent 01 --method bnb
expect_error bad_box 2 "finite number > 0" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta 0.1 --latent real:box=-1
expect_error exact_has_no_delta 2 "has no delta" -- $GINV decide --model $B --target $TMP/t.txt --norm exact --delta 0.5 --latent 01
expect_error approximate_needs_delta 2 "needs --delta" -- $GINV decide --model $B --target $TMP/t.txt --norm 2 --latent 01
expect_error no_stored_problem 2 "stores no problem" -- $GINV decide --model $B
expect_error unknown_method 2 "--method" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta 0.1 --latent 01 --method magic
expect_error unknown_norm 2 "unknown norm" -- $GINV decide --model $B --target $TMP/t.txt --norm 2.5 --delta 0.1 --latent 01
expect_error nan_delta 2 "must be finite" -- $GINV decide --model $B --target $TMP/t.txt --norm 1 --delta nan --latent 01
T=$TMP/tanh.safetensors
$GINV net random --layers 3,5 --act tanh --seed 1 -o $T >/dev/null
printf '0 0 0 0 0\n' > $TMP/t0.txt
expect_error tanh_unsupported 8 "tanh" -- $GINV decide --model $T --target $TMP/t0.txt --norm 1 --delta 0.1 --latent 01

# invert-lp: exact recovery on an expansive net, failure on a contractive one
E=$TMP/e.safetensors
$GINV net random --layers 5,50,200 --seed 1 -o $E >/dev/null
$GINV invert-lp --model $E --random-truth --seed 3 --json $TMP/il.json -q
check invert_lp_recovers_expansive_net bash -c "jq -e '.rel_error < 1e-9 and .all_unique' $TMP/il.json >/dev/null"
C=$TMP/c.safetensors
$GINV net random --layers 20,20,10 --seed 1 -o $C >/dev/null
$GINV invert-lp --model $C --random-truth --seed 3 --json $TMP/ic.json -q
check invert_lp_fails_on_contractive_net bash -c "jq -e '(.all_unique | not) and .rel_error > 1e-3' $TMP/ic.json >/dev/null"
expect_error invert_lp_needs_one_source 2 "exactly one" -- $GINV invert-lp --model $E
expect_error invert_lp_target_size 4 "expected 200" -- $GINV invert-lp --model $E --target $TMP/t.txt
echo done
