"""Scenario risk arrays (full revaluation, conservative rounding), scenario
margin of a portfolio, RFQ quotes."""

import math

import numpy as np
import pytest

from zkats.errors import InputError
from zkats.pricing import (
    DEFAULT_GRID,
    Future,
    Market,
    Option,
    Perpetual,
    Scenario,
    ScenarioGrid,
    Smile,
    Underlying,
    VolSurface,
    black76,
    grid_from_json,
    mark,
    quote,
    requirement,
    risk_array,
    risk_arrays,
    standard_grid,
    valuation,
)
from zkats.pricing.black76 import YEAR_SECONDS

NOW = 1_764_979_200
DAY = 86_400
EXP = NOW + 30 * DAY
SCALE, TICK = 10**6, 10_000  # micro-USDC collateral, 0.01 USDC tick


def market():
    btc = VolSurface("BTC", (Smile(EXP, (40_000.0, 60_000.0, 90_000.0), (0.75, 0.55, 0.65)),))
    eth = VolSurface("ETH", (Smile(EXP, (2_000.0, 3_000.0, 4_500.0), (0.85, 0.70, 0.78)),))
    return Market(
        NOW, {"BTC": Underlying(60_000.0, 0.02, btc), "ETH": Underlying(3_000.0, 0.0, eth)}
    )


OPTIONS = [
    Option("BTC", 60_000.0, EXP, "call", lot=0.01),
    Option("BTC", 70_000.0, EXP, "call", lot=0.01),
    Option("BTC", 50_000.0, EXP, "put", lot=0.01),
    Option("ETH", 3_500.0, NOW + 3 * DAY, "call", lot=0.1),
    Option("ETH", 2_000.0, EXP, "put", lot=1.0),
]


def test_default_grid():
    g = DEFAULT_GRID
    assert len(g) == 29  # at least 16, as the issue asks
    moves = sorted({s.price_move for s in g.scenarios if s.weight == 1})
    np.testing.assert_allclose(moves, [-0.16, -0.12, -0.08, -0.04, 0, 0.04, 0.08, 0.12, 0.16])
    assert {s.vol_shock for s in g.scenarios if s.weight == 1} == {-0.3, 0.0, 0.5}
    extremes = [(s.price_move, s.weight) for s in g.scenarios if s.weight < 1]
    assert extremes == [(-0.66, 0.25), (5.0, 0.035)]


@pytest.mark.parametrize("inst", OPTIONS, ids=lambda i: i.name)
def test_risk_array_against_direct_revaluation(inst):
    m = market()
    u = m.underlying(inst.underlying)
    T = (inst.expiry - NOW) / YEAR_SECONDS
    vol = valuation(inst, m).vol
    mk = mark(inst, m, SCALE, TICK)
    long = risk_array(inst, m, scale=SCALE, tick=TICK)
    short = risk_array(inst, m, scale=SCALE, tick=TICK, side="short")
    assert len(long) == len(short) == len(DEFAULT_GRID)
    assert risk_arrays(inst, m, scale=SCALE, tick=TICK) == (long, short)
    for s, a, b in zip(DEFAULT_GRID.scenarios, long, short):
        spot = u.spot * (1 + s.price_move)
        term = (30 / max(1.0, T * 365)) ** 0.3
        v = black76(
            spot * math.exp(u.carry * T), inst.strike, T, vol * (1 + s.vol_shock * term), inst.call
        ).price
        pnl = s.weight * (v * inst.lot * SCALE - mk)
        assert isinstance(a, int) and isinstance(b, int)
        assert a <= pnl + 1e-6 and pnl - a < 1 + 1e-6  # a = floor(pnl): a loss rounds up
        assert b <= -pnl + 1e-6 and -pnl - b < 1 + 1e-6
        assert a + b in (0, -1)


@pytest.mark.parametrize("inst", [o for o in OPTIONS], ids=lambda i: i.name)
def test_long_option_cannot_lose_more_than_its_premium(inst):
    m = market()
    premium = mark(inst, m, SCALE, TICK)
    assert min(risk_array(inst, m, scale=SCALE, tick=TICK)) >= -premium


@pytest.mark.parametrize("inst", OPTIONS, ids=lambda i: i.name)
def test_short_option_loss_grows_with_the_vol_shock(inst):
    m = market()
    short = risk_array(inst, m, scale=SCALE, tick=TICK, side="short")
    by = {(s.price_move, s.vol_shock): a for s, a in zip(DEFAULT_GRID.scenarios, short)}
    for move in {s.price_move for s in DEFAULT_GRID.scenarios if s.weight == 1}:
        down, flat, up = by[(move, -0.3)], by[(move, 0.0)], by[(move, 0.5)]
        assert up <= flat <= down
    assert min(short) < by[(0.0, 0.0)]


@pytest.mark.parametrize(
    "inst",
    [Perpetual("BTC", lot=0.01), Future("BTC", EXP, lot=0.01), Perpetual("ETH")],
    ids=lambda i: i.name,
)
def test_linear_instruments_are_linear_in_the_price_move(inst):
    m = market()
    mk = mark(inst, m, SCALE, TICK)
    value = valuation(inst, m).price * SCALE  # exact per-lot value before the tick rounding
    arr = risk_array(inst, m, scale=SCALE, tick=TICK)
    for s, a in zip(DEFAULT_GRID.scenarios, arr):
        want = s.weight * (value * (1 + s.price_move) - mk)
        assert want - 1 < a <= want + 1e-6
    # the same P&L whatever the vol shock, and equal steps between buckets
    regular = [a for s, a in zip(DEFAULT_GRID.scenarios, arr) if s.vol_shock == -0.3]
    steps = np.diff(regular)
    assert steps.max() - steps.min() <= 1
    assert all(arr[3 * i] == arr[3 * i + 1] == arr[3 * i + 2] for i in range(9))


def test_rounding_is_conservative_for_both_sides():
    m = market()
    # a lot whose value is not a whole number of collateral units in any scenario
    inst = Perpetual("BTC", lot=0.000123457)
    long = risk_array(inst, m, scale=SCALE, tick=1)
    short = risk_array(inst, m, scale=SCALE, tick=1, side="short")
    exact = [
        s.weight * (60_000 * (1 + s.price_move) * 0.000123457 * SCALE - mark(inst, m, SCALE))
        for s in DEFAULT_GRID.scenarios
    ]
    fractional = [abs(e - round(e)) > 1e-6 for e in exact]
    assert sum(fractional) >= 20
    assert all(a < e for a, e, f in zip(long, exact, fractional) if f)
    assert all(b < -e for b, e, f in zip(short, exact, fractional) if f)
    assert all(a == b == 0 for a, b, f in zip(long, short, fractional) if not f)


def test_requirement_sums_worst_cases_per_underlying():
    m = market()
    btc, eth = Perpetual("BTC", lot=0.05), Perpetual("ETH")  # both worth 3000
    alone_btc = requirement([(btc, 10)], m, scale=SCALE)
    alone_eth = requirement([(eth, -10)], m, scale=SCALE)
    assert alone_btc > 0 and alone_eth > 0
    # long BTC against short ETH of equal notional: no credit between underlyings
    assert requirement([(btc, 10), (eth, -10)], m, scale=SCALE) == alone_btc + alone_eth
    # a hedge within one underlying nets (perpetual against dated future)
    fut = Future("BTC", EXP, lot=0.05)
    hedged = requirement([(btc, 10), (fut, -10)], m, scale=SCALE)
    assert hedged < alone_btc / 10
    # a call spread needs less than the naked short call, and a short call needs margin
    short_call = requirement([(OPTIONS[0], -10)], m, scale=SCALE)
    spread = requirement([(OPTIONS[0], -10), (OPTIONS[1], 10)], m, scale=SCALE)
    assert 0 < spread < short_call
    assert requirement([], m) == 0
    with pytest.raises(InputError, match="lots must be an integer"):
        requirement([(btc, 1.5)], m)


def test_short_far_otm_option_is_charged_by_the_extreme_move():
    m = market()
    far = Option("BTC", 150_000.0, EXP, "call", lot=0.01)
    short = risk_array(far, m, scale=SCALE, tick=TICK, side="short")
    regular = min(a for s, a in zip(DEFAULT_GRID.scenarios, short) if s.weight == 1)
    assert short[-1] < regular  # the +500% move is the worst


def test_grid_validation():
    with pytest.raises(InputError, match="at least one scenario"):
        ScenarioGrid(())
    with pytest.raises(InputError, match="leaves no price"):
        ScenarioGrid((Scenario(-1.0),))
    with pytest.raises(InputError, match="weight"):
        ScenarioGrid((Scenario(0.1, 0.0, 0.0),))
    with pytest.raises(InputError, match="can make a vol <= 0"):
        standard_grid(vol_shocks=(-0.5, 0.0, 0.5))
    with pytest.raises(InputError, match="must be finite"):
        ScenarioGrid((Scenario(float("nan")),))
    with pytest.raises(InputError, match="side"):
        risk_array(Perpetual("BTC"), market(), side="flat")
    with pytest.raises(InputError, match="must be finite"):
        ScenarioGrid((Scenario("0.1"),))
    assert grid_from_json(DEFAULT_GRID.to_json()) == DEFAULT_GRID
    for bad in (
        {},
        {"vega_power": 0.3, "dte_floor_days": 1, "scenarios": [[0.1, 0]]},
        {"vega_power": True, "dte_floor_days": 1, "scenarios": [[0.1, 0, 1]]},
    ):
        with pytest.raises(InputError, match="scenario grid"):
            grid_from_json(bad)
    small = standard_grid(price_range=0.1, buckets=2, extremes=())
    assert len(risk_array(Perpetual("BTC"), market(), small)) == 15
    assert small.to_json()["scenarios"][0] == [-0.1, -0.3, 1.0]


# --- RFQ ------------------------------------------------------------------------------
def test_quote_brackets_the_model_and_widens_with_size():
    m = market()
    o = OPTIONS[0]
    v = valuation(o, m).price * SCALE
    widths = []
    for size in (1, 10, 100, 1000, 10000):
        q = quote(o, size, "buy", m, spread_bps=20, scale=SCALE, tick=TICK)
        assert q.bid <= v <= q.ask and q.bid % TICK == 0 and q.ask % TICK == 0
        assert q.price == q.ask and q.model == pytest.approx(v)
        assert q.liquidity_bps == pytest.approx(50 * math.sqrt(size / 100))
        widths.append(q.ask - q.bid)
    assert widths == sorted(widths) and widths[-1] > widths[0]
    q = quote(o, 100, "sell", m, spread_bps=20, scale=SCALE, tick=TICK)
    half = (10 + 50) / 10_000
    assert q.price == q.bid == math.floor(v * (1 - half) / TICK) * TICK
    assert q.ask == math.ceil(v * (1 + half) / TICK) * TICK


def test_quote_bad_input():
    m = market()
    o = OPTIONS[0]
    for kwargs, match in [
        ({"size": 0}, "quote size"),
        ({"size": 2.5}, "quote size"),
        ({"side": "hold"}, "quote side"),
        ({"spread_bps": -1}, "spread_bps"),
        ({"spread_bps": 10_000}, "not below 10000"),
        ({"depth": 0}, "quote depth"),
        ({"impact_bps": float("nan")}, "impact_bps"),
    ]:
        args = {"instrument": o, "size": 1, "side": "buy", "market": m, "spread_bps": 20} | kwargs
        with pytest.raises(InputError, match=match):
            quote(**args)
    worthless = Option("BTC", 1e6, NOW + DAY, "call")
    assert quote(worthless, 1, "buy", m, 20, scale=SCALE, tick=TICK).ask == TICK
    with pytest.raises(InputError, match="no bid"):
        quote(worthless, 1, "sell", m, 20, scale=SCALE, tick=TICK)


@pytest.mark.parametrize("inst", OPTIONS, ids=lambda i: i.name)
def test_entries_within_the_documented_bound(inst):
    m = market()
    v = valuation(inst, m)
    mk = mark(inst, m, SCALE, TICK)
    bound = max(6 * v.forward, inst.strike) * inst.lot * SCALE
    for side in ("long", "short"):
        arr = risk_array(inst, m, scale=SCALE, tick=TICK, side=side)
        assert max(abs(a) for a in arr) <= max(bound, mk) + 1
