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


# ---- the two groups ----------------------------------------------------------


class _Group:
    """What G1 and G2 share, parametrised by the group: plain-int points of
    ``k`` Fq coordinates (G1: x, y; G2: x.c0, x.c1, y.c0, y.c1) <-> buffers
    and arrays of ``4 * k`` limbs a point, the curve check, and the native
    single-point operations (``lib.g1_*`` / ``lib.g2_*``)."""

    def __init__(self, g, k, shape, curve, check_small):
        self.g, self.k, self.limbs = g, k, 4 * k
        self.name = g.upper()
        #: the plain-int point's form and the curve's equation, for messages
        self.shape, self.curve = shape, curve
        #: below this many points the array check runs on one thread
        self.check_small = check_small

    def _fn(self, op):
        return getattr(lib, f"{self.g}_{op}")

    def coords(self, p, what=None):
        """A plain-int point -> its k canonical coordinates (None -> zeros)."""
        what = what or f"{self.name} point"
        if p is None:
            return [0] * self.k
        try:
            if self.k == 2:
                x, y = p
                flat = [x, y]
            else:
                (x0, x1), (y0, y1) = p
                flat = [x0, x1, y0, y1]
        except (TypeError, ValueError):
            raise InputError(f"{what}: expected {self.shape} or None") from None
        return [_to_fq(v, what) for v in flat]

    def point(self, v):
        """k canonical coordinates -> a plain-int point (all zero -> None)."""
        if not any(v):
            return None
        return (v[0], v[1]) if self.k == 2 else ((v[0], v[1]), (v[2], v[3]))

    def buf(self, points):
        """Plain-int points -> Montgomery affine buffer (None -> zeros) and
        the point count; coordinates checked canonical."""
        vals = [c for p in points for c in self.coords(p)]
        return _mont_buf(vals, "fq"), len(vals) // self.k

    def buf_points(self, buf, n):
        """n Montgomery affine points of a buffer -> plain-int points or None."""
        v = _buf_canon(buf, self.k * n, "fq")
        return [self.point(v[self.k * i : self.k * (i + 1)]) for i in range(n)]

    def to_array(self, points):
        buf, n = self.buf(points)
        return _buf_array(buf, self.limbs * n, self.limbs)

    def from_array(self, arr):
        arr = _u64(arr, self.limbs, f"{self.name} points")
        v = limbs_to_ints(_from_mont(arr.reshape(-1, 4), "fq"))
        return [self.point(v[self.k * i : self.k * (i + 1)]) for i in range(arr.shape[0])]

    def check_ptr(self, p, n, threads=None, *flag):
        """Index of the first bad point of the n at ``p``, or -1 (``flag``:
        G2's subgroup switch)."""
        if n < self.check_small:
            return int(self._fn("check_array")(p, n, *flag))
        return int(self._fn("check_array_mt")(p, n, *flag, _threads(threads)))

    def check_bytes(self, raw, threads=None, *flag):
        size = 8 * self.limbs
        n = len(raw) // size
        if n == 0:
            return -1
        buf = _lbuf(self.limbs * n)
        ffi.memmove(buf, bytes(raw), size * n)
        return self.check_ptr(buf, n, threads, *flag)

    def is_on_curve(self, p):
        if p is None:
            return True
        try:
            a = self.buf([p])[0]
        except InputError:
            return False
        return bool(self._fn("on_curve_affine")(a))

    def point_in(self, p, what=None):
        """One plain-int point -> Montgomery buffer, checked on the curve."""
        a = self.buf([p])[0] if p is not None else _lbuf(self.limbs)
        if p is not None and not self._fn("on_curve_affine")(a):
            raise InputError(f"{what or self.name + ' point'} is not on {self.curve}")
        return a

    def op(self, name, *points):
        """The native ``{name}_affine`` on checked points -> a plain-int point."""
        ins = [self.point_in(p) for p in points]
        out = _lbuf(self.limbs)
        self._fn(f"{name}_affine")(out, *ins)
        return self.buf_points(out, 1)[0]

    def mul(self, a, k):
        """k * (the checked point buffer ``a``), k >= 0 -> a plain-int point."""
        kl, n = _scalar_limbs(k)
        out = _lbuf(self.limbs)
        self._fn("mul_affine")(out, a, kl, n)
        return self.buf_points(out, 1)[0]


_G1 = _Group("g1", 2, "(x, y)", "the curve y^2 = x^3 + 3", check_small=4096)
_G2 = _Group("g2", 4, "((x0, x1), (y0, y1))", "the twist y^2 = x^3 + 3/(9+u)", check_small=64)

# the helpers the other bn254 modules use
_g1_buf, _g2_buf = _G1.buf, _G2.buf
_g1_buf_points, _g2_buf_points = _G1.buf_points, _G2.buf_points
_g1_in, _g2_in = _G1.point_in, _G2.point_in


def _g1_check_ptr(p, n, threads=None):
    return _G1.check_ptr(p, n, threads)


def _g2_check_ptr(p, n, subgroup=True, threads=None):
    return _G2.check_ptr(p, n, threads, 1 if subgroup else 0)


def _scalar_limbs(k):
    """A non-negative int -> (buffer of its 64-bit limbs, limb count >= 1)."""
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    n = max(1, (k.bit_length() + 63) // 64)
    buf = _lbuf(n)
    ffi.memmove(buf, k.to_bytes(8 * n, "little"), 8 * n)
    return buf, n


# ---- point conversion and checks ---------------------------------------------


def g1_points_to_array(points):
    """Plain-int G1 points -> (n, 8) uint64 Montgomery affine (None -> zeros).
    Coordinates must be canonical; points are not checked on the curve."""
    return _G1.to_array(points)


def g2_points_to_array(points):
    """Plain-int G2 points -> (n, 16) uint64 Montgomery affine."""
    return _G2.to_array(points)


def g1_array_to_points(arr):
    """(n, 8) Montgomery affine -> list of (x, y) or None."""
    return _G1.from_array(arr)


def g2_array_to_points(arr):
    """(n, 16) Montgomery affine -> list of ((x0, x1), (y0, y1)) or None."""
    return _G2.from_array(arr)


def g1_check_array(arr, threads=None):
    """Index of the first G1 point (n, 8 Montgomery) with a non-canonical
    coordinate or not on the curve, or -1.  Zeros (infinity) pass."""
    arr = _u64(arr, 8, "G1 points")
    return _g1_check_ptr(_ptr(arr), arr.shape[0], threads)


def g2_check_array(arr, subgroup=True, threads=None):
    """Index of the first bad G2 point (non-canonical, off the twist, or, with
    subgroup=True, outside the order-r subgroup), or -1.  Multi-threaded
    (the subgroup test costs about one 127-bit G2 multiplication a point)."""
    arr = _u64(arr, 16, "G2 points")
    return _g2_check_ptr(_ptr(arr), arr.shape[0], subgroup, threads)


def g1_check_bytes(raw, threads=None):
    """As :func:`g1_check_array` for the bytes-like ``raw`` holding 64-byte
    Montgomery affine points (copied once into an aligned buffer; no numpy)."""
    return _G1.check_bytes(raw, threads)


def g2_check_bytes(raw, subgroup=True, threads=None):
    """As :func:`g2_check_array` for the bytes-like ``raw`` holding 128-byte
    Montgomery affine points (copied once into an aligned buffer; no numpy)."""
    return _G2.check_bytes(raw, threads, 1 if subgroup else 0)


# ---- single points -------------------------------------------------------------


def is_on_curve_g1(p):
    """True if p is None or (x, y) with canonical coordinates on y^2 = x^3 + 3."""
    return _G1.is_on_curve(p)


def is_on_curve_g2(p):
    """True if p is None or a point with canonical coordinates on the twist."""
    return _G2.is_on_curve(p)


def is_in_subgroup_g2(p):
    """True if p (on the twist, else InputError) is in the order-r subgroup;
    uses the endomorphism test psi(p) == [6x^2]p."""
    return bool(lib.g2_in_subgroup_affine(_g2_in(p)))


def g1_neg(p):
    return _G1.op("neg", p)


def g2_neg(p):
    return _G2.op("neg", p)


def g1_add(p, q):
    return _G1.op("add", p, q)


def g2_add(p, q):
    return _G2.op("add", p, q)


def g1_double(p):
    return _G1.op("double", p)


def g2_double(p):
    return _G2.op("double", p)


def _scalar(k):
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    return k


def g1_mul(p, k):
    """k*p; k any int (reduced mod r: G1 has prime order r)."""
    a = _g1_in(p)
    return _G1.mul(a, _scalar(k) % R)


def g2_mul(p, k):
    """k*p for any int k.  Not reduced mod r, so points of the twist outside
    the subgroup are multiplied correctly too (negative k negates)."""
    a = _g2_in(p)
    if _scalar(k) < 0:
        lib.g2_neg_affine(a, a)
        k = -k
    return _G2.mul(a, k)


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
