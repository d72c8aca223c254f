"""Groth16 phase 2 (the circuit-specific delta): ``zkey contribute``,
``zkey beacon``, ``zkey verify`` and ``zkey export verificationkey``,
compatible with snarkjs 0.7.6 (``zkey_contribute.js``, ``zkey_beacon.js``,
``zkey_verify_frominit.js``).

A contribution with secret d: delta1, delta2 <- d * delta; the C (L) and H
sections <- d^-1 * them; the record holds deltaAfter, a proof of knowledge
(g1_s, g1_sx = d g1_s, g2_spx = d hashToG2(transcript)) and the transcript
hash chaining every previous record to the circuit's csHash.  The secret
comes from :mod:`secrets` (plus optional entropy) through snarkjs' rng
derivation, lives only in this module's local variables, and is never
written or logged.
"""

import dataclasses
import hashlib
import secrets

import numpy as np

from .. import bn254
from ..errors import VerificationError
from ..field import R
from ..formats import ptau as ptf, snarkjs_json, zkey as zkf
from ..formats.r1cs import read_r1cs
from . import ceremony, generator, transcript as tr


def _hash_pubkey(h, c):
    h.update(tr.g1_to_u(c.delta_after))
    h.update(tr.g1_to_u(c.g1_s))
    h.update(tr.g1_to_u(c.g1_sx))
    h.update(tr.g2_to_u(c.g2_spx))
    h.update(c.transcript)


def contribution_hash(c):
    h = hashlib.blake2b(digest_size=64)
    _hash_pubkey(h, c)
    return h.digest()


def _transcript_base(zk):
    h = hashlib.blake2b(digest_size=64)
    h.update(zk.cs_hash)
    for c in zk.contributions:
        _hash_pubkey(h, c)
    return h


def _scale(arr, k, fn, threads):
    """k * every point of ``arr``; ``fn``: bn254.g1_mul_one_array (one scalar)."""
    if arr.shape[0] == 0:
        return np.array(arr, copy=True)
    return fn(arr, k, threads)


def _apply(zk, rng, ctype, name, beacon, threads):
    h = _transcript_base(zk)
    d = tr.fr_from_rng(rng)
    if d == 0:
        raise VerificationError("degenerate contribution secret (zero); try again")
    g1_s = tr.g1_from_rng(rng)
    g1_sx = tr.g1_mul(g1_s, d)
    h.update(tr.g1_to_u(g1_s))
    h.update(tr.g1_to_u(g1_sx))
    transcript = h.digest()
    g2_spx = tr.g2_mul(tr.hash_to_g2(transcript), d)
    delta1 = tr.g1_mul(zk.delta_1, d)
    delta2 = tr.g2_mul(zk.delta_2, d)
    dinv = pow(d, -1, R)
    new_c = _scale(zk.C, dinv, bn254.g1_mul_one_array, threads)
    new_h = _scale(zk.H, dinv, bn254.g1_mul_one_array, threads)
    del d, dinv
    beacon_hash, num_iterations_exp = beacon if beacon else (None, None)
    c = zkf.ZkeyContribution(
        delta_after=delta1,
        g1_s=g1_s,
        g1_sx=g1_sx,
        g2_spx=g2_spx,
        transcript=transcript,
        type=ctype,
        name=zkf.encode_name(name) if name else None,
        beacon_hash=beacon_hash,
        num_iterations_exp=num_iterations_exp,
    )
    # the same key with delta and its sections moved (a new file: no path)
    out = dataclasses.replace(
        zk,
        delta_1=delta1,
        delta_2=delta2,
        C=new_c,
        H=new_h,
        contributions=list(zk.contributions) + [c],
        section_order=tuple(range(1, 11)),
        path=None,
        _file=None,
    )
    return out, contribution_hash(c)


def contribute(zk, name=None, entropy=None, threads=None):
    """Return (new ZKey, contribution hash) with a fresh secret delta."""
    return _apply(zk, ceremony._random_rng(entropy), 0, name, None, threads)


def beacon(zk, beacon_hash, num_iterations_exp, name=None, threads=None):
    """A reproducible contribution from a public beacon (snarkjs' zkey beacon)."""
    rng = ceremony.beacon_rng(beacon_hash, num_iterations_exp)
    return _apply(zk, rng, 1, name, (bytes(beacon_hash), num_iterations_exp), threads)


def _rand_scalars(n):

    s = np.zeros((n, 4), dtype=np.uint64)
    s[:, 0] = np.frombuffer(secrets.token_bytes(8 * n), dtype="<u8") if n else []
    s[:, 0] >>= np.uint64(1)
    return s


def _same_ratio_sections(a0, a1, g2s, g2sx, msm, label):
    """sum r_i a1_i and sum r_i a0_i in the ratio g2s : g2sx (random 63-bit r)."""
    if a0.shape[0] == 0:
        return
    s = _rand_scalars(a0.shape[0])
    r0, r1 = msm(a0, s), msm(a1, s)
    if r0 is None and r1 is None:
        return
    if not tr.same_ratio(r0, r1, g2s, g2sx):
        raise VerificationError(f"{label} section does not match the initial key")


def verify_from_init(init, zk, allow_no_contributions=False, threads=None):
    """Check ``zk`` against the initial key ``init`` (zkey new's output).
    Returns a list of lines describing the contributions; raises
    VerificationError with the first failing check."""
    base = hashlib.blake2b(digest_size=64)
    base.update(zk.cs_hash)
    cur_delta = tr.G1_GEN
    lines = []
    for i, c in enumerate(zk.contributions, 1):
        ours = base.copy()
        ours.update(tr.g1_to_u(c.g1_s))
        ours.update(tr.g1_to_u(c.g1_sx))
        if ours.digest() != c.transcript:
            raise VerificationError(f"contribution #{i}: inconsistent transcript")
        sp = tr.hash_to_g2(c.transcript)
        if not tr.same_ratio(c.g1_s, c.g1_sx, sp, c.g2_spx):
            raise VerificationError(
                f"contribution #{i}: public key G1 and G2 do not have the same ratio"
            )
        if not tr.same_ratio(cur_delta, c.delta_after, sp, c.g2_spx):
            raise VerificationError(f"contribution #{i}: deltaAfter does not follow the public key")
        if c.type == 1:
            rng = ceremony.beacon_rng(c.beacon_hash, c.num_iterations_exp)
            d = tr.fr_from_rng(rng)
            g1s = tr.g1_from_rng(rng)
            if g1s != c.g1_s or tr.g1_mul(g1s, d) != c.g1_sx:
                raise VerificationError(f"contribution #{i}: key of the beacon does not match")
        _hash_pubkey(base, c)
        cur_delta = c.delta_after
        name = c.name.decode("utf-8", "replace") if c.name else ""
        kind = " (beacon)" if c.type == 1 else ""
        lines.append(f"contribution #{i}{kind}: {name}  hash {contribution_hash(c).hex()[:32]}...")
    if (zk.n_vars, zk.n_public, zk.domain_size) != (init.n_vars, init.n_public, init.domain_size):
        raise VerificationError("different circuit parameters (nVars, nPublic or domain size)")
    for k in ("alpha_1", "beta_1", "beta_2", "gamma_2"):
        if getattr(zk, k) != getattr(init, k):
            raise VerificationError(f"invalid {k}: differs from the one the circuit and ptau give")
    if zk.delta_1 != cur_delta:
        raise VerificationError("invalid delta1: not the last contribution's deltaAfter")
    if not tr.same_ratio(tr.G1_GEN, cur_delta, tr.G2_GEN, zk.delta_2):
        raise VerificationError("invalid delta2: not the same ratio as delta1")
    if zk.cs_hash != init.cs_hash:
        raise VerificationError("circuit does not match (csHash differs)")
    if list(zk.ic) != list(init.ic):
        raise VerificationError("IC section is not identical")
    diff = zkf.coeffs_differ(zk.coeffs, init.coeffs)
    if diff is not None:
        raise VerificationError(f"coefficient section does not match the circuit ({diff})")
    for k in ("A", "B1", "B2"):
        if not np.array_equal(getattr(zk, k), getattr(init, k)):
            raise VerificationError(f"{k} section is not identical")
    msm = lambda b, s: bn254.msm_g1_array(b, s, threads)  # noqa: E731
    _same_ratio_sections(init.C, zk.C, zk.delta_2, init.delta_2, msm, "L (C)")
    _same_ratio_sections(init.H, zk.H, zk.delta_2, init.delta_2, msm, "H")
    if cur_delta == tr.G1_GEN:
        msg = "delta is still the generator: no phase-2 contribution, the key is not secure"
        if not allow_no_contributions:
            raise VerificationError(msg)
        lines.append("warning: " + msg)
    return lines


def verify(r1cs_path, ptau_path, zkey_path, allow_no_contributions=False, threads=None):
    """``zkey verify CIRCUIT.r1cs POT.ptau FINAL.zkey``."""

    r1cs = read_r1cs(r1cs_path)
    pt = ptf.read_ptau(ptau_path, check="lazy")
    generator.check_used_points(
        pt, generator.circuit_power(r1cs.n_constraints, r1cs.n_pub_out + r1cs.n_pub_in)
    )
    init = generator.new_zkey(r1cs, pt, threads=threads, ptau_path=str(ptau_path))
    zk = zkf.read_zkey(zkey_path, check="full")
    return verify_from_init(init, zk, allow_no_contributions, threads)


def export_verification_key(zk, path):
    """Write snarkjs' verification_key.json for ``zk`` (H5b's writer)."""

    snarkjs_json.write_verification_key(path, zk.verifying_key())
