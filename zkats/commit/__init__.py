"""Pedersen commitments as the venue uses them, out of circuit, and the
netting proof (homomorphic balance plus a Schnorr proof of knowledge of the
blinding sum).  Thin over :mod:`zkats.gadgets.pedersen`: the curve and the
generators live there.  Import the submodules: ``pedersen``, ``netting``.
"""


def verify_netting(points, proof, context=0):
    """True iff ``proof`` (a :class:`~zkats.commit.netting.NettingProof` or its
    JSON dict ``{"R": [x, y], "s": s}``) shows the commitments ``points`` sum
    to a multiple of H (they balance).  Malformed input gives False."""
    from .netting import verify  # local import: netting imports zkats.venue (a higher layer)

    try:
        pts = [(int(p[0]), int(p[1])) for p in points]
    except (TypeError, ValueError, IndexError):
        return False
    return verify(pts, proof, context)
