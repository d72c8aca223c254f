"""``zkats wallet``: what a trader sees of its own account (read-only)."""

import json

import click

from . import main
from .venue import _common, _open, _venue_opt, _wallet_opt

#: ``-w FILE``: a wallet, or a delegable file of it (read-only commands)
_wallet_file = _wallet_opt("The wallet, or a liquidation capability or viewing-key file of it.")


@main.group("wallet")
def wallet_group():
    """A trader's own account, from its wallet file."""


@wallet_group.command("show")
@_wallet_file
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


@wallet_group.command("sync")
@_wallet_file
@_venue_opt
@_common
def wallet_sync(wallet, venue_dir, as_json, quiet):
    """Follow the account in the ledger: trial-decrypt every newer leaf's
    note ciphertext with the file's viewing secret, and write the live note's
    opening into the file (atomically, mode 0600).  Prints what changed."""
    from ..venue.workflow import Wallet

    w = Wallet.load(wallet)
    before = (w.leaf, w.note)
    v = _open(venue_dir, quiet)
    try:
        v.use(w)
        found = w.sync(v.ledger)
    finally:
        v.close()
    changed = (w.leaf, w.note) != before
    out = {
        "file": wallet,
        "account": str(w.account),
        "changed": changed,
        "leaf": w.leaf,
        "found": [{"leaf": leaf, "collateral": n.collateral} for leaf, n in found],
        "collateral": None if w.note is None else w.note.collateral,
        "positions": []
        if w.note is None
        else [
            {"instrument": str(s.instrument), "position": s.position, "cost": s.cost}
            for s in w.note.slots
            if s.position or s.cost
        ],
    }
    if as_json:
        click.echo(json.dumps(out))
        return
    if not changed:
        click.echo(f"{wallet}: up to date (leaf {w.leaf})")
        return
    lines = [
        f"{wallet}: {len(found)} new note(s) of account {w.account}; live note at leaf {w.leaf}"
    ]
    lines.append(f"  collateral {out['collateral']}")
    for p in out["positions"]:
        lines.append(f"  {p['instrument'][:12]}...: position {p['position']}, cost {p['cost']}")
    click.echo("\n".join(lines))
