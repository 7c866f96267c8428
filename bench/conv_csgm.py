#!/usr/bin/python3
"""conv_csgm.py — Adam-CSGM inversion, ginv beside PyTorch autograd on the same
problem, per Adam iteration at batches B (B restarts of one y), m Gaussian
measurements (entries N(0, 1/m)), THREADS threads, for two generators:

  dcgan    the CSGM paper's 64x64x3 DCGAN generator (z = 100;
           ConvTranspose2d 512-256-128-64-3, kernel 4, BatchNorm2d in eval
           mode + ReLU, tanh; random weights, seed 1), built in PyTorch and
           given to ginv as ONNX (torch.onnx.export; `--model g.onnx`);
  convvae  a shipped Fashion-MNIST conv VAE decoder (--vae-model; default
           models/fmnist-convvae-k20.safetensors: dense 20 -> 3136, ELU,
           64x7x7, ConvT -> 32x14x14, ELU, ConvT -> 1x28x28, sigmoid;
           models/fmnist-convvae-fc512-k20.safetensors has a dense 20 -> 512,
           ELU before), given to ginv as the file and to PyTorch as the
           nn.Sequential its layer list describes, with the file's weights.

A, y = A G(z0) go to both as files, so both solve min_z 1/2 ||A G(z) - y||^2
from their own N(0, I) starts with Adam (lr 0.01). ginv's time per iteration
is its JSON `seconds_per_iter` (the solve loop only); PyTorch's the median of
T timed iterations (after 2 warm-up iterations): forward, loss, backward,
Adam step (the VAE decoder runs --vae-iters-mult times T iterations, being
about 60x cheaper). The two alternate, in an order that flips every round. GFLOP per
iteration counts the products only (conv / dense layers and A, forward and
input VJP, 2 flops a multiply-add). One JSON line per (model, impl, B,
round); a summary line and a markdown table last.

  /usr/bin/python3 bench/conv_csgm.py GINV THREADS M ROUNDS B:T [B:T ...]
        [--models dcgan,convvae] [--vae-m 200] [--vae-iters-mult 10] [--vae-model PATH]
  e.g. bench/conv_csgm.py build/ginv 2 500 3 1:40 64:6   (M: the DCGAN's m)"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
        data = f.read()
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=np.float32).reshape(v["shape"])
            for k, v in head.items() if k != "__metadata__" and v["dtype"] == "F32"}


def dcgan(nn):
    def block(ci, co, s, p, last=False):
        layers = [nn.ConvTranspose2d(ci, co, 4, s, p, bias=False)]
        return layers + ([nn.Tanh()] if last else [nn.BatchNorm2d(co), nn.ReLU()])

    class Gen(nn.Module):  # z (B, 100) -> x (B, 3*64*64), as ginv sees a generator (exports to ONNX)
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(*block(100, 512, 1, 0), *block(512, 256, 2, 1), *block(256, 128, 2, 1),
                                      *block(128, 64, 2, 1), *block(64, 3, 2, 1, last=True))

        def forward(self, z):
            return self.body(z.view(-1, 100, 1, 1)).flatten(1)

    return Gen()


def convvae(nn, torch, path):
    """the VAE decoder of a ginv VAE file as nn.Sequential, built from the
    file's own layer list (__metadata__["ginv"]: dense, elu, reshape,
    conv_transpose2d, sigmoid), so any --arch conv VAE (with or without
    --fc) runs on both sides with the same weights"""
    with open(path, "rb") as f:
        head = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    arch = json.loads(head["__metadata__"]["ginv"])["layers"]
    t = read_safetensors(path)
    mods = []
    for i, L in enumerate(arch):
        kind = L["type"]
        if kind == "dense":
            mods.append(nn.Linear(L["in"], L["out"], bias=L["bias"]))
        elif kind == "conv_transpose2d":
            mods.append(nn.ConvTranspose2d(L["in_shape"][0], L["out_channels"], tuple(L["kernel"]),
                                           tuple(L["stride"]), tuple(L["padding"]), tuple(L["output_padding"]),
                                           bias=L["bias"], dilation=tuple(L["dilation"])))
        elif kind == "elu":
            mods.append(nn.ELU(alpha=L["alpha"]))
        elif kind == "reshape":
            mods.append(nn.Unflatten(1, tuple(L["out_shape"])))
        elif kind == "sigmoid":
            mods.append(nn.Sigmoid())
        else:
            sys.exit("conv_csgm: layer %d of %s is %s (not in this benchmark's list)" % (i, path, kind))
        if kind in ("dense", "conv_transpose2d"):
            with torch.no_grad():
                mods[-1].weight.copy_(torch.from_numpy(t["layers.%d.weight" % i].copy()))
                if L["bias"]:
                    mods[-1].bias.copy_(torch.from_numpy(t["layers.%d.bias" % i].copy()))
    return nn.Sequential(*mods, nn.Flatten())


def product_macs(G, k, torch, nn):
    """multiply-adds of G's dense and conv layers for one sample"""
    macs = []

    def hook(mod, inp, out):
        if isinstance(mod, nn.Linear):
            macs.append(mod.in_features * mod.out_features)
        elif isinstance(mod, nn.ConvTranspose2d):
            macs.append(inp[0][0].numel() * mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1])

    hs = [m.register_forward_hook(hook) for m in G.modules()]
    with torch.no_grad():
        G(torch.zeros(1, k))
    for h in hs:
        h.remove()
    return sum(macs)


def run_ginv(ginv, model, tmp, name, B, T, threads):
    res = subprocess.run([ginv, "recover", "--model", model, "--op", "matrix:" + os.path.join(tmp, name + "-A.npy"),
                          "--y", os.path.join(tmp, name + "-y.npy"), "--algo", "adam", "--lr", "0.01",
                          "--restarts", str(B), "--iters", str(T), "--threads", str(threads), "--json", "-", "-q"],
                         capture_output=True, text=True, env=dict(os.environ, GINV_NO_REEXEC="1"))
    if res.returncode:
        sys.exit("ginv failed: " + res.stderr)
    s = json.loads(res.stdout)["summary"]
    return s["seconds_per_iter"], s["median_meas_loss"]


def run_torch(torch, G, A, y, k, B, T):
    z = torch.randn(B, k, requires_grad=True)
    opt = torch.optim.Adam([z], lr=0.01)
    ts = []
    for i in range(T + 2):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = 0.5 * ((G(z) @ A.T - y) ** 2).sum()
        loss.backward()
        opt.step()
        if i >= 2:
            ts.append(time.perf_counter() - t0)
    ts.sort()
    with torch.no_grad():  # the best restart's loss, as ginv's (one trial) median_meas_loss
        per = 0.5 * ((G(z) @ A.T - y) ** 2).sum(1)
    return ts[len(ts) // 2], float(per.min())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ginv")
    ap.add_argument("threads", type=int)
    ap.add_argument("m", type=int)
    ap.add_argument("rounds", type=int)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--models", default="dcgan,convvae")
    ap.add_argument("--vae-m", type=int, default=200)
    ap.add_argument("--vae-iters-mult", type=int, default=10)
    ap.add_argument("--vae-model", default=os.path.join(ROOT, "models", "fmnist-convvae-k20.safetensors"))
    a = ap.parse_args()
    runs = [tuple(map(int, r.split(":"))) for r in a.runs]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    import numpy as np
    import torch
    from torch import nn

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    tmp = tempfile.mkdtemp(prefix="ginv-conv-csgm-")
    try:
        run(a, runs, tmp, np, torch, nn)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(a, runs, tmp, np, torch, nn):
    probs = []
    for name in a.models.split(","):
        if name == "dcgan":
            G, k, m = dcgan(nn).eval(), 100, a.m
            model = os.path.join(tmp, "dcgan.onnx")
            torch.onnx.export(G, torch.randn(1, k), model, input_names=["z"], output_names=["x"],
                              dynamic_axes={"z": {0: "B"}, "x": {0: "B"}}, opset_version=13)
        elif name == "convvae":
            G, k, m, model = convvae(nn, torch, a.vae_model).eval(), 20, a.vae_m, a.vae_model
        else:
            sys.exit("conv_csgm: unknown model " + name)
        for p in G.parameters():
            p.requires_grad_(False)
        n = G(torch.zeros(1, k)).shape[1]
        gen = torch.Generator().manual_seed(2)
        A = torch.randn(m, n, generator=gen) / m ** 0.5
        with torch.no_grad():
            y = (G(torch.randn(1, k, generator=gen)) @ A.T)[0]
        np.save(os.path.join(tmp, name + "-A.npy"), A.numpy())
        np.save(os.path.join(tmp, name + "-y.npy"), y.numpy())
        gflop = 4e-9 * (product_macs(G, k, torch, nn) + m * n)  # per sample: fwd + VJP, 2 flops a MAC
        probs.append((name, G, k, n, m, model, A, y, gflop, a.vae_iters_mult if name == "convvae" else 1))
    out = {}
    for r in range(a.rounds):
        for name, G, k, n, m, model, A, y, gflop, mult in probs:
            for B, T in runs:
                T *= mult
                for impl in (("ginv", "torch") if r % 2 == 0 else ("torch", "ginv")):
                    if impl == "ginv":
                        spi, loss = run_ginv(a.ginv, model, tmp, name, B, T, a.threads)
                    else:
                        spi, loss = run_torch(torch, G, A, y, k, B, T)
                    out.setdefault((name, B, impl), []).append(spi)
                    print(json.dumps({"model": name, "impl": impl, "B": B, "iters": T, "round": r, "s_per_iter": spi,
                                      "gflops": gflop * B / spi, "best_restart_loss": loss}), flush=True)
    summary, table = {}, []
    for name, G, k, n, m, model, A, y, gflop, _ in probs:
        for B, _ in runs:
            g, t = (sorted(out[(name, B, i)]) for i in ("ginv", "torch"))
            gm, tm = g[len(g) // 2], t[len(t) // 2]
            summary["%s/%d" % (name, B)] = {"ginv_ms_per_iter": 1e3 * gm, "torch_ms_per_iter": 1e3 * tm,
                                            "speedup": tm / gm, "gflop_per_iter": gflop * B,
                                            "ginv_gflops": gflop * B / gm, "torch_gflops": gflop * B / tm}
            table.append("| %s | %d | %d | %.3f | %s | %s | %.1f | %.1f | %.2f |" % (
                name, m, B, gflop * B, ", ".join("%.2f" % (1e3 * v) for v in out[(name, B, "ginv")]),
                ", ".join("%.2f" % (1e3 * v) for v in out[(name, B, "torch")]), gflop * B / gm, gflop * B / tm, tm / gm))
    print(json.dumps({"summary": summary, "threads": a.threads, "rounds": a.rounds, "torch": torch.__version__}),
          flush=True)
    print("\n| model | m | B | GFLOP/iter | ginv ms/iter (rounds) | PyTorch ms/iter (rounds) | ginv GF/s | PyTorch GF/s"
          " | PyTorch/ginv |\n|---|---:|---:|---:|---|---|---:|---:|---:|")
    print("\n".join(table))


if __name__ == "__main__":
    main()
