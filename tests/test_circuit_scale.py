"""Large sizes (slow: run with -m slow).  Functional only: no timing asserted."""

import pytest

from zkats.circuit import Circuit, Output, Private, compile_circuit
from zkats.gadgets.bits import num2bits


class RangeChecks(Circuit):
    out = Output()
    xs = Private(n="k")

    def __init__(self, k):
        self.k = k

    def define(self, api):
        acc = api.constant(1)
        for i, x in enumerate(self.xs):
            num2bits(api, x, 64)
            acc = acc * (x + i)
        api.set_output(self.out, acc)


@pytest.mark.slow
@pytest.mark.parametrize("log2", [16, 20])
def test_large_circuit(log2, tmp_path):
    from zkats.formats.r1cs import read_r1cs, write_r1cs
    from zkats.formats.wtns import read_wtns_ints, write_wtns

    k = (1 << log2) // 65
    cc = compile_circuit(RangeChecks(k), cache=False)
    assert cc.n_constraints == 65 * k  # the first product is by a constant: free
    w = cc.solve({"xs": [(i * 0x9E3779B97F4A7C15) % (1 << 64) for i in range(k)]})
    assert cc.check(w)
    write_r1cs(tmp_path / "c.r1cs", cc)
    write_wtns(tmp_path / "c.wtns", w)
    r = read_r1cs(tmp_path / "c.r1cs")
    assert r.n_constraints == cc.n_constraints
    assert read_wtns_ints(tmp_path / "c.wtns") == w.values
