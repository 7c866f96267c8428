#!/usr/bin/env bash
# bench/conv_layers.sh — forward + latent VJP of the 64x64x3 DCGAN generator:
# libginv (bench/conv_layers.c) beside PyTorch (bench/conv_layers_torch.py,
# Debian's python3-torch), same threads, B = 1 and 64; medians of REPS passes,
# the two implementations alternating per round so load drift hits both.
#   BUILD [build]  the ginv build directory holding libginv.a
#   THREADS [2]  REPS [B=1: 50, B=64: 7]  ROUNDS [3]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
EXE=$BUILD/bench/conv_layers
mkdir -p "$BUILD/bench"
LIBS="-lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lprotobuf-c -lnetcdf -lm -pthread"
if command -v mpicc >/dev/null; then LIBS="$LIBS $(mpicc --showme:link)"; fi
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -o "$EXE" bench/conv_layers.c "$BUILD/libginv.a" $LIBS
for r in $(seq "$ROUNDS"); do
    "$EXE" "$THREADS" 50 1
    /usr/bin/python3 bench/conv_layers_torch.py "$THREADS" 50 1
    "$EXE" "$THREADS" 7 64
    /usr/bin/python3 bench/conv_layers_torch.py "$THREADS" 7 64
done
