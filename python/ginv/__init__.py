"""ginv: invert deep generative models -- Python bindings to libginv.

    import ginv
    net = ginv.Net.load("models/fmnist-vae-k20.safetensors")
    op = ginv.Op.gaussian(100, net.n, seed=1)
    z, x, loss = ginv.recover(net, op, y, restarts=10)

The shared library is found through $GINV_LIBRARY (a path), else
../build/libginv.so.0 beside the package when it is used in place from the
repository, else the system loader (libginv.so.0). See python/README.md.
"""
from ._core import (ArgumentError, CancelledError, ClosedError, DecideResult, Error, FileError,
                    FormatError, Net, NumericError, Op, OutOfMemoryError, RecoverResult,
                    SampleResult,
                    ShapeError, UnsupportedError, add_noise, blas_info, cancel, csgm, decide,
                    diagnostics, last_error, live_bytes, load_images, recover, sample,
                    set_log, set_progress)
from ._lib import LIBRARY_PATH

__version__ = "0.1.0"

__all__ = ["Net", "Op", "recover", "csgm", "sample", "cancel", "diagnostics", "decide", "add_noise",
           "load_images", "set_progress", "set_log", "last_error", "blas_info", "live_bytes",
           "RecoverResult", "SampleResult", "DecideResult", "Error", "ArgumentError",
           "FileError", "FormatError", "ShapeError", "OutOfMemoryError", "NumericError",
           "UnsupportedError", "CancelledError", "ClosedError", "LIBRARY_PATH", "__version__"]
