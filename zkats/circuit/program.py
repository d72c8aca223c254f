"""Witness programs: a circuit's ``define`` compiled once into operations
that the native solver (``native/wsolve.c``) replays for every witness.

:class:`Tracer` is the compile-mode :class:`~.api.Builder` that also records,
in wire order, how each wire gets its value:

* ``MUL row w``: ``w = <A_row, v> * <B_row, v>`` (a product ``LC * LC``;
  the constraint row holds both factors);
* ``LC w lc``: ``w = <lc, v>`` (``set_output``);
* ``HINT kind id w0 n_out n_in lc... n_par par...``: a hint's outputs,
  computed natively for the kinds of :mod:`.hints` and by the Python
  function otherwise.

The rows a product or ``set_output`` emitted hold by construction (the
Python solver does not check them either); the others are checked after
the replay and the first failing one is reported exactly as the Python
solver reports it.  The Python solver (``CompiledCircuit.solve(...,
engine="python")``) stays the reference; tests compare both.

A program whose ``define`` reads an output before ``set_output`` gives it
a value (the Python solver raises there), or looks at ``api.is_solving`` or
``api.value`` (it may compute differently when solving) is not replayable:
such circuits have no program and are solved in Python.
"""

from array import array

import numpy as np

from ..field import R
from .api import Builder, _flatten
from .hints import native_kind
from .lc import SymLC

OP_MUL, OP_LC, OP_HINT = 1, 2, 3
PY_HINT = 0


def _shape(x):
    """The nesting of a hint argument (None for a scalar)."""
    if isinstance(x, (list, tuple)):
        return [_shape(y) for y in x]
    return None


def _unflatten(shape, it):
    if shape is None:
        return next(it)
    return [_unflatten(s, it) for s in shape]


def hint_args(shapes, flat):
    """The hint's arguments (nested lists of ints) from its flat inputs."""
    it = iter(flat)
    return [_unflatten(s, it) for s in shapes]


class WitnessProgram:
    """The replayable witness computation of one compiled circuit.

    ``code``: int64 operations; ``lc_ptr/lc_col/lc_cid``: the linear
    combinations the operations name (cids into ``coeffs``, the program's own
    coefficient table); ``check_rows``: constraint rows to verify after the
    replay; ``io_limbs``: the scratch size the largest hint needs.
    ``hint_fns``/``hint_shapes`` (per hint id: the Python function and the
    nesting of its arguments) exist only for a program traced in this
    process (not one loaded from the disk cache)."""

    ARRAYS = ("code", "lc_ptr", "lc_col", "lc_cid", "check_rows")

    def __init__(
        self,
        code,
        lc_ptr,
        lc_col,
        lc_cid,
        coeffs,
        check_rows,
        n_hints,
        n_py_hints,
        io_limbs,
        hint_fns=None,
        hint_shapes=None,
    ):
        self.code = code
        self.lc_ptr = lc_ptr
        self.lc_col = lc_col
        self.lc_cid = lc_cid
        self.coeffs = coeffs
        self.check_rows = check_rows
        self.n_hints = n_hints
        self.n_py_hints = n_py_hints
        self.io_limbs = io_limbs
        self.hint_fns = hint_fns
        self.hint_shapes = hint_shapes

    @property
    def has_functions(self):
        return self.hint_fns is not None

    def meta(self):
        return {"n_hints": self.n_hints, "n_py_hints": self.n_py_hints, "io_limbs": self.io_limbs}

    def same_code(self, other):
        return all(np.array_equal(getattr(self, a), getattr(other, a)) for a in self.ARRAYS) and (
            self.coeffs == other.coeffs
        )


class _OutSym(SymLC):
    """A declared output while tracing: reading it (its terms) before
    ``set_output`` gives it a value makes the program not replayable (the
    Python solver raises there)."""

    __slots__ = ("_t", "w")

    @property
    def t(self):
        b = self.b
        if not b._setting and self.w not in b.outputs_set:
            b.replayable = False
        return self._t

    @t.setter
    def t(self, value):
        self._t = value


class Tracer(Builder):
    """Compile mode that also records the witness program."""

    def __init__(self, first_internal):
        super().__init__(first_internal)
        self.code = array("q")
        self.lc_ptr = array("q", [0])
        self.lc_col = array("q")
        self.lc_cid = array("q")
        self.p_coeff_ids = {}
        self.p_coeffs = []
        self.by_construction = array("q")
        self.hint_fns = []
        self.hint_shapes = []
        self.n_py_hints = 0
        self.io_limbs = 0
        self.replayable = True
        self._setting = False

    def signal(self, wire):
        if 1 <= wire <= self.n_pub_out:
            x = _OutSym({wire: 1}, False, self)
            x.w = wire
            return x
        return super().signal(wire)

    # a define that asks whether it is solving, or for values, may compute
    # differently when solving: only the Python solver runs it then
    @property
    def is_solving(self):
        self.replayable = False
        return False

    def value(self, x):
        self.replayable = False
        return None

    def _lc(self, x):
        t = self.lc(x).t
        i = len(self.lc_ptr) - 1
        ids = self.p_coeff_ids
        for w, c in t.items():
            k = ids.get(c)
            if k is None:
                k = ids[c] = len(self.p_coeffs)
                self.p_coeffs.append(c)
            self.lc_col.append(w)
            self.lc_cid.append(k)
        self.lc_ptr.append(len(self.lc_col))
        return i

    def mul(self, a, b):
        if (
            isinstance(a, SymLC)
            and isinstance(b, SymLC)
            and a.b is self
            and b.b is self
            and not a.k
            and not b.k
        ):
            row = self.n_constraints
            out = super().mul(a, b)
            self.code.extend((OP_MUL, row, next(iter(out.t))))
            self.by_construction.append(row)
            return out
        return super().mul(a, b)

    def _hint(self, fn, inputs, n_out):
        wires = super()._hint(fn, inputs, n_out)
        flat = _flatten(list(inputs), [])
        lcs = [self._lc(x) for x in flat]
        nk = native_kind(fn, len(flat), n_out)
        if nk is None:
            kind, params = PY_HINT, ()
            self.n_py_hints += 1
        else:
            kind, params = nk
        pids = []
        for p in params:  # parameters are field elements in the coefficient table
            p %= R
            k = self.p_coeff_ids.get(p)
            if k is None:
                k = self.p_coeff_ids[p] = len(self.p_coeffs)
                self.p_coeffs.append(p)
            pids.append(k)
        hid = len(self.hint_fns)
        self.hint_fns.append(fn)
        self.hint_shapes.append([_shape(x) for x in inputs])
        w0 = next(iter(wires[0].t))
        self.code.extend((OP_HINT, kind, hid, w0, n_out, len(lcs)))
        self.code.extend(lcs)
        self.code.append(len(pids))
        self.code.extend(pids)
        self.io_limbs = max(self.io_limbs, 4 * (len(lcs) + n_out))
        return wires

    def set_output(self, out, expr):
        row = self.n_constraints
        lc = self._lc(expr)
        self._setting = True
        try:
            super().set_output(out, expr)
        finally:
            self._setting = False
        self.code.extend((OP_LC, self._wire_of(out), lc))
        self.by_construction.append(row)

    def program(self):
        """The recorded :class:`WitnessProgram`, or None if not replayable."""
        if not self.replayable:
            return None
        n = self.n_constraints
        skip = np.zeros(n, dtype=bool)
        if len(self.by_construction):
            skip[np.frombuffer(self.by_construction, np.int64)] = True
        return WitnessProgram(
            code=_np(self.code),
            lc_ptr=_np(self.lc_ptr),
            lc_col=_np(self.lc_col),
            lc_cid=_np(self.lc_cid),
            coeffs=list(self.p_coeffs),
            check_rows=np.flatnonzero(~skip).astype(np.int64),
            n_hints=len(self.hint_fns),
            n_py_hints=self.n_py_hints,
            io_limbs=self.io_limbs,
            hint_fns=list(self.hint_fns),
            hint_shapes=list(self.hint_shapes),
        )


def _np(a):
    return np.frombuffer(a, np.int64).copy() if len(a) else np.zeros(0, np.int64)
