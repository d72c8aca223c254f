"""Cash flows (VENUE-CONTRACT rules 3 and 4): winners are paid, money is
conserved.  Driven through the real settlement service and ledger with every
statement checked by its circuit's native twin (tests/venue_world.py)."""

import os

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from venue_world import World
from zkats.circuits import withdraw
from zkats.domain import notes
from zkats.errors import InputError, LedgerError
from zkats.venue import batch as B
from zkats.venue.rules import FEE_FUND, INSURANCE_FUND, fee_split, waterfall


def test_winner_withdraws_profit_loser_cannot_overdraw(tmp_path):
    """Two traders deposit 100,000 each; A buys 1 BTC-PERP at 60,000 from B;
    the mark moves to 70,000; A sells 1 at 70,000 to B.  A withdraws her
    deposit plus her profit less fees; B cannot withdraw more than his
    deposit less his loss and fees."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 100_000)
    w.deposit("b", 100_000)
    w.trade("a", "b", 1, 60_000)
    w.publish(70_000)
    w.trade("b", "a", 1, 70_000)  # b buys back from a: a sells at 70,000
    fee1, fee2 = notes.trade_fee(60_000), notes.trade_fee(70_000)
    a_gets = 100_000 + 10_000 - fee1 - fee2
    b_gets = 100_000 - 10_000 - fee1 - fee2
    assert w.equity("a") == a_gets and w.equity("b") == b_gets
    assert w.led.fund_balance(FEE_FUND) == 2 * (fee1 + fee2)
    assert w.conserved()[0] == w.conserved()[1] == 200_000
    # a's profit sat in her slot's cost until now: the withdrawal settles it
    w.withdraw("a", a_gets)
    assert w.accounts["a"].note.collateral == 0
    with pytest.raises(InputError, match="exceeds the account's equity"):
        w.withdraw("b", b_gets + 1)
    w.withdraw("b", b_gets)
    assert w.led.escrow_balance(withdraw.ASSET) == w.led.fund_balance(FEE_FUND)
    assert w.conserved()[0] == w.conserved()[1]


def test_open_profit_is_withdrawable_down_to_initial_margin(tmp_path):
    """Unrealised profit is settled to the mark on the spend and may be
    withdrawn down to what initial margin requires at that mark."""
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 10_000)
    w.deposit("b", 50_000)
    w.trade("a", "b", 1, 60_000)  # a long 1
    w.publish(65_000)
    eq = w.equity("a")
    im = 65_000 * w.im_bps // 10_000
    with pytest.raises(InputError, match="initial margin not met"):
        w.withdraw("a", eq - im + 1)
    w.withdraw("a", eq - im)
    assert w.accounts["a"].note.collateral == im
    assert w.conserved()[0] == w.conserved()[1]


def test_exit_takes_the_whole_equity_positions_to_the_fund(tmp_path):
    """A (long 1 from 60,000) exits at 65,000 with her position open: she
    gets her whole equity, far more than the free collateral a withdrawal
    allows; the insurance fund holds her long at the mark, so B keeps a
    counterparty and later mark moves stay conserved.  An exit at an epoch
    that is not the latest is refused, and an empty account cannot exit."""
    from zkats.circuits import exit as ex
    from zkats.venue.rules import fund_equity

    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 10_000)
    w.deposit("b", 50_000)
    w.trade("a", "b", 1, 60_000)
    old = w.epoch
    w.publish(65_000)
    eq = w.equity("a")
    assert eq > 10_000
    stale, prv = ex.build(w.spend("a"), w.led.current_root(), 1, old)
    with pytest.raises(LedgerError, match="not the latest"):
        w.svc.apply(B.Batch([B.Item("exit", {"exit": w.bundle(stale)})]))
    escrow = w.led.escrow_balance(withdraw.ASSET)
    w.exit("a", recipient=0xA)
    assert w.led.escrow_balance(withdraw.ASSET) == escrow - eq
    assert w.equity("a") == 0
    assert w.led.fund_positions(INSURANCE_FUND) == {w.perp.id: (1, 65_000)}
    assert fund_equity(w.led, INSURANCE_FUND, w.epoch) == 0  # taken over at the mark
    assert w.conserved()[0] == w.conserved()[1]
    w.publish(50_000)  # the fund now carries a's loss, b his gain: still zero-sum
    assert fund_equity(w.led, INSURANCE_FUND, w.epoch) == -15_000
    assert w.conserved()[0] == w.conserved()[1]
    with pytest.raises(InputError, match="nothing to take out"):
        w.exit("a")


def _go_bankrupt(w, victim, winner, size=2, mark_to=20_000):
    """``victim`` buys ``size`` at the mark from ``winner``; the mark then
    falls to ``mark_to`` and the epoch closes without a health proof."""
    w.trade(victim, winner, size, w.mark)
    w.publish(mark_to)
    w.close_epoch()
    assert not w.healthy(victim) and w.equity(victim) < 0


def test_bankruptcy_waterfall(tmp_path):
    """A bankrupt account's shortfall is taken from the insurance fund, then
    the fee account; what is left is a public deficit (a negative insurance
    fund) that later fees repay first.  Money is conserved at every step."""
    w = World(tmp_path / "l.db", names=("a", "b", "c"))
    w.deposit("a", 20_000)
    w.deposit("b", 1_000_000)
    w.deposit("c", 20_000)
    # c is liquidated (not bankrupt) first: its penalty seeds the insurance fund
    w.trade("c", "b", 3, 60_000)
    w.publish(55_000)
    w.close_epoch()
    assert not w.healthy("c") and w.equity("c") > 0
    w.liquidate("c")
    ins0, fee0 = w.led.fund_balance(INSURANCE_FUND), w.led.fund_balance(FEE_FUND)
    assert ins0 > 0 and fee0 > 0
    assert w.conserved()[0] == w.conserved()[1]
    # a buys 2 at 55,000 with 20,000 of collateral; the mark falls to 20,000
    w.publish(55_000)
    _go_bankrupt(w, "a", "b", size=2, mark_to=20_000)
    fee1 = w.led.fund_balance(FEE_FUND)
    shortfall = -w.equity("a")
    w.liquidate("a")
    assert w.equity("a") == 0 and all(s.position == 0 for s in w.accounts["a"].note.slots)
    from_ins, from_fee = waterfall(ins0, fee1, shortfall)
    assert shortfall > ins0 + fee1  # this loss runs through all three stages
    assert w.led.fund_balance(FEE_FUND) == 0 == fee1 - from_fee
    deficit = w.led.fund_balance(INSURANCE_FUND)
    assert deficit == ins0 - from_ins == -(shortfall - ins0 - fee1) < 0
    assert w.conserved()[0] == w.conserved()[1]
    # trading fees repay the deficit before the fee account sees anything
    w.publish(20_000)
    w.trade("b", "c", 1, 20_000)
    fees = 2 * notes.trade_fee(20_000)
    assert w.led.fund_balance(INSURANCE_FUND) == deficit + fees
    assert w.led.fund_balance(FEE_FUND) == 0
    assert w.conserved()[0] == w.conserved()[1]


@pytest.mark.parametrize(
    "ins, fee, shortfall, want",
    [
        (100, 50, 80, (80, 0)),  # the insurance fund covers it
        (100, 50, 120, (100, 20)),  # then the fee account
        (100, 50, 200, (150, 50)),  # then a deficit of 50
        (-30, 50, 10, (0, 10)),  # a fund already in deficit takes nothing more first
        (0, 0, 7, (7, 0)),
    ],
)
def test_waterfall_order(ins, fee, shortfall, want):
    assert waterfall(ins, fee, shortfall) == want
    assert sum(want) == shortfall


def test_fees_repay_deficit_first():
    assert fee_split(-30, 50) == (30, 20)
    assert fee_split(-80, 50) == (50, 0)
    assert fee_split(10, 50) == (0, 50)


TRADE = st.tuples(
    st.just("trade"),
    st.sampled_from(["ab", "ba", "ac", "ca", "bc", "cb"]),
    st.integers(1, 8),
    st.integers(-2_000, 2_000),
    st.sampled_from(["perp", "perp", "future", "call"]),
)
ACTIONS = st.one_of(
    st.tuples(st.just("deposit"), st.sampled_from("abc"), st.integers(1, 200_000)),
    TRADE,
    TRADE,  # twice as likely: a sequence needs trades before a mark move matters
    st.tuples(st.just("mark"), st.integers(-9_000, 9_000), st.integers(-400, 400)),
    st.tuples(
        st.just("mark"),
        st.sampled_from((-45_000, -30_000, -15_000, 15_000, 60_000)),
        st.just(0),
    ),
    st.tuples(st.just("withdraw"), st.sampled_from("abc"), st.integers(1, 100)),
    # an owner takes its whole equity out (the exit game's statement)
    st.tuples(st.just("exit"), st.sampled_from("abc")),
    # the future and the call expire, the underlying settling at mark + offset
    st.tuples(st.just("expire"), st.integers(-9_000, 9_000)),
)

EXAMPLES = int(os.environ.get("ZKATS_CONSERVATION_EXAMPLES", "10"))


def _step(w, action):
    kind = action[0]
    if kind == "deposit":
        w.deposit(action[1], action[2])
    elif kind == "trade":
        _, (buyer, seller), size, off, which = action
        w.trade(buyer, seller, size, max(1, w.mark_of(which) + off), which=which)
    elif kind == "mark":
        # a new epoch (mark and funding index move); at its deadline the risk
        # engine liquidates whoever fails
        w.publish(max(1_000, w.mark + action[1]), funding=w.funding + action[2])
        _liquidate_failing(w)
    elif kind == "expire":
        event("expiry" if w.settled is None else "expiry again (no change)")
        w.publish(max(1_000, w.mark + action[1]), expire=True)
        _liquidate_failing(w)
    elif kind == "exit":
        acct = w.accounts[action[1]]
        if acct.note is not None:
            event("exit with positions" if any(s.position for s in acct.note.slots) else "exit")
            w.exit(action[1])
    elif kind == "withdraw":
        _, who, pct = action
        acct = w.accounts[who]
        if acct.note is not None:
            w.withdraw(who, max(1, w.equity(who) * pct // 100))


def _liquidate_failing(w):
    w.close_epoch()
    for name in w.accounts:
        if not w.healthy(name):
            event("liquidation of a bankrupt account" if w.equity(name) < 0 else "liquidation")
            w.liquidate(name)
            assert w.conserved()[0] == w.conserved()[1]
    w.publish(w.mark)  # trading resumes on a fresh epoch


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.tuples(*[st.integers(10_000, 300_000)] * 3),
    st.lists(ACTIONS, min_size=1, max_size=8),
)
def test_money_is_conserved(tmp_path_factory, opening, actions):
    """After every accepted step (deposits, trades at any price in a
    perpetual, a dated future and a call, mark and funding moves, the
    expiry of the future and the call at a settlement price, withdrawals
    of any share of equity, exits (the whole equity out, the positions to
    the insurance fund at the mark), liquidations of whoever fails maintenance,
    bankrupt or not), at the latest marks: sum of equity + fee account +
    insurance fund = escrow.  Steps the rules refuse change
    nothing.  Every account opens with a deposit first."""
    w = World(tmp_path_factory.mktemp("w") / "l.db")
    for name, amount in zip("abc", opening):
        w.deposit(name, amount)
    for action in actions:
        before = (w.conserved(), w.led.summary())
        try:
            _step(w, action)
        except (InputError, LedgerError):
            event("a refused step")
            assert (w.conserved(), w.led.summary()) == before
        total, escrow = w.conserved()
        assert total == escrow, (action, total, escrow)
