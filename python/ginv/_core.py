"""The Python API over libginv: nets, operators, MAP recovery, CSGM, posterior
sampling, exact decision. See python/README.md."""
import contextlib
import ctypes
import json
import math
import os
from ctypes import byref, c_double, c_int, c_void_p

import numpy as np

from . import _lib
from ._lib import LOCK, lib

_f32p = _lib.c_float_p
_f64p = _lib.c_double_p
_INT_MAX = 2**31 - 1
_U64_MAX = 2**64 - 1

# status codes (ginv_status)
(OK, ERR_ARG, ERR_IO, ERR_FORMAT, ERR_SHAPE, ERR_NOMEM, ERR_NUMERIC, ERR_UNSUPPORTED,
 ERR_CANCELLED) = range(9)
# GINV_STREAM_* purposes used here
_STREAM_KINK, _STREAM_INIT = 6, 5

# ----------------------------------------------------------------- errors


class Error(Exception):
    """A failure reported by libginv. `status` is the ginv_status code (an
    int), `message` the text of ginv_last_error()."""
    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class ArgumentError(Error, ValueError):
    """GINV_ERR_ARG: an argument or option is invalid."""
    status = ERR_ARG


class FileError(Error, OSError):
    """GINV_ERR_IO: a file could not be opened, read or written."""
    status = ERR_IO

    def __str__(self):
        return self.message


class FormatError(Error, ValueError):
    """GINV_ERR_FORMAT: a file's contents break its format's rules."""
    status = ERR_FORMAT


class ShapeError(Error, ValueError):
    """GINV_ERR_SHAPE: sizes do not agree."""
    status = ERR_SHAPE


class OutOfMemoryError(Error, MemoryError):
    """GINV_ERR_NOMEM: an allocation failed."""
    status = ERR_NOMEM


class NumericError(Error, ArithmeticError):
    """GINV_ERR_NUMERIC: NaN/Inf or divergence."""
    status = ERR_NUMERIC


class UnsupportedError(Error, NotImplementedError):
    """GINV_ERR_UNSUPPORTED: valid, but not supported by ginv."""
    status = ERR_UNSUPPORTED


class CancelledError(Error):
    """GINV_ERR_CANCELLED: the run was stopped by ginv.cancel() (the cancel
    flag of the context recover, csgm and sample run under)."""
    status = ERR_CANCELLED


class ClosedError(Error, ValueError):
    """An object used after close(): raised before any C call."""


_BY_STATUS = {c.status: c for c in (ArgumentError, FileError, FormatError, ShapeError,
                                    OutOfMemoryError, NumericError, UnsupportedError,
                                    CancelledError)}


def last_error():
    """ginv_last_error() of this thread ("" if none)."""
    return lib.ginv_last_error().decode("utf-8", "replace")


def _raise(status, context=None):
    msg = last_error() or lib.ginv_strerror(status).decode()
    if context:
        msg = "%s: %s" % (context, msg)
    cls = _BY_STATUS.get(status, Error)
    raise cls(msg, status)


def _check(status, context=None):
    if status != OK:
        _raise(status, context)


# ------------------------------------------------------ callbacks (global)

_cb = {"log": None, "progress": None, "log_c": None, "progress_c": None, "exc": None}


_RUN = {"ctx": None}


def _run_ctx():
    """The ginv_ctx the long calls (recover, csgm, sample) run under: cancel()
    and an exception raised in a progress or log callback (Ctrl-C arrives
    there as KeyboardInterrupt) set its cancel flag, and the C run stops at
    its next check (between solver iterations, sampler steps, trials)."""
    if _RUN["ctx"] is None:
        c = c_void_p()
        _check(lib.ginv_ctx_new(byref(c)))
        _RUN["ctx"] = c
    return _RUN["ctx"]


def cancel():
    """Stop the long call (recover, csgm, sample, decide) running now: callable from
    another thread or from a callback. The call then raises CancelledError
    (or the exception its callback raised), having written nothing."""
    lib.ginv_ctx_cancel(_run_ctx())


def _callback_failed(e):
    _cb["exc"] = e  # re-raised after the C call returns
    if _RUN["ctx"] is not None:
        lib.ginv_ctx_cancel(_RUN["ctx"])


def _progress_tramp(user, what, done, total):
    fn = _cb["progress"]
    if fn is None or _cb["exc"] is not None:
        return
    try:
        fn(what.decode("utf-8", "replace") if what else "", int(done), int(total))
    except BaseException as e:
        _callback_failed(e)


def _log_tramp(user, level, msg):
    fn = _cb["log"]
    if fn is None:
        return
    try:
        fn(int(level), msg.decode("utf-8", "replace") if msg else "")
    except BaseException as e:
        _callback_failed(e)


_PROGRESS_C = _lib.PROGRESS_FN(_progress_tramp)
_LOG_C = _lib.LOG_FN(_log_tramp)
_NULL_PROGRESS = _lib.PROGRESS_FN()
_NULL_LOG = _lib.LOG_FN()


def set_progress(fn):
    """Install fn(what: str, done: int, total: int) as the library's progress
    callback for every later call (None removes it). total <= 0: unknown.
    The callback may be called from the library's worker threads; it must not
    call ginv itself. An exception it raises is re-raised when the call that
    reported the progress returns."""
    if fn is not None and not callable(fn):
        raise ValueError("set_progress: fn must be callable or None")
    with LOCK:
        _cb["progress"] = fn
        lib.ginv_set_progress(_PROGRESS_C if fn is not None else _NULL_PROGRESS, None)


def set_log(fn):
    """Install fn(level: int, message: str) as the library's log callback
    (levels: 0 error, 1 warning, 2 info, 3 debug); None removes it."""
    if fn is not None and not callable(fn):
        raise ValueError("set_log: fn must be callable or None")
    with LOCK:
        _cb["log"] = fn
        lib.ginv_set_log(_LOG_C if fn is not None else _NULL_LOG, None)


@contextlib.contextmanager
def _calling(progress=None):
    """Hold the library lock for one API call, with `progress` as the progress
    callback for its duration; re-raise what a callback raised."""
    if progress is not None and not callable(progress):
        raise ValueError("progress must be callable (what, done, total) or None")
    with LOCK:
        if _RUN["ctx"] is not None:
            lib.ginv_ctx_reset(_RUN["ctx"])
        saved = _cb["progress"]
        if progress is not None:
            _cb["progress"] = progress
            lib.ginv_set_progress(_PROGRESS_C, None)
        _cb["exc"] = None
        try:
            yield
        except Error:
            # a callback's exception (Ctrl-C as KeyboardInterrupt) cancelled
            # the run: raise it rather than the CancelledError it caused
            exc, _cb["exc"] = _cb["exc"], None
            if exc is not None:
                raise exc from None
            raise
        finally:
            if progress is not None:
                _cb["progress"] = saved
                lib.ginv_set_progress(_PROGRESS_C if saved is not None else _NULL_PROGRESS,
                                      None)
        exc, _cb["exc"] = _cb["exc"], None
        if exc is not None:
            raise exc


# ------------------------------------------------------- argument checks


def _fspath(path, name="path"):
    try:
        p = os.fsencode(path)
    except TypeError:
        raise ValueError("%s must be a str, bytes or os.PathLike, not %s"
                         % (name, type(path).__name__)) from None
    if b"\0" in p:
        raise ValueError("%s contains a NUL byte" % name)
    return p


def _int(v, name, lo=None, hi=_INT_MAX):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise ValueError("%s must be an integer, not %r" % (name, v))
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError("%s = %d is out of range [%s, %s]" % (name, v, lo, hi))
    return v


def _seed(v, name="seed"):
    return _int(v, name, 0, _U64_MAX)


def _float(v, name, lo=None, hi=None, lo_open=False):
    if isinstance(v, (bool, np.bool_)):
        raise ValueError("%s must be a number, not %r" % (name, v))
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number, not %r" % (name, v)) from None
    if not math.isfinite(f):
        raise ValueError("%s = %r must be finite" % (name, f))
    if lo is not None and (f < lo or (lo_open and f == lo)):
        raise ValueError("%s = %g must be %s %g" % (name, f, ">" if lo_open else ">=", lo))
    if hi is not None and f > hi:
        raise ValueError("%s = %g must be <= %g" % (name, f, hi))
    return f


def _str(v, name):
    if not isinstance(v, str):
        raise ValueError("%s must be a str, not %r" % (name, v))
    if "\0" in v:
        raise ValueError("%s contains a NUL character" % name)
    return v.encode()


def _array(a, name, dtype=np.float32, ndims=(1, 2), cols=None, rows=None, finite=False):
    """`a` as a C-contiguous, aligned array of `dtype` (no copy when it
    already is one), checked before any C call: real numbers only (float or
    integer; bool, complex, object and strings refused), ndim in ndims, last
    dimension `cols`, first `rows` (for 2-D), finite values if asked."""
    if isinstance(a, (str, bytes)):
        raise ValueError("%s must be an array of numbers, not %s" % (name, type(a).__name__))
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as e:
        raise ValueError("%s is not a rectangular array of numbers (%s)" % (name, e)) from None
    if arr.dtype.kind not in "fiu":
        raise ValueError("%s has dtype %s; expected real numbers (it is converted to %s)"
                         % (name, arr.dtype, np.dtype(dtype).name))
    if arr.ndim not in ndims:
        raise ValueError("%s has %d dimensions (shape %s); expected %s"
                         % (name, arr.ndim, arr.shape, " or ".join("%d" % d for d in ndims)))
    if cols is not None and arr.ndim >= 1 and arr.shape[-1] != cols:
        raise ValueError("%s has shape %s; its last dimension must be %d"
                         % (name, arr.shape, cols))
    if rows is not None and arr.ndim == 2 and arr.shape[0] != rows:
        raise ValueError("%s has shape %s; its first dimension must be %d"
                         % (name, arr.shape, rows))
    if arr.size > _INT_MAX:
        raise ValueError("%s has %d values: too many" % (name, arr.size))
    arr = np.require(arr, dtype=dtype, requirements=["C_CONTIGUOUS", "ALIGNED"])
    if finite and arr.size and not np.isfinite(arr).all():
        raise ValueError("%s holds NaN or infinite values" % name)
    return arr


def _ptr(arr, ptype=_f32p):
    return arr.ctypes.data_as(ptype)


def _copy_out(ptr, shape, dtype=np.float32):
    count = int(np.prod(shape))
    if count == 0:
        return np.empty(shape, dtype)
    return np.ctypeslib.as_array(ptr, shape=(count,)).astype(dtype, copy=True).reshape(shape)


# ------------------------------------------------------------------ base


class _Handle:
    """An owned C object: `_h` is its pointer, None once closed."""
    _h = None
    _free = None

    def _handle(self):
        h = self._h
        if h is None:
            raise ClosedError("%s is closed" % type(self).__name__)
        return h

    @property
    def closed(self):
        return self._h is None

    def close(self):
        """Free the C object now (idempotent); any later use raises ClosedError."""
        with LOCK:
            self._release()

    def _release(self):
        h, self._h = self._h, None
        if h is not None:
            getattr(lib, self._free)(h)

    def __enter__(self):
        self._handle()
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            if self._h is not None:
                self._release()
        except Exception:
            pass


# ------------------------------------------------------------------- nets

_ACTS = ("relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity")
_LATENTS = {0: "real", 1: "01", 2: "pm1"}


class Net(_Handle):
    """A generator network G: R^k -> R^n (float32), batched."""
    _free = "ginv_net_free"

    def __init__(self, _handle, problem=None):
        if not isinstance(_handle, int) or not _handle:
            raise TypeError("Net objects are made by Net.load or Net.random")
        self._h = _handle
        self._ws = None
        self._ws_cap = 0
        self.problem = problem  # a dict, when the model file stores a decision problem

    def _release(self):
        ws, self._ws, self._ws_cap = self._ws, None, 0
        if ws is not None:
            lib.ginv_net_ws_free(ws)
        super()._release()

    def __repr__(self):
        if self._h is None:
            return "<ginv.Net closed>"
        return "<ginv.Net k=%d n=%d layers=%d params=%d>" % (self.k, self.n,
                                                             len(self.layers), self.nparams)

    # -- construction
    @classmethod
    def load(cls, path):
        """A model file (safetensors with ginv's architecture metadata). A
        decision problem stored beside the net (`ginv reduce`) is read into
        `net.problem`: {"target", "delta", "norm", "p", "latent", "box", "source"}."""
        p = _fspath(path)
        with _calling():
            f = _lib.StFile()
            _check(lib.ginv_st_read(p, byref(f)))
            h = c_void_p()
            try:
                st = lib.ginv_net_from_st(byref(f), byref(h))
                if st != OK:
                    _raise(st, "model '%s'" % os.fsdecode(p))
                net = cls(h.value)
                pb, found = _lib.Problem(), c_int(0)
                st = lib.ginv_problem_from_st(byref(f), net.n, byref(pb), byref(found))
                if st != OK:
                    net._release()
                    _raise(st, "model '%s'" % os.fsdecode(p))
                if found.value:
                    try:
                        net.problem = _problem_to_dict(pb)
                    finally:
                        lib.ginv_problem_release(byref(pb))
            finally:
                lib.ginv_st_release(byref(f))
        return net

    @classmethod
    def random(cls, layers, seed=1, *, act="relu", out_act=None, alpha=0.2, bias=False,
               bias_sd=0.0, init="paper", index=0):
        """A random generator as `ginv net random --layers L --seed S`: dense
        layers of the given sizes [k, n1, ..., nd], each followed by `act`
        (the last by `out_act`, default `act`; identity adds no layer);
        weights by `init` (paper: N(0, 1/n_i), fanin, orthogonal) from stream
        (seed, NET, index), biases N(0, bias_sd^2) with bias=True."""
        try:
            sizes = [_int(s, "layers[%d]" % i, 1, 1 << 24) for i, s in enumerate(layers)]
        except TypeError:
            raise ValueError("layers must be a sequence of sizes [k, n1, ..., nd]") from None
        if len(sizes) < 2:
            raise ValueError("layers needs at least two sizes (latent and output)")
        if len(sizes) > 64:
            raise ValueError("layers: at most 64 sizes")
        kinds = []
        for nm, v in (("act", act), ("out_act", act if out_act is None else out_act)):
            if v not in _ACTS:
                raise ValueError("%s '%s' is not an activation (%s)" % (nm, v, ", ".join(_ACTS)))
            kinds.append(v)
        alpha = _float(alpha, "alpha", 0, 0.999999)
        bias_sd = _float(bias_sd, "bias_sd", 0)
        seed, index = _seed(seed), _seed(index, "index")
        if not isinstance(bias, (bool, int, np.bool_)):
            raise ValueError("bias must be True or False")
        init_b = _str(init, "init")
        spec = []
        with _calling():
            kind_code = {}
            for name in set(kinds):
                kc = c_int()
                _check(lib.ginv_layer_kind_parse(name.encode(), byref(kc)))
                kind_code[name] = kc.value
            for i in range(len(sizes) - 1):
                spec.append(_lib.Layer(kind=0, bias=int(bool(bias)), alpha=0.0))
                setattr(spec[-1], "in", sizes[i])
                spec[-1].out = sizes[i + 1]
                a = kinds[1] if i + 2 == len(sizes) else kinds[0]
                if a != "identity":
                    spec.append(_lib.Layer(kind=kind_code[a], alpha=alpha))
            arr = (_lib.Layer * len(spec))(*spec)
            ic = c_int()
            st = lib.ginv_init_parse(init_b, byref(ic))
            if st != OK:
                _raise(st, "init")
            h = c_void_p()
            _check(lib.ginv_net_new(byref(h), len(spec), arr))
            net = cls(h.value)
            st = lib.ginv_net_randomize(h, ic.value, bias_sd, seed, index)
            if st != OK:
                net._release()
                _raise(st)
        return net

    # -- properties
    @property
    def k(self):
        """Latent size."""
        return lib.ginv_net_in(self._handle())

    @property
    def n(self):
        """Signal (output) size."""
        return lib.ginv_net_out(self._handle())

    @property
    def nparams(self):
        return lib.ginv_net_nparams(self._handle())

    @property
    def layers(self):
        """The architecture: a list of dicts {"type", "in", "out", "bias", "alpha"}; the
        image layers and the version-2 activations add "in_shape", "out_shape" (C, H, W)
        and their hyperparameters ("kernel", "stride", "padding", "dilation",
        "output_padding", "factor")."""
        h = self._handle()
        out = []
        for i in range(lib.ginv_net_nlayers(h)):
            L = lib.ginv_net_layer_c(h, i).contents
            d = {"type": lib.ginv_layer_kind_name(L.kind).decode(),
                 "in": getattr(L, "in"), "out": L.out}
            if L.kind == 0:
                d["bias"] = bool(L.bias)
            if L.kind in (2, 12):  # leaky_relu, elu
                d["alpha"] = L.alpha
            if L.kind >= 7:  # the version-2 kinds carry shapes
                d["in_shape"] = (L.c_in, L.h_in, L.w_in)
                d["out_shape"] = (L.c_out, L.h_out, L.w_out)
            if L.kind in (7, 8):  # conv2d, conv_transpose2d
                d["bias"] = bool(L.bias)
                d["kernel"] = (L.kh, L.kw)
                d["stride"] = (L.stride_h, L.stride_w)
                d["padding"] = (L.pad_h, L.pad_w)
                d["dilation"] = (L.dil_h, L.dil_w)
                if L.kind == 8:
                    d["output_padding"] = (L.outpad_h, L.outpad_w)
            if L.kind == 11:  # upsample_nearest
                d["factor"] = L.factor
            out.append(d)
        return out

    @property
    def params(self):
        """A copy of all parameters as one float32 vector (the library's
        parameter block: layer by layer, weight (out x in, row-major) then bias)."""
        h = self._handle()
        n = lib.ginv_net_nparams(h)
        return _copy_out(lib.ginv_net_params(h), (n,))

    def weights(self):
        """[(W, b or None)] of the dense layers, copies (conv and batchnorm layers
        are left out: their parameters are in `params`)."""
        h = self._handle()
        out = []
        for i in range(lib.ginv_net_nlayers(h)):
            L = lib.ginv_net_layer_c(h, i).contents
            if L.kind != 0:
                continue
            W = _copy_out(L.W, (L.out, getattr(L, "in")))
            b = _copy_out(L.b, (L.out,)) if L.b else None
            out.append((W, b))
        return out

    def arch_json(self):
        """The architecture as the JSON text model files store."""
        with _calling():
            p = lib.ginv_net_arch_json(self._handle())
            if not p:
                _raise(ERR_NOMEM)
            try:
                return ctypes.string_at(p).decode()
            finally:
                lib.ginv_free(p)

    def save(self, path):
        """Write the net as a model file (atomically)."""
        p = _fspath(path)
        with _calling():
            _check(lib.ginv_net_save(self._handle(), p))

    # -- evaluation
    def _batch(self, z, name="z"):
        k = self.k
        arr = _array(z, name, ndims=(1, 2), cols=k)
        return arr, arr.ndim == 1

    def _ensure_ws(self, B):
        if self._ws is None or self._ws_cap < B:
            if self._ws is not None:
                lib.ginv_net_ws_free(self._ws)
                self._ws, self._ws_cap = None, 0
            ws = c_void_p()
            _check(lib.ginv_net_ws_new(byref(ws), self._h, B))
            self._ws, self._ws_cap = ws.value, B
        return self._ws

    def forward(self, z):
        """x = G(z): z (B, k) -> x (B, n) float32, or (k,) -> (n,)."""
        h = self._handle()
        z, single = self._batch(z)
        B, n = (1 if single else z.shape[0]), self.n
        if B == 0:
            return np.empty((0, n), np.float32)
        with _calling():
            self._handle()
            ws = self._ensure_ws(B)
            x = _copy_out(lib.ginv_net_forward(h, ws, B, _ptr(z)), (B, n))
        return x[0] if single else x

    def vjp(self, z, dx):
        """The vector-Jacobian product J_G(z)^T dx per row: z (B, k), dx (B, n)
        -> (B, k) float32 (or 1-D in, 1-D out). relu'(0) = 0."""
        h = self._handle()
        z, single = self._batch(z)
        n, k = self.n, self.k
        dx = _array(dx, "dx", ndims=(1,) if single else (2,), cols=n,
                    rows=None if single else z.shape[0])
        B = 1 if single else z.shape[0]
        if B == 0:
            return np.empty((0, k), np.float32)
        dz = np.empty((B, k), np.float32)
        with _calling():
            self._handle()
            ws = self._ensure_ws(B)
            lib.ginv_net_forward(h, ws, B, _ptr(z))
            lib.ginv_net_backward(h, ws, B, _ptr(dx), _ptr(dz), 0)
        return dz[0] if single else dz

    def jacobian(self, z):
        """J_G(z) (n, k) float32 at one latent z (k,)."""
        h = self._handle()
        z = _array(z, "z", ndims=(1,), cols=self.k)
        J = np.empty((self.n, self.k), np.float32)
        with _calling():
            self._handle()
            _check(lib.ginv_net_jacobian(h, _ptr(z), _ptr(J)))
        return J

    def forward64(self, z):
        """G(z) in double precision (dense, relu and identity layers only; the
        float32 weights taken exactly): z (B, k) or (k,) float64."""
        h = self._handle()
        z = _array(z, "z", dtype=np.float64, ndims=(1, 2), cols=self.k)
        single = z.ndim == 1
        Z = z.reshape(1, -1) if single else z
        X = np.empty((Z.shape[0], self.n), np.float64)
        with _calling():
            self._handle()
            for i in range(Z.shape[0]):
                _check(lib.ginv_forward_f64(h, _ptr(Z[i], _f64p), _ptr(X[i], _f64p)))
        return X[0] if single else X


def _problem_to_dict(pb):
    target = _copy_out(pb.target, (pb.n,), np.float64)
    buf = ctypes.create_string_buffer(16)
    norm = lib.ginv_norm_name(pb.p, buf, 16).decode()
    src = None
    if pb.source_json:
        src = json.loads(ctypes.string_at(pb.source_json).decode())
    return {"target": target, "delta": pb.delta, "norm": norm, "p": pb.p,
            "latent": _LATENTS.get(pb.latent, str(pb.latent)), "box": pb.box, "source": src}


# -------------------------------------------------------------- operators


class Op(_Handle):
    """A measurement operator A: R^n -> R^m (float32), batched."""
    _free = "ginv_op_free"

    def __init__(self, _handle, spec=None):
        if not isinstance(_handle, int) or not _handle:
            raise TypeError("Op objects are made by Op.gaussian, Op.from_spec, ...")
        self._h = _handle
        self.spec = spec

    def __repr__(self):
        if self._h is None:
            return "<ginv.Op closed>"
        return "<ginv.Op %s m=%d n=%d>" % (self.name, self.m, self.n)

    @classmethod
    def _make(cls, fn, *args, spec=None):
        h = c_void_p()
        with _calling():
            _check(fn(byref(h), *args))
        return cls(h.value, spec)

    @classmethod
    def gaussian(cls, m, n, seed=1, index=0):
        """Dense m x n, entries N(0, 1/m) from stream (seed, OP, index): the
        operator `--op gaussian --m M --seed S` builds for trial `index`."""
        return cls._make(lib.ginv_op_gaussian, _int(m, "m", 1), _int(n, "n", 1), _seed(seed),
                         _seed(index, "index"))

    @classmethod
    def gaussian_unit(cls, m, n, seed=1, index=0):
        """Dense m x n, entries N(0, 1) (Bora et al.): sqrt(m) times gaussian()."""
        return cls._make(lib.ginv_op_gaussian_unit, _int(m, "m", 1), _int(n, "n", 1),
                         _seed(seed), _seed(index, "index"))

    @classmethod
    def matrix(cls, A):
        """The dense matrix A (m, n), copied."""
        A = _array(A, "A", ndims=(2,))
        if A.shape[0] < 1 or A.shape[1] < 1:
            raise ValueError("A has shape %s; it needs at least one row and column" % (A.shape,))
        return cls._make(lib.ginv_op_matrix, A.shape[0], A.shape[1], _ptr(A))

    @classmethod
    def identity(cls, n):
        return cls._make(lib.ginv_op_identity, _int(n, "n", 1))

    @classmethod
    def subsample(cls, n, idx):
        """Keep coordinates idx (m distinct integers in [0, n))."""
        n = _int(n, "n", 1)
        a = np.asarray(idx)
        if a.dtype.kind not in "iu" and not (a.size == 0 and a.dtype.kind == "f"):
            raise ValueError("idx must hold integers, not %s" % a.dtype)
        if a.ndim != 1 or a.size < 1:
            raise ValueError("idx must be a non-empty 1-D array of indices, not shape %s"
                             % (a.shape,))
        if a.min() < 0 or a.max() >= n:
            raise ValueError("idx holds %d, outside [0, %d)"
                             % (a.min() if a.min() < 0 else a.max(), n))
        a = _array(a, "idx", dtype=np.int32, ndims=(1,))
        return cls._make(lib.ginv_op_subsample, n, a.size, _ptr(a, _lib.c_int_p))

    @classmethod
    def subsample_random(cls, n, m, seed=1, index=0):
        """A random subset of m of n coordinates (stream (seed, OP, index))."""
        return cls._make(lib.ginv_op_subsample_random, _int(n, "n", 1), _int(m, "m", 1),
                         _seed(seed), _seed(index, "index"))

    @classmethod
    def downsample(cls, h, w, factor, c=1):
        """Block average by `factor` over a c x h x w image."""
        return cls._make(lib.ginv_op_downsample, _int(c, "c", 1), _int(h, "h", 1),
                         _int(w, "w", 1), _int(factor, "factor", 1))

    @classmethod
    def inpaint_box(cls, h, w, r0=0, c0=0, bh=0, bw=0, c=1):
        """Every pixel of a c x h x w image but a bh x bw box at (r0, c0);
        bh = bw = 0: the centred box of half the side."""
        return cls._make(lib.ginv_op_inpaint_box, _int(c, "c", 1), _int(h, "h", 1),
                         _int(w, "w", 1), _int(r0, "r0", 0), _int(c0, "c0", 0),
                         _int(bh, "bh", 0), _int(bw, "bw", 0))

    @classmethod
    def from_spec(cls, spec, n, seed=1, trial=0, m=0, image=None):
        """The operator `--op SPEC --m M [--image CxHxW] --seed S` builds for
        trial `trial` of a signal of size n: "identity", "gaussian",
        "gaussian-unit", "subsample", "subsample:MASK", "inpaint-box[:R0,C0,H,W]",
        "downsample:F", "matrix:FILE"."""
        text = _str(spec, "spec")
        n, m = _int(n, "n", 1), _int(m, "m", 0)
        seed, trial = _seed(seed), _seed(trial, "trial")
        if image is not None:
            try:
                cc, hh, ww = (_int(v, "image", 1) for v in image)
            except (TypeError, ValueError):
                raise ValueError("image must be (c, h, w), positive integers") from None
        with _calling():
            s = _lib.OpSpec()
            st = lib.ginv_op_spec_parse(byref(s), text, m)
            if st != OK:
                _raise(st, "op '%s'" % spec)
            try:
                if image is not None:
                    s.c, s.h, s.w = cc, hh, ww
                h = c_void_p()
                st = lib.ginv_op_from_spec(byref(h), byref(s), n, seed, trial)
                if st != OK:
                    _raise(st, "op '%s'" % spec)
            finally:
                lib.ginv_op_spec_release(byref(s))
        return cls(h.value, spec)

    @property
    def m(self):
        return lib.ginv_op_m(self._handle())

    @property
    def n(self):
        return lib.ginv_op_n(self._handle())

    @property
    def name(self):
        return lib.ginv_op_name(self._handle()).decode()

    def _map(self, fn, v, name, cin, cout):
        h = self._handle()
        v = _array(v, name, ndims=(1, 2), cols=cin)
        single = v.ndim == 1
        B = 1 if single else v.shape[0]
        out = np.empty((B, cout), np.float32)
        if B:
            with _calling():
                self._handle()
                fn(h, B, _ptr(v), _ptr(out))
        return out[0] if single else out

    def apply(self, x):
        """y = A x: x (B, n) -> (B, m), or (n,) -> (m,)."""
        return self._map(lib.ginv_op_apply, x, "x", self.n, self.m)

    def adjoint(self, y):
        """x = A^T y: y (B, m) -> (B, n), or (m,) -> (n,)."""
        return self._map(lib.ginv_op_adjoint, y, "y", self.m, self.n)

    def to_dense(self):
        """A as a dense (m, n) float32 array: row i is A^T e_i."""
        return self.adjoint(np.eye(self.m, dtype=np.float32))


def add_noise(y, sigma, seed=1, index=0):
    """y + N(0, sigma^2) i.i.d. from stream (seed, NOISE, index), as the CLI
    simulates measurements: a new float32 array (1-D)."""
    y = np.array(_array(y, "y", ndims=(1,)), dtype=np.float32, copy=True)
    sigma = _float(sigma, "sigma", 0)
    if y.size:
        with _calling():
            lib.ginv_add_noise(_ptr(y), y.size, sigma, _seed(seed), _seed(index, "index"))
    return y


def _net_op(net, op):
    if not isinstance(net, Net):
        raise ValueError("net must be a ginv.Net, not %s" % type(net).__name__)
    if not isinstance(op, Op):
        raise ValueError("op must be a ginv.Op, not %s" % type(op).__name__)
    hn, ho = net._handle(), op._handle()
    if op.n != net.n:
        raise ValueError("the operator takes signals of size %d but the net makes %d"
                         % (op.n, net.n))
    return hn, ho


# --------------------------------------------------------------- recovery


class RecoverResult:
    """What ginv.recover returns. z (k), x = G(z) (n), loss = 1/2||A G(z) - y||^2,
    f = loss + lam ||z||^2, iters, best_restart, flips (sign flips of the kept
    restart), f_restarts (R) and z_restarts (R, k): every restart's end."""
    __slots__ = ("z", "x", "loss", "f", "iters", "best_restart", "flips", "f_restarts",
                 "z_restarts")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)

    def __iter__(self):  # z, x, loss = ginv.recover(...)
        return iter((self.z, self.x, self.loss))

    def __repr__(self):
        return "<RecoverResult loss=%.6g f=%.6g iters=%d best_restart=%d>" % (
            self.loss, self.f, self.iters, self.best_restart)


_ALGOS = ("gd", "adam", "signflip")


def recover(net, op, y, *, algo="adam", restarts=1, iters=1000, lr=None, lam=0.0, tol=0.0,
            init_scale=1.0, z_init=None, seed=1, trial=0, kink="zero", threads=1):
    """MAP inversion: minimise f(z) = 1/2||A G(z) - y||^2 + lam ||z||^2 from
    `restarts` starts in one batch and keep the lowest f -- exactly trial
    `trial` of `ginv recover --y Y --seed SEED` (starts N(0, init_scale^2 I)
    from stream (seed, INIT, trial); with kink="onesided" the direction w of
    eq. (5) from (seed, KINK, trial)). z_init (R, k) gives the starts instead.
    lr defaults to 0.01 for adam, 1 for gd and signflip. Returns a
    RecoverResult (unpacks as z, x, loss)."""
    hn, ho = _net_op(net, op)
    k, m = net.k, op.m
    y = _array(y, "y", ndims=(1,), cols=m, finite=True)
    if algo not in _ALGOS:
        raise ValueError("algo '%s' must be one of %s" % (algo, ", ".join(_ALGOS)))
    if kink not in ("zero", "onesided"):
        raise ValueError("kink '%s' must be zero or onesided" % kink)
    o = _lib.RecoverOpts()
    lib.ginv_recover_opts_init(byref(o))
    o.solve.type = lib.ginv_solver_find(algo.encode())
    o.solve.lr = (0.01 if algo == "adam" else 1.0) if lr is None else _float(lr, "lr", 0, lo_open=True)
    setattr(o, "lambda", _float(lam, "lam", 0))
    o.solve.tol = _float(tol, "tol", 0, 1)
    o.solve.iters = _int(iters, "iters", 0, 1 << 30)
    o.seed, trial = _seed(seed), _seed(trial, "trial")
    o.threads = _int(threads, "threads", 1, 64)
    o.kink = 1 if kink == "onesided" else 0
    z0 = None
    if z_init is not None:
        z0 = np.array(_array(z_init, "z_init", ndims=(1, 2), cols=k, finite=True),
                      dtype=np.float32, copy=True).reshape(-1, k)
        R = z0.shape[0]
        if R < 1:
            raise ValueError("z_init has no rows")
        if restarts not in (1, R):
            raise ValueError("restarts = %s disagrees with z_init's %d rows" % (restarts, R))
    else:
        R = _int(restarts, "restarts", 1, 1 << 20)
        o.init_sd = _float(init_scale, "init_scale", 0)
    o.restarts = R
    z = np.empty((R, k), np.float32)
    f = np.empty(R, np.float64)
    res = _lib.RecoverTrial()
    with _calling():
        net._handle(), op._handle()
        o.ctx = _run_ctx()
        # ginv_recover_solve: the trial body of ginv recover --y (C), which
        # also restores the linear-algebra thread count it sets
        _check(lib.ginv_recover_solve(hn, ho, _ptr(y), byref(o), trial,
                                      None if z0 is None else _ptr(z0), _ptr(z), _ptr(f, _f64p),
                                      byref(res)))
        try:
            zb = _copy_out(res.z_hat, (k,))
            x = _copy_out(res.x_hat, (net.n,))
        finally:
            lib.ginv_recover_trial_release(byref(res))
    return RecoverResult(z=zb, x=x, loss=float(res.meas_loss), f=float(res.f), iters=int(res.iters),
                         best_restart=int(res.best_restart), flips=int(res.flips), f_restarts=f,
                         z_restarts=z)


def csgm(net, op, Y, *, restarts=10, iters=1000, lr=0.01, lam=0.1, seed=1, first_index=0,
         threads=1, max_batch=4096, progress=None):
    """CSGM (Bora et al. eq. 2) for N images measured by one operator, as
    `ginv cs --method csgm`: Y (N, m) or (m,) -> (z (N, k), x (N, n), loss (N,)),
    loss = ||A G(z) - y||^2 + lam ||z||^2 at each image's best restart;
    image i's starts from stream (seed, CSGM_INIT, first_index + i)."""
    hn, ho = _net_op(net, op)
    Y = _array(Y, "Y", ndims=(1, 2), cols=op.m, finite=True)
    single = Y.ndim == 1
    N = 1 if single else Y.shape[0]
    o = _lib.CsgmOpts()
    lib.ginv_csgm_opts_init(byref(o))
    o.restarts = _int(restarts, "restarts", 1, 1 << 20)
    o.iters = _int(iters, "iters", 0, 1 << 30)
    o.lr = _float(lr, "lr", 0, lo_open=True)
    setattr(o, "lambda", _float(lam, "lam", 0))
    o.seed, o.first_index = _seed(seed), _seed(first_index, "first_index")
    o.threads = _int(threads, "threads", 1, 64)
    o.max_batch = _int(max_batch, "max_batch", 1)
    Z = np.empty((N, net.k), np.float32)
    X = np.empty((N, net.n), np.float32)
    L = np.empty(N, np.float64)
    if N:
        with _calling(progress):
            net._handle(), op._handle()
            o.ctx = _run_ctx()
            _check(lib.ginv_csgm_run(hn, ho, N, _ptr(Y), byref(o), _ptr(Z), _ptr(X),
                                     _ptr(L, _f64p)))
    if single:
        return Z[0], X[0], L[0]
    return Z, X, L


# --------------------------------------------------------------- sampling

_DIAG_FIELDS = ("mean", "sd", "rhat", "rhat_bulk", "ess_bulk", "ess_tail", "ess_mean",
                "mcse_mean")


def diagnostics(draws):
    """Vehtari et al. (2021) diagnostics of draws (S, C) -- S >= 4 draws of C
    chains -- or (S, C, d): a dict of the fields mean, sd, rhat, rhat_bulk,
    ess_bulk, ess_tail, ess_mean, mcse_mean (floats, or (d,) arrays)."""
    d = _array(draws, "draws", dtype=np.float64, ndims=(2, 3))
    if d.shape[0] < 4 or d.shape[1] < 1:
        raise ValueError("draws has shape %s: it needs at least 4 draws (rows) of at least "
                         "one chain" % (d.shape,))
    single = d.ndim == 2
    D = d.reshape(d.shape[0], d.shape[1], -1)
    out = {f: np.empty(D.shape[2]) for f in _DIAG_FIELDS}
    with _calling():
        for j in range(D.shape[2]):
            x = np.ascontiguousarray(D[:, :, j])
            g = _lib.Diag()
            _check(lib.ginv_diag_compute(D.shape[0], D.shape[1], _ptr(x, _f64p), byref(g)))
            for f in _DIAG_FIELDS:
                out[f][j] = getattr(g, f)
    if single:
        return {f: float(v[0]) for f, v in out.items()}
    return out


class SampleResult:
    """What ginv.sample returns: samples (S, C, k), energy (S, C), start (C, k),
    accepted (C,), accept_rate, proposed, gd_loss, seconds, steps,
    swap_rate (temps - 1,), precond_eig (2,), mean_z, std_z (k), mean_x,
    std_x (n), the sampler's step_size (C,) and inv_metric (C, k) after
    adaptation, divergences (C,), per draw accept_stat, tree_depth and
    n_leapfrog (S, C), diagnostics (dict of (k,) arrays: mean, sd, rhat, rhat_bulk,
    ess_bulk, ess_tail, ess_mean, mcse_mean), summary (max_rhat,
    min_ess_bulk, min_ess_tail, and with signal_diag the per-pixel summary)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return "<SampleResult samples=%s accept_rate=%.3f max_rhat=%.4f>" % (
            self.samples.shape, self.accept_rate, self.summary["max_rhat"])


_SAMPLERS = ("ula", "mala", "projected", "annealed", "hmc", "nuts")
_ADAPT = {"off": 0, "step": 1, "on": 2}


def sample(net, op, y, *, sampler="mala", step=1e-3, sigma, prior="gaussian", beta=1.0,
           chains=4, burn_in=500, samples=1000, thin=1, init="zero", init_scale=1.0,
           gd_iters=1000, gd_lr=0.1, radius=None, centre=None, levels=10, level_max=10.0,
           precond="none", temps=1, temp_max=10.0, swap_every=1, seed=1, threads=1,
           adapt="off", target_accept=None, leapfrog=10, max_depth=10, metric=None,
           signal_diag=False, signal_sd_floor=1e-3, progress=None):
    """Langevin, HMC or NUTS chains on the posterior exp(-beta U),
    U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z), as `ginv sample --y Y
    --chain-seed SEED`. init: "zero", "gd", "random" (N(0, init_scale^2 I)) or
    an array of starts (chains, k). adapt ("off", "step" or "on": step and
    diagonal metric; mala, hmc, nuts; ula by a MALA warm-up) is Stan's warm-up adaptation during the
    burn-in toward target_accept (None: mala 0.574, hmc/nuts 0.8, ula 0.95); with
    adaptation step=None asks for Stan's initial-step heuristic. metric: the
    diagonal inverse metric (k,) or (chains, k). Returns a SampleResult with
    the draws, their diagnostics and the sampler's statistics."""
    hn, ho = _net_op(net, op)
    k = net.k
    y = _array(y, "y", ndims=(1,), cols=op.m, finite=True)
    if sampler not in _SAMPLERS:
        raise ValueError("sampler '%s' must be one of %s" % (sampler, ", ".join(_SAMPLERS)))
    if prior not in ("gaussian", "uniform", "none"):
        raise ValueError("prior '%s' must be gaussian, uniform or none" % prior)
    if precond not in ("none", "laplace"):
        raise ValueError("precond '%s' must be none or laplace" % precond)
    sigma = _float(sigma, "sigma", 0, lo_open=True)
    o = _lib.SampleOpts()
    lib.ginv_sample_opts_init(byref(o))
    if adapt not in _ADAPT:
        raise ValueError("adapt '%s' must be off, step or on" % (adapt,))
    o.adapt = _ADAPT[adapt]
    if step is None and not o.adapt:
        raise ValueError("step=None (Stan's initial step) needs adapt 'step' or 'on'")
    o.step = 0.0 if step is None else _float(step, "step", 0, lo_open=True)
    if target_accept is not None:
        o.target_accept = _float(target_accept, "target_accept", 0, 1, lo_open=True)
        if o.target_accept >= 1:
            raise ValueError("target_accept must be in (0, 1)")
    o.leapfrog = _int(leapfrog, "leapfrog", 1, 1 << 20)
    o.max_depth = _int(max_depth, "max_depth", 1, 30)
    o.beta = _float(beta, "beta", 0, lo_open=True)
    o.chains = _int(chains, "chains", 1, 1 << 20)
    o.burn_in = _int(burn_in, "burn_in", 0, 1 << 30)
    o.samples = _int(samples, "samples", 4, 1 << 30)
    o.thin = _int(thin, "thin", 1, 1 << 20)
    o.init_sd = _float(init_scale, "init_scale", 0)
    o.gd_iters = _int(gd_iters, "gd_iters", 0, 1 << 30)
    o.gd_lr = _float(gd_lr, "gd_lr", 0)
    o.levels = _int(levels, "levels", 1, 1 << 20)
    o.level_max = _float(level_max, "level_max", 1)
    o.temps = _int(temps, "temps", 1, 64)
    o.temp_max = _float(temp_max, "temp_max", 1)
    o.swap_every = _int(swap_every, "swap_every", 1, 1 << 30)
    o.seed = _seed(seed)
    o.threads = _int(threads, "threads", 1, 64)
    if radius is not None:
        o.radius = _float(radius, "radius", 0, lo_open=True)
    elif sampler == "projected" or prior == "uniform":
        raise ValueError("sampler 'projected' and prior 'uniform' need radius > 0")
    keep = []
    if isinstance(init, str):
        if init not in ("zero", "gd", "random"):
            raise ValueError("init '%s' must be zero, gd, random or an array of starts" % init)
        init_code = {"zero": 0, "gd": 1, "random": 2}[init]
    else:
        zi = _array(init, "init", ndims=(2,), cols=k, rows=o.chains, finite=True)
        keep.append(zi)
        o.init_z = _ptr(zi)
        init_code = 3
    o.init = init_code
    if centre is not None:
        c = _array(centre, "centre", ndims=(1,), cols=k, finite=True)
        keep.append(c)
        o.centre = _ptr(c)
    if metric is not None:
        mt = np.array(_array(metric, "metric", ndims=(1, 2), cols=k, finite=True), np.float64)
        mt = mt.reshape(-1, k)
        if mt.shape[0] not in (1, o.chains) or not (mt > 0).all():
            raise ValueError("metric must be (k,) or (chains, k) with every entry > 0")
        mt = np.ascontiguousarray(mt)
        keep.append(mt)
        o.metric, o.metric_rows = _ptr(mt, _f64p), mt.shape[0]
    if precond == "laplace" and (init_code != 1 or prior != "gaussian"
                                 or sampler not in ("ula", "mala")):
        raise ValueError("precond 'laplace' needs init 'gd', prior 'gaussian' and sampler ula "
                         "or mala (it is the Hessian at the GD point)")
    res = _lib.SampleResult()
    with _calling(progress):
        net._handle(), op._handle()
        o.type = lib.ginv_sampler_find(sampler.encode())
        pc, pr = c_int(), c_int()
        _check(lib.ginv_precond_parse(precond.encode(), byref(pc)))
        _check(lib.ginv_prior_parse(prior.encode(), byref(pr)))
        o.precond = pc.value
        post = c_void_p()
        _check(lib.ginv_posterior_new(byref(post), hn, ho, _ptr(y), 1, sigma, pr.value,
                                      o.chains * o.temps))
        try:
            o.ctx = _run_ctx()
            _check(lib.ginv_sample_run(post, byref(o), byref(res)))
            try:
                S, C, n = res.S, res.C, net.n
                out = dict(
                    samples=_copy_out(res.samples, (S, C, k)),
                    energy=_copy_out(res.energy, (S, C), np.float64),
                    start=_copy_out(res.start, (C, k)),
                    centre=_copy_out(res.centre, (C, k)) if res.centre else None,
                    accepted=_copy_out(res.accepted, (C,), np.int64),
                    proposed=int(res.proposed), accept_rate=float(res.accept_rate),
                    gd_loss=float(res.gd_loss), gd_iters=int(res.gd_iters),
                    precond_eig=np.array(res.precond_eig[:], np.float64),
                    temps=int(res.temps),
                    swap_rate=(_copy_out(res.swap_rate, (res.temps - 1,), np.float64)
                               if res.swap_rate else np.empty(0)),
                    seconds=float(res.seconds), steps=int(res.steps),
                    step_size=_copy_out(res.step_size, (C,), np.float64),
                    inv_metric=_copy_out(res.inv_metric, (C, k), np.float64),
                    divergences=_copy_out(res.divergences, (C,), np.int64),
                    tree_depth=_copy_out(res.stat_depth, (S, C), np.int32),
                    n_leapfrog=_copy_out(res.stat_leapfrog, (S, C), np.int32),
                    accept_stat=_copy_out(res.stat_accept, (S, C), np.float64))
                mz, sz = np.empty(k, np.float32), np.empty(k, np.float32)
                mx, sx = np.empty(n, np.float32), np.empty(n, np.float32)
                _check(lib.ginv_sample_moments(byref(res), hn, _ptr(mz), _ptr(sz), _ptr(mx),
                                               _ptr(sx)))
                out.update(mean_z=mz, std_z=sz, mean_x=mx, std_x=sx)
                diag = {f: np.empty(k) for f in _DIAG_FIELDS}
                draws = np.empty(S * C, np.float64)
                flat = out["samples"].reshape(S * C, k)
                for j in range(k):
                    draws[:] = flat[:, j]
                    g = _lib.Diag()
                    _check(lib.ginv_diag_compute(S, C, _ptr(draws, _f64p), byref(g)))
                    for f in _DIAG_FIELDS:
                        diag[f][j] = getattr(g, f)
                summary = {}
                for key, f, red in (("max_rhat", "rhat", np.max),
                                    ("min_ess_bulk", "ess_bulk", np.min),
                                    ("min_ess_tail", "ess_tail", np.min)):
                    v = diag[f]
                    summary[key] = float("nan") if np.isnan(v).any() else float(red(v))
                if signal_diag:
                    sd = _lib.SignalDiag()
                    _check(lib.ginv_sample_signal_diag(
                        byref(res), hn, _float(signal_sd_floor, "signal_sd_floor", 0), None,
                        byref(sd)))
                    summary["signal"] = {"pixels": sd.pixels, "max_rhat": sd.max_rhat,
                                         "min_ess_bulk": sd.min_ess_bulk,
                                         "min_ess_tail": sd.min_ess_tail,
                                         "worst_pixel": sd.worst_pixel}
            finally:
                lib.ginv_sample_result_release(byref(res))
        finally:
            lib.ginv_posterior_free(post)
    return SampleResult(diagnostics=diag, summary=summary, **out)


# --------------------------------------------------------------- decision

_NORMS_DOC = "'exact', 1, 2, 3, ..., or 'inf'"


class DecideResult:
    """What ginv.decide returns: answer ("YES", "NO", "UNKNOWN"), witness
    (k,) float64 (YES) or minimiser (NO with minimize) or None, distance,
    lower_bound, upper_bound, method, nodes, seconds, note, and certificate
    (a dict as the CLI's JSON "certificate")."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __bool__(self):
        return self.answer == "YES"

    def __repr__(self):
        return "<DecideResult %s distance=%g method=%s nodes=%d>" % (
            self.answer, self.distance, self.method, self.nodes)


def decide(net, target=None, *, norm=None, delta=None, latent=None, box=None, method="auto",
           time_limit=0.0, minimize=False, max_pruned=4096, progress=None):
    """Is there a latent z in the domain with ||G(z) - target||_p <= delta
    (norm "exact": G(z) == target)? As `ginv decide`: target, norm, delta,
    latent ("01", "pm1", "real") and box default to the problem stored in
    the model file (net.problem); without one, target, norm and latent are
    required. Returns a DecideResult; UNKNOWN is an answer, not an error."""
    if not isinstance(net, Net):
        raise ValueError("net must be a ginv.Net, not %s" % type(net).__name__)
    hn = net._handle()
    n, k = net.n, net.k
    pbd = net.problem
    if pbd is None and (target is None or norm is None or latent is None):
        raise ValueError("the net stores no problem: give target, norm and latent")
    if method not in ("auto", "enum", "milp", "bnb"):
        raise ValueError("method '%s' must be auto, enum, milp or bnb" % method)
    tgt = _array(target if target is not None else pbd["target"], "target", dtype=np.float64,
                 ndims=(1,), cols=n, finite=True)
    if pbd is not None:
        p, d, lat, bx = pbd["p"], pbd["delta"], pbd["latent"], pbd["box"]
    else:
        p, d, lat, bx = 0.0, 0.0, None, 0.0
    if norm is not None:
        txt = norm if isinstance(norm, str) else (str(int(norm)) if isinstance(
            norm, (int, np.integer)) and not isinstance(norm, bool) else None)
        if txt is None:
            raise ValueError("norm must be %s, not %r" % (_NORMS_DOC, norm))
        pv = c_double()
        with _calling():
            st = lib.ginv_norm_parse(_str(txt, "norm"), byref(pv))
        if st != OK:
            raise ValueError("norm %r: %s" % (norm, last_error()))
        p = pv.value
    if latent is not None:
        if latent not in ("01", "pm1", "real"):
            raise ValueError("latent '%s' must be 01, pm1 or real" % (latent,))
        lat = latent
        if box is None:
            bx = 0.0
    if box is not None:
        bx = _float(box, "box", 0)
        if lat != "real" and bx:
            raise ValueError("box applies to real latents only")
    if delta is not None:
        d = _float(delta, "delta", 0)
        if p == 0.0 and d != 0:
            raise ValueError("delta %g with norm exact: exact inversion has no delta" % d)
    elif pbd is None and p != 0.0:
        raise ValueError("norm %s needs delta" % (norm,))
    o = _lib.DecideOpts()
    lib.ginv_decide_opts_init(byref(o))
    o.time_limit = _float(time_limit, "time_limit", 0, 1e9)
    o.minimize = int(bool(minimize))
    o.max_pruned = _int(max_pruned, "max_pruned", 0, 1 << 24)
    pb = _lib.Problem(n=n, target=_ptr(tgt, _f64p), delta=d, p=p,
                      latent={"real": 0, "01": 1, "pm1": 2}[lat], box=bx, source_json=None)
    res = _lib.DecideResult()
    with _calling(progress):
        net._handle()
        mc = c_int()
        _check(lib.ginv_decide_method_parse(method.encode(), byref(mc)))
        o.method = mc.value
        o.ctx = _run_ctx()
        _check(lib.ginv_decide(hn, byref(pb), byref(o), byref(res)))
        try:
            mname = lib.ginv_decide_method_name(res.method).decode()
            answer = lib.ginv_answer_name(res.answer).decode()
            cert = {"kind": mname, "note": res.note.decode("utf-8", "replace"),
                    "threshold": res.threshold, "margin": res.margin,
                    "lower_bound": res.lower_bound, "upper_bound": res.upper_bound}
            if res.method == 1:  # enum
                cert.update(latents=2.0 ** res.k, visited=res.visited,
                            pruned_latents=res.pruned_latents,
                            pruned_subtrees=res.pruned_subtrees,
                            pruned=[{"prefix": "".join("1" if (pr.prefix >> j) & 1 else "0"
                                                       for j in range(pr.depth)),
                                     "bound": pr.bound}
                                    for pr in (res.pruned[i] for i in range(res.npruned))])
            else:
                cert.update(solver_bound=res.solver_bound, unstable_units=res.unstable_units,
                            stable_units=res.stable_units, lp_solves=res.lp_solves)
                if res.method == 3:  # bnb
                    cert.update(infeasible_nodes=res.infeasible_nodes,
                                bound_pruned_nodes=res.bound_pruned_nodes,
                                exact_leaves=res.exact_leaves, qp_leaves=res.qp_leaves,
                                max_kkt_residual=res.max_kkt_residual, cuts=res.cuts,
                                cut_rounds=res.cut_rounds, max_leaf_gap=res.max_leaf_gap,
                                cut_budget_hit=bool(res.cut_budget_hit))
            wit = _copy_out(res.witness, (k,), np.float64) if res.witness else None
            out = DecideResult(answer=answer,
                               witness=wit if answer == "YES" else None,
                               minimiser=wit if answer != "YES" else None,
                               distance=res.distance, lower_bound=res.lower_bound,
                               upper_bound=res.upper_bound, method=mname, nodes=res.nodes,
                               seconds=res.seconds, note=cert["note"], certificate=cert,
                               problem={"norm": p, "delta": d, "latent": lat, "box": bx})
        finally:
            lib.ginv_decide_result_release(byref(res))
    return out


# ----------------------------------------------------------------- images


def load_images(spec):
    """Images by the CLI's --data text ("fashion-mnist:test[0:16]", "idx:PATH",
    "a.png,b.pgm", with an optional [a:b:step] slice): (pix (N, h, w) float32
    in [0, 1], labels (N,) int32 or None)."""
    s = _str(spec, "spec")
    im = _lib.Images()
    with _calling():
        _check(lib.ginv_images_load(s, byref(im)))
        try:
            pix = _copy_out(im.pix, (im.count, im.h, im.w))
            labels = _copy_out(im.labels, (im.count,), np.int32) if im.labels else None
        finally:
            lib.ginv_images_release(byref(im))
    return pix, labels


def blas_info():
    """The OpenBLAS kernel family in use, and a better one the CPU supports
    (set OPENBLAS_CORETYPE to it before Python starts) or None."""
    better = lib.ginv_blas_better_core()
    return {"core": lib.ginv_blas_core().decode(),
            "better_core": better.decode() if better else None}


def live_bytes():
    """Bytes the library holds right now (its counted allocator)."""
    return lib.ginv_live_bytes()
