"""The Groth16 prover (snarkjs/rapidsnark pipeline on numpy arrays).

Given a proving key (:class:`zkats.formats.zkey.ZKey`: coefficient section,
point sections A, B1, B2, C, H in Montgomery form, and the key's alpha,
beta, delta points) and a full witness (canonical uint64 limbs, wire 0 = 1):

1. quotient scalars h (:func:`zkats.groth16.r1cs_to_qap.quotient_scalars`);
2. multi-scalar multiplications: A.w, B1.w (G1), B2.w (G2),
   C.w over the private wires, H.h;
3. fresh blinding r, s from :mod:`secrets`:

       pi_a = alpha + A.w + r delta
       pi_b = beta  + B2.w + s delta
       pi_c = C.w + H.h + s pi_a + r (beta_1 + B1.w + s delta_1) - r s delta_1

4. the proof is checked against the key's verification key before it is
   returned; a proof that does not verify means the witness does not
   satisfy the circuit (:class:`UnsatisfiedConstraint`, naming the first
   failing constraint when an R1CS is given).

r and s never leave this module and are never logged.
"""
import secrets

import numpy as np

from ..errors import InputError, UnsatisfiedConstraint
from ..field import R
from . import _curve
from .data_structures import Proof
from .r1cs_to_qap import quotient_scalars


def _noop(_stage):
    pass


def _witness_array(witness, n_vars):
    """Witness as a (n_vars, 4) uint64 array of canonical limbs, checked."""
    from .. import bn254
    if isinstance(witness, np.ndarray):
        w = np.ascontiguousarray(witness, dtype=np.uint64).reshape(-1, 4)
    else:
        from ..field import ints_to_limbs
        vals = list(witness)
        for i, v in enumerate(vals):
            if not isinstance(v, int) or not 0 <= v < R:
                raise InputError(f"witness[{i}] is not a canonical field element (< r)")
        w = ints_to_limbs(vals)
    if w.shape[0] != n_vars:
        raise InputError(f"witness has {w.shape[0]} values, the proving key expects {n_vars}")
    bad = bn254.fr_first_noncanonical(w)
    if bad >= 0:
        raise InputError(f"witness[{bad}] is not a canonical field element (< r)")
    if n_vars and tuple(int(x) for x in w[0]) != (1, 0, 0, 0):
        raise InputError("witness[0] must be 1 (the constant wire)")
    return w


def _msm(fn, bases, scalars, live_scalars):
    """fn(bases, scalars) over the rows where both the base (not infinity)
    and the scalar (not zero) can contribute.  circom circuits leave many
    bases at infinity (a signal absent from every B row has B1 = B2 = 0),
    so compacting first can save most of an MSM; below 10% dead rows the
    copy is not worth it."""
    live = bases.any(axis=1)
    live &= live_scalars
    n_live = int(np.count_nonzero(live))
    if n_live == 0:
        return None
    if n_live < 0.9 * live.shape[0]:
        return fn(np.ascontiguousarray(bases[live]), np.ascontiguousarray(scalars[live]))
    return fn(bases, scalars)


def _coeff_bytes(zkey):
    raw = getattr(zkey, "coeffs_raw", None)
    return raw if raw is not None else zkey.coeffs


def prove(zkey, witness, r1cs=None, progress=None, check=True):
    """Prove; returns ``(Proof, public_signals)``.

    ``witness``: (n_vars, 4) canonical uint64 array or a list of ints.
    ``r1cs``: optional :class:`zkats.r1cs.R1CS` used to name the failing
    constraint when the proof does not verify.  ``progress(stage_name)`` is
    called at the start of each stage.
    """
    progress = progress or _noop
    n_vars, n_public = int(zkey.n_vars), int(zkey.n_public)
    domain, power = int(zkey.domain_size), int(zkey.power)
    progress("witness")
    w = _witness_array(witness, n_vars)
    if r1cs is not None and r1cs.n_wires != n_vars:
        raise InputError(f"the R1CS has {r1cs.n_wires} wires, the proving key {n_vars}")

    progress("quotient")
    h = quotient_scalars(_coeff_bytes(zkey), w, domain, power)

    w_live = w.any(axis=1)
    progress("msm A")
    pa = _msm(_curve.msm_g1_array, zkey.A, w, w_live)
    progress("msm B1")
    pb1 = _msm(_curve.msm_g1_array, zkey.B1, w, w_live)
    progress("msm B2")
    pb = _msm(_curve.msm_g2_array, zkey.B2, w, w_live)
    progress("msm C")
    pc = _msm(_curve.msm_g1_array, zkey.C, w[n_public + 1:], w_live[n_public + 1:])
    progress("msm H")
    ph = _msm(_curve.msm_g1_array, zkey.H, h, h.any(axis=1))

    progress("blind")
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
    proof = Proof(a=pi_a, b=pi_b, c=pi_c)
    public = [int.from_bytes(w[i].tobytes(), "little") for i in range(1, n_public + 1)]

    if check:
        progress("self-check")
        from .verifier import _verify_checked
        if not _verify_checked(zkey.verifying_key(), public, proof):
            raise _unsatisfied(w, r1cs)
    return proof, public


def _unsatisfied(w, r1cs):
    if r1cs is None:
        return UnsatisfiedConstraint(
            "the witness does not satisfy the circuit (its proof does not verify "
            "against the key); pass --r1cs FILE to name the failing constraint")
    i = first_failing_constraint(r1cs, w)
    if i is None:
        return UnsatisfiedConstraint(
            "the proof does not verify although the witness satisfies the given R1CS: "
            "the R1CS does not match the proving key")
    return UnsatisfiedConstraint(f"the witness does not satisfy {describe_constraint(r1cs, i)}", index=i)


def first_failing_constraint(r1cs, witness):
    """Index of the first constraint <A_i,w>*<B_i,w> != <C_i,w>, or None.
    ``witness``: (n, 4) canonical limbs or a list of ints.  Error path only."""
    from ..field import limbs_to_ints
    from ..formats.r1cs import r1cs_unsatisfied
    wi = limbs_to_ints(witness) if isinstance(witness, np.ndarray) else list(witness)
    bad = r1cs_unsatisfied(r1cs, wi, first_only=True)
    return bad[0] if bad else None


def describe_constraint(r1cs, i):
    """'constraint 12 (origin)' using whatever names the R1CS carries."""
    text = f"constraint {i}"
    origin = getattr(r1cs, "constraint_origin", None)
    if origin and i < len(origin) and origin[i]:
        text += f" ({origin[i]})"
    return text


def prove_files(zkey_path, wtns_path, r1cs_path=None, progress=None):
    """Read a ``.zkey`` and a ``.wtns`` (and optionally a ``.r1cs``) and prove."""
    from ..formats.wtns import read_wtns
    from ..formats.zkey import read_zkey
    progress = progress or _noop
    progress("read zkey")
    zkey = read_zkey(zkey_path)
    progress("read witness")
    witness = read_wtns(wtns_path)
    r1cs = None
    if r1cs_path is not None:
        from ..formats.r1cs import read_r1cs
        r1cs = read_r1cs(r1cs_path)
    n_vars = int(zkey.n_vars)
    n_wit = len(witness) if not isinstance(witness, np.ndarray) else witness.reshape(-1, 4).shape[0]
    if n_wit != n_vars:
        raise InputError(f"{wtns_path}: the witness has {n_wit} values, {zkey_path} expects {n_vars}")
    return prove(zkey, witness, r1cs=r1cs, progress=progress)
