"""zkats circuits (the DSL) set up by zkats, proved and verified by zkats;
`zkats prove` (witness + proof in one step); snarkjs accepts the zkats-made
proof under the zkats-made verification key.  (`zkats demo` is now the
venue demo, tested with the venue CLI.)"""

import json
import subprocess

import pytest
from click.testing import CliRunner

from circuit_helpers import contributed_key
from conftest import require_peer
from zkats.cli import main
from zkats.errors import UnsatisfiedConstraint
from zkats.field import R
from zkats.formats.snarkjs_json import write_proof, write_public, write_verification_key
from zkats.formats.zkey import write_zkey
from zkats.groth16.prover import prove
from zkats.groth16.verifier import batch_verify, verify

INPUT = {"a": "4000000007", "b": "65521"}


@pytest.fixture(scope="module")
def divmod_key(tmp_path_factory):
    cc, zk = contributed_key("divmod")
    d = tmp_path_factory.mktemp("divmod")
    write_zkey(d / "divmod.zkey", zk)
    write_verification_key(d / "vk.json", zk.verifying_key())
    (d / "input.json").write_text(json.dumps(INPUT))
    return cc, zk, d


def test_prove_and_verify(divmod_key):
    cc, zk, _ = divmod_key
    wit = cc.solve(INPUT)
    proof, public = prove(zk, wit.limbs(), r1cs=cc.r1cs)
    assert public == [4000000007 // 65521, 4000000007 % 65521, 4000000007]
    vk = zk.verifying_key()
    assert verify(vk, public, proof)
    assert not verify(vk, [public[0] + 1] + public[1:], proof)
    proof2, _ = prove(zk, wit.limbs())
    assert proof2 != proof and batch_verify(vk, [(public, proof), (public, proof2)])


def test_bad_witness_names_constraint_and_scope(divmod_key):
    cc, zk, _ = divmod_key
    values = list(cc.solve(INPUT).values)
    values[-1] = (values[-1] + 1) % R
    with pytest.raises(UnsatisfiedConstraint) as e:
        prove(zk, values, r1cs=cc.r1cs)
    assert e.value.index is not None and f"constraint {e.value.index}" in str(e.value)


def test_cli_prove_one_step(divmod_key, tmp_path):
    _, _, d = divmod_key
    r = CliRunner().invoke(
        main,
        [
            "prove",
            "divmod",
            str(d / "input.json"),
            "-k",
            str(d / "divmod.zkey"),
            "-o",
            str(tmp_path / "proof.json"),
            "--public",
            str(tmp_path / "public.json"),
            "--quiet",
        ],
    )
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        main,
        [
            "groth16",
            "verify",
            str(d / "vk.json"),
            str(tmp_path / "public.json"),
            str(tmp_path / "proof.json"),
        ],
    )
    assert r.exit_code == 0 and r.output.strip() == "OK"
    # the wrong circuit for the key
    (tmp_path / "small.json").write_text(json.dumps({"a": "1000", "b": "7"}))
    r = CliRunner().invoke(
        main,
        [
            "prove",
            "divmod",
            str(tmp_path / "small.json"),
            "-k",
            str(d / "divmod.zkey"),
            "-P",
            "n=16",
            "--quiet",
            "-o",
            str(tmp_path / "x.json"),
            "--public",
            str(tmp_path / "y.json"),
        ],
    )
    assert r.exit_code == 1 and "divmod.zkey" in r.output


@pytest.mark.peers
def test_snarkjs_verifies_zkats_proof(divmod_key, tmp_path):
    snarkjs = require_peer("snarkjs")
    cc, zk, d = divmod_key
    proof, public = prove(zk, cc.solve(INPUT).limbs())
    write_proof(tmp_path / "proof.json", proof)
    write_public(tmp_path / "public.json", public)
    r = subprocess.run(
        [
            snarkjs,
            "groth16",
            "verify",
            str(d / "vk.json"),
            str(tmp_path / "public.json"),
            str(tmp_path / "proof.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr


def test_bit_heavy_witness_proves():
    """A witness of 0/1 values (1,012 bits, about 750 ones): each multi-exponentiation
    has hundreds of scalars equal to 1, which the native core sums apart
    from the Pippenger (native/prover.c, msm_live); the proof verifies, and
    so does one whose witness has no such run (the same circuit, all bits 0
    but one value)."""
    from zkats.gadgets.bits import num2bits
    from zkats.groth16 import ceremony, phase2
    from zkats.groth16.generator import circuit_power, new_zkey
    from zkats.testing import gadget_circuit

    cc = gadget_circuit(lambda api, xs: api.sum([api.sum(num2bits(api, x, 253)) for x in xs]), 4)
    power = circuit_power(cc.n_constraints, cc.n_public)
    pt = ceremony.prepare_phase2(ceremony.contribute(ceremony.new_accumulator(power))[0])
    zk = phase2.contribute(new_zkey(cc.r1cs, pt))[0]
    vk = zk.verifying_key()
    for xs in ([(1 << 253) - 1, (1 << 253) - 12345, (1 << 252) - 1, 12345], [0, 0, 0, 5]):
        w = cc.solve({"x": xs})
        ones = sum(1 for v in w.values if v == 1)
        proof, public = prove(zk, w.limbs(), r1cs=cc.r1cs)  # checks the proof too
        assert public == [sum(bin(x).count("1") for x in xs)] and verify(vk, public, proof)
        assert (ones > 700) == (xs[0] != 0)
