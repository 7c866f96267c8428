#!/usr/bin/python3
"""peer_torch.py — the PyTorch peer of the benchmark: Adam on the latent of a
generator, written the way a PyTorch user writes it.

  G = nn.Sequential(Linear, Softplus, ..., Linear, Sigmoid), weights loaded
      from the ginv model file and frozen (requires_grad_(False): only z is
      optimised, so autograd computes no weight gradients — the fair choice)
      (built by bench/torch_common.py, as are the thread settings and A, y);
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_common  # noqa: E402  (light: numpy and torch load in import_torch)


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

    # the thread settings, then torch; the generator, as a user would build
    # it, and A, y (bench/torch_common.py)
    torch = torch_common.import_torch(a.threads, a.seed,
                                      {"impl": "torch", "B": a.B, "threads": a.threads})
    if torch is None:
        return 0
    G, k_in, A, y = torch_common.load_problem(a.model, a.A, a.y)

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
