"""Trader keys: one spending key and what is derived from it.

In the spirit of Zcash Sapling (``ask``/``nsk`` -> ``ak``/``nk``) and
Penumbra (``SpendKey`` -> ``FullViewingKey``)::

    sk   32 bytes from `secrets`: the SPENDING KEY; the wallet keeps it, nobody else
    ask  = H("ask", sk)   EdDSA-Poseidon private key: authorises every statement that
                          consumes or replaces a note, and signs orders
    ak   = ask's public key (Baby Jubjub point)
    nk   = H("nk", sk)    nullifier key (field element): computes nullifiers
    lsk  = H("lsk", sk)   EdDSA private key of the LIQUIDATION CAPABILITY: authorises
                          `liquidate` statements and nothing else
    lk   = lsk's public key
    vsk  = H("vsk", sk)   viewing secret (field element): decrypts the account's note
                          ciphertexts (:mod:`zkats.domain.note_cipher`); every new note's
                          ciphertext is constrained under it
    npk  = Poseidon(NULLIFIER_KEY, nk, vsk)   the note's public key: binds both secrets
    account = Poseidon(ACCOUNT, ak.x, ak.y, npk, lk.x, lk.y)

(``H`` is SHA-256 with the label ``zkats/<label>/v1`` and the key; a field
element is its output mod (r - 1) plus 1.)

What each holder can do:

=====================  ======================  =================================
holder                 holds                   can
=====================  ======================  =================================
owner (wallet)         sk                      everything of the account
risk engine            LiquidationCapability   prove ``liquidate`` of an account
                       (lsk, nk, ak, lk, vsk)  that fails maintenance margin; see
                                               when its notes are spent; follow
                                               its notes from the ledger
auditor / proving      ViewingKey (nk, ak,     recompute the account id and
machine                lk, vsk)                nullifiers, decrypt every note of
                                               the account from the ledger
                                               (``zkats wallet sync``), prove
                                               ``health``; never authorise a spend
=====================  ======================  =================================

Every circuit that consumes or replaces a note (deposit into an account,
withdraw, exit, transition, cancel, liquidate) checks, in constraints, an
EdDSA-Poseidon signature over the statement's whole public data
(:meth:`zkats.circuits._statement.Statement.message`) by ``ak``, or by
``lk`` for ``liquidate``; the key is a private input, so the signature links
nothing.  ``repr`` and ``str`` show only the account id; secrets are never
logged.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import InputError
from ..field import R
from . import tags


def account_id(ak, npk, lk):
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain([tags.ACCOUNT, int(ak[0]), int(ak[1]), int(npk), int(lk[0]), int(lk[1])])


def nullifier_public(nk, vsk):
    """``npk``: binds the nullifier key and the viewing secret (so a statement
    that proves ``npk`` from ``(nk, vsk)`` encrypts under the account's own
    viewing secret)."""
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain([tags.NULLIFIER_KEY, nk, vsk])


def random_field():
    """A uniformly random field element in [1, r) from :mod:`secrets`."""
    return 1 + secrets.randbelow(R - 1)


def _derive(label, sk):
    return hashlib.sha256(f"zkats/{label}/v1".encode() + bytes(sk)).digest()


def _derive_field(label, sk):
    return int.from_bytes(_derive(label, sk), "big") % (R - 1) + 1


def _pub(prv):
    from ..gadgets.eddsa import eddsa_prv2pub

    return tuple(eddsa_prv2pub(prv))


def _sign(prv, msg):
    from ..gadgets.eddsa import eddsa_sign_poseidon

    return eddsa_sign_poseidon(prv, msg)


def _point(v, what):
    try:
        x, y = (int(c) for c in v)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected a point [x, y]") from None
    if not (0 <= x < R and 0 <= y < R):
        raise InputError(f"{what}: coordinates must be field elements")
    return (x, y)


@dataclass(frozen=True)
class ViewingKey:
    """What lets its holder recognise and follow an account, never spend it."""

    nk: int = field(repr=False)
    ak: tuple
    lk: tuple
    vsk: int = field(repr=False)

    def __post_init__(self):
        if not (isinstance(self.nk, int) and 0 < self.nk < R):
            raise InputError("viewing key: nk must be a non-zero field element")
        if not (isinstance(self.vsk, int) and 0 < self.vsk < R):
            raise InputError("viewing key: vsk must be a non-zero field element")
        object.__setattr__(self, "ak", _point(self.ak, "viewing key ak"))
        object.__setattr__(self, "lk", _point(self.lk, "viewing key lk"))

    @cached_property
    def npk(self):
        return nullifier_public(self.nk, self.vsk)

    @cached_property
    def account(self):
        return account_id(self.ak, self.npk, self.lk)

    def to_json(self):
        return {
            "nk": str(self.nk),
            "ak": [str(c) for c in self.ak],
            "lk": [str(c) for c in self.lk],
            "vsk": str(self.vsk),
        }

    @classmethod
    def from_json(cls, d, where="viewing key"):
        try:
            return cls(int(d["nk"]), tuple(d["ak"]), tuple(d["lk"]), int(d["vsk"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: expected nk, ak, lk, vsk") from None

    def __str__(self):
        return f"ViewingKey(account={self.account})"


@dataclass(frozen=True)
class LiquidationCapability:
    """The viewing key plus ``lsk``: enough to prove ``liquidate`` and nothing else."""

    view: ViewingKey
    lsk: bytes = field(repr=False)

    def __post_init__(self):
        if not isinstance(self.lsk, (bytes, bytearray)) or len(self.lsk) != 32:
            raise InputError("liquidation capability: lsk must be 32 bytes")
        if _pub(self.lsk) != self.view.lk:
            raise InputError("liquidation capability: lsk does not match the account's lk")

    @property
    def account(self):
        return self.view.account

    @property
    def nk(self):
        return self.view.nk

    @property
    def vsk(self):
        return self.view.vsk

    def sign(self, msg):
        return _sign(self.lsk, msg)

    def to_json(self):
        return {**self.view.to_json(), "lsk": self.lsk.hex()}

    @classmethod
    def from_json(cls, d, where="liquidation capability"):
        try:
            lsk = bytes.fromhex(d["lsk"])
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: expected lsk (hex)") from None
        return cls(ViewingKey.from_json(d, where), lsk)

    def __str__(self):
        return f"LiquidationCapability(account={self.account})"


@dataclass(frozen=True)
class SpendingKey:
    """The owner's key: ``sk`` and everything derived from it (see the module doc)."""

    sk: bytes = field(repr=False)

    def __post_init__(self):
        if not isinstance(self.sk, (bytes, bytearray)) or len(self.sk) != 32:
            raise InputError("spending key: must be 32 bytes")

    @classmethod
    def generate(cls):
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed):
        """A deterministic key for examples and tests ONLY (never for real accounts)."""
        return cls(hashlib.sha256(b"zkats/test-key/" + bytes(seed)).digest())

    @cached_property
    def ask(self):
        return _derive("ask", self.sk)

    @cached_property
    def ak(self):
        return _pub(self.ask)

    @cached_property
    def nk(self):
        return _derive_field("nk", self.sk)

    @cached_property
    def lsk(self):
        return _derive("lsk", self.sk)

    @cached_property
    def vsk(self):
        return _derive_field("vsk", self.sk)

    @cached_property
    def view(self):
        return ViewingKey(self.nk, self.ak, _pub(self.lsk), self.vsk)

    @property
    def lk(self):
        return self.view.lk

    @property
    def npk(self):
        return self.view.npk

    @property
    def account(self):
        return self.view.account

    def liquidation_capability(self):
        return LiquidationCapability(self.view, self.lsk)

    def sign(self, msg):
        """EdDSA-Poseidon signature ``(R8, S)`` by ``ask`` of the field element ``msg``."""
        return _sign(self.ask, msg)

    def __str__(self):
        return f"SpendingKey(account={self.account})"
