"""Poseidon through the native core, for the settlement service's hot paths
(Merkle tree appends, netting challenges).

Same function as :func:`zkats.gadgets.poseidon_plain` (circomlib's parameters;
the constants are taken from :mod:`zkats.gadgets.poseidon_constants`), with
many hashes per native call.  Tested equal to the plain twin.
"""

from functools import cache

from ..field import R, ints_to_limbs, limbs_to_ints


@cache
def _params(t):
    from .. import bn254
    from ..gadgets.poseidon_constants import N_ROUNDS_F, N_ROUNDS_P, poseidon_params

    consts, mds = poseidon_params(t)
    return (
        bn254.fr_to_mont_limbs(consts),
        bn254.fr_to_mont_limbs([x for row in mds for x in row]),
        N_ROUNDS_F,
        N_ROUNDS_P[t - 2],
    )


def poseidon_many(rows):
    """[Poseidon(row) for row in rows]; every row has the same length 1..16."""
    from .. import bn254

    rows = [list(r) for r in rows]
    if not rows:
        return []
    k = len(rows[0])
    if not 1 <= k <= 16 or any(len(r) != k for r in rows):
        raise ValueError("poseidon_many: rows must all have the same length 1..16")
    t = k + 1
    flat = []
    for r in rows:
        flat.append(0)
        flat.extend(int(x) % R for x in r)
    states = ints_to_limbs(flat).reshape(len(rows), t * 4)
    consts, mds, n_full, n_partial = _params(t)
    bn254.poseidon_permute_array(states, consts, mds, n_full, n_partial)
    return limbs_to_ints(states[:, :4])


def permute_many(states):
    """[Poseidon permutation of state for state in states] (full output
    states); every state has the same width 2..17."""
    from .. import bn254

    states = [list(s) for s in states]
    if not states:
        return []
    t = len(states[0])
    if not 2 <= t <= 17 or any(len(s) != t for s in states):
        raise ValueError("permute_many: states must all have the same width 2..17")
    arr = ints_to_limbs([int(x) % R for s in states for x in s]).reshape(len(states), t * 4)
    consts, mds, n_full, n_partial = _params(t)
    bn254.poseidon_permute_array(arr, consts, mds, n_full, n_partial)
    flat = limbs_to_ints(arr.reshape(-1, 4))
    return [flat[i * t : (i + 1) * t] for i in range(len(states))]


def poseidon_plain(inputs):
    return poseidon_many([inputs])[0]


def hash2(a, b):
    """Poseidon(a, b): the Merkle node hash."""
    return poseidon_many([(a, b)])[0]


def _hash2_many(pairs):
    return poseidon_many(pairs)


hash2.many = _hash2_many  # type: ignore[attr-defined]  # hash2.many(pairs), batched
