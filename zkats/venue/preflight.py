"""Requests that cannot succeed, refused before any proving.

Proving takes seconds; the settlement service would refuse these batches
anyway.  Each check reads only what the caller may know (its own note
openings, the public ledger, the venue's published epochs) and raises a
one-line :class:`InputError` naming the reason.  The service's own checks
(:mod:`zkats.venue.rules`) stay the authority: these only fail early.
"""

from ..domain import margin
from ..errors import InputError


def _latest(venue):
    return venue.epoch()


def withdraw(venue, note, amount):
    """A withdrawal of ``amount`` from ``note`` at the latest epoch."""
    if int(amount) <= 0:
        raise InputError(f"withdraw amount: must be positive (got {amount})")
    ep = _latest(venue)
    free = margin.free_collateral(note, ep)
    if int(amount) > free:
        raise InputError(
            f"withdraw: {amount} exceeds the free collateral ({free} at oracle epoch "
            f"{ep.epoch_id}: what keeps initial margin after settling to the marks)"
        )


def health(venue):
    """A health proof for the latest epoch, before its deadline."""
    ep = _latest(venue)
    deadline = venue.meta["epochs"][str(ep.epoch_id)].get("deadline")
    if deadline is not None and venue.now() > int(deadline):
        raise InputError(f"health: oracle epoch {ep.epoch_id} is past its deadline")


def liquidation(venue, account, note, epoch):
    """A liquidation of ``account`` (live note ``note``) at ``epoch``: only at
    the latest epoch, once the ledger marked the account liquidatable for it
    (missed deadline, not yet liquidated, no health proof since), and only if
    the note fails maintenance margin at that epoch's marks."""
    eid, latest = epoch.epoch_id, _latest(venue).epoch_id
    who = f"account {str(account)[:12]}..."
    if eid != latest:
        raise InputError(
            f"liquidate: oracle epoch {eid} is stale (the latest is {latest}); "
            "liquidations use the latest epoch only"
        )
    led = venue.ledger
    pending = {str(a) for _, a, _, _ in led.liquidatable(eid, pending_only=True)}
    if str(account) not in pending:
        raise InputError(
            f"liquidate: {who} is not liquidatable at oracle epoch {eid} (not closed yet, "
            "health proved by the deadline, or already liquidated)"
        )
    proved_after = getattr(led, "health_proved_after", None)
    if proved_after is not None and proved_after(eid, account):
        raise InputError(f"liquidate: {who} proved health after oracle epoch {eid}")
    if margin.meets(note, epoch, maintenance=True):
        raise InputError(
            f"liquidate: {who} meets maintenance margin at oracle epoch {eid}: "
            "a healthy account is not liquidated"
        )
