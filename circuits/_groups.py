"""Declaration groups the venue's statements share.

A group is declared in a statement's class body by unpacking
``Group.declare()`` where its signals belong in the wire order (see
:func:`zkats.circuit.group`), and brings its rule in constraints
(``constrain``), its native twin (``check``) and its witness inputs
(``inputs``), so none of them is written twice:

* :class:`NewNote`: the account's new note (public ``commitment``, its
  ``ciphertext`` carried beside the proof and bound by the public
  ``ciphertext_hash``, or public itself; private ``new_salt`` and the
  viewing secret ``vsk``);
* :class:`AtEpoch`: the oracle epoch the statement is checked at (public
  ``epoch_id, epoch_hash``, private: the epoch tree's root and, per slot,
  the opened entry with its path) and the
  risk buckets of the note whose margin it checks (private ``bucket``,
  ``bucket_asset``: :mod:`zkats.domain.margin`);
* :class:`TakenOver`: the positions the venue's backstop (the insurance
  fund) takes over from the account at the mark (public, per slot:
  ``taken_instrument``, ``taken_size``, ``taken_notional``).

Spending the old note is a base class (:class:`._spend.SpendsNote`).
"""

from zkats.circuit import Private, Public, group
from zkats.domain import margin, note_cipher, tags, units
from zkats.errors import InputError
from zkats.gadgets.comparators import is_zero
from zkats.gadgets.poseidon_hash import poseidon_permute

from ._common import ENTRY_FIELDS, assert_point, epoch_check, order_commitment
from ._spend import account_id_gadget, note_commitment_gadget


class NewNote:
    """``commitment, new_salt = NewNote.declare()`` where the new note
    belongs in the wire order, then LAST among the public signals (so the
    escrow's indices of the others do not move) one of:

    * ``ciphertext, ciphertext_hash = NewNote.ciphertext()``: the ciphertext
      is carried beside the proof (a private input, see
      :mod:`._statement`, which constrains its public hash): for a note its owner
      makes (the owner knows its opening; the ciphertext is for the
      viewing-key holders and is served by the settlement service);
    * ``ciphertext = NewNote.public_ciphertext()``: the ciphertext itself is
      public: for a note someone else makes for the owner (``liquidate``:
      the owner learns its new note from the chain, where the proof's
      public inputs are).

    The statement must spend a note (:class:`._spend.SpendsNote`: its
    private ``vsk`` is bound to the account by ``npk``)."""

    @staticmethod
    def declare():
        return group(commitment=Public(), new_salt=Private())

    @staticmethod
    def ciphertext():
        return group(ciphertext=Private(n=note_cipher.N_CT), ciphertext_hash=Public())

    @staticmethod
    def public_ciphertext():
        return Public(n=note_cipher.N_CT)

    @staticmethod
    def constrain(api, stmt, fields):
        """The note of ``fields`` (its 14 fields) salted with ``stmt.new_salt``
        has the public ``stmt.commitment``, and ``stmt.ciphertext`` is its
        opening (fields 2.. and the salt, packed: :func:`note_cipher.pack`)
        encrypted under the account's viewing secret ``stmt.vsk``
        (:mod:`zkats.domain.note_cipher`; ``vsk`` is the account's:
        :meth:`._spend.SpendsNote.spend_note` proves ``npk`` from it).
        Packing is linear, and decrypts uniquely because every note's packed
        fields are range-checked where the note is made (the module's
        docstring says where), so a key holder decrypts exactly this note."""
        api.assert_equal(note_commitment_gadget(api, fields, stmt.new_salt), stmt.commitment)
        with api.scope("ciphertext"):
            plain = note_cipher.pack([api.lc(f) for f in fields], api.lc(stmt.new_salt))
            stream = []
            for b in range(note_cipher.N_BLOCKS):
                state = [api.constant(0), api.constant(tags.NOTE_CIPHER), stmt.vsk]
                state += [stmt.commitment, api.constant(b)]
                state += [api.constant(0)] * (note_cipher.WIDTH - 5)
                stream += poseidon_permute(api, state)[1 : note_cipher.BLOCK + 1]
            for c, p, k in zip(stmt.ciphertext, plain, stream):
                api.assert_equal(p + k, c)

    @staticmethod
    def public(note, view):
        """The new note's signals: ``commitment`` and ``ciphertext`` (its hash,
        where the statement carries it, is computed by ``Cls.public``)."""
        cm = note.commitment()
        return {"commitment": cm, "ciphertext": note_cipher.encrypt(note, view.vsk, cm)}

    @staticmethod
    def check(pub, note, expected, what, rule, view):
        """Native twin: the prover's new ``note`` is ``expected`` (what the
        statement's rule makes of the old one, described by ``rule``), has
        the public commitment, and the public ciphertext is its encryption
        under ``view``'s viewing secret."""
        if expected != note or expected.commitment() != pub.commitment:
            raise InputError(f"{what}: the new note is not {rule}")
        if pub.ciphertext is None:
            raise InputError(f"{what}: the new note's ciphertext is missing")
        if tuple(pub.ciphertext) != note_cipher.encrypt(note, view.vsk, pub.commitment):
            raise InputError(f"{what}: the ciphertext is not the new note's under the viewing key")

    @staticmethod
    def inputs(note):
        return {"new_salt": note.salt}


class AtEpoch:
    """``epoch_id, epoch_hash, epoch_root, slot_entry, slot_path, slot_bits =
    AtEpoch.declare()``, then ``bucket, bucket_asset = AtEpoch.buckets()``:
    the epoch's public face, and
    per note slot its opened entry with the entry's path in the epoch tree
    (the entry of the instrument the slot holds; any entry for an empty
    slot); then the risk buckets of the note whose margin is checked."""

    @staticmethod
    def declare():
        return group(
            epoch_id=Public(),
            epoch_hash=Public(),
            epoch_root=Private(),
            slot_entry=Private(n=(units.N_SLOTS, ENTRY_FIELDS)),
            slot_path=Private(n=(units.N_SLOTS, units.EPOCH_LEVELS, units.EPOCH_ARITY)),
            slot_bits=Private(n=(units.N_SLOTS, units.EPOCH_INDEX_BITS)),
        )

    @staticmethod
    def buckets():
        """``bucket, bucket_asset = AtEpoch.buckets()`` right after
        :meth:`declare`: the risk buckets of the note whose margin the
        statement checks (:mod:`zkats.domain.margin`)."""
        return group(
            bucket=Private(n=units.N_SLOTS),
            bucket_asset=Private(n=units.N_UNDERLYINGS),
        )

    @staticmethod
    def worst():
        """The private bucket maxima of a margin check (:func:`._common.margin_check`)."""
        return Private(n=units.N_UNDERLYINGS)

    @staticmethod
    def constrain(api, stmt):
        """The opened entries are the published epoch's (:func:`._common.epoch_check`).
        Returns them (one per slot) each with its expired flag appended (the
        column ``_common.EXPIRED``)."""
        return epoch_check(
            api,
            stmt.epoch_id,
            stmt.epoch_hash,
            stmt.epoch_root,
            stmt.slot_entry,
            stmt.slot_path,
            stmt.slot_bits,
        )

    @staticmethod
    def check(pub, epoch, what):
        """Native twin of :meth:`constrain`."""
        if epoch.epoch_id != pub.epoch_id or epoch.hash() != pub.epoch_hash:
            raise InputError(f"{what}: wrong oracle epoch")

    @staticmethod
    def inputs(epoch, *notes, worst=True, leg=None):
        """Per slot, the opening of the entry of the instrument that slot
        holds with a non-zero position in any of ``notes`` (the spent note,
        and the new one; entry 0 if none does; ``leg = (slot, instrument)``
        names the instrument a trade leg books into that slot); the risk
        buckets of the LAST note (the one whose margin is checked) and, if
        ``worst``, its bucket maxima."""
        wit = margin.margin_witness(notes[-1], epoch)
        if not worst:
            del wit["worst"]
        opened = [epoch.opening(i) for i in entry_indices(epoch, *notes, leg=leg)]
        return {
            "epoch_root": epoch.root,
            "slot_entry": [o[0] for o in opened],
            "slot_path": [o[1] for o in opened],
            "slot_bits": [o[2] for o in opened],
            **wit,
        }


class TakenOver:
    """``taken_instrument, taken_size, taken_notional = TakenOver.declare()``:
    per slot, what the venue's backstop (the insurance fund) takes over from
    the account at the mark (a liquidation's closed part, an exit's every
    position): the instrument (0 for a slot where nothing moves), the signed
    size and its signed notional ``size * value`` (``value = mark -
    funding``, the cost the backstop books), in the venue's signed
    encodings.  Public, so the fund's positions are public and every
    position keeps its counterparty."""

    @staticmethod
    def declare():
        return group(
            taken_instrument=Public(n=units.N_SLOTS),
            taken_size=Public(n=units.N_SLOTS),
            taken_notional=Public(n=units.N_SLOTS),
        )

    @staticmethod
    def constrain(api, stmt, j, instrument, size, value):
        """Slot ``j``: the backstop takes over ``size`` lots (a linear signed
        value) of ``instrument`` at ``value`` per lot."""
        api.assert_equal(stmt.taken_size[j], size + units.offset(units.POSITION_BITS))
        api.assert_equal(
            stmt.taken_notional[j], api.mul(size, value) + units.offset(units.COST_BITS)
        )
        moved = 1 - is_zero(api, size)
        api.assert_equal(stmt.taken_instrument[j], api.mul(instrument, moved))

    @staticmethod
    def public(taken):
        """The public signals of ``taken`` (``[(instrument, size, notional)]``
        per slot, :mod:`zkats.domain.margin`'s ``taken``)."""
        return {
            "taken_instrument": tuple(t[0] for t in taken),
            "taken_size": tuple(units.encode_signed(t[1], units.POSITION_BITS) for t in taken),
            "taken_notional": tuple(units.encode_signed(t[2], units.COST_BITS) for t in taken),
        }

    @staticmethod
    def of(pub):
        """``[(instrument, size, notional)]`` decoded from a statement's public signals."""
        return [
            (
                i,
                units.decode_signed(z, units.POSITION_BITS),
                units.decode_signed(n, units.COST_BITS),
            )
            for i, z, n in zip(pub.taken_instrument, pub.taken_size, pub.taken_notional)
        ]

    @staticmethod
    def check(pub, taken, what):
        """Native twin of :meth:`constrain` over every slot."""
        want = TakenOver.public(taken)
        if any(tuple(getattr(pub, k)) != v for k, v in want.items()):
            raise InputError(f"{what}: the public taken-over positions are not the rule's")


def entry_indices(epoch, *notes, leg=None):
    """For each slot, the index of the epoch entry of the instrument it holds
    with a non-zero position in one of ``notes`` (0 if none does)."""
    out = []
    for j in range(units.N_SLOTS):
        held = [n.slots[j].instrument for n in notes if n.slots[j].position != 0]
        if leg is not None and leg[0] == j:
            held.append(leg[1])
        out.append(epoch.index_of(held[-1]) if held else 0)
    return out


class OrderOpening:
    """``instrument, side, size, limit, expiry, account, nonce, blinding, ak,
    npk, lk = OrderOpening.declare()``: the private opening of an order
    commitment (:mod:`zkats.domain.orders`) and the account's three keys.
    The statement range-checks ``size`` and ``limit`` by its own rules
    (their bits feed :meth:`commitment`)."""

    @staticmethod
    def declare():
        return group(
            instrument=Private(),
            side=Private(),
            size=Private(),
            limit=Private(),
            expiry=Private(),
            account=Private(),
            nonce=Private(),
            blinding=Private(),
            ak=Private(n=2),
            npk=Private(),
            lk=Private(n=2),
        )

    @staticmethod
    def commitment(api, stmt, size_bits, limit_bits, public):
        """The opening (size and limit given as their bits) commits to the
        public point ``public`` (``Order.commit``)."""
        c = order_commitment(
            api,
            stmt.instrument,
            stmt.side,
            stmt.expiry,
            stmt.account,
            stmt.nonce,
            size_bits,
            limit_bits,
            stmt.blinding,
        )
        assert_point(api, c, public)

    @staticmethod
    def owner(api, stmt):
        """``account = Poseidon(ACCOUNT, ak, npk, lk)``: the keys are the order's account's."""
        api.assert_equal(account_id_gadget(api, stmt.ak, stmt.npk, stmt.lk), stmt.account)

    @staticmethod
    def inputs(so):
        """The witness inputs of the signed order ``so``'s opening (its
        ``sig`` is not among them)."""
        o = so.order
        return {
            "instrument": o.instrument,
            "side": o.side,
            "size": o.size,
            "limit": o.limit,
            "expiry": o.expiry,
            "account": o.account,
            "nonce": o.nonce,
            "blinding": so.blinding,
            "ak": list(so.ak),
            "npk": so.npk,
            "lk": list(so.lk),
        }
