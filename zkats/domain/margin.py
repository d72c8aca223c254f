"""Margin models, evaluated with the exact integers the circuits use.

Let a note have slots ``(instrument_i, x_i, c_i)`` (signed position and
cost) and let the epoch give, for instrument_i, ``m_i`` (mark), ``S_i``
(underlying value of one lot) and the rates ``im_i``, ``mm_i`` (bps).

Equity, at the value marks ``v_i = m_i - F_i`` (``F_i`` the perpetual's
funding index, 0 otherwise: :mod:`zkats.domain.oracle`)::

    E = collateral + sum_i (x_i * v_i - c_i)

**Linear model** (``note.model == 0``), rate ``b_i`` = ``im_i`` (initial)
or ``mm_i`` (maintenance)::

    slack = 10000 * E - sum_i |x_i| * S_i * b_i        must be >= 0

on the **underlying notional** ``|x_i| * S_i`` (for futures and perpetuals
``S = m``).  An option is margined for its underlying exposure as if its
delta were 1 (an upper bound, ``|delta| <= 1``), never on its premium: a
short call's risk is the underlying's move, not the premium received.  The
scenario model margins options by full revaluation instead.

**Scenario model** (``note.model == 1``, SPAN-style full revaluation):
the epoch's entry for instrument_i carries its ``asset`` (the underlying
it follows) and its risk array ``r_i[s]``, the profit or loss of one long
lot in each scenario ``s`` of :data:`GRID` (computed by the pricing module
outside the circuit).  A position of ``x`` lots makes ``x * (r_i[s] + n)``
in scenario ``s``, with ``n = 1`` for a short position (a short lot's loss
rounds up too).  Underlyings move independently, with no cross credit:
slots are grouped by asset into at most ``N_UNDERLYINGS`` buckets, and the
requirement is the sum over buckets of the bucket's worst loss::

    L[u][s]  = sum_{i in bucket u} x_i * (r_i[s] + n_i)
    worst_u  = max(0, max_s -L[u][s])
    slack    = 10000 * E - k * sum_u worst_u              must be >= 0

with ``k = 10000`` for initial margin and ``k = SCENARIO_MM_BPS`` for
maintenance (maintenance is 80% of the initial requirement: the initial
margin is 125% of the maintenance margin).  Long BTC against short ETH of
equal value needs both worst cases; an option is never margined on its
premium.  Both models compare a multiple of the equity with the
requirement, so one slack (scale ``LINEAR_SCALE = 10000``) decides.

In-circuit, the slack is shown non-negative by range-checking it to
``MARGIN_BITS`` bits; the bucket maxima are private witnesses ``w_u``
shown to satisfy ``w_u >= 0`` and ``w_u + L[u][s] >= 0`` for every ``s``
(range checks to ``WORST_BITS`` and ``WORST_BITS + 1`` bits): a prover can
only overstate its requirement.  Each comparison is sound because every
compared integer is below half its range (bounds below, from the
range-checked inputs), so a negative value is ``r - |v|`` as a field
element and fails the check.  :func:`slack` computes the integer the
circuit range-checks, so the native check and the circuit agree exactly.

A liquidation shows the opposite (:func:`failing_witness`): the prover
names one scenario per bucket and shows ``10000 * E + k * sum_u L[u][s_u]
< 0``; that sum of chosen losses is at most the requirement only if no
asset is split across buckets, so the liquidation circuit also proves the
buckets' assets distinct.
"""

from typing import TYPE_CHECKING, NamedTuple

from ..errors import InputError
from . import units
from .scenario_grid import N_SCENARIOS

if TYPE_CHECKING:
    from .notes import Note

#: maintenance requirement of the scenario model, in bps of the initial one
SCENARIO_MM_BPS = 8000

#: penalty on the notional closed by a liquidation (bps), paid from collateral
LIQUIDATION_PENALTY_BPS = 100

#: bits of a bankrupt account's shortfall (-equity), which the note bounds:
#: ``-E <= N_SLOTS * (2^(POSITION_BITS-1) * 2^PRICE_BITS + 2^(COST_BITS-1))``
_SLOT_LOSS = (1 << (units.POSITION_BITS - 1)) * (1 << units.PRICE_BITS) + (
    1 << (units.COST_BITS - 1)
)
SHORTFALL_BITS = max(units.COST_BITS + 2, (units.N_SLOTS * _SLOT_LOSS).bit_length())
assert units.N_SLOTS * (
    (1 << (units.POSITION_BITS - 1)) * (1 << units.PRICE_BITS) + (1 << (units.COST_BITS - 1))
) < (1 << SHORTFALL_BITS)

LINEAR_SCALE = units.BPS

#: bits of a bucket's worst loss: ``|L[u][s]| <= N_SLOTS * 2^(POSITION_BITS-1)
#: * (2^(RISK_BITS-1) + 1)``
WORST_BITS = (
    units.N_SLOTS * (1 << (units.POSITION_BITS - 1)) * ((1 << (units.RISK_BITS - 1)) + 1)
).bit_length() + 1


def _bounds():
    """An upper bound on |slack| for both models, from the unit bounds."""
    n = units.N_SLOTS
    x = 1 << (units.POSITION_BITS - 1)
    m = 1 << units.PRICE_BITS
    c = 1 << (units.COST_BITS - 1)
    v = m + (1 << (units.FUNDING_BITS - 1))  # |mark - funding|
    e = (1 << units.COLLATERAL_BITS) + n * (x * v + c)
    bps = 1 << units.BPS_BITS
    lin = LINEAR_SCALE * e + n * x * m * bps
    # the liquidation's chosen losses are bounded as the worst ones are
    scen = LINEAR_SCALE * e + units.BPS * units.N_UNDERLYINGS * (1 << (WORST_BITS + 1))
    return max(lin, scen)


SLACK_BOUND = _bounds()
#: bits of the range check that shows a slack is >= 0
MARGIN_BITS = SLACK_BOUND.bit_length() + 1
assert (1 << MARGIN_BITS) + SLACK_BOUND < (1 << 253)


def _entries(note, epoch):
    """For each slot, the epoch entry used (None for a zero position)."""
    out = []
    for s in note.slots:
        out.append(epoch.entry(s.instrument) if s.position != 0 else None)
    return out


def equity(note, epoch):
    e = note.collateral
    for s, ent in zip(note.slots, _entries(note, epoch)):
        e += (s.position * ent.value if ent else 0) - s.cost
    return e


def linear_slack(note, epoch, maintenance=False):
    req = 0
    for s, ent in zip(note.slots, _entries(note, epoch)):
        if ent:
            req += abs(s.position) * ent.underlying * (ent.mm_bps if maintenance else ent.im_bps)
    return LINEAR_SCALE * equity(note, epoch) - req


def buckets(note, epoch, what="account"):
    """``(bucket, assets)``: per slot the index of its risk bucket, and the
    bucket's asset (0 for an unused one), assets in order of first
    appearance among the slots with a position.  InputError if the note
    holds positions on more than ``N_UNDERLYINGS`` underlyings."""
    assets: list[int] = []
    out: list[int] = []
    for ent in _entries(note, epoch):
        if ent is None:
            out.append(0)
            continue
        if ent.asset not in assets:
            if len(assets) == units.N_UNDERLYINGS:
                raise InputError(
                    f"{what}: positions on more than {units.N_UNDERLYINGS} underlyings "
                    "(the scenario model's limit)"
                )
            assets.append(ent.asset)
        out.append(assets.index(ent.asset))
    return out, assets + [0] * (units.N_UNDERLYINGS - len(assets))


def bucket_pnl(note, epoch, bucket):
    """``L[u][s]``: each bucket's profit or loss in each scenario."""
    out = [[0] * N_SCENARIOS for _ in range(units.N_UNDERLYINGS)]
    for s, ent, b in zip(note.slots, _entries(note, epoch), bucket):
        if ent is None:
            continue
        n = 1 if s.position < 0 else 0
        for k, r in enumerate(ent.risk):
            out[b][k] += s.position * (r + n)
    return out


def risk_rows(note, epoch, what="account"):
    """``(bucket, assets, L)``: :func:`buckets` and :func:`bucket_pnl` in one
    pass (what every scenario-model function needs)."""
    bucket, assets = buckets(note, epoch, what)
    return bucket, assets, bucket_pnl(note, epoch, bucket)


def worst_of(rows):
    """``max(0, max_s -L[u][s])`` of each bucket row ``L[u]``."""
    return [max(0, -min(row)) for row in rows]


def worst_losses(note, epoch, what="account"):
    """``w_u = max(0, max_s -L[u][s])`` per bucket (the circuit's witness)."""
    return worst_of(risk_rows(note, epoch, what)[2])


def scenario_requirement(note, epoch, maintenance=False, what="account"):
    """``k * sum_u w_u``: the scenario model's requirement, scaled by 10000."""
    k = SCENARIO_MM_BPS if maintenance else units.BPS
    return k * sum(worst_losses(note, epoch, what))


def slack(note, epoch, maintenance=False, what="account"):
    """The integer the circuit shows to be >= 0 for this note's model
    (InputError naming ``what`` if the scenario model cannot represent the
    note)."""
    if note.model == 0:
        return linear_slack(note, epoch, maintenance)
    return LINEAR_SCALE * equity(note, epoch) - scenario_requirement(note, epoch, maintenance, what)


def meets(note, epoch, maintenance=False):
    """True iff the note meets initial (or maintenance) margin at ``epoch``."""
    try:
        return slack(note, epoch, maintenance) >= 0
    except InputError:
        return False


def check(note, epoch, maintenance=False, what="account"):
    """Raise InputError naming the model if margin is not met."""
    kind = "maintenance" if maintenance else "initial"
    if slack(note, epoch, maintenance, what) < 0:
        model = "linear" if note.model == 0 else "scenario"
        raise InputError(f"{what}: {kind} margin not met ({model} model)")


def failing_witness(note, epoch):
    """Per bucket, a scenario of its worst loss (what a liquidation names)."""
    return [min(range(N_SCENARIOS), key=row.__getitem__) for row in risk_rows(note, epoch)[2]]


def margin_witness(note, epoch):
    """The private inputs of a margin check on ``note``: ``bucket`` (per
    slot), ``bucket_asset`` and ``worst`` (per bucket).  For the linear
    model (which ignores them) buckets are still filled when they fit."""
    try:
        bucket, assets, rows = risk_rows(note, epoch)
    except InputError:
        if note.model == 1:
            raise
        bucket, assets = [0] * units.N_SLOTS, [0] * units.N_UNDERLYINGS
        rows = bucket_pnl(note, epoch, bucket)
    return {"bucket": bucket, "bucket_asset": assets, "worst": worst_of(rows)}


def settled_positions(note, epoch):
    """Each slot's position once settled to ``epoch`` (:meth:`Note.settle`):
    0 where the instrument has expired (closed at its settlement value),
    else unchanged."""
    out = []
    for s in note.slots:
        ent = epoch.entry(s.instrument) if s.position else None
        out.append(0 if ent is not None and ent.expired else s.position)
    return out


class Liquidation(NamedTuple):
    """What :func:`liquidate` produces."""

    note: "Note"
    penalty: int
    shortfall: int
    #: per slot ``(instrument, size, notional)`` the backstop takes over: the
    #: account's reduction ``x - x'`` and its cost ``(x - x') * value``
    #: (``(0, 0, 0)`` for a slot not reduced)
    taken: tuple[tuple[int, int, int], ...]


def liquidate(note, epoch, new_positions, salt=None):
    """The note after a liquidation to ``new_positions`` (one per slot), the
    rule the ``liquidate`` circuit states:

    * the note is first settled to the epoch's marks (as :meth:`Note.settle`,
      variation margin and funding): its collateral becomes its equity
      ``E``, each slot's cost ``position * value`` (``value = mark -
      funding``), a position whose instrument expired is closed at its
      settlement value (``x = 0``: nothing of it is left to reduce or take
      over);
    * for each slot ``|x'| <= |x|`` and ``x' == 0`` or ``sign(x') == sign(x)``
      (StarkEx's rule: a liquidation only reduces positions, never grows or
      flips one); the closed part trades at the mark, so the cost becomes
      ``x' * value``;
    * the penalty due is ``ceil(sum |x - x'| * mark * LIQUIDATION_PENALTY_BPS
      / 10000)``; what is paid is ``min(due, max(E, 0))``;
    * if ``E < 0`` the account is **bankrupt**: every position must close
      (``x' == 0``), nothing is paid, and the ``shortfall = -E`` is covered
      by the venue's default waterfall (:mod:`zkats.venue.rules`); the new
      note has collateral 0;
    * the closed part is taken over at the mark by the venue's **backstop**
      (the insurance fund, whose positions are public, as Hyperliquid's
      backstop liquidation vault): every position keeps a counterparty, so
      later mark moves stay zero-sum.

    Returns a :class:`Liquidation`; raises InputError naming the slot whose
    position would grow, flip, or stay open in a bankruptcy."""
    from dataclasses import replace

    from .notes import Slot

    if len(new_positions) != units.N_SLOTS:
        raise InputError(f"liquidation: need {units.N_SLOTS} new positions")
    e = equity(note, epoch)
    slots, closed, taken = [], 0, []
    held = settled_positions(note, epoch)
    for j, (s, x, x2) in enumerate(zip(note.slots, held, new_positions)):
        units.check_signed(x2, units.POSITION_BITS, f"liquidation slot {j} position")
        if abs(x2) > abs(x) or (x2 != 0 and (x2 > 0) != (x > 0)):
            raise InputError(f"liquidation slot {j}: the position would grow or flip")
        if e < 0 and x2 != 0:
            raise InputError(
                f"liquidation slot {j}: the account is bankrupt, every position must close"
            )
        ent = epoch.entry(s.instrument) if x != 0 else None
        mark, value = (ent.mark, ent.value) if ent else (0, 0)
        slots.append(Slot(s.instrument, x2, x2 * value))
        closed += (abs(x) - abs(x2)) * mark
        taken.append((s.instrument, x - x2, (x - x2) * value) if x != x2 else (0, 0, 0))
    due = units.mul_bps_ceil(closed, LIQUIDATION_PENALTY_BPS)
    paid = min(due, max(e, 0))
    shortfall = max(-e, 0)
    units.check_unsigned(shortfall, SHORTFALL_BITS, "liquidation shortfall")
    new = replace(note, collateral=max(e, 0) - paid, slots=tuple(slots)).with_salt(salt)
    return Liquidation(new, paid, shortfall, tuple(taken))


class Exit(NamedTuple):
    """What :func:`exit_all` produces."""

    #: the change note: collateral 0, every position closed (same account,
    #: keys, model and instruments)
    note: "Note"
    #: the payout: the note's whole equity at the marks
    amount: int
    #: per slot ``(instrument, size, notional)`` the backstop takes over, as
    #: :attr:`Liquidation.taken` (``(0, 0, 0)`` for a slot without a position)
    taken: tuple[tuple[int, int, int], ...]


def exit_all(note, epoch, salt=None):
    """The exit a trader makes alone (the ``exit`` circuit's rule, the
    escrow's exit game): the note is settled to the epoch's marks (as
    :meth:`Note.settle`: variation margin, funding, an expired instrument
    closed at its settlement value), so its collateral is its equity
    ``E``; every position still open is closed at the mark and taken over
    by the venue's backstop (the insurance fund) exactly as a liquidation's
    closed part (:func:`liquidate`): ``(instrument, x, x * value)``; the
    whole ``E`` is paid out; the change note keeps nothing (collateral 0,
    positions and costs 0).  No penalty, no fee, no margin check.

    Raises InputError if ``E < 1``: a note with zero or negative equity has
    nothing to take out (a negative one is the liquidation's, whose
    shortfall the waterfall covers)."""
    from dataclasses import replace

    from .notes import Slot

    e = equity(note, epoch)
    if e < 1:
        raise InputError(
            f"exit: the account's equity at oracle epoch {epoch.epoch_id}'s marks is {e}: "
            "nothing to take out (only a positive equity exits)"
        )
    settled = note.settle(epoch)
    taken = tuple(
        (s.instrument, s.position, s.cost) if s.position else (0, 0, 0) for s in settled.slots
    )
    empty = tuple(Slot(s.instrument, 0, 0) for s in settled.slots)
    new = replace(settled, collateral=0, slots=empty).with_salt(salt)
    return Exit(new, settled.collateral, taken)


def requirement(note, epoch, maintenance=False):
    """The initial (or maintenance) requirement in collateral units: the
    least equity with which the note's positions meet margin at ``epoch``
    (0 without positions).  ``meets`` holds iff ``equity >= requirement``."""
    req = LINEAR_SCALE * equity(note, epoch) - slack(note, epoch, maintenance)
    return max(0, units.ceil_div(req, LINEAR_SCALE)) if req > 0 else 0


def free_collateral(note, epoch):
    """What a withdrawal can take now: the largest ``w`` such that the note
    settled to ``epoch``'s marks (:meth:`Note.settle`) with ``w`` less
    collateral still meets initial margin; 0 if none (or equity < 0)."""
    try:
        settled = note.settle(epoch)
    except InputError:
        return 0
    try:
        room = slack(settled, epoch) // LINEAR_SCALE
    except InputError:
        return 0
    return max(0, min(settled.collateral, room))
