"""Properties of the pricing module over random inputs (hypothesis): no-arbitrage
shape of Black-76 prices, and the risk arrays' rounding for any option."""

import math

from hypothesis import given, settings, strategies as st

from zkats.pricing import (
    DEFAULT_GRID,
    Market,
    Option,
    Smile,
    Underlying,
    VolSurface,
    black76,
    mark,
    risk_array,
    scenario_values,
)

NOW = 1_764_979_200
DAY = 86_400

forwards = st.floats(1.0, 1e5)
ratios = st.floats(0.3, 3.0)
years = st.floats(1e-3, 3.0)
vols = st.floats(0.05, 2.0)


@settings(max_examples=200, deadline=None)
@given(forwards, ratios, years, vols, st.booleans())
def test_price_is_monotone_and_convex_in_strike(F, r, T, vol, call):
    K = F * r
    h = 1e-3 * K
    lo, mid, hi = (black76(F, k, T, vol, call).price for k in (K - h, K, K + h))
    slack = 1e-9 * F
    if call:
        assert hi <= mid + slack and mid <= lo + slack
    else:
        assert lo <= mid + slack and mid <= hi + slack
    assert lo + hi - 2 * mid >= -slack  # convex: no butterfly arbitrage


@settings(max_examples=200, deadline=None)
@given(forwards, ratios, years, vols, st.booleans())
def test_price_grows_with_vol_and_time(F, r, T, vol, call):
    b = black76(F, F * r, T, vol, call)
    assert black76(F, F * r, T, vol * 1.1, call).price >= b.price - 1e-9 * F
    assert black76(F, F * r, T * 1.1, vol, call).price >= b.price - 1e-9 * F
    assert b.vega >= 0 and b.gamma >= 0 and b.theta <= 1e-9 * F


@settings(max_examples=60, deadline=None)
@given(
    st.floats(100.0, 1e5),
    ratios,
    st.integers(1, 400),
    vols,
    st.booleans(),
    st.sampled_from([0.001, 0.01, 0.1, 1.0]),
    st.sampled_from([1, 100, 10_000]),
)
def test_risk_arrays_round_losses_up_for_both_sides(S, r, days, vol, call, lot, tick):
    exp = NOW + days * DAY
    surf = VolSurface("BTC", (Smile(exp, (S,), (vol,)),))
    m = Market(NOW, {"BTC": Underlying(S, 0.0, surf)})
    o = Option("BTC", S * r, exp, "call" if call else "put", lot=lot)
    mk = mark(o, m, 10**6, tick)
    vals = scenario_values(o, m) * 10**6
    long = risk_array(o, m, scale=10**6, tick=tick)
    short = risk_array(o, m, scale=10**6, tick=tick, side="short")
    for s, v, a, b in zip(DEFAULT_GRID.scenarios, vals, long, short):
        pnl = s.weight * (v - mk)
        tol = 1e-12 * max(1.0, abs(v) + mk)
        assert a <= pnl + tol and b <= -pnl + tol  # never understates a loss
        assert pnl - a < 1 + tol and -pnl - b < 1 + tol  # by less than one unit
    assert min(long) >= -mk  # a long option loses at most its premium
    assert math.isfinite(sum(long) + sum(short))
