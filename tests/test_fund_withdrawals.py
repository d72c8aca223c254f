"""The venue's own money (fee account, insurance fund) leaves only by an
operator-signed, sequenced, logged ``fund_withdraw`` item (issue 14: "both
withdrawable by the venue only by an authorised, logged operation").  Every
refusal is one line and leaves the ledger byte-for-byte unchanged."""

import json

import pytest

from _settlement_util import ledger_snapshot
from venue_world import World
from zkats.domain.operator_key import OperatorKey
from zkats.errors import InputError, LedgerError
from zkats.venue import batch as B
from zkats.venue.rules import FEE_FUND, INSURANCE_FUND


@pytest.fixture
def world(tmp_path):
    """a and b trade twice: the fee account holds 4 fees."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 100_000)
    w.deposit("b", 100_000)
    w.trade("a", "b", 1, 60_000)
    w.trade("b", "a", 1, 60_000)
    assert w.led.fund_balance(FEE_FUND) == 4 * 30
    return w


def test_operator_withdraws_fees_logged(world):
    w = world
    before = w.conserved()
    w.withdraw_fund(FEE_FUND, 100, recipient=0xFEE)
    assert w.led.fund_balance(FEE_FUND) == 20
    total, escrow = w.conserved()
    assert total == escrow == before[1] - 100
    ((seq, _, fund, amount, recipient, sig),) = w.led.fund_withdrawals()
    assert (seq, fund, amount, recipient) == (1, FEE_FUND, 100, 0xFEE)
    assert json.loads(sig)[1]  # the signature is kept
    w.withdraw_fund(FEE_FUND, 20)  # the next one in sequence
    assert w.led.fund_balance(FEE_FUND) == 0
    assert [r[0] for r in w.led.fund_withdrawals()] == [1, 2]


def test_json_round_trip(world):
    item = world.fund_withdrawal(FEE_FUND, 50)
    batch = B.Batch([item])
    again = B.loads(B.dumps(batch))
    assert again == batch
    world.svc.apply(again)
    assert world.led.fund_balance(FEE_FUND) == 70


def _refused(w, items, match):
    before = ledger_snapshot(w.svc)
    with pytest.raises(LedgerError, match=match) as err:
        w.svc.apply(B.Batch(items))
    assert "\n" not in str(err.value)
    assert ledger_snapshot(w.svc) == before


def _retarget(item, **change):
    op = item.operator
    fields = {k: getattr(op, k) for k in ("fund", "amount", "recipient", "seq", "signature")}
    return B.Item("fund_withdraw", {}, operator=B.FundWithdrawal(**{**fields, **change}))


def test_refusals_change_nothing(world):
    w = world
    other = OperatorKey.from_seed(b"not the operator")
    good = w.fund_withdrawal(FEE_FUND, 50)
    cases = [
        ([w.fund_withdrawal(FEE_FUND, 50, key=other)], "not signed by the ledger's operator key"),
        ([_retarget(good, amount=120)], "not signed"),  # amount changed after signing
        ([_retarget(good, recipient=0xBAD)], "not signed"),  # recipient changed
        ([_retarget(good, fund=INSURANCE_FUND)], "not signed"),  # fund changed
        ([w.fund_withdrawal(FEE_FUND, 50, seq=2)], "sequence number 2 is not the next one"),
        ([w.fund_withdrawal(FEE_FUND, 121)], "exceeds the fee fund's balance"),
        ([w.fund_withdrawal(INSURANCE_FUND, 1)], "exceeds the insurance fund's balance"),
        ([w.fund_withdrawal(FEE_FUND, 0)], "amount must be positive"),
        ([_retarget(good, fund="treasury")], "unknown fund 'treasury'"),
        ([good, good], r"item 1 \(fund_withdraw\): sequence number 1 is not the next one \(2\)"),
    ]
    for items, match in cases:
        _refused(w, items, match)
    # the good one still applies, once
    w.svc.apply(B.Batch([good]))
    _refused(w, [good], "sequence number 1 is not the next one")


def test_no_withdrawal_during_a_deficit(tmp_path):
    """An insurance fund in deficit (a bankruptcy it could not cover) freezes
    both funds: the venue's debt to its traders comes first."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 20_000)
    w.deposit("b", 1_000_000)
    w.trade("a", "b", 2, 60_000)
    w.publish(20_000)
    w.close_epoch()
    w.liquidate("a")
    assert w.led.fund_balance(INSURANCE_FUND) < 0
    w.publish(20_000)
    _refused(w, [w.fund_withdrawal(FEE_FUND, 1)], "insurance fund is in deficit")


def test_ledger_without_operator_key_refuses(tmp_path, world):
    from _settlement_util import ORACLE, StubVerifier
    from zkats.venue.settlement import SettlementService

    svc = SettlementService(tmp_path / "bare.db", verifier=StubVerifier(), oracle_key=ORACLE.pub)
    with pytest.raises(LedgerError, match="no operator key"):
        svc.apply(B.Batch([world.fund_withdrawal(FEE_FUND, 1)]))


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda d: d.pop("operator"), "missing 'operator'"),
        (lambda d: d["operator"].pop("seq"), "missing 'seq'"),
        (lambda d: d["operator"].update(amount=5), "canonical decimal"),
        (lambda d: d["operator"].update(signature=["1", "2"]), r"expected \[\[R8x, R8y\], S\]"),
        (lambda d: d["operator"].update(extra="1"), "unknown key 'extra'"),
        (lambda d: d.update(proofs={"x": {}}), "unknown key 'x'"),
    ],
)
def test_strict_json(world, change, match):
    d = B.batch_to_json(B.Batch([world.fund_withdrawal(FEE_FUND, 5)]))
    change(d["items"][0])
    with pytest.raises(InputError, match=match):
        B.batch_from_json(d)


def test_operator_request_only_on_its_kind(world):
    item = world.fund_withdrawal(FEE_FUND, 5)
    with pytest.raises(InputError, match="operator-signed request is required"):
        B.Item("fund_withdraw", {})
    d = B.batch_to_json(B.Batch([item]))
    d["items"][0]["kind"] = "order"
    with pytest.raises(InputError):
        B.batch_from_json(d)
