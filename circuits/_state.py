"""Native twins shared by the state circuits (transition, health,
liquidate, deposit, withdraw): spending a note and the epoch inputs."""

from dataclasses import dataclass, field

from zkats.errors import InputError
from zkats.gadgets.merkle import merkle_root_plain
from zkats.venue import keys, notes, units


@dataclass(frozen=True)
class Spend:
    """What the owner needs to spend a note: the note, the nullifier key, the
    account's public key, and the Merkle path (siblings, index bits LSB first)."""

    note: notes.Note
    nk: int = field(repr=False)
    pub: tuple[int, int]
    siblings: tuple[int, ...]
    bits: tuple[int, ...]

    @classmethod
    def from_tree(cls, tree, index, note, key):
        sibs, bits = tree.path(index)
        return cls(note, key.nk, tuple(key.pub), tuple(sibs), tuple(bits))

    @classmethod
    def fresh(cls, note, key):
        """A fresh account's empty note (deposit only): no leaf, a dummy path."""
        return cls(note, key.nk, tuple(key.pub), (0,) * units.TREE_DEPTH, (0,) * units.TREE_DEPTH)

    def inputs(self):
        return {
            "old_note": self.note.fields(),
            "old_salt": self.note.salt,
            "nk": self.nk,
            "pk": list(self.pub),
            "path_bits": list(self.bits),
            "siblings": list(self.siblings),
        }

    def index(self):
        return sum(b << i for i, b in enumerate(self.bits))

    def check(self, root, nullifier, what):
        """Native twin of ``_common.spend`` (raises InputError with the reason)."""
        n = self.note
        if keys.nullifier_public(self.nk) != n.npk:
            raise InputError(f"{what}: the nullifier key does not match the note")
        if keys.account_id(self.pub, n.npk) != n.account:
            raise InputError(f"{what}: the key does not match the note's account")
        if len(self.siblings) != units.TREE_DEPTH or len(self.bits) != units.TREE_DEPTH:
            raise InputError(f"{what}: Merkle path must have depth {units.TREE_DEPTH}")
        cm = n.commitment()
        if merkle_root_plain(cm, self.index(), list(self.siblings)) != root:
            raise InputError(f"{what}: the note is not in the tree with this root")
        if n.nullifier(self.nk) != nullifier:
            raise InputError(f"{what}: wrong nullifier")
        return cm


def entry_indices(note, epoch):
    """For each slot, the index of its instrument's epoch entry (0 for a zero position)."""
    return [epoch.index_of(s.instrument) if s.position != 0 else 0 for s in note.slots]


def epoch_inputs(epoch, *notes_):
    """The epoch's circuit inputs (public id and hash, private entries)."""
    return epoch.circuit_inputs()
