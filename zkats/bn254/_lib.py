"""The cffi extension built from ``native/`` (``zkats._native``): the only
module that loads it.  Only the modules of :mod:`zkats.bn254` use ``ffi`` and
``lib``; everything else calls their Python functions."""

try:
    from .. import _native
except ImportError as exc:  # pragma: no cover - install problem
    raise ImportError(
        "zkats' C extension is not built: run `pip install -e .` (or `make install`)"
    ) from exc

ffi = _native.ffi
lib = _native.lib
