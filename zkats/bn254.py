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


class _LazyNumpy:
    """numpy, imported on first use: the plain-int paths (a proof
    verification from the command line) never pay its ~0.1 s import."""

    def __getattr__(self, name):
        import numpy

        globals()["np"] = numpy
        return getattr(numpy, name)


np = _LazyNumpy()

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
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
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


# older names, used by other sections of this module
lib_array_to_mont = _to_mont
lib_array_from_mont = _from_mont


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


# ---- MSM and batch multiplication ----------------------------------------------


def _msm_array(name, width, bases, scalars, threads, window=None, what="bases"):
    b = _u64(bases, width, what)
    s = _scalars_array(scalars, b.shape[0])
    out = np.zeros((1, width), dtype=np.uint64)
    if window is None:
        rc = getattr(lib, name)(_ptr(out), _ptr(b), _ptr(s), b.shape[0], _threads(threads))
    else:
        rc = getattr(lib, name + "_window")(
            _ptr(out), _ptr(b), _ptr(s), b.shape[0], _threads(threads), int(window)
        )
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


def _scalar_ints(scalars):
    vals = []
    for i, k in enumerate(scalars):
        if not isinstance(k, int) or isinstance(k, bool):
            raise InputError(f"scalars[{i}]: expected an int, got {type(k).__name__}")
        vals.append(k % R)
    return vals


def _scalar_ints_to_array(scalars):
    return ints_to_limbs(_scalar_ints(scalars))


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
#
# NTT domain: snarkjs'.  w_28 = 5^((r-1)/2^28) has order 2^28 (the 2-adicity
# of r - 1); the root of order 2^k is w_28^(2^(28-k)).  ``ntt`` evaluates at
# w_k^i, ``coset_ntt`` at shift * w_k^i, natural order in and out.
#
# Bulk Fr arrays: numpy uint64 (n, 4) (a flat (4n,) array is accepted too),
# C-contiguous, Montgomery form, every element < r (checked: InputError).
# Results are new arrays unless ``out=`` (or ``inplace=True`` for the NTTs)
# says otherwise; ``out`` may be one of the inputs.
#
# Pairing values (Fq12) are 12 canonical ints in the tower order
#   c0.c0.c0, c0.c0.c1, c0.c1.c0, c0.c1.c1, c0.c2.c0, c0.c2.c1,
#   c1.c0.c0, ..., c1.c2.c1
# for Fq2 = Fq[u]/(u^2+1), Fq6 = Fq2[v]/(v^3-(9+u)), Fq12 = Fq6[w]/(w^2-v)
# (native/tower.h); ``fq12_to_py_ecc`` maps them into py_ecc's FQ12.

NTT_MAX_LOG = 28
#: snarkjs' root of unity of order 2^28 (= 5^((r-1)/2^28) mod r)
ROOT_OF_UNITY_28 = 19103219067921713944291392827692070036145651957329286315305642004821462161904

_FR_MONT = pow(2, 256, R)


def root_of_unity(log_n: int) -> int:
    """snarkjs' primitive 2^log_n-th root of unity in Fr (0 <= log_n <= 28)."""
    if not isinstance(log_n, int) or not 0 <= log_n <= NTT_MAX_LOG:
        raise InputError(f"log_n must be an int in [0, {NTT_MAX_LOG}], got {log_n!r}")
    return pow(ROOT_OF_UNITY_28, 1 << (NTT_MAX_LOG - log_n), R)


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


def _log2_size(n, what):
    if n < 1 or n & (n - 1) or n > (1 << NTT_MAX_LOG):
        raise InputError(f"{what}: length {n} is not a power of two in [1, 2^{NTT_MAX_LOG}]")
    return n.bit_length() - 1


def _ntt_call(a, shift, inverse, threads):
    _log2_size(a.shape[0], "NTT input")
    th = _threads(threads)
    if shift is None:
        rc = lib.ntt_fr(_fr_p(a), a.shape[0], 1 if inverse else 0, th)
    else:
        s = _fr_int(shift, "coset shift")
        if s == 0:
            raise InputError("coset shift must be nonzero")
        sm = _fr_mont_one(s, "coset shift")
        rc = lib.ntt_fr_coset(_fr_p(a), a.shape[0], _fr_p(sm), 1 if inverse else 0, th)
    if rc == -2:
        raise MemoryError("NTT twiddle table")
    if rc != 0:  # pragma: no cover - sizes are checked above
        raise InputError(f"NTT failed (code {rc})")
    return a


def ntt_array(a, inverse=False, threads=None, inplace=False):
    """NTT (or inverse NTT) of an (n, 4) Montgomery Fr array, n = 2^k <= 2^28.
    Returns a new array, or transforms ``a`` itself when ``inplace``."""
    a = _fr_vec(a, "NTT input", writable=inplace)
    if not inplace:
        a = a.copy()
    return _ntt_call(a, None, inverse, threads)


def coset_ntt_array(a, shift, inverse=False, threads=None, inplace=False):
    """Forward: evaluations at shift * w^i of the polynomial with coefficients
    ``a``; inverse: back to coefficients.  ``shift`` is a nonzero int."""
    a = _fr_vec(a, "NTT input", writable=inplace)
    if not inplace:
        a = a.copy()
    return _ntt_call(a, shift, inverse, threads)


def _ntt_table_max_log(k: int) -> int:
    """Test hook: spans above 2^k (k clamped to [1, 20]; default 20) get
    their twiddles as running powers instead of from the cached table.
    Returns the previous setting."""
    return int(lib.ntt_set_table_max_log(int(k)))


def _ntt_ints(values, shift, inverse):
    values = list(values)
    _log2_size(len(values), "NTT input")
    a = _fr_mont_limbs(values)
    return _fr_ints(_ntt_call(a, shift, inverse, None))


def ntt(values):
    """[sum_j a_j w^(ij) for i < n] for a list of n = 2^k ints (mod r)."""
    return _ntt_ints(values, None, False)


def intt(values):
    """Inverse of ``ntt``."""
    return _ntt_ints(values, None, True)


def coset_ntt(values, shift):
    """Evaluations at shift * w^i (i < n) of sum_j a_j X^j."""
    return _ntt_ints(values, shift, False)


def coset_intt(values, shift):
    """Inverse of ``coset_ntt``."""
    return _ntt_ints(values, shift, True)


# ---- Fr vector operations (Montgomery form) ---------------------------------


def _out_like(a, out, what="out"):
    if out is None:
        return np.empty_like(a)
    if (
        not isinstance(out, np.ndarray)
        or out.dtype != np.uint64
        or not out.flags.c_contiguous
        or not out.flags.writeable
        or out.size != a.size
    ):
        raise InputError(
            f"{what}: expected a writable C-contiguous uint64 array of {a.shape[0]} elements"
        )
    return out.reshape(a.shape)


def _binary(fn, a, b, threads, out):
    a = _fr_vec(a, "a")
    b = _fr_vec(b, "b")
    if a.shape != b.shape:
        raise InputError(f"length mismatch: {a.shape[0]} vs {b.shape[0]}")
    o = _out_like(a, out)
    fn(_fr_p(o), _fr_p(a), _fr_p(b), a.shape[0], _threads(threads))
    return o


def fr_mul_array(a, b, threads=None, out=None):
    """out[i] = a[i] * b[i] (Montgomery form)."""
    return _binary(lib.frvec_mul, a, b, threads, out)


def fr_add_array(a, b, threads=None, out=None):
    """out[i] = a[i] + b[i]."""
    return _binary(lib.frvec_add, a, b, threads, out)


def fr_sub_array(a, b, threads=None, out=None):
    """out[i] = a[i] - b[i]."""
    return _binary(lib.frvec_sub, a, b, threads, out)


def fr_scale_array(a, k, threads=None, out=None):
    """out[i] = a[i] * k for an int k (mod r)."""
    a = _fr_vec(a, "a")
    o = _out_like(a, out)
    km = _fr_mont_one(k, "scale factor")
    lib.frvec_scale(_fr_p(o), _fr_p(a), _fr_p(km), a.shape[0], _threads(threads))
    return o


def fr_mul_powers_array(a, s, start=1, threads=None, out=None):
    """out[i] = a[i] * start * s^i for ints s, start (mod r)."""
    a = _fr_vec(a, "a")
    o = _out_like(a, out)
    sm = _fr_mont_one(s, "power base")
    st = _fr_mont_one(start, "start factor")
    lib.frvec_mul_powers(_fr_p(o), _fr_p(a), _fr_p(st), _fr_p(sm), a.shape[0], _threads(threads))
    return o


def fr_ints_to_mont_array(values):
    """Python ints (reduced mod r) -> (n, 4) Montgomery uint64 array."""
    return _fr_mont_limbs(list(values))


def fr_mont_array_to_ints(arr):
    """(n, 4) Montgomery uint64 array -> canonical Python ints."""
    return _fr_ints(_fr_vec(arr, "Fr array"))


# ---- pairing -------------------------------------------------------------------


def _fq12_ints(buf):
    return tuple(_buf_canon(ffi.cast("uint64_t *", buf), 12, "fq"))


def fq12_to_py_ecc(c):
    """12 tower-order ints (as returned by ``pairing``) -> py_ecc's FQ12
    (Fq[w]/(w^12 - 18 w^6 + 82)): with w^6 = 9 + u, the Fq2 coefficient
    x + y u of w^k contributes x - 9y to w^k and y to w^(k+6)."""
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


def _pairs_arrays(pairs):
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
    """As :func:`_pairs_arrays` on plain buffers: (g1 buffer, g2 buffer, n),
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
    bad = lib.zk_qap_ab(
        ffi.cast("uint8_t *", ffi.from_buffer(buf)),
        n_coef,
        _ptr(witness),
        witness.size // 4,
        _ptr(a),
        _ptr(b),
        domain_size,
    )
    if bad >= 0:
        raise InputError(
            f"coefficient entry {bad} is out of range "
            "(matrix id > 1, row >= domain, signal >= nVars, or value >= r)"
        )
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


def _fr_limbs(values):
    return ints_to_limbs([int(v) % R for v in values])


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


def _endo_records(scalars, group):
    out = np.zeros((len(scalars), 5), dtype=np.uint64)
    m = (1 << 64) - 1
    for i, k in enumerate(scalars):
        if group == 1:
            k0, k1 = glv_decompose(k)
        else:
            k0, k1 = divmod(k % R, PSI_LAMBDA)[::-1]
        flags = (k0 < 0) | ((k1 < 0) << 1)
        k0, k1 = abs(k0), abs(k1)
        out[i] = (k0 & m, k0 >> 64, k1 & m, k1 >> 64, flags)
    return out


_TWIDDLE_CACHE = {}


def _twiddle_records(n, omega_inv, group):
    """Endomorphism records of omega^-k and omega^-k/n, k < n/2 (cached)."""
    key = (n, omega_inv, group)
    hit = _TWIDDLE_CACHE.get(key)
    if hit is None:
        half = n // 2
        tw = [1] * half
        for k in range(1, half):
            tw[k] = tw[k - 1] * omega_inv % R
        ninv = pow(n, -1, R)
        hit = (_endo_records(tw, group), _endo_records([t * ninv % R for t in tw], group))
        if len(_TWIDDLE_CACHE) > 64:
            _TWIDDLE_CACHE.clear()
        _TWIDDLE_CACHE[key] = hit
    return hit


def _group_ifft(fn, width, pts, omega_inv, threads):
    pts = np.array(pts, dtype=np.uint64, copy=True, order="C").reshape(-1, width)
    n = pts.shape[0]
    if n == 0 or n & (n - 1):
        raise InputError("group FFT size must be a power of two")
    if n >= 2:
        twa, twn = _twiddle_records(n, omega_inv, 1 if width == 8 else 2)
        if fn(_ptr(pts), n, _ptr(twa), _ptr(twn), _threads(threads)) != 0:
            raise MemoryError("native group FFT: out of memory")
    return pts


def g1_ifft_array(pts, omega, threads=None):
    """Inverse FFT in the exponent: for n = len(pts) a power of two and
    ``omega`` a primitive n-th root of unity mod r, returns the (n, 8)
    Montgomery array out[i] = (1/n) sum_j omega^(-ij) pts[j] (new array).
    Applied to [tau^j]G it yields the Lagrange basis [L_i(tau)]G."""
    return _group_ifft(lib.zs_g1_ifft, 8, pts, pow(omega, -1, R) if len(pts) > 1 else 1, threads)


def g2_ifft_array(pts, omega, threads=None):
    """As :func:`g1_ifft_array` for (n, 16) G2 arrays."""
    return _group_ifft(lib.zs_g2_ifft, 16, pts, pow(omega, -1, R) if len(pts) > 1 else 1, threads)


def _sparse_combine(fn, width, n_out, bases, row_ptr, idx, scalars, threads):
    bases = np.ascontiguousarray(bases, dtype=np.uint64).reshape(-1, width)
    row_ptr = np.ascontiguousarray(row_ptr, dtype=np.int64)
    idx = np.ascontiguousarray(idx, dtype=np.uint32)
    scalars = np.ascontiguousarray(scalars, dtype=np.uint64).reshape(-1, 4)
    if (
        row_ptr.shape[0] != n_out + 1
        or row_ptr[0] != 0
        or row_ptr[-1] != idx.shape[0]
        or idx.shape[0] != scalars.shape[0]
        or (np.diff(row_ptr) < 0).any()
    ):
        raise InputError("sparse combination: inconsistent row pointers / entries")
    if idx.size and int(idx.max()) >= bases.shape[0]:
        raise InputError("sparse combination: base index out of range")
    bad = int(lib.zk_fr_check_canonical(_ptr(scalars), scalars.shape[0])) if scalars.size else -1
    if bad >= 0:
        raise InputError(f"sparse combination: scalar {bad} is not < r")
    out = np.zeros((n_out, width), dtype=np.uint64)
    rc = fn(
        _ptr(out),
        n_out,
        _ptr(bases),
        aligned_buffer(row_ptr, "int64_t[]"),
        aligned_buffer(idx, "uint32_t[]"),
        _ptr(scalars),
        _threads(threads),
    )
    if rc != 0:
        raise MemoryError("native sparse combination: out of memory")
    return out


def g1_sparse_combine_array(n_out, bases, row_ptr, idx, scalars, threads=None):
    """out[s] = sum_{row_ptr[s] <= j < row_ptr[s+1]} scalars[j] * bases[idx[j]]
    for s < n_out: (n_out, 8) Montgomery affine.  ``scalars`` (nnz, 4)
    canonical limbs < r (checked); bases assumed on the curve."""
    return _sparse_combine(
        lib.zs_g1_sparse_combine, 8, n_out, bases, row_ptr, idx, scalars, threads
    )


def g2_sparse_combine_array(n_out, bases, row_ptr, idx, scalars, threads=None):
    """As :func:`g1_sparse_combine_array` for G2 ((n_out, 16) out)."""
    return _sparse_combine(
        lib.zs_g2_sparse_combine, 16, n_out, bases, row_ptr, idx, scalars, threads
    )


def _mul_one(fn, width, points, k, threads):
    pts = np.ascontiguousarray(points, dtype=np.uint64).reshape(-1, width)
    km = ints_to_limbs([int(k) % R])
    out = np.zeros_like(pts)
    if pts.shape[0] and fn(_ptr(out), _ptr(pts), pts.shape[0], _ptr(km), _threads(threads)) != 0:
        raise MemoryError("native multiplication by one scalar: out of memory")
    return out


def g1_mul_one_array(points, k, threads=None):
    """k * points[i] for every point of an (n, 8) Montgomery affine array and
    one int k (mod r); GLV split (native/gfft_impl.h).  Points on the curve."""
    return _mul_one(lib.zs_g1_mul_one, 8, points, k, threads)


def g2_mul_one_array(points, k, threads=None):
    """As :func:`g1_mul_one_array` for G2 points of the order-r subgroup."""
    return _mul_one(lib.zs_g2_mul_one, 16, points, k, threads)


def g1_sub_array(a, b):
    """a[i] - b[i] for two (n, 8) Montgomery affine arrays (new array)."""
    a = np.ascontiguousarray(a, dtype=np.uint64).reshape(-1, 8)
    b = np.ascontiguousarray(b, dtype=np.uint64).reshape(-1, 8)
    if a.shape != b.shape:
        raise InputError("g1_sub_array: shapes differ")
    out = np.zeros_like(a)
    if lib.zs_g1_sub_batch(_ptr(out), _ptr(a), _ptr(b), a.shape[0]) != 0:
        raise MemoryError("native batch subtraction: out of memory")
    return out


# ===========================================================================
# Section: Baby Jubjub (native/babyjub.c; used by the settlement service's
# netting check).  Plain-int affine points (x, y) over Fr, identity (0, 1).
# ===========================================================================

#: EIP-2494 prime subgroup order of Baby Jubjub
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


# ===========================================================================
# Section: Poseidon permutation (native/poseidon.c; used by the settlement
# service).  Constants come from the caller (zkats.gadgets.poseidon_constants).
# ===========================================================================


def fr_to_mont_limbs(values):
    """ints (reduced mod r) -> (n, 4) Montgomery limbs."""
    return lib_array_to_mont(ints_to_limbs([int(v) % R for v in values]), "fr")


def poseidon_permute_array(states, consts_mont, mds_mont, n_full, n_partial):
    """Permute each row of ``states`` ((n, t*4) or (n, t, 4) uint64, canonical
    limbs < r) in place and return it.  ``consts_mont``: ((n_full +
    n_partial) * t, 4) Montgomery; ``mds_mont``: (t*t, 4) Montgomery."""
    states = np.ascontiguousarray(states, dtype=np.uint64)
    n = states.shape[0]
    t = states.reshape(n, -1).shape[1] // 4 if n else 0
    consts = np.ascontiguousarray(consts_mont, dtype=np.uint64)
    mds = np.ascontiguousarray(mds_mont, dtype=np.uint64)
    if n == 0:
        return states
    if consts.size != (n_full + n_partial) * t * 4 or mds.size != t * t * 4:
        raise InputError("poseidon_permute_array: constant arrays do not match the width")
    if lib.zk_poseidon_permute(_ptr(states), n, t, n_full, n_partial, _ptr(consts), _ptr(mds)) != 0:
        raise InputError("poseidon_permute_array: bad width or non-canonical state")
    return states
