"""The trader's CLI run in-process (click's runner), and the venue set-up
that the CLI tests and the cluster tests share: a venue with two funded
accounts (``a``, ``b``) and a crossing pair of orders, all through the
commands a trader types."""

import re

from click.testing import CliRunner

from zkats.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args):
    r = run(*args)
    assert r.exit_code == 0, (args, r.output, r.exception)
    return r


def one_line_error(r, pattern):
    """The command failed with exit code 1 and ONE ``zkats: error`` line
    matching ``pattern`` (no traceback); returns that line."""
    assert r.exit_code == 1, (r.exit_code, r.output)
    assert "Traceback" not in r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("zkats: error")]
    assert len(lines) == 1, r.stderr
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def order_args(venue, wallet, side, size, limit, out, *extra):
    """The arguments of ``zkats order new``."""
    return (
        *("order", "new", "-V", venue, "-w", wallet),
        *("--side", side, "--size", size, "--limit", limit),
        *extra,
        *("-o", out),
    )


def funded_venue(tmp_path, deposits=(("a", 50_000), ("b", 90_000))):
    """``venue init`` in ``tmp_path/v`` (development keys), a wallet
    ``tmp_path/NAME.wallet`` per name and its deposit, settled as one batch.
    Returns the venue directory and the settle command's JSON."""
    import json

    v = tmp_path / "v"
    ok("venue", "init", v, "--quiet")
    batches = []
    for name, amount in deposits:
        wallet, batch = tmp_path / f"{name}.wallet", tmp_path / f"d_{name}.json"
        ok("keys", "new", wallet)
        ok("deposit", amount, "-V", v, "-w", wallet, "-o", batch, "-q")
        batches.append(batch)
    return v, json.loads(ok("settle", "-V", v, *batches, "--json", "-q").stdout)


def crossing_orders(venue, tmp_path, size=3, buy=60_100, sell=59_900):
    """a's buy and b's sell of ``size`` lots (``tmp_path/a.order``,
    ``tmp_path/b.order``), crossing (buy limit >= sell limit)."""
    for name, side, limit in (("a", "buy", buy), ("b", "sell", sell)):
        w, o = tmp_path / f"{name}.wallet", tmp_path / f"{name}.order"
        ok(*order_args(venue, w, side, size, limit, o))


def liquidate_args(venue, capability, out, *extra):
    """The arguments of ``zkats liquidate`` with ``capability`` (a file of
    ``zkats keys export --liquidation``), settled at once."""
    return ("liquidate", "-V", venue, "-c", capability, "-o", out, "--settle", "-q", *extra)


def match_args(venue, tmp_path, out, *extra):
    """The arguments of ``zkats match`` for the orders of :func:`crossing_orders`."""
    return (
        *("match", "-V", venue, tmp_path / "a.order", tmp_path / "b.order"),
        *("--wallet-a", tmp_path / "a.wallet", "--wallet-b", tmp_path / "b.wallet"),
        *("-o", out),
        *extra,
    )
