"""The Poseidon permutation over Fr (native/poseidon.c), used by the
settlement service.  Constants come from the caller
(zkats.gadgets.poseidon_constants), in Montgomery form
(:func:`zkats.bn254.fr_to_mont_limbs`)."""

from ..errors import InputError
from ._lib import lib
from .buffers import _ptr, np


def poseidon_permute_array(states, consts_mont, mds_mont, n_full, n_partial):
    """Permute each row of ``states`` ((n, t*4) or (n, t, 4) uint64, canonical
    limbs < r) in place and return it.  ``consts_mont``: ((n_full +
    n_partial) * t, 4) Montgomery; ``mds_mont``: (t*t, 4) Montgomery."""
    states = np.ascontiguousarray(states, dtype=np.uint64)
    n = states.shape[0]
    t = states.reshape(n, -1).shape[1] // 4 if n else 0
    consts = np.ascontiguousarray(consts_mont, dtype=np.uint64)
    mds = np.ascontiguousarray(mds_mont, dtype=np.uint64)
    if n == 0:
        return states
    if consts.size != (n_full + n_partial) * t * 4 or mds.size != t * t * 4:
        raise InputError("poseidon_permute_array: constant arrays do not match the width")
    if lib.zk_poseidon_permute(_ptr(states), n, t, n_full, n_partial, _ptr(consts), _ptr(mds)) != 0:
        raise InputError("poseidon_permute_array: bad width or non-canonical state")
    return states
