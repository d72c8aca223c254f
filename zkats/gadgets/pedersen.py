"""Pedersen commitments on Baby Jubjub's prime-order subgroup.

``C = v*G + r*H`` and the vector form ``C = sum(v_i * G_i) + r*H``, with
``G = G_0``.  Generators are nothing-up-my-sleeve points derived by
:func:`pedersen_generator` (try-and-increment hash to curve):

for ``counter = 0, 1, ...``: ``d = SHA-256(b"zkats/pedersen/v1/" + label +
b"/" + counter as 4 bytes big-endian)``; ``y = int(d, big-endian) mod r``;
``x^2 = (1 - y^2) / (a - d*y^2)``; if that is a square, ``x`` is its root
in ``[0, (r-1)/2]`` (negated when the top bit of ``d``'s last byte is set),
``P = 8 * (x, y)``; accept ``P`` when it is not the identity and
``L * P`` is the identity.  Labels: ``b"value/<i>"`` for ``G_i``,
``b"blinding"`` for ``H``.  The first generators are stored in
``vectors/pedersen_generators.json`` and pinned by the tests.

The scalars live mod L: values ``v_i`` are integers with ``0 <= v_i < L``
(circuits range-check them to 64 bits), the blinding ``r`` is uniform in
``[0, L)`` from ``secrets``.  Commitments add homomorphically:
``commit(v1, r1) + commit(v2, r2) == commit(v1 + v2, r1 + r2 mod L)``.
"""

import hashlib
import secrets
from functools import cache

from ..errors import InputError
from ..field import R
from .babyjubjub import (
    IDENTITY,
    A,
    D,
    L,
    _sqrt,
    babyjub_add_plain,
    babyjub_check_point,
    babyjub_msm_fixed,
    babyjub_mul_plain,
    babyjub_neg_plain,
)

DOMAIN = b"zkats/pedersen/v1/"
_HALF = (R - 1) // 2


@cache
def pedersen_generator(label):
    """The nothing-up-my-sleeve subgroup point for ``label`` (bytes or str)."""
    if isinstance(label, str):
        label = label.encode()
    for counter in range(1 << 16):
        d = hashlib.sha256(DOMAIN + label + b"/" + counter.to_bytes(4, "big")).digest()
        y = int.from_bytes(d, "big") % R
        den = (A - D * y * y) % R
        if den == 0:
            continue
        x = _sqrt((1 - y * y) * pow(den, -1, R) % R)
        if x is None:
            continue
        if x > _HALF:
            x = R - x
        if d[-1] & 0x80:
            x = (R - x) % R
        p = babyjub_mul_plain((x, y), 8)
        if p != IDENTITY and babyjub_mul_plain(p, L) == IDENTITY:
            return p
    raise AssertionError("no generator found")  # pragma: no cover


def value_generators(n):
    """``[G_0, ..., G_{n-1}]``; checked pairwise distinct and distinct from H."""
    gens = [pedersen_generator(f"value/{i}") for i in range(n)]
    if len(set(gens + [blinding_generator()])) != n + 1:
        raise AssertionError("Pedersen generators collide")  # pragma: no cover
    return gens


def blinding_generator():
    """``H``, the generator multiplied by the blinding factor."""
    return pedersen_generator("blinding")


def random_blinding():
    """A uniform blinding factor in ``[0, L)`` from ``secrets``."""
    return secrets.randbelow(L)


def _scalars(values, r):
    if isinstance(values, int):
        values = [values]
    values = list(values)
    if not values:
        raise InputError("Pedersen commitment: at least one value is needed")
    for i, v in enumerate(values):
        if not isinstance(v, int) or not 0 <= v < L:
            raise InputError(f"Pedersen commitment: value {i} must be an integer in [0, L)")
    if not isinstance(r, int) or not 0 <= r < L:
        raise InputError("Pedersen commitment: blinding must be an integer in [0, L)")
    return values


def pedersen_commit_plain(values, r):
    """``sum(v_i * G_i) + r * H`` for an int or a list of ints ``values``."""
    values = _scalars(values, r)
    acc = babyjub_mul_plain(blinding_generator(), r)
    for v, g in zip(values, value_generators(len(values))):
        acc = babyjub_add_plain(acc, babyjub_mul_plain(g, v))
    return acc


def pedersen_opening_plain(commitment, values, r):
    """True iff ``(values, r)`` opens ``commitment``."""
    try:
        return pedersen_commit_plain(values, r) == tuple(commitment)
    except InputError:
        return False


def commitment_add(c1, c2):
    """Homomorphic sum of two commitments (both checked in the subgroup)."""
    return babyjub_add_plain(
        babyjub_check_point(c1, "commitment"), babyjub_check_point(c2, "commitment")
    )


def commitment_sub(c1, c2):
    """Homomorphic difference ``c1 - c2``."""
    return babyjub_add_plain(
        babyjub_check_point(c1, "commitment"),
        babyjub_neg_plain(babyjub_check_point(c2, "commitment")),
    )


# --------------------------------------------------------------- in-circuit
#: bits of the blinding factor in circuits: L < 2^251, so every r in [0, L) fits
BLINDING_BITS = 251


def pedersen_commit(api, values, r, value_bits=64):
    """The commitment ``sum(v_i * G_i) + r * H`` of signals, as an Edwards point.

    Range-checks every value to ``value_bits`` bits (``num2bits``, which is
    also the decomposition the multiplication uses) and ``r`` to 251 bits
    (so ``0 <= r < 2^251``; honest blindings are < L).  The scalar
    multiplications are one fixed-base multi-scalar multiplication
    (:func:`zkats.gadgets.babyjubjub.babyjub_msm_fixed`).  Cost for one 64-bit
    value: 64 + 251 bit constraints plus about 2 per bit for the windows.
    Preconditions: ``1 <= value_bits <= 250`` (values below L).
    """
    # local import: bits loads the circuit DSL, which users of the plain twins never need
    from .bits import num2bits

    if isinstance(values, (list, tuple)):
        values = list(values)
    else:
        values = [values]
    if not 1 <= value_bits <= 250:
        raise InputError("pedersen_commit: value_bits must be 1..250")
    with api.scope("pedersen"):
        terms = []
        for v, g in zip(values, value_generators(len(values))):
            terms.append((num2bits(api, v, value_bits), g))
        terms.append((num2bits(api, r, BLINDING_BITS), blinding_generator()))
        return babyjub_msm_fixed(api, terms)


def assert_pedersen_opening(api, commitment, values, r, value_bits=64):
    """Constrain ``commitment == pedersen_commit(values, r)`` (2 more constraints
    than :func:`pedersen_commit`)."""
    x, y = pedersen_commit(api, values, r, value_bits)
    api.assert_equal(commitment[0], x)
    api.assert_equal(commitment[1], y)
