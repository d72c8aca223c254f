"""Groth16 circuit-specific setup from a phase-2-prepared ``.ptau``, as
``snarkjs groth16 setup`` (``zkey new``) does it.

With delta = gamma = 1 (the generator) and the ptau's alpha, beta, the
sections are sparse combinations of the Lagrange-basis points L_c(tau):

* A[s]  = sum_c A[c][s] L_c G1  (+ L_{m+s} G1 for public s: snarkjs adds a
  constraint "1 * 0 = 0"-like row per public signal so they are linearly
  independent)
* B1[s] = sum_c B[c][s] L_c G1, B2[s] = the same in G2
* K[s]  = sum_c (beta A[c][s] + alpha B[c][s] + C[c][s]) L_c G1
  (+ beta L_{m+s} for public s); IC = K[0..nPublic], C = K[nPublic+1..]
* H[i]  = L'_{2i+1} G1 over the domain of twice the size (odd points).

Everything runs natively (``bn254.g1_sparse_combine_array``), the
coefficient section and the csHash transcript exactly as snarkjs writes
them, so zkats and snarkjs produce the same bytes from the same inputs:
snarkjs copies each constraint's A and B terms in the order the ``.r1cs``
lists them (circom's own order, not sorted by signal, with any zero or
repeated term), and so does :func:`coefficient_section`
(:attr:`zkats.r1cs.R1CS.ab_file_terms`).
One known divergence: for a domain of 2^15 or more
that uses the ptau's full size, snarkjs' H-transcript hash reads past the
tauG1 section; zkats hashes the points that exist, so the csHash (not the
key) would differ in that case.
"""

import struct

import numpy as np

from .. import bn254
from ..errors import FormatError, InputError
from ..field import R
from ..formats import ptau as ptf, zkey as zkf
from ..formats.r1cs import read_r1cs
from . import transcript as tr


def _log(progress, msg):
    if progress:
        progress(msg)


def circuit_power(n_constraints, n_public):
    """snarkjs: log2(nConstraints + nPublic) + 1 (floor log2; 0 -> 0)."""
    v = n_constraints + n_public
    return (v.bit_length() - 1 if v > 0 else 0) + 1


def _csr(n_rows, rows, idx, scalars):
    """Sort entries by row (stable) and build row pointers."""
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.add.at(ptr, rows + 1, 1)
    np.cumsum(ptr, out=ptr)
    return ptr, idx[order].astype(np.uint32), np.ascontiguousarray(scalars[order])


def _u32be(n):
    return struct.pack(">I", n)


def circuit_shape(r1cs, pt, ptau_path="ptau"):
    """(m, nPublic, nVars, circuit power) of ``r1cs`` after the checks a
    setup from the prepared PTau ``pt`` needs (BN254 prime, prepared ptau,
    big enough, domain < 2^28); raises InputError/FormatError."""
    if r1cs.prime != R:
        raise InputError("the circuit's prime is not BN254's scalar field")
    if not pt.prepared:
        raise FormatError(
            ptau_path, "not prepared for phase 2 (run `zkats powersoftau prepare phase2`)", 12
        )
    m = r1cs.n_constraints
    npub = r1cs.n_pub_out + r1cs.n_pub_in
    cp = circuit_power(m, npub)
    if cp > pt.power:
        raise InputError(
            f"circuit too big for this ptau: needs 2^{cp} > 2^{pt.power} "
            f"({m} constraints + {npub} public signals)"
        )
    if cp >= ptf.MAX_POWER:
        raise InputError("circuit too big: domain of 2^28 or more is not supported")
    return m, npub, r1cs.n_wires, cp


def public_rows(m, npub):
    """snarkjs' extra A entries "signal s at constraint m + s, coefficient 1"
    for s = 0..nPublic: (rows, cols, canonical coefficient limbs)."""
    pub = np.arange(npub + 1, dtype=np.int64)
    one = np.zeros((npub + 1, 4), dtype=np.uint64)
    one[:, 0] = 1
    return m + pub, pub, one


def coefficient_section(r1cs):
    """The zkey's coefficient section (snarkjs order: per constraint its A
    terms, then its B terms, each in the order the ``.r1cs`` file lists
    them (zero coefficients and repeated wires included, as snarkjs copies
    them); then one A row per public signal)."""
    A, B = r1cs.ab_file_terms or (r1cs.A, r1cs.B)
    m = r1cs.n_constraints
    npub = r1cs.n_pub_out + r1cs.n_pub_in
    prow, pcol, _ = public_rows(m, npub)
    mat = np.concatenate([np.zeros(A.nnz, np.uint32), np.ones(B.nnz, np.uint32)])
    con = np.concatenate([A.rows, B.rows]).astype(np.int64)
    sig = np.concatenate([A.cols, B.cols]).astype(np.int64)
    val = np.concatenate([A.coeffs, B.coeffs]).reshape(-1, 4)
    order = np.lexsort((np.arange(len(con)), mat, con))
    coeffs = np.zeros(len(con) + npub + 1, dtype=zkf.COEF_DTYPE)
    coeffs["matrix"][: len(con)] = mat[order]
    coeffs["constraint"][: len(con)] = con[order]
    coeffs["signal"][: len(con)] = sig[order]
    if len(con):
        coeffs["value"][: len(con)] = bn254.fr_to_mont_array(bn254.fr_to_mont_array(val[order]))
    coeffs["matrix"][len(con) :] = 0
    coeffs["constraint"][len(con) :] = prow
    coeffs["signal"][len(con) :] = pcol
    coeffs["value"][len(con) :] = np.frombuffer(
        zkf.coeff_value_to_file(1) * (npub + 1), dtype="<u8"
    ).reshape(-1, 4)
    return coeffs


def initial_zkey(r1cs, pt, cp, pA, pB1, pB2, K, progress=None):
    """The initial key (delta = gamma = 1, no contribution) from its point
    sections: ``pA``, ``pB1`` (n_vars, 8), ``pB2`` (n_vars, 16) and ``K``
    (n_vars, 8; IC = K[0..nPublic], C = the rest), Montgomery affine.  Adds
    the coefficient section, H (odd Lagrange points of the double domain,
    from ``pt``) and the csHash exactly as snarkjs writes them.  Shared by
    :func:`new_zkey` and the known-tau development path
    (:mod:`zkats.groth16.dev_ceremony`)."""
    npub = r1cs.n_pub_out + r1cs.n_pub_in
    dom = 1 << cp
    coeffs = coefficient_section(r1cs)
    ic_arr, pC = K[: npub + 1], np.ascontiguousarray(K[npub + 1 :])
    pH = np.ascontiguousarray(pt.lagrange(12, cp + 1)[1::2])

    g1 = lambda a, i: tr.g1_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    g2 = lambda a, i: tr.g2_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    alpha1, beta1, beta2 = g1(pt.alpha_tau_g1, 0), g1(pt.beta_tau_g1, 0), g2(pt.beta_g2, 0)

    # --- csHash (snarkjs' transcript of the initial key) ----------------------
    _log(progress, "hashing")
    h = tr.Blake2b()
    for p in (
        tr.g1_to_u(alpha1),
        tr.g1_to_u(beta1),
        tr.g2_to_u(beta2),
        tr.g2_to_u(tr.G2_GEN),
        tr.g1_to_u(tr.G1_GEN),
        tr.g2_to_u(tr.G2_GEN),
    ):
        h.update(p)
    h.update(_u32be(npub + 1))
    h.update(bn254.g1_lem_to_uncompressed(ic_arr))
    h.update(_u32be(dom - 1))
    n_h = dom - 1 if dom - 1 <= (1 << 14) else -(-(dom - 1) // (1 << 14)) * (1 << 14)
    n_h = min(n_h, pt.tau_g1.shape[0] - dom)
    h.update(
        bn254.g1_lem_to_uncompressed(
            bn254.g1_sub_array(pt.tau_g1[dom : dom + n_h], pt.tau_g1[:n_h])
        )
    )
    for arr, enc in (
        (pC, bn254.g1_lem_to_uncompressed),
        (pA, bn254.g1_lem_to_uncompressed),
        (pB1, bn254.g1_lem_to_uncompressed),
        (pB2, bn254.g2_lem_to_uncompressed),
    ):
        h.update(_u32be(arr.shape[0]))
        h.update(enc(arr))
    cs_hash = h.digest()

    ic = [g1(ic_arr, i) for i in range(npub + 1)]
    return zkf.ZKey(
        n_vars=r1cs.n_wires,
        n_public=npub,
        domain_size=dom,
        alpha_1=alpha1,
        beta_1=beta1,
        beta_2=beta2,
        gamma_2=tr.G2_GEN,
        delta_1=tr.G1_GEN,
        delta_2=tr.G2_GEN,
        ic=ic,
        coeffs=coeffs,
        A=pA,
        B1=pB1,
        B2=pB2,
        C=pC,
        H=pH,
        cs_hash=cs_hash,
        contributions=[],
        section_order=(1, 2, 4, 3, 9, 8, 5, 6, 7, 10),
    )


def new_zkey(r1cs, pt, threads=None, progress=None, ptau_path="ptau"):
    """Build a :class:`zkats.formats.zkey.ZKey` for ``r1cs`` (a
    :class:`zkats.r1cs.R1CS`) from the prepared PTau ``pt``."""
    m, npub, nvars, cp = circuit_shape(r1cs, pt, ptau_path)
    dom = 1 << cp
    LG1 = pt.lagrange(12, cp)
    LG2 = pt.lagrange(13, cp)
    LA = pt.lagrange(14, cp)
    LB = pt.lagrange(15, cp)

    A, B, C = r1cs.A, r1cs.B, r1cs.C
    prow, pub, one = public_rows(m, npub)

    # --- A, B1, B2 ---------------------------------------------------------
    _log(progress, "A")
    ptr, idx, sc = _csr(
        nvars,
        np.concatenate([A.cols, pub]),
        np.concatenate([A.rows, prow]),
        np.concatenate([A.coeffs.reshape(-1, 4), one]),
    )
    pA = bn254.g1_sparse_combine_array(nvars, LG1, ptr, idx, sc, threads)
    _log(progress, "B1, B2")
    ptr, idx, sc = _csr(
        nvars, B.cols.astype(np.int64), B.rows.astype(np.int64), B.coeffs.reshape(-1, 4)
    )
    pB1 = bn254.g1_sparse_combine_array(nvars, LG1, ptr, idx, sc, threads)
    pB2 = bn254.g2_sparse_combine_array(nvars, LG2, ptr, idx, sc, threads)
    # --- IC and C: bases [LG1 | LA | LB] -----------------------------------
    _log(progress, "IC, C")
    bases = np.vstack([LG1, LA, LB])
    ptr, idx, sc = _csr(
        nvars,
        np.concatenate([A.cols, B.cols, C.cols, pub]).astype(np.int64),
        np.concatenate([A.rows + 2 * dom, B.rows + dom, C.rows, prow + 2 * dom]).astype(np.int64),
        np.concatenate(
            [A.coeffs.reshape(-1, 4), B.coeffs.reshape(-1, 4), C.coeffs.reshape(-1, 4), one]
        ),
    )
    K = bn254.g1_sparse_combine_array(nvars, bases, ptr, idx, sc, threads)
    return initial_zkey(r1cs, pt, cp, pA, pB1, pB2, K, progress)


def check_used_points(pt, cp):
    """Check (canonical, on curve, G2 in the subgroup) every ptau point a
    setup of domain 2^cp reads; the rest of a big ptau is left unchecked."""
    if not pt.prepared or cp > pt.power:
        return
    path = pt.path or "ptau"
    dom = 1 << cp
    ptf.check_g1_array(path, 2, pt.tau_g1[: min(2 * dom, pt.tau_g1.shape[0])])
    ptf.check_g1_array(path, 4, pt.alpha_tau_g1[:1])
    ptf.check_g1_array(path, 5, pt.beta_tau_g1[:1])
    ptf.check_g2_array(path, 6, pt.beta_g2)
    ptf.check_g1_array(path, 12, pt.lagrange(12, cp))
    ptf.check_g1_array(path, 12, pt.lagrange(12, cp + 1))
    ptf.check_g2_array(path, 13, pt.lagrange(13, cp))
    ptf.check_g1_array(path, 14, pt.lagrange(14, cp))
    ptf.check_g1_array(path, 15, pt.lagrange(15, cp))


def setup(r1cs_path, ptau_path, zkey_path, threads=None, progress=None):
    """``zkats groth16 setup``: read, build, write.  Returns the csHash."""

    r1cs = read_r1cs(r1cs_path)
    pt = ptf.read_ptau(ptau_path, check="lazy")
    check_used_points(pt, circuit_power(r1cs.n_constraints, r1cs.n_pub_out + r1cs.n_pub_in))
    zk = new_zkey(r1cs, pt, threads=threads, progress=progress, ptau_path=str(ptau_path))
    zkf.write_zkey(zkey_path, zk)
    return zk.cs_hash
