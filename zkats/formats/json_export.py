"""snarkjs' JSON exports of the binary files: ``zkey export json``,
``r1cs export json``, ``wtns export json``, ``powersoftau export json``.

The shapes are snarkjs 0.7.6's (``zkey_export_json.js`` = ``readZKey``
with every value a decimal string; ``r1cs_export_json.js``;
``wtns_export_json.js``; ``powersoftau_export_json.js``): points are
projective triples with z = 1 (``["x", "y", "1"]``; G2 ``[[x0, x1], [y0,
y1], ["1", "0"]]``), the point at infinity ``["0", "1", "0"]`` (G2
``[["0", "0"], ["1", "0"], ["0", "0"]]``).  A linear combination is an
object {signal: coefficient} in increasing signal order (how JavaScript
orders integer keys).
"""

import json

from ..field import Q, R

_G1_INF = ["0", "1", "0"]
_G2_INF = [["0", "0"], ["1", "0"], ["0", "0"]]


def g1_json_array(arr):
    """(n, 8) Montgomery LE affine G1 points -> snarkjs' JSON triples."""
    from .. import bn254

    n = len(arr)
    if n == 0:
        return []
    raw = bytes(bn254.g1_lem_to_uncompressed(arr))
    out = []
    for i in range(n):
        p = raw[64 * i : 64 * i + 64]
        if not any(p):
            out.append(list(_G1_INF))
        else:
            out.append(
                [str(int.from_bytes(p[:32], "big")), str(int.from_bytes(p[32:], "big")), "1"]
            )
    return out


def g2_json_array(arr):
    """(n, 16) Montgomery LE affine G2 points -> snarkjs' JSON triples."""
    from .. import bn254

    n = len(arr)
    if n == 0:
        return []
    raw = bytes(bn254.g2_lem_to_uncompressed(arr))
    out = []
    for i in range(n):
        p = raw[128 * i : 128 * i + 128]
        if not any(p):
            out.append([list(x) for x in _G2_INF])
            continue
        c = [str(int.from_bytes(p[32 * k : 32 * k + 32], "big")) for k in range(4)]
        out.append([[c[1], c[0]], [c[3], c[2]], ["1", "0"]])  # uncompressed: c1 before c0
    return out


def g1_json(p):
    return list(_G1_INF) if p is None else [str(p[0]), str(p[1]), "1"]


def g2_json(p):
    if p is None:
        return [list(x) for x in _G2_INF]
    return [[str(p[0][0]), str(p[0][1])], [str(p[1][0]), str(p[1][1])], ["1", "0"]]


def zkey_json(zk):
    """``snarkjs zkey export json``'s object for a :class:`ZKey`."""
    npub = zk.n_public
    coeffs = zk.coeffs
    vals = zk.coeff_values()
    ccoefs = [
        {"matrix": int(m), "constraint": int(c), "signal": int(s), "value": str(v)}
        for m, c, s, v in zip(
            coeffs["matrix"].tolist(),
            coeffs["constraint"].tolist(),
            coeffs["signal"].tolist(),
            vals,
        )
    ]
    return {
        "protocol": "groth16",
        "n8q": 32,
        "q": str(Q),
        "n8r": 32,
        "r": str(R),
        "nVars": zk.n_vars,
        "nPublic": npub,
        "domainSize": zk.domain_size,
        "power": zk.power,
        "vk_alpha_1": g1_json(zk.alpha_1),
        "vk_beta_1": g1_json(zk.beta_1),
        "vk_beta_2": g2_json(zk.beta_2),
        "vk_gamma_2": g2_json(zk.gamma_2),
        "vk_delta_1": g1_json(zk.delta_1),
        "vk_delta_2": g2_json(zk.delta_2),
        "IC": [g1_json(p) for p in zk.ic],
        "ccoefs": ccoefs,
        "A": g1_json_array(zk.A),
        "B1": g1_json_array(zk.B1),
        "B2": g2_json_array(zk.B2),
        "C": [None] * (npub + 1) + g1_json_array(zk.C),
        "hExps": g1_json_array(zk.H),
    }


def _lc_json(rows):
    return {str(k): str(v) for k, v in sorted(rows.items())}


def r1cs_json(r1cs):
    """``snarkjs r1cs export json``'s object for a :class:`zkats.r1cs.R1CS`."""
    m = r1cs.n_constraints
    a, b, c = (M.row_dicts(m) for M in (r1cs.A, r1cs.B, r1cs.C))
    w2l = r1cs.wire_to_label
    return {
        "n8": 32,
        "prime": str(r1cs.prime),
        "nVars": r1cs.n_wires,
        "nOutputs": r1cs.n_pub_out,
        "nPubInputs": r1cs.n_pub_in,
        "nPrvInputs": r1cs.n_prv_in,
        "nLabels": r1cs.n_labels if r1cs.n_labels is not None else r1cs.n_wires,
        "nConstraints": m,
        "useCustomGates": False,
        "constraints": [[_lc_json(a[i]), _lc_json(b[i]), _lc_json(c[i])] for i in range(m)],
        "map": [int(x) for x in w2l] if w2l is not None else list(range(r1cs.n_wires)),
        "customGates": [],
        "customGatesUses": [],
    }


def write_json(path, obj):
    """JSON as snarkjs writes it (one-space indentation)."""
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
