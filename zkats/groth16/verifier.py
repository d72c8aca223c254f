"""Groth16 verification, single and batched (the settlement service's API).

A proof (A, B, C) for public signals x_1..x_l verifies when

    e(-A, B) * e(vk_x, gamma) * e(C, delta) * e(alpha, beta) == 1,
    vk_x = IC_0 + sum x_j IC_j.

Batches use a random linear combination with 128-bit scalars rho_i drawn
from :mod:`secrets` (a false batch passes with probability <= 2^-128 per
attempt):

    prod_i e(-rho_i A_i, B_i) * e(sum_i rho_i vk_x_i, gamma)
        * e(sum_i rho_i C_i, delta) * e(sum_i rho_i alpha, beta) == 1,

that is n + 3 Miller loops and one final exponentiation.  The vk_x sums are
one multi-scalar multiplication over IC with combined scalars.

Inputs are strict: public signals must be ints in [0, r) (never reduced),
their count must equal ``vk.n_public``, proof points must be on the curve and
B in the order-r subgroup.  Violations raise :class:`InputError`; a
well-formed proof that does not verify returns False.
"""

from functools import lru_cache

from ..errors import InputError, VerificationError
from ..field import Q, R
from . import _curve
from .data_structures import Proof, VerifyingKey


def _check_fq(v, what):
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < Q:
        raise InputError(f"{what}: coordinate is not a canonical field element (< q)")


def check_g1(p, what):
    """Raise InputError unless ``p`` is None or a canonical affine G1 point."""
    if p is None:
        return
    if not (isinstance(p, tuple) and len(p) == 2):
        raise InputError(f"{what}: expected an affine point (x, y)")
    _check_fq(p[0], what)
    _check_fq(p[1], what)
    if not _curve.is_on_curve_g1(p):
        raise InputError(f"{what}: point is not on the curve")


def check_g2(p, what):
    """Raise InputError unless ``p`` is None or a canonical affine G2 point of
    order r."""
    if p is None:
        return
    try:
        (x0, x1), (y0, y1) = p
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected an affine G2 point ((x0, x1), (y0, y1))") from None
    for v in (x0, x1, y0, y1):
        _check_fq(v, what)
    if not _curve.is_on_curve_g2(p):
        raise InputError(f"{what}: point is not on the curve")
    if not _curve.is_in_subgroup_g2(p):
        raise InputError(f"{what}: point is not in the order-r subgroup")


def check_public(vk, public_signals, what="public signals"):
    """Return the public signals as a list of ints after strict checks."""
    sig = list(public_signals)
    if len(sig) != vk.n_public:
        raise InputError(f"{what}: {len(sig)} given, the verification key expects {vk.n_public}")
    for i, v in enumerate(sig):
        if not isinstance(v, int) or isinstance(v, bool):
            raise InputError(f"{what}[{i}]: expected an integer")
        if not 0 <= v < R:
            raise InputError(f"{what}[{i}]: not canonical (must be in [0, r))")
    return sig


def check_proof(proof, what="proof"):
    if not isinstance(proof, Proof):
        raise InputError(f"{what}: expected a Proof")
    check_g1(proof.a, f"{what}.pi_a")
    check_g2(proof.b, f"{what}.pi_b")
    check_g1(proof.c, f"{what}.pi_c")


def _vk_x(vk, signals):
    return _curve.g1_lincomb(vk.ic, [1] + list(signals))


def _prepare_vk(vk):
    return tuple(_curve.prepare_g2(q) for q in (vk.gamma_2, vk.delta_2, vk.beta_2))


_prepare_vk_cached = lru_cache(maxsize=32)(_prepare_vk)


def _prepared(vk):
    """The key's fixed G2 points with their Miller-loop lines precomputed
    (cached per key when the key is hashable)."""
    try:
        return _prepare_vk_cached(vk)
    except TypeError:  # e.g. ic given as a list
        return _prepare_vk(vk)


def _verify_checked(vk, signals, proof):
    gamma, delta, beta = _prepared(vk)
    return _curve.pairing_check(
        [
            (_curve.g1_neg(proof.a), proof.b),
            (_vk_x(vk, signals), gamma),
            (proof.c, delta),
            (vk.alpha_1, beta),
        ]
    )


def verify(vk: VerifyingKey, public_signals, proof: Proof) -> bool:
    """True iff ``proof`` is valid for ``public_signals`` under ``vk``.

    Raises InputError for malformed input (wrong signal count, a signal not
    in [0, r), a point off the curve or outside the subgroup)."""
    signals = check_public(vk, public_signals)
    check_proof(proof)
    return _verify_checked(vk, signals, proof)


def _check_batch(vk, items):
    """[(signals, proof)] with the public signals checked; the proof points are
    checked in bulk by :func:`_batch_ok` (:func:`_check_points` names a bad one)."""
    checked = []
    for i, item in enumerate(items):
        try:
            public, proof = item
        except (TypeError, ValueError):
            raise InputError(f"batch item {i}: expected (public_signals, proof)") from None
        checked.append((check_public(vk, public, f"batch item {i}: public signals"), proof))
        if not (isinstance(proof, Proof) and _shaped(proof)):
            check_proof(proof, f"batch item {i}: proof")  # raises, naming the field
    return checked


def _shaped(proof):
    """The proof's points have the affine tuple shapes (values checked in bulk)."""
    a, b, c = proof.a, proof.b, proof.c
    return (
        (a is None or (type(a) is tuple and len(a) == 2))
        and (c is None or (type(c) is tuple and len(c) == 2))
        and (
            b is None
            or (
                type(b) is tuple
                and len(b) == 2
                and all(type(v) is tuple and len(v) == 2 for v in b)
            )
        )
    )


def _check_points(checked):
    """Raise InputError naming the first batch item whose proof points are bad."""
    for i, (_, proof) in enumerate(checked):
        check_proof(proof, f"batch item {i}: proof")


def _key_points_ok(vk):
    """Validate the key's own points (G1 on the curve, G2 in the subgroup)."""
    check_g1(vk.alpha_1, "verification key alpha_1")
    for name in ("beta_2", "gamma_2", "delta_2"):
        check_g2(getattr(vk, name), f"verification key {name}")
    return True


_key_points_ok_cached = lru_cache(maxsize=64)(_key_points_ok)


def _check_key(vk):
    try:
        return _key_points_ok_cached(vk)
    except TypeError:  # unhashable (e.g. ic given as a list): check every time
        return _key_points_ok(vk)


def _batch_terms(vk, checked):
    """The batch's terms of the randomised check (module docstring): the
    proofs' (A_i, B_i, rho_i) and the key's three fixed pairs, with fresh
    128-bit rho_i from :mod:`secrets` (drawn after the batch is fixed)."""
    # local import: the single-proof CLI path skips secrets (hashlib, random)
    import secrets

    rho = [secrets.randbits(128) | 1 for _ in checked]
    # vk_x sums: scalar for IC_j is sum_i rho_i x_ij (IC_0 gets sum rho_i)
    ic_scalars = [sum(rho)] + [0] * vk.n_public
    for r_i, (signals, _) in zip(rho, checked):
        for j, x in enumerate(signals):
            ic_scalars[j + 1] += r_i * x
    proofs = [p for _, p in checked]
    c_sum = _curve.g1_lincomb([p.c for p in proofs], rho)
    fixed = [
        (_curve.g1_neg(_curve.g1_lincomb(vk.ic, ic_scalars)), vk.gamma_2),
        (_curve.g1_neg(c_sum), vk.delta_2),
        (_curve.g1_neg(_curve.g1_mul(vk.alpha_1, ic_scalars[0])), vk.beta_2),
    ]
    return [p.a for p in proofs], [p.b for p in proofs], rho, fixed


def _product_ok(groups):
    """One pairing product over every (vk, checked) group: n + 3 per key
    Miller loops sharing their squarings, one final exponentiation.  All
    proof points are validated in bulk (G1 on the curve, B on the twist and
    in the order-r subgroup); InputError if one is bad."""
    a, b, rho, fixed = [], [], [], []
    for vk, checked in groups:
        _check_key(vk)
        ga, gb, gr, gf = _batch_terms(vk, checked)
        a += ga
        b += gb
        rho += gr
        fixed += gf
    return _curve.pairing_check_scaled(a, b, rho, fixed, check_fixed=False)


def _batch_ok(vk, checked):
    """The randomised batch check of one key's proofs; a bad proof point
    raises InputError naming its batch item."""
    try:
        return _product_ok([(vk, checked)])
    except InputError:
        _check_points(checked)  # names the item
        _key_points_ok(vk)  # or the key's own point
        raise


def batch_failures_many(groups):
    """``groups``: ``[(vk, [(public_signals, proof), ...]), ...]`` (one entry per
    key).  Returns, per group, the indices of its proofs that do not verify.

    All the groups' proofs are checked together first: ONE pairing product
    (sum over keys of n_k + 3 Miller loops, one final exponentiation) with
    independent random weights per proof.  Only if that fails (or a point is
    malformed) is each group checked on its own (:func:`batch_verify_detailed`,
    which names the culprits; malformed input raises InputError naming the
    batch item)."""
    groups = [(vk, list(items)) for vk, items in groups]
    try:
        checked = [(vk, _check_batch(vk, items)) for vk, items in groups]
        if _product_ok([(vk, c) for vk, c in checked if c]):
            return [[] for _ in groups]
    except InputError:
        pass
    return [batch_verify_detailed(vk, items) for vk, items in groups]


def batch_verify_detailed(vk: VerifyingKey, items):
    """Indices of the proofs in ``items`` (``[(public_signals, proof), ...]``)
    that do not verify; empty when the batch is valid.

    One randomised batch check first; only if it fails is every proof
    checked on its own to name the culprits.  Malformed input raises
    InputError naming the batch item."""
    checked = _check_batch(vk, items)
    if not checked or _batch_ok(vk, checked):
        return []
    return [i for i, (s, p) in enumerate(checked) if not _verify_checked(vk, s, p)]


def batch_verify(vk: VerifyingKey, items, raise_on_failure=False) -> bool:
    """True iff every proof of ``items`` verifies (n + 3 Miller loops).

    With ``raise_on_failure`` a failing batch raises VerificationError naming
    the failing proofs (found by checking each on its own)."""
    checked = _check_batch(vk, items)
    if not checked or _batch_ok(vk, checked):
        return True
    if not raise_on_failure:
        return False
    bad = [i for i, (s, p) in enumerate(checked) if not _verify_checked(vk, s, p)]
    if not bad:  # pragma: no cover - probability 2^-128
        raise VerificationError("batch check failed but every proof verifies on its own; retry")
    raise VerificationError(
        f"batch rejected: proof(s) at index {', '.join(map(str, bad))} do not verify"
    )
