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


def exit_(venue, note):
    """An exit of ``note`` (its whole equity) at the latest epoch: only with
    a positive equity at that epoch's marks."""
    ep = _latest(venue)
    e = margin.equity(note, ep)
    if e < 1:
        raise InputError(
            f"exit: the account's equity at oracle epoch {ep.epoch_id}'s marks is {e}: "
            "nothing to take out"
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


def _order_name(point):
    return f"order {str(point[0])[:12]}..."


def cancel(venue, so, unopened=False):
    """A cancel of the order ``so``: refused if the ledger already consumed it
    (matched or cancelled), or if it has never been opened, unless
    ``unopened`` (pre-empting an order the operator holds but has not
    posted: once cancelled it can never be opened)."""
    status = venue.ledger.order_status(so.commitment)
    if status == "consumed":
        raise InputError(f"cancel: {_order_name(so.commitment)} was already matched or cancelled")
    if status is None and not unopened:
        raise InputError(
            f"cancel: {_order_name(so.commitment)} is not open on the ledger (never opened, "
            "or the match that leaves it is not settled yet); --unopened cancels it before "
            "anyone opens it"
        )


def orders_not_consumed(venue, sos):
    """A match of the orders ``sos``: none may be consumed (matched or
    cancelled) already.  Returns the commitments that are open on the ledger
    (those need no order proof)."""
    status = getattr(venue.ledger, "order_status", None)
    if status is None:
        return set()
    opened = set()
    for so in sos:
        s = status(so.commitment)
        if s == "consumed":
            raise InputError(
                f"match: {_order_name(so.commitment)} was already matched or cancelled"
            )
        if s == "open":
            opened.add(so.commitment)
    return opened


def trade_confirmation(venue, order_points, matched_at, path):
    """A trader's leg of a confirmed trade: refused if the match is older
    than the service accepts, or one of its orders was consumed (matched or
    cancelled) since the operator matched them."""
    from .rules import MATCH_MAX_AGE

    if matched_at is not None and venue.now() - matched_at > MATCH_MAX_AGE:
        raise InputError(
            f"{path}: the match is {venue.now() - matched_at} s old; the service takes "
            f"matches up to {MATCH_MAX_AGE} s old (ask the operator to match again)"
        )
    status = getattr(venue.ledger, "order_status", None)
    if status is None:
        return
    for pt in order_points:
        if status(pt) == "consumed":
            raise InputError(
                f"{path}: {_order_name(pt)} of this trade was matched or cancelled since "
                "the match: the trade cannot settle"
            )


def assembled_trade(venue, matched_at, epoch_id):
    """A trade about to settle: its legs proved at the latest epoch, its
    match no older than the service accepts."""
    from .rules import MATCH_MAX_AGE

    latest = _latest(venue).epoch_id
    if epoch_id != latest:
        raise InputError(
            f"trade: the legs were proved at oracle epoch {epoch_id}, not the latest ({latest}): "
            "both traders must confirm again"
        )
    age = venue.now() - matched_at
    if age > MATCH_MAX_AGE:
        raise InputError(
            f"trade: the match is {age} s old; the service takes matches up to "
            f"{MATCH_MAX_AGE} s old (the operator must match again)"
        )
