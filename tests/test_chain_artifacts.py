"""The compiled contracts shipped in the package (zkats/chain/artifacts.json,
what `zkats chain` deploys without node or solc), for both venue sizes, are
exactly what the pinned solcjs makes from the sources today, and the keyed verifiers (keys given at
deployment) behave as the exported verifiers with the keys in constants:
same answers, same gas per call."""

import pytest

from _groth16_peers import snarkjs_artifacts
from conftest import require_peer
from zkats.field import R

pytestmark = pytest.mark.peers


def test_shipped_artifacts_are_up_to_date():
    """Both sizes rebuilt (production in a subprocess: the size is fixed at
    import): the artifacts file and both layout files are what
    `make chain-artifacts` writes now."""
    require_peer("solcjs")
    from zkats.chain import artifacts, layout

    layouts, data = artifacts.build_all()
    assert set(data) == {"ci", "production"}
    assert artifacts.PATH.read_text() == artifacts.dumps(data), (
        "zkats/chain/artifacts.json is stale: run `make chain-artifacts` and commit it"
    )
    for size, src in layouts.items():
        assert layout.path(size).read_text() == src, (
            f"{layout.path(size)} is stale: run `make chain-artifacts` and commit it"
        )
    # the production escrow is another contract: its offsets follow the 16-slot
    # statements (a liquidation's take-over and public ciphertext); the notes
    # their owners make carry their ciphertexts beside the proof, so the
    # settlement keys have the same inputs at both sizes
    assert "LIQUIDATE_N = 82;" in layouts["production"] and "// Venue size: ci" in layouts["ci"]
    assert "TRANSITION_N = 11;" in layouts["production"] and "TRANSITION_N = 11;" in layouts["ci"]
    assert (
        data["ci"]["verifiers"]["epoch"]["sizes"]
        != data["production"]["verifiers"]["epoch"]["sizes"]
    )


def test_shipped_artifacts_cover_the_escrow():
    """The escrow, the token, and the keyed batch verifier for the sizes of
    the escrow's keys as the circuits declare them today, for each venue
    size; `zkats chain` takes the running size's; the layout file the escrow
    reads its offsets from is what the statements say."""
    from zkats.chain import artifacts, layout
    from zkats.chain.evm import ChainError

    for size in ("ci", "production"):
        assert set(artifacts.contracts(size)) == {"ZkatsEscrow", "TestToken"}
        for which in ("batch", "epoch"):
            art, sizes = artifacts.batch_verifier(which, size)
            if size == "ci":  # the suite's size: the statements of this process
                assert sizes == artifacts.key_sizes(which)
                assert (art, sizes) == artifacts.batch_verifier(which)
            (ctor,) = [e for e in art.abi if e["type"] == "constructor"]
            assert ctor["inputs"][0]["type"] == "uint256[]"
    assert artifacts.contracts() == artifacts.contracts("ci")
    assert layout.path() == layout.path("ci") and layout.path().read_text() == layout.source(), (
        "contracts/ci/ZkatsLayout.sol is stale: run `make chain-artifacts` and commit it"
    )
    with pytest.raises(ChainError, match="no compiled contracts for venue size 'huge'"):
        artifacts.contracts("huge")


def test_production_verifiers_and_escrow_deploy():
    """The production size's shipped contracts fit the EVM's code size limits
    (EIP-170, EIP-3860, as the test chain enforces): its batch verifier keeps
    the keys as code (216 public inputs do not fit in immutables) and the
    escrow deploys on top at the tree depth of 32."""
    from zkats.bn254 import G1_GEN, G2_GEN
    from zkats.chain import artifacts
    from zkats.chain.evm import Chain
    from zkats.groth16.solidity_batch import batch_verifier_key_args
    from zkats.groth16_data import VerifyingKey

    chain = Chain()
    addresses = []
    for which in ("batch", "epoch"):
        art, sizes = artifacts.batch_verifier(which, "production")
        keys = [VerifyingKey(G1_GEN, G2_GEN, G2_GEN, G2_GEN, (G1_GEN,) * (n + 1)) for n in sizes]
        v = chain.deploy(art, batch_verifier_key_args(keys), gas=25_000_000)
        assert [v.functions.nPublic(k).call() for k in range(len(sizes))] == sizes
        addresses.append(v.address)
    assert artifacts.batch_verifier("batch", "production")[1] == [7, 9, 18, 11, 19, 2]
    assert artifacts.batch_verifier("epoch", "production")[1] == [5, 82, 5, 57]
    arts = artifacts.contracts("production")
    token = chain.deploy(arts["TestToken"])
    esc = chain.deploy(
        arts["ZkatsEscrow"], token.address, addresses, 1, 3600, 32, 16, 0, 1024, 1000, [1, 2]
    )
    assert esc.functions.depth().call() == 32


def test_keyed_batch_verifier_is_the_exported_one(tmp_path_factory):
    """The keyed batch verifier (keys at deployment) and the exported one
    (keys in constants) give the same answers for the same gas; the form
    with the keys stored as code (the production escrow's: its keys do not
    fit in immutables) gives the same answers, two keys in one batch too."""
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
    src = solidity_batch_verifier_keyed([vk.n_public] * 2, "InCode", keys_in="code")
    in_code = chain.deploy(
        compile_sources({"InCode.sol": src})["InCode"], batch_verifier_key_args([vk, vk])
    )
    proof, public = read_proof(art.proof), read_public(art.public)
    good = bt.calldata_args([0], [(public, proof)])
    bad = bt.calldata_args([0], [([(public[0] + 1) % R, *public[1:]], proof)])
    for c in (consts, keyed, in_code):
        assert c.functions.verifyBatch(*good).call({"gas": 2_000_000}) is True
        assert c.functions.verifyBatch(*bad).call({"gas": 2_000_000}) is False
    gas = [c.functions.verifyBatch(*good).estimate_gas() for c in (consts, keyed)]
    assert gas[0] == gas[1], gas
    # keys 0 and 1 (same points) in one batch; a wrong input under key 1 fails it
    two = [(public, proof), (public, proof)]
    assert in_code.functions.verifyBatch(*bt.calldata_args([0, 1], two)).call() is True
    two[1] = ([(public[0] + 1) % R, *public[1:]], proof)
    assert in_code.functions.verifyBatch(*bt.calldata_args([0, 1], two)).call() is False
    assert in_code.functions.verifyBatch(*bt.calldata_args([0, 2], two[:1] * 2)).call() is False


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
