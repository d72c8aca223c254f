"""Property test: random straight-line programs give the same values compiled
and solved as with plain Python ints, and the witness satisfies the R1CS."""

from hypothesis import given, settings, strategies as st

from zkats.circuit import Circuit, Output, Private, compile_circuit
from zkats.field import R

OPS = ["add", "sub", "mul", "scale", "addc", "neg", "sum", "const", "square", "mulc"]

field = st.one_of(st.sampled_from([0, 1, 2, R - 1, R - 2]), st.integers(0, R - 1))
program = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 10**6), st.integers(0, 10**6), field),
    min_size=1,
    max_size=25,
)


def _apply(op, a, b, c, mul, const, api=None):
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return mul(a, b)
    if op == "scale":
        return a * c
    if op == "addc":
        return a + c
    if op == "neg":
        return -a
    if op == "sum":
        return api.sum([a, b, a], [c, 1, 2]) if api else a * c + b + 2 * a
    if op == "const":
        return const(c)
    if op == "square":
        return mul(a, a)
    if op == "mulc":
        return mul(a, const(c))
    raise AssertionError(op)


def _run_plain(prog, xs):
    pool = list(xs)
    for op, i, j, c in prog:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(_apply(op, a, b, c, lambda u, v: u * v % R, lambda k: k % R) % R)
    return pool[-2:] if len(pool) >= 2 else pool * 2


@settings(max_examples=60, deadline=None)
@given(program, st.lists(field, min_size=3, max_size=3))
def test_random_programs(prog, xs):
    class P(Circuit):
        y = Output(n=2)
        x = Private(n=3)

        def define(self, api):
            pool = list(self.x)
            for op, i, j, c in prog:
                a, b = pool[i % len(pool)], pool[j % len(pool)]
                pool.append(_apply(op, a, b, c, api.mul, api.constant, api))
            api.set_output(self.y[0], pool[-2])
            api.set_output(self.y[1], pool[-1])

    cc = compile_circuit(P(), cache=False)
    w = cc.solve({"x": xs})
    assert w.public == _run_plain(prog, xs)
    assert cc.check(w)
    assert cc.r1cs.check(w.values) == []
