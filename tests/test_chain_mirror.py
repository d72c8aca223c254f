"""The settlement service's SQLite ledger mirrored to the escrow: the same
deposits and trade batch applied to both leave the same Merkle root, the
same spent nullifiers and the same escrow balance."""

import pytest

from _chain_world import build_world, nullifiers
from _settlement_util import ORACLE, publish
from zkats.chain.escrow import mirror_batch
from zkats.chain.evm import ChainError

pytestmark = pytest.mark.peers


def test_ledger_and_chain_agree(tmp_path):
    from zkats.circuits.deposit import ASSET
    from zkats.commit import netting
    from zkats.formats.snarkjs_json import write_verification_key
    from zkats.venue import batch as B
    from zkats.venue.settlement import SettlementService

    w = build_world()
    w.chain.revert(w.stage["funded"])
    for n, zk in w.keys.zkey.items():
        write_verification_key(tmp_path / f"{n}.vkey.json", zk.verifying_key())
    now = w.chain.now()
    svc = SettlementService(
        tmp_path / "ledger.db",
        keys_dir=tmp_path,
        clock=lambda: now,
        require_open_orders=False,
        oracle_key=ORACLE.pub,
    )
    ep = w.rep.epoch
    publish(svc, ep.epoch_id, ep.hash(), now + 3600)

    def bundle(circ, pair):
        return B.ProofBundle(circ, tuple(pair[1]), pair[0])

    # deposits: the trader pays on chain; the service records the same items
    for name, who in (("alice", w.alice), ("bob", w.bob)):
        svc.apply(B.Batch([B.Item("deposit", {"deposit": bundle("deposit", w.deposit[name])})]))
        w.esc.deposit(*w.deposit[name], sender=who)
    legs = w.rep.last_legs
    nproof = netting.prove(
        [legs[0].commitment(), legs[1].commitment()],
        [legs[0].signed_blinding, legs[1].signed_blinding],
    )
    m, a, b = w.trade
    trade = B.Batch(
        [
            B.Item(
                "trade",
                {
                    "match": bundle("match", m),
                    "leg_a": bundle("transition", a),
                    "leg_b": bundle("transition", b),
                },
                netting=B.NettingProof(R=nproof.R, s=nproof.s),
            )
        ]
    )
    exit_ = B.Batch([B.Item("withdraw", {"withdraw": bundle("withdraw", w.withdraw_alice)})])
    led = svc.ledger
    for batch in (trade, exit_):
        svc.apply(batch)
        mirror_batch(w.esc, batch)
        assert led.root_history()[-1][1] == w.esc.last_root()
    assert w.esc.last_root() == w.roots["withdrawn"]
    for n in nullifiers(w)[:5]:
        assert led.nullifier_spent(n) and w.esc.spent(n)
    assert int(led.escrow_balance(ASSET)) == w.esc.balance(w.esc.contract.address)
    # deposits are the trader's to send; liquidations are not on chain
    with pytest.raises(ChainError, match="deposits are sent by the trader"):
        mirror_batch(
            w.esc, B.Batch([B.Item("deposit", {"deposit": bundle("deposit", w.deposit["bob"])})])
        )
    svc.close()
