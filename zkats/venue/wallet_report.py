"""What a trader sees of its own account (``zkats wallet show``).

Computed from the wallet's (or a capability's / viewing key's) note openings
and the venue's latest oracle epoch, with the margin rules the circuits
prove (:mod:`zkats.domain.margin`); nothing here writes a file.

Accounting (settle to mark, :meth:`zkats.domain.notes.Note.settle`): every
spend first moves each slot's ``position * mark - cost`` into collateral.
So between two spends:

* ``realised_pnl``: the profit or loss of positions closed since the note
  was last settled (a flat slot's leftover ``-cost``);
* ``unrealised_pnl``: ``position * mark - cost`` of the open slots;
* ``equity`` = collateral + realised + unrealised (at the latest marks);
* ``initial_requirement`` / ``maintenance_requirement``: the least equity
  with which the positions meet initial / maintenance margin;
* ``free_collateral``: the largest amount ``zkats withdraw`` can take now,
  i.e. the note settled to the latest marks keeps initial margin with that
  much less collateral (unrealised profit is withdrawable: it is settled
  into collateral first, and initial margin still holds afterwards).
"""

from ..domain import margin


def _live(wallet, ledger):
    """(note, leaf, pending) with a pending note the ledger now holds promoted
    and the account's newer notes followed from their ciphertexts (as
    :meth:`Wallet.sync` would, without writing the file)."""
    note, leaf, pending = wallet.note, wallet.leaf, list(wallet.pending)
    for n in pending:
        idx = ledger.note_index(n.commitment())
        if idx is not None:
            note, leaf, pending = n, idx, []
            break
    found = wallet.follow(ledger, -1 if leaf is None else leaf)
    if found:
        leaf, note = found[-1]
        pending = []
    return note, leaf, pending


def report(venue, wallet):
    """The account's figures (integers in collateral units) as a dict."""
    venue.use(wallet)
    led = venue.ledger
    note, leaf, pending = _live(wallet, led)
    epoch = venue.epoch()
    out = {
        "account": str(wallet.account),
        "file": wallet.kind,
        "venue": venue.venue_id,
        "epoch": epoch.epoch_id,
        "leaf": leaf,
        "settled": note is not None and led.note_index(note.commitment()) is not None,
        "spent": False,
        "model": None,
        "collateral": 0,
        "positions": [],
        "realised_pnl": 0,
        "unrealised_pnl": 0,
        "equity": 0,
        "initial_requirement": 0,
        "maintenance_requirement": 0,
        "free_collateral": 0,
        "meets_maintenance": True,
        "pending": [
            {"commitment": str(n.commitment()), "collateral": n.collateral} for n in pending
        ],
    }
    if note is None:
        return out
    out["spent"] = led.nullifier_spent(note.nullifier(wallet.view.nk))
    realised = unrealised = 0
    for s in note.slots:
        if s.position == 0 and s.cost == 0:
            continue
        ent = epoch.entry(s.instrument) if s.position else None
        mark = ent.mark if ent else None
        upnl = s.position * ent.value - s.cost if ent else 0
        rpnl = 0 if s.position else -s.cost
        realised, unrealised = realised + rpnl, unrealised + upnl
        out["positions"].append(
            {
                "instrument": venue.symbol(s.instrument),
                "position": s.position,
                "cost": s.cost,
                "mark": mark,
                "funding_index": ent.funding if ent else None,
                "unrealised_pnl": upnl,
                "realised_pnl": rpnl,
            }
        )
    out.update(
        collateral=note.collateral,
        model="linear" if note.model == 0 else "scenario",
        realised_pnl=realised,
        unrealised_pnl=unrealised,
        equity=margin.equity(note, epoch),
        initial_requirement=margin.requirement(note, epoch),
        maintenance_requirement=margin.requirement(note, epoch, maintenance=True),
        free_collateral=margin.free_collateral(note, epoch),
        meets_maintenance=margin.meets(note, epoch, maintenance=True),
    )
    return out


def text(r):
    """``report``'s dict as lines for a terminal."""
    lines = [
        f"account {r['account']} ({r['file']}), oracle epoch {r['epoch']}",
        f"  collateral            {r['collateral']}",
    ]
    for p in r["positions"]:
        if p["position"]:
            lines.append(
                f"  {p['instrument']:<20s}  {p['position']:+d} lots, cost {p['cost']}, "
                f"mark {p['mark']}, unrealised {p['unrealised_pnl']:+d}"
            )
        else:
            lines.append(f"  {p['instrument']:<20s}  flat, realised {p['realised_pnl']:+d}")
    lines += [
        f"  realised PnL          {r['realised_pnl']:+d}",
        f"  unrealised PnL        {r['unrealised_pnl']:+d}",
        f"  equity                {r['equity']}",
        f"  initial requirement   {r['initial_requirement']}",
        f"  maintenance req.      {r['maintenance_requirement']}"
        + ("" if r["meets_maintenance"] else "  (NOT met: liquidatable)"),
        f"  free collateral       {r['free_collateral']}",
    ]
    if r["spent"]:
        lines.append("  the note shown was spent by a proof this file does not know about")
    for p in r["pending"]:
        lines.append(f"  pending note {p['commitment'][:16]}... collateral {p['collateral']}")
    return lines
