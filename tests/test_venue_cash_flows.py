"""Cash flows (VENUE-CONTRACT rules 3 and 4): winners are paid, money is
conserved.  Driven through the real settlement service and ledger with every
statement checked by its circuit's native twin (tests/venue_world.py)."""

import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from venue_world import World
from zkats.circuits import withdraw
from zkats.domain import notes
from zkats.errors import InputError, LedgerError
from zkats.venue.rules import FEE_FUND


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


ACTIONS = st.one_of(
    st.tuples(st.just("deposit"), st.sampled_from("abc"), st.integers(1, 200_000)),
    st.tuples(
        st.just("trade"),
        st.sampled_from("abc"),
        st.sampled_from("abc"),
        st.integers(1, 5),
        st.integers(-2_000, 2_000),
    ),
    st.tuples(st.just("mark"), st.integers(-9_000, 9_000)),
    st.tuples(st.just("withdraw"), st.sampled_from("abc"), st.integers(1, 100)),
    st.tuples(
        st.just("liquidate"),
    ),
)

EXAMPLES = int(os.environ.get("ZKATS_CONSERVATION_EXAMPLES", "10"))


def _step(w, action):
    kind = action[0]
    if kind == "deposit":
        w.deposit(action[1], action[2])
    elif kind == "trade":
        _, buyer, seller, size, off = action
        opened = all(w.accounts[n].note is not None for n in (buyer, seller))
        if buyer != seller and opened:
            w.trade(buyer, seller, size, max(1, w.mark + off))
    elif kind == "mark":
        w.publish(max(1_000, w.mark + action[1]))
    elif kind == "withdraw":
        _, who, pct = action
        acct = w.accounts[who]
        if acct.note is not None:
            w.withdraw(who, max(1, w.equity(who) * pct // 100))
    elif kind == "liquidate":
        w.close_epoch()
        for name in w.accounts:
            if not w.healthy(name):
                w.liquidate(name)
        w.publish(w.mark)  # trading resumes on a fresh epoch


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(ACTIONS, min_size=1, max_size=8))
def test_money_is_conserved(tmp_path_factory, actions):
    """After every accepted step (deposits, trades at any price, mark moves,
    withdrawals of any share of equity, liquidations of whoever fails
    maintenance, bankrupt or not), at the latest marks: sum of equity + fee
    account + insurance fund = escrow.  Steps the rules refuse change
    nothing (and are counted)."""
    w = World(tmp_path_factory.mktemp("w") / "l.db")
    refused = 0
    for action in actions:
        before = w.conserved()
        try:
            _step(w, action)
        except (InputError, LedgerError):
            refused += 1
            assert w.conserved() == before
        total, escrow = w.conserved()
        assert total == escrow, (action, total, escrow)
