"""BLAKE-512 (the SHA-3 finalist, not BLAKE2), in plain Python.

circomlibjs' EdDSA derives the signing scalar and the nonce from the private
key with ``blake-hash``'s ``blake512``; this module reproduces that digest
so zkats' EdDSA keys and signatures equal circomlibjs' for the same private
key.  Written from the BLAKE specification (Aumasson et al., version 1.3):
16 rounds of the G function on a 4x4 state of 64-bit words, constants from
the fractional digits of pi, SHA-512's initial value, and the padding
``1 0* 1 || len128``.  Not constant-time; it only hashes key material the
caller already holds.  Checked against node's ``blake-hash`` in the tests.
"""

_M64 = (1 << 64) - 1

_IV = (
    0x6A09E667F3BCC908,
    0xBB67AE8584CAA73B,
    0x3C6EF372FE94F82B,
    0xA54FF53A5F1D36F1,
    0x510E527FADE682D1,
    0x9B05688C2B3E6C1F,
    0x1F83D9ABFB41BD6B,
    0x5BE0CD19137E2179,
)

# the first 1024 fractional bits of pi, as sixteen 64-bit words
_PI = (
    0x243F6A8885A308D3,
    0x13198A2E03707344,
    0xA4093822299F31D0,
    0x082EFA98EC4E6C89,
    0x452821E638D01377,
    0xBE5466CF34E90C6C,
    0xC0AC29B7C97C50DD,
    0x3F84D5B5B5470917,
    0x9216D5D98979FB1B,
    0xD1310BA698DFB5AC,
    0x2FFD72DBD01ADFB7,
    0xB8E1AFED6A267E96,
    0xBA7C9045F12C7F99,
    0x24A19947B3916CF7,
    0x0801F2E2858EFC16,
    0x636920D871574E69,
)

_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)

# (a, b, c, d) word indices of the four column and four diagonal G calls
_STEPS = (
    (0, 4, 8, 12),
    (1, 5, 9, 13),
    (2, 6, 10, 14),
    (3, 7, 11, 15),
    (0, 5, 10, 15),
    (1, 6, 11, 12),
    (2, 7, 8, 13),
    (3, 4, 9, 14),
)


def _rotr(x, n):
    return ((x >> n) | (x << (64 - n))) & _M64


def _compress(h, block, counter):
    m = [int.from_bytes(block[8 * i : 8 * i + 8], "big") for i in range(16)]
    v = list(h) + list(_PI[:8])
    lo, hi = counter & _M64, counter >> 64
    v[12] ^= lo
    v[13] ^= lo
    v[14] ^= hi
    v[15] ^= hi
    for r in range(16):
        s = _SIGMA[r % 10]
        for k, (a, b, c, d) in enumerate(_STEPS):
            i, j = s[2 * k], s[2 * k + 1]
            v[a] = (v[a] + v[b] + (m[i] ^ _PI[j])) & _M64
            v[d] = _rotr(v[d] ^ v[a], 32)
            v[c] = (v[c] + v[d]) & _M64
            v[b] = _rotr(v[b] ^ v[c], 25)
            v[a] = (v[a] + v[b] + (m[j] ^ _PI[i])) & _M64
            v[d] = _rotr(v[d] ^ v[a], 16)
            v[c] = (v[c] + v[d]) & _M64
            v[b] = _rotr(v[b] ^ v[c], 11)
    return [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]  # salt is zero


def blake512(data):
    """The 64-byte BLAKE-512 digest of ``data`` (bytes)."""
    data = bytes(data)
    nbits = 8 * len(data)
    # padding: a 1 bit, zeros, a final 1 bit, then the 128-bit length, to 1024 bits
    padlen = (111 - len(data)) % 128
    if padlen == 0:
        tail = b"\x81"
    else:
        tail = b"\x80" + b"\x00" * (padlen - 1) + b"\x01"
    msg = data + tail + nbits.to_bytes(16, "big")
    assert len(msg) % 128 == 0
    h = list(_IV)
    nblocks = len(msg) // 128
    for bi in range(nblocks):
        # the counter is the number of message bits in this and earlier blocks;
        # a block holding only padding counts zero
        counter = 0 if 1024 * bi >= nbits else min(1024 * (bi + 1), nbits)
        h = _compress(h, msg[128 * bi : 128 * (bi + 1)], counter)
    return b"".join(x.to_bytes(8, "big") for x in h)
