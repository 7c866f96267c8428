"""The ctypes mirrors of ginv.h's structures agree with the C compiler's
layout: every field's offset and every structure's size. Needs a C compiler
(skipped without one); the module itself never compiles anything."""
import ctypes
import os
import shutil
import subprocess

import pytest

from ginv import _lib

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_struct_layouts_match_the_header(tmp_path):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "ginv.h"', "int main(void) {"]
    expect = []
    for S in _lib.STRUCTS:
        lines.append('printf("%%zu\\n", sizeof(%s));' % S._cname_)
        expect.append(("sizeof " + S._cname_, ctypes.sizeof(S)))
        for name, _ in S._fields_:
            lines.append('printf("%%zu\\n", offsetof(%s, %s));' % (S._cname_, name))
            expect.append(("%s.%s" % (S._cname_, name), getattr(S, name).offset))
    lines += ["return 0;", "}"]
    src, exe = tmp_path / "layout.c", tmp_path / "layout"
    src.write_text("\n".join(lines) + "\n")
    subprocess.run([cc, "-std=c11", "-I", os.path.join(REPO, "include"), "-o", str(exe), str(src)],
                   check=True)
    got = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    assert len(got) == len(expect)
    bad = [(what, want, int(g)) for (what, want), g in zip(expect, got) if int(g) != want]
    assert not bad, "ctypes vs C (name, ctypes, C): %s" % bad


def test_every_declared_function_is_exported():
    for name in _lib._PROTOS:
        assert hasattr(_lib.lib, name), name
