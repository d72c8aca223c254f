"""``zkats lint``: a static analysis of a compiled constraint system.

It looks for the four classic ways a circuit lets a cheating prover choose
values the statement was meant to fix:

``unused_signal``
    a declared input/output or internal wire that appears in no constraint;
``unconstrained_hint``
    a hint output that appears in no constraint (the prover may put
    anything there);
``underdetermined``
    a wire that the constraints do not pin down once every input (public
    and private) is fixed.  This is the property checkers such as Picus
    verify: outputs and internal wires must be functions of the inputs.
    Private inputs are the prover's to choose and are never reported here;
    an input that no constraint mentions is an ``unused_signal``;
``comparator_unchecked``
    ``less_than``/``less_eq``/``greater_than``/``greater_eq`` (or
    ``assert_in_range`` with signal bounds) called on an input that is not
    shown to fit in the comparator's ``n`` bits (the gadgets' documented
    precondition).

Determinacy is a sound-but-incomplete propagation to a fixpoint, starting
from wire 0 and every input: a wire becomes determined when

* it is the only undetermined wire of a constraint that is linear in the
  undetermined wires (``A`` or ``B`` constant, or both determined), with a
  non-zero coefficient;
* it is the only undetermined wire of ``B`` in ``A * B = C`` where ``A`` and
  ``C`` are determined and ``A`` is known non-zero (some constraint
  ``A * X = c`` with a constant ``c != 0``, e.g. ``api.inverse``);
* it is ``m`` in the is-zero pair ``X * inv = m``, ``X * (1 - m) = 0``;
* it is a bit of a binary decomposition ``x = sum 2^e_i b_i`` of a
  determined ``x`` with every ``b_i`` boolean (``b * (b - 1) = 0``; the top
  bit may be a boolean linear combination as in the DSL's ``num2bits``),
  the exponents distinct and ``sum 2^e_i < r`` (so no two bit vectors give
  the same field element), or 254 bits emitted inside the DSL's
  ``num2bits_strict`` (whose alias check makes them canonical);

then Gaussian elimination over the remaining linear constraints determines
the wires whose unit vector lies in their row space, and the propagation
runs again.  Wires left over are reported, except those that only appear
as ``A * u = C`` with ``A`` and ``C`` determined: ``u`` is free only when
``A = 0`` and then influences nothing (the inverse inside ``is_zero``);
those are listed as notes.

Findings can be justified: a circuit class may carry
``LINT_JUSTIFICATIONS = {pattern: reason}``; a finding whose scope, or every
one of whose wire labels, matches a pattern (``fnmatch``) becomes a
justified note carrying the reason.
"""

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from .circuit import load_circuit
from .circuit.api import Builder
from .circuit.compiled import _compile_fresh
from .circuit.declare import Layout
from .field import R, limbs_to_ints
from .formats.r1cs import read_r1cs

# Divisions whose denominator is non-zero by an argument the R1CS cannot
# show (scope pattern -> the argument), declared beside the gadgets that make
# them (:func:`zkats.gadgets.assumptions.nonzero_denominators`).  Inside a
# matching scope a row ``A * q = C`` with ``A`` and ``C`` determined
# determines ``q``; every use is listed as a note.  Circuits may add their own
# (``LINT_NONZERO``).
from .gadgets.assumptions import NONZERO_ASSUMPTIONS
from .gadgets.bits import STRICT_SCOPE

#: the kinds of finding, in report order
KINDS = ("unused_signal", "unconstrained_hint", "underdetermined", "comparator_unchecked")

#: above this many linear rows/unknowns the Gaussian elimination is skipped
LINALG_LIMIT = 4000

_POW2 = {}
for _k in range(-253, 254):
    _POW2[pow(2, _k, R) if _k >= 0 else pow(pow(2, -_k, R), -1, R)] = _k


@dataclass
class Finding:
    kind: str
    message: str
    wires: list[str] = field(default_factory=list)
    scope: str = ""
    constraint: int | None = None
    justified: str | None = None

    def as_dict(self):
        return {
            "kind": self.kind,
            "message": self.message,
            "wires": self.wires,
            "scope": self.scope,
            "constraint": self.constraint,
            "justified": self.justified,
        }

    def line(self):
        where = f" [{self.scope}]" if self.scope else ""
        row = f" (constraint {self.constraint})" if self.constraint is not None else ""
        tail = f" -- justified: {self.justified}" if self.justified else ""
        return f"{self.kind}{where}{row}: {self.message}{tail}"


@dataclass
class LintReport:
    circuit: str
    n_constraints: int
    n_wires: int
    findings: list[Finding]
    notes: list[str]
    stats: dict

    @property
    def unjustified(self):
        return [f for f in self.findings if not f.justified]

    def as_dict(self):
        return {
            "circuit": self.circuit,
            "constraints": self.n_constraints,
            "wires": self.n_wires,
            "findings": [f.as_dict() for f in self.findings],
            "unjustified": len(self.unjustified),
            "notes": self.notes,
            "stats": self.stats,
        }

    def text(self):
        out = [f"circuit {self.circuit}: {self.n_constraints} constraints, {self.n_wires} wires"]
        s = self.stats
        out.append(
            f"  determined {s['determined']} of {s['n_wires']} wires "
            f"({s['inputs']} inputs given; {s['decompositions']} decompositions, "
            f"{s['linalg_determined']} by linear algebra"
            f"{', linear algebra skipped' if s.get('linalg_skipped') else ''})"
        )
        for f in self.findings:
            out.append("  " + ("note " if f.justified else "FINDING ") + f.line())
        for n in self.notes:
            out.append("  note " + n)
        out.append(
            f"  {len(self.unjustified)} unjustified finding(s), "
            f"{len(self.findings) - len(self.unjustified)} justified"
        )
        return "\n".join(out)


# ------------------------------------------------------------ the system
class _System:
    """The constraint rows as ``{wire: coeff}`` dicts plus labels/scopes."""

    def __init__(
        self,
        name,
        n_wires,
        n_pub_out,
        n_pub_in,
        n_prv_in,
        rows,
        label=None,
        row_scope=None,
        wire_scope=None,
        hint_wires=(),
    ):
        self.name = name
        self.n_wires = n_wires
        self.n_pub_out = n_pub_out
        self.first_internal = 1 + n_pub_out + n_pub_in + n_prv_in
        self.rows = rows
        self.label = label or (lambda w: "one" if w == 0 else f"w{w}")
        self.row_scope = row_scope or (lambda i: "")
        self.wire_scope = wire_scope or (lambda w: "")
        self.hint_wires = set(int(w) for w in hint_wires)


def _rows_from_mats(n, mats, coeff_of):
    rows: list[tuple[dict[int, int], dict[int, int], dict[int, int]]] = [
        ({}, {}, {}) for _ in range(n)
    ]
    for m, (r_, c_, k_) in enumerate(mats):
        for i, w, k in zip(r_.tolist(), c_.tolist(), coeff_of(k_)):
            d = rows[i][m]
            d[w] = (d.get(w, 0) + k) % R
    return rows


def system_of_compiled(cc):
    """A :class:`_System` for a :class:`zkats.circuit.CompiledCircuit`."""
    table = cc.coeff_table
    rows = _rows_from_mats(
        cc.n_constraints, cc.mats, lambda cids: [table[i] for i in cids.tolist()]
    )
    names = cc.scope_names
    cs = cc.constraint_scope
    ws = cc.wire_scope
    fi = cc.first_internal

    def wire_scope(w):
        return names[ws[w - fi]] if w >= fi and w - fi < len(ws) else ""

    return _System(
        cc.name,
        cc.n_wires,
        cc.n_pub_out,
        cc.n_pub_in,
        cc.n_prv_in,
        rows,
        label=cc.wire_label,
        row_scope=lambda i: names[cs[i]],
        wire_scope=wire_scope,
        hint_wires=cc.hint_wires.tolist(),
    )


def system_of_r1cs(r1cs, name="r1cs"):
    """A :class:`_System` for a :class:`zkats.r1cs.R1CS` (e.g. a ``.r1cs`` file)."""
    mats = [(m.rows, m.cols, m.coeffs) for m in (r1cs.A, r1cs.B, r1cs.C)]
    rows = _rows_from_mats(r1cs.n_constraints, mats, limbs_to_ints)
    names = r1cs.names or {}
    origin = r1cs.constraint_origin

    def label(w):
        return "one" if w == 0 else names.get(w, f"w{w}")

    return _System(
        name,
        r1cs.n_wires,
        r1cs.n_pub_out,
        r1cs.n_pub_in,
        r1cs.n_prv_in,
        rows,
        label=label,
        row_scope=(lambda i: origin[i] or "") if origin else None,
    )


# ---------------------------------------------------------------- helpers
def _key(d):
    return tuple(sorted(d.items()))


def _const(d):
    """The constant of an LC with no wire other than 0, else None."""
    if not d:
        return 0
    if len(d) == 1 and 0 in d:
        return d[0]
    return None


def _bool_lc(a, b, c):
    """L if the row is ``L * (L - 1) = 0`` (either order, or ``L * (1 - L)``)."""
    if c:
        return None
    for x, y in ((a, b), (b, a)):
        if not x or _const(x) is not None:
            continue
        d = dict(x)  # x - 1
        d[0] = (d.get(0, 0) - 1) % R
        if not d[0]:
            del d[0]
        if d == y or {w: (-v) % R for w, v in d.items()} == y:
            return x
    return None


def _unique_bits(coeffs):
    """Given the coefficients of boolean unknowns in an equation
    ``sum k_j * b_j = determined``, the exponents if ``k_j = s * 2^e_j`` for
    one ``s`` with distinct ``e_j`` (then returns ``sum 2^e_j``), else None."""
    k0 = coeffs[0]
    inv0 = pow(k0, -1, R)
    ds = []
    for k in coeffs:
        d = _POW2.get(k * inv0 % R)
        if d is None:
            return None
        ds.append(d)
    shift = -min(ds)
    es = [d + shift for d in ds]
    if len(set(es)) != len(es) or max(es) > 253:
        return None
    return sum(1 << e for e in es)


# --------------------------------------------------------------- analysis
def analyse(sys_, assumptions=None):
    """Propagation + linear algebra.  Returns (det bytearray, stats,
    free_when_zero set, occurrences, assumption uses {pattern: count})."""
    n = sys_.n_wires
    assumptions = assumptions or {}
    assumed_scope = {}
    used_assumptions: dict[str, set[int]] = {}

    def assumed(i):
        sc = sys_.row_scope(i)
        if sc not in assumed_scope:
            assumed_scope[sc] = (
                next((p for p in assumptions if fnmatch.fnmatchcase(sc, p)), None) if sc else None
            )
        return assumed_scope[sc]

    rows = sys_.rows
    det = bytearray(n)
    det[0] = 1
    for w in range(1 + sys_.n_pub_out, min(sys_.first_internal, n)):
        det[w] = 1
    occ: list[list[int]] = [[] for _ in range(n)]
    for i, (a, b, c) in enumerate(rows):
        for w in set(a) | set(b) | set(c):
            if w:
                occ[w].append(i)
    boolwire = set()
    bool_rows = {}
    nonzero = set()
    by_side: dict[tuple, list[int]] = {}
    for i, (a, b, c) in enumerate(rows):
        L = _bool_lc(a, b, c)
        if L is not None:
            ws = [w for w in L if w]
            if len(ws) == 1 and (L == {ws[0]: 1} or L == {ws[0]: R - 1, 0: 1}):
                boolwire.add(ws[0])
            else:
                bool_rows[i] = L
        k = _const(c)
        if k:
            nonzero.add(_key(a))
            nonzero.add(_key(b))
        if _const(a) is None and _const(b) is None:
            by_side.setdefault(_key(a), []).append(i)
            by_side.setdefault(_key(b), []).append(i)
    stats = {"decompositions": 0, "strict_decompositions": 0, "linalg_determined": 0}
    counted_dec = set()

    # a row is worth (re)visiting when at most one wire is undetermined, or
    # when every undetermined wire is boolean (a decomposition); counting
    # keeps rows with many terms from being rescanned for every wire
    und = [0] * len(rows)
    und_nonbool = [0] * len(rows)
    for i, (a, b, c) in enumerate(rows):
        for w in set(a) | set(b) | set(c):
            if not det[w]:
                und[i] += 1
                if w not in boolwire:
                    und_nonbool[i] += 1
    inq = bytearray(len(rows))
    queue = []
    for i in range(len(rows)):
        if und[i] and (und[i] <= 1 or not und_nonbool[i]):
            inq[i] = 1
            queue.append(i)

    def mark(w):
        if not det[w]:
            det[w] = 1
            nb = w not in boolwire
            for j in occ[w]:
                und[j] -= 1
                if nb:
                    und_nonbool[j] -= 1
                if und[j] and (und[j] <= 1 or not und_nonbool[j]) and not inq[j]:
                    inq[j] = 1
                    queue.append(j)

    def bits_rule(i, eq, unknown):
        """eq: {wire: coeff} equation sum = determined; unknown wires all boolean."""
        total = _unique_bits([eq[w] for w in unknown])
        if total is None:
            return False
        if total >= R:
            sc = sys_.row_scope(i)
            if STRICT_SCOPE not in sc:
                return False
            if i not in counted_dec:
                stats["strict_decompositions"] += 1
        for w in unknown:
            if w != "L":
                mark(w)
        if i not in counted_dec:
            counted_dec.add(i)
            stats["decompositions"] += 1
        return True

    def process(i):
        a, b, c = rows[i]
        L = bool_rows.get(i)
        if L is not None:
            und = [w for w in L if w and not det[w]]
            if und and all(w in boolwire for w in und):
                # L - sum(undetermined terms) is determined; L itself is a boolean unknown
                eq = {"L": 1}
                for w in und:
                    eq[w] = (-L[w]) % R
                bits_rule(i, eq, ["L"] + und)
            return
        ua = [w for w in a if not det[w]]
        ub = [w for w in b if not det[w]]
        uc = [w for w in c if not det[w]]
        if not ua and not ub:
            if len(uc) == 1:
                mark(uc[0])
            elif uc and all(w in boolwire for w in uc):
                bits_rule(i, c, uc)
            return
        ka, kb = _const(a), _const(b)
        if ka is not None or kb is not None:
            k, other = (ka, b) if ka is not None else (kb, a)
            comb = {w: v * k % R for w, v in other.items()}
            for w, v in c.items():
                comb[w] = (comb.get(w, 0) - v) % R
            und = [w for w, v in comb.items() if v and not det[w]]
            if len(und) == 1:
                mark(und[0])
            elif und and all(w in boolwire for w in und):
                bits_rule(i, comb, und)
            return
        if uc:
            return
        for x, ux, _y, uy in ((a, ua, b, ub), (b, ub, a, ua)):
            if ux or len(uy) != 1:
                continue
            u = uy[0]
            if u in x or u in c:
                continue
            if _key(x) in nonzero:
                mark(u)
                return
            pat = assumed(i) if x is a else None
            if pat is not None:
                used_assumptions.setdefault(pat, set()).add(i)
                mark(u)
                return
            # is-zero pair: X * (affine u) = C and X * anything = affine u
            for j in by_side.get(_key(x), ()):
                if j == i:
                    continue
                cj = rows[j][2]
                if u in cj and all(det[w] for w in cj if w != u):
                    mark(u)
                    return

    def run():
        while queue:
            i = queue.pop()
            inq[i] = 0
            process(i)

    run()
    # linear algebra on what is left, then propagate again (a couple of rounds)
    skipped = False
    for _round in range(3):
        found, skipped = _linalg(rows, det)
        if not found:
            break
        stats["linalg_determined"] += len(found)
        for w in found:
            mark(w)
        run()
    stats["linalg_skipped"] = skipped
    stats["n_wires"] = n
    stats["inputs"] = max(0, min(sys_.first_internal, n) - 1 - sys_.n_pub_out)
    stats["determined"] = sum(det)
    stats["boolean_wires"] = len(boolwire)

    # wires free only where a multiplier is zero and used nowhere else
    fwz = set()
    for w in range(1, n):
        if det[w] or not occ[w]:
            continue
        ok = True
        for i in occ[w]:
            a, b, c = rows[i]
            if w in c or (w in a) == (w in b):
                ok = False
                break
            x, y = (a, b) if w in b else (b, a)
            if (
                any(not det[v] for v in x)
                or any(not det[v] for v in c)
                or any(not det[v] for v in y if v != w)
            ):
                ok = False
                break
        if ok:
            fwz.add(w)
    return det, stats, fwz, occ, used_assumptions


def _linalg(rows, det):
    """Wires fixed by the linear rows restricted to undetermined wires."""
    lin = []
    for a, b, c in rows:
        if all(det[w] for w in a) and all(det[w] for w in b):
            eq = {w: v for w, v in c.items() if not det[w]}
        else:
            ka, kb = _const(a), _const(b)
            if ka is None and kb is None:
                continue
            k, other = (ka, b) if ka is not None else (kb, a)
            comb = {w: v * k % R for w, v in other.items()}
            for w, v in c.items():
                comb[w] = (comb.get(w, 0) - v) % R
            eq = {w: v for w, v in comb.items() if v and not det[w]}
        if len(eq) >= 2:
            lin.append(eq)
    if not lin:
        return [], False
    cols: set[int] = set()
    for eq in lin:
        cols.update(eq)
    if len(lin) > LINALG_LIMIT or len(cols) > LINALG_LIMIT:
        return [], True
    # reduced row echelon form, rows as dicts
    pivots: dict[int, dict[int, int]] = {}  # col -> row dict (pivot coeff 1)
    for eq in lin:
        r_ = dict(eq)
        for p, prow in pivots.items():
            v = r_.get(p)
            if v:
                for w, x in prow.items():
                    r_[w] = (r_.get(w, 0) - v * x) % R
                r_ = {w: x for w, x in r_.items() if x}
        if not r_:
            continue
        p = min(r_)
        inv = pow(r_[p], -1, R)
        r_ = {w: x * inv % R for w, x in r_.items()}
        for q, qrow in pivots.items():
            v = qrow.get(p)
            if v:
                for w, x in r_.items():
                    qrow[w] = (qrow.get(w, 0) - v * x) % R
                pivots[q] = {w: x for w, x in qrow.items() if x}
        pivots[p] = r_
    return [p for p, prow in pivots.items() if len(prow) == 1], False


# ---------------------------------------------------------- comparators
_SOUND = 1 << 253  # integer bounds below this cannot wrap around r


def _lc_bound(lc, bound):
    """An upper bound of the integer value of ``lc`` (non-negative
    coefficients, every wire bounded), or None."""
    total = 0
    for w, v in lc.items():
        if not v:
            continue
        if v >= _SOUND:
            return None
        if w == 0:
            total += v
        elif w in bound:
            total += v * bound[w]
        else:
            return None
    return total


def _propagate_products(rows, bound, rounds=4):
    """Bounds through products and sums: a row ``A * B = w`` (C exactly one
    wire, coefficient 1) with A and B bounded combinations of bounded wires
    bounds w by bound(A) * bound(B) when that is below 2^253 (so the field
    product is the integer product).  A product of a 32-bit and a 40-bit
    range-checked value is then known to fit in 72 bits."""
    for _ in range(rounds):
        changed = False
        for a, b, c in rows:
            cw = [(w, v) for w, v in c.items() if v]
            if len(cw) != 1 or cw[0][1] != 1 or cw[0][0] == 0:
                continue
            w = cw[0][0]
            ba = _lc_bound(a, bound)
            if ba is None:
                continue
            bb = _lc_bound(b, bound)
            if bb is None or ba * bb >= _SOUND:
                continue
            if ba * bb < bound.get(w, _SOUND):
                bound[w] = ba * bb
                changed = True
        if not changed:
            return


def _comparator_findings(sys_, events, boolwire_rows):
    ranged: dict[tuple, int] = {}
    bound: dict[tuple, int] = {}
    for ev in events:
        if ev[0] == "range":
            _, lc, nbits, _scope = ev
            t = {w: v for w, v in lc.t.items() if v}
            k = _key(t)
            ranged[k] = min(ranged.get(k, 999), nbits)
            if len(t) == 1 and next(iter(t.values())) == 1 and 0 not in t:
                w = next(iter(t))
                bound[w] = min(bound.get(w, 1 << 300), (1 << nbits) - 1)
    for w in boolwire_rows:
        bound[w] = min(bound.get(w, 1 << 300), 1)
    _propagate_products(sys_.rows, bound)

    def fits(lc, nbits):
        t = {w: v for w, v in lc.t.items() if v}
        if ranged.get(_key(t), 999) <= nbits:
            return True
        total = 0
        for w, v in t.items():
            if v >= 1 << 253:
                return False
            if w == 0:
                total += v
            elif w in bound:
                total += v * bound[w]
            else:
                return False
        return total < 1 << nbits

    out = []
    for ev in events:
        if ev[0] != "compare":
            continue
        _, kind, nbits, x, y, scope = ev
        for side, lc in (("first", x), ("second", y)):
            if fits(lc, nbits):
                continue
            wires = [sys_.label(w) for w in sorted(lc.t) if w]
            out.append(
                Finding(
                    "comparator_unchecked",
                    f"{kind}(n={nbits}): the {side} input ({' + '.join(wires) or 'constant'}) "
                    f"is not shown to fit in {nbits} bits (range-check it first)",
                    wires,
                    scope,
                )
            )
    return out


# ----------------------------------------------------------------- driver
def _group(sys_, kind, wires, what, occ):
    by_scope: dict[str, list[int]] = {}
    for w in wires:
        by_scope.setdefault(sys_.wire_scope(w), []).append(w)
    out = []
    for scope, ws in sorted(by_scope.items()):
        labels = [sys_.label(w) for w in ws]
        shown = ", ".join(labels[:8]) + (
            f", ... ({len(labels) - 8} more)" if len(labels) > 8 else ""
        )
        row = occ[ws[0]][0] if occ[ws[0]] else None
        out.append(Finding(kind, f"{len(ws)} {what}: {shown}", labels, scope, row))
    return out


def lint_system(sys_, events=None, justifications=None, nonzero=None):
    """Run every check on a :class:`_System`; ``events`` are the DSL's
    ``lint_events`` (comparator calls and range checks), ``justifications``
    a ``{pattern: reason}`` dict, ``nonzero`` extra ``{scope pattern:
    argument}`` non-zero denominators (added to :data:`NONZERO_ASSUMPTIONS`)."""
    assumptions = dict(NONZERO_ASSUMPTIONS)
    assumptions.update(nonzero or {})
    det, stats, fwz, occ, used = analyse(sys_, assumptions)
    n = sys_.n_wires
    findings = []
    unused = [w for w in range(1, n) if not occ[w]]
    hint_unused = [w for w in unused if w in sys_.hint_wires]
    other_unused = [w for w in unused if w not in sys_.hint_wires]
    findings += _group(
        sys_, "unused_signal", other_unused, "signal(s) appear in no constraint", occ
    )
    findings += _group(
        sys_, "unconstrained_hint", hint_unused, "hint output(s) appear in no constraint", occ
    )
    under = [w for w in range(1, n) if not det[w] and occ[w] and w not in fwz]
    findings += _group(
        sys_,
        "underdetermined",
        under,
        "wire(s) not determined by the constraints once the inputs are fixed",
        occ,
    )
    if events:
        boolw = set()
        for a, b, c in sys_.rows:
            L = _bool_lc(a, b, c)
            if L is not None and len(L) == 1 and next(iter(L.values())) == 1 and 0 not in L:
                boolw.add(next(iter(L)))
        findings += _comparator_findings(sys_, events, boolw)
    notes = []
    if fwz:
        notes.append(
            f"{len(fwz)} wire(s) are free only where their multiplier is zero and "
            f"appear in no other constraint (harmless, e.g. is_zero's inverse)"
        )
    if stats["strict_decompositions"]:
        notes.append(
            f"{stats['strict_decompositions']} 254-bit decomposition(s) rely on "
            f"num2bits_strict's alias check"
        )
    used = {p: len(rows_) for p, rows_ in used.items()}
    for pat, cnt in sorted(used.items()):
        notes.append(
            f"{cnt} division(s) in {pat} rely on a non-zero denominator: {assumptions[pat]}"
        )
    stats["nonzero_assumed"] = sum(used.values())
    for f in findings:
        f.justified = _justify(f, justifications or {})
    order = {k: i for i, k in enumerate(KINDS)}
    findings.sort(key=lambda f: (order.get(f.kind, 99), f.scope))
    stats["free_when_zero"] = len(fwz)
    return LintReport(sys_.name, len(sys_.rows), n, findings, notes, stats)


def _justify(f, justs):
    """The reason if the finding's scope matches a pattern, or each of its
    wire labels matches some pattern; None otherwise."""
    for pat, reason in justs.items():
        if f.scope and fnmatch.fnmatchcase(f.scope, pat):
            return str(reason)
    if not f.wires:
        return None
    reasons = []
    for w in f.wires:
        hit = next((str(r) for p, r in justs.items() if fnmatch.fnmatchcase(w, p)), None)
        if hit is None:
            return None
        if hit not in reasons:
            reasons.append(hit)
    return "; ".join(reasons)


def compile_for_lint(circuit):
    """Compile ``circuit`` (an instance) without the cache, keeping the DSL's
    lint events.  Returns (CompiledCircuit, events)."""
    layout = Layout(circuit)
    b = Builder(layout.first_internal)
    b.lint_events = []
    cc = _compile_fresh(circuit, layout, builder=b)
    return cc, b.lint_events


def lint_circuit(circuit, justifications=None):
    """Lint a DSL circuit instance; the class's ``LINT_JUSTIFICATIONS`` (and
    ``justifications``) turn matching findings into justified notes."""
    cc, events = compile_for_lint(circuit)
    justs = dict(getattr(type(circuit), "LINT_JUSTIFICATIONS", {}) or {})
    justs.update(justifications or {})
    return lint_system(
        system_of_compiled(cc),
        events,
        justs,
        dict(getattr(type(circuit), "LINT_NONZERO", {}) or {}),
    )


def lint_r1cs_file(path, justifications=None):
    """Lint a ``.r1cs`` file (no scopes, hints or comparator records)."""
    r = read_r1cs(path)
    return lint_system(system_of_r1cs(r, Path(path).name), None, justifications)


def lint_target(target, params=None):
    """``zkats lint`` target: a registered circuit name, a ``.py`` file or a ``.r1cs`` file."""
    if str(target).endswith(".r1cs"):
        return lint_r1cs_file(target)
    return lint_circuit(load_circuit(target, **(params or {})))
