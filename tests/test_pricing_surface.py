"""Vol surfaces (interpolation rules, strict JSON), markets, instruments, marks."""

import json
import math

import numpy as np
import pytest

from zkats.errors import InputError
from zkats.pricing import (
    GREEK_SCALE,
    Future,
    Market,
    Option,
    Perpetual,
    Smile,
    Underlying,
    VolSurface,
    black76,
    fixed_marks,
    flat_surface,
    load_market,
    load_surface,
    mark,
    market_from_json,
    surface_from_json,
    valuation,
)
from zkats.pricing.black76 import YEAR_SECONDS

NOW = 1_764_979_200
DAY = 86_400
T1, T2 = NOW + 7 * DAY, NOW + 35 * DAY


def surface():
    return VolSurface(
        "BTC",
        (
            Smile(T1, (50_000.0, 60_000.0, 70_000.0), (0.70, 0.60, 0.66)),
            Smile(T2, (40_000.0, 60_000.0, 80_000.0), (0.72, 0.58, 0.62)),
        ),
    )


def market(spot=60_000.0, carry=0.0, now=NOW, surf=None):
    return Market(
        now, {"BTC": Underlying(spot, carry, surf or surface()), "ETH": Underlying(3000.0)}
    )


# --- interpolation ----------------------------------------------------------------------
def test_nodes_are_exact():
    s = surface()
    for sm in s.smiles:
        np.testing.assert_allclose(s.vol(np.array(sm.strikes), sm.expiry, NOW), sm.vols)


def test_linear_in_log_strike_and_flat_outside():
    s = surface()
    mid = math.sqrt(50_000 * 60_000)  # halfway in log-strike
    assert s.vol(mid, T1, NOW) == pytest.approx(0.65)
    assert s.vol(1_000.0, T1, NOW) == pytest.approx(0.70)
    assert s.vol(1e7, T1, NOW) == pytest.approx(0.66)
    # monotone: between nodes the vol stays between the nodes' vols
    k = np.linspace(50_000, 60_000, 101)
    v = s.vol(k, T1, NOW)
    assert (np.diff(v) <= 1e-15).all() and v.min() >= 0.60 - 1e-15 and v.max() <= 0.70 + 1e-15


def test_total_variance_linear_in_expiry():
    s = surface()
    t1, t2 = 7 / 365, 35 / 365
    for k in (45_000.0, 60_000.0, 75_000.0):
        w1 = float(s.vol(k, T1, NOW)) ** 2 * t1
        w2 = float(s.vol(k, T2, NOW)) ** 2 * t2
        for days in (10, 21, 30):
            t = days / 365
            w = w1 + (w2 - w1) * (t - t1) / (t2 - t1)
            assert s.vol(k, NOW + days * DAY, NOW) == pytest.approx(math.sqrt(w / t), rel=1e-12)
    # flat vol before the first and after the last expiry
    assert s.vol(60_000.0, NOW + DAY, NOW) == pytest.approx(0.60)
    assert s.vol(60_000.0, NOW + 400 * DAY, NOW) == pytest.approx(0.58)


def test_expiry_interpolation_is_at_constant_moneyness():
    s, c = surface(), 0.3
    t, t1, t2 = 21 / 365, 7 / 365, 35 / 365
    k = 70_000.0
    w1 = float(s.smiles[0].vol_at(k * math.exp(c * (t1 - t)))) ** 2 * t1
    w2 = float(s.smiles[1].vol_at(k * math.exp(c * (t2 - t)))) ** 2 * t2
    want = math.sqrt((w1 + (w2 - w1) * (t - t1) / (t2 - t1)) / t)
    assert s.vol(k, NOW + 21 * DAY, NOW, carry=c) == pytest.approx(want, rel=1e-12)


def test_expired_smiles_are_dropped():
    s = surface()
    later = T1 + DAY
    assert s.vol(60_000.0, T2, later) == pytest.approx(0.58)
    with pytest.raises(InputError, match="every smile has expired"):
        s.vol(60_000.0, T2, T2)


def test_calendar_arbitrage_is_refused_by_the_market():
    bad = VolSurface("BTC", (Smile(T1, (60_000.0,), (0.9,)), Smile(T2, (60_000.0,), (0.3,))))
    with pytest.raises(InputError, match="calendar arbitrage"):
        market(surf=bad)


# --- JSON -----------------------------------------------------------------------------
def test_json_round_trip(tmp_path):
    s = surface()
    p = tmp_path / "btc.json"
    p.write_text(json.dumps(s.to_json()))
    assert load_surface(p) == s
    m = market()
    p2 = tmp_path / "market.json"
    p2.write_text(json.dumps(m.to_json()))
    m2 = load_market(p2)
    assert m2.to_json() == m.to_json() and m2.underlyings["BTC"].surface == s


def _doc():
    return surface().to_json()


def _bad(mutate):
    d = _doc()
    mutate(d)
    return d


@pytest.mark.parametrize(
    "doc, match",
    [
        (_bad(lambda d: d.update(extra=1)), "unknown keys \\['extra'\\]"),
        (_bad(lambda d: d.pop("smiles")), "missing keys \\['smiles'\\]"),
        (_bad(lambda d: d.update(format="other")), "expected format"),
        (_bad(lambda d: d.update(version=2)), "expected format"),
        (_bad(lambda d: d.update(underlying="B TC")), "not a symbol"),
        (_bad(lambda d: d.update(smiles=[])), "at least one smile"),
        (_bad(lambda d: d.update(smiles={})), "smiles: expected a list"),
        (_bad(lambda d: d["smiles"].reverse()), "is not after"),
        (_bad(lambda d: d["smiles"][0].update(expiry=-1)), "expiry: expected unix seconds"),
        (_bad(lambda d: d["smiles"][0].update(expiry=1.5)), "expiry: expected unix seconds"),
        (_bad(lambda d: d["smiles"][0]["strikes"].reverse()), "strikes must increase"),
        (_bad(lambda d: d["smiles"][0]["strikes"].__setitem__(0, -5)), "strikes must increase"),
        (_bad(lambda d: d["smiles"][0]["strikes"].__setitem__(0, "1")), "expected a finite"),
        (_bad(lambda d: d["smiles"][0]["vols"].__setitem__(0, True)), "expected a finite"),
        (_bad(lambda d: d["smiles"][0]["vols"].__setitem__(0, 0)), "must be in \\(0, 5.0\\]"),
        (_bad(lambda d: d["smiles"][0]["vols"].__setitem__(0, 7.5)), "must be in \\(0, 5.0\\]"),
        (_bad(lambda d: d["smiles"][0]["vols"].pop()), "as many vols as strikes"),
        (_bad(lambda d: d["smiles"][0].update(vols=0.5)), "vols: expected a list"),
    ],
)
def test_strict_loader_refuses(tmp_path, doc, match):
    with pytest.raises(InputError, match=match):
        surface_from_json(doc)
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=match):
        load_surface(p)


@pytest.mark.parametrize(
    "text, match",
    [
        ('{"format": "zkats.vol-surface", "format": "x"}', "duplicate key 'format'"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ("{", "not JSON"),
    ],
)
def test_strict_json_text(tmp_path, text, match):
    p = tmp_path / "s.json"
    p.write_text(text)
    with pytest.raises(InputError, match=match):
        load_surface(p)


def test_unreadable_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_surface(tmp_path / "missing.json")


def test_market_json_refuses():
    d = market().to_json()
    d["underlyings"]["BTC"]["spot"] = 0
    with pytest.raises(InputError, match="BTC spot: must be > 0"):
        market_from_json(d)
    d = market().to_json()
    d["underlyings"]["ETH"]["surface"] = surface().to_json()
    with pytest.raises(InputError, match="ETH: surface is for 'BTC'"):
        market_from_json(d)
    d = market().to_json()
    d["now"] = "today"
    with pytest.raises(InputError, match="market now"):
        market_from_json(d)


# --- instruments and marks --------------------------------------------------------------
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Perpetual(""), "not a symbol"),
        (lambda: Perpetual("BTC", lot=0), "lot: must be finite and > 0"),
        (lambda: Future("BTC", 0), "expiry: expected unix seconds"),
        (lambda: Option("BTC", -1.0, T1, "call"), "strike: must be finite and > 0"),
        (lambda: Option("BTC", 60000.0, T1, "straddle"), "right: must be 'call' or 'put'"),
        (lambda: Option("BTC", 60000.0, float(T1), "put"), "expiry: expected unix seconds"),
    ],
)
def test_bad_instrument(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_valuation_of_each_kind():
    m = market(carry=0.05)
    p = valuation(Perpetual("ETH", lot=2.0), m)
    assert (p.price, p.delta, p.gamma, p.vega) == (6000.0, 2.0, 0.0, 0.0)
    T = 35 * DAY / YEAR_SECONDS
    f = valuation(Future("BTC", T2, lot=0.1), m)
    assert f.price == pytest.approx(6000.0 * math.exp(0.05 * T))
    assert f.delta == pytest.approx(0.1 * math.exp(0.05 * T))
    assert f.theta == pytest.approx(-0.05 * f.price)
    o = Option("BTC", 65_000.0, T2, "put", lot=0.1)
    v = valuation(o, m)
    ref = black76(60_000.0 * math.exp(0.05 * T), 65_000.0, T, v.vol, False)
    assert v.vol == pytest.approx(float(surface().vol(65_000.0, T2, NOW, 0.05)))
    assert v.price == pytest.approx(0.1 * ref.price)
    assert v.vega == pytest.approx(0.1 * ref.vega)
    with pytest.raises(InputError, match="no vol surface for ETH"):
        valuation(Option("ETH", 3000.0, T1, "call"), m)
    with pytest.raises(InputError, match="no data for underlying 'SOL'"):
        valuation(Perpetual("SOL"), m)


@pytest.mark.parametrize("right", ["call", "put"])
def test_spot_greeks_and_theta_against_finite_differences(right):
    flat = VolSurface("BTC", (Smile(T2, (60_000.0,), (0.55,)),))  # vol constant in K and T
    o = Option("BTC", 63_000.0, NOW + 20 * DAY, right, lot=0.5)
    v = valuation(o, market(carry=0.08, surf=flat))
    h = 1.0

    def px(spot=60_000.0, now=NOW):
        return valuation(o, market(spot, 0.08, now, flat)).price

    assert v.delta == pytest.approx((px(60_000 + h) - px(60_000 - h)) / (2 * h), rel=1e-7)
    gfd = (px(60_000 + 20 * h) - 2 * px() + px(60_000 - 20 * h)) / (20 * h) ** 2
    assert v.gamma == pytest.approx(gfd, rel=1e-5)
    dt = 60  # seconds
    assert v.theta == pytest.approx(
        (px(now=NOW + dt) - px(now=NOW - dt)) / (2 * dt) * YEAR_SECONDS, rel=1e-5
    )


def test_expired_option_is_intrinsic():
    o = Option("BTC", 55_000.0, T1, "call")
    later = market(now=T1 + DAY, surf=VolSurface("BTC", (Smile(T2, (1.0,), (0.5,)),)))
    assert valuation(o, later).price == pytest.approx(5_000.0)
    # and it needs no live smile
    gone = market(now=T2, surf=VolSurface("BTC", (Smile(T2, (1.0,), (0.5,)),)))
    v = valuation(Option("BTC", 65_000.0, T1, "put"), gone)
    assert (v.price, v.delta, v.gamma, v.vol) == (5_000.0, -1.0, 0.0, 0.0)
    carry = market(carry=0.1, now=T2, surf=VolSurface("BTC", (Smile(T2, (1.0,), (0.5,)),)))
    for inst in (Future("BTC", T1), Option("BTC", 50_000.0, T1, "call")):
        assert valuation(inst, carry).theta == 0.0


def test_fixed_marks():
    m = market()
    o = Option("BTC", 65_000.0, T2, "call", lot=0.01)
    v = valuation(o, m)
    f = fixed_marks(o, m, scale=10**6, tick=10_000)
    assert f.mark % 10_000 == 0 and abs(f.mark - v.price * 10**6) <= 5_000
    assert f.underlying == 600 * 10**6
    assert f.delta == round(v.delta / 0.01 * GREEK_SCALE)
    assert f.gamma == round(v.gamma / 0.01 * 60_000 * GREEK_SCALE)
    assert f.vega == round(v.vega * 10**6 / 100) and f.theta == round(v.theta * 10**6 / 365)
    # a worthless option is marked at one tick (the venue has no zero price)
    far = Option("BTC", 1e6, T1, "call")
    assert mark(far, m, tick=5) == 5
    assert mark(Perpetual("ETH"), m) == 3000
    with pytest.raises(InputError, match="pricing tick"):
        mark(far, m, tick=0)
    with pytest.raises(InputError, match="pricing scale"):
        mark(far, m, scale=1.5)


def test_flat_surface():
    s = flat_surface("ETH", 0.7)
    m = Market(NOW, {"ETH": Underlying(3000.0, 0.1, s)})
    for k, days in [(100.0, 1), (3000.0, 30), (1e6, 3650)]:
        assert s.vol(k, NOW + days * DAY, NOW, 0.1) == pytest.approx(0.7)
    assert valuation(Option("ETH", 3000.0, NOW + DAY, "call"), m).vol == pytest.approx(0.7)
