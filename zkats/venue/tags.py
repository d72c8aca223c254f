"""Domain-separation tags: each Poseidon hash of the venue starts with one.

A tag is the ASCII string ``zkats/<purpose>/v1`` read as a big-endian
integer (< 2^248, so a canonical field element).  Distinct purposes give
distinct first inputs, so a value hashed for one purpose can never be
reinterpreted as another (a note commitment as a nullifier, an order digest
as an instrument id, ...).
"""


def tag(purpose):
    s = f"zkats/{purpose}/v1".encode("ascii")
    if len(s) > 31:
        raise ValueError(f"tag {s!r} longer than 31 bytes")
    return int.from_bytes(s, "big")


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
NETTING = tag("netting")
HEALTH = tag("health")
