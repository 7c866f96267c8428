#!/usr/bin/python3
"""conv_csgm.py — Adam-CSGM inversion of the CSGM paper's 64x64x3 DCGAN
generator (z = 100; ConvTranspose2d 512-256-128-64-3, kernel 4, BatchNorm2d
in eval mode + ReLU, tanh; random weights, seed 1): ginv beside PyTorch
autograd on the same problem, per Adam iteration at batches B (B restarts of
one y), m Gaussian measurements (entries N(0, 1/m)), THREADS threads.

The network is built in PyTorch, exported with torch.onnx.export and read by
ginv directly (`--model g.onnx`); A, y = A G(z0) go to both as files, so both
solve min_z 1/2 ||A G(z) - y||^2 from their own N(0, I) starts with Adam
(lr 0.01). ginv's time per iteration is its JSON `seconds_per_iter` (the
solve loop only); PyTorch's the median over ROUNDS runs of T timed
iterations (after 2 warm-up iterations), loss, backward and Adam step. One
JSON line per (implementation, B, round); the summary last.

  /usr/bin/python3 bench/conv_csgm.py GINV THREADS M ROUNDS B:T [B:T ...]
  e.g. bench/conv_csgm.py build/ginv 2 500 3 1:40 64:6"""
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    ginv, threads, m, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    runs = [tuple(map(int, a.split(":"))) for a in sys.argv[5:]]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    import numpy as np
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)

    def block(ci, co, s, p, last=False):
        layers = [nn.ConvTranspose2d(ci, co, 4, s, p, bias=False)]
        return layers + ([nn.Tanh()] if last else [nn.BatchNorm2d(co), nn.ReLU()])

    class Gen(nn.Module):  # z (B, 100) -> x (B, 3*64*64), as ginv sees a generator
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(*block(100, 512, 1, 0), *block(512, 256, 2, 1),
                                      *block(256, 128, 2, 1), *block(128, 64, 2, 1),
                                      *block(64, 3, 2, 1, last=True))

        def forward(self, z):
            return self.body(z.view(-1, 100, 1, 1)).flatten(1)

    G = Gen().eval()
    for p in G.parameters():
        p.requires_grad_(False)
    n = 3 * 64 * 64
    gen = torch.Generator().manual_seed(2)
    A = torch.randn(m, n, generator=gen) / m ** 0.5
    z0 = torch.randn(1, 100, generator=gen)
    with torch.no_grad():
        y = (G(z0) @ A.T)[0]
    tmp = tempfile.mkdtemp(prefix="ginv-conv-csgm-")
    onnx_path = os.path.join(tmp, "g.onnx")
    torch.onnx.export(G, torch.randn(1, 100), onnx_path, input_names=["z"], output_names=["x"],
                      dynamic_axes={"z": {0: "B"}, "x": {0: "B"}}, opset_version=13)
    np.save(os.path.join(tmp, "A.npy"), A.numpy())
    np.save(os.path.join(tmp, "y.npy"), y.numpy())
    out = {"ginv": {}, "torch": {}}
    for r in range(rounds):
        for B, T in runs:
            # ginv: the same A and y, B restarts in one batch
            res = subprocess.run([ginv, "recover", "--model", onnx_path, "--op",
                                  "matrix:" + os.path.join(tmp, "A.npy"), "--y", os.path.join(tmp, "y.npy"),
                                  "--algo", "adam", "--lr", "0.01", "--restarts", str(B), "--iters", str(T),
                                  "--threads", str(threads), "--json", "-", "-q"],
                                 capture_output=True, text=True, env=dict(os.environ, GINV_NO_REEXEC="1"))
            if res.returncode:
                sys.exit("ginv failed: " + res.stderr)
            doc = json.loads(res.stdout)
            spi = doc["summary"]["seconds_per_iter"]
            out["ginv"].setdefault(B, []).append(spi)
            print(json.dumps({"impl": "ginv", "B": B, "iters": T, "round": r, "s_per_iter": spi,
                              "meas_loss": doc["summary"]["median_meas_loss"]}), flush=True)
            # PyTorch autograd: Adam on z (B x 100)
            z = torch.randn(B, 100, requires_grad=True)
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
            med = ts[len(ts) // 2]
            out["torch"].setdefault(B, []).append(med)
            print(json.dumps({"impl": "torch", "B": B, "iters": T, "round": r, "s_per_iter": med,
                              "loss": float(loss) / B, "torch": torch.__version__}), flush=True)
    summary = {}
    for B, _ in runs:
        g = sorted(out["ginv"][B])[len(out["ginv"][B]) // 2]
        t = sorted(out["torch"][B])[len(out["torch"][B]) // 2]
        summary[str(B)] = {"ginv_ms_per_iter": 1e3 * g, "torch_ms_per_iter": 1e3 * t, "speedup": t / g}
    print(json.dumps({"summary": summary, "m": m, "threads": threads, "rounds": rounds}), flush=True)


if __name__ == "__main__":
    main()
