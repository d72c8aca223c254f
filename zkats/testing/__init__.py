"""Test tooling shipped with zkats, for circuit and gadget authors (docs/circuits.md).

Assertions (:mod:`.assertions`): :func:`assert_unsat`, :func:`assert_native_rejects`,
:func:`tamper_each_hint`, :func:`assert_hints_constrained`, the hint hook
:func:`lying_bits`, :func:`solve_both` (the native solver and the Python reference
agree); a one-gadget circuit (:mod:`.harness`): :func:`gadget_circuit`;
soundness mutation testing (:mod:`.mutation`): :func:`mutation_test`,
:func:`mutate_wires`, :func:`mutate_hints`, :class:`MutationReport`.
"""

from .assertions import (
    assert_hints_constrained,
    assert_native_rejects,
    assert_unsat,
    lying_bits,
    solve_both,
    tamper_each_hint,
)
from .harness import gadget_circuit, hint_shapes
from .mutation import MutationReport, mutate_hints, mutate_wires, mutation_test

__all__ = [
    "assert_hints_constrained",
    "assert_native_rejects",
    "assert_unsat",
    "gadget_circuit",
    "hint_shapes",
    "lying_bits",
    "mutate_hints",
    "mutate_wires",
    "mutation_test",
    "MutationReport",
    "solve_both",
    "tamper_each_hint",
]
