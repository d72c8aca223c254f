"""Compiled circuits, witnesses, the satisfaction check and the compile cache.

``compile_circuit(instance)`` runs ``define`` in compile mode (or loads the
result from the disk cache) and returns a :class:`CompiledCircuit`;
``CompiledCircuit.solve(inputs)`` runs ``define`` again in solve mode and
returns a :class:`Witness`.
"""

import hashlib
import os
import struct

import numpy as np

from ..errors import CircuitError, InputError, UnsatisfiedConstraint
from ..field import R, ints_to_limbs, limbs_to_ints
from ..r1cs import R1CS, SparseMatrix
from .api import Solver
from .declare import Circuit, Layout
from .program import Tracer, hint_args

_CHECK_CHUNK = 1 << 15


class Witness:
    """All wire values (``values[0] == 1``) as Python ints mod r, or (from the
    native solver) as canonical limbs that become ints only when asked."""

    def __init__(self, values, n_public, limbs=None):
        self._values = values
        self._limbs = limbs
        self.n_public = n_public

    @property
    def values(self):
        if self._values is None:
            self._values = limbs_to_ints(self._limbs)
        return self._values

    @property
    def public(self):
        """Public signals in snarkjs' public.json order (outputs, then public inputs)."""
        if self._values is None:
            return limbs_to_ints(self._limbs[1 : 1 + self.n_public])
        return self.values[1 : 1 + self.n_public]

    def limbs(self):
        """numpy uint64 (n_wires, 4) canonical limbs (for the prover and .wtns)."""
        if self._limbs is None:
            self._limbs = ints_to_limbs(self._values)
        return self._limbs

    def __len__(self):
        return len(self._values) if self._values is not None else self._limbs.shape[0]


class CompiledCircuit:
    """A compiled constraint system plus what is needed to solve witnesses.

    ``mats[m] = (rows, cols, cids)`` (int64 arrays, rows non-decreasing) for
    m = A, B, C; ``coeff_table[cids]`` are the coefficients."""

    def __init__(
        self,
        circuit,
        layout,
        n_wires,
        n_constraints,
        mats,
        coeff_table,
        constraint_scope,
        scope_names,
        wire_scope,
        hint_wires,
        wire_names,
        content_hash=None,
        program=None,
    ):
        self.circuit = circuit
        self.layout = layout
        self.n_wires = n_wires
        self.n_constraints = n_constraints
        self.mats = mats
        self.coeff_table = coeff_table
        self.constraint_scope = constraint_scope
        self.scope_names = scope_names
        self.wire_scope = wire_scope
        self.hint_wires = hint_wires
        self.wire_names = wire_names
        self._coeff_limbs = None
        self._r1cs = None
        self._hint_set = None
        self.program = program  # WitnessProgram (program.py) or None
        self._native = None
        self.hash = content_hash or self._content_hash()

    # ------------------------------------------------------------- shape
    @property
    def name(self):
        return getattr(type(self.circuit), "circuit_name", type(self.circuit).__name__)

    @property
    def n_pub_out(self):
        return self.layout.n_pub_out

    @property
    def n_pub_in(self):
        return self.layout.n_pub_in

    @property
    def n_prv_in(self):
        return self.layout.n_prv_in

    @property
    def n_public(self):
        return self.layout.n_pub_out + self.layout.n_pub_in

    @property
    def first_internal(self):
        return self.layout.first_internal

    def coeff_limbs(self):
        if self._coeff_limbs is None:
            self._coeff_limbs = (
                ints_to_limbs(self.coeff_table) if self.coeff_table else np.zeros((0, 4), np.uint64)
            )
        return self._coeff_limbs

    def _content_hash(self):
        h = hashlib.sha256(b"zkats/r1cs/v1")
        h.update(
            struct.pack(
                "<5q",
                self.n_wires,
                self.layout.n_pub_out,
                self.layout.n_pub_in,
                self.layout.n_prv_in,
                self.n_constraints,
            )
        )
        limbs = self.coeff_limbs()
        for rows, cols, cids in self.mats:
            h.update(struct.pack("<q", rows.shape[0]))
            h.update(np.ascontiguousarray(rows, "<i8").tobytes())
            h.update(np.ascontiguousarray(cols, "<i8").tobytes())
            for s in range(0, cids.shape[0], 1 << 18):
                h.update(np.ascontiguousarray(limbs[cids[s : s + (1 << 18)]], "<u8").tobytes())
        return h.hexdigest()

    @property
    def names(self):
        """wire index -> signal name (declared signals and named internal wires)."""
        out = dict(self.layout.names)
        out.update(self.wire_names)
        return out

    @property
    def r1cs(self):
        """The constraint system as a :class:`zkats.r1cs.R1CS` (built once)."""
        if self._r1cs is None:
            limbs = self.coeff_limbs()
            ms = [
                SparseMatrix(
                    rows.astype(np.int64),
                    cols.astype(np.int64),
                    limbs[cids] if cids.shape[0] else np.zeros((0, 4), np.uint64),
                )
                for rows, cols, cids in self.mats
            ]
            origin = [self.scope_names[i] for i in self.constraint_scope.tolist()]
            self._r1cs = R1CS(
                n_wires=self.n_wires,
                n_pub_out=self.n_pub_out,
                n_pub_in=self.n_pub_in,
                n_prv_in=self.n_prv_in,
                n_constraints=self.n_constraints,
                A=ms[0],
                B=ms[1],
                C=ms[2],
                names=self.names,
                constraint_origin=origin,
            )
        return self._r1cs

    def counts_by_scope(self, depth=None):
        """{scope path: constraints emitted directly in it}; with ``depth``,
        paths are cut to their first ``depth`` components and summed.  The
        top level (no scope) is reported as ``"(top)"``."""
        counts = np.bincount(
            np.asarray(self.constraint_scope, np.int64), minlength=len(self.scope_names)
        )
        out: dict[str, int] = {}
        for sid, n in enumerate(counts.tolist()):
            if not n:
                continue
            path = self.scope_names[sid]
            if depth is not None and path:
                path = "/".join(path.split("/")[:depth])
            key = path or "(top)"
            out[key] = out.get(key, 0) + n
        return out

    def unconstrained_wires(self):
        """Wires (other than wire 0) that appear in no constraint, as a numpy
        array; those from hints are a soundness bug (the prover can put
        anything there), the others are unused inputs."""
        used = np.zeros(self.n_wires, dtype=bool)
        for _, cols, _ in self.mats:
            used[cols] = True
        used[0] = True
        return np.flatnonzero(~used)

    def unconstrained_hint_wires(self):
        """Hint outputs that no constraint mentions (always a bug)."""
        return np.intersect1d(self.unconstrained_wires(), self.hint_wires)

    def wire_label(self, w):
        """A readable name for wire ``w`` (declared name, hint name, or wN@scope)."""
        if w == 0:
            return "one"
        nm = self.layout.names.get(w) or self.wire_names.get(w)
        if nm:
            return nm
        if w >= self.first_internal and w - self.first_internal < len(self.wire_scope):
            sc = self.scope_names[self.wire_scope[w - self.first_internal]]
            if self._hint_set is None:
                self._hint_set = set(self.hint_wires.tolist())
            tag = "hint" if w in self._hint_set else "w"
            return f"{tag}{w}" + (f"@{sc}" if sc else "")
        return f"w{w}"

    # ------------------------------------------------------------- solving
    def solve(self, inputs, check=True, source="input", hint_hook=None, engine=None):
        """Witness for ``inputs`` (circom input.json style: name -> int, decimal
        string or nested list).  Raises InputError for missing, unknown or
        non-canonical inputs, and (with ``check``) UnsatisfiedConstraint for the
        first constraint the inputs violate.  ``hint_hook(i, fn, args, outs)``
        (for tests) may replace the outputs of the i-th hint call.

        ``engine``: ``"native"`` replays the circuit's witness program in C
        (``program.py``), ``"python"`` runs ``define`` again (the reference);
        the default is native when the circuit has a program, unless
        ``ZKATS_SOLVER=python``.  Both give the same witness and errors.
        """
        lay = self.layout
        values = parse_inputs(lay, inputs, source)
        if engine is None:
            engine = os.environ.get("ZKATS_SOLVER", "native")
        if engine not in ("native", "python"):
            raise CircuitError(f"unknown solver engine {engine!r} (native or python)")
        if engine == "native" and self.program is not None:
            return self._solve_native(values, check, hint_hook)
        solver = Solver(lay.first_internal, values)
        solver.n_pub_out = lay.n_pub_out
        solver.names = lay.names
        solver.hint_hook = hint_hook
        _run_define(self.circuit, lay, solver)
        if solver.n_wires != self.n_wires or solver.n_constraints != self.n_constraints:
            raise CircuitError(
                f"{type(self.circuit).__name__}.define built a different circuit when solving "
                f"({solver.n_constraints} constraints/{solver.n_wires} wires vs "
                f"{self.n_constraints}/{self.n_wires} when compiling): define must not branch "
                f"on input values"
            )
        wit = Witness(values, self.n_public)
        if check and solver.first_failure is not None:
            raise self._unsatisfied(solver.first_failure, values)
        return wit

    def witness_program(self, functions=False):
        """The circuit's :class:`~.program.WitnessProgram` (None if it has
        none); with ``functions``, one that knows its hints' Python functions
        (a program loaded from the disk cache is traced again once)."""
        prog = self.program
        if prog is not None and functions and not prog.has_functions:
            t = Tracer(self.layout.first_internal)
            again = _compile_fresh(self.circuit, self.layout, builder=t)
            traced = again.program
            if traced is None or again.hash != self.hash or not traced.same_code(prog):
                raise CircuitError(
                    f"{self.name}: define traced a different witness program than the cached one"
                )
            self.program = prog = traced
        return prog

    def _native_program(self):
        if self._native is None:
            # local import: zkats.bn254 loads the native library; only its users pay
            from ..bn254.wsolve import NativeWitnessProgram

            prog = self.program
            self._native = NativeWitnessProgram(
                self.n_wires,
                prog.code,
                prog.lc_ptr,
                prog.lc_col,
                prog.lc_cid,
                prog.lc_base,
                prog.lc_bcoef,
                ints_to_limbs(prog.coeffs) if prog.coeffs else np.zeros((0, 4), np.uint64),
                prog.io_limbs,
            )
        return self._native

    def _solve_native(self, values, check, hint_hook):

        prog = self.witness_program(functions=hint_hook is not None or self.program.n_py_hints > 0)
        nat = self._native_program()
        fi = self.first_internal
        limbs = np.zeros((self.n_wires, 4), dtype=np.uint64)
        limbs[:fi] = ints_to_limbs([0 if v is None else v for v in values])

        def on_hint(hid, ins, outs, n_out, w0):
            fn = prog.hint_fns[hid]
            name = getattr(fn, "__name__", fn)
            args = hint_args(prog.hint_shapes[hid], ins)
            if outs is None:
                try:
                    outs = fn(*args)
                except Exception as exc:  # the hint's own failure, reported with its place
                    scope = self.scope_names[self.wire_scope[w0 - fi]]
                    raise CircuitError(
                        f"hint {name!s} failed in scope {scope!r}: {type(exc).__name__}: {exc}"
                    ) from exc
                if n_out == 1 and not isinstance(outs, (list, tuple)):
                    outs = [outs]
                outs = list(outs)
            if hint_hook is not None:
                outs = list(hint_hook(hid, fn, args, outs))
            if len(outs) != n_out:
                raise CircuitError(f"hint {name!s} returned {len(outs)} values, expected {n_out}")
            for v in outs:
                if isinstance(v, bool) or not isinstance(v, int):
                    raise CircuitError(f"hint {name!s} returned a {type(v).__name__}, expected int")
            return [v % R for v in outs]

        mont, bad = nat.run(
            limbs, on_hint, stop_at_hints=hint_hook is not None, check=check, n_inputs=fi
        )
        out = nat.canonical(mont)
        if bad is not None:
            raise self._unsatisfied(bad, limbs_to_ints(out))
        return Witness(None, self.n_public, limbs=out)

    # ------------------------------------------------------------- checking
    def _row_entries(self, m, row):
        rows, cols, cids = self.mats[m]
        lo = int(np.searchsorted(rows, row, "left"))
        hi = int(np.searchsorted(rows, row, "right"))
        return [(int(cols[i]), self.coeff_table[int(cids[i])]) for i in range(lo, hi)]

    def explain(self, row, values):
        """One-line description of constraint ``row`` evaluated on ``values``."""
        ents = [self._row_entries(m, row) for m in range(3)]
        evals = [sum(c * values[w] for w, c in e) % R for e in ents]
        scope = self.scope_names[self.constraint_scope[row]] or "(top)"
        wires = []
        for e in ents:
            for w, _ in e:
                if w and w not in wires:
                    wires.append(w)
        shown = ", ".join(f"{self.wire_label(w)}={_fmt(values[w])}" for w in wires[:12])
        if len(wires) > 12:
            shown += f", ... ({len(wires) - 12} more)"
        return (
            f"constraint {row} (from {scope}) is not satisfied: "
            f"A*B = {_fmt(evals[0])}*{_fmt(evals[1])} != C = {_fmt(evals[2])}; "
            f"signals: {shown or 'none'}"
        )

    def _unsatisfied(self, row, values):
        return UnsatisfiedConstraint(self.explain(row, values), index=row)

    def unsatisfied(self, witness, first_only=True):
        """Indices of unsatisfied constraints (all, or just the first)."""
        values = witness.values if isinstance(witness, Witness) else list(witness)
        if len(values) != self.n_wires:
            raise InputError(f"witness has {len(values)} values, the circuit {self.n_wires} wires")
        if values[0] != 1:
            raise UnsatisfiedConstraint("witness value 0 (the constant one) is not 1", index=None)
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
                raise InputError(
                    f"witness value {i} ({self.wire_label(i)}) is not a canonical field element"
                )
        wobj = np.empty(len(values), dtype=object)
        wobj[:] = values
        cobj = np.empty(len(self.coeff_table), dtype=object)
        cobj[:] = self.coeff_table
        bad = []
        n = self.n_constraints
        for start in range(0, n, _CHECK_CHUNK):
            stop = min(n, start + _CHECK_CHUNK)
            ev = [_eval_rows(self.mats[m], wobj, cobj, start, stop) for m in range(3)]
            diff = (ev[0] * ev[1] - ev[2]) % R
            nz = np.flatnonzero(diff != 0)
            if nz.shape[0]:
                bad.extend((nz + start).tolist())
                if first_only:
                    return bad[:1]
        return bad

    def check(self, witness):
        """Raise UnsatisfiedConstraint naming the first unsatisfied constraint,
        its scope and its signals with their values; return True otherwise."""
        bad = self.unsatisfied(witness, first_only=True)
        if bad:
            values = witness.values if isinstance(witness, Witness) else list(witness)
            raise self._unsatisfied(bad[0], values)
        return True


def _fmt(v):
    """A field element for humans: values near r are shown negative (r - 1 as -1)."""
    if v is None:
        return "unset"
    return f"-{R - v}" if v > R - (1 << 64) else str(v)


def _eval_rows(mat, wobj, cobj, start, stop):
    rows, cols, cids = mat
    out = np.zeros(stop - start, dtype=object)
    lo = int(np.searchsorted(rows, start, "left"))
    hi = int(np.searchsorted(rows, stop, "left"))
    if hi <= lo:
        return out
    r = rows[lo:hi]
    prod = cobj[cids[lo:hi]] * wobj[cols[lo:hi]]
    starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
    out[r[starts] - start] = np.add.reduceat(prod, starts)
    return out


# --------------------------------------------------------------- inputs
def _parse_scalar(v, where):
    if isinstance(v, bool):
        raise InputError(f"{where}: booleans are not field elements (use 0 or 1)")
    if isinstance(v, int):
        x = v
    elif isinstance(v, str):
        s = v.strip()
        try:
            x = int(s, 16) if s.lower().startswith(("0x", "-0x")) else int(s, 10)
        except ValueError:
            raise InputError(f"{where}: {v!r} is not a decimal integer") from None
    elif isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        x = int(v)
    else:
        raise InputError(
            f"{where}: expected an integer or a decimal string, got {type(v).__name__}"
        )
    if not 0 <= x < R:
        raise InputError(f"{where}: value is not a canonical field element (needs 0 <= v < r)")
    return x


def _flatten_input(v, shape, where, out):
    if not shape:
        if isinstance(v, (list, tuple)):
            raise InputError(f"{where}: expected a single value, got a list")
        out.append(_parse_scalar(v, where))
        return
    if not isinstance(v, (list, tuple)) or len(v) != shape[0]:
        got = f"a list of {len(v)}" if isinstance(v, (list, tuple)) else "a single value"
        raise InputError(f"{where}: expected a list of {shape[0]}, got {got}")
    for i, x in enumerate(v):
        _flatten_input(x, shape[1:], f"{where}[{i}]", out)


def parse_inputs(layout, inputs, source="input"):
    """Values list (length first_internal) with inputs placed and outputs None."""
    if not isinstance(inputs, dict):
        raise InputError(f"{source}: expected a JSON object mapping input names to values")
    values: list[int | None] = [1]
    known = {}
    for name, role, _shape, _first, _n in layout.entries:
        known[name] = role
    for k in inputs:
        if k not in known:
            raise InputError(
                f"{source}: unknown input {k!r} (the circuit's inputs are "
                f"{', '.join(n for n, r in known.items() if r != 'output') or 'none'})"
            )
        if known[k] == "output":
            raise InputError(f"{source}: {k!r} is an output: the circuit computes it")
    for name, role, shape, _first, n in layout.entries:
        if role == "output":
            values.extend([None] * n)
            continue
        if name not in inputs:
            raise InputError(f"{source}: missing input {name!r}")
        flat = []
        v = inputs[name]
        if (
            len(shape) > 1
            and isinstance(v, (list, tuple))
            and len(v) == n
            and n
            and not any(isinstance(x, (list, tuple)) for x in v)
        ):
            for i, x in enumerate(v):  # circom also accepts flattened arrays
                flat.append(_parse_scalar(x, f"{source}: input {name}[{i}] (flattened)"))
        else:
            _flatten_input(v, shape, f"{source}: input {name}", flat)
        values.extend(flat)
    return values


# -------------------------------------------------------------- compiling
def _run_define(circuit, layout, api):
    d = circuit.__dict__
    if "_zk_bound" in d:
        raise CircuitError("define() is already running on this circuit instance")
    d["_zk_bound"] = layout.bind(api)
    try:
        circuit.define(api)
    finally:
        del d["_zk_bound"]
    missing = [
        layout.names[w]
        for w in range(1, layout.n_pub_out + 1)
        if (api.values[w] is None if isinstance(api, Solver) else w not in api.outputs_set)
    ]
    if missing:
        raise CircuitError(
            f"{type(circuit).__name__}: output {missing[0]} is never set (use api.set_output)"
        )


def _arr(a, dtype):
    return np.frombuffer(a, dtype).copy() if len(a) else np.zeros(0, dtype)


def _compile_fresh(circuit, layout, builder=None):
    """Compile without the cache; ``builder`` (a fresh :class:`Builder`) lets
    the linter keep the builder's records (e.g. ``lint_events``)."""

    b = builder if builder is not None else Tracer(layout.first_internal)
    b.n_pub_out = layout.n_pub_out
    b.names = layout.names
    _run_define(circuit, layout, b)
    mats = []
    for m in range(3):
        counts = _arr(b.counts[m], np.int64)
        rows = np.repeat(np.arange(b.n_constraints, dtype=np.int64), counts)
        mats.append((rows, _arr(b.cols[m], np.int64), _arr(b.cids[m], np.int64)))
    cs = (
        np.frombuffer(b.constraint_scope, np.int32).copy()
        if len(b.constraint_scope)
        else np.zeros(0, np.int32)
    )
    ws = (
        np.frombuffer(b.wire_scope, np.int32).copy() if len(b.wire_scope) else np.zeros(0, np.int32)
    )
    hw = (
        np.frombuffer(b.hint_wires, np.int64).copy() if len(b.hint_wires) else np.zeros(0, np.int64)
    )
    return CompiledCircuit(
        circuit,
        layout,
        b.n_wires,
        b.n_constraints,
        mats,
        b.coeff_table,
        cs,
        list(b.scope_names),
        ws,
        hw,
        dict(b.wire_names),
        program=b.program() if isinstance(b, Tracer) else None,
    )


def compile_circuit(circuit, cache=True):
    """Compile a circuit instance (a :class:`Circuit`) into a
    :class:`CompiledCircuit`, using the disk cache unless ``cache`` is False
    or ``ZKATS_CACHE=off``."""
    if isinstance(circuit, type) and issubclass(circuit, Circuit):
        circuit = circuit()
    if not isinstance(circuit, Circuit):
        raise CircuitError(
            f"compile_circuit expects a Circuit instance, got {type(circuit).__name__}"
        )
    layout = Layout(circuit)
    from . import cache as _cache  # local import: cache imports this module

    key = _cache.cache_key(circuit) if cache else None
    if key is not None:
        hit = _cache.load(key, circuit, layout)
        if hit is not None:
            return hit
    cc = _compile_fresh(circuit, layout)
    if key is not None:
        _cache.store(key, cc)
    return cc
