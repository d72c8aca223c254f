"""``powersoftau export challenge``: the accumulator in the phase-1
"challenge" layout of the original Zcash/bellman ceremony tools, as
snarkjs writes it (``powersoftau_export_challenge.js``): the last response
hash (64 bytes; BLAKE2b-512 of nothing before any contribution), then
tauG1 (2^power*2-1 points), tauG2, alphaTauG1, betaTauG1 (2^power each)
and betaG2 (1), uncompressed big-endian.  The BLAKE2b-512 of the whole
file is the ptau's current challenge hash; a mismatch means the ptau is
corrupted (checked, as snarkjs does).
"""

import hashlib

from ..errors import VerificationError
from ..formats import ptau as ptf
from . import ceremony, transcript as tr


def last_response_hash(pt):
    """The response hash of the last contribution (BLAKE2b-512 of nothing
    when there is none)."""
    if not pt.contributions:
        return hashlib.blake2b(digest_size=64).digest()
    c = pt.contributions[-1]
    h = tr.Blake2b.from_partial(bytes(c.partial_hash))
    h.update(
        b"".join(
            [tr.g1_to_u(c.key[k]) for k in ptf.KEY_G1] + [tr.g2_to_u(c.key[k]) for k in ptf.KEY_G2]
        )
    )
    return h.digest()


def export_challenge(pt, path):
    """Write the challenge file of ``pt``; returns (last response hash,
    current challenge hash)."""
    from .. import bn254

    last = last_response_hash(pt)
    cur = ceremony.last_challenge(pt)
    h = hashlib.blake2b(digest_size=64)
    with open(path, "wb") as f:
        f.write(last)
        h.update(last)
        for arr, enc in (
            (pt.tau_g1, bn254.g1_lem_to_uncompressed),
            (pt.tau_g2, bn254.g2_lem_to_uncompressed),
            (pt.alpha_tau_g1, bn254.g1_lem_to_uncompressed),
            (pt.beta_tau_g1, bn254.g1_lem_to_uncompressed),
            (pt.beta_g2, bn254.g2_lem_to_uncompressed),
        ):
            for i in range(0, len(arr), 1 << 14):
                b = bytes(enc(arr[i : i + (1 << 14)]))
                f.write(b)
                h.update(b)
    if h.digest() != cur:
        raise VerificationError(
            "the ptau is corrupted: its points do not hash to its declared challenge hash"
        )
    return last, cur
