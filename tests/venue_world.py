"""A venue driven through the real settlement service and ledger, with every
statement checked by its circuit's native twin before it is submitted.

Proofs are the only stand-in: each item carries the statement's real public
signals and a placeholder proof that the test verifier accepts (the native
check has just shown the statement true; the Groth16 side is tested
elsewhere).  Netting proofs are real Schnorr proofs.  Used by the
conservation property test and the cash-flow scenarios."""

import secrets
from dataclasses import dataclass

from _settlement_util import GOOD, OPERATOR, ORACLE, StubVerifier, publish
from zkats.circuits import deposit, exit as exit_, health, liquidate, match, transition, withdraw
from zkats.circuits._scenario import BTC, call_risk
from zkats.circuits._spend import Spend
from zkats.domain import instruments, keys, margin, notes, oracle, orders, units
from zkats.venue import batch as B
from zkats.venue.rules import FEE_FUND, INSURANCE_FUND, fund_equity
from zkats.venue.settlement import SettlementService

G = units.GREEK_SCALE
T0 = 1_700_000_000


@dataclass
class Account:
    key: keys.SpendingKey
    leaf: int = None
    note: notes.Note = None


class World:
    def __init__(self, path, names=("a", "b", "c"), mark=60_000, im_bps=1000, mm_bps=500):
        self.now = T0
        self.svc = SettlementService(
            path,
            verifier=StubVerifier(),
            clock=lambda: self.now,
            require_open_orders=False,
            oracle_key=ORACLE.pub,
            operator_key=OPERATOR.pub,
        )
        self.led = self.svc.ledger
        self.perp = instruments.perpetual("BTC", tick=1)
        self.future = instruments.future("BTC", T0 + 30 * 86400)
        self.call = instruments.option("BTC", T0 + 30 * 86400, mark, "call")
        #: the underlying's settlement price once the future and the option expired
        self.settled = None
        self.im_bps, self.mm_bps = im_bps, mm_bps
        self.accounts = {n: Account(keys.SpendingKey.from_seed(n.encode())) for n in names}
        self.epoch_id = 0
        self.publish(mark)

    # ------------------------------------------------------------ oracle
    def publish(self, mark, funding=None, expire=False):
        """The next epoch at ``mark`` (the perpetual's and the future's; the
        call is worth its intrinsic value plus 1,000).  ``funding``: the
        perpetual's new cumulative funding index (default: unchanged).
        ``expire``: the future and the call expire, the underlying settling
        at ``mark``; their settlement entries stay in every later epoch."""
        self.epoch_id += 1
        self.mark = mark
        self.funding = getattr(self, "funding", 0) if funding is None else funding
        if expire and self.settled is None:
            self.settled = mark
        im, mm = self.im_bps, self.mm_bps
        strike = self.call.strike
        if self.settled is None:
            premium = max(mark - strike, 0) + 1_000
            years = (self.call.expiry - self.now) / (365 * 86400)
            dated = (
                oracle.EpochEntry(
                    self.future.id, mark, mark, G, 0, im, mm, 0, oracle.FUTURE, asset=BTC
                ),
                oracle.EpochEntry(
                    self.call.id,
                    premium,
                    mark,
                    G // 2,
                    0,
                    im,
                    mm,
                    0,
                    oracle.CALL,
                    strike,
                    asset=BTC,
                    risk=call_risk(premium, mark, strike, years),
                ),
            )
        else:
            dated = (
                oracle.EpochEntry.settled(self.future.id, oracle.FUTURE, self.settled),
                oracle.EpochEntry.settled(self.call.id, oracle.CALL, self.settled, strike),
            )
        self.epoch = oracle.Epoch(
            self.epoch_id,
            (oracle.EpochEntry(self.perp.id, mark, mark, G, 0, im, mm, self.funding, asset=BTC),)
            + dated,
        )
        publish(self.svc, self.epoch_id, self.epoch.hash(), self.now + 600)

    def instrument(self, which):
        """``"perp"``, ``"future"`` or ``"call"``: the instrument's id."""
        return {"perp": self.perp, "future": self.future, "call": self.call}[which].id

    def mark_of(self, which):
        return self.epoch.entry(self.instrument(which)).mark

    def close_epoch(self):
        self.now += 601
        return self.svc.close_epoch(self.epoch_id)

    # ------------------------------------------------------------ items
    @staticmethod
    def bundle(pub):
        return B.ProofBundle(pub.statement.circuit_name, tuple(pub.values()), GOOD)

    def spend(self, name, key=None):
        acct = self.accounts[name]
        sibs, bits = self.led.note_path(acct.leaf)
        return Spend(acct.note, acct.key.view, tuple(sibs), tuple(bits), signer=key or acct.key)

    def apply(self, items, new_notes):
        """Apply one batch; on success record each account's new note."""
        receipt = self.svc.apply(B.Batch(items))
        for name, note in new_notes:
            acct = self.accounts[name]
            acct.note, acct.leaf = note, self.led.note_index(note.commitment())
        return receipt

    def deposit(self, name, amount):
        acct = self.accounts[name]
        if acct.note is None:
            empty = notes.Note.open(acct.key, collateral=0)
            pub, prv = deposit.build(
                Spend.fresh(empty, acct.key), self.led.current_root(), amount, fresh=True
            )
        else:
            pub, prv = deposit.build(self.spend(name), self.led.current_root(), amount)
        deposit.check(pub, prv)
        return self.apply(
            [B.Item("deposit", {"deposit": self.bundle(pub)})], [(name, prv.new_note)]
        )

    def trade(self, buyer, seller, size, price, which="perp"):
        """Buyer buys ``size`` lots of ``which`` (:meth:`instrument`) at
        ``price`` from seller (native checks first)."""
        kb, ks = self.accounts[buyer].key, self.accounts[seller].key
        inst = self.instrument(which)
        nonce = secrets.randbits(62)
        buy = orders.sign_order(
            kb,
            orders.Order(inst, orders.BUY, size, price, self.now + 3600, kb.account, nonce),
        )
        sell = orders.sign_order(
            ks,
            orders.Order(inst, orders.SELL, size, price, self.now + 3600, ks.account, nonce + 1),
        )
        m = orders.make_match(buy, sell, size, price)
        orders.check_match(m, self.now)
        mpub, mprv = match.build(m, self.now)
        match.check(mpub, mprv)
        root = self.led.current_root()
        built = []
        for name, leg in zip((buyer, seller), m.legs()):
            pub, prv = transition.build(self.spend(name), root, leg, self.epoch)
            transition.check(pub, prv)
            built.append((name, pub, prv))
        n = orders.netting_proof(m)
        item = B.Item(
            "trade",
            {
                "match": self.bundle(mpub),
                "leg_a": self.bundle(built[0][1]),
                "leg_b": self.bundle(built[1][1]),
            },
            netting=B.NettingProof(R=n.R, s=n.s),
        )
        return self.apply([item], [(name, prv.new_note) for name, _, prv in built])

    def withdraw(self, name, amount, recipient=0xA11CE):
        pub, prv = withdraw.build(
            self.spend(name), self.led.current_root(), amount, recipient, self.epoch
        )
        withdraw.check(pub, prv)
        return self.apply(
            [B.Item("withdraw", {"withdraw": self.bundle(pub)})], [(name, prv.new_note)]
        )

    def exit(self, name, recipient=0xE717):
        """The owner's exit at the latest epoch (its whole equity out, its
        positions to the backstop), served in a batch."""
        pub, prv = exit_.build(self.spend(name), self.led.current_root(), recipient, self.epoch)
        exit_.check(pub, prv)
        return self.apply([B.Item("exit", {"exit": self.bundle(pub)})], [(name, prv.new_note)])

    def liquidate(self, name):
        """The risk engine, with the account's liquidation capability."""
        cap = self.accounts[name].key.liquidation_capability()
        pub, prv = liquidate.build(self.spend(name, key=cap), self.led.current_root(), self.epoch)
        liquidate.check(pub, prv)
        return self.apply(
            [B.Item("liquidate", {"liquidate": self.bundle(pub)})], [(name, prv.new_note)]
        )

    def health(self, name):
        """The owner's health proof at the latest epoch (its note stays live)."""
        pub, prv = health.build(self.spend(name), self.led.current_root(), self.epoch)
        health.check(pub, prv)
        return self.apply([B.Item("health", {"health": self.bundle(pub)})], [])

    def fund_withdrawal(self, fund, amount, recipient=0xFEE, seq=None, key=OPERATOR):
        """The operator's signed request (the next sequence number by default)."""
        seq = self.led.fund_withdrawal_count() + 1 if seq is None else seq
        sig = key.sign_fund_withdrawal(fund, amount, recipient, seq)
        return B.Item(
            "fund_withdraw", {}, operator=B.FundWithdrawal(fund, amount, recipient, seq, sig)
        )

    def withdraw_fund(self, fund, amount, **kw):
        return self.apply([self.fund_withdrawal(fund, amount, **kw)], [])

    # ------------------------------------------------------------ views
    def equity(self, name):
        n = self.accounts[name].note
        return 0 if n is None else margin.equity(n, self.epoch)

    def healthy(self, name):
        n = self.accounts[name].note
        return n is None or margin.meets(n, self.epoch, maintenance=True)

    def conserved(self):
        """(sum of equity + fee account + insurance fund, escrow): equal always.
        Funds count at their equity: the insurance fund's backstop positions
        are valued at the mark like a note's."""
        total = sum(self.equity(n) for n in self.accounts)
        total += fund_equity(self.led, FEE_FUND, self.epoch)
        total += fund_equity(self.led, INSURANCE_FUND, self.epoch)
        return total, self.led.escrow_balance(deposit.ASSET)
