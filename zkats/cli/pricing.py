"""``zkats price ...``: marks, Greeks, risk arrays and RFQ quotes from a market file
(zkats/pricing, docs/pricing.md)."""

import json
from dataclasses import asdict

import click

from . import main

_MARKET = click.option(
    "--market",
    "market_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Market JSON (spot, carry, vol surface per underlying; docs/pricing.md).",
)
_LOT = click.option("--lot", default=1.0, show_default=True, help="Underlying units per lot.")
_SCALE = click.option(
    "--scale", default=1, show_default=True, help="Collateral units per currency unit."
)
_TICK = click.option("--tick", default=1, show_default=True, help="Tick, collateral units.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@main.group()
def price():
    """Price instruments: marks, Greeks, risk arrays, RFQ quotes.

    INSTRUMENT is UND-PERP, UND-EXPIRY (a dated future) or
    UND-EXPIRY-STRIKE-C|P (a European option), expiry in unix seconds.
    """


def _load(market_path, names, lot):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..pricing import load_market
    from ..pricing.instruments import parse

    insts = [parse(n, lot) for n in names]
    return load_market(market_path), insts


@price.command("value")
@_MARKET
@click.argument("names", nargs=-1, required=True, metavar="INSTRUMENT...")
@_LOT
@_SCALE
@_TICK
@_JSON
def value(market_path, names, lot, scale, tick, as_json):
    """Model value and Greeks per lot, and the integers the oracle publishes."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..pricing import fixed_marks, valuation

    market, insts = _load(market_path, names, lot)
    rows = []
    for inst in insts:
        v, f = valuation(inst, market), fixed_marks(inst, market, scale, tick)
        rows.append({"instrument": inst.name, "model": asdict(v), "fixed": asdict(f)})
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    for r in rows:
        m, f = r["model"], r["fixed"]
        click.echo(
            f"{r['instrument']}: price {m['price']:.6g}  delta {m['delta']:.6g}  "
            f"gamma {m['gamma']:.6g}  vega {m['vega']:.6g}  theta {m['theta']:.6g}  "
            f"(vol {m['vol']:.4g}, forward {m['forward']:.8g}, {m['years']:.4g} y)"
        )
        click.echo("    fixed: " + "  ".join(f"{k} {v}" for k, v in f.items()))


@price.command("risk")
@_MARKET
@click.argument("name", metavar="INSTRUMENT")
@click.option("--side", type=click.Choice(["long", "short"]), default="long", show_default=True)
@_LOT
@_SCALE
@_TICK
@_JSON
def risk(market_path, name, side, lot, scale, tick, as_json):
    """Risk array of one lot: profit (+) or loss (-) per scenario of the default grid,
    collateral units, losses rounded up."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..pricing import DEFAULT_GRID, mark, risk_array

    market, (inst,) = _load(market_path, [name], lot)
    arr = risk_array(inst, market, DEFAULT_GRID, scale, tick, side)
    if as_json:
        out = {
            "instrument": inst.name,
            "side": side,
            "mark": mark(inst, market, scale, tick),
            "grid": DEFAULT_GRID.to_json(),
            "risk_array": list(arr),
        }
        click.echo(json.dumps(out, indent=1))
        return
    click.echo(f"{inst.name} ({side} 1 lot, mark {mark(inst, market, scale, tick)}):")
    for i, (s, a) in enumerate(zip(DEFAULT_GRID.scenarios, arr)):
        click.echo(
            f"  {i:2d}  price {s.price_move:+8.2%}  vol {s.vol_shock:+5.0%}  "
            f"weight {s.weight:<5g} {a:+d}"
        )
    click.echo(f"  worst: {min(arr):+d}")


@price.command("quote")
@_MARKET
@click.argument("name", metavar="INSTRUMENT")
@click.argument("size", type=int)
@click.argument("side", type=click.Choice(["buy", "sell"]))
@click.option("--spread-bps", type=float, required=True, help="Bid-ask spread at small size.")
@click.option("--depth", default=100, show_default=True, help="Lots quoted at the bare spread.")
@click.option("--impact-bps", default=50.0, show_default=True, help="Premium at DEPTH lots.")
@_LOT
@_SCALE
@_TICK
@_JSON
def quote_cmd(
    market_path, name, size, side, spread_bps, depth, impact_bps, lot, scale, tick, as_json
):
    """RFQ quote for SIZE lots (SIDE is the requester's: buy gets the ask)."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..pricing import quote

    market, (inst,) = _load(market_path, [name], lot)
    q = quote(inst, size, side, market, spread_bps, depth, impact_bps, scale, tick)
    if as_json:
        click.echo(json.dumps({"instrument": inst.name, "size": size, "side": side} | asdict(q)))
        return
    click.echo(
        f"{inst.name} {side} {size}: price {q.price}  (bid {q.bid}  ask {q.ask}  model "
        f"{q.model:.6g}; half spread {q.half_spread_bps:g} bps + liquidity "
        f"{q.liquidity_bps:.4g} bps)"
    )
