"""Bit decompositions and range checks (circomlib's Num2Bits, Num2Bits_strict,
Bits2Num, and a range check), each with a plain-Python twin.

In-circuit functions take ``api`` first.  Bits are little-endian (bit 0 is
the least significant), as in circomlib.

Cost trick: ``num2bits(x, n)`` asks a hint for bits 0..n-2 only and defines
the top bit linearly as ``(x - sum_{i<n-1} b_i 2^i) / 2^(n-1)``; the n
booleanity constraints then also enforce the recomposition, so the gadget
costs n constraints (circomlib's Num2Bits(n) costs n at --O2 as well, n+1
at --O1).
"""

from ..circuit.hints import native
from ..errors import CircuitError
from ..field import R

#: bit length of r; a 254-bit decomposition can alias (x and x + r)
FIELD_BITS = 254
#: largest n for which an n-bit decomposition of a field element is unique
MAX_UNIQUE_BITS = 253
#: the scope of :func:`num2bits_strict`; ``zkats lint`` accepts a 254-bit
#: decomposition as unique only inside it (the alias check follows it there)
STRICT_SCOPE = "num2bits_strict"


# ------------------------------------------------------------------ twins
def num2bits_plain(x, n):
    """Little-endian n bits of the integer x; ValueError if x >= 2^n or x < 0."""
    x = int(x)
    if x < 0 or x >> n:
        raise ValueError(f"{x} does not fit in {n} bits")
    return [(x >> i) & 1 for i in range(n)]


def num2bits_strict_plain(x):
    """The 254 little-endian bits of a canonical field element (ValueError if x >= r)."""
    x = int(x)
    if not 0 <= x < R:
        raise ValueError("not a canonical field element")
    return num2bits_plain(x, FIELD_BITS)


def bits2num_plain(bits):
    """sum(b_i * 2^i) mod r."""
    return sum(int(b) << i for i, b in enumerate(bits)) % R


def range_check_plain(x, n):
    """True iff 0 <= x < 2^n."""
    return 0 <= int(x) < (1 << n)


# --------------------------------------------------------------- in-circuit
class BitsHint:
    """The hint of a bit decomposition: the ``n`` low bits of ``x``, little-endian.

    The mutation tester (:mod:`zkats.testing`) recognises decompositions by
    this type and forges the bits of the alias ``x + r``; ``full_field``
    marks the hint of a 254-bit (strict) decomposition."""

    def __init__(self, n):
        self.n = n
        self.__name__ = f"num2bits_{n}"
        native("bits")(self)  # the native witness solver computes it too

    @property
    def full_field(self):
        return self.n + 1 == FIELD_BITS

    def __call__(self, x):
        return [(x >> i) & 1 for i in range(self.n)]


def lint_note(api, *event):
    """Record a gadget event for ``zkats lint`` (``zkats/lint.py``) when the
    api carries a ``lint_events`` list (compile mode under the linter); a
    no-op otherwise.  Adds no wire and no constraint."""
    rec = getattr(api, "lint_events", None)
    if rec is not None:
        rec.append(event + (api.current_scope,))


def _decompose(api, x, n):
    """n boolean LCs b with sum b_i 2^i == x (mod r); n constraints."""
    lint_note(api, "range", api.lc(x), n)
    if n == 0:
        api.assert_zero(x)
        return []
    if n == 1:
        api.assert_bool(x)
        return [api.lc(x)]
    low = api.hint(BitsHint(n - 1), x, n_out=n - 1)
    if n - 1 == 1:
        low = [low]
    for b in low:
        api.assert_bool(b)
    rest = api.sum(low, [1 << i for i in range(n - 1)])
    top = (api.lc(x) - rest) * pow(1 << (n - 1), -1, R)
    api.assert_bool(top)
    return list(low) + [top]


def num2bits(api, x, n):
    """Little-endian bits of ``x`` as n boolean signals; n constraints.

    Precondition: 1 <= n <= 253 (so the decomposition is unique); the
    constraints are unsatisfiable unless 0 <= x < 2^n, so this is also an
    n-bit range check of ``x``.  For a full field element use
    :func:`num2bits_strict`.  The top bit is returned as a linear
    combination (not a fresh wire), which is an equally good signal."""
    if not isinstance(n, int) or not 0 <= n <= MAX_UNIQUE_BITS:
        raise CircuitError(
            f"num2bits: n must be in 0..{MAX_UNIQUE_BITS}, got {n!r} "
            f"(use num2bits_strict for full field elements)"
        )
    c = api.constant_value(x)
    if c is not None:
        if c >> n:
            raise CircuitError(f"num2bits: the constant {c} does not fit in {n} bits")
        return [api.constant(b) for b in num2bits_plain(c, n)]
    with api.scope("num2bits"):
        return _decompose(api, x, n)


def bits2num(api, bits):
    """sum(bits_i * 2^i) as a linear combination (free).  Precondition: the
    bits are boolean (constrained by whoever produced them); with more than
    253 bits the result wraps mod r."""
    bits = list(bits)
    return api.sum(bits, [1 << i for i in range(len(bits))])


def range_check(api, x, n):
    """Constrain 0 <= x < 2^n (n constraints).  Precondition: 0 <= n <= 253."""
    num2bits(api, x, n)


def _runs(bits_of_c):
    """Runs (bit value, [positions]) of a constant's bits, most significant first."""
    runs: list[tuple[int, list[int]]] = []
    for i in range(len(bits_of_c) - 1, -1, -1):
        b = bits_of_c[i]
        if runs and runs[-1][0] == b:
            runs[-1][1].append(i)
        else:
            runs.append((b, [i]))
    return runs


def assert_bits_le_constant(api, bits, c):
    """Constrain the unsigned integer with (boolean) little-endian ``bits`` to
    be <= the constant ``c`` (as integers, no reduction mod r).

    Walks the runs of ``c`` from the top keeping ``eq`` = "all higher bits
    equal c's": a run of zeros costs one constraint ``eq * sum(bits) == 0``;
    a run of ones updates ``eq`` with one product (length 1) or an is-zero
    test (2 constraints).  Precondition: ``bits`` are constrained boolean and
    ``c < 2^len(bits)``."""
    from .comparators import is_zero  # local import: comparators imports this module

    n = len(bits)
    if c >> n:
        return
    cb = [(c >> i) & 1 for i in range(n)]
    runs = _runs(cb)
    eq = api.constant(1)
    with api.scope("alias_check"):
        for idx, (v, pos) in enumerate(runs):
            s = api.sum([bits[i] for i in pos])
            if v == 0:
                api.assert_product(eq, s, 0)
            elif idx == len(runs) - 1:
                break  # trailing ones: nothing above can break <=
            else:
                if eq.is_constant and len(pos) == 1:
                    eq = api.lc(bits[pos[0]]) * eq.constant_value()
                elif len(pos) == 1:
                    eq = eq * bits[pos[0]]
                else:
                    k = len(pos) + (0 if eq.is_constant else 1)
                    total = s if eq.is_constant else s + eq
                    eq = is_zero(api, total - k)
    return


def num2bits_strict(api, x):
    """The 254 little-endian bits of the field element ``x``, with the alias
    check (the bits, read as an integer, are < r), so the decomposition is
    unique: the bits of x + r are rejected.  Cost: 254 + about 130
    constraints.  No precondition on ``x``."""
    c = api.constant_value(x)
    if c is not None:
        return [api.constant(b) for b in num2bits_strict_plain(c)]
    with api.scope(STRICT_SCOPE):
        bits = _decompose(api, x, FIELD_BITS)
        assert_bits_le_constant(api, bits, R - 1)
    return bits
