"""The exported Solidity verifier, compiled with solcjs and run in py-evm.

Uses a proof made by snarkjs for a circom circuit (tests/circom) and the
verification key snarkjs exported; zkats writes the contract and the
calldata.  Verifier calls carry an explicit gas limit (500,000).  Compilation and the
chain come from the shared harness, zkats.chain.evm."""

import subprocess

import pytest

from _groth16_peers import snarkjs_artifacts
from conftest import require_peer
from zkats.field import Q, R
from zkats.formats.snarkjs_json import read_proof, read_public, read_verification_key
from zkats.groth16.solidity import calldata_args, solidity_calldata

pytestmark = pytest.mark.peers

GAS = 500_000


def _web3():
    try:
        from web3 import EthereumTesterProvider, Web3
    except ImportError:
        import os

        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("web3 / eth-tester[py-evm] not installed (pip install -e .[evm])")
        pytest.skip("web3 / eth-tester[py-evm] not installed (pip install -e .[evm])")
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    art = snarkjs_artifacts(tmp_path_factory)
    require_peer("solcjs")
    _web3()  # skips (fails under CI) without the evm extra
    from zkats.chain.evm import Chain, verifier_artifact  # the shared solcjs + py-evm harness

    chain = Chain()
    contract = chain.deploy(
        verifier_artifact(read_verification_key(art.vk), "Groth16Verifier"), gas=5_000_000
    )
    return chain.w3, contract, art


def _call(contract, public, proof):
    a, b, c, inp = calldata_args(public, proof)
    return contract.functions.verifyProof(a, b, c, inp).call({"gas": GAS})


def test_valid_proof_accepted_and_gas(deployed):
    w3, contract, art = deployed
    proof, public = read_proof(art.proof), read_public(art.public)
    assert _call(contract, public, proof) is True
    a, b, c, inp = calldata_args(public, proof)
    tx = contract.functions.verifyProof(a, b, c, inp).transact({"gas": GAS})
    used = w3.eth.get_transaction_receipt(tx).gasUsed
    print(f"verifyProof gas used: {used} ({len(public)} public inputs)")
    assert 0 < used < GAS


def test_tampered_public_input_rejected(deployed):
    _, contract, art = deployed
    proof, public = read_proof(art.proof), read_public(art.public)
    public[0] = (public[0] + 1) % R
    assert _call(contract, public, proof) is False


def test_public_input_not_below_r_rejected(deployed):
    _, contract, art = deployed
    proof, public = read_proof(art.proof), read_public(art.public)
    a, b, c, inp = calldata_args(public, proof)
    inp[0] += R  # same value mod r: must still be refused
    try:
        ok = contract.functions.verifyProof(a, b, c, inp).call({"gas": GAS})
    except Exception:  # a revert is also a refusal
        ok = False
    assert ok is False


def test_coordinate_not_below_q_rejected(deployed):
    _, contract, art = deployed
    proof, public = read_proof(art.proof), read_public(art.public)
    a, b, c, inp = calldata_args(public, proof)
    a[0] += Q
    assert contract.functions.verifyProof(a, b, c, inp).call({"gas": GAS}) is False


def test_calldata_matches_snarkjs(deployed):
    _, _, art = deployed
    theirs = subprocess.run(
        [art.snarkjs, "zkey", "export", "soliditycalldata", str(art.public), str(art.proof)],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()
    assert solidity_calldata(read_public(art.public), read_proof(art.proof)) == theirs
