"""zkats: a zero-knowledge settlement prover for a private derivatives venue.

Layers (each imports only the ones before it; docs/DESIGN.md has the
table): ``zkats.field``, ``zkats.r1cs``, ``zkats.groth16_data`` and
``zkats.errors`` (plain data), ``zkats.bn254`` (the native core's Python
face), ``zkats.circuit`` and ``zkats.gadgets`` (the constraint system),
``zkats.formats``, ``zkats.groth16``, ``zkats.commit``, ``zkats.pricing``
(numpy only: marks, Greeks, risk arrays) and ``zkats.venue``, the circuits in
``zkats.circuits``, and the CLI.
"""

__version__ = "0.1.0"

from .errors import ZkatsError  # noqa: F401
