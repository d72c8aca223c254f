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
