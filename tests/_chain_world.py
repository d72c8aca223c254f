"""Shared fixture state for tests/test_chain_*.py: development keys (a toy
ceremony; zkats.chain.devkeys caches them per circuit r1cs hash, so only a
changed circuit is set up again), a py-evm chain with the escrow deployed,
and every proof of the on-chain scenario (zkats.chain.scenario), made once.

The scenario: alice, bob and carol deposit on chain (queued); batch 1
appends the three deposits and a trade (alice buys from bob); batch 2 is
[withdraw alice, trade bob buys from carol], both proven against batch 1's
root; bob's withdrawal (against batch 2's root) is the exit request."""

from types import SimpleNamespace

NAMES = ("alice", "bob", "carol")


def build_world():
    from zkats.chain.devkeys import ESCROW_CIRCUITS, DevKeys
    from zkats.chain.escrow import Escrow, dev_oracle, sign_epoch
    from zkats.chain.evm import Chain
    from zkats.chain.scenario import DEPOSITS, Replay

    keys = DevKeys()
    chain = Chain()
    vks = {n: keys.zkey[n].verifying_key() for n in ESCROW_CIRCUITS}
    esc = Escrow.deploy(chain, vks, keys.prove)
    alice, bob, carol, payee = chain.accounts[1:5]
    rep = Replay()
    ep = rep.epoch
    deadline = chain.now() + 30 * 86400
    sig = sign_epoch(dev_oracle(), ep.epoch_id, ep.hash(), deadline)
    esc.publish_epoch(ep.epoch_id, ep.hash(), deadline, sig)
    who = {"alice": alice, "bob": bob, "carol": carol}
    for name in NAMES:
        esc.fund(who[name], DEPOSITS[name])
    w = SimpleNamespace(
        keys=keys,
        vks=vks,
        chain=chain,
        esc=esc,
        alice=alice,
        bob=bob,
        carol=carol,
        payee=payee,
        who=who,
        rep=rep,
        roots={},
        legs={},
        deadline=deadline,
    )
    w.roots["empty"] = rep.root
    w.deposit = {}
    for name in NAMES:
        pub, prv = rep.open_account(name, root=w.roots["empty"])
        w.deposit[name] = keys.prove("deposit", pub, prv)
        rep.applied_deposit(name, pub, prv)
    w.roots["deposited"] = rep.root
    now = chain.now()
    m, ta, tb = rep.trade(now)
    w.trade = (
        keys.prove("match", *m),
        keys.prove("transition", *ta),
        keys.prove("transition", *tb),
    )
    w.legs["trade"] = rep.last_legs
    w.orders = rep.last_orders
    w.roots["traded"] = rep.root
    # batch 2: both against the traded root, leaves in item order
    pub, prv = rep.withdraw("alice", 150_000, int(payee, 16), salt=7001)
    w.withdraw_alice = keys.prove("withdraw", pub, prv)
    m, tc, td = rep.trade(now, fill=2, buyer="bob", seller="carol", defer=True)
    w.trade2 = (
        keys.prove("match", *m),
        keys.prove("transition", *tc),
        keys.prove("transition", *td),
    )
    w.legs["trade2"] = rep.last_legs
    rep.applied_withdraw("alice", pub, prv)
    rep.append(rep.last_notes)
    w.roots["mixed"] = rep.root
    pub, prv = rep.withdraw("bob", 250_000, int(bob, 16), salt=7002)
    w.exit_bob = keys.prove("withdraw", pub, prv)
    w.exit_bob_note = prv.new_note
    # the owner cancels the trade's buy order (a cancel proof)
    from zkats.circuits import cancel

    pub, prv = cancel.build(w.orders[0], signer=rep.keys["alice"])
    w.cancel_buy = keys.prove("cancel", pub, prv)
    w.stage = {}
    import copy

    w.rep_mixed = copy.deepcopy(rep)  # the notes after batch 2 (tests may move ``rep`` on)
    save(w, "funded")
    return w


def save(w, stage):
    w.stage[stage] = (w.chain.snapshot(), w.esc.tree.copy(), dict(w.esc.queue))


def restore(w, stage):
    snap, tree, queue = w.stage[stage]
    w.chain.revert(snap)
    w.esc.tree, w.esc.queue = tree.copy(), dict(queue)


def trade_item(w, which="trade"):
    from zkats.chain.escrow import trade

    return trade(*getattr(w, which))


def nullifiers(w):
    out = [w.deposit[n][1][1] for n in NAMES]
    for t in (w.trade, w.trade2):
        out += [t[1][1][1], t[2][1][1]]
    return out + [w.withdraw_alice[1][1], w.exit_bob[1][1]]


def state(w):
    nulls = nullifiers(w)
    liq = getattr(w, "liq", None)
    if liq is not None:
        nulls += [liq.bob[1][1], liq.carol[1][1]]
    return w.esc.state([w.alice, w.bob, w.carol, w.payee], nulls, venue_accounts(w))


#: the liquidation epochs: BTC-PERP at 780,000 (bob, short 4, fails
#: maintenance with equity > 0; carol, short 2, is bankrupt; alice, long 6,
#: is healthy), then back at 60,000 (carol healthy again)
CRASH, CALM = 43, 44


def liquidations(w):
    """Proofs of the liquidation scenario, against the ``mixed`` root
    (made once per world): ``w.liq`` with the two epochs, alice's health
    proof at CRASH, the liquidations of bob and carol at CRASH, carol's
    health proof at CALM, and the roots after each step."""
    if getattr(w, "liq", None) is not None:
        return w.liq
    import copy

    rep = copy.deepcopy(w.rep_mixed)
    crash = rep.moved_epoch(CRASH, 780_000)
    calm = rep.moved_epoch(CALM, 60_000)
    k = w.keys
    liq = SimpleNamespace(crash=crash, calm=calm)
    liq.health_alice = k.prove("health", *rep.health("alice", crash))
    liq.health_carol = k.prove("health", *rep.health("carol", calm))
    bob = rep.liquidate("bob", crash, salt=8001)
    carol = rep.liquidate("carol", crash, salt=8002)
    liq.bob, liq.carol = k.prove("liquidate", *bob), k.prove("liquidate", *carol)
    liq.penalty, liq.shortfall = bob[0].penalty, carol[0].shortfall
    assert liq.penalty > 0 and bob[0].shortfall == 0 and carol[0].shortfall > 0
    rep.applied_liquidation("bob", *bob)
    rep.applied_liquidation("carol", *carol)
    liq.root = rep.root
    w.liq = liq
    return liq


def publish(w, epoch, deadline):
    """Publish ``epoch`` on the chain, signed by the development oracle."""
    from zkats.chain.escrow import dev_oracle, sign_epoch

    sig = sign_epoch(dev_oracle(), epoch.epoch_id, epoch.hash(), deadline)
    return w.esc.publish_epoch(epoch.epoch_id, epoch.hash(), deadline, sig)


def venue_accounts(w):
    return [w.rep.keys[n].account for n in NAMES]


def junk(w, name="alice", changes=()):
    """``name``'s deposit with an invalid proof (its C is another deposit
    proof's) and ``changes`` to its public signals ({index: value})."""
    proof, pub = w.deposit[name]
    other = w.deposit["bob" if name != "bob" else "alice"][0]
    from zkats.chain.escrow import proof_words

    words = proof_words(proof)
    words[6:8] = proof_words(other)[6:8]
    pub = list(pub)
    for i, v in dict(changes).items():
        pub[i] = v
    return words, pub
