"""How the package finds libginv, and that it installs with pip."""
import os
import shutil
import subprocess
import sys

import pytest

import ginv

PYDIR = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))


def _run(code, env_extra, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("GINV_LIBRARY", "PYTHONPATH")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)


def test_ginv_library_env_is_used_and_checked(tmp_path):
    lib = os.path.abspath(ginv.LIBRARY_PATH)
    p = _run("import ginv; print(ginv.LIBRARY_PATH)",
             {"GINV_LIBRARY": lib, "PYTHONPATH": PYDIR}, tmp_path)
    assert p.returncode == 0 and p.stdout.strip() == lib, p.stderr
    p = _run("import ginv", {"GINV_LIBRARY": str(tmp_path / "missing.so"), "PYTHONPATH": PYDIR},
             tmp_path)
    assert p.returncode != 0
    assert "ImportError" in p.stderr and "missing.so" in p.stderr


def test_pip_install_and_import_elsewhere(tmp_path):
    src, target = tmp_path / "src", tmp_path / "site"
    shutil.copytree(PYDIR, src, ignore=shutil.ignore_patterns("tests", "__pycache__",
                                                              "*.egg-info"))
    # build isolation on and no index: the in-tree backend needs nothing downloaded
    p = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index",
                        "--no-deps", "--target", str(target), str(src)],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0 and "No module named pip" in p.stderr:
        pytest.skip("pip is not installed")
    assert p.returncode == 0, p.stderr
    code = ("import ginv, numpy as np; n = ginv.Net.random([2, 3], seed=1); "
            "print(ginv.__file__); print(n.forward(np.ones(2)).shape)")
    p = _run(code, {"GINV_LIBRARY": os.path.abspath(ginv.LIBRARY_PATH),
                    "PYTHONPATH": str(target)}, tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[0].startswith(str(target)) and "(3,)" in p.stdout
