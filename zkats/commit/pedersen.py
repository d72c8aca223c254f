"""Signed Pedersen vector commitments for the venue (thin over
:mod:`zkats.gadgets.pedersen`, which owns the curve and the generators).

The venue commits to signed integers: a value ``v`` (``|v| < L/2``) is the
scalar ``v mod L``, so ``commit([-v], r) == -commit([v], 0) + r*H`` and sums
of commitments commit to sums of signed values.  Generators are
``G_i = value_generators(n)[i]`` and ``H = blinding_generator()``.
"""

from ..errors import InputError
from ..gadgets.babyjubjub import (
    IDENTITY,
    L,
    babyjub_add_plain,
    babyjub_check_point,
    babyjub_mul_plain,
    babyjub_neg_plain,
)
from ..gadgets.pedersen import (
    blinding_generator,
    pedersen_commit_plain,
    random_blinding,
    value_generators,
)

__all__ = [
    "commit_signed",
    "add",
    "neg",
    "sub",
    "total",
    "random_blinding",
    "blinding_generator",
    "value_generators",
    "L",
    "IDENTITY",
    "mul",
]


def commit_signed(values, r):
    """``sum(v_i * G_i) + r*H`` for signed ints ``v_i`` (|v_i| < L/2), ``0 <= r < L``."""
    vals = []
    for i, v in enumerate(values):
        if not isinstance(v, int) or isinstance(v, bool) or 2 * abs(v) >= L:
            raise InputError(f"commitment value {i}: must be an integer with |v| < L/2")
        vals.append(v % L)
    return pedersen_commit_plain(vals, r)


def add(p, q):
    return babyjub_add_plain(p, q)


def neg(p):
    return babyjub_neg_plain(p)


def sub(p, q):
    return babyjub_add_plain(p, babyjub_neg_plain(q))


def mul(p, k):
    return babyjub_mul_plain(p, k % L)


def total(points, what="commitment"):
    """Sum of a list of commitments, each checked on the curve and in the subgroup."""
    acc = IDENTITY
    for i, p in enumerate(points):
        acc = babyjub_add_plain(acc, babyjub_check_point(p, f"{what} {i}"))
    return acc
