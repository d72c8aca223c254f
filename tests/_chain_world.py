"""Shared fixture state for tests/test_chain_*.py: development keys (a toy
ceremony; zkats.chain.devkeys caches them per circuit r1cs hash, so only a
changed circuit is set up again), a py-evm chain with the escrow deployed,
and every proof of the on-chain scenario (zkats.chain.scenario), made once."""

from types import SimpleNamespace


def build_world():
    from zkats.chain.devkeys import ESCROW_CIRCUITS, DevKeys
    from zkats.chain.escrow import Escrow
    from zkats.chain.evm import Chain
    from zkats.chain.scenario import DEPOSITS, Replay

    keys = DevKeys()
    chain = Chain()
    esc = Escrow.deploy(chain, {n: keys.zkey[n].verifying_key() for n in ESCROW_CIRCUITS})
    alice, bob, payee = chain.accounts[1:4]
    rep = Replay()
    esc.publish_epoch(rep.epoch.epoch_id, rep.epoch.hash())
    esc.fund(alice, DEPOSITS["alice"])
    esc.fund(bob, DEPOSITS["bob"])
    w = SimpleNamespace(
        keys=keys, chain=chain, esc=esc, alice=alice, bob=bob, payee=payee, rep=rep, roots={}
    )
    w.roots["empty"] = rep.root
    w.deposit = {}
    for name in ("alice", "bob"):
        pub, prv = rep.open_account(name)
        w.deposit[name] = keys.prove("deposit", pub, prv)
        rep.applied_deposit(name, pub, prv)
    w.roots["deposited"] = rep.root
    m, ta, tb = rep.trade(chain.now())
    w.trade = (
        keys.prove("match", *m),
        keys.prove("transition", *ta),
        keys.prove("transition", *tb),
    )
    w.roots["traded"] = rep.root
    pub, prv = rep.withdraw("alice", 150_000, int(payee, 16), salt=7001)
    w.withdraw_alice = keys.prove("withdraw", pub, prv)
    rep.applied_withdraw("alice", pub, prv)
    w.roots["withdrawn"] = rep.root
    pub, prv = rep.withdraw("bob", 250_000, int(bob, 16), salt=7002)
    w.withdraw_bob = keys.prove("withdraw", pub, prv)
    w.stage = {"funded": chain.snapshot()}
    return w


def trade_struct(w):
    from zkats.chain.escrow import trade

    return trade(*w.trade)


def nullifiers(w):
    t = w.trade
    return [
        w.deposit["alice"][1][1],
        w.deposit["bob"][1][1],
        t[1][1][1],
        t[2][1][1],
        w.withdraw_alice[1][1],
        w.withdraw_bob[1][1],
    ]


def state(w):
    return w.esc.state([w.alice, w.bob, w.payee], nullifiers(w))
