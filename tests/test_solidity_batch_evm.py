"""The exported batch verifier (zkats.groth16.solidity_batch), compiled with
solcjs and run in py-evm: valid batches of one and several keys are
accepted, an invalid proof or a wrong public input at every position of a
batch is rejected, malformed batches return false; the off-chain rule
(zkats.groth16.batch_transcript) agrees on every case.

Key 0 is snarkjs' own key with a proof snarkjs made (tests/circom
mulchain); keys 1 and 2 are simulated keys (tests/_groth16_sim: valid
proofs from a known trapdoor).  py-evm's pairing precompile (py_ecc) takes
about a second per pair on the shared machine, so the default suite keeps
to batches of one and two; the batch of ten is ``slow``."""

import pytest

from _groth16_peers import snarkjs_artifacts
from _groth16_sim import G1, G2, sim_key, sim_proof
from conftest import require_peer
from zkats.field import Q, R
from zkats.formats.snarkjs_json import read_proof, read_public, read_verification_key
from zkats.groth16 import _curve, batch_transcript as bt

pytestmark = pytest.mark.peers

GAS = 30_000_000


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    art = snarkjs_artifacts(tmp_path_factory)
    require_peer("solcjs")
    from zkats.chain.evm import Chain, batch_verifier_artifact

    sims = [sim_key(1, seed=11), sim_key(3, seed=13)]
    vks = [read_verification_key(art.vk)] + [vk for vk, _ in sims]
    chain = Chain()
    contract = chain.deploy(batch_verifier_artifact(vks, "TestBatchVerifier"), gas=15_000_000)

    def item(key, i=0):
        if key == 0:
            return read_public(art.public), read_proof(art.proof)
        vk, td = sims[key - 1]
        public = [(1000 * key + 31 * i + j) % R for j in range(vk.n_public)]
        return public, sim_proof(td, public)

    def call(keys, items):
        """verifyBatch's answer, which verifyBatchFlat (the escrow's entry:
        the same proofs flat) must give too."""
        nested = contract.functions.verifyBatch(*bt.calldata_args(keys, items)).call({"gas": GAS})
        flat = contract.functions.verifyBatchFlat(*bt.flat_args(keys, items)).call({"gas": GAS})
        assert flat is nested
        return nested

    return chain, contract, vks, item, call


def _accepts(world, keys, items):
    _, _, vks, _, call = world
    assert bt.verify_batch(vks, keys, items)
    assert call(keys, items) is True


def _invalid_variants(vks, keys, items):
    """For every position: the batch with that proof made invalid (A, B or C
    moved by a generator, in turn), then with each public input changed."""
    for i, (public, proof) in enumerate(items):
        which = i % 3
        if which == 0:
            bad = proof.replace(a=_curve.g1_add(proof.a, G1))
        elif which == 1:
            bad = proof.replace(b=_curve.g2_add(proof.b, G2))
        else:
            bad = proof.replace(c=_curve.g1_add(proof.c, G1))
        yield f"proof {i}", items[:i] + [(public, bad)] + items[i + 1 :]
        for j in range(len(public)):
            pub = list(public)
            pub[j] = (pub[j] + 1) % R
            yield f"proof {i} input {j}", items[:i] + [(pub, proof)] + items[i + 1 :]


def _rejects_every_position(world, keys, items):
    _, _, vks, _, call = world
    n = 0
    for what, bad in _invalid_variants(vks, keys, items):
        assert bt.verify_batch(vks, keys, bad) is False, what
        assert call(keys, bad) is False, what
        n += 1
    assert n == len(items) + sum(len(p) for p, _ in items)


def test_batch_of_one_snarkjs_proof(world):
    *_, item, _ = world
    _accepts(world, [0], [item(0)])


def test_batch_of_two_keys_and_gas(world):
    chain, contract, _, item, _ = world
    keys, items = [0, 2], [item(0), item(2)]
    _accepts(world, keys, items)
    rc = chain.transact(contract.functions.verifyBatch(*bt.calldata_args(keys, items)), gas=GAS)
    print(f"verifyBatch gas, 2 proofs of 2 keys: {rc.gasUsed}")
    assert 0 < rc.gasUsed < 600_000


def test_invalid_at_every_position_batch_of_two(world):
    *_, item, _ = world
    keys = [1, 1]
    items = [item(1, 0), item(1, 1)]
    _rejects_every_position(world, keys, items)


def test_malformed_batches_return_false(world):
    """Checks that need no pairing: lengths, key ids, input counts, values
    not below r or q, points off the curve."""
    _, contract, vks, item, _ = world
    keys, items = [1, 2], [item(1), item(2)]
    k, a, b, c, inp = bt.calldata_args(keys, items)
    f, flat = contract.functions.verifyBatch, contract.functions.verifyBatchFlat

    def false(k, a, b, c, inp):
        """Both entries refuse it (flat: the same words; arrays of different
        lengths are a proofs array that is not 8 words per key)."""
        assert f(k, a, b, c, inp).call({"gas": GAS}) is False
        words = [w for x, y, z in zip(a, b, c) for w in [*x, *y[0], *y[1], *z]]
        if not len(a) == len(b) == len(c):
            assert len(words) != 8 * len(k)
        assert flat(k, words, inp).call({"gas": GAS}) is False

    false([], [], [], [], [])
    false(k, a[:1], b, c, inp)
    false(k, a, b[:1], c, inp)
    false(k, a, b, c[:1], inp)
    false([1, 3], a, b, c, inp)  # unknown key id
    false([1, 2**255], a, b, c, inp)
    false(k, a, b, c, inp[:-1])  # one input short
    false(k, a, b, c, inp + [0])  # one too many
    for pos in range(len(inp)):
        big = list(inp)
        big[pos] += R  # same value mod r: refused
        false(k, a, b, c, big)
    for i in range(2):
        for j in range(2):
            aa = [list(x) for x in a]
            aa[i][j] += Q
            false(k, aa, b, c, inp)
            cc = [list(x) for x in c]
            cc[i][j] += Q
            false(k, a, b, cc, inp)
            for m in range(2):
                bb = [[list(y) for y in x] for x in b]
                bb[i][j][m] += Q
                false(k, a, bb, c, inp)
    off = [list(x) for x in a]
    off[0] = [1, 3]  # not on the curve
    false(k, off, b, c, inp)
    off = [list(x) for x in a]
    off[1] = [1, 3]
    false(k, off, b, c, inp)
    assert contract.functions.nPublic(0).call() == vks[0].n_public
    assert [contract.functions.nPublic(i).call() for i in (1, 2, 3)] == [1, 3, 0]
    assert contract.functions.N_KEYS().call() == 3


_CHILD = """pragma solidity >=0.8.0 <0.9.0;
import "ChildBatchVerifier.sol";

/// An escrow-like contract: inherits the verifier, has its own R and Proof,
/// builds a batch in memory and calls verifyBatch internally.
contract Child is ChildBatchVerifier {
    uint256 internal constant R = 7;
    struct Proof { uint256 x; }
    uint256 public accepted;

    function settle(uint256[8] calldata pr, uint256 x) external {
        uint256[] memory keys = new uint256[](1);
        uint256[2][] memory a = new uint256[2][](1);
        uint256[2][2][] memory b = new uint256[2][2][](1);
        uint256[2][] memory c = new uint256[2][](1);
        uint256[] memory input = new uint256[](1);
        keys[0] = 1;
        a[0] = [pr[0], pr[1]];
        b[0] = [[pr[2], pr[3]], [pr[4], pr[5]]];
        c[0] = [pr[6], pr[7]];
        input[0] = x;
        require(verifyBatch(keys, a, b, c, input), "bad proof");
        accepted += 1;
    }
}
"""


def test_inherited_and_called_internally(world):
    """The escrow's way in: inherit the generated verifier (its internals do
    not clash with an R or a Proof of the child) and call verifyBatch with
    memory arrays."""
    from zkats.chain.evm import ChainError, compile_sources
    from zkats.groth16.solidity_batch import solidity_batch_verifier

    chain, _, vks, item, _ = world
    arts = compile_sources(
        {
            "ChildBatchVerifier.sol": solidity_batch_verifier(vks, "ChildBatchVerifier"),
            "Child.sol": _CHILD,
        }
    )
    child = chain.deploy(arts["Child"], gas=15_000_000)
    public, proof = item(1, 5)
    words = bt.proof_words(proof)
    chain.transact(child.functions.settle(words, public[0]), gas=GAS)
    assert child.functions.accepted().call() == 1
    with pytest.raises(ChainError, match="bad proof"):
        chain.transact(child.functions.settle(words, public[0] + 1), gas=GAS)
    assert child.functions.accepted().call() == 1


@pytest.mark.slow
def test_batch_of_ten_several_keys_every_position(world):
    chain, contract, _, item, _ = world
    keys = [1, 2, 0, 1, 1, 2, 1, 2, 1, 1]
    items = [item(k, i) for i, k in enumerate(keys)]
    _accepts(world, keys, items)
    rc = chain.transact(contract.functions.verifyBatch(*bt.calldata_args(keys, items)), gas=GAS)
    print(f"verifyBatch gas, 10 proofs of 3 keys: {rc.gasUsed}")
    _rejects_every_position(world, keys, items)


def test_real_insert_proofs_in_a_batch(world):
    """Two consecutive insert proofs (k = 4, depth 32; zkats' prover, a
    development key) in one batch: accepted; with the second claiming the
    wrong start, or the first's leaves reordered, rejected on chain."""
    from zkats.chain.evm import batch_verifier_artifact
    from zkats.circuit import compile_circuit
    from zkats.circuits import insert
    from zkats.formats.zkey import read_zkey
    from zkats.gadgets.merkle import MerkleTree
    from zkats.groth16.devsetup import DevSetup
    from zkats.groth16.prover import prove

    chain = world[0]
    cc = compile_circuit(insert.Insert(k=4))
    zk = read_zkey(DevSetup(power=15).key("insert", cc)[0])
    vk = zk.verifying_key()
    contract = chain.deploy(batch_verifier_artifact([vk], "InsertBatchVerifier"), gas=15_000_000)
    tree = MerkleTree(insert.DEPTH)
    for i in range(6):
        tree.append(500 + i)
    items = []
    for leaves in ([1, 2, 3, 4], [5, 6, 7, 0]):
        pub, prv = insert.build(tree, leaves)
        proof, public = prove(zk, cc.solve(insert.inputs(pub, prv)).limbs(), check=True)
        items.append(([int(x) for x in public], proof))
        for x in leaves:
            tree.append(x)
    assert items[1][0][0] == items[0][0][1]  # the second starts from the first's root

    def call(its):
        args = bt.calldata_args([0, 0], its)
        return contract.functions.verifyBatch(*args).call({"gas": GAS})

    assert bt.verify_batch([vk], [0, 0], items) and call(items) is True
    (p0, pr0), (p1, pr1) = items
    wrong_start = [p1[0], p1[1], p1[2] + 1, *p1[3:]]
    reordered = [p0[0], p0[1], p0[2], p0[4], p0[3], *p0[5:]]
    for bad in ([(p0, pr0), (wrong_start, pr1)], [(reordered, pr0), (p1, pr1)]):
        assert not bt.verify_batch([vk], [0, 0], bad)
        assert call(bad) is False


@pytest.mark.parametrize("form", ["constants", "immutables", "code"])
def test_keys_sharing_alpha_beta_gamma(world, form):
    """Keys of one phase-1 ceremony share alpha, beta and gamma: the
    verifier then pairs them once for the whole batch (2 pairs fewer per
    key after the first), in each of its three forms; keys that do not
    share them (the world's simulated keys) take the per-key path in the
    same keyed contract.  Both accept valid batches and refuse invalid
    proofs and inputs (the shared path at every position)."""
    from zkats.chain.evm import Artifact, batch_verifier_artifact, compile_sources
    from zkats.groth16.solidity_batch import (
        batch_verifier_key_args,
        solidity_batch_verifier_keyed,
    )

    chain = world[0]
    a = sim_key(2, seed=21)
    b = sim_key(3, seed=23, base=a[1])
    unshared = [sim_key(2, seed=31), sim_key(3, seed=33)]
    gas = {}
    for label, sims in (("shared", [a, b]), ("unshared", unshared)):
        vks = [vk for vk, _ in sims]
        if form == "constants":
            art = batch_verifier_artifact(vks, "SharedBatchVerifier")
            contract = chain.deploy(art, gas=15_000_000)
        else:
            src = solidity_batch_verifier_keyed([2, 3], "SharedKeyed", keys_in=form)
            c = compile_sources({"SharedKeyed.sol": src})["SharedKeyed"]
            art = Artifact("SharedKeyed", c.abi, c.bytecode)
            contract = chain.deploy(art, batch_verifier_key_args(vks), gas=25_000_000)

        def call(keys, items, contract=contract):
            args = bt.calldata_args(keys, items)
            return contract.functions.verifyBatch(*args).call({"gas": GAS})

        def item(k, i, sims=sims):
            vk, td = sims[k]
            public = [(77 * k + 5 * i + j + 1) % R for j in range(vk.n_public)]
            return public, sim_proof(td, public)

        keys = [0, 1, 0]
        items = [item(k, i) for i, k in enumerate(keys)]
        assert bt.verify_batch(vks, keys, items)
        assert call(keys, items) is True
        fn = contract.functions.verifyBatch(*bt.calldata_args(keys, items))
        gas[label] = chain.transact(fn, gas=GAS).gasUsed
        # every position for the new shared path; the per-key path's first
        # variants (its every-position check: the tests above)
        variants = list(_invalid_variants(vks, keys, items))
        assert len(variants) == 3 + 2 + 3 + 2
        for what, bad in variants if label == "shared" else variants[:4]:
            assert bt.verify_batch(vks, keys, bad) is False, what
            assert call(keys, bad) is False, what
    print(f"{form}: verifyBatch gas, 3 proofs of 2 keys: {gas}")
    # two pairings (34,000 each) and an ecMul (6,000) fewer
    assert gas["unshared"] - gas["shared"] > 70_000
