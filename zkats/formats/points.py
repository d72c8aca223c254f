"""Single BN254 points <-> the byte encodings of snarkjs' binary files.

* ``*_to_lem`` / ``*_from_lem``: affine Montgomery little-endian, the layout
  of ``.zkey``/``.ptau`` sections (G1 x, y; G2 x.c0, x.c1, y.c0, y.c1; all
  zero bytes = infinity).  ``*_from_lem`` does not validate: callers check
  arrays with ``bn254.g1_check_array`` / ``g2_check_array`` first.
* ``*_to_u``: snarkjs' uncompressed big-endian encoding used in transcript
  hashes (G2 halves c1 before c0; infinity = zeros).  Bulk versions live in
  :mod:`zkats.bn254` (``g1_lem_to_uncompressed`` ...).

Points are plain ints: G1 ``(x, y)``, G2 ``((x0, x1), (y0, y1))``, ``None``
for infinity.
"""

from ..field import Q

_RINV_Q = pow(1 << 256, -1, Q)


def g1_to_lem(p):
    if p is None:
        return bytes(64)
    return ((p[0] << 256) % Q).to_bytes(32, "little") + ((p[1] << 256) % Q).to_bytes(32, "little")


def g2_to_lem(p):
    if p is None:
        return bytes(128)
    return b"".join(
        ((c << 256) % Q).to_bytes(32, "little") for c in (p[0][0], p[0][1], p[1][0], p[1][1])
    )


def g1_from_lem(raw):
    if not any(raw):
        return None
    x = int.from_bytes(raw[:32], "little") * _RINV_Q % Q
    y = int.from_bytes(raw[32:64], "little") * _RINV_Q % Q
    return (x, y)


def g2_from_lem(raw):
    if not any(raw):
        return None
    c = [int.from_bytes(raw[32 * i : 32 * i + 32], "little") * _RINV_Q % Q for i in range(4)]
    return ((c[0], c[1]), (c[2], c[3]))


def g1_to_u(p):
    if p is None:
        return bytes(64)
    return p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def g2_to_u(p):
    if p is None:
        return bytes(128)
    return b"".join(c.to_bytes(32, "big") for c in (p[0][1], p[0][0], p[1][1], p[1][0]))
