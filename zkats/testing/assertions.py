"""Soundness assertions for circuit and gadget tests (plain ``assert``s: no test
framework needed).

``assert_unsat``            the constraints reject the inputs (optionally: also
                            when the prover lies in its bit decompositions);
``assert_native_rejects``   the native check of a statement rejects it with an
                            :class:`~zkats.errors.InputError`;
``tamper_each_hint``        every hint output, moved by one, is rejected or
                            changes no public output;
``assert_hints_constrained`` every hint wire of a witness is pinned by a constraint;
``solve_both``              one solve by the native witness solver and by the
                            Python reference: the same witness or the same error.

Every solve with forged hints here runs on both solvers (``solve_both``).
"""

import random
import re

from ..errors import CircuitError, InputError, UnsatisfiedConstraint
from ..field import R
from ..gadgets.bits import BitsHint
from .harness import hint_shapes


def lying_bits(values):
    """A hint hook for tampered witnesses: every bit-decomposition hint whose
    input does not fit (value >= 2^n, e.g. a negative difference) returns the
    low bits instead, so each bit is boolean and only the recomposition can
    catch the lie.  ``values`` collects the lied-about inputs."""

    def hook(i, fn, args, outs):
        if isinstance(fn, BitsHint) and args:
            n = fn.n + 1
            x = args[0]
            if x >> n:
                values.append(x)
                return [(x >> k) & 1 for k in range(n - 1)]
        return outs

    return hook


def solve_both(cc, inputs, hint_hook=None):
    """``cc.solve(inputs, hint_hook=...)`` by the native witness solver and by
    the Python reference solver (``define`` run again); asserts that both
    give the same witness or the same error (type and message), then
    returns the witness or raises that error.  ``hint_hook`` is called by
    both solves (a hook that records what it sees records it twice)."""
    got = []
    for engine in ("python", "native"):
        try:
            w = cc.solve(inputs, hint_hook=hint_hook, engine=engine)
        except (UnsatisfiedConstraint, CircuitError) as exc:
            got.append((type(exc).__name__, str(exc), exc))
        else:
            got.append(("ok", w.values, w))
    (py_kind, py_val, _), (kind, val, result) = got
    if (py_kind, py_val) != (kind, val):
        show = [v if k != "ok" else "a witness" for k, v in ((py_kind, py_val), (kind, val))]
        raise AssertionError(
            f"{cc.name}: the native solver and the Python reference disagree: "
            f"native {kind} ({show[1]}), Python {py_kind} ({show[0]})"
        )
    if kind != "ok":
        raise result
    return result


def _solve_error(cc, inputs, hint_hook=None):
    try:
        if hint_hook is None:
            cc.solve(inputs)
        else:
            solve_both(cc, inputs, hint_hook)
    except UnsatisfiedConstraint as exc:
        return str(exc)
    raise AssertionError("the constraints accepted the inputs")


def assert_unsat(cc, inputs, scope=None, lie=False):
    """The inputs are rejected by the constraints (the error names ``scope``);
    with ``lie``, also when the prover lies in its bit-decomposition hints
    (the tampered-hint witness of a failing range check or comparison,
    solved by both solvers: :func:`solve_both`).  Returns the error message."""
    msg = _solve_error(cc, inputs)
    if scope is not None:
        assert scope in msg, msg
    if lie:
        lies: list[int] = []
        lied = _solve_error(cc, inputs, hint_hook=lying_bits(lies))
        assert lies, "no bit decomposition was lied about"
        if scope is not None:
            assert scope in lied, lied
    return msg


def assert_native_rejects(check, pub, prv, match):
    """``check(pub, prv)`` (a statement's native check) raises an
    :class:`~zkats.errors.InputError` whose message matches the regex ``match``."""
    try:
        check(pub, prv)
    except InputError as exc:
        assert re.search(match, str(exc)), f"{match!r} not found in {str(exc)!r}"
        return str(exc)
    raise AssertionError(f"the native check accepted the statement (expected {match!r})")


def tamper_each_hint(cc, xs, delta=1, max_outputs=None):
    """Tamper every output of every hint (one at a time) of the gadget circuit
    ``cc`` solved on ``{"x": xs}``: the constraints must either reject the
    witness or leave every public output unchanged (each tampered witness
    solved by both solvers: :func:`solve_both`).  Returns how many
    tamperings were caught by a constraint."""
    inputs = {"x": list(xs)}
    honest = cc.solve(inputs).public
    caught = 0
    for i, n_out in enumerate(hint_shapes(cc, inputs)):
        for j in range(n_out if max_outputs is None else min(n_out, max_outputs)):

            def hook(k, fn, args, outs, i=i, j=j):
                if k == i:
                    outs = list(outs)
                    outs[j] = (outs[j] + delta) % R
                return outs

            try:
                w = solve_both(cc, inputs, hook)
            except UnsatisfiedConstraint:
                caught += 1
            else:
                assert w.public == honest, f"tampering hint {i} output {j} changed the outputs"
    return caught


def assert_hints_constrained(cc, witness, sample=None, seed=0):
    """Tamper with hint outputs of a satisfied witness, one at a time, and
    assert the constraints catch every change (all hint wires, or a random
    sample of ``sample`` of them)."""
    values = list(witness.values)
    assert cc.unsatisfied(values) == []
    wires = [int(w) for w in cc.hint_wires]
    assert wires, "no hint wires to tamper with"
    if sample is not None and len(wires) > sample:
        wires = random.Random(seed).sample(wires, sample)
    for w in wires:
        old = values[w]
        values[w] = (old + 1) % R
        assert cc.unsatisfied(values), f"tampered hint wire {cc.wire_label(w)} went unnoticed"
        values[w] = old
