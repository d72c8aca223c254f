"""zkats.chain.evm: solcjs compilation, circomlibjs' Poseidon contract in
py-evm against zkats' Poseidon, the native BN254 precompiles against
py-evm's own, and the escrow's constructor checks."""

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


def _w(*words):
    return b"".join(int(x).to_bytes(32, "big") for x in words)


def test_native_precompiles_agree_with_py_ecc():
    """The native ecAdd / ecMul / ecPairing the test chain runs
    (evm.use_native_precompiles) give py-evm's own (py_ecc) answers, and
    fail where they fail, on valid and invalid inputs."""
    import importlib

    from py_ecc import optimized_bn128 as b

    from zkats.chain.evm import _PY_ECC, use_native_precompiles
    from zkats.field import Q

    mods = {
        m: importlib.import_module(f"eth.precompiles.{m}") for m in ("ecadd", "ecmul", "ecpairing")
    }
    use_native_precompiles(True)
    fns = {"ecadd": "_ecadd", "ecmul": "_ecmull", "ecpairing": "_ecpairing"}

    def g1(p):
        p = b.normalize(p)
        return (int(p[0]), int(p[1]))

    def g2(p):
        p = b.normalize(p)
        return (int(p[0].coeffs[1]), int(p[0].coeffs[0]), int(p[1].coeffs[1]), int(p[1].coeffs[0]))

    def same(mod, data):
        out = []
        for f in (getattr(mods[mod], fns[mod]), _PY_ECC[mod]):
            try:
                r = f(data)
                out.append(r if isinstance(r, bool) else (int(r[0]), int(r[1])))
            except Exception as err:  # the precompile's failure, either way
                out.append(type(err).__name__)
        assert out[0] == out[1], (mod, out)
        return out[0]

    k = secrets.randbelow(R)
    P, G, N = g1(b.multiply(b.G1, k)), g2(b.G2), g1(b.neg(b.G1))
    Gk = g2(b.multiply(b.G2, k))
    assert same("ecpairing", _w(*P, *G, *N, *Gk)) is True
    assert same("ecpairing", _w(*P, *G, *N, *G)) is False
    assert same("ecpairing", b"") is True
    assert same("ecpairing", _w(0, 0, *G)) is True
    assert same("ecpairing", _w(*P, 0, 0, 0, 0)) is True
    assert same("ecpairing", _w(1, 3, *G)) == "ValidationError"
    assert same("ecpairing", _w(*P, G[0] + 1, *G[1:])) == "ValidationError"
    assert same("ecpairing", _w(*P, Q, *G[1:])) == "ValidationError"
    for m in (0, 1, 7, R - 1, R, R + 3, 2**256 - 1):
        same("ecmul", _w(*P, m))
    assert same("ecmul", _w(1, 3, 2)) == "ValidationError"
    assert same("ecmul", _w(0, 0, 5)) == (0, 0)
    assert same("ecadd", _w(*P, *P)) == g1(b.multiply(b.G1, 2 * k))
    assert same("ecadd", _w(*P, *g1(b.neg(b.multiply(b.G1, k))))) == (0, 0)
    assert same("ecadd", _w(0, 0, *P)) == P
    assert same("ecadd", _w(1, 3, 1, 2)) == "ValidationError"
    assert same("ecadd", _w(Q, 0, 1, 2)) == "ValidationError"


def test_escrow_refuses_bad_tree_parameters(env):
    evm, chain, _ = env
    from zkats.chain import artifacts

    arts = artifacts.contracts()
    tok = chain.deploy(arts["TestToken"])
    v = [tok.address, tok.address]  # the verifiers are not called by the constructor
    with pytest.raises(evm.ChainError):
        chain.deploy(arts["ZkatsEscrow"], tok.address, v, 1, 60, 0, 16, 0, 0, 1, [0, 1])
    with pytest.raises(evm.ChainError):
        chain.deploy(arts["ZkatsEscrow"], tok.address, v, 1, 60, 4, 16, 0, 16, 1, [0, 1])
    with pytest.raises(evm.ChainError):
        chain.deploy(arts["ZkatsEscrow"], tok.address, v, 1, 60, 4, 16, 0, 0, 0, [0, 1])
    esc = chain.deploy(arts["ZkatsEscrow"], tok.address, v, 1, 60, 4, 16, 77, 0, 1, [0, 1])
    assert esc.functions.root().call() == 77 and esc.functions.depth().call() == 4


def test_revert_reason_and_compile_error(env):
    evm, chain, _ = env
    tok = chain.deploy(evm.project_contracts()["TestToken"])
    with pytest.raises(evm.ChainError) as e:
        chain.transact(tok.functions.transfer(chain.accounts[1], 5))
    assert e.value.reason == "ERC20: balance"
    with pytest.raises(evm.ChainError, match="compilation failed"):
        evm.compile_sources({"Bad.sol": "pragma solidity ^0.8.0; contract Bad { uint x = ; }"})
