"""The Groth16 prover's native kernels (native/prover.c): the whole proof's
five multi-exponentiations in one call, the coefficient-section check, and
the per-step QAP kernels the reference path and the tests use."""

from ..errors import InputError
from ..field import R, ints_to_limbs
from ._lib import ffi, lib
from .buffers import _ptr, aligned_buffer, np
from .curves import _g1_buf_points, _g2_buf_points

#: bytes of one entry of a zkey coefficient section (u32 m, c, s + 32-byte Fr)
COEF_ENTRY_BYTES = 44


def qap_ab_array(coeffs, witness, domain_size):
    """A.w and B.w on the QAP domain, in Montgomery form.

    ``coeffs``: bytes-like holding the entries of a zkey coefficient section
    (44 bytes each, without the leading u32 count); ``witness``: (n_vars, 4)
    canonical uint64 limbs (checked < r by the caller).  Returns two
    (domain_size, 4) uint64 arrays.  Raises InputError naming the first
    malformed entry (matrix id, row, signal or value out of range).
    """
    buf = memoryview(coeffs).cast("B")
    if buf.nbytes % COEF_ENTRY_BYTES:
        raise InputError("coefficient section length is not a multiple of 44 bytes")
    n_coef = buf.nbytes // COEF_ENTRY_BYTES
    witness = np.ascontiguousarray(witness, dtype=np.uint64)
    a = np.empty((domain_size, 4), dtype=np.uint64)
    b = np.empty((domain_size, 4), dtype=np.uint64)
    bad = lib.zk_qap_ab(
        ffi.cast("uint8_t *", ffi.from_buffer(buf)),
        n_coef,
        _ptr(witness),
        witness.size // 4,
        _ptr(a),
        _ptr(b),
        domain_size,
    )
    if bad >= 0:
        raise InputError(
            f"coefficient entry {bad} is out of range "
            "(matrix id > 1, row >= domain, signal >= nVars, or value >= r)"
        )
    return a, b


def fr_mul_pointwise_array(a, b, out=None):
    """out[i] = a[i] * b[i] for (n, 4) Montgomery arrays; out may be a or b."""
    if out is None:
        out = np.empty_like(a)
    lib.zk_fr_mul_pointwise(_ptr(out), _ptr(a), _ptr(b), a.size // 4)
    return out


def fr_scale_powers_array(v, g):
    """In place: v[i] *= g^i (v in Montgomery form, g a Python int < r)."""
    gm = ints_to_limbs([(int(g) << 256) % R])
    lib.zk_fr_scale_powers(_ptr(v), v.size // 4, _ptr(gm))
    return v


def fr_join_abc_array(a, b, c, out=None):
    """out[i] = a[i]*b[i] - c[i], converted to canonical form (inputs in
    Montgomery form); out may alias an input."""
    if out is None:
        out = np.empty_like(a)
    lib.zk_fr_join_abc(_ptr(out), _ptr(a), _ptr(b), _ptr(c), a.size // 4)
    return out


def coeffs_first_bad(entries, domain, n_vars):
    """Index of the first malformed entry of a zkey coefficient section
    (``entries``: bytes-like of 44-byte entries without the leading count;
    matrix id > 1, row >= domain, signal >= n_vars or value >= r), or -1."""
    buf = memoryview(entries).cast("B")
    n = buf.nbytes // COEF_ENTRY_BYTES
    if not n:
        return -1
    return int(lib.zk_coeffs_first_bad(ffi.from_buffer("uint8_t[]", buf), n, domain, n_vars))


def groth16_prove_core(
    coeffs, witness, n_vars, n_public, domain, points, overlap=True, release_pages=False
):
    """The Groth16 prover's native core in one call: the QAP evaluations of
    A.w and B.w, the quotient H on the coset, and the multi-exponentiations
    over the key's sections (C.w and H.h as one, since the proof needs only
    their sum).

    ``coeffs``: the coefficient section's entries (bytes-like, 44 bytes each);
    ``witness``: n_vars canonical values (buffer of 32-byte values, checked by
    the caller); ``points``: the bytes-like sections ``A``, ``B1``, ``B2``,
    ``C``, ``H`` of Montgomery affine points (sizes checked by the caller).
    ``overlap`` runs the quotient's NTTs beside the first MSMs.  The sections
    may sit at any alignment (a misaligned one is copied natively, C and H
    together, the others one at a time).  ``release_pages``: ``coeffs`` and
    the sections are views of a read-only file map
    (:class:`zkats.formats.zkey_layout.ZKeyLayout`) whose pages the core may
    drop once it has read them (lower peak memory; never for arrays in
    memory, whose contents would be lost).  Returns the plain-int points
    [A.w, B1.w, B2.w (G2), C.w + H.h] and the seconds of the native stages
    (a tuple of 5: the quotient, then the MSMs of A, B1, B2, C + H).
    InputError names the first out-of-range coefficient entry."""
    out = ffi.new("uint64_t[40]")
    bad = ffi.new("int64_t *")
    secs = ffi.new("double[5]")
    rc = lib.zk_groth16_prove_core(
        ffi.from_buffer("uint8_t[]", coeffs),
        memoryview(coeffs).nbytes // COEF_ENTRY_BYTES,
        aligned_buffer(witness),
        n_vars,
        n_public,
        domain,
        ffi.from_buffer("uint8_t[]", points["A"]),
        ffi.from_buffer("uint8_t[]", points["B1"]),
        ffi.from_buffer("uint8_t[]", points["B2"]),
        ffi.from_buffer("uint8_t[]", points["C"]),
        ffi.from_buffer("uint8_t[]", points["H"]),
        out,
        0,
        (lib.ZK_PROVE_OVERLAP if overlap else 0) | (lib.ZK_PROVE_RELEASE if release_pages else 0),
        bad,
        secs,
    )
    if rc == -2:
        raise InputError(
            f"coefficient entry {bad[0]} is out of range "
            "(matrix id > 1, row >= domain, signal >= nVars, or value >= r)"
        )
    if rc == -1:
        raise MemoryError("native prover: out of memory")
    if rc != 0:  # pragma: no cover - sizes are checked by the caller
        raise InputError(f"native prover failed (code {rc})")
    g1 = _g1_buf_points
    pts = g1(out, 2) + _g2_buf_points(out + 16, 1) + g1(out + 32, 1)
    return pts, tuple(secs[i] for i in range(5))
