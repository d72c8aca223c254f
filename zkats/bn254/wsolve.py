"""The native witness solver (native/wsolve.c): a circuit's witness program
replayed in C.  The program's meaning is in ``zkats/circuit/program.py``;
this module only lays the arrays out for the C core and runs it."""

import numpy as np

from ..errors import CircuitError
from ._lib import ffi, lib
from .buffers import _ptr

_ONE = np.array((1, 0, 0, 0), np.uint64)
_MINUS_ONE = np.array(
    (0x43E1F593F0000000, 0x2833E84879B97091, 0xB85045B68181585D, 0x30644E72E131A029), np.uint64
)

DONE, NEED_PY, HOOK = 0, 1, 2


def _i64(a, min_len=1):
    a = np.ascontiguousarray(a, dtype=np.int64)
    return a if a.shape[0] >= min_len else np.zeros(min_len, np.int64)


def _ip(a):
    """An int64 array (kept alive by the caller) as ``int64_t *``."""
    return ffi.cast("int64_t *", a.ctypes.data)


class NativeWitnessProgram:
    """A witness program ready to replay: ``code``, ``lc_*`` as in
    :class:`zkats.circuit.program.WitnessProgram`, ``coeff_limbs`` the
    canonical limbs of its coefficient table."""

    def __init__(
        self, n_wires, code, lc_ptr, lc_col, lc_cid, lc_base, lc_bcoef, coeff_limbs, io_limbs
    ):
        self.n_wires = int(n_wires)
        self._code = _i64(code)
        self._lptr = _i64(lc_ptr)
        self._lcol = _i64(lc_col)
        self._lcid = _i64(lc_cid)
        self._lbase = _i64(lc_base)
        self._lbcoef = _i64(lc_bcoef)
        n_lc = len(lc_base)
        limbs = np.ascontiguousarray(coeff_limbs, dtype=np.uint64).reshape(-1, 4)
        n_coef = limbs.shape[0]
        self._coef = np.zeros((max(n_coef, 1), 4), np.uint64)
        self._ckind = np.zeros(max(n_coef, 1), np.uint8)
        if n_coef:
            self._ckind[:n_coef][np.all(limbs == _ONE, axis=1)] = 1
            self._ckind[:n_coef][np.all(limbs == _MINUS_ONE, axis=1)] = 2
            lib.zk_fr_to_mont(_ptr(self._coef), _ptr(limbs), n_coef)
        self._n_lc = max(n_lc, 1)
        self._io_limbs = max(int(io_limbs), 4)
        self._bad = None
        if len(lc_ptr) != n_lc + 1 or len(lc_bcoef) != n_lc:
            self._bad = "the linear combination tables differ in length"
        p = ffi.new("ws_prog_t *")
        p.code, p.n_code = _ip(self._code), len(code)
        p.lptr, p.lcol, p.lcid = _ip(self._lptr), _ip(self._lcol), _ip(self._lcid)
        p.lbase, p.lbcoef = _ip(self._lbase), _ip(self._lbcoef)
        p.n_lc, p.n_lentries = n_lc if self._bad is None else 0, len(lc_col)
        p.lcoef, p.n_lcoef = _ptr(self._coef), n_coef
        p.lckind = ffi.cast("uint8_t *", self._ckind.ctypes.data)
        p.n_wires = self.n_wires
        # the batched-inversion schedule (native/wsolve.h); a malformed program
        # has none and runs in program order, where the C core reports the fault
        self._sched = np.zeros(len(code) + 1, np.int64)
        self._max_batch = 0
        if self._bad is None:
            n_sched, max_batch = ffi.new("int64_t *"), ffi.new("int64_t *")
            rc = lib.zk_wsolve_schedule(
                p, _ip(self._sched), self._sched.shape[0], n_sched, max_batch
            )
            if rc == 0:
                p.sched, p.n_sched = _ip(self._sched), n_sched[0]
                self._max_batch = int(max_batch[0])
        self._p = p  # the per-run scratch (lv, done, stack, bscratch) is set on a copy

    def run(self, values_limbs, on_hint, stop_at_hints=False, check=True, n_inputs=None):
        """Replay the program over ``values_limbs`` ((n_wires, 4) uint64,
        canonical; inputs filled, the rest anything; with ``n_inputs``, only
        the first n_inputs rows are read and the others start at zero).
        Returns (wire values in Montgomery form, the first failing
        constraint row or None).
        ``on_hint(hint_id, inputs, outputs, n_out, w0)`` returns the outputs
        (canonical ints) of a hint the C core leaves to Python (``outputs``
        is None) or, with ``stop_at_hints``, of every hint (``outputs`` are
        the native ones).  Thread-safe: each run has its own scratch."""
        if self._bad:
            raise CircuitError(f"witness program is malformed: {self._bad}")
        vals = np.ascontiguousarray(values_limbs, dtype=np.uint64).reshape(self.n_wires, 4)
        if n_inputs is None:
            mont = np.empty_like(vals)
            lib.zk_fr_to_mont(_ptr(mont), _ptr(vals), self.n_wires)
        else:  # the program writes every other wire: convert only the inputs
            n_in = min(max(int(n_inputs), 0), self.n_wires)
            mont = np.zeros_like(vals)
            lib.zk_fr_to_mont(_ptr(mont), _ptr(vals), n_in)
        # scratch per run: solves of one circuit may run in several threads
        lv = np.empty((self._n_lc, 4), np.uint64)
        done = np.zeros(self._n_lc, np.uint8)
        stack = np.empty(self._n_lc, np.int64)
        io = np.zeros(self._io_limbs, dtype=np.uint64)
        prog = ffi.new("ws_prog_t *", self._p[0])
        prog.lv = _ptr(lv)
        prog.done = ffi.cast("uint8_t *", done.ctypes.data)
        prog.stack = _ip(stack)
        bscratch = np.empty((max(self._max_batch, 1), 4), np.uint64)
        prog.bscratch, prog.n_bscratch = _ptr(bscratch), bscratch.shape[0]
        scheduled = prog.sched != ffi.NULL and not stop_at_hints
        pc = ffi.new("int64_t *", 0)
        hid = ffi.new("int64_t *", -1)
        fail = ffi.new("int64_t *", -1)
        iop = _ptr(io)
        vp = _ptr(mont)
        resume = 0
        stop = 1 if stop_at_hints else 0
        chk = 1 if check else 0
        code = self._code
        while True:
            st = lib.zk_wsolve_run(prog, vp, pc, hid, stop, resume, chk, fail, iop, io.shape[0])
            resume = 0
            if st == DONE:
                return mont, (None if fail[0] < 0 else int(fail[0]))
            if st not in (NEED_PY, HOOK):
                raise CircuitError(f"witness program is malformed (operation at {pc[0]})")
            at = int(self._sched[pc[0]]) if scheduled else pc[0]
            n_in, n_out, w0 = int(code[at + 5]), int(code[at + 4]), int(code[at + 3])
            ins = _limbs_ints(io[: 4 * n_in])
            outs = None if st == NEED_PY else _limbs_ints(io[4 * n_in : 4 * (n_in + n_out)])
            outs = on_hint(int(hid[0]), ins, outs, n_out, w0)
            if len(outs) != n_out:
                raise CircuitError(f"hint {hid[0]} gave {len(outs)} values, expected {n_out}")
            io[4 * n_in : 4 * (n_in + n_out)] = _ints_limbs(outs)
            resume = 1

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
