"""One-party development ceremony with the toxic waste known for the
length of a session: the prepared powers of tau AND the circuits' initial
keys computed from the secret scalars.

:class:`DevCeremony` (a context manager) draws tau, alpha, beta exactly as
:func:`zkats.groth16.ceremony.dev_prepared_ptau` does (from :mod:`secrets`,
snarkjs' rng derivation, a real contribution record) and keeps them in
ONE attribute until the ``with`` block ends; then it drops them (they are
never written or logged).  Inside the session, :meth:`DevCeremony.zkey`
returns for an R1CS what ``new_zkey(r1cs, session.ptau)`` returns (the
initial key, delta = 1, byte-identical once written), evaluated in Fr:

* L_c = L_c(tau), the Lagrange basis of the circuit's domain (an inverse
  NTT of the powers of tau, as the ptau's section 12 is in the exponent);
* per wire s: a_s = sum_c A[c][s] L_c (+ L_{m+s} for public s, snarkjs'
  extra rows), b_s = sum_c B[c][s] L_c, c_s = sum_c C[c][s] L_c, and
  k_s = beta a_s + alpha b_s + c_s;
* A = a G1, B1 = b G1, B2 = b G2, IC | C = k G1: one fixed-base
  multiplication per point instead of one variable-base multiplication per
  R1CS term (the venue circuits have ~10^5 full-size coefficients);
* H, the coefficient section and the csHash: the ptau's points and the
  code :func:`zkats.groth16.generator.initial_zkey` shares with ``new_zkey``.

Anyone who knew tau, alpha, beta could forge proofs for every circuit set
up in the session: development and tests only (one party, this machine);
a production venue needs a multi-party ceremony.  The Fr arrays derived
from the secrets are overwritten with zeros after use; Python ints cannot
be wiped, only dropped.
"""

import numpy as np

from .. import bn254
from ..errors import InputError
from ..field import R, ints_to_limbs
from . import ceremony, generator, transcript as tr

_MASK32 = np.uint64(0xFFFFFFFF)


def _log(progress, msg):
    if progress:
        progress(msg)


def _lagrange_scalars(tau, cp, threads):
    """L_c(tau), c < 2^cp, on snarkjs' domain (Montgomery (2^cp, 4))."""
    one = bn254.fr_ints_to_mont_array([1])
    pw = bn254.fr_mul_powers_array(np.repeat(one, 1 << cp, axis=0), tau, threads=threads)
    return bn254.ntt_array(pw, inverse=True, threads=threads, inplace=True)


def _wire_sums(n_wires, rows, cols, coeffs, lag, threads):
    """out[w] = sum over the entries with cols == w of coeffs * lag[rows]
    (Fr, Montgomery (n_wires, 4)).  ``coeffs``: canonical (nnz, 4) limbs;
    ``lag``: Montgomery.  Sums 32-bit limbs of the products per wire with
    numpy (Montgomery form is linear), then reduces each wire mod r."""
    out = np.zeros((n_wires, 4), dtype=np.uint64)
    if len(rows) == 0:
        return out
    order = np.argsort(cols, kind="stable")
    cs = np.asarray(cols)[order]
    lg = np.ascontiguousarray(lag[np.asarray(rows)[order]])
    prod = bn254.fr_mul_array(bn254.fr_to_mont_array(coeffs[order]), lg, threads)
    lg.fill(0)
    starts = np.flatnonzero(np.concatenate([[True], cs[1:] != cs[:-1]]))
    acc = np.zeros((len(starts), 9), dtype=np.uint64)
    # each limb sum < 2^32 * (entries per wire) fits easily in 64 bits
    acc[:, :8] = np.add.reduceat(prod.view("<u4").reshape(-1, 8).astype(np.uint64), starts, axis=0)
    for k in range(8):
        acc[:, k + 1] += acc[:, k] >> np.uint64(32)
        acc[:, k] &= _MASK32
    raw = acc.astype("<u4").tobytes()
    vals = [int.from_bytes(raw[36 * i : 36 * i + 36], "little") % R for i in range(len(starts))]
    out[cs[starts]] = ints_to_limbs(vals)
    prod.fill(0)
    acc.fill(0)
    del vals, raw
    return out


class DevCeremony:
    """``with DevCeremony(power) as s:`` makes ``s.ptau`` (the prepared
    PTau, as :func:`zkats.groth16.ceremony.dev_prepared_ptau` makes it) and
    ``s.response_hash``; inside the block ``s.zkey(r1cs)`` is the initial
    key of ``r1cs`` on that ptau (what ``new_zkey(r1cs, s.ptau)`` returns).
    The secret scalars exist only between ``__enter__`` and ``__exit__``
    (also when the block raises); ``ptau`` stays usable afterwards."""

    def __init__(
        self,
        power,
        name="zkats one-party development ceremony",
        entropy=None,
        threads=None,
        progress=None,
        _rng=None,
    ):
        self.power = power
        self.name = name
        self.threads = threads
        self.progress = progress
        self.ptau = None
        self.response_hash = None
        self._entropy = entropy
        self._rng = _rng  # tests only: a deterministic snarkjs rng

    def __enter__(self):
        if self.ptau is not None:
            raise InputError("a development ceremony session runs once")
        rng = self._rng if self._rng is not None else ceremony._random_rng(self._entropy)
        self._rng = self._entropy = None

        def apply(pt, prv, threads, progress):
            self._secret = (prv["tau"], prv["alpha"], prv["beta"])
            return ceremony._fresh_prepared_key(pt, prv, threads, progress)

        try:
            self.ptau, self.response_hash = ceremony._contribute_with_rng(
                ceremony.new_accumulator(self.power),
                rng,
                self.name,
                0,
                None,
                self.threads,
                self.progress,
                apply=apply,
            )
        except BaseException:
            self._drop()
            raise
        del rng
        return self

    def __exit__(self, *exc):
        self._drop()
        return False

    def _drop(self):
        self.__dict__.pop("_secret", None)

    @property
    def open(self):
        """True between ``__enter__`` and ``__exit__``."""
        return "_secret" in self.__dict__

    def zkey(self, r1cs, progress=None):
        """The initial key of ``r1cs`` (delta = gamma = 1, no contribution;
        follow with :func:`zkats.groth16.phase2.contribute`).  Same checks
        and errors as ``new_zkey``; only inside the session."""
        if not self.open:
            raise InputError("the development ceremony session is closed: its secrets are gone")
        threads = self.threads
        pt = self.ptau
        m, npub, nvars, cp = generator.circuit_shape(r1cs, pt)
        tau, alpha, beta = self._secret
        A, B, C = r1cs.A, r1cs.B, r1cs.C
        prow, pcol, one = generator.public_rows(m, npub)
        lag = a = b = k = t = sc = None
        try:
            _log(progress, "Lagrange scalars")
            lag = _lagrange_scalars(tau, cp, threads)
            _log(progress, "per-wire sums")
            a = _wire_sums(
                nvars,
                np.concatenate([A.rows, prow]),
                np.concatenate([A.cols, pcol]),
                np.concatenate([A.coeffs.reshape(-1, 4), one]),
                lag,
                threads,
            )
            b = _wire_sums(nvars, B.rows, B.cols, B.coeffs.reshape(-1, 4), lag, threads)
            k = _wire_sums(nvars, C.rows, C.cols, C.coeffs.reshape(-1, 4), lag, threads)
            t = np.empty_like(k)
            bn254.fr_add_array(k, bn254.fr_scale_array(a, beta, threads, out=t), threads, out=k)
            bn254.fr_add_array(k, bn254.fr_scale_array(b, alpha, threads, out=t), threads, out=k)
            _log(progress, "fixed-base points")
            sc = bn254.fr_from_mont_array(np.vstack([a, b, k]))
            g1 = bn254.g1_fixed_base_array(tr.G1_GEN, sc, threads)
            pB2 = bn254.g2_fixed_base_array(tr.G2_GEN, sc[nvars : 2 * nvars], threads)
        finally:
            for arr in (lag, a, b, k, t, sc):
                if arr is not None:
                    arr.fill(0)
            del tau, alpha, beta
        pA, pB1, K = (np.ascontiguousarray(x) for x in np.split(g1, [nvars, 2 * nvars]))
        return generator.initial_zkey(r1cs, pt, cp, pA, pB1, pB2, K, progress)


__all__ = ["DevCeremony"]
