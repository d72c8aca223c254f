"""Groth16 prover and verifier against the real snarkjs/circom2 peers.

A circom2-compiled circuit set up by snarkjs (tests/_groth16_peers.py):
zkats proves from snarkjs' .zkey and .wtns and `snarkjs groth16 verify`
accepts; snarkjs' proof is accepted by `zkats groth16 verify` and every kind
of tampering is rejected with a reason; proofs are randomised; batch
verification names a bad proof; a bad witness is refused naming the
failing constraint."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from _groth16_peers import snarkjs_artifacts, witness_for
from zkats.cli import main
from zkats.errors import InputError, UnsatisfiedConstraint, VerificationError
from zkats.field import Q, R
from zkats.formats import snarkjs_json as sj
from zkats.formats.wtns import read_wtns, write_wtns
from zkats.formats.zkey import read_zkey
from zkats.groth16.data_structures import Proof
from zkats.groth16.prover import prove
from zkats.groth16.verifier import batch_verify, batch_verify_detailed, verify

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return snarkjs_artifacts(tmp_path_factory)


@pytest.fixture(scope="module")
def zkats_proof(art):
    """A proof made by `zkats groth16 prove` from snarkjs' zkey and witness."""
    out = art.dir / "zkats_proof.json"
    pub = art.dir / "zkats_public.json"
    r = CliRunner().invoke(
        main,
        ["groth16", "prove", str(art.zkey), str(art.wtns), str(out), str(pub), "--quiet", "--json"],
    )
    assert r.exit_code == 0, r.output
    timings = json.loads(r.stdout.strip().splitlines()[-1])["timings_s"]
    assert "msm C+H" in timings and "self-check" in timings
    return out, pub


def _snarkjs_verify(art, public, proof):
    return subprocess.run(
        [art.snarkjs, "groth16", "verify", str(art.vk), str(public), str(proof)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_snarkjs_accepts_zkats_proof(art, zkats_proof):
    proof, public = zkats_proof
    assert json.loads(public.read_text()) == json.loads(art.public.read_text())
    r = _snarkjs_verify(art, public, proof)
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr


def test_zkats_cli_accepts_snarkjs_proof(art):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "zkats.cli",
            "groth16",
            "verify",
            str(art.vk),
            str(art.public),
            str(art.proof),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and r.stdout.strip() == "OK", r.stdout + r.stderr


def _cli_verify(art, public_obj=None, proof_obj=None, tmp_path=None):
    pub = art.public
    prf = art.proof
    if public_obj is not None:
        pub = tmp_path / "public.json"
        pub.write_text(json.dumps(public_obj))
    if proof_obj is not None:
        prf = tmp_path / "proof.json"
        prf.write_text(json.dumps(proof_obj))
    r = CliRunner().invoke(main, ["groth16", "verify", str(art.vk), str(pub), str(prf)])
    return r.exit_code, r.output


def test_tampered_public_signal_rejected(art, tmp_path):
    pub = json.loads(art.public.read_text())
    pub[0] = str(int(pub[0]) + 1)
    code, out = _cli_verify(art, public_obj=pub, tmp_path=tmp_path)
    assert code == 1 and "does not verify" in out


def test_public_signal_not_below_r_rejected(art, tmp_path):
    pub = json.loads(art.public.read_text())
    pub[1] = str(int(pub[1]) + R)
    code, out = _cli_verify(art, public_obj=pub, tmp_path=tmp_path)
    assert code == 1 and "[1]: public signal is not canonical" in out


def test_point_off_curve_rejected(art, tmp_path):
    prf = json.loads(art.proof.read_text())
    prf["pi_c"][1] = str((int(prf["pi_c"][1]) + 1) % Q)
    code, out = _cli_verify(art, proof_obj=prf, tmp_path=tmp_path)
    assert code == 1 and "pi_c: point is not on the curve" in out


def test_coordinate_not_below_q_rejected(art, tmp_path):
    prf = json.loads(art.proof.read_text())
    prf["pi_a"][0] = str(int(prf["pi_a"][0]) + Q)
    code, out = _cli_verify(art, proof_obj=prf, tmp_path=tmp_path)
    assert code == 1 and "pi_a[0]: coordinate is not canonical" in out


def test_wrong_signal_count_rejected(art, tmp_path):
    pub = json.loads(art.public.read_text())[:1]
    code, out = _cli_verify(art, public_obj=pub, tmp_path=tmp_path)
    assert code == 1 and "expects 2" in out


def test_api_strictness(art):
    vk = sj.read_verification_key(art.vk)
    proof = sj.read_proof(art.proof)
    public = sj.read_public(art.public)
    assert verify(vk, public, proof)
    with pytest.raises(InputError, match="not canonical"):
        verify(vk, [public[0] + R, public[1]], proof)
    with pytest.raises(InputError, match="expected an integer"):
        verify(vk, [True, public[1]], proof)
    with pytest.raises(InputError, match="expects 2"):
        verify(vk, public + [0], proof)
    bad = Proof(a=(proof.a[0], (proof.a[1] + 1) % Q), b=proof.b, c=proof.c)
    with pytest.raises(InputError, match="pi_a: point is not on the curve"):
        verify(vk, public, bad)
    bad = Proof(a=(proof.a[0] + Q, proof.a[1]), b=proof.b, c=proof.c)
    with pytest.raises(InputError, match="canonical"):
        verify(vk, public, bad)


def test_proofs_are_randomised_and_batch_verifies(art):
    zk = read_zkey(art.zkey)
    w = read_wtns(art.wtns)
    p1, pub1 = prove(zk, w)
    p2, pub2 = prove(zk, w, check=False)
    assert pub1 == pub2 == sj.read_public(art.public)
    assert p1 != p2 and p1.a != p2.a and p1.c != p2.c
    vk = sj.read_verification_key(art.vk)
    assert verify(vk, pub2, p2)
    snark = sj.read_proof(art.proof)
    batch = [(pub1, p1), (pub2, p2), (pub1, snark)]
    assert batch_verify(vk, batch)
    assert batch_verify_detailed(vk, batch) == []
    # a bad proof in the batch: a valid proof for other public signals
    tampered = [pub1[0], (pub1[1] + 1) % R]
    bad_batch = batch[:1] + [(tampered, p2)] + batch[2:]
    assert batch_verify(vk, bad_batch) is False
    assert batch_verify_detailed(vk, bad_batch) == [1]
    with pytest.raises(VerificationError, match="index 1"):
        batch_verify(vk, bad_batch, raise_on_failure=True)
    assert batch_verify(vk, []) is True


def test_other_inputs_prove(art, tmp_path):
    wtns = witness_for(art, {"a": 0, "b": R - 1}, "edge")
    proof, public = tmp_path / "p.json", tmp_path / "pub.json"
    r = CliRunner().invoke(
        main, ["groth16", "prove", str(art.zkey), str(wtns), str(proof), str(public), "--quiet"]
    )
    assert r.exit_code == 0, r.output
    assert _snarkjs_verify(art, public, proof).returncode == 0


def test_bad_witness_refused_naming_constraint(art, tmp_path):
    w = read_wtns(art.wtns).copy()
    w[-1, 0] ^= 1  # the last internal wire
    bad = tmp_path / "bad.wtns"
    write_wtns(bad, w)
    args = [
        "groth16",
        "prove",
        str(art.zkey),
        str(bad),
        str(tmp_path / "p.json"),
        str(tmp_path / "q.json"),
        "--quiet",
    ]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1 and "does not satisfy the circuit" in r.output and "--r1cs" in r.output
    r = CliRunner().invoke(main, args + ["--r1cs", str(art.r1cs)])
    assert r.exit_code == 1 and "does not satisfy constraint" in r.output, r.output
    assert not (tmp_path / "p.json").exists()
    zk = read_zkey(art.zkey)
    from zkats.formats.r1cs import read_r1cs

    with pytest.raises(UnsatisfiedConstraint) as e:
        prove(zk, w, r1cs=read_r1cs(art.r1cs))
    assert e.value.index is not None


def test_witness_size_mismatch_refused(art, tmp_path):
    w = read_wtns(art.wtns)
    short = tmp_path / "short.wtns"
    write_wtns(short, w[:-1])
    r = CliRunner().invoke(
        main,
        [
            "groth16",
            "prove",
            str(art.zkey),
            str(short),
            str(tmp_path / "p.json"),
            str(tmp_path / "q.json"),
            "--quiet",
        ],
    )
    assert r.exit_code == 1 and "expects" in r.output
    w2 = w.copy()
    w2[3] = [0xFFFFFFFFFFFFFFFF] * 4
    with pytest.raises(InputError, match=r"witness\[3\]"):
        prove(read_zkey(art.zkey), w2)
