# The cffi extension module built from native/ (native/build_native.py): the
# C declarations are in native/*.cdef, so its functions are not typed here.
from typing import Any

ffi: Any
lib: Any
