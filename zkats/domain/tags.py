"""Domain-separation tags: each Poseidon hash of the venue starts with one.

A tag is the ASCII string ``zkats/<purpose>/v1`` read as a big-endian
integer (< 2^248, so a canonical field element).  Distinct purposes give
distinct first inputs, so a value hashed for one purpose can never be
reinterpreted as another (a note commitment as a nullifier, an order digest
as an instrument id, ...).
"""

from ..commit.netting import NETTING as NETTING  # the netting challenge's tag
from ..field import domain_tag as tag

INSTRUMENT = tag("instrument")
ACCOUNT = tag("account")
NULLIFIER_KEY = tag("nk")
NOTE = tag("note")
NULLIFIER = tag("nullifier")
ORDER = tag("order")
ORDER_SIG = tag("order-sig")
LEG = tag("leg")
EPOCH_ENTRY = tag("epoch-entry")
EPOCH = tag("epoch")
HEALTH = tag("health")
ORACLE_EPOCH = tag("oracle-epoch")
FUND_WITHDRAWAL = tag("fund-withdrawal")
NOTE_CIPHER = tag("note-cipher")
