#!/usr/bin/env bash
# test_library.sh — libginv as a library: only ginv_* symbols exported (the
# shared library and the archive), the soname, the command linked to the
# shared library, ginv_lib_init's kernel switch, `make install` into a staging
# directory (pkg-config, man pages, docs), the examples built against the
# INSTALLED library and run, a static link, and `make uninstall`.
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
B=$(dirname "$GINV")
SO=$B/libginv.so

# ---- symbols
bad=$(nm -D --defined-only "$SO" 2>&1 | awk '$2 != "A" && $3 !~ /^ginv_/ {print $3}')
n=$(nm -D --defined-only "$SO" 2>/dev/null | awk '$3 ~ /^ginv_/' | wc -l)
if [[ -z "$bad" && $n -gt 100 ]]; then ok so_exports_only_ginv_symbols
else fail so_exports_only_ginv_symbols "$n ginv_ symbols; others: $(echo $bad | head -c 300)"; fi
# (ASan's ODR indicators, __odr_asan.ginv_*, name ginv_ globals too)
bad=$(nm -g --defined-only "$B/libginv.a" 2>&1 | awk 'NF == 3 && $3 !~ /^(__odr_asan\.)?ginv_/ {print $3}' | sort -u)
if [[ -z "$bad" ]]; then ok archive_globals_all_ginv
else fail archive_globals_all_ginv "$(echo $bad | head -c 300)"; fi
# every function the headers declare is exported (none declared and missing)
declared=$(scripts/api_names.sh)
exported=$(nm -D --defined-only "$SO" | awk '{sub(/@.*/, "", $3); print $3}' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [[ -z "$missing" ]]; then ok header_functions_all_exported
else fail header_functions_all_exported "$(echo $missing | head -c 300)"; fi

# ---- the module headers: ginv.h includes each of include/ginv/*.h, and each
# compiles on its own (a file that includes only it), as C11 and as C++
bad=
for h in include/ginv/*.h; do
    m=${h#include/}
    grep -q "^#include \"$m\"$" include/ginv.h || bad="$bad $m(not in ginv.h)"
    printf '#include "%s"\n' "$m" > "$TMP/hdr.c"
    cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -Iinclude "$TMP/hdr.c" 2>"$TMP/hdr.err" ||
        bad="$bad $m: $(head -c 200 "$TMP/hdr.err")"
    if command -v c++ >/dev/null; then
        c++ -x c++ -Wall -Werror -fsyntax-only -Iinclude "$TMP/hdr.c" 2>"$TMP/hdr.err" ||
            bad="$bad $m(c++): $(head -c 200 "$TMP/hdr.err")"
    fi
done
if [[ -z "$bad" && $(ls include/ginv/*.h | wc -l) -ge 8 ]]; then ok module_headers_compile_alone
else fail module_headers_compile_alone "$bad"; fi
# every function returning a ginv_status is called with NULLs by the unit
# test tests/unit/test_api_nulls.c ("every public function checks its pointers")
status_fns=$(scripts/api_names.sh --status | grep -vxE 'ginv_fail|ginv_last_status')
uncovered=$(for f in $status_fns; do grep -q "\b$f(" tests/unit/test_api_nulls.c || echo "$f"; done)
if [[ -z "$uncovered" && $(echo "$status_fns" | wc -l) -gt 100 ]]; then ok api_null_test_covers_every_status_function
else fail api_null_test_covers_every_status_function "not in tests/unit/test_api_nulls.c: $(echo $uncovered | head -c 300)"; fi
# every public function is named by a test that checks behaviour
# (scripts/untested_api.sh: any file under tests/ or python/tests/ but
# tests/unit/test_api_nulls.c, which only passes NULLs).
untested=$(scripts/untested_api.sh 2>/dev/null)
ndecl=$(scripts/untested_api.sh --all | wc -l)
if [[ -z "$untested" && $ndecl -gt 250 ]]; then ok "every_public_function_is_named_by_a_test ($ndecl functions)"
else fail every_public_function_is_named_by_a_test "untested: $(echo $untested | head -c 400)"; fi

# ---- soname, links, the command on the shared library
soname=$(readelf -d "$SO" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check soname_is_libginv_so_0 test "$soname" = libginv.so.0 -a -e "$B/libginv.so.0"
check ginv_links_shared_lib bash -c "readelf -d '$GINV' | grep -q 'NEEDED.*\[libginv.so.0\]'"
check ginv_runs_in_place bash -c "'$GINV' --version | grep -q '^ginv '"

# ---- ginv_lib_init (built against build/: the kernel check for library users)
CFL=()
nm -D "$SO" | grep -q __asan_init && CFL=(-fsanitize=address,undefined -fno-omit-frame-pointer)
if cc -std=c11 "${CFL[@]}" -Iinclude tests/cli/lib_init_check.c -o "$TMP/lic" "$SO" \
      -Wl,-rpath,"$(realpath "$B")" -lm 2>"$TMP/cc.err"; then
    out=$(OPENBLAS_CORETYPE=Prescott "$TMP/lic" unset 2>&1)
    better=$(sed -n 's/.* better \([^ ]*\) .*/\1/p' <<<"$out")
    if [[ "$better" == "-" ]]; then ok "lib_init_switches_kernels (skipped: no AVX on this CPU)"
    elif grep -q "loaded Prescott better $better core $better switched 1 status ok" <<<"$out" &&
         grep -q "gemm worst" <<<"$out"; then ok lib_init_switches_kernels
    else fail lib_init_switches_kernels "$out"; fi
    out=$(OPENBLAS_CORETYPE=Prescott "$TMP/lic" 2>&1)
    check lib_init_respects_openblas_coretype grep -q "core Prescott switched 0 status ok" <<<"$out"
    out=$(OPENBLAS_CORETYPE=Prescott "$TMP/lic" unset report-only 2>&1)
    check lib_init_report_only grep -q "core Prescott switched 0 status ok" <<<"$out"
    check lib_init_default_ok "$TMP/lic" >/dev/null
else
    fail lib_init_builds "$(head -c 300 "$TMP/cc.err")"
fi

# ---- make install into a staging directory
ST=$TMP/stage
# (make test-asan passes its CFLAGS and LDFLAGS down: nothing rebuilds without them)
if make -s --no-print-directory BUILD="$B" install DESTDIR="$ST" PREFIX=/usr >"$TMP/install.log" 2>&1; then
    ok make_install
else
    fail make_install "$(tail -c 400 "$TMP/install.log")"
fi
for f in usr/bin/ginv usr/lib/libginv.so.0.1.0 usr/lib/libginv.a usr/include/ginv.h \
         $(cd include && ls ginv/*.h | sed 's|^|usr/include/|') \
         usr/lib/pkgconfig/ginv.pc usr/share/man/man1/ginv.1 usr/share/man/man1/ginv-recover.1 \
         usr/share/man/man3/libginv.3 usr/share/doc/ginv/README.md usr/share/doc/ginv/docs/library.md \
         usr/share/doc/ginv/examples/csgm_fmnist.c; do
    [[ -f "$ST/$f" ]] || fail installed_files "$f missing"
done
[[ -L "$ST/usr/lib/libginv.so.0" && -L "$ST/usr/lib/libginv.so" ]] && ok installed_files ||
    fail installed_files "symlinks libginv.so.0, libginv.so missing"
# every command of `ginv --help` has its page, and the pages render
missing=""
for c in $("$GINV" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
    [[ "$c" == version ]] && continue
    [[ -f "$ST/usr/share/man/man1/ginv-$c.1" ]] || missing="$missing $c"
done
check man_page_per_command test -z "$missing"
out=$(MANWIDTH=80 man -l "$ST/usr/share/man/man1/ginv-recover.1" 2>&1)
check man_recover_renders grep -q -- '--model' <<<"$out"
out=$(MANWIDTH=80 man -l "$ST/usr/share/man/man3/libginv.3" 2>&1)
check man_libginv3_renders_index bash -c 'grep -q "ginv_last_error" <<<"$1" && grep -q "ginv_lib_init" <<<"$1" &&
    grep -q "ginv_decide" <<<"$1"' _ "$out"
# the installed command finds the installed library ($ORIGIN/../lib)
check installed_ginv_runs bash -c "env -u LD_LIBRARY_PATH '$ST/usr/bin/ginv' --version | grep -q '^ginv '"

# ---- the examples against the installed library (pkg-config)
PC=(env PKG_CONFIG_PATH="$ST/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ST" pkg-config)
flags=$("${PC[@]}" --cflags --libs ginv 2>&1)
check pkg_config_flags grep -q -- "-L$ST/usr/lib -lginv" <<<"$flags"
export LD_LIBRARY_PATH="$ST/usr/lib"
build_ex() { # NAME
    cc -std=c11 -Wall -Wextra -Werror "${CFL[@]}" "$ST/usr/share/doc/ginv/examples/$1.c" -o "$TMP/$1" \
        $flags -lm 2>"$TMP/$1.err" && readelf -d "$TMP/$1" | grep -q 'NEEDED.*libginv.so.0'
}
if build_ex csgm_fmnist; then
    out=$("$TMP/csgm_fmnist" models/fmnist-vae-k20.safetensors "fashion-mnist:test[0:1]" 2>&1)
    mse=$(sed -n 's/.*per-pixel MSE \([0-9.e-]*\) (all-black image: \([0-9.e-]*\)).*/\1 \2/p' <<<"$out")
    if [[ -n "$mse" ]] && awk -v a="${mse% *}" -v b="${mse#* }" 'BEGIN { exit !(a < 0.02 && a < b / 5) }'; then
        ok "example_csgm_fmnist (MSE ${mse% *}, blank ${mse#* })"
    else fail example_csgm_fmnist "$out"; fi
else fail example_csgm_fmnist "build: $(head -c 300 "$TMP/csgm_fmnist.err")"; fi
if build_ex sample_posterior; then
    out=$("$TMP/sample_posterior" 2>&1)
    rhat=$(sed -n 's/.*max R-hat \([0-9.]*\), min bulk ESS \([0-9.]*\).*/\1 \2/p' <<<"$out")
    if [[ -n "$rhat" ]] && awk -v r="${rhat% *}" -v e="${rhat#* }" 'BEGIN { exit !(r > 0.99 && r < 1.1 && e > 50) }'; then
        ok "example_sample_posterior (R-hat ${rhat% *}, bulk ESS ${rhat#* })"
    else fail example_sample_posterior "$out"; fi
else fail example_sample_posterior "build: $(head -c 300 "$TMP/sample_posterior.err")"; fi
if build_ex decide_sat; then
    out=$("$TMP/decide_sat" 2>&1)
    check example_decide_sat_yes_verified bash -c 'grep -q "^answer: YES" <<<"$1" && grep -q "^certificate verified" <<<"$1"' _ "$out"
    # an unsatisfiable formula: NO with a complete enumeration
    printf 'p cnf 2 4\n1 2 0\n-1 2 0\n1 -2 0\n-1 -2 0\n' >"$TMP/unsat.cnf"
    out=$("$TMP/decide_sat" "$TMP/unsat.cnf" 2>&1)
    check example_decide_sat_no_verified bash -c 'grep -q "^answer: NO" <<<"$1" && grep -q "^certificate verified" <<<"$1"' _ "$out"
else fail example_decide_sat "build: $(head -c 300 "$TMP/decide_sat.err")"; fi
if build_ex sweep_sqlite; then
    out=$("$TMP/sweep_sqlite" "$TMP/sw.db" 2>&1)
    again=$("$TMP/sweep_sqlite" "$TMP/sw.db" 2>&1)
    if grep -q "12 units (2 cells x 6 trials): 0 stored before, 12 now, 0 failed" <<<"$out" &&
       grep -q "12 stored before, 0 now" <<<"$again" &&
       [[ $(grep -c '^cell .*success [0-9]/6' <<<"$out") -eq 2 ]] &&
       [[ "$(grep '^cell' <<<"$out")" == "$(grep '^cell' <<<"$again")" ]] &&
       [[ $(sqlite3 "$TMP/sw.db" 'select count(*) from units' 2>/dev/null || echo 12) -eq 12 ]]; then
        ok example_sweep_sqlite
    else fail example_sweep_sqlite "$out / $again"; fi
else fail example_sweep_sqlite "build: $(head -c 300 "$TMP/sweep_sqlite.err")"; fi
unset LD_LIBRARY_PATH

# ---- static linking: the archive and pkg-config --static
if [[ ${#CFL[@]} -eq 0 ]]; then
    libs=$("${PC[@]}" --static --libs ginv | sed 's/-lginv\b/-l:libginv.a/')
    if cc -std=c11 "$ST/usr/share/doc/ginv/examples/decide_sat.c" -o "$TMP/decide_static" \
          $("${PC[@]}" --cflags ginv) $libs 2>"$TMP/static.err" &&
       ! readelf -d "$TMP/decide_static" | grep -q libginv &&
       "$TMP/decide_static" | grep -q "^certificate verified"; then
        ok static_link_pkg_config
    else fail static_link_pkg_config "$(head -c 400 "$TMP/static.err")"; fi
fi

# ---- make uninstall leaves nothing of ours
if make -s --no-print-directory BUILD="$B" uninstall DESTDIR="$ST" PREFIX=/usr >"$TMP/un.log" 2>&1; then
    left=$(find "$ST" \( -type f -o -type l \) | head -5)
    check make_uninstall_removes_all test -z "$left"
else fail make_uninstall_removes_all "$(tail -c 300 "$TMP/un.log")"; fi
echo done
