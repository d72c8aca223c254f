"""Scenario risk arrays (SPAN-style), by full revaluation.

A :class:`ScenarioGrid` is a list of scenarios for ONE underlying; each moves
its spot by ``price_move`` (``-0.16`` = -16%) and every option's implied vol
by the term-scaled relative shock of Paradex's portfolio margin::

    vol' = vol * (1 + vol_shock * (30 / max(dte_floor_days, days_to_expiry)) ** vega_power)

(short-dated vols move more), and weights the resulting profit or loss by
``weight`` (1 for the regular scenarios; SPAN's *cover fraction* for the
extreme ones).  :data:`DEFAULT_GRID` = :func:`standard_grid`:

* 9 price moves -16%, -12%, ..., +16% (Deribit portfolio margin's +-16%
  range in 4% buckets) x 3 vol shocks (-30%, 0, +50% at 30 days) = 27;
* 2 extreme moves at unchanged vol: -66% at weight 0.25 and +500% at
  weight 0.035 (Deribit's extended moves; the weights make a future's
  weighted extreme loss 16.5% / 17.5% of its value, just above the regular
  range, as SPAN's 3 x 35% = 1.05 does).  29 scenarios in all.

The risk array of an instrument is its profit or loss per lot in each
scenario, in collateral units, relative to the published mark ``m``
(:func:`zkats.pricing.valuation.mark`)::

    pnl_s = weight_s * (V_s * lot * scale - m)      (V_s: full Black-76 revaluation)

rounded so that losses round UP in magnitude (gains down): a long lot
publishes ``floor(pnl_s)``, a short lot ``floor(-pnl_s)``, so the two sides
get separate arrays (``side="long"``/``"short"``) and a position of ``x``
lots scans ``x * long[s]`` if ``x > 0`` and ``|x| * short[s]`` if ``x < 0``.
A value within float noise (1e-13 relative) of an integer counts as that
integer.  The same valuation time is used in every scenario (no look-ahead
decay).
"""

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .black76 import years_between
from .instruments import Option
from .valuation import check_scale, mark, per_unit

LONG, SHORT = "long", "short"


@dataclass(frozen=True)
class Scenario:
    price_move: float
    vol_shock: float = 0.0
    weight: float = 1.0


@dataclass(frozen=True)
class ScenarioGrid:
    scenarios: tuple[Scenario, ...]
    vega_power: float = 0.3
    dte_floor_days: float = 1.0

    def __post_init__(self):
        if not self.scenarios:
            raise InputError("scenario grid: needs at least one scenario")
        if not (0 <= self.vega_power <= 1 and 0 < self.dte_floor_days <= 30):
            raise InputError("scenario grid: need 0 <= vega_power <= 1, 0 < dte_floor_days <= 30")
        most = (30 / self.dte_floor_days) ** self.vega_power
        for i, s in enumerate(self.scenarios):
            vals = (s.price_move, s.vol_shock, s.weight)
            if not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in vals
            ):
                raise InputError(f"scenario {i}: values must be finite")
            if s.price_move <= -1:
                raise InputError(f"scenario {i}: price move {s.price_move} leaves no price")
            if not 0 < s.weight <= 1:
                raise InputError(f"scenario {i}: weight {s.weight} is not in (0, 1]")
            if 1 + min(s.vol_shock, 0) * most <= 0:
                raise InputError(f"scenario {i}: vol shock {s.vol_shock} can make a vol <= 0")

    def __len__(self):
        return len(self.scenarios)

    def vol_factors(self, years):
        """``vol'/vol`` of each scenario for an option ``years`` from expiry."""
        days = max(self.dte_floor_days, years * 365)
        term = (30 / days) ** self.vega_power
        return np.array([1 + s.vol_shock * term for s in self.scenarios])

    @classmethod
    def from_bps(cls, rows, vega_power=0.3, dte_floor_days=1.0):
        """A grid from integer ``(price_move, vol_shock, weight)`` rows in bps
        (the venue's :data:`zkats.domain.scenario_grid.GRID`)."""
        return cls(
            tuple(Scenario(m / 1e4, v / 1e4, w / 1e4) for m, v, w in rows),
            vega_power,
            dte_floor_days,
        )

    def to_json(self):
        return {
            "vega_power": self.vega_power,
            "dte_floor_days": self.dte_floor_days,
            "scenarios": [[s.price_move, s.vol_shock, s.weight] for s in self.scenarios],
        }


def standard_grid(
    price_range=0.16,
    buckets=4,
    vol_shocks=(-0.30, 0.0, 0.50),
    extremes=((-0.66, 0.25), (5.0, 0.035)),
    vega_power=0.3,
    dte_floor_days=1.0,
):
    """Price moves ``k * price_range / buckets`` for ``k = -buckets..buckets`` x
    ``vol_shocks``, then ``extremes`` ``(move, weight)`` at unchanged vol."""
    scen = [
        Scenario(price_range * k / buckets, v)
        for k in range(-buckets, buckets + 1)
        for v in vol_shocks
    ]
    scen += [Scenario(m, 0.0, w) for m, w in extremes]
    return ScenarioGrid(tuple(scen), vega_power, dte_floor_days)


DEFAULT_GRID = standard_grid()


def grid_from_json(obj, what="scenario grid"):
    """A :class:`ScenarioGrid` from :meth:`ScenarioGrid.to_json`'s form (strict)."""
    if not isinstance(obj, dict) or set(obj) != {"vega_power", "dte_floor_days", "scenarios"}:
        raise InputError(f"{what}: expected keys dte_floor_days, scenarios, vega_power")
    rows = obj["scenarios"]
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 3 for r in rows):
        raise InputError(f"{what} scenarios: expected a list of [price_move, vol_shock, weight]")
    for key in ("vega_power", "dte_floor_days"):
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(f"{what} {key}: expected a number")
    return ScenarioGrid(tuple(Scenario(*r) for r in rows), obj["vega_power"], obj["dte_floor_days"])


def scenario_values(instrument, market, grid=DEFAULT_GRID):
    """Value of one lot (currency units) in each scenario, by full revaluation."""
    moves = np.array([1 + s.price_move for s in grid.scenarios])
    vf = 1.0
    if isinstance(instrument, Option):
        vf = grid.vol_factors(float(years_between(market.now, instrument.expiry)))
    return np.asarray(per_unit(instrument, market, moves, vf)[0], dtype=float) * instrument.lot


def _round_down(x, magnitude):
    n = math.floor(x + 0.5)
    if abs(x - n) <= 1e-13 * max(1.0, magnitude):
        return int(n)
    return math.floor(x)


def risk_arrays(instrument, market, grid=DEFAULT_GRID, scale=1, tick=1):
    """``(long, short)``: the risk arrays of a long and of a short lot (one revaluation)."""
    check_scale(scale, tick)
    m = mark(instrument, market, scale, tick)
    vals = scenario_values(instrument, market, grid) * scale
    long, short = [], []
    for s, v in zip(grid.scenarios, vals):
        pnl = s.weight * (v - m)
        long.append(_round_down(pnl, abs(v) + m))
        short.append(_round_down(-pnl, abs(v) + m))
    return tuple(long), tuple(short)


def option_risk(forward, strike, years, vol, call, mark, grid=DEFAULT_GRID):
    """The risk array of ONE long lot of a European option (Black-76, zero
    rate) marked at ``mark``, whose underlying is worth ``forward`` per lot,
    ``years`` from expiry at implied vol ``vol``: ``floor(weight * (V_s -
    mark))`` per scenario, by full revaluation at the moved underlying and
    shocked vol (losses rounded up in magnitude)."""
    from .black76 import black76

    if not (forward > 0 and strike > 0 and years > 0 and vol > 0):
        raise InputError("option risk: forward, strike, years and vol must be positive")
    moves = np.array([1 + s.price_move for s in grid.scenarios])
    vols = vol * grid.vol_factors(years)
    vals = np.asarray(black76(forward * moves, strike, years, vols, call).price, dtype=float)
    return tuple(
        _round_down(s.weight * (v - mark), abs(v) + mark) for s, v in zip(grid.scenarios, vals)
    )


def risk_array(instrument, market, grid=DEFAULT_GRID, scale=1, tick=1, side=LONG):
    """Profit (+) or loss (-) of one ``side`` lot in each scenario, collateral units,
    losses rounded up in magnitude (see the module doc)."""
    if side not in (LONG, SHORT):
        raise InputError(f"risk array side: must be 'long' or 'short', got {side!r}")
    return risk_arrays(instrument, market, grid, scale, tick)[0 if side == LONG else 1]


def requirement(positions, market, grid=DEFAULT_GRID, scale=1, tick=1):
    """Scenario margin of ``positions`` (a list of ``(instrument, lots)``, lots
    signed): the sum over underlyings of the worst scenario loss of that
    underlying's positions (underlyings move independently, no cross credit).
    The plain reference of what the venue's circuit states."""
    worst: dict = {}
    for inst, lots in positions:
        if isinstance(lots, bool) or not isinstance(lots, int):
            raise InputError(f"position in {inst!r}: lots must be an integer")
        if lots == 0:
            continue
        arr = risk_array(inst, market, grid, scale, tick, LONG if lots > 0 else SHORT)
        acc = worst.setdefault(inst.underlying, [0] * len(grid))
        for i, a in enumerate(arr):
            acc[i] += abs(lots) * a
    return sum(max(0, -min(acc)) for acc in worst.values())
