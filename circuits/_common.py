"""In-circuit building blocks shared by the venue's circuits.

Each function takes ``api`` first and states the same rule as a function of
:mod:`zkats.venue` (named in its docstring); the circuits compose them.
Conventions:

* a note is the list of its 14 committed fields (``Note.fields()``:
  account, npk, collateral, model, then (instrument, enc position, enc cost)
  per slot) plus its salt;
* signed values are in the venue's offset encoding
  (:mod:`zkats.venue.units`): ``x = enc - 2^(k-1)``, and range-checking
  ``enc`` to ``k`` bits gives the sign as the top bit;
* an epoch is ``EPOCH_SIZE`` lists of 7 fields (``EpochEntry.fields()``).
"""

from zkats.gadgets.babyjubjub import babyjub_msm_fixed
from zkats.gadgets.bits import num2bits, range_check
from zkats.gadgets.comparators import assert_in_range, is_equal
from zkats.gadgets.merkle import merkle_root
from zkats.gadgets.mux import mux, select
from zkats.gadgets.pedersen import blinding_generator, value_generators
from zkats.gadgets.poseidon_hash import poseidon
from zkats.venue import margin, tags, units

#: bits of a Pedersen blinding factor (blindings are in [0, L), L < 2^252)
BLINDING_BITS = 252
#: bits of a leg's unsigned notional q * p
NOTIONAL_BITS = units.SIZE_BITS + units.PRICE_BITS
NOTE_FIELDS = 4 + 3 * units.N_SLOTS
ENTRY_FIELDS = 7


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


# ------------------------------------------------------------ notes, keys
def account_id(api, pk, npk):
    """``keys.account_id``: Poseidon(ACCOUNT, Ax, Ay, npk)."""
    return poseidon(api, [tags.ACCOUNT, pk[0], pk[1], npk])


def note_commitment(api, fields, salt):
    """``Note.commitment``: Poseidon(NOTE, 14 fields, salt)."""
    return poseidon(api, [tags.NOTE] + list(fields) + [salt])


def spend(api, fields, salt, nk, pk, bits, siblings, root, nullifier, fresh=None):
    """The note (``fields``, ``salt``) is a leaf under ``root``, its owner
    knows ``nk`` and the key ``pk`` its account is derived from, and
    ``nullifier`` is ``Poseidon(NULLIFIER, nk, cm)``.  Returns the note
    commitment ``cm``.

    With ``fresh`` (a boolean signal; the deposit circuit), a fresh account
    has no leaf yet: when ``fresh == 1`` the Merkle check is waived and the
    nullifier is the account's genesis nullifier ``Poseidon(NULLIFIER, nk,
    0)``, which exists once per account (the ledger refuses it twice)."""
    with api.scope("spend"):
        npk = poseidon(api, [tags.NULLIFIER_KEY, nk])
        api.assert_equal(npk, fields[1])
        api.assert_equal(account_id(api, pk, npk), fields[0])
        cm = note_commitment(api, fields, salt)
        computed = merkle_root(api, cm, siblings, bits)
        if fresh is None:
            api.assert_equal(computed, root)
            nf_of = cm
        else:
            api.assert_product(computed - root, 1 - api.lc(fresh), 0)
            nf_of = cm - api.mul(fresh, cm)
        api.assert_equal(poseidon(api, [tags.NULLIFIER, nk, nf_of]), nullifier)
    return cm


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
    (``Epoch.hash``), and every entry is within its unit bounds (so the
    margin slack bound of :mod:`zkats.venue.margin` holds)."""
    with api.scope("epoch"):
        range_check(api, epoch_id, 64)
        hs = []
        for e in entries:
            for v, bits in zip(
                e[1:],
                (
                    units.PRICE_BITS,
                    units.PRICE_BITS,
                    units.DELTA_BITS,
                    units.GAMMA_BITS,
                    units.BPS_BITS,
                    units.BPS_BITS,
                ),
            ):
                range_check(api, v, bits)
            hs.append(poseidon(api, [tags.EPOCH_ENTRY] + list(e)))
        api.assert_equal(poseidon(api, [tags.EPOCH, epoch_id] + hs), epoch_hash)


def select_entry(api, entries, index, instrument, position):
    """The epoch entry ``entries[index]`` (7 fields) for a slot; its
    instrument must be the slot's unless the position is 0."""
    bits = num2bits(api, index, (units.EPOCH_SIZE - 1).bit_length())
    e = [
        mux(api, bits, [entries[k][f] for k in range(units.EPOCH_SIZE)])
        for f in range(ENTRY_FIELDS)
    ]
    api.assert_product(e[0] - instrument, position, 0)
    return e


# ---------------------------------------------------------------- margin
def margin_check(api, fields, entries, entry_index, maintenance):
    """``margin.meets(note, epoch, maintenance)``: range-checks the note's
    collateral, positions and costs, then shows each of the
    ``N_SCENARIOS`` slacks of :func:`zkats.venue.margin.slacks` to be in
    ``[0, 2^MARGIN_BITS)``."""
    with api.scope("margin"):
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
            mark, under = e[1], e[2]
            delta = e[3] - units.offset(units.DELTA_BITS)
            gamma = e[4] - units.offset(units.GAMMA_BITS)
            rate = e[6] if maintenance else e[5]
            equity = equity + api.mul(x, mark) - c
            absx = api.mul(nonneg * 2 - 1, x)
            lin_req = lin_req + api.mul(api.mul(absx, mark), rate)
            a = api.mul(x, under)
            a_delta.append(api.mul(a, delta))
            a_gamma.append(api.mul(a, gamma))
        lin = equity * margin.LINEAR_SCALE - lin_req
        shocks = margin.MAINTENANCE_SHOCKS_BPS if maintenance else margin.INITIAL_SHOCKS_BPS
        for h in shocks:
            port = equity * margin.PORTFOLIO_SCALE
            for ad, ag in zip(a_delta, a_gamma):
                port = port + ad * (2 * 10**4 * h) + ag * (h * h)
            with api.scope("slack"):
                range_check(api, select(api, model, port, lin), margin.MARGIN_BITS)


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
