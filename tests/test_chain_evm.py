"""zkats.chain.evm: solcjs compilation, circomlibjs' Poseidon contract in
py-evm against zkats' Poseidon, and the escrow's empty tree root against
the ledger's."""

import secrets

import pytest

from conftest import require_peer
from zkats.field import R

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def env():
    require_peer("solcjs")
    from zkats.chain import evm

    chain = evm.Chain()
    return evm, chain, chain.deploy(evm.poseidon_artifact(2))


def test_poseidon_contract_matches_zkats(env):
    from zkats.gadgets.poseidon_hash import poseidon_plain

    _, _, h = env
    cases = [(0, 0), (1, 2), (R - 1, R - 1), (0, R - 1)] + [
        (secrets.randbelow(R), secrets.randbelow(R)) for _ in range(6)
    ]
    for a, b in cases:
        assert h.functions.poseidon([a, b]).call() == poseidon_plain([a, b]), (a, b)


def test_escrow_empty_root_is_the_ledgers(env):
    from zkats.circuits.deposit import ASSET
    from zkats.gadgets.merkle import MerkleTree
    from zkats.venue import units

    evm, chain, h = env
    arts = evm.project_contracts()
    tok = chain.deploy(arts["TestToken"])
    esc = chain.deploy(arts["ZkatsEscrow"], tok.address, h.address, [tok.address] * 4, ASSET, 60)
    assert esc.functions.lastRoot().call() == MerkleTree(units.TREE_DEPTH).root
    assert esc.functions.DEPTH().call() == units.TREE_DEPTH


def test_revert_reason_and_compile_error(env):
    evm, chain, _ = env
    tok = chain.deploy(evm.project_contracts()["TestToken"])
    with pytest.raises(evm.ChainError) as e:
        chain.transact(tok.functions.transfer(chain.accounts[1], 5))
    assert e.value.reason == "ERC20: balance"
    with pytest.raises(evm.ChainError, match="compilation failed"):
        evm.compile_sources({"Bad.sol": "pragma solidity ^0.8.0; contract Bad { uint x = ; }"})
