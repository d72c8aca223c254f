"""The constant-time safegcd inverse (native/modinv.c) against Python's
pow(x, -1, p), on canonical integers and through the Montgomery-form
fq_inv/fr_inv (both multiplication paths), and against the Fermat inverse
it replaced."""

import random

import pytest
from hypothesis import given, settings, strategies as st

from zkats import bn254
from zkats.bn254._lib import ffi, lib  # white-box: the native kernels themselves
from zkats.field import Q, R

FIELDS = {"fq": (Q, lib.zk_modinv_fq), "fr": (R, lib.zk_modinv_fr)}


def _edges(p):
    xs = [0, 1, 2, 3, p - 1, p - 2, (p - 1) // 2, (p + 1) // 2, p // 3]
    xs += [1 << k for k in range(254)] + [(1 << k) - 1 for k in range(1, 254)]
    xs += [p - (1 << k) for k in range(1, 253)] + [p - 1 - (1 << k) for k in range(253)]
    # limb boundaries of the 62-bit representation and of the 64-bit words
    xs += [(1 << (62 * i)) + d for i in range(1, 5) for d in (-1, 0, 1)]
    xs += [(1 << (64 * i)) + d for i in range(1, 4) for d in (-1, 0, 1)]
    return [x for x in xs if 0 <= x < p]


def _canon_inv(fn, x):
    a = ffi.new("uint64_t[4]", [(x >> (64 * i)) & (2**64 - 1) for i in range(4)])
    r = ffi.new("uint64_t[4]")
    fn(r, a)
    return sum(r[i] << (64 * i) for i in range(4))


def _want(x, p):
    return pow(x, -1, p) if x % p else 0


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_edges_canonical(name):
    p, fn = FIELDS[name]
    for x in _edges(p):
        assert _canon_inv(fn, x) == _want(x, p), hex(x)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_random_canonical_bulk(name):
    p, fn = FIELDS[name]
    rng = random.Random(19)
    xs = [rng.randrange(p) for _ in range(4000)]
    xs += [rng.getrandbits(rng.randrange(1, 254)) % p for _ in range(1000)]  # short values
    xs += [p - 1 - rng.getrandbits(rng.randrange(1, 128)) for _ in range(1000)]  # near p
    for x in xs:
        inv = _canon_inv(fn, x)
        assert inv == _want(x, p), hex(x)
        assert 0 <= inv < p


@pytest.fixture(params=[False, True], ids=["fast", "portable"])
def path(request):
    bn254.set_portable(request.param)
    yield request.param
    bn254.set_portable(False)


def test_montgomery_wrappers_edges(path):
    for p, inv in ((Q, bn254.fq_inv), (R, bn254.fr_inv)):
        for x in _edges(p):
            assert inv(x) == _want(x, p), hex(x)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, Q - 1), st.integers(0, R - 1))
def test_random_montgomery_wrappers(a, b):
    assert bn254.fq_inv(a) == _want(a, Q)
    assert bn254.fr_inv(b) == _want(b, R)


def test_agrees_with_fermat():
    rng = random.Random(7)
    for name, p in (("fq", Q), ("fr", R)):
        t = f"{name}_t *"
        for x in [0, 1, p - 1] + [rng.randrange(p) for _ in range(300)]:
            m = x * 2**256 % p
            a = ffi.new(t, {"v": [(m >> (64 * i)) & (2**64 - 1) for i in range(4)]})
            r1, r2 = ffi.new(t), ffi.new(t)
            getattr(lib, f"{name}_inv")(r1, a)
            getattr(lib, f"{name}_inv_fermat")(r2, a)
            assert list(r1.v) == list(r2.v), hex(x)
