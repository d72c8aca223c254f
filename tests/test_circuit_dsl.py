import random

import pytest

from zkats.circuit import (
    Circuit,
    Output,
    Private,
    Public,
    compile_circuit,
    group,
    list_circuits,
    load_circuit,
)
from zkats.errors import CircuitError, InputError, UnsatisfiedConstraint
from zkats.field import R
from zkats.testing import solve_both

rng = random.Random(7)


class Example(Circuit):
    """The example of the task statement."""

    c = Output()
    a = Public()
    b = Private()
    xs = Private(n=3)

    def define(self, api):
        p = self.a * self.b
        s = self.xs[0] + 2 * self.xs[1] - 5
        api.assert_equal(p, s)
        api.set_output(self.c, p * s)


@pytest.fixture(scope="module")
def ex():
    return compile_circuit(Example(), cache=False)


def test_layout_and_counts(ex):
    # one, c, a, b, xs[0..2], then p and p*s
    assert ex.n_wires == 9
    assert (ex.n_pub_out, ex.n_pub_in, ex.n_prv_in) == (1, 1, 4)
    assert ex.n_public == 2
    assert ex.n_constraints == 4  # p, assert_equal, p*s, set_output
    names = ex.r1cs.names
    assert [names[i] for i in range(1, 7)] == ["c", "a", "b", "xs[0]", "xs[1]", "xs[2]"]
    assert ex.r1cs.n_public == 2 and len(ex.r1cs.constraint_origin) == 4


def test_solve_and_public_order(ex):
    w = ex.solve({"a": 3, "b": "4", "xs": [1, 8, 0]})
    assert w.values[:7] == [1, 144, 3, 4, 1, 8, 0]
    assert w.public == [144, 3]
    assert ex.check(w)
    assert ex.r1cs.check(w.values) == []  # independent reference evaluation


def test_unsatisfied_names_constraint_and_signals(ex):
    with pytest.raises(UnsatisfiedConstraint) as e:
        ex.solve({"a": 3, "b": 5, "xs": [1, 8, 0]})
    msg = str(e.value)
    assert e.value.index == 1
    assert "constraint 1" in msg and "xs[0]=1" in msg and "xs[1]=8" in msg
    w = ex.solve({"a": 3, "b": 4, "xs": [1, 8, 0]})
    w.values[1] = 145  # a wrong output
    with pytest.raises(UnsatisfiedConstraint) as e:
        ex.check(w)
    assert e.value.index == 3 and "c=145" in str(e.value)
    assert ex.r1cs.check(w.values) == [3]


@pytest.mark.parametrize(
    "inputs,needle",
    [
        ({"a": 3, "xs": [1, 2, 3]}, "missing input 'b'"),
        ({"a": 3, "b": 1, "xs": [1, 2, 3], "z": 1}, "unknown input 'z'"),
        ({"a": 3, "b": 1, "xs": [1, 2, 3], "c": 1}, "'c' is an output"),
        ({"a": R, "b": 1, "xs": [1, 2, 3]}, "input a: value is not a canonical"),
        ({"a": -1, "b": 1, "xs": [1, 2, 3]}, "input a: value is not a canonical"),
        ({"a": "12x", "b": 1, "xs": [1, 2, 3]}, "input a: '12x' is not a decimal"),
        ({"a": 1, "b": 1, "xs": [1, 2]}, "input xs: expected a list of 3"),
        ({"a": 1, "b": 1, "xs": [1, 2, [3]]}, "input xs[2]: expected a single value"),
        ({"a": True, "b": 1, "xs": [1, 2, 3]}, "input a: booleans"),
        ({"a": 1.5, "b": 1, "xs": [1, 2, 3]}, "input a: expected an integer"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_input_errors(ex, inputs, needle):
    with pytest.raises(InputError) as e:
        ex.solve(inputs)
    assert needle in str(e.value)


def test_linear_ops_are_free_and_constants_fold():
    class Lin(Circuit):
        out = Output()
        x = Private(n=4)

        def define(self, api):
            y = 3 * self.x[0] - self.x[1] + 7 - (-self.x[2]) + api.sum(self.x, [1, 2, 3, 4])
            k = api.constant(5) * api.constant(6) + 2  # constant 32
            z = y * k  # scalar: free
            z = api.mul(z, 2)  # free
            d = api.div(z, 4)  # constant divisor: free
            api.set_output(self.out, d + api.neg(api.sub(self.x[3], self.x[3])))

    cc = compile_circuit(Lin(), cache=False)
    assert cc.n_constraints == 1  # only set_output
    xs = [rng.randrange(R) for _ in range(4)]
    y = (3 * xs[0] - xs[1] + 7 + xs[2] + sum((i + 1) * v for i, v in enumerate(xs))) % R
    assert cc.solve({"x": xs}).public == [y * 32 * 2 * pow(4, -1, R) % R]


def test_cancellation_does_not_make_constant():
    """x - x is structurally non-constant in both modes: the same wires either way."""

    class Cancel(Circuit):
        out = Output()
        x = Private()
        y = Private()

        def define(self, api):
            api.set_output(self.out, (self.x - self.x) * self.y)

    cc = compile_circuit(Cancel(), cache=False)
    assert cc.n_constraints == 2
    assert cc.solve({"x": 5, "y": 7}).public == [0]


def test_api_ops_against_python():
    class Ops(Circuit):
        o = Output(n=7)
        a = Private()
        b = Private()

        def define(self, api):
            a, b = self.a, self.b
            api.set_output(self.o[0], api.mul(a, b))
            api.set_output(self.o[1], api.square(a))
            api.set_output(self.o[2], api.inverse(a))
            api.set_output(self.o[3], api.div(a, b))
            api.set_output(self.o[4], api.add(a, b, 5))
            api.set_output(self.o[5], a**3)
            api.assert_product(a, b, self.o[0])
            api.assert_bool(api.sub(a, a))
            api.assert_zero(a - a)
            api.set_output(self.o[6], api.constant(R + 4))

    cc = compile_circuit(Ops(), cache=False)
    for a, b in [(1, 1), (R - 1, 2), (rng.randrange(1, R), rng.randrange(1, R))]:
        pub = cc.solve({"a": a, "b": b}).public
        assert pub == [
            a * b % R,
            a * a % R,
            pow(a, -1, R),
            a * pow(b, -1, R) % R,
            (a + b + 5) % R,
            pow(a, 3, R),
            4,
        ]
    with pytest.raises(UnsatisfiedConstraint) as e:
        cc.solve({"a": 0, "b": 3})
    assert "inverse" in str(e.value)
    with pytest.raises(UnsatisfiedConstraint) as e:
        cc.solve({"a": 3, "b": 0})
    assert "div" in str(e.value)


def test_hint_is_unconstrained_until_constrained():
    class Sqrt(Circuit):
        x = Public()

        def define(self, api):
            s = api.hint(lambda v: _sqrt_small(v), self.x, name="sqrt")
            api.assert_equal(api.square(s), self.x)

    cc = compile_circuit(Sqrt(), cache=False)
    assert list(cc.hint_wires) == [cc.first_internal]
    assert cc.names[cc.first_internal] == "sqrt"
    cc.solve({"x": 49})
    # tamper the hint: the constraint catches it and names its signals
    with pytest.raises(UnsatisfiedConstraint) as e:
        solve_both(cc, {"x": 49}, lambda i, fn, args, outs: [8])
    assert "x=49" in str(e.value) and "=64" in str(e.value)


def _sqrt_small(v):
    for i in range(1000):
        if i * i == v:
            return i
    raise ValueError("no small root")


def test_hint_failures_are_reported():
    class H(Circuit):
        x = Private()

        def define(self, api):
            with api.scope("root"):
                api.hint(_sqrt_small, self.x)

    cc = compile_circuit(H(), cache=False)
    with pytest.raises(CircuitError) as e:
        cc.solve({"x": 3})
    assert "root" in str(e.value) and "no small root" in str(e.value)

    class H2(Circuit):
        x = Private()

        def define(self, api):
            api.hint(lambda v: [v, v], self.x, n_out=3)

    with pytest.raises(CircuitError):
        compile_circuit(H2(), cache=False).solve({"x": 1})


def test_misuse_errors():
    class Branch(Circuit):
        x = Private()

        def define(self, api):
            if self.x:
                pass

    with pytest.raises(CircuitError):
        compile_circuit(Branch(), cache=False)

    class ValueBranch(Circuit):
        x = Private()

        def define(self, api):
            if api.is_solving and api.value(self.x) == 1:
                api.square(self.x)

    cc = compile_circuit(ValueBranch(), cache=False)
    with pytest.raises(CircuitError) as e:
        cc.solve({"x": 1})
    assert "different circuit" in str(e.value)

    class NoOut(Circuit):
        y = Output()
        x = Private()

        def define(self, api):
            pass

    with pytest.raises(CircuitError) as e:
        compile_circuit(NoOut(), cache=False)
    assert "output y is never set" in str(e.value)

    class Twice(Circuit):
        y = Output()
        x = Private()

        def define(self, api):
            api.set_output(self.y, self.x)
            api.set_output(self.y, self.x)

    with pytest.raises(CircuitError):
        compile_circuit(Twice(), cache=False)
    with pytest.raises(CircuitError):
        _ = Example().a
    with pytest.raises(CircuitError):
        compile_circuit(_assign_circuit(), cache=False)


def _assign_circuit():
    class Assign(Circuit):
        x = Private()

        def define(self, api):
            self.x = 3

    return Assign()


def test_parametrised_and_multidim():
    class Grid(Circuit):
        total = Output()
        m = Private(n=("rows", 3))

        def __init__(self, rows):
            self.rows = rows

        def define(self, api):
            acc = api.constant(1)
            for row in self.m:
                acc = acc * api.add(*row)
            api.set_output(self.total, acc)

    cc = compile_circuit(Grid(2), cache=False)
    assert cc.n_prv_in == 6
    assert cc.names[2] == "m[0][0]" and cc.names[7] == "m[1][2]"
    assert cc.solve({"m": [[1, 2, 3], [4, 5, 6]]}).public == [6 * 15]
    assert cc.solve({"m": [1, 2, 3, 4, 5, 6]}).public == [6 * 15]  # flattened, as circom
    assert compile_circuit(Grid(3), cache=False).n_prv_in == 9


def test_scopes_and_counts():
    class Sc(Circuit):
        x = Private()

        def define(self, api):
            with api.scope("outer"):
                api.square(self.x)
                with api.scope("inner"):
                    api.square(self.x)
                    api.square(self.x)
            api.square(self.x)

    cc = compile_circuit(Sc(), cache=False)
    assert cc.counts_by_scope() == {"outer": 1, "outer/inner": 2, "(top)": 1}
    assert cc.counts_by_scope(depth=1) == {"outer": 3, "(top)": 1}
    assert cc.r1cs.constraint_origin == ["outer", "outer/inner", "outer/inner", ""]


def test_registry_and_loader(tmp_path):
    circuits = list_circuits()
    assert "multiplier" in circuits
    m = compile_circuit(load_circuit("multiplier"), cache=False)
    assert m.solve({"a": 6, "b": 7}).public == [42, 6]
    p = tmp_path / "mine.py"
    p.write_text(
        "from zkats.circuit import Circuit, Private, Output\n"
        "class Sq(Circuit):\n    y = Output()\n    x = Private()\n"
        "    def define(self, api):\n        api.set_output(self.y, self.x * self.x)\n"
    )
    sq = compile_circuit(load_circuit(str(p)), cache=False)
    assert sq.solve({"x": 9}).public == [81]
    with pytest.raises(InputError):
        load_circuit("no-such-circuit")
    with pytest.raises(InputError):
        load_circuit(str(tmp_path / "missing.py"))


def test_content_hash_stable_and_sensitive():
    h1 = compile_circuit(Example(), cache=False).hash
    h2 = compile_circuit(Example(), cache=False).hash
    assert h1 == h2 and len(h1) == 64

    class Other(Example):
        def define(self, api):
            p = self.a * self.b
            s = self.xs[0] + 3 * self.xs[1] - 5
            api.assert_equal(p, s)
            api.set_output(self.c, p * s)

    assert compile_circuit(Other(), cache=False).hash != h1


def test_output_used_before_set():
    class Early(Circuit):
        y = Output()
        x = Private()

        def define(self, api):
            z = self.y + self.x
            api.set_output(self.y, self.x * self.x)
            api.assert_equal(z, z)

    cc = compile_circuit(Early(), cache=False)
    with pytest.raises(CircuitError) as e:
        cc.solve({"x": 3})
    assert "before api.set_output" in str(e.value)

    class Late(Circuit):
        y = Output()
        x = Private()

        def define(self, api):
            api.set_output(self.y, self.x * self.x)
            api.assert_equal(self.y * self.x, self.x * self.x * self.x)

    assert compile_circuit(Late(), cache=False).solve({"x": 3}).public == [9]


def test_unconstrained_hint_wires_reported():
    class Lazy(Circuit):
        y = Output()
        x = Private()
        unused = Private()

        def define(self, api):
            h = api.hint(lambda v: v + 1, self.x, name="free")
            g = api.hint(lambda v: v * 2, self.x, name="bound")
            api.assert_equal(g, 2 * self.x)
            api.set_output(self.y, self.x)
            del h

    cc = compile_circuit(Lazy(), cache=False)
    assert [cc.wire_label(int(w)) for w in cc.unconstrained_hint_wires()] == ["free"]
    assert [cc.wire_label(int(w)) for w in cc.unconstrained_wires()] == ["unused", "free"]


def _pair():
    return group(commitment=Public(), new_salt=Private())


def test_declaration_group_takes_the_place_it_is_unpacked_in():
    """A group's signals are laid out where the class body unpacks it, each
    role in order: the same wires as the lines it replaces."""

    class Written(Circuit):
        x = Private()
        commitment = Public()
        new_salt = Private()
        y = Public()

        def define(self, api):
            api.assert_equal(self.commitment, self.x + self.new_salt + self.y)

    class Grouped(Circuit):
        x = Private()
        commitment, new_salt = _pair()
        y = Public()

        def define(self, api):
            api.assert_equal(self.commitment, self.x + self.new_salt + self.y)

    a, b = compile_circuit(Written(), cache=False), compile_circuit(Grouped(), cache=False)
    assert a.layout.describe() == b.layout.describe()
    assert [n for _, n in sorted(b.names.items())] == ["commitment", "y", "x", "new_salt"]
    assert a.hash == b.hash


def test_declaration_group_unpacked_under_other_names_is_refused():
    with pytest.raises((CircuitError, RuntimeError)) as e:

        class Swapped(Circuit):
            new_salt, commitment = _pair()

    err = e.value if isinstance(e.value, CircuitError) else e.value.__cause__
    assert "unpack it as commitment, new_salt" in str(err)
    with pytest.raises(CircuitError, match="'x' is not a signal declaration"):
        group(x=3)
