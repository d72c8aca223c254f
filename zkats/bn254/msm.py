"""Multi-scalar multiplication (Pippenger, native/msm.c), batch and
fixed-base scalar multiplication, on G1 and G2.

Bulk functions take numpy arrays in the snarkjs layout (Montgomery affine
points, canonical scalars) and do NOT re-validate points: validate loaded
data once with ``g1_check_array`` / ``g2_check_array``.  ``msm_g1`` and
``msm_g2`` take plain-int points (checked) and run without numpy.
"""

from ..errors import InputError
from ..field import R
from ._lib import ffi, lib
from .buffers import _ints_buf, _lbuf, _ptr, _threads, _u64, np
from .curves import (
    _g1_buf,
    _g1_buf_points,
    _g1_check_ptr,
    _g2_buf,
    _g2_buf_points,
    _g2_check_ptr,
    g1_array_to_points,
    g1_points_to_array,
    g2_array_to_points,
    g2_points_to_array,
)


def _scalars_array(scalars, n, what="scalars"):
    s = _u64(scalars, 4, what)
    if s.shape[0] != n:
        raise InputError(f"{what}: {s.shape[0]} scalars for {n} points")
    bad = lib.zk_fr_check_canonical(_ptr(s), s.shape[0])
    if bad >= 0:
        raise InputError(f"{what}[{bad}] is not a canonical scalar (must be < r)")
    return s


# ---- MSM and batch multiplication ----------------------------------------------


#: ``flags`` of the native ``msm_*_opts``: the plain Pippenger over 254-bit
#: scalars instead of the GLV/psi split into two 127-bit halves
_MSM_NO_GLV = 1


def _msm_array(name, width, bases, scalars, threads, window=None, what="bases", glv=True):
    b = _u64(bases, width, what)
    s = _scalars_array(scalars, b.shape[0])
    out = np.zeros((1, width), dtype=np.uint64)
    if not glv:
        rc = getattr(lib, name + "_opts")(
            _ptr(out),
            _ptr(b),
            _ptr(s),
            b.shape[0],
            _threads(threads),
            int(window or 0),
            _MSM_NO_GLV,
        )
    elif window is None:
        rc = getattr(lib, name)(_ptr(out), _ptr(b), _ptr(s), b.shape[0], _threads(threads))
    else:
        rc = getattr(lib, name + "_window")(
            _ptr(out), _ptr(b), _ptr(s), b.shape[0], _threads(threads), int(window)
        )
    if rc != 0:
        raise MemoryError("native MSM: out of memory")
    return out


def msm_g1_array(bases, scalars, threads=None, window=None, glv=True):
    """sum scalars[i]*bases[i]; bases (n, 8) Montgomery affine (on the curve,
    not re-checked), scalars (n, 4) canonical < r (checked).  Returns a
    plain-int point.  window forces the Pippenger window size (tests);
    ``glv=False`` runs the plain Pippenger over 254-bit scalars instead of
    the endomorphism split (benchmarks)."""
    out = _msm_array("msm_g1", 8, bases, scalars, threads, window, "G1 bases", glv)
    return g1_array_to_points(out)[0]


def msm_g2_array(bases, scalars, threads=None, window=None, glv=True):
    """As msm_g1_array for G2 bases (n, 16)."""
    out = _msm_array("msm_g2", 16, bases, scalars, threads, window, "G2 bases", glv)
    return g2_array_to_points(out)[0]


def msm_plan(n, threads=None, glv=True):
    """(window size, number of chunks) the native MSM picks for n points
    (what msm_g1/msm_g2 and the *_array functions use without ``window``)."""
    c, chunks = ffi.new("int *"), ffi.new("int *")
    lib.msm_plan(2 * n if glv else n, 127 if glv else 254, _threads(threads), c, chunks)
    return int(c[0]), int(chunks[0])


def _scalar_ints(scalars):
    vals = []
    for i, k in enumerate(scalars):
        if not isinstance(k, int) or isinstance(k, bool):
            raise InputError(f"scalars[{i}]: expected an int, got {type(k).__name__}")
        vals.append(k % R)
    return vals


def _msm_buf(fn, width, bases, scalars, n, threads):
    """The plain-int MSM on buffers (no numpy): ``bases`` a Montgomery buffer
    of n checked points, ``scalars`` ints (reduced mod r here)."""
    s = _ints_buf(_scalar_ints(scalars))
    out = _lbuf(width)
    if fn(out, bases, s, n, _threads(threads)) != 0:
        raise MemoryError("native MSM: out of memory")
    return out


def msm_g1(points, scalars, threads=None):
    """sum k_i * P_i for plain-int G1 points (checked on the curve) and int
    scalars (reduced mod r)."""
    points, scalars = list(points), list(scalars)
    if len(points) != len(scalars):
        raise InputError(f"msm_g1: {len(points)} points but {len(scalars)} scalars")
    b, n = _g1_buf(points)
    bad = _g1_check_ptr(b, n, threads)
    if bad >= 0:
        raise InputError(f"msm_g1: point {bad} is not on the curve")
    return _g1_buf_points(_msm_buf(lib.msm_g1, 8, b, scalars, n, threads), 1)[0]


def msm_g2(points, scalars, threads=None):
    """sum k_i * Q_i for plain-int G2 points (checked on the twist and in the
    subgroup) and int scalars (reduced mod r)."""
    points, scalars = list(points), list(scalars)
    if len(points) != len(scalars):
        raise InputError(f"msm_g2: {len(points)} points but {len(scalars)} scalars")
    b, n = _g2_buf(points)
    bad = _g2_check_ptr(b, n, True, threads)
    if bad >= 0:
        raise InputError(f"msm_g2: point {bad} is not in G2")
    return _g2_buf_points(_msm_buf(lib.msm_g2, 16, b, scalars, n, threads), 1)[0]


def _each(fn, width, points, scalars, threads, what):
    p = _u64(points, width, what)
    s = _scalars_array(scalars, p.shape[0])
    out = np.zeros_like(p)
    if fn(_ptr(out), _ptr(p), _ptr(s), p.shape[0], _threads(threads)) != 0:
        raise MemoryError("native batch multiplication: out of memory")
    return out


def g1_mul_each_array(points, scalars, threads=None):
    """out[i] = scalars[i] * points[i]: (n, 8) Montgomery affine in and out."""
    return _each(lib.g1_mul_each, 8, points, scalars, threads, "G1 points")


def g2_mul_each_array(points, scalars, threads=None):
    """out[i] = scalars[i] * points[i]: (n, 16) Montgomery affine in and out."""
    return _each(lib.g2_mul_each, 16, points, scalars, threads, "G2 points")


def _sum(fn, width, points, threads, what, to_points):
    p = _u64(points, width, what)
    out = np.zeros((1, width), dtype=np.uint64)
    if fn(_ptr(out), _ptr(p), p.shape[0], _threads(threads)) != 0:
        raise MemoryError("native point sum: out of memory")
    return to_points(out)[0]


def g1_sum_array(points, threads=None):
    """sum_i points[i] for (n, 8) Montgomery affine points (on the curve, not
    re-checked; zeros are infinity): the multi-exponentiation of scalars
    that are all 1 (the prover's path for 0/1 witness values).  Returns a
    plain-int point."""
    return _sum(lib.g1_sum, 8, points, threads, "G1 points", g1_array_to_points)


def g2_sum_array(points, threads=None):
    """As g1_sum_array for G2 points (n, 16)."""
    return _sum(lib.g2_sum, 16, points, threads, "G2 points", g2_array_to_points)


def _fixed(fn, width, base, scalars, threads, to_array):
    if isinstance(base, np.ndarray):
        b = _u64(base, width, "base point")
    else:
        b = to_array([base])
    if b.shape[0] != 1:
        raise InputError("base point: expected one point")
    s = _u64(scalars, 4, "scalars")
    s = _scalars_array(s, s.shape[0])
    out = np.zeros((s.shape[0], width), dtype=np.uint64)
    if fn(_ptr(out), _ptr(b), _ptr(s), s.shape[0], _threads(threads)) != 0:
        raise MemoryError("native fixed-base multiplication: out of memory")
    return out


def g1_fixed_base_array(base_point, scalars, threads=None):
    """out[i] = scalars[i] * base_point (plain-int point or (1, 8) array);
    (n, 8) Montgomery affine out."""
    return _fixed(lib.g1_fixed_base, 8, base_point, scalars, threads, g1_points_to_array)


def g2_fixed_base_array(base_point, scalars, threads=None):
    """As g1_fixed_base_array for G2 ((n, 16) out)."""
    return _fixed(lib.g2_fixed_base, 16, base_point, scalars, threads, g2_points_to_array)
