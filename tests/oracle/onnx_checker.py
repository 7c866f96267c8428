#!/usr/bin/python3
"""make test-onnx: ginv's ONNX export against the ONNX project's own checker.

Usage: /usr/bin/python3 tests/oracle/onnx_checker.py BUILD/ginv

Exports every net of tests/fixtures/conv, the shipped generators of models/
(the conv VAEs and the MLP VAEs) and random nets of several kinds with
`ginv export`, then runs onnx.checker.check_model(full_check=True) (which also
runs ONNX shape inference) on each file (Debian's python3-onnx; no
onnxruntime in Debian) and checks that the inferred output shape is the one
ginv generate writes ([N, C, H, W] or [N, n]). Prints ok/FAIL per net and ends with
"N passed, M failed"; exits non-zero on any failure.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import onnx
from onnx import checker, shape_inference


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def main():
    ginv = sys.argv[1]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        models = sorted(glob.glob("tests/fixtures/conv/*.safetensors"))
        models += sorted(glob.glob("models/*.safetensors"))  # the shipped generators
        for i, layers in enumerate(["10,250,1000", "4,8,8,3"]):
            p = os.path.join(tmp, "random%d.safetensors" % i)
            run(ginv, "net", "random", "--layers", layers, "--bias", "--act", "leaky_relu",
                "--seed", "1", "-o", p)
            models.append(p)
        p = os.path.join(tmp, "oneway.safetensors")  # the sign layer: Sign(Sign(x) + 1/2)
        run(ginv, "net", "oneway", "--d", "8", "--rounds", "3", "-o", p)
        models.append(p)
        for path in models:
            name = os.path.basename(path).replace(".safetensors", "")
            out = os.path.join(tmp, name + ".onnx")
            try:
                run(ginv, "export", path, "-o", out, "-q")
                gen = json.loads(run(ginv, "generate", "--model", path, "--n", "1", "-o",
                                     os.path.join(tmp, "x.npy"), "--json", "-", "-q"))
                m = onnx.load(out)
                checker.check_model(m, full_check=True)
                inferred = shape_inference.infer_shapes(m, strict_mode=True)
                dims = [d.dim_value if d.HasField("dim_value") else d.dim_param
                        for d in inferred.graph.output[0].type.tensor_type.shape.dim]
                want = ["N"] + gen["shape"][1:]
                if dims != want:
                    raise AssertionError("output shape %s, ginv says %s" % (dims, want))
                print("ok onnx_checker_%s (opset %d, %d nodes)" %
                      (name, m.opset_import[0].version, len(m.graph.node)))
                passed += 1
            except Exception as e:  # report every failure, then fail
                print("FAIL onnx_checker_%s: %s" % (name, str(e).splitlines()[0] if str(e) else type(e).__name__))
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
