/* poseidon.h: the Poseidon permutation over Fr (x^5 S-box, full/partial
 * rounds, dense MDS), for the settlement service's hashing (Merkle tree
 * appends, netting challenges).  The round constants and MDS matrix are
 * supplied by the caller (zkats.gadgets.poseidon_constants, circomlib's
 * parameterisation) in Montgomery form; states are canonical 4-limb values.
 */
#ifndef ZKATS_POSEIDON_H
#define ZKATS_POSEIDON_H
#include <stddef.h>
#include <stdint.h>

/* Permute n states of width t (2..17) in place: states is n*t*4 limbs,
 * canonical (< r) in and out.  consts: (n_full + n_partial) * t Montgomery
 * values; mds: t*t Montgomery values, row-major.  Returns 0, or -1 for a bad
 * width or a non-canonical input (states then unspecified). */
int zk_poseidon_permute(uint64_t *states, size_t n, int t, int n_full, int n_partial,
                        const uint64_t *consts, const uint64_t *mds);
#endif
