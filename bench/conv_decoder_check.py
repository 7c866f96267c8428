#!/usr/bin/python3
"""conv_decoder_check.py — the check behind bench/conv_csgm.py's conv VAE rows:
the PyTorch decoder conv_csgm.convvae() builds from a ginv VAE file's layer
list gives ginv generate's output on the same latents (3 latents N(0, I),
seed 0). Prints the largest absolute difference per shipped conv VAE and
exits non-zero above 1e-5.
  /usr/bin/python3 bench/conv_decoder_check.py build/ginv"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_csgm  # noqa: E402


def main():
    ginv, worst = sys.argv[1], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        zp, xp = os.path.join(tmp, "z.npy"), os.path.join(tmp, "x.npy")
        for name in ("fmnist-convvae-k20", "fmnist-convvae-fc512-k20"):
            path = os.path.join(conv_csgm.ROOT, "models", name + ".safetensors")
            G = conv_csgm.convvae(nn, torch, path).eval()
            z = np.random.RandomState(0).randn(3, 20).astype(np.float32)
            np.save(zp, z)
            subprocess.run([ginv, "generate", "--model", path, "--z", zp, "-o", xp, "-q"], check=True)
            with torch.no_grad():
                diff = float(np.abs(np.load(xp).reshape(3, -1) - G(torch.from_numpy(z)).numpy()).max())
            print("%s: max |ginv - PyTorch| = %.3g" % (name, diff))
            worst = max(worst, diff)
    return 1 if worst > 1e-5 else 0


if __name__ == "__main__":
    sys.exit(main())
