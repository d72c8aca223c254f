"""The ``api`` object a circuit's ``define`` receives.

:class:`Builder` (compile mode) records constraints into flat integer
arrays; :class:`Solver` (solve mode) computes wire values.  Both expose the
same methods, implemented once in :class:`API` on top of a handful of
mode-specific primitives (``constant``, ``signal``, ``mul``, ``_emit``,
``_hint``, ``_sum``, ``set_output``), so that the same ``define`` produces
the same wire and constraint sequence in both modes.

Storage in compile mode (no per-constraint Python objects): for each of the
matrices A, B, C three ``array('q')`` hold the number of terms per row and
the column and coefficient id of every term; coefficients are interned in
one table of Python ints.  Constraint origins and internal-wire origins are
``array('i')`` of scope ids.
"""

import operator
from array import array
from contextlib import contextmanager

from ..errors import CircuitError
from ..field import R
from .hints import native
from .lc import LC, SymLC, ValLC


def _flatten(x, out):
    if isinstance(x, (list, tuple)):
        for y in x:
            _flatten(y, out)
    else:
        out.append(x)
    return out


class API:
    """Methods shared by both modes.  Arguments named ``a``, ``b``... accept
    an :class:`LC` or an int (a constant)."""

    is_solving = False
    #: a list while ``zkats lint`` compiles: gadgets record range checks and
    #: comparator calls in it (:func:`zkats.gadgets.bits.lint_note`)
    lint_events: list | None = None

    def __init__(self, first_internal):
        self.n_wires = first_internal
        self.first_internal = first_internal
        self.n_constraints = 0
        self.scope_names = [""]
        self._scope_ids = {"": 0}
        self._scope = 0
        self._scope_stack = []
        self.wire_scope = array("i")  # scope id of each internal wire
        self.hint_wires = array("q")  # wires whose value came from a hint
        self.wire_names = {}  # optional names of internal wires
        self.n_pub_out = 0  # set by the driver (compiled.py)
        self.names = {}  # declared signal names, set by the driver

    # ---------------------------------------- provided by both modes (Builder, Solver)
    def constant(self, c):
        raise NotImplementedError

    def _wire_of(self, x, strict=True):
        raise NotImplementedError

    def _sum(self, xs, coeffs):
        raise NotImplementedError

    def _emit(self, a, b, c):
        raise NotImplementedError

    def _hint(self, fn, inputs, n_out):
        raise NotImplementedError

    # ---------------------------------------------------------------- scopes
    @contextmanager
    def scope(self, name):
        """Name the constraints emitted inside (paths nest with ``/``): used in
        error messages and ``CompiledCircuit.counts_by_scope()``."""
        name = str(name)
        if "/" in name:
            raise CircuitError(f"scope name {name!r} must not contain '/'")
        parent = self.scope_names[self._scope]
        path = f"{parent}/{name}" if parent else name
        sid = self._scope_ids.get(path)
        if sid is None:
            sid = self._scope_ids[path] = len(self.scope_names)
            self.scope_names.append(path)
        self._scope_stack.append(self._scope)
        self._scope = sid
        try:
            yield
        finally:
            self._scope = self._scope_stack.pop()

    @property
    def current_scope(self):
        return self.scope_names[self._scope]

    # ---------------------------------------------------------- conversions
    def lc(self, x):
        """An int or LC as an LC of this api (ints become constants)."""
        if isinstance(x, LC):
            if x.b is not self:
                raise CircuitError("a signal from another circuit run was used")
            return x
        if isinstance(x, bool) or not isinstance(x, int):
            try:
                x = operator.index(x)  # numpy integers and the like
            except TypeError:
                raise CircuitError(f"expected a signal or an int, got {type(x).__name__}") from None
        return self.constant(x)

    def constant_value(self, x):
        """The int value of ``x`` if it is a constant (int or constant LC), else None."""
        if isinstance(x, LC):
            return x.constant_value()
        return int(x) % R

    # ------------------------------------------------------------ arithmetic
    def add(self, *xs):
        acc = self.constant(0)
        for x in xs:
            acc = acc + x
        return acc

    def sub(self, a, b):
        return self.lc(a) - b

    def neg(self, a):
        return -self.lc(a)

    def mul(self, a, b):
        """a * b: one constraint unless either side is constant."""
        return self.lc(a) * self.lc(b)

    def square(self, a):
        a = self.lc(a)
        return a * a

    def inverse(self, a):
        """1/a: a hint plus the constraint ``a * inv == 1`` (unsatisfiable for a == 0).
        Free when ``a`` is constant (CircuitError if it is the constant 0)."""
        a = self.lc(a)
        if a.is_constant:
            v = a.constant_value()
            if v == 0:
                raise CircuitError(f"inverse of the constant 0 (scope {self.current_scope!r})")
            return self.constant(pow(v, -1, R))
        with self.scope("inverse"):
            inv = self.hint(_inv, a)
            self.assert_product(a, inv, 1)
        return inv

    def div(self, a, b):
        """a / b: a hint q plus the constraint ``b * q == a`` (unsatisfiable if
        b == 0 and a != 0; for b == 0 == a the hint gives q = 0 and the
        constraint holds, so callers needing b != 0 must assert it).
        Free when b is constant."""
        a, b = self.lc(a), self.lc(b)
        if b.is_constant:
            v = b.constant_value()
            if v == 0:
                raise CircuitError(f"division by the constant 0 (scope {self.current_scope!r})")
            return a * pow(v, -1, R)
        with self.scope("div"):
            q = self.hint(_div, a, b)
            self.assert_product(b, q, a)
        return q

    def sum(self, xs, coeffs=None):
        """sum(c_i * x_i) without intermediate copies (linear, free)."""
        xs = list(xs)
        if coeffs is None:
            coeffs = [1] * len(xs)
        else:
            coeffs = list(coeffs)
            if len(coeffs) != len(xs):
                raise CircuitError("sum(): coeffs and xs differ in length")
        return self._sum(xs, coeffs)

    # ------------------------------------------------------------ assertions
    def assert_product(self, a, b, c):
        """The raw rank-1 constraint a * b == c (always one constraint)."""
        self._emit(self.lc(a), self.lc(b), self.lc(c))

    def assert_equal(self, a, b):
        """a == b: one linear constraint (none, but a check, if both constant)."""
        a, b = self.lc(a), self.lc(b)
        if a.is_constant and b.is_constant:
            if a.constant_value() != b.constant_value():
                raise CircuitError(
                    f"assert_equal of two different constants (scope {self.current_scope!r})"
                )
            return
        self._emit(self.constant(0), self.constant(0), a - b)

    def assert_zero(self, a):
        self.assert_equal(a, 0)

    def assert_bool(self, a):
        """a * (a - 1) == 0: one constraint."""
        a = self.lc(a)
        if a.is_constant:
            if a.constant_value() not in (0, 1):
                raise CircuitError(
                    f"assert_bool of a non-boolean constant (scope {self.current_scope!r})"
                )
            return
        self._emit(a, a - 1, self.constant(0))

    # ----------------------------------------------------------------- hints
    def hint(self, fn, *inputs, n_out=1, name=None):
        """New private wires computed by ``fn`` outside the constraints.

        ``fn`` receives the inputs as ints mod r (lists of signals as lists of
        ints) and returns an int (``n_out == 1``) or a list of ``n_out`` ints.
        The outputs are UNCONSTRAINED: the caller must constrain them.  Returns
        one LC, or a list when ``n_out != 1``."""
        if n_out < 1:
            raise CircuitError("hint n_out must be >= 1")
        wires = self._hint(fn, inputs, n_out)
        for w in wires:
            self.hint_wires.append(self._wire_of(w))
        if name is None:
            name = self._hint_name(inputs)
        if name is not None:
            if n_out == 1:
                self.wire_names[self._wire_of(wires[0])] = str(name)
            else:
                for i, w in enumerate(wires):
                    self.wire_names[self._wire_of(w)] = f"{name}[{i}]"
        return wires[0] if n_out == 1 else wires

    def _hint_name(self, inputs):
        """A name for an unnamed hint's outputs when every input is a named
        signal: ``num2bits(size)`` (the innermost scope, the inputs' names),
        so that errors name the user's signals rather than ``hint388``."""
        if self.is_solving:
            return None
        names = []
        for x in _flatten(list(inputs), []):
            if isinstance(x, int):
                continue
            w = self._wire_of(x, strict=False)
            nm = None
            if w is not None and w > 0:
                nm = self.names.get(w) or self.wire_names.get(w)
            if nm is None:
                return None
            names.append(nm)
        if not names or len(names) > 4:
            return None
        scope = self.current_scope.rpartition("/")[2] or "hint"
        return f"{scope}({', '.join(names)})"

    def name(self, x, name):
        """Give an internal wire (a plain wire LC) a name for error messages."""
        w = self._wire_of(x, strict=False)
        if w is not None and w >= self.first_internal:
            self.wire_names[w] = str(name)
        return x

    def _new_wire_record(self):
        w = self.n_wires
        self.n_wires += 1
        self.wire_scope.append(self._scope)
        return w


@native("inv")
def _inv(x):
    return pow(x, -1, R) if x else 0


@native("div")
def _div(a, b):
    return a * pow(b, -1, R) % R if b else 0


class Builder(API):
    """Compile mode: records the constraint system."""

    is_solving = False

    def __init__(self, first_internal):
        super().__init__(first_internal)
        self.counts = [array("q"), array("q"), array("q")]  # terms per row
        self.cols = [array("q"), array("q"), array("q")]
        self.cids = [array("q"), array("q"), array("q")]
        self.coeff_ids = {}
        self.coeff_table = []
        self.constraint_scope = array("i")
        self.outputs_set = set()
        self._zero = SymLC({}, True, self)

    def constant(self, c):
        if isinstance(c, LC):
            raise CircuitError("constant() takes an int")
        c = int(c) % R
        return SymLC({0: c} if c else {}, True, self)

    def signal(self, wire):
        return SymLC({wire: 1}, False, self)

    def value(self, x):
        """None while compiling (values exist only when solving)."""
        return None

    def _wire_of(self, x, strict=True):
        if isinstance(x, SymLC) and len(x.t) == 1:
            ((w, c),) = x.t.items()
            if c == 1 and w != 0:
                return w
        if strict:
            raise CircuitError("expected a single wire")
        return None

    def _sum(self, xs, coeffs):
        # products are summed unreduced and reduced once per wire (the hot
        # loop of Poseidon's folded MDS layers); same terms, same key order
        t: dict[int, int] = {}
        get = t.get
        k = True
        for x, c in zip(xs, coeffs):
            c = int(c) % R
            if isinstance(x, SymLC):
                if x.b is not self:
                    raise CircuitError("a signal from another circuit run was used")
                if not c:
                    continue
                k = k and x.k
                for w, v in x.t.items():
                    t[w] = get(w, 0) + v * c
            else:
                v = self.lc(x)
                if c:
                    t[0] = get(0, 0) + v.t.get(0, 0) * c
        out = {}
        for w, v in t.items():
            v %= R
            if v:
                out[w] = v
        return SymLC(out, k, self)

    def _emit(self, a, b, c):
        self._emit_t(a.t, b.t, c.t)

    def _emit_t(self, ta, tb, tc):
        """Append one constraint given the three {wire: coeff} maps."""
        self.n_constraints += 1
        self.constraint_scope.append(self._scope)
        ids = self.coeff_ids
        for m, t in ((0, ta), (1, tb), (2, tc)):
            self.counts[m].append(len(t))
            if not t:
                continue
            cols, cids = self.cols[m], self.cids[m]
            for w in sorted(t) if len(t) > 1 else t:
                v = t[w]
                i = ids.get(v)
                if i is None:
                    i = ids[v] = len(self.coeff_table)
                    self.coeff_table.append(v)
                cols.append(w)
                cids.append(i)

    def assert_bool(self, a):
        a = self.lc(a)
        if a.k:
            return API.assert_bool(self, a)
        tb = dict(a.t)
        v = (tb.get(0, 0) - 1) % R
        if v:
            tb[0] = v
        else:
            del tb[0]
        self._emit_t(a.t, tb, {})

    def mul(self, a, b):
        if (
            isinstance(a, SymLC)
            and isinstance(b, SymLC)
            and a.b is self
            and b.b is self
            and not a.k
            and not b.k
        ):
            w = self._new_wire_record()
            out = SymLC({w: 1}, False, self)
            self._emit(a, b, out)
            return out
        return self.lc(a) * self.lc(b)

    def _hint(self, fn, inputs, n_out):
        for x in _flatten(list(inputs), []):
            if isinstance(x, LC):
                self.lc(x)
            elif isinstance(x, bool) or not isinstance(x, int):
                raise CircuitError(f"hint inputs must be signals or ints, got {type(x).__name__}")
        return [SymLC({self._new_wire_record(): 1}, False, self) for _ in range(n_out)]

    def set_output(self, out, expr):
        """Constrain the declared output ``out`` to equal ``expr`` (one linear
        constraint) and, when solving, give it that value."""
        w = self._wire_of(out, strict=False)
        if w is None or not (1 <= w <= self.n_pub_out):
            raise CircuitError("set_output: the first argument must be a declared Output signal")
        if w in self.outputs_set:
            raise CircuitError(f"set_output: output {self.names.get(w, w)} is set twice")
        self.outputs_set.add(w)
        self._emit(self._zero, self._zero, self.lc(expr) - out)


class Solver(API):
    """Solve mode: computes every wire's value; checks each constraint as it
    is emitted and remembers the first one that fails."""

    is_solving = True

    def __init__(self, first_internal, values):
        super().__init__(first_internal)
        self.values = values  # list, len first_internal, inputs filled
        self.first_failure = None  # (constraint index)
        self.hint_hook = None  # tests: (index, fn, args, outputs) -> outputs
        self.hint_count = 0

    def constant(self, c):
        if isinstance(c, LC):
            raise CircuitError("constant() takes an int")
        return ValLC(int(c) % R, True, self)

    def signal(self, wire):
        x = (OutVal if wire <= self.n_pub_out else WireVal)(self.values[wire], False, self)
        x.w = wire
        return x

    def value(self, x):
        """The int value of a signal (or int) while solving."""
        if isinstance(x, ValLC):
            return x.v
        return int(x) % R

    def _wire_of(self, x, strict=True):
        w = getattr(x, "w", None) if isinstance(x, ValLC) else None
        if w is None and strict:
            raise CircuitError("expected a single wire")
        return w

    def _sum(self, xs, coeffs):
        acc = 0
        k = True
        for x, c in zip(xs, coeffs):
            c = int(c) % R
            if isinstance(x, ValLC):
                if not c:
                    continue
                k = k and x.k
                acc += x.v * c
            else:
                acc += self.lc(x).v * c
        return ValLC(acc % R, k, self)

    def _new_wire(self, v):
        w = self._new_wire_record()
        self.values.append(v)
        x = WireVal(v, False, self)
        x.w = w
        return x

    def _emit(self, a, b, c):
        row = self.n_constraints
        self.n_constraints = row + 1
        if self.first_failure is None and (a.v * b.v - c.v) % R:
            self.first_failure = row

    def mul(self, a, b):
        if (
            isinstance(a, ValLC)
            and isinstance(b, ValLC)
            and a.b is self
            and b.b is self
            and not a.k
            and not b.k
        ):
            self.n_constraints += 1  # satisfied by construction
            return self._new_wire(a.v * b.v % R)
        return self.lc(a) * self.lc(b)

    def _hint(self, fn, inputs, n_out):
        args = [_to_ints(self, x) for x in inputs]
        try:
            res = fn(*args)
        except Exception as exc:  # the hint's own failure, reported with its place
            raise CircuitError(
                f"hint {getattr(fn, '__name__', fn)!s} failed in scope "
                f"{self.current_scope!r}: {type(exc).__name__}: {exc}"
            ) from exc
        if n_out == 1 and not isinstance(res, (list, tuple)):
            res = [res]
        res = list(res)
        if self.hint_hook is not None:
            res = list(self.hint_hook(self.hint_count, fn, args, res))
        self.hint_count += 1
        if len(res) != n_out:
            raise CircuitError(
                f"hint {getattr(fn, '__name__', fn)!s} returned {len(res)} values, expected {n_out}"
            )
        out = []
        for v in res:
            if isinstance(v, bool) or not isinstance(v, int):
                raise CircuitError(
                    f"hint {getattr(fn, '__name__', fn)!s} returned a "
                    f"{type(v).__name__}, expected int"
                )
            out.append(self._new_wire(v % R))
        return out

    def set_output(self, out, expr):
        w = self._wire_of(out, strict=False)
        if w is None or not (1 <= w <= self.n_pub_out):
            raise CircuitError("set_output: the first argument must be a declared Output signal")
        if _slot_v.__get__(out) is not None:
            raise CircuitError(f"set_output: output {self.names.get(w, w)} is set twice")
        v = self.lc(expr).v
        out.v = v
        self.values[w] = v
        self.n_constraints += 1  # satisfied by construction


class WireVal(ValLC):
    """A valued single wire (inputs, outputs, internal wires)."""

    __slots__ = ("w",)
    w: int


_slot_v = ValLC.__dict__["v"]  # the slot's descriptor


class OutVal(WireVal):
    """A declared output while solving: its value exists once set_output ran."""

    __slots__ = ()

    @property
    def v(self):
        val = _slot_v.__get__(self)
        if val is None:
            raise CircuitError(
                f"output wire {self.w} is used before api.set_output gives "
                f"it a value (set outputs first, or compute from inputs)"
            )
        return val

    @v.setter
    def v(self, val):
        _slot_v.__set__(self, val)


def _to_ints(api, x):
    if isinstance(x, (list, tuple)):
        return [_to_ints(api, y) for y in x]
    return api.value(x)
