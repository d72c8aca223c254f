"""The risk engine (VENUE-CONTRACT rule 5; the risk-engine issue): scenario
margin per underlying, with risk arrays from the pricing module.

Underlyings move independently: long BTC against short ETH of equal value
needs BOTH worst cases (the issue's first attack, 120,000,000 of gross
notional on 40,000 of collateral, is refused natively and by the
transition's constraints, whatever witness the prover makes up); the bucket
witnesses cannot net two underlyings or split one; the boundary is exact per
model (collateral c passes, c - 1 fails) with perpetuals, a future and an
option on two underlyings; a liquidator cannot split a hedged underlying
across buckets to make a healthy account look unhealthy."""

from dataclasses import replace

import pytest

from venue_helpers import compiled
from zkats.circuits import health, liquidate, transition
from zkats.circuits._scenario import call_risk
from zkats.circuits._spend import Spend
from zkats.domain import instruments, keys, margin, notes, oracle, orders, units
from zkats.domain.scenario_grid import GRID
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat

NOW = 1_700_000_000
G = units.GREEK_SCALE
BTC, ETH = oracle.asset_id("BTC"), oracle.asset_id("ETH")
KEY = keys.SpendingKey.from_seed(b"risk-engine")
BTC_PERP = instruments.perpetual("BTC", tick=1)
ETH_PERP = instruments.perpetual("ETH", tick=1)
BTC_FUT = instruments.future("BTC", NOW + 30 * 86400)
BTC_CALL = instruments.option("BTC", NOW + 30 * 86400, 60_000, "call")
EPOCH = oracle.Epoch(
    7,
    (
        oracle.EpochEntry(BTC_PERP.id, 60_000, 60_000, G, 0, 1000, 500, asset=BTC),
        oracle.EpochEntry(ETH_PERP.id, 3_000, 3_000, G, 0, 1000, 500, asset=ETH),
        oracle.EpochEntry(BTC_FUT.id, 60_000, 60_000, G, 0, 1000, 500, 0, oracle.FUTURE, asset=BTC),
        oracle.EpochEntry(
            BTC_CALL.id,
            2_500,
            60_000,
            G // 2,
            0,
            1500,
            1000,
            0,
            oracle.CALL,
            60_000,
            asset=BTC,
            risk=call_risk(2_500, 60_000, 60_000, 30 / 365),
        ),
    ),
)


def _note(collateral, model, *slots, salt=5):
    return notes.Note(KEY.account, KEY.npk, collateral, model, tuple(slots), salt)


def _spend(note):
    tree = MerkleTree(units.TREE_DEPTH)
    return Spend.from_tree(tree, tree.append(note.commitment()), note, KEY), tree.root


@pytest.fixture(scope="module")
def cc_transition():
    return compiled(transition.Transition)


@pytest.fixture(scope="module")
def cc_health():
    return compiled(health.Health)


@pytest.fixture(scope="module")
def cc_liquidate():
    return compiled(liquidate.Liquidate)


# ------------------------------------------------------------------ native
def test_long_btc_short_eth_needs_both_worst_cases():
    """Equal notional (600,000 each): the requirement is the BTC bucket's
    worst loss plus the ETH bucket's, never their netted sum."""
    long_btc = notes.Slot(BTC_PERP.id, 10, 600_000)
    short_eth = notes.Slot(ETH_PERP.id, -200, -600_000)
    both = _note(0, 1, long_btc, short_eth)
    alone_btc, alone_eth = _note(0, 1, long_btc), _note(0, 1, short_eth)
    req = margin.requirement(both, EPOCH)
    assert req == margin.requirement(alone_btc, EPOCH) + margin.requirement(alone_eth, EPOCH)
    # worst cases: BTC at -66% (weighted 25%), ETH at +500% (weighted 3.5%)
    assert margin.worst_losses(both, EPOCH) == [99_000, 105_000 + 200, 0]
    # had one price shock applied to both, the pair would net to (almost) nothing
    netted = [sum(row) for row in zip(*margin.bucket_pnl(both, EPOCH, [0, 1, 0]))]
    assert max(0, -min(netted)) < 1_000 < req


def test_risk_arrays_are_the_pricing_modules():
    """The option's array is Black-76's full revaluation on the venue grid;
    a perpetual's and a future's are exact; all against direct revaluation."""
    from zkats.pricing import black76, implied_vol

    call = EPOCH.entry(BTC_CALL.id)
    years = 30 / 365
    vol = float(implied_vol(2_500, 60_000, 60_000, years, True))
    for (move, shock, weight), r in zip(GRID, call.risk):
        vf = 1 + shock / 1e4 * (30 / max(1.0, years * 365)) ** 0.3
        v = float(black76(60_000 * (1 + move / 1e4), 60_000, years, vol * vf, True).price)
        assert r == pytest.approx(weight / 1e4 * (v - 2_500), abs=1.0)
        assert r <= weight / 1e4 * (v - 2_500) + 1e-6  # rounded down
    perp = EPOCH.entry(BTC_PERP.id)
    assert perp.risk == tuple(60_000 * m * w // 10**8 for m, _, w in GRID)


# -------------------------------------------------------------- the attacks
def test_gross_notional_attack_rejected(cc_transition):
    """The issue's first attack: long 1,000 BTC (60,000,000) on 40,000 of
    collateral, then sell 20,000 ETH (60,000,000).  Under the old
    single-shock model the pair netted to nothing; now both worst cases
    count: refused by the native check and by the constraints, also with
    made-up bucket witnesses."""
    for model in (0, 1):
        old = _note(40_000, model, notes.Slot(BTC_PERP.id, 1_000, 60_000_000))
        spend, root = _spend(old)
        leg = orders.Leg(ETH_PERP.id, KEY.account, -20_000, -60_000_000, 9)
        pub, prv = transition.build(spend, root, leg, EPOCH, new_salt=6)
        assert_native_rejects(transition.check, pub, prv, "initial margin not met")
        inp = transition.inputs(pub, prv)
        assert_unsat(cc_transition, inp, "margin", lie=True)
    # the prover's lies under the scenario model
    assert inp["bucket_asset"][:2] == [BTC, ETH]
    # 1. claim no loss at all
    assert_unsat(cc_transition, {**inp, "worst": [0, 0, 0]}, "worst")
    # 2. net ETH into the BTC bucket (one price shock for both)
    assert_unsat(cc_transition, {**inp, "bucket": [0, 0, 0]}, "buckets")
    # 3. label the ETH bucket BTC
    assert_unsat(cc_transition, {**inp, "bucket_asset": [BTC, BTC, 0]}, "buckets")


def test_short_calls_scenario_model_rejected(cc_transition):
    """The issue's second attack under the scenario model: short 100 calls on
    40,000 of collateral; the +500% extreme move alone loses far more."""
    old = _note(40_000, 1)
    spend, root = _spend(old)
    leg = orders.Leg(BTC_CALL.id, KEY.account, -100, -250_000, 9)
    pub, prv = transition.build(spend, root, leg, EPOCH, new_salt=6)
    assert_native_rejects(transition.check, pub, prv, r"initial margin not met \(scenario")
    assert_unsat(cc_transition, transition.inputs(pub, prv), "margin", lie=True)
    assert margin.requirement(prv.new_note, EPOCH) > 1_000_000


# ----------------------------------------------------------------- boundary
PORTFOLIO = (
    notes.Slot(BTC_PERP.id, 3, 3 * 60_000),
    notes.Slot(ETH_PERP.id, -40, -40 * 3_000),
    notes.Slot(BTC_CALL.id, -5, -5 * 2_500),
)


@pytest.mark.parametrize("model", [0, 1])
@pytest.mark.parametrize("maintenance", [False, True])
def test_boundary_is_exact(cc_health, model, maintenance):
    """c passes, c - 1 fails: natively for both levels; the maintenance
    level also by the health statement's constraints."""
    base = _note(0, model, *PORTFOLIO)
    need = units.ceil_div(-margin.slack(base, EPOCH, maintenance), margin.LINEAR_SCALE)
    assert need > 0
    for coll, ok in ((need, True), (need - 1, False)):
        n = replace(base, collateral=coll)
        assert margin.meets(n, EPOCH, maintenance) is ok
        if not maintenance:
            continue
        spend, root = _spend(n)
        pub, prv = health.build(spend, root, EPOCH)
        inp = health.inputs(pub, prv)
        if ok:
            assert cc_health.solve(inp).public == pub.proof_values()
        else:
            assert_native_rejects(health.check, pub, prv, "maintenance margin not met")
            assert_unsat(cc_health, inp, "margin", lie=True)


def test_boundary_of_a_trade(cc_transition):
    """Initial margin at the transition: the least collateral to sell 5 calls
    into a BTC/ETH book proves; one unit less does not."""
    book = PORTFOLIO[:2]
    leg = orders.Leg(BTC_CALL.id, KEY.account, -5, -12_500, 9)

    def attempt(coll):
        spend, root = _spend(_note(coll, 1, *book))
        return transition.build(spend, root, leg, EPOCH, new_salt=6)

    probe = transition.build(*_spend(_note(10**9, 1, *book)), leg, EPOCH, new_salt=6)[1]
    extra = units.ceil_div(-margin.slack(replace(probe.new_note, collateral=0), EPOCH), 10_000)
    need = extra + (10**9 - probe.new_note.collateral)  # the fee is paid from collateral
    pub, prv = attempt(need)
    assert transition.check(pub, prv)
    assert cc_transition.solve(transition.inputs(pub, prv)).public == pub.proof_values()
    pub, prv = attempt(need - 1)
    assert_native_rejects(transition.check, pub, prv, "initial margin not met")
    assert_unsat(cc_transition, transition.inputs(pub, prv), "margin")


# -------------------------------------------------------------- liquidation
def test_hedged_account_cannot_be_split_by_a_liquidator(cc_liquidate, monkeypatch):
    """Long 10 BTC perpetuals, short 10 BTC futures: hedged, healthy on
    1,000.  A liquidator puts the two legs in two "BTC" buckets to charge
    the down move to one and the up move to the other: the distinct-assets
    constraint refuses it, and the honest witness finds no failing scenario."""
    n = _note(
        1_000,
        1,
        notes.Slot(BTC_PERP.id, 10, 600_000),
        notes.Slot(BTC_FUT.id, -10, -600_000),
    )
    assert margin.meets(n, EPOCH, maintenance=True)
    spend, root = _spend(n)
    with pytest.raises(Exception, match="meets maintenance margin"):
        liquidate.build(spend, root, EPOCH)
    monkeypatch.setattr(margin, "meets", lambda *a, **k: False)
    pub, prv = liquidate.build(spend, root, EPOCH, new_salt=4)
    monkeypatch.undo()
    assert_native_rejects(liquidate.check, pub, prv, "meets maintenance margin")
    inp = liquidate.inputs(pub, prv)
    assert_unsat(cc_liquidate, inp, "margin_fails")
    split = {**inp, "bucket": [0, 1, 0], "bucket_asset": [BTC, BTC, 0], "scenario": [14, 15, 0]}
    assert_unsat(cc_liquidate, split, "distinct")


def test_unhealthy_account_liquidates_per_bucket(cc_liquidate):
    """Below maintenance under the scenario model: the liquidation proves
    with one failing scenario per bucket."""
    n = _note(10_000, 1, *PORTFOLIO)
    assert not margin.meets(n, EPOCH, maintenance=True)
    spend, root = _spend(n)
    pub, prv = liquidate.build(spend, root, EPOCH, new_salt=4)
    assert liquidate.check(pub, prv)
    inp = liquidate.inputs(pub, prv)
    assert len(inp["scenario"]) == units.N_UNDERLYINGS
    assert cc_liquidate.solve(inp).public == pub.proof_values()
