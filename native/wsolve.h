/*
 * wsolve.h - the native witness solver: replays a DSL circuit's witness
 * program (zkats/circuit/program.py writes it while compiling).
 *
 * Wire values live in `vals` (n_wires x 4 limbs, Montgomery form).  The
 * program `code` is a flat int64 stream of operations, in the order the
 * circuit's define() created the wires and emitted the constraints:
 *
 *   WS_MUL   w la lb              vals[w] = L[la] * L[lb]
 *   WS_LC    w la                 vals[w] = L[la]
 *   WS_HINT  kind id w0 n_out n_in l_0 .. l_{n_in-1} n_par par_0 ..
 *                                 vals[w0 .. w0+n_out) = hint(kind)(L[l_0], ..)
 *   WS_CHECK row la lb lc         constraint `row`: L[la] * L[lb] == L[lc]
 *
 * L[l] is the value of the program's linear combination l: the terms
 * lptr[l] .. lptr[l+1] of (lcol, lcid) (wire, coefficient index into
 * lcoef, Montgomery; lckind 1 = one, 2 = minus one, 0 = other), plus
 * lbcoef[l] * L[lbase[l]] when lbase[l] >= 0 (lbase[l] < l; lbcoef -1 = one):
 * a combination that extends an earlier one is evaluated from it.  A term
 * whose column is negative, -(r + 1), stands for L[r] (r < l) instead of a
 * wire: such references come first among a combination's terms, so that
 * one made of several earlier ones (a Poseidon state, a scalar
 * multiplication's accumulators) costs a few terms, not all of theirs.
 * Each L is evaluated once per run, when first needed, after what it
 * depends on (lv, done, stack: scratch of n_lc entries).
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
 *
 * Batched inversions: zk_wsolve_schedule orders the operations so that the
 * inv and div hints that do not depend on each other run together, with one
 * field inversion per batch (Montgomery's trick: three products per extra
 * element).  An operation's level is the largest number of inversion hints
 * on a dependency path ending at it; the schedule runs, for each level k,
 * the inversion hints of level k as one batch, then the other operations of
 * level k in program order, and all CHECKs last in program order (so the
 * first failing row is still the first in program order, and hints that run
 * on an unsatisfiable input get the same inputs as in program order).  A
 * chain of dependent divisions (a ladder) still costs one inversion per
 * step, but independent chains (the doubling and accumulator chains of a
 * scalar multiplication, fixed-base windows, the two coordinates of a point
 * addition) share theirs.  Zero denominators are handled without branching
 * on the value (the inverse of 0 is 0, as in the single path).
 */
#ifndef ZKATS_WSOLVE_H
#define ZKATS_WSOLVE_H
#include <stddef.h>
#include <stdint.h>

enum { WS_MUL = 1, WS_LC = 2, WS_HINT = 3, WS_CHECK = 4 };
enum { WS_H_PY = 0, WS_H_BITS = 1, WS_H_INV = 2, WS_H_DIV = 3, WS_H_DIVMOD = 4, WS_H_BJJMUL = 5 };
enum { WS_DONE = 0, WS_NEED_PY = 1, WS_HOOK = 2, WS_BAD_PROGRAM = -1 };

typedef struct {
    const int64_t *code;
    int64_t n_code;
    const int64_t *lptr, *lcol, *lcid, *lbase, *lbcoef;
    int64_t n_lc, n_lentries;
    const uint64_t *lcoef;
    const uint8_t *lckind;
    int64_t n_lcoef;
    int64_t n_wires;
    uint64_t *lv;
    uint8_t *done;
    int64_t *stack;
    /* optional (NULL: program order): the schedule from zk_wsolve_schedule,
     * used unless stop_at_hints, and per-run scratch of 4 * n_bscratch limbs
     * (n_bscratch >= the schedule's largest batch) */
    const int64_t *sched;
    int64_t n_sched;
    uint64_t *bscratch;
    int64_t n_bscratch;
} ws_prog_t;

/* Writes into sched (capacity cap >= n_code + 1) the execution order of
 * the program's operations: an entry e >= 0 runs the operation at code[e];
 * an entry -n (n >= 1) is followed by the code offsets of n inv/div hints
 * run as one batch.  *n_sched receives its length and *max_batch the
 * largest batch.  Returns 0, or -1 for a malformed program (then run it
 * without a schedule: zk_wsolve_run reports the fault). */
int zk_wsolve_schedule(const ws_prog_t *p, int64_t *sched, int64_t cap, int64_t *n_sched,
                       int64_t *max_batch);

/* Runs the program from *pc until it ends (WS_DONE), a hint Python must
 * compute (WS_NEED_PY: io holds the hint's canonical inputs, *hint_id its
 * id, *pc stays on it), or, with stop_at_hints, after any hint (WS_HOOK: io
 * holds the canonical inputs then outputs, *pc stays on it).  With
 * resume = 1 the hint at *pc takes its outputs from io (canonical, < r)
 * instead.  io must hold (n_in + n_out) * 4 limbs of the largest hint.
 * With check, WS_CHECK operations run and *first_fail (set to -1 by the
 * caller before the first call) receives the first failing row.  A run
 * from *pc == 0 without resume starts afresh (the L cache is cleared).
 * With a schedule (p->sched, not with stop_at_hints), *pc is a position in
 * the schedule, not a code offset: the hint of WS_NEED_PY is at
 * code[sched[*pc]]. */
int zk_wsolve_run(const ws_prog_t *p, uint64_t *vals, int64_t *pc, int64_t *hint_id,
                  int stop_at_hints, int resume, int check, int64_t *first_fail, uint64_t *io,
                  int64_t io_cap);
#endif
