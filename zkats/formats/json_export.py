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
    # local import: zkats.bn254 loads the native library; only its users pay
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
    # local import: zkats.bn254 loads the native library; only its users pay
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


# ------------------------------------------------------------ powers of tau
_RINV = pow(1 << 256, -1, R)


def _fr_view(raw32):
    """What snarkjs' ``stringifyBigIntsWithField(Fr, ...)`` prints for a byte
    buffer: its first 32 bytes read as an Fr element in Montgomery form.
    ``powersoftau export json`` applies it to every point (so a point
    shows as its Montgomery x coordinate seen through Fr) and hash."""
    return str(int.from_bytes(bytes(raw32[:32]), "little") * _RINV % R)


def _points_fr_view(arr):
    # local import: only the bulk paths load numpy (not the CLI verify and prove)
    import numpy as np

    a = np.ascontiguousarray(arr, dtype="<u8")
    if a.size == 0:
        return []
    xs = a.reshape(a.shape[0], -1)[:, :4].tobytes()
    return [_fr_view(xs[32 * i : 32 * i + 32]) for i in range(a.shape[0])]


def ptau_json(pt):
    """``snarkjs powersoftau export json``'s object for a :class:`PTau`."""
    # local import: only the ptau export loads the ceremony transcript
    from ..groth16 import transcript as tr
    from .points import g1_to_lem, g2_to_lem
    from .ptau import KEY_G1, KEY_G2

    def g1(p):
        return _fr_view(g1_to_lem(p))

    def g2(p):
        return _fr_view(g2_to_lem(p))

    contribs = []
    for i, c in enumerate(pt.contributions, 1):
        key = {}
        for grp in ("tau", "alpha", "beta"):
            key[grp] = {
                "g1_s": g1(c.key[f"{grp}_g1_s"]),
                "g1_sx": g1(c.key[f"{grp}_g1_sx"]),
                "g2_spx": g2(c.key[f"{grp}_g2_spx"]),
            }
        resp = tr.Blake2b.from_partial(bytes(c.partial_hash))
        resp.update(
            b"".join(
                [tr.g1_to_u(c.key[k]) for k in KEY_G1] + [tr.g2_to_u(c.key[k]) for k in KEY_G2]
            )
        )
        d = {
            "tauG1": g1(c.tau_g1),
            "tauG2": g2(c.tau_g2),
            "alphaG1": g1(c.alpha_g1),
            "betaG1": g1(c.beta_g1),
            "betaG2": g2(c.beta_g2),
            "key": key,
            "partialHash": _fr_view(c.partial_hash),
            "nextChallenge": _fr_view(c.next_challenge),
            "type": c.type,
            "responseHash": _fr_view(resp.digest()),
        }
        if c.name is not None:
            d["name"] = bytes(c.name).decode("utf-8", "replace")
        if c.num_iterations_exp is not None:
            d["numIterationsExp"] = c.num_iterations_exp
        if c.beacon_hash is not None:
            d["beaconHash"] = _fr_view(c.beacon_hash)
        d["id"] = i
        contribs.append(d)

    def lagrange(arr):
        out, pos = [], 0
        for p in range(pt.power + 1):
            out.append(_points_fr_view(arr[pos : pos + (1 << p)]))
            pos += 1 << p
        return out

    d = {
        "q": str(Q),
        "power": pt.power,
        "contributions": contribs,
        "tauG1": _points_fr_view(pt.tau_g1),
        "tauG2": _points_fr_view(pt.tau_g2),
        "alphaTauG1": _points_fr_view(pt.alpha_tau_g1),
        "betaTauG1": _points_fr_view(pt.beta_tau_g1),
        "betaG2": _points_fr_view(pt.beta_g2),
    }
    if pt.prepared:
        d["lTauG1"] = lagrange(pt.lagrange_g1)
        d["lTauG2"] = lagrange(pt.lagrange_g2)
        d["lAlphaTauG1"] = lagrange(pt.lagrange_alpha_g1)
        d["lBetaTauG1"] = lagrange(pt.lagrange_beta_g1)
    return d
