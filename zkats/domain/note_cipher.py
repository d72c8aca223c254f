"""The ciphertext of a note's opening: how the account's key holders follow it.

Every statement that creates a note publishes, with its commitment ``cm``,
the note's opening encrypted under the account's viewing secret ``vsk``
(:mod:`zkats.domain.keys`), and the circuit constrains it (``NewNote``), so a
holder of ``vsk`` (owner, auditor, risk engine) can always read the account's
live note from the public ledger alone, and the owner cannot hide it.

Plaintext: the opening without what the key already knows (account, npk),
packed into :data:`N_CT` field elements::

    p0 = collateral + model * 2^64 + enc(pos_0) * 2^65 + enc(pos_1) * 2^101 + enc(pos_2) * 2^137
    p1 = enc(cost_0) + enc(cost_1) * 2^80 + enc(cost_2) * 2^160
    p2, p3, p4 = inst_0, inst_1, inst_2
    p5 = salt

(each part range-checked in circuit, so the packing is one-to-one and
``p0 < 2^173``, ``p1 < 2^240``: nothing wraps).

Keystream: one Poseidon permutation of width 7 over
``[0, NOTE_CIPHER, vsk, cm, 0, 0, 0]``; the six rate elements of its output
(indices 1..6) are the keystream, the capacity element (index 0) is never
revealed (the "Encryption with Poseidon" construction: a keyed sponge with a
hidden capacity).  ``ct_i = p_i + k_i mod r``.  The key is symmetric: only
the account's key holders create its notes (the owner, and the risk engine
for the note after a liquidation), so no elliptic-curve work is needed.  The
keystream depends on ``cm``, which is unique per note, so a ciphertext is
bound to its commitment: copied onto another note it does not verify, and
two ciphertexts never share a keystream.

Trial decryption (:func:`decrypt`): subtract the keystream, unpack, rebuild
the note with the key's account and npk, and require its commitment to be
``cm``; anything else is "not this account's note".
"""

from ..errors import InputError
from ..field import R
from . import tags, units

#: field elements of a note ciphertext
N_CT = 3 + units.N_SLOTS
#: bit layout of p0 and p1 (see the module docstring)
COLLATERAL_BITS = units.COLLATERAL_BITS
P0_WIDTHS = (units.COLLATERAL_BITS, 1) + (units.POSITION_BITS,) * units.N_SLOTS
P1_WIDTHS = (units.COST_BITS,) * units.N_SLOTS


def keystream(vsk, cm):
    """The :data:`N_CT` keystream elements for the note with commitment ``cm``."""
    from ..gadgets.poseidon_hash import poseidon_permute_plain

    state = [0, tags.NOTE_CIPHER, int(vsk), int(cm)] + [0] * (N_CT + 1 - 3)
    return poseidon_permute_plain(state)[1 : N_CT + 1]


def pack(parts, widths):
    """``sum(part_i * 2^(offset_i))`` (parts already range-checked)."""
    out, shift = 0, 0
    for x, w in zip(parts, widths):
        out += int(x) << shift
        shift += w
    return out


def unpack(value, widths):
    """Inverse of :func:`pack`; None if ``value`` has bits beyond the layout."""
    out = []
    for w in widths:
        out.append(value & ((1 << w) - 1))
        value >>= w
    return None if value else out


def plaintext(note):
    """The :data:`N_CT` packed elements of ``note``'s opening."""
    f = note.fields()
    slots = [f[4 + 3 * j : 7 + 3 * j] for j in range(units.N_SLOTS)]
    p0 = pack([f[2], f[3]] + [s[1] for s in slots], P0_WIDTHS)
    p1 = pack([s[2] for s in slots], P1_WIDTHS)
    return [p0, p1] + [s[0] for s in slots] + [note.salt]


def encrypt(note, vsk, cm=None):
    """``note``'s ciphertext under ``vsk`` (a tuple of :data:`N_CT` field elements)."""
    cm = note.commitment() if cm is None else cm
    return tuple((p + k) % R for p, k in zip(plaintext(note), keystream(vsk, cm)))


def decrypt(view, cm, ct):
    """The note with commitment ``cm`` whose ciphertext is ``ct``, if it is
    ``view``'s account's (``view``: a ViewingKey); else None."""
    from .notes import Note, Slot

    ct = [int(c) for c in ct]
    if len(ct) != N_CT:
        return None
    p = [(c - k) % R for c, k in zip(ct, keystream(view.vsk, cm))]
    a, b = unpack(p[0], P0_WIDTHS), unpack(p[1], P1_WIDTHS)
    if a is None or b is None:
        return None
    collateral, model, pos = a[0], a[1], a[2:]
    try:
        slots = tuple(
            Slot(
                p[2 + j],
                units.decode_signed(pos[j], units.POSITION_BITS),
                units.decode_signed(b[j], units.COST_BITS),
            )
            for j in range(units.N_SLOTS)
        )
        note = Note(view.account, view.npk, collateral, model, slots, p[2 + units.N_SLOTS])
    except InputError:  # a malformed opening is not this account's note
        return None
    return note if note.commitment() == int(cm) else None
