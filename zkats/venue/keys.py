"""Trader keys: an EdDSA-Poseidon key pair on Baby Jubjub plus a nullifier key.

* ``prv`` (32 bytes from :mod:`secrets`) signs orders (circomlibjs'
  ``signPoseidon``); ``pub = (Ax, Ay)`` is its public key.
* ``nk``: the nullifier key, a field element from :mod:`secrets`, never
  published.  Notes hold only ``npk = Poseidon(tags.NULLIFIER_KEY, nk)``;
  a note's nullifier is ``Poseidon(tags.NULLIFIER, nk, commitment)``
  (:mod:`zkats.venue.notes`), which no one without ``nk`` can compute or
  link to the note.
* ``account = Poseidon(tags.ACCOUNT, Ax, Ay, npk)``: the account id orders
  and notes name.  It binds both keys: a circuit that spends a note checks
  the note's account against ``(Ax, Ay)`` and ``nk``, so nobody can create
  or spend a note in another trader's account, and one account has one
  genesis nullifier (see the ``deposit`` circuit).

``repr`` and ``str`` show only the account id; secrets are never logged.
"""

import secrets
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import InputError
from ..field import R
from . import tags


def account_id(pub, npk):
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain([tags.ACCOUNT, int(pub[0]), int(pub[1]), int(npk)])


def nullifier_public(nk):
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain([tags.NULLIFIER_KEY, nk])


def random_field():
    """A uniformly random field element in [1, r) from :mod:`secrets`."""
    return 1 + secrets.randbelow(R - 1)


@dataclass(frozen=True)
class TraderKey:
    prv: bytes = field(repr=False)
    nk: int = field(repr=False)

    def __post_init__(self):
        if not isinstance(self.prv, (bytes, bytearray)) or len(self.prv) != 32:
            raise InputError("trader key: prv must be 32 bytes")
        if not (isinstance(self.nk, int) and 0 < self.nk < R):
            raise InputError("trader key: nk must be a non-zero field element")

    @classmethod
    def generate(cls):
        return cls(secrets.token_bytes(32), random_field())

    @classmethod
    def from_seed(cls, seed):
        """A deterministic key for examples and tests ONLY (never for real accounts)."""
        import hashlib

        h = hashlib.sha256(b"zkats/test-key/" + bytes(seed)).digest()
        nk = int.from_bytes(hashlib.sha256(b"nk" + h).digest(), "big") % (R - 1) + 1
        return cls(h, nk)

    @cached_property
    def pub(self):
        from ..gadgets.eddsa import eddsa_prv2pub

        return eddsa_prv2pub(self.prv)

    @cached_property
    def account(self):
        return account_id(self.pub, self.npk)

    @cached_property
    def npk(self):
        return nullifier_public(self.nk)

    def sign(self, msg):
        """EdDSA-Poseidon signature ``(R8, S)`` of the field element ``msg``."""
        from ..gadgets.eddsa import eddsa_sign_poseidon

        return eddsa_sign_poseidon(self.prv, msg)

    def __str__(self):
        return f"TraderKey(account={self.account})"
