"""Spending an account note: one declaration group and its native twin.

:class:`SpendsNote` declares what every statement about an account's live
note needs (public ``root`` and ``nullifier``; private note opening,
nullifier key, the account's two public keys and the Merkle path) and
states, in :meth:`SpendsNote.spend_note`:

* ``npk = Poseidon(NULLIFIER_KEY, nk, vsk)`` and
  ``account = Poseidon(ACCOUNT, ak, npk, lk)`` are the note's (``vsk``: the
  account's viewing secret, under which :class:`._groups.NewNote` encrypts
  the new note);
* the note commitment is a leaf under ``root`` (waived for a fresh
  account's genesis deposit, see ``fresh``);
* ``nullifier = Poseidon(NULLIFIER, nk, cm)`` (genesis: ``cm = 0``).

:class:`AuthorisedSpend` adds the spend authorisation: an EdDSA-Poseidon
signature by ``ak`` (or by ``lk``, the liquidation capability, when
``AUTHORITY = "lk"``) over :meth:`Statement.message`, i.e. over the circuit's
name and ALL its public signals.  The key and the signature are private
inputs, so nothing public links two spends of one account.

:class:`Spend` is the native twin: what the prover holds, the same checks
with reasons, and the witness inputs.
"""

from dataclasses import dataclass, field, replace

from zkats.circuit import Private, Public
from zkats.domain import keys, notes, tags, units
from zkats.errors import InputError
from zkats.gadgets.eddsa import eddsa_verify_poseidon, eddsa_verify_poseidon_plain
from zkats.gadgets.merkle import merkle_root, merkle_root_plain
from zkats.gadgets.poseidon_hash import poseidon, poseidon_long

from ._statement import Statement

#: fields of a note before its salt (``Note.fields()``)
NOTE_FIELDS = 4 + 3 * units.N_SLOTS


def account_id_gadget(api, ak, npk, lk):
    """``keys.account_id``: Poseidon(ACCOUNT, ak.x, ak.y, npk, lk.x, lk.y)."""
    return poseidon(api, [tags.ACCOUNT, ak[0], ak[1], npk, lk[0], lk[1]])


def note_commitment_gadget(api, fields, salt):
    """``Note.commitment``: Poseidon(NOTE, fields..., salt) (chained beyond
    16 inputs: :func:`zkats.gadgets.poseidon_hash.poseidon_long`)."""
    return poseidon_long(api, [tags.NOTE] + list(fields) + [salt])


class SpendsNote(Statement):
    """Declaration group: the statement is about the account's live note."""

    root = Public()
    nullifier = Public()
    old_note = Private(n=NOTE_FIELDS)
    old_salt = Private()
    nk = Private()
    vsk = Private()
    ak = Private(n=2)
    lk = Private(n=2)
    path_bits = Private(n=units.TREE_DEPTH)
    siblings = Private(n=units.TREE_DEPTH)

    def spend_note(self, api, fresh=None):
        """The rules of the module docstring; returns the old note's commitment.
        ``fresh`` (a boolean signal, deposit only): no leaf yet, genesis nullifier."""
        f = self.old_note
        with api.scope("spend"):
            npk = poseidon(api, [tags.NULLIFIER_KEY, self.nk, self.vsk])
            api.assert_equal(npk, f[1])
            api.assert_equal(account_id_gadget(api, self.ak, npk, self.lk), f[0])
            cm = note_commitment_gadget(api, f, self.old_salt)
            computed = merkle_root(api, cm, self.siblings, self.path_bits)
            if fresh is None:
                api.assert_equal(computed, self.root)
                nf_of = cm
            else:
                api.assert_product(computed - self.root, 1 - api.lc(fresh), 0)
                nf_of = cm - api.mul(fresh, cm)
            api.assert_equal(poseidon(api, [tags.NULLIFIER, self.nk, nf_of]), self.nullifier)
        return cm


class AuthorisedSpend(SpendsNote):
    """:class:`SpendsNote` plus the owner's (or the capability's) signature
    over the whole statement.  The signature check runs after the
    subclass's ``define`` (every subclass gets it; none can forget it), so an
    unsatisfiable statement reports its own rule before the signature."""

    auth_r8 = Private(n=2)
    auth_s = Private()

    AUTHORITY = "ak"

    #: after the carried vectors' binding (``Statement.AFTER_DEFINE``)
    AFTER_DEFINE = (*SpendsNote.AFTER_DEFINE, "verify_authorisation")

    def verify_authorisation(self, api):
        with api.scope("authorisation"):
            signer = self.ak if self.AUTHORITY == "ak" else self.lk
            eddsa_verify_poseidon(api, signer, self.message_gadget(api), self.auth_r8, self.auth_s)


@dataclass(frozen=True)
class Spend:
    """What the prover holds to spend a note: the note, the account's viewing
    key (``nk``, ``ak``, ``lk``), the Merkle path (siblings, index bits LSB
    first) and, once signed, the authorisation ``((R8x, R8y), S)``."""

    note: notes.Note
    view: keys.ViewingKey
    siblings: tuple[int, ...]
    bits: tuple[int, ...]
    auth: tuple | None = field(default=None, repr=False)
    #: the key the prover may sign with (a SpendingKey or a LiquidationCapability),
    #: when it holds one; the statements' ``build`` sign with it
    signer: object = field(default=None, repr=False, compare=False)

    @classmethod
    def from_tree(cls, tree, index, note, key):
        """``key``: the owner's SpendingKey, a LiquidationCapability or a ViewingKey."""
        sibs, bits = tree.path(index)
        return cls(note, _view(key), tuple(sibs), tuple(bits), signer=_signer(key))

    @classmethod
    def fresh(cls, note, key):
        """A fresh account's empty note (deposit only): no leaf, a dummy path."""
        return cls(
            note,
            _view(key),
            (0,) * units.TREE_DEPTH,
            (0,) * units.TREE_DEPTH,
            signer=_signer(key),
        )

    @property
    def nk(self):
        return self.view.nk

    def index(self):
        return sum(b << i for i, b in enumerate(self.bits))

    def inputs(self):
        d = {
            "old_note": self.note.fields(),
            "old_salt": self.note.salt,
            "nk": self.view.nk,
            "vsk": self.view.vsk,
            "ak": list(self.view.ak),
            "lk": list(self.view.lk),
            "path_bits": list(self.bits),
            "siblings": list(self.siblings),
        }
        if self.auth is not None:
            (rx, ry), s = self.auth
            d.update(auth_r8=[rx, ry], auth_s=s)
        return d

    def check(self, root, nullifier, what):
        """Native twin of :meth:`SpendsNote.spend_note` (raises InputError with the reason)."""
        n = self.note
        if keys.nullifier_public(self.view.nk, self.view.vsk) != n.npk:
            raise InputError(f"{what}: the nullifier key does not match the note")
        if self.view.account != n.account:
            raise InputError(f"{what}: the keys do not match the note's account")
        if len(self.siblings) != units.TREE_DEPTH or len(self.bits) != units.TREE_DEPTH:
            raise InputError(f"{what}: Merkle path must have depth {units.TREE_DEPTH}")
        cm = n.commitment()
        if merkle_root_plain(cm, self.index(), list(self.siblings)) != root:
            raise InputError(f"{what}: the note is not in the tree with this root")
        if n.nullifier(self.view.nk) != nullifier:
            raise InputError(f"{what}: wrong nullifier")
        return cm

    # ------------------------------------------------------ authorisation
    def authorise(self, signer, statement, pub):
        """This spend with ``signer``'s signature over ``statement.message(pub)``.
        ``signer``: the owner's SpendingKey, or a LiquidationCapability for
        statements whose AUTHORITY is "lk"."""
        need = statement.AUTHORITY
        if need == "lk" and not isinstance(signer, keys.LiquidationCapability):
            raise InputError(f"{statement.circuit_name}: needs the liquidation capability")
        if need == "ak" and not isinstance(signer, keys.SpendingKey):
            raise InputError(f"{statement.circuit_name}: needs the owner's spending key")
        if signer.account != self.note.account:
            raise InputError(f"{statement.circuit_name}: the key is not this account's")
        return replace(self, auth=signer.sign(statement.message(pub)))

    def check_auth(self, statement, pub, what):
        """Native twin of :class:`AuthorisedSpend`'s signature check."""
        signer = self.view.ak if statement.AUTHORITY == "ak" else self.view.lk
        if self.auth is None or not eddsa_verify_poseidon_plain(
            signer, statement.message(pub), self.auth
        ):
            who = (
                "the owner's spending key"
                if statement.AUTHORITY == "ak"
                else "the liquidation capability"
            )
            raise InputError(f"{what}: not authorised by {who}")


def _signer(key):
    if isinstance(key, (keys.SpendingKey, keys.LiquidationCapability)):
        return key
    return None


def _view(v):
    """A ViewingKey from a ViewingKey, SpendingKey or LiquidationCapability."""
    if isinstance(v, keys.ViewingKey):
        return v
    view = getattr(v, "view", None)
    if isinstance(view, keys.ViewingKey):
        return view
    raise InputError("spend: needs the account's viewing key")


def authorise(pub, prv, signer):
    """``prv`` (a statement's private record with a ``spend``) with the spend
    signed by ``signer`` over ``pub``: the last step before proving."""
    return replace(prv, spend=prv.spend.authorise(signer, pub.statement, pub))


def sign_if_held(pub, prv, signer=None):
    """``prv`` signed by ``signer``, else by the key its spend holds when that
    key has the statement's authority; unchanged otherwise (it can then be
    signed elsewhere with :func:`authorise`)."""
    signer = signer if signer is not None else prv.spend.signer
    need = pub.statement.AUTHORITY
    if signer is None or (need == "ak") != isinstance(signer, keys.SpendingKey):
        if signer is not None and need == "lk" and isinstance(signer, keys.SpendingKey):
            signer = signer.liquidation_capability()
        else:
            return prv
    return authorise(pub, prv, signer)
