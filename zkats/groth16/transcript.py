"""The byte-level pieces of snarkjs' ceremony transcripts, re-implemented.

Facts carried over from snarkjs 0.7.6 / ffjavascript 0.3.1 (read in
``node_modules``; re-derived and checked against files snarkjs makes):

* Hashes are BLAKE2b-512.  A ``.ptau`` contribution stores a *partial*
  hash (216 bytes): the 128-byte block buffer, then 22 little-endian u32:
  the state words h0..h7 as (low, high) pairs, the number of bytes already
  compressed (u32 16, 17) and the number of bytes in the buffer (u32 18,
  19).  As in @noble/hashes, a full buffer is compressed only when more
  data arrives.
* Random numbers come from ffjavascript's ChaCha20 block function (seed =
  8 big-endian u32 of a hash, counter in words 12..15, no nonce).
  ``Fr.fromRng`` / ``Fq.fromRng`` draw 4 u64 (each the high then the low
  u32), mask to 254 bits, retry while >= p, and use the result as the
  *Montgomery* representation: the value is ``v * 2^-256 mod p``.
* ``G.fromRng``: x from ``F.fromRng``, then one ``nextBool`` (low bit of a
  u32) says whether y is the "negative" root (y > (p-1)/2, for Fq2 judged on
  c1 unless it is 0); retry while x^3 + b is not a square; G2 points are
  then multiplied by the twist cofactor.
* ``hashToG2(h)``: ChaCha seeded with the first 32 bytes of ``h`` (big-endian
  u32), then ``G2.fromRng``.
* Uncompressed / compressed encodings: see ``native/pointenc.h``.

Single-point arithmetic and pairings go through :mod:`zkats.bn254` (native).
"""

import hashlib
import struct

import numpy as np

from ..field import Q, R
from ..formats.points import (  # the single-point encodings, re-exported from here
    g1_from_lem as g1_from_lem,
    g1_to_lem as g1_to_lem,
    g1_to_u as g1_to_u,
    g2_from_lem as g2_from_lem,
    g2_to_lem as g2_to_lem,
    g2_to_u as g2_to_u,
)

MASK32 = 0xFFFFFFFF
MASK64 = (1 << 64) - 1
MASK254 = (1 << 254) - 1
_RINV_Q = pow(1 << 256, -1, Q)
_RINV_R = pow(1 << 256, -1, R)

#: G2 cofactor of BN254's twist (ffjavascript bn128 ``G2.cofactor``), = 2q - r
G2_COFACTOR = 2 * Q - R

# ---------------------------------------------------------------------------
# BLAKE2b with exportable state (for snarkjs' partial hashes)
# ---------------------------------------------------------------------------

_B2_IV = (
    0x6A09E667F3BCC908,
    0xBB67AE8584CAA73B,
    0x3C6EF372FE94F82B,
    0xA54FF53A5F1D36F1,
    0x510E527FADE682D1,
    0x9B05688C2B3E6C1F,
    0x1F83D9ABFB41BD6B,
    0x5BE0CD19137E2179,
)


class Blake2b:
    """BLAKE2b-512 (unkeyed) whose internal state can be exported and imported
    in snarkjs' 216-byte "partial hash" layout.  Compression is native."""

    def __init__(self):
        self.h = np.array(_B2_IV, dtype=np.uint64)
        self.h[0] ^= np.uint64(0x01010040)
        self.t = 0  # bytes compressed so far
        self.buf = bytearray(128)
        self.pos = 0  # bytes pending in buf (1..128 once data came in)

    def copy(self):
        c = Blake2b.__new__(Blake2b)
        c.h = self.h.copy()
        c.t = self.t
        c.buf = bytearray(self.buf)
        c.pos = self.pos
        return c

    def update(self, data):
        # local import: zkats.bn254 loads the native library; only its users pay
        from .. import bn254

        mv = memoryview(data).cast("B")
        n = mv.nbytes
        i = 0
        if n == 0:
            return self
        # fill the pending buffer first; compress it only if more data follows
        if self.pos:
            take = min(128 - self.pos, n)
            self.buf[self.pos : self.pos + take] = mv[:take]
            self.pos += take
            i = take
            if i == n:
                return self
            self.t = bn254.blake2b_compress(self.h, self.buf, self.t)
            self.pos = 0
        # whole blocks, keeping at least one byte (or a full last block) back
        rest = n - i
        nblk = (rest - 1) // 128
        if nblk:
            self.t = bn254.blake2b_compress(self.h, mv[i : i + 128 * nblk], self.t)
            i += 128 * nblk
        take = n - i
        self.buf[:take] = mv[i:]
        self.pos = take
        return self

    def digest(self):
        # local import: zkats.bn254 loads the native library; only its users pay
        from .. import bn254

        h = self.h.copy()
        block = bytearray(self.buf[: self.pos]) + bytes(128 - self.pos)
        bn254.blake2b_compress(h, block, self.t + self.pos, last=True)
        return h.astype("<u8").tobytes()

    # snarkjs' misc.toPartialHash / fromPartialHash layout
    def to_partial(self):
        words = []
        for v in self.h.tolist():
            words += [v & MASK32, v >> 32]
        words += [self.t & MASK32, self.t >> 32, self.pos, 0, 0, 0]
        return bytes(self.buf) + struct.pack("<22I", *words)

    @classmethod
    def from_partial(cls, raw):
        if len(raw) != 216:
            raise ValueError("a partial hash has 216 bytes")
        w = struct.unpack("<22I", raw[128:])
        c = cls.__new__(cls)
        c.h = np.array([w[2 * i] | (w[2 * i + 1] << 32) for i in range(8)], dtype=np.uint64)
        c.t = w[16] + (w[17] << 32)
        c.pos = w[18] + (w[19] << 32)
        if c.pos > 128:
            raise ValueError("partial hash: buffer position > 128")
        c.buf = bytearray(raw[:128])
        return c


def blake2b_512(*parts):
    h = hashlib.blake2b(digest_size=64)
    for p in parts:
        h.update(p)
    return h.digest()


# ---------------------------------------------------------------------------
# ffjavascript's ChaCha rng and the fromRng samplers
# ---------------------------------------------------------------------------


def _rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & MASK32


def _qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK32
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK32
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK32
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK32
    s[b] = _rotl(s[b] ^ s[c], 7)


class ChaCha:
    """ffjavascript's ChaCha20-based rng (its ``nextU32`` stream)."""

    def __init__(self, seed):
        seed = list(seed)
        if len(seed) != 8:
            raise ValueError("ChaCha seed is 8 u32")
        self.state = (
            [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
            + [s & MASK32 for s in seed]
            + [0, 0, 0, 0]
        )
        self.idx = 16
        self.buff = [0] * 16

    @classmethod
    def from_hash(cls, h):
        """Seed from the first 32 bytes of ``h`` read as big-endian u32."""
        return cls(struct.unpack(">8I", bytes(h[:32])))

    def _update(self):
        b = list(self.state)
        for _ in range(10):
            _qr(b, 0, 4, 8, 12)
            _qr(b, 1, 5, 9, 13)
            _qr(b, 2, 6, 10, 14)
            _qr(b, 3, 7, 11, 15)
            _qr(b, 0, 5, 10, 15)
            _qr(b, 1, 6, 11, 12)
            _qr(b, 2, 7, 8, 13)
            _qr(b, 3, 4, 9, 14)
        self.buff = [(b[i] + self.state[i]) & MASK32 for i in range(16)]
        self.idx = 0
        for k in range(12, 16):
            self.state[k] = (self.state[k] + 1) & MASK32
            if self.state[k]:
                break

    def next_u32(self):
        if self.idx == 16:
            self._update()
        v = self.buff[self.idx]
        self.idx += 1
        return v

    def next_u64(self):
        hi = self.next_u32()
        return (hi << 32) | self.next_u32()

    def next_bool(self):
        return bool(self.next_u32() & 1)


def _raw_from_rng(rng, p):
    while True:
        v = 0
        for i in range(4):
            v += rng.next_u64() << (64 * i)
        v &= MASK254
        if v < p:
            return v


def fr_from_rng(rng):
    """ffjavascript ``Fr.fromRng``: the value (canonical int) of the element."""
    return _raw_from_rng(rng, R) * _RINV_R % R


def fq_from_rng(rng):
    return _raw_from_rng(rng, Q) * _RINV_Q % Q


def _fq_neg_flag(a):
    return a > (Q - 1) // 2


def _fq2_neg_flag(a):
    return _fq_neg_flag(a[1]) if a[1] else _fq_neg_flag(a[0])


def g1_from_rng(rng):
    """ffjavascript ``G1.fromRng`` as canonical affine ints."""
    while True:
        x = fq_from_rng(rng)
        greatest = rng.next_bool()
        rhs = (x * x * x + 3) % Q
        if pow(rhs, (Q - 1) // 2, Q) in (0, 1):
            break
    y = pow(rhs, (Q + 1) // 4, Q)
    if greatest ^ _fq_neg_flag(y):
        y = (-y) % Q
    return (x, y)


# Fq2 helpers (plain ints; c0 + c1*u, u^2 = -1)
def _f2mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def _f2pow(a, e):
    r = (1, 0)
    while e:
        if e & 1:
            r = _f2mul(r, a)
        a = _f2mul(a, a)
        e >>= 1
    return r


_B2 = _f2mul((3, 0), (9 * pow(82, -1, Q) % Q, (-1) * pow(82, -1, Q) % Q))  # 3/(9+u)


def _f2_is_square(a):
    if a == (0, 0):
        return True
    n = (a[0] * a[0] + a[1] * a[1]) % Q  # the norm is a square in Fq iff a is in Fq2
    return pow(n, (Q - 1) // 2, Q) == 1


def _f2_sqrt(a):
    """A square root of a square ``a`` in Fq2 (q = 3 mod 4; Adj-Rodriguez-Henriquez alg. 9)."""
    if a == (0, 0):
        return (0, 0)
    a1 = _f2pow(a, (Q - 3) // 4)
    alpha = _f2mul(_f2mul(a1, a1), a)
    x0 = _f2mul(a1, a)
    if alpha == (Q - 1, 0):
        return _f2mul((0, 1), x0)
    b = _f2pow(((1 + alpha[0]) % Q, alpha[1]), (Q - 1) // 2)
    return _f2mul(b, x0)


def g2_from_rng(rng):
    """ffjavascript ``G2.fromRng`` (cofactor cleared) as canonical affine ints."""
    while True:
        x = (fq_from_rng(rng), fq_from_rng(rng))
        greatest = rng.next_bool()
        x3 = _f2mul(_f2mul(x, x), x)
        rhs = ((x3[0] + _B2[0]) % Q, (x3[1] + _B2[1]) % Q)
        if _f2_is_square(rhs):
            break
    y = _f2_sqrt(rhs)
    assert _f2mul(y, y) == rhs
    if greatest ^ _fq2_neg_flag(y):
        y = ((-y[0]) % Q, (-y[1]) % Q)
    return g2_mul((x, y), G2_COFACTOR)


def hash_to_g2(h):
    """snarkjs ``keypair.hashToG2``."""
    return g2_from_rng(ChaCha.from_hash(h))


# ---------------------------------------------------------------------------
# single-point arithmetic on plain ints (native, through zkats.bn254)
# ---------------------------------------------------------------------------


def g1_mul(p, k):
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    return bn254.g1_mul(p, int(k))


def g2_mul(p, k):
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    return bn254.g2_mul(p, int(k))


def g1_add(p, q):
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    return bn254.g1_add(p, q)


def g1_neg(p):
    return None if p is None else (p[0], (-p[1]) % Q)


G1_GEN = (1, 2)
G2_GEN = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)


def pairing_check(pairs):
    """True if prod e(P_i, Q_i) == 1 for plain-int (G1, G2) pairs."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    return bool(bn254.pairing_check(pairs))


def same_ratio(g1s, g1sx, g2s, g2sx):
    """snarkjs ``misc.sameRatio``: e(g1s, g2sx) == e(g1sx, g2s), no infinities."""
    if g1s is None or g1sx is None or g2s is None or g2sx is None:
        return False
    return pairing_check([(g1s, g2sx), (g1_neg(g1sx), g2s)])
