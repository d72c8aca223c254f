"""The compiled contracts shipped in the package (zkats/chain/artifacts.json,
what `zkats chain` deploys without node or solc) are exactly what the pinned
solcjs and circomlibjs make from the sources today, and the keyed verifier
(its key given at deployment) behaves as the exported verifier with the key
in constants: same answers, same gas per call."""

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
    from zkats.chain import artifacts
    from zkats.chain.evm import CONTRACTS

    counts = artifacts.escrow_public_counts((CONTRACTS / "ZkatsEscrow.sol").read_text())
    assert counts == [18, 20, 22]
    for n in counts:
        art = artifacts.keyed_verifier(n)
        (ctor,) = [e for e in art.abi if e["type"] == "constructor"]
        assert ctor["inputs"][0]["type"] == f"uint256[{2 + 12 + 2 * (n + 1)}]"
        (fn,) = [e for e in art.abi if e.get("name") == "verifyProof"]
        assert fn["inputs"][3]["type"] == f"uint256[{n}]"
        assert len(art.bytecode) > 4000 and int(art.bytecode, 16)
    with pytest.raises(artifacts.ChainError, match="no compiled verifier for 7 public inputs"):
        artifacts.keyed_verifier(7)
    assert set(artifacts.contracts()) == {"ZkatsEscrow", "TestToken"}


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
