"""The venue's scenario grid: the moves every risk array is computed for.

One scenario is ``(price_move_bps, vol_shock_bps, weight_bps)``: the
underlying moves by ``price_move`` (bps of its price), every implied
volatility by the relative, term-scaled ``vol_shock`` (the pricing module's
rule, :class:`zkats.pricing.ScenarioGrid`), and the profit or loss counts
``weight`` of itself (SPAN's cover fraction for extreme moves).

:data:`GRID` (16 scenarios, fixed in the circuits):

* 7 price moves -15%, -10%, -5%, 0, +5%, +10%, +15% (Deribit's portfolio
  margin range is +-16%, CME SPAN's scan range about 2 to 3 daily standard
  deviations) x 2 volatility shocks, -30% and +50% at 30 days to expiry
  (a vanilla option's value is monotone in its volatility, so a single
  option's worst case is at one end);
* 2 extreme moves at unchanged volatility, Deribit's extended moves: -66%
  at weight 25% and +500% at weight 3.5% (a future's weighted extreme loss
  is then 16.5% and 17.5% of its value, just above the regular range, as
  SPAN's 35% cover of 3 scan ranges is).

Integers only (bps), so the circuits, the native twin and the oracle agree
exactly; :func:`zkats.venue.pricing_bridge.pricing_grid` hands the same grid
to the pricing module.
"""

PRICE_MOVES_BPS = (-1500, -1000, -500, 0, 500, 1000, 1500)
VOL_SHOCKS_BPS = (-3000, 5000)
EXTREMES = ((-6600, 2500), (50000, 350))

GRID = tuple((m, v, 10_000) for m in PRICE_MOVES_BPS for v in VOL_SHOCKS_BPS) + tuple(
    (m, 0, w) for m, w in EXTREMES
)
N_SCENARIOS = len(GRID)
assert N_SCENARIOS == 16
