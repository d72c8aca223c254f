"""The setup's sparse point combinations (native/gfft_impl.h,
``bn254.g{1,2}_sparse_combine_array``) against an independent reference:
each output row as an MSM (``msm_g*_array``) of its own bases and scalars.

The inputs mix every path of the base-major kernel: bases used once or by
hundreds of entries (window tables of every width), coefficients 0, +-1,
small, large, above r/2, r - 1, a base repeated inside a row, infinity
bases, empty rows."""

import numpy as np
import pytest

from zkats import bn254
from zkats.field import R, ints_to_limbs
from zkats.groth16 import transcript as tr


def _points(rng, n, g2=False):
    ks = [int(rng.integers(1, 2**62)) * int(rng.integers(1, 2**62)) % R for _ in range(n)]
    fb = bn254.g2_fixed_base_array if g2 else bn254.g1_fixed_base_array
    pts = fb(tr.G2_GEN if g2 else tr.G1_GEN, ints_to_limbs(ks))
    pts[3] = 0  # an infinity base
    return pts


def _coeff(rng):
    kind = rng.integers(0, 8)
    if kind == 0:
        return 1
    if kind == 1:
        return R - 1
    if kind == 2:
        return int(rng.integers(2, 1000))
    if kind == 3:
        return R - int(rng.integers(2, 1 << 40))
    if kind == 4:
        return 0
    return int.from_bytes(rng.bytes(32), "little") % R


def _entries(rng, n_out, n_bases):
    """(row pointers, base index, scalars) with hot bases of many sizes."""
    rows = [[] for _ in range(n_out)]
    hot = {0: 400, 1: 60, 2: 12, 4: 3, 5: 2, 6: 1, 3: 5}  # base -> entries
    for b, cnt in hot.items():
        for _ in range(cnt):
            rows[int(rng.integers(0, n_out))].append((b, _coeff(rng)))
    for s in range(n_out):
        if s % 7 == 0:
            continue  # empty row
        for _ in range(int(rng.integers(1, 6))):
            rows[s].append((int(rng.integers(7, n_bases)), _coeff(rng)))
    rows[1] += [(9, 5), (9, R - 5), (9, 1)]  # repeated base in a row
    rows[2] += [(10, 2), (10, R - 1), (10, 3)]
    ptr = np.zeros(n_out + 1, dtype=np.int64)
    idx, sc = [], []
    for s, row in enumerate(rows):
        ptr[s + 1] = ptr[s] + len(row)
        idx += [b for b, _ in row]
        sc += [c for _, c in row]
    return ptr, np.array(idx, dtype=np.uint32), ints_to_limbs(sc), rows


@pytest.mark.parametrize("g2", [False, True])
def test_sparse_combine_matches_per_row_msm(g2):
    rng = np.random.default_rng(20 + g2)
    n_out, n_bases = 90, 40
    bases = _points(rng, n_bases, g2)
    ptr, idx, sc, rows = _entries(rng, n_out, n_bases)
    comb = bn254.g2_sparse_combine_array if g2 else bn254.g1_sparse_combine_array
    msm = bn254.msm_g2_array if g2 else bn254.msm_g1_array
    width = 16 if g2 else 8
    for threads in (1, 3):
        got = comb(n_out, bases, ptr, idx, sc, threads)
        assert got.shape == (n_out, width)
        for s, row in enumerate(rows):
            if not row:
                assert not got[s].any()
                continue
            b = np.ascontiguousarray(bases[[i for i, _ in row]])
            want = msm(b, ints_to_limbs([c for _, c in row]))
            want = (
                np.zeros(width, np.uint64)
                if want is None
                else (bn254.g2_points_to_array([want]) if g2 else bn254.g1_points_to_array([want]))[
                    0
                ]
            )
            assert np.array_equal(got[s], want), (threads, s, row)


@pytest.mark.parametrize("g2", [False, True])
def test_mul_one_matches_mul_each(g2):
    """Every point times one scalar (GLV, used by phase-2 contributions)
    equals the per-point multiplication, for edge and random scalars."""
    rng = np.random.default_rng(7 + g2)
    pts = _points(rng, 300 if not g2 else 140, g2)  # includes an infinity
    pts[10] = pts[11]  # a repeated point
    one = bn254.g2_mul_one_array if g2 else bn254.g1_mul_one_array
    each = bn254.g2_mul_each_array if g2 else bn254.g1_mul_each_array
    ks = [0, 1, 2, R - 1, R - 2, 31, 1 << 127, (1 << 128) - 1, R >> 1, (R >> 1) + 1]
    ks += [int.from_bytes(rng.bytes(32), "little") % R for _ in range(4)]
    for i, k in enumerate(ks):
        want = each(pts, ints_to_limbs([k] * pts.shape[0]))
        got = one(pts, k, threads=1 + i % 3)
        assert np.array_equal(got, want), k
    assert one(pts[:0], 5).shape == (0, 16 if g2 else 8)
