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
* an epoch is ``EPOCH_SIZE`` lists of 10 fields (``EpochEntry.fields()``);
  a slot is valued at the entry's value mark ``mark - funding``
  (:func:`value_mark`).
"""

from zkats.domain import margin, orders, tags, units
from zkats.gadgets.babyjubjub import babyjub_msm_fixed
from zkats.gadgets.bits import num2bits, num2bits_strict, range_check
from zkats.gadgets.comparators import assert_in_range, is_equal
from zkats.gadgets.mux import mux, select
from zkats.gadgets.pedersen import blinding_generator, value_generators
from zkats.gadgets.poseidon_hash import poseidon

#: bits of a Pedersen blinding factor (blindings are in [0, L), L < 2^252)
BLINDING_BITS = 252
#: bits of a leg's unsigned notional q * p
NOTIONAL_BITS = units.SIZE_BITS + units.PRICE_BITS
ENTRY_FIELDS = 10
#: the entry fields' indices (``EpochEntry.fields()``; ``status = payoff + 4 * expired``)
MARK, UNDERLYING, FUNDING, STATUS, STRIKE = 1, 2, 7, 8, 9
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
def epoch_check(api, epoch_id, epoch_hash, entries):
    """The entries hash to the public ``epoch_hash`` with ``epoch_id``
    (``Epoch.hash``), every entry is within its unit bounds (so the margin
    slack bound of :mod:`zkats.domain.margin` holds), and every expired
    entry's mark is its settlement value (:func:`expiry_check`).  Returns
    the entries, each with its expired flag appended (column
    :data:`EXPIRED`)."""
    with api.scope("epoch"):
        range_check(api, epoch_id, 64)
        hs, out = [], []
        for e in entries:
            for v, bits in zip(
                e[1:8],
                (
                    units.PRICE_BITS,
                    units.PRICE_BITS,
                    units.DELTA_BITS,
                    units.GAMMA_BITS,
                    units.BPS_BITS,
                    units.BPS_BITS,
                    units.FUNDING_BITS,
                ),
            ):
                range_check(api, v, bits)
            out.append(list(e) + [expiry_check(api, e)])
            hs.append(poseidon(api, [tags.EPOCH_ENTRY] + list(e)))
        api.assert_equal(poseidon(api, [tags.EPOCH, epoch_id] + hs), epoch_hash)
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


class SelectedEntry:
    """The entry ``entries[index]``, each field multiplexed when first read
    (3 constraints per field read: a statement pays only for what it uses)."""

    def __init__(self, api, entries, bits):
        self._api, self._entries, self._bits, self._fields = api, entries, bits, {}

    def __getitem__(self, f):
        if f not in self._fields:
            col = [self._entries[k][f] for k in range(units.EPOCH_SIZE)]
            self._fields[f] = mux(self._api, self._bits, col)
        return self._fields[f]

    def expired(self):
        """1 iff the entry's instrument has expired (the :data:`EXPIRED`
        column of :func:`epoch_check`'s entries)."""
        return self[EXPIRED]


def select_entry(api, entries, index, instrument, position):
    """The epoch entry ``entries[index]`` for a slot (a :class:`SelectedEntry`);
    its instrument must be the slot's unless the position is 0."""
    bits = num2bits(api, index, (units.EPOCH_SIZE - 1).bit_length())
    e = SelectedEntry(api, entries, bits)
    api.assert_product(e[0] - instrument, position, 0)
    return e


def settle(api, fields, entries, entry_index):
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
            e = select_entry(api, entries, entry_index[j], inst, x)
            xm = api.mul(x, value_mark(e))
            collateral = collateral + xm - (cost_enc - units.offset(units.COST_BITS))
            x = x - api.mul(e.expired(), x)
            xm = xm - api.mul(e.expired(), xm)
            out.append(
                (
                    inst,
                    x + units.offset(units.POSITION_BITS),
                    xm + units.offset(units.COST_BITS),
                )
            )
        return collateral, out


# ---------------------------------------------------------------- margin
def margin_slacks(api, fields, entries, entry_index, maintenance):
    """The ``N_SCENARIOS`` slacks of :func:`zkats.domain.margin.slacks` (the
    linear slack in every position for the linear model), after
    range-checking the note's collateral, positions and costs."""
    collateral, model = fields[2], fields[3]
    range_check(api, collateral, units.COLLATERAL_BITS)
    api.assert_bool(model)
    equity = api.lc(collateral)
    lin_req = api.constant(0)
    a_delta, a_gamma = [], []
    for j, (inst, pos_enc, cost_enc) in enumerate(slots_of(fields)):
        x, nonneg = signed(api, pos_enc, units.POSITION_BITS)
        c, _ = signed(api, cost_enc, units.COST_BITS)
        e = select_entry(api, entries, entry_index[j], inst, x)
        under = e[UNDERLYING]
        delta = e[3] - units.offset(units.DELTA_BITS)
        gamma = e[4] - units.offset(units.GAMMA_BITS)
        rate = e[6] if maintenance else e[5]
        equity = equity + api.mul(x, value_mark(e)) - c
        absx = api.mul(nonneg * 2 - 1, x)
        lin_req = lin_req + api.mul(api.mul(absx, under), rate)  # underlying notional
        a = api.mul(x, under)
        a_delta.append(api.mul(a, delta))
        a_gamma.append(api.mul(a, gamma))
    lin = equity * margin.LINEAR_SCALE - lin_req
    shocks = margin.MAINTENANCE_SHOCKS_BPS if maintenance else margin.INITIAL_SHOCKS_BPS
    out = []
    for h in shocks:
        port = equity * margin.PORTFOLIO_SCALE
        for ad, ag in zip(a_delta, a_gamma):
            port = port + ad * (2 * 10**4 * h) + ag * (h * h)
        out.append(select(api, model, port, lin))
    return out


def margin_check(api, fields, entries, entry_index, maintenance):
    """``margin.meets(note, epoch, maintenance)``: each slack of
    :func:`margin_slacks` shown to be in ``[0, 2^MARGIN_BITS)``."""
    with api.scope("margin"):
        for v in margin_slacks(api, fields, entries, entry_index, maintenance):
            with api.scope("slack"):
                range_check(api, v, margin.MARGIN_BITS)


def margin_fails(api, fields, entries, entry_index, scenario, maintenance=True):
    """``not margin.meets(note, epoch, maintenance)``: the slack of the
    private ``scenario`` (index < N_SCENARIOS) is negative, shown by
    ``-slack - 1`` in ``[0, 2^MARGIN_BITS)`` (sound for |slack| < 2^(MARGIN_BITS-1),
    the bound of :mod:`zkats.domain.margin`)."""
    with api.scope("margin_fails"):
        slacks = margin_slacks(api, fields, entries, entry_index, maintenance)
        sel = one_hot(api, scenario, len(slacks))
        chosen = api.sum([api.mul(b, v) for b, v in zip(sel, slacks)])
        range_check(api, -chosen - 1, margin.MARGIN_BITS)


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
