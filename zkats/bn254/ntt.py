"""The number-theoretic transform over Fr (native/ntt.c) on snarkjs' domain.

w_28 = 5^((r-1)/2^28) has order 2^28 (the 2-adicity of r - 1); the root of
order 2^k is w_28^(2^(28-k)).  ``ntt`` evaluates at w_k^i, ``coset_ntt`` at
shift * w_k^i, natural order in and out.  The ``*_array`` functions take
bulk Fr arrays (:mod:`zkats.bn254.fields`); ``ntt``/``intt``/... plain ints.
"""

from ..errors import InputError
from ..field import R
from ._lib import lib
from .buffers import _threads
from .fields import _fr_int, _fr_ints, _fr_mont_limbs, _fr_mont_one, _fr_p, _fr_vec

NTT_MAX_LOG = 28
#: snarkjs' root of unity of order 2^28 (= 5^((r-1)/2^28) mod r)
ROOT_OF_UNITY_28 = 19103219067921713944291392827692070036145651957329286315305642004821462161904


def root_of_unity(log_n: int) -> int:
    """snarkjs' primitive 2^log_n-th root of unity in Fr (0 <= log_n <= 28)."""
    if not isinstance(log_n, int) or not 0 <= log_n <= NTT_MAX_LOG:
        raise InputError(f"log_n must be an int in [0, {NTT_MAX_LOG}], got {log_n!r}")
    return pow(ROOT_OF_UNITY_28, 1 << (NTT_MAX_LOG - log_n), R)


def _log2_size(n, what):
    if n < 1 or n & (n - 1) or n > (1 << NTT_MAX_LOG):
        raise InputError(f"{what}: length {n} is not a power of two in [1, 2^{NTT_MAX_LOG}]")
    return n.bit_length() - 1


def _ntt_call(a, shift, inverse, threads, to_coset=False):
    """The native transform of ``a`` in place: plain (shift None), on a
    coset, or (``to_coset``) the inverse then the coset transform."""
    _log2_size(a.shape[0], "NTT input")
    th = _threads(threads)
    if shift is None:
        rc = lib.ntt_fr(_fr_p(a), a.shape[0], 1 if inverse else 0, th)
    else:
        s = _fr_int(shift, "coset shift")
        if s == 0:
            raise InputError("coset shift must be nonzero")
        sm = _fr_mont_one(s, "coset shift")
        if to_coset:
            rc = lib.ntt_fr_to_coset(_fr_p(a), a.shape[0], _fr_p(sm), th)
        else:
            rc = lib.ntt_fr_coset(_fr_p(a), a.shape[0], _fr_p(sm), 1 if inverse else 0, th)
    if rc == -2:
        raise MemoryError("NTT twiddle table")
    if rc != 0:  # pragma: no cover - sizes are checked above
        raise InputError(f"NTT failed (code {rc})")
    return a


def ntt_array(a, inverse=False, threads=None, inplace=False):
    """NTT (or inverse NTT) of an (n, 4) Montgomery Fr array, n = 2^k <= 2^28.
    Returns a new array, or transforms ``a`` itself when ``inplace``."""
    a = _fr_vec(a, "NTT input", writable=inplace)
    if not inplace:
        a = a.copy()
    return _ntt_call(a, None, inverse, threads)


def coset_ntt_array(a, shift, inverse=False, threads=None, inplace=False):
    """Forward: evaluations at shift * w^i of the polynomial with coefficients
    ``a``; inverse: back to coefficients.  ``shift`` is a nonzero int."""
    a = _fr_vec(a, "NTT input", writable=inplace)
    if not inplace:
        a = a.copy()
    return _ntt_call(a, shift, inverse, threads)


def to_coset_array(a, shift, threads=None, inplace=False):
    """Evaluations at shift * w^i of the polynomial whose evaluations at w^i
    are ``a``: ``coset_ntt_array(ntt_array(a, inverse=True), shift)`` in one
    native call (the Groth16 quotient's chain).  ``shift`` is a nonzero int."""
    a = _fr_vec(a, "NTT input", writable=inplace)
    if not inplace:
        a = a.copy()
    return _ntt_call(a, shift, False, threads, to_coset=True)


def set_ntt_table_max_log(k: int) -> int:
    """Tuning and test hook: spans above 2^k (k clamped to [1, 20]; default
    20) get their twiddles as running powers instead of from the cached
    table.  Returns the previous setting."""
    return int(lib.ntt_set_table_max_log(int(k)))


def set_fused_ntt_chain(on: bool) -> bool:
    """Test and measurement hook: ``to_coset_array`` runs fused (default:
    no permutation pass, see native/ntt.c) or as two transforms with a
    scaling pass between them.  Returns the previous setting."""
    return bool(lib.ntt_set_fused_chain(1 if on else 0))


def _ntt_ints(values, shift, inverse):
    values = list(values)
    _log2_size(len(values), "NTT input")
    a = _fr_mont_limbs(values)
    return _fr_ints(_ntt_call(a, shift, inverse, None))


def ntt(values):
    """[sum_j a_j w^(ij) for i < n] for a list of n = 2^k ints (mod r)."""
    return _ntt_ints(values, None, False)


def intt(values):
    """Inverse of ``ntt``."""
    return _ntt_ints(values, None, True)


def coset_ntt(values, shift):
    """Evaluations at shift * w^i (i < n) of sum_j a_j X^j."""
    return _ntt_ints(values, shift, False)


def coset_intt(values, shift):
    """Inverse of ``coset_ntt``."""
    return _ntt_ints(values, shift, True)
