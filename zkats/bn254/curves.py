"""G1 and G2 on plain ints and their buffers: the generators, conversion
between plain-int points and Montgomery affine arrays/buffers, the curve and
subgroup checks, single-point arithmetic, and the endomorphism constants.

Plain-int points: G1 ``(x, y)``, G2 ``((x_c0, x_c1), (y_c0, y_c1))``, ``None``
the point at infinity.  Arrays: numpy uint64, 8 limbs a G1 point (x, y),
16 a G2 point (x.c0, x.c1, y.c0, y.c1), Montgomery form, all-zero =
infinity.  Curve points in the plain API are checked on the curve
(InputError otherwise); G2 points are not required to be in the subgroup
(use is_in_subgroup_g2).
"""

from ..errors import InputError
from ..field import R, limbs_to_ints
from ._lib import ffi, lib
from .buffers import _buf_array, _buf_canon, _from_mont, _lbuf, _mont_buf, _ptr, _threads, _u64
from .fields import _to_fq

#: generators (the same as py_ecc's and snarkjs')
G1_GEN = (1, 2)
G2_GEN = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)


# ---- point conversion --------------------------------------------------------


def _g1_coords(p, what="G1 point"):
    if p is None:
        return [0, 0]
    try:
        x, y = p
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected (x, y) or None") from None
    return [_to_fq(x, what), _to_fq(y, what)]


def _g2_coords(p, what="G2 point"):
    if p is None:
        return [0, 0, 0, 0]
    try:
        (x0, x1), (y0, y1) = p
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected ((x0, x1), (y0, y1)) or None") from None
    return [_to_fq(v, what) for v in (x0, x1, y0, y1)]


def _g1_buf(points):
    """Plain-int G1 points -> Montgomery affine buffer of 8 limbs a point
    (None -> zeros) and the point count; coordinates checked canonical."""
    vals = [c for p in points for c in _g1_coords(p)]
    return _mont_buf(vals, "fq"), len(vals) // 2


def _g2_buf(points):
    """As :func:`_g1_buf` for G2 (16 limbs a point)."""
    vals = [c for p in points for c in _g2_coords(p)]
    return _mont_buf(vals, "fq"), len(vals) // 4


def _g1_buf_points(buf, n):
    """n Montgomery affine G1 points of a buffer -> (x, y) or None."""
    v = _buf_canon(buf, 2 * n, "fq")
    return [
        None if v[2 * i] == 0 and v[2 * i + 1] == 0 else (v[2 * i], v[2 * i + 1]) for i in range(n)
    ]


def _g2_buf_points(buf, n):
    """n Montgomery affine G2 points of a buffer -> ((x0, x1), (y0, y1)) or None."""
    v = _buf_canon(buf, 4 * n, "fq")
    return [
        None
        if not any(v[4 * i : 4 * i + 4])
        else ((v[4 * i], v[4 * i + 1]), (v[4 * i + 2], v[4 * i + 3]))
        for i in range(n)
    ]


def g1_points_to_array(points):
    """Plain-int G1 points -> (n, 8) uint64 Montgomery affine (None -> zeros).
    Coordinates must be canonical; points are not checked on the curve."""
    buf, n = _g1_buf(points)
    return _buf_array(buf, 8 * n, 8)


def g2_points_to_array(points):
    """Plain-int G2 points -> (n, 16) uint64 Montgomery affine."""
    buf, n = _g2_buf(points)
    return _buf_array(buf, 16 * n, 16)


def g1_array_to_points(arr):
    """(n, 8) Montgomery affine -> list of (x, y) or None."""
    arr = _u64(arr, 8, "G1 points")
    v = limbs_to_ints(_from_mont(arr.reshape(-1, 4), "fq"))
    raw = arr.reshape(-1, 8)
    out = []
    for i in range(raw.shape[0]):
        out.append(None if not raw[i].any() else (v[2 * i], v[2 * i + 1]))
    return out


def g2_array_to_points(arr):
    """(n, 16) Montgomery affine -> list of ((x0, x1), (y0, y1)) or None."""
    arr = _u64(arr, 16, "G2 points")
    v = limbs_to_ints(_from_mont(arr.reshape(-1, 4), "fq"))
    out = []
    for i in range(arr.shape[0]):
        out.append(
            None if not arr[i].any() else ((v[4 * i], v[4 * i + 1]), (v[4 * i + 2], v[4 * i + 3]))
        )
    return out


def g1_check_array(arr, threads=None):
    """Index of the first G1 point (n, 8 Montgomery) with a non-canonical
    coordinate or not on the curve, or -1.  Zeros (infinity) pass."""
    arr = _u64(arr, 8, "G1 points")
    return _g1_check_ptr(_ptr(arr), arr.shape[0], threads)


def _g1_check_ptr(p, n, threads=None):
    if n < 4096:
        return int(lib.g1_check_array(p, n))
    return int(lib.g1_check_array_mt(p, n, _threads(threads)))


def g2_check_array(arr, subgroup=True, threads=None):
    """Index of the first bad G2 point (non-canonical, off the twist, or, with
    subgroup=True, outside the order-r subgroup), or -1.  Multi-threaded
    (the subgroup test costs about one 127-bit G2 multiplication a point)."""
    arr = _u64(arr, 16, "G2 points")
    return _g2_check_ptr(_ptr(arr), arr.shape[0], subgroup, threads)


def _g2_check_ptr(p, n, subgroup=True, threads=None):
    if n < 64:
        return int(lib.g2_check_array(p, n, 1 if subgroup else 0))
    return int(lib.g2_check_array_mt(p, n, 1 if subgroup else 0, _threads(threads)))


def g1_check_bytes(raw, threads=None):
    """As :func:`g1_check_array` for the bytes-like ``raw`` holding 64-byte
    Montgomery affine points (copied once into an aligned buffer; no numpy)."""
    n = len(raw) // 64
    if n == 0:
        return -1
    buf = _lbuf(8 * n)
    ffi.memmove(buf, bytes(raw), 64 * n)
    return _g1_check_ptr(buf, n, threads)


def g2_check_bytes(raw, subgroup=True, threads=None):
    """As :func:`g2_check_array` for the bytes-like ``raw`` holding 128-byte
    Montgomery affine points (copied once into an aligned buffer; no numpy)."""
    n = len(raw) // 128
    if n == 0:
        return -1
    buf = _lbuf(16 * n)
    ffi.memmove(buf, bytes(raw), 128 * n)
    return _g2_check_ptr(buf, n, subgroup, threads)


def _g1_in(p, what="G1 point"):
    """One plain-int point -> 8-limb Montgomery buffer, checked on the curve."""
    a = _g1_buf([p])[0] if p is not None else _lbuf(8)
    if p is not None and not lib.g1_on_curve_affine(a):
        raise InputError(f"{what} is not on the curve y^2 = x^3 + 3")
    return a


def _g2_in(p, what="G2 point"):
    """One plain-int point -> 16-limb Montgomery buffer, checked on the twist."""
    a = _g2_buf([p])[0] if p is not None else _lbuf(16)
    if p is not None and not lib.g2_on_curve_affine(a):
        raise InputError(f"{what} is not on the twist y^2 = x^3 + 3/(9+u)")
    return a


def _scalar_limbs(k):
    """A non-negative int -> (buffer of its 64-bit limbs, limb count >= 1)."""
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    n = max(1, (k.bit_length() + 63) // 64)
    buf = _lbuf(n)
    ffi.memmove(buf, k.to_bytes(8 * n, "little"), 8 * n)
    return buf, n


# ---- G1 ----------------------------------------------------------------------


def is_on_curve_g1(p):
    """True if p is None or (x, y) with canonical coordinates on y^2 = x^3 + 3."""
    if p is None:
        return True
    try:
        a = _g1_buf([p])[0]
    except InputError:
        return False
    return bool(lib.g1_on_curve_affine(a))


def g1_neg(p):
    a = _g1_in(p)
    out = _lbuf(8)
    lib.g1_neg_affine(out, a)
    return _g1_buf_points(out, 1)[0]


def g1_add(p, q):
    a, b = _g1_in(p), _g1_in(q)
    out = _lbuf(8)
    lib.g1_add_affine(out, a, b)
    return _g1_buf_points(out, 1)[0]


def g1_double(p):
    a = _g1_in(p)
    out = _lbuf(8)
    lib.g1_double_affine(out, a)
    return _g1_buf_points(out, 1)[0]


def g1_mul(p, k):
    """k*p; k any int (reduced mod r: G1 has prime order r)."""
    a = _g1_in(p)
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    kl, n = _scalar_limbs(k % R)
    out = _lbuf(8)
    lib.g1_mul_affine(out, a, kl, n)
    return _g1_buf_points(out, 1)[0]


# ---- G2 ----------------------------------------------------------------------


def is_on_curve_g2(p):
    """True if p is None or a point with canonical coordinates on the twist."""
    if p is None:
        return True
    try:
        a = _g2_buf([p])[0]
    except InputError:
        return False
    return bool(lib.g2_on_curve_affine(a))


def is_in_subgroup_g2(p):
    """True if p (on the twist, else InputError) is in the order-r subgroup;
    uses the endomorphism test psi(p) == [6x^2]p."""
    a = _g2_in(p)
    return bool(lib.g2_in_subgroup_affine(a))


def g2_neg(p):
    a = _g2_in(p)
    out = _lbuf(16)
    lib.g2_neg_affine(out, a)
    return _g2_buf_points(out, 1)[0]


def g2_add(p, q):
    a, b = _g2_in(p), _g2_in(q)
    out = _lbuf(16)
    lib.g2_add_affine(out, a, b)
    return _g2_buf_points(out, 1)[0]


def g2_double(p):
    a = _g2_in(p)
    out = _lbuf(16)
    lib.g2_double_affine(out, a)
    return _g2_buf_points(out, 1)[0]


def g2_mul(p, k):
    """k*p for any int k.  Not reduced mod r, so points of the twist outside
    the subgroup are multiplied correctly too (negative k negates)."""
    a = _g2_in(p)
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    if k < 0:
        lib.g2_neg_affine(a, a)
        k = -k
    kl, n = _scalar_limbs(k)
    out = _lbuf(16)
    lib.g2_mul_affine(out, a, kl, n)
    return _g2_buf_points(out, 1)[0]


# Endomorphism decompositions for the group FFT's scalar multiplications
# (derived with Python ints; checked by tests/test_ceremony.py):
#  G1: phi(x, y) = (beta x, y) = [GLV_LAMBDA] (x, y); short lattice basis
#      (A1, B1), (A2, B2) of {(a, b): a + b*GLV_LAMBDA = 0 mod r}.
#  G2: psi = [6x^2] on G2 (x the BN parameter): k = k0 + k1 * 6x^2.
GLV_LAMBDA = 0xB3C4D79D41A917585BFC41088D8DAAA78B17EA66B99C90DD
_GLV_A1, _GLV_B1 = 9931322734385697763, -147946756881789319000765030803803410728
_GLV_A2, _GLV_B2 = 147946756881789319010696353538189108491, 9931322734385697763
PSI_LAMBDA = 6 * 4965661367192848881**2


def glv_decompose(k):
    """(k1, k2) with k1 + k2*GLV_LAMBDA = k mod r and |k1|, |k2| < 2^128."""
    k %= R
    c1 = (_GLV_B2 * k + R // 2) // R
    c2 = (-_GLV_B1 * k + R // 2) // R
    return k - c1 * _GLV_A1 - c2 * _GLV_A2, -c1 * _GLV_B1 - c2 * _GLV_B2
