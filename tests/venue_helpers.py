"""Shared helpers for the venue circuit tests: compile once per session,
solve valid and tampered inputs, and a lying hint hook."""

import pytest

from zkats.circuit import compile_circuit
from zkats.errors import InputError, UnsatisfiedConstraint

_COMPILED = {}


def compiled(cls):
    """The compiled circuit (disk-cached; compiled once per test session)."""
    if cls not in _COMPILED:
        _COMPILED[cls] = compile_circuit(cls())
    return _COMPILED[cls]


def lying_bits(values):
    """A hint hook for tampered witnesses: every bit-decomposition hint whose
    input does not fit (value >= 2^n, e.g. a negative difference) returns the
    low bits instead, so each bit is boolean and only the recomposition can
    catch the lie.  ``values`` collects the lied-about inputs."""

    def hook(i, fn, args, outs):
        name = getattr(fn, "__name__", "")
        if name.startswith("num2bits_") and args:
            n = int(name.split("_")[1]) + 1
            x = args[0]
            if x >> n:
                values.append(x)
                return [(x >> k) & 1 for k in range(n - 1)]
        return outs

    return hook


def assert_unsat(cc, inputs, scope=None, lie=False):
    """The inputs are rejected by the constraints (the error names ``scope``);
    with ``lie``, also when the prover lies in its bit-decomposition hints
    (the tampered-hint witness of a failing range check or comparison)."""
    with pytest.raises(UnsatisfiedConstraint) as e1:
        cc.solve(inputs)
    if scope is not None:
        assert scope in str(e1.value), str(e1.value)
    if lie:
        lies = []
        with pytest.raises(UnsatisfiedConstraint) as e2:
            cc.solve(inputs, hint_hook=lying_bits(lies))
        assert lies, "no bit decomposition was lied about"
        if scope is not None:
            assert scope in str(e2.value), str(e2.value)
    return str(e1.value)


def assert_native_rejects(check, pub, prv, match):
    with pytest.raises(InputError, match=match):
        check(pub, prv)


def resign(pub, prv, signer, **changes):
    """The statement ``pub`` with ``changes`` (a tampered statement), and
    ``prv`` signed over it by ``signer``: the attacker here holds the
    authority, so what rejects it must be the rule under test."""
    from zkats.circuits._spend import authorise

    bad = pub.replace(**changes)
    return bad, authorise(bad, prv, signer)
