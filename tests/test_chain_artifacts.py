"""The compiled contracts shipped in the package (zkats/chain/artifacts.json,
what `zkats chain` deploys without node or solc) are exactly what the pinned
solcjs makes from the sources today, and the keyed verifiers (keys given at
deployment) behave as the exported verifiers with the keys in constants:
same answers, same gas per call."""

import pytest

from _groth16_peers import snarkjs_artifacts
from conftest import require_peer
from zkats.field import R

pytestmark = pytest.mark.peers


def test_shipped_artifacts_are_up_to_date():
    require_peer("solcjs")
    from zkats.chain import artifacts

    fresh = artifacts.dumps(artifacts.build())
    assert artifacts.PATH.read_text() == fresh, (
        "zkats/chain/artifacts.json is stale: run `make chain-artifacts` and commit it"
    )


def test_shipped_artifacts_cover_the_escrow():
    """The escrow, the token, and the keyed batch verifier for the sizes of
    the escrow's keys as the circuits declare them today; the layout file
    the escrow reads its offsets from is what the statements say."""
    from zkats.chain import artifacts, layout

    assert set(artifacts.contracts()) == {"ZkatsEscrow", "TestToken"}
    for which in ("batch", "epoch"):
        art, sizes = artifacts.batch_verifier(which)
        assert sizes == artifacts.key_sizes(which)
        (ctor,) = [e for e in art.abi if e["type"] == "constructor"]
        assert ctor["inputs"][0]["type"] == "uint256[]"
    assert layout.PATH.read_text() == layout.source(), (
        "contracts/ZkatsLayout.sol is stale: run `make chain-artifacts` and commit it"
    )


def test_keyed_batch_verifier_is_the_exported_one(tmp_path_factory):
    """The keyed batch verifier (keys at deployment) and the exported one
    (keys in constants) give the same answers for the same gas."""
    art = snarkjs_artifacts(tmp_path_factory)
    require_peer("solcjs")
    from zkats.chain.evm import Chain, batch_verifier_artifact, compile_sources
    from zkats.formats.snarkjs_json import read_proof, read_public, read_verification_key
    from zkats.groth16 import batch_transcript as bt
    from zkats.groth16.solidity_batch import (
        batch_verifier_key_args,
        solidity_batch_verifier_keyed,
    )

    vk = read_verification_key(art.vk)
    chain = Chain()
    consts = chain.deploy(batch_verifier_artifact([vk], "Consts"), gas=10_000_000)
    src = solidity_batch_verifier_keyed([vk.n_public], "Keyed")
    keyed = chain.deploy(
        compile_sources({"Keyed.sol": src})["Keyed"], batch_verifier_key_args([vk])
    )
    proof, public = read_proof(art.proof), read_public(art.public)
    good = bt.calldata_args([0], [(public, proof)])
    bad = bt.calldata_args([0], [([(public[0] + 1) % R, *public[1:]], proof)])
    for c in (consts, keyed):
        assert c.functions.verifyBatch(*good).call({"gas": 2_000_000}) is True
        assert c.functions.verifyBatch(*bad).call({"gas": 2_000_000}) is False
    gas = [c.functions.verifyBatch(*good).estimate_gas() for c in (consts, keyed)]
    assert gas[0] == gas[1], gas


def test_keyed_verifier_is_the_exported_verifier(tmp_path_factory):
    art = snarkjs_artifacts(tmp_path_factory)
    require_peer("solcjs")
    from zkats.chain.evm import Chain, compile_sources, verifier_artifact
    from zkats.formats.snarkjs_json import read_proof, read_public, read_verification_key
    from zkats.groth16.solidity import calldata_args, solidity_verifier_keyed, verifier_key_args

    vk = read_verification_key(art.vk)
    chain = Chain()
    consts = chain.deploy(verifier_artifact(vk, "Groth16Verifier"), gas=5_000_000)
    src = solidity_verifier_keyed(vk.n_public, "Keyed")
    keyed = chain.deploy(compile_sources({"Keyed.sol": src})["Keyed"], verifier_key_args(vk))
    proof, public = read_proof(art.proof), read_public(art.public)
    args = calldata_args(public, proof)
    bad = calldata_args([(public[0] + 1) % R, *public[1:]], proof)
    for c in (consts, keyed):
        assert c.functions.verifyProof(*args).call({"gas": 500_000}) is True
        assert c.functions.verifyProof(*bad).call({"gas": 500_000}) is False
    gas = [c.functions.verifyProof(*args).estimate_gas() for c in (consts, keyed)]
    assert gas[0] == gas[1], gas
