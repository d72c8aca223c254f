"""Memory handed to the native core: aligned cdata views of bytes-like and
numpy buffers, plain ``uint64_t[]`` limb buffers (the numpy-free paths),
numpy ``(n, width)`` uint64 arrays, and the conversions between them and
Python ints.  A buffer or array holds 4 little-endian limbs per field
element.

numpy is imported on first use (:data:`np`): the plain-int paths (a proof
verification from the command line) never pay its ~0.1 s import.
"""

import os
import sys

from ..errors import InputError
from ._lib import ffi, lib


class _LazyNumpy:
    """numpy, imported on first attribute access; each attribute is then
    cached on the instance, so later lookups cost what a module's do."""

    def __getattr__(self, name):
        # local import: numpy loads on first use of an array function
        import numpy

        value = getattr(numpy, name)
        setattr(self, name, value)
        return value


np = _LazyNumpy()


def is_ndarray(x) -> bool:
    """True if x is a numpy array (numpy is not imported to find out: an
    array implies numpy is loaded)."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(x, numpy.ndarray)


def default_threads():
    return max(1, os.cpu_count() or 1)


def aligned_buffer(obj, ctype="uint64_t[]"):
    """``ffi.from_buffer(ctype, obj)`` at an 8-byte aligned address.

    The native code loads whole uint64 words, and C makes a misaligned load
    undefined (an optimising compiler may vectorise on the assumption that
    a ``uint64_t *`` is 8-byte aligned).  A section of a memory-mapped
    .zkey/.ptau/.wtns starts wherever the file puts it (snarkjs' files put
    points at offsets that are 2 or 4 mod 8), so a misaligned read-only
    buffer is copied once into aligned memory (a memcpy: negligible next to
    any native pass over it).  A misaligned WRITABLE buffer is refused: it
    would be an output whose results went to the copy."""
    p = ffi.from_buffer(ctype, obj)
    if not int(ffi.cast("uintptr_t", p)) & 7:
        return p
    if not memoryview(obj).readonly:
        raise ValueError("misaligned writable buffer passed to native code")
    n = ffi.sizeof(p)
    c = ffi.new("uint64_t[]", (n + 7) // 8)
    ffi.memmove(c, p, n)
    return ffi.from_buffer(ctype, ffi.buffer(c, n))  # the buffer keeps c alive


def aligned_view(obj):
    """A read-only view of the bytes-like ``obj`` at an 8-byte aligned
    address: ``obj`` itself when it is aligned, else the one aligned copy
    :func:`aligned_buffer` makes (so a caller that hands the data to native
    code more than once copies it at most once)."""
    p = aligned_buffer(obj)
    if int(ffi.cast("uintptr_t", p)) == int(ffi.cast("uintptr_t", ffi.from_buffer(obj))):
        return obj
    return memoryview(ffi.buffer(p)).toreadonly()


def _ptr(arr):
    """``arr`` as a ``uint64_t[]`` for a native call (aligned; see above)."""
    return aligned_buffer(arr)


# ---- plain limb buffers (no numpy) ----------------------------------------
# The plain-int API (one point, a pairing check, a verification key's small
# MSM) converts through ``uint64_t[]`` cdata buffers instead of numpy arrays,
# so a proof verification from the command line never imports numpy.  A
# buffer holds 4 little-endian limbs per field element, as the arrays do.


def _lbuf(n_limbs):
    """A zeroed, aligned uint64_t[n_limbs] (at least one limb)."""
    return ffi.new("uint64_t[]", max(1, n_limbs))


def _ints_buf(values):
    """Ints in [0, 2^256) -> new buffer of 4 limbs each."""
    raw = b"".join(v.to_bytes(32, "little") for v in values)
    buf = _lbuf(len(raw) // 8)
    ffi.memmove(buf, raw, len(raw))
    return buf


def _buf_ints(buf, n):
    """The first n 4-limb values of a buffer as ints."""
    raw = ffi.buffer(buf, 32 * n)[:]
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def _mont_buf(values, field):
    """Canonical ints of "fq" or "fr" -> new Montgomery buffer (native)."""
    src = _ints_buf(values)
    out = _lbuf(4 * len(values))
    getattr(lib, f"zk_{field}_to_mont")(out, src, len(values))
    return out


def _buf_canon(buf, n, field):
    """n Montgomery values of a buffer -> canonical ints (native)."""
    out = _lbuf(4 * n)
    getattr(lib, f"zk_{field}_from_mont")(out, buf, n)
    return _buf_ints(out, n)


def _buf_array(buf, n_limbs, width):
    """Copy of a buffer as a numpy uint64 (n, width) array."""
    raw = ffi.buffer(buf, 8 * n_limbs)[:]
    return np.frombuffer(raw, dtype=np.uint64).reshape(-1, width).copy()


def _threads(threads):
    if threads is None:
        return 0
    threads = int(threads)
    if threads < 0:
        raise InputError(f"threads must be >= 0 (0 = all cores), got {threads}")
    return threads


def _u64(arr, width, what):
    """numpy uint64 C-contiguous (n, width) view of arr, or InputError."""
    if not isinstance(arr, np.ndarray):
        raise InputError(f"{what}: expected a numpy uint64 array, got {type(arr).__name__}")
    if arr.dtype != np.uint64:
        raise InputError(f"{what}: expected dtype uint64, got {arr.dtype}")
    if arr.ndim == 1 and arr.size % width == 0:
        arr = arr.reshape(-1, width)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise InputError(f"{what}: expected shape (n, {width}), got {arr.shape}")
    return np.ascontiguousarray(arr)


def _to_mont(arr, field):
    """(n, 4) canonical limbs of "fq" or "fr" -> Montgomery (native)."""
    out = np.empty_like(arr)
    getattr(lib, f"zk_{field}_to_mont")(_ptr(out), _ptr(arr), arr.shape[0])
    return out


def _from_mont(arr, field):
    """(n, 4) Montgomery limbs of "fq" or "fr" -> canonical (native)."""
    out = np.empty_like(arr)
    getattr(lib, f"zk_{field}_from_mont")(_ptr(out), _ptr(arr), arr.shape[0])
    return out
