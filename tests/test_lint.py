"""zkats lint: each kind of finding on deliberately broken circuits, the
determinacy rules on small patterns, and every shipped circuit clean."""

import json
import subprocess
import sys
import textwrap

import pytest

from zkats.circuit import Circuit, Output, Private, list_circuits, load_circuit
from zkats.gadgets.bits import _decompose, num2bits, num2bits_strict, range_check
from zkats.gadgets.comparators import is_zero, less_than
from zkats.lint import lint_circuit, lint_r1cs_file


def make(define, n_in=2, n_out=1, name="Broken", just=None):
    class C(Circuit):
        y = Output(n="n_out")
        x = Private(n="n_in")

        def __init__(self):
            self.n_in, self.n_out = n_in, n_out

        def define(self, api):
            define(self, api)

    C.__name__ = C.__qualname__ = name
    if just:
        C.LINT_JUSTIFICATIONS = just
    return C()


def kinds(rep, unjustified=True):
    return sorted({f.kind for f in (rep.unjustified if unjustified else rep.findings)})


def test_clean_multiplication():
    def d(self, api):
        api.set_output(self.y[0], self.x[0] * self.x[1])

    rep = lint_circuit(make(d))
    assert rep.findings == [] and rep.stats["determined"] == rep.n_wires


def test_unused_input():
    def d(self, api):
        api.set_output(self.y[0], self.x[0] + 1)

    rep = lint_circuit(make(d))
    assert kinds(rep) == ["unused_signal"]
    assert rep.findings[0].wires == ["x[1]"]


def test_unconstrained_hint():
    def d(self, api):
        h = api.hint(lambda a: a + 1, self.x[0], name="free")
        api.set_output(self.y[0], self.x[0] * self.x[1])
        assert h is not None

    rep = lint_circuit(make(d))
    assert kinds(rep) == ["unconstrained_hint"]
    assert rep.findings[0].wires == ["free"]


def test_square_root_hint_is_underdetermined():
    # y^2 == x admits y and -y: the hint output is not determined
    def d(self, api):
        s = api.hint(lambda a: 0, self.x[0], name="sqrt")
        api.assert_product(s, s, self.x[0])
        api.set_output(self.y[0], s + self.x[1])

    rep = lint_circuit(make(d))
    assert kinds(rep) == ["underdetermined"]
    wires = [w for f in rep.findings for w in f.wires]
    assert "sqrt" in wires and "y[0]" in wires


def test_justification_turns_a_finding_into_a_note():
    def d(self, api):
        s = api.hint(lambda a: 0, self.x[0], name="sqrt")
        api.assert_product(s, s, self.x[0])
        api.set_output(self.y[0], s + self.x[1])

    rep = lint_circuit(make(d, just={"sqrt": "either root is fine here", "y[[]*": "same"}))
    assert rep.unjustified == [] and rep.findings
    assert all(f.justified for f in rep.findings)
    assert "either root" in rep.findings[0].justified


def test_comparator_without_range_check():
    def d(self, api):
        range_check(api, self.x[1], 8)
        api.set_output(self.y[0], less_than(api, 8, self.x[0], self.x[1]))

    rep = lint_circuit(make(d))
    assert kinds(rep) == ["comparator_unchecked"]
    assert rep.findings[0].wires == ["x[0]"]


def test_comparator_with_range_checks_and_bits_is_clean():
    def d(self, api):
        range_check(api, self.x[0], 8)
        bits = num2bits(api, self.x[1], 4)
        lt = less_than(api, 8, self.x[0], self.x[1])
        lt2 = less_than(api, 8, bits[0] + 2 * api.lc(bits[1]), 200)  # bounded combination
        lt3 = less_than(api, 9, self.x[0] - 0 + 1, 300)  # 2^8 - 1 + 1 < 2^9
        api.set_output(self.y[0], lt + lt2 + lt3)

    rep = lint_circuit(make(d))
    assert rep.findings == [], rep.text()


def test_comparator_too_narrow_range_check():
    def d(self, api):
        range_check(api, self.x[0], 16)
        range_check(api, self.x[1], 8)
        api.set_output(self.y[0], less_than(api, 8, self.x[0], self.x[1]))

    assert kinds(lint_circuit(make(d))) == ["comparator_unchecked"]


def test_num2bits_determines_its_bits():
    def d(self, api):
        bits = num2bits(api, self.x[0], 253)
        api.set_output(self.y[0], api.sum(bits[:5]) + self.x[1])

    rep = lint_circuit(make(d))
    assert rep.findings == [] and rep.stats["decompositions"] == 1


def test_254_bit_decomposition_aliases_unless_strict():
    def loose(self, api):
        with api.scope("loose"):
            bits = _decompose(api, self.x[0], 254)  # no alias check: x and x + r
        api.set_output(self.y[0], bits[0] + self.x[1])

    rep = lint_circuit(make(loose))
    assert kinds(rep) == ["underdetermined"]
    assert any(f.scope == "loose" for f in rep.findings)

    def strict(self, api):
        bits = num2bits_strict(api, self.x[0])
        api.set_output(self.y[0], bits[0] + self.x[1])

    rep = lint_circuit(make(strict))
    assert rep.unjustified == [], rep.text()
    assert rep.stats["strict_decompositions"] == 1


def test_repeated_power_is_not_a_decomposition():
    # x = b0 + b1 (same weight): bit vectors (1,0) and (0,1) collide
    def d(self, api):
        b = api.hint(lambda a: [a, 0], self.x[0], n_out=2, name="b")
        for v in b:
            api.assert_bool(v)
        api.assert_equal(b[0] + b[1], self.x[0])
        api.set_output(self.y[0], b[0] + self.x[1])

    assert kinds(lint_circuit(make(d))) == ["underdetermined"]


def test_circom_style_bits_with_one_linear_sum():
    def d(self, api):
        b = api.hint(lambda a: [(a >> i) & 1 for i in range(8)], self.x[0], n_out=8, name="b")
        for v in b:
            api.assert_bool(v)
        api.assert_equal(api.sum(b, [1 << i for i in range(8)]), self.x[0])
        api.set_output(self.y[0], b[3] + self.x[1])

    rep = lint_circuit(make(d))
    assert rep.findings == [], rep.text()


def test_linear_algebra_determines_a_pair():
    def d(self, api):
        u, v = api.hint(lambda a, b: [0, 0], self.x[0], self.x[1], n_out=2, name="uv")
        api.assert_equal(u + v, self.x[0])
        api.assert_equal(u - v, self.x[1])
        api.set_output(self.y[0], u * v)

    rep = lint_circuit(make(d))
    assert rep.findings == [], rep.text()
    assert rep.stats["linalg_determined"] == 2


def test_is_zero_inverse_is_a_harmless_note():
    def d(self, api):
        api.set_output(self.y[0], is_zero(api, self.x[0] - self.x[1]))

    rep = lint_circuit(make(d))
    assert rep.findings == [] and rep.stats["free_when_zero"] == 1
    assert any("free only where" in n for n in rep.notes)


def test_division_needs_a_nonzero_divisor():
    def unguarded(self, api):
        api.set_output(self.y[0], api.div(self.x[0], self.x[1]) + 1)

    assert kinds(lint_circuit(make(unguarded))) == ["underdetermined"]

    def guarded(self, api):
        api.inverse(self.x[1])  # x1 != 0
        api.set_output(self.y[0], api.div(self.x[0], self.x[1]) + 1)

    rep = lint_circuit(make(guarded))
    assert rep.findings == [], rep.text()


def test_r1cs_file(tmp_path):
    from zkats.circuit import compile_circuit
    from zkats.formats.r1cs import write_r1cs

    cc = compile_circuit(load_circuit("divmod"), cache=False)
    p = tmp_path / "divmod.r1cs"
    write_r1cs(str(p), cc.r1cs)
    rep = lint_r1cs_file(str(p))
    # no justifications travel with a file: the division is reported
    assert kinds(rep) == ["underdetermined"]


SHIPPED = sorted(list_circuits())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_circuit_has_no_unjustified_finding(name):
    rep = lint_circuit(load_circuit(name))
    assert rep.unjustified == [], rep.text()


def test_cli(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        textwrap.dedent("""
        from zkats.circuit import Circuit, Output, Private
        class Bad(Circuit):
            y = Output()
            a = Private()
            b = Private()
            def define(self, api):
                api.set_output(self.y, self.a + 1)
    """)
    )
    exe = [sys.executable, "-m", "zkats.cli"]
    r = subprocess.run(exe + ["lint", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1 and "unused_signal" in r.stdout and "FINDING" in r.stdout
    r = subprocess.run(exe + ["lint", "multiplier", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["unjustified"] == 0
    r = subprocess.run(exe + ["lint", "no_such_circuit"], capture_output=True, text=True)
    assert (
        r.returncode == 1 and r.stderr.startswith("zkats: error:") and "Traceback" not in r.stderr
    )
