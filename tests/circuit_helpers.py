"""Helpers shared by the circuit and gadget tests."""

import pytest

from zkats.circuit import Circuit, Output, Private, compile_circuit, load_circuit
from zkats.errors import UnsatisfiedConstraint
from zkats.field import R


def gadget_circuit(fn, n_in, n_out=1, name="G"):
    """A circuit with private inputs x[n_in] and outputs y[n_out] = fn(api, x)."""

    class G(Circuit):
        y = Output(n="n_out")
        x = Private(n="n_in")

        def __init__(self):
            self.n_in = n_in
            self.n_out = n_out

        def define(self, api):
            out = fn(api, list(self.x))
            if not isinstance(out, (list, tuple)):
                out = [out]
            for o, v in zip(self.y, out):
                api.set_output(o, v)

    G.__name__ = G.__qualname__ = name
    return compile_circuit(G(), cache=False)


def run(cc, xs):
    return cc.solve({"x": list(xs)}).public[: cc.n_pub_out]


def fails(cc, xs):
    with pytest.raises(UnsatisfiedConstraint):
        cc.solve({"x": list(xs)})
    return True


def hint_shapes(cc, xs):
    """Number of outputs of each hint call, in order."""
    seen = []
    cc.solve({"x": list(xs)}, hint_hook=lambda i, fn, args, outs: seen.append(len(outs)) or outs)
    return seen


def tamper_each_hint(cc, xs, delta=1, max_outputs=None):
    """Tamper every output of every hint (one at a time): the constraints must
    either reject the witness or leave every public output unchanged.
    Returns how many tamperings were caught by a constraint."""
    honest = cc.solve({"x": list(xs)}).public
    caught = 0
    for i, n_out in enumerate(hint_shapes(cc, xs)):
        for j in range(n_out if max_outputs is None else min(n_out, max_outputs)):

            def hook(k, fn, args, outs, i=i, j=j):
                if k == i:
                    outs = list(outs)
                    outs[j] = (outs[j] + delta) % R
                return outs

            try:
                w = cc.solve({"x": list(xs)}, hint_hook=hook)
            except UnsatisfiedConstraint:
                caught += 1
            else:
                assert w.public == honest, f"tampering hint {i} output {j} changed the outputs"
    return caught


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
