#!/usr/bin/python3
"""peer_torch.py — the PyTorch peer of the benchmark: Adam on the latent of a
generator, written the way a PyTorch user writes it.

  G = nn.Sequential(Linear, Softplus, ..., Linear, Sigmoid), weights loaded
      from the ginv model file and frozen (requires_grad_(False): only z is
      optimised, so autograd computes no weight gradients — the fair choice);
  z = torch.randn(B, k, requires_grad=True); opt = torch.optim.Adam([z], lr)
  loop: opt.zero_grad(); loss = 0.5 * ((G(z) @ A.T - y) ** 2).sum();
        loss.backward(); opt.step()

Only the loop is timed (time.perf_counter), after `--warmup` untimed
iterations.  Prints one JSON line:
  {"impl": "torch", "B": .., "threads": .., "iters": .., "seconds_per_iter": ..,
   "loss": .., "torch": "<version>"}

usage: peer_torch.py --model M.safetensors --A A.npy --y y.npy --B 64
                     --threads 2 [--iters 1000] [--warmup 20] [--lr 0.01]
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--A", required=True)
    ap.add_argument("--y", required=True)
    ap.add_argument("--B", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    # Thread settings before torch (and its BLAS/OpenMP) load.
    t = str(a.threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = t
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    try:
        import numpy as np
        import torch
        from torch import nn
    except ImportError as e:
        print(json.dumps({"impl": "torch", "B": a.B, "threads": a.threads,
                          "skipped": f"cannot import: {e}"}))
        return 0

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ginv_model

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    # --- the generator, as a user would build it -------------------------
    layers = ginv_model.load(a.model)
    mods = []
    for L in layers:
        k = L["kind"]
        if k == "dense":
            out_f, in_f = L["W"].shape
            lin = nn.Linear(in_f, out_f, bias=L["b"] is not None)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(L["W"].copy()))
                if L["b"] is not None:
                    lin.bias.copy_(torch.from_numpy(L["b"].copy()))
            mods.append(lin)
        elif k == "softplus":
            mods.append(nn.Softplus())
        elif k == "sigmoid":
            mods.append(nn.Sigmoid())
        elif k == "relu":
            mods.append(nn.ReLU())
        elif k == "tanh":
            mods.append(nn.Tanh())
        elif k == "leaky_relu":
            mods.append(nn.LeakyReLU(L["alpha"]))
        elif k == "identity":
            mods.append(nn.Identity())
    G = nn.Sequential(*mods)
    G.eval()
    G.requires_grad_(False)
    k_in = ginv_model.dims(layers)[0]

    A = torch.from_numpy(np.load(a.A).astype(np.float32))
    y = torch.from_numpy(np.load(a.y).astype(np.float32)).reshape(1, -1)

    # --- the inversion ----------------------------------------------------
    z = torch.randn(a.B, k_in, requires_grad=True)
    opt = torch.optim.Adam([z], lr=a.lr)

    def step():
        opt.zero_grad()
        loss = 0.5 * ((G(z) @ A.T - y) ** 2).sum()
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.iters):
        loss = step()
    dt = time.perf_counter() - t0

    print(json.dumps({"impl": "torch", "B": a.B, "threads": a.threads, "iters": a.iters,
                      "seconds_per_iter": dt / a.iters, "loss": float(loss.item()),
                      "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
