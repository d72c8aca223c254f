"""Type stub of the cffi extension built from native/ (native/build_native.py).
Only :mod:`zkats.bn254._lib` imports it."""

from typing import Any

ffi: Any
lib: Any
