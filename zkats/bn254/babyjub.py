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


def bjj_check_subgroup(points):
    """Index of the first point that is malformed, off the curve or outside
    the order-L subgroup, or -1 when all pass (one native call)."""
    arr, bad = _bjj_flat(points)
    n = arr.shape[0] // 2
    first = -1
    if n:
        first = int(lib.bjj_check_subgroup(_ptr(arr), n, _ptr(ints_to_limbs([BJJ_L]))))
    return first if first != -1 else bad


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


def _bjj_flat(points):
    """Points -> ((2n, 4) canonical limbs, x then y; index of the first
    malformed point or -1); the limbs cover the points before that one."""
    flat: list[int] = []
    for i, p in enumerate(points):
        try:
            x, y = p
            x, y = int(x), int(y)
        except (TypeError, ValueError, OverflowError):
            return ints_to_limbs(flat), i
        if not (0 <= x < R and 0 <= y < R):
            return ints_to_limbs(flat), i
        flat += (x, y)
    return ints_to_limbs(flat), -1


def _bjj_array(points, what):
    arr, bad = _bjj_flat(points)
    if bad >= 0:
        raise InputError(f"{what}[{bad}]: expected a Baby Jubjub point (x, y) with coordinates < r")
    return arr


def bjj_add_pairs(ps, qs):
    """[p_i + q_i] for two equally long lists of points on the curve (complete
    law; not checked here), in one native call."""
    ps, qs = list(ps), list(qs)
    if len(ps) != len(qs):
        raise InputError(f"bjj_add_pairs: {len(ps)} and {len(qs)} points")
    if not ps:
        return []
    a, b = _bjj_array(ps, "p"), _bjj_array(qs, "q")
    out = np.zeros_like(a)
    lib.bjj_add_pairs(_ptr(out), _ptr(a), _ptr(b), len(ps))
    v = limbs_to_ints(out)
    return [(v[2 * i], v[2 * i + 1]) for i in range(len(ps))]


def bjj_lincomb(points, scalars):
    """sum k_i * p_i over points on the curve (not checked here) and ints
    0 <= k_i < 2^256: one native Straus multi-scalar multiplication."""
    points, scalars = list(points), [int(k) for k in scalars]
    if len(points) != len(scalars):
        raise InputError(f"bjj_lincomb: {len(points)} points but {len(scalars)} scalars")
    if any(not 0 <= k < 1 << 256 for k in scalars):
        raise InputError("bjj_lincomb: scalars must be in [0, 2^256)")
    if not points:
        return (0, 1)
    a, ks = _bjj_array(points, "point"), ints_to_limbs(scalars)
    out = np.zeros((2, 4), dtype=np.uint64)
    if lib.bjj_lincomb(_ptr(out), _ptr(a), _ptr(ks), len(points)) != 0:
        raise MemoryError("bjj_lincomb")
    return _bjj_out(out)
