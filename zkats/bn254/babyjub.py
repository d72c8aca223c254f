"""Baby Jubjub (EIP-2494; native/babyjub.c), used by the settlement
service's netting check: plain-int affine points (x, y) over Fr, identity
(0, 1)."""

from ..errors import InputError
from ..field import R, ints_to_limbs, limbs_to_ints
from ._lib import lib
from .buffers import _ptr, np

BJJ_L = 2736030358979909402780800718157159386076813972158567259200215660948447373041


def _bjj_point(p, what):
    try:
        x, y = p
        buf = ints_to_limbs([int(x), int(y)])
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{what}: expected a Baby Jubjub point (x, y)") from None
    if not (0 <= int(x) < R and 0 <= int(y) < R):
        raise InputError(f"{what}: coordinate is not canonical (< r)")
    return buf


def _bjj_out(out):
    x, y = limbs_to_ints(out)
    return (x, y)


def bjj_on_curve(p):
    """True if ``p`` is a canonical point of Baby Jubjub."""
    try:
        buf = _bjj_point(p, "point")
    except InputError:
        return False
    return bool(lib.bjj_on_curve(_ptr(buf)))


def bjj_in_subgroup(p):
    """True if ``p`` is on the curve and its order divides BJJ_L."""
    return bjj_check_subgroup([p]) == -1


def _bjj_check(bufs):
    if not bufs:
        return -1
    arr = np.ascontiguousarray(np.concatenate(bufs))
    order = ints_to_limbs([BJJ_L])
    return int(lib.bjj_check_subgroup(_ptr(arr), len(bufs), _ptr(order)))


def bjj_check_subgroup(points):
    """Index of the first point that is malformed, off the curve or outside
    the order-L subgroup, or -1 when all pass."""
    bufs = []
    for i, p in enumerate(points):
        try:
            bufs.append(_bjj_point(p, f"point {i}"))
        except InputError:
            first = _bjj_check(bufs)
            return first if first != -1 else i
    return _bjj_check(bufs)


def bjj_add(p, q):
    """p + q for points on the curve (complete law; not checked here)."""
    out = np.zeros((2, 4), dtype=np.uint64)
    a, b = _bjj_point(p, "p"), _bjj_point(q, "q")  # keep the buffers alive
    lib.bjj_add(_ptr(out), _ptr(a), _ptr(b))
    return _bjj_out(out)


def bjj_mul(p, k):
    """k * p for a point on the curve and an integer 0 <= k < 2^256."""
    k = int(k)
    if not 0 <= k < 1 << 256:
        raise InputError("bjj_mul: scalar must be in [0, 2^256)")
    out = np.zeros((2, 4), dtype=np.uint64)
    a, kk = _bjj_point(p, "p"), ints_to_limbs([k])
    lib.bjj_mul(_ptr(out), _ptr(a), _ptr(kk))
    return _bjj_out(out)
