"""Witness programs: a circuit's ``define`` compiled once into operations
that the native solver (``native/wsolve.c``) replays for every witness.

:class:`Tracer` is the compile-mode :class:`~.api.Builder` that also records,
in the order ``define`` runs, how each wire gets its value and which
constraints to check (the format is in ``native/wsolve.h``):

* ``MUL w la lb``: ``w = L[la] * L[lb]`` (a product ``LC * LC``);
* ``LC w la``: ``w = L[la]`` (``set_output``);
* ``HINT kind id w0 n_out n_in l... n_par par...``: a hint's outputs,
  computed natively for the kinds of :mod:`.hints` and by the Python
  function otherwise;
* ``CHECK row la lb lc``: every other constraint (asserts, hint checks).

``L[i]`` are the linear combinations the operations read, each evaluated
once per witness; a long one is stored as an earlier one times a factor
plus the difference, so accumulators (Baby Jubjub ladders, Poseidon
states) cost what they cost the Python solver instead of their full length
at every use.  Products and ``set_output`` rows hold by construction (the
Python solver does not check them either); the first failing ``CHECK`` is
reported exactly as the Python solver reports it.  The Python solver
(``CompiledCircuit.solve(..., engine="python")``) stays the reference;
tests compare both.

A program whose ``define`` reads an output before ``set_output`` gives it
a value (the Python solver raises there), or looks at ``api.is_solving`` or
``api.value`` (it may compute differently when solving) is not replayable:
such circuits have no program and are solved in Python.
"""

from array import array
from collections import deque
from functools import lru_cache
from itertools import islice

import numpy as np

from ..field import R
from .api import Builder, _flatten
from .hints import native_kind
from .lc import SymLC

OP_MUL, OP_LC, OP_HINT, OP_CHECK = 1, 2, 3, 4
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

    ``code``: int64 operations (``native/wsolve.h``); ``lc_ptr/lc_col/lc_cid``:
    the terms of the linear combinations the operations name (cids into
    ``coeffs``, the program's own coefficient table), ``lc_base/lc_bcoef``:
    the earlier combination each one extends (-1: none) and its factor (a
    cid, -1: one); ``io_limbs``: the scratch size the largest hint needs.
    ``hint_fns``/``hint_shapes`` (per hint id: the Python function and the
    nesting of its arguments) exist only for a program traced in this
    process (not one loaded from the disk cache)."""

    ARRAYS = ("code", "lc_ptr", "lc_col", "lc_cid", "lc_base", "lc_bcoef")

    def __init__(
        self,
        code,
        lc_ptr,
        lc_col,
        lc_cid,
        lc_base,
        lc_bcoef,
        coeffs,
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
        self.lc_base = lc_base
        self.lc_bcoef = lc_bcoef
        self.coeffs = coeffs
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
    w: int

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
        self.lc_base = array("q")
        self.lc_bcoef = array("q")
        self.p_coeff_ids = {}
        self.p_coeffs = []
        self._memo = {}  # id(terms dict) -> (dict, index): recent combinations
        self._memo_order: deque = deque()
        self._recent: deque = deque(maxlen=_BASE_CANDIDATES)  # (index, dict) of long ones
        self._by_terms: dict = {}  # _signature -> (dict, index)
        self._constructing = False
        self._empty = None
        self.hint_fns = []
        self.hint_shapes = []
        self.n_py_hints = 0
        self.io_limbs = 0
        self.replayable = True
        self._setting = False
        self._internal = False

    def signal(self, wire):
        if 1 <= wire <= self.n_pub_out:
            x = _OutSym({wire: 1}, False, self)
            x.w = wire
            return x
        return super().signal(wire)

    # a define that asks whether it is solving, or for values, may compute
    # differently when solving: only the Python solver runs it then
    # read-only here: a define reading it is what is tracked
    @property
    def is_solving(self):  # type: ignore[override]
        if not self._internal:
            self.replayable = False
        return False

    def _hint_name(self, inputs):
        # (the API's own read of is_solving says nothing about define)
        self._internal = True
        try:
            return super()._hint_name(inputs)
        finally:
            self._internal = False

    def value(self, x):
        """None while compiling (as :class:`Builder`); the program is not replayable."""
        self.replayable = False

    def _coef(self, c):
        k = self.p_coeff_ids.get(c)
        if k is None:
            k = self.p_coeff_ids[c] = len(self.p_coeffs)
            self.p_coeffs.append(c)
        return k

    def _lc(self, x):
        return self._ref(self.lc(x).t)

    def _ref(self, t):
        """The index of the program's combination with the terms ``t``: the
        same dict object gets the same combination (``x * x`` evaluates x
        once); a long one is stored as ``s * earlier + delta`` when an earlier
        long combination covers most of it (accumulators that grow by a few
        terms per step are then evaluated in time linear in the steps)."""
        if not t:
            if self._empty is None:
                self._empty = self._new_ref({}, -1, -1)
            return self._empty
        hit = self._memo.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
        base, bcoef, delta = -1, -1, t
        refs: list[tuple[int, int]] = []
        n = len(t)
        if n >= _BASE_MIN:
            found = _best_base(t, self._recent)
            if found is not None:
                base, sc, delta = found
                bcoef = -1 if sc == 1 else self._coef(sc)
            # what is left may be made of other earlier combinations (the
            # u and v accumulators of a scalar multiplication): referenced
            while len(delta) >= _BASE_MIN and len(refs) < _MAX_REFS:
                more = _best_base(delta, self._recent, len(delta) - _MIN_GAIN, _BASE_MIN // 2)
                if more is None:
                    break
                j, sc, delta = more
                refs.append((j, sc))
            if len(delta) >= _BASE_MIN and (refs or base >= 0):
                # a long rest, the part of t that is new: its own combination
                # (referenced), so that the next step's, which extends it,
                # finds it as its base
                refs.append((self._ref(delta), 1))
                delta = {}
        i = self._new_ref(delta, base, bcoef, refs)
        self._remember(t, i)
        return i

    def _remember(self, t, i):
        """``t`` is combination ``i``: found again by identity, a candidate
        base while recent, and by its terms but the constant (``_known``)."""
        self._memo[id(t)] = (t, i)
        self._memo_order.append(id(t))
        if len(self._memo_order) > _MEMO:
            old = self._memo_order.popleft()
            if old != id(t):
                self._memo.pop(old, None)
        n = len(t)
        if n >= _BASE_MIN // 2:
            self._recent.append((i, t))
        if n >= _REF_MIN:
            self._by_terms[_signature(t)] = (t, i)

    def _known(self, t):
        """(i, k): combination ``i`` equals ``t`` but for its constant, which
        is ``k`` less (a state plus a round constant); made if none is."""
        hit = self._memo.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1], 0
        hit = self._by_terms.get(_signature(t))
        if hit is not None:
            t0, i = hit
            if all(w == 0 or t0.get(w) == c for w, c in t.items()) and len(t0) - (0 in t0) == len(
                t
            ) - (0 in t):
                return i, (t.get(0, 0) - t0.get(0, 0)) % R
        return self._ref(t), 0

    def _sum(self, xs, coeffs):
        """As the Builder's; a long sum of long combinations (a Poseidon
        state, multiplied by the MDS matrix) is also recorded at once as
        the sum of references to them, so that its value costs one term
        per part, not all of theirs."""
        out = super()._sum(xs, coeffs)
        if self._constructing or len(out.t) < _BASE_MIN:
            return out
        # worth it when the parts are few against the sum's terms: k parts
        # that are sums themselves cost about k * k per step, the flat sum
        # its length (a Poseidon state of width 3 from its 6th partial round
        # on; a width 17 one, never)
        long = sum(1 for x, c in zip(xs, coeffs) if isinstance(x, SymLC) and len(x.t) >= _REF_MIN)
        if not long or long * long > len(out.t):
            return out
        refs: list[tuple[int, int]] = []
        rest: dict[int, int] = {}
        for x, c in zip(xs, coeffs):
            c = int(c) % R
            if not c:
                continue
            if isinstance(x, SymLC) and len(x.t) >= _REF_MIN:
                j, k = self._known(x.t)
                refs.append((j, c))
                if k:
                    rest[0] = rest.get(0, 0) + k * c
            else:
                for w, v in self.lc(x).t.items():
                    rest[w] = rest.get(w, 0) + v * c
        if not refs:
            return out
        rest = {w: v % R for w, v in rest.items() if v % R}
        self._remember(out.t, self._new_ref(rest, -1, -1, refs))
        return out

    def _new_ref(self, terms, base, bcoef, refs=()):
        coef = self._coef
        for j, c in refs:  # references to earlier combinations lead the terms
            self.lc_col.append(-(j + 1))
            self.lc_cid.append(coef(c))
        for w, c in terms.items():
            self.lc_col.append(w)
            self.lc_cid.append(coef(c))
        self.lc_ptr.append(len(self.lc_col))
        self.lc_base.append(base)
        self.lc_bcoef.append(bcoef)
        return len(self.lc_base) - 1

    def _emit_t(self, ta, tb, tc):
        if not self._constructing:
            refs = (self._ref(ta), self._ref(tb), self._ref(tc))
            self.code.extend((OP_CHECK, self.n_constraints) + refs)
        super()._emit_t(ta, tb, tc)

    def mul(self, a, b):
        if (
            isinstance(a, SymLC)
            and isinstance(b, SymLC)
            and a.b is self
            and b.b is self
            and not a.k
            and not b.k
        ):
            ra, rb = self._ref(a.t), self._ref(b.t)
            self._constructing = True
            try:
                out = super().mul(a, b)
            finally:
                self._constructing = False
            self.code.extend((OP_MUL, next(iter(out.t)), ra, rb))
            return out
        return super().mul(a, b)

    def _hint(self, fn, inputs, n_out):
        wires = super()._hint(fn, inputs, n_out)
        flat = _flatten(list(inputs), [])
        lcs = [self._lc(x) for x in flat]
        nk = native_kind(fn, len(flat), n_out)
        params: tuple
        if nk is None:
            kind, params = PY_HINT, ()
            self.n_py_hints += 1
        else:
            kind, params = nk
        pids = [self._coef(p % R) for p in params]  # parameters: coefficient table entries
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
        lc = self._lc(expr)
        self._setting = self._constructing = True
        try:
            super().set_output(out, expr)
        finally:
            self._setting = self._constructing = False
        self.code.extend((OP_LC, self._wire_of(out), lc))

    def program(self):
        """The recorded :class:`WitnessProgram`, or None if not replayable."""
        if not self.replayable:
            return None
        return WitnessProgram(
            code=_np(self.code),
            lc_ptr=_np(self.lc_ptr),
            lc_col=_np(self.lc_col),
            lc_cid=_np(self.lc_cid),
            lc_base=_np(self.lc_base),
            lc_bcoef=_np(self.lc_bcoef),
            coeffs=list(self.p_coeffs),
            n_hints=len(self.hint_fns),
            n_py_hints=self.n_py_hints,
            io_limbs=self.io_limbs,
            hint_fns=list(self.hint_fns),
            hint_shapes=list(self.hint_shapes),
        )


#: combinations remembered by identity, long ones tried as bases, and the
#: length from which a combination looks for a base.  24 candidates (12
#: before) find the bases of accumulators updated in interleaved groups of
#: up to 24: the order circuit's program has 105k terms instead of 169k,
#: the transition's 182k instead of 246k (witness about 10% faster); the
#: compile time did not measurably change
_MEMO = 64
_BASE_CANDIDATES = 24
_BASE_MIN = 8
#: earlier combinations one may reference besides its base, each saving
#: at least _MIN_GAIN terms
_MAX_REFS = 4
_MIN_GAIN = 4
#: a part of a sum this long is referenced rather than copied
_REF_MIN = 3


def _signature(t):
    """The first two wires of ``t`` (the constant aside), their
    coefficients and its number of terms without the constant."""
    it = ((w, c) for w, c in t.items() if w != 0)
    return (len(t) - (0 in t), next(it, None), next(it, None))


def _best_base(t, recent, bound=None, min_len=None):
    """(index, s, delta) with ``t == s * earlier + delta`` for a recent
    combination of at least ``min_len`` terms that leaves a delta of fewer
    than ``bound`` terms (default: half of ``t``, for both; the first one
    under a quarter of ``t``, else the shortest), or None."""
    n = len(t)
    best = None
    if bound is None:
        bound = n // 2
    if min_len is None:
        min_len = bound
    get = t.get
    for j, ct in reversed(recent):
        m = len(ct)
        if m < min_len or m >= 2 * n + 8 or ct is t:
            continue
        sc = _scale(t, ct)
        if sc is None:
            continue
        # the delta has at most n - m + 2 * (terms of ct not matched) terms
        miss = 0
        lim = (bound - n + m) // 2
        if sc == 1:
            for w, c in ct.items():
                if get(w) != c:
                    miss += 1
                    if miss > lim:
                        break
        elif sc == R - 1:
            for w, c in ct.items():
                if get(w) != R - c:
                    miss += 1
                    if miss > lim:
                        break
        else:
            for w, c in ct.items():
                if get(w) != sc * c % R:
                    miss += 1
                    if miss > lim:
                        break
        if miss > lim:
            continue
        d = dict(t)
        for w, c in ct.items():
            v = (d.get(w, 0) - sc * c) % R
            if v:
                d[w] = v
            else:
                d.pop(w, None)
        if len(d) < bound:
            best, bound = (j, sc, d), len(d)
            if bound <= n // 4:
                break
    return best


@lru_cache(maxsize=4096)
def _inverse(c):
    return pow(c, -1, R)


def _scale(t, ct):
    """The factor s with t[w] == s * ct[w] on the first common wires (among
    the first 16 of ct), or None."""
    s = None
    agree = 0
    for w, c in islice(ct.items(), 16):
        if w == 0:
            continue
        tc = t.get(w)
        if tc is None:
            continue
        if s is None:
            s = tc if c == 1 else (R - tc) % R if c == R - 1 else tc * _inverse(c) % R
        elif tc == s * c % R:
            agree += 1
            if agree == 2:
                break
        else:
            return None
    return s


def _np(a):
    return np.frombuffer(a, np.int64).copy() if len(a) else np.zeros(0, np.int64)
