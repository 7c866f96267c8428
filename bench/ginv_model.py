"""ginv_model.py — read a ginv model file (safetensors) with numpy only.

The file is: 8-byte little-endian header length, a JSON header mapping tensor
names to {dtype, shape, data_offsets}, then the raw tensor bytes.  Dense layers
are stored as layers.<i>.weight [out, in] and layers.<i>.bias [out]; the
architecture (the list of layers, dense and activation alike) is a JSON string
in __metadata__["ginv"].

load(path) returns a list of layers, each a dict:
    {"kind": "dense", "W": ndarray[out, in] float32, "b": ndarray[out] or None}
    {"kind": "softplus" | "sigmoid" | "relu" | "tanh" | "identity"}
    {"kind": "leaky_relu", "alpha": float}
"""
import json
import struct

import numpy as np

_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4",
           "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """Return (tensors: dict name -> ndarray, metadata: dict or None)."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (hlen,) = struct.unpack("<Q", buf[:8])
    if hlen > len(buf) - 8:
        raise ValueError(f"{path}: header length {hlen} past end of file")
    header = json.loads(buf[8:8 + hlen].decode("utf-8"))
    data = memoryview(buf)[8 + hlen:]
    meta = header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        dt = _DTYPES.get(info["dtype"])
        if dt is None:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        shape = tuple(int(s) for s in info["shape"])
        arr = np.frombuffer(data[start:end], dtype=dt)
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: tensor {name}: {arr.size} values for shape {shape}")
        tensors[name] = arr.reshape(shape)
    return tensors, meta


def _kind(spec):
    for key in ("kind", "type", "op", "name"):
        if isinstance(spec, dict) and key in spec:
            return str(spec[key]).lower()
    if isinstance(spec, str):
        return spec.lower()
    raise ValueError(f"layer spec without a kind: {spec!r}")


def load(path):
    tensors, meta = read_safetensors(path)
    if not meta or "ginv" not in meta:
        raise ValueError(f"{path}: no __metadata__[\"ginv\"] architecture")
    arch = meta["ginv"]
    if isinstance(arch, str):
        arch = json.loads(arch)
    specs = arch["layers"] if isinstance(arch, dict) else arch
    layers = []
    ndense = 0
    for li, spec in enumerate(specs):
        kind = _kind(spec).replace("-", "_")
        if kind in ("dense", "linear"):
            # Tensors are indexed by position in the layer list; accept an
            # index over dense layers only as well.
            for idx in (li, ndense):
                if f"layers.{idx}.weight" in tensors:
                    break
            else:
                raise ValueError(f"{path}: no weight for dense layer {li}")
            W = np.ascontiguousarray(tensors[f"layers.{idx}.weight"], dtype=np.float32)
            b = tensors.get(f"layers.{idx}.bias")
            if b is not None:
                b = np.ascontiguousarray(b, dtype=np.float32).reshape(-1)
            layers.append({"kind": "dense", "W": W, "b": b})
            ndense += 1
        elif kind in ("softplus", "sigmoid", "relu", "tanh", "identity"):
            layers.append({"kind": kind})
        elif kind in ("leaky_relu", "leakyrelu"):
            alpha = 0.01
            if isinstance(spec, dict):
                alpha = float(spec.get("alpha", spec.get("slope", alpha)))
            layers.append({"kind": "leaky_relu", "alpha": alpha})
        else:
            raise ValueError(f"{path}: unsupported layer kind {kind!r}")
    if ndense == 0:
        raise ValueError(f"{path}: no dense layers")
    return layers


def forward_np(layers, z):
    """G(z) for a batch z [B, k] (float64 numpy, for making test data)."""
    h = np.asarray(z, dtype=np.float64)
    for L in layers:
        k = L["kind"]
        if k == "dense":
            h = h @ L["W"].T.astype(np.float64)
            if L["b"] is not None:
                h = h + L["b"]
        elif k == "softplus":
            h = np.logaddexp(0.0, h)
        elif k == "sigmoid":
            h = 1.0 / (1.0 + np.exp(-h))
        elif k == "relu":
            h = np.maximum(h, 0.0)
        elif k == "tanh":
            h = np.tanh(h)
        elif k == "leaky_relu":
            h = np.where(h > 0, h, L["alpha"] * h)
    return h


def dims(layers):
    dense = [L for L in layers if L["kind"] == "dense"]
    return [dense[0]["W"].shape[1]] + [L["W"].shape[0] for L in dense]
