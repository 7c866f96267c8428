#!/usr/bin/python3
"""make_inputs.py — the benchmark's measurement operator and measurements.

Writes, next to the model:
  A.npy  m x n float32, entries N(0, 1/m)  (a Gaussian measurement matrix)
  y.npy  m float32, y = A G(z0) for a z0 ~ N(0, I_k)  (noise-free)
where n and k are read from the model file.

usage: make_inputs.py --model M.safetensors --m 100 --seed 1 --out-dir DIR
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ginv_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--m", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args()

    layers = ginv_model.load(a.model)
    d = ginv_model.dims(layers)
    k, n = d[0], d[-1]
    rng = np.random.default_rng(a.seed)
    A = (rng.standard_normal((a.m, n)) / np.sqrt(a.m)).astype(np.float32)
    z0 = rng.standard_normal((1, k))
    x0 = ginv_model.forward_np(layers, z0)
    y = (x0 @ A.T.astype(np.float64)).astype(np.float32).reshape(a.m)
    os.makedirs(a.out_dir, exist_ok=True)
    np.save(os.path.join(a.out_dir, "A.npy"), A)
    np.save(os.path.join(a.out_dir, "y.npy"), y)
    print(f"make_inputs: generator {'-'.join(map(str, d))}, A {a.m}x{n}, y {a.m}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
