"""Expiry and exercise of dated futures and options (issue 14, VENUE-CONTRACT
rules 3 and 4): the oracle publishes a settlement entry; the next spend of a
note closes its expired slots at the settlement value (a future at the
underlying's settlement price, an option at its intrinsic value: exercised
in the money, worthless out of it); an expired instrument is never traded
again.  Wrong statements are rejected by the native check AND by the
constraints."""

from dataclasses import replace

import pytest

from venue_helpers import compiled, reopen, resign
from venue_world import World
from zkats.circuits import transition, withdraw
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend
from zkats.domain import instruments, notes, oracle, units
from zkats.errors import InputError
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_unsat


def _fee(notional):
    return notes.trade_fee(notional)


# ------------------------------------------------------------- the domain
def test_settlement_values():
    assert oracle.settlement_value(oracle.FUTURE, 61_000, 0) == 61_000
    assert oracle.settlement_value(oracle.CALL, 61_000, 60_000) == 1_000
    assert oracle.settlement_value(oracle.CALL, 59_000, 60_000) == 0
    assert oracle.settlement_value(oracle.PUT, 59_000, 60_000) == 1_000
    assert oracle.settlement_value(oracle.PUT, 61_000, 60_000) == 0
    with pytest.raises(InputError, match="does not expire"):
        oracle.settlement_value(oracle.LINEAR, 61_000, 0)


@pytest.mark.parametrize(
    "fields,match",
    [
        ((7, 1, 59_000, 0, 0, 0, 0, 0, oracle.CALL, 60_000, 1), "settles at 0"),  # OTM paid
        ((7, 999, 61_000, 0, 0, 0, 0, 0, oracle.CALL, 60_000, 1), "settles at 1000"),
        ((7, 60_000, 61_000, 0, 0, 0, 0, 0, oracle.FUTURE, 0, 1), "settles at 61000"),
        ((7, 60_000, 60_000, 0, 0, 0, 0, 0, oracle.LINEAR, 0, 1), "perpetual does not expire"),
        ((7, 60_000, 60_000, 0, 0, 0, 0, 5, oracle.FUTURE, 0, 0), "only perpetuals"),
        ((7, 0, 60_000, 10, 0, 0, 0, 0, oracle.PUT, 70_000, 1), "no Greeks"),
        ((7, 10, 60_000, 0, 0, 0, 0, 0, oracle.FUTURE, 5, 0), "strike"),
        ((7, 10, 60_000, 0, 0, 0, 0, 0, oracle.CALL, 0, 0), "strike"),
        ((7, 10, 60_000, 0, 0, 0, 0, 0, 4, 0, 0), "payoff"),
        ((7, 10, 60_000, 0, 0, 0, 0, 0, oracle.FUTURE, 0, 2), "expired"),
    ],
)
def test_wrong_expiry_entries_rejected_natively(fields, match):
    with pytest.raises(InputError, match=match):
        oracle.EpochEntry(*fields)


def test_settle_closes_expired_slots():
    sc = scenario()
    n = notes.Note(
        sc.alice.account,
        sc.alice.npk,
        1_000,
        0,
        (
            notes.Slot(sc.old_call.id, 10, 15_000),  # ITM: settles at 2,000 a lot
            notes.Slot(sc.old_future.id, -3, -3 * 59_000),  # short from 59,000, settles 60,000
            notes.Slot(sc.perp.id, 1, 60_000),
        ),
        5,
    )
    s = n.settle(sc.epoch)
    assert s.collateral == 1_000 + (20_000 - 15_000) + (-180_000 + 177_000)
    assert s.slots[:2] == (notes.Slot(sc.old_call.id, 0, 0), notes.Slot(sc.old_future.id, 0, 0))
    assert s.slots[2] == notes.Slot(sc.perp.id, 1, 60_000)


# --------------------------------------------- the venue: who gets paid
def test_future_and_option_settle_at_expiry(tmp_path):
    """A buys 2 futures at 60,000 and 3 calls (strike 60,000) at 1,500 from
    B; the underlying settles at 64,000.  Each side's next spend closes the
    positions: A gains 2 * 4,000 + 3 * (4,000 - 1,500), B loses as much;
    both withdraw exactly their equity; money is conserved throughout."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 100_000)
    w.deposit("b", 100_000)
    w.trade("a", "b", 2, 60_000, which="future")
    w.trade("a", "b", 3, 1_500, which="call")
    fees = _fee(120_000) + _fee(4_500)
    w.publish(64_000, expire=True)
    gain = 2 * 4_000 + 3 * (4_000 - 1_500)
    assert w.equity("a") == 100_000 - fees + gain
    assert w.equity("b") == 100_000 - fees - gain
    assert w.conserved()[0] == w.conserved()[1]
    # the next spend closes the expired slots: no positions remain
    w.withdraw("a", w.equity("a"))
    assert w.accounts["a"].note.collateral == 0
    assert all(s.position == 0 and s.cost == 0 for s in w.accounts["a"].note.slots)
    with pytest.raises(InputError, match="exceeds"):
        w.withdraw("b", w.equity("b") + 1)
    w.withdraw("b", w.equity("b"))
    assert w.conserved()[0] == w.conserved()[1]


def test_out_of_the_money_option_pays_nothing(tmp_path):
    """The call expires out of the money: the long loses its premium, the
    short keeps it, nothing else moves."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 50_000)
    w.deposit("b", 50_000)
    w.trade("a", "b", 4, 1_200, which="call")
    w.publish(57_000, expire=True)
    fee = _fee(4_800)
    assert w.equity("a") == 50_000 - fee - 4_800
    assert w.equity("b") == 50_000 - fee + 4_800
    w.withdraw("a", 1)
    assert w.accounts["a"].note.collateral == 50_000 - fee - 4_800 - 1
    assert w.conserved()[0] == w.conserved()[1]


def test_expired_instrument_cannot_be_traded(tmp_path):
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 100_000)
    w.deposit("b", 100_000)
    w.publish(61_000, expire=True)
    before = w.led.summary()
    for which, price in (("future", 61_000), ("call", 1_000)):
        with pytest.raises(InputError, match="expired"):
            w.trade("a", "b", 1, price, which=which)
    assert w.led.summary() == before
    w.trade("a", "b", 1, 61_000)  # the perpetual still trades


def test_settlement_entries_stay_in_later_epochs(tmp_path):
    """A note holding an expired instrument settles whenever it is next
    spent: later epochs keep the settlement entry."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 100_000)
    w.deposit("b", 100_000)
    w.trade("a", "b", 1, 60_000, which="future")
    w.publish(62_000, expire=True)
    w.publish(70_000)
    w.publish(50_000)
    assert w.epoch.entry(w.future.id).mark == 62_000
    w.withdraw("a", 1)
    assert w.accounts["a"].note.collateral == 100_000 - _fee(60_000) + 2_000 - 1


# --------------------------------------------------------- in constraints
@pytest.fixture(scope="module")
def cc_withdraw():
    return compiled(withdraw.Withdraw)


@pytest.fixture(scope="module")
def cc_transition():
    return compiled(transition.Transition)


def _forged(epoch, index, **changes):
    """``epoch`` with entry ``index`` changed, bypassing EpochEntry's checks
    (what an attacker hands the prover; the oracle never signs it)."""
    e = epoch.entries[index]
    bad = object.__new__(oracle.EpochEntry)
    for k, v in {**e.__dict__, **changes}.items():
        object.__setattr__(bad, k, v)
    entries = list(epoch.entries)
    entries[index] = bad
    return oracle.Epoch(epoch.epoch_id, tuple(entries))


def _holder_of_the_expired_call():
    """A note long 10 of the scenario's expired in-the-money call (bought at
    1,500; it settles at 2,000), in a tree of its own: (spend, root)."""
    sc = scenario()
    n = notes.Note(
        sc.alice.account,
        sc.alice.npk,
        2_000_000,
        0,
        (notes.Slot(sc.old_call.id, 10, 15_000),),
        81,
    )
    tree = MerkleTree(units.TREE_DEPTH)
    return Spend.from_tree(tree, tree.append(n.commitment()), n, sc.alice), tree.root


def test_withdraw_settles_the_expired_option_in_circuit(cc_withdraw):
    """The withdrawal's new note has the expired calls closed and their value
    in collateral; a new note that keeps them open is rejected natively and
    in circuit."""
    sc = scenario()
    spend, root = _holder_of_the_expired_call()
    pub, prv = withdraw.build(spend, root, 1_000, 0xA11CE, sc.epoch, new_salt=9)
    assert withdraw.check(pub, prv)
    assert prv.new_note.slots[0] == notes.Slot(sc.old_call.id, 0, 0)
    assert prv.new_note.collateral == 2_000_000 + 10 * 2_000 - 15_000 - 1_000
    assert cc_withdraw.solve(withdraw.inputs(pub, prv)).public == pub.proof_values()
    # the prover keeps the expired position open (and pockets its value too)
    kept = replace(
        prv.new_note, slots=(notes.Slot(sc.old_call.id, 10, 20_000),) + prv.new_note.slots[1:]
    )
    bad_pub, bad_prv = resign(
        pub, replace(prv, new_note=kept), sc.alice, commitment=kept.commitment()
    )
    with pytest.raises(InputError, match="new note"):
        withdraw.check(bad_pub, bad_prv)
    assert_unsat(cc_withdraw, withdraw.inputs(bad_pub, bad_prv))


@pytest.mark.parametrize(
    "index,changes",
    [
        (2, {"mark": 2_500}),  # the ITM call paid more than its intrinsic value
        (2, {"underlying": 57_000}),  # an out-of-the-money call paid 2,000 a lot
        (3, {"mark": 60_500}),  # the future settled off the settlement price
        (0, {"expired": 1}),  # a perpetual expired
        (3, {"funding": 7}),  # funding on an expired future
    ],
    ids=["itm-overpaid", "otm-paid", "future-off-price", "perpetual-expired", "funding"],
)
def test_wrong_settlement_rejected_in_circuit(cc_withdraw, index, changes):
    """Entries the oracle would never sign (the native EpochEntry refuses
    each: see above), given to the prover with a matching epoch hash: the
    expiry constraints reject them."""
    sc = scenario()
    ep = _forged(sc.epoch, index, **changes)
    with pytest.raises(InputError):
        oracle.EpochEntry.from_list(ep.entries[index].to_list())
    spend, root = _holder_of_the_expired_call()
    pub, prv = withdraw.build(spend, root, 1_000, 0xA11CE, sc.epoch, new_salt=9)
    inp = reopen(withdraw.inputs(pub, prv), ep, prv.spend.note, prv.new_note)
    # the forged entry opened by the slot that holds it, else by an empty slot
    # (every opened entry is checked, used or not)
    fields, sibs, bits = ep.opening(index)
    j = 0 if index == 2 else units.N_SLOTS - 1
    inp["slot_entry"][j], inp["slot_path"][j], inp["slot_bits"][j] = fields, sibs, bits
    assert_unsat(cc_withdraw, inp, "expiry")


def test_trading_an_expired_instrument_rejected_in_circuit(cc_transition):
    """A leg in the expired future: the native build refuses it; the
    witness for the same statement (at an epoch where the future is live,
    its entry then switched to the signed settlement entry at the same
    price) fails the transition's constraints."""
    sc = scenario()
    fut = sc.old_future.id
    buy = replace(sc.match.legs()[0], instrument=fut)
    with pytest.raises(InputError, match="expired"):
        transition.build(sc.spend("alice"), sc.root, buy, sc.epoch)
    live = _forged(sc.epoch, 3, expired=0, im_bps=1000, mm_bps=500, delta=units.GREEK_SCALE)
    note = notes.Note.open(sc.alice, collateral=2_000_000, salt=55)
    tree = MerkleTree(units.TREE_DEPTH)
    spend = Spend.from_tree(tree, tree.append(note.commitment()), note, sc.alice)
    pub, prv = transition.build(spend, tree.root, buy, live, new_salt=56)
    inp = reopen(transition.inputs(pub, prv), sc.epoch, note, prv.new_note, leg=(prv.slot, fut))
    assert_unsat(cc_transition, inp, "funding")


def test_expired_option_instruments_example():
    """The scenario's instruments: the expired call and future really are
    expired at the scenario's time (their specs say so)."""
    sc = scenario()
    assert sc.old_call.expiry < sc.now and sc.old_future.expiry < sc.now
    assert sc.old_call.kind == instruments.OPTION and sc.old_future.kind == instruments.FUTURE


# ------------------------------------------------------- by hand, in the CLI
def test_option_expiry_by_hand_in_the_cli(tmp_path):
    """The operator lists a call; a buys 3 from b; the call expires in the
    money; the oracle publishes the settlement; a withdraws deposit plus
    profit (real proofs throughout).  A trade in the expired call and a mark
    for it are refused before proving, with one line, nothing changed."""
    import json

    from cli_venue import funded_venue, ok, one_line_error, order_args, run

    v, _ = funded_venue(tmp_path)  # a: 50,000, b: 90,000
    wa, wb = tmp_path / "a.wallet", tmp_path / "b.wallet"

    def conserved():
        """Real proofs, real ledger: sum of equity + fee account + insurance
        fund = escrow, at the latest marks."""
        eq = sum(
            json.loads(ok("wallet", "show", "-V", v, "-w", w, "--json").stdout)["equity"]
            for w in (wa, wb)
        )
        funds = json.loads(ok("venue", "funds", "-V", v, "--json").stdout)
        summary = json.loads(ok("ledger", "show", "-V", v, "--json").stdout)
        escrow = sum(int(b) for b in summary["escrow"].values())
        assert eq + funds["fee"]["equity"] + funds["insurance"]["equity"] == escrow

    ok(
        *("instrument", "add", "BTC-C60000", "-V", v, "--kind", "option"),
        *("--underlying", "BTC", "--strike", 60_000, "--expires-in", 86_400, "-q"),
    )
    rows = json.loads(ok("instrument", "list", "-V", v, "--json").stdout)
    assert [r["symbol"] for r in rows] == ["BTC-PERP", "BTC-C60000"]
    ok(
        *("oracle", "publish", "-V", v, "--mark", "BTC-PERP=60000"),
        *("--mark", "BTC-C60000=1500", "--underlying", "BTC=60000", "-q"),
    )
    for w, side, name in ((wa, "buy", "buy"), (wb, "sell", "sell")):
        ok(
            *order_args(
                v, w, side, 3, 1500, tmp_path / f"{name}.order", "--instrument", "BTC-C60000"
            )
        )
    ok(
        *("match", "-V", v, tmp_path / "buy.order", tmp_path / "sell.order"),
        *("--wallet-a", wa, "--wallet-b", wb, "--prove-orders", "--settle", "-o"),
        *(tmp_path / "m.json", "-q"),
    )
    conserved()
    ok("venue", "advance-clock", "-V", v, 86_400)
    one_line_error(
        run("oracle", "publish", "-V", v, "--mark", "BTC-PERP=64000"), "settlement price of BTC"
    )
    one_line_error(
        run(
            *("oracle", "publish", "-V", v, "--mark", "BTC-PERP=64000"),
            *("--mark", "BTC-C60000=4000", "--underlying", "BTC=64000"),
        ),
        "it settles, it has no mark",
    )
    out = json.loads(
        ok(
            *("oracle", "publish", "-V", v, "--mark", "BTC-PERP=64000"),
            *("--underlying", "BTC=64000", "--json"),
        ).stdout
    )
    assert out["settled"]["BTC-C60000"] == {"underlying": 64_000, "value": 4_000}
    fee = notes.trade_fee(4_500)
    a = json.loads(ok("wallet", "show", "-V", v, "-w", wa, "--json").stdout)
    assert a["equity"] == 50_000 - fee + 3 * (4_000 - 1_500)
    conserved()
    # trading the expired call: refused before proving
    before = (v / "ledger.db").read_bytes(), wa.read_bytes()
    r = run(
        *order_args(v, wa, "buy", 1, 4000, tmp_path / "late.order", "--instrument", "BTC-C60000")
    )
    one_line_error(r, "expired")
    # orders signed before the expiry cannot be matched after it either
    r = run(
        *("match", "-V", v, tmp_path / "buy.order", tmp_path / "sell.order"),
        *("--wallet-a", wa, "--wallet-b", wb, "-o", tmp_path / "late.json"),
    )
    one_line_error(r, "expired|consumed|already")
    assert ((v / "ledger.db").read_bytes(), wa.read_bytes()) == before
    # a is paid: deposit plus profit, less the fee
    ok(
        "withdraw",
        a["equity"],
        "-V",
        v,
        "-w",
        wa,
        "--recipient",
        "0xA11CE",
        "--settle",
        "-o",
        tmp_path / "w.json",
        "-q",
    )
    a = json.loads(ok("wallet", "show", "-V", v, "-w", wa, "--json").stdout)
    assert a["equity"] == 0 and a["positions"] == []
    conserved()


def test_option_marks_and_greeks_from_the_pricing_module(tmp_path):
    """`oracle publish --vol` marks every live option at its Black-76 price;
    an explicit premium's Greeks come from its implied vol (the same
    numbers), puts get a negative delta; bad flags are one-line errors that
    publish nothing."""
    import json

    from cli_venue import ok, one_line_error, run
    from zkats.pricing.black76 import black76
    from zkats.venue.workflow import Venue

    v = Venue.init(tmp_path / "v", circuits=())
    t = v.now() + 30 * 86400
    v.add_instrument("C", instruments.option("BTC", t, 60_000, "call"))
    v.add_instrument("P", instruments.option("BTC", t, 55_000, "put"))
    v.close()
    d = tmp_path / "v"
    args = ("oracle", "publish", "-V", d, "--mark", "BTC-PERP=60000")
    one_line_error(run(*args, "--vol", "BTC=0.6"), "underlying BTC=PRICE")
    one_line_error(run(*args, "--vol", "ETH=0.6", "--underlying", "BTC=60000"), "--vol ETH")
    one_line_error(run(*args, "--mark", "C=1", "--underlying", "BTC=60000"), "--mark C")
    ok(*args, "--underlying", "BTC=60000", "--vol", "BTC=0.6", "-q")
    v = Venue(d)
    ep, years = v.epoch(), (t - v.now()) / (365 * 86400)
    c, p = ep.entry(v.instrument("C")), ep.entry(v.instrument("P"))
    want = black76(60_000, 60_000, years, 0.6, True)
    assert abs(c.mark - float(want.price)) <= 1
    assert abs(c.delta - float(want.delta) * units.GREEK_SCALE) < 2_000
    assert (c.payoff, c.strike, p.payoff, p.strike) == (oracle.CALL, 60_000, oracle.PUT, 55_000)
    assert p.delta < 0 < c.gamma and p.gamma > 0
    rows = json.loads(ok("instrument", "list", "-V", d, "--json").stdout)
    assert [(r["symbol"], r["kind"]) for r in rows] == [
        ("BTC-PERP", "perpetual"),
        ("C", "option"),
        ("P", "option"),
    ]
    one_line_error(
        run(
            "instrument",
            "add",
            "C",
            "-V",
            d,
            "--kind",
            "future",
            "--underlying",
            "BTC",
            "--expires-in",
            60,
        ),
        "already listed",
    )
    one_line_error(
        run("instrument", "add", "F", "-V", d, "--kind", "future", "--underlying", "BTC"),
        "needs one",
    )
