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
