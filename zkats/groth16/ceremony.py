"""Powers of tau (phase 1), compatible with snarkjs' ``powersoftau`` files.

* :func:`new_accumulator` - a fresh accumulator (every point a generator).
* :func:`contribute` / :func:`beacon` - multiply in secret tau, alpha, beta.
  The secrets are derived from 64 bytes of :mod:`secrets` (plus optional
  user entropy) exactly as snarkjs derives them from its rng, live only in
  local variables and are never written or logged.  The contribution
  record (public key, partial response hash, next challenge) is computed
  as snarkjs does, so ``snarkjs powersoftau verify`` accepts the result.
* :func:`prepare_phase2` - the Lagrange-basis sections 12..15: an inverse
  FFT in the exponent per domain size (native, multi-threaded).
* :func:`verify` - every check of ``snarkjs powersoftau verify``: each
  contribution's proofs of knowledge and its link to the previous one, the
  powers in every section (random linear combinations + pairings), the
  next-challenge hash, and the phase-2 sections.

Facts (hash layouts, key derivation) from snarkjs 0.7.6, see
:mod:`zkats.groth16.transcript`.
"""

import hashlib
import secrets

import numpy as np

from .. import bn254
from ..errors import FormatError, VerificationError
from ..field import R, ints_to_limbs
from ..formats import ptau as ptf
from . import transcript as tr

#: u32 personalisation bytes of the three keys (snarkjs keypair.js)
_PERSONAL = {"tau": 0, "alpha": 1, "beta": 2}


def _log(progress, msg):
    if progress:
        progress(msg)


def omega(p):
    """The primitive 2^p-th root of unity snarkjs/ffjavascript use: 5^((r-1)/2^p)."""
    return pow(5, (R - 1) >> p, R)


def _g1_const(p, n):
    return np.tile(np.frombuffer(tr.g1_to_lem(p), dtype="<u8"), (n, 1)).astype(np.uint64)


def _g2_const(p, n):
    return np.tile(np.frombuffer(tr.g2_to_lem(p), dtype="<u8"), (n, 1)).astype(np.uint64)


def new_accumulator(power):
    """A fresh ``PTau`` of 2^power (every point the generator, no contributions)."""
    if not 1 <= power <= ptf.MAX_POWER:
        raise ValueError(f"power must be in 1..{ptf.MAX_POWER}")
    n = 1 << power
    const = {1: lambda k: _g1_const(tr.G1_GEN, k), 2: lambda k: _g2_const(tr.G2_GEN, k)}
    return ptf.PTau.of_points(power, [const[g](cnt(n)) for *_, g, cnt in ptf.POINTS])


def first_challenge_hash(power):
    """snarkjs ``calculateFirstChallengeHash``."""
    n = 1 << power
    h = hashlib.blake2b(digest_size=64)
    h.update(hashlib.blake2b(digest_size=64).digest())
    g1u, g2u = tr.g1_to_u(tr.G1_GEN), tr.g2_to_u(tr.G2_GEN)

    def rep(block, count):
        chunk = block * 4096
        while count >= 4096:
            h.update(chunk)
            count -= 4096
        h.update(block * count)

    rep(g1u, 2 * n - 1)
    rep(g2u, n)
    rep(g1u, n)
    rep(g1u, n)
    h.update(g2u)
    return h.digest()


def _chunks(arr, rows=1 << 14):
    for i in range(0, len(arr), rows):
        yield arr[i : i + rows]


def _hash_sections(hasher, pt, compressed):
    enc = {
        1: bn254.g1_lem_to_compressed if compressed else bn254.g1_lem_to_uncompressed,
        2: bn254.g2_lem_to_compressed if compressed else bn254.g2_lem_to_uncompressed,
    }
    for _, group, arr in pt.points():
        for c in _chunks(arr):
            hasher.update(enc[group](c))


def _pubkey_u(key):
    return b"".join(
        [tr.g1_to_u(key[k]) for k in ptf.KEY_G1] + [tr.g2_to_u(key[k]) for k in ptf.KEY_G2]
    )


def _g2sp(personal, challenge, g1s, g1sx):
    return tr.hash_to_g2(
        tr.blake2b_512(bytes([personal]), challenge, tr.g1_to_u(g1s), tr.g1_to_u(g1sx))
    )


def _create_key(challenge, rng):
    """snarkjs ``createPTauKey``: returns (private scalars, public key dict)."""
    prv = {k: tr.fr_from_rng(rng) for k in ("tau", "alpha", "beta")}
    pub = {}
    g2sp = {}
    for k in ("tau", "alpha", "beta"):
        g1s = tr.g1_from_rng(rng)
        g1sx = tr.g1_mul(g1s, prv[k])
        sp = _g2sp(_PERSONAL[k], challenge, g1s, g1sx)
        pub[f"{k}_g1_s"], pub[f"{k}_g1_sx"] = g1s, g1sx
        pub[f"{k}_g2_spx"] = tr.g2_mul(sp, prv[k])
        g2sp[k] = sp
    return prv, pub


def _random_rng(entropy):
    """snarkjs ``getRandomRng``: ChaCha seeded by blake2b(64 random bytes || entropy)."""
    if entropy is None:
        entropy = b""
    if isinstance(entropy, str):
        entropy = entropy.encode("utf-8")
    return tr.ChaCha.from_hash(tr.blake2b_512(secrets.token_bytes(64), entropy))


def beacon_rng(beacon_hash, num_iterations_exp):
    """snarkjs ``rngFromBeaconParams``: sha256 iterated 2^exp times."""
    if not 10 <= num_iterations_exp <= 63:
        raise ValueError("numIterationsExp must be in 10..63 (as snarkjs requires)")
    h = bytes(beacon_hash)
    for _ in range(1 << num_iterations_exp):
        h = hashlib.sha256(h).digest()
    return tr.ChaCha.from_hash(h)


def _powers(first, inc, n):
    out = [0] * n
    v = first % R
    for i in range(n):
        out[i] = v
        v = v * inc % R
    return ints_to_limbs(out)


def _apply_key(pt, prv, threads=None, progress=None):
    """Each point section times its powers: tau^i, alpha * tau^i, beta * tau^i."""
    tau, alpha, beta = prv["tau"], prv["alpha"], prv["beta"]
    n = 1 << pt.power
    first = {"tauG1": 1, "tauG2": 1, "alphaTauG1": alpha, "betaTauG1": beta, "betaG2": beta}
    mul = {1: bn254.g1_mul_each_array, 2: bn254.g2_mul_each_array}
    out = []
    for (name, group, arr), (*_, cnt) in zip(pt.points(), ptf.POINTS):
        _log(progress, name)
        out.append(mul[group](arr, _powers(first[name], tau, cnt(n)), threads))
    return ptf.PTau.of_points(pt.power, out, pt.contributions, pt.ceremony_power)


def last_challenge(pt):
    if pt.contributions:
        return pt.contributions[-1].next_challenge
    return first_challenge_hash(pt.power)


def _contribute_with_rng(
    pt, rng, name, ctype, beacon=None, threads=None, progress=None, apply=_apply_key
):
    if pt.power != pt.ceremony_power:
        raise VerificationError(
            "this file has been reduced (power < ceremony power): cannot contribute"
        )
    challenge = last_challenge(pt)
    prv, pub = _create_key(challenge, rng)
    new = apply(pt, prv, threads, progress)
    del prv
    _log(progress, "hashing")
    resp = tr.Blake2b()
    resp.update(challenge)
    _hash_sections(resp, new, compressed=True)
    partial = resp.to_partial()
    resp.update(_pubkey_u(pub))
    response_hash = resp.digest()
    nxt = hashlib.blake2b(digest_size=64)
    nxt.update(response_hash)
    _hash_sections(nxt, new, compressed=False)
    g1 = lambda a, i: tr.g1_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    g2 = lambda a, i: tr.g2_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    c = ptf.Contribution(
        tau_g1=g1(new.tau_g1, 1),
        tau_g2=g2(new.tau_g2, 1),
        alpha_g1=g1(new.alpha_tau_g1, 0),
        beta_g1=g1(new.beta_tau_g1, 0),
        beta_g2=g2(new.beta_g2, 0),
        key=pub,
        partial_hash=partial,
        next_challenge=nxt.digest(),
        type=ctype,
        name=ptf.encode_name(name) if name else None,
    )
    if beacon:
        c.beacon_hash, c.num_iterations_exp = beacon
    new.contributions.append(c)
    return new, response_hash


def contribute(pt, name=None, entropy=None, threads=None, progress=None):
    """Return (new PTau, response hash) with a fresh secret contribution.
    Phase-2 sections are dropped (prepare again, as snarkjs warns)."""
    return _contribute_with_rng(pt, _random_rng(entropy), name, 0, None, threads, progress)


def beacon(pt, beacon_hash, num_iterations_exp, name=None, threads=None, progress=None):
    """A public, reproducible contribution from a beacon value (snarkjs' beacon)."""
    rng = beacon_rng(beacon_hash, num_iterations_exp)
    return _contribute_with_rng(
        pt, rng, name, 1, (bytes(beacon_hash), num_iterations_exp), threads, progress
    )


def prepare_phase2(pt, threads=None, progress=None):
    """Compute the Lagrange-basis sections 12..15 (returns a new PTau)."""
    if pt.power > ptf.MAX_POWER - 1:
        raise VerificationError(f"prepare phase2 supports power <= {ptf.MAX_POWER - 1}")
    out = ptf.PTau.of_points(
        pt.power, [a for *_, a in pt.points()], pt.contributions, pt.ceremony_power
    )

    def section(src, fn, width, top):
        parts = []
        _log(progress, f"Lagrange basis {'G2' if width == 16 else 'G1'} up to 2^{top}")
        for p in range(top + 1):
            n = 1 << p
            pts = src[:n]
            if pts.shape[0] < n:  # tauG1 at power+1 lacks its last point: snarkjs uses infinity
                pts = np.vstack([pts, np.zeros((n - pts.shape[0], width), np.uint64)])
            parts.append(fn(pts, omega(p), threads))
        return np.vstack(parts)

    out.lagrange_g1 = section(pt.tau_g1, bn254.g1_ifft_array, 8, pt.power + 1)
    out.lagrange_g2 = section(pt.tau_g2, bn254.g2_ifft_array, 16, pt.power)
    out.lagrange_alpha_g1 = section(pt.alpha_tau_g1, bn254.g1_ifft_array, 8, pt.power)
    out.lagrange_beta_g1 = section(pt.beta_tau_g1, bn254.g1_ifft_array, 8, pt.power)
    return out


# ---------------------------------------------------------------------------
# one-party development fast path
# ---------------------------------------------------------------------------


def _fresh_prepared_key(pt, prv, threads=None, progress=None):
    """``prepare_phase2(_apply_key(new_accumulator(power), prv))`` computed
    from the scalars: every point (powers and Lagrange sections 12..15) is
    scalar * generator, with the Lagrange scalars from an inverse NTT of the
    powers of tau in Fr.  Precondition: ``pt`` is a fresh accumulator (no
    contribution; its points are not read).  The scalar arrays are local and
    overwritten before return."""
    if pt.contributions:
        raise VerificationError("the one-party fast path needs a fresh accumulator")
    if pt.power > ptf.MAX_POWER - 1:
        raise VerificationError(f"prepare phase2 supports power <= {ptf.MAX_POWER - 1}")
    tau, alpha, beta = prv["tau"], prv["alpha"], prv["beta"]
    power = pt.power
    n = 1 << power
    one = bn254.fr_ints_to_mont_array([1])
    pw = bn254.fr_mul_powers_array(
        np.repeat(one, 2 * n, axis=0), tau, threads=threads
    )  # tau^j, Montgomery
    pw[2 * n - 1] = (
        0  # tauG1 has 2n-1 points: snarkjs' size-2^(power+1) Lagrange step sees infinity last
    )
    _log(progress, "Lagrange basis scalars")
    lag = [bn254.ntt_array(pw[: 1 << p], inverse=True, threads=threads) for p in range(power + 2)]
    lag_all = np.vstack(lag)  # sizes 2^0 .. 2^(power+1)
    lag_n = lag_all[: 2 * n - 1]  # sizes 2^0 .. 2^power
    g1_sc = np.vstack(
        [
            pw[: 2 * n - 1],
            bn254.fr_scale_array(pw[:n], alpha, threads),
            bn254.fr_scale_array(pw[:n], beta, threads),
            lag_all,
            bn254.fr_scale_array(lag_n, alpha, threads),
            bn254.fr_scale_array(lag_n, beta, threads),
        ]
    )
    g2_sc = np.vstack([pw[:n], bn254.fr_ints_to_mont_array([beta]), lag_n])
    _log(progress, f"G1 points ({g1_sc.shape[0]})")
    g1 = bn254.g1_fixed_base_array(tr.G1_GEN, bn254.fr_from_mont_array(g1_sc), threads)
    _log(progress, f"G2 points ({g2_sc.shape[0]})")
    g2 = bn254.g2_fixed_base_array(tr.G2_GEN, bn254.fr_from_mont_array(g2_sc), threads)
    for a in (pw, g1_sc, g2_sc, lag_all, *lag):
        a.fill(0)
    del pw, g1_sc, g2_sc, lag_all, lag_n, lag, tau, alpha, beta
    cuts1 = np.cumsum([2 * n - 1, n, n, 4 * n - 1, 2 * n - 1])
    tau_g1, alpha_g1, beta_g1, lag_g1, lag_a, lag_b = np.split(g1, cuts1)
    tau_g2, beta_g2, lag_g2 = np.split(g2, [n, n + 1])
    c = np.ascontiguousarray
    points = [c(a) for a in (tau_g1, tau_g2, alpha_g1, beta_g1, beta_g2)]
    out = ptf.PTau.of_points(power, points, pt.contributions, pt.ceremony_power)
    out.lagrange_g1, out.lagrange_g2 = c(lag_g1), c(lag_g2)
    out.lagrange_alpha_g1, out.lagrange_beta_g1 = c(lag_a), c(lag_b)
    return out


def _dev_prepared_ptau_with_rng(power, rng, name, threads=None, progress=None):
    return _contribute_with_rng(
        new_accumulator(power), rng, name, 0, None, threads, progress, apply=_fresh_prepared_key
    )


def dev_prepared_ptau(
    power, name="zkats one-party development ceremony", entropy=None, threads=None, progress=None
):
    """A phase-2-prepared PTau of 2^power from ONE fresh contribution:
    the same file as ``prepare_phase2(contribute(new_accumulator(power)))``
    (same contribution record, verifiable by ``zkats``/``snarkjs powersoftau
    verify``), computed from the secret scalars instead of with group FFTs.
    The secrets (from :mod:`secrets` + optional entropy) exist only during
    the call.  One party knows the toxic waste while it runs: development
    and tests only; a production venue needs a multi-party ceremony.
    Returns (PTau, response hash)."""
    return _dev_prepared_ptau_with_rng(power, _random_rng(entropy), name, threads, progress)


# ---------------------------------------------------------------------------
# verification
# ---------------------------------------------------------------------------


class _Initial:
    def __init__(self, power):
        self.tau_g1 = self.alpha_g1 = self.beta_g1 = tr.G1_GEN
        self.tau_g2 = self.beta_g2 = tr.G2_GEN
        self.next_challenge = first_challenge_hash(power)


def _verify_contribution(cur, prev, idx):
    """Raise VerificationError unless contribution ``cur`` follows ``prev``."""
    k = cur.key
    if cur.type == 1:
        _, bkey = _create_key(
            prev.next_challenge, beacon_rng(cur.beacon_hash, cur.num_iterations_exp)
        )
        for name in ptf.KEY_G1 + ptf.KEY_G2:
            if bkey[name] != k[name]:
                raise VerificationError(
                    f"contribution #{idx}: beacon key ({name}) is not generated from the beacon"
                )
    sp = {
        n: _g2sp(_PERSONAL[n], prev.next_challenge, k[f"{n}_g1_s"], k[f"{n}_g1_sx"])
        for n in _PERSONAL
    }
    checks = [
        ((k["tau_g1_s"], k["tau_g1_sx"], sp["tau"], k["tau_g2_spx"]), "invalid key (tau)"),
        (
            (k["alpha_g1_s"], k["alpha_g1_sx"], sp["alpha"], k["alpha_g2_spx"]),
            "invalid key (alpha)",
        ),
        ((k["beta_g1_s"], k["beta_g1_sx"], sp["beta"], k["beta_g2_spx"]), "invalid key (beta)"),
        (
            (prev.tau_g1, cur.tau_g1, sp["tau"], k["tau_g2_spx"]),
            "tau*G1 does not follow the previous contribution",
        ),
        (
            (k["tau_g1_s"], k["tau_g1_sx"], prev.tau_g2, cur.tau_g2),
            "tau*G2 does not follow the previous contribution",
        ),
        (
            (prev.alpha_g1, cur.alpha_g1, sp["alpha"], k["alpha_g2_spx"]),
            "alpha*G1 does not follow the previous contribution",
        ),
        (
            (prev.beta_g1, cur.beta_g1, sp["beta"], k["beta_g2_spx"]),
            "beta*G1 does not follow the previous contribution",
        ),
        (
            (k["beta_g1_s"], k["beta_g1_sx"], prev.beta_g2, cur.beta_g2),
            "beta*G2 does not follow the previous contribution",
        ),
    ]
    for args, msg in checks:
        if not tr.same_ratio(*args):
            raise VerificationError(f"contribution #{idx}: {msg}")


def _rand_u32(n):
    return np.frombuffer(secrets.token_bytes(4 * n), dtype="<u4").astype(np.uint64)


def _u32_scalars(r32):
    s = np.zeros((len(r32), 4), dtype=np.uint64)
    s[:, 0] = r32
    return s


def _consecutive_ratio(arr, msm):
    """(sum r_i P_i, sum r_i P_{i+1}) over i < n-1 with random 32-bit r_i."""
    n = arr.shape[0]
    if n < 2:
        return None, None
    s = _u32_scalars(_rand_u32(n - 1))
    return msm(arr[:-1], s), msm(arr[1:], s)


def verify(pt, progress=None, threads=None):
    """Verify a PTau as ``snarkjs powersoftau verify`` does.  Returns a list
    of human-readable lines describing the contributions; raises
    :class:`VerificationError` with the first failing check."""
    if not pt.contributions:
        raise VerificationError("this file has no contribution; it cannot be used in production")
    init = _Initial(pt.ceremony_power)
    contribs = pt.contributions
    cur = contribs[-1]
    prev = contribs[-2] if len(contribs) > 1 else init
    _verify_contribution(cur, prev, len(contribs))
    _log(progress, "checking the powers in every section")
    g1 = lambda a, i: tr.g1_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    g2 = lambda a, i: tr.g2_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    m1 = lambda b, s: bn254.msm_g1_array(b, s, threads)  # noqa: E731
    m2 = lambda b, s: bn254.msm_g2_array(b, s, threads)  # noqa: E731
    r1, r2 = _consecutive_ratio(pt.tau_g1, m1)
    if r1 is not None and not tr.same_ratio(r1, r2, tr.G2_GEN, cur.tau_g2):
        raise VerificationError("tauG1 section: powers do not match")
    if g1(pt.tau_g1, 0) != tr.G1_GEN:
        raise VerificationError("first element of the tauG1 section must be the generator")
    if g1(pt.tau_g1, 1) != cur.tau_g1:
        raise VerificationError("second element of tauG1 does not match the last contribution")
    r1, r2 = _consecutive_ratio(pt.tau_g2, m2)
    if r1 is not None and not tr.same_ratio(tr.G1_GEN, cur.tau_g1, r1, r2):
        raise VerificationError("tauG2 section: powers do not match")
    if g2(pt.tau_g2, 0) != tr.G2_GEN:
        raise VerificationError("first element of the tauG2 section must be the generator")
    if g2(pt.tau_g2, 1) != cur.tau_g2:
        raise VerificationError("second element of tauG2 does not match the last contribution")
    for arr, first, label in (
        (pt.alpha_tau_g1, cur.alpha_g1, "alphaTauG1"),
        (pt.beta_tau_g1, cur.beta_g1, "betaTauG1"),
    ):
        r1, r2 = _consecutive_ratio(arr, m1)
        if r1 is not None and not tr.same_ratio(r1, r2, tr.G2_GEN, cur.tau_g2):
            raise VerificationError(f"{label} section: powers do not match")
        if g1(arr, 0) != first:
            raise VerificationError(
                f"first element of {label} does not match the last contribution"
            )
    if g2(pt.beta_g2, 0) != cur.beta_g2:
        raise VerificationError("betaG2 does not match the last contribution")
    # the next-challenge hash binds the sections to the contribution record
    if pt.power == pt.ceremony_power:
        resp = tr.Blake2b.from_partial(cur.partial_hash)
        resp.update(_pubkey_u(cur.key))
        nxt = hashlib.blake2b(digest_size=64)
        nxt.update(resp.digest())
        _hash_sections(nxt, pt, compressed=False)
        if nxt.digest() != cur.next_challenge:
            raise VerificationError(
                "hash of the sections does not match the next challenge of the last contribution"
            )
    lines = []
    for i in range(len(contribs) - 1, -1, -1):
        c = contribs[i]
        p = contribs[i - 1] if i > 0 else init
        if i < len(contribs) - 1:
            _verify_contribution(c, p, i + 1)
        name = c.name.decode("utf-8", "replace") if c.name else ""
        kind = " (beacon)" if c.type == 1 else ""
        lines.append(
            f"contribution #{i + 1}{kind}: {name}  next challenge {c.next_challenge.hex()[:32]}..."
        )
    lines.reverse()
    if pt.prepared:
        _log(progress, "checking the phase-2 sections")
        _verify_lagrange(pt, threads)
    else:
        lines.append(
            "warning: no phase-2 sections; "
            "run `zkats powersoftau prepare phase2` before a circuit setup"
        )
    return lines


def _verify_lagrange(pt, threads=None):
    """sum r_j tau_j == sum NTT(r)_i L_i for random r, every domain size."""
    for sid, src, width, top in (
        (12, pt.tau_g1, 8, pt.power + 1),
        (13, pt.tau_g2, 16, pt.power),
        (14, pt.alpha_tau_g1, 8, pt.power),
        (15, pt.beta_tau_g1, 8, pt.power),
    ):
        msm = bn254.msm_g1_array if width == 8 else bn254.msm_g2_array
        for p in range(top + 1):
            n = 1 << p
            r32 = _rand_u32(n)
            pts = src[:n]
            if pts.shape[0] < n:
                pts = np.vstack([pts, np.zeros((n - pts.shape[0], width), np.uint64)])
                r32[-1] = 0
            lhs = msm(pts, _u32_scalars(r32), threads)
            s = bn254.ntt([int(v) for v in r32]) if n > 1 else [int(r32[0])]
            rhs = msm(pt.lagrange(sid, p), ints_to_limbs(s), threads)
            if lhs != rhs:
                raise VerificationError(
                    f"section {sid}: the Lagrange points of size 2^{p} "
                    "do not match the powers of tau"
                )


def read(path, check="full"):
    return ptf.read_ptau(path, check=check)


def write(path, pt):
    ptf.write_ptau(path, pt)


__all__ = [
    "new_accumulator",
    "contribute",
    "dev_prepared_ptau",
    "beacon",
    "prepare_phase2",
    "verify",
    "first_challenge_hash",
    "omega",
    "FormatError",
]
