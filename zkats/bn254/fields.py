"""Fq and Fr: single elements on plain ints (through the native Montgomery
multiplication), conversions between canonical and Montgomery form, the
canonical-range checks, and the validation of bulk Fr arrays.

Plain-int helpers reduce their inputs mod the modulus; bulk Fr arrays are
numpy uint64 (n, 4) (a flat (4n,) array is accepted too), C-contiguous,
Montgomery form, every element < r (checked: InputError).
"""

from ..errors import InputError
from ..field import Q, R, ints_to_limbs, limbs_to_ints
from ._lib import ffi, lib
from .buffers import (
    _buf_canon,
    _from_mont,
    _lbuf,
    _mont_buf,
    _ptr,
    _to_mont,
    _u64,
    aligned_buffer,
    is_ndarray,
    np,
)


def set_portable(on: bool):
    """Force the portable (__int128) Montgomery multiplication even when the
    ADX/BMI2 path is compiled in.  Both give identical results."""
    lib.zk_set_portable(1 if on else 0)


def has_adx() -> bool:
    return bool(lib.zk_has_adx())


def _to_fq(x, what="value"):
    if not isinstance(x, int) or isinstance(x, bool):
        raise InputError(f"{what}: expected an int, got {type(x).__name__}")
    if not 0 <= x < Q:
        raise InputError(f"{what}: coordinate out of range (must be 0 <= x < q)")
    return x


def _binop(field, modulus, a, b):
    x = _mont_buf([a % modulus, b % modulus], field)
    out = _lbuf(4)
    getattr(lib, f"zk_{field}_mul")(out, x, x + 4, 1)
    return _buf_canon(out, 1, field)[0]


def fq_mul(a, b):
    """a*b mod q through the native Montgomery multiplication."""
    return _binop("fq", Q, a, b)


def fr_mul(a, b):
    """a*b mod r through the native Montgomery multiplication."""
    return _binop("fr", R, a, b)


def _unop(fn, field, modulus, a, ctype):
    x = _mont_buf([a % modulus], field)
    out = _lbuf(4)
    ok = fn(ffi.cast(ctype, out), ffi.cast(ctype, x))
    return ok, _buf_canon(out, 1, field)[0]


def fq_inv(a):
    """a^-1 mod q (0 maps to 0)."""
    return _unop(lib.fq_inv, "fq", Q, a, "fq_t *")[1]


def fr_inv(a):
    """a^-1 mod r (0 maps to 0)."""
    return _unop(lib.fr_inv, "fr", R, a, "fr_t *")[1]


def fq_sqrt(a):
    """A square root of a mod q, or None if a is not a square."""
    ok, s = _unop(lib.fq_sqrt, "fq", Q, a, "fq_t *")
    return s if ok else None


def fr_batch_inv(values):
    """[v^-1 mod r for v in values] with one inversion (zeros stay zero)."""
    values = list(values)
    if not values:
        return []
    x = _mont_buf([v % R for v in values], "fr")
    out = _lbuf(4 * len(values))
    lib.fr_batch_inv(ffi.cast("fr_t *", out), ffi.cast("fr_t *", x), len(values))
    return _buf_canon(out, len(values), "fr")


def fq_to_mont_array(values):
    """Canonical Fq values (ints or an (n, 4) uint64 array) -> (n, 4) Montgomery."""
    if isinstance(values, np.ndarray):
        arr = _u64(values, 4, "fq values")
        bad = lib.zk_fq_check_canonical(_ptr(arr), arr.shape[0])
        if bad >= 0:
            raise InputError(f"fq values[{bad}] is not canonical (must be < q)")
    else:
        arr = ints_to_limbs([_to_fq(v, "fq value") for v in values])
    return _to_mont(arr, "fq")


def fq_from_mont_array(arr):
    """(n, 4) Montgomery Fq -> (n, 4) canonical."""
    return _from_mont(_u64(arr, 4, "fq values"), "fq")


_FR_MONT = pow(2, 256, R)


def _fr_int(v, what):
    if not isinstance(v, int) or isinstance(v, bool):
        raise InputError(f"{what}: expected an int, got {type(v).__name__}")
    return v % R


def _fr_mont_limbs(values, what="values"):
    """ints (reduced mod r) -> (n, 4) Montgomery uint64 array."""
    return ints_to_limbs([(_fr_int(v, what) * _FR_MONT) % R for v in values])


def _fr_mont_one(v, what):
    return ints_to_limbs([(_fr_int(v, what) * _FR_MONT) % R])


def _fr_ints(arr):
    """(n, 4) Montgomery array -> canonical ints."""
    inv = pow(_FR_MONT, -1, R)
    return [(x * inv) % R for x in limbs_to_ints(arr)]


def _fr_vec(a, what, writable=False):
    """Validated (n, 4) uint64 C-contiguous view of a (no copy)."""
    if not isinstance(a, np.ndarray):
        raise InputError(f"{what}: expected a numpy uint64 array, got {type(a).__name__}")
    if a.dtype != np.uint64:
        raise InputError(f"{what}: expected dtype uint64, got {a.dtype}")
    if not a.flags.c_contiguous:
        raise InputError(f"{what}: array must be C-contiguous")
    if writable and not a.flags.writeable:
        raise InputError(f"{what}: array is read-only")
    if a.ndim == 1 and a.size % 4 == 0:
        a = a.reshape(-1, 4)
    if a.ndim != 2 or a.shape[1] != 4:
        raise InputError(f"{what}: expected shape (n, 4), got {a.shape}")
    bad = lib.zk_fr_check_canonical(_ptr(a), a.shape[0])
    if bad >= 0:
        raise InputError(f"{what}[{bad}] is not a reduced field element (must be < r)")
    return a


def _fr_p(a):
    return aligned_buffer(a, "fr_t[]")


def fr_ints_to_mont_array(values):
    """Python ints (reduced mod r) -> (n, 4) Montgomery uint64 array."""
    return _fr_mont_limbs(list(values))


def fr_mont_array_to_ints(arr):
    """(n, 4) Montgomery uint64 array -> canonical Python ints."""
    return _fr_ints(_fr_vec(arr, "Fr array"))


def fr_first_noncanonical(v):
    """Index of the first 4-limb value of ``v`` that is >= r, or -1 when all
    are canonical.  ``v``: an (n, 4) uint64 array, or a bytes-like object of
    n * 32 bytes (checked in place, without numpy, unless misaligned: see
    :func:`aligned_buffer`)."""
    if isinstance(v, (bytes, bytearray, memoryview)) and not is_ndarray(v):
        n = memoryview(v).nbytes // 32
        return int(lib.zk_fr_check_canonical(aligned_buffer(v), n)) if n else -1
    v = np.ascontiguousarray(v, dtype=np.uint64)
    return int(lib.zk_fr_check_canonical(_ptr(v), v.size // 4))


def fq_first_noncanonical_array(v):
    """Index of the first 4-limb value >= q in the uint64 array ``v``, or -1."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    return int(lib.zk_fq_check_canonical(_ptr(v), v.size // 4))


def fr_from_mont_array(v):
    """Montgomery -> canonical for a uint64 array of Fr elements (new array)."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    out = np.empty_like(v)
    lib.zk_fr_from_mont(_ptr(out), _ptr(v), v.size // 4)
    return out


def fr_to_mont_array(v):
    """canonical (< r) -> Montgomery for a uint64 array of Fr elements (new array)."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    out = np.empty_like(v)
    lib.zk_fr_to_mont(_ptr(out), _ptr(v), v.size // 4)
    return out


def fr_to_mont_limbs(values):
    """ints (reduced mod r) -> (n, 4) Montgomery limbs."""
    return _to_mont(ints_to_limbs([int(v) % R for v in values]), "fr")
