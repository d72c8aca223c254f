"""The files of a trade proved party by party (issue 14: "no command needs
two traders' wallets").

1. The operator matches two signed orders it was sent (it holds their
   openings, as the venue's contract allows) and proves the ``match``;
   it writes a **partial trade** (public: the match proof and the netting
   proof, which needs both legs' blindings, known to the operator) and one
   **trade confirmation** per side (secret, mode 0600: that side's leg
   opening, the fill and the price), which it hands to that trader only.
2. Each trader proves its own ``transition`` from its confirmation with its
   own wallet, and hands back the **leg proof** (public).
3. The operator assembles the trade item from the partial trade and the two
   leg proofs (each placed by the leg commitment its public signals name).

A confirmation names its venue, the trade (the match's leg commitments) and
the side, so it cannot be applied to another trade or venue.  It also
carries the two order commitments and the match time (so a trader refuses,
before proving, a trade whose order was cancelled or matched since, or
whose match the service would find too old) and, when the fill leaves lots
of that side's order, the remainder's opening (secret: the operator chose
its blinding), which ``zkats trade confirm --remainder`` saves for the
owner so the rest of the order can still be matched.
"""

from ..errors import InputError
from ..formats.snarkjs_json import proof_from_json, proof_to_json

CONFIRMATION = "zkats-trade-confirmation"
PARTIAL = "zkats-trade-partial"
LEG_PROOF = "zkats-trade-leg"


def _int(d, k, path):
    try:
        v = d[k]
        if isinstance(v, bool):
            raise TypeError
        return int(v)
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: missing or malformed {k!r}") from None


def _kind(d, kind, path, what):
    if not isinstance(d, dict) or d.get("kind") != kind:
        raise InputError(f"{path}: not {what}")


def _point(d, k, path):
    try:
        x, y = d[k]
        return (int(x), int(y))
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: missing or malformed {k!r}") from None


def _bundle_json(b):
    return {"public": [str(v) for v in b.public], "proof": proof_to_json(b.proof)}


def _bundle(d, k, circuit, path):
    from .batch import ProofBundle

    try:
        b = d[k]
        public = tuple(int(v) for v in b["public"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: missing or malformed {k!r}") from None
    return ProofBundle(circuit, public, proof_from_json(b.get("proof"), f"{path}: {k}.proof"))


# ----------------------------------------------------------- confirmations
def confirmation_to_json(
    venue_id, side, leg, fill, price, legs, remainder=None, orders=(), matched_at=None
):
    """Side ``side`` ("a" buyer, "b" seller)'s confirmation of a fill: its
    leg opening (secret) and the trade's two leg commitments; ``remainder``:
    that side's remainder order (a SignedOrder; written only when lots
    remain), ``orders``: the match's two order commitments, ``matched_at``:
    the match's ``now``."""
    from .workflow import order_to_json

    rem = remainder if remainder is not None and remainder.order.size > 0 else None
    return {
        "kind": CONFIRMATION,
        "venue": venue_id,
        "side": side,
        "fill": fill,
        "price": price,
        "trade": [[str(c) for c in p] for p in legs],
        "leg": {
            "instrument": str(leg.instrument),
            "account": str(leg.account),
            "d": leg.d,
            "n": leg.n,
            "blinding": str(leg.blinding),
        },
        "orders": [[str(c) for c in p] for p in orders],
        "matched_at": matched_at,
        "remainder": None if rem is None else order_to_json(rem),
    }


def confirmation_from_json(d, path):
    """``(venue_id, side, Leg, fill, price, (leg_a, leg_b))``."""
    from ..domain.orders import Leg

    _kind(d, CONFIRMATION, path, "a trade confirmation")
    side = d.get("side")
    if side not in ("a", "b"):
        raise InputError(f"{path}: side must be 'a' or 'b'")
    lg = d.get("leg")
    if not isinstance(lg, dict):
        raise InputError(f"{path}: missing or malformed 'leg'")
    leg = Leg(
        _int(lg, "instrument", path),
        _int(lg, "account", path),
        _int(lg, "d", path),
        _int(lg, "n", path),
        _int(lg, "blinding", path),
    )
    try:
        legs = tuple((int(p[0]), int(p[1])) for p in d["trade"])
        if len(legs) != 2:
            raise ValueError
    except (KeyError, TypeError, ValueError, IndexError):
        raise InputError(f"{path}: missing or malformed 'trade'") from None
    if leg.commitment() != legs["ab".index(side)]:
        raise InputError(f"{path}: the leg opening is not the trade's leg {side}")
    fill, price = _int(d, "fill", path), _int(d, "price", path)
    if abs(leg.d) != fill or leg.n != leg.d * price:
        raise InputError(f"{path}: the leg is not a fill of {fill} at {price}")
    return d.get("venue"), side, leg, fill, price, legs


def confirmation_remainder(d, path, leg):
    """The remainder order a confirmation carries for its side (a
    SignedOrder), or None when the fill took the whole order; checked to be
    the leg's own order (account, instrument, side)."""
    from ..domain.orders import BUY, SELL
    from .workflow import order_from_json

    r = d.get("remainder")
    if r is None:
        return None
    if not isinstance(r, dict):
        raise InputError(f"{path}: malformed 'remainder'")
    so = order_from_json(r, f"{path}: remainder")
    o = so.order
    if (
        o.account != leg.account
        or o.instrument != leg.instrument
        or o.side != (BUY if leg.d > 0 else SELL)
        or o.size <= 0
    ):
        raise InputError(f"{path}: the remainder is not the rest of this leg's order")
    return so


def confirmation_trade(d, path):
    """``(order commitments, matched_at or None)`` of a confirmation."""
    try:
        pts = tuple((int(p[0]), int(p[1])) for p in d.get("orders", []))
        at = d.get("matched_at")
        if isinstance(at, bool) or len(pts) not in (0, 2):
            raise ValueError
        return pts, None if at is None else int(at)
    except (TypeError, ValueError, IndexError):
        raise InputError(f"{path}: malformed 'orders' or 'matched_at'") from None


# ----------------------------------------------------------- partial trades
def partial_to_json(match_bundle, netting, order_items=()):
    """``order_items``: ``order`` items opening the two orders, when the
    operator proved them (they go into the batch before the trade)."""
    from .batch import item_to_json

    return {
        "kind": PARTIAL,
        "match": _bundle_json(match_bundle),
        "netting": {"R": [str(netting.R[0]), str(netting.R[1])], "s": str(netting.s)},
        "orders": [item_to_json(it) for it in order_items],
    }


def partial_from_json(d, path):
    """``(match ProofBundle, NettingProof, [order Items])``."""
    from .batch import NettingProof, item_from_json

    _kind(d, PARTIAL, path, "a partial trade (zkats trade match)")
    n = d.get("netting")
    if not isinstance(n, dict):
        raise InputError(f"{path}: missing or malformed 'netting'")
    items = d.get("orders", [])
    if not isinstance(items, list) or len(items) > 2:
        raise InputError(f"{path}: malformed 'orders'")
    orders = [item_from_json(it, i) for i, it in enumerate(items)]
    if any(it.kind != "order" for it in orders):
        raise InputError(f"{path}: 'orders' holds only order items")
    netting = NettingProof(R=_point(n, "R", path), s=_int(n, "s", path))
    return _bundle(d, "match", "match", path), netting, orders


# ----------------------------------------------------------- leg proofs
def leg_proof_to_json(side, bundle):
    return {"kind": LEG_PROOF, "side": side, "transition": _bundle_json(bundle)}


def leg_proof_from_json(d, path):
    """``(side, transition ProofBundle)``."""
    _kind(d, LEG_PROOF, path, "a trade leg proof (zkats trade confirm)")
    side = d.get("side")
    if side not in ("a", "b"):
        raise InputError(f"{path}: side must be 'a' or 'b'")
    return side, _bundle(d, "transition", "transition", path)
