"""Poseidon parameters for BN254's scalar field, derived by code.

The circomlib/circomlibjs parameterisation: x^5 S-box, 8 full rounds, and
per width ``t = 2..17`` the partial-round counts of :data:`N_ROUNDS_P`.

Round constants and MDS matrices are produced the way the Poseidon authors'
reference script (``generate_parameters_grain.sage`` from the hadeshash
repository, invoked as ``1 0 254 t 8 R_P p``) produces them: an 80-bit Grain
LFSR seeded with the parameters, with the self-shrinking output filter;
round constants are 254-bit draws rejected when ``>= p``; the MDS matrix is a
Cauchy matrix ``M[i][j] = 1 / (x_i + y_j)`` with ``x, y`` the next ``2t``
draws (reduced mod p).  circomlib's constants came from that script; the
tests compare every width against the vectors exported from circomlibjs.

Generation is lazy and per width (a few tens of milliseconds per width)
and cached in memory.
"""

from functools import cache

import numpy as np

from ..field import R

N_ROUNDS_F = 8
#: partial rounds for widths t = 2..17 (index t - 2), as in circomlib
N_ROUNDS_P = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)

_FIELD_BITS = 254


class _Grain:
    """The reference script's Grain LFSR with its self-shrinking filter.

    The LFSR ``s[n+80] = s[n+62] ^ s[n+51] ^ s[n+38] ^ s[n+23] ^ s[n+13] ^ s[n]``
    is stepped 18 bits at a time (the nearest tap is 18 positions from the
    end, so 18 new bits depend only on the current state); the filter keeps
    the second bit of each pair whose first bit is 1.  The first 160 raw bits
    are discarded, as in the reference.
    """

    _CHUNK = 18
    _BLOCK = 18 * 4096

    def __init__(self, t, r_f, r_p, n=_FIELD_BITS):
        # init sequence, first bit first:
        # field=1 (2 bits), sbox=0 (4), n (12), t (12), R_F (10), R_P (10), 30 ones
        bits = (
            format(1, "02b")
            + format(0, "04b")
            + format(n, "012b")
            + format(t, "012b")
            + format(r_f, "010b")
            + format(r_p, "010b")
            + "1" * 30
        )
        assert len(bits) == 80
        # bit k of the int is position k of the reference's bit list
        self._s = sum(1 << k for k, b in enumerate(bits) if b == "1")
        self._raw_skip = 160
        self._out = np.zeros(0, dtype=np.uint8)
        self._pos = 0

    def _more(self):
        s, mask, c = self._s, (1 << self._CHUNK) - 1, self._CHUNK
        chunks = []
        for _ in range(self._BLOCK // c):
            new = ((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s) & mask
            chunks.append(new)
            s = (s >> c) | (new << 62)
        self._s = s
        bits = (np.array(chunks, dtype=np.uint32)[:, None] >> np.arange(c, dtype=np.uint32)) & 1
        raw = bits.astype(np.uint8).ravel()
        if self._raw_skip:
            raw = raw[self._raw_skip :]  # 160 is even: pairs stay aligned
            self._raw_skip = 0
        pairs = raw.reshape(-1, 2)
        kept = pairs[pairs[:, 0] == 1, 1]
        self._out = np.concatenate([self._out[self._pos :], kept])
        self._pos = 0

    def bits_int(self, n=_FIELD_BITS):
        """The next ``n`` filtered bits as an int, first bit most significant."""
        while len(self._out) - self._pos < n:
            self._more()
        chunk = self._out[self._pos : self._pos + n]
        self._pos += n
        pad = (-n) % 8
        packed = np.packbits(np.concatenate([np.zeros(pad, dtype=np.uint8), chunk]))
        return int.from_bytes(packed.tobytes(), "big")


@cache
def poseidon_params(t):
    """Return ``(round_constants, mds)`` for width ``t`` (2..17).

    ``round_constants`` is a tuple of ``(R_F + R_P) * t`` ints (round-major);
    ``mds`` is a tuple of ``t`` rows, the new state being
    ``state'[i] = sum_j mds[i][j] * state[j]``.
    """
    if not 2 <= t <= 17:
        raise ValueError(f"Poseidon width t must be 2..17, got {t}")
    r_p = N_ROUNDS_P[t - 2]
    g = _Grain(t, N_ROUNDS_F, r_p)
    consts = []
    for _ in range((N_ROUNDS_F + r_p) * t):
        c = g.bits_int()
        while c >= R:
            c = g.bits_int()
        consts.append(c)
    while True:
        draws = [g.bits_int() % R for _ in range(2 * t)]
        while len(set(draws)) != len(draws):
            draws = [g.bits_int() % R for _ in range(2 * t)]
        xs, ys = draws[:t], draws[t:]
        if all((x + y) % R for x in xs for y in ys):
            break
    mds = tuple(tuple(pow(x + y, -1, R) for y in ys) for x in xs)
    return tuple(consts), mds
