#!/usr/bin/python3
"""conv_layers_torch.py — the PyTorch peer of bench/conv_layers.c: forward +
latent gradient (torch.autograd.grad((G(z) * v).sum(), z)) of the 64x64x3
DCGAN generator (z = 100; ConvTranspose2d 512-256-128-64-3, kernel 4,
BatchNorm2d in eval mode + ReLU, tanh; weights frozen), float32, at the
batches given, torch.set_num_threads(THREADS); one JSON line per batch with
the median and quartiles of REPS timed passes (after two warm-up passes).

  /usr/bin/python3 bench/conv_layers_torch.py THREADS REPS B1 [B2 ...]"""
import json
import os
import sys
import time


def main():
    threads, reps = int(sys.argv[1]), int(sys.argv[2])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)

    def block(ci, co, s, p, last=False):
        layers = [nn.ConvTranspose2d(ci, co, 4, s, p, bias=False)]
        return layers + ([nn.Tanh()] if last else [nn.BatchNorm2d(co), nn.ReLU()])

    G = nn.Sequential(*block(100, 512, 1, 0), *block(512, 256, 2, 1), *block(256, 128, 2, 1),
                      *block(128, 64, 2, 1), *block(64, 3, 2, 1, last=True)).eval()
    for p in G.parameters():
        p.requires_grad_(False)
    for B in map(int, sys.argv[3:]):
        z = torch.randn(B, 100, 1, 1, requires_grad=True)
        v = torch.randn(B, 3, 64, 64)
        ts, tf = [], []
        for i in range(reps + 2):
            t0 = time.perf_counter()
            x = G(z)
            t1 = time.perf_counter()
            (dz,) = torch.autograd.grad((x * v).sum(), z)
            t2 = time.perf_counter()
            if i >= 2:
                ts.append(t2 - t0)
                tf.append(t1 - t0)
        ts.sort()
        tf.sort()
        print(json.dumps({"impl": "torch", "B": B, "threads": threads, "reps": reps,
                          "median_s": ts[reps // 2], "q1_s": ts[reps // 4], "q3_s": ts[3 * reps // 4],
                          "forward_median_s": tf[reps // 2], "torch": torch.__version__,
                          "mkldnn": torch.backends.mkldnn.is_available()}), flush=True)


if __name__ == "__main__":
    main()
