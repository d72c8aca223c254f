"""``zkats demo``: the venue end to end (see :mod:`zkats.venue.demo`).

Three traders, deposits, a limit-order match, an RFQ, settlement, a mark
move, a failed health check and a liquidation, a withdrawal; every step a
real Groth16 proof verified by the settlement service.  For each step it
prints side by side what the public ledger shows and what stayed private.
Runs in a temporary directory (deleted afterwards) unless ``--dir`` is given.
"""

import json
import shutil
import tempfile
import textwrap
import time

import click

from . import main

_W = 58


def _side_by_side(public, private):
    left = [ln for p in public for ln in textwrap.wrap(p, _W - 2) or [""]]
    right = [ln for p in private for ln in textwrap.wrap(p, _W - 2) or [""]]
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        click.echo(f"  {a:<{_W}s}| {b}")


@main.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Keep the venue, wallets and batch files here (default: a temporary "
    "directory, removed afterwards).",
)
@click.option(
    "--ptau",
    type=click.Path(dir_okay=False, exists=True),
    help="Prepared .ptau (power >= 14) for the development keys, if not cached.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the steps and summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def demo(directory, ptau, as_json, quiet):
    """Run the venue demo: trades, settlement, a liquidation, with real proofs."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue import demo as scenario
    from ..venue.workflow import CEREMONY_WARNING

    click.echo(f"zkats: WARNING: {CEREMONY_WARNING}", err=True)
    t0 = time.perf_counter()
    progress = (
        None
        if quiet
        else (lambda m: click.echo(f"[{time.perf_counter() - t0:6.1f}s] {m}", err=True))
    )
    steps = []

    def report(step):
        steps.append(step)
        if as_json:
            return
        click.echo(f"\n== {step['title']}  ({step['seconds']:.1f} s)")
        click.echo(f"  {'PUBLIC (ledger, batch files)':<{_W}s}| PRIVATE (stayed with the traders)")
        _side_by_side(step["public"], step["private"])

    tmp = None
    if directory is None:
        tmp = directory = tempfile.mkdtemp(prefix="zkats-demo-")
    try:
        summary = scenario.run(directory, report, ptau=ptau, progress=progress)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "steps": [{**s, "seconds": round(s["seconds"], 3)} for s in steps],
                    "summary": summary,
                }
            )
        )
    else:
        led = summary["ledger"]
        click.echo(
            f"\nledger: {led['batches']} batches, {led['notes']} notes, "
            f"{led['nullifiers']} nullifiers, {led['trades']} trades; "
            f"health failed: {', '.join(summary['health_failed']) or 'none'}; "
            f"liquidated: {', '.join(summary['liquidated']) or 'none'}"
        )
        click.echo(
            f"demo finished in {summary['total_s']:.1f} s"
            + ("" if tmp else f" (files in {directory})")
        )
