"""A PEP 517 build backend with no requirements: `pip install ./python` builds
the pure-Python wheel of ginv here, offline, without downloading setuptools.

The wheel holds the package (ginv/*.py) and its dist-info (METADATA, WHEEL,
RECORD with sha256 digests), as the wheel format (PEP 427) asks. An sdist is
the same files in a tar.gz, and an editable install is a .pth file pointing at
this directory (PEP 660)."""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME, VERSION = "ginv", "0.1.0"
HERE = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
TAG = "py3-none-any"
DIST = f"{NAME}-{VERSION}"
METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Python bindings (ctypes) to libginv: invert deep generative models
Requires-Python: >=3.9
Requires-Dist: numpy
Provides-Extra: test
Requires-Dist: pytest; extra == "test"
"""
WHEEL = f"Wheel-Version: 1.0\nGenerator: ginv-backend\nRoot-Is-Purelib: true\nTag: {TAG}\n"


def _package_files():
    pkg = os.path.join(HERE, NAME)
    return sorted(f"{NAME}/{f}" for f in os.listdir(pkg) if f.endswith(".py"))


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _write_wheel(directory, entries):
    """entries: (archive name, bytes); adds dist-info and RECORD."""
    info = f"{DIST}.dist-info"
    entries = list(entries) + [(f"{info}/METADATA", METADATA.encode()),
                               (f"{info}/WHEEL", WHEEL.encode())]
    record = "".join(f"{n},{_digest(d)},{len(d)}\n" for n, d in entries) + f"{info}/RECORD,,\n"
    name = f"{DIST}-{TAG}.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries + [(f"{info}/RECORD", record.encode())]:
            z.writestr(n, d)
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = get_requires_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = [(f, open(os.path.join(HERE, f), "rb").read()) for f in _package_files()]
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(f"{NAME}.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name = f"{DIST}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for f in _package_files() + ["pyproject.toml", "README.md", "_build/backend.py"]:
            t.add(os.path.join(HERE, f), arcname=f"{DIST}/{f}")
        info = tarfile.TarInfo(f"{DIST}/PKG-INFO")
        data = METADATA.encode()
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return name
