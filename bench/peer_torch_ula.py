#!/usr/bin/python3
"""peer_torch_ula.py — the PyTorch peer of the sampling benchmark: the
unadjusted Langevin algorithm on the latent of a generator, all chains as one
batch, written the way a PyTorch user writes it.

  G = nn.Sequential(Linear, Softplus, ..., Linear, Sigmoid), weights loaded
      from the ginv model file and frozen (requires_grad_(False): autograd
      computes no weight gradients)
      (built by bench/torch_common.py, as are the thread settings and A, y);
  U(z) = ||G(z) A^T - y||^2 / (2 sigma^2) + ||z||^2 / 2   (per chain; the
      gaussian prior of `ginv sample --prior gaussian --sigma sigma`)
  z = torch.zeros(C, k)                                (ginv's --start zero)
  loop, burn-in + samples steps:
      z.requires_grad_(True); g, = torch.autograd.grad(U(z).sum(), z)
      with torch.no_grad():
          z = z - eta * g + sqrt(2 eta / beta) * torch.randn_like(z)
      after the burn-in: samples[s] = z   (a preallocated S x C x k tensor,
                                           as ginv keeps every sample)

The whole loop (burn-in and samples) is timed with time.perf_counter, after
`--warmup` untimed gradient evaluations at the start point (which do not move
the chain).  Writes the samples (C x S x k float32, chain-first) to --out-samples and
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_common  # noqa: E402  (light: numpy and torch load in import_torch)


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

    # the thread settings, then torch; the generator, as a user would build
    # it, and A, y (bench/torch_common.py)
    torch = torch_common.import_torch(a.threads, a.seed,
                                      {"impl": "torch", "C": a.chains, "threads": a.threads})
    if torch is None:
        return 0
    import numpy as np
    G, k_in, A, y = torch_common.load_problem(a.model, a.A, a.y)
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

    np.save(a.out_samples, samples.numpy().transpose(1, 0, 2))  # chain-first, as ginv writes samples.npy
    steps = TB + S
    print(json.dumps({"impl": "torch", "C": C, "threads": a.threads, "steps": steps,
                      "seconds": dt, "seconds_per_step": dt / steps,
                      "finite": bool(torch.isfinite(samples).all()),
                      "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
