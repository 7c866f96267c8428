#!/usr/bin/env bash
# deps.sh — install the Debian packages ginv needs. Idempotent: installs only
# what is missing; waits and retries while another apt/dpkg holds the lock.
#   scripts/deps.sh          build + test packages
#   scripts/deps.sh --bench  also python3-torch, the benchmark's peer
#   scripts/deps.sh --fuzz   also clang (libFuzzer: make fuzz, make fuzz-run)
#   scripts/deps.sh --oracles  also r-cran-posterior (R: make test-oracles)
#   scripts/deps.sh --stan   also r-cran-rstan and libboost-dev (Stan, the peer of
#                            make bench-stan), and the BH include link it needs
#   scripts/deps.sh --onednn also libdnnl-dev (oneDNN's C API), the second
#                            kernel set of make bench-onednn; nothing else needs it
set -euo pipefail

# build: compiler, BLAS, JSON, images, zlib (IDX .gz), GLPK (exact decide),
# SQLite (sweep results), OpenMPI (distributed sweeps), FFTW (MCMC autocovariances).
# tests: the Fashion-MNIST data, and the independent solvers decide is checked
# against (minisat, fplll, cliquer, glpsol, cbc), sqlite3 to inspect stores.
# man pages: help2man (make man: one page per command from its --help).
# Python module (make python-test): NumPy and pytest for /usr/bin/python3.
# ONNX: protoc-c generates the C for onnx.proto (from libonnx-dev) at build
# time, linked with libprotobuf-c; python3-onnx is the oracle of
# make test-onnx (onnx.checker on exported models).
# NetCDF: libnetcdf-dev writes sample's samples.nc (ArviZ's InferenceData
# layout); netcdf-bin's ncdump lets the tests read it back.
pkgs=(build-essential pkg-config libopenblas-dev libcjson-dev zlib1g-dev libpng-dev gnuplot-nox jq
      libglpk-dev glpk-utils libsqlite3-dev sqlite3 openmpi-bin libopenmpi-dev libfftw3-dev
      dataset-fashion-mnist minisat fplll-tools cliquer coinor-cbc help2man
      python3-numpy python3-pytest
      protobuf-c-compiler libprotobuf-c-dev libonnx-dev python3-onnx
      libnetcdf-dev netcdf-bin)
post=true # what runs once the packages are in
if [[ "${1:-}" == "--bench" ]]; then
    pkgs+=(python3-torch python3-numpy)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
    pkgs+=(clang)
fi
if [[ "${1:-}" == "--oracles" ]]; then
    pkgs+=(r-cran-posterior) # 42 packages with R itself, without recommends
fi
# Debian's r-cran-bh ships no headers (they are libboost-dev's), yet rstan
# compiles models with -I.../BH/include: that directory must lead to
# /usr/include. stan_bh_link makes the link when it is missing (idempotent).
stan_bh_link() {
    local bh=/usr/lib/R/site-library/BH
    [[ -e $bh/include/boost/version.hpp ]] && return 0
    local SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO mkdir -p "$bh"
    [[ -L $bh/include || ! -e $bh/include ]] && $SUDO ln -sfn /usr/include "$bh/include"
    [[ -e $bh/include/boost/version.hpp ]] || { echo "deps: $bh/include does not lead to boost's headers" >&2; return 1; }
}
if [[ "${1:-}" == "--stan" ]]; then
    pkgs+=(r-cran-rstan libboost-dev)
    post=stan_bh_link
fi
if [[ "${1:-}" == "--onednn" ]]; then
    pkgs+=(libdnnl-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then $post; exit $?; fi

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if $SUDO apt-get -o DPkg::Lock::Timeout=120 update -qq &&
        $SUDO apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}"; then
        $post
        exit $?
    fi
    echo "deps: apt-get failed (attempt $attempt), retrying in 10 s" >&2
    sleep 10
done
echo "deps: could not install ${missing[*]}" >&2
exit 1
