"""The venue's plain-Python domain: units, instruments, notes, orders,
margin, oracle epochs, netting (no circuits here)."""

import pytest
from hypothesis import given, settings, strategies as st

from zkats.commit import netting, pedersen, verify_netting
from zkats.domain import instruments, keys, margin, notes, oracle, orders, units
from zkats.errors import InputError, VerificationError

NOW = 1_700_000_000


@pytest.fixture(scope="module")
def alice():
    return keys.SpendingKey.from_seed(b"alice")


@pytest.fixture(scope="module")
def bob():
    return keys.SpendingKey.from_seed(b"bob")


@pytest.fixture(scope="module")
def perp():
    return instruments.perpetual("BTC")


# ------------------------------------------------------------------ units
@given(st.integers(-(1 << 35), (1 << 35) - 1))
@settings(max_examples=50)
def test_signed_encoding_roundtrip(x):
    enc = units.encode_signed(x, units.POSITION_BITS)
    assert 0 <= enc < 1 << units.POSITION_BITS
    assert units.decode_signed(enc, units.POSITION_BITS) == x
    assert (enc >> (units.POSITION_BITS - 1)) == (1 if x >= 0 else 0)  # top bit = sign


@pytest.mark.parametrize("x", [1 << 35, -(1 << 35) - 1])
def test_signed_encoding_bounds(x):
    with pytest.raises(InputError, match="signed 36-bit"):
        units.encode_signed(x, units.POSITION_BITS, "position")


def test_fee_rounds_up():
    assert units.mul_bps_ceil(10_000, 5) == 5
    assert units.mul_bps_ceil(10_001, 5) == 6
    assert units.mul_bps_ceil(0, 5) == 0


# ------------------------------------------------------------ instruments
def test_instrument_ids_distinct_and_stable():
    a = instruments.perpetual("BTC")
    b = instruments.future("BTC", expiry=NOW + 86400)
    c = instruments.option("BTC", NOW + 86400, 60_000, "call")
    d = instruments.option("BTC", NOW + 86400, 60_000, "put")
    e = instruments.bespoke("BTC", terms_hash=12345)
    ids = {x.id for x in (a, b, c, d, e)}
    assert len(ids) == 5
    assert instruments.perpetual("BTC").id == a.id


@pytest.mark.parametrize(
    "kw, msg",
    [
        (dict(kind=0, expiry=5), "perpetual"),
        (dict(kind=1), "needs one"),
        (dict(kind=2, expiry=5, strike=0), "strike"),
        (dict(kind=0, strike=10), "only options"),
        (dict(kind=9), "kind"),
        (dict(kind=0, lot=0), "lot"),
    ],
)
def test_instrument_validation(kw, msg):
    base = dict(kind=0, underlying="BTC", quote="USDC", lot=1, tick=1)
    base.update(kw)
    with pytest.raises(InputError, match=msg):
        instruments.Instrument(**base)


# ------------------------------------------------------------------ notes
def test_note_commitment_nullifier(alice, bob, perp):
    n = notes.Note.open(alice, collateral=1000, salt=7)
    assert n.commitment() == notes.Note.open(alice, collateral=1000, salt=7).commitment()
    assert n.commitment() != notes.Note.open(alice, collateral=1000, salt=8).commitment()
    nf = n.nullifier(alice.nk)
    assert nf != n.nullifier(bob.nk)
    assert nf not in (n.commitment(), alice.npk, alice.account)
    n2 = n.apply_leg(perp.id, 3, 3 * 100, salt=9)
    assert n2.slots[0] == notes.Slot(perp.id, 3, 300)
    assert n2.collateral == 1000 - notes.trade_fee(300)
    n3 = n2.apply_leg(perp.id, -3, -3 * 110, salt=10)
    assert n3.slots[0].position == 0 and n3.slots[0].cost == -30


def test_note_slots_full(alice):
    ids = [instruments.future("BTC", NOW + i + 1).id for i in range(units.N_SLOTS + 1)]
    n = notes.Note.open(alice, collateral=10**9)
    for i in ids[:-1]:
        n = n.apply_leg(i, 1, 100)
    with pytest.raises(InputError, match="no free position slot"):
        n.apply_leg(ids[-1], 1, 100)


def test_repr_hides_secrets(alice):
    s = repr(alice) + str(alice)
    assert str(alice.nk) not in s and alice.sk.hex() not in s


# ----------------------------------------------------------------- margin
def _epoch(entries):
    return oracle.Epoch(7, tuple(entries))


def test_linear_margin_by_hand(alice, perp):
    e = _epoch([oracle.EpochEntry(perp.id, 100, 100, units.GREEK_SCALE, 0, 1000, 500)])
    # long 10 @ 100 (cost 1000), mark 100: equity = collateral; IM = 10% of 1000 = 100
    n = notes.Note(alice.account, alice.npk, 100, 0, (notes.Slot(perp.id, 10, 1000),), 1)
    assert margin.equity(n, e) == 100
    assert margin.linear_slack(n, e) == 0 and margin.meets(n, e)
    n_low = notes.Note(alice.account, alice.npk, 99, 0, (notes.Slot(perp.id, 10, 1000),), 1)
    assert not margin.meets(n_low, e) and margin.meets(n_low, e, maintenance=True)
    with pytest.raises(InputError, match="initial margin not met"):
        margin.check(n_low, e)
    short = notes.Note(alice.account, alice.npk, 100, 0, (notes.Slot(perp.id, -10, -1000),), 1)
    assert margin.linear_slack(short, e) == 0


def test_scenario_margin_by_hand(alice):
    opt = instruments.option("BTC", NOW + 86400, 100, "call")
    # a long lot makes -8, -7, ..., +7 in the 16 scenarios; short 10 at premium 5
    risk = tuple(range(-8, 8))
    e = _epoch([oracle.EpochEntry(opt.id, 5, 100, 0, 0, 1000, 500, 0, oracle.CALL, 100, risk=risk)])

    def note(collateral):
        return notes.Note(
            alice.account, alice.npk, collateral, 1, (notes.Slot(opt.id, -10, -50),), 1
        )

    # equity = collateral + (-10*5 + 50); a short lot makes -(r + 1): worst -8 * 10
    assert margin.worst_losses(note(0), e) == [80, 0, 0]
    assert margin.slack(note(80), e) == 0 and margin.meets(note(80), e)
    assert not margin.meets(note(79), e)
    # maintenance is 80% of the initial requirement
    assert margin.meets(note(64), e, maintenance=True)
    assert not margin.meets(note(63), e, maintenance=True)
    assert margin.requirement(note(0), e) == 80
    assert margin.requirement(note(0), e, maintenance=True) == 64
    with pytest.raises(InputError, match=r"initial margin not met \(scenario model\)"):
        margin.check(note(79), e)


def test_option_entry_needs_its_risk_array():
    with pytest.raises(InputError, match="needs its risk array"):
        oracle.EpochEntry(5, 5, 100, 0, 0, 1000, 500, 0, oracle.CALL, 100)
    with pytest.raises(InputError, match="need 16 values"):
        oracle.EpochEntry(5, 100, 100, 0, 0, 1000, 500, risk=(1, 2))
    with pytest.raises(InputError, match=r"risk\[3\]"):
        oracle.EpochEntry(5, 100, 100, 0, 0, 1000, 500, risk=(0, 0, 0, 1 << 60) + (0,) * 12)


def test_linear_risk_is_exact(perp):
    e = oracle.EpochEntry(perp.id, 60_000, 60_000, 0, 0, 1000, 500)
    # -15% .. +15% at both vol shocks, then -66% at 25% and +500% at 3.5%
    assert e.risk[:4] == (-9000, -9000, -6000, -6000)
    assert e.risk[-2:] == (-9900, 10500)
    assert oracle.EpochEntry.from_list(e.to_list()) == e


def test_margin_bound_covers_extremes(alice, perp):
    x = (1 << (units.POSITION_BITS - 1)) - 1
    top = (1 << (units.RISK_BITS - 1)) - 1
    for risk in ((top,) * 16, (-top - 1,) * 16):
        e = _epoch(
            [
                oracle.EpochEntry(
                    perp.id, (1 << 40) - 1, (1 << 40) - 1, 0, 0, 10000, 10000, risk=risk
                )
            ]
        )
        for pos in (x, -x - 1):
            slots = (notes.Slot(perp.id, pos, -(1 << 79)),)
            for model in (0, 1):
                n = notes.Note(alice.account, alice.npk, 0, model, slots, 1)
                assert abs(margin.slack(n, e)) < margin.SLACK_BOUND < 1 << (margin.MARGIN_BITS - 1)
                for w in margin.worst_losses(n, e):
                    assert 0 <= w < 1 << margin.WORST_BITS
                for row in margin.bucket_pnl(n, e, margin.buckets(n, e)[0]):
                    assert all(abs(v) < 1 << (margin.WORST_BITS - 1) for v in row)


def test_epoch_hash_and_lookup(perp):
    e = _epoch([oracle.EpochEntry(perp.id, 100, 100, 1, 0, 1000, 500)])
    assert len(e.entries) == units.EPOCH_SIZE
    assert e.index_of(perp.id) == 0
    with pytest.raises(InputError, match="no mark price"):
        e.index_of(12345)
    e2 = _epoch([oracle.EpochEntry(perp.id, 101, 100, 1, 0, 1000, 500)])
    assert e.hash() != e2.hash()
    with pytest.raises(InputError, match="mm_bps <= im_bps"):
        oracle.EpochEntry(perp.id, 100, 100, 1, 0, 100, 500)


# ----------------------------------------------------------------- orders
def _pair(alice, bob, perp, buy_limit=105, sell_limit=95, sizes=(10, 6), expiry=NOW + 60):
    a = orders.sign_order(
        alice, orders.Order(perp.id, orders.BUY, sizes[0], buy_limit, expiry, alice.account, 1)
    )
    b = orders.sign_order(
        bob, orders.Order(perp.id, orders.SELL, sizes[1], sell_limit, expiry, bob.account, 1)
    )
    return a, b


def test_order_sign_and_checks(alice, bob, perp):
    a, _ = _pair(alice, bob, perp)
    orders.check_signed_order(a, NOW)
    with pytest.raises(InputError, match="expired"):
        orders.check_signed_order(a, NOW + 60)
    forged = orders.SignedOrder(
        a.order, a.blinding, a.ak, a.npk, a.lk, (a.sig[0], (a.sig[1] + 1) % pedersen.L)
    )
    with pytest.raises(InputError, match="bad signature"):
        orders.check_signed_order(forged, NOW)
    wrong_opening = orders.SignedOrder(a.order, a.blinding + 1, a.ak, a.npk, a.lk, a.sig)
    with pytest.raises(InputError, match="bad signature"):
        orders.check_signed_order(wrong_opening, NOW)
    stolen = orders.SignedOrder(a.order, a.blinding, bob.ak, bob.npk, bob.lk, a.sig)
    with pytest.raises(InputError, match="not the order's account"):
        orders.check_signed_order(stolen, NOW)


def test_match_rules(alice, bob, perp):
    a, b = _pair(alice, bob, perp)
    m = orders.make_match(a, b, 6, 100)
    orders.check_match(m, NOW)
    ra, rb = m.remainders()
    assert ra.order.size == 4 and rb.order.size == 0
    legs = m.legs()
    assert [(l.d, l.n) for l in legs] == [(6, 600), (-6, -600)]
    for bad, msg in [
        (dict(price=106), "do not cross"),
        (dict(price=94), "do not cross"),
        (dict(fill=7), "larger than"),
        (dict(fill=0), "empty fill"),
    ]:
        kw = dict(fill=6, price=100)
        kw.update(bad)
        with pytest.raises(InputError, match=msg):
            orders.check_match(orders.make_match(a, b, **kw), NOW)
    with pytest.raises(InputError, match="expired"):
        orders.check_match(m, NOW + 60)
    with pytest.raises(InputError, match="same side"):
        orders.check_match(orders.make_match(a, a, 1, 100), NOW)
    crossed_wrong = _pair(alice, bob, perp, buy_limit=90, sell_limit=95)
    with pytest.raises(InputError, match="do not cross"):
        orders.check_match(orders.make_match(*crossed_wrong, 1, 92), NOW)


def test_order_book_and_rfq_end_in_a_match(alice, bob, perp):
    a, b = _pair(alice, bob, perp)
    book = orders.OrderBook(perp.id)
    assert book.submit(b, NOW) == []
    ms = book.submit(a, NOW)
    assert len(ms) == 1 and ms[0].fill == 6 and ms[0].price == 95
    assert [r.order.size for r in book.resting] == [4]
    req = orders.Request(perp.id, orders.BUY, 3, NOW + 60)
    q = orders.quote(req, bob, price=101, nonce=9)
    m = orders.accept(q, alice, nonce=10, now=NOW)
    assert (m.fill, m.price, m.a.order.account, m.b.order.account) == (
        3,
        101,
        alice.account,
        bob.account,
    )


# ---------------------------------------------------------------- netting
def test_netting_balanced_and_unbalanced(alice, bob, perp):
    a, b = _pair(alice, bob, perp)
    legs = orders.make_match(a, b, 6, 100).legs()
    pts = [l.commitment() for l in legs]
    rs = [l.signed_blinding for l in legs]
    pf = netting.prove(pts, rs, context=3)
    assert netting.verify(pts, pf, context=3)
    assert verify_netting(pts, pf.to_json(), context=3)
    assert not netting.verify(pts, pf, context=4)
    assert not netting.verify(pts[:1], pf, context=3)
    netting.check(pts, pf, context=3)
    # an unbalanced set (buyer +6, seller -5) cannot be proved, and a proof
    # for the balanced set does not verify for it
    bad = pedersen.commit_signed([-5, -500], rs[1])
    with pytest.raises(InputError, match="do not balance"):
        netting.prove([pts[0], bad], rs)
    assert not netting.verify([pts[0], bad], pf, context=3)
    with pytest.raises(VerificationError):
        netting.check([pts[0], bad], pf, context=3)
    assert not verify_netting([pts[0], (1, 2)], pf.to_json())
    m = orders.make_match(a, b, 6, 100)
    assert netting.verify([l.commitment() for l in m.legs()], orders.netting_proof(m))


def test_reprs_hide_openings(alice, bob, perp):
    from zkats.circuits._spend import Spend

    a, b = _pair(alice, bob, perp)
    m = orders.make_match(a, b, 6, 100)
    n = notes.Note.open(alice, collateral=5)
    sp = Spend.fresh(n, alice)
    text = repr(m) + repr(m.legs()) + repr(n) + repr(sp) + repr(a)
    for secret in (alice.nk, n.salt, m.leg_a_blinding, m.rem_a_delta, a.blinding, b.blinding):
        assert str(secret) not in text
