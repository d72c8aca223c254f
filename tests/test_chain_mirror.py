"""The settlement service's ledger and the escrow hold ONE tree: deposits
made directly on chain are read by the service and applied at the place
the chain appends them; batches keep their item order on both sides
([withdraw, trade] included); after every batch the roots, the spent
nullifiers and the escrow balance agree."""

import pytest

from _chain_world import (
    NAMES,
    build_world,
    liquidations,
    nullifiers,
    publish as publish_on_chain,
    restore,
)
from _settlement_util import ORACLE, publish
from zkats.server.escrow_mirror import mirror_batch

pytestmark = pytest.mark.peers


def test_ledger_and_chain_agree(tmp_path):
    from zkats.circuits.deposit import ASSET
    from zkats.commit import netting
    from zkats.formats.snarkjs_json import write_verification_key
    from zkats.venue import batch as B
    from zkats.venue.settlement import SettlementService

    w = build_world()
    restore(w, "funded")
    for n, zk in w.keys.zkey.items():
        write_verification_key(tmp_path / f"{n}.vkey.json", zk.verifying_key())
    clock = [w.chain.now()]
    now = clock[0]
    svc = SettlementService(
        tmp_path / "ledger.db",
        keys_dir=tmp_path,
        clock=lambda: clock[0],
        require_open_orders=False,
        oracle_key=ORACLE.pub,
    )
    ep = w.rep.epoch
    publish(svc, ep.epoch_id, ep.hash(), now + 3600)
    led = svc.ledger
    assert led.root_history()[-1][1] == w.esc.last_root()

    def bundle(circ, pair):
        return B.ProofBundle(circ, tuple(pair[1]), pair[0])

    def trade(which):
        m, a, b = getattr(w, which)
        legs = w.legs[which]
        nproof = netting.prove(
            [legs[0].commitment(), legs[1].commitment()],
            [legs[0].signed_blinding, legs[1].signed_blinding],
        )
        return B.Item(
            "trade",
            {
                "match": bundle("match", m),
                "leg_a": bundle("transition", a),
                "leg_b": bundle("transition", b),
            },
            netting=B.NettingProof(R=nproof.R, s=nproof.s),
        )

    # deposits made directly on chain, never sent to the service
    for name in NAMES:
        w.esc.deposit(*w.deposit[name], sender=w.who[name])
    withdraw = B.Item("withdraw", {"withdraw": bundle("withdraw", w.withdraw_alice)})
    # the service's batches; the queued deposits go first into the first one
    for batch, root in (
        (B.Batch([]), "deposited"),
        (B.Batch([trade("trade")]), "traded"),
        (B.Batch([withdraw, trade("trade2")]), "mixed"),
    ):
        mirror_batch(w.esc, svc, batch)
        assert led.root_history()[-1][1] == w.esc.last_root() == w.roots[root]
        assert led.n_leaves() == w.esc.contract.functions.nextIndex().call()
    for n in nullifiers(w)[:-1]:
        assert led.nullifier_spent(n) and w.esc.spent(n)
    assert int(led.escrow_balance(ASSET)) == w.esc.balance(w.esc.contract.address)
    f = w.esc.contract.functions
    assert led.fund_balance("fee") == f.feeBalance().call() > 0

    # the mark jumps: bob fails maintenance, carol is bankrupt, alice proves health
    liq = liquidations(w)
    deadline = w.chain.now() + 86400
    publish(svc, liq.crash.epoch_id, liq.crash.hash(), deadline)
    publish_on_chain(w, liq.crash, deadline)
    mirror_batch(
        w.esc, svc, B.Batch([B.Item("health", {"health": bundle("health", liq.health_alice)})])
    )
    w.chain.time_travel(86400 + 60)
    clock[0] = w.chain.now()
    assert svc.close_epoch(liq.crash.epoch_id) == sorted(
        str(w.rep.keys[n].account) for n in ("bob", "carol")
    )
    fee0 = led.fund_balance("fee")
    mirror_batch(
        w.esc,
        svc,
        B.Batch(
            [
                B.Item("liquidate", {"liquidate": bundle("liquidate", liq.bob)}),
                B.Item("liquidate", {"liquidate": bundle("liquidate", liq.carol)}),
            ]
        ),
    )
    assert led.root_history()[-1][1] == w.esc.last_root() == liq.root
    assert led.n_leaves() == f.nextIndex().call()
    for n in (liq.bob[1][1], liq.carol[1][1]):
        assert led.nullifier_spent(n) and w.esc.spent(n)
    assert int(led.escrow_balance(ASSET)) == w.esc.balance(w.esc.contract.address)
    assert led.fund_balance("fee") == f.feeBalance().call() == 0
    ins = led.fund_balance("insurance")
    assert ins == f.insuranceBalance().call() == liq.penalty + fee0 - liq.shortfall < 0
    svc.close()
