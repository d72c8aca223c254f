"""Groth16 keys and proofs as plain Python values.

Points use the plain-int conventions of :mod:`zkats.bn254`: G1 ``(x, y)``,
G2 ``((x_c0, x_c1), (y_c0, y_c1))``, ``None`` for infinity.  Bulk proving-key
material lives in :class:`zkats.formats.zkey.ZKey` as numpy arrays; these
classes are what verifiers and the JSON/Solidity exporters need.
"""
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

G1 = Optional[Tuple[int, int]]
G2 = Optional[Tuple[Tuple[int, int], Tuple[int, int]]]


@dataclass(frozen=True)
class VerifyingKey:
    """snarkjs' verification_key.json content for protocol groth16, curve bn128.

    ``ic`` has ``n_public + 1`` points: ``ic[0]`` is the constant term.
    ``alpha_beta`` (e(alpha, beta) in Fq12) is not stored: verifiers compute
    what they need.
    """
    alpha_1: G1
    beta_2: G2
    gamma_2: G2
    delta_2: G2
    ic: Tuple[G1, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (pi_a in G1, pi_b in G2, pi_c in G1)."""
    a: G1
    b: G2
    c: G1
