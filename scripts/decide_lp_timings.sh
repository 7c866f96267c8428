#!/usr/bin/env bash
# decide_lp_timings.sh — the l_p (cutting-plane) timings of docs/decide.md and
# docs/hardness.md: a random 8-12-3 net at p = 1, 2, 3, 4, 7, inf (box 1,
# --minimize), the 3-10-8-3 examples, and Theorem 6 Half-Clique nets on 6 and
# 8 vertices in l2 and l4 (YES and NO). Prints one JSON line per run with the
# CPU seconds last (/usr/bin/time). Usage: GINV=build/ginv scripts/decide_lp_timings.sh [DIR]
set -u
G=${GINV:-build/ginv}
[[ $G == */* && $G != /* ]] && G=$PWD/$G
D=${1:-$(mktemp -d /tmp/ginv-lp-XXXXXX)}
mkdir -p "$D" && cd "$D" || exit 1
$G net random --layers 8,12,3 --bias --bias-sd 0.5 --seed 2 -o B.safetensors >/dev/null
$G net random --layers 3,10,8,3 --bias --bias-sd 0.5 --seed 5 -o r.safetensors >/dev/null
printf '0.1 0.5 2.3\n' > t4.txt
printf '0.1 0.5 0.3\n' > t.txt
run() { # NAME decide-args...
    local name=$1; shift
    /usr/bin/time -f "%U" -o tm.txt $G decide "$@" -q --json m.json
    jq -c "[\"$name\", .answer, .nodes, .lower_bound, .upper_bound, .certificate.cuts, .certificate.cut_budget_hit, $(cat tm.txt)]" m.json
}
for p in 1 2 3 4 7 inf; do
    run "8-12-3 l$p" --model B.safetensors --target t4.txt --norm $p --delta 0.01 --latent real:box=1 --minimize --method bnb
done
run "3-10-8-3 l2" --model r.safetensors --target t.txt --norm 2 --delta 0.05 --latent real
run "3-10-8-3 l3" --model r.safetensors --target t.txt --norm 3 --delta 0.05 --latent real
run "3-10-8-3 l4 box" --model r.safetensors --target t.txt --norm 4 --delta 0.3 --latent real:box=1 --minimize
$G reduce random-graph --n 6 --p-edge 0.6 --seed 2 -o g6.col >/dev/null
$G reduce random-graph --n 8 --p-edge 0.6 --seed 3 -o g8.col >/dev/null
for p in 2 4; do
    $G reduce half-clique g6.col --p $p --latent real -o hc6.safetensors >/dev/null
    $G reduce half-clique g6.col --p $p --latent real --bound 3 -o hc6no.safetensors >/dev/null
    $G reduce half-clique g8.col --p $p --latent real --bound 1 -o hc8no.safetensors >/dev/null
    run "thm6 n6 l$p yes" --model hc6.safetensors --time-limit 120
    run "thm6 n6 l$p no" --model hc6no.safetensors --time-limit 120
    run "thm6 n8 l$p no" --model hc8no.safetensors --time-limit 120
done
