#!/usr/bin/env bash
# api_names.sh — the functions the public headers (include/ginv.h and
# include/ginv/*.h) declare, one a line, sorted: a name ginv_... followed by
# '(' outside comments, not a function pointer. The one list that
# scripts/untested_api.sh and tests/cli/test_library.sh check against.
#   scripts/api_names.sh           every declared function
#   scripts/api_names.sh --status  those that return a ginv_status
set -euo pipefail
cd "$(dirname "$0")/.."

# the headers without their comments
code() {
    sed -e '/^ *\*/d' -e '/^ *\/\*/d' -e 's:/\*.*\*/::g' -e 's://.*$::' include/ginv.h include/ginv/*.h
}

if [[ "${1:-}" == --status ]]; then
    code | tr '\n' ' ' | grep -oE '\bginv_status +ginv_[a-z0-9_]+ *\(' |
        sed -E 's/^ginv_status +//; s/ *\($//' | sort -u
else
    code | grep -oE '\bginv_[a-z0-9_]+ *\([^*]' | sed -E 's/ *\(.$//' | sort -u
fi
