"""Soundness mutation testing of compiled circuits.

Given a valid witness, change one private wire at a time (a private input
or an internal wire; wire 0 and the public signals are the statement) and
check that the constraints reject the result:

``wires`` mode
    every other wire is kept; the wire is set to a random field element,
    to ``value + 1`` and to ``r - 1``.  Only the constraints that mention
    the wire can change, so only those are re-evaluated (cheap).  A
    mutation that no constraint notices means the wire is free given all
    the others: a finding, unless ``zkats lint`` shows it harmless (the
    wire only appears as ``A * u = C`` with ``A = 0`` here, like
    ``is_zero``'s inverse of 0, and nothing else depends on it).

``hints`` mode
    a hint's outputs are replaced while solving (``solve(hint_hook=...)``),
    so everything computed from them afterwards is recomputed consistently:
    a cheating prover's full witness.  Each output of a bit decomposition
    (a :class:`zkats.gadgets.bits.BitsHint`) is replaced by the bits of the aliased
    value ``x + r``; other hints get one output moved by +1.  The witness
    must be rejected, or leave the public signals and every wire the lint
    does not call harmless unchanged.  With ``cross_check`` (the default)
    each forged witness is solved by the native solver and by the Python
    reference, which must agree (:func:`~.assertions.solve_both`).

Both report counts (wires, mutations, rejected, harmless, survivors).
"""

import random
from dataclasses import dataclass, field

from ..errors import CircuitError, UnsatisfiedConstraint
from ..field import R
from ..gadgets.bits import BitsHint
from ..lint import NONZERO_ASSUMPTIONS, analyse, system_of_compiled
from .assertions import solve_both


@dataclass
class MutationReport:
    circuit: str
    n_wires: int
    n_private: int  # private inputs + internal wires
    wires_tried: int = 0
    mutations: int = 0
    rejected: int = 0
    harmless: int = 0
    survivors: list[tuple] = field(default_factory=list)  # (label, kind, scope)
    hint_calls: int = 0
    hint_calls_tried: int = 0
    hint_mutations: int = 0
    hint_rejected: int = 0
    hint_harmless: int = 0
    hint_inconclusive: int = 0  # a later hint raised on the forged values
    hint_survivors: list[tuple] = field(default_factory=list)  # (hint index, name, what)

    @property
    def findings(self):
        return len(self.survivors) + len(self.hint_survivors)

    HEADER = (
        f"{'circuit':24s} {'wires':>7s} {'private':>7s} {'tried':>6s} {'mutations':>9s} "
        f"{'rejected':>8s} {'harmless':>8s} {'hints':>6s} {'h.tried':>7s} {'h.muts':>6s} "
        f"{'h.rej':>6s} {'h.harm':>6s} {'h.inc':>5s} {'findings':>8s}"
    )

    def row(self):
        return (
            f"{self.circuit:24s} {self.n_wires:7d} {self.n_private:7d} {self.wires_tried:6d} "
            f"{self.mutations:9d} {self.rejected:8d} {self.harmless:8d} "
            f"{self.hint_calls:6d} {self.hint_calls_tried:7d} {self.hint_mutations:6d} "
            f"{self.hint_rejected:6d} {self.hint_harmless:6d} {self.hint_inconclusive:5d} "
            f"{self.findings:8d}"
        )


def _prepare(cc):
    sys_ = system_of_compiled(cc)
    det, stats, fwz, occ, _ = analyse(sys_, NONZERO_ASSUMPTIONS)
    return sys_, fwz, occ


def _row_ok(row, values):
    a, b, c = row
    va = sum(k * values[w] for w, k in a.items())
    vb = sum(k * values[w] for w, k in b.items())
    vc = sum(k * values[w] for w, k in c.items())
    return (va * vb - vc) % R == 0


def _harmless(sys_, fwz, rows_of, values, w):
    """The wire only multiplies determined values that are zero here."""
    if w not in fwz:
        return False
    for i in rows_of:
        a, b, c = sys_.rows[i]
        x = a if w in b else b
        if sum(k * values[v] for v, k in x.items()) % R:
            return False
    return True


def mutate_wires(cc, witness, max_wires=None, seed=0, report=None, prepared=None):
    """``wires`` mode on ``witness`` (a Witness or list of values).  With
    ``max_wires`` a random sample of that many private wires is tried."""
    values = list(witness.values if hasattr(witness, "values") else witness)
    if cc.unsatisfied(values):
        raise UnsatisfiedConstraint("mutate_wires needs a valid witness")
    sys_, fwz, occ = prepared or _prepare(cc)
    rng = random.Random(seed)
    first_private = 1 + cc.n_pub_out + cc.n_pub_in
    cand = list(range(first_private, cc.n_wires))
    rep = report or MutationReport(cc.name, cc.n_wires, len(cand))
    if max_wires is not None and len(cand) > max_wires:
        cand = sorted(rng.sample(cand, max_wires))
    for w in cand:
        v = values[w]
        rep.wires_tried += 1
        muts = [("random", rng.randrange(R)), ("plus1", (v + 1) % R), ("r-1", R - 1)]
        for kind, nv in muts:
            if nv == v:
                continue
            rep.mutations += 1
            values[w] = nv
            ok = all(_row_ok(sys_.rows[i], values) for i in occ[w])
            values[w] = v
            if not ok:
                rep.rejected += 1
            elif _harmless(sys_, fwz, occ[w], values, w):
                rep.harmless += 1
            else:
                rep.survivors.append((sys_.label(w), kind, sys_.wire_scope(w)))
    return rep


def _hint_calls(cc, inputs):
    calls = []

    def hook(i, fn, args, outs):
        calls.append((fn, args, list(outs)))
        return outs

    w = cc.solve(inputs, hint_hook=hook)
    return w, calls


def mutate_hints(cc, inputs, max_calls=None, seed=0, report=None, prepared=None, cross_check=True):
    """``hints`` mode: forge the outputs of hint calls (all, or a random
    sample of ``max_calls``) and re-solve ``inputs`` (with ``cross_check``:
    by both solvers, which must agree)."""
    honest, calls = _hint_calls(cc, inputs)
    sys_, fwz, occ = prepared or _prepare(cc)
    rng = random.Random(seed)
    first_private = 1 + cc.n_pub_out + cc.n_pub_in
    rep = report or MutationReport(cc.name, cc.n_wires, cc.n_wires - first_private)
    rep.hint_calls = len(calls)
    idx = list(range(len(calls)))
    if max_calls is not None and len(idx) > max_calls:
        # always include the decompositions of full field elements (aliasing)
        strict = [i for i in idx if isinstance(calls[i][0], BitsHint) and calls[i][0].full_field]
        rest = [i for i in idx if i not in set(strict)]
        idx = sorted(
            strict[: max_calls // 2]
            + rng.sample(rest, max(0, max_calls - len(strict[: max_calls // 2])))
        )
    for i in idx:
        fn, args, outs = calls[i]
        name = getattr(fn, "__name__", "hint")
        forged = []
        if isinstance(fn, BitsHint) and args and isinstance(args[0], int):
            k = len(outs)
            x = args[0] + R
            what = "alias x+r" if x >> (k + 1) == 0 else "alias x+r (truncated)"
            forged.append((what, [(x >> j) & 1 for j in range(k)]))
        j = rng.randrange(len(outs))
        moved = list(outs)
        moved[j] = (moved[j] + 1) % R
        forged.append((f"output {j} + 1", moved))
        rep.hint_calls_tried += 1
        for what, new in forged:
            if new == outs:
                continue
            rep.hint_mutations += 1

            def hook(k, fn, a, o, i=i, new=new):
                return new if k == i else o

            try:
                w = (
                    solve_both(cc, inputs, hook)
                    if cross_check
                    else cc.solve(inputs, hint_hook=hook)
                )
            except UnsatisfiedConstraint:
                rep.hint_rejected += 1
                continue
            except CircuitError:
                rep.hint_inconclusive += 1
                continue
            if w.public != honest.public:
                rep.hint_survivors.append((i, name, f"{what}: public signals changed"))
                continue
            diff = [x for x in range(len(w.values)) if w.values[x] != honest.values[x]]
            if all(_harmless(sys_, fwz, occ[x], w.values, x) for x in diff):
                rep.hint_harmless += 1
            else:
                labels = ", ".join(sys_.label(x) for x in diff[:4])
                rep.hint_survivors.append((i, name, f"{what}: accepted, wires {labels} differ"))
    return rep


def mutation_test(cc, inputs, max_wires=None, max_calls=None, seed=0, cross_check=True):
    """Both modes on one valid input; returns one :class:`MutationReport`
    (``cross_check``: see :func:`mutate_hints`)."""
    prepared = _prepare(cc)
    w = cc.solve(inputs)
    rep = mutate_wires(cc, w, max_wires=max_wires, seed=seed, prepared=prepared)
    return mutate_hints(
        cc,
        inputs,
        max_calls=max_calls,
        seed=seed,
        report=rep,
        prepared=prepared,
        cross_check=cross_check,
    )
