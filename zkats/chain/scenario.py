"""The demo scenario (``zkats.circuits._scenario``: Alice and Bob, the BTC
perpetual, oracle epoch 42) replayed on chain at the chain's clock.

Alice and Bob open their accounts by fresh deposits (their notes are the
scenario's notes, so the tree after the two deposits is the scenario's
tree), then trade (Alice buys from Bob, orders timed at the chain's
``now``), then withdraw.  Each step returns the (public, private) inputs
of its circuit; :class:`Replay` keeps the off-chain note tree in step with
the escrow's (the same Poseidon tree, ``units.TREE_DEPTH``)."""

from zkats.circuits import _scenario, deposit, match, transition, withdraw
from zkats.circuits._spend import Spend, authorise
from zkats.domain import notes, orders, units
from zkats.gadgets.merkle import MerkleTree

DEPOSITS = {"alice": 2_000_000, "bob": 3_000_000, "carol": 1_000_000}


class Replay:
    def __init__(self):
        self.sc = _scenario.scenario()
        self.keys = {"alice": self.sc.alice, "bob": self.sc.bob, "carol": self.sc.carol}
        self.amounts = dict(DEPOSITS)
        self.epoch = self.sc.epoch
        self.tree = MerkleTree(units.TREE_DEPTH)
        self.live = {}  # name -> (leaf index, note)
        self.nonce = 0

    @property
    def root(self):
        return self.tree.root

    def _spend(self, name):
        index, note = self.live[name]
        return Spend.from_tree(self.tree, index, note, self.keys[name])

    def _append(self, name, note):
        self.live[name] = (self.tree.append(note.commitment()), note)

    def add_account(self, name, amount=1_000_000):
        """A fresh account ``name`` (its key from a fixed seed) with ``amount`` to deposit."""
        from zkats.domain import keys

        self.keys[name] = keys.SpendingKey.from_seed(b"zkats-chain-" + name.encode())
        self.amounts[name] = amount

    def open_account(self, name, root=None):
        """A fresh deposit creating the scenario's note of ``name`` (carol: a
        fresh account with no positions, unlike the scenario's carol), against
        ``root`` (default: the current one; a fresh account's deposit only
        needs a root the escrow knows)."""
        key = self.keys[name]
        if name not in ("alice", "bob"):
            model, salt = 0, 3003 + list(self.keys).index(name)
        else:
            _, target = self.sc.notes[name]
            model, salt = target.model, target.salt
        empty = notes.Note(key.account, key.npk, 0, model, (), salt)
        pub, prv = deposit.build(
            Spend.fresh(empty, key),
            self.root if root is None else root,
            self.amounts[name],
            fresh=True,
            new_salt=salt,
        )
        if name in ("alice", "bob"):
            assert prv.new_note == target
        return pub, authorise(pub, prv, key)

    def applied_deposit(self, name, pub, prv):
        self._append(name, prv.new_note)

    def trade(self, now, fill=6, price=60_000, buyer="alice", seller="bob", defer=False):
        """``buyer`` buys ``fill`` lots from ``seller`` at ``now``: (match,
        transition a, transition b) as (public, private) pairs; applies them
        to the tree (``defer``: the caller applies ``self.last_notes`` with
        :meth:`append`, to put other leaves of the same batch first)."""
        self.nonce += 1
        n, sc = self.nonce, self.sc
        kb, ks = self.keys[buyer], self.keys[seller]
        buy = orders.sign_order(
            kb,
            orders.Order(sc.perp.id, orders.BUY, fill + 4, price + 100, now + 3600, kb.account, n),
            blinding=10 + 2 * n,
        )
        sell = orders.sign_order(
            ks,
            orders.Order(sc.perp.id, orders.SELL, fill, price - 100, now + 3600, ks.account, n),
            blinding=11 + 2 * n,
        )
        m = orders.Match(buy, sell, fill, price, 20 + n, 40 + n, 60 + n, 80 + n)
        legs = self.last_legs = m.legs()
        root = self.root
        ta = transition.build(self._spend(buyer), root, legs[0], self.epoch, new_salt=5000 + 2 * n)
        tb = transition.build(self._spend(seller), root, legs[1], self.epoch, new_salt=5001 + 2 * n)
        ta = (ta[0], authorise(ta[0], ta[1], kb))
        tb = (tb[0], authorise(tb[0], tb[1], ks))
        self.last_notes = [(buyer, ta[1].new_note), (seller, tb[1].new_note)]
        self.last_orders = (buy, sell)
        if not defer:
            for name, note in self.last_notes:
                self._append(name, note)
        return match.build(m, now), ta, tb

    def append(self, notes_):
        """Appends [(name, note)] (a deferred trade's ``last_notes``)."""
        for name, note in notes_:
            self._append(name, note)

    def withdraw(self, name, amount, recipient, salt):
        pub, prv = withdraw.build(
            self._spend(name),
            self.root,
            amount,
            int(recipient, 16) if isinstance(recipient, str) else recipient,
            self.epoch,
            new_salt=salt,
        )
        return pub, authorise(pub, prv, self.keys[name])

    def applied_withdraw(self, name, pub, prv):
        self._append(name, prv.new_note)

    def exit(self, name, recipient, salt, epoch=None):
        """``name``'s exit (its whole equity at ``epoch``'s marks, default
        the scenario's, to ``recipient``), signed by its owner; the tree is
        not changed."""
        from zkats.circuits import exit as ex

        pub, prv = ex.build(
            self._spend(name),
            self.root,
            int(recipient, 16) if isinstance(recipient, str) else recipient,
            epoch or self.epoch,
            new_salt=salt,
        )
        return pub, authorise(pub, prv, self.keys[name])

    def moved_epoch(self, epoch_id, mark):
        """The scenario's epoch under a new id with the perpetual's mark and
        index at ``mark`` (its risk recomputed; the other entries as they are)."""
        from dataclasses import replace

        from zkats.domain import oracle

        entries = tuple(
            replace(e, mark=mark, underlying=mark, risk=())
            if e.instrument == self.sc.perp.id
            else e
            for e in self.epoch.entries
            if e.instrument
        )
        return oracle.Epoch(epoch_id, entries)

    def liquidate(self, name, epoch, salt):
        """The risk engine's liquidation of ``name`` at ``epoch`` (every
        position closed), signed with the account's liquidation capability;
        the tree is not changed (:meth:`applied_liquidation`)."""
        from zkats.circuits import liquidate

        index, note = self.live[name]
        cap = self.keys[name].liquidation_capability()
        spend = Spend.from_tree(self.tree, index, note, cap)
        return liquidate.build(spend, self.root, epoch, new_salt=salt)

    def applied_liquidation(self, name, pub, prv):
        self._append(name, prv.new_note)

    def health(self, name, epoch):
        """``name``'s health proof at ``epoch`` (its live note, viewing key only)."""
        from zkats.circuits import health

        index, note = self.live[name]
        spend = Spend.from_tree(self.tree, index, note, self.keys[name].view)
        return health.build(spend, self.root, epoch)
