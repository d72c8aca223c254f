"""The zkats gadget library: in-circuit gadgets (functions taking ``api``
first) and their plain-Python twins.

The plain twins services and tests call most are importable from here.
Modules: ``poseidon_hash``/``poseidon_constants`` (Poseidon),
``babyjubjub`` (Baby Jubjub), ``pedersen`` (commitments), ``eddsa``
(EdDSA-Poseidon, with ``blake512``), ``merkle`` (Poseidon Merkle tree).
"""

from .babyjubjub import (
    BASE8,
    GENERATOR,
    L as BABYJUB_L,
    babyjub_add,
    babyjub_in_subgroup,
    babyjub_mul,
    babyjub_on_curve,
    babyjub_pack,
    babyjub_unpack,
)
from .eddsa import eddsa_keygen, eddsa_prv2pub, eddsa_sign_poseidon, eddsa_verify_poseidon
from .merkle import MerkleTree, merkle_root_from_path
from .pedersen import (
    blinding_generator,
    commitment_add,
    commitment_sub,
    pedersen_commit,
    pedersen_verify,
    random_blinding,
    value_generators,
)
from .poseidon_hash import poseidon

__all__ = [
    "poseidon",
    "BASE8",
    "GENERATOR",
    "BABYJUB_L",
    "babyjub_add",
    "babyjub_mul",
    "babyjub_on_curve",
    "babyjub_in_subgroup",
    "babyjub_pack",
    "babyjub_unpack",
    "eddsa_keygen",
    "eddsa_prv2pub",
    "eddsa_sign_poseidon",
    "eddsa_verify_poseidon",
    "MerkleTree",
    "merkle_root_from_path",
    "pedersen_commit",
    "pedersen_verify",
    "commitment_add",
    "commitment_sub",
    "random_blinding",
    "value_generators",
    "blinding_generator",
]
