"""Netting: a set of trade legs balances, shown without revealing any size.

Each leg is a Pedersen commitment ``C_j = d_j*G_0 + n_j*G_1 + r_j*H`` to a
signed size ``d_j`` and signed notional ``n_j`` (:mod:`zkats.venue.orders`).
For one instrument the legs balance iff ``sum d_j = 0`` and ``sum n_j = 0``;
then ``sum C_j = (sum r_j) * H``.  Whoever knows the blindings (the
matcher) proves knowledge of ``rho = sum r_j mod L`` with
``sum C_j = rho*H`` by a Schnorr proof, as Zcash Sapling's binding
signature does for value balance:

    k <- secrets;  R = k*H
    c = Poseidon(tags.NETTING, n_legs, S.x, S.y, R.x, R.y, ctx) mod L
        where S = sum C_j and ctx is a caller-chosen context (batch id, 0 if none)
    s = k + c*rho mod L

Verification recomputes ``S``, ``c`` and checks ``s*H == R + c*S`` with
``R`` a subgroup point and ``s < L``.  If the legs did not balance,
``S - rho*H`` would be a non-trivial combination of ``G_0, G_1`` and ``H``,
so a valid proof would give a discrete-log relation between the
nothing-up-my-sleeve generators.  The challenge hashes the statement (the
sum, which depends on every leg, and the leg count), so a proof is not
transferable to another set of legs.  Grouping legs by instrument (each
group must balance on its own) is the caller's job: one proof per group.
"""

import secrets
from dataclasses import dataclass

from ..errors import InputError, VerificationError
from ..field import R as FR
from ..gadgets.babyjubjub import babyjub_check_point
from ..gadgets.poseidon_hash import poseidon_plain
from ..venue import tags
from .pedersen import L, add, blinding_generator, mul, total


@dataclass(frozen=True)
class NettingProof:
    R: tuple
    s: int

    def to_json(self):
        return {"R": [str(self.R[0]), str(self.R[1])], "s": str(self.s)}

    @classmethod
    def from_json(cls, obj):
        try:
            r = babyjub_check_point([int(obj["R"][0]), int(obj["R"][1])], "netting R")
            s = int(obj["s"])
        except (KeyError, TypeError, ValueError, IndexError):
            raise InputError("netting proof: expected {R: [x, y], s}") from None
        if not 0 <= s < L:
            raise InputError("netting proof: s must be < L")
        return cls(r, s)


def _challenge(legs_sum, n_legs, r_point, context):
    h = poseidon_plain(
        [tags.NETTING, n_legs, legs_sum[0], legs_sum[1], r_point[0], r_point[1], context % FR]
    )
    return h % L


def prove(legs, blindings, context=0):
    """A :class:`NettingProof` that ``legs`` (points) balance; ``blindings``
    are their blinding factors.  Raises InputError if they do not balance."""
    if len(legs) != len(blindings) or not legs:
        raise InputError("netting: need one blinding per leg, at least one leg")
    s_point = total(legs, "netting leg")
    rho = sum(blindings) % L
    h = blinding_generator()
    if mul(h, rho) != s_point:
        raise InputError("netting: the legs do not balance (sum is not a multiple of H)")
    k = 1 + secrets.randbelow(L - 1)
    r_point = mul(h, k)
    c = _challenge(s_point, len(legs), r_point, context)
    return NettingProof(r_point, (k + c * rho) % L)


def verify(legs, proof, context=0):
    """True iff ``proof`` shows the legs balance; malformed input gives False."""
    try:
        if isinstance(proof, dict):
            proof = NettingProof.from_json(proof)
        s_point = total(legs, "netting leg")
        r_point = babyjub_check_point(proof.R, "netting R")
    except InputError:
        return False
    if not (isinstance(proof.s, int) and 0 <= proof.s < L) or not legs:
        return False
    c = _challenge(s_point, len(legs), r_point, context)
    return mul(blinding_generator(), proof.s) == add(r_point, mul(s_point, c))


def check(legs, proof, context=0):
    """Raise VerificationError unless :func:`verify` accepts."""
    if not verify(legs, proof, context):
        raise VerificationError("netting proof: the legs do not balance")
