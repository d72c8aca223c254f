"""The escrow in py-evm with the venue's real circuits and real Groth16
proofs: deposits, a settled trade, a withdrawal, a forced withdrawal after
the timeout, and every rejection (revert reason asserted, and balances,
nullifiers and roots unchanged after it).

Keys come from a toy ceremony, cached by circuit (zkats.chain.devkeys);
the chain starts from a snapshot per test stage."""

import pytest

from _chain_world import build_world, nullifiers, state, trade_struct
from zkats.chain.escrow import FORCE_TIMEOUT, one
from zkats.chain.evm import ChainError
from zkats.domain import units
from zkats.field import R
from zkats.gadgets.merkle import MerkleTree

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def w():
    return build_world()


def at(w, stage):
    """Revert the chain to ``stage`` (funded, deposited, traded, withdrawn)."""
    if stage not in w.stage:
        prev = {"deposited": "funded", "traded": "deposited", "withdrawn": "traded"}[stage]
        at(w, prev)
        if stage == "deposited":
            w.esc.deposit(*w.deposit["alice"], sender=w.alice)
            w.esc.deposit(*w.deposit["bob"], sender=w.bob)
        elif stage == "traded":
            w.esc.settle([trade_struct(w)])
        else:
            w.esc.settle([], [one(*w.withdraw_alice)])
        w.stage[stage] = w.chain.snapshot()
    w.chain.revert(w.stage[stage])


def rejected(w, reason, call):
    before = state(w)
    with pytest.raises(ChainError) as e:
        call()
    assert e.value.reason == "zkats: " + reason, e.value.reason
    assert state(w) == before


def test_life_cycle(w):
    esc, rep = w.esc, w.rep
    at(w, "funded")
    assert esc.last_root() == w.roots["empty"]
    # deposits: the token moves into escrow, the tree grows as the ledger's
    esc.deposit(*w.deposit["alice"], sender=w.alice)
    rc = esc.deposit(*w.deposit["bob"], sender=w.bob)
    print(f"deposit gas: {rc.gasUsed}")
    assert esc.balance(esc.contract.address) == 5_000_000
    assert esc.balance(w.alice) == esc.balance(w.bob) == 0
    # the scenario's tree of alice's and bob's notes (its third leaf, carol's
    # liquidatable note, is only for the liquidation example)
    two = MerkleTree(units.TREE_DEPTH)
    for name in ("alice", "bob"):
        two.append(rep.sc.notes[name][1].commitment())
    assert esc.last_root() == w.roots["deposited"] == two.root
    # the scenario's trade
    rc = esc.settle([trade_struct(w)])
    print(f"one-trade settlement gas: {rc.gasUsed}")
    assert esc.last_root() == w.roots["traded"]
    assert all(esc.spent(n) for n in nullifiers(w)[:4])
    assert esc.root_known(w.roots["deposited"])  # history kept
    # a withdrawal pays exactly the proven amount to the proven recipient
    rc = esc.settle([], [one(*w.withdraw_alice)])
    print(f"withdrawal gas: {rc.gasUsed}")
    assert esc.balance(w.payee) == 150_000
    assert esc.balance(esc.contract.address) == 5_000_000 - 150_000
    assert esc.last_root() == w.roots["withdrawn"]
    # forced exit: the operator stops; Bob asks, waits out the timeout, leaves
    n = w.withdraw_bob[1][1]
    esc.request_exit(n, sender=w.bob)
    rejected(
        w, "exit timeout not reached", lambda: esc.forced_withdraw(*w.withdraw_bob, sender=w.bob)
    )
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    esc.forced_withdraw(*w.withdraw_bob, sender=w.bob)
    assert esc.balance(w.bob) == 250_000
    assert esc.contract.functions.frozen().call()
    assert esc.spent(n)
    rejected(w, "escrow frozen", lambda: esc.settle([trade_struct(w)]))


def test_deposit_rejections(w):
    at(w, "deposited")
    esc = w.esc
    proof, pub = w.deposit["alice"]
    rejected(w, "nullifier already spent", lambda: esc.deposit(proof, pub, sender=w.alice))
    at(w, "funded")
    big = list(pub)
    big[5] += R
    rejected(w, "public input >= r", lambda: esc.deposit(proof, big, sender=w.alice))
    other = list(pub)
    other[0] = 12345
    rejected(w, "unknown root", lambda: esc.deposit(proof, other, sender=w.alice))
    # a withdraw proof presented as a deposit (its first six signals and its
    # ciphertext fit the layout)
    wp, wpub = w.withdraw_alice
    forged = list(wpub[:6]) + list(wpub[8:])
    forged[0] = w.roots["empty"]
    forged[4] = pub[4]  # the asset: so that only the proof can refuse it
    rejected(w, "invalid deposit proof", lambda: esc.deposit(wp, forged, sender=w.alice))
    # the right proof with a changed amount
    more = list(pub)
    more[5] += 1
    rejected(w, "invalid deposit proof", lambda: esc.deposit(proof, more, sender=w.alice))
    # one element of the new note's ciphertext changed: the proof refuses it
    ct = list(pub)
    ct[-1] = (ct[-1] + 1) % R
    rejected(w, "invalid deposit proof", lambda: esc.deposit(proof, ct, sender=w.alice))


def test_trade_rejections(w):
    at(w, "deposited")
    esc = w.esc
    t = trade_struct(w)

    def with_pub(slot, i, v):
        x = [list(p) if isinstance(p, list) and len(p) in (18, 22) else p for p in t]
        x[slot][i] = v
        return tuple(x)

    rejected(
        w,
        "not the operator",
        lambda: w.chain.transact(esc.contract.functions.settle([t], []), sender=w.alice),
    )
    rejected(w, "unknown root", lambda: esc.settle([with_pub(3, 0, 777)]))
    rejected(w, "public input >= r", lambda: esc.settle([with_pub(3, 0, t[3][0] + R)]))
    rejected(w, "public input >= r", lambda: esc.settle([with_pub(1, 3, R)]))
    rejected(
        w, "leg_b transition does not apply the match", lambda: esc.settle([with_pub(5, 4, 1)])
    )
    # a transition proof where the match proof belongs: another circuit's proof
    swapped = (t[2],) + t[1:]
    rejected(w, "invalid match proof", lambda: esc.settle([swapped]))
    tampered = (t[0], t[1], (t[2][0], t[2][1], [t[2][2][0], (t[2][2][1] + 1)]), *t[3:])
    rejected(w, "invalid transition proof", lambda: esc.settle([tampered]))
    # a failed batch changes nothing: a good trade followed by a withdrawal
    # against a root that does not exist yet (Alice's, made after the trade,
    # would be known by then: the root is accepted per trade)
    bad = one(*w.withdraw_bob)
    rejected(w, "unknown root", lambda: esc.settle([t], [bad]))
    # settled once, the same trade is refused
    esc.settle([t])
    rejected(w, "order already matched", lambda: esc.settle([t]))


def test_withdraw_rejections(w):
    at(w, "traded")
    esc = w.esc
    proof, pub = w.withdraw_alice
    bad = list(pub)  # withdraw: root, nullifier, commitment, asset, amount, recipient, epoch
    bad[5] = 1 << 160
    rejected(w, "recipient is not an address", lambda: esc.settle([], [(one(proof, bad))]))
    redirected = list(pub)
    redirected[5] = int(w.alice, 16)
    rejected(w, "invalid withdraw proof", lambda: esc.settle([], [one(proof, redirected)]))
    more = list(pub)
    more[4] += 1
    rejected(w, "invalid withdraw proof", lambda: esc.settle([], [one(proof, more)]))
    big = list(pub)
    big[7] += R
    rejected(w, "public input >= r", lambda: esc.settle([], [one(proof, big)]))
    # forced exit without a request, or before the timeout
    rejected(
        w,
        "no exit request for this nullifier",
        lambda: esc.forced_withdraw(proof, pub, sender=w.alice),
    )
    esc.settle([], [one(proof, pub)])
    rejected(w, "nullifier already spent", lambda: esc.settle([], [one(proof, pub)]))
    # a newer oracle epoch makes the old one unusable
    esc.publish_epoch(43, 1)
    bp, bpub = w.withdraw_bob
    rejected(w, "not the latest oracle epoch", lambda: esc.settle([], [one(bp, bpub)]))
