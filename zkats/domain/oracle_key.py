"""The oracle's signing key: every published epoch is signed by it.

An epoch is accepted by the ledger only with an EdDSA-Poseidon signature
(Baby Jubjub, :mod:`zkats.gadgets.eddsa`, the scheme the venue's orders and
spends use) by the oracle key the ledger recorded at creation, over::

    msg = Poseidon(tags.ORACLE_EPOCH, epoch_id, data_hash, deadline)

``data_hash`` is the epoch's hash (:meth:`zkats.domain.oracle.Epoch.hash`,
the circuits' public input) and ``deadline`` the unix time after which
health proofs for the epoch are no longer accepted.  The tag keeps the
signature from being valid for any other statement of the venue; binding the
id and the deadline makes it valid for exactly one epoch (an old epoch can
be replayed neither under a new id nor with another deadline).  A wrong
price is the oracle's fault, and attributable: the ledger keeps each
epoch's signature.
"""

import hashlib
import secrets
from dataclasses import dataclass, field

from ..errors import InputError
from ..field import R
from . import tags


def _field(v, what):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
        raise InputError(f"{what}: must be a field element")
    return v


def epoch_message(epoch_id, data_hash, deadline):
    """The field element the oracle signs for an epoch."""
    from ..gadgets.poseidon_hash import poseidon_plain as poseidon

    return poseidon(
        [
            tags.ORACLE_EPOCH,
            _field(epoch_id, "oracle epoch id"),
            _field(data_hash, "oracle epoch data hash"),
            _field(deadline, "oracle epoch deadline"),
        ]
    )


def parse_signature(sig, what="oracle signature"):
    """``((R8x, R8y), S)`` from a signature or its JSON form (strings allowed)."""
    try:
        (rx, ry), s = sig
        return (int(rx), int(ry)), int(s)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected [[R8x, R8y], S]") from None


def signature_to_json(sig):
    (rx, ry), s = parse_signature(sig)
    return [[str(rx), str(ry)], str(s)]


def parse_public_key(pk, what="oracle public key"):
    try:
        x, y = (int(c) for c in pk)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected a point [x, y]") from None
    from ..gadgets.babyjubjub import babyjub_on_curve_plain

    if not (0 <= x < R and 0 <= y < R and babyjub_on_curve_plain((x, y))):
        raise InputError(f"{what}: not a Baby Jubjub point")
    return (x, y)


def verify_epoch(pub, epoch_id, data_hash, deadline, sig):
    """True iff ``sig`` is the oracle ``pub``'s signature of this epoch."""
    from ..gadgets.eddsa import eddsa_verify_poseidon_plain

    try:
        msg = epoch_message(epoch_id, data_hash, deadline)
        sig = parse_signature(sig)
    except InputError:
        return False
    return eddsa_verify_poseidon_plain(pub, msg, sig)


@dataclass(frozen=True)
class OracleKey:
    """The oracle's EdDSA-Poseidon private key (32 bytes); ``pub`` is public."""

    prv: bytes = field(repr=False)

    def __post_init__(self):
        if not isinstance(self.prv, (bytes, bytearray)) or len(self.prv) != 32:
            raise InputError("oracle key: must be 32 bytes")

    @classmethod
    def generate(cls):
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed):
        """A deterministic key for tests ONLY (never for a real oracle)."""
        return cls(hashlib.sha256(b"zkats/test-oracle/" + bytes(seed)).digest())

    @property
    def pub(self):
        from ..gadgets.eddsa import eddsa_prv2pub

        return tuple(eddsa_prv2pub(self.prv))

    def sign_epoch(self, epoch_id, data_hash, deadline):
        from ..gadgets.eddsa import eddsa_sign_poseidon

        return eddsa_sign_poseidon(self.prv, epoch_message(epoch_id, data_hash, deadline))

    def to_json(self):
        return {
            "kind": "zkats-oracle-key",
            "prv": self.prv.hex(),
            "pub": [str(c) for c in self.pub],
        }

    @classmethod
    def from_json(cls, d, where="oracle key"):
        if not isinstance(d, dict) or d.get("kind") != "zkats-oracle-key":
            raise InputError(f"{where}: not an oracle key file")
        try:
            return cls(bytes.fromhex(d["prv"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: malformed oracle key") from None

    def __str__(self):
        return f"OracleKey(pub={self.pub[0]:#x}...)"
