/*
 * wsolve.h - the native witness solver: replays a DSL circuit's witness
 * program (zkats/circuit/program.py writes it while compiling).
 *
 * Wire values live in `vals` (n_wires x 4 limbs, Montgomery form).  The
 * program `code` is a flat int64 stream of operations, in the order the
 * circuit's define() created the wires:
 *
 *   WS_MUL  row w                 vals[w] = <A_row, vals> * <B_row, vals>
 *   WS_LC   w lc                  vals[w] = <lc, vals>
 *   WS_HINT kind id w0 n_out n_in lc_0 .. lc_{n_in-1} n_par par_0 ..
 *                                 vals[w0 .. w0+n_out) = hint(kind)(inputs)
 *
 * The R1CS matrices are in CSR form: for matrix m (0 = A, 1 = B, 2 = C),
 * row i spans entries mptr[m*(n_cons+1) + i] .. mptr[m*(n_cons+1) + i + 1]
 * of (mcol, mcid), whose cids index `coef` (n_coef x 4 limbs,
 * Montgomery; `ckind` is 1 for the coefficient one, 2 for minus one, 0
 * otherwise); the program's own linear combinations span lptr[lc] ..
 * lptr[lc+1] of (lcol, lcid), whose cids index `lcoef`/`lckind`, as do
 * hint parameters.
 *
 * Hint kinds (each the twin of a Python function that stays the reference):
 *   WS_H_PY     computed by Python: zk_wsolve_run returns WS_NEED_PY
 *   WS_H_BITS   out_i = bit i of the canonical input (i < n_out)
 *   WS_H_INV    1/x, 0 for x = 0
 *   WS_H_DIV    a/b, 0 for b = 0
 *   WS_H_DIVMOD integer a // b, a % b of the canonical inputs; (0, a) for b = 0
 *   WS_H_BJJMUL par_0 (an lcoef index) times the Baby Jubjub point (x, y); Python
 *               computes it when the point is not on the curve
 *
 * Every index is bounds-checked as it is read: a malformed program gives
 * WS_BAD_PROGRAM, never an out-of-bounds access.
 */
#ifndef ZKATS_WSOLVE_H
#define ZKATS_WSOLVE_H
#include <stddef.h>
#include <stdint.h>

enum { WS_MUL = 1, WS_LC = 2, WS_HINT = 3 };
enum { WS_H_PY = 0, WS_H_BITS = 1, WS_H_INV = 2, WS_H_DIV = 3, WS_H_DIVMOD = 4, WS_H_BJJMUL = 5 };
enum { WS_DONE = 0, WS_NEED_PY = 1, WS_HOOK = 2, WS_BAD_PROGRAM = -1 };

typedef struct {
    const int64_t *code;
    int64_t n_code;
    int64_t n_cons;
    const int64_t *mptr, *mcol, *mcid;
    int64_t n_mentries;
    const int64_t *lptr, *lcol, *lcid;
    int64_t n_lc, n_lentries;
    const uint64_t *coef, *lcoef;
    const uint8_t *ckind, *lckind;
    int64_t n_coef, n_lcoef;
    int64_t n_wires;
} ws_prog_t;

/* Runs the program from *pc until it ends (WS_DONE), a hint Python must
 * compute (WS_NEED_PY: io holds the hint's canonical inputs, *hint_id its
 * id, *pc stays on it), or, with stop_at_hints, after any hint (WS_HOOK: io
 * holds the canonical inputs then outputs, *pc stays on it).  With
 * resume = 1 the hint at *pc takes its outputs from io (canonical, < r)
 * instead.  io must hold (n_in + n_out) * 4 limbs of the largest hint. */
int zk_wsolve_run(const ws_prog_t *p, uint64_t *vals, int64_t *pc, int64_t *hint_id,
                  int stop_at_hints, int resume, uint64_t *io, int64_t io_cap);

/* The first of rows[0..n) with <A,v> * <B,v> != <C,v>, or -1; -2 for a
 * malformed row. */
int64_t zk_wsolve_check(const ws_prog_t *p, const uint64_t *vals, const int64_t *rows, int64_t n);
#endif
