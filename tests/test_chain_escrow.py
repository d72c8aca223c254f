"""The escrow in py-evm with the venue's real circuits and real Groth16
proofs: on-chain deposits (queued, appended by the next batch), settlement
batches whose proofs are all checked in one multi-pairing and whose leaves
are appended by insert proofs in the ledger's order, the exit game, and
every rejection (revert reason asserted; balances, nullifiers, roots and
the queue unchanged after it).

Keys come from a toy ceremony, cached by circuit (zkats.chain.devkeys);
the chain starts from a snapshot per test stage (tests/_chain_world.py)."""

import copy

import pytest

from _chain_world import (
    CRASH,
    NAMES,
    build_world,
    junk,
    liquidations,
    publish,
    restore,
    save,
    state,
    trade_item,
    venue_accounts,
)
from zkats.chain.escrow import (
    FORCE_TIMEOUT,
    cancel,
    dev_oracle,
    exit_item,
    fund_withdrawal,
    health,
    liquidation,
    one,
    proof_words,
    sign_epoch,
    withdrawal,
)
from zkats.chain.evm import ChainError
from zkats.field import R

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def w():
    return build_world()


def at(w, stage):
    """The chain at ``stage``: funded, deposited (3 queued), included (a
    batch of the 3), traded (a trade), mixed ([withdraw, trade])."""
    if stage not in w.stage:
        prev = {"deposited": "funded", "included": "deposited", "traded": "included"}
        at(w, prev.get(stage, "traded"))
        if stage == "deposited":
            for name in NAMES:
                w.esc.deposit(*w.deposit[name], sender=w.who[name])
        elif stage == "included":
            w.esc.settle([], deposits=3)
        elif stage == "traded":
            w.esc.settle([trade_item(w)])
        else:
            w.esc.settle([withdrawal(*w.withdraw_alice), trade_item(w, "trade2")])
        save(w, stage)
    restore(w, stage)


def rejected(w, reason, call):
    before = state(w)
    with pytest.raises(ChainError) as e:
        call()
    assert e.value.reason == "zkats: " + reason, e.value.reason
    assert state(w) == before


def fees(w):
    from zkats.circuits.transition import Transition

    return sum(Transition.decode(p[1]).fee for p in w.trade[1:])


def test_life_cycle(w):
    esc = w.esc
    at(w, "funded")
    assert esc.last_root() == w.roots["empty"]
    # on-chain deposits: the token moves in, the notes wait in the queue
    for name in NAMES:
        rc = esc.deposit(*w.deposit[name], sender=w.who[name])
    print(f"deposit gas: {rc.gasUsed}")
    assert esc.balance(esc.contract.address) == 6_000_000
    assert esc.contract.functions.queuedCount().call() == 3
    assert esc.last_root() == w.roots["empty"]
    # a batch appends the three deposits (one root per batch, as the ledger)
    rc = esc.settle([], deposits=3)
    print(f"settle (3 queued deposits) gas: {rc.gasUsed}")
    assert esc.last_root() == w.roots["deposited"] == esc.tree.root
    # the trade
    rc = esc.settle([trade_item(w)])
    print(f"settle (1 trade) gas: {rc.gasUsed}")
    assert esc.last_root() == w.roots["traded"] == esc.tree.root
    assert esc.contract.functions.nextIndex().call() == 5
    assert esc.contract.functions.feeBalance().call() == fees(w) > 0
    # batch 2: [withdraw, trade], leaves in item order
    rc = esc.settle([withdrawal(*w.withdraw_alice), trade_item(w, "trade2")])
    print(f"settle (withdraw + trade) gas: {rc.gasUsed}")
    assert esc.last_root() == w.roots["mixed"]
    assert esc.balance(w.payee) == 150_000
    assert esc.balance(esc.contract.address) == 6_000_000 - 150_000


def each_proof_invalid(w, arg):
    """Each proof of the settle call ``arg`` made invalid in turn (its C
    swapped with the next proof's): refused, nothing changes.  Returns
    ``send(x)``, the escrow call of a tampered argument, for more cases."""
    esc = w.esc
    kinds, (a, b, c), inputs, deposits, roots = arg

    def send(x):
        return lambda: esc._tx(esc.contract.functions.settle(x))

    for i in range(len(c)):
        bad_c = [list(p) for p in c]
        bad_c[i] = list(c[(i + 1) % len(c)])
        rejected(w, "invalid proof in batch", send((kinds, (a, b, bad_c), inputs, deposits, roots)))
    return send


def test_invalid_proof_at_every_position(w):
    """A trade batch is [match, leg_a, leg_b, insert]: each proof made
    invalid in turn (C moved), a public input changed, a wrong new root:
    refused, nothing changes."""
    at(w, "included")
    esc = w.esc
    arg, _ = esc.settle_args([trade_item(w)])
    kinds, (a, b, c), inputs, deposits, roots = arg
    assert len(c) == 4
    send = each_proof_invalid(w, arg)
    bad_in = list(inputs)
    bad_in[3] = (bad_in[3] + 1) % R  # the match's price
    rejected(w, "invalid proof in batch", send((kinds, (a, b, c), bad_in, deposits, roots)))
    rejected(
        w, "invalid proof in batch", send((kinds, (a, b, c), inputs, deposits, [roots[0] ^ 1]))
    )
    rejected(w, "one new root per insert proof", send((kinds, (a, b, c), inputs, deposits, [])))
    rejected(w, "fewer deposits queued", send((kinds, (a, b, c), inputs, 1, roots)))
    rejected(
        w,
        "not the operator",
        lambda: w.chain.transact(esc.contract.functions.settle(arg), sender=w.alice),
    )
    esc._tx(esc.contract.functions.settle(arg))
    assert esc.last_root() == w.roots["traded"]


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
    n_pub = esc.vks["deposit"].n_public  # the record's public inputs, then its ciphertext
    rejected(
        w,
        "wrong number of public inputs",
        lambda: esc.deposit(proof, pub[: n_pub - 1], sender=w.alice),
    )
    small = list(pub)
    small[5] = 999
    rejected(w, "deposit below the minimum", lambda: esc.deposit(proof, small, sender=w.alice))


def test_deposits_are_verified_by_the_batch(w):
    """deposit() queues without verifying; the batch appending the queued
    deposits checks their proofs in its multi-pairing: an invalid one at
    any position makes it revert; the proofs a batch carries must be the
    ones the deposits stored; a junk deposit is then rejected by anyone
    (refund, marks released, skipped) and the batch goes through."""
    from zkats.chain.escrow import proofs_arg

    esc = w.esc
    for bad in range(3):
        at(w, "funded")
        for i, name in enumerate(NAMES):
            args = junk(w, name) if i == bad else w.deposit[name]
            esc.deposit(*args, sender=w.who[name])
        assert esc.invalid_deposits() == [bad]
        rejected(w, "invalid proof in batch", lambda: esc.settle([], deposits=3))
        # the batch's deposit proofs must be the queued ones: alice's true
        # proof in place of the junk one is refused
        arg, _ = esc.settle_args([], deposits=3)
        kinds, (a, b, c), inputs, deposits, roots = arg
        c = [list(x) for x in c]
        c[bad] = list(proofs_arg([w.deposit[NAMES[bad]][0]])[2][0])
        send = esc.contract.functions.settle((kinds, (a, b, c), inputs, deposits, roots))
        rejected(w, "not the queued deposit's proof", lambda s=send: esc._tx(s))
        rejected(w, "deposit timeout not reached", lambda: esc.include_deposits(3, sender=w.carol))
        # anyone rejects the junk deposit: paid the bounty (minDeposit) out
        # of it, the depositor refunded the rest, its nullifier released
        payer = w.who[NAMES[bad]]
        before, rejector = esc.balance(payer), esc.balance(w.payee)
        bounty = esc.contract.functions.minDeposit().call()
        assert 0 < bounty < w.deposit[NAMES[bad]][1][5]
        rc = esc.reject_deposit(bad, sender=w.payee)
        print(f"rejectDeposit gas: {rc.gasUsed}")
        assert esc.balance(payer) == before + w.deposit[NAMES[bad]][1][5] - bounty
        assert esc.balance(w.payee) == rejector + bounty
        assert not esc.spent(w.deposit[NAMES[bad]][1][1])
        again = esc.contract.functions.rejectDeposit(bad, *one("deposit", *junk(w, NAMES[bad]))[:2])
        rejected(w, "no such queued deposit", lambda a=again: esc._tx(a, sender=w.payee))
        # the depositor sends its true proof again; the batch skips the junk
        esc.fund(payer, w.deposit[NAMES[bad]][1][5])
        esc.deposit(*w.deposit[NAMES[bad]], sender=payer)
        esc.settle([], deposits=4)
        assert esc.contract.functions.queuedCount().call() == 0
        w.esc.tree = w.stage["funded"][1].copy()
        for pos in (0, 1, 2, 3):
            if pos != bad:
                w.esc.tree.append(esc.queued_leaf(pos))
        assert esc.last_root() == w.esc.tree.root


def test_front_runner_only_delays_a_deposit(w):
    """A front-runner copies alice's pending deposit's nullifier (its own
    commitment, the minimum amount, a junk proof): alice's deposit is
    refused until anyone rejects the junk one, which costs the front-runner
    the whole minimum deposit (the rejector's bounty); then alice's deposit
    goes through."""
    at(w, "funded")
    esc = w.esc
    proof, pub = w.deposit["alice"]
    mallory = w.payee
    esc.fund(mallory, 1000)
    esc.deposit(*junk(w, changes={2: 12345, 5: 1000}), sender=mallory)
    assert esc.balance(mallory) == 0
    rejected(w, "nullifier already spent", lambda: esc.deposit(proof, pub, sender=w.alice))
    bob = esc.balance(w.bob)
    esc.reject_deposit(0, sender=w.bob)
    assert esc.balance(mallory) == 0 and esc.balance(w.bob) == bob + 1000
    assert not esc.spent(pub[1])
    assert not esc.contract.functions.commitmentKnown(12345).call()
    for name in NAMES:
        esc.deposit(*w.deposit[name], sender=w.who[name])
    esc.settle([], deposits=4)
    assert esc.last_root() == w.roots["deposited"]


def test_reject_deposit_rejections(w):
    """A valid deposit cannot be rejected (not even with too little gas);
    only the queued proof counts; appended positions are out of reach."""
    at(w, "deposited")
    esc = w.esc
    f = esc.contract.functions
    proof, pub = w.deposit["alice"]
    rejected(w, "the deposit proof is valid", lambda: esc.reject_deposit(0, sender=w.bob))
    need = f.REJECT_GAS().call()
    call = f.rejectDeposit(0, *one("deposit", proof, pub)[:2])
    rejected(
        w,
        "not enough gas to verify the deposit",
        lambda: w.chain.transact(call, sender=w.bob, gas=need - 10_000),
    )
    rejected(
        w,
        "not the queued deposit's proof",
        lambda: esc._tx(f.rejectDeposit(1, *one("deposit", proof, pub)[:2]), sender=w.bob),
    )
    rejected(
        w,
        "no such queued deposit",
        lambda: esc._tx(f.rejectDeposit(3, *one("deposit", proof, pub)[:2]), sender=w.bob),
    )
    esc.settle([], deposits=3)
    rejected(
        w,
        "no such queued deposit",
        lambda: esc._tx(f.rejectDeposit(0, *one("deposit", proof, pub)[:2]), sender=w.bob),
    )


def test_trade_rejections(w):
    at(w, "included")
    esc = w.esc
    kind, parts = trade_item(w)

    def with_pub(j, i, v):
        ps = [(p, list(x)) for p, x in parts]
        ps[j][1][i] = v
        return [(kind, ps)]

    rejected(w, "unknown root", lambda: esc.settle(with_pub(1, 0, 777)))
    arg, _ = esc.settle_args([trade_item(w)])
    big = list(arg[2])
    big[3] += R  # the match's price, beyond the field
    rejected(
        w,
        "public input >= r",
        lambda: esc._tx(esc.contract.functions.settle((arg[0], arg[1], big, *arg[3:]))),
    )
    rejected(w, "leg_b transition does not apply the match", lambda: esc.settle(with_pub(2, 4, 1)))
    esc.settle([trade_item(w)])
    rejected(w, "order already matched", lambda: esc.settle([trade_item(w)]))
    nid = w.rep.epoch.epoch_id + 1
    esc.publish_epoch(nid, 1, w.deadline, sign_epoch(dev_oracle(), nid, 1, w.deadline))
    rejected(
        w,
        "not the latest oracle epoch",
        lambda: esc.settle([withdrawal(*w.withdraw_alice)]),
    )


def test_withdraw_rejections(w):
    at(w, "traded")
    esc = w.esc
    proof, pub = w.withdraw_alice
    bad = list(pub)
    bad[5] = 1 << 160
    rejected(w, "recipient is not an address", lambda: esc.settle([withdrawal(proof, bad)]))
    redirected = list(pub)
    redirected[5] = int(w.alice, 16)
    rejected(w, "invalid proof in batch", lambda: esc.settle([withdrawal(proof, redirected)]))
    esc.settle([withdrawal(proof, pub)])
    rejected(w, "nullifier already spent", lambda: esc.settle([withdrawal(proof, pub)]))


def at_moved(w):
    """The chain after ``mixed`` with epoch MOVED published (BTC-PERP at
    55,000): bob (short 4) is in profit, alice (long 6) in loss."""
    if "moved" not in w.stage:
        at(w, "mixed")
        publish(w, w.moved, w.chain.now() + 86400)
        save(w, "moved")
    restore(w, "moved")


def test_exit_game(w):
    """Bob exits alone with his open short in profit: his own signed exit
    proof at the latest epoch, no operator; he receives his whole equity at
    that epoch's marks (the native rule), others keep trading meanwhile;
    nobody can redirect, inflate, repeat, delay or replay it."""
    from zkats.domain import margin

    at_moved(w)
    esc = w.esc
    proof, pub = w.exit_moved["bob"]
    note = w.rep_mixed.live["bob"][1]
    equity = margin.equity(note, w.moved)
    assert pub[4] == equity > note.collateral  # in profit: more than the collateral
    for i, v in ((5, int(w.payee, 16)), (4, pub[4] + 1), (4, pub[4] - 1)):
        bad = list(pub)
        bad[i] = v  # another recipient, more or less than the equity
        rejected(w, "invalid exit proof", lambda b=bad: esc.request_exit(proof, b, sender=w.payee))
    # epoch 42 is no longer the latest: its exit is stale
    rejected(w, "not the latest oracle epoch", lambda: esc.request_exit(*w.exit_bob, sender=w.bob))
    # a withdraw proof is not an exit
    rejected(
        w, "wrong number of public inputs", lambda: esc.request_exit(*w.withdraw_bob, sender=w.bob)
    )
    before = esc.balance(w.bob)
    rc, eid = esc.request_exit(proof, pub, sender=w.payee)  # anyone may send it
    print(f"exit request gas: {rc.gasUsed}")
    rejected(w, "exit already requested", lambda: esc.request_exit(proof, pub, sender=w.bob))
    rejected(w, "exit timeout not reached", lambda: esc.complete_exit(eid, sender=w.bob))
    w.chain.time_travel(FORCE_TIMEOUT - 120)
    rejected(w, "exit timeout not reached", lambda: esc.complete_exit(eid, sender=w.bob))
    w.chain.time_travel(121)
    # anyone completes it; the payout goes to the proven recipient only
    rc = esc.complete_exit(eid, sender=w.payee)
    print(f"exit completion gas: {rc.gasUsed}")
    assert esc.balance(w.bob) - before == equity
    assert esc.spent(pub[1])
    rejected(w, "exit already completed", lambda: esc.complete_exit(eid, sender=w.bob))
    rejected(w, "no such exit request", lambda: esc.complete_exit(eid + 1, sender=w.bob))
    # nothing is frozen: the operator appends bob's change note in its next batch
    esc.settle([], deposits=1)
    rep = copy.deepcopy(w.rep_mixed)
    rep.append([("bob", w.exit_moved_note["bob"])])
    assert esc.last_root() == rep.root


def test_exit_in_loss(w):
    """Alice's long lost at 55,000: her exit pays her equity, less than her
    collateral (the loss stays with her counterparties' notes)."""
    from zkats.domain import margin

    at_moved(w)
    esc = w.esc
    proof, pub = w.exit_moved["alice"]
    note = w.rep_mixed.live["alice"][1]
    assert pub[4] == margin.equity(note, w.moved) < note.collateral
    _, eid = esc.request_exit(proof, pub, sender=w.alice)
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    esc.complete_exit(eid, sender=w.alice)
    assert esc.balance(w.alice) == pub[4]


def test_no_exit_for_a_bankrupt_note(w):
    """At the crash (BTC-PERP at 780,000) carol's short is bankrupt: there
    is no exit statement for her (equity <= 0), and a proof's amount cannot
    be changed into one."""
    from zkats.errors import InputError

    liq = liquidations(w)
    rep = copy.deepcopy(w.rep_mixed)
    with pytest.raises(InputError, match="nothing to take out"):
        rep.exit("carol", int(w.carol, 16), salt=9001, epoch=liq.crash)


def test_exit_served_by_the_operator(w):
    """The other branch: the operator settles the requested exit in a batch
    in time (verified with the batch, paid at once, change note appended);
    the request can no longer complete."""
    at_moved(w)
    esc = w.esc
    proof, pub = w.exit_moved["bob"]
    before = esc.balance(w.bob)
    rc, eid = esc.request_exit(proof, pub, sender=w.bob)
    rc = esc.settle([exit_item(proof, pub)])
    print(f"settle (1 exit) gas: {rc.gasUsed}")
    assert esc.balance(w.bob) - before == pub[4]
    rep = copy.deepcopy(w.rep_mixed)
    rep.append([("bob", w.exit_moved_note["bob"])])
    assert esc.last_root() == rep.root == esc.tree.root
    rejected(w, "nullifier already spent", lambda: esc.settle([exit_item(proof, pub)]))
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    rejected(w, "nullifier already spent", lambda: esc.complete_exit(eid, sender=w.bob))
    assert esc.balance(w.bob) - before == pub[4]


def test_served_exit_rejections(w):
    """A batch's exit: its proof checked in the batch's multi-pairing (a
    tampered amount or recipient, or an invalid proof, is refused), at the
    latest epoch only."""
    at(w, "mixed")
    esc = w.esc
    proof, pub = w.exit_bob
    for i, v in ((4, pub[4] + 1), (5, int(w.payee, 16))):
        bad = list(pub)
        bad[i] = v
        rejected(w, "invalid proof in batch", lambda b=bad: esc.settle([exit_item(proof, b)]))
    arg, _ = esc.settle_args([exit_item(proof, pub)])  # the exit's and the insert's
    each_proof_invalid(w, arg)
    at_moved(w)
    rejected(w, "not the latest oracle epoch", lambda: esc.settle([exit_item(*w.exit_bob)]))


def test_exit_of_a_note_already_spent(w):
    """Bob requests his exit, then a spend he signed (a withdrawal) is
    settled first: the exit can no longer complete (nothing is paid twice)."""
    at(w, "mixed")
    esc = w.esc
    _, eid = esc.request_exit(*w.exit_bob, sender=w.bob)
    esc.settle([withdrawal(*w.withdraw_bob)])
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    rejected(w, "nullifier already spent", lambda: esc.complete_exit(eid, sender=w.bob))
    rejected(w, "nullifier already spent", lambda: esc.request_exit(*w.exit_bob, sender=w.bob))


def test_queued_leaves_need_no_operator(w):
    """An operator that stops settling cannot keep a deposit out of the
    tree: after the timeout anyone appends the queue with insert proofs."""
    at(w, "deposited")
    esc = w.esc
    # the trade's notes are not in a root the chain knows before the deposits are
    rejected(w, "unknown root", lambda: esc.settle([trade_item(w)]))
    rejected(w, "deposit timeout not reached", lambda: esc.include_deposits(3, sender=w.carol))
    # a junk deposit behind them: appending it too is refused; rejected, it is skipped
    esc.fund(w.payee, 2000)
    esc.deposit(*junk(w, changes={1: 777, 2: 778, 5: 2000}), sender=w.payee)
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    rejected(w, "invalid proof in batch", lambda: esc.include_deposits(4, sender=w.carol))
    carol = esc.balance(w.carol)
    esc.reject_deposit(3, sender=w.carol)
    esc.include_deposits(4, sender=w.carol)
    assert esc.last_root() == w.roots["deposited"]
    # the junk deposit's sender is refunded all but the bounty, which carol earned
    bounty = esc.contract.functions.minDeposit().call()
    assert esc.balance(w.payee) == 2000 - bounty and esc.balance(w.carol) == carol + bounty


def test_full_tree_never_blocks_an_exit(w):
    """An escrow whose tree has room for 5 leaves beyond its exit reserve:
    batches stop at the reserve, an exit still completes and its change
    note is appended from the reserve."""
    from zkats.chain.escrow import Escrow
    from zkats.chain.scenario import DEPOSITS

    at(w, "funded")
    small = Escrow.deploy(w.chain, w.vks, w.keys.prove, exit_reserve=(1 << w.esc.depth) - 5)
    ep = w.rep.epoch
    sig = sign_epoch(dev_oracle(), ep.epoch_id, ep.hash(), w.deadline)
    small.publish_epoch(ep.epoch_id, ep.hash(), w.deadline, sig)
    for name in NAMES:
        small.fund(w.who[name], DEPOSITS[name])
        small.deposit(*w.deposit[name], sender=w.who[name])
    small.settle([], deposits=3)
    small.settle([trade_item(w)])  # 5 leaves: the tree is full for batches
    with pytest.raises(ChainError, match="note tree full"):
        small.settle([withdrawal(*w.withdraw_alice)])
    rc, eid = small.request_exit(*w.exit_alice_traded, sender=w.alice)
    w.chain.time_travel(FORCE_TIMEOUT + 1)
    small.complete_exit(eid, sender=w.alice)
    assert small.balance(w.payee) == w.exit_alice_traded[1][4] > 0
    small.include_deposits(1, sender=w.alice)
    assert small.contract.functions.nextIndex().call() == 6


def test_proof_words_layout(w):
    """The uint256[8] proof is a, b (halves swapped), c."""
    proof, _ = w.deposit["alice"]
    words = proof_words(proof)
    assert words[0] == int(proof.a[0]) and words[2] == int(proof.b[0][1])


def test_oracle_epochs(w):
    """An epoch needs a proof of the oracle key's signature of exactly its
    id, hash and deadline; anyone may publish one; ids only increase."""
    from zkats.circuits import oracle_epoch

    at(w, "funded")
    esc = w.esc
    nid, h, dl = w.rep.epoch.epoch_id + 1, 777, w.deadline
    pk = (esc.contract.functions.oracleX().call(), esc.contract.functions.oracleY().call())
    pub, prv = oracle_epoch.build(nid, h, dl, pk, sign_epoch(dev_oracle(), nid, h, dl))
    proof = proof_words(w.keys.prove("oracle_epoch", pub, prv)[0])
    f = esc.contract.functions
    for args in ((nid, h + 1, dl), (nid, h, dl + 1), (nid + 1, h, dl)):
        rejected(
            w,
            "not signed by the oracle key",
            lambda a=args: esc._tx(f.publishEpoch(*a, proof), sender=w.carol),
        )
    rejected(
        w,
        "epoch id must increase",
        lambda: esc._tx(f.publishEpoch(w.rep.epoch.epoch_id, h, dl, proof), sender=w.carol),
    )
    # another key's signature cannot even be proved for this oracle key
    from zkats.domain.signing_key import SigningKey

    other = sign_epoch(SigningKey.from_seed(b"not-the-oracle"), nid, h, dl)
    from zkats.errors import InputError

    with pytest.raises(InputError, match="not the oracle key's signature"):
        oracle_epoch.check(*oracle_epoch.build(nid, h, dl, pk, other))
    esc._tx(f.publishEpoch(nid, h, dl, proof), sender=w.carol)  # a trader publishes it
    assert (f.epochId().call(), f.epochHash().call(), f.epochDeadline().call()) == (nid, h, dl)


def test_cancel_and_fund_withdrawal(w):
    """An order cancelled by its owner's proof is never matched; the
    operator takes fees out only by a numbered, logged batch item."""
    at(w, "included")
    esc = w.esc
    esc.settle([cancel(*w.cancel_buy)])
    rejected(w, "order already matched", lambda: esc.settle([trade_item(w)]))
    at(w, "traded")
    fee = esc.contract.functions.feeBalance().call()
    payee = int(w.payee, 16)
    rejected(w, "order already matched", lambda: esc.settle([cancel(*w.cancel_buy)]))
    rejected(
        w,
        "fund withdrawal out of sequence",
        lambda: esc.settle([fund_withdrawal(1, fee, payee, 2)]),
    )
    rejected(
        w,
        "amount exceeds the fund's balance",
        lambda: esc.settle([fund_withdrawal(1, fee + 1, payee, 1)]),
    )
    rejected(
        w,
        "amount exceeds the fund's balance",
        lambda: esc.settle([fund_withdrawal(2, 1, payee, 1)]),
    )
    rejected(w, "unknown fund", lambda: esc.settle([fund_withdrawal(3, 1, payee, 1)]))
    rc = esc.settle([fund_withdrawal(1, fee, payee, 1)])
    from web3.logs import DISCARD

    (ev,) = esc.contract.events.FundWithdrawn().process_receipt(rc, errors=DISCARD)
    assert (ev["args"]["seq"], ev["args"]["amount"], ev["args"]["balance"]) == (1, fee, 0)
    assert esc.balance(w.payee) == fee
    assert esc.contract.functions.feeBalance().call() == 0


def test_operator_cannot_reset_an_exit(w):
    """What an operator holds for a requested note (its opening and the
    viewing key with ``nk``) makes no spend the escrow would settle: an
    unsigned withdrawal, and a zero-amount one, are refused by the
    statement (the native twin of the constraints), so the only way to stop
    an exit is a spend the owner signed."""
    from zkats.circuits import withdraw
    from zkats.circuits._spend import Spend
    from zkats.errors import InputError

    rep = w.rep
    index, note = rep.live["bob"]
    spend = Spend.from_tree(rep.tree, index, note, rep.keys["bob"].view)
    pub, prv = withdraw.build(spend, rep.root, 1, int(w.payee, 16), rep.epoch, new_salt=8001)
    with pytest.raises(InputError, match="not authorised by the owner's spending key"):
        withdraw.check(pub, prv)
    owner = Spend.from_tree(rep.tree, index, note, rep.keys["bob"])
    pub, prv = withdraw.build(owner, rep.root, 1, int(w.payee, 16), rep.epoch, new_salt=8002)
    with pytest.raises(InputError, match="must be positive"):
        withdraw.check(pub.replace(amount=0), prv)
    # nor an exit: not with the viewing key, not with the liquidation capability
    from zkats.circuits import exit as ex
    from zkats.circuits._spend import authorise

    pub, prv = ex.build(spend, rep.root, int(w.payee, 16), rep.epoch, new_salt=8003)
    with pytest.raises(InputError, match="not authorised by the owner's spending key"):
        ex.check(pub, prv)
    with pytest.raises(InputError, match="needs the owner's spending key"):
        authorise(pub, prv, rep.keys["bob"].liquidation_capability())


def at_crash(w):
    """The chain after ``mixed``: the CRASH epoch published (BTC-PERP at
    780,000), alice's health proof for it settled before its deadline, then
    the deadline passed."""
    liq = liquidations(w)
    if "crash" not in w.stage:
        at(w, "mixed")
        publish(w, liq.crash, w.chain.now() + 86400)
        w.esc.settle([health(*liq.health_alice)])
        w.chain.time_travel(86400 + 60)
        save(w, "crash")
    restore(w, "crash")
    return liq


def test_liquidation(w):
    """A batch [bob fails maintenance, carol is bankrupt] at the latest
    epoch after its deadline: both notes spent, the new notes appended in
    item order, bob's penalty to the insurance fund, carol's shortfall by
    the waterfall (insurance fund, then the fee account, then a deficit);
    no token moves; once per epoch and account; no fund withdrawal while
    the insurance fund is in deficit, and trading fees repay it first."""
    liq = at_crash(w)
    esc, f = w.esc, w.esc.contract.functions
    alice, bob, carol = venue_accounts(w)
    assert f.healthyAt(alice).call() == CRASH
    fee0, escrow0 = f.feeBalance().call(), esc.balance(esc.contract.address)
    assert 0 < fee0 < liq.shortfall - liq.penalty
    rc = esc.settle([liquidation(*liq.bob), liquidation(*liq.carol)])
    print(f"settle (2 liquidations) gas: {rc.gasUsed}")
    assert esc.last_root() == liq.root == esc.tree.root
    assert esc.spent(liq.bob[1][1]) and esc.spent(liq.carol[1][1])
    assert f.feeBalance().call() == 0
    assert f.insuranceBalance().call() == liq.penalty + fee0 - liq.shortfall
    assert esc.balance(esc.contract.address) == escrow0
    assert (f.liquidatedAt(bob).call(), f.liquidatedAt(carol).call()) == (CRASH, CRASH)
    from web3.logs import DISCARD

    evs = esc.contract.events.Liquidated().process_receipt(rc, errors=DISCARD)
    assert [(e["args"]["account"], e["args"]["penalty"], e["args"]["shortfall"]) for e in evs] == [
        (bob, liq.penalty, 0),
        (carol, 0, liq.shortfall),
    ]
    rejected(
        w,
        "account already liquidated at this epoch",
        lambda: esc.settle([liquidation(*liq.bob)]),
    )
    payee = int(w.payee, 16)
    rejected(
        w,
        "the insurance fund is in deficit",
        lambda: esc.settle([fund_withdrawal(1, 1, payee, 1)]),
    )


def test_liquidation_rejections(w):
    """Refused with nothing changed: before the epoch's deadline, an invalid
    proof (each proof of the batch, a public input), a stale epoch, an
    account that proved health for a later epoch, a late health proof."""
    liq = liquidations(w)
    esc = w.esc
    at(w, "mixed")
    publish(w, liq.crash, w.chain.now() + 86400)
    rejected(
        w,
        "the epoch's health deadline has not passed",
        lambda: esc.settle([liquidation(*liq.bob)]),
    )
    at_crash(w)
    arg, _ = esc.settle_args([liquidation(*liq.bob), liquidation(*liq.carol)])
    kinds, (a, b, c), inputs, deposits, roots = arg
    assert len(c) == 3  # [insert, liquidate bob, liquidate carol]
    send = each_proof_invalid(w, arg)
    from zkats.chain.layout import _fields
    from zkats.circuits.liquidate import Liquidate

    offsets = dict(_fields(Liquidate.public_fields())[0])
    bad_in = list(inputs)
    bad_in[offsets["penalty"]] -= 1  # bob pays less
    rejected(w, "invalid proof in batch", send((kinds, (a, b, c), bad_in, deposits, roots)))
    rejected(w, "wrong number of proofs", send((kinds, (a[:2], b[:2], c[:2]), inputs, 0, roots)))
    # a late health proof (CRASH's deadline has passed)
    rejected(w, "health proof past its deadline", lambda: esc.settle([health(*liq.health_alice)]))
    # a newer epoch: CRASH is stale
    publish(w, liq.calm, w.chain.now() + 86400)
    rejected(w, "not the latest oracle epoch", lambda: esc.settle([liquidation(*liq.bob)]))
    # carol proves health at CALM: never liquidated at CRASH afterwards
    esc.settle([health(*liq.health_carol)])
    # the same health proof again is refused, as the ledger refuses it
    rejected(
        w,
        "the account already proved health for this or a later epoch",
        lambda: esc.settle([health(*liq.health_carol)]),
    )
    rejected(
        w,
        "the account proved health at or after this epoch",
        lambda: esc.settle([liquidation(*liq.carol)]),
    )
