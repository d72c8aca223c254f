"""The native witness solver (native/wsolve.c): a circuit's witness program
replayed in C.  The program's meaning is in ``zkats/circuit/program.py``;
this module only lays the arrays out for the C core and runs it."""

import numpy as np

from .bn254 import _ptr, ffi, lib
from .errors import CircuitError

_ONE_CANON = (1, 0, 0, 0)
_MINUS_ONE_CANON = (
    0x43E1F593F0000000,
    0x2833E84879B97091,
    0xB85045B68181585D,
    0x30644E72E131A029,
)

DONE, NEED_PY, HOOK, BAD = 0, 1, 2, -1


def _i64(a):
    return np.ascontiguousarray(a, dtype=np.int64)


def _ip(a):
    """An int64 array (kept alive by the caller) as ``int64_t *``."""
    return ffi.cast("int64_t *", a.ctypes.data)


def _coef_table(limbs):
    """(Montgomery limbs, kinds): kind 1 for one, 2 for minus one, else 0."""
    limbs = np.ascontiguousarray(limbs, dtype=np.uint64).reshape(-1, 4)
    n = limbs.shape[0]
    kinds = np.zeros(max(n, 1), dtype=np.uint8)
    mont = np.zeros((max(n, 1), 4), dtype=np.uint64)
    if n:
        kinds[:n][np.all(limbs == np.array(_ONE_CANON, np.uint64), axis=1)] = 1
        kinds[:n][np.all(limbs == np.array(_MINUS_ONE_CANON, np.uint64), axis=1)] = 2
        lib.zk_fr_to_mont(_ptr(mont), _ptr(limbs), n)
    return mont, kinds, n


class NativeWitnessProgram:
    """A witness program bound to its constraint system, ready to replay.

    ``mats``: the R1CS as (rows, cols, cids) per matrix (rows sorted);
    ``coeff_limbs``: canonical limbs of the R1CS coefficients; ``code``,
    ``lc_ptr``, ``lc_col``, ``lc_cid``, ``lcoeff_limbs``: the program."""

    def __init__(self, n_wires, n_constraints, mats, coeff_limbs, code, lc_ptr, lc_col, lc_cid,
                 lcoeff_limbs, io_limbs):
        self.n_wires = int(n_wires)
        self.n_constraints = int(n_constraints)
        ptrs, cols, cids, off = [], [], [], 0
        steps = np.arange(self.n_constraints + 1, dtype=np.int64)
        for rows, c, k in mats:
            rows = _i64(rows)
            ptrs.append(np.searchsorted(rows, steps, "left").astype(np.int64) + off)
            cols.append(_i64(c))
            cids.append(_i64(k))
            off += rows.shape[0]
        self._mptr = _i64(np.concatenate(ptrs))
        self._mcol = _i64(np.concatenate(cols)) if off else np.zeros(1, np.int64)
        self._mcid = _i64(np.concatenate(cids)) if off else np.zeros(1, np.int64)
        self._n_ment = off
        self._coef, self._ckind, n_coef = _coef_table(coeff_limbs)
        self._lcoef, self._lckind, n_lcoef = _coef_table(lcoeff_limbs)
        self._code = _i64(code) if len(code) else np.zeros(1, np.int64)
        self._n_code = len(code)
        self._lptr = _i64(lc_ptr)
        self._n_lc = self._lptr.shape[0] - 1
        self._lcol = _i64(lc_col) if len(lc_col) else np.zeros(1, np.int64)
        self._lcid = _i64(lc_cid) if len(lc_cid) else np.zeros(1, np.int64)
        self._n_lent = len(lc_col)
        self._io = np.zeros(max(int(io_limbs), 4), dtype=np.uint64)
        p = ffi.new("ws_prog_t *")
        p.code, p.n_code, p.n_cons = _ip(self._code), self._n_code, self.n_constraints
        p.mptr, p.mcol, p.mcid = _ip(self._mptr), _ip(self._mcol), _ip(self._mcid)
        p.n_mentries = self._n_ment
        p.lptr, p.lcol, p.lcid = _ip(self._lptr), _ip(self._lcol), _ip(self._lcid)
        p.n_lc, p.n_lentries = self._n_lc, self._n_lent
        p.coef, p.lcoef = _ptr(self._coef), _ptr(self._lcoef)
        p.ckind = ffi.cast("uint8_t *", self._ckind.ctypes.data)
        p.lckind = ffi.cast("uint8_t *", self._lckind.ctypes.data)
        p.n_coef, p.n_lcoef, p.n_wires = n_coef, n_lcoef, self.n_wires
        self._p = p
        self._bad = self._program_error()

    def _program_error(self):
        if self._lptr.shape[0] < 1 or self._lptr[0] != 0 or np.any(np.diff(self._lptr) < 0):
            return "linear combination offsets are not increasing"
        if self._lptr[-1] != self._n_lent:
            return "linear combination offsets do not match the terms"
        return None

    def run(self, values_limbs, on_hint, stop_at_hints=False):
        """Replay the program over ``values_limbs`` ((n_wires, 4) uint64,
        canonical; inputs filled, the rest anything) and return the wire
        values in Montgomery form.  ``on_hint(hint_id, inputs, outputs, n_out, w0)``
        returns the outputs (canonical ints) of a hint the C core leaves to
        Python (``outputs`` is None) or, with ``stop_at_hints``, of every
        hint (``outputs`` are the native ones)."""
        if self._bad:
            raise CircuitError(f"witness program is malformed: {self._bad}")
        vals = np.ascontiguousarray(values_limbs, dtype=np.uint64).reshape(self.n_wires, 4)
        mont = np.empty_like(vals)
        lib.zk_fr_to_mont(_ptr(mont), _ptr(vals), self.n_wires)
        self._p.code = _ip(self._code)  # (a test may swap the arrays)
        pc = ffi.new("int64_t *", 0)
        hid = ffi.new("int64_t *", -1)
        io = self._io
        iop = _ptr(io)
        vp = _ptr(mont)
        resume = 0
        stop = 1 if stop_at_hints else 0
        while True:
            st = lib.zk_wsolve_run(self._p, vp, pc, hid, stop, resume, iop, io.shape[0])
            resume = 0
            if st == DONE:
                return mont
            if st not in (NEED_PY, HOOK):
                raise CircuitError(f"witness program is malformed (operation at {pc[0]})")
            at = pc[0]
            n_in, n_out, w0 = int(self._code[at + 5]), int(self._code[at + 4]), int(self._code[at + 3])
            ins = _limbs_ints(io[: 4 * n_in])
            outs = None if st == NEED_PY else _limbs_ints(io[4 * n_in : 4 * (n_in + n_out)])
            outs = on_hint(int(hid[0]), ins, outs, n_out, w0)
            if len(outs) != n_out:
                raise CircuitError(f"hint {hid[0]} gave {len(outs)} values, expected {n_out}")
            io[4 * n_in : 4 * (n_in + n_out)] = _ints_limbs(outs)
            resume = 1

    def first_unsatisfied(self, mont, rows):
        """The first of ``rows`` whose constraint ``mont`` (Montgomery wire
        values) violates, or None."""
        rows = _i64(rows)
        if not rows.shape[0]:
            return None
        r = lib.zk_wsolve_check(self._p, _ptr(mont), _ip(rows), rows.shape[0])
        if r == -2:
            raise CircuitError("witness program names a constraint that does not exist")
        return None if r < 0 else int(r)

    @staticmethod
    def canonical(mont):
        out = np.empty_like(mont)
        lib.zk_fr_from_mont(_ptr(out), _ptr(mont), mont.shape[0])
        return out


def _limbs_ints(a):
    raw = np.ascontiguousarray(a, dtype="<u8").tobytes()
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def _ints_limbs(vals):
    raw = b"".join(int(v).to_bytes(32, "little") for v in vals)
    return np.frombuffer(raw, dtype="<u8").astype(np.uint64)
