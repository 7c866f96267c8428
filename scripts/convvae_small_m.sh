#!/bin/bash
# convvae_small_m.sh — the conv VAE against the MLP VAE at small m (issue 12,
# docs/compressed-sensing.md "At small m: tuning lambda and restarts"). Both
# models get the same treatment: CSGM's lambda picked per model from a grid on
# held-out test images (test[100:150], not the evaluation images), then both
# evaluated on test[0:100] with the same seed (same A, noise and restarts), at
# lambda = 0.1 (the earlier runs), the tuned lambda, and the tuned lambda
# with more restarts; per-image differences conv - MLP by
# scripts/paired_mse.py. About 25 minutes on one quiet core (MODELS, MS,
# LAMBDAS, RESTARTS_MORE and EVAL_L01=0 (no lambda = 0.1 evaluation) select
# parts; finished outputs are kept). The conv model's name is the first of
# MODELS; CONV and MLP pass the pair to paired_mse.py.
#   scripts/convvae_small_m.sh [GINV] [OUT]      (defaults: build/ginv, out/convvae-small-m)
set -euo pipefail
G=${1:-build/ginv}
OUT=${2:-out/convvae-small-m}
LAMBDAS=${LAMBDAS:-0.03 0.1 0.3 1 3 10}
TUNE=${TUNE:-"fashion-mnist:test[100:150]"}
EVAL=${EVAL:-"fashion-mnist:test[0:100]"}
MS=${MS:-"25 50"}
MODELS=${MODELS:-"fmnist-convvae-k20 fmnist-vae-k20"}
RESTARTS_MORE=${RESTARTS_MORE:-20} # 0: skip the run with more restarts
T=${THREADS:-1}
mkdir -p "$OUT"
cs() { # model lambda data m restarts json
    "$G" cs --model "models/$1.safetensors" --data "$3" --op gaussian-unit --m "$4" --method csgm \
        --lambda "$2" --restarts "$5" --iters 500 --seed 1 --threads "$T" --json "$6" -q
}
best_lambda() { # model m: the grid lambda with the lowest mean MSE on the tuning images
    for l in $LAMBDAS; do
        printf '%s %s\n' "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["csgm"]["mse_mean"])' "$OUT/tune_$1_m$2_l$l.json")" "$l"
    done | sort -g | head -1 | cut -d' ' -f2
}
for m in $MS; do
    for M in $MODELS; do
        for l in $LAMBDAS; do
            [ -s "$OUT/tune_${M}_m${m}_l$l.json" ] || cs "$M" "$l" "$TUNE" "$m" 5 "$OUT/tune_${M}_m${m}_l$l.json"
        done
        bl=$(best_lambda "$M" "$m")
        echo "m=$m $M: tuned lambda $bl"
        [ "${EVAL_L01:-1}" = 0 ] || [ -s "$OUT/eval_${M}_m${m}_l0.1_r5.json" ] || cs "$M" 0.1 "$EVAL" "$m" 5 "$OUT/eval_${M}_m${m}_l0.1_r5.json"
        [ -s "$OUT/eval_${M}_m${m}_tuned_r5.json" ] || cs "$M" "$bl" "$EVAL" "$m" 5 "$OUT/eval_${M}_m${m}_tuned_r5.json"
        if [ "$m" = 25 ] && [ "$RESTARTS_MORE" -gt 0 ]; then
            [ -s "$OUT/eval_${M}_m${m}_tuned_r$RESTARTS_MORE.json" ] ||
                cs "$M" "$bl" "$EVAL" "$m" "$RESTARTS_MORE" "$OUT/eval_${M}_m${m}_tuned_r$RESTARTS_MORE.json"
        fi
    done
done
set -- $MODELS
CONV=$1 MLP=${2:-fmnist-vae-k20} python3 "$(dirname "$0")/paired_mse.py" "$OUT"
