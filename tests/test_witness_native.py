"""The native witness solver (circuit/program.py + native/wsolve.c) against
the Python reference solver: every shipped circuit, random inputs, tampered
hints, Python-only hints, the disk cache and malformed programs."""

import json
import random
from pathlib import Path

import numpy as np
import pytest

from zkats.circuit import (
    Circuit,
    Output,
    Private,
    cache as ccache,
    compile_circuit,
    list_circuits,
    load_circuit,
)
from zkats.circuits.divmod import DivMod
from zkats.errors import CircuitError, InputError, UnsatisfiedConstraint
from zkats.field import R
from zkats.gadgets import babyjubjub, bits, comparators
from zkats.testing.assertions import lying_bits

EXAMPLES = Path(__file__).resolve().parent.parent / "circuits" / "examples"
rng = random.Random(19)


def outcome(cc, inputs, engine, hook=None):
    """('ok', wire values) or (exception type, message) of one solve."""
    try:
        w = cc.solve(inputs, engine=engine, hint_hook=hook)
    except (UnsatisfiedConstraint, CircuitError) as e:
        return type(e).__name__, str(e)
    return "ok", w.values


def same(cc, inputs, hook_factory=None):
    """Both engines give the same witness or the same error; returns it."""
    hooks = (None, None) if hook_factory is None else (hook_factory(), hook_factory())
    py = outcome(cc, inputs, "python", hooks[0])
    nat = outcome(cc, inputs, "native", hooks[1])
    assert nat == py
    return py


def _circuit_of(stem):
    """The registered circuit an example file feeds (transition_seller -> transition)."""
    for cut in range(len(stem.split("_")), 0, -1):
        name = "_".join(stem.split("_")[:cut])
        try:
            return load_circuit(name)
        except (CircuitError, InputError):
            continue
    raise AssertionError(f"no circuit for example {stem}")


_CC = {}


def compiled_for(stem):
    if stem not in _CC:
        _CC[stem] = compile_circuit(_circuit_of(stem))
    return _CC[stem]


EXAMPLE_STEMS = sorted(p.stem for p in EXAMPLES.glob("*.json"))


def test_examples_exist():
    assert len(EXAMPLE_STEMS) >= 7


@pytest.mark.parametrize("stem", EXAMPLE_STEMS)
def test_shipped_examples_native_equals_python(stem):
    cc = compiled_for(stem)
    assert cc.program is not None and cc.program.n_py_hints == 0, "every shipped hint is native"
    inputs = json.loads((EXAMPLES / f"{stem}.json").read_text())
    kind, values = same(cc, inputs)
    assert kind == "ok"
    w = cc.solve(inputs)  # the default engine is native
    assert w.values == values and w.limbs().shape == (cc.n_wires, 4)


@pytest.mark.parametrize("stem", EXAMPLE_STEMS)
def test_shipped_examples_tampered(stem):
    """A changed input (one field of the example moved, chosen at random) and
    lying bit decompositions: same result, same error."""
    cc = compiled_for(stem)
    inputs = json.loads((EXAMPLES / f"{stem}.json").read_text())
    keys = sorted(inputs)
    for k in rng.sample(keys, 1):
        bad = json.loads(json.dumps(inputs))
        v = bad[k]
        while isinstance(v, list):
            v = v[0]
        new = (int(v) + rng.choice([1, R - 1, 2**64])) % R
        if isinstance(bad[k], list):
            holder = bad[k]
            while isinstance(holder[0], list):
                holder = holder[0]
            holder[0] = str(new)
        else:
            bad[k] = str(new)
        same(cc, bad)
        same(cc, bad, hook_factory=lambda: lying_bits([]))


def test_every_shipped_circuit_solves_natively():
    """The venue proves with ``solve``'s default engine: every registered
    circuit (examples or not) has a witness program whose hints all run in
    C, so no shipped circuit falls back to running ``define`` in Python."""
    for name in list_circuits():
        cc = compile_circuit(load_circuit(name))
        assert cc.program is not None and cc.program.n_py_hints == 0, name


def test_unsatisfiable_input_names_constraint_and_signals():
    cc = compile_circuit(DivMod(32), cache=False)
    kind, msg = same(cc, {"a": 5, "b": 0})
    assert kind == "UnsatisfiedConstraint"
    assert msg.startswith("constraint ") and "(from " in msg and "signals: " in msg and "b=0" in msg


def test_multiplier_and_chain_random():
    for name, kw in (("multiplier", {}), ("product_chain", {"n": 40})):
        cc = compile_circuit(load_circuit(name, **kw), cache=False)
        ins = [n for n, role, *_ in cc.layout.entries if role != "output"]
        for _ in range(10):
            inputs = {}
            for n, role, shape, _first, cnt in cc.layout.entries:
                if role == "output":
                    continue
                vals = [rng.randrange(R) for _ in range(cnt)]
                inputs[n] = vals if shape else vals[0]
            assert ins
            same(cc, inputs)


@pytest.fixture(scope="module")
def dm():
    return compile_circuit(DivMod(32), cache=False)


def test_divmod_random_and_forged(dm):
    cases = [(0, 1), (5, 0), (2**32 - 1, 1), (2**32, 3), (3, 2**32), (R - 1, 7), (7, R - 1)]
    cases += [(rng.getrandbits(32), rng.randrange(0, 2**33)) for _ in range(30)]
    for a, b in cases:
        if a >= R or b >= R:
            continue
        same(dm, {"a": a, "b": b})
    for forged in ([141, 13], [(1000 - 3) * pow(7, -1, R) % R, 3], [143, (1000 - 143 * 7) % R]):

        def factory(forged=forged):
            return lambda i, fn, args, outs: forged if fn.__name__ == "divmod_hint" else outs

        kind, msg = same(dm, {"a": 1000, "b": 7}, hook_factory=factory)
        assert kind == "UnsatisfiedConstraint" and "hint_checks" in msg


def test_divmod_large_operands_native_kernel():
    """The divmod kernel on 254-bit operands (the circuit's range checks then
    fail, but the hint values must still agree)."""
    cc = compile_circuit(DivMod(32), cache=False)
    for _ in range(20):
        a, b = rng.randrange(R), rng.choice([rng.randrange(1, R), rng.randrange(1, 2**70)])
        seen = {}

        def factory(seen=seen):
            def hook(i, fn, args, outs):
                seen.setdefault(fn.__name__, []).append(list(outs))
                return outs

            return hook

        same(cc, {"a": a, "b": b}, hook_factory=factory)
        assert seen["divmod_hint"][0] == seen["divmod_hint"][1] == [a // b, a % b]


def test_every_hint_tampered_same_outcome(dm):
    """The mutation test's cheating prover, hint by hint and output by output."""
    shapes = []
    dm.solve({"a": 1000, "b": 7}, hint_hook=lambda i, fn, a, o: shapes.append(len(o)) or o)
    assert len(shapes) > 5
    for i, n_out in enumerate(shapes):
        for j in range(n_out):
            for delta in (1, R - 1):

                def factory(i=i, j=j, delta=delta):
                    def hook(k, fn, args, outs):
                        if k == i:
                            outs = list(outs)
                            outs[j] = (outs[j] + delta) % R
                        return outs

                    return hook

                same(dm, {"a": 1000, "b": 7}, hook_factory=factory)


class _Gadgets(Circuit):
    """inverse, div, is_zero, num2bits, Baby Jubjub subgroup check (all native hints)."""

    out = Output(4)
    x = Private()
    y = Private()
    p = Private(2)

    def define(self, api):
        inv = api.inverse(api.add(self.x, 1))
        q = api.div(self.x, self.y)
        z = comparators.is_zero(api, self.y)
        bs = bits.num2bits(api, self.x, 253)
        babyjubjub.assert_babyjub_in_subgroup(api, self.p)
        api.set_output(self.out[0], inv)
        api.set_output(self.out[1], q)
        api.set_output(self.out[2], z)
        api.set_output(self.out[3], api.sum(bs))


def test_gadget_hints_random():
    cc = compile_circuit(_Gadgets(), cache=False)
    assert cc.program.n_py_hints == 0
    g = babyjubjub.BASE8
    pts = [g, babyjubjub.babyjub_mul_plain(g, 12345), (0, 1), (1, 2), (5, 0)]
    for _ in range(12):
        x = rng.choice([0, R - 1, rng.randrange(R), rng.getrandbits(20)])
        y = rng.choice([0, 1, rng.randrange(R)])
        p = rng.choice(pts)
        kind, _ = same(cc, {"x": x, "y": y, "p": list(p)})
        if p in pts[:3] and x < 2**253 and (y or not x):
            assert kind == "ok"
    for i in range(6):

        def factory(i=i):
            return lambda k, fn, args, outs: [(o + 3) % R for o in outs] if k == i else outs

        same(cc, {"x": 11, "y": 5, "p": list(g)}, hook_factory=factory)


class _PyHint(Circuit):
    """A hint with no native twin (a closure), nested arguments and a constant."""

    s = Output()
    xs = Private(3)

    def define(self, api):
        def isqrt_sum(vals, k):
            t = sum(vals) + k
            if t > 10**6:
                raise ValueError("too large")
            r = int(t**0.5)
            return [r, t - r * r]

        r, rest = api.hint(isqrt_sum, list(self.xs), 7, n_out=2)
        api.assert_equal(api.add(api.square(r), rest), api.add(api.sum(self.xs), 7))
        api.set_output(self.s, r)


def test_python_hint_fallback():
    cc = compile_circuit(_PyHint(), cache=False)
    assert cc.program.n_py_hints == 1
    kind, vals = same(cc, {"xs": [1, 2, 6]})
    assert kind == "ok" and vals[1] == 4
    kind, msg = same(cc, {"xs": [10**6, 1, 2]})
    assert kind == "CircuitError" and "isqrt_sum failed" in msg and "ValueError" in msg
    same(cc, {"xs": [1, 2, 6]}, hook_factory=lambda: lambda i, fn, a, o: [3, 7])
    kind, msg = same(cc, {"xs": [1, 2, 6]}, hook_factory=lambda: lambda i, fn, a, o: [3])
    assert "returned 1 values" in msg


def test_output_read_before_set_is_not_replayed():
    class Early(Circuit):
        o = Output()
        x = Private()

        def define(self, api):
            api.assert_equal(self.o, self.x)
            api.set_output(self.o, self.x)

    cc = compile_circuit(Early(), cache=False)
    assert cc.program is None
    with pytest.raises(CircuitError, match="before api.set_output"):
        cc.solve({"x": 3})


def test_program_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKATS_CACHE", str(tmp_path))
    first = compile_circuit(DivMod(16))
    again = compile_circuit(DivMod(16))
    assert again.program is not None and not again.program.has_functions
    assert again.program.same_code(first.program)
    assert again.solve({"a": 100, "b": 7}).public == [14, 2, 100]
    # a hook needs the hints' functions: the cached program is traced again once
    seen = []
    again.solve({"a": 100, "b": 7}, hint_hook=lambda i, fn, a, o: seen.append(fn.__name__) or o)
    assert "divmod_hint" in seen and again.program.has_functions
    # a corrupted program in the cache entry is not used: the circuit is recompiled
    (entry,) = tmp_path.glob("circuit-*.npz")
    with np.load(entry) as z:
        arrays = dict(z)
    arrays["prog_code"] = arrays["prog_code"].copy()
    arrays["prog_code"][1] += 1
    np.savez(entry, **arrays)
    third = compile_circuit(DivMod(16))
    assert third.program.has_functions  # recompiled, not loaded
    assert third.solve({"a": 100, "b": 7}).public == [14, 2, 100]
    assert ccache.cache_dir() == tmp_path


def _ops(code):
    """(pc, opcode) of each operation of a program."""
    pc, out = 0, []
    while pc < len(code):
        op = int(code[pc])
        out.append((pc, op))
        if op == 3:
            n_in = int(code[pc + 5])
            pc += 7 + n_in + int(code[pc + 6 + n_in])
        else:
            pc += {1: 4, 2: 3, 4: 5}[op]
    return out


def test_malformed_program_is_refused():
    cc = compile_circuit(DivMod(8), cache=False)
    prog = cc.program
    ops = _ops(prog.code)
    mul = next(pc for pc, op in ops if op == 1)
    hint = next(pc for pc, op in ops if op == 3)
    lc = next(pc for pc, op in ops if op == 2)
    check = next(pc for pc, op in ops if op == 4)
    n_lc = len(prog.lc_base)
    tampers = [
        (mul + 1, cc.n_wires),  # a wire that does not exist
        (mul + 2, n_lc),  # a linear combination that does not exist
        (hint + 3, cc.n_wires - 1),  # outputs past the last wire
        (hint + 1, 77),  # an unknown hint kind
        (hint + 5, 10**6),  # inputs past the end of the code
        (lc + 2, 10**9),  # a linear combination that does not exist
        (check + 4, -5),  # a negative index
        (0, 99),  # an unknown operation
    ]
    for at, value in tampers:
        code = prog.code.copy()
        code[at] = value
        saved, prog.code = prog.code, code
        cc._native = None
        try:
            with pytest.raises(CircuitError, match="malformed"):
                cc.solve({"a": 100, "b": 7}, engine="native")
        finally:
            prog.code = saved
            cc._native = None
    # a combination extending itself, terms past the table, a term's wire out of range
    for arr, at, value in (
        ("lc_base", n_lc - 1, n_lc - 1),
        ("lc_ptr", n_lc, 10**7),
        ("lc_col", 0, cc.n_wires),
        ("lc_cid", 0, len(prog.coeffs)),
    ):
        tampered = getattr(prog, arr).copy()
        tampered[at] = value
        saved = getattr(prog, arr)
        setattr(prog, arr, tampered)
        cc._native = None
        try:
            with pytest.raises(CircuitError, match="malformed"):
                cc.solve({"a": 100, "b": 7}, engine="native")
        finally:
            setattr(prog, arr, saved)
            cc._native = None
    assert cc.solve({"a": 100, "b": 7}).public == [14, 2, 100]


def test_unknown_engine():
    cc = compile_circuit(DivMod(8), cache=False)
    with pytest.raises(CircuitError, match="engine"):
        cc.solve({"a": 1, "b": 1}, engine="wasm")


def test_value_dependent_define_is_solved_in_python():
    class Peeks(Circuit):
        x = Private()

        def define(self, api):
            if api.is_solving and api.value(self.x) == 1:
                api.square(self.x)

    cc = compile_circuit(Peeks(), cache=False)
    assert cc.program is None
    with pytest.raises(CircuitError, match="different circuit"):
        cc.solve({"x": 1})


def test_concurrent_solves_of_one_circuit():
    """The C solver runs without the GIL: solves of one compiled circuit in
    several threads each get their own scratch."""
    from concurrent.futures import ThreadPoolExecutor

    cc = compile_circuit(DivMod(32), cache=False)
    cases = [(rng.getrandbits(32), rng.randrange(1, 2**32)) for _ in range(40)]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda ab: cc.solve({"a": ab[0], "b": ab[1]}).public, cases))
    assert got == [[a // b, a % b, a] for a, b in cases]


class _Batched(Circuit):
    """Independent inversions (two division chains, is-zero tests, a point
    addition's two coordinates) that the schedule batches, with a Python
    hint reading them in between and divisions that may meet zero."""

    out = Output(5)
    xs = Private(6)

    def define(self, api):
        xs = [api.lc(x) for x in self.xs]
        c1, c2 = xs[0], xs[1]
        for i in range(4):
            c1 = api.div(c1 + i, xs[2] + i)  # chain 1 (b = 0 and a != 0: unsatisfiable)
            c2 = api.div(c2 * 3 + 1, xs[3] * (i + 2) + 5)  # chain 2, independent of chain 1
        zs = [comparators.is_zero(api, x) for x in xs]  # inversions of maybe-zero values
        (h,) = [api.hint(lambda a, b: (a * 7 + b) % R, c1, c2)]  # Python, between batches
        q = api.div(h + 1, c2 + xs[4])
        api.set_output(self.out[0], c1)
        api.set_output(self.out[1], c2)
        api.set_output(self.out[2], api.sum(zs))
        api.set_output(self.out[3], q)
        api.set_output(self.out[4], h)


def test_batched_inversions_schedule():
    """The schedule puts independent inversions into batches (one field
    inversion each) and solves exactly as the Python solver, including zero
    denominators and unsatisfiable divisions; the hook path (program order,
    no schedule) agrees too."""
    cc = compile_circuit(_Batched(), cache=False)
    nat = cc._native_program()
    sched = nat._sched[: nat._p.n_sched]
    batches = -sched[sched < 0]
    n_inv = sum(
        1 for pc, op in _ops(cc.program.code) if op == 3 and cc.program.code[pc + 1] in (2, 3)
    )
    assert nat._max_batch >= 8 and batches.sum() == n_inv and len(batches) < n_inv
    ops = _ops(cc.program.code)
    assert sorted(int(x) for x in sched if x >= 0) == [pc for pc, _ in ops]  # each op once
    checks = [pc for pc, op in ops if op == 4]
    assert [int(x) for x in sched[-len(checks) :]] == checks  # the checks last, in order
    cases = [
        [3, 4, 5, 6, 7, 8],
        [0, 0, 1, 0, 0, 1],  # zeros in the batches: is_zero, 0/0 divisions
        [0, 9, R - 1, R - 5, 2, 0],
        [1, 2, 0, 3, 4, 5],  # xs[2] = 0: chain 1 divides 1 by 0: unsatisfiable
    ]
    cases += [[rng.choice([0, 1, rng.randrange(R)]) for _ in range(6)] for _ in range(10)]
    kinds = set()
    for xs in cases:
        kind, vals = same(cc, {"xs": xs})
        kinds.add(kind)
        same(cc, {"xs": xs}, hook_factory=lambda: lambda i, fn, a, o: o)
        if kind == "ok":
            assert vals[3] == sum(1 for x in xs if x == 0)  # wire 0 is one, then out
    assert kinds == {"ok", "UnsatisfiedConstraint"}


class _Folded(Circuit):
    """Circuits whose combinations reference earlier ones (program.py): the
    state of a Poseidon of width 3 through its partial rounds and the
    accumulators of a scalar multiplication."""

    h = Output()
    x = Private(2)
    k = Private()
    p = Private(2)

    def define(self, api):
        from zkats.gadgets.poseidon_hash import poseidon

        ks = bits.num2bits(api, self.k, 24)
        q = babyjubjub.babyjub_mul_subgroup(api, ks, list(self.p))
        api.set_output(self.h, poseidon(api, [self.x[0], self.x[1], q[0], q[1]]))


def _with_refs():
    cc = compile_circuit(_Folded(), cache=False)
    col = np.asarray(cc.program.lc_col)
    assert (col < 0).sum() > 10, "the program references earlier combinations"
    return cc


def test_referenced_combinations_native_equals_python():
    from zkats.gadgets.poseidon_hash import poseidon_plain

    cc = _with_refs()
    g = babyjubjub.babyjub_mul_plain(babyjubjub.BASE8, 777)
    for _ in range(6):
        x = [rng.randrange(R), rng.choice([0, 1, rng.randrange(R)])]
        k = rng.getrandbits(24)
        kind, values = same(cc, {"x": x, "k": k, "p": list(g)})
        assert kind == "ok"
        q = babyjubjub.babyjub_mul_plain(g, k)
        assert values[1] == poseidon_plain([x[0], x[1], q[0], q[1]])
    # off the gadget's precondition (a point off the curve): still the same
    # witness or the same error from both engines
    same(cc, {"x": [1, 2], "k": 5, "p": [1, 2]})


def test_malformed_references_are_refused():
    """Every reference turned to itself, to a later combination or past the
    table, or placed after a wire term: the native solver refuses the
    program (each case applied to all references: only the combinations an
    operation needs are ever evaluated)."""
    cc = _with_refs()
    prog = cc.program
    col, ptr = prog.lc_col, prog.lc_ptr
    refs = np.flatnonzero(col < 0)
    owner = np.searchsorted(ptr, refs, side="right") - 1  # each reference's combination

    def itself(t):
        t[refs] = -(owner + 1)

    def later(t):
        t[refs] = -(owner + 2)

    def beyond(t):
        t[refs] = -(10**9)

    def not_leading(t):
        for i, l in zip(refs, owner):
            last = ptr[l + 1] - 1
            if col[last] >= 0:
                t[i], t[last] = col[last], col[i]

    inputs = {"x": [3, 4], "k": 9, "p": list(babyjubjub.BASE8)}
    for tamper in (itself, later, beyond, not_leading):
        tampered = col.copy()
        tamper(tampered)
        prog.lc_col = tampered
        cc._native = None
        try:
            with pytest.raises(CircuitError, match="malformed"):
                cc.solve(inputs, engine="native")
        finally:
            prog.lc_col = col
            cc._native = None
    assert cc.solve(inputs, engine="native").values == cc.solve(inputs, engine="python").values
