#!/bin/sh
# Function sizes and the command layer's share of the C code.
#
#   scripts/function_sizes.sh [--top N] [--over N] [DIR...]
#
# Lists every C function in DIR (default: cli src) with its length in lines
# (from the line of its name to its closing brace, as Universal Ctags reports
# them), longest first, then the number of C lines (.c and .h) in cli/, src/
# and include/ and cli/'s share of them. --top N keeps the N longest;
# --over N keeps those longer than N lines. Needs Universal Ctags (end: field).
set -eu
cd "$(dirname "$0")/.."
top=0
over=0
while [ $# -gt 0 ]; do
    case "$1" in
        --top) top=$2; shift 2 ;;
        --over) over=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) echo "function_sizes.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || set -- cli src
command -v ctags >/dev/null || { echo "function_sizes.sh: needs ctags (Universal Ctags)" >&2; exit 1; }

files=$(find "$@" -name '*.c' | LC_ALL=C sort)
# shellcheck disable=SC2086
ctags --c-kinds=f --fields=+ne -o - $files |
    awk -F '\t' -v over="$over" '{
        line = 0; end = 0
        for (i = 4; i <= NF; i++) {
            if ($i ~ /^line:/) line = substr($i, 6) + 0
            if ($i ~ /^end:/) end = substr($i, 5) + 0
        }
        if (line > 0 && end >= line && end - line + 1 > over)
            printf "%5d  %s:%d  %s\n", end - line + 1, $2, line, $1
    }' | LC_ALL=C sort -k1,1nr -k2,2 |
    if [ "$top" -gt 0 ]; then head -n "$top"; else cat; fi

count() { find "$1" \( -name '*.c' -o -name '*.h' \) -exec cat {} + | wc -l; }
c=$(count cli); s=$(count src); i=$(count include)
echo
awk -v c="$c" -v s="$s" -v i="$i" 'BEGIN {
    printf "C lines: cli %d, src %d, include %d; cli share %.1f%%\n", c, s, i, 100 * c / (c + s + i) }'
