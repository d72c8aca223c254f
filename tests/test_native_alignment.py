"""Buffers handed to the native code are 8-byte aligned.

Sections of a memory-mapped .zkey/.ptau/.wtns start at whatever offset the
file gives them (snarkjs' files put point sections at offsets that are 2 or
4 mod 8), and a misaligned uint64 load is undefined behaviour in C (UBSan
flagged one in ``g2_check_array`` reading a mapped zkey).
``bn254.aligned_buffer`` copies a misaligned read-only buffer and refuses a
misaligned writable one; these tests drive the public functions with
misaligned read-only views and compare with aligned copies.
"""

import numpy as np
import pytest

from zkats import bn254
from zkats.bn254._lib import ffi  # white-box: the native kernels themselves
from zkats.field import R, ints_to_limbs


def _misaligned_view(arr, shift=4):
    """A read-only numpy view of ``arr``'s bytes starting ``shift`` bytes
    past an 8-byte boundary (same values, same shape)."""
    raw = arr.tobytes()
    blob = bytes(shift) + raw
    view = np.frombuffer(blob, dtype=np.uint64, count=arr.size, offset=shift).reshape(arr.shape)
    assert view.ctypes.data % 8 == shift % 8 and not view.flags.writeable
    return view


def _points(n, seed):
    rng = np.random.default_rng(seed)
    ks = [int(x) for x in rng.integers(1, 2**62, size=n)]
    g = bn254.g1_points_to_array([bn254.g1_mul(bn254.G1_GEN, k) for k in ks])
    return g


@pytest.mark.parametrize("shift", [2, 4])
def test_msm_on_misaligned_bases_and_scalars(shift):
    bases = _points(37, 1)
    rng = np.random.default_rng(2)
    scalars = ints_to_limbs(
        [int(x) * 0x1234567 % R for x in rng.integers(0, 2**63, size=37)] + [0, 1, R - 1]
    )
    bases = np.vstack([bases, bases[:3]])  # duplicate points too
    want = bn254.msm_g1_array(bases, scalars)
    got = bn254.msm_g1_array(_misaligned_view(bases, shift), _misaligned_view(scalars, shift))
    assert got == want


def test_check_array_on_misaligned_points():
    pts = _points(9, 3)
    assert bn254.g1_check_array(_misaligned_view(pts)) == bn254.g1_check_array(pts)
    g2 = bn254.g2_points_to_array([bn254.g2_mul(bn254.G2_GEN, k) for k in (1, 5, R - 1)])
    assert bn254.g2_check_array(_misaligned_view(g2)) == bn254.g2_check_array(g2)


def test_misaligned_copy_keeps_values_and_lifetime():
    import gc

    src = np.arange(16, dtype=np.uint64)
    view = _misaligned_view(src, 4)
    p = bn254.aligned_buffer(view)
    gc.collect()
    assert int(ffi.cast("uintptr_t", p)) % 8 == 0
    assert [p[i] for i in range(16)] == list(range(16))


def test_misaligned_writable_buffer_is_refused():
    blob = bytearray(8 * 6)
    start = int(ffi.cast("uintptr_t", ffi.from_buffer(blob))) % 8
    off = (4 - start) % 8  # an address that is 4 mod 8
    view = memoryview(blob)[off : off + 32]
    with pytest.raises(ValueError):
        bn254.aligned_buffer(view)
