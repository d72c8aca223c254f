"""The on-chain batch rule off chain (zkats.groth16.batch_transcript), its
Keccak-256, the Solidity generator's argument checks and the CLI export
(``zkats zkey export solidityverifier [--batch]``).  The contract itself
runs in tests/test_solidity_batch_evm.py."""

import pytest
from click.testing import CliRunner

from _groth16_sim import G1, sim_key, sim_proof
from zkats.cli import main
from zkats.errors import InputError
from zkats.field import R
from zkats.formats.snarkjs_json import write_verification_key
from zkats.groth16 import _curve, batch_transcript as bt
from zkats.groth16.solidity_batch import solidity_batch_verifier
from zkats.keccak import keccak256, keccak_words


def test_keccak_matches_eth_hash():
    from eth_hash.auto import keccak  # web3's keccak (the evm extra)

    for n in (0, 1, 31, 32, 33, 135, 136, 137, 271, 272, 1000):
        data = bytes((7 * i + n) % 256 for i in range(n))
        assert keccak256(data) == keccak(data), n
    assert keccak_words([1, 2]) == int.from_bytes(
        keccak((1).to_bytes(32, "big") + (2).to_bytes(32, "big")), "big"
    )


@pytest.fixture(scope="module")
def keys():
    return [sim_key(2, seed=21), sim_key(4, seed=22)]


def _items(keys, ks):
    out = []
    for i, k in enumerate(ks):
        vk, td = keys[k]
        public = [(100 * k + 10 * i + j) % R for j in range(vk.n_public)]
        out.append((public, sim_proof(td, public)))
    return out


def test_valid_and_invalid_batches(keys):
    vks = [vk for vk, _ in keys]
    ks = [0, 1, 1, 0, 1]
    items = _items(keys, ks)
    assert bt.verify_batch(vks, ks, items)
    for i in range(len(items)):
        public, proof = items[i]
        bad = items[:i] + [(public, proof.replace(c=_curve.g1_add(proof.c, G1)))] + items[i + 1 :]
        assert not bt.verify_batch(vks, ks, bad)
        pub = list(public)
        pub[-1] = (pub[-1] + 1) % R
        assert not bt.verify_batch(vks, ks, items[:i] + [(pub, proof)] + items[i + 1 :])
    # proof 0 checked against another key with as many inputs fails
    other = sim_key(2, seed=23)[0]
    assert bt.verify_batch(vks + [vks[0]], [2, 1, 1, 0, 1], items)
    assert not bt.verify_batch(vks + [other], [2, 1, 1, 0, 1], items)


def test_coefficients_bind_the_whole_batch(keys):
    ks = [0, 1, 0]
    items = _items(keys, ks)
    rho = bt.coefficients(ks, items)
    assert rho[0] == 1 and len(set(rho)) == 3 and all(0 < x < R for x in rho)
    assert bt.coefficients(ks, items) == rho  # deterministic
    # any change of a key id, a point or an input changes the coefficients
    assert bt.coefficients([0, 1, 1], items)[1:] != rho[1:]
    pub, proof = items[2]
    assert bt.coefficients(ks, items[:2] + [([pub[0] + 1, pub[1]], proof)])[1:] != rho[1:]
    neg = proof.replace(a=_curve.g1_neg(proof.a))
    assert bt.coefficients(ks, items[:2] + [(pub, neg)])[1:] != rho[1:]
    words = bt.transcript(ks, items)
    assert words[:3] == [bt.DOMAIN, 3, 2 + 4 + 2] and len(words) == 3 + 9 * 3 + 8


def test_malformed_input_named(keys):
    vks = [vk for vk, _ in keys]
    items = _items(keys, [0, 1])
    with pytest.raises(InputError, match="no proofs"):
        bt.verify_batch(vks, [], [])
    with pytest.raises(InputError, match="2 key ids for 1"):
        bt.verify_batch(vks, [0, 1], items[:1])
    with pytest.raises(InputError, match="item 1: key id 2"):
        bt.verify_batch(vks, [0, 2], items)
    with pytest.raises(InputError, match="item 1: public signals"):
        bt.verify_batch(vks, [0, 0], items)
    pub, proof = items[0]
    with pytest.raises(InputError, match=r"item 0: public signals\[0\]"):
        bt.verify_batch(vks, [0], [([pub[0] + R, pub[1]], proof)])


def test_generator_arguments(keys):
    vks = [vk for vk, _ in keys]
    src = solidity_batch_verifier(vks, "MyBatch", labels=["a.zkey", "b.zkey"])
    assert "contract MyBatch {" in src and "N_KEYS = 2;" in src
    assert "// key 1 (b.zkey): 4 public input(s)" in src
    with pytest.raises(ValueError, match="identifier"):
        solidity_batch_verifier(vks, "My Batch")
    with pytest.raises(ValueError, match="1 to 32"):
        solidity_batch_verifier([])
    with pytest.raises(ValueError, match="one label per"):
        solidity_batch_verifier(vks, labels=["x"])


def test_cli_export(tmp_path, keys, monkeypatch):
    paths = []
    for i, (vk, _) in enumerate(keys):
        p = tmp_path / f"vk{i}.json"
        write_verification_key(p, vk)
        paths.append(str(p))
    out = tmp_path / "B.sol"
    r = CliRunner().invoke(
        main, ["zkey", "export", "solidityverifier", "--batch", *paths, str(out)]
    )
    assert r.exit_code == 0, r.output
    src = out.read_text()
    assert "contract Groth16BatchVerifier {" in src and "N_KEYS = 2;" in src
    assert src == solidity_batch_verifier([vk for vk, _ in keys], labels=["vk0.json", "vk1.json"])
    # one key, no --batch: the single verifier, optionally renamed
    r = CliRunner().invoke(
        main, ["zkey", "export", "solidityverifier", "--name", "V0", paths[0], str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "contract V0 {" in out.read_text() and "verifyProof" in out.read_text()
    # several keys without --batch: a usage error, nothing written
    out2 = tmp_path / "none.sol"
    r = CliRunner().invoke(main, ["zkey", "export", "solidityverifier", *paths, str(out2)])
    assert r.exit_code != 0
    assert not out2.exists()
    # one key and no output file: snarkjs' default name, verifier.sol
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["zkey", "export", "solidityverifier", paths[0]])
    assert r.exit_code == 0, r.output
    assert "contract Groth16Verifier {" in (tmp_path / "verifier.sol").read_text()
    r = CliRunner().invoke(
        main, ["zkey", "export", "solidityverifier", "--batch", "--name", "a-b", *paths, str(out2)]
    )
    assert r.exit_code != 0 and "identifier" in r.output
    assert not out2.exists()
