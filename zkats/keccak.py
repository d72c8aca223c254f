"""Keccak-256 as the EVM computes it (``keccak256``: the original Keccak
padding 0x01, not SHA3-256's 0x06), in pure Python.

Used off chain to reproduce values a contract derives with ``keccak256``
(the batch verifier's coefficients, :mod:`zkats.groth16.batch_transcript`).
Slow (about 20 us per 136-byte block) but dependency-free; the tests check
it against eth-hash and against the EVM itself.
"""

_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600 - 2 * 256 bits

_RC = []
_r = 1
for _ in range(24):
    rc = 0
    for j in range(7):
        _r = ((_r << 1) ^ ((_r >> 7) * 0x71)) % 256
        if _r & 2:
            rc |= 1 << ((1 << j) - 1)
    _RC.append(rc)
del _r

# rotation offsets and the pi permutation, as lists indexed by x + 5 * y
_ROT = [0] * 25
_x, _y = 1, 0
for _t in range(24):
    _ROT[_x + 5 * _y] = ((_t + 1) * (_t + 2) // 2) % 64
    _x, _y = _y, (2 * _x + 3 * _y) % 5
_PI = [0] * 25  # destination index of lane i
for _x in range(5):
    for _y in range(5):
        _PI[_x + 5 * _y] = _y + 5 * ((2 * _x + 3 * _y) % 5)


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & _MASK if n else v


def _keccak_f(a):
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [a[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for i in range(25):
            b[_PI[i]] = _rol(a[i], _ROT[i])
        a = [
            b[i] ^ ((~b[(i % 5 + 1) % 5 + 5 * (i // 5)]) & b[(i % 5 + 2) % 5 + 5 * (i // 5)])
            for i in range(25)
        ]
        a[0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    """The 32-byte Keccak-256 digest of ``data``."""
    data = bytes(data)
    pad = _RATE - len(data) % _RATE
    msg = data + (b"\x01" + b"\x00" * (pad - 2) + b"\x80" if pad > 1 else b"\x81")
    state = [0] * 25
    for off in range(0, len(msg), _RATE):
        block = msg[off : off + _RATE]
        for i in range(_RATE // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        state = _keccak_f(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))


def keccak_words(words) -> int:
    """``uint256(keccak256(abi.encodePacked(words)))`` for uint256 words."""
    return int.from_bytes(keccak256(b"".join(int(w).to_bytes(32, "big") for w in words)), "big")
