"""Native Baby Jubjub (native/babyjub.c via zkats.bn254.bjj_*) against the
plain-Python twin in zkats.gadgets.babyjubjub."""

import random

import pytest

from zkats import bn254
from zkats.errors import InputError
from zkats.field import R
from zkats.gadgets import babyjubjub as bj

ORDER2 = (0, R - 1)


def _rand_point(rnd, subgroup=True):
    base = bj.BASE8 if subgroup else bj.GENERATOR
    return bj.babyjub_mul_plain(base, rnd.randrange(bj.ORDER))


@pytest.mark.parametrize("portable", [False, True])
def test_mul_add_against_plain(portable):
    rnd = random.Random(11)
    bn254.set_portable(portable)
    try:
        for _ in range(8):
            p, q = _rand_point(rnd, False), _rand_point(rnd, False)
            for k in (
                0,
                1,
                2,
                7,
                8,
                bj.L - 1,
                bj.L,
                bj.L + 1,
                bj.ORDER,
                rnd.randrange(1 << 256),
                (1 << 256) - 1,
            ):
                assert bn254.bjj_mul(p, k) == bj.babyjub_mul_plain(p, k)
            assert bn254.bjj_add(p, q) == bj.babyjub_add_plain(p, q)
            assert bn254.bjj_add(p, p) == bj.babyjub_add_plain(p, p)
            assert bn254.bjj_add(p, bj.babyjub_neg_plain(p)) == bj.IDENTITY
            assert bn254.bjj_add(p, bj.IDENTITY) == p
    finally:
        bn254.set_portable(False)


def test_on_curve_and_subgroup():
    rnd = random.Random(12)
    good = [_rand_point(rnd) for _ in range(5)] + [bj.IDENTITY, bj.BASE8]
    assert bn254.bjj_check_subgroup(good) == -1
    assert all(bn254.bjj_in_subgroup(p) for p in good)
    full = bj.GENERATOR  # order 8L
    assert bn254.bjj_on_curve(full) and not bn254.bjj_in_subgroup(full)
    assert not bn254.bjj_in_subgroup(ORDER2) and bn254.bjj_on_curve(ORDER2)
    shifted = bj.babyjub_add_plain(good[0], ORDER2)
    assert bn254.bjj_check_subgroup(good + [shifted]) == len(good)
    assert bn254.bjj_check_subgroup(good[:2] + [(1, 2)] + good) == 2
    assert bn254.bjj_check_subgroup([good[0], (R, 1)]) == 1  # not canonical
    assert bn254.bjj_check_subgroup([good[0], "xy", (1, 2)]) == 1  # malformed
    assert bn254.bjj_check_subgroup([]) == -1
    assert not bn254.bjj_on_curve((1, 2)) and not bn254.bjj_on_curve((0, 1 + R))
    with pytest.raises(InputError):
        bn254.bjj_mul(good[0], -1)
    with pytest.raises(InputError):
        bn254.bjj_add((R, 0), good[0])
