#!/usr/bin/env bash
# test_onnx_cli.sh — ONNX through the command line (issue 12): ginv import of
# the PyTorch fixtures with --check against PyTorch's outputs, export ->
# import -> the same G(z) bit for bit, generate (arrays B x C x H x W, PNG
# grid, --z and --n), --model g.onnx in recover and cs giving the numbers of
# the converted file, and bad input: one line, the exit class, no output.
source "$(dirname "$0")/lib.sh"
F=tests/fixtures/conv

# ---- import: every fixture converts and matches PyTorch
for n in mlp dcgan28 dcgan32 strided upsample dcgan_act; do
    out=$($GINV import $F/$n.onnx -o "$TMP/$n.safetensors" --check $F/$n.x.npy --z $F/$n.z.npy 2>&1)
    if [[ $? -eq 0 && -s "$TMP/$n.safetensors" ]] && grep -q "check: .* latents, max relative error .*: ok" <<<"$out" &&
        grep -q "parameters" <<<"$out"; then ok "import_check_$n"
    else fail "import_check_$n" "$out"; fi
done
out=$($GINV import $F/dcgan28.onnx -o "$TMP/d.safetensors" 2>&1)
check import_prints_layer_table bash -c 'grep -q "conv_transpose2d  4x7x7        -> 8x14x14" <<<"$1" &&
    grep -q "latent 100 -> output 784, 7 layers, 20445 parameters" <<<"$1"' _ "$out"
$GINV import $F/dcgan28.onnx -o "$TMP/dj.safetensors" --check $F/dcgan28.x.npy --z $F/dcgan28.z.npy \
    --json "$TMP/import.json" -q >/dev/null 2>&1
jqcheck() { # NAME FILTER FILE
    if jq -e "$2" "$3" >/dev/null 2>&1; then ok "$1"; else fail "$1" "$(head -c 300 "$3")"; fi
}
jqcheck import_json '.command == "import" and .parameters == 20445 and .check.passed == true and
    .check.max_rel_error < 1e-5 and .architecture.version == 2' "$TMP/import.json"
# a failed check: exit 1, one line, nothing written
expect_error import_check_fails 1 "exceeds --tol" -- $GINV import $F/dcgan28.onnx -o "$TMP/bad.safetensors" \
    --check $F/dcgan28.v.npy --z $F/dcgan28.z.npy
check import_check_fails_writes_nothing test ! -e "$TMP/bad.safetensors"
expect_error import_check_needs_z 2 "--check and --z go together" -- $GINV import $F/mlp.onnx -o "$TMP/x.st" --check $F/mlp.x.npy
expect_error import_needs_output 2 "-o FILE is required" -- $GINV import $F/mlp.onnx

# ---- bad ONNX files: one line, the class, no output file
head -c 3000 $F/dcgan28.onnx > "$TMP/trunc.onnx"
expect_error import_truncated 4 "not a valid ONNX ModelProto" -- $GINV import "$TMP/trunc.onnx" -o "$TMP/t.safetensors"
check import_truncated_writes_nothing test ! -e "$TMP/t.safetensors"
python3 - "$F/mlp.onnx" "$TMP/tanx.onnx" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b.replace(b"Tanh", b"Tanx"))
PY
expect_error import_unsupported_op 8 "(Tanx): op Tanx is not supported" -- $GINV import "$TMP/tanx.onnx" -o "$TMP/u.safetensors"
check import_unsupported_writes_nothing test ! -e "$TMP/u.safetensors"
n=$($GINV import "$TMP/tanx.onnx" -o "$TMP/u.safetensors" 2>&1 | wc -l)
check import_error_is_one_line test "$n" -eq 1
expect_error import_missing_file 5 "nowhere.onnx" -- $GINV import "$TMP/nowhere.onnx" -o "$TMP/n.safetensors"
expect_error info_truncated_onnx 4 "not a valid ONNX ModelProto" -- $GINV info "$TMP/trunc.onnx"

# ---- export -> import: same parameters, bit-identical outputs (the
# fixtures and the shipped conv VAE generators)
for p in $F/dcgan28 $F/dcgan32 $F/upsample models/fmnist-convvae-k20 models/fmnist-convvae-fc512-k20; do
    n=${p##*/}
    $GINV export $p.safetensors -o "$TMP/$n.ex.onnx" -q
    $GINV import "$TMP/$n.ex.onnx" -o "$TMP/$n.back.safetensors" -q
    $GINV generate --model $p.safetensors --n 5 --seed 3 -o "$TMP/$n.a.npy" -q
    $GINV generate --model "$TMP/$n.back.safetensors" --n 5 --seed 3 -o "$TMP/$n.b.npy" -q
    $GINV generate --model "$TMP/$n.ex.onnx" --n 5 --seed 3 -o "$TMP/$n.c.npy" -q
    if cmp -s "$TMP/$n.a.npy" "$TMP/$n.b.npy" && cmp -s "$TMP/$n.a.npy" "$TMP/$n.c.npy"; then ok "export_import_bit_identical_$n"
    else fail "export_import_bit_identical_$n" "outputs differ"; fi
done
out=$($GINV export $F/dcgan28.safetensors -o "$TMP/e.onnx" 2>&1)
check export_says_what_it_wrote grep -q "wrote $TMP/e.onnx: ONNX opset 13, 100 -> 784, 7 layers, 20445 parameters" <<<"$out"
expect_error export_missing_model 5 "nowhere" -- $GINV export "$TMP/nowhere.safetensors" -o "$TMP/ne.onnx"
check export_missing_writes_nothing test ! -e "$TMP/ne.onnx"
expect_error export_needs_output 2 "-o FILE is required" -- $GINV export $F/mlp.safetensors

# ---- generate
out=$($GINV generate --model $F/dcgan28.onnx --z $F/dcgan28.z.npy -o "$TMP/x.npy" --png "$TMP/x.png" 2>&1)
check generate_image_shape grep -q "wrote $TMP/x.npy: 4 x 1 x 28 x 28" <<<"$out"
check generate_png_written test -s "$TMP/x.png"
rel=$(/usr/bin/python3 - "$TMP/x.npy" $F/dcgan28.x.npy 2>&1 <<'PY'
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
print("shape", "x".join(map(str, a.shape)), "rel", abs(a.reshape(b.shape) - b).max() / abs(b).max())
PY
)
check generate_matches_pytorch awk -v l="$rel" 'BEGIN{split(l, f, " "); exit !(f[2] == "4x1x28x28" && f[4] < 1e-5)}'
out=$($GINV generate --model $F/mlp.onnx --n 3 -o "$TMP/m.npy" 2>&1)
check generate_vector_shape grep -q "wrote $TMP/m.npy: 3 x 16" <<<"$out"
$GINV generate --model $F/mlp.onnx --n 3 --seed 5 -o "$TMP/m1.npy" -q
$GINV generate --model $F/mlp.onnx --n 3 --seed 5 -o "$TMP/m2.npy" -q --threads 1
check generate_same_seed_same_output cmp -s "$TMP/m1.npy" "$TMP/m2.npy"
$GINV generate --model $F/mlp.onnx --n 3 --seed 5 -o "$TMP/m.txt" --json "$TMP/g.json" -q
jqcheck generate_json '.command == "generate" and .latents == 3 and .shape == [3, 16] and .params.seed == 5' "$TMP/g.json"
expect_error generate_z_and_n 2 "give one of --z FILE and --n N" -- $GINV generate --model $F/mlp.onnx --n 2 --z $F/mlp.z.npy -o "$TMP/b.npy"
expect_error generate_wrong_latent_size 4 "not a batch of latents of size 100" -- \
    $GINV generate --model $F/dcgan28.onnx --z $F/mlp.z.npy -o "$TMP/w.npy"
check generate_wrong_size_writes_nothing test ! -e "$TMP/w.npy"
expect_error generate_bad_model 8 "op Tanx is not supported" -- $GINV generate --model "$TMP/tanx.onnx" --n 2 -o "$TMP/w2.npy"
check generate_bad_model_writes_nothing test ! -e "$TMP/w2.npy"

# ---- --model g.onnx wherever a model is taken: the numbers of the converted file
r1=$($GINV recover --model $F/dcgan28.onnx --op gaussian --m 60 --algo adam --iters 30 --trials 2 --seed 4 --json - -q 2>&1 | jq -c '[.trials[] | del(.seconds)]')
r2=$($GINV recover --model "$TMP/dcgan28.safetensors" --op gaussian --m 60 --algo adam --iters 30 --trials 2 --seed 4 --json - -q 2>&1 | jq -c '[.trials[] | del(.seconds)]')
if [[ -n "$r1" && "$r1" != null && "$r1" == "$r2" ]]; then ok recover_model_onnx_same_as_imported
else fail recover_model_onnx_same_as_imported "$r1 vs $r2"; fi
cs_line() { $GINV cs --model "$1" --data 'fashion-mnist:test[0:2]' --m 100 --method csgm --iters 30 \
    --restarts 2 --seed 1 2>&1 | awk '$1 == "csgm" {print $2, $3, $4}'; }
c1=$(cs_line $F/dcgan28.onnx) c2=$(cs_line "$TMP/dcgan28.safetensors")
if [[ -n "$c1" && "$c1" == "$c2" ]]; then ok cs_model_onnx_same_as_imported
else fail cs_model_onnx_same_as_imported "'$c1' vs '$c2'"; fi
out=$($GINV info $F/dcgan_act.onnx 2>&1)
check info_reads_onnx grep -q "latent 12 -> output 512, 10 layers, 2659 parameters" <<<"$out"
cp $F/dcgan28.onnx "$TMP/noext.model"
out=$($GINV info "$TMP/noext.model" 2>&1)
check info_onnx_by_magic grep -q "latent 100 -> output 784" <<<"$out"
echo done
