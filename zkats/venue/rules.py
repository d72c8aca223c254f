"""The ledger's rule for each kind of batch item, one small class per kind.

A rule names the proofs an item carries (``roles``: role -> the statement
class whose key verifies it) and states what the item's public signals must
satisfy and what applying it changes.  The settlement service
(:mod:`zkats.venue.settlement`) does everything common to all kinds from
the signal names the statements declare:

* ``root``: must be in the root history;
* ``nullifier``: spent (or, when ``spends`` is False, must be unspent);
* ``commitment``: a new leaf, appended in item order, recorded with the
  statement's ``ciphertext`` (the new note's opening encrypted under the
  account's viewing secret; the proof shows it is right), which the
  ledger serves with the leaf for the account's key holders to follow it;
* ``epoch_id`` + ``epoch_hash``: a published epoch with that data hash
  (and the latest one when ``latest_epoch`` is set);

and calls the rule for the rest.  Adding a venue statement means a circuit
file and one class here (registered in :data:`RULES`).

Rules read the ledger only through :class:`zkats.venue.ledger.Ledger`'s query
methods and write only through its ``record_*``/``move_*`` methods (all SQL
lives there).
"""

from ..circuits._statement import Statement
from ..circuits.cancel import Cancel
from ..circuits.deposit import ASSET as ESCROW_ASSET, Deposit
from ..circuits.exit import Exit
from ..circuits.health import Health
from ..circuits.liquidate import Liquidate, taken_of
from ..circuits.match import Match
from ..circuits.order import Order
from ..circuits.transition import Transition
from ..circuits.withdraw import Withdraw
from ..errors import LedgerError

#: a match's or order's public ``now`` may lag the service clock by at most this (s)
MATCH_MAX_AGE = 3600
#: ... and lead it by at most this (clock skew, s)
CLOCK_SKEW = 60

#: the venue's public funds
FEE_FUND = "fee"
INSURANCE_FUND = "insurance"


def fund_equity(ledger, name, epoch):
    """A fund's equity at ``epoch``'s marks: its balance plus its positions'
    value ``position * mark - cost`` (the backstop's, like a note's slots)."""
    total = ledger.fund_balance(name)
    for instrument, (pos, cost) in ledger.fund_positions(name).items():
        total += (pos * epoch.entry(instrument).value if pos else 0) - cost
    return total


def short(v):
    s = str(v)
    return s if len(s) <= 16 else s[:12] + "..."


def _current(where, what, t, now):
    if not now - MATCH_MAX_AGE <= t <= now + CLOCK_SKEW:
        raise LedgerError(f"{where}: {what} time {t} is not current (service clock {now})")


class Pending:
    """The ledger as seen by the checks of one batch: the ledger's state plus
    what earlier items of the batch changed (checks run before anything is
    written)."""

    def __init__(self, ledger, now):
        self.ledger = ledger
        self.now = now
        self.escrow = {}
        self.funds = {}
        self.new_accounts = set()
        self.fund_withdrawals = 0
        self.opened, self.consumed = set(), set()
        #: account -> the latest epoch an earlier item of the batch proved its health for
        self.healthy_at = {}

    def escrow_after(self, asset, delta):
        bal = self.escrow.get(asset, self.ledger.escrow_balance(asset)) + delta
        self.escrow[asset] = bal
        return bal

    def fund_after(self, name, delta):
        bal = self.funds.get(name, self.ledger.fund_balance(name)) + delta
        self.funds[name] = bal
        return bal

    def account_known(self, account):
        return str(account) in self.new_accounts or self.ledger.account_exists(account)


class Rule:
    """Base: a kind with its roles; override the hooks a kind needs."""

    kind = ""
    roles: dict[str, type[Statement]] = {}
    #: False: the nullifier names a live note that must stay unspent (health)
    spends = True
    #: epochs used must be the latest published one
    latest_epoch = False
    #: the item may consume an order that is not open yet (a cancel pre-empts
    #: an order before anyone opens it); otherwise consumed orders must be open
    consumes_unopened = False
    #: the CLI command that proves the kind, when the generic ``zkats venue
    #: prove KIND`` cannot (its statement is not about the account's note)
    command: str | None = None

    def decode(self, plan, now):
        """Checks on the item alone (runs first); may fill ``plan.orders``/``plan.opens``."""

    def batch_key(self, plan) -> tuple | None:
        """A key that must not repeat within one batch (None: no such rule)."""
        return None

    def check(self, plan, pending):
        """Checks against the ledger (runs before verifying and again inside
        the write transaction); update ``pending`` with this item's effect."""

    def apply(self, ledger, plan, batch_id, now):
        """The item's effects beyond notes, nullifiers and orders."""


class DepositRule(Rule):
    kind = "deposit"
    roles = {"deposit": Deposit}

    def check(self, plan, pending):
        sig = plan.signals["deposit"]
        pending.escrow_after(str(sig.asset), sig.amount)
        pending.new_accounts.add(str(sig.account))

    def apply(self, ledger, plan, batch_id, now):
        sig = plan.signals["deposit"]
        ledger.move_escrow(batch_id, plan.index, sig.asset, sig.amount, account=sig.account)
        ledger.register_account(sig.account, batch_id)


class WithdrawRule(Rule):
    """A payout: the statement's public ``amount`` of ``asset`` leaves the
    escrow to its ``recipient`` (``what`` names it in errors)."""

    kind = "withdraw"
    roles = {"withdraw": Withdraw}
    latest_epoch = True
    what = "withdrawal"

    def payout(self, plan):
        (role,) = self.roles
        return plan.signals[role]

    def check(self, plan, pending):
        sig = self.payout(plan)
        if pending.escrow_after(str(sig.asset), -sig.amount) < 0:
            raise LedgerError(
                f"{plan.where()}: {self.what} exceeds the escrow balance of asset "
                f"{short(sig.asset)}"
            )

    def apply(self, ledger, plan, batch_id, now):
        sig = self.payout(plan)
        ledger.move_escrow(batch_id, plan.index, sig.asset, -sig.amount, recipient=sig.recipient)


class ExitRule(WithdrawRule):
    """The owner's exit (the ``exit`` statement, the escrow's exit game,
    ``docs/escrow.md``): its whole equity at the marks leaves the escrow to
    the proven recipient, every position it held goes to the insurance
    fund's positions at the mark (the backstop takes it over, as a
    liquidation's closed part: :class:`LiquidateRule`), and its empty change
    note is appended.  Served in a batch (the operator settles a request,
    or any exit the owner signed, at once): at the latest epoch."""

    kind = "exit"
    roles = {"exit": Exit}
    latest_epoch = True
    command = "zkats exit"
    what = "exit"

    def apply(self, ledger, plan, batch_id, now):
        super().apply(ledger, plan, batch_id, now)
        for instrument, size, notional in taken_of(self.payout(plan)):
            if size:
                ledger.move_fund_position(INSURANCE_FUND, instrument, size, notional)


class ForcedExitRule(ExitRule):
    """An exit the escrow completed without the operator (``completeExit``
    after ``forceTimeout``), mirrored from the chain
    (:mod:`zkats.server.escrow_mirror`) at the head of the next batch, in
    the chain's queue order (where the chain appends its change note): the
    exit proof its request carried, at the request's epoch (the latest one
    when it was requested, not necessarily now).  Otherwise as
    :class:`ExitRule`."""

    kind = "forced_exit"
    latest_epoch = False
    command = "zkats chain exit --forced"


class TradeRule(Rule):
    """A match and the two transitions applying its legs at one epoch; both
    sides' public fees credit the fee account (an insurance-fund deficit
    first, :func:`fee_split`)."""

    kind = "trade"
    roles = {"match": Match, "leg_a": Transition, "leg_b": Transition}
    latest_epoch = True

    def decode(self, plan, now):
        w, m = plan.where(), plan.signals["match"]
        for role, x in (("leg_a", "a"), ("leg_b", "b")):
            t = plan.signals[role]
            if t.leg != getattr(m, "leg_" + x) or t.tag != getattr(m, "tag_" + x):
                raise LedgerError(f"{w}: {role} transition does not apply the match's leg_{x}")
            if t.instrument != m.instrument:
                raise LedgerError(f"{w}: {role} transition is for another instrument")
        if plan.signals["leg_a"].epoch_id != plan.signals["leg_b"].epoch_id:
            raise LedgerError(f"{w}: the two transitions use different oracle epochs")
        if m.order_a == m.order_b:
            raise LedgerError(f"{w}: an order cannot match itself")
        if m.reveal_price not in (0, 1):
            raise LedgerError(f"{w}: reveal_price must be 0 or 1")
        _current(w, "match", m.now, now)
        plan.orders = [m.order_a, m.order_b]
        plan.opens = [m.rem_a, m.rem_b]

    @staticmethod
    def fees(plan):
        return plan.signals["leg_a"].fee + plan.signals["leg_b"].fee

    def check(self, plan, pending):
        to_ins, to_fee = fee_split(pending.fund_after(INSURANCE_FUND, 0), self.fees(plan))
        pending.fund_after(INSURANCE_FUND, to_ins)
        pending.fund_after(FEE_FUND, to_fee)

    def apply(self, ledger, plan, batch_id, now):
        to_ins, to_fee = fee_split(ledger.fund_balance(INSURANCE_FUND), self.fees(plan))
        if to_ins:
            ledger.move_fund(
                batch_id, plan.index, INSURANCE_FUND, to_ins, "trading fees (repay deficit)"
            )
        ledger.move_fund(batch_id, plan.index, FEE_FUND, to_fee, "trading fees")
        m = plan.signals["match"]
        ledger.record_trade(
            batch_id,
            plan.index,
            m.leg_a,
            plan.signals["leg_a"].epoch_id,
            m.instrument,
            m.price if m.reveal_price else None,
            m.now,
        )


class HealthRule(Rule):
    kind = "health"
    roles = {"health": Health}
    spends = False

    def batch_key(self, plan):
        sig = plan.signals["health"]
        return ("health", sig.epoch_id, sig.account)

    def check(self, plan, pending):
        w, sig = plan.where(), plan.signals["health"]
        eid, deadline, _ = plan.epochs["health"]
        if pending.now > deadline:
            raise LedgerError(f"{w}: health proof for oracle epoch {eid} is past its deadline")
        if not pending.account_known(sig.account):
            raise LedgerError(f"{w}: account {short(sig.account)} is unknown")
        # as the escrow's ``healthyAt``: item by item, each health proof of an
        # account must be for a later epoch than every one before it, in the
        # ledger or earlier in this batch (a newer epoch first, then an older
        # one, would pass a per-epoch check but revert on chain)
        account = str(sig.account)
        earlier = pending.healthy_at.get(account)
        if (earlier is not None and eid <= earlier) or (
            earlier is None and pending.ledger.health_proved_since(eid, sig.account)
        ):
            where = "" if earlier is None else f" (item proving epoch {earlier} in this batch)"
            raise LedgerError(
                f"{w}: account {short(sig.account)} already proved health for oracle epoch {eid}"
                f" or a later one{where}"
            )
        pending.healthy_at[account] = eid

    def apply(self, ledger, plan, batch_id, now):
        sig = plan.signals["health"]
        ledger.record_health(batch_id, plan.index, sig.epoch_id, sig.account, now)


def waterfall(insurance, fee, shortfall):
    """The venue's default waterfall for a bankrupt account's ``shortfall``
    (its negative equity at the liquidation's marks, after its own
    collateral is gone), as CCPs cover a member's default:

    1. the insurance fund, down to zero;
    2. the fee account (the venue's own money: its revenue), down to zero;
    3. what is left becomes a **deficit**: the insurance fund's balance goes
       below zero.  The deficit is public and is the venue's debt to its
       traders: while the insurance fund is negative, trading fees go to
       it first (:func:`fee_split`) as do penalties, and no operator
       withdrawal from either fund is allowed.  No trader's note is touched
       (no socialised loss, no auto-deleveraging): a deficit stays the
       venue's liability.

    Returns ``(from_insurance, from_fee)``, what each fund is debited
    (``from_insurance`` includes the deficit part)."""
    take_fee = min(max(shortfall - max(insurance, 0), 0), max(fee, 0))
    return shortfall - take_fee, take_fee


def fee_split(insurance, fees):
    """``(to_insurance, to_fee)``: trading fees repay an insurance-fund
    deficit first (:func:`waterfall`), the rest credits the fee account."""
    to_ins = min(fees, max(-insurance, 0))
    return to_ins, fees - to_ins


class LiquidateRule(Rule):
    """Only at the latest closed epoch (whose deadline has passed and been
    processed), only for an account that had no health proof by that
    deadline and none since, once; the circuit shows the note fails
    maintenance margin at that epoch's marks.  The penalty goes to the
    insurance fund; a bankrupt account's public shortfall is covered by the
    :func:`waterfall`; the closed positions become the insurance fund's
    (the backstop takes them over at the mark)."""

    kind = "liquidate"
    roles = {"liquidate": Liquidate}

    def batch_key(self, plan):
        sig = plan.signals["liquidate"]
        return ("liquidate", sig.epoch_id, sig.account)

    def check(self, plan, pending):
        w, sig, led = plan.where(), plan.signals["liquidate"], pending.ledger
        eid = plan.epochs["liquidate"][0]
        latest = led.latest_epoch()
        closed = led.latest_closed_epoch()
        if closed is None or eid != closed or (latest is not None and latest[0] != eid):
            raise LedgerError(
                f"{w}: liquidation must use the latest oracle epoch, closed at its deadline "
                f"(got epoch {eid})"
            )
        row = led.liquidation_status(eid, sig.account)
        if row is None:
            raise LedgerError(
                f"{w}: account {short(sig.account)} is not liquidatable in oracle epoch {eid}"
            )
        if row[0] is not None:
            raise LedgerError(
                f"{w}: account {short(sig.account)} was already liquidated for oracle epoch {eid}"
            )
        if led.health_proved_after(eid, sig.account):
            raise LedgerError(
                f"{w}: account {short(sig.account)} proved health after oracle epoch {eid}"
            )
        ins = pending.fund_after(INSURANCE_FUND, sig.penalty)
        fee = pending.fund_after(FEE_FUND, 0)
        from_ins, from_fee = waterfall(ins, fee, sig.shortfall)
        pending.fund_after(INSURANCE_FUND, -from_ins)
        pending.fund_after(FEE_FUND, -from_fee)

    def apply(self, ledger, plan, batch_id, now):
        sig = plan.signals["liquidate"]
        ledger.record_liquidation(batch_id, sig.epoch_id, sig.account)
        for instrument, size, notional in taken_of(sig):
            if size:
                ledger.move_fund_position(INSURANCE_FUND, instrument, size, notional)
        if sig.penalty:
            ledger.move_fund(
                batch_id, plan.index, INSURANCE_FUND, sig.penalty, "liquidation penalty"
            )
        if sig.shortfall:
            from_ins, from_fee = waterfall(
                ledger.fund_balance(INSURANCE_FUND), ledger.fund_balance(FEE_FUND), sig.shortfall
            )
            if from_ins:
                ledger.move_fund(
                    batch_id, plan.index, INSURANCE_FUND, -from_ins, "bankruptcy shortfall"
                )
            if from_fee:
                ledger.move_fund(
                    batch_id, plan.index, FEE_FUND, -from_fee, "bankruptcy shortfall (waterfall)"
                )


class FundWithdrawRule(Rule):
    """The venue takes money out of the fee account or the insurance fund:
    only by a request signed by the ledger's operator key
    (:mod:`zkats.domain.operator_key`), numbered in sequence (each request
    valid once), positive, within the fund's cash balance and the escrow,
    and never while the insurance fund is in deficit (:func:`waterfall`).
    The request and its signature are logged (``fund_withdrawals``)."""

    kind = "fund_withdraw"
    roles: dict[str, type[Statement]] = {}
    operator_signed = True

    def decode(self, plan, now):
        from ..domain.operator_key import FUNDS

        op = plan.operator
        if op.fund not in FUNDS:
            raise LedgerError(f"{plan.where()}: unknown fund {op.fund!r} (one of {sorted(FUNDS)})")
        if op.amount <= 0:
            raise LedgerError(f"{plan.where()}: the amount must be positive")

    def check(self, plan, pending):
        from ..domain.operator_key import verify_fund_withdrawal

        w, op, led = plan.where(), plan.operator, pending.ledger
        pk = led.operator_key()
        if pk is None:
            raise LedgerError(f"{w}: the ledger has no operator key (venue init records one)")
        if not verify_fund_withdrawal(pk, op.fund, op.amount, op.recipient, op.seq, op.signature):
            raise LedgerError(f"{w}: not signed by the ledger's operator key")
        want = led.fund_withdrawal_count() + 1 + pending.fund_withdrawals
        if op.seq != want:
            raise LedgerError(
                f"{w}: sequence number {op.seq} is not the next one ({want}): "
                f"a request is valid once, in order"
            )
        pending.fund_withdrawals += 1
        if pending.fund_after(INSURANCE_FUND, 0) < 0:
            raise LedgerError(f"{w}: the insurance fund is in deficit: no fund withdrawals")
        if pending.fund_after(op.fund, -op.amount) < 0:
            raise LedgerError(f"{w}: the amount exceeds the {op.fund} fund's balance")
        if pending.escrow_after(str(ESCROW_ASSET), -op.amount) < 0:
            raise LedgerError(f"{w}: the amount exceeds the escrow balance")

    def apply(self, ledger, plan, batch_id, now):
        op = plan.operator
        ledger.move_fund(batch_id, plan.index, op.fund, -op.amount, f"operator withdrawal {op.seq}")
        ledger.move_escrow(batch_id, plan.index, ESCROW_ASSET, -op.amount, recipient=op.recipient)
        ledger.record_fund_withdrawal(
            batch_id, plan.index, op.seq, op.fund, op.amount, op.recipient, op.signature
        )


class OrderRule(Rule):
    kind = "order"
    roles = {"order": Order}
    command = "zkats order new --batch"

    def decode(self, plan, now):
        o = plan.signals["order"]
        _current(plan.where(), "order", o.now, now)
        plan.opens = [o.commitment]


class CancelRule(Rule):
    """The owner withdraws an order: its commitment is consumed, so no match
    can take it afterwards (and a replayed cancel finds it consumed).  An
    order nobody opened yet may be cancelled too: it can then never be
    opened (the operator holds the signed opening until it posts it)."""

    kind = "cancel"
    roles = {"cancel": Cancel}
    consumes_unopened = True
    command = "zkats order cancel"

    def decode(self, plan, now):
        plan.orders = [plan.signals["cancel"].order]


#: kind -> rule; the batch format and the service take their kinds from here
RULES: dict[str, Rule] = {
    r.kind: r
    for r in (
        DepositRule(),
        WithdrawRule(),
        ExitRule(),
        ForcedExitRule(),
        TradeRule(),
        HealthRule(),
        LiquidateRule(),
        OrderRule(),
        CancelRule(),
        FundWithdrawRule(),
    )
}


def circuits():
    """{circuit name: statement class} of every role of every rule."""
    return {cls.circuit_name: cls for r in RULES.values() for cls in r.roles.values()}
