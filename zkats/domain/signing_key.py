"""EdDSA-Poseidon signing keys of the venue's public roles (the oracle, the
operator): a 32-byte private key from ``secrets``, its Baby Jubjub public
key, signatures over one field element (:mod:`zkats.gadgets.eddsa`, the
scheme the venue's orders and spends use), and the key file format.

A role's module subclasses :class:`SigningKey` with its ``KIND`` (the key
file's ``kind``) and builds the messages it signs, each starting with its
own domain tag (:mod:`zkats.domain.tags`), so that no signature is valid for
another role's statement.
"""

import hashlib
import secrets
from dataclasses import dataclass, field

from ..errors import InputError
from ..field import R


def field_element(v, what):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
        raise InputError(f"{what}: must be a field element")
    return v


def parse_signature(sig, what="signature"):
    """``((R8x, R8y), S)`` from a signature or its JSON form (strings allowed)."""
    try:
        (rx, ry), s = sig
        return (int(rx), int(ry)), int(s)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected [[R8x, R8y], S]") from None


def signature_to_json(sig):
    (rx, ry), s = parse_signature(sig)
    return [[str(rx), str(ry)], str(s)]


def parse_public_key(pk, what="public key"):
    try:
        x, y = (int(c) for c in pk)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected a point [x, y]") from None
    from ..gadgets.babyjubjub import babyjub_on_curve_plain

    if not (0 <= x < R and 0 <= y < R and babyjub_on_curve_plain((x, y))):
        raise InputError(f"{what}: not a Baby Jubjub point")
    return (x, y)


def verify(pub, msg, sig):
    """True iff ``sig`` (any form :func:`parse_signature` takes) is ``pub``'s
    signature of the field element ``msg``; False for a malformed one."""
    from ..gadgets.eddsa import eddsa_verify_poseidon_plain

    try:
        sig = parse_signature(sig)
    except InputError:
        return False
    return eddsa_verify_poseidon_plain(pub, msg, sig)


@dataclass(frozen=True)
class SigningKey:
    """An EdDSA-Poseidon private key (32 bytes); ``pub`` is public."""

    #: the key file's ``kind`` (set by each role's subclass)
    KIND = "zkats-signing-key"
    #: what error messages call the key
    WHAT = "signing key"

    prv: bytes = field(repr=False)

    def __post_init__(self):
        if not isinstance(self.prv, (bytes, bytearray)) or len(self.prv) != 32:
            raise InputError(f"{self.WHAT}: must be 32 bytes")

    @classmethod
    def generate(cls):
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed):
        """A deterministic key for tests ONLY (never for a real role)."""
        return cls(hashlib.sha256(f"zkats/test-{cls.KIND}/".encode() + bytes(seed)).digest())

    @property
    def pub(self):
        from ..gadgets.eddsa import eddsa_prv2pub

        return tuple(eddsa_prv2pub(self.prv))

    def sign(self, msg):
        """The signature ``((R8x, R8y), S)`` of the field element ``msg``."""
        from ..gadgets.eddsa import eddsa_sign_poseidon

        return eddsa_sign_poseidon(self.prv, msg)

    def to_json(self):
        return {"kind": self.KIND, "prv": self.prv.hex(), "pub": [str(c) for c in self.pub]}

    @classmethod
    def from_json(cls, d, where=None):
        where = where or cls.WHAT
        if not isinstance(d, dict) or d.get("kind") != cls.KIND:
            raise InputError(f"{where}: not an {cls.WHAT} file")
        try:
            return cls(bytes.fromhex(d["prv"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: malformed {cls.WHAT}") from None

    def __str__(self):
        return f"{type(self).__name__}(pub={self.pub[0]:#x}...)"
