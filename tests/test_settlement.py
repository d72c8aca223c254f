"""SettlementService.apply: acceptance, every rejection leaves the ledger
byte-for-byte unchanged, replays, health/liquidation bookkeeping, batch JSON.

Proof verification and netting use the TEST DOUBLES in _settlement_util
(the real Groth16/netting adapters are exercised in test_settlement_e2e once
the circuits exist).
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from _settlement_util import (
    ASSET,
    BAD,
    EPOCH1,
    GOOD,
    check_consistency,
    deposit,
    fast_hash2,
    health,
    ledger_snapshot,
    liquidate,
    publish,
    scenario_batch,
    service,
    trade,
    withdraw,
)
from zkats.domain import note_cipher
from zkats.errors import InputError, LedgerError
from zkats.venue import batch as B


@pytest.fixture
def svc(tmp_path):
    s = service(tmp_path / "ledger.db")
    publish(s, 1, EPOCH1, 20_000)
    # some state to be unchanged
    s.apply(B.Batch([deposit(101, 1, 500), deposit(102, 2, 500)]))
    yield s
    s.close()


def test_apply_scenario(svc):
    b, n_notes, n_nul = scenario_batch(0)
    r = svc.apply(b)
    assert r.batch_id == 2 and r.n_items == len(b.items) and r.nullifiers == n_nul
    assert len(r.leaf_indices) == n_notes
    assert [i for _, _, i in r.leaf_indices] == list(range(2, 2 + n_notes))
    assert r.root == svc.ledger.current_root()
    assert svc.ledger.escrow_balance(ASSET) == 1000 + 50 + 70 - 20
    check_consistency(svc.ledger)
    s = svc.ledger.summary()
    assert s["trades"] == 4 and s["batches"] == 2 and s["notes"] == 2 + n_notes
    # per-circuit batching: one verifier call per circuit key
    circuits = [c for c, _ in svc.verifier.calls[-4:]]
    assert sorted(circuits) == ["deposit", "match", "transition", "withdraw"]
    # a new root from this batch is usable by the next one
    svc.apply(B.Batch([trade(77, 1, 2, 3, 4, root=r.root)]))
    check_consistency(svc.ledger)


def test_merkle_paths(svc):
    for idx, c in svc.ledger.notes():
        sib, bits = svc.ledger.note_path(idx)
        from zkats.venue.merkle_store import root_from_path

        assert root_from_path(c, sib, bits, fast_hash2) == svc.ledger.current_root()


def _rejects(svc, batch, match):
    before = ledger_snapshot(svc)
    with pytest.raises(LedgerError, match=match):
        svc.apply(batch)
    after = ledger_snapshot(svc)
    assert after[0] == before[0], "ledger file changed"
    assert after[1] == before[1], "ledger contents changed"


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, root=424242)]),
            r"item 0 \(trade\): leg_a proof uses unknown Merkle root",
        ),
        (
            lambda: B.Batch([deposit(5, 1, 1, root=424242)]),
            r"item 0 \(deposit\): deposit proof uses unknown Merkle root",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14), trade(2, 21, 22, 11, 24)]),
            r"item 1 \(trade\): leg_b nullifier 11 is spent twice in this batch",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 11, 14)]),
            r"item 0 \(trade\): leg_b nullifier 11 is spent twice",
        ),
        (
            lambda: B.Batch([deposit(5, 1, 1), trade(1, 11, 12, 13, 14, bad_role="leg_b")]),
            r"item 1 \(trade\): leg_b proof does not verify against the transition key",
        ),
        (
            lambda: B.Batch([deposit(5, 1, 1), trade(1, 11, 12, 13, 14, bad_role="match")]),
            r"item 1 \(trade\): match proof does not verify against the match key",
        ),
        (
            lambda: B.Batch([deposit(5, 1, 1, proof=BAD)]),
            r"item 0 \(deposit\): deposit proof does not verify",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, balanced=False)]),
            r"item 0 \(trade\): netting proof does not verify",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, leg_b_tag=9)]),
            r"item 0 \(trade\): leg_b transition does not apply the match's leg_b",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, epoch=999)]),
            r"item 0 \(trade\): leg_a proof uses unknown oracle epoch 1",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, epoch_id=2)]),
            r"item 0 \(trade\): leg_a proof uses unknown oracle epoch 2 \(or its data hash",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, now=10_000 - 3601)]),
            r"item 0 \(trade\): match time 6399 is not current",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, now=10_000 + 61)]),
            r"item 0 \(trade\): match time 10061 is not current",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, orders=((7, 7), (7, 7)))]),
            r"item 0 \(trade\): an order cannot match itself",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14, reveal_price=2)]),
            r"item 0 \(trade\): reveal_price must be 0 or 1",
        ),
        (
            lambda: B.Batch(
                [
                    trade(1, 11, 12, 13, 14, orders=((7, 7), (8, 8))),
                    trade(2, 21, 22, 23, 24, orders=((9, 9), (8, 8))),
                ]
            ),
            r"item 1 \(trade\): order 8 is consumed \(matched or cancelled\) twice in this batch",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14), health(1, nullifier=13)]),
            r"item 1 \(health\): health proof is about a note spent in this batch",
        ),
        (
            lambda: B.Batch([deposit(101, 1, 5, nullifier=999)]),
            r"item 0 \(deposit\): deposit note commitment 101 already exists",
        ),
        (
            lambda: B.Batch([deposit(7, 1, 5), deposit(7, 2, 5, nullifier=3)]),
            r"item 1 \(deposit\): deposit note commitment 7 appears twice",
        ),
        (
            lambda: B.Batch([withdraw(31, 32, 1, 10**6)]),
            r"item 0 \(withdraw\): withdrawal exceeds the escrow balance",
        ),
        (
            lambda: B.Batch([trade(1, 11, 12, 13, 14), trade(1, 21, 22, 23, 24)]),
            r"item 1 \(trade\): order 1 is consumed \(matched or cancelled\) twice",
        ),
        (
            lambda: B.Batch([liquidate(41, 42, 1)]),
            r"item 0 \(liquidate\): liquidation must use the latest oracle epoch, closed",
        ),
        (lambda: B.Batch([health(99)]), r"item 0 \(health\): account 99 is unknown"),
        (lambda: B.Batch([]), r"batch is empty"),
    ],
)
def test_rejection_leaves_ledger_unchanged(svc, make, match):
    _rejects(svc, make(), match)


def test_malformed_public_signals(svc):
    bad = B.Item("deposit", {"deposit": B.ProofBundle("deposit", (1, 2, 3), GOOD)})
    _rejects(
        svc,
        B.Batch([deposit(5, 1, 1), bad]),
        r"item 1 \(deposit\): deposit proof: deposit proof has 3 public signals, "
        rf"expected {7 + note_cipher.N_CT} \(or 7 without them\) \(root, nullifier",
    )


def test_carried_ciphertext_must_match_its_hash(svc):
    """A deposit record whose ciphertext words are not the ones its public
    hash binds: refused, nothing written.  Without the words it is accepted
    (the note is stored without a ciphertext)."""
    good = deposit(5, 1, 1).proofs["deposit"]
    words = list(good.public[7:])
    words[3] += 1
    bad = B.ProofBundle("deposit", good.public[:7] + tuple(words), GOOD)
    _rejects(
        svc,
        B.Batch([B.Item("deposit", {"deposit": bad})]),
        r"item 0 \(deposit\): deposit proof: deposit: public ciphertext_hash is not the hash "
        r"of the ciphertext carried beside the proof",
    )
    short = B.ProofBundle("deposit", good.public[:7], GOOD)
    svc.apply(B.Batch([B.Item("deposit", {"deposit": short})]))
    row = svc.ledger.notes_page(-1)[-1]
    assert int(row["commitment"]) == 5 and row["ciphertext"] is None


def test_replay_rejected_by_nullifier_not_bytes(svc):
    svc.apply(B.Batch([trade(1, 11, 12, 13, 14)]))
    # the identical batch again
    _rejects(svc, B.Batch([trade(1, 11, 12, 13, 14)]), r"nullifier 11 is already spent")
    # a different trade (different proof bytes, commitments) reusing one nullifier
    _rejects(
        svc,
        B.Batch([trade(2, 21, 22, 13, 24)]),
        r"item 0 \(trade\): leg_b nullifier 13 is already spent",
    )
    # replaying a deposit: its note commitment exists
    _rejects(
        svc,
        B.Batch([deposit(101, 1, 500)]),
        r"deposit nullifier 1000000000101 is "
        r"already spent",
    )
    check_consistency(svc.ledger)


def test_rejections_after_crossing_state_do_not_partially_apply(svc):
    # item 0 is fine, item 2 conflicts with the ledger: nothing of item 0 may land
    svc.apply(B.Batch([trade(1, 11, 12, 13, 14)]))
    _rejects(
        svc,
        B.Batch([deposit(55, 3, 5), trade(2, 21, 22, 23, 24), trade(3, 31, 32, 11, 34)]),
        r"item 2 \(trade\): leg_b nullifier 11",
    )
    assert svc.ledger.note_index(55) is None


def test_health_and_liquidation(tmp_path):
    now = [1000]
    s = service(tmp_path / "l.db", clock=lambda: now[0])
    publish(s, 1, EPOCH1, 2000)
    s.apply(B.Batch([deposit(101, 1, 500), deposit(102, 2, 500), deposit(103, 3, 500)]))
    s.apply(B.Batch([health(1), health(3)]))
    _rejects(s, B.Batch([health(1)]), r"account 1 already proved health for oracle epoch 1")
    _rejects(
        s,
        B.Batch([health(2), health(2)]),
        r"item 1 \(health\): duplicate health for "
        r"account 2 and epoch 1",
    )
    _rejects(
        s,
        B.Batch([health(2, nullifier=10**12 + 101)]),
        r"health nullifier 100000000010.* is already spent",
    )
    with pytest.raises(LedgerError, match="deadline not reached"):
        s.close_epoch(1)
    now[0] = 2001
    _rejects(s, B.Batch([health(2)]), r"past its deadline")
    assert s.close_epoch(1) == ["2"]
    assert s.close_epoch(1) == []  # idempotent
    assert s.ledger.health_proved(1) == ["1", "3"]
    assert [(e, a) for e, a, _, _ in s.ledger.liquidatable(1, pending_only=True)] == [(1, "2")]
    _rejects(s, B.Batch([liquidate(41, 42, 1)]), r"account 1 is not liquidatable")
    s.apply(B.Batch([liquidate(41, 42, 2)]))
    assert s.ledger.liquidatable(1, pending_only=True) == []
    _rejects(s, B.Batch([liquidate(43, 44, 2)]), r"account 2 was already liquidated")
    # trades must use the latest epoch
    publish(s, 2, 2222, 3000)
    _rejects(
        s,
        B.Batch([trade(1, 11, 12, 13, 14, epoch=EPOCH1, now=2001)]),
        r"leg_a proof uses oracle epoch 1, not the latest",
    )
    now[0] = 2100
    s.apply(B.Batch([trade(1, 11, 12, 13, 14, epoch=2222, epoch_id=2, now=2100)]))
    with pytest.raises(LedgerError, match="not after the latest"):
        publish(s, 2, 3333, 4000)
    check_consistency(s.ledger)
    s.close()


def test_health_proofs_in_one_batch_go_forward_in_epochs(tmp_path):
    """As the escrow's ``healthyAt`` (one item after the other): an
    account's health proofs in one batch must be for increasing epochs.
    Newer first, then older, is refused (the chain would revert the batch
    on the second), and nothing is written; ascending is accepted."""
    s = service(tmp_path / "l.db", clock=lambda: 1000)
    publish(s, 1, EPOCH1, 2000)
    publish(s, 2, 2222, 3000)
    s.apply(B.Batch([deposit(101, 1, 500), deposit(102, 2, 500)]))
    _rejects(
        s,
        B.Batch([health(1, epoch=2222, epoch_id=2), health(1)]),
        r"item 1 \(health\): account 1 already proved health for oracle epoch 1 or a later "
        r"one \(item proving epoch 2 in this batch\)",
    )
    # other accounts are not held back by it; ascending epochs are accepted
    s.apply(B.Batch([health(2, epoch=2222, epoch_id=2), health(1), health(1, 2222, 2)]))
    assert s.ledger.health_proved(1) == ["1"]
    assert s.ledger.health_proved(2) == ["1", "2"]
    _rejects(s, B.Batch([health(2, epoch=2222, epoch_id=2)]), r"epoch 2 or a later one$")
    check_consistency(s.ledger)
    s.close()


# ---------------------------------------------------------------------------
# batch JSON
# ---------------------------------------------------------------------------


def test_batch_json_round_trip(svc):
    b, _, _ = scenario_batch(3)
    b = B.Batch(b.items + (health(1), liquidate(1, 2, 3)))
    text = B.dumps(b)
    b2 = B.loads(text)
    assert b2 == b and b2.digest() == b.digest()


def _mutate(d, path, value):
    obj = d
    for k in path[:-1]:
        obj = obj[k]
    if value is KeyError:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value


@pytest.mark.parametrize(
    "path, value, match",
    [
        (("version",), 2, "unsupported version"),
        (("version",), True, "unsupported version"),
        (("items", 0, "kind"), "swap", "kind must be one of"),
        (
            ("items", 0, "proofs", "deposit", "public", 0),
            5,
            r"item 0 \(deposit\).proofs.deposit.public\[0\]: expected a canonical decimal",
        ),
        (("items", 0, "proofs", "deposit", "public", 0), "05", "canonical decimal"),
        (("items", 0, "proofs", "deposit", "public", 0), "-5", "canonical decimal"),
        (("items", 0, "proofs", "deposit", "public", 0), str(2**254), "not canonical"),
        (
            ("items", 0, "proofs", "deposit", "public", 0),
            "21888242871839275222246405745257275088548364400416034343698204186575808495617",
            r"not canonical \(>= r\)",
        ),
        (("items", 0, "proofs", "deposit", "extra"), 1, "unknown key 'extra'"),
        (("items", 0, "proofs", "deposit"), KeyError, "missing 'deposit'"),
        (("items", 0, "proofs", "deposit", "proof", "pi_a", 1), "3", "not on the curve"),
        (("items", 1, "netting"), KeyError, r"item 1 \(trade\): missing 'netting'"),
        (("items", 1, "netting", "R"), ["1"], "netting.R: expected a list of 2"),
        (("items", 0, "netting"), {"R": ["1", "2"], "s": "1"}, "unknown key 'netting'"),
        (("items", 1, "proofs", "leg_a", "public"), ["1"] * 257, "at most 256"),
        (("items",), {}, "batch.items: expected a list"),
    ],
)
def test_batch_json_strict(path, value, match):
    b = B.Batch([deposit(1, 2, 3), trade(1, 2, 3, 4, 5)])
    d = json.loads(B.dumps(b))
    _mutate(d, path, value)
    with pytest.raises(InputError, match=match):
        B.loads(json.dumps(d))


@pytest.mark.parametrize(
    "text, match",
    [
        ('{"version": 1, "version": 1, "items": []}', "duplicate key 'version'"),
        ('{"version": 1, "items": [NaN]}', "not valid JSON"),
        ('{"version": 1, "items": [', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        ("[" * 100000 + "]" * 100000, "nested deeper than 16"),
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[", "version": 1, "items": []}', "unknown key 'a'"),
    ],
)
def test_batch_json_garbage(text, match):
    with pytest.raises(InputError, match=match):
        B.loads(text, "b.json")


def test_batch_file_errors_name_the_file(tmp_path):
    p = tmp_path / "batch.json"
    p.write_text('{"version": 1}')
    with pytest.raises(InputError, match=r"batch.json: batch: missing 'items'"):
        B.load(p)
    with pytest.raises(InputError, match="cannot read"):
        B.load(tmp_path / "absent.json")


def test_orders_consumed_and_trade_records(svc):
    svc.apply(
        B.Batch([trade(1, 11, 12, 13, 14, orders=((7, 7), (8, 8)), reveal_price=1, price=60_000)])
    )
    # the same order again (different legs, nullifiers): refused by its commitment
    _rejects(
        svc,
        B.Batch([trade(2, 21, 22, 23, 24, orders=((9, 9), (8, 8)))]),
        r"item 0 \(trade\): order 8 was already matched",
    )
    svc.apply(B.Batch([trade(3, 31, 32, 33, 34)]))
    rows = list(
        svc.ledger.conn.execute(
            "SELECT trade_commitment, instrument, price, matched_at, epoch_id "
            "FROM trades ORDER BY trade_id"
        )
    )
    assert rows == [("1,5", "5", "60000", 10_000, 1), ("3,5", "5", None, 10_000, 1)]
    assert svc.ledger.order_consumed((7, 7)) and not svc.ledger.order_consumed((9, 9))


def test_withdraw_records_recipient(svc):
    svc.apply(B.Batch([withdraw(31, 32, 1, 100, recipient=4242)]))
    assert svc.ledger.escrow_balance(ASSET) == 900
    row = svc.ledger.conn.execute(
        "SELECT account, delta, recipient FROM escrow_moves ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row == (None, "-100", "4242")  # the withdraw statement does not reveal the account


def test_layouts_are_the_circuits():
    """Every role's proof is decoded with its circuit class's own declaration
    (no second copy of a layout), and every venue statement has a rule."""
    from zkats.circuit import list_circuits, load_circuit
    from zkats.circuits._statement import Statement
    from zkats.venue.rules import RULES, circuits

    for rule in RULES.values():
        for role, cls in rule.roles.items():
            assert type(load_circuit(cls.circuit_name)) is cls
            assert B.roles(rule.kind)[role] == cls.circuit_name
    statements = {n for n, c in list_circuits().items() if issubclass(c, Statement)}
    # insert (the escrow's tree appends) and oracle_epoch (the oracle's
    # signature, for the escrow) are checked on chain, not ledger items
    assert set(circuits()) == statements - {"insert", "oracle_epoch"}
    assert {"deposit", "withdraw", "match", "transition", "health", "liquidate", "order"} <= (
        set(circuits())
    )


# ---------------------------------------------------------------------------
# batch JSON under fire: every input parses or raises InputError (never
# another exception); counts are printed with -s
# ---------------------------------------------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(
        ["1", "0", "01", "-1", str(2**254), "deposit", "trade", "version", "items", "proofs"]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "items",
                    "kind",
                    "proofs",
                    "public",
                    "proof",
                    "netting",
                    "R",
                    "s",
                    "deposit",
                    "match",
                    "leg_a",
                    "leg_b",
                    "pi_a",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_values)
def test_batch_json_random_values(value):
    try:
        B.batch_from_json(value)
    except InputError:
        pass


_VALID = B.dumps(B.Batch([deposit(1, 2, 3), trade(1, 2, 3, 4, 5), health(1)])).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=4
    ),
    st.integers(0, len(_VALID)),
)
def test_batch_json_mutated_bytes(edits, cut):
    data = bytearray(_VALID)
    for pos, byte in edits:
        data[pos] = byte
    for blob in (bytes(data), bytes(data[:cut])):
        try:
            B.loads(blob, "m.json")
        except InputError:
            pass


def test_write_failure_applies_nothing(svc, monkeypatch):
    import sqlite3

    def broken(n0, leaves):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(svc.ledger.tree, "append_many", broken)
    _rejects(
        svc,
        B.Batch([deposit(5, 1, 1)]),
        r"ledger write failed \(disk I/O error\); "
        r"nothing was applied",
    )


@pytest.mark.parametrize("committed", [True, False])
def test_connection_lost_during_commit(svc, monkeypatch, committed):
    """The connection goes while COMMIT is under way (PostgreSQL restarted):
    the service asks the database whether the batch landed, and answers with
    its receipt, or says that nothing was applied, never a false either."""
    from zkats.venue.ledger import CommitUnknown

    conn = svc.ledger.conn
    real_commit = conn.commit

    def lost(self=None):
        (real_commit if committed else conn.rollback)()
        raise CommitUnknown(f"{conn.path}: database is unavailable (lost) during the commit")

    monkeypatch.setattr(conn, "commit", lost)
    batch = B.Batch([deposit(7, 1, 1)])
    if committed:
        before = svc.ledger.batch_count()
        r = svc.apply(batch)
        assert svc.ledger.batch_count() == before + 1 and r.n_items == 1
        assert r.root == svc.ledger.current_root()
    else:
        _rejects(svc, batch, r"during the commit; it was not committed: nothing was applied")


# ---------------------------------------------------------------------------
# random sequences of batches with colliding values: a batch lands whole or
# not at all, and a batch reusing a spent nullifier or order never lands
# ---------------------------------------------------------------------------

_item = st.one_of(
    st.tuples(st.just("deposit"), st.integers(1, 12), st.integers(1, 3), st.integers(1, 50)),
    st.tuples(st.just("trade"), st.integers(1, 6), st.integers(1, 12), st.integers(1, 12)),
    st.tuples(st.just("withdraw"), st.integers(1, 12), st.integers(1, 3), st.integers(1, 80)),
)


def _build(spec, salt):
    kind, a, b, c = spec
    if kind == "deposit":
        return deposit(1000 * salt + a, b, c, nullifier=a)
    if kind == "trade":
        return trade(
            a, b, 1000 * salt + 100 + b, c + 20, 1000 * salt + 200 + c, orders=((a, 1), (a, 2))
        )
    return withdraw(a, 1000 * salt + 300 + a, b, c)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_item, min_size=1, max_size=3), min_size=1, max_size=6))
def test_random_batch_sequences(batches):
    import tempfile

    from zkats.circuit import load_circuit

    with tempfile.TemporaryDirectory() as d:
        s = service(f"{d}/r.db")
        publish(s, 1, EPOCH1, 20_000)
        spent, orders, escrow = set(), set(), 0
        for salt, specs in enumerate(batches, start=1):
            batch = B.Batch([_build(x, salt) for x in specs])
            nuls = [
                n
                for it in batch.items
                for b in it.proofs.values()
                for name, n in zip(
                    [nm for nm, _ in load_circuit(b.circuit).public_fields()], b.public
                )
                if name == "nullifier"
            ]
            ords = [
                o
                for it in batch.items
                if it.kind == "trade"
                for o in [
                    tuple(it.proofs["match"].public[4:6]),
                    tuple(it.proofs["match"].public[6:8]),
                ]
            ]
            before = ledger_snapshot(s)
            try:
                r = s.apply(batch)
            except LedgerError:
                assert ledger_snapshot(s) == before
                continue
            # it landed: nothing it spends was spent before, all of it is there now
            assert not spent & set(nuls) and len(set(nuls)) == len(nuls)
            assert not orders & set(ords)
            spent |= set(nuls)
            orders |= set(ords)
            assert r.nullifiers == len(nuls)
            for it in batch.items:
                if it.kind in ("deposit", "withdraw"):
                    b = it.proofs[it.kind]
                    amt = load_circuit(b.circuit).decode(b.public).amount
                    escrow += amt if it.kind == "deposit" else -amt
            assert escrow >= 0 and s.ledger.escrow_balance(ASSET) == escrow
            assert {
                int(n) for (n,) in s.ledger.conn.execute("SELECT nullifier FROM nullifiers")
            } == spent
        check_consistency(s.ledger)
        s.close()


def test_orders_must_be_open(tmp_path):
    from _settlement_util import order

    s = service(tmp_path / "o.db", require_open_orders=True)
    publish(s, 1, EPOCH1, 20_000)
    # an order nobody proved (unsigned) cannot be matched
    _rejects(
        s,
        B.Batch([order((7, 7)), trade(1, 11, 12, 13, 14, orders=((7, 7), (8, 8)))]),
        r"item 1 \(trade\): order 8 is not open",
    )
    # orders opened by order proofs (here in the same batch, before the match)
    s.apply(
        B.Batch([order((7, 7)), order((8, 8)), trade(1, 11, 12, 13, 14, orders=((7, 7), (8, 8)))])
    )
    assert not s.ledger.order_open((7, 7)) and s.ledger.order_consumed((7, 7))
    # the match opened its remainders (1, 3) and (1, 4): they can be matched later
    assert s.ledger.order_open((1, 3)) and s.ledger.order_open((1, 4))
    s.apply(B.Batch([order((9, 9)), trade(2, 21, 22, 23, 24, orders=((1, 3), (9, 9)))]))
    assert s.ledger.summary()["open_orders"] == 3  # (1, 4), (2, 3), (2, 4)
    _rejects(
        s,
        B.Batch([order((1, 4))]),
        r"item 0 \(order\): order commitment 1 was already "
        r"opened",
    )
    _rejects(s, B.Batch([order((7, 7))]), r"order commitment 7 was already opened")
    _rejects(
        s,
        B.Batch([order((5, 5), now=10_000 - 3601)]),
        r"item 0 \(order\): order time 6399 is not current",
    )
    _rejects(
        s,
        B.Batch([order((5, 5)), order((5, 5))]),
        r"item 1 \(order\): order commitment 5 was already opened",
    )
    check_consistency(s.ledger)
    s.close()


def test_cancel_consumes_the_order(tmp_path):
    """The owner's cancel consumes the order: a later match of it, a replayed
    cancel, a cancel of a matched order and opening a pre-empted order are
    refused, each naming the item, with the ledger unchanged."""
    from _settlement_util import cancel, order

    s = service(tmp_path / "c.db", require_open_orders=True)
    publish(s, 1, EPOCH1, 20_000)
    s.apply(B.Batch([order((7, 7)), order((8, 8))]))
    s.apply(B.Batch([cancel((7, 7))]))
    assert not s.ledger.order_open((7, 7)) and s.ledger.order_consumed((7, 7))
    for batch, msg in (
        (
            B.Batch([trade(1, 11, 12, 13, 14, orders=((7, 7), (8, 8)))]),
            r"item 0 \(trade\): order 7 was already matched or cancelled",
        ),
        (B.Batch([cancel((7, 7))]), r"item 0 \(cancel\): order 7 was already matched or cancelled"),
        (
            B.Batch([cancel((8, 8)), cancel((8, 8))]),
            r"item 1 \(cancel\): order 8 is consumed \(matched or cancelled\) twice in this batch",
        ),
        (
            B.Batch([cancel((8, 8)), trade(1, 11, 12, 13, 14, orders=((8, 8), (9, 9)))]),
            r"item 1 \(trade\): order 8 is consumed \(matched or cancelled\) twice",
        ),
        (B.Batch([cancel((9, 9), proof=BAD)]), r"item 0 \(cancel\): cancel proof does not verify"),
    ):
        _rejects(s, batch, msg)
    # a match consumes 8 and opens its remainders; the remainder can be cancelled,
    # the matched order cannot
    s.apply(B.Batch([order((6, 6)), trade(1, 11, 12, 13, 14, orders=((6, 6), (8, 8)))]))
    _rejects(s, B.Batch([cancel((8, 8))]), r"item 0 \(cancel\): order 8 was already matched")
    s.apply(B.Batch([cancel((1, 3))]))
    _rejects(
        s,
        B.Batch([trade(2, 21, 22, 23, 24, orders=((1, 3), (1, 4)))]),
        r"item 0 \(trade\): order 1 was already matched or cancelled",
    )
    # an order nobody opened yet can be pre-empted: it can never be opened after
    s.apply(B.Batch([cancel((5, 5))]))
    _rejects(
        s, B.Batch([order((5, 5))]), r"item 0 \(order\): order commitment 5 was already opened"
    )
    check_consistency(s.ledger)
    s.close()


def test_known_answers_like_one_query_per_value(svc, monkeypatch):
    """Ledger.known (one UNION ALL statement per IN_CHUNK keys) agrees with
    the per-value queries, across chunk boundaries."""
    led = svc.ledger
    svc.apply(B.Batch([deposit(300 + i, 1, 1, nullifier=900 + i) for i in range(7)]))
    notes = [c for _, c in led.notes()]
    roots = [r for _, r, _, _ in led.root_history()]
    for chunk in (2, 3, 500):
        monkeypatch.setattr(type(led.conn), "IN_CHUNK", chunk)
        k = led.known(
            roots=roots + [12345],
            nullifiers=[900 + i for i in range(10)],
            commitments=notes + [777, 778],
            orders=[(1, 2)],
        )
        assert k.roots == set(roots)
        assert k.spent == {n for n in range(900, 910) if led.nullifier_spent(n)} != set()
        assert k.notes == set(notes)
        assert not k.order_open((1, 2)) and not k.order_consumed((1, 2))


def test_group_commit_refuses_a_conflicting_batch_alone(svc):
    """apply_prepared: verified batches in ONE write transaction (what the
    server's committer does with concurrent submissions).  A batch that spends
    what an earlier batch of the group spent is refused with the usual
    reason and rolled back to its savepoint (its escrow change too); the
    others commit in order: the same ledger as applying the winners one by one."""
    one = B.Batch([deposit(301, 7, 40)])
    two = B.Batch([deposit(302, 8, 60, nullifier=10**12 + 301)])  # one's nullifier
    three = B.Batch([deposit(303, 9, 25)])
    before = svc.ledger.escrow_balance(ASSET)
    results = svc.apply_prepared([svc.prepare(b) for b in (one, two, three)])
    assert [type(r).__name__ for r in results] == ["BatchReceipt", "LedgerError", "BatchReceipt"]
    assert str(results[1]) == f"item 0 (deposit): deposit nullifier {10**12 + 301} is already spent"
    assert [r.batch_id for r in (results[0], results[2])] == [2, 3]
    assert results[2].root == svc.ledger.current_root()
    assert svc.ledger.escrow_balance(ASSET) == before + 40 + 25
    assert svc.ledger.note_index(302) is None
    check_consistency(svc.ledger)
    # the refused batch was not applied: alone now, it is refused the same way
    with pytest.raises(LedgerError, match="is already spent"):
        svc.apply(two)
    # the same winners applied one by one give the same ledger
    other = service(svc.ledger.path + ".b")
    publish(other, 1, EPOCH1, 20_000)
    other.apply(B.Batch([deposit(101, 1, 500), deposit(102, 2, 500)]))
    for b in (one, three):
        other.apply(b)
    assert other.ledger.root_history() == svc.ledger.root_history()
    assert other.ledger.notes() == svc.ledger.notes()
    other.close()
