#!/usr/bin/env bash
# test_hostile.sh — hostile input against every command that reads a file:
# missing, a directory, empty, /dev/null, truncated, sizes declared far past
# the file, NaN weights, a non-UTF-8 name; outputs into a missing or read-only
# directory. Each case must exit with its documented class (docs/cli.md),
# print exactly one "ginv ...: error: ..." line, raise no sanitizer report
# (make test-asan runs this file under ASan + UBSan) and leave a pre-existing
# output file as it was.
source "$(dirname "$0")/lib.sh"

# hostile NAME "CODES" -- command...: the exit code is one of CODES, stderr is
# one error line, no sanitizer or crash report, and $TMP/keep.json unchanged.
hostile() {
    local name=$1 codes=$2
    shift 3
    printf '{"old": true}\n' >"$TMP/keep.json"
    local err rc
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    if [[ " $codes " != *" $rc "* ]]; then fail "$name" "exit $rc, expected one of $codes ($err)"; return; fi
    if [[ "$err" == *Sanitizer* || "$err" == *"runtime error"* ]]; then fail "$name" "sanitizer: $err"; return; fi
    local lines
    lines=$(printf '%s\n' "$err" | grep -c .)
    if [[ $lines -ne 1 || "$err" != "ginv "*"error: "* ]]; then fail "$name" "not one error line: $err"; return; fi
    if [[ "$(cat "$TMP/keep.json")" != '{"old": true}' ]]; then fail "$name" "the existing output was changed"; return; fi
    ok "$name"
}

# A valid model, then broken ones made from it.
G=$TMP/g.st
$GINV net random --layers 3,5,8 --seed 1 -o "$G" >/dev/null
/usr/bin/python3 - "$G" "$TMP" <<'EOF'
import struct, sys, json
src, tmp = sys.argv[1], sys.argv[2]
b = open(src, 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
head, data = json.loads(b[8:8 + n]), b[8 + n:]
def write(path, head, data):
    h = json.dumps(head, separators=(',', ':')).encode()
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + data)
open(tmp + '/trunc.st', 'wb').write(b[:len(b) - 30])          # data cut short
open(tmp + '/headcut.st', 'wb').write(b[:40])                # header cut short
write(tmp + '/nan.st', head, struct.pack('<f', float('nan')) + data[4:])
# a 65536 x 65537 dense layer declared in a file of a few hundred bytes
big = json.loads(head['__metadata__']['ginv'])
big['layers'] = [{"type": "dense", "in": 65536, "out": 65537, "bias": False}]
write(tmp + '/huge.st', {"__metadata__": {"ginv": json.dumps(big)},
      "layers.0.weight": {"dtype": "F32", "shape": [65537, 65536], "data_offsets": [0, 4]}}, b'\0' * 4)
# a header length of 2^62
open(tmp + '/hlen.st', 'wb').write(struct.pack('<Q', 1 << 62) + b'{}')
EOF
mkdir -p "$TMP/dir"
: >"$TMP/empty.st"
BAD=$'\xff\xfe'
model_cases=(
    "missing:5:$TMP/nope.st" "directory:5:$TMP/dir" "empty:4:$TMP/empty.st" "devnull:4 5:/dev/null"
    "truncated:4:$TMP/trunc.st" "header_cut:4:$TMP/headcut.st" "nan_weight:6:$TMP/nan.st"
    "huge_declared:4 7:$TMP/huge.st" "header_length_2e62:4 7:$TMP/hlen.st" "non_utf8_name:5:$TMP/$BAD.st"
)
echo "0 0 0 0 0 0 0 0" >"$TMP/t8.txt"
for c in "${model_cases[@]}"; do
    IFS=: read -r kind codes f <<<"$c"
    hostile "info_$kind" "$codes" -- $GINV info "$f"
    hostile "recover_$kind" "$codes" -- $GINV recover --model "$f" --op gaussian --m 5 --iters 2 -q --json "$TMP/keep.json"
    hostile "sample_$kind" "$codes" -- $GINV sample --model "$f" --op gaussian --m 5 --step 0.01 --noise 0.1 --samples 10 --burn-in 10 --out "$TMP/so" -q --json "$TMP/keep.json"
    hostile "wdc_$kind" "$codes" -- $GINV wdc --model "$f" -q --json "$TMP/keep.json"
    hostile "rric_$kind" "$codes" -- $GINV rric --model "$f" --op gaussian --m 5 -q --json "$TMP/keep.json"
    hostile "decide_$kind" "$codes" -- $GINV decide --model "$f" --target "$TMP/t8.txt" --norm 1 --delta 0.1 --latent 01 -q --json "$TMP/keep.json"
    hostile "invert_lp_$kind" "$codes" -- $GINV invert-lp --model "$f" --random-truth -q --json "$TMP/keep.json"
    hostile "reduce_check_$kind" "$codes" -- $GINV reduce check "$f" --z "$TMP/t8.txt" --json "$TMP/keep.json"
    hostile "net_extract_$kind" "$codes" -- $GINV net extract "$f" -o "$TMP/keep.json"
    hostile "export_$kind" "$codes" -- $GINV export "$f" -o "$TMP/keep.json"
    hostile "generate_$kind" "$codes" -- $GINV generate --model "$f" --n 2 -o "$TMP/keep.json"
    hostile "encoder_build_$kind" "$codes" -- $GINV encoder build --model "$f" -o "$TMP/keep.json"
    hostile "encoder_distance_$kind" "$codes" -- $GINV encoder distance --model "$f" --encoder "$f" --n 1 --json "$TMP/keep.json"
done
# import reads ONNX: a readable file that is not a ModelProto is a format error
# (4), one that cannot be read (missing, a directory, a device) an I/O error (5)
for c in "${model_cases[@]}"; do
    IFS=: read -r kind codes f <<<"$c"
    case $kind in missing | directory | devnull | non_utf8_name) codes=5 ;; *) codes=4 ;; esac
    hostile "import_$kind" "$codes" -- $GINV import "$f" -o "$TMP/keep.json"
done

# Array inputs (--truth, --y, --target): the same defects in a text file.
printf '1 2 3 4 5 6 7 nan\n' >"$TMP/nan.txt"
printf '1 2 3 4\n5 6 7\n' >"$TMP/ragged.txt"
printf '1 2 \xff\n' >"$TMP/binary.txt"
for c in "missing:5:$TMP/none.txt" "directory:5:$TMP/dir" "empty:4:$TMP/empty.st" "nan:6:$TMP/nan.txt" \
         "ragged:4:$TMP/ragged.txt" "binary:4:$TMP/binary.txt"; do
    IFS=: read -r kind codes f <<<"$c"
    hostile "recover_truth_$kind" "$codes" -- $GINV recover --model "$G" --op gaussian --m 5 --iters 2 --truth "$f" -q --json "$TMP/keep.json"
    hostile "recover_y_$kind" "$codes" -- $GINV recover --model "$G" --op identity --iters 2 --y "$f" -q --json "$TMP/keep.json"
    hostile "decide_target_$kind" "$codes" -- $GINV decide --model "$G" --target "$f" --norm 1 --delta 0.1 --latent 01 -q --json "$TMP/keep.json"
done

# Instance files of the reductions.
printf 'p cnf 3 1\n1 -2 x 0\n' >"$TMP/bad.cnf"
printf 'p edge 3 1\ne 1 9\n' >"$TMP/bad.col"
for c in "missing:5:$TMP/none.cnf" "directory:5:$TMP/dir" "empty:4:$TMP/empty.st" "malformed:4:$TMP/bad.cnf"; do
    IFS=: read -r kind codes f <<<"$c"
    hostile "reduce_sat_$kind" "$codes" -- $GINV reduce sat "$f" --latent pm1 -o "$TMP/keep.json"
done
for c in "missing:5:$TMP/none.col" "empty:4:$TMP/empty.st" "malformed:4:$TMP/bad.col"; do
    IFS=: read -r kind codes f <<<"$c"
    hostile "reduce_vertex_cover_$kind" "$codes" -- $GINV reduce vertex-cover "$f" --size 1 --p 2 -o "$TMP/keep.json"
done

# Sweep stores and specs.
printf 'not a database at all, just text\n' >"$TMP/text.db"
printf '{"command": "recover", "grid": {"m": [5]}, "grid": {"m": [6]}}\n' >"$TMP/dup.json"
printf '{"command": "recover", "grid": ' >"$TMP/cut.json"
hostile results_missing "5" -- $GINV results "$TMP/none.db"
hostile results_not_sqlite "4" -- $GINV results "$TMP/text.db"
hostile results_directory "4 5" -- $GINV results "$TMP/dir"
hostile sweep_spec_missing "5" -- $GINV sweep "$TMP/none.json" --db "$TMP/s.db" -q
hostile sweep_spec_cut "4" -- $GINV sweep "$TMP/cut.json" --db "$TMP/s.db" -q
hostile sweep_spec_duplicate_key "4" -- $GINV sweep "$TMP/dup.json" --db "$TMP/s.db" -q
check sweep_bad_spec_creates_no_store test ! -e "$TMP/s.db"

# Images (--data).
printf 'P5\n3 3\n255\n\x01\x02' >"$TMP/short.pgm"
hostile cs_data_missing "5" -- $GINV cs --data "$TMP/none.pgm" --method lasso-dct --m 4 -q --json "$TMP/keep.json"
hostile cs_data_truncated "4" -- $GINV cs --data "$TMP/short.pgm" --method lasso-dct --m 4 -q --json "$TMP/keep.json"
hostile cs_data_bad_slice "2 4" -- $GINV cs --data "idx:$TMP/empty.st[0:2]" --method lasso-dct --m 4 -q --json "$TMP/keep.json"

# Outputs that cannot be written: a missing directory, a path under a file,
# a read-only directory. The exit is the I/O class and nothing is left behind.
hostile out_missing_dir "5" -- $GINV recover --model "$G" --op gaussian --m 5 --iters 2 -q --json "$TMP/no/such/dir/o.json"
hostile out_under_a_file "5" -- $GINV recover --model "$G" --op gaussian --m 5 --iters 2 -q --json "$G/o.json"
hostile net_out_missing_dir "5" -- $GINV net random --layers 3,5,8 -o "$TMP/no/such/g.st"
RO=$TMP/ro
mkdir -p "$RO"
if mount -t tmpfs -o ro tmpfs "$RO" 2>/dev/null; then
    hostile out_read_only_dir "5" -- $GINV recover --model "$G" --op gaussian --m 5 --iters 2 -q --json "$RO/o.json"
    hostile net_out_read_only_dir "5" -- $GINV net random --layers 3,5,8 -o "$RO/g.st"
    umount "$RO"
else
    # no mount privilege: /proc's root directory refuses new files even to root
    hostile out_read_only_dir "5" -- $GINV recover --model "$G" --op gaussian --m 5 --iters 2 -q --json /proc/ginv-test.json
fi
ls "$TMP"/*.tmp.* >/dev/null 2>&1 && fail no_temporaries_left "$(ls "$TMP"/*.tmp.*)" || ok no_temporaries_left
echo done
