"""snarkjs' byte encodings of points (native/pointenc.c), as the ceremony's
transcripts and contribution hashes use them: uncompressed (x, y big-endian;
G2 as x.c1, x.c0, y.c1, y.c0) and compressed, from Montgomery affine
arrays."""

from ._lib import ffi, lib
from .buffers import _ptr, np


def g1_lem_to_uncompressed(pts):
    """(n, 8) Montgomery affine G1 -> n*64 bytes of snarkjs' uncompressed
    big-endian encoding (infinity = zeros)."""
    pts = np.ascontiguousarray(pts, dtype=np.uint64).reshape(-1, 8)
    out = bytearray(64 * len(pts))
    lib.zs_g1_lem_to_u(ffi.from_buffer(out), _ptr(pts), len(pts))
    return bytes(out)


def g2_lem_to_uncompressed(pts):
    """(n, 16) Montgomery affine G2 -> n*128 bytes (x.c1, x.c0, y.c1, y.c0 BE)."""
    pts = np.ascontiguousarray(pts, dtype=np.uint64).reshape(-1, 16)
    out = bytearray(128 * len(pts))
    lib.zs_g2_lem_to_u(ffi.from_buffer(out), _ptr(pts), len(pts))
    return bytes(out)


def g1_lem_to_compressed(pts):
    """(n, 8) Montgomery affine G1 -> n*32 bytes of snarkjs' compressed encoding."""
    pts = np.ascontiguousarray(pts, dtype=np.uint64).reshape(-1, 8)
    out = bytearray(32 * len(pts))
    lib.zs_g1_lem_to_c(ffi.from_buffer(out), _ptr(pts), len(pts))
    return bytes(out)


def g2_lem_to_compressed(pts):
    """(n, 16) Montgomery affine G2 -> n*64 bytes of snarkjs' compressed encoding."""
    pts = np.ascontiguousarray(pts, dtype=np.uint64).reshape(-1, 16)
    out = bytearray(64 * len(pts))
    lib.zs_g2_lem_to_c(ffi.from_buffer(out), _ptr(pts), len(pts))
    return bytes(out)


def _decode(fn, data, size, width, *extra):
    data = bytes(data)
    if len(data) % size:
        raise ValueError(f"{len(data)} bytes is not a whole number of {size}-byte points")
    n = len(data) // size
    out = np.zeros((n, width), dtype=np.uint64)
    bad = fn(_ptr(out), ffi.from_buffer(data), n, *extra)
    return out, int(bad)


def g1_uncompressed_to_lem(data):
    """snarkjs' uncompressed G1 bytes -> ((n, 8) Montgomery affine array,
    index of the first point with a coordinate >= q, or -1).  Not checked
    on the curve: see ``g1_check_array``."""
    return _decode(lib.zs_g1_u_to_lem, data, 64, 8)


def g2_uncompressed_to_lem(data):
    """As :func:`g1_uncompressed_to_lem` for G2 (128 bytes a point)."""
    return _decode(lib.zs_g2_u_to_lem, data, 128, 16)


def g1_compressed_to_lem(data, threads=None):
    """snarkjs' compressed G1 bytes -> ((n, 8) array, index of the first
    encoding that is not a point, or -1); decoded points are on the curve."""
    return _decode(lib.zs_g1_c_to_lem, data, 32, 8, int(threads or 0))


def g2_compressed_to_lem(data, threads=None):
    """As :func:`g1_compressed_to_lem` for G2 (64 bytes a point); the
    subgroup is not checked (``g2_check_array(..., subgroup=True)``)."""
    return _decode(lib.zs_g2_c_to_lem, data, 64, 16, int(threads or 0))
