"""The ciphertext of a note's opening: how the account's key holders follow it.

Every statement that creates a note publishes, with its commitment ``cm``,
the note's opening encrypted under the account's viewing secret ``vsk``
(:mod:`zkats.domain.keys`), and the circuit constrains it (``NewNote``), so
a holder of ``vsk`` (owner, auditor, risk engine) can always read the
account's live note from the public ledger alone, and the owner cannot hide
it.

Plaintext (:func:`pack`): the opening without what the key already knows
(account, npk), packed into :data:`N_CT` field elements:

* ``collateral + 2^64 * model``;
* each slot's instrument (any field element, so one word each);
* per pair of slots ``j, j+1``: ``pos_j + 2^36 * cost_j + 2^116 * (pos_{j+1}
  + 2^36 * cost_{j+1})`` (encoded position and cost, :mod:`zkats.domain.units`;
  an odd last slot alone);
* the salt.

The packing is injective on notes, so a key holder decrypts exactly the
committed note, because every note in the tree has its collateral in 64
bits, its model a bit, its encoded positions in 36 and its encoded costs in
80: every statement that makes a note range-checks them (the margin check
of the new note in ``transition`` and ``withdraw``; ``deposit``'s collateral
check, with positions and costs zero or carried from a note that is in
range; ``liquidate``'s new positions in 36 bits, each new cost ``x' * value``
within ``2^35 * 2^41`` (``|value| < 2^41`` by the bounds every oracle entry
is checked to at publication, as the margin arithmetic already relies on:
docs/venue.md), its collateral in 64 bits; ``exit``'s empty note).
Packing is linear in the circuit (no constraint), and it halves the
ciphertext: 26 elements instead of 51 for a 16-slot note, so fewer public
inputs for the escrow to pay for and two permutations of keystream instead
of five.

Keystream: blocks of :data:`BLOCK` elements, block ``b`` one Poseidon
permutation of width :data:`WIDTH` (``BLOCK + 1``, at most 17) over ``[0,
NOTE_CIPHER, vsk, cm, b, 0, ...]``; output elements ``1..BLOCK`` of each
block, in block order, truncated to ``N_CT``, are the keystream; the
capacity element (index 0) is never revealed (the "Encryption with
Poseidon" construction: a keyed sponge with a hidden capacity).  ``ct_i =
p_i + k_i mod r``.  The key is
symmetric: only the account's key holders create its notes (the owner, and
the risk engine for the note after a liquidation), so no elliptic-curve
work is needed.  The keystream depends on ``cm``, which is unique per note,
so a ciphertext is bound to its commitment: copied onto another note it
does not verify, and no two notes share a keystream.

Trial decryption (:func:`decrypt`): subtract the keystream, rebuild the
note with the key's account and npk, and require its commitment to be
``cm``; anything else is "not this account's note".
"""

from ..errors import InputError
from ..field import R
from . import tags, units

#: where an encoded cost sits above its position, and the next slot above both
_COST_SHIFT = units.POSITION_BITS
_SLOT_SHIFT = units.POSITION_BITS + units.COST_BITS
#: field elements of a note ciphertext (:func:`pack`)
N_CT = 1 + units.N_SLOTS + (units.N_SLOTS + 1) // 2 + 1
#: keystream elements per permutation, and the permutation's width (capacity + BLOCK;
#: at least 5 for the block's input ``[0, NOTE_CIPHER, vsk, cm, b]``)
BLOCK = min(16, max(4, N_CT))
WIDTH = BLOCK + 1
#: permutations per note
N_BLOCKS = -(-N_CT // BLOCK)


def _state(vsk, cm, block=0):
    return [0, tags.NOTE_CIPHER, int(vsk), int(cm), block] + [0] * (WIDTH - 5)


def pack(fields, salt):
    """The :data:`N_CT` plaintext words of a note's ``fields`` (all of them,
    account and npk first) and ``salt``: ints, or the circuit's linear
    combinations (packing is linear).  Ints come out unreduced."""
    collateral, model = fields[2], fields[3]
    slots = [fields[4 + 3 * j : 7 + 3 * j] for j in range(units.N_SLOTS)]
    words = [collateral + model * (1 << units.COLLATERAL_BITS)]
    words += [s[0] for s in slots]
    for j in range(0, units.N_SLOTS, 2):
        w = slots[j][1] + slots[j][2] * (1 << _COST_SHIFT)
        if j + 1 < units.N_SLOTS:
            nxt = slots[j + 1]
            w = w + (nxt[1] + nxt[2] * (1 << _COST_SHIFT)) * (1 << _SLOT_SHIFT)
        words.append(w)
    return words + [salt]


def unpack(words):
    """``(collateral, model, [(instrument, enc position, enc cost)], salt)`` of
    :func:`pack`'s words, or None where a word is outside what a note packs to."""
    if len(words) != N_CT:
        return None
    first = words[0]
    collateral, model = first & ((1 << units.COLLATERAL_BITS) - 1), first >> units.COLLATERAL_BITS
    if model > 1:
        return None
    instruments = words[1 : 1 + units.N_SLOTS]
    pos_mask, cost_mask = (1 << units.POSITION_BITS) - 1, (1 << units.COST_BITS) - 1
    slots = []
    for k, w in enumerate(words[1 + units.N_SLOTS : -1]):
        for j in (2 * k, 2 * k + 1):
            if j < units.N_SLOTS:
                slots.append((instruments[j], w & pos_mask, (w >> _COST_SHIFT) & cost_mask))
                w >>= _SLOT_SHIFT
        if w:
            return None
    return collateral, model, slots, words[-1]


def _stream(outputs):
    return [x for out in outputs for x in out[1 : BLOCK + 1]][:N_CT]


def keystream(vsk, cm):
    """The :data:`N_CT` keystream elements for the note with commitment ``cm``."""
    from ..gadgets.poseidon_hash import poseidon_permute_plain

    return _stream(poseidon_permute_plain(_state(vsk, cm, b)) for b in range(N_BLOCKS))


def keystreams(vsk, cms):
    """[keystream(vsk, cm) for cm in cms], through the native core (a wallet
    trial-decrypts every new leaf of the ledger)."""
    from .fast_hash import permute_many

    cms = list(cms)
    outs = permute_many([_state(vsk, cm, b) for cm in cms for b in range(N_BLOCKS)])
    return [_stream(outs[i * N_BLOCKS : (i + 1) * N_BLOCKS]) for i in range(len(cms))]


def plaintext(note):
    """The :data:`N_CT` plaintext elements of ``note``'s opening (:func:`pack`)."""
    return [w % R for w in pack(note.fields(), note.salt)]


def encrypt(note, vsk, cm=None):
    """``note``'s ciphertext under ``vsk`` (a tuple of :data:`N_CT` field elements)."""
    cm = note.commitment() if cm is None else cm
    return tuple((p + k) % R for p, k in zip(plaintext(note), keystream(vsk, cm)))


def decrypt(view, cm, ct, stream=None):
    """The note with commitment ``cm`` whose ciphertext is ``ct``, if it is
    ``view``'s account's (``view``: a ViewingKey); else None.  ``stream``:
    the keystream if already computed (:func:`keystreams`)."""
    from .notes import Note, Slot

    try:
        ct = [int(c) for c in ct]
    except (TypeError, ValueError):
        return None
    if len(ct) != N_CT:
        return None
    stream = keystream(view.vsk, cm) if stream is None else stream
    opening = unpack([(c - k) % R for c, k in zip(ct, stream)])
    if opening is None:
        return None
    collateral, model, enc_slots, salt = opening
    try:
        slots = tuple(
            Slot(
                inst,
                units.decode_signed(pos, units.POSITION_BITS),
                units.decode_signed(cost, units.COST_BITS),
            )
            for inst, pos, cost in enc_slots
        )
        note = Note(view.account, view.npk, collateral, model, slots, salt)
    except InputError:  # a malformed opening is not this account's note
        return None
    return note if note.commitment() == int(cm) else None
