"""The operator's signing key: the venue's own money moves only by it.

The fee account and the insurance fund are public balances of the ledger
(:mod:`zkats.venue.rules`).  The venue takes money out of them only by a
``fund_withdraw`` batch item carrying an EdDSA-Poseidon signature by the
operator key the ledger recorded at creation, over::

    msg = Poseidon(tags.FUND_WITHDRAWAL, fund, amount, recipient, seq)

``fund`` is :data:`FUNDS`' code of the fund, ``recipient`` the address paid
(a field element, as a ``withdraw``'s), and ``seq`` the withdrawal's number
in the ledger's sequence of fund withdrawals (1, 2, ...): a signed request
is valid once, in its place, and for nothing else (the tag).  The ledger
keeps every request with its signature (a logged operation).
"""

from ..errors import InputError
from . import tags
from .signing_key import SigningKey, field_element, verify

#: fund name -> its code in the signed message
FUNDS = {"fee": 1, "insurance": 2}


def fund_withdrawal_message(fund, amount, recipient, seq):
    """The field element the operator signs for one fund withdrawal."""
    from ..gadgets.poseidon_hash import poseidon_plain as poseidon

    if fund not in FUNDS:
        raise InputError(f"fund withdrawal: unknown fund {fund!r} (one of {sorted(FUNDS)})")
    return poseidon(
        [
            tags.FUND_WITHDRAWAL,
            FUNDS[fund],
            field_element(amount, "fund withdrawal amount"),
            field_element(recipient, "fund withdrawal recipient"),
            field_element(seq, "fund withdrawal sequence number"),
        ]
    )


def verify_fund_withdrawal(pub, fund, amount, recipient, seq, sig):
    """True iff ``sig`` is the operator ``pub``'s signature of this request."""
    try:
        msg = fund_withdrawal_message(fund, amount, recipient, seq)
    except InputError:
        return False
    return verify(pub, msg, sig)


class OperatorKey(SigningKey):
    """The operator's EdDSA-Poseidon private key (32 bytes); ``pub`` is public."""

    KIND = "zkats-operator-key"
    WHAT = "operator key"

    def sign_fund_withdrawal(self, fund, amount, recipient, seq):
        return self.sign(fund_withdrawal_message(fund, amount, recipient, seq))
