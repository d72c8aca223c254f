"""The trusted setup's bulk point kernels (native/gfft.c): the group FFT
that turns powers of tau into the Lagrange basis, sparse linear
combinations of points (the circuit's A, B, C queries), multiplication of
many points by one scalar, and batch subtraction.  Scalar multiplications
use the endomorphism split of :mod:`zkats.bn254.curves`."""

from ..errors import InputError
from ..field import R, ints_to_limbs
from ._lib import lib
from .buffers import _ptr, _threads, aligned_buffer, np
from .curves import PSI_LAMBDA, glv_decompose


def _endo_records(scalars, group):
    out = np.zeros((len(scalars), 5), dtype=np.uint64)
    m = (1 << 64) - 1
    for i, k in enumerate(scalars):
        if group == 1:
            k0, k1 = glv_decompose(k)
        else:
            k0, k1 = divmod(k % R, PSI_LAMBDA)[::-1]
        flags = (k0 < 0) | ((k1 < 0) << 1)
        k0, k1 = abs(k0), abs(k1)
        out[i] = (k0 & m, k0 >> 64, k1 & m, k1 >> 64, flags)
    return out


_TWIDDLE_CACHE: dict = {}


def _twiddle_records(n, omega_inv, group):
    """Endomorphism records of omega^-k and omega^-k/n, k < n/2 (cached)."""
    key = (n, omega_inv, group)
    hit = _TWIDDLE_CACHE.get(key)
    if hit is None:
        half = n // 2
        tw = [1] * half
        for k in range(1, half):
            tw[k] = tw[k - 1] * omega_inv % R
        ninv = pow(n, -1, R)
        hit = (_endo_records(tw, group), _endo_records([t * ninv % R for t in tw], group))
        if len(_TWIDDLE_CACHE) > 64:
            _TWIDDLE_CACHE.clear()
        _TWIDDLE_CACHE[key] = hit
    return hit


def _group_ifft(fn, width, pts, omega_inv, threads):
    pts = np.array(pts, dtype=np.uint64, copy=True, order="C").reshape(-1, width)
    n = pts.shape[0]
    if n == 0 or n & (n - 1):
        raise InputError("group FFT size must be a power of two")
    if n >= 2:
        twa, twn = _twiddle_records(n, omega_inv, 1 if width == 8 else 2)
        if fn(_ptr(pts), n, _ptr(twa), _ptr(twn), _threads(threads)) != 0:
            raise MemoryError("native group FFT: out of memory")
    return pts


def g1_ifft_array(pts, omega, threads=None):
    """Inverse FFT in the exponent: for n = len(pts) a power of two and
    ``omega`` a primitive n-th root of unity mod r, returns the (n, 8)
    Montgomery array out[i] = (1/n) sum_j omega^(-ij) pts[j] (new array).
    Applied to [tau^j]G it yields the Lagrange basis [L_i(tau)]G."""
    return _group_ifft(lib.zs_g1_ifft, 8, pts, pow(omega, -1, R) if len(pts) > 1 else 1, threads)


def g2_ifft_array(pts, omega, threads=None):
    """As :func:`g1_ifft_array` for (n, 16) G2 arrays."""
    return _group_ifft(lib.zs_g2_ifft, 16, pts, pow(omega, -1, R) if len(pts) > 1 else 1, threads)


def _sparse_combine(fn, width, n_out, bases, row_ptr, idx, scalars, threads):
    bases = np.ascontiguousarray(bases, dtype=np.uint64).reshape(-1, width)
    row_ptr = np.ascontiguousarray(row_ptr, dtype=np.int64)
    idx = np.ascontiguousarray(idx, dtype=np.uint32)
    scalars = np.ascontiguousarray(scalars, dtype=np.uint64).reshape(-1, 4)
    if (
        row_ptr.shape[0] != n_out + 1
        or row_ptr[0] != 0
        or row_ptr[-1] != idx.shape[0]
        or idx.shape[0] != scalars.shape[0]
        or (np.diff(row_ptr) < 0).any()
    ):
        raise InputError("sparse combination: inconsistent row pointers / entries")
    if idx.size and int(idx.max()) >= bases.shape[0]:
        raise InputError("sparse combination: base index out of range")
    bad = int(lib.zk_fr_check_canonical(_ptr(scalars), scalars.shape[0])) if scalars.size else -1
    if bad >= 0:
        raise InputError(f"sparse combination: scalar {bad} is not < r")
    out = np.zeros((n_out, width), dtype=np.uint64)
    rc = fn(
        _ptr(out),
        n_out,
        _ptr(bases),
        aligned_buffer(row_ptr, "int64_t[]"),
        aligned_buffer(idx, "uint32_t[]"),
        _ptr(scalars),
        _threads(threads),
    )
    if rc != 0:
        raise MemoryError("native sparse combination: out of memory")
    return out


def g1_sparse_combine_array(n_out, bases, row_ptr, idx, scalars, threads=None):
    """out[s] = sum_{row_ptr[s] <= j < row_ptr[s+1]} scalars[j] * bases[idx[j]]
    for s < n_out: (n_out, 8) Montgomery affine.  ``scalars`` (nnz, 4)
    canonical limbs < r (checked); bases assumed on the curve."""
    return _sparse_combine(
        lib.zs_g1_sparse_combine, 8, n_out, bases, row_ptr, idx, scalars, threads
    )


def g2_sparse_combine_array(n_out, bases, row_ptr, idx, scalars, threads=None):
    """As :func:`g1_sparse_combine_array` for G2 ((n_out, 16) out)."""
    return _sparse_combine(
        lib.zs_g2_sparse_combine, 16, n_out, bases, row_ptr, idx, scalars, threads
    )


def _mul_one(fn, width, points, k, threads):
    pts = np.ascontiguousarray(points, dtype=np.uint64).reshape(-1, width)
    km = ints_to_limbs([int(k) % R])
    out = np.zeros_like(pts)
    if pts.shape[0] and fn(_ptr(out), _ptr(pts), pts.shape[0], _ptr(km), _threads(threads)) != 0:
        raise MemoryError("native multiplication by one scalar: out of memory")
    return out


def g1_mul_one_array(points, k, threads=None):
    """k * points[i] for every point of an (n, 8) Montgomery affine array and
    one int k (mod r); GLV split (native/gfft_impl.h).  Points on the curve."""
    return _mul_one(lib.zs_g1_mul_one, 8, points, k, threads)


def g2_mul_one_array(points, k, threads=None):
    """As :func:`g1_mul_one_array` for G2 points of the order-r subgroup."""
    return _mul_one(lib.zs_g2_mul_one, 16, points, k, threads)


def g1_sub_array(a, b):
    """a[i] - b[i] for two (n, 8) Montgomery affine arrays (new array)."""
    a = np.ascontiguousarray(a, dtype=np.uint64).reshape(-1, 8)
    b = np.ascontiguousarray(b, dtype=np.uint64).reshape(-1, 8)
    if a.shape != b.shape:
        raise InputError("g1_sub_array: shapes differ")
    out = np.zeros_like(a)
    if lib.zs_g1_sub_batch(_ptr(out), _ptr(a), _ptr(b), a.shape[0]) != 0:
        raise MemoryError("native batch subtraction: out of memory")
    return out
