"""The few curve operations the Groth16 verifier and prover need, on plain-int
points (G1 ``(x, y)``, G2 ``((x0, x1), (y0, y1))``, ``None`` = infinity),
all carried out by the native core (:mod:`zkats.bn254`).
"""

from .. import bn254
from ..field import Q, R, ints_to_limbs


def g1_add(p, q):
    return bn254.g1_add(p, q)


def g1_neg(p):
    if p is None:
        return None
    return (p[0], (Q - p[1]) % Q)


def g1_mul(p, k):
    return bn254.g1_mul(p, k % R)


def g1_lincomb(points, scalars):
    """sum k_i * P_i (points on the curve, scalars reduced mod r)."""
    return bn254.msm_g1(list(points), [int(k) % R for k in scalars])


def g1_mul_each(points, scalars):
    """[k_i * P_i] for plain-int points and int scalars (< r)."""
    arr = bn254.g1_points_to_array(points)

    out = bn254.g1_mul_each_array(arr, ints_to_limbs([int(k) % R for k in scalars]))
    return bn254.g1_array_to_points(out)


def g2_add(p, q):
    return bn254.g2_add(p, q)


def g2_mul(p, k):
    return bn254.g2_mul(p, k % R)


def is_on_curve_g1(p):
    return bool(bn254.is_on_curve_g1(p))


def is_on_curve_g2(p):
    return bool(bn254.is_on_curve_g2(p))


def is_in_subgroup_g2(p):
    return p is None or bool(bn254.is_in_subgroup_g2(p))


def pairing_check(pairs):
    """True iff prod e(P_i, Q_i) == 1 over [(G1, G2 or PreparedG2), ...];
    pairs with an infinity point contribute 1."""
    pairs = [(p, q) for p, q in pairs if p is not None and q is not None]
    if any(isinstance(q, bn254.PreparedG2) for _, q in pairs):
        return bool(bn254.pairing_check_prepared(pairs))
    return bool(bn254.pairing_check(pairs))


def pairing_check_scaled(g1s, g2s, scalars, fixed=(), check_fixed=True):
    """True iff prod e(k_i * P_i, Q_i) * prod e(F_j, G_j) == 1, the points
    validated in bulk (see :func:`zkats.bn254.pairing_check_scaled`)."""
    return bn254.pairing_check_scaled(
        g1s, g2s, [int(k) % R for k in scalars], fixed, check_fixed=check_fixed
    )


def prepare_g2(q):
    """Precomputed Miller-loop lines of a fixed G2 point (or None)."""
    return None if q is None else bn254.PreparedG2(q)


def msm_g1_array(bases, scalars):
    """sum scalars[i] * bases[i]; bases (n, 8) Montgomery affine, scalars
    (n, 4) canonical.  Returns a plain-int affine point or None."""
    return bn254.msm_g1_array(bases, scalars)


def msm_g2_array(bases, scalars):
    """As :func:`msm_g1_array` for G2 bases (n, 16)."""
    return bn254.msm_g2_array(bases, scalars)
