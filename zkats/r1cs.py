"""The rank-1 constraint system shared by the DSL, the formats and Groth16.

Wire layout follows circom/iden3 so that files and keys interoperate:
wire 0 is the constant 1, then ``n_pub_out`` public outputs, then
``n_pub_in`` public inputs, then ``n_prv_in`` private inputs, then every
other (internal) wire.  Public signals, in the order snarkjs lists them in
``public.json``, are wires ``1 .. n_public``.

Each constraint ``i`` states ``<A_i, w> * <B_i, w> = <C_i, w>``.  A, B and C
are sparse matrices stored as COO triples of numpy arrays: ``rows`` and
``cols`` (int64) and ``coeffs`` (uint64, shape (nnz, 4), canonical
little-endian limbs, i.e. plain integers mod r, not Montgomery form).
Entries are sorted by (row, col) and have non-zero coefficients.
"""

from dataclasses import dataclass, field

import numpy as np

from .field import R, ints_to_limbs, limbs_to_ints


@dataclass
class SparseMatrix:
    rows: np.ndarray  # int64 (nnz,)
    cols: np.ndarray  # int64 (nnz,)
    coeffs: np.ndarray  # uint64 (nnz, 4) canonical limbs

    @classmethod
    def from_triples(cls, triples):
        """Build from an iterable of (row, col, int_coeff); zero coeffs dropped,
        duplicate (row, col) entries summed mod r."""
        acc: dict[tuple[int, int], int] = {}
        for r_, c_, v in triples:
            key = (int(r_), int(c_))
            acc[key] = (acc.get(key, 0) + int(v)) % R
        items = sorted((k, v) for k, v in acc.items() if v)
        rows = np.array([k[0] for k, _ in items], dtype=np.int64)
        cols = np.array([k[1] for k, _ in items], dtype=np.int64)
        coeffs = ints_to_limbs([v for _, v in items]) if items else np.zeros((0, 4), np.uint64)
        return cls(rows, cols, coeffs)

    @property
    def nnz(self):
        return int(self.rows.shape[0])

    def row_dicts(self, n_rows):
        """List (per row) of {col: int coeff}. Slow; for tests and diagnostics."""
        out: list[dict[int, int]] = [{} for _ in range(n_rows)]
        for r_, c_, v in zip(self.rows.tolist(), self.cols.tolist(), limbs_to_ints(self.coeffs)):
            out[r_][c_] = v
        return out

    def eval_rows(self, witness_ints, n_rows):
        """<M_i, w> mod r for every row i, with Python ints (reference path)."""
        acc = [0] * n_rows
        for r_, c_, v in zip(self.rows.tolist(), self.cols.tolist(), limbs_to_ints(self.coeffs)):
            acc[r_] += v * witness_ints[c_]
        return [x % R for x in acc]


@dataclass
class R1CS:
    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    n_constraints: int
    A: SparseMatrix
    B: SparseMatrix
    C: SparseMatrix
    prime: int = R
    n_labels: int | None = None
    #: label id of each wire (circom's wire-to-label map); identity if None
    wire_to_label: np.ndarray | None = None
    #: optional human names: wire index -> signal name
    names: dict[int, str] = field(default_factory=dict)
    #: optional: constraint index -> gadget/scope path that emitted it
    constraint_origin: list[str] | None = None
    #: (A, B) as an ``.r1cs`` file listed their terms, when that differs from
    #: the normalized A, B (circom writes a row's terms in its own order and
    #: may repeat a wire or write a zero): unsorted, zeros and repeats kept.
    #: snarkjs copies the terms into a zkey's coefficient section in exactly
    #: this order, so the section is built from it (byte-identical keys).
    ab_file_terms: tuple | None = None

    @property
    def n_public(self):
        return self.n_pub_out + self.n_pub_in

    def check(self, witness, first_only=True):
        """Return the list of unsatisfied constraint indices (Python-int reference)."""
        w = [int(x) for x in witness]
        a = self.A.eval_rows(w, self.n_constraints)
        b = self.B.eval_rows(w, self.n_constraints)
        c = self.C.eval_rows(w, self.n_constraints)
        bad = []
        for i in range(self.n_constraints):
            if a[i] * b[i] % R != c[i]:
                bad.append(i)
                if first_only:
                    break
        return bad
