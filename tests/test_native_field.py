"""Native Fq/Fr arithmetic (native/field.h, field.c) against plain Python
ints, on both Montgomery multiplication paths (ADX and portable)."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from zkats import bn254
from zkats.bn254._lib import lib  # white-box: the native kernels themselves
from zkats.errors import InputError
from zkats.field import Q, R, ints_to_limbs, limbs_to_ints

FIELD_H = Path(__file__).resolve().parent.parent / "native" / "field.h"

EDGES_Q = [0, 1, 2, Q - 1, Q - 2, (Q - 1) // 2, 2**64 - 1, 2**64, 2**128, 2**253]
EDGES_R = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, 2**64 - 1, 2**64, 2**128, 2**253]


@pytest.fixture(params=[False, True], ids=["fast", "portable"])
def path(request):
    bn254.set_portable(request.param)
    yield request.param
    bn254.set_portable(False)


def _const(name):
    text = FIELD_H.read_text()
    m = re.search(rf"\b{name}\[4\]\s*=\s*\{{([^}}]*)\}}", text) or re.search(
        rf"\b{name}\s*=\s*(0x[0-9a-fA-F]+)", text
    )
    limbs = [int(re.sub(r"[UL]+$", "", v.strip()), 16) for v in m.group(1).split(",")]
    return sum(v << (64 * i) for i, v in enumerate(limbs))


def test_constants():
    for pfx, mod in (("FQ", Q), ("FR", R)):
        assert _const(pfx + "_P") == mod
        assert _const(pfx + "_R") == pow(2, 256, mod)
        assert _const(pfx + "_R2") == pow(2, 512, mod)
        assert (_const(pfx + "_INV") * mod) % 2**64 == 2**64 - 1


def test_has_adx_reports_the_compiled_path():
    assert bn254.has_adx() in (True, False)


def test_edges_mul(path):
    for mod, mul, edges in ((Q, bn254.fq_mul, EDGES_Q), (R, bn254.fr_mul, EDGES_R)):
        for a in edges:
            for b in edges:
                assert mul(a, b) == a * b % mod


def test_edges_inv(path):
    for a in EDGES_Q:
        assert bn254.fq_inv(a) == (pow(a, -1, Q) if a % Q else 0)
    for a in EDGES_R:
        assert bn254.fr_inv(a) == (pow(a, -1, R) if a % R else 0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, Q - 1), st.integers(0, Q - 1), st.booleans())
def test_random_fq_mul(a, b, portable):
    bn254.set_portable(portable)
    try:
        assert bn254.fq_mul(a, b) == a * b % Q
    finally:
        bn254.set_portable(False)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, R - 1), st.integers(0, R - 1), st.booleans())
def test_random_fr_mul(a, b, portable):
    bn254.set_portable(portable)
    try:
        assert bn254.fr_mul(a, b) == a * b % R
    finally:
        bn254.set_portable(False)


def test_paths_identical_bulk():
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 2**63, size=(500, 4), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    raw[:, 3] &= np.uint64(0x0FFFFFFFFFFFFFFF)  # < 2^252 < q, r
    vals = limbs_to_ints(raw) + EDGES_R[:6]
    a = ints_to_limbs(vals)
    b = ints_to_limbs(vals[::-1])
    outs = []
    for portable in (False, True):
        bn254.set_portable(portable)
        for fld in ("fq", "fr"):
            o = np.empty_like(a)
            getattr(lib, f"zk_{fld}_mul")(
                bn254.aligned_buffer(o), bn254.aligned_buffer(a), bn254.aligned_buffer(b), len(vals)
            )
            outs.append(o)
    bn254.set_portable(False)
    assert np.array_equal(outs[0], outs[2]) and np.array_equal(outs[1], outs[3])
    assert limbs_to_ints(outs[0]) == [x * y * pow(2, -256, Q) % Q for x, y in zip(vals, vals[::-1])]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, Q - 1))
def test_sqrt(a):
    s = bn254.fq_sqrt(a)
    is_sq = a == 0 or pow(a, (Q - 1) // 2, Q) == 1
    if is_sq:
        assert s is not None and s * s % Q == a
    else:
        assert s is None


def test_sqrt_edges():
    assert bn254.fq_sqrt(0) == 0
    assert bn254.fq_sqrt(1) in (1, Q - 1)
    assert bn254.fq_sqrt(Q - 1) is None  # q = 3 mod 4: -1 is not a square
    assert bn254.fq_sqrt(4) in (2, Q - 2)


def test_batch_inv_with_zeros(path):
    vals = [0, 1, R - 1, 5, 0, 2**200, 12345678901234567890]
    assert bn254.fr_batch_inv(vals) == [pow(v, -1, R) if v else 0 for v in vals]
    assert bn254.fr_batch_inv([]) == []


def test_mont_roundtrip_and_canonical_check():
    vals = [0, 1, Q - 1, 2**255 % Q]
    m = bn254.fq_to_mont_array(vals)
    assert limbs_to_ints(m) == [v * 2**256 % Q for v in vals]
    assert limbs_to_ints(bn254.fq_from_mont_array(m)) == vals
    with pytest.raises(InputError):
        bn254.fq_to_mont_array([Q])
    with pytest.raises(InputError):
        bn254.fq_to_mont_array(ints_to_limbs([1, Q]))
    assert lib.zk_fq_check_canonical(bn254.aligned_buffer(ints_to_limbs([0, Q - 1, Q])), 3) == 2
    assert (
        lib.zk_fr_check_canonical(bn254.aligned_buffer(ints_to_limbs([R - 1, 2**256 - 1])), 2) == 1
    )
    assert lib.zk_fr_check_canonical(bn254.aligned_buffer(ints_to_limbs([R - 1])), 1) == -1


def test_add_sub_edges_and_random():
    """Modular add/sub (inline assembly on x86-64) on every pair of edges and
    random values; Montgomery form is linear, so canonical ints work as-is."""
    import secrets

    for mod, fld, edges in ((Q, "fq", EDGES_Q), (R, "fr", EDGES_R)):
        vals = [e % mod for e in edges] + [secrets.randbelow(mod) for _ in range(30)]
        a = ints_to_limbs([x for x in vals for _ in vals])
        b = ints_to_limbs([y for _ in vals for y in vals])
        n = a.shape[0]
        for op, ref in (
            ("add", lambda x, y, mod=mod: (x + y) % mod),
            ("sub", lambda x, y, mod=mod: (x - y) % mod),
        ):
            out = np.empty_like(a)
            getattr(lib, f"zk_{fld}_{op}")(
                bn254.aligned_buffer(out), bn254.aligned_buffer(a), bn254.aligned_buffer(b), n
            )
            assert limbs_to_ints(out) == [ref(x, y) for x in vals for y in vals]
            # output aliasing the first input
            c = a.copy()
            getattr(lib, f"zk_{fld}_{op}")(
                bn254.aligned_buffer(c), bn254.aligned_buffer(c), bn254.aligned_buffer(b), n
            )
            assert np.array_equal(c, out)
