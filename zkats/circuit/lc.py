"""Linear combinations: the values a circuit's ``define`` computes with.

The same ``define`` runs twice: once to *compile* (every signal is a
symbolic :class:`SymLC`, a sparse ``{wire: coeff}`` map) and once per
witness to *solve* (every signal is a :class:`ValLC` carrying its value).
Both classes derive from :class:`LC` and follow the same rule for when a
product costs a constraint, so the two runs allocate the same wires in the
same order:

* every LC carries a *constant* flag; declared signals and wires are not
  constant; integers and ``api.constant(c)`` are;
* ``+``/``-`` give a constant only when both sides are constant
  (cancellation such as ``x - x`` does NOT make an LC constant: the flag is
  structural, never value-dependent);
* multiplying by an integer (or a constant LC) is free; multiplying by 0
  gives a constant;
* ``LC * LC`` with both non-constant emits one constraint and returns a new
  internal wire.

Coefficients are integers mod r.  LCs are never truthy: ``if signal:``
inside ``define`` raises, because branching on a witness value would build
a different circuit for different inputs (use ``select``/``mux``).
"""

import operator
from typing import Any

from ..errors import CircuitError
from ..field import R


class LC:
    """Base class of symbolic and valued linear combinations."""

    __slots__ = ()
    #: the api (Builder or Solver) the combination belongs to
    b: Any

    # provided by both kinds (SymLC, ValLC)
    def __mul__(self, o):
        raise NotImplementedError

    def constant_value(self):
        raise NotImplementedError

    def __bool__(self):
        raise CircuitError(
            "a signal has no truth value inside define: branching on a "
            "witness value changes the circuit (use select/mux, or "
            "api.value() inside a hint)"
        )

    def __truediv__(self, other):
        raise CircuitError(
            "use api.div(a, b) for field division (it costs a constraint unless b is constant)"
        )

    __rtruediv__ = __truediv__

    def __pow__(self, e):
        if not isinstance(e, int) or e < 1:
            raise CircuitError("LC ** e needs an integer e >= 1")
        acc = self
        for _ in range(e - 1):
            acc = acc * self
        return acc


def _as_int(x):
    if isinstance(x, int):
        return int(x) % R
    try:
        return operator.index(x) % R  # numpy integers and the like
    except TypeError:
        raise TypeError(f"cannot combine a signal with {type(x).__name__}") from None


class SymLC(LC):
    """Symbolic LC: ``t`` maps wire index -> coefficient (wire 0 is the
    constant one); ``k`` is the constant flag; ``b`` the builder."""

    __slots__ = ("t", "k", "b")

    def __init__(self, t, k, b):
        self.t = t
        self.k = k
        self.b = b

    # -- constants -------------------------------------------------------
    @property
    def is_constant(self):
        return self.k

    def constant_value(self):
        """The int value if the LC is constant, else None."""
        return self.t.get(0, 0) if self.k else None

    # -- linear operations -------------------------------------------------
    def __add__(self, o):
        if isinstance(o, SymLC):
            t = dict(self.t)
            for w, c in o.t.items():
                v = (t.get(w, 0) + c) % R
                if v:
                    t[w] = v
                else:
                    t.pop(w, None)
            return SymLC(t, self.k and o.k, self.b)
        if isinstance(o, LC):
            return NotImplemented
        c = _as_int(o)
        if not c:
            return self
        t = dict(self.t)
        v = (t.get(0, 0) + c) % R
        if v:
            t[0] = v
        else:
            t.pop(0, None)
        return SymLC(t, self.k, self.b)

    __radd__ = __add__

    def __neg__(self):
        return SymLC({w: R - c for w, c in self.t.items()}, self.k, self.b)

    def __sub__(self, o):
        if isinstance(o, SymLC):
            t = dict(self.t)
            for w, c in o.t.items():
                v = (t.get(w, 0) - c) % R
                if v:
                    t[w] = v
                else:
                    t.pop(w, None)
            return SymLC(t, self.k and o.k, self.b)
        if isinstance(o, LC):
            return NotImplemented
        return self + (-_as_int(o))

    def __rsub__(self, o):
        return (-self) + o

    def scale(self, c):
        c %= R
        if c == 0:
            return SymLC({}, True, self.b)
        if c == 1:
            return self
        return SymLC({w: v * c % R for w, v in self.t.items()}, self.k, self.b)

    def __mul__(self, o):
        if isinstance(o, SymLC):
            if self.k:
                return o.scale(self.t.get(0, 0))
            if o.k:
                return self.scale(o.t.get(0, 0))
            return self.b.mul(self, o)
        if isinstance(o, LC):
            return NotImplemented
        return self.scale(_as_int(o))

    __rmul__ = __mul__

    def __repr__(self):
        terms = " + ".join(f"{c}*w{w}" if w else str(c) for w, c in sorted(self.t.items()))
        return f"SymLC({terms or '0'})"


class ValLC(LC):
    """Valued LC used while solving: ``v`` is the value mod r, ``k`` the
    constant flag (same rules as :class:`SymLC`), ``b`` the solver."""

    __slots__ = ("v", "k", "b")

    def __init__(self, v, k, b):
        self.v = v
        self.k = k
        self.b = b

    @property
    def is_constant(self):
        return self.k

    def constant_value(self):
        return self.v if self.k else None

    def __add__(self, o):
        if isinstance(o, ValLC):
            return ValLC((self.v + o.v) % R, self.k and o.k, self.b)
        if isinstance(o, LC):
            return NotImplemented
        c = _as_int(o)
        if not c:
            return self
        return ValLC((self.v + c) % R, self.k, self.b)

    __radd__ = __add__

    def __neg__(self):
        return ValLC((-self.v) % R, self.k, self.b)

    def __sub__(self, o):
        if isinstance(o, ValLC):
            return ValLC((self.v - o.v) % R, self.k and o.k, self.b)
        if isinstance(o, LC):
            return NotImplemented
        return self + (-_as_int(o))

    def __rsub__(self, o):
        return (-self) + o

    def scale(self, c):
        c %= R
        if c == 0:
            return ValLC(0, True, self.b)
        if c == 1:
            return self
        return ValLC(self.v * c % R, self.k, self.b)

    def __mul__(self, o):
        if isinstance(o, ValLC):
            if self.k:
                return o.scale(self.v)
            if o.k:
                return self.scale(o.v)
            return self.b.mul(self, o)
        if isinstance(o, LC):
            return NotImplemented
        return self.scale(_as_int(o))

    __rmul__ = __mul__

    def __repr__(self):
        return f"ValLC({self.v}{', const' if self.k else ''})"
