"""The Python face of the native BN254 core: the only module that touches
``zkats._native`` (the cffi extension built from ``native/``).

Conventions
-----------
* Plain-int API: G1 affine points are ``(x, y)`` int tuples, G2 affine points
  ``((x_c0, x_c1), (y_c0, y_c1))``; ``None`` is the point at infinity.
  Scalars are Python ints (reduced mod r by the caller or here, as stated).
* Bulk API (``*_array``): numpy ``uint64`` arrays, C-contiguous.  Field
  elements are 4 little-endian limbs.  Points and Fr vectors are in
  Montgomery form (as snarkjs stores them in ``.zkey``/``.ptau``), so file
  sections can be handed over without conversion; MSM scalars are canonical
  (standard form).  A G1 point is 8 limbs (x, y), a G2 point 16 limbs
  (x.c0, x.c1, y.c0, y.c1); the all-zero point encodes infinity.
* ``threads=None`` means all cores.

Sections below are owned by the parts of the native core they wrap
(fields and curves/MSM; NTT and pairing).  Edit only your section.
"""
import os

import numpy as np

from .errors import InputError
from .field import Q, R, ints_to_limbs, limbs_to_ints

try:
    from . import _native
except ImportError as exc:  # pragma: no cover - install problem
    raise ImportError(
        "zkats' C extension is not built: run `pip install -e .` (or `make install`)"
    ) from exc

ffi = _native.ffi
lib = _native.lib


def default_threads():
    return max(1, os.cpu_count() or 1)


def _ptr(arr, ctype="uint64_t *"):
    return ffi.cast(ctype, ffi.from_buffer(arr))


def set_portable(on: bool):
    """Force the portable (__int128) Montgomery multiplication even when the
    ADX/BMI2 path is compiled in.  Both give identical results."""
    lib.zk_set_portable(1 if on else 0)


def has_adx() -> bool:
    return bool(lib.zk_has_adx())


# ===========================================================================
# Section: fields, G1/G2, MSM
# ===========================================================================
#
# Field helpers work on plain ints (canonical, reduced mod the modulus on
# the way in).  Curve points in the plain API are checked on the curve
# (InputError otherwise); G2 points are not required to be in the subgroup
# (use is_in_subgroup_g2).  Bulk functions take numpy arrays in the snarkjs
# layout described in the module docstring and do NOT re-validate points:
# validate loaded data once with g1_check_array / g2_check_array.

_MONT = pow(2, 256, Q)
_MONT_INV = pow(_MONT, -1, Q)

#: generators (the same as py_ecc's and snarkjs')
G1_GEN = (1, 2)
G2_GEN = (
    (10857046999023057135944570762232829481370756359578518086990519993285655852781,
     11559732032986387107991004021392285783925812861821192530917403151452391805634),
    (8495653923123431417604973247489272438418190587263600148770280649306958101930,
     4082367875863433681332203403145435568316851327593401208105741076214120093531),
)


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


def _scalars_array(scalars, n, what="scalars"):
    s = _u64(scalars, 4, what)
    if s.shape[0] != n:
        raise InputError(f"{what}: {s.shape[0]} scalars for {n} points")
    bad = lib.zk_fr_check_canonical(_ptr(s), s.shape[0])
    if bad >= 0:
        raise InputError(f"{what}[{bad}] is not a canonical scalar (must be < r)")
    return s


def _to_fq(x, what="value"):
    if not isinstance(x, int) or isinstance(x, bool):
        raise InputError(f"{what}: expected an int, got {type(x).__name__}")
    if not 0 <= x < Q:
        raise InputError(f"{what}: coordinate out of range (must be 0 <= x < q)")
    return x


# ---- field helpers (plain ints; for tests and small jobs) ------------------

def _fq_arr(values):
    return lib_array_to_mont(ints_to_limbs([v % Q for v in values]), "fq")


def lib_array_to_mont(arr, field):
    out = np.empty_like(arr)
    getattr(lib, f"zk_{field}_to_mont")(_ptr(out), _ptr(arr), arr.shape[0])
    return out


def lib_array_from_mont(arr, field):
    out = np.empty_like(arr)
    getattr(lib, f"zk_{field}_from_mont")(_ptr(out), _ptr(arr), arr.shape[0])
    return out


def _binop(field, modulus, a, b):
    x = lib_array_to_mont(ints_to_limbs([a % modulus, b % modulus]), field)
    out = np.empty((1, 4), dtype=np.uint64)
    getattr(lib, f"zk_{field}_mul")(_ptr(out), _ptr(x[0:1]), _ptr(x[1:2]), 1)
    return limbs_to_ints(lib_array_from_mont(out, field))[0]


def fq_mul(a, b):
    """a*b mod q through the native Montgomery multiplication."""
    return _binop("fq", Q, a, b)


def fr_mul(a, b):
    """a*b mod r through the native Montgomery multiplication."""
    return _binop("fr", R, a, b)


def _unop(fn, field, modulus, a, ctype):
    x = lib_array_to_mont(ints_to_limbs([a % modulus]), field)
    out = np.zeros((1, 4), dtype=np.uint64)
    ok = fn(_ptr(out, ctype), _ptr(x, ctype))
    return ok, limbs_to_ints(lib_array_from_mont(out, field))[0]


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
    x = lib_array_to_mont(ints_to_limbs([v % R for v in values]), "fr")
    out = np.zeros_like(x)
    lib.fr_batch_inv(_ptr(out, "fr_t *"), _ptr(x, "fr_t *"), len(values))
    return limbs_to_ints(lib_array_from_mont(out, "fr"))


def fq_to_mont_array(values):
    """Canonical Fq values (ints or an (n, 4) uint64 array) -> (n, 4) Montgomery."""
    if isinstance(values, np.ndarray):
        arr = _u64(values, 4, "fq values")
        bad = lib.zk_fq_check_canonical(_ptr(arr), arr.shape[0])
        if bad >= 0:
            raise InputError(f"fq values[{bad}] is not canonical (must be < q)")
    else:
        arr = ints_to_limbs([_to_fq(v, "fq value") for v in values])
    return lib_array_to_mont(arr, "fq")


def fq_from_mont_array(arr):
    """(n, 4) Montgomery Fq -> (n, 4) canonical."""
    return lib_array_from_mont(_u64(arr, 4, "fq values"), "fq")


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


def g1_points_to_array(points):
    """Plain-int G1 points -> (n, 8) uint64 Montgomery affine (None -> zeros).
    Coordinates must be canonical; points are not checked on the curve."""
    vals = [c for p in points for c in _g1_coords(p)]
    return lib_array_to_mont(ints_to_limbs(vals), "fq").reshape(-1, 8)


def g2_points_to_array(points):
    """Plain-int G2 points -> (n, 16) uint64 Montgomery affine."""
    vals = [c for p in points for c in _g2_coords(p)]
    return lib_array_to_mont(ints_to_limbs(vals), "fq").reshape(-1, 16)


def g1_array_to_points(arr):
    """(n, 8) Montgomery affine -> list of (x, y) or None."""
    arr = _u64(arr, 8, "G1 points")
    v = limbs_to_ints(lib_array_from_mont(arr.reshape(-1, 4), "fq"))
    raw = arr.reshape(-1, 8)
    out = []
    for i in range(raw.shape[0]):
        out.append(None if not raw[i].any() else (v[2 * i], v[2 * i + 1]))
    return out


def g2_array_to_points(arr):
    """(n, 16) Montgomery affine -> list of ((x0, x1), (y0, y1)) or None."""
    arr = _u64(arr, 16, "G2 points")
    v = limbs_to_ints(lib_array_from_mont(arr.reshape(-1, 4), "fq"))
    out = []
    for i in range(arr.shape[0]):
        out.append(None if not arr[i].any()
                   else ((v[4 * i], v[4 * i + 1]), (v[4 * i + 2], v[4 * i + 3])))
    return out


def g1_check_array(arr):
    """Index of the first G1 point (n, 8 Montgomery) with a non-canonical
    coordinate or not on the curve, or -1.  Zeros (infinity) pass."""
    arr = _u64(arr, 8, "G1 points")
    return int(lib.g1_check_array(_ptr(arr), arr.shape[0]))


def g2_check_array(arr, subgroup=True):
    """Index of the first bad G2 point (non-canonical, off the twist, or, with
    subgroup=True, outside the order-r subgroup), or -1."""
    arr = _u64(arr, 16, "G2 points")
    return int(lib.g2_check_array(_ptr(arr), arr.shape[0], 1 if subgroup else 0))


def _g1_in(p, what="G1 point"):
    a = g1_points_to_array([p]) if p is not None else np.zeros((1, 8), dtype=np.uint64)
    if p is not None and not lib.g1_on_curve_affine(_ptr(a)):
        raise InputError(f"{what} is not on the curve y^2 = x^3 + 3")
    return a


def _g2_in(p, what="G2 point"):
    a = g2_points_to_array([p]) if p is not None else np.zeros((1, 16), dtype=np.uint64)
    if p is not None and not lib.g2_on_curve_affine(_ptr(a)):
        raise InputError(f"{what} is not on the twist y^2 = x^3 + 3/(9+u)")
    return a


def _scalar_limbs(k):
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    n = max(1, (k.bit_length() + 63) // 64)
    return np.frombuffer(k.to_bytes(8 * n, "little"), dtype="<u8").astype(np.uint64), n


# ---- G1 ----------------------------------------------------------------------

def is_on_curve_g1(p):
    """True if p is None or (x, y) with canonical coordinates on y^2 = x^3 + 3."""
    if p is None:
        return True
    try:
        a = g1_points_to_array([p])
    except InputError:
        return False
    return bool(lib.g1_on_curve_affine(_ptr(a)))


def g1_neg(p):
    a = _g1_in(p)
    out = np.zeros_like(a)
    lib.g1_neg_affine(_ptr(out), _ptr(a))
    return g1_array_to_points(out)[0]


def g1_add(p, q):
    a, b = _g1_in(p), _g1_in(q)
    out = np.zeros_like(a)
    lib.g1_add_affine(_ptr(out), _ptr(a), _ptr(b))
    return g1_array_to_points(out)[0]


def g1_double(p):
    a = _g1_in(p)
    out = np.zeros_like(a)
    lib.g1_double_affine(_ptr(out), _ptr(a))
    return g1_array_to_points(out)[0]


def g1_mul(p, k):
    """k*p; k any int (reduced mod r: G1 has prime order r)."""
    a = _g1_in(p)
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    kl, n = _scalar_limbs(k % R)
    out = np.zeros_like(a)
    lib.g1_mul_affine(_ptr(out), _ptr(a), _ptr(kl), n)
    return g1_array_to_points(out)[0]


# ---- G2 ----------------------------------------------------------------------

def is_on_curve_g2(p):
    """True if p is None or a point with canonical coordinates on the twist."""
    if p is None:
        return True
    try:
        a = g2_points_to_array([p])
    except InputError:
        return False
    return bool(lib.g2_on_curve_affine(_ptr(a)))


def is_in_subgroup_g2(p):
    """True if p (on the twist, else InputError) is in the order-r subgroup;
    uses the endomorphism test psi(p) == [6x^2]p."""
    a = _g2_in(p)
    return bool(lib.g2_in_subgroup_affine(_ptr(a)))


def g2_neg(p):
    a = _g2_in(p)
    out = np.zeros_like(a)
    lib.g2_neg_affine(_ptr(out), _ptr(a))
    return g2_array_to_points(out)[0]


def g2_add(p, q):
    a, b = _g2_in(p), _g2_in(q)
    out = np.zeros_like(a)
    lib.g2_add_affine(_ptr(out), _ptr(a), _ptr(b))
    return g2_array_to_points(out)[0]


def g2_double(p):
    a = _g2_in(p)
    out = np.zeros_like(a)
    lib.g2_double_affine(_ptr(out), _ptr(a))
    return g2_array_to_points(out)[0]


def g2_mul(p, k):
    """k*p for any int k.  Not reduced mod r, so points of the twist outside
    the subgroup are multiplied correctly too (negative k negates)."""
    a = _g2_in(p)
    if not isinstance(k, int) or isinstance(k, bool):
        raise InputError(f"scalar: expected an int, got {type(k).__name__}")
    if k < 0:
        lib.g2_neg_affine(_ptr(a), _ptr(a))
        k = -k
    kl, n = _scalar_limbs(k)
    out = np.zeros_like(a)
    lib.g2_mul_affine(_ptr(out), _ptr(a), _ptr(kl), n)
    return g2_array_to_points(out)[0]


# ---- MSM and batch multiplication ----------------------------------------------

def _msm_array(name, width, bases, scalars, threads, window=None, what="bases"):
    b = _u64(bases, width, what)
    s = _scalars_array(scalars, b.shape[0])
    out = np.zeros((1, width), dtype=np.uint64)
    if window is None:
        rc = getattr(lib, name)(_ptr(out), _ptr(b), _ptr(s), b.shape[0], _threads(threads))
    else:
        rc = getattr(lib, name + "_window")(_ptr(out), _ptr(b), _ptr(s), b.shape[0],
                                            _threads(threads), int(window))
    if rc != 0:
        raise MemoryError("native MSM: out of memory")
    return out


def msm_g1_array(bases, scalars, threads=None, window=None):
    """sum scalars[i]*bases[i]; bases (n, 8) Montgomery affine (on the curve,
    not re-checked), scalars (n, 4) canonical < r (checked).  Returns a
    plain-int point.  window forces the Pippenger window size (tests)."""
    out = _msm_array("msm_g1", 8, bases, scalars, threads, window, "G1 bases")
    return g1_array_to_points(out)[0]


def msm_g2_array(bases, scalars, threads=None, window=None):
    """As msm_g1_array for G2 bases (n, 16)."""
    out = _msm_array("msm_g2", 16, bases, scalars, threads, window, "G2 bases")
    return g2_array_to_points(out)[0]


def _scalar_ints_to_array(scalars):
    vals = []
    for i, k in enumerate(scalars):
        if not isinstance(k, int) or isinstance(k, bool):
            raise InputError(f"scalars[{i}]: expected an int, got {type(k).__name__}")
        vals.append(k % R)
    return ints_to_limbs(vals)


def msm_g1(points, scalars, threads=None):
    """sum k_i * P_i for plain-int G1 points (checked on the curve) and int
    scalars (reduced mod r)."""
    points, scalars = list(points), list(scalars)
    if len(points) != len(scalars):
        raise InputError(f"msm_g1: {len(points)} points but {len(scalars)} scalars")
    b = g1_points_to_array(points)
    bad = g1_check_array(b)
    if bad >= 0:
        raise InputError(f"msm_g1: point {bad} is not on the curve")
    return msm_g1_array(b, _scalar_ints_to_array(scalars), threads)


def msm_g2(points, scalars, threads=None):
    """sum k_i * Q_i for plain-int G2 points (checked on the twist and in the
    subgroup) and int scalars (reduced mod r)."""
    points, scalars = list(points), list(scalars)
    if len(points) != len(scalars):
        raise InputError(f"msm_g2: {len(points)} points but {len(scalars)} scalars")
    b = g2_points_to_array(points)
    bad = g2_check_array(b, subgroup=True)
    if bad >= 0:
        raise InputError(f"msm_g2: point {bad} is not in G2")
    return msm_g2_array(b, _scalar_ints_to_array(scalars), threads)


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


# ===========================================================================
# Section: NTT, Fr vectors, pairing
# ===========================================================================


# ===========================================================================
# Section: prover kernels (Groth16 prover; native/prover.c)
# ===========================================================================

#: bytes of one entry of a zkey coefficient section (u32 m, c, s + 32-byte Fr)
COEF_ENTRY_BYTES = 44


def fr_first_noncanonical(v):
    """Index of the first element of the (n, 4) uint64 array ``v`` that is
    >= r, or -1 when all are canonical."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    return int(lib.zk_fr_first_noncanonical(_ptr(v), v.size // 4))


def qap_ab_array(coeffs, witness, domain_size):
    """A.w and B.w on the QAP domain, in Montgomery form.

    ``coeffs``: bytes-like holding the entries of a zkey coefficient section
    (44 bytes each, without the leading u32 count); ``witness``: (n_vars, 4)
    canonical uint64 limbs (checked < r by the caller).  Returns two
    (domain_size, 4) uint64 arrays.  Raises InputError naming the first
    malformed entry (matrix id, row, signal or value out of range).
    """
    buf = memoryview(coeffs).cast("B")
    if buf.nbytes % COEF_ENTRY_BYTES:
        raise InputError("coefficient section length is not a multiple of 44 bytes")
    n_coef = buf.nbytes // COEF_ENTRY_BYTES
    witness = np.ascontiguousarray(witness, dtype=np.uint64)
    a = np.empty((domain_size, 4), dtype=np.uint64)
    b = np.empty((domain_size, 4), dtype=np.uint64)
    bad = lib.zk_qap_ab(ffi.cast("uint8_t *", ffi.from_buffer(buf)), n_coef,
                        _ptr(witness), witness.size // 4, _ptr(a), _ptr(b), domain_size)
    if bad >= 0:
        raise InputError(f"coefficient entry {bad} is out of range "
                         "(matrix id > 1, row >= domain, signal >= nVars, or value >= r)")
    return a, b


def fr_mul_pointwise_array(a, b, out=None):
    """out[i] = a[i] * b[i] for (n, 4) Montgomery arrays; out may be a or b."""
    if out is None:
        out = np.empty_like(a)
    lib.zk_fr_mul_pointwise(_ptr(out), _ptr(a), _ptr(b), a.size // 4)
    return out


def fr_scale_powers_array(v, g):
    """In place: v[i] *= g^i (v in Montgomery form, g a Python int < r)."""
    gm = ints_to_limbs([(int(g) << 256) % R])
    lib.zk_fr_scale_powers(_ptr(v), v.size // 4, _ptr(gm))
    return v


def fr_join_abc_array(a, b, c, out=None):
    """out[i] = a[i]*b[i] - c[i], converted to canonical form (inputs in
    Montgomery form); out may alias an input."""
    if out is None:
        out = np.empty_like(a)
    lib.zk_fr_join_abc(_ptr(out), _ptr(a), _ptr(b), _ptr(c), a.size // 4)
    return out


# ===========================================================================
# Section: setup helpers (H5a; native/pointenc.c, native/gfft.c):
# ceremony point encodings, BLAKE2b compression, group FFT
# ===========================================================================

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


def fq_first_noncanonical_array(v):
    """Index of the first 4-limb value >= q in the uint64 array ``v``, or -1."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    return int(lib.zs_fq_first_noncanonical(_ptr(v), v.size // 4))


def fr_from_mont_array(v):
    """Montgomery -> canonical for a uint64 array of Fr elements (new array)."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    out = np.empty_like(v)
    lib.zs_fr_from_mont(_ptr(out), _ptr(v), v.size // 4)
    return out


def fr_to_mont_array(v):
    """canonical (< r) -> Montgomery for a uint64 array of Fr elements (new array)."""
    v = np.ascontiguousarray(v, dtype=np.uint64)
    out = np.empty_like(v)
    lib.zs_fr_to_mont(_ptr(out), _ptr(v), v.size // 4)
    return out


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
