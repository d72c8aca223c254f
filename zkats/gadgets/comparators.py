"""Comparators (circomlib's IsZero, IsEqual, LessThan, LessEqThan,
GreaterThan, GreaterEqThan, and a range-membership assertion), each with a
plain-Python twin.

Comparisons of n-bit numbers work on ``a + 2^n - b``: its bit n is 1 iff
a >= b.  PRECONDITION for every ``*_than``/``*_eq`` gadget: ``a`` and ``b``
are already known to fit in n bits.  These gadgets do NOT check it; the
CALLER must (with :func:`zkats.gadgets.bits.range_check` or because the
values come from a decomposition).  Without it the output is meaningless:
e.g. with b = r - 1 ("-1") ``less_than`` can claim a < b for any a.  The
bound n <= 252 (so ``a + 2^n - b`` cannot wrap mod r) is enforced with a
CircuitError.
"""

from ..circuit.hints import native
from ..errors import CircuitError
from ..field import R
from .bits import _decompose, lint_note

MAX_COMPARE_BITS = 252


# ------------------------------------------------------------------ twins
def is_zero_plain(x):
    return 1 if int(x) % R == 0 else 0


def is_equal_plain(a, b):
    return 1 if (int(a) - int(b)) % R == 0 else 0


def less_than_plain(n, a, b):
    """1 if a < b else 0, for a, b in [0, 2^n) (ValueError otherwise)."""
    _check_n(n)
    a, b = int(a), int(b)
    if not (0 <= a < 1 << n and 0 <= b < 1 << n):
        raise ValueError(f"less_than: inputs must fit in {n} bits")
    return 1 if a < b else 0


def less_eq_plain(n, a, b):
    return less_than_plain(n, a, b) | is_equal_plain(a, b)


def greater_than_plain(n, a, b):
    return less_than_plain(n, b, a)


def greater_eq_plain(n, a, b):
    return 1 - less_than_plain(n, a, b)


def in_range_plain(x, lo, hi):
    return 1 if int(lo) <= int(x) <= int(hi) else 0


# --------------------------------------------------------------- in-circuit
def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_COMPARE_BITS:
        raise CircuitError(f"comparator bit size n must be in 1..{MAX_COMPARE_BITS}, got {n!r}")


@native("inv")
def _inv_or_zero(x):
    return pow(x, -1, R) if x else 0


def is_zero(api, x):
    """1 if x == 0 else 0, as a signal constrained boolean: 2 constraints
    (circomlib's IsZero).  No precondition."""
    c = api.constant_value(x)
    if c is not None:
        return api.constant(1 if c == 0 else 0)
    with api.scope("is_zero"):
        inv = api.hint(_inv_or_zero, x)
        out = 1 - api.mul(x, inv)
        api.assert_product(x, out, 0)
    return out


def is_equal(api, a, b):
    """1 if a == b else 0: 2 constraints (circomlib's IsEqual)."""
    with api.scope("is_equal"):
        return is_zero(api, api.sub(a, b))


def less_than(api, n, a, b):
    """1 if a < b else 0: n + 1 constraints (circomlib's LessThan(n)).

    Precondition (the caller's duty): 0 <= a, b < 2^n; n <= 252."""
    _check_n(n)
    lint_note(api, "compare", "less_than", n, api.lc(a), api.lc(b))
    with api.scope("less_than"):
        bits = _decompose(api, api.lc(a) + (1 << n) - b, n + 1)
        return 1 - bits[n]


def less_eq(api, n, a, b):
    """1 if a <= b else 0: n + 1 constraints.  Precondition: a, b < 2^n, b + 1 < 2^n
    is NOT needed (the sum uses n + 1 bits)."""
    _check_n(n)
    lint_note(api, "compare", "less_eq", n, api.lc(a), api.lc(b))
    with api.scope("less_eq"):
        bits = _decompose(api, api.lc(a) + (1 << n) - b - 1, n + 1)
        return 1 - bits[n]


def greater_than(api, n, a, b):
    """1 if a > b else 0: n + 1 constraints.  Precondition: 0 <= a, b < 2^n."""
    _check_n(n)
    lint_note(api, "compare", "greater_than", n, api.lc(a), api.lc(b))
    with api.scope("greater_than"):
        bits = _decompose(api, api.lc(b) + (1 << n) - a, n + 1)
        return 1 - bits[n]


def greater_eq(api, n, a, b):
    """1 if a >= b else 0: n + 1 constraints.  Precondition: 0 <= a, b < 2^n."""
    _check_n(n)
    lint_note(api, "compare", "greater_eq", n, api.lc(a), api.lc(b))
    with api.scope("greater_eq"):
        bits = _decompose(api, api.lc(a) + (1 << n) - b, n + 1)
        return bits[n]


def assert_in_range(api, x, lo, hi, n):
    """Constrain lo <= x <= hi (as integers).

    Precondition: lo and hi are constants or signals known to be < 2^n
    (range-checked by the caller); ``x`` may be any field element (the check
    itself bounds it).  n <= 252.  Cost: 2 * n constraints, or 2 * m with
    m = bitlen(hi - lo) when lo and hi are constants (m when hi - lo + 1 is
    a power of two)."""
    _check_n(n)
    clo, chi = api.constant_value(lo), api.constant_value(hi)
    with api.scope("assert_in_range"):
        if clo is not None and chi is not None:
            if not (0 <= clo <= chi < (1 << n)):
                raise CircuitError(
                    f"assert_in_range: need 0 <= lo <= hi < 2^{n}, got lo={clo}, hi={chi}"
                )
            span = chi - clo
            m = span.bit_length()
            _decompose(api, api.lc(x) - clo, m)
            if span + 1 != 1 << m:
                _decompose(api, chi - api.lc(x), m)
            return
        lint_note(api, "compare", "assert_in_range", n, api.lc(lo), api.lc(hi))
        _decompose(api, api.lc(x) - lo, n)
        _decompose(api, api.lc(hi) - x, n)
