"""``oracle_epoch``: the oracle key signed this epoch.

Statement (public, in this order: ``epoch_id, epoch_hash, deadline,
oracle_x, oracle_y``): ``(r8, s)`` (private) is an EdDSA-Poseidon signature
(Baby Jubjub, :mod:`zkats.gadgets.eddsa`) by the key ``(oracle_x,
oracle_y)`` of ``Poseidon(ORACLE_EPOCH, epoch_id, epoch_hash, deadline)``:
the message the oracle signs for every epoch
(:func:`zkats.domain.oracle_key.epoch_message`).  The escrow accepts an
epoch only with this proof for the oracle key it was deployed with, so
verifying the signature costs it one Groth16 proof instead of Baby Jubjub
arithmetic in Solidity.  Nothing private but the signature.  Native twin:
:func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import oracle_key, tags
from zkats.errors import InputError
from zkats.gadgets.eddsa import eddsa_verify_poseidon
from zkats.gadgets.poseidon_hash import poseidon

from ._statement import Statement, witness_inputs


@dataclass(frozen=True)
class OracleEpochPrivate:
    sig: tuple  # ((R8x, R8y), S)

    def inputs(self):
        (rx, ry), s = self.sig
        return {"r8": [rx, ry], "s": s}


def build(epoch_id, epoch_hash, deadline, oracle_pub, sig):
    """(public, private) for the oracle's signature ``sig`` of the epoch."""
    pk = oracle_key.parse_public_key(oracle_pub)
    pub = OracleEpoch.public(
        epoch_id=epoch_id,
        epoch_hash=epoch_hash,
        deadline=deadline,
        oracle_x=pk[0],
        oracle_y=pk[1],
    )
    return pub, OracleEpochPrivate(oracle_key.parse_signature(sig))


def check(pub, prv):
    """The native twin: raises InputError unless the signature verifies."""
    ok = oracle_key.verify_epoch(
        (pub.oracle_x, pub.oracle_y), pub.epoch_id, pub.epoch_hash, pub.deadline, prv.sig
    )
    if not ok:
        raise InputError("oracle_epoch: not the oracle key's signature of this epoch")
    return True


def examples(sc):
    """The example scenario's epoch, signed by a test oracle key (fixed seed)."""
    key = oracle_key.OracleKey.from_seed(b"zkats-example-oracle")
    deadline = 1_700_003_600
    sig = key.sign_epoch(sc.epoch.epoch_id, sc.epoch.hash(), deadline)
    return {"oracle_epoch": build(sc.epoch.epoch_id, sc.epoch.hash(), deadline, key.pub, sig)}


inputs = witness_inputs


@register("oracle_epoch")
class OracleEpoch(Statement):
    """The oracle key signed (epoch_id, epoch_hash, deadline)."""

    epoch_id = Public()
    epoch_hash = Public()
    deadline = Public()
    oracle_x = Public()
    oracle_y = Public()
    r8 = Private(n=2)
    s = Private()

    def define(self, api):
        msg = poseidon(
            api, [api.constant(tags.ORACLE_EPOCH), self.epoch_id, self.epoch_hash, self.deadline]
        )
        eddsa_verify_poseidon(api, (self.oracle_x, self.oracle_y), msg, tuple(self.r8), self.s)
