"""The command-line verify path and the plain-int BN254 API run without numpy
(its import is the largest single cost of `zkats groth16 verify`), and give
the same results as the in-process API."""

import json
import subprocess
import sys

import pytest

from circuit_helpers import contributed_key
from zkats import bn254
from zkats.field import Q, R, ints_to_limbs
from zkats.formats.snarkjs_json import write_proof, write_public, write_verification_key
from zkats.groth16.prover import prove
from zkats.groth16.verifier import verify

_RUN_VERIFY = """
import json, sys
from zkats.cli import main
try:
    main(sys.argv[1:])
    code = 0
except SystemExit as e:
    code = e.code
numpy_loaded = any(m == "numpy" or m.startswith("numpy.") for m in sys.modules)
print(json.dumps({"code": code, "numpy": numpy_loaded}))
"""


def _cli_verify(*files):
    r = subprocess.run(
        [sys.executable, "-c", _RUN_VERIFY, "groth16", "verify", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = json.loads(r.stdout.strip().splitlines()[-1])
    return out["code"], r.stdout, r.stderr, out["numpy"]


@pytest.fixture(scope="module")
def mult(tmp_path_factory):
    cc, zk = contributed_key("multiplier")
    proof, public = prove(zk, cc.solve({"a": 3, "b": 11}).limbs())
    d = tmp_path_factory.mktemp("mult")
    vk = zk.verifying_key()
    write_verification_key(d / "vk.json", vk)
    write_proof(d / "proof.json", proof)
    write_public(d / "public.json", public)
    return vk, proof, public, d


def test_cli_verify_does_not_import_numpy(mult):
    vk, proof, public, d = mult
    assert verify(vk, public, proof)
    code, out, err, np_loaded = _cli_verify(d / "vk.json", d / "public.json", d / "proof.json")
    assert code == 0 and out.startswith("OK"), err
    assert not np_loaded


def test_cli_verify_rejections_without_numpy(mult, tmp_path):
    vk, proof, public, d = mult
    cases = {
        "tampered": [str(public[0] + 1), str(public[1])],
        "not canonical": [str(public[0] + R), str(public[1])],
    }
    assert not verify(vk, [public[0] + 1, public[1]], proof)
    for name, sig in cases.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(sig))
        code, out, err, np_loaded = _cli_verify(
            d / "vk.json", tmp_path / f"{name}.json", d / "proof.json"
        )
        assert code == 1 and "zkats: invalid:" in err and not np_loaded, (name, err)
    assert (
        "does not verify"
        in _cli_verify(d / "vk.json", tmp_path / "tampered.json", d / "proof.json")[2]
    )
    assert (
        "not canonical"
        in _cli_verify(d / "vk.json", tmp_path / "not canonical.json", d / "proof.json")[2]
    )
    # a point moved off the curve
    pj = json.loads((d / "proof.json").read_text())
    pj["pi_a"][1] = str((int(pj["pi_a"][1]) + 1) % Q)
    (tmp_path / "offcurve.json").write_text(json.dumps(pj))
    code, out, err, np_loaded = _cli_verify(
        d / "vk.json", d / "public.json", tmp_path / "offcurve.json"
    )
    assert code == 1 and "not on the curve" in err and not np_loaded


_PLAIN = """
import json, sys
from zkats import bn254
from zkats.field import Q
args = json.loads(sys.stdin.read())
P, Q2, ks = [tuple(args["p"]), tuple(tuple(c) for c in args["q"]), args["ks"]]
res = {
    "g1_mul": bn254.g1_mul(P, ks[0]),
    "g1_add": bn254.g1_add(P, bn254.G1_GEN),
    "g1_neg": bn254.g1_neg(P),
    "g2_mul": bn254.g2_mul(Q2, ks[1]),
    "g2_add": bn254.g2_add(Q2, bn254.G2_GEN),
    "msm_g1": bn254.msm_g1([P, bn254.G1_GEN, None], ks[:3]),
    "msm_g2": bn254.msm_g2([Q2, bn254.G2_GEN], ks[:2]),
    "pairing": bn254.pairing(P, Q2),
    "check": bn254.pairing_check([(P, Q2), (bn254.g1_neg(P), Q2)]),
    "check_prepared": bn254.pairing_check_prepared(
        [(P, bn254.PreparedG2(Q2)), (bn254.g1_neg(P), Q2)]
    ),
    "subgroup": bn254.is_in_subgroup_g2(Q2),
    "fq_inv": bn254.fq_inv(ks[0]), "fr_inv": bn254.fr_inv(ks[0]),
    "fq_mul": bn254.fq_mul(ks[0], ks[1]), "fr_batch_inv": bn254.fr_batch_inv(ks),
    "fq_sqrt": bn254.fq_sqrt(ks[0] * ks[0] % Q),
}
res["numpy"] = "numpy" in sys.modules
print(json.dumps(res))
"""


def _norm(v):
    if isinstance(v, (tuple, list)):
        return [_norm(x) for x in v]
    return v


def test_plain_int_api_without_numpy_matches(tmp_path):
    import secrets

    ks = [secrets.randbelow(R) for _ in range(3)] + [0, 1, R - 1]
    P = bn254.g1_mul(bn254.G1_GEN, secrets.randbelow(R))
    Q2 = bn254.g2_mul(bn254.G2_GEN, secrets.randbelow(R))
    r = subprocess.run(
        [sys.executable, "-c", _PLAIN],
        input=json.dumps({"p": P, "q": Q2, "ks": ks}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got.pop("numpy") is False
    # the same calls in this process, against the numpy bulk API where one exists
    arr_msm = bn254.msm_g1_array(
        bn254.g1_points_to_array([P, bn254.G1_GEN, None]), ints_to_limbs(ks[:3])
    )
    arr_msm2 = bn254.msm_g2_array(
        bn254.g2_points_to_array([Q2, bn254.G2_GEN]), ints_to_limbs(ks[:2])
    )
    arr_mul = bn254.g1_array_to_points(
        bn254.g1_mul_each_array(bn254.g1_points_to_array([P]), ints_to_limbs([ks[0]]))
    )[0]
    arr_mul2 = bn254.g2_array_to_points(
        bn254.g2_mul_each_array(bn254.g2_points_to_array([Q2]), ints_to_limbs([ks[1]]))
    )[0]
    want = {
        "g1_mul": arr_mul,
        "g1_add": bn254.g1_add(P, bn254.G1_GEN),
        "g1_neg": (P[0], Q - P[1]),
        "g2_mul": arr_mul2,
        "g2_add": bn254.g2_add(Q2, bn254.G2_GEN),
        "msm_g1": arr_msm,
        "msm_g2": arr_msm2,
        "pairing": bn254.pairing(P, Q2),
        "check": True,
        "check_prepared": True,
        "subgroup": True,
        "fq_inv": pow(ks[0], -1, Q),
        "fr_inv": pow(ks[0], -1, R),
        "fq_mul": ks[0] * ks[1] % Q,
        "fr_batch_inv": [pow(k, -1, R) if k else 0 for k in ks],
    }
    for k, v in want.items():
        assert got[k] == _norm(v), k
    s = got["fq_sqrt"]
    assert s is not None and s * s % Q == ks[0] * ks[0] % Q


def test_points_to_array_round_trip():
    pts = [bn254.G1_GEN, None, bn254.g1_mul(bn254.G1_GEN, 5)]
    a = bn254.g1_points_to_array(pts)
    assert a.shape == (3, 8) and a.dtype.name == "uint64" and a.flags.writeable and not a[1].any()
    assert bn254.g1_array_to_points(a) == pts
    b = bn254.g2_points_to_array([bn254.G2_GEN, None])
    assert b.shape == (2, 16) and bn254.g2_array_to_points(b) == [bn254.G2_GEN, None]
    assert bn254.g1_points_to_array([]).shape == (0, 8)
    assert bn254.g2_points_to_array([]).shape == (0, 16)


_LAZY = """
import json, sys
import click
from zkats import cli
ctx = click.Context(cli.main)
names = {}
for top in sys.argv[1:]:
    cmd = cli.main.get_command(ctx, top)
    names[top] = cmd is not None
print(json.dumps({"found": names, "venue_loaded": "zkats.cli.venue" in sys.modules}))
"""


def test_lazy_command_modules_find_every_command():
    """Command modules load on demand: a fresh process resolves every
    command (and subcommand) that the fully loaded CLI lists, and the verify
    path does not import the unrelated command modules."""
    import click

    from zkats import cli

    ctx = click.Context(cli.main)
    tops = cli.main.list_commands(ctx)  # imports every command module
    assert {"groth16", "prove", "zkey", "powersoftau", "circuit"} <= set(tops)
    for top in tops:
        r = subprocess.run(
            [sys.executable, "-c", _LAZY, top], capture_output=True, text=True, timeout=120
        )
        assert json.loads(r.stdout)["found"] == {top: True}, (top, r.stderr)
    # subcommands of the shared groups, each in a fresh process
    code = (
        "import json, sys, click\nfrom zkats import cli\n"
        "g = cli.main.get_command(click.Context(cli.main), sys.argv[1])\n"
        "print(json.dumps(g.get_command(click.Context(g), sys.argv[2]) is not None))"
    )
    for top in ("groth16", "zkey"):
        grp = cli.main.get_command(ctx, top)
        for sub in grp.list_commands(click.Context(grp)):
            r = subprocess.run(
                [sys.executable, "-c", code, top, sub], capture_output=True, text=True, timeout=120
            )
            assert r.stdout.strip() == "true", (top, sub, r.stderr)
    r = subprocess.run(
        [sys.executable, "-c", _LAZY, "nope"], capture_output=True, text=True, timeout=120
    )
    assert json.loads(r.stdout)["found"] == {"nope": False}


def test_verify_path_loads_only_its_command_module(mult):
    _, _, _, d = mult
    code = _RUN_VERIFY.replace('"numpy": ', '"venue": "zkats.cli.venue" in sys.modules, "numpy": ')
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "groth16",
            "verify",
            str(d / "vk.json"),
            str(d / "public.json"),
            str(d / "proof.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out == {"code": 0, "venue": False, "numpy": False}, r.stderr
