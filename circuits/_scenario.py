"""A small deterministic venue scenario (keys from fixed seeds, NOT for real
use) from which the example inputs in ``circuits/examples/``, the tests
and the benchmark are built: two traders with funded accounts, a perpetual
and an option, an oracle epoch, a crossing pair of orders, their match and
the two transitions, and health, liquidation, deposit and withdrawal
inputs."""

from functools import lru_cache

from zkats.domain import instruments, keys, notes, oracle, orders, units
from zkats.gadgets.merkle import MerkleTree

NOW = 1_700_000_000
G = units.GREEK_SCALE


BTC = oracle.asset_id("BTC")


def call_risk(premium, forward, strike, years):
    """The risk array of one long call lot marked at ``premium`` (Black-76 at
    its implied vol, on the venue's grid)."""
    from zkats.domain.scenario_grid import GRID
    from zkats.pricing import ScenarioGrid, implied_vol, option_risk

    vol = float(implied_vol(premium, forward, strike, years, True))
    return option_risk(forward, strike, years, vol, True, premium, ScenarioGrid.from_bps(GRID))


class Scenario:
    def __init__(self):
        self.alice = keys.SpendingKey.from_seed(b"zkats-example-alice")
        self.bob = keys.SpendingKey.from_seed(b"zkats-example-bob")
        self.carol = keys.SpendingKey.from_seed(b"zkats-example-carol")
        self.perp = instruments.perpetual("BTC", tick=1)
        self.call = instruments.option("BTC", NOW + 30 * 86400, 60_000, "call")
        # expired yesterday: a call in the money (BTC settled at 60,000) and a future
        self.old_call = instruments.option("BTC", NOW - 86400, 58_000, "call")
        self.old_future = instruments.future("BTC", NOW - 86400)
        self.epoch = oracle.Epoch(
            42,
            (
                oracle.EpochEntry(self.perp.id, 60_000, 60_000, G, 0, 1000, 500, asset=BTC),
                oracle.EpochEntry(
                    self.call.id,
                    2_500,
                    60_000,
                    G // 2,
                    3 * G,
                    1500,
                    1000,
                    0,
                    oracle.CALL,
                    60_000,
                    asset=BTC,
                    risk=call_risk(2_500, 60_000, 60_000, 30 / 365),
                ),
                oracle.EpochEntry.settled(self.old_call.id, oracle.CALL, 60_000, 58_000),
                oracle.EpochEntry.settled(self.old_future.id, oracle.FUTURE, 60_000),
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
        # carol: long 100 perps at 60,000 on 100,000 of collateral: below
        # maintenance margin (5% of 6,000,000) at the epoch: liquidatable
        n = notes.Note.open(self.carol, collateral=100_000, model=0, salt=1002)
        n = n.apply_leg(self.perp.id, 100, 100 * 60_000, salt=1003)
        n = notes.Note(n.account, n.npk, 100_000, 0, n.slots, n.salt)
        self.notes["carol"] = (self.tree.append(n.commitment()), n)
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

    now = NOW

    @property
    def root(self):
        return self.tree.root

    def spend(self, name):
        from ._spend import Spend

        index, note = self.notes[name]
        return Spend.from_tree(self.tree, index, note, self.key(name))

    def key(self, name):
        return {"alice": self.alice, "bob": self.bob, "carol": self.carol}[name]


@lru_cache(maxsize=1)
def scenario():
    return Scenario()


def cases():
    """{example name: (module, public, private)}: the statements the venue's
    circuit modules build from the scenario (each module's ``examples(sc)``,
    signed by their authority), in the registry's order.  Alice's buy order;
    its match with bob's sell; alice's (buyer, linear margin) and bob's
    (seller, scenario margin) transitions; bob's health proof; carol's
    liquidation (below maintenance, proved with her liquidation capability);
    a deposit and a withdrawal by alice; and any statement added since."""
    import sys

    from zkats.circuit import list_circuits

    sc = scenario()
    out = {}
    for cls in list_circuits().values():
        mod = sys.modules[cls.__module__]
        for name, (pub, prv) in getattr(mod, "examples", lambda sc: {})(sc).items():
            out[name] = (mod, pub, prv)
    return out


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
