"""``zkats wallet``: what a trader sees of its own account (read-only)."""

import json

import click

from . import main
from .venue import _common, _open, _venue_opt


@main.group("wallet")
def wallet_group():
    """A trader's own account, from its wallet file."""


@wallet_group.command("show")
@click.option(
    "--wallet",
    "-w",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="The wallet, or a liquidation capability or viewing-key file of it.",
)
@_venue_opt
@_common
def wallet_show(wallet, venue_dir, as_json, quiet):
    """Collateral, positions, PnL, equity at the latest mark, margin
    requirements, free (withdrawable) collateral and pending notes.
    Writes nothing."""
    from ..venue.wallet_report import report, text
    from ..venue.workflow import Wallet

    w = Wallet.load(wallet)
    v = _open(venue_dir, quiet)
    try:
        r = report(v, w)
    finally:
        v.close()
    if as_json:
        click.echo(json.dumps(r))
    else:
        click.echo("\n".join(text(r)))
