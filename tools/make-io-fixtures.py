#!/usr/bin/env python3
"""Writes the small NPY and safetensors files under test/fixtures/io/ that test/io.test.ts reads.

They are made here, independently of nabla: the .npy files by NumPy itself, the .safetensors files
byte by byte (8-byte little-endian header length, JSON header padded with spaces, raw data).
Run from the repository root: python3 tools/make-io-fixtures.py
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join("test", "fixtures", "io")
os.makedirs(OUT, exist_ok=True)


def npy(name, arr, version=None):
    with open(os.path.join(OUT, name), "wb") as f:
        if version is None:
            np.save(f, arr)
        else:
            np.lib.format.write_array(f, arr, version=version)


special = np.array([[1.5, -0.0, np.nan, np.inf], [-np.inf, 2.0, 3.25, -7.0]], dtype=np.float32)
npy("f4.npy", special)
npy("f8_v2.npy", special.astype(np.float64) * 1e300, version=(2, 0))
npy("i8.npy", np.array([[-3, 0], [2**31 - 1, -(2**31)]], dtype=np.int64))
npy("i8_big.npy", np.array([1, 2**40], dtype=np.int64))
npy("u1.npy", np.array([0, 1, 200, 255], dtype=np.uint8))
npy("i2.npy", np.array([-32768, 7, 32767], dtype=np.int16))
npy("b1.npy", np.array([[True, False, True]]))
npy("f2.npy", np.array([1.0, -2.5, 65504.0, np.inf, 6e-8], dtype=np.float16))
npy("be_f4.npy", np.array([1.0, -2.0, 0.5], dtype=">f4"))
npy("scalar.npy", np.array(42, dtype=np.int32))
npy("empty.npy", np.zeros((0, 3), dtype=np.float32))
npy("fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
npy("complex.npy", np.array([1 + 2j], dtype=np.complex64))


def safetensors(name, entries, metadata=None):
    """entries: list of (name, dtype, shape, raw bytes), laid out in order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for tname, dtype, shape, raw in entries:
        header[tname] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


safetensors(
    "hand.safetensors",
    [
        ("weight", "F32", [2, 2], struct.pack("<4f", 1.0, -2.0, 0.5, float("inf"))),
        ("bias", "F64", [3], struct.pack("<3d", 0.1, -0.0, 1e308)),
        ("step", "I32", [], struct.pack("<i", -7)),
        ("mask", "BOOL", [2], bytes([1, 0])),
        ("count", "I64", [2], struct.pack("<2q", 5, -(2**31))),
        ("half", "F16", [2], np.array([1.5, -0.25], dtype="<f2").tobytes()),
        ("brain", "BF16", [2], struct.pack("<2H", 0x3FC0, 0xC100)),  # 1.5, -8.0
        ("pixels", "U8", [3], bytes([0, 128, 255])),
        ("nothing", "F32", [0, 4], b""),
    ],
    metadata={"format": "pt", "note": "written by tools/make-io-fixtures.py"},
)
print("wrote", sorted(os.listdir(OUT)))
