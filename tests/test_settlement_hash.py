"""Native Poseidon (native/poseidon.c via zkats.venue.fast_hash) equals the
plain twin zkats.gadgets.poseidon (itself pinned to circomlibjs' vectors)."""

import random

import numpy as np
import pytest

from zkats import bn254
from zkats.errors import InputError
from zkats.field import R, ints_to_limbs
from zkats.gadgets import poseidon_plain
from zkats.venue import fast_hash


@pytest.mark.parametrize("k", range(1, 17))
def test_equal_to_plain_twin(k):
    rnd = random.Random(k)
    rows = [[rnd.randrange(R) for _ in range(k)] for _ in range(3)]
    rows += [[0] * k, [R - 1] * k, [1] + [0] * (k - 1)]
    assert fast_hash.poseidon_many(rows) == [poseidon_plain(r) for r in rows]


def test_known_value_and_batching():
    # circomlibjs: poseidon([1, 2])
    assert (
        fast_hash.hash2(1, 2)
        == 7853200120776062878684798364095072458815029376092732009249414926327459813530
    )
    pairs = [(i, 3 * i + 1) for i in range(50)]
    assert fast_hash.hash2.many(pairs) == [poseidon_plain(list(p)) for p in pairs]
    assert fast_hash.poseidon_many([]) == []
    with pytest.raises(ValueError):
        fast_hash.poseidon_many([[1], [1, 2]])


def test_native_rejects_bad_input():
    consts, mds, nf, npart = fast_hash._params(3)
    bad = ints_to_limbs([0, R, 1]).reshape(1, 12)  # non-canonical element
    with pytest.raises(InputError):
        bn254.poseidon_permute_array(bad, consts, mds, nf, npart)
    with pytest.raises(InputError):
        bn254.poseidon_permute_array(np.zeros((1, 16), dtype=np.uint64), consts, mds, nf, npart)
