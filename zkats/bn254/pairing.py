"""The optimal ate pairing (native/pairing.c): single pairings, product
checks (one shared Miller loop and one final exponentiation), and G2 points
prepared once for repeated checks.

Pairing values (Fq12) are 12 canonical ints in the tower order
  c0.c0.c0, c0.c0.c1, c0.c1.c0, c0.c1.c1, c0.c2.c0, c0.c2.c1,
  c1.c0.c0, ..., c1.c2.c1
for Fq2 = Fq[u]/(u^2+1), Fq6 = Fq2[v]/(v^3-(9+u)), Fq12 = Fq6[w]/(w^2-v)
(native/tower.h); ``fq12_to_py_ecc`` maps them into py_ecc's FQ12.
"""

from ..errors import InputError
from ..field import Q, R
from ._lib import ffi, lib
from .buffers import _buf_canon, _ints_buf, _lbuf, _ptr, _threads, _u64, np
from .curves import (
    _g1_buf,
    _g1_check_ptr,
    _g2_buf,
    _g2_check_ptr,
    g1_points_to_array,
    g2_points_to_array,
)


def _fq12_ints(buf):
    return tuple(_buf_canon(ffi.cast("uint64_t *", buf), 12, "fq"))


def fq12_to_py_ecc(c):
    """12 tower-order ints (as returned by ``pairing``) -> py_ecc's FQ12
    (Fq[w]/(w^12 - 18 w^6 + 82)): with w^6 = 9 + u, the Fq2 coefficient
    x + y u of w^k contributes x - 9y to w^k and y to w^(k+6)."""
    # local import: py_ecc takes ~0.2 s to import; only this conversion uses it
    from py_ecc.fields import optimized_bn128_FQ12 as FQ12

    co = [0] * 12
    for j in range(2):
        for i in range(3):
            x, y = c[6 * j + 2 * i], c[6 * j + 2 * i + 1]
            k = 2 * i + j
            co[k] = (co[k] + x - 9 * y) % Q
            co[k + 6] = (co[k + 6] + y) % Q
    return FQ12(co)


def _split_pairs(pairs):
    """[(G1, G2), ...] -> ([G1, ...], [G2, ...]), each item checked to be a pair."""
    g1s, g2s = [], []
    for i, pr in enumerate(pairs):
        try:
            p, q = pr
        except (TypeError, ValueError):
            raise InputError(f"pair {i}: expected a (G1 point, G2 point) pair") from None
        g1s.append(p)
        g2s.append(q)
    return g1s, g2s


def pairs_to_arrays(pairs):
    """[(G1, G2), ...] plain-int pairs -> validated (n, 8) and (n, 16)
    Montgomery affine arrays for :func:`pairing_check_array` (points on their
    curves, G2 in the subgroup; InputError otherwise)."""
    g1s, g2s = _split_pairs(pairs)
    g1 = g1_points_to_array(g1s) if g1s else np.zeros((0, 8), dtype=np.uint64)
    g2 = g2_points_to_array(g2s) if g2s else np.zeros((0, 16), dtype=np.uint64)
    _check_pairing_arrays(g1, g2)
    return g1, g2


def _check_pairing_arrays(g1, g2):
    _check_pairing_ptrs(_ptr(g1), g1.shape[0], _ptr(g2), g2.shape[0])


def _check_pairing_ptrs(g1, n1, g2, n2):
    bad = _g1_check_ptr(g1, n1) if n1 else -1
    if bad >= 0:
        raise InputError(f"pair {bad}: G1 point is not on the curve y^2 = x^3 + 3")
    bad = _g2_check_ptr(g2, n2, True) if n2 else -1
    if bad >= 0:
        raise InputError(f"pair {bad}: G2 point is not on the twist or not in the order-r subgroup")


def _pairs_bufs(pairs):
    """As :func:`pairs_to_arrays` on plain buffers: (g1 buffer, g2 buffer, n),
    validated."""
    g1s, g2s = _split_pairs(pairs)
    (g1, n), (g2, _) = _g1_buf(g1s), _g2_buf(g2s)
    _check_pairing_ptrs(g1, n, g2, n)
    return g1, g2, n


def pairing(p, q):
    """e(p, q) for a G1 point p and a G2 point q (plain ints, None =
    infinity; validated): the reduced optimal ate pairing, equal to py_ecc's
    ``pairing(q, p)``, as 12 ints in tower order (see ``fq12_to_py_ecc``)."""
    g1, g2, _ = _pairs_bufs([(p, q)])
    r = ffi.new("fq12_t *")
    lib.pairing(r, g1, g2)
    return _fq12_ints(r)


def pairing_check(pairs, threads=None) -> bool:
    """True iff prod e(g1_i, g2_i) == 1 over [(g1, g2), ...] (plain-int
    points, None = infinity contributing 1; an empty list is True).  One
    shared Miller loop and one final exponentiation (from 8 pairs up the
    Miller loops are split over ``threads``).  Points must be on their
    curves and G2 points in the subgroup (InputError otherwise)."""
    g1, g2, n = _pairs_bufs(list(pairs))
    rc = lib.pairing_check_threads(g1, g2, n, _threads(threads))
    if rc < 0:
        raise MemoryError("pairing_check")
    return rc == 1


def _pairing_check_raw(g1, g2, threads=None):
    rc = lib.pairing_check_threads(_ptr(g1), _ptr(g2), g1.shape[0], _threads(threads))
    if rc < 0:
        raise MemoryError("pairing_check")
    return rc == 1


def pairing_check_array(g1, g2, validate=True, threads=None) -> bool:
    """pairing_check on (n, 8) / (n, 16) Montgomery affine arrays (the .zkey
    layout; all-zero rows are infinity).  With ``validate`` (default) the
    points are checked on the curves and G2 in the subgroup first."""
    g1 = _u64(g1, 8, "G1 points")
    g2 = _u64(g2, 16, "G2 points")
    if g1.shape[0] != g2.shape[0]:
        raise InputError(f"{g1.shape[0]} G1 points for {g2.shape[0]} G2 points")
    if validate:
        _check_pairing_arrays(g1, g2)
    return _pairing_check_raw(g1, g2, threads)


class PreparedG2:
    """A validated G2 point with its Miller-loop line coefficients computed
    once (e.g. the fixed G2 points of a verification key); use with
    ``pairing_check_prepared``."""

    __slots__ = ("point", "_buf")

    def __init__(self, q):
        g2, n = _g2_buf([q])
        _check_pairing_ptrs(_lbuf(8), 1, g2, n)
        self.point = q
        self._buf = ffi.new("char[]", lib.pairing_prepared_size())
        lib.pairing_prepare_g2(ffi.cast("g2_prepared_t *", self._buf), g2)


def pairing_check_prepared(pairs) -> bool:
    """pairing_check for [(g1, PreparedG2 or plain G2 point), ...]."""
    pairs = list(pairs)
    size = lib.pairing_prepared_size()
    g1s = []
    buf = ffi.new("char[]", max(1, len(pairs)) * size)
    for i, pr in enumerate(pairs):
        try:
            p, q = pr
        except (TypeError, ValueError):
            raise InputError(f"pair {i}: expected a (G1 point, G2 point) pair") from None
        if not isinstance(q, PreparedG2):
            q = PreparedG2(q)
        ffi.memmove(buf + i * size, q._buf, size)
        g1s.append(p)
    g1, n = _g1_buf(g1s)
    if pairs:
        bad = _g1_check_ptr(g1, n)
        if bad >= 0:
            raise InputError(f"pair {bad}: G1 point is not on the curve y^2 = x^3 + 3")
    return lib.pairing_check_prepared(g1, ffi.cast("g2_prepared_t *", buf), len(pairs)) == 1


def pairing_check_scaled(g1s, g2s, scalars, fixed=(), threads=None, check_fixed=True) -> bool:
    """True iff prod_i e(k_i * P_i, Q_i) * prod_j e(F_j, G_j) == 1 for the
    points ``g1s`` (P_i), ``g2s`` (Q_i), int ``scalars`` (k_i, in [0, r)) and
    the extra pairs ``fixed`` ([(F_j, G_j)]): the random-linear-combination
    form of a batch of pairing equations.

    One conversion and one bulk validation of all points (G1 on the curve,
    G2 on the twist and in the order-r subgroup: InputError ``pair i: ...``
    names the first bad pair, counting ``fixed`` after ``g1s``), one native
    batch multiplication for the k_i * P_i, then a single shared Miller loop
    (split over ``threads`` from 8 pairs up) and one final exponentiation.
    """
    g1s, g2s, scalars = list(g1s), list(g2s), list(scalars)
    n = len(g1s)
    if len(g2s) != n or len(scalars) != n:
        raise InputError(f"{n} G1 points, {len(g2s)} G2 points and {len(scalars)} scalars")
    for i, k in enumerate(scalars):
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < R:
            raise InputError(f"scalar {i}: expected an int in [0, r)")
    fg1, fg2 = _split_pairs(list(fixed))
    m = n + len(fg1)
    if m == 0:
        return True
    pts, _ = _g1_buf(g1s + fg1)
    qs, _ = _g2_buf(g2s + fg2)
    _check_pairing_ptrs(pts, m, qs, m if check_fixed else n)
    if not check_fixed and m > n:
        bad = _g2_check_ptr(qs + 16 * n, m - n, False)  # on the twist (cheap)
        if bad >= 0:
            raise InputError(f"pair {n + bad}: G2 point is not on the twist")
    g1 = _lbuf(8 * m)
    if n:
        if lib.g1_mul_each(g1, pts, _ints_buf(scalars), n, _threads(threads)) != 0:
            raise MemoryError("pairing_check_scaled")
    if m > n:
        ffi.memmove(g1 + 8 * n, pts + 8 * n, 64 * (m - n))
    rc = lib.pairing_check_threads(g1, qs, m, _threads(threads))
    if rc < 0:
        raise MemoryError("pairing_check_scaled")
    return rc == 1
