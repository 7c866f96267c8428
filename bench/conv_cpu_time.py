#!/usr/bin/python3
"""conv_cpu_time.py — CPU seconds per Adam-CSGM iteration on the conv VAE
decoder, ginv beside PyTorch, ONE thread each: the work an iteration costs,
which a loaded machine inflates much less than wall time (a descheduled
process is not charged; a 2-thread OpenMP or pool run under load is, by its
spin-waits, hence one thread). The problem is bench/conv_csgm.py's (m = 200
Gaussian measurements, y = A G(z0), Adam lr 0.01). ginv: the CPU time of
`ginv recover --iters T` minus that of `--iters 1` (start-up, loading),
over T - 1; PyTorch: time.process_time() around T iterations after 2
warm-up ones. Rounds alternate the order; medians and the minimum.

  /usr/bin/python3 bench/conv_cpu_time.py GINV [ROUNDS] [B:T ...]
  e.g. bench/conv_cpu_time.py build/ginv 5 1:2000 64:40"""
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_csgm  # noqa: E402


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def ginv_cpu(ginv, model, tmp, B, T):
    def one(iters):
        c0 = child_cpu()
        subprocess.run([ginv, "recover", "--model", model, "--op", "matrix:" + os.path.join(tmp, "A.npy"),
                        "--y", os.path.join(tmp, "y.npy"), "--algo", "adam", "--lr", "0.01", "--restarts", str(B),
                        "--iters", str(iters), "--threads", "1", "--json", os.devnull, "-q"], check=True,
                       env=dict(os.environ, GINV_NO_REEXEC="1"))
        return child_cpu() - c0
    return (one(T) - one(1)) / (T - 1)


def torch_cpu(torch, G, A, y, k, B, T):
    z = torch.randn(B, k, requires_grad=True)
    opt = torch.optim.Adam([z], lr=0.01)
    for i in range(T + 2):
        if i == 2:
            c0 = time.process_time()
        opt.zero_grad()
        loss = 0.5 * ((G(z) @ A.T - y) ** 2).sum()
        loss.backward()
        opt.step()
    return (time.process_time() - c0) / T


def main():
    ginv = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    runs = [tuple(map(int, r.split(":"))) for r in sys.argv[3:]] or [(1, 2000), (64, 40)]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(1)
    torch.manual_seed(1)
    path = os.path.join(conv_csgm.ROOT, "models", "fmnist-convvae-k20.safetensors")
    G = conv_csgm.convvae(nn, torch, path).eval()
    for p in G.parameters():
        p.requires_grad_(False)
    k, m = 20, 200
    gen = torch.Generator().manual_seed(2)
    A = torch.randn(m, 784, generator=gen) / m ** 0.5
    with torch.no_grad():
        y = (G(torch.randn(1, k, generator=gen)) @ A.T)[0]
    with tempfile.TemporaryDirectory(prefix="ginv-conv-cpu-") as tmp:
        np.save(os.path.join(tmp, "A.npy"), A.numpy())
        np.save(os.path.join(tmp, "y.npy"), y.numpy())
        print("| B | ginv CPU ms/iter (rounds) | PyTorch CPU ms/iter (rounds) | ginv median (min) | PyTorch median (min) | PyTorch/ginv (medians) |")
        print("|---:|---|---|---:|---:|---:|")
        for B, T in runs:
            g, t = [], []
            for r in range(rounds):
                for impl in (("ginv", "torch") if r % 2 == 0 else ("torch", "ginv")):
                    if impl == "ginv":
                        g.append(1e3 * ginv_cpu(ginv, path, tmp, B, T))
                    else:
                        t.append(1e3 * torch_cpu(torch, G, A, y, k, B, T))
            gs, ts = sorted(g), sorted(t)
            gm, tm = gs[len(gs) // 2], ts[len(ts) // 2]
            print("| %d | %s | %s | %.3f (%.3f) | %.3f (%.3f) | %.2f |" % (
                B, ", ".join("%.3f" % v for v in g), ", ".join("%.3f" % v for v in t), gm, gs[0], tm, ts[0], tm / gm),
                flush=True)


if __name__ == "__main__":
    main()
