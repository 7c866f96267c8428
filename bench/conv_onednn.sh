#!/usr/bin/env bash
# bench/conv_onednn.sh — ginv's conv_transpose2d (im2col/col2im + OpenBLAS)
# against oneDNN's deconvolution, layer by layer, for the DCGAN and the conv
# VAE decoder (bench/conv_onednn.c), and the machine's sgemm peak. Needs
# libdnnl-dev (scripts/deps.sh --onednn) and $BUILD/libginv.a.
#   BUILD [build]  THREADS [2]  ROUNDS [5]  BATCHES ["1 64"]
#   RUNS [1]: run it RUNS times (each run's tables in $BUILD/bench/conv_onednn.N.md)
#   and print the merge (bench/conv_onednn_merge.py: medians over the runs)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
EXE=$BUILD/bench/conv_onednn
mkdir -p "$BUILD/bench"
LIBS="-ldnnl -lopenblas -lcjson -lpng -lz -lglpk -lsqlite3 -lfftw3 -lprotobuf-c -lnetcdf -lm -pthread"
if command -v mpicc >/dev/null; then LIBS="$LIBS $(mpicc --showme:link)"; fi
cc -O2 -std=c11 -D_GNU_SOURCE -fopenmp -Wall -Iinclude -Isrc -o "$EXE" bench/conv_onednn.c bench/onednn_deconv.c \
    "$BUILD/libginv.a" $LIBS
# oneDNN (OpenMP) and ginv's pool get the same thread count; OpenBLAS's own
# threads only for the sgemm peak (ginv keeps OpenBLAS single-threaded).
run() {
    OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS \
        "$EXE" "$THREADS" "${ROUNDS:-5}" models/fmnist-convvae-k20.safetensors ${BATCHES:-1 64}
}
RUNS=${RUNS:-1}
if [[ $RUNS -le 1 ]]; then
    run
    exit
fi
for i in $(seq "$RUNS"); do
    run > "$BUILD/bench/conv_onednn.$i.md"
    echo "conv_onednn: run $i of $RUNS in $BUILD/bench/conv_onednn.$i.md" >&2
done
/usr/bin/python3 bench/conv_onednn_merge.py $(seq -f "$BUILD/bench/conv_onednn.%g.md" "$RUNS")
