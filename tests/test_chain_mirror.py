"""The settlement service's ledger and the escrow hold ONE tree: deposits
made directly on chain are read by the service and applied at the place
the chain appends them; batches keep their item order on both sides
([withdraw, trade] included); after every batch the roots, the spent
nullifiers and the escrow balance agree.  So do the fee account and the
insurance fund after a batch with a normal and a bankrupt liquidation
(health proofs, the epoch rule and the waterfall on both sides), and the
ledger follows an exit the chain completed without the operator (its
nullifier, its change note, its payout)."""

from types import SimpleNamespace

import pytest

from _chain_world import (
    NAMES,
    build_world,
    junk,
    liquidations,
    nullifiers,
    publish as publish_on_chain,
    restore,
)
from _settlement_util import ORACLE, publish
from zkats.chain.escrow import exit_item
from zkats.server.escrow_mirror import mirror_batch

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def w():
    return build_world()


def bundle(circ, pair):
    from zkats.venue import batch as B

    return B.ProofBundle(circ, tuple(pair[1]), pair[0])


def item(kind, circ, pair):
    from zkats.venue import batch as B

    return B.Item(kind, {circ: bundle(circ, pair)})


def trade(w, which):
    from zkats.commit import netting
    from zkats.venue import batch as B

    m, a, b = getattr(w, which)
    legs = w.legs[which]
    nproof = netting.prove(
        [legs[0].commitment(), legs[1].commitment()],
        [legs[0].signed_blinding, legs[1].signed_blinding],
    )
    return B.Item(
        "trade",
        {
            "match": bundle("match", m),
            "leg_a": bundle("transition", a),
            "leg_b": bundle("transition", b),
        },
        netting=B.NettingProof(R=nproof.R, s=nproof.s),
    )


def agree(w, led):
    """The ledger and the chain: same root, leaf count, escrow balance and funds."""
    from zkats.circuits.deposit import ASSET

    f = w.esc.contract.functions
    assert led.root_history()[-1][1] == w.esc.last_root() == w.esc.tree.root
    assert led.n_leaves() == f.nextIndex().call()
    assert int(led.escrow_balance(ASSET)) == w.esc.balance(w.esc.contract.address)
    assert led.fund_balance("fee") == f.feeBalance().call()
    assert led.fund_balance("insurance") == f.insuranceBalance().call()


def mixed(w, tmp_path):
    """A fresh ledger and the chain from ``funded`` through the three
    on-chain deposits and the service's batches up to ``mixed``."""
    from zkats.formats.snarkjs_json import write_verification_key
    from zkats.venue import batch as B
    from zkats.venue.settlement import SettlementService

    restore(w, "funded")
    for n, zk in w.keys.zkey.items():
        write_verification_key(tmp_path / f"{n}.vkey.json", zk.verifying_key())
    clock = [w.chain.now()]
    svc = SettlementService(
        tmp_path / "ledger.db",
        keys_dir=tmp_path,
        clock=lambda: clock[0],
        require_open_orders=False,
        oracle_key=ORACLE.pub,
    )
    ep = w.rep.epoch
    publish(svc, ep.epoch_id, ep.hash(), clock[0] + 3600)
    led = svc.ledger
    assert led.root_history()[-1][1] == w.esc.last_root()
    # deposits made directly on chain, never sent to the service, and a
    # junk one (an invalid proof): the mirror rejects it on chain first
    # (refunded), both sides skip it
    # (the last one with ciphertext words that are not the ones its proof's
    # hash binds: valid on chain, its leaf stored without a ciphertext)
    n_pub = w.esc.vks["deposit"].n_public
    for name in NAMES:
        proof, record = w.deposit[name]
        if name == NAMES[-1]:
            record = list(record)
            record[n_pub] += 1
        w.esc.deposit(proof, record, sender=w.who[name])
    w.esc.fund(w.payee, 5000)
    w.esc.deposit(*junk(w, changes={1: 4441, 2: 4442, 5: 5000}), sender=w.payee)
    withdraw = item("withdraw", "withdraw", w.withdraw_alice)
    # the service's batches; the queued deposits go first into the first one
    for batch, root in (
        (B.Batch([]), "deposited"),
        (B.Batch([trade(w, "trade")]), "traded"),
        (B.Batch([withdraw, trade(w, "trade2")]), "mixed"),
    ):
        mirror_batch(w.esc, svc, batch)
        assert led.root_history()[-1][1] == w.esc.last_root() == w.roots[root]
        agree(w, led)
    # the ledger keeps each on-chain deposit's ciphertext, read from its
    # event, where the words are the hashed ones
    stored = {int(r["commitment"]): r["ciphertext"] for r in led.notes_page(-1, 1000)}
    for name in NAMES:
        cm, words = w.deposit[name][1][2], w.deposit[name][1][n_pub:]
        want = None if name == NAMES[-1] else [str(x) for x in words]
        assert len(words) > 0 and stored[cm] == want, name
    # the junk deposit was refunded less the bounty, which the operator (its
    # rejector) earned (alice's withdrawal pays the payee too)
    bounty = w.esc.contract.functions.minDeposit().call()
    assert w.esc.balance(w.payee) == 5000 - bounty + 150_000 and not w.esc.spent(4441)
    for n in nullifiers(w)[:-2]:  # not bob's and alice's exits
        assert led.nullifier_spent(n) and w.esc.spent(n)
    assert led.fund_balance("fee") > 0
    return SimpleNamespace(svc=svc, led=led, clock=clock)


def test_ledger_and_chain_agree(w, tmp_path):
    from zkats.venue import batch as B

    s = mixed(w, tmp_path)
    svc, led = s.svc, s.led
    # the mark jumps: bob fails maintenance, carol is bankrupt, alice proves health
    liq = liquidations(w)
    deadline = w.chain.now() + 86400
    publish(svc, liq.crash.epoch_id, liq.crash.hash(), deadline)
    publish_on_chain(w, liq.crash, deadline)
    mirror_batch(w.esc, svc, B.Batch([item("health", "health", liq.health_alice)]))
    w.chain.time_travel(86400 + 60)
    s.clock[0] = w.chain.now()
    assert svc.close_epoch(liq.crash.epoch_id) == sorted(
        str(w.rep.keys[n].account) for n in ("bob", "carol")
    )
    fee0 = led.fund_balance("fee")
    batch = B.Batch(
        [item("liquidate", "liquidate", liq.bob), item("liquidate", "liquidate", liq.carol)]
    )
    mirror_batch(w.esc, svc, batch)
    assert w.esc.last_root() == liq.root
    agree(w, led)
    for n in (liq.bob[1][1], liq.carol[1][1]):
        assert led.nullifier_spent(n) and w.esc.spent(n)
    assert led.fund_balance("fee") == 0
    assert led.fund_balance("insurance") == liq.penalty + fee0 - liq.shortfall < 0
    svc.close()


def ledger_state(w, led):
    from zkats.circuits.deposit import ASSET

    return (
        led.root_history()[-1],
        led.n_leaves(),
        led.escrow_balance(ASSET),
        led.nullifier_spent(w.exit_bob[1][1]),
    )


def refused_on_either_side_changes_neither(w, svc, led):
    """``mirror_batch`` checks on the ledger, settles on chain, then writes
    the ledger: a batch the ledger refuses never reaches the chain, and one
    the chain reverts leaves the ledger as it was."""
    from zkats.chain.evm import ChainError
    from zkats.errors import LedgerError
    from zkats.venue import batch as B

    esc = w.esc
    before, root = ledger_state(w, led), esc.last_root()
    # alice's withdrawal is spent: the ledger refuses, settle is never called
    calls = []
    real = esc.settle
    esc.settle = lambda *a, **k: calls.append(a)
    try:
        with pytest.raises(LedgerError, match="spent"):
            mirror_batch(esc, svc, B.Batch([item("withdraw", "withdraw", w.withdraw_alice)]))
        assert calls == []

        # bob's withdrawal is valid for the ledger; the chain reverts it
        def reverted(*a, **k):
            raise ChainError("settle: reverted")

        esc.settle = reverted
        with pytest.raises(ChainError, match="reverted"):
            mirror_batch(esc, svc, B.Batch([item("withdraw", "withdraw", w.withdraw_bob)]))
    finally:
        esc.settle = real
    assert ledger_state(w, led) == before and esc.last_root() == root
    agree(w, led)


def taken_over(pair):
    """{instrument: (size, notional)} an exit proof's backstop takes over."""
    from zkats.circuits.exit import Exit
    from zkats.circuits.liquidate import taken_of

    return {i: (z, n) for i, z, n in taken_of(Exit.decode(pair[1])) if z}


def test_ledger_follows_a_completed_exit(w, tmp_path):
    """Bob exits without the operator; the next service batch starts with
    the exit (the chain's queue order): the ledger spends his nullifier,
    appends his change note where the chain does, debits the escrow by
    the payout and gives his short to the insurance fund at the mark; a
    later spend of that note is refused on both sides."""
    from zkats.chain.escrow import FORCE_TIMEOUT, withdrawal
    from zkats.chain.evm import ChainError
    from zkats.errors import LedgerError
    from zkats.venue import batch as B

    s = mixed(w, tmp_path)
    svc, led, esc = s.svc, s.led, w.esc
    refused_on_either_side_changes_neither(w, svc, led)
    _, eid = esc.request_exit(*w.exit_bob, sender=w.bob)
    esc.requests.clear()  # the completion reads the request's ExitRequested event
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    s.clock[0] = w.chain.now()
    esc.complete_exit(eid, sender=w.payee)
    amount = w.exit_bob[1][4]
    assert esc.balance(w.bob) == amount > 0
    nullifier = w.exit_bob[1][1]
    assert esc.spent(nullifier) and not led.nullifier_spent(nullifier)
    mirror_batch(esc, svc, B.Batch([]))
    agree(w, led)
    assert led.nullifier_spent(nullifier)
    assert led.note_index(w.exit_bob_note.commitment()) == led.n_leaves() - 1
    assert led.fund_positions("insurance") == taken_over(w.exit_bob) != {}
    with pytest.raises(LedgerError, match="spent"):
        svc.apply(B.Batch([item("withdraw", "withdraw", w.withdraw_bob)]))
    with pytest.raises(ChainError):
        esc.settle([withdrawal(*w.withdraw_bob)])
    agree(w, led)
    svc.close()


def test_ledger_follows_a_served_exit(w, tmp_path):
    """The operator serves bob's exit at the latest epoch (the mark moved
    to 55,000: bob's short is in profit) in a batch on both sides: paid at
    once, same root, escrow and funds; his short is the insurance fund's.
    An exit at an epoch that is not the latest is refused by both."""
    from zkats.chain.evm import ChainError
    from zkats.errors import LedgerError
    from zkats.venue import batch as B

    s = mixed(w, tmp_path)
    svc, led, esc = s.svc, s.led, w.esc
    deadline = w.chain.now() + 86400
    publish(svc, w.moved.epoch_id, w.moved.hash(), deadline)
    publish_on_chain(w, w.moved, deadline)
    with pytest.raises(LedgerError, match="not the latest"):
        svc.apply(B.Batch([item("exit", "exit", w.exit_bob)]))
    with pytest.raises(ChainError, match="not the latest"):
        esc.settle([exit_item(*w.exit_bob)])
    pair = w.exit_moved["bob"]
    before = esc.balance(w.bob)
    mirror_batch(esc, svc, B.Batch([item("exit", "exit", pair)]))
    assert esc.balance(w.bob) - before == pair[1][4]
    agree(w, led)
    assert led.nullifier_spent(pair[1][1]) and esc.spent(pair[1][1])
    assert led.fund_positions("insurance") == taken_over(pair) != {}
    svc.close()
