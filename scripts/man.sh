#!/usr/bin/env bash
# man.sh — the man pages, from the command's own --help text.
#   scripts/man.sh --list               the section-1 page names (no build needed)
#   scripts/man.sh GINV OUTDIR VERSION  write OUTDIR/ginv.1, one ginv-CMD[-SUB].1
#                                       per command and subcommand (help2man),
#                                       and OUTDIR/libginv.3
# The commands are those of cli/main.c's table; the subcommands are listed
# below (a test checks every command has its page).
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> its subcommands with their own --help
declare -A SUBS=(
    [net]="random extract oneway"
    [encoder]="train eval"
    [experiment]="recovery cs hardness"
    [theory]="g rho h"
    [train]="vae"
    [demo]="random"
    [reduce]="sat cvp half-clique vertex-cover random-sat random-graph random-lattice check encode"
)

commands() { sed -n 's/^    {"\([a-z][a-z-]*\)", cmd_[a-z_]*,.*/\1/p' cli/main.c; }

# "cmd" and "cmd sub" lines
invocations() {
    local c s
    for c in $(commands); do
        echo "$c"
        for s in ${SUBS[$c]:-}; do echo "$c $s"; done
    done
}

if [[ "${1:-}" == "--list" ]]; then
    echo ginv.1
    invocations | while read -r inv; do echo "ginv-${inv// /-}.1"; done
    exit 0
fi

GINV=$(realpath "$1") OUT=$2 VERSION=$3
command -v help2man >/dev/null || { echo "man.sh: help2man is missing (make deps installs it)" >&2; exit 1; }
mkdir -p "$OUT"
wrap=$(mktemp -d)
trap 'rm -rf "$wrap"' EXIT
export GINV_NO_REEXEC=1 LC_ALL=C.UTF-8  # help2man keeps UTF-8 text (em dashes, Greek) only in a UTF-8 locale

# One wrapper per page: help2man runs PROG --help, PROG --version.
page() { # NAME "ARGS" DESCRIPTION
    local name=$1 args=$2 desc=$3
    # (help2man reads the text as ASCII: the em dash becomes " - ")
    printf '#!/bin/sh\nif [ "$1" = --version ]; then echo "%s %s"; exit 0; fi\n"%s" %s "$@" | sed "s/ \xe2\x80\x94 / - /g"\n' \
        "$name" "$VERSION" "$GINV" "$args" > "$wrap/$name"
    chmod +x "$wrap/$name"
    help2man --no-info --section=1 --source="ginv $VERSION" --manual="ginv manual" \
        --name="$desc" --include=/dev/stdin "$wrap/$name" -o "$OUT/$name.1" <<SEE
[SEE ALSO]
.BR ginv (1),
.BR libginv (3).
The documents under /usr/share/doc/ginv (or PREFIX/share/doc/ginv): README.md and docs/.
SEE
    # help2man names the program by the wrapper's path: keep "ginv CMD".
    # and say the page is UTF-8 (preconv).
    sed -i -e "s|$wrap/||g" -e '1i .\\" -*- coding: UTF-8 -*-' "$OUT/$name.1"
}

page ginv "" "invert deep generative models (MAP, sampling, exact decision, sweeps)"
summary() { "$GINV" --help | sed -n "s/^  $1  *//p" | head -1; }
invocations | while read -r inv; do
    c=${inv%% *}
    desc=$(summary "$c")
    [[ "$inv" == *" "* ]] && desc="ginv $inv: ${desc:-a subcommand of ginv $c}"
    page "ginv-${inv// /-}" "$inv" "${desc:-ginv $inv}"
done

# libginv(3): the hand-written page with the function index generated from
# the module headers' sections (/* ---- NAME */ banners), in the order ginv.h
# includes them, each section named with its header.
headers=$(sed -n 's|^#include "\(ginv/[a-z]*\.h\)"$|include/\1|p' include/ginv.h)
[[ -n "$headers" ]] || { echo "man.sh: include/ginv.h includes no module headers" >&2; exit 1; }
{
    sed "s/@VERSION@/$VERSION/g" man/libginv.3.in
    awk '
        FNR == 1 { hdr = FILENAME; sub(/^include\//, "", hdr) }
        /^\/\* -+ .* \*\/$/ { sec = $0; sub(/^\/\* -+ /, "", sec); sub(/ \*\/$/, "", sec); sec = sec " (" hdr ")"; next }
        /^ *\*|^\/\*/ { next }
        {
            line = $0
            if (match(line, /ginv_[a-z0-9_]+ *\(/)) {   # the declared name: the first on its line
                name = substr(line, RSTART, RLENGTH); sub(/ *\($/, "", name)
                pre = substr(line, 1, RSTART - 1)
                post = substr(line, RSTART + RLENGTH, 1)   # "(*": a function pointer type
                if (pre !~ /\(\*? *$/ && post != "*" && !(name in seen)) { seen[name] = 1; order[++n] = name; secof[name] = sec }
            }
        }
        END {
            cur = ""
            for (i = 1; i <= n; i++) {
                s = secof[order[i]]
                if (s != cur) { if (cur != "") print ""; printf ".TP\n.B %s\n", s; cur = s; first = 1 }
                printf "%s%s", (first ? "" : ", "), order[i]; first = 0
            }
            print ""
        }' $headers
    cat <<'TAIL'
.SH SEE ALSO
.BR ginv (1),
.BR pkg-config (1).
The library guide docs/library.md and the examples under examples/
(installed in PREFIX/share/doc/ginv).
TAIL
} > "$OUT/libginv.3"
