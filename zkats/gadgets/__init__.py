"""The zkats gadget library: in-circuit gadgets (functions taking ``api``
first) and their plain-Python twins.

Naming rule (docs/circuits.md §3): a gadget ``name(api, ...)`` has the plain
twin ``name_plain(...)``; a constraint-only gadget ``assert_p(api, ...)`` has
the bool-valued twin ``p_plain(...)``.  The plain twins services and tests
call most are importable from here.
Modules: ``poseidon_hash``/``poseidon_constants`` (Poseidon),
``babyjubjub`` (Baby Jubjub), ``pedersen`` (commitments), ``eddsa``
(EdDSA-Poseidon, with ``blake512``), ``merkle`` (Poseidon Merkle tree).
"""

from .babyjubjub import (
    BASE8,
    GENERATOR,
    L as BABYJUB_L,
    babyjub_add_plain,
    babyjub_in_subgroup_plain,
    babyjub_mul_plain,
    babyjub_on_curve_plain,
    babyjub_pack,
    babyjub_unpack,
)
from .eddsa import eddsa_keygen, eddsa_prv2pub, eddsa_sign_poseidon, eddsa_verify_poseidon_plain
from .merkle import MerkleTree, merkle_root_plain
from .pedersen import (
    blinding_generator,
    commitment_add,
    commitment_sub,
    pedersen_commit_plain,
    pedersen_opening_plain,
    random_blinding,
    value_generators,
)
from .poseidon_hash import poseidon_plain

__all__ = [
    "poseidon_plain",
    "BASE8",
    "GENERATOR",
    "BABYJUB_L",
    "babyjub_add_plain",
    "babyjub_mul_plain",
    "babyjub_on_curve_plain",
    "babyjub_in_subgroup_plain",
    "babyjub_pack",
    "babyjub_unpack",
    "eddsa_keygen",
    "eddsa_prv2pub",
    "eddsa_sign_poseidon",
    "eddsa_verify_poseidon_plain",
    "MerkleTree",
    "merkle_root_plain",
    "pedersen_commit_plain",
    "pedersen_opening_plain",
    "commitment_add",
    "commitment_sub",
    "random_blinding",
    "value_generators",
    "blinding_generator",
]
