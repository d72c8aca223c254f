"""Shared helper for the venue circuit tests: compile once per session.
(``assert_unsat``, ``assert_native_rejects`` and the lying hint hook are in
:mod:`zkats.testing`.)"""

from zkats.circuit import compile_circuit

_COMPILED = {}


def compiled(cls):
    """The compiled circuit (disk-cached; compiled once per test session)."""
    if cls not in _COMPILED:
        _COMPILED[cls] = compile_circuit(cls())
    return _COMPILED[cls]
