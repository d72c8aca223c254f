"""Selection: ``select`` (circomlib's Mux1) and ``mux`` over 2^k values
(a binary tree of selects), with plain twins.

PRECONDITION: the selector signals are boolean.  These gadgets do NOT
constrain them: the caller must (``api.assert_bool``, or because they are
bits from ``num2bits``).  With a non-boolean selector the output is an
arbitrary linear mix of the inputs.
"""

from ..errors import CircuitError
from ..field import R


def select_plain(cond, a, b):
    """a if cond else b (cond must be 0 or 1)."""
    if int(cond) not in (0, 1):
        raise ValueError("select: cond must be 0 or 1")
    return int(a) % R if int(cond) else int(b) % R


def mux_plain(sel_bits, values):
    """values[sum(sel_bits_i * 2^i)]."""
    idx = 0
    for i, s in enumerate(sel_bits):
        if int(s) not in (0, 1):
            raise ValueError("mux: selector bits must be 0 or 1")
        idx |= int(s) << i
    if len(values) != 1 << len(sel_bits):
        raise ValueError("mux: need 2^len(sel_bits) values")
    return int(values[idx]) % R


def select(api, cond, a, b):
    """``a`` if cond == 1 else ``b``: b + cond * (a - b), one constraint (none
    when cond, or a - b, is constant).  Precondition: cond is boolean."""
    with api.scope("select"):
        return api.lc(b) + api.mul(cond, api.sub(a, b))


def mux(api, sel_bits, values):
    """values[index] with index = sum(sel_bits_i * 2^i) (little-endian bits).

    Cost: 2^k - 1 constraints for signal values; with constant values the
    first level is free (2^(k-1) - 1).  Preconditions: len(values) == 2^k
    for k = len(sel_bits) >= 0; every selector bit is boolean."""
    sel_bits = list(sel_bits)
    values = list(values)
    if len(values) != 1 << len(sel_bits):
        raise CircuitError(
            f"mux: {len(sel_bits)} selector bits need {1 << len(sel_bits)} "
            f"values, got {len(values)}"
        )
    with api.scope("mux"):
        level = [api.lc(v) for v in values]
        for s in sel_bits:
            level = [
                level[2 * i] + api.mul(s, level[2 * i + 1] - level[2 * i])
                for i in range(len(level) // 2)
            ]
        return level[0]
