"""``zkats chain`` on a journal directory: deploy, epoch, deposit (queued),
settle (a settlement-service batch JSON, after the queued deposits),
withdraw, the exit without the operator, status, with the real proofs of
tests/_chain_world.py."""

import json

import pytest
from click.testing import CliRunner

from _chain_world import build_world, junk
from zkats.cli import main

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def w():
    return build_world()


def _files(tmp_path, name, pair):
    from zkats.formats.snarkjs_json import write_proof, write_public

    proof, public = pair
    p, q = tmp_path / f"{name}.proof.json", tmp_path / f"{name}.public.json"
    write_proof(p, proof)
    write_public(q, public)
    return str(p), str(q)


def run(*args, ok=True):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert (r.exit_code == 0) == ok, r.output
    return r.output


def test_chain_cli(tmp_path, w):
    from zkats.formats.snarkjs_json import write_verification_key
    from zkats.venue import batch as B

    keys = tmp_path / "keys"
    keys.mkdir()
    for n, zk in w.keys.zkey.items():
        write_verification_key(keys / f"{n}.vkey.json", zk.verifying_key())
    c = tmp_path / "chain"
    (keys / "insert.vkey.json").unlink()  # insert.zkey: made by the development setup
    assert "escrow 0x" in run("chain", "deploy", c, "--keys", keys)
    ep = w.rep.epoch
    from zkats.chain.escrow import dev_oracle, sign_epoch
    from zkats.domain.signing_key import signature_to_json

    sig = tmp_path / "epoch.sig.json"
    sig.write_text(
        json.dumps(signature_to_json(sign_epoch(dev_oracle(), ep.epoch_id, ep.hash(), w.deadline)))
    )
    out = run(
        "chain", "epoch", c, ep.epoch_id, ep.hash(), w.deadline + 1, "--signature", sig, ok=False
    )
    assert "not the oracle key's signature" in out
    run("chain", "epoch", c, ep.epoch_id, ep.hash(), w.deadline, "--signature", sig)
    out = run("chain", "deposit", c, *_files(tmp_path, "da", w.deposit["alice"]), "--from", 1)
    assert "deposit (queued" in out
    # bob's deposit as the batch file `zkats deposit -o` writes
    db = tmp_path / "db.batch.json"
    dep = B.Item(
        "deposit",
        {"deposit": B.ProofBundle("deposit", tuple(w.deposit["bob"][1]), w.deposit["bob"][0])},
    )
    db.write_text(B.dumps(B.Batch([dep])))
    run("chain", "deposit", c, db, "--from", 2)
    dc = _files(tmp_path, "dc", w.deposit["carol"])
    run("chain", "deposit", c, *dc, "--from", 3)
    out = run("chain", "withdraw", c, db, ok=False)
    assert "a batch with one withdraw expected, it holds deposit" in out
    # the same deposit again: one line, the revert reason
    out = run("chain", "deposit", c, *_files(tmp_path, "da", w.deposit["alice"]), ok=False)
    assert "nullifier already spent" in out and "Traceback" not in out
    (m, a, b) = w.trade
    bundle = lambda circ, pair: B.ProofBundle(circ, tuple(pair[1]), pair[0])  # noqa: E731
    from zkats.commit import netting  # the batch format carries a netting proof

    item = B.Item(
        "trade",
        {
            "match": bundle("match", m),
            "leg_a": bundle("transition", a),
            "leg_b": bundle("transition", b),
        },
        netting=_netting(w, netting, B),
    )
    # a junk deposit (an invalid proof, its own nullifier): queued unverified;
    # `chain settle` rejects it first (skipped, the bounty to the operator),
    # then settles
    from zkats.chain.escrow import proof_from_words

    words, pub = junk(w, changes={1: 991, 2: 992, 5: 1000})
    run("chain", "deposit", c, *_files(tmp_path, "dj", (proof_from_words(words), pub)), "--from", 4)
    (tmp_path / "empty.json").write_text(B.dumps(B.Batch([])))
    out = run("chain", "settle", c, tmp_path / "empty.json")
    assert "queued deposit 3: invalid proof, rejected" in out
    assert "4 queued deposits" in out
    (tmp_path / "batch.json").write_text(B.dumps(B.Batch([item])))
    assert "1 trades" in run("chain", "settle", c, tmp_path / "batch.json")
    # [withdraw alice, trade bob-carol] as one batch
    (m2, c2, d2) = w.trade2
    item2 = B.Item(
        "trade",
        {
            "match": bundle("match", m2),
            "leg_a": bundle("transition", c2),
            "leg_b": bundle("transition", d2),
        },
        netting=_netting(w, netting, B, "trade2"),
    )
    wa = B.Item("withdraw", {"withdraw": bundle("withdraw", w.withdraw_alice)})
    (tmp_path / "mixed.json").write_text(B.dumps(B.Batch([wa, item2])))
    assert "1 trades, 1 withdrawals" in run("chain", "settle", c, tmp_path / "mixed.json")
    # bob exits without the operator: request, wait, complete
    wb = _files(tmp_path, "wb", w.exit_bob)
    out = run("chain", "exit", c, *_files(tmp_path, "wd", w.withdraw_bob), "--forced", ok=False)
    assert "wrong number of public inputs" in out  # a withdraw proof is no exit
    assert "exit 0 requested" in run("chain", "exit", c, *wb, "--forced", "--from", 2)
    out = run("chain", "exit", c, *wb, "--forced", "--from", 2, ok=False)
    assert "exit timeout not reached" in out
    out = run("chain", "exit", c, *wb, "--forced", "--from", 4, "--advance", 8 * 86400)
    amount = w.exit_bob[1][4]
    assert f"exit completed (paid {amount}" in out
    out = run("chain", "status", c)
    assert f"balance {5_850_000 - amount}," in out and "queued 1" in out and "exits 1" in out


def _netting(w, netting, B, which="trade"):
    """The netting proof of one of the world's trades (the JSON batch
    requires one; the escrow does not check it: docs/escrow.md)."""
    legs = w.legs[which]
    proof = netting.prove(
        [legs[0].commitment(), legs[1].commitment()],
        [legs[0].signed_blinding, legs[1].signed_blinding],
    )
    return B.NettingProof(R=proof.R, s=proof.s)
