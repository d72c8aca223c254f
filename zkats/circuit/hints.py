"""Hints with a native twin.

A hint function (see ``API.hint``) stays the reference; marking it with
:func:`native` tells the witness program compiler (``program.py``) that the
native solver (``native/wsolve.c``) computes the same outputs for every
input, so the solver does not call back into Python for it.  Unmarked hints
still work: the native solver stops and Python computes them.

Kinds (inputs, outputs):

``bits``     (x; n)       bit i of x for i < n (``(x >> i) & 1``)
``inv``      (x; 1)       1/x, or 0 for x = 0
``div``      (a, b; 1)    a/b, or 0 for b = 0
``divmod``   (a, b; 2)    integer ``[a // b, a % b]``, ``[0, a]`` for b = 0
``bjj_mul``  (x, y; 2)    ``k * (x, y)`` on Baby Jubjub for the parameter k
                          (points off the curve go back to Python)
"""

from ..errors import CircuitError

#: kind name -> (code in native/wsolve.h, inputs, outputs or None for any, parameters)
KINDS = {
    "bits": (1, 1, None, 0),
    "inv": (2, 1, 1, 0),
    "div": (3, 2, 1, 0),
    "divmod": (4, 2, 2, 0),
    "bjj_mul": (5, 2, 2, 1),
}

_ATTR = "__zkats_native__"


def native(kind, *params):
    """Decorator: ``fn`` computes the native hint ``kind`` with ``params``
    (ints mod r) for every input."""
    if kind not in KINDS:
        raise CircuitError(f"unknown native hint kind {kind!r}")
    if len(params) != KINDS[kind][3]:
        raise CircuitError(f"native hint {kind!r} takes {KINDS[kind][3]} parameters")

    def mark(fn):
        setattr(fn, _ATTR, (kind, tuple(int(p) for p in params)))
        return fn

    return mark


def native_kind(fn, n_in, n_out):
    """(code, params) of the native twin of ``fn`` called with ``n_in`` flat
    inputs and ``n_out`` outputs, or None when Python must compute it."""
    mark = getattr(fn, _ATTR, None)
    if mark is None:
        return None
    kind, params = mark
    code, ins, outs, _ = KINDS[kind]
    if n_in != ins or (outs is not None and n_out != outs):
        return None
    return code, params
