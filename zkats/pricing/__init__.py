"""Pricing: Black-76, vol surfaces, marks, Greeks, scenario risk arrays, RFQ quotes.

Pure functions on plain data (numpy floats in, venue integers out); nothing
here imports the venue, which sits above this package.  See docs/pricing.md.
"""

from .black76 import YEAR_SECONDS, Black76, black76, implied_vol, norm_cdf, years_between
from .instruments import CALL, PUT, Future, Option, Perpetual
from .market import Market, Underlying, load_market, market_from_json
from .rfq import Quote, quote
from .scenarios import (
    DEFAULT_GRID,
    Scenario,
    ScenarioGrid,
    grid_from_json,
    option_risk,
    requirement,
    risk_array,
    risk_arrays,
    scenario_values,
    standard_grid,
)
from .surface import Smile, VolSurface, flat_surface, load_surface, surface_from_json
from .valuation import GREEK_SCALE, FixedMarks, Valuation, fixed_marks, mark, valuation

__all__ = [
    "CALL",
    "DEFAULT_GRID",
    "GREEK_SCALE",
    "PUT",
    "YEAR_SECONDS",
    "Black76",
    "FixedMarks",
    "Future",
    "Market",
    "Option",
    "Perpetual",
    "Quote",
    "Scenario",
    "ScenarioGrid",
    "Smile",
    "Underlying",
    "Valuation",
    "VolSurface",
    "black76",
    "fixed_marks",
    "flat_surface",
    "grid_from_json",
    "option_risk",
    "implied_vol",
    "load_market",
    "load_surface",
    "mark",
    "market_from_json",
    "norm_cdf",
    "quote",
    "requirement",
    "risk_array",
    "risk_arrays",
    "scenario_values",
    "standard_grid",
    "surface_from_json",
    "valuation",
    "years_between",
]
