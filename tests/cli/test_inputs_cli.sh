#!/usr/bin/env bash
# Hostile inputs that must fail fast, with one clear line and the input
# format exit code (4), never by exhausting memory (issue 18 items 3, 7, 14,
# 16): a 211-byte model declaring a 16.8 GB layer, a gzip IDX bomb read
# through a slice and whole, JSON with a repeated key (a sweep spec, a model
# architecture), and a shape of 2^62. Each command runs under a 1 GiB
# address-space cap (ulimit -v), so a reader that believes the header dies
# instead of taking the machine's memory (skipped under ASan, which maps
# terabytes of shadow memory).
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

capped() {
    if ldd "$GINV" 2>/dev/null | grep -q libasan; then "$@"; else (ulimit -v 1048576; "$@"); fi
}

# ------------------------------------------------ item 3: forged model header
expect_error info_huge_declared_layer 4 "tensor 'layers.0.weight' has shape [2] but layer 0 (dense 65536 -> 65537) needs [65537, 65536]" -- \
    capped $GINV info tests/malformed/model/huge_dense_layer.safetensors
start=$(date +%s%N)
capped $GINV info tests/malformed/model/huge_dense_layer.safetensors >/dev/null 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check info_huge_declared_layer_is_fast test $ms -lt 3000

# -------------------------------------------------- item 7: gzip IDX bombs
python3 - "$TMP" <<'PY'
import struct, sys, zlib
def gz_zeros(path, head, mib):
    """gzip of head + mib MiB of zeros, made in a second: after a full flush
    deflate refers to nothing before it, so 1 MiB of zeros compresses to the
    same bytes every time and is repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [c.compress(head), c.flush(zlib.Z_FULL_FLUSH)]
    block = bytes(1 << 20)
    out.append((c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)) * mib)
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    out.append(b"\x03\x00" + struct.pack("<II", crc, (len(head) + (mib << 20)) & 0xffffffff))
    open(path, "wb").write(b"".join(out))
# an honest header: 3,072,000 images of 32 x 32, all zero (3 GB inflated, 3 MB on disk)
gz_zeros(sys.argv[1] + "/honest.idx.gz", bytes([0, 0, 8, 3]) + struct.pack(">III", 3000 * 1024, 32, 32), 3000)
# a lying header: 10 images of 28 x 28, then 500 MB of zeros
gz_zeros(sys.argv[1] + "/liar.idx.gz", bytes([0, 0, 8, 3]) + struct.pack(">III", 10, 28, 28), 500)
PY
$GINV net random --layers 4,1024 --seed 1 -o $TMP/g1024.safetensors >/dev/null
$GINV net random --layers 4,784 --seed 1 -o $TMP/g784.safetensors >/dev/null
for f in honest liar; do
    start=$(date +%s%N)
    g=$TMP/g784.safetensors
    [[ $f == honest ]] && g=$TMP/g1024.safetensors
    expect_ok "cs_slice_of_${f}_bomb" -- capped $GINV cs --model $g --data "idx:$TMP/$f.idx.gz[0:2]" \
        --op gaussian --m 20 --method csgm --restarts 1 --iters 5 -q
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "cs_slice_of_${f}_bomb_is_fast" test $ms -lt 5000
done
expect_error cs_whole_lying_bomb 4 "trailing data after the IDX data: the gzip data inflates to more than the 7840 bytes" -- \
    capped $GINV cs --model $TMP/g784.safetensors --data "idx:$TMP/liar.idx.gz" --op gaussian --m 20 --method csgm -q

# ---------------------------------------------- item 14: repeated JSON keys
printf '{"command": "recover", "fixed": {"layers": "4,20"}, "grid": {"m": [5]}, "trials": 3, "trials": 30}' > $TMP/dup.json
expect_error sweep_spec_repeated_key 4 "has key \"trials\" twice in the top-level object" -- \
    $GINV sweep $TMP/dup.json --db $TMP/dup.db -q
check sweep_spec_repeated_key_makes_no_store test ! -e $TMP/dup.db
expect_error model_architecture_repeated_key 4 "has key \"out\" twice in object \"layers\"[0]" -- \
    $GINV info tests/malformed/model/architecture_duplicate_key.safetensors

# ------------------------------------------ item 16: a shape of 2^62
expect_error shape_2_to_62_is_too_large 4 "shape[0] is 4611686018427387904, too large: the limit is 2^53" -- \
    $GINV info tests/malformed/safetensors/shape_too_large.safetensors
echo done
