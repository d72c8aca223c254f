"""The few curve operations the verifier and prover need, on plain-int points.

Each function calls the native core (:mod:`zkats.bn254`).  Until a native
entry point exists, a py_ecc reference stands in (only then is py_ecc
imported); the stand-ins are marked and exist so that the Groth16 layer can
be tested while the native core lands.
"""
from .. import bn254
from ..field import Q, R


def _native(name):
    return getattr(bn254, name, None)


# -------------------------------------------------------------- py_ecc stand-ins

def _pe():
    import py_ecc.optimized_bn128 as pe
    return pe


def _to_pe1(p):
    pe = _pe()
    if p is None:
        return pe.Z1
    return (pe.FQ(p[0]), pe.FQ(p[1]), pe.FQ(1))


def _to_pe2(p):
    pe = _pe()
    if p is None:
        return pe.Z2
    return (pe.FQ2(list(p[0])), pe.FQ2(list(p[1])), pe.FQ2([1, 0]))


def _from_pe1(p):
    pe = _pe()
    if pe.is_inf(p):
        return None
    x, y = pe.normalize(p)
    return (int(x), int(y))


def _from_pe2(p):
    pe = _pe()
    if pe.is_inf(p):
        return None
    x, y = pe.normalize(p)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


# -------------------------------------------------------------------- G1

def g1_add(p, q):
    fn = _native("g1_add")
    if fn is not None:
        return fn(p, q)
    pe = _pe()
    return _from_pe1(pe.add(_to_pe1(p), _to_pe1(q)))


def g1_neg(p):
    if p is None:
        return None
    return (p[0], (Q - p[1]) % Q)


def g1_mul(p, k):
    fn = _native("g1_mul")
    if fn is not None:
        return fn(p, k % R)
    pe = _pe()
    return _from_pe1(pe.multiply(_to_pe1(p), k % R))


def g1_lincomb(points, scalars):
    """sum k_i * P_i (scalars reduced mod r)."""
    fn = _native("msm_g1")
    if fn is not None:
        return fn(list(points), [int(k) % R for k in scalars])
    acc = None
    for p, k in zip(points, scalars):
        if k % R and p is not None:
            acc = g1_add(acc, g1_mul(p, k))
    return acc


def g2_add(p, q):
    fn = _native("g2_add")
    if fn is not None:
        return fn(p, q)
    pe = _pe()
    return _from_pe2(pe.add(_to_pe2(p), _to_pe2(q)))


def g2_mul(p, k):
    fn = _native("g2_mul")
    if fn is not None:
        return fn(p, k % R)
    pe = _pe()
    return _from_pe2(pe.multiply(_to_pe2(p), k % R))


# -------------------------------------------------------------------- checks

def is_on_curve_g1(p):
    fn = _native("is_on_curve_g1")
    if fn is not None:
        return bool(fn(p))
    from ..formats.snarkjs_json import on_curve_g1
    return on_curve_g1(p)


def is_on_curve_g2(p):
    fn = _native("is_on_curve_g2")
    if fn is not None:
        return bool(fn(p))
    from ..formats.snarkjs_json import on_curve_g2
    return on_curve_g2(p)


def is_in_subgroup_g2(p):
    from ..formats.snarkjs_json import in_subgroup_g2
    return in_subgroup_g2(p)


# -------------------------------------------------------------------- pairing

def pairing_check(pairs):
    """True iff prod e(P_i, Q_i) == 1 over [(G1, G2), ...]; pairs with an
    infinity point contribute 1."""
    pairs = [(p, q) for p, q in pairs if p is not None and q is not None]
    fn = _native("pairing_check")
    if fn is not None:
        return bool(fn(pairs))
    pe = _pe()
    from py_ecc.optimized_bn128 import optimized_pairing as op
    acc = pe.FQ12.one()
    for p, q in pairs:
        acc = acc * op.miller_loop(op.twist(_to_pe2(q)), op.cast_point_to_fq12(_to_pe1(p)),
                                   final_exponentiate=False)
    return op.final_exponentiate(acc) == pe.FQ12.one()


# -------------------------------------------------------------------- MSM (arrays)

def _mont_to_ints_q(arr):
    from ..field import limbs_to_ints
    rinv = pow(pow(2, 256, Q), -1, Q)
    return [x * rinv % Q for x in limbs_to_ints(arr)]


def msm_g1_array(bases, scalars):
    """sum scalars[i] * bases[i]; bases (n, 8) Montgomery affine, scalars
    (n, 4) canonical.  Returns a plain-int affine point or None."""
    fn = _native("msm_g1_array")
    if fn is not None:
        return fn(bases, scalars)
    from ..field import limbs_to_ints
    xs = _mont_to_ints_q(bases)
    pts = [None if xs[2 * i] == 0 and xs[2 * i + 1] == 0 else (xs[2 * i], xs[2 * i + 1])
           for i in range(len(xs) // 2)]
    return g1_lincomb(pts, limbs_to_ints(scalars))


def msm_g2_array(bases, scalars):
    """As :func:`msm_g1_array` for G2 bases (n, 16)."""
    fn = _native("msm_g2_array")
    if fn is not None:
        return fn(bases, scalars)
    from ..field import limbs_to_ints
    xs = _mont_to_ints_q(bases)
    acc = None
    for i, k in enumerate(limbs_to_ints(scalars)):
        x0, x1, y0, y1 = xs[4 * i:4 * i + 4]
        if k and (x0 | x1 | y0 | y1):
            acc = g2_add(acc, g2_mul(((x0, x1), (y0, y1)), k))
    return acc
