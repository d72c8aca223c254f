"""Strict reading and writing of snarkjs' Groth16 JSON files.

* ``verification_key.json``: ``protocol`` "groth16", ``curve`` "bn128",
  ``nPublic``, ``vk_alpha_1``, ``vk_beta_2``, ``vk_gamma_2``, ``vk_delta_2``,
  ``vk_alphabeta_12`` (e(alpha, beta) in Fq12, written for compatibility;
  verifiers do not need it) and ``IC`` (``nPublic + 1`` G1 points).
* ``proof.json``: ``pi_a``, ``pi_b``, ``pi_c``, ``protocol``, ``curve``.
* ``public.json``: a list of decimal strings, each < r.

Encoding (facts from snarkjs/ffjavascript ``toObject``): numbers are decimal
strings; points are projective with z = "1"; G1 ``[x, y, "1"]``; G2
``[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]``.  The point at infinity is
written as snarkjs does, ``["0", "1", "0"]`` and
``[["0", "0"], ["1", "0"], ["0", "0"]]``.

Reading is strict: every number must be a canonical decimal string (no sign,
no leading zeros, no JSON numbers), coordinates < q, public signals < r,
points on the curve and G2 points in the r-torsion subgroup, lists of the
exact length.  Failures raise :class:`FormatError` naming the file and field.
"""

import json
import re

from ..errors import FormatError, InputError
from ..field import Q, R
from ..groth16_data import Proof, VerifyingKey
from .jsonio import load_file

_DEC = re.compile(r"(0|[1-9][0-9]{0,77})\Z")

# G2 twist coefficient b' = 3 / (9 + u) in Fq2 = Fq[u]/(u^2 + 1)
_B2 = ((27 * pow(82, -1, Q)) % Q, (-3 * pow(82, -1, Q)) % Q)


# --------------------------------------------------------------------------
# curve checks (plain ints; the subgroup check uses the native core)
# --------------------------------------------------------------------------


def _f2mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def on_curve_g1(p):
    """True if ``p`` (canonical affine ints, or None) is on y^2 = x^3 + 3."""
    if p is None:
        return True
    x, y = p
    return (y * y - x * x * x - 3) % Q == 0


def on_curve_g2(p):
    """True if ``p`` (canonical affine Fq2 pairs, or None) is on the twist."""
    if p is None:
        return True
    x, y = p
    lhs = _f2mul(y, y)
    rhs = _f2mul(_f2mul(x, x), x)
    return lhs == ((rhs[0] + _B2[0]) % Q, (rhs[1] + _B2[1]) % Q)


def in_subgroup_g2(p):
    """True if the on-curve G2 point ``p`` has order dividing r (native check)."""
    if p is None:
        return True
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    return bool(bn254.is_in_subgroup_g2(p))


# --------------------------------------------------------------------------
# number and point parsing
# --------------------------------------------------------------------------


def _num(v, path, field, modulus, what):
    if not isinstance(v, str) or not _DEC.match(v):
        raise FormatError(path, f"{field}: expected a decimal string, got {_short(v)}")
    n = int(v)
    if n >= modulus:
        raise FormatError(
            path, f"{field}: {what} is not canonical (>= {'q' if modulus == Q else 'r'})"
        )
    return n


def _short(v):
    s = json.dumps(v) if not isinstance(v, str) else repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def _list(v, n, path, field):
    if not isinstance(v, list) or len(v) != n:
        raise FormatError(path, f"{field}: expected a list of {n} entries")
    return v


def parse_g1(v, path, field):
    """``[x, y, z]`` decimal strings -> affine ``(x, y)`` or None (infinity)."""
    x, y, z = _list(v, 3, path, field)
    x = _num(x, path, f"{field}[0]", Q, "coordinate")
    y = _num(y, path, f"{field}[1]", Q, "coordinate")
    z = _num(z, path, f"{field}[2]", Q, "coordinate")
    if z == 0:
        if (x, y) != (0, 1):
            raise FormatError(path, f'{field}: point at infinity must be ["0", "1", "0"]')
        return None
    if z != 1:
        raise FormatError(path, f'{field}: z coordinate must be "1" (affine)')
    p = (x, y)
    if not on_curve_g1(p):
        raise FormatError(path, f"{field}: point is not on the curve")
    return p


def _fq2(v, path, field):
    a, b = _list(v, 2, path, field)
    return (
        _num(a, path, f"{field}[0]", Q, "coordinate"),
        _num(b, path, f"{field}[1]", Q, "coordinate"),
    )


def parse_g2(v, path, field, subgroup=True):
    """``[[x0, x1], [y0, y1], [z0, z1]]`` -> affine Fq2 pairs or None; with
    ``subgroup=False`` the order-r subgroup test is left to the caller."""
    x, y, z = _list(v, 3, path, field)
    x = _fq2(x, path, f"{field}[0]")
    y = _fq2(y, path, f"{field}[1]")
    z = _fq2(z, path, f"{field}[2]")
    if z == (0, 0):
        if (x, y) != ((0, 0), (1, 0)):
            raise FormatError(
                path, f'{field}: point at infinity must be [["0","0"],["1","0"],["0","0"]]'
            )
        return None
    if z != (1, 0):
        raise FormatError(path, f'{field}: z coordinate must be ["1", "0"] (affine)')
    p = (x, y)
    if not on_curve_g2(p):
        raise FormatError(path, f"{field}: point is not on the curve")
    if subgroup and not in_subgroup_g2(p):
        raise FormatError(path, f"{field}: point is not in the order-r subgroup")
    return p


def g1_to_json(p):
    if p is None:
        return ["0", "1", "0"]
    return [str(p[0]), str(p[1]), "1"]


def g2_to_json(p):
    if p is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = p
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def _tag(d, key, expected, path):
    if d.get(key) != expected:
        raise FormatError(path, f"{key}: expected {expected!r}, got {_short(d.get(key))}")


def _object(d, path, what):
    if not isinstance(d, dict):
        raise FormatError(path, f"expected a JSON object ({what})")
    return d


def _load(path):

    return load_file(path)


def _dump(path, obj):
    text = json.dumps(obj, indent=1)  # as snarkjs: JSON.stringify(o, null, 1)
    with open(path, "w") as f:
        f.write(text)


# --------------------------------------------------------------------------
# verification key
# --------------------------------------------------------------------------


def vk_from_json(d, path="<verification key>"):
    """Validate a parsed ``verification_key.json`` and return a VerifyingKey."""
    _object(d, path, "verification key")
    _tag(d, "protocol", "groth16", path)
    _tag(d, "curve", "bn128", path)
    n = d.get("nPublic")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise FormatError(path, "nPublic: expected a non-negative integer")
    ic = d.get("IC")
    if not isinstance(ic, list) or len(ic) != n + 1:
        raise FormatError(path, f"IC: expected {n + 1} points (nPublic + 1)")
    for key in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2"):
        if key not in d:
            raise FormatError(path, f"{key}: missing")
    ab = d.get("vk_alphabeta_12")
    if ab is not None:
        _list(ab, 2, path, "vk_alphabeta_12")
        for i in range(2):
            _list(ab[i], 3, path, f"vk_alphabeta_12[{i}]")
            for j in range(3):
                _fq2(ab[i][j], path, f"vk_alphabeta_12[{i}][{j}]")
    return VerifyingKey(
        alpha_1=parse_g1(d["vk_alpha_1"], path, "vk_alpha_1"),
        beta_2=parse_g2(d["vk_beta_2"], path, "vk_beta_2"),
        gamma_2=parse_g2(d["vk_gamma_2"], path, "vk_gamma_2"),
        delta_2=parse_g2(d["vk_delta_2"], path, "vk_delta_2"),
        ic=tuple(parse_g1(p, path, f"IC[{i}]") for i, p in enumerate(ic)),
    )


def read_verification_key(path):
    """Read and validate snarkjs' ``verification_key.json``."""
    return vk_from_json(_load(path), str(path))


_BN_X = 4965661367192848881
#: ffjavascript's final exponentiation (wasmcurves' fast hard part) yields the
#: standard reduced pairing raised to 2x(6x^2 + 3x + 1); found by comparing
#: ffjavascript's pairing(G1.g, G2.g) with py_ecc's, and checked against
#: snarkjs-made keys in tests/test_snarkjs_json.py.
_FFJS_EXP = 2 * _BN_X * (6 * _BN_X * _BN_X + 3 * _BN_X + 1)


def alpha_beta_12(vk):
    """``vk_alphabeta_12`` as snarkjs writes it: e(alpha, beta) as ffjavascript
    computes it, in its Fq12 tower layout [[c0.c0, c0.c1, c0.c2], [c1.c0,
    c1.c1, c1.c2]] (each Fq2 [a, b]; Fq6 = Fq2[v]/(v^3 - (9+u)), Fq12 =
    Fq6[w]/(w^2 - v)).  By bilinearity e(a, b)^k = e(k a, b): one native
    pairing."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    if vk.alpha_1 is None or vk.beta_2 is None:
        c = [1] + [0] * 11
    else:
        c = bn254.pairing(bn254.g1_mul(vk.alpha_1, _FFJS_EXP % R), vk.beta_2)
    return [
        [[str(c[6 * j + 2 * i]), str(c[6 * j + 2 * i + 1])] for i in range(3)] for j in range(2)
    ]


def vk_to_json(vk, alphabeta=True):
    """VerifyingKey -> the dict snarkjs writes (key order as snarkjs')."""
    d = {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_json(vk.alpha_1),
        "vk_beta_2": g2_to_json(vk.beta_2),
        "vk_gamma_2": g2_to_json(vk.gamma_2),
        "vk_delta_2": g2_to_json(vk.delta_2),
    }
    if alphabeta:
        d["vk_alphabeta_12"] = alpha_beta_12(vk)
    d["IC"] = [g1_to_json(p) for p in vk.ic]
    return d


def write_verification_key(path, vk):
    """Write ``verification_key.json`` as snarkjs does."""
    _dump(path, vk_to_json(vk))


# --------------------------------------------------------------------------
# proof and public signals
# --------------------------------------------------------------------------


def proof_from_json(d, path="<proof>", subgroup=True):
    """Validate a parsed ``proof.json`` and return a Proof.  ``subgroup=False``
    skips pi_b's order-r subgroup test (about 0.1 ms) for callers that hand
    the proof to the Groth16 verifier, which tests it (in bulk for a batch)."""
    _object(d, path, "proof")
    for key in ("pi_a", "pi_b", "pi_c"):
        if key not in d:
            raise FormatError(path, f"{key}: missing")
    if "protocol" in d:
        _tag(d, "protocol", "groth16", path)
    if "curve" in d:
        _tag(d, "curve", "bn128", path)
    return Proof(
        a=parse_g1(d["pi_a"], path, "pi_a"),
        b=parse_g2(d["pi_b"], path, "pi_b", subgroup),
        c=parse_g1(d["pi_c"], path, "pi_c"),
    )


def read_proof(path):
    return proof_from_json(_load(path), str(path))


def proof_to_json(proof):
    return {
        "pi_a": g1_to_json(proof.a),
        "pi_b": g2_to_json(proof.b),
        "pi_c": g1_to_json(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def write_proof(path, proof):
    _dump(path, proof_to_json(proof))


def public_from_json(d, path="<public signals>"):
    """Validate a parsed ``public.json`` (list of decimal strings < r)."""
    if not isinstance(d, list):
        raise FormatError(path, "expected a JSON list of decimal strings")
    return [_num(v, path, f"[{i}]", R, "public signal") for i, v in enumerate(d)]


def read_public(path):
    return public_from_json(_load(path), str(path))


def public_to_json(signals):
    out = []
    for i, s in enumerate(signals):
        s = int(s)
        if not 0 <= s < R:
            raise InputError(f"public signal [{i}] is not canonical (must be < r)")
        out.append(str(s))
    return out


def write_public(path, signals):
    _dump(path, public_to_json(signals))
