#!/usr/bin/env bash
# make_corpus.sh [GINV] — writes the seed corpora of the fuzz targets into
# tests/fuzz/corpus/NAME/ (NAME: the target without "fuzz_"): small valid
# inputs of each parser (made with the ginv binary, default build/ginv, and
# python3) and the malformed files of tests/malformed. The output is
# committed; `make fuzz-run` copies it to a scratch folder before running.
set -e
cd "$(dirname "$0")/../.."
G=$(realpath "${1:-build/ginv}")
C=tests/fuzz/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rm -rf "$C"
mkdir -p $C/{png,safetensors,npy,idx,pgm,cnf,graph,lattice,sweep_spec,model,problem,vae,score,op,images_spec,store,where,onnx}

# PNG: tiny valid grayscale files (8 and 16 bits, 1 bit, gray + alpha, interlaced)
python3 - "$C/png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
def png(name, w, h, depth, ctype, rows, interlace=0):
    raw = b"".join(b"\x00" + r for r in rows)
    b = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))
    b += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(sys.argv[1] + "/" + name, "wb").write(b)
png("gray8_1x1.png", 1, 1, 8, 0, [b"\x80"])
png("gray8_3x2.png", 3, 2, 8, 0, [b"\x00\x7f\xff", b"\x10\x20\x30"])
png("gray16_2x2.png", 2, 2, 16, 0, [b"\x00\x00\xff\xff", b"\x12\x34\x80\x00"])
png("gray1_8x1.png", 8, 1, 1, 0, [b"\xa5"])
png("gray_alpha_2x1.png", 2, 1, 8, 4, [b"\x40\xff\xc0\x00"])
png("rgb_1x1.png", 1, 1, 8, 2, [b"\x01\x02\x03"])
PY

# the malformed corpora and a valid file of each format
for f in safetensors npy idx pgm cnf graph; do cp tests/malformed/$f/* $C/$f/ 2>/dev/null; rm -f $C/$f/EXPECT; done
cp tests/malformed/cnf-strict/*.cnf $C/cnf/; cp tests/malformed/graph-strict/*.col $C/graph/
printf 'P2 3 2 9\n0 1 2\n3 4 9\n' > $C/pgm/valid_p2.pgm
printf 'p cnf 3 2\n1 -2 0\n2 3 0\n' > $C/cnf/valid.cnf
printf 'p edge 4 3\ne 1 2\ne 2 3 5\ne 3 4\n' > $C/graph/valid.col

# models: random nets, reductions (with their ginv.problem), and the malformed ones
$G net random --layers 2,3,4 --seed 1 -o $C/model/random_2_3_4.safetensors >/dev/null
$G net random --layers 3,5 --bias --seed 2 -o $C/model/random_bias.safetensors >/dev/null 2>&1 ||
    $G net random --layers 3,5 --seed 2 -o $C/model/random_bias.safetensors >/dev/null
printf 'p cnf 3 2\n1 -2 0\n2 3 0\n' > $T/s.cnf
$G reduce sat $T/s.cnf --latent pm1 -o $C/model/sat_pm1.safetensors >/dev/null
$G reduce sat $T/s.cnf --latent real -o $C/model/sat_real.safetensors >/dev/null
printf 'p edge 4 3\ne 1 2\ne 2 3\ne 3 4\n' > $T/g.col
$G reduce half-clique $T/g.col --p 2 -o $C/model/half_clique.safetensors >/dev/null
$G reduce vertex-cover $T/g.col --size 2 --p 1 -o $C/model/vertex_cover.safetensors >/dev/null
printf '1 0 2\n0 3 1\n' > $T/B.txt
printf '1 2 1\n' > $T/t.txt
$G reduce cvp --basis $T/B.txt --target $T/t.txt --radius 1 --p 2 --latent 01 -o $C/model/cvp_01.safetensors >/dev/null
$G reduce cvp --basis $T/B.txt --target $T/t.txt --radius 0.2 --p 1 --latent real -o $C/model/cvp_real.safetensors >/dev/null
cp tests/malformed/model/*.safetensors $C/model/
cp $C/model/random_2_3_4.safetensors $C/safetensors/valid_model.safetensors

# problem sources: the "source" objects of those reductions
python3 - $C/problem $C/model/*.safetensors <<'PY'
import json, struct, sys, os
for p in sys.argv[2:]:
    b = open(p, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    try:
        meta = json.loads(b[8:8 + n]).get("__metadata__", {})
        src = json.loads(meta["ginv.problem"]).get("source")
    except Exception:
        continue
    if src:
        open(os.path.join(sys.argv[1], os.path.basename(p).replace(".safetensors", ".json")), "w").write(
            json.dumps(src, separators=(",", ":")))
PY

# lattice: basis text, NUL, target text
printf '1 0 2\n0 3 1\0001 2 1\n' > $C/lattice/b2x3.txt
printf '1 2\n3 4\n5 6\0000.5 0.5\n' > $C/lattice/b3x2.txt
printf '7\n' > $C/lattice/one.txt

# VAE: a tiny one trained on 8 images of 3 x 3 (with and without Adam state)
python3 - $T/tiny.idx <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(bytes([0, 0, 8, 3]) + struct.pack(">III", 8, 3, 3) + bytes((i * 29) % 256 for i in range(72)))
PY
$G train vae --data idx:$T/tiny.idx --no-test --latent 2 --hidden 3 --epochs 1 --batch 4 -q -o $C/vae/tiny.safetensors >/dev/null
[[ -f $C/vae/tiny.safetensors.ckpt ]] && mv $C/vae/tiny.safetensors.ckpt $C/vae/tiny_ckpt.safetensors
# score priors: one beside the tiny VAE's generator (layer 2, p = 3), and its checkpoint
$G train score --model $C/vae/tiny.safetensors --layer 2 --examples 16 --hidden 4 --fourier 2 --epochs 1 \
    --batch 4 -q -o $C/score/tiny.safetensors >/dev/null
[[ -f $C/score/tiny.safetensors.ckpt ]] && mv $C/score/tiny.safetensors.ckpt $C/score/tiny_ckpt.safetensors

# sweep specs, --op texts, --data specs, --where filters
printf '{"command": "recover", "fixed": {"layers": "4,20", "iters": 10}, "grid": {"m": [5, 10]}, "trials": 2, "seed": 1}' > $C/sweep_spec/recover.json
printf '{"command": "recover", "fixed": {"layers": "4,20", "op": "gaussian"}, "grid": {"m": [5], "algo": ["gd", "adam"]}, "trials": 1, "seeds": "shared"}' > $C/sweep_spec/shared.json
printf '{"command": "cs", "fixed": {"model": "m.safetensors", "data": "idx:i.idx", "op": "gaussian"}, "grid": {"m": [4]}, "trials": 1}' > $C/sweep_spec/cs.json
i=0; for op in identity gaussian gaussian-unit subsample subsample:mask.txt inpaint-box inpaint-box:1,1,2,2 downsample:2 matrix:A.txt; do
    i=$((i + 1)); printf '\020\000%s' "$op" > $C/op/op$i; done
printf '\003\004downsample:5' > $C/op/op_ds5
i=0; for op in circulant:8 circulant fourier-subsample:random:5 fourier-subsample:radial:2 fourier-subsample:cartesian:2 \
    fourier-subsample:mask.txt blur:1.2 blur:0.7,zero blur:1,circular blur:k.txt,reflect colorize; do
    i=$((i + 1)); printf '\020\000%s' "$op" > $C/op/op17_$i; done
i=0; for s in 'fashion-mnist:test' 'fashion-mnist:test[0:3]' 'fashion-mnist:test[-1:]' 'fashion-mnist:train[0:2]' 'idx:i.idx' 'idx:g.idx.gz[1:4:2]' 'idx:i.idx[::-1]' 'a.png' 'a.png,b.pgm' 'b.pgm,a.png[1:]' 'c.pgm,b.pgm'; do
    i=$((i + 1)); printf '%s' "$s" > $C/images_spec/spec$i; done
i=0; for w in 'm=10' 'm=10;noise=0.1' ' m = 5 ; noise=0 ' 'algo=gd' 'm==5' 'm=5;m=10' 'x=1' ';' 'm='; do
    i=$((i + 1)); printf '%s' "$w" > $C/where/where$i; done
printf 'm=10\000{"m":"10","noise":"0"}' > $C/where/with_params

# a store: a finished 2-cell sweep, and one with an error row
printf '{"command": "recover", "fixed": {"layers": "2,6", "iters": 5}, "grid": {"m": [3, 4]}, "trials": 2, "seed": 1}' > $T/spec.json
$G sweep $T/spec.json --db $T/s.db -q >/dev/null
sqlite3 $T/s.db 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;' >/dev/null 2>&1 || true
cp $T/s.db $C/store/recover.db
# ONNX: the small PyTorch fixtures, ginv's exports (every layer kind) and
# broken copies (truncated, an unknown op, a wrong wire type)
cp tests/fixtures/conv/{mlp,strided,upsample,dcgan_act}.onnx $C/onnx/
$G export tests/fixtures/conv/dcgan32.safetensors -o $C/onnx/export_dcgan32.onnx -q
$G export tests/fixtures/conv/strided.safetensors -o $C/onnx/export_strided.onnx -q
$G export $C/model/random_2_3_4.safetensors -o $C/onnx/export_random.onnx -q
python3 - $C/onnx <<'PY'
import sys
d = sys.argv[1]
b = open(d + "/mlp.onnx", "rb").read()
open(d + "/bad_truncated.onnx", "wb").write(b[: len(b) // 3])
open(d + "/bad_op.onnx", "wb").write(b.replace(b"Tanh", b"Tanx"))
open(d + "/bad_wire_type.onnx", "wb").write(b"\x0d" + b[1:])
s = open(d + "/strided.onnx", "rb").read()
open(d + "/bad_gelu_const.onnx", "wb").write(s.replace(b"\xf3\x04\xb5\x3f", b"\x00\x00\xc0\x3f"))
PY

echo "corpora: $(find $C -type f | wc -l) files, $(du -sh $C | cut -f1)"
