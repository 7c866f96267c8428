#!/usr/bin/python3
"""peer_torch_ula.py — the PyTorch peer of the sampling benchmark: the
unadjusted Langevin algorithm on the latent of a generator, all chains as one
batch, written the way a PyTorch user writes it.

  G = nn.Sequential(Linear, Softplus, ..., Linear, Sigmoid), weights loaded
      from the ginv model file and frozen (requires_grad_(False): autograd
      computes no weight gradients);
  U(z) = ||G(z) A^T - y||^2 / (2 sigma^2) + ||z||^2 / 2   (per chain; the
      gaussian prior of `ginv sample --prior gaussian --sigma sigma`)
  z = torch.zeros(C, k)                                (ginv's --init zero)
  loop, burn-in + samples steps:
      z.requires_grad_(True); g, = torch.autograd.grad(U(z).sum(), z)
      with torch.no_grad():
          z = z - eta * g + sqrt(2 eta / beta) * torch.randn_like(z)
      after the burn-in: samples[s] = z   (a preallocated S x C x k tensor,
                                           as ginv keeps every sample)

The whole loop (burn-in and samples) is timed with time.perf_counter, after
`--warmup` untimed gradient evaluations at the start point (which do not move
the chain).  Writes the samples (S x C x k float32) to --out-samples and
prints one JSON line:
  {"impl": "torch", "C", "threads", "steps", "seconds", "seconds_per_step",
   "torch": "<version>"}

usage: peer_torch_ula.py --model M.safetensors --A A.npy --y y.npy --chains 64
         --threads 2 --step 1e-2 --temperature 1 --sigma 0.03 --burn-in 200
         --samples 1000 --seed 1 --out-samples S.npy [--warmup 20]
"""
import argparse
import json
import math
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--A", required=True)
    ap.add_argument("--y", required=True)
    ap.add_argument("--chains", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--step", type=float, required=True)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--sigma", type=float, required=True)
    ap.add_argument("--burn-in", type=int, default=200)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-samples", required=True)
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
        print(json.dumps({"impl": "torch", "C": a.chains, "threads": a.threads,
                          "skipped": f"cannot import: {e}"}))
        return 0

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ginv_model

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    # --- the generator, as a user would build it (as in peer_torch.py) ------
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
    inv2s2 = 1.0 / (2.0 * a.sigma ** 2)
    eta = a.step
    noise_sd = math.sqrt(2.0 * eta / a.temperature)

    def energy(z):  # U per chain
        return inv2s2 * ((G(z) @ A.T - y) ** 2).sum(1) + 0.5 * (z ** 2).sum(1)

    # --- the chains -------------------------------------------------------
    C, S, TB = a.chains, a.samples, a.burn_in
    z = torch.zeros(C, k_in)
    samples = torch.empty(S, C, k_in)

    for _ in range(a.warmup):  # untimed: gradient evaluations at the start point
        zw = z.clone().requires_grad_(True)
        torch.autograd.grad(energy(zw).sum(), zw)

    t0 = time.perf_counter()
    for t in range(TB + S):
        z.requires_grad_(True)
        g, = torch.autograd.grad(energy(z).sum(), z)
        with torch.no_grad():
            z = z - eta * g + noise_sd * torch.randn_like(z)
        if t >= TB:
            samples[t - TB] = z
    dt = time.perf_counter() - t0

    np.save(a.out_samples, samples.numpy())
    steps = TB + S
    print(json.dumps({"impl": "torch", "C": C, "threads": a.threads, "steps": steps,
                      "seconds": dt, "seconds_per_step": dt / steps,
                      "finite": bool(torch.isfinite(samples).all()),
                      "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
