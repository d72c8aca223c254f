"""The Groth16 prover (the snarkjs/rapidsnark pipeline in one native call).

Given a proving key and a full witness (canonical values, wire 0 = 1):

1. the native core (``zk_groth16_prove_core`` in ``native/prover.c``)
   computes the quotient scalars h (A.w and B.w from the key's coefficient
   section, C.w as their product, inverse NTT and coset NTT on snarkjs'
   domain, see :mod:`zkats.groth16.r1cs_to_qap`) on its own thread while it
   runs the multi-scalar multiplications A.w, B1.w (G1) and B2.w (G2), then
   C.w over the private wires plus H.h as one multi-scalar multiplication
   (the proof needs only their sum);
2. fresh blinding r, s from :mod:`secrets`:

       pi_a = alpha + A.w + r delta
       pi_b = beta  + B2.w + s delta
       pi_c = C.w + H.h + s pi_a + r (beta_1 + B1.w + s delta_1) - r s delta_1

3. the proof is checked against the key's verification key before it is
   returned; a proof that does not verify means the witness does not
   satisfy the circuit (:class:`UnsatisfiedConstraint`, naming the first
   failing constraint when an R1CS is given).

The key is a :class:`zkats.formats.zkey.ZKey` (numpy arrays) or a
:class:`zkats.formats.zkey_layout.ZKeyLayout` (buffers of the file's map):
anything with the header fields, ``verifying_key()`` and
``section_buffers()``.  This module does not import numpy: the command-line
prover (:func:`prove_files`) never loads it.

r and s never leave this module and are never logged.
"""

import secrets
import sys

from ..errors import InputError, UnsatisfiedConstraint
from ..field import R, limbs_to_ints
from . import _curve
from .data_structures import Proof

#: typing is for the checker only: its import is a visible part of a small
#: proof's start-up (the annotation below is never evaluated)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: run the quotient on its own thread beside the A, B1, B2
#: multi-exponentiations (measured 5-10% faster at 2^14 on 2 cores)
OVERLAP = True
#: the names of the native core's timings, in its order
CORE_STAGES = ("quotient", "msm A", "msm B1", "msm B2", "msm C+H")

_ONE = (1).to_bytes(32, "little")


def _noop(_stage):
    pass


def _numpy_array(x):
    np = sys.modules.get("numpy")  # an ndarray implies numpy is loaded
    return np is not None and isinstance(x, np.ndarray)


def _witness_bytes(witness, n_vars):
    """The witness as a contiguous buffer of n_vars canonical 32-byte
    little-endian values: checked count, values < r and wire 0 = 1.

    ``witness``: an (n, 4) uint64 numpy array, a bytes-like object of n * 32
    bytes (e.g. :func:`zkats.formats.wtns.read_wtns_buffer`), or ints."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    buf: Any  # a uint64 array, a byte view or bytes
    if _numpy_array(witness):
        # local import: the lean prove path (tests/test_prove_lean.py) loads no numpy
        import numpy as np

        buf = np.ascontiguousarray(witness, dtype=np.uint64).reshape(-1, 4)
        n = buf.shape[0]
    elif isinstance(witness, (bytes, bytearray, memoryview)):
        buf = memoryview(witness).cast("B")
        if buf.nbytes % 32:
            raise InputError(
                f"witness buffer of {buf.nbytes} bytes is not a whole number of 32-byte values"
            )
        n = buf.nbytes // 32
    else:
        vals = list(witness)
        for i, v in enumerate(vals):
            if not isinstance(v, int) or not 0 <= v < R:
                raise InputError(f"witness[{i}] is not a canonical field element (< r)")
        buf = b"".join(v.to_bytes(32, "little") for v in vals)
        n = len(vals)
    if n != n_vars:
        raise InputError(f"witness has {n} values, the proving key expects {n_vars}")
    if n:
        bad = bn254.fr_first_noncanonical(buf)
        if bad >= 0:
            raise InputError(f"witness[{bad}] is not a canonical field element (< r)")
        if bytes(memoryview(buf).cast("B")[:32]) != _ONE:
            raise InputError("witness[0] must be 1 (the constant wire)")
    return buf


def _key_buffers(zkey):
    """The key's coefficient entries and point sections as buffers, their
    sizes checked against its header counts."""
    get = getattr(zkey, "section_buffers", None)
    if get is None:  # a duck-typed key with numpy sections
        # local import: the lean prove path (tests/test_prove_lean.py) loads no numpy
        from ..formats.zkey import ZKey

        get = lambda: ZKey.section_buffers(zkey)  # noqa: E731
    bufs = get()
    nv, npub, dom = int(zkey.n_vars), int(zkey.n_public), int(zkey.domain_size)
    want = {"A": nv * 64, "B1": nv * 64, "B2": nv * 128, "C": (nv - npub - 1) * 64, "H": dom * 64}
    for name, size in want.items():
        got = memoryview(bufs[name]).nbytes
        if got != size:
            raise InputError(f"proving key section {name}: {got} bytes, expected {size}")
    if memoryview(bufs["coeffs"]).nbytes % 44:
        raise InputError("coefficient section length is not a multiple of 44 bytes")
    return bufs


def _core(zkey, w, timings=None, release_pages=False):
    """The multi-exponentiations (plain-int points: A.w, B1.w, B2.w, C.w + H.h).
    ``release_pages``: drop the key's file pages once read (a ZKeyLayout's
    sections are views of a read-only file map; anything else is kept)."""
    # local import: the lean prove path (tests/test_prove_lean.py) loads no numpy
    from .. import bn254
    from ..formats.zkey_layout import ZKeyLayout
    from .r1cs_to_qap import coset_shift

    n_vars, n_public, domain = int(zkey.n_vars), int(zkey.n_public), int(zkey.domain_size)
    if domain < 2 or domain & (domain - 1):
        raise InputError(f"domain size {domain} is not a power of two >= 2")
    coset_shift(domain.bit_length() - 1)  # InputError beyond Fr's 2-adicity
    bufs = _key_buffers(zkey)
    points, secs = bn254.groth16_prove_core(
        bufs["coeffs"],
        w,
        n_vars,
        n_public,
        domain,
        bufs,
        overlap=OVERLAP,
        release_pages=release_pages and isinstance(zkey, ZKeyLayout),
    )
    if timings is not None:
        for name, sec in zip(CORE_STAGES, secs):
            timings[name] = round(sec, 6)
    return points


def blind(zkey, pa, pb1, pb, pc, ph):
    """The proof from the five multi-exponentiations (plain-int points A.w,
    B1.w, B2.w, C.w over the private wires, H.h) and fresh r, s (step 2 of
    the module docstring; the prover passes C.w + H.h as pc and None as ph).
    Also used by the sharded prover (:mod:`zkats.cluster.sharded`), which
    sums these from partial results."""
    alpha1, beta1, beta2 = zkey.alpha_1, zkey.beta_1, zkey.beta_2
    delta1, delta2 = zkey.delta_1, zkey.delta_2
    r = secrets.randbelow(R - 1) + 1
    s = secrets.randbelow(R - 1) + 1
    g1_add, g1_mul = _curve.g1_add, _curve.g1_mul
    pi_a = g1_add(g1_add(pa, alpha1), g1_mul(delta1, r))
    pi_b = _curve.g2_add(_curve.g2_add(pb, beta2), _curve.g2_mul(delta2, s))
    b1 = g1_add(g1_add(pb1, beta1), g1_mul(delta1, s))
    pi_c = g1_add(pc, ph)
    pi_c = g1_add(pi_c, g1_mul(pi_a, s))
    pi_c = g1_add(pi_c, g1_mul(b1, r))
    pi_c = g1_add(pi_c, g1_mul(delta1, (-r * s) % R))
    del r, s
    return Proof(a=pi_a, b=pi_b, c=pi_c)


def prove(zkey, witness, r1cs=None, progress=None, check=True, timings=None, release_pages=False):
    """Prove; returns ``(Proof, public_signals)``.

    ``zkey``: a :class:`~zkats.formats.zkey.ZKey` or a
    :class:`~zkats.formats.zkey_layout.ZKeyLayout`.  ``witness``: an
    (n_vars, 4) canonical uint64 array, a bytes-like object of n_vars
    32-byte little-endian values, or a list of ints.  ``r1cs``: optional
    :class:`zkats.r1cs.R1CS` used to name the failing constraint when the
    proof does not verify.  ``progress(stage_name)`` is called at the start
    of each stage; ``timings`` (a dict) receives the native core's
    per-step wall times (see :data:`CORE_STAGES`).  ``release_pages`` (for
    a key opened only for this proof): a ZKeyLayout's sections leave the
    process' resident memory as soon as the core has read them (they stay
    in the page cache; a later proof with the same layout reads them again).
    """
    progress = progress or _noop
    n_vars, n_public = int(zkey.n_vars), int(zkey.n_public)
    progress("witness")
    w = _witness_bytes(witness, n_vars)
    if r1cs is not None and r1cs.n_wires != n_vars:
        raise InputError(f"the R1CS has {r1cs.n_wires} wires, the proving key {n_vars}")

    progress("quotient + msm")
    pa, pb1, pb, pch = _core(zkey, w, timings, release_pages)

    progress("blind")
    proof = blind(zkey, pa, pb1, pb, pch, None)
    raw = memoryview(w).cast("B")
    public = [int.from_bytes(raw[32 * i : 32 * i + 32], "little") for i in range(1, n_public + 1)]

    if check:
        progress("self-check")
        # local import: the verifier loads zkats.bn254 (the native library)
        from .verifier import _verify_checked

        if not _verify_checked(zkey.verifying_key(), public, proof):
            raise _unsatisfied(w, r1cs)
    return proof, public


def _witness_ints(w):
    raw = bytes(memoryview(w).cast("B"))
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def _unsatisfied(w, r1cs):
    if r1cs is None:
        return UnsatisfiedConstraint(
            "the witness does not satisfy the circuit (its proof does not verify "
            "against the key); pass --r1cs FILE to name the failing constraint"
        )
    i = first_failing_constraint(r1cs, _witness_ints(w))
    if i is None:
        return UnsatisfiedConstraint(
            "the proof does not verify although the witness satisfies the given R1CS: "
            "the R1CS does not match the proving key"
        )
    return UnsatisfiedConstraint(
        f"the witness does not satisfy {describe_constraint(r1cs, i)}", index=i
    )


def first_failing_constraint(r1cs, witness):
    """Index of the first constraint <A_i,w>*<B_i,w> != <C_i,w>, or None.
    ``witness``: (n, 4) canonical limbs or a list of ints.  Error path only."""
    # local import: the lean prove path (tests/test_prove_lean.py) loads no numpy
    from ..formats.r1cs import r1cs_unsatisfied

    if _numpy_array(witness):
        wi = limbs_to_ints(witness)
    else:
        wi = list(witness)
    bad = r1cs_unsatisfied(r1cs, wi, first_only=True)
    return bad[0] if bad else None


def describe_constraint(r1cs, i):
    """'constraint 12 (origin)' using whatever names the R1CS carries."""
    text = f"constraint {i}"
    origin = getattr(r1cs, "constraint_origin", None)
    if origin and i < len(origin) and origin[i]:
        text += f" ({origin[i]})"
    return text


def prove_files(zkey_path, wtns_path, r1cs_path=None, progress=None, timings=None):
    """Read a ``.zkey`` and a ``.wtns`` (and optionally a ``.r1cs``) and
    prove.  The key and the witness stay in their read-only maps and go to
    the native core as buffers (no numpy unless ``r1cs_path`` is given); the
    key's pages are released as the core finishes with each section."""
    # local import: the lean prove path (tests/test_prove_lean.py) loads no numpy
    from ..formats.wtns import read_wtns_buffer
    from ..formats.zkey_layout import open_zkey

    progress = progress or _noop
    progress("read zkey")
    zkey = open_zkey(zkey_path)
    progress("read witness")
    witness = read_wtns_buffer(wtns_path)
    r1cs = None
    if r1cs_path is not None:
        # local import: the lean prove path (tests/test_prove_lean.py) loads no numpy
        from ..formats.r1cs import read_r1cs

        r1cs = read_r1cs(r1cs_path)
    n_vars = int(zkey.n_vars)
    n_wit = len(witness) // 32
    if n_wit != n_vars:
        raise InputError(
            f"{wtns_path}: the witness has {n_wit} values, {zkey_path} expects {n_vars}"
        )
    return prove(zkey, witness, r1cs=r1cs, progress=progress, timings=timings, release_pages=True)
