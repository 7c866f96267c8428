#!/usr/bin/env bash
# ginv.pc.sh PREFIX LIBDIR INCLUDEDIR VERSION MPI — print ginv.pc (pkg-config).
# Shared linking needs only -lginv (libginv.so records its own dependencies);
# static linking (pkg-config --static) adds the private ones: Debian ships .pc
# files for OpenBLAS, cJSON, libpng, zlib, SQLite, FFTW, protobuf-c and OpenMPI (Requires.
# private), not for GLPK, libm or pthreads (Libs.private). NetCDF is named in
# Libs.private (-lnetcdf, the shared library): its own .pc would pull in the
# static HDF5 libraries, which Debian keeps outside the linker's path.
set -euo pipefail
prefix=$1 libdir=$2 includedir=$3 version=$4 mpi=${5:-0}
req="openblas, libcjson, libpng, zlib, sqlite3, fftw3, libprotobuf-c"
[[ "$mpi" == 1 ]] && req="$req, ompi-c"
# Paths under PREFIX are written relative to it, so PKG_CONFIG_SYSROOT_DIR and
# --define-variable=prefix=... work.
rel() { case "$1" in "$prefix"/*) echo "\${prefix}${1#"$prefix"}" ;; *) echo "$1" ;; esac; }
cat <<PC
prefix=$prefix
libdir=$(rel "$libdir")
includedir=$(rel "$includedir")

Name: ginv
Description: invert deep generative models: MAP, posterior sampling, exact decision, sweeps
Version: $version
Requires.private: $req
Libs: -L\${libdir} -lginv
Libs.private: -lglpk -lnetcdf -lm -pthread
Cflags: -I\${includedir}
PC
