"""The CSGM example of python/README.md runs and recovers the image."""
import os
import re
import subprocess
import sys

import pytest

import ginv

PYDIR = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
REPO = os.path.dirname(PYDIR)


def test_readme_csgm_example(tmp_path):
    try:
        ginv.load_images("fashion-mnist:test[0:1]")
    except ginv.FileError:
        pytest.skip("Fashion-MNIST is not installed")
    text = open(os.path.join(PYDIR, "README.md")).read()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 10
    env = dict(os.environ, PYTHONPATH=PYDIR,
               GINV_LIBRARY=os.path.abspath(ginv.LIBRARY_PATH))
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    mse = float(re.search(r"per-pixel MSE ([0-9.]+)", p.stdout).group(1))
    assert mse < 0.02, p.stdout
