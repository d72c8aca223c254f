"""EdDSA-Poseidon: BLAKE-512, keys and signatures vs circomlibjs; in-circuit verifier."""

import pytest

from gadget_vectors import live_vectors, load, point
from zkats.errors import InputError
from zkats.field import R
from zkats.gadgets import eddsa_prv2pub, eddsa_sign_poseidon, eddsa_verify_poseidon_plain
from zkats.gadgets.babyjubjub import L
from zkats.gadgets.blake512 import blake512


def test_blake512_known_answers():
    # BLAKE-512 test values from the BLAKE specification (appendix A):
    # the one-byte message 0x00, and 144 zero bytes
    assert blake512(b"\x00").hex().startswith("97961587f6d970fa")
    assert blake512(b"\x00" * 144).hex().startswith("313717d608e9cf75")


def test_sign_and_verify_equal_circomlibjs():
    for v in load("circomlibjs.json")["eddsa"]:
        prv = bytes.fromhex(v["prv"])
        pub = eddsa_prv2pub(prv)
        assert pub == point(v["pub"])
        r8, s = eddsa_sign_poseidon(prv, int(v["msg"]))
        assert r8 == point(v["R8"]) and s == int(v["S"])
        assert eddsa_verify_poseidon_plain(pub, int(v["msg"]), (r8, s)) is v["valid"] is True
        assert eddsa_verify_poseidon_plain(pub, (int(v["msg"]) + 1) % R, (r8, s)) is False


def test_verify_rejects():
    v = load("circomlibjs.json")["eddsa"][0]
    pub, msg, r8, s = point(v["pub"]), int(v["msg"]), point(v["R8"]), int(v["S"])
    assert not eddsa_verify_poseidon_plain(pub, msg, (r8, s + L))  # S >= L
    assert not eddsa_verify_poseidon_plain(pub, msg, (r8, (s + 1) % L))
    assert not eddsa_verify_poseidon_plain(pub, msg, ((1, 2), s))  # R8 off curve
    assert not eddsa_verify_poseidon_plain((r8[0], r8[1] + 1), msg, (r8, s))
    assert not eddsa_verify_poseidon_plain(pub, msg, "garbage")
    with pytest.raises(InputError):
        eddsa_sign_poseidon(b"short", 1)
    with pytest.raises(InputError):
        eddsa_sign_poseidon(b"\x00" * 32, R)


@pytest.mark.peers
def test_live_circomlibjs_agrees():
    out = live_vectors()
    for v in out["eddsa"]:
        prv = bytes.fromhex(v["prv"])
        r8, s = eddsa_sign_poseidon(prv, int(v["msg"]))
        assert (eddsa_prv2pub(prv), r8, s) == (point(v["pub"]), point(v["R8"]), int(v["S"]))
    from zkats.gadgets import BASE8, GENERATOR, babyjub_mul_plain

    for v in out["babyjub_mul"]:
        base = BASE8 if v["base"] == "Base8" else GENERATOR
        assert babyjub_mul_plain(base, int(v["k"])) == point(v["result"])


# ------------------------------------------------------------- in circuit
from gadget_vectors import circomlib_count  # noqa: E402
from zkats.circuit import Circuit, Private, Public, compile_circuit  # noqa: E402
from zkats.errors import UnsatisfiedConstraint  # noqa: E402
from zkats.gadgets.eddsa import eddsa_verify_poseidon  # noqa: E402
from zkats.testing import assert_hints_constrained  # noqa: E402


class Verify(Circuit):
    a = Public(n=2)
    m = Public()
    r8 = Private(n=2)
    s = Private()

    def define(self, api):
        eddsa_verify_poseidon(api, self.a, self.m, self.r8, self.s)


@pytest.fixture(scope="module")
def verifier():
    return compile_circuit(Verify(), cache=False)


def _inputs(v, **over):
    d = {
        "a": [int(c) for c in v["pub"]],
        "m": int(v["msg"]),
        "r8": [int(c) for c in v["R8"]],
        "s": int(v["S"]),
    }
    d.update(over)
    return d


def test_circuit_accepts_circomlibjs_signatures(verifier):
    vecs = load("circomlibjs.json")["eddsa"]
    for v in vecs[:3] + vecs[-1:]:
        w = verifier.solve(_inputs(v))
        assert verifier.check(w)
    assert_hints_constrained(verifier, w, sample=12)


def test_circuit_count(verifier):
    assert verifier.n_constraints == 3937
    assert verifier.n_constraints <= circomlib_count("eddsaposeidon")


def test_circuit_rejects(verifier):
    v = load("circomlibjs.json")["eddsa"][3]
    s, msg = int(v["S"]), int(v["msg"])
    r8 = [int(c) for c in v["R8"]]
    bad = [
        {"m": (msg + 1) % R},  # wrong message
        {"s": (s + 1) % L},  # wrong S
        {"s": s + L},  # S >= L (same point!)
        {"r8": [r8[0], (r8[1] + 1) % R]},  # R8 off the curve
        {"a": [int(c) for c in load("circomlibjs.json")["eddsa"][4]["pub"]]},  # other key
        {"a": [0, 1]},  # small-order key
    ]
    for over in bad:
        with pytest.raises(UnsatisfiedConstraint):
            verifier.solve(_inputs(v, **over))


def test_circuit_agrees_with_circom_verifier(verifier):
    # vectors/circom_semantics.json: which inputs circom2-compiled
    # EdDSAPoseidonVerifier (circomlib 2.0.5) accepts
    cases = load("circom_semantics.json")["eddsaposeidon"]
    assert {c["case"] for c in cases} >= {"valid", "S_plus_L", "wrong_message", "identity_key"}
    for c in cases:
        i = {k: int(v) for k, v in c["inputs"].items()}
        inputs = {"a": [i["Ax"], i["Ay"]], "m": i["M"], "r8": [i["R8x"], i["R8y"]], "s": i["S"]}
        try:
            verifier.solve(inputs)
            ours = True
        except UnsatisfiedConstraint:
            ours = False
        assert ours == c["accepted"], c["case"]
        plain = eddsa_verify_poseidon_plain(
            (i["Ax"], i["Ay"]), i["M"], ((i["R8x"], i["R8y"]), i["S"])
        )
        assert plain == c["accepted"], c["case"]


def test_lint_clean():
    # every wire of the verifier is determined by the inputs (zkats lint)
    from zkats.lint import lint_circuit

    assert lint_circuit(Verify()).findings == []
