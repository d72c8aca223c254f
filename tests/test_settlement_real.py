"""End to end with the REAL venue circuits, a zkats trusted setup (a toy
one-party ceremony, power 14) and real Groth16 proofs of the example
scenario (circuits/_scenario.py): Alice buys 6 BTC perpetual lots from Bob.

The ledger starts from a genesis state holding the scenario's two account
notes (written directly: the scenario opens them without deposits).  Marked
slow: six key generations and eight proofs.
"""

import pytest

from _settlement_util import ORACLE, ledger_snapshot, publish
from zkats.errors import LedgerError
from zkats.venue import batch as B
from zkats.venue.ledger import point_key  # noqa: F401  (documents the trade id form)
from zkats.venue.settlement import Groth16Verifier, SettlementService

pytestmark = pytest.mark.slow

CIRCUITS = ("order", "match", "transition", "health", "liquidate", "deposit", "withdraw")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from zkats.circuit import compile_circuit
    from zkats.circuits import _scenario
    from zkats.formats.r1cs import write_r1cs
    from zkats.formats.snarkjs_json import write_verification_key
    from zkats.formats.zkey import read_zkey
    from zkats.groth16 import ceremony
    from zkats.groth16.generator import setup
    from zkats.groth16.prover import prove

    work = tmp_path_factory.mktemp("venue_keys")
    pt = ceremony.new_accumulator(14)
    pt, _ = ceremony.contribute(pt, name="settlement test (toy)")
    pt = ceremony.prepare_phase2(pt)
    ptau = work / "pot14.ptau"
    ceremony.write(ptau, pt)

    from zkats.circuits import order

    cases = dict(_scenario.cases())
    sc = _scenario.scenario()
    cases["order_sell"] = (order,) + order.build(sc.sell, _scenario.NOW)  # Bob's order
    compiled, zkeys = {}, {}
    for mod, _pub, _prv in cases.values():
        circ = mod.__name__.rsplit(".", 1)[1]
        if circ not in CIRCUITS:
            continue
        if circ not in zkeys:
            cls = next(
                c
                for c in vars(mod).values()
                if isinstance(c, type) and getattr(c, "circuit_name", None) == circ
            )
            cc = compile_circuit(cls())
            write_r1cs(work / f"{circ}.r1cs", cc.r1cs)
            setup(work / f"{circ}.r1cs", ptau, work / f"{circ}.zkey")
            zkeys[circ] = read_zkey(work / f"{circ}.zkey")
            compiled[circ] = cc
            write_verification_key(work / f"{circ}.vkey.json", zkeys[circ].verifying_key())
    proofs = {}
    for name, (mod, pub, prv) in cases.items():
        circ = mod.__name__.rsplit(".", 1)[1]
        if circ not in CIRCUITS:
            continue
        w = compiled[circ].solve(mod.inputs(pub, prv))
        proof, public = prove(zkeys[circ], w.limbs(), check=True)
        assert [int(x) for x in public] == [int(x) for x in pub.proof_values()]
        proofs[name] = B.ProofBundle(circ, tuple(int(x) for x in public), proof)
    return {
        "dir": work,
        "proofs": proofs,
        "cases": cases,
        "scenario": _scenario.scenario(),
        "now": _scenario.NOW,
    }


def _service(tmp_path, real, name="l.db"):
    from zkats.circuits.deposit import ASSET

    sc = real["scenario"]
    now = real["now"] + 10
    svc = SettlementService(
        tmp_path / name,
        verifier=Groth16Verifier.from_dir(real["dir"]),
        clock=lambda: now,
        oracle_key=ORACLE.pub,
    )
    led = svc.ledger
    # genesis: the scenario's two notes, their accounts and escrow
    notes = [n for _, n in sorted(sc.notes.values(), key=lambda t: t[0])]
    with led.write() as c:
        c.execute("INSERT INTO batches VALUES (1, 'genesis', 0, 0, 1)")
        c.executemany(
            "INSERT INTO notes VALUES (?, ?, 1, 0)",
            [(i, str(n.commitment())) for i, n in enumerate(notes)],
        )
        root = led.tree.append_many(0, [n.commitment() for n in notes])
        c.execute("INSERT INTO roots VALUES (1, ?, 2, 1)", (str(root),))
        for key in (sc.alice, sc.bob):
            c.execute("INSERT INTO accounts VALUES (?, 1)", (str(key.account),))
        c.execute("INSERT INTO escrow VALUES (?, '5000000')", (str(ASSET),))
    assert root == sc.root, "ledger tree (Poseidon, depth 16) differs from the circuits' tree"
    tpub = real["cases"]["transition"][1]
    publish(svc, tpub.epoch_id, tpub.epoch_hash, real["now"] + 100)
    return svc, now


def _trade(real):
    """[Alice's order, Bob's order, the trade]: the order proofs (signed) open
    the two orders the match consumes."""
    from zkats.commit import netting

    m = real["scenario"].match
    la, lb = m.legs()
    proof = netting.prove(
        [la.commitment(), lb.commitment()], [la.signed_blinding, lb.signed_blinding]
    )
    p = real["proofs"]
    return [
        B.Item("order", {"order": p["order"]}),
        B.Item("order", {"order": p["order_sell"]}),
        B.Item(
            "trade",
            {"match": p["match"], "leg_a": p["transition"], "leg_b": p["transition_seller"]},
            netting=B.NettingProof(R=proof.R, s=proof.s),
        ),
    ]


def _one(real, name, kind):
    return B.Item(kind, {kind: real["proofs"][name]})


def test_trade_settles_then_replays_fail(tmp_path, real):
    svc, _ = _service(tmp_path, real)
    batch = B.loads(B.dumps(B.Batch(_trade(real))))  # through the JSON form
    r = svc.apply(batch)
    assert r.nullifiers == 2 and [i for _, _, i in r.leaf_indices] == [2, 3]
    assert svc.ledger.summary()["trades"] == 1
    assert svc.ledger.summary()["open_orders"] == 2  # the two remainders
    before = ledger_snapshot(svc)
    for b, match in [
        (B.Batch(_trade(real)[2:]), r"item 0 \(trade\): leg_a nullifier .* is already spent"),
        (B.Batch(_trade(real)[:1]), r"item 0 \(order\): order commitment .* already opened"),
        # Bob's health proof is about the note the trade just spent
        (B.Batch([_one(real, "health", "health")]), r"health nullifier .* is already spent"),
    ]:
        with pytest.raises(LedgerError, match=match):
            svc.apply(b)
        assert ledger_snapshot(svc) == before
    svc.close()


def test_health_liquidation_withdrawal(tmp_path, real):
    sc = real["scenario"]
    # Bob proves health: Alice becomes liquidatable, Bob is not
    svc, now = _service(tmp_path, real, "a.db")
    svc.apply(B.Batch([_one(real, "health", "health")]))
    svc.clock = lambda: real["now"] + 200
    assert svc.close_epoch(42) == [str(sc.alice.account)]
    with pytest.raises(LedgerError, match=r"item 0 \(liquidate\): account .* is not liquidatable"):
        svc.apply(B.Batch([_one(real, "liquidate", "liquidate")]))
    svc.close()
    # nobody proves health: Bob is liquidated; Alice withdraws in the same batch;
    # her deposit spends the same note as the withdrawal: refused as a double spend
    svc, now = _service(tmp_path, real, "b.db")
    svc.clock = lambda: real["now"] + 200
    assert sorted(svc.close_epoch(42)) == sorted([str(sc.alice.account), str(sc.bob.account)])
    before = ledger_snapshot(svc)
    with pytest.raises(LedgerError, match=r"item 1 \(deposit\): deposit nullifier .* spent twice"):
        svc.apply(B.Batch([_one(real, "withdraw", "withdraw"), _one(real, "deposit", "deposit")]))
    assert ledger_snapshot(svc) == before
    r = svc.apply(
        B.Batch([_one(real, "liquidate", "liquidate"), _one(real, "withdraw", "withdraw")])
    )
    assert r.nullifiers == 2
    assert svc.ledger.escrow_balance(real["proofs"]["withdraw"].public[4]) == 5_000_000 - 150_000
    assert svc.ledger.liquidatable(42, pending_only=True) == [
        (42, str(sc.alice.account), "no health proof by the deadline", None)
    ]
    svc.close()
