"""TEST DOUBLE: Groth16 keys and proofs made with a known trapdoor.

``sim_key(n_public)`` draws alpha, beta, gamma, delta and the IC discrete
logs at random and returns (VerifyingKey, trapdoor); ``sim_proof(td, public)``
returns a proof that satisfies the real Groth16 verification equation

    e(A, B) = e(alpha, beta) * e(vk_x, gamma) * e(C, delta)

by choosing A = a*G1, B = b*G2 and solving for C's discrete log:
c = (a*b - alpha*beta - l*gamma) / delta, with l = ic_0 + sum x_i ic_i.
These are valid proofs for the key (the real verifier accepts them); they
exist to test the settlement service before the venue's circuits and the
trusted setup exist.  Anyone who knows the trapdoor can do this, which is
why a production venue needs a multi-party ceremony.
"""

import random

from zkats.bn254.curves import G1_GEN, G2_GEN
from zkats.field import R
from zkats.groth16 import _curve
from zkats.groth16.data_structures import Proof, VerifyingKey

G1, G2 = G1_GEN, G2_GEN


def sim_key(n_public, seed=0, base=None):
    """(key, trapdoor); ``base``: another key's trapdoor whose alpha, beta
    and gamma this key shares (keys of one phase-1 ceremony)."""
    rnd = random.Random(seed)
    td = {k: rnd.randrange(1, R) for k in ("alpha", "beta", "gamma", "delta")}
    if base is not None:
        td.update({k: base[k] for k in ("alpha", "beta", "gamma")})
    td["ic"] = [rnd.randrange(1, R) for _ in range(n_public + 1)]
    td["rnd"] = rnd
    vk = VerifyingKey(
        alpha_1=_curve.g1_mul(G1, td["alpha"]),
        beta_2=_curve.g2_mul(G2, td["beta"]),
        gamma_2=_curve.g2_mul(G2, td["gamma"]),
        delta_2=_curve.g2_mul(G2, td["delta"]),
        ic=tuple(_curve.g1_mul(G1, k) for k in td["ic"]),
    )
    return vk, td


def sim_proof(td, public):
    rnd = td["rnd"]
    a, b = rnd.randrange(1, R), rnd.randrange(1, R)
    l = (td["ic"][0] + sum(x * k for x, k in zip(public, td["ic"][1:]))) % R
    c = (a * b - td["alpha"] * td["beta"] - l * td["gamma"]) * pow(td["delta"], -1, R) % R
    return Proof(a=_curve.g1_mul(G1, a), b=_curve.g2_mul(G2, b), c=_curve.g1_mul(G1, c))
