"""The ciphertext of a note's opening: how the account's key holders follow it.

Every statement that creates a note publishes, with its commitment ``cm``,
the note's opening encrypted under the account's viewing secret ``vsk``
(:mod:`zkats.domain.keys`), and the circuit constrains it (``NewNote``), so
a holder of ``vsk`` (owner, auditor, risk engine) can always read the
account's live note from the public ledger alone, and the owner cannot hide
it.

Plaintext: the opening without what the key already knows (account, npk):
the note's fields 2..13 (collateral, model, then instrument, encoded
position and encoded cost per slot) and the salt, :data:`N_CT` field
elements, each encrypted on its own (no packing, so no range checks are
needed for the decryption to be unique: every element is the committed
field itself).

Keystream: blocks of :data:`BLOCK` (12) elements, block ``b`` one Poseidon
permutation of width 14 over ``[0, NOTE_CIPHER, vsk, cm, b, 0, ...]``;
output elements ``1..12`` of each block, in block order, truncated to
``N_CT``, are the keystream (one block for a 3-slot note); the capacity
element (index 0) is never revealed (the "Encryption with Poseidon" construction: a keyed
sponge with a hidden capacity).  ``ct_i = p_i + k_i mod r``.  The key is
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

#: field elements of a note ciphertext: 12 fields after (account, npk), and the salt
N_CT = 2 + 3 * units.N_SLOTS + 1
#: keystream elements per permutation (width 14: capacity, 12 out, 1 spare)
BLOCK = 12
#: permutations per note
N_BLOCKS = -(-N_CT // BLOCK)


def _state(vsk, cm, block=0):
    return [0, tags.NOTE_CIPHER, int(vsk), int(cm), block] + [0] * (BLOCK - 3)


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
    """The :data:`N_CT` plaintext elements of ``note``'s opening."""
    return note.fields()[2:] + [note.salt]


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
    p = [(c - k) % R for c, k in zip(ct, stream)]
    try:
        slots = tuple(
            Slot(
                p[2 + 3 * j],
                units.decode_signed(p[3 + 3 * j], units.POSITION_BITS),
                units.decode_signed(p[4 + 3 * j], units.COST_BITS),
            )
            for j in range(units.N_SLOTS)
        )
        note = Note(view.account, view.npk, p[0], p[1], slots, p[-1])
    except InputError:  # a malformed opening is not this account's note
        return None
    return note if note.commitment() == int(cm) else None
