#!/usr/bin/env bash
# test_vocabulary.sh — one option vocabulary (docs/cli.md, "Options"): every
# option of every command's and subcommand's --help is in the table there;
# an option whose name has two meanings, a value outside its documented
# forms, a help text outside its meaning's family, or a default that differs
# from the documented one (and is not listed there as intended) fails.
# The checker also runs on a help dump with a conflicting option planted in
# it, and must fail there: the test cannot pass by checking nothing.
source "$(dirname "$0")/lib.sh"
DOC=${DOC:-docs/cli.md}

# every command and subcommand with an option table
CMDS=("recover" "info" "theory g" "theory rho" "theory h" "experiment recovery" "experiment cs"
      "experiment hardness" "demo" "demo random" "cs" "wdc" "rric" "landscape" "sample" "train vae" "train score"
      "plot" "reduce sat" "reduce cvp" "reduce half-clique" "reduce vertex-cover" "reduce random-sat"
      "reduce random-graph" "reduce random-lattice" "reduce random-gap-cvp" "reduce check" "reduce encode" "sweep" "results"
      "decide" "invert-lp" "net random" "net extract" "net oneway" "encoder train" "encoder eval" "encoder build" "encoder sample" "encoder distance" "import" "export" "generate")

# a new top-level command must be added to CMDS (and so to the check)
missing=""
for c in $($GINV --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} /^$/{if (on) on++} on>2{exit}'); do
    [[ $c == version ]] && continue
    found=0
    for k in "${CMDS[@]}"; do [[ ${k%% *} == "$c" ]] && found=1; done
    [[ $found == 1 ]] || missing+=" $c"
done
if [[ -z $missing ]]; then ok every_command_is_checked; else fail every_command_is_checked "not in CMDS:$missing"; fi

# the dump: "### CMD" then the command's --help
dump=$TMP/help.txt
for c in "${CMDS[@]}"; do
    echo "### $c"
    # shellcheck disable=SC2086
    $GINV $c --help 2>&1 || echo "(--help failed)"
done >"$dump"

checker=$TMP/check.py
cat >"$checker" <<'EOF'
import re, sys
doc_path, dump_path = sys.argv[1], sys.argv[2]

# --- the documented vocabulary: the table under "## Options" in docs/cli.md
rows = {}   # name -> list of rows
text = open(doc_path, encoding="utf-8").read()
sec = re.search(r"^## Options\n(.*?)(?=^## |\Z)", text, re.S | re.M)
if not sec:
    print("no '## Options' section in " + doc_path); sys.exit(1)
problems = []
for line in sec.group(1).splitlines():
    if not line.startswith("| `--"):
        continue
    # columns split at unescaped '|'; '\|' inside a value is a literal '|'
    cols = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
    # | option | commands | value | meaning | help says | default |
    if len(cols) != 6:
        problems.append("docs row has %d columns, not 6: %s" % (len(cols), line)); continue
    name = re.findall(r"`--([a-z0-9-]+)`", cols[0])[0]
    scope = "any" if cols[1] == "any" else re.findall(r"`([^`]+)`", cols[1])
    values = re.findall(r"`([^`]+)`", cols[2]) + (["(flag)"] if "flag" in re.sub(r"`[^`]*`", "", cols[2]) else [])
    keys = [k.lower() for k in re.findall(r"`([^`]+)`", cols[4])]
    dtok = re.findall(r"`([^`]*)`", cols[5])
    main = dtok[0] if dtok else "none"
    excepts = {}
    for t in dtok[1:]:
        if "=" in t:
            c, v = t.split("=", 1); excepts[c.strip()] = v
    rows.setdefault(name, []).append(dict(scope=scope, values=values, keys=keys, default=main,
                                          excepts=excepts, line=line))

# --- the help texts
LINE = re.compile(r"^  (?:-\w, |    )--([a-z0-9][a-z0-9-]*)( \S+)?(  +| )?(.*)$")
cmd = None
seen = []
for l in open(dump_path, encoding="utf-8").read().splitlines():
    if l.startswith("### "): cmd = l[4:]; continue
    m = LINE.match(l)
    if not m or m.group(1) == "help": continue
    name, meta, sep, rest = m.groups()
    # a flag is followed by two or more spaces; a value's name by one space
    if meta and re.match(r"^  (?:-\w, |    )--" + re.escape(name) + "  ", l):
        rest, meta = (meta.strip() + " " + rest).strip(), None
    meta = meta.strip() if meta else "(flag)"
    help_ = rest.strip()
    dm = re.search(r" \[([^\[\]]*)\]$", help_)
    default = dm.group(1) if dm else "none"
    seen.append((cmd, name, meta, help_, default))

for cmd, name, meta, help_, default in seen:
    where = "%s --%s" % (cmd, name)
    cand = rows.get(name)
    if not cand:
        problems.append("%s: not in docs/cli.md's Options table" % where); continue
    mine = [r for r in cand if r["scope"] != "any" and cmd in r["scope"]]
    if not mine: mine = [r for r in cand if r["scope"] == "any"]
    if len(mine) != 1:
        problems.append("%s: %s rows of the Options table apply (one meaning per command)" %
                        (where, "no" if not mine else "several")); continue
    r = mine[0]
    if meta not in r["values"]:
        problems.append("%s %s: a value form not in the table (%s): another meaning?" %
                        (where, meta, ", ".join(r["values"])))
    if r["keys"] and not any(k in help_.lower() for k in r["keys"]):
        problems.append("%s: help '%s' says none of %s: another meaning?" % (where, help_, r["keys"]))
    want = r["excepts"].get(cmd, r["default"])
    if default != want:
        problems.append("%s: default [%s], the table says %s (list it as `%s=%s` with the reason)" %
                        (where, default, want, cmd, default))

# an option name with two meanings: two rows must not both apply anywhere
for name, rs in rows.items():
    anys = [r for r in rs if r["scope"] == "any"]
    if len(anys) > 1: problems.append("--%s: %d rows apply to any command" % (name, len(anys)))
    used = {}
    for r in rs:
        if r["scope"] == "any": continue
        for c in r["scope"]:
            if c in used: problems.append("--%s: two rows name %s" % (name, c))
            used[c] = 1

for p in problems: print(p)
print("%d options checked, %d problems" % (len(seen), len(problems)))
sys.exit(1 if problems else 0)
EOF

out=$(python3 "$checker" "$DOC" "$dump" 2>&1)
if [[ $? -eq 0 ]]; then ok vocabulary_one_meaning_one_default; else fail vocabulary_one_meaning_one_default "$(tr '\n' ';' <<<"$out")"; fi
n=$(grep -oE '^[0-9]+ options checked' <<<"$out" | cut -d' ' -f1)
check vocabulary_saw_the_options test "${n:-0}" -gt 300

# planted conflicts: the checker must catch each one
plant() { # plant NAME LINE-UNDER-### recover
    awk -v add="$2" '{print} $0 == "### recover" {print "options:"; print add}' "$dump" >"$TMP/planted.txt"
    if python3 "$checker" "$DOC" "$TMP/planted.txt" >/dev/null 2>&1; then
        fail "$1" "the checker passed a help with: $2"
    else
        ok "$1"
    fi
}
plant catches_second_meaning '      --init zero|gd             chain start [zero]'
plant catches_other_default '      --seed S                   random seed [7]'
plant catches_other_help_family '      --threads T                worker processes'
plant catches_undocumented_option '      --frobnicate N             something new [3]'

# the deprecated spellings work, warn once and name the new one
err=$($GINV experiment cs --ms 10 --ms 20 2>&1 >/dev/null)
n=$(grep -c 'warning: --ms is deprecated; use --m' <<<"$err")
check deprecated_alias_warns_once test "$n" = 1
check deprecated_alias_still_parses grep -q -- '--model and --out are required' <<<"$err"
expect_error unknown_option_suggests 2 "did you mean --iters?" -- $GINV recover --iter 5
check deprecated_not_suggested bash -c "! $GINV sample --int x 2>&1 | grep -q 'did you mean --init?'"
check help_lists_deprecated bash -c "$GINV sample --help | grep -q -- '--init (now --start)'"

# --threads: GINV_THREADS is the default, a bad value is ignored with a warning
M=$TMP/g.safetensors
$GINV net random --layers 4,12,24 --seed 3 -o "$M" >/dev/null
a=$(GINV_THREADS=1 $GINV recover --model "$M" --m 20 --iters 30 --trials 3 --json - -q)
b=$(GINV_THREADS=2 $GINV recover --model "$M" --m 20 --iters 30 --trials 3 --json - -q)
strip() { grep -v seconds <<<"$1"; }
check threads_results_do_not_depend [ "$(strip "$a")" = "$(strip "$b")" ]
err=$(GINV_THREADS=zero $GINV recover --model "$M" --m 20 --iters 5 -q 2>&1 >/dev/null)
check bad_ginv_threads_warns grep -q "GINV_THREADS='zero'" <<<"$err"

# -q: only errors, in every command that prints a table
out=$($GINV recover --model "$M" --m 20 --iters 5 -q 2>&1)
check quiet_recover_prints_nothing [ -z "$out" ]
out=$($GINV demo random --layers 4,12,24 --trials 2 --iters 5 --restarts 1 -q 2>&1)
check quiet_demo_random_prints_nothing [ -z "$out" ]

# demo random --out DIR: table.md and results.json with command, version, params
expect_ok demo_random_out -- $GINV demo random --layers 4,12,24 --trials 2 --iters 5 --restarts 1 --out "$TMP/dr" -q
check demo_random_table_md grep -q '| m | algo | success |' "$TMP/dr/table.md"
check demo_random_json_params python3 -c "
import json; d = json.load(open('$TMP/dr/results.json'))
assert d['command'] == 'demo random' and 'version' in d and d['params']['trials'] == 2"

# JSON: command, version, params at the top level; numbers as numbers
check theory_json_params python3 -c "
import json, subprocess
d = json.loads(subprocess.run(['$GINV', 'theory', 'rho', '--depth', '3', '--json', '-'], capture_output=True, text=True).stdout)
assert d['command'] == 'theory rho' and 'version' in d and d['params']['depth'] == 3"
check recover_json_vocabulary python3 -c "
import json; d = json.loads('''$a''')
p = d['params']; assert d['command'] == 'recover' and 'start_scale' in p and p['op'] == 'gaussian'"

# --op gaussian means N(0, 1/m) everywhere; cs says so when it is asked for
err=$($GINV cs --op gaussian --m 10 --method lasso-pixel --lasso-lambda 0.1 --data /nonexistent.png 2>&1 >/dev/null)
check cs_gaussian_note grep -q 'gaussian-unit' <<<"$err"

echo done
