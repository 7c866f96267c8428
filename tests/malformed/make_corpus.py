#!/usr/bin/env python3
"""make_corpus.py — writes the malformed-file corpus the unit tests read:

  tests/malformed/safetensors/*.safetensors  each breaking one rule of the format
  tests/malformed/npy/*.npy                  each breaking one rule of .npy
  tests/malformed/model/*.safetensors        valid safetensors, invalid ginv models
  tests/malformed/idx/*.idx, *.idx.gz        each breaking one rule of IDX (raw or gzip)
  tests/malformed/cnf/*.cnf                  DIMACS CNF refused in strict and lenient mode
  tests/malformed/cnf-strict/*.cnf           refused in strict mode, read in lenient mode
  tests/malformed/graph/*.col                DIMACS graphs refused in both modes
  tests/malformed/graph-strict/*.col         refused in strict mode, read in lenient mode
  tests/malformed/pgm/*.pgm                  each breaking one rule of PGM (P2/P5)

and in each folder a manifest EXPECT with lines "file<TAB>substring", the
substring the loader's error message must contain. Each file is named for its
defect. Plain python3, no third-party modules; the output is committed, so CI
does not run this. Run from anywhere: python3 tests/malformed/make_corpus.py
"""
import gzip
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def st_bytes(header, data=b"", hlen=None):
    """A safetensors file: u64 LE header length, header bytes, data."""
    if isinstance(header, str):
        header = header.encode("utf-8")
    if hlen is None:
        hlen = len(header)
    return struct.pack("<Q", hlen) + header + data


def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


def st_json(obj, data=b""):
    return st_bytes(json.dumps(obj, separators=(",", ":")), data)


F32x2 = struct.pack("<2f", 1.0, 2.0)
GOOD_HDR = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'


def safetensors_cases():
    c = []
    add = lambda name, content, expect: c.append((name + ".safetensors", content, expect))
    add("empty_file", b"", "too short to hold the 8-byte header length")
    add("short_length_field", b"\x10\x00\x00", "file is 3 bytes, too short")
    add("header_len_past_end", st_bytes(GOOD_HDR, F32x2, hlen=1000), "runs past the end of the file")
    add("header_too_large", st_bytes(GOOD_HDR, F32x2, hlen=100000001), "exceeds the limit of 100000000 bytes")
    add("header_len_zero", st_bytes(b"", F32x2), "header length is 0")
    add("bad_json", st_bytes('{"a":{"dtype":"F32",', b""), "header is not valid JSON")
    add("trailing_garbage", st_bytes(GOOD_HDR + " x", F32x2), "bytes after its JSON value")
    add("not_object", st_bytes("[1,2]"), "header is an array, not a JSON object")
    add("header_is_string", st_bytes('"hello"'), "header is a string, not a JSON object")
    # UTF-8 problems in a tensor name
    utf8 = lambda raw: st_bytes(b'{"a' + raw + b'":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', F32x2)
    add("bad_utf8", utf8(b"\xff"), "invalid byte 0xff")
    add("stray_continuation_utf8", utf8(b"\x80"), "stray continuation byte 0x80")
    add("overlong_utf8", utf8(b"\xc0\xaf"), "overlong 2-byte encoding")
    add("overlong_3byte_utf8", utf8(b"\xe0\x80\xaf"), "overlong 3-byte encoding at byte 3")
    add("surrogate_utf8", utf8(b"\xed\xa0\x80"), "UTF-16 surrogate U+D800")
    add("codepoint_too_large_utf8", utf8(b"\xf4\x90\x80\x80"), "above U+10FFFF")
    add("truncated_utf8", utf8(b"\xe2\x82"), "sequence cut short")
    add("control_byte", utf8(b"\x01"), "raw control byte 0x01")
    add("nul_escape", utf8(b"\\u0000"), "escape \\u0000")
    # entries
    add("entry_not_object", st_bytes('{"a":5}'), "entry is not a JSON object")
    add("unknown_dtype", st_json({"a": entry("F8")}, F32x2), "unknown dtype 'F8'")
    add("dtype_not_string", st_json({"a": entry(4)}, F32x2), "dtype is 4, not a string")
    add("missing_dtype", st_json({"a": {"shape": [2], "data_offsets": [0, 8]}}, F32x2), "missing key 'dtype'")
    add("missing_shape", st_json({"a": {"dtype": "F32", "data_offsets": [0, 8]}}, F32x2), "missing key 'shape'")
    add("missing_offsets", st_json({"a": {"dtype": "F32", "shape": [2]}}, F32x2), "missing key 'data_offsets'")
    e = entry()
    e["extra"] = 1
    add("unknown_key", st_json({"a": e}, F32x2), "unknown key 'extra'")
    add("repeated_key", st_bytes('{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}', F32x2),
        "key 'dtype' appears twice")
    add("shape_not_array", st_bytes('{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}', F32x2),
        "shape is 2, not an array")
    add("shape_not_integers", st_json({"a": entry(shape=(2.5,))}, F32x2), "shape[0] is 2.5, not a non-negative integer")
    add("shape_negative", st_json({"a": entry(shape=(-2,))}, F32x2), "shape[0] is -2, not a non-negative integer")
    add("shape_string_dim", st_json({"a": entry(shape=("2",))}, F32x2), "shape[0] is a string")
    add("too_many_dims", st_json({"a": entry(shape=(1,) * 9, offsets=(0, 4))}, F32x2[:4]), "more than the 8 allowed")
    add("negative_offset", st_json({"a": entry(offsets=(-4, 4))}, F32x2), "data_offsets[0] is -4")
    add("offset_not_integral", st_json({"a": entry(offsets=(0, 8.5))}, F32x2), "data_offsets[1] is 8.5")
    add("huge_offset", st_json({"a": entry(offsets=(0, 10 ** 20))}, F32x2),
        "data_offsets[1] is 100000000000000000000, too large: the limit is 2^53")
    add("shape_too_large", st_json({"a": entry(shape=(2 ** 62,))}, F32x2),
        "shape[0] is 4611686018427387904, too large: the limit is 2^53 = 9007199254740992")
    add("offsets_not_pair", st_json({"a": entry(offsets=(0,))}, F32x2), "data_offsets must be an array [begin, end]")
    add("offsets_reversed", st_json({"a": entry(offsets=(8, 0))}, F32x2), "has begin after end")
    add("offsets_past_end", st_json({"a": entry(shape=(4,), offsets=(0, 16))}, F32x2),
        "past the end of the 8-byte data buffer")
    two = {"a": entry(shape=(2,), offsets=(0, 8)), "b": entry(shape=(2,), offsets=(8, 16))}
    add("truncated", st_json(two, struct.pack("<4f", 1, 2, 3, 4))[:-4], "[8, 16) past the end of the 12-byte")
    add("shape_bytes_mismatch", st_json({"a": entry(shape=(3,))}, F32x2), "shape [3] x F32 needs 12 bytes")
    add("size_overflow", st_json({"a": entry(shape=(2 ** 32, 2 ** 32))}, F32x2), "byte count overflows")
    add("hole", st_json({"a": entry(shape=(1,), offsets=(0, 4)), "b": entry(shape=(1,), offsets=(8, 12))},
                        struct.pack("<3f", 1, 2, 3)), "has a hole")
    add("hole_at_start", st_json({"a": entry(shape=(1,), offsets=(4, 8))}, F32x2), "bytes [0, 4) belong to no tensor")
    add("overlap", st_json({"a": entry(shape=(2,), offsets=(0, 8)), "b": entry(shape=(2,), offsets=(4, 12))},
                           struct.pack("<3f", 1, 2, 3)), "overlap")
    add("trailing_data", st_json({"a": entry(shape=(1,), offsets=(0, 4))}, F32x2), "trailing bytes")
    add("no_tensors_with_data", st_bytes("{}", F32x2), "names no tensors but the data buffer holds 8 bytes")
    add("duplicate_name", st_bytes('{"a":' + json.dumps(entry(offsets=(0, 8))) + ',"a":' +
                                   json.dumps(entry(offsets=(8, 16))) + "}", F32x2 + F32x2),
        "tensor name 'a' appears twice")
    add("metadata_not_object", st_json({"__metadata__": [], "a": entry()}, F32x2), "__metadata__ is an array")
    add("metadata_not_string", st_json({"__metadata__": {"k": 5}, "a": entry()}, F32x2),
        "value for key 'k' is 5, not a string")
    add("metadata_duplicate_key", st_bytes('{"__metadata__":{"k":"x","k":"y"},' + GOOD_HDR[1:], F32x2),
        "__metadata__ key 'k' appears twice")
    add("duplicate_metadata", st_bytes('{"__metadata__":{},"__metadata__":{},' + GOOD_HDR[1:], F32x2),
        "two __metadata__ entries")
    return c


def npy_bytes(header, data=b"", major=1, hlen=None, magic=b"\x93NUMPY", minor=0):
    if isinstance(header, str):
        header = header.encode("latin-1")
    if hlen is None:
        hlen = len(header)
    fmt = "<H" if major == 1 else "<I"
    return magic + bytes([major, minor]) + struct.pack(fmt, hlen) + header + data


def dict_hdr(descr="'<f4'", fortran="False", shape="(2,)"):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }\n" % (descr, fortran, shape)


def npy_cases():
    c = []
    add = lambda name, content, expect: c.append((name + ".npy", content, expect))
    f2 = struct.pack("<2f", 1.0, 2.0)
    add("empty_file", b"", "file is 0 bytes, too short for the .npy preamble")
    add("bad_magic", npy_bytes(dict_hdr(), f2, magic=b"\x93NUMPZ"), "does not start with the NumPy magic")
    add("bad_version", npy_bytes(dict_hdr(), f2, major=4), "version 4.0 is not supported")
    add("bad_minor_version", npy_bytes(dict_hdr(), f2, minor=1), "version 1.1 is not supported")
    add("short_length_field", b"\x93NUMPY\x02\x00\x10\x00", "too short for the v2.0 header length")
    add("header_len_past_end", npy_bytes(dict_hdr(), f2, hlen=200), "header length 200 runs past the end")
    add("big_endian", npy_bytes(dict_hdr("'>f4'"), struct.pack(">2f", 1, 2)), "big-endian not supported")
    add("fortran_order", npy_bytes(dict_hdr(fortran="True", shape="(1, 2)"), f2), "fortran_order True")
    add("unsupported_dtype", npy_bytes(dict_hdr("'<i4'"), f2), "dtype '<i4' is not supported")
    add("pipe_byteorder", npy_bytes(dict_hdr("'|f4'"), f2), "byte order '|'")
    add("structured_dtype", npy_bytes(dict_hdr("[('a', '<f4')]"), f2), "structured")
    add("truncated_data", npy_bytes(dict_hdr(shape="(3,)"), f2), "data is 8 bytes but shape (3,) x 4 bytes needs 12")
    add("extra_data", npy_bytes(dict_hdr(), f2 + f2), "data is 16 bytes but shape (2,)")
    add("bad_header_dict", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)\n", f2),
        "expected ',' or '}' after a value")
    add("header_not_dict", npy_bytes("['<f4', False, (2,)]\n", f2), "expected '{'")
    add("missing_shape_key", npy_bytes("{'descr': '<f4', 'fortran_order': False, }\n", f2), "no 'shape' key")
    add("unknown_key", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}\n", f2),
        "unknown key 'extra'")
    add("duplicate_key", npy_bytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n", f2),
        "key 'descr' appears twice")
    add("shape_overflow", npy_bytes(dict_hdr(shape="(4294967296, 4294967296, 4294967296)"), f2),
        "byte count overflows")
    add("dimension_too_large", npy_bytes(dict_hdr(shape="(99999999999999999999,)"), f2), "dimension too large")
    add("too_many_dims", npy_bytes(dict_hdr(shape="(1, 1, 1, 1, 2)"), f2), "more than the 4 dimensions")
    add("negative_dim", npy_bytes(dict_hdr(shape="(-1,)"), f2), "expected a non-negative integer in 'shape'")
    add("shape_not_tuple", npy_bytes(dict_hdr(shape="[2]"), f2), "expected '(' starting the 'shape' tuple")
    add("one_tuple_no_comma", npy_bytes(dict_hdr(shape="(2)"), f2), "needs a trailing comma")
    add("fortran_not_bool", npy_bytes(dict_hdr(fortran="0"), f2), "'fortran_order' must be True or False")
    add("header_not_ascii", npy_bytes(dict_hdr("'<f\xe94'"), f2), "unsupported character in a string")
    add("unterminated_string", npy_bytes("{'descr': '<f4", b""), "unterminated string")
    add("text_after_dict", npy_bytes(dict_hdr().rstrip("\n") + " x\n", f2), "unexpected text after the dict")
    add("f8_out_of_float32_range", npy_bytes(dict_hdr("'<f8'"), struct.pack("<2d", 1.0, 1e300)),
        "outside the float32 range")
    return c


def model_cases():
    def model(arch, tensors, arch_text=None):
        meta = {"ginv": arch_text if arch_text is not None else json.dumps(arch, separators=(",", ":"))}
        hdr = {"__metadata__": meta}
        data = b""
        for name, shape, values in tensors:
            raw = struct.pack("<%df" % len(values), *values)
            hdr[name] = entry("F32", shape, (len(data), len(data) + len(raw)))
            data += raw
        return st_json(hdr, data)

    c = []
    # dense 4->6, relu, dense 5->3: layer 2 takes 5 inputs but gets 6.
    arch = {"format": "ginv-net", "version": 1, "layers": [
        {"type": "dense", "in": 4, "out": 6, "bias": False}, {"type": "relu"},
        {"type": "dense", "in": 5, "out": 3, "bias": True}]}
    tensors = [("layers.0.weight", (6, 4), [0.1 * i for i in range(24)]),
               ("layers.2.weight", (3, 5), [0.01 * i for i in range(15)]),
               ("layers.2.bias", (3,), [0.5, -0.5, 0.0])]
    c.append(("layers_do_not_chain.safetensors", model(arch, tensors), "layer sizes do not chain"))
    c.append(("metadata_ginv_not_json.safetensors",
              model(None, [("layers.0.weight", (3, 2), [1, 2, 3, 4, 5, 6])],
                    arch_text='{"format":"ginv-net","version":1,"layers":[{"type":"dense"'),
              '"ginv" metadata entry is not valid JSON (near byte'))
    # issue 18 item 3: 252 bytes declaring a 65536 x 65537 layer (16.8 GB of
    # parameters) must be refused before anything that size is allocated
    huge = {"format": "ginv-net", "version": 1, "layers": [{"type": "dense", "in": 65536, "out": 65537}]}
    c.append(("huge_dense_layer.safetensors", model(huge, [("layers.0.weight", (2,), [1.0, 2.0])]),
              "tensor 'layers.0.weight' has shape [2] but layer 0 (dense 65536 -> 65537) needs [65537, 65536]"))
    small = {"format": "ginv-net", "version": 1, "layers": [{"type": "dense", "in": 2, "out": 3}]}
    c.append(("weight_transposed.safetensors", model(small, [("layers.0.weight", (2, 3), [1, 2, 3, 4, 5, 6])]),
              "tensor 'layers.0.weight' has shape [2, 3] but layer 0 (dense 2 -> 3) needs [3, 2]"))
    c.append(("bias_missing.safetensors",
              model(None, [("layers.0.weight", (3, 2), [1, 2, 3, 4, 5, 6])],
                    arch_text='{"format":"ginv-net","version":1,"layers":[{"type":"dense","in":2,"out":3,'
                              '"bias":true}]}'),
              "tensor 'layers.0.bias' is missing"))
    # issue 18 item 14: a repeated key (cJSON kept both; the first won)
    c.append(("architecture_duplicate_key.safetensors",
              model(None, [("layers.0.weight", (3, 2), [1, 2, 3, 4, 5, 6])],
                    arch_text='{"format":"ginv-net","version":1,"layers":[{"type":"dense","in":2,"out":3,'
                              '"out":4}]}'),
              '"ginv" metadata entry has key "out" twice in object "layers"[0]'))
    c.append(("architecture_duplicate_top_key.safetensors",
              model(None, [("layers.0.weight", (3, 2), [1, 2, 3, 4, 5, 6])],
                    arch_text='{"format":"ginv-net","version":1,"version":2,"layers":[{"type":"dense","in":2,'
                              '"out":3}]}'),
              '"ginv" metadata entry has key "version" twice in the top-level object'))
    # issue 12: image layers. A conv declaring 1024 -> 4096 channels, 3 x 3
    # (37.7 M parameters) in a tiny file: refused before allocation.
    conv = {"format": "ginv-net", "version": 2, "layers": [
        {"type": "conv2d", "in_shape": [1024, 64, 64], "out_channels": 4096, "kernel": [3, 3]}]}
    c.append(("huge_conv_layer.safetensors", model(conv, [("layers.0.weight", (2,), [1.0, 2.0])]),
              "tensor 'layers.0.weight' has shape [2] but layer 0 (conv2d 1024x64x64 -> 4096x62x62) "
              "needs [4096, 1024, 3, 3]"))
    convt = {"format": "ginv-net", "version": 2, "layers": [
        {"type": "conv_transpose2d", "in_shape": [2, 4, 4], "out_channels": 1, "kernel": [3, 3],
         "stride": [2, 2], "output_padding": [2, 0]}]}
    c.append(("conv_transpose_output_padding_too_large.safetensors",
              model(convt, [("layers.0.weight", (2, 1, 3, 3), [0.1] * 18)]),
              "layer 0 (conv_transpose2d): outpad_h 2 must be smaller than stride_h 2 or dil_h 1"))
    small_conv = {"format": "ginv-net", "version": 2, "layers": [
        {"type": "conv2d", "in_shape": [1, 2, 2], "out_channels": 1, "kernel": [3, 3]}]}
    c.append(("conv_kernel_larger_than_input.safetensors",
              model(small_conv, [("layers.0.weight", (1, 1, 3, 3), [0.1] * 9)]),
              "layer 0 (conv2d): the kernel (3 x 3, dilation 1 x 1) does not fit the padded input 2 x 2"))
    reshape = {"format": "ginv-net", "version": 2, "layers": [
        {"type": "dense", "in": 2, "out": 12}, {"type": "reshape", "out_shape": [2, 2, 2]}]}
    c.append(("reshape_size_mismatch.safetensors",
              model(reshape, [("layers.0.weight", (12, 2), [0.1] * 24)]),
              "layer 1 (reshape): 2x2x2 holds 8 values but its input 12x1x1 has 12"))
    c.append(("conv_in_version_1.safetensors",
              model(dict(small_conv, version=1), [("layers.0.weight", (1, 1, 3, 3), [0.1] * 9)]),
              'layer 0: type "conv2d" needs architecture version 2 (the file says version 1)'))
    return c


def idx_bytes(type_code, dims, data, ndim=None):
    """An IDX file: 00 00 type ndim, big-endian u32 sizes, data."""
    if ndim is None:
        ndim = len(dims)
    return bytes([0, 0, type_code, ndim]) + b"".join(struct.pack(">I", d) for d in dims) + data


def gz(raw):
    """gzip with a fixed header (no name, mtime 0) so the corpus is reproducible."""
    return gzip.compress(raw, mtime=0)


def idx_cases():
    c = []
    add = lambda name, content, expect: c.append((name, content, expect))
    px = bytes(range(12))  # 3 images of 2 x 2 ubyte
    good = idx_bytes(0x08, (3, 2, 2), px)
    add("empty_file.idx", b"", "too short for the 4-byte IDX magic")
    add("bad_magic.idx", b"\x01\x00" + good[2:], "not an IDX file: it starts with bytes 01 00")
    add("unknown_type.idx", idx_bytes(0x0A, (3, 2, 2), px), "IDX type code 0x0a is unknown")
    add("zero_dimensions.idx", idx_bytes(0x08, (), px), "IDX dimension count 0 is out of range")
    add("five_dimensions.idx", idx_bytes(0x08, (1, 1, 3, 2, 2), px), "IDX dimension count 5 is out of range")
    add("short_header.idx", good[:10], "too short for the IDX header of 3 dimension sizes")
    add("dimension_too_large.idx", idx_bytes(0x08, (0x80000000, 2, 2), px), "has size 2147483648, more than")
    add("size_overflow.idx", idx_bytes(0x0E, (0x7FFFFFFF,) * 4, px), "need more than 4294967296 bytes")
    add("truncated_data.idx", good[:-2], "IDX data is truncated: sizes 3 x 2 x 2 of ubyte need 12 bytes")
    add("trailing_garbage.idx", good + b"xyz", "3 bytes of trailing data after the IDX data")
    add("truncated_short_data.idx", idx_bytes(0x0B, (3,), b"\x00\x01\x00\x02\x00"),
        "sizes 3 of short need 6 bytes")
    whole = gz(good)
    add("truncated_gzip.idx.gz", whole[:len(whole) // 2], "gzip stream ends early")
    bad = bytearray(whole)
    bad[10] = 0xFF  # first deflate byte: BTYPE = 11, a reserved block type
    add("corrupt_gzip.idx.gz", bytes(bad), "gzip data is corrupt (zlib: invalid block type)")
    bad = bytearray(whole)
    bad[-8] ^= 0x01  # the CRC-32 in the trailer
    add("bad_crc_gzip.idx.gz", bytes(bad), "gzip data is corrupt (zlib: incorrect data check)")
    add("gzip_trailing_garbage.idx.gz", whole + b"junk", "4 bytes of trailing data after the end of the gzip")
    add("gzip_of_truncated_idx.idx.gz", gz(good[:-1]), "inside the gzip data: IDX data is truncated")
    add("named_gz_not_gzip.idx.gz", b"hello, not gzip", "not an IDX file: it starts with bytes 68 65")
    return c


def cnf_cases():
    """Each breaks one rule of DIMACS CNF that both modes enforce."""
    c = []
    add = lambda name, text, expect: c.append((name + ".cnf", text.encode("latin-1"), expect))
    add("empty_file", "", "the file is empty")
    add("comments_only", "c just a comment\nc and another\n", "no 'p cnf VARIABLES CLAUSES' header")
    add("clause_before_header", "1 -2 0\np cnf 2 1\n", "line 1: literal '1' comes before the 'p cnf' header")
    add("header_too_short", "p cnf 3\n1 2 0\n", "line 1: the header must read 'p cnf VARIABLES CLAUSES'")
    add("header_wrong_format", "p sat 3 1\n1 2 0\n", "line 1: format 'sat' in the header is not 'cnf'")
    add("header_vars_not_number", "p cnf three 1\n1 0\n", "line 1: the number of variables 'three' is not an integer")
    add("header_zero_vars", "p cnf 0 0\n", "the number of variables '0' is not an integer in 1..")
    add("header_vars_too_many", "p cnf 99999999999 1\n1 0\n", "the number of variables '99999999999'")
    add("header_clauses_negative", "p cnf 3 -1\n", "line 1: the number of clauses '-1' is not an integer")
    add("header_extra_text", "p cnf 3 1 7\n1 0\n", "line 1: text '7' after 'p cnf 3 1'")
    add("second_header", "p cnf 3 1\n1 2 0\np cnf 3 1\n", "line 3: a second 'p' header (the first is on line 1)")
    add("literal_not_integer", "p cnf 3 2\n1 -2 0\n2 x3 0\n", "line 3: 'x3' is not an integer literal")
    add("literal_float", "p cnf 3 1\n1.5 2 0\n", "line 2: '1.5' is not an integer literal")
    add("literal_too_large", "p cnf 3 1\n1 99999999999999 0\n", "line 2: literal '99999999999999' is too large")
    add("variable_out_of_range", "c four variables used, three declared\np cnf 3 2\n1 -2 0\n-4 3 0\n",
        "line 4: literal -4 names variable 4, but the header declares 3 variables")
    add("minus_zero", "p cnf 3 1\n1 2 -0\n", "line 2: '-0' is not a literal")
    add("binary_junk", "p cnf 3 1\n1 \x01\x02 0\n", "line 2: '??' is not an integer literal")
    return c


def cnf_strict_cases():
    """Each breaks a rule only strict mode enforces; lenient mode reads it."""
    c = []
    add = lambda name, text, expect: c.append((name + ".cnf", text.encode("latin-1"), expect))
    add("satlib_percent_trailer", "p cnf 3 2\n1 -2 0\n2 3 0\n%\n0\n\n",
        "line 4: '%' is SATLIB's end marker, not DIMACS")
    add("last_clause_unterminated", "p cnf 3 2\n1 -2 0\n2\n3\n", "line 3: the last clause is not ended by 0")
    add("more_clauses_than_declared", "p cnf 3 1\n1 -2 0\n2 3 0\n", "line 3: clause 2, but the header declares 1 clauses")
    add("fewer_clauses_than_declared", "p cnf 3 3\n1 -2 0\n2 3 0\n",
        "the header (line 1) declares 3 clauses but the file has 2")
    return c


def graph_cases():
    """Each breaks one rule of the DIMACS graph format that both modes enforce."""
    c = []
    add = lambda name, text, expect: c.append((name + ".col", text.encode("latin-1"), expect))
    add("empty_file", "", "the file is empty (a graph needs")
    add("comments_only", "c nothing here\n", "no 'p edge VERTICES EDGES' header")
    add("edge_before_header", "e 1 2\np edge 3 1\n", "line 1: an edge comes before the 'p edge' header")
    add("header_too_short", "p edge 3\n", "line 1: the header must read 'p edge VERTICES EDGES'")
    add("header_wrong_format", "p cnf 3 1\ne 1 2\n", "line 1: format 'cnf' in the header is not 'edge'")
    add("header_zero_vertices", "p edge 0 0\n", "the number of vertices '0' is not an integer in 1..")
    add("header_edges_not_number", "p edge 3 many\n", "line 1: the number of edges 'many' is not an integer")
    add("header_extra_text", "p edge 3 1 x\ne 1 2\n", "line 1: text 'x' after 'p edge 3 1'")
    add("second_header", "p edge 3 1\ne 1 2\np edge 3 1\n", "line 3: a second 'p' header")
    add("edge_one_vertex", "p edge 3 1\ne 1\n", "line 2: an edge line must read 'e U V' or 'e U V WEIGHT'")
    add("edge_too_many_fields", "p edge 3 1\ne 1 2 3 4\n", "line 2: an edge line must read")
    add("vertex_not_number", "p edge 3 1\ne 1 b\n", "line 2: 'b' is not a vertex number")
    add("vertex_out_of_range", "p edge 3 2\ne 1 2\ne 2 4\n", "line 3: vertex 4, but the header declares 3 vertices")
    add("vertex_zero", "p edge 3 1\ne 0 2\n", "line 2: vertex 0: DIMACS numbers vertices from 1")
    add("self_loop", "p edge 3 2\ne 1 2\ne 3 3\n", "line 3: self-loop on vertex 3")
    add("weight_zero", "p edge 3 1\ne 1 2 0\n", "line 2: edge weight '0' is not an integer in 1..")
    add("weight_not_integer", "p edge 3 1\ne 1 2 2.5\n", "line 2: edge weight '2.5'")
    add("unknown_line", "p edge 3 1\ne 1 2\nx 1 2\n", "line 3: a line starting with 'x' is none of")
    add("duplicate_edge_other_weight", "p edge 3 2\ne 1 2 2\ne 2 1 3\n",
        "edge 1-2 appears twice with different weights (2 on line 2, 3 on line 3)")
    return c


def graph_strict_cases():
    """Each breaks a rule only strict mode enforces; lenient mode reads it."""
    c = []
    add = lambda name, text, expect: c.append((name + ".col", text.encode("latin-1"), expect))
    add("duplicate_edge", "p edge 4 3\ne 1 2\ne 3 4\ne 2 1\n", "edge 1-2 appears twice (lines 2 and 4)")
    add("edge_count_mismatch", "p edge 4 3\ne 1 2\ne 3 4\n", "the header (line 1) declares 3 edges but the file has 2")
    add("vertex_weight_lines", "p edge 3 1\nn 1 5\ne 1 2\n", "line 2: vertex weights ('n' lines)")
    return c


def pgm_cases():
    c = []
    add = lambda name, content, expect: c.append((name + ".pgm", content, expect))
    add("empty_file", b"", "too short for the PGM magic")
    add("not_pgm", b"hello", "not a PGM file: it does not start with P2 or P5")
    add("ppm_colour", b"P6 1 1 255\n\x01\x02\x03", "P6 is a colour PPM")
    add("pbm_bitmap", b"P4 8 1\n\x55", "P4 is a PBM bitmap")
    add("pam_magic", b"P7\nWIDTH 1\n", "P7 is not a PGM magic")
    add("header_ends_early", b"P5 2 2", "PGM header ends before the maxval")
    add("no_space_after_magic", b"P52 2 255\n\x00\x00\x00\x00", "no whitespace before the width")
    add("width_not_number", b"P5 x 2 255\n\x00\x00", "PGM width is not a decimal number: byte 3 is 'x'")
    add("zero_width", b"P5 0 2 255\n", "PGM width is 0")
    add("zero_height", b"P5 2 0 255\n", "PGM height is 0")
    add("huge_number", b"P5 99999999999 1 255\n", "PGM width at byte 2 is too large")
    add("too_large_image", b"P5 20000 2 255\n", "PGM image 20000 x 2 is larger than ginv's limit")
    add("maxval_zero", b"P5 1 1 0\n\x00", "PGM maxval 0 is out of range 1..65535")
    add("maxval_too_large", b"P5 1 1 65536\n\x00\x00", "PGM maxval 65536 is out of range 1..65535")
    add("comment_to_eof", b"P5 2 2 # no end of line", "runs to the end of the file before the maxval")
    add("no_whitespace_after_maxval", b"P5 2 1 255", "maxval must be followed by one whitespace")
    add("truncated_raster", b"P5 2 2 255\n\x01\x02\x03", "PGM raster is truncated: 2 x 2 samples")
    add("truncated_16bit_raster", b"P5 2 1 1000\n\x01\x02\x03", "need 4 bytes, the file has 3")
    add("trailing_data", b"P5 2 2 255\n\x01\x02\x03\x04\x05", "1 bytes of trailing data after the PGM raster")
    add("sample_above_maxval", b"P5 2 1 100\n\x05\xc8", "row 0, column 1 is 200, above maxval 100")
    add("sample16_above_maxval", b"P5 1 1 1000\n\x03\xe9", "is 1001, above maxval 1000")
    add("ascii_not_digit", b"P2 2 2 255\n1 2 x 4\n", "byte 15 is 'x' (0x78), not a digit (sample 2)")
    add("ascii_comment_in_raster", b"P2 2 2 255\n1 # c\n2 3 4\n", "is '#' (0x23), not a digit")
    add("ascii_above_maxval", b"P2 2 1 255\n1 300\n", "ASCII sample at row 0, column 1 is above maxval 255")
    add("ascii_too_few_samples", b"P2 2 2 255\n1 2 3\n", "raster ends after 3 of the 2 x 2 = 4 samples")
    add("ascii_extra_samples", b"P2 2 2 255\n1 2 3 4 5\n", "data after the 4 samples")
    add("ascii_sample_glued", b"P2 2 2 255\n1 2 3 4x\n", "sample 3 is followed by 'x'")
    return c


def write(folder, cases):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    names = set()
    lines = []
    for name, content, expect in cases:
        assert name not in names, name
        assert "\t" not in expect and "\n" not in expect
        names.add(name)
        with open(os.path.join(path, name), "wb") as f:
            f.write(content)
        lines.append("%s\t%s\n" % (name, expect))
    with open(os.path.join(path, "EXPECT"), "w", encoding="utf-8") as f:
        f.write("# file<TAB>substring its error message must contain (written by ../make_corpus.py)\n")
        f.writelines(lines)


if __name__ == "__main__":
    write("safetensors", safetensors_cases())
    write("npy", npy_cases())
    write("model", model_cases())
    write("idx", idx_cases())
    write("cnf", cnf_cases())
    write("cnf-strict", cnf_strict_cases())
    write("graph", graph_cases())
    write("graph-strict", graph_strict_cases())
    write("pgm", pgm_cases())
