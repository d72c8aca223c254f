"""Baby Jubjub: plain arithmetic vs circomlibjs, in-circuit gadgets."""

import pytest

from gadget_vectors import load, point
from zkats.errors import InputError
from zkats.field import R
from zkats.gadgets import (
    BASE8,
    GENERATOR,
    babyjub_add_plain,
    babyjub_mul_plain,
    babyjub_on_curve_plain,
)
from zkats.gadgets.babyjubjub import (
    IDENTITY,
    L,
    babyjub_check_point,
    babyjub_in_subgroup_plain,
    babyjub_pack,
    babyjub_unpack,
    from_montgomery,
    montgomery_add,
    to_montgomery,
)

BASES = {"Base8": BASE8, "Generator": GENERATOR}


def test_constants():
    assert babyjub_on_curve_plain(BASE8) and babyjub_on_curve_plain(GENERATOR)
    assert babyjub_mul_plain(GENERATOR, 8) == BASE8
    assert babyjub_mul_plain(BASE8, L) == IDENTITY
    assert babyjub_mul_plain(GENERATOR, L) != IDENTITY


def test_mul_vectors():
    for v in load("circomlibjs.json")["babyjub_mul"]:
        assert babyjub_mul_plain(BASES[v["base"]], int(v["k"])) == point(v["result"]), v


def test_add_and_pack_vectors():
    vec = load("circomlibjs.json")
    for v in vec["babyjub_add"]:
        assert babyjub_add_plain(point(v["p"]), point(v["q"])) == point(v["result"])
    for v in vec["babyjub_pack"]:
        p = point(v["point"])
        assert babyjub_pack(p).hex() == v["packed"]
        assert babyjub_unpack(bytes.fromhex(v["packed"])) == p
        assert babyjub_in_subgroup_plain(p) == v["in_subgroup"]


def test_edge_cases():
    assert babyjub_add_plain(IDENTITY, BASE8) == BASE8
    assert babyjub_add_plain(BASE8, (R - BASE8[0], BASE8[1])) == IDENTITY
    assert not babyjub_on_curve_plain((1, 2))
    assert not babyjub_on_curve_plain((BASE8[0] + R, BASE8[1]))
    with pytest.raises(InputError):
        babyjub_check_point((1, 2), "pubkey")
    with pytest.raises(InputError):
        babyjub_check_point(GENERATOR, "pubkey")  # order 8L, not in the subgroup
    with pytest.raises(InputError):
        babyjub_unpack(b"\x00" * 31)
    p, q = babyjub_mul_plain(BASE8, 1234), babyjub_mul_plain(BASE8, 98765)
    assert from_montgomery(montgomery_add(to_montgomery(p), to_montgomery(q))) == babyjub_add_plain(
        p, q
    )


# ------------------------------------------------------------- in circuit
import secrets  # noqa: E402

from zkats.circuit import Circuit, Output, Private, compile_circuit  # noqa: E402
from zkats.errors import UnsatisfiedConstraint  # noqa: E402
from zkats.gadgets.babyjubjub import (  # noqa: E402
    assert_babyjub_on_curve,
    babyjub_add,
    babyjub_double,
    babyjub_msm_fixed,
    babyjub_mul,
    babyjub_mul_fixed,
    babyjub_mul_subgroup,
)
from zkats.gadgets.bits import num2bits  # noqa: E402
from zkats.testing import assert_hints_constrained  # noqa: E402


class AddDouble(Circuit):
    s = Output(n=2)
    d = Output(n=2)
    p = Private(n=2)
    q = Private(n=2)

    def define(self, api):
        assert_babyjub_on_curve(api, self.p)
        assert_babyjub_on_curve(api, self.q)
        s = babyjub_add(api, self.p, self.q)
        d = babyjub_double(api, self.p)
        for i in range(2):
            api.set_output(self.s[i], s[i])
            api.set_output(self.d[i], d[i])


def test_add_double_in_circuit():
    cc = compile_circuit(AddDouble(), cache=False)
    assert cc.counts_by_scope(depth=1) == {
        "(top)": 4,
        "babyjub_on_curve": 6,
        "babyjub_add": 6,
        "babyjub_double": 5,
    }
    for v in load("circomlibjs.json")["babyjub_add"]:
        p, q = point(v["p"]), point(v["q"])
        w = cc.solve({"p": list(p), "q": list(q)})
        assert tuple(w.public[:2]) == point(v["result"])
        assert tuple(w.public[2:4]) == babyjub_add_plain(p, p)
    # identity and a point plus its negative
    w = cc.solve({"p": list(BASE8), "q": [R - BASE8[0], BASE8[1]]})
    assert tuple(w.public[:2]) == IDENTITY
    assert_hints_constrained(cc, w)
    with pytest.raises(UnsatisfiedConstraint):
        cc.solve({"p": [1, 2], "q": list(BASE8)})  # p off the curve


class FixedMul(Circuit):
    o = Output(n=2)
    k = Private()

    def __init__(self, nbits, base):
        self.nbits, self.base = nbits, base

    def define(self, api):
        x, y = babyjub_mul_fixed(api, num2bits(api, self.k, self.nbits), self.base)
        api.set_output(self.o[0], x)
        api.set_output(self.o[1], y)


class VarMul(Circuit):
    o = Output(n=2)
    k = Private()
    p = Private(n=2)

    def __init__(self, nbits, complete=False):
        self.nbits, self.complete = nbits, complete

    def define(self, api):
        f = babyjub_mul if self.complete else babyjub_mul_subgroup
        x, y = f(api, num2bits(api, self.k, self.nbits), self.p)
        api.set_output(self.o[0], x)
        api.set_output(self.o[1], y)


@pytest.mark.parametrize("nbits", [1, 2, 3, 4, 64, 251])
def test_fixed_base_mul(nbits):
    cc = compile_circuit(FixedMul(nbits, BASE8), cache=False)
    ks = {0, 1, (1 << nbits) - 1, secrets.randbits(nbits)}
    if nbits == 251:
        ks |= {L - 1, L, L + 1}
    for k in ks:
        w = cc.solve({"k": k})
        assert tuple(w.public[:2]) == babyjub_mul_plain(BASE8, k)
    assert_hints_constrained(cc, w, sample=12)


def test_fixed_base_counts_pinned():
    assert (
        compile_circuit(FixedMul(64, BASE8), cache=False).counts_by_scope(1)["babyjub_fixed_msm"]
        == 131
    )
    assert (
        compile_circuit(FixedMul(251, BASE8), cache=False).counts_by_scope(1)["babyjub_fixed_msm"]
        == 509
    )


def test_fixed_base_rejects_bad_base():
    with pytest.raises(InputError):
        compile_circuit(FixedMul(8, GENERATOR), cache=False)  # not in the subgroup


@pytest.mark.parametrize("complete", [False, True])
def test_var_base_mul(complete):
    nbits = 253 if not complete else 16
    cc = compile_circuit(VarMul(nbits, complete), cache=False)
    p = babyjub_mul_plain(BASE8, secrets.randbelow(L))
    for k in {0, 1, 2, (1 << nbits) - 1, secrets.randbits(nbits)}:
        if k >= R:
            continue
        w = cc.solve({"k": k, "p": list(p)})
        assert tuple(w.public[:2]) == babyjub_mul_plain(p, k)
    assert_hints_constrained(cc, w, sample=12)
    if not complete:
        assert cc.counts_by_scope(1)["babyjub_var_mul"] == 2280  # 9 per bit + 7


def test_msm_two_bases():
    from zkats.gadgets.pedersen import blinding_generator

    class Msm(Circuit):
        o = Output(n=2)
        a = Private()
        b = Private()

        def define(self, api):
            x, y = babyjub_msm_fixed(
                api,
                [
                    (num2bits(api, self.a, 10), BASE8),
                    (num2bits(api, self.b, 200), blinding_generator()),
                ],
            )
            api.set_output(self.o[0], x)
            api.set_output(self.o[1], y)

    cc = compile_circuit(Msm(), cache=False)
    a, b = 1000, secrets.randbits(200)
    w = cc.solve({"a": a, "b": b})
    assert tuple(w.public[:2]) == babyjub_add_plain(
        babyjub_mul_plain(BASE8, a), babyjub_mul_plain(blinding_generator(), b)
    )


def test_assert_in_subgroup():
    from zkats.gadgets.babyjubjub import assert_babyjub_in_subgroup

    class Sub(Circuit):
        p = Private(n=2)

        def define(self, api):
            assert_babyjub_in_subgroup(api, self.p)

    cc = compile_circuit(Sub(), cache=False)
    assert cc.n_constraints == 20
    from zkats.lint import lint_circuit

    Sub.LINT_JUSTIFICATIONS = {"*babyjub_in_subgroup*": "any preimage of p under [8] will do"}
    rep = lint_circuit(Sub())
    assert rep.findings and not rep.unjustified
    for k in (0, 1, L - 1, secrets.randbelow(L)):
        w = cc.solve({"p": list(babyjub_mul_plain(BASE8, k))})
    assert_hints_constrained(cc, w)
    t8 = babyjub_mul_plain(GENERATOR, L)  # order 8
    for bad in (GENERATOR, t8, babyjub_add_plain(BASE8, t8), (0, R - 1), (1, 2)):
        with pytest.raises(UnsatisfiedConstraint):
            cc.solve({"p": list(bad)})


def test_complete_var_mul_matches_circomlibjs_on_full_group():
    # babyjub_mul accepts any curve point, e.g. circomlibjs' Generator (order 8L)
    cc = compile_circuit(VarMul(253, complete=True), cache=False)
    n = 0
    for v in load("circomlibjs.json")["babyjub_mul"]:
        k = int(v["k"])
        if v["base"] == "Generator" and k < 1 << 253:
            w = cc.solve({"k": k, "p": list(GENERATOR)})
            assert tuple(w.public[:2]) == point(v["result"])
            n += 1
    assert n >= 5
