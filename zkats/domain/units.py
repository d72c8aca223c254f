"""Fixed-point units, bounds and the one signed encoding of the venue.

Every quantity is an integer in a stated unit with a stated bit bound; the
circuits range-check each bound (``units.BOUNDS`` is what they use).

Units
-----
* **collateral** and every amount of money: integers in the venue's
  collateral unit (e.g. 1e-6 USDC), unsigned, ``COLLATERAL_BITS`` bits.
* **size**: a number of lots of an instrument, unsigned, ``SIZE_BITS``.
* **price**: the value of ONE lot in collateral units, unsigned,
  ``PRICE_BITS``.  So ``size * price`` is an amount of collateral with no
  rescaling (the instrument's lot size and tick are in its spec).
* **rates** (margin rates, fees, penalties, price shocks): basis points,
  ``BPS_BITS`` bits (<= 10000 is checked out of circuit by validators).
* **time**: unix seconds, ``TIME_BITS`` bits.
* **Greeks** (oracle-published, per lot, fixed point with ``GREEK_SCALE``):
  ``delta`` (value change per unit relative move of the underlying, times
  the underlying value of one lot: see :mod:`zkats.domain.margin`) and the
  "percent gamma" ``gamma * S``; both signed.

The signed encoding (used everywhere: notes, hashes, circuit inputs)
--------------------------------------------------------------------
A signed quantity ``x`` with a ``k``-bit signed bound (``-2^(k-1) <= x <
2^(k-1)``) is carried as the unsigned integer ``enc = x + 2^(k-1)``, which
lies in ``[0, 2^k)``.  In a circuit ``x = enc - 2^(k-1)`` is a linear
expression (free); range-checking ``enc`` to ``k`` bits is the bound, and
the top bit of that decomposition is ``x >= 0`` (the sign, for free).
Inputs and hashes therefore never contain negative numbers or field
elements near ``r``.  :func:`encode_signed` / :func:`decode_signed` are the
only conversions.
"""

from .. import size as _size_mod
from ..errors import InputError

SIZE_BITS = 32
PRICE_BITS = 40
COLLATERAL_BITS = 64
BPS_BITS = 14
TIME_BITS = 40
NONCE_BITS = 64
#: signed bound of a position (lots)
POSITION_BITS = 36
#: signed bound of a slot's cost basis (collateral units)
COST_BITS = 80
#: signed bounds of the Greeks (fixed point, GREEK_SCALE)
DELTA_BITS = 24
GAMMA_BITS = 32

BPS = 10_000
GREEK_SCALE = 10**6
#: signed bound of a perpetual's cumulative funding index (collateral units
#: per lot, :mod:`zkats.domain.oracle`); ``|mark - funding| < 2^(PRICE_BITS+1)``
FUNDING_BITS = 40

#: The venue's size: circuit parameters fixed per configuration, chosen by
#: the environment variable ``ZKATS_VENUE_SIZE`` when zkats is imported
#: (:mod:`zkats.size`: default ``production``; keys, venues and ledgers are
#: made for one size; ``ci`` is the test suite's).  ``production``: 16
#: position slots on up to 4 underlyings, 64 listed instruments per epoch,
#: 2^32 notes; ``ci``: 3 slots, 8 instruments, 2^16 notes.
SIZES = {
    "ci": {"N_SLOTS": 3, "EPOCH_LEVELS": 1, "TREE_DEPTH": 16, "N_UNDERLYINGS": 3},
    "production": {"N_SLOTS": 16, "EPOCH_LEVELS": 2, "TREE_DEPTH": 32, "N_UNDERLYINGS": 4},
}
if set(SIZES) != set(_size_mod.NAMES):  # one list of names (zkats.size)
    raise AssertionError(f"units.SIZES {sorted(SIZES)} != zkats.size.NAMES")
#: this process's size (``ci`` or ``production``)
SIZE: str = _size_mod.SIZE
_size = SIZES[SIZE]
#: number of position slots in an account note (circuit parameter)
N_SLOTS: int = _size["N_SLOTS"]
#: an oracle epoch's entries are the leaves of a wide Merkle tree
#: (:mod:`zkats.gadgets.wide_merkle`) of this arity ...
EPOCH_ARITY = 8
#: ... and this many levels (circuit parameter): a statement opens one entry
#: per slot, so listing 8 times more instruments costs one Poseidon(8)
#: (~420 constraints) per slot, not a hash per instrument
EPOCH_LEVELS: int = _size["EPOCH_LEVELS"]
#: number of instrument entries in an oracle epoch
EPOCH_SIZE = EPOCH_ARITY**EPOCH_LEVELS
#: bits of an entry's index in the epoch tree (log2(EPOCH_ARITY) per level)
EPOCH_INDEX_BITS = (EPOCH_ARITY.bit_length() - 1) * EPOCH_LEVELS
#: depth of the ledger's Poseidon Merkle tree of notes (circuit parameter)
TREE_DEPTH: int = _size["TREE_DEPTH"]
#: underlyings an account may hold positions on under the scenario model
#: (its risk buckets: :mod:`zkats.domain.margin`; circuit parameter)
N_UNDERLYINGS: int = _size["N_UNDERLYINGS"]
#: signed bound of a risk-array value (profit or loss of one long lot in one
#: scenario, collateral units): at most a +500% move of a 2^PRICE_BITS price
RISK_BITS = PRICE_BITS + 4

UNSIGNED = {
    "size": SIZE_BITS,
    "price": PRICE_BITS,
    "collateral": COLLATERAL_BITS,
    "bps": BPS_BITS,
    "time": TIME_BITS,
    "nonce": NONCE_BITS,
}
SIGNED = {
    "position": POSITION_BITS,
    "cost": COST_BITS,
    "delta": DELTA_BITS,
    "gamma": GAMMA_BITS,
}


def offset(k):
    """The offset ``2^(k-1)`` of the ``k``-bit signed encoding."""
    return 1 << (k - 1)


def check_unsigned(value, bits, what):
    """Return ``value`` as an int if ``0 <= value < 2^bits``, else raise InputError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what}: expected an integer, got {type(value).__name__}")
    if not 0 <= value < (1 << bits):
        raise InputError(f"{what}: {value} is outside [0, 2^{bits})")
    return value


def check_signed(value, bits, what):
    """Return ``value`` if ``-2^(bits-1) <= value < 2^(bits-1)``, else raise InputError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what}: expected an integer, got {type(value).__name__}")
    if not -offset(bits) <= value < offset(bits):
        raise InputError(f"{what}: {value} is outside the signed {bits}-bit range")
    return value


def encode_signed(value, bits, what="signed value"):
    """The venue's signed encoding: ``value + 2^(bits-1)`` (checked in range)."""
    return check_signed(value, bits, what) + offset(bits)


def decode_signed(enc, bits, what="signed value"):
    """Inverse of :func:`encode_signed` (``enc`` checked to be a ``bits``-bit integer)."""
    return check_unsigned(enc, bits, what) - offset(bits)


def ceil_div(a, b):
    """``ceil(a / b)`` for integers ``a >= 0``, ``b > 0`` (fees and penalties round up)."""
    return -((-a) // b)


def mul_bps_ceil(amount, bps):
    """``ceil(amount * bps / 10000)``: a fee or penalty in collateral units.

    The circuits state it as ``fee * 10000 - amount * bps`` in ``[0, 10000)``."""
    return ceil_div(amount * bps, BPS)
