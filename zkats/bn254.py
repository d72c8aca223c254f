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
