"""A small deterministic venue scenario (keys from fixed seeds, NOT for real
use) from which the example inputs in ``circuits/examples/``, the tests
and the benchmark are built: two traders with funded accounts, a perpetual
and an option, an oracle epoch, a crossing pair of orders, their match and
the two transitions, and health, liquidation, deposit and withdrawal
inputs."""

from functools import lru_cache

from zkats.gadgets.merkle import MerkleTree
from zkats.venue import instruments, keys, notes, oracle, orders, units

NOW = 1_700_000_000
G = units.GREEK_SCALE


class Scenario:
    def __init__(self):
        self.alice = keys.TraderKey.from_seed(b"zkats-example-alice")
        self.bob = keys.TraderKey.from_seed(b"zkats-example-bob")
        self.perp = instruments.perpetual("BTC", tick=1)
        self.call = instruments.option("BTC", NOW + 30 * 86400, 60_000, "call")
        self.epoch = oracle.Epoch(
            42,
            (
                oracle.EpochEntry(self.perp.id, 60_000, 60_000, G, 0, 1000, 500),
                oracle.EpochEntry(self.call.id, 2_500, 60_000, G // 2, 3 * G, 1500, 1000),
            ),
        )
        self.tree = MerkleTree(units.TREE_DEPTH)
        self.notes: dict = {}
        for name, key, coll, model in (
            ("alice", self.alice, 2_000_000, 0),
            ("bob", self.bob, 3_000_000, 1),
        ):
            n = notes.Note.open(key, collateral=coll, model=model, salt=1000 + len(self.notes))
            self.notes[name] = (self.tree.append(n.commitment()), n)
        self.buy = orders.sign_order(
            self.alice,
            orders.Order(self.perp.id, orders.BUY, 10, 60_100, NOW + 3600, self.alice.account, 1),
            blinding=11,
        )
        self.sell = orders.sign_order(
            self.bob,
            orders.Order(self.perp.id, orders.SELL, 6, 59_900, NOW + 3600, self.bob.account, 1),
            blinding=12,
        )
        self.match = orders.Match(self.buy, self.sell, 6, 60_000, 21, 22, 31, 32)

    @property
    def root(self):
        return self.tree.root

    def spend(self, name):
        from ._state import Spend

        index, note = self.notes[name]
        key = self.alice if name == "alice" else self.bob
        return Spend.from_tree(self.tree, index, note, key)


@lru_cache(maxsize=1)
def scenario():
    return Scenario()


def cases():
    """{circuit name: (module, public, private)} for the example scenario:
    alice's buy order; the match of alice's buy with bob's sell; alice's
    (buyer, linear margin) and bob's (seller, portfolio margin) transitions;
    bob's health proof; a liquidation of bob; a deposit and a withdrawal by
    alice."""
    from . import deposit, health, liquidate, match, order, transition, withdraw

    sc = scenario()
    legs = sc.match.legs()
    return {
        "order": (order,) + order.build(sc.buy, NOW),
        "match": (match,) + match.build(sc.match, NOW),
        "transition": (transition,)
        + transition.build(sc.spend("alice"), sc.root, legs[0], sc.epoch, new_salt=501),
        "transition_seller": (transition,)
        + transition.build(sc.spend("bob"), sc.root, legs[1], sc.epoch, new_salt=502),
        "health": (health,) + health.build(sc.spend("bob"), sc.root, sc.epoch),
        "liquidate": (liquidate,)
        + liquidate.build(sc.spend("bob"), sc.root, sc.epoch, new_salt=503),
        "deposit": (deposit,) + deposit.build(sc.spend("alice"), sc.root, 250_000, new_salt=504),
        "withdraw": (withdraw,)
        + withdraw.build(sc.spend("alice"), sc.root, 150_000, 0xC0FFEE, sc.epoch, new_salt=505),
    }


def _decimal(v):
    if isinstance(v, (list, tuple)):
        return [_decimal(x) for x in v]
    return str(v)


def write_examples(directory=None):
    """Write ``circuits/examples/NAME.json`` (circom-style input, decimal strings)."""
    import json
    from pathlib import Path

    d = Path(directory) if directory else Path(__file__).resolve().parent / "examples"
    d.mkdir(exist_ok=True)
    out = {}
    for name, (mod, pub, prv) in cases().items():
        mod.check(pub, prv)
        inp = {k: _decimal(v) for k, v in mod.inputs(pub, prv).items()}
        p = d / f"{name}.json"
        p.write_text(json.dumps(inp, indent=1) + "\n")
        out[name] = p
    return out


if __name__ == "__main__":  # python -m zkats.circuits._scenario
    for name, path in write_examples().items():
        print(name, path)
