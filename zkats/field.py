"""BN254 moduli and plain-int helpers shared by every layer.

``R`` is the scalar field (the field circuits and witnesses live in, snarkjs'
``Fr``); ``Q`` is the base field of the curve (``Fq``).  Values from
shared/DESIGN.md, cross-checked in tests against py_ecc's curve order and
field modulus.
"""

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583

#: bytes of one field element in the iden3/snarkjs binary formats
N8 = 32

_MASK64 = (1 << 64) - 1


def ints_to_limbs(values, n=None):
    """Canonical ints -> numpy uint64 array of shape (len, 4), little-endian limbs."""
    # local import: only the bulk paths load numpy (not the CLI verify and prove)
    import numpy as np  # lazily: the verify path never needs numpy

    values = list(values)
    raw = b"".join(int(v).to_bytes(32, "little") for v in values)
    return np.frombuffer(raw, dtype="<u8").reshape(len(values), 4).astype(np.uint64, copy=True)


def limbs_to_ints(arr):
    """numpy uint64 (k, 4) little-endian limbs -> list of Python ints."""
    # local import: only the bulk paths load numpy (not the CLI verify and prove)
    import numpy as np

    arr = np.ascontiguousarray(arr, dtype="<u8").reshape(-1, 4)
    raw = arr.tobytes()
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def is_canonical(x, modulus=R):
    return isinstance(x, int) and 0 <= x < modulus
