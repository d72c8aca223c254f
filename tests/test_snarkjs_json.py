"""Strict snarkjs JSON (verification key, proof, public signals): byte-identical
round trips of snarkjs' own files, and one-line errors naming the field for
every kind of malformed input."""

import json

import pytest

from _groth16_peers import snarkjs_artifacts
from zkats.errors import FormatError, InputError
from zkats.field import Q, R
from zkats.formats import snarkjs_json as sj


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return snarkjs_artifacts(tmp_path_factory)


def test_round_trip_is_byte_identical(art, tmp_path):
    vk = sj.read_verification_key(art.vk)
    proof = sj.read_proof(art.proof)
    public = sj.read_public(art.public)
    sj.write_verification_key(tmp_path / "vk.json", vk)
    sj.write_proof(tmp_path / "proof.json", proof)
    sj.write_public(tmp_path / "public.json", public)
    # includes vk_alphabeta_12 (e(alpha, beta) in ffjavascript's tower layout)
    assert (tmp_path / "vk.json").read_bytes() == art.vk.read_bytes()
    assert (tmp_path / "proof.json").read_bytes() == art.proof.read_bytes()
    assert (tmp_path / "public.json").read_bytes() == art.public.read_bytes()


def _write(tmp_path, obj, name="x.json"):
    p = tmp_path / name
    p.write_text(json.dumps(obj))
    return p


def _mutated_proof(art, tmp_path, fn):
    d = json.loads(art.proof.read_text())
    fn(d)
    return _write(tmp_path, d, "proof.json")


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (
            lambda d: d["pi_a"].__setitem__(0, str(int(d["pi_a"][0]) + Q)),
            "pi_a[0]: coordinate is not canonical",
        ),
        (
            lambda d: d["pi_a"].__setitem__(1, str((int(d["pi_a"][1]) + 1) % Q)),
            "pi_a: point is not on the curve",
        ),
        (lambda d: d["pi_c"].__setitem__(2, "2"), "pi_c: z coordinate"),
        (
            lambda d: d["pi_a"].__setitem__(0, int(d["pi_a"][0])),
            "pi_a[0]: expected a decimal string",
        ),
        (
            lambda d: d["pi_a"].__setitem__(0, "0" + d["pi_a"][0]),
            "pi_a[0]: expected a decimal string",
        ),
        (lambda d: d["pi_a"].__setitem__(0, "-1"), "pi_a[0]: expected a decimal string"),
        (lambda d: d["pi_a"].pop(), "pi_a: expected a list of 3 entries"),
        (
            lambda d: d["pi_b"][0].__setitem__(1, str(int(d["pi_b"][0][1]) + Q)),
            "pi_b[0][1]: coordinate is not canonical",
        ),
        (
            lambda d: d["pi_b"][1].__setitem__(0, str((int(d["pi_b"][1][0]) + 1) % Q)),
            "pi_b: point is not on the curve",
        ),
        (lambda d: d["pi_b"].__setitem__(2, ["1", "1"]), "pi_b: z coordinate"),
        (lambda d: d.__setitem__("protocol", "plonk"), "protocol"),
        (lambda d: d.pop("pi_c"), "pi_c: missing"),
    ],
)
def test_bad_proof_rejected_naming_field(art, tmp_path, mutate, needle):
    p = _mutated_proof(art, tmp_path, mutate)
    with pytest.raises(FormatError) as e:
        sj.read_proof(p)
    assert str(p) in str(e.value) and needle in str(e.value)


def _fq2_sqrt(a):
    """Square root in Fq2 = Fq[u]/(u^2+1) (q = 3 mod 4), or None."""
    a0, a1 = a
    norm = (a0 * a0 + a1 * a1) % Q
    alpha = pow(norm, (Q + 1) // 4, Q)
    if alpha * alpha % Q != norm:
        return None
    inv2 = pow(2, -1, Q)
    for delta in ((a0 + alpha) * inv2 % Q, (a0 - alpha) * inv2 % Q):
        x0 = pow(delta, (Q + 1) // 4, Q)
        if x0 * x0 % Q == delta and x0:
            x1 = a1 * pow(2 * x0, -1, Q) % Q
            return (x0, x1)
    return None


def _twist_point_outside_subgroup():
    for x0 in range(1, 100):
        x = (x0, 1)
        x2 = sj._f2mul(x, x)
        x3 = sj._f2mul(x2, x)
        rhs = ((x3[0] + sj._B2[0]) % Q, (x3[1] + sj._B2[1]) % Q)
        y = _fq2_sqrt(rhs)
        if y is not None:
            p = (x, y)
            assert sj.on_curve_g2(p)
            if not sj.in_subgroup_g2(p):
                return p
    raise AssertionError("no point found")


def test_g2_outside_subgroup_rejected(art, tmp_path):
    p = _twist_point_outside_subgroup()
    bad = _mutated_proof(art, tmp_path, lambda d: d.__setitem__("pi_b", sj.g2_to_json(p)))
    with pytest.raises(FormatError, match="pi_b: point is not in the order-r subgroup"):
        sj.read_proof(bad)


def test_infinity_encoding(tmp_path):
    assert sj.parse_g1(["0", "1", "0"], "f", "p") is None
    assert sj.parse_g2([["0", "0"], ["1", "0"], ["0", "0"]], "f", "p") is None
    with pytest.raises(FormatError, match="infinity"):
        sj.parse_g1(["5", "1", "0"], "f", "p")
    assert sj.g1_to_json(None) == ["0", "1", "0"]


def test_public_signals_strict(tmp_path):
    assert sj.read_public(_write(tmp_path, ["0", "1", str(R - 1)])) == [0, 1, R - 1]
    for bad, needle in (
        ([str(R)], "[0]: public signal is not canonical"),
        (["1", 2], "[1]: expected a decimal string"),
        (["1", " 2"], "[1]: expected a decimal string"),
        ({"a": "1"}, "expected a JSON list"),
    ):
        p = _write(tmp_path, bad)
        with pytest.raises(FormatError) as e:
            sj.read_public(p)
        assert needle in str(e.value) and str(p) in str(e.value)
    with pytest.raises(InputError):
        sj.public_to_json([R])


def test_vk_strict(art, tmp_path):
    d = json.loads(art.vk.read_text())
    d["nPublic"] = d["nPublic"] + 1
    with pytest.raises(FormatError, match="IC: expected"):
        sj.read_verification_key(_write(tmp_path, d))
    d = json.loads(art.vk.read_text())
    d["curve"] = "bls12381"
    with pytest.raises(FormatError, match="curve"):
        sj.read_verification_key(_write(tmp_path, d))
    d = json.loads(art.vk.read_text())
    d["vk_gamma_2"][0][0] = str(Q)
    with pytest.raises(FormatError, match=r"vk_gamma_2\[0\]\[0\]: coordinate is not canonical"):
        sj.read_verification_key(_write(tmp_path, d))


def test_not_json(tmp_path):
    p = tmp_path / "p.json"
    p.write_text("{nope")
    with pytest.raises(FormatError, match="not valid JSON"):
        sj.read_proof(p)
    with pytest.raises(InputError, match="cannot read"):
        sj.read_proof(tmp_path / "missing.json")
