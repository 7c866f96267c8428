"""torch_common.py — the part of the PyTorch peers (peer_torch.py: Adam,
peer_torch_ula.py: ULA) that they share: the thread settings, the generator
built from the ginv model file the way a PyTorch user builds it, and the
measurement (A, y).

  torch = import_torch(threads, seed, line)  # None when torch is missing
  G, k, A, y = load_problem(model_path, A_path, y_path)
      # G: nn.Sequential(Linear, Softplus, ..., Linear, Sigmoid) with frozen
      # weights, k: its latent dimension; A [m, n], y [1, m]: float32 tensors

This module imports nothing heavy at the top: numpy and torch (and their
BLAS/OpenMP) must load only after import_torch has set the thread settings.
"""
import json
import os


def import_torch(threads, seed, line):
    """Set the thread settings, then import torch and set its threads and seed.

    When numpy or torch cannot be imported, prints `line` (a dict) with
    "skipped" added as one JSON line and returns None."""
    t = str(threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = t
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    try:
        import numpy  # noqa: F401
        import torch
    except ImportError as e:
        print(json.dumps({**line, "skipped": f"cannot import: {e}"}))
        return None

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return torch


def generator(path):
    """The generator in the model file as a frozen nn.Sequential, and its
    latent dimension: only z is optimised or sampled, so autograd computes no
    weight gradients (the fair choice)."""
    import torch
    from torch import nn

    import ginv_model

    layers = ginv_model.load(path)
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
    return G, ginv_model.dims(layers)[0]


def load_Ay(A_path, y_path):
    """A [m, n] and y [1, m] as float32 tensors."""
    import numpy as np
    import torch

    A = torch.from_numpy(np.load(A_path).astype(np.float32))
    y = torch.from_numpy(np.load(y_path).astype(np.float32)).reshape(1, -1)
    return A, y


def load_problem(model_path, A_path, y_path):
    """generator(model_path) and load_Ay(A_path, y_path): G, k, A, y."""
    G, k = generator(model_path)
    A, y = load_Ay(A_path, y_path)
    return G, k, A, y
