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

from ..errors import InputError
from . import tags
from .signing_key import (
    SigningKey,
    field_element,
    parse_public_key as _parse_public_key,
    parse_signature as _parse_signature,
    signature_to_json as signature_to_json,
    verify,
)


def epoch_message(epoch_id, data_hash, deadline):
    """The field element the oracle signs for an epoch."""
    from ..gadgets.poseidon_hash import poseidon_plain as poseidon

    return poseidon(
        [
            tags.ORACLE_EPOCH,
            field_element(epoch_id, "oracle epoch id"),
            field_element(data_hash, "oracle epoch data hash"),
            field_element(deadline, "oracle epoch deadline"),
        ]
    )


def parse_signature(sig, what="oracle signature"):
    return _parse_signature(sig, what)


def parse_public_key(pk, what="oracle public key"):
    return _parse_public_key(pk, what)


def verify_epoch(pub, epoch_id, data_hash, deadline, sig):
    """True iff ``sig`` is the oracle ``pub``'s signature of this epoch."""
    try:
        msg = epoch_message(epoch_id, data_hash, deadline)
    except InputError:
        return False
    return verify(pub, msg, sig)


class OracleKey(SigningKey):
    """The oracle's EdDSA-Poseidon private key (32 bytes); ``pub`` is public."""

    KIND = "zkats-oracle-key"
    WHAT = "oracle key"

    def sign_epoch(self, epoch_id, data_hash, deadline):
        return self.sign(epoch_message(epoch_id, data_hash, deadline))
