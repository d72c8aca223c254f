"""EdDSA-Poseidon on Baby Jubjub, equal to circomlibjs' ``signPoseidon`` /
``verifyPoseidon``: plain twins and the in-circuit verifier.

Key derivation (circomlibjs ``prv2pub``): ``h = BLAKE-512(prv)``; the low
32 bytes, pruned (``h[0] &= 0xF8``, ``h[31] &= 0x7F``, ``h[31] |= 0x40``), read
little-endian, give ``s``; the public key is ``A = (s >> 3) * BASE8``.

Signing a field element ``M``: ``rr = BLAKE-512(h[32:64] || M as 32 bytes LE)``
read little-endian mod L; ``R8 = rr * BASE8``; ``hm = Poseidon(R8.x, R8.y,
A.x, A.y, M)``; ``S = (rr + hm * s) mod L``.

Verification: ``R8`` and ``A`` on the curve, ``S < L``, and
``S * BASE8 == R8 + (8 * hm) * A``.
"""

import secrets

from ..errors import InputError
from ..field import R
from .babyjubjub import (
    BASE8,
    L,
    assert_babyjub_not_small_order,
    assert_babyjub_on_curve,
    babyjub_add,
    babyjub_add_plain,
    babyjub_mul_fixed,
    babyjub_mul_plain,
    babyjub_mul_subgroup,
    babyjub_on_curve_plain,
)
from .blake512 import blake512
from .poseidon_hash import poseidon, poseidon_plain


def _pruned_scalar(h):
    b = bytearray(h[:32])
    b[0] &= 0xF8
    b[31] &= 0x7F
    b[31] |= 0x40
    return int.from_bytes(bytes(b), "little")


def _check_key(prv):
    if not isinstance(prv, (bytes, bytearray)) or len(prv) != 32:
        raise InputError("EdDSA private key: expected 32 bytes")
    return bytes(prv)


def eddsa_keygen():
    """A fresh private key (32 bytes from ``secrets``) and its public key."""
    prv = secrets.token_bytes(32)
    return prv, eddsa_prv2pub(prv)


def eddsa_prv2pub(prv):
    """Public key ``A = (s >> 3) * BASE8`` of a 32-byte private key."""
    s = _pruned_scalar(blake512(_check_key(prv)))
    return babyjub_mul_plain(BASE8, s >> 3)


def eddsa_sign_poseidon(prv, msg):
    """Sign the field element ``msg`` (0 <= msg < r); returns ``(R8, S)``."""
    h = blake512(_check_key(prv))
    if not (isinstance(msg, int) and 0 <= msg < R):
        raise InputError("EdDSA message: must be a field element 0 <= msg < r")
    s = _pruned_scalar(h)
    a = babyjub_mul_plain(BASE8, s >> 3)
    rr = int.from_bytes(blake512(h[32:64] + msg.to_bytes(32, "little")), "little") % L
    r8 = babyjub_mul_plain(BASE8, rr)
    hm = poseidon_plain([r8[0], r8[1], a[0], a[1], msg])
    return r8, (rr + hm * s) % L


def eddsa_verify_poseidon_plain(pubkey, msg, sig):
    """True iff ``sig = (R8, S)`` is a valid signature of ``msg`` under ``pubkey``.

    Same checks as circomlibjs' ``verifyPoseidon``: R8 and A on the curve,
    S < L, ``S * BASE8 == R8 + 8 * hm * A``.  Malformed input gives False.
    """
    try:
        r8, s = sig
        r8 = (int(r8[0]), int(r8[1]))
        a = (int(pubkey[0]), int(pubkey[1]))
        s, msg = int(s), int(msg)
    except (TypeError, ValueError, IndexError):
        return False
    if not (babyjub_on_curve_plain(r8) and babyjub_on_curve_plain(a)):
        return False
    if not 0 <= s < L or not 0 <= msg < R:
        return False
    hm = poseidon_plain([r8[0], r8[1], a[0], a[1], msg])
    left = babyjub_mul_plain(BASE8, s)
    right = babyjub_add_plain(r8, babyjub_mul_plain(a, 8 * hm))
    return left == right


# --------------------------------------------------------------- in-circuit
def eddsa_verify_poseidon(api, pubkey, msg, r8, s):
    """Constrain ``(r8, s)`` to be a valid EdDSA-Poseidon signature of the
    field element ``msg`` under ``pubkey`` (the semantics of circomlib's
    EdDSAPoseidonVerifier with enabled = 1, plus on-curve checks of A and R8,
    which circomlib leaves out):

    * ``A`` and ``R8`` on the curve (3 + 3);
    * ``S < L``: 251-bit decomposition of S and a comparison of the bits
      with the constant L - 1;
    * ``hm = Poseidon(R8.x, R8.y, A.x, A.y, msg)``, decomposed into 254
      bits with the alias check;
    * ``8 * A`` is not of small order (its x is invertible);
    * ``S * BASE8 == R8 + hm * (8 * A)`` (fixed-base and variable-base
      multiplications, one complete addition).

    All arguments are signals (or ints); no precondition on their values:
    every invalid signature makes the constraints unsatisfiable.
    """
    # local import: bits loads the circuit DSL, which users of the plain twins never need
    from .bits import assert_bits_le_constant, num2bits, num2bits_strict

    with api.scope("eddsa_poseidon"):
        assert_babyjub_on_curve(api, pubkey)
        assert_babyjub_on_curve(api, r8)
        with api.scope("s_lt_l"):
            s_bits = num2bits(api, s, 251)
            assert_bits_le_constant(api, s_bits, L - 1)
        hm = poseidon(api, [r8[0], r8[1], pubkey[0], pubkey[1], msg])
        hm_bits = num2bits_strict(api, hm)
        a8 = assert_babyjub_not_small_order(api, pubkey)
        right = babyjub_add(api, r8, babyjub_mul_subgroup(api, hm_bits, a8))
        left = babyjub_mul_fixed(api, s_bits, BASE8)
        api.assert_equal(left[0], right[0])
        api.assert_equal(left[1], right[1])
