"""SettlementService with the REAL adapters: Groth16 batch verification
(zkats.groth16.verifier) and the Schnorr netting check (zkats.commit).

The Groth16 keys and proofs come from _groth16_sim (valid proofs made with a
known trapdoor: a test double for the circuits and the ceremony, which this
test does not depend on); the netting legs are real Pedersen commitments.
"""

import random

import pytest

from _groth16_sim import sim_key, sim_proof
from _settlement_util import (
    EPOCH1,
    ORACLE,
    deposit,
    fast_hash2,
    genesis,
    ledger_snapshot,
    order,
    publish,
    trade,
)
from zkats.commit import netting, pedersen
from zkats.errors import LedgerError
from zkats.venue import batch as B
from zkats.venue.rules import circuits
from zkats.venue.settlement import Groth16Verifier, SchnorrNettingVerifier, SettlementService

DEPTH = 8


@pytest.fixture(scope="module")
def keys():
    out = {}
    for i, (name, statement) in enumerate(sorted(circuits().items())):
        out[name] = sim_key(statement.n_public(), seed=i)
    return out


def _prove(keys, item, tamper_role=None):
    """Replace every proof of ``item`` with a real (trapdoor-simulated) one;
    ``tamper_role``'s public signals are changed AFTER proving."""
    proofs = {}
    for role, b in item.proofs.items():
        proof = sim_proof(keys[b.circuit][1], list(b.public))
        public = list(b.public)
        if role == tamper_role:
            public[2] += 1
        proofs[role] = B.ProofBundle(b.circuit, tuple(public), proof)
    return B.Item(item.kind, proofs, item.netting)


def _legs(size, notional, balanced=True):
    rb, rs = pedersen.random_blinding(), pedersen.random_blinding()
    buy = pedersen.commit_signed([size, notional], rb)
    sell = pedersen.commit_signed([-size, -notional], rs)
    proof = netting.prove([buy, sell], [rb, rs])
    if not balanced:
        sell = pedersen.commit_signed([-size + 1, -notional], rs)
    return buy, sell, B.NettingProof(R=proof.R, s=proof.s)


def _trade(keys, tid, na, ca, nb, cb, balanced=True, tamper_role=None):
    """[order_a, order_b, trade]: the two order proofs open the orders the match consumes."""
    buy, sell, nproof = _legs(3, 300, balanced)
    item = trade(tid, na, ca, nb, cb, root=genesis(DEPTH), legs=(buy, sell), netting=nproof)
    return [
        _prove(keys, order((tid, 1))),
        _prove(keys, order((tid, 2))),
        _prove(keys, item, tamper_role),
    ]


def _deposit(keys, c, account, amount):
    return _prove(keys, deposit(c, account, amount, root=genesis(DEPTH)))


@pytest.fixture
def svc(tmp_path, keys):
    s = SettlementService(
        tmp_path / "l.db",
        verifier=Groth16Verifier({k: v[0] for k, v in keys.items()}),
        netting=SchnorrNettingVerifier(),
        depth=DEPTH,
        hash2=fast_hash2,
        clock=lambda: 10_000,
        oracle_key=ORACLE.pub,
    )
    publish(s, 1, EPOCH1, 20_000)
    yield s
    s.close()


def test_real_proofs_accepted_and_tampering_rejected(svc, keys):
    b = B.Batch(
        [
            _deposit(keys, 101, 1, 50),
            *_trade(keys, 9, 11, 12, 13, 14),
            *_trade(keys, 10, 21, 22, 23, 24),
        ]
    )
    # through JSON, as a submitter would send it
    r = svc.apply(B.loads(B.dumps(b)))
    assert r.nullifiers == 5 and len(r.leaf_indices) == 5
    before = ledger_snapshot(svc)
    for batch, match in [
        (
            B.Batch(
                [_deposit(keys, 102, 1, 5), *_trade(keys, 30, 31, 32, 33, 34, tamper_role="leg_b")]
            ),
            r"item 3 \(trade\): leg_b proof does not verify against the transition key",
        ),
        (
            B.Batch(_trade(keys, 35, 36, 37, 38, 39, tamper_role="match")),
            r"item 2 \(trade\): match proof does not verify against the match key",
        ),
        (
            B.Batch(_trade(keys, 40, 41, 42, 43, 44, balanced=False)),
            r"item 2 \(trade\): netting proof does not verify",
        ),
        (
            B.Batch(_trade(keys, 50, 51, 52, 11, 54)),
            r"item 2 \(trade\): leg_b nullifier 11 is already spent",
        ),
    ]:
        with pytest.raises(LedgerError, match=match):
            svc.apply(batch)
        assert ledger_snapshot(svc) == before


def test_proof_made_for_another_circuit_rejected(svc, keys):
    # a deposit-key proof over the same six signals, presented as a deposit of
    # the health circuit's shape is impossible (layouts differ); the realistic
    # forgery is a proof under another key with the right signal count
    item = deposit(105, 1, 5, root=genesis(DEPTH))
    b = item.proofs["deposit"]
    forged = B.Item(
        "deposit",
        {
            "deposit": B.ProofBundle(
                "deposit", b.public, sim_proof(keys["liquidate"][1], list(b.public))
            )
        },
    )
    with pytest.raises(LedgerError, match=r"item 0 \(deposit\): deposit proof does not verify"):
        svc.apply(B.Batch([forged]))


def test_native_netting_verifier_matches_reference():
    from zkats.gadgets import babyjubjub as bj
    from zkats.venue.settlement import ReferenceNettingVerifier

    fast, ref = SchnorrNettingVerifier(), ReferenceNettingVerifier()
    rnd = random.Random(5)
    order2 = (0, bj.R - 1)  # the point of order 2
    for _ in range(6):
        buy, sell, proof = _legs(rnd.randrange(1, 1000), rnd.randrange(1, 10**6))
        cases = [
            ([buy, sell], proof, True),
            ([sell, buy], proof, True),  # order does not matter
            ([buy, pedersen.commit_signed([-1, 0], 5)], proof, False),  # unbalanced
            ([buy, sell], B.NettingProof(proof.R, (proof.s + 1) % bj.L), False),
            ([buy, sell], B.NettingProof(proof.R, proof.s + bj.L), False),  # s >= L
            ([buy, sell], B.NettingProof(bj.babyjub_add_plain(proof.R, order2), proof.s), False),
            ([buy, bj.babyjub_add_plain(sell, order2)], proof, False),  # leg outside the subgroup
            ([buy, (1, 2)], proof, False),  # off the curve
            ([], proof, False),
        ]
        for legs, pr, want in cases:
            assert ref.verify(legs, pr) is want
            assert fast.verify(legs, pr) is want


def test_one_bad_proof_among_many_trades_named(svc, keys):
    """Many trades verified in one pairing product per key and one netting
    multi-scalar multiplication: a single bad proof or netting proof, or a
    pi_b outside the subgroup (which the batch parser leaves to the
    verifier), still rejects the batch naming its item; nothing is applied."""
    from test_native_curve import random_twist_point

    def many(bad_at=None, **kw):
        items = []
        for t in range(8):
            tid = 1000 + 10 * t
            items += _trade(
                keys, tid, tid + 1, tid + 2, tid + 3, tid + 4, **(kw if t == bad_at else {})
            )
        return items

    before = ledger_snapshot(svc)
    for kw, match in [
        ({"tamper_role": "leg_a"}, r"item 17 \(trade\): leg_a proof does not verify"),
        ({"tamper_role": "match"}, r"item 17 \(trade\): match proof does not verify"),
        ({"balanced": False}, r"item 17 \(trade\): netting proof does not verify"),
    ]:
        with pytest.raises(LedgerError, match=match):
            svc.apply(B.loads(B.dumps(B.Batch(many(bad_at=5, **kw)))))
        assert ledger_snapshot(svc) == before
    items = many()
    it = items[12]  # trade 4's order a
    bundle = it.proofs["order"]
    items[12] = B.Item(
        "order",
        {
            "order": B.ProofBundle(
                "order", bundle.public, bundle.proof.replace(b=random_twist_point())
            )
        },
    )
    batch = B.loads(B.dumps(B.Batch(items)))  # parses: the subgroup test is the verifier's
    with pytest.raises(LedgerError, match=r"item 12 \(order\): order proof does not verify"):
        svc.apply(batch)
    assert ledger_snapshot(svc) == before
    r = svc.apply(B.loads(B.dumps(B.Batch(many()))))
    assert r.n_items == 24
