"""In-circuit building blocks shared by the venue's circuits.

Each function takes ``api`` first and states the same rule as a function of
:mod:`zkats.venue` (named in its docstring); the circuits compose them.
Conventions:

* a note is the list of its 14 committed fields (``Note.fields()``:
  account, npk, collateral, model, then (instrument, enc position, enc cost)
  per slot) plus its salt;
* signed values are in the venue's offset encoding
  (:mod:`zkats.domain.units`): ``x = enc - 2^(k-1)``, and range-checking
  ``enc`` to ``k`` bits gives the sign as the top bit;
* an epoch is opened per slot: each slot's entry (``ENTRY_FIELDS`` fields,
  ``EpochEntry.fields()``: 10 price fields, the asset, the risk array) with
  its path in the epoch tree; a slot is valued at the entry's value mark
  ``mark - funding`` (:func:`value_mark`).
"""

from zkats.domain import margin, orders, tags, units
from zkats.domain.scenario_grid import N_SCENARIOS
from zkats.gadgets.babyjubjub import babyjub_msm_fixed
from zkats.gadgets.bits import num2bits, num2bits_strict, range_check
from zkats.gadgets.comparators import assert_in_range, is_equal
from zkats.gadgets.mux import select
from zkats.gadgets.pedersen import blinding_generator, value_generators
from zkats.gadgets.poseidon_hash import poseidon
from zkats.gadgets.wide_merkle import assert_wide_membership

#: bits of a Pedersen blinding factor (blindings are in [0, L), L < 2^252)
BLINDING_BITS = 252
#: bits of a leg's unsigned notional q * p
NOTIONAL_BITS = units.SIZE_BITS + units.PRICE_BITS
#: the entry fields' indices (``EpochEntry.fields()``; ``status = payoff + 4 * expired``;
#: the risk array is ``RISK .. RISK + N_SCENARIOS - 1``)
MARK, UNDERLYING, IM, MM, FUNDING, STATUS, STRIKE, ASSET, RISK = 1, 2, 5, 6, 7, 8, 9, 10, 11
ENTRY_FIELDS = RISK + N_SCENARIOS
#: the column :func:`epoch_check` appends to each entry: 1 iff it has expired
EXPIRED = ENTRY_FIELDS


def signed(api, enc, k):
    """Range-check ``enc`` to ``k`` bits; return ``(x, nonneg)`` with
    ``x = enc - 2^(k-1)`` (linear) and ``nonneg`` the top bit (1 iff x >= 0)."""
    bits = num2bits(api, enc, k)
    return api.lc(enc) - units.offset(k), bits[k - 1]


def one_hot(api, index, n):
    """``[index == j for j < n]`` (booleans summing to 1: index must be < n)."""
    sel = [is_equal(api, index, j) for j in range(n)]
    api.assert_equal(api.sum(sel), 1)
    return sel


# ------------------------------------------------------------------ notes
def slots_of(fields):
    """[(instrument, enc position, enc cost)] of a note's fields."""
    return [tuple(fields[4 + 3 * j : 7 + 3 * j]) for j in range(units.N_SLOTS)]


def note_fields(account, npk, collateral, model, slots):
    out = [account, npk, collateral, model]
    for s in slots:
        out += list(s)
    return out


# ----------------------------------------------------------------- epoch
def epoch_check(api, epoch_id, epoch_hash, root, entries, paths, bits):
    """``Epoch.hash``: the private ``root`` with ``epoch_id`` hashes to the
    public ``epoch_hash``, each opened entry (one per slot) is a leaf of the
    epoch tree with that root (:mod:`zkats.gadgets.wide_merkle`), and, if
    expired, is at its settlement value (:func:`expiry_check`).  Returns the
    opened entries, each with its expired flag appended (column
    :data:`EXPIRED`).

    The entries' fields are not range-checked here: the epoch tree binds
    every opened entry to the ones the oracle signed, and an entry exists
    only within its unit bounds (``EpochEntry`` refuses any other, at
    publication and wherever an epoch is read back), so the margin bounds of
    :mod:`zkats.domain.margin` hold for every entry a prover can open.  An
    oracle signing out-of-range fields could do no more harm than it can
    with in-range ones (it is trusted for the marks and risk arrays
    themselves); see ``docs/venue.md``, "Where an oracle entry's bounds are
    enforced"."""
    with api.scope("epoch"):
        range_check(api, epoch_id, 64)
        api.assert_equal(poseidon(api, [tags.EPOCH, epoch_id, root]), epoch_hash)
        out = []
        for e, children, b in zip(entries, paths, bits):
            out.append(list(e) + [expiry_check(api, e)])
            risk_hash = poseidon(api, list(e[RISK:]))
            leaf = poseidon(api, [tags.EPOCH_ENTRY] + list(e[:RISK]) + [risk_hash])
            assert_wide_membership(api, root, leaf, children, b, units.EPOCH_ARITY)
    return out


def expiry_check(api, e):
    """``EpochEntry``'s expiry rule: if ``expired``, the payoff is not linear
    (a perpetual never expires), there is no funding, and the mark is the
    settlement value of one lot at the underlying's settlement price ``S``
    (``oracle.settlement_value``): ``S`` for a future, ``max(S - K, 0)`` for
    a call, ``max(K - S, 0)`` for a put.  The option's ``mark = max(d, 0)``
    (``d`` the signed intrinsic value) is stated as ``mark * (mark - d) =
    0`` with ``mark`` and ``mark - d`` non-negative (range-checked), so an
    out-of-the-money option settles at exactly 0.  (The strike is not
    range-checked: the signed entry fixes it, and any field element gives
    ``d`` as a small signed integer or fails the range check.)  Returns the
    expired flag."""
    with api.scope("expiry"):
        b0, b1, expired = num2bits(api, e[STATUS], 3)  # status = payoff + 4 expired
        put = api.mul(b0, b1)
        api.assert_product(expired, 1 - api.lc(b0) - b1 + put, 0)  # not linear
        api.assert_product(expired, e[FUNDING] - units.offset(units.FUNDING_BITS), 0)
        future = api.mul(expired, b0 - put)
        api.assert_product(future, e[MARK] - e[UNDERLYING], 0)
        option = api.mul(expired, b1)
        intrinsic = api.mul(api.lc(b1) - 2 * put, api.lc(e[UNDERLYING]) - e[STRIKE])
        api.assert_product(api.mul(option, e[MARK]), api.lc(e[MARK]) - intrinsic, 0)
        range_check(api, api.mul(option, api.lc(e[MARK]) - intrinsic), units.PRICE_BITS + 1)
        return expired


def value_mark(entry):
    """``EpochEntry.value``: ``mark - funding`` of a selected entry (linear)."""
    return entry[MARK] - (entry[FUNDING] - units.offset(units.FUNDING_BITS))


def slot_entry(entries, j, instrument, api, position):
    """The opened entry of slot ``j``; its instrument must be the slot's
    unless the position is 0."""
    e = entries[j]
    api.assert_product(e[0] - instrument, position, 0)
    return e


def expired(entry):
    """1 iff the opened entry's instrument has expired (column :data:`EXPIRED`)."""
    return entry[EXPIRED]


def settle(api, fields, entries):
    """``Note.settle``: the note settled to the epoch's marks (and funding).
    Returns the new collateral (linear; range-checked by the caller's margin
    check) and the slots ``(instrument, enc position, enc cost)`` with each
    cost ``position * value``; collateral gains ``sum(position * value -
    cost)`` (``value = mark - funding``, :func:`value_mark`).  A slot whose
    entry has expired is closed: position and cost 0."""
    with api.scope("settle"):
        collateral = api.lc(fields[2])
        out = []
        for j, (inst, pos, cost_enc) in enumerate(slots_of(fields)):
            x, _ = signed(api, pos, units.POSITION_BITS)
            e = slot_entry(entries, j, inst, api, x)
            xm = api.mul(x, value_mark(e))
            collateral = collateral + xm - (cost_enc - units.offset(units.COST_BITS))
            x = x - api.mul(expired(e), x)
            xm = xm - api.mul(expired(e), xm)
            out.append(
                (
                    inst,
                    x + units.offset(units.POSITION_BITS),
                    xm + units.offset(units.COST_BITS),
                )
            )
        return collateral, out


# ---------------------------------------------------------------- margin
class Risk:
    """What both margin statements need of a note at an epoch
    (:mod:`zkats.domain.margin`): the equity, the linear requirement, and
    the scenario model's bucket profit or loss ``L[u][s]``, after
    range-checking the note's collateral, positions and costs (the entries'
    risk values are bounded by the epoch: :func:`epoch_check`).  ``bucket``
    (per slot) and ``bucket_asset`` (per bucket) are private witnesses:
    under the scenario model every slot with a position must sit in a
    bucket of its entry's asset."""

    def __init__(self, api, fields, entries, bucket, bucket_asset, maintenance):
        collateral, model = fields[2], fields[3]
        range_check(api, collateral, units.COLLATERAL_BITS)
        api.assert_bool(model)
        self.model = model
        equity = api.lc(collateral)
        lin_req = api.constant(0)
        nb = units.N_UNDERLYINGS
        pnl = [[api.constant(0)] * N_SCENARIOS for _ in range(nb)]
        for j, (inst, pos_enc, cost_enc) in enumerate(slots_of(fields)):
            x, nonneg = signed(api, pos_enc, units.POSITION_BITS)
            c, _ = signed(api, cost_enc, units.COST_BITS)
            e = slot_entry(entries, j, inst, api, x)
            equity = equity + api.mul(x, value_mark(e)) - c
            absx = api.mul(nonneg * 2 - 1, x)
            rate = e[MM] if maintenance else e[IM]
            lin_req = lin_req + api.mul(api.mul(absx, e[UNDERLYING]), rate)
            with api.scope("buckets"):
                sel = one_hot(api, bucket[j], nb)
                asset = api.sum([api.mul(b, a) for b, a in zip(sel, bucket_asset)])
                api.assert_product(asset - e[ASSET], api.mul(x, model), 0)
            with api.scope("scenarios"):
                short = 1 - api.lc(nonneg)  # a short lot's loss rounds up: r + 1
                for k in range(N_SCENARIOS):
                    r = api.lc(e[RISK + k]) - units.offset(units.RISK_BITS)
                    y = api.mul(x, r + short)
                    for u in range(nb):
                        pnl[u][k] = pnl[u][k] + api.mul(sel[u], y)
        self.equity, self.pnl = equity, pnl
        self.linear = equity * margin.LINEAR_SCALE - lin_req
        self.k = margin.SCENARIO_MM_BPS if maintenance else units.BPS

    def slack(self, api, losses):
        """The model's slack with the scenario requirement ``k * sum(losses)``."""
        scen = self.equity * margin.LINEAR_SCALE - self.k * api.sum(losses)
        return select(api, self.model, scen, self.linear)


def margin_check(api, fields, entries, bucket, bucket_asset, worst, maintenance):
    """``margin.meets(note, epoch, maintenance)``: the private bucket maxima
    ``worst`` are >= 0 and >= every loss of their bucket (so the prover can
    only overstate its requirement), and the model's slack is in ``[0,
    2^MARGIN_BITS)``."""
    with api.scope("margin"):
        risk = Risk(api, fields, entries, bucket, bucket_asset, maintenance)
        with api.scope("worst"):
            for w, row in zip(worst, risk.pnl):
                range_check(api, w, margin.WORST_BITS)
                for v in row:
                    range_check(api, api.lc(w) + v, margin.WORST_BITS + 1)
        with api.scope("slack"):
            range_check(api, risk.slack(api, worst), margin.MARGIN_BITS)


def margin_fails(api, fields, entries, bucket, bucket_asset, scenario, maintenance=True):
    """``not margin.meets(note, epoch, maintenance)``: with one private
    ``scenario`` per bucket, the slack computed from those scenarios' losses
    (a lower bound of the requirement, since the buckets' assets are proved
    distinct: no asset's positions are split to pick two scenarios) is
    negative, shown by ``-slack - 1`` in ``[0, 2^MARGIN_BITS)`` (sound for
    ``|slack| < 2^(MARGIN_BITS-1)``, the bound of :mod:`zkats.domain.margin`)."""
    with api.scope("margin_fails"):
        risk = Risk(api, fields, entries, bucket, bucket_asset, maintenance)
        with api.scope("distinct"):
            nb = units.N_UNDERLYINGS
            for u in range(nb):
                for v in range(u + 1, nb):
                    same = is_equal(api, bucket_asset[u], bucket_asset[v])
                    api.assert_product(same, bucket_asset[u], 0)
        losses = []
        for row, sc in zip(risk.pnl, scenario):
            sel = one_hot(api, sc, N_SCENARIOS)
            losses.append(-api.sum([api.mul(b, v) for b, v in zip(sel, row)]))
        range_check(api, -risk.slack(api, losses) - 1, margin.MARGIN_BITS)


# ------------------------------------------------------------ commitments
def blinding_bits(api, r):
    """Bits of a Pedersen blinding (range-checked to BLINDING_BITS; the
    blinding need not be reduced mod L: any opening the prover knows binds)."""
    return num2bits(api, r, BLINDING_BITS)


def leg_point(api, side, q_bits, n_bits, rho):
    """``Leg.commitment``: ``sign * (q*G_0 + |n|*G_1 + rho*H)``, sign = -1 iff side == 1."""
    g = value_generators(2)
    with api.scope("leg"):
        x, y = babyjub_msm_fixed(
            api, [(q_bits, g[0]), (n_bits, g[1]), (blinding_bits(api, rho), blinding_generator())]
        )
        return api.mul(x, 1 - 2 * api.lc(side)), y


def order_commitment(
    api, instrument, side, expiry, account, nonce, size_bits, limit_bits, blinding
):
    """``Order.commit``: ``low248(Poseidon(ORDER, instrument, side, expiry,
    account, nonce)) * G_0 + size * G_1 + limit * G_2 + blinding * H``, with
    the size and limit given as their (range-checking) bits."""
    g = value_generators(3)
    digest = poseidon(api, [tags.ORDER, instrument, side, expiry, account, nonce])
    d_bits = num2bits_strict(api, digest)[: orders.DIGEST_BITS]
    return babyjub_msm_fixed(
        api,
        [
            (d_bits, g[0]),
            (size_bits, g[1]),
            (limit_bits, g[2]),
            (blinding_bits(api, blinding), blinding_generator()),
        ],
    )


def fee_check(api, fee, amount, bps):
    """``fee == ceil(amount * bps / 10000)`` (``units.mul_bps_ceil``) with
    ``fee`` range-checked to COLLATERAL_BITS; ``amount`` must be range-checked."""
    range_check(api, fee, units.COLLATERAL_BITS)
    assert_in_range(
        api, api.lc(fee) * units.BPS - api.lc(amount) * bps, 0, units.BPS - 1, units.BPS_BITS
    )


def assert_point(api, p, public):
    api.assert_equal(p[0], public[0])
    api.assert_equal(p[1], public[1])
