"""Margin models, evaluated with the exact integers the circuits use.

Let a note have slots ``(instrument_i, x_i, c_i)`` (signed position and
cost) and let the epoch give, for instrument_i, ``m_i`` (mark), ``S_i``
(underlying value of one lot), ``delta_i``, ``gamma_i`` (fixed point,
``G = units.GREEK_SCALE``) and the rates ``im_i``, ``mm_i`` (bps).

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
portfolio model margins options by their Greeks instead.

**Portfolio model** (``note.model == 1``): for every price shock ``h`` (bps
of the underlying) of the grid, the delta-gamma estimate of the portfolio's
value change is ``sum_i x_i * S_i * (delta_i/G * h/1e4 + gamma_i/(2G) *
(h/1e4)^2)``, where ``delta_i`` is the option's delta and ``gamma_i`` its
"percent gamma" (gamma times the underlying value ``S_i``).  The account
must stay solvent in every scenario; scaled by ``2 * G * 1e8`` to stay in
integers::

    slack_h = 2*G*10^8 * E + sum_i (x_i*S_i) * (2*10^4*h*delta_i + h^2*gamma_i)   >= 0

(Futures and perpetuals have ``delta = G``, ``gamma = 0``, ``S = m``.)  The
grid (``INITIAL_SHOCKS_BPS`` for initial margin, ``MAINTENANCE_SHOCKS_BPS``
for maintenance) has ``N_SCENARIOS`` points, fixed in the circuits.

In-circuit, each slack is shown non-negative by range-checking it to
``MARGIN_BITS`` bits.  That is a sound comparison because every slack is an
integer with ``|slack| < 2^(MARGIN_BITS-1)`` (bounds below, from the
range-checked inputs), so a negative slack is ``r - |slack| >= 2^MARGIN_BITS``
as a field element.  :func:`slacks` computes the same list the circuit
range-checks (the linear slack in every position for the linear model), so
the native check and the circuit agree exactly.
"""

from typing import TYPE_CHECKING, NamedTuple

from ..errors import InputError
from . import units

if TYPE_CHECKING:
    from .notes import Note

INITIAL_SHOCKS_BPS = (-1500, -750, 0, 750, 1500)
MAINTENANCE_SHOCKS_BPS = (-1000, -500, 0, 500, 1000)
N_SCENARIOS = len(INITIAL_SHOCKS_BPS)
assert len(MAINTENANCE_SHOCKS_BPS) == N_SCENARIOS

#: penalty on the notional closed by a liquidation (bps), paid from collateral
LIQUIDATION_PENALTY_BPS = 100

#: bits of a bankrupt account's shortfall (-equity), which the note bounds:
#: ``-E <= N_SLOTS * (2^(POSITION_BITS-1) * 2^PRICE_BITS + 2^(COST_BITS-1))``
SHORTFALL_BITS = units.COST_BITS + 2
assert units.N_SLOTS * (
    (1 << (units.POSITION_BITS - 1)) * (1 << units.PRICE_BITS) + (1 << (units.COST_BITS - 1))
) < (1 << SHORTFALL_BITS)

PORTFOLIO_SCALE = 2 * units.GREEK_SCALE * 10**8
LINEAR_SCALE = units.BPS


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
    hmax = max(abs(h) for h in INITIAL_SHOCKS_BPS + MAINTENANCE_SHOCKS_BPS)
    d = 1 << (units.DELTA_BITS - 1)
    g = 1 << (units.GAMMA_BITS - 1)
    port = PORTFOLIO_SCALE * e + n * x * m * (2 * 10**4 * hmax * d + hmax * hmax * g)
    return max(lin, port)


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


def portfolio_slacks(note, epoch, maintenance=False):
    shocks = MAINTENANCE_SHOCKS_BPS if maintenance else INITIAL_SHOCKS_BPS
    e = PORTFOLIO_SCALE * equity(note, epoch)
    ents = _entries(note, epoch)
    out = []
    for h in shocks:
        v = e
        for s, ent in zip(note.slots, ents):
            if ent:
                a = s.position * ent.underlying
                v += a * (2 * 10**4 * h * ent.delta + h * h * ent.gamma)
        out.append(v)
    return out


def slacks(note, epoch, maintenance=False):
    """The N_SCENARIOS integers the circuit shows to be >= 0 for this note's model."""
    if note.model == 0:
        return [linear_slack(note, epoch, maintenance)] * N_SCENARIOS
    return portfolio_slacks(note, epoch, maintenance)


def meets(note, epoch, maintenance=False):
    """True iff the note meets initial (or maintenance) margin at ``epoch``."""
    return all(v >= 0 for v in slacks(note, epoch, maintenance))


def check(note, epoch, maintenance=False, what="account"):
    """Raise InputError naming the failing scenario if margin is not met."""
    kind = "maintenance" if maintenance else "initial"
    for k, v in enumerate(slacks(note, epoch, maintenance)):
        if v < 0:
            model = "linear" if note.model == 0 else f"portfolio scenario {k}"
            raise InputError(f"{what}: {kind} margin not met ({model})")


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
      funding``);
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
    for j, (s, x2) in enumerate(zip(note.slots, new_positions)):
        x = s.position
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


def _scale(note):
    return LINEAR_SCALE if note.model == 0 else PORTFOLIO_SCALE


def requirement(note, epoch, maintenance=False):
    """The initial (or maintenance) requirement in collateral units: the
    least equity with which the note's positions meet margin at ``epoch``
    (0 without positions).  ``meets`` holds iff ``equity >= requirement``."""
    scale, e = _scale(note), equity(note, epoch)
    worst = max(scale * e - v for v in slacks(note, epoch, maintenance))
    return max(0, -((-worst) // scale))  # ceil(worst / scale), at least 0


def free_collateral(note, epoch):
    """What a withdrawal can take now: the largest ``w`` such that the note
    settled to ``epoch``'s marks (:meth:`Note.settle`) with ``w`` less
    collateral still meets initial margin; 0 if none (or equity < 0)."""
    try:
        settled = note.settle(epoch)
    except InputError:
        return 0
    scale = _scale(settled)
    room = min(slacks(settled, epoch)) // scale
    return max(0, min(settled.collateral, room))
