"""Helpers shared by the circuit and gadget tests."""

import pytest

from zkats.circuit import compile_circuit, load_circuit
from zkats.errors import UnsatisfiedConstraint


def run(cc, xs):
    return cc.solve({"x": list(xs)}).public[: cc.n_pub_out]


def fails(cc, xs):
    with pytest.raises(UnsatisfiedConstraint):
        cc.solve({"x": list(xs)})
    return True


def contributed_key(name, contributor=None):
    """(compiled circuit, ZKey) for the shipped circuit ``name`` through the
    public ceremony path: a fresh powers of tau with one contribution,
    prepared for phase 2, ``new_zkey`` and one phase-2 contribution."""
    from zkats.groth16 import ceremony, phase2
    from zkats.groth16.generator import circuit_power, new_zkey

    cc = compile_circuit(load_circuit(name))
    power = circuit_power(cc.n_constraints, cc.n_public)
    pt = ceremony.prepare_phase2(ceremony.contribute(ceremony.new_accumulator(power))[0])
    return cc, phase2.contribute(new_zkey(cc.r1cs, pt), name=contributor)[0]
