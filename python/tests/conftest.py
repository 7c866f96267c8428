"""Shared fixtures. The library is found as the package finds it
($GINV_LIBRARY, else <repo>/build/libginv.so.0, else the system); the CLI the
bit-identity tests compare with is $GINV_CLI, else the `ginv` beside that
library, else <repo>/build/ginv."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "python"))  # in place, whatever PYTHONPATH says

import ginv  # noqa: E402

VAE = os.path.join(REPO, "models", "fmnist-vae-k20.safetensors")


def _find_cli():
    env = os.environ.get("GINV_CLI")
    if env:
        return env
    beside = os.path.join(os.path.dirname(os.path.abspath(ginv.LIBRARY_PATH)), "ginv")
    if os.path.isabs(ginv.LIBRARY_PATH) or os.sep in ginv.LIBRARY_PATH:
        if os.access(beside, os.X_OK):
            return beside
    fallback = os.path.join(REPO, "build", "ginv")
    return fallback if os.access(fallback, os.X_OK) else None


@pytest.fixture(scope="session")
def cli():
    path = _find_cli()
    if path is None:
        pytest.skip("no ginv CLI to compare with (set GINV_CLI or build build/ginv)")

    def run(*args, check=True):
        # the same OpenBLAS kernels as this process: no re-exec with others
        env = dict(os.environ, GINV_NO_REEXEC="1")
        p = subprocess.run([path] + [str(a) for a in args], capture_output=True, text=True,
                           env=env, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError("ginv %s: exit %d\n%s" % (" ".join(map(str, args)),
                                                          p.returncode, p.stderr))
        return p
    return run


@pytest.fixture(scope="session")
def vae():
    if not os.path.exists(VAE):
        pytest.skip("models/fmnist-vae-k20.safetensors is missing")
    net = ginv.Net.load(VAE)
    yield net
    net.close()
