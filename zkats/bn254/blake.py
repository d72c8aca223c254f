"""The BLAKE2b compression function (native/pointenc.c): the hash of the
ceremony's transcripts and contributions, block by block."""

from ._lib import ffi, lib
from .buffers import _ptr


def blake2b_compress(h, data, t, last=False):
    """BLAKE2b compression: ``h`` a (8,) uint64 array updated in place,
    ``data`` a bytes-like of whole 128-byte blocks, ``t`` the byte counter
    before the call.  Returns the new counter.  With ``last`` one padded
    block is compressed and ``t`` must be the total message length."""
    buf = memoryview(data).cast("B")
    if buf.nbytes % 128 or (last and buf.nbytes != 128):
        raise ValueError("blake2b_compress takes whole 128-byte blocks")
    tt = ffi.new("uint64_t *", t)
    lib.zs_blake2b_compress(_ptr(h), ffi.from_buffer(buf), buf.nbytes // 128, tt, 1 if last else 0)
    return int(tt[0])
