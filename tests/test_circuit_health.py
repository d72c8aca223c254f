"""The ``health`` circuit, and native margin == in-circuit margin on random
portfolios (both models), including the exact boundary."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from venue_helpers import compiled
from zkats.circuits import health
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend
from zkats.domain import margin, notes, oracle, units
from zkats.errors import UnsatisfiedConstraint
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat

N_CONSTRAINTS = 15441


@pytest.fixture(scope="module")
def cc():
    return compiled(health.Health)


def _prove_inputs(note, key, epoch):
    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(note.commitment())
    return health.build(Spend.from_tree(tree, i, note, key), tree.root, epoch)


def _solves(cc, pub, prv):
    try:
        cc.solve(health.inputs(pub, prv))
        return True
    except UnsatisfiedConstraint as e:
        assert "margin" in str(e), str(e)
        return False


def test_valid(cc):
    sc = scenario()
    pub, prv = health.build(sc.spend("bob"), sc.root, sc.epoch)
    assert health.check(pub, prv)
    assert cc.solve(health.inputs(pub, prv)).public == pub.proof_values()
    assert cc.n_constraints == N_CONSTRAINTS
    assert cc.n_pub_in == health.Health.n_public()


def test_wrong_account_or_epoch(cc):
    sc = scenario()
    pub, prv = health.build(sc.spend("bob"), sc.root, sc.epoch)
    bad = pub.replace(account=sc.alice.account)
    assert_native_rejects(health.check, bad, prv, "not this account")
    assert_unsat(cc, health.inputs(bad, prv))
    bad = pub.replace(epoch_hash=pub.epoch_hash + 1)
    assert_native_rejects(health.check, bad, prv, "wrong oracle epoch")
    assert_unsat(cc, health.inputs(bad, prv), "epoch")


@pytest.mark.parametrize("model", [0, 1])
def test_boundary_is_exact(cc, model):
    """The least collateral meeting maintenance margin proves; one unit less
    does not (native and circuit agree to the unit)."""
    sc = scenario()
    slots = (notes.Slot(sc.perp.id, -7, -7 * 61_000), notes.Slot(sc.call.id, 5, 5 * 2_400))
    base = notes.Note(sc.bob.account, sc.bob.npk, 0, model, slots, 77)
    # the least collateral: the slack at collateral 0 grows by 10000 per unit
    need = units.ceil_div(-margin.slack(base, sc.epoch, maintenance=True), margin.LINEAR_SCALE)
    assert need > 0
    for coll, ok in ((need, True), (need - 1, False)):
        n = replace(base, collateral=coll)
        assert margin.meets(n, sc.epoch, maintenance=True) is ok
        pub, prv = _prove_inputs(n, sc.bob, sc.epoch)
        if not ok:
            assert_native_rejects(health.check, pub, prv, "maintenance margin not met")
        assert _solves(cc, pub, prv) is ok


def test_under_margined_lying_hint(cc):
    sc = scenario()
    n = notes.Note(sc.bob.account, sc.bob.npk, 0, 0, (notes.Slot(sc.perp.id, 10, 600_000),), 5)
    pub, prv = _prove_inputs(n, sc.bob, sc.epoch)
    assert_native_rejects(health.check, pub, prv, "maintenance margin not met")
    assert_unsat(cc, health.inputs(pub, prv), "margin", lie=True)


G = units.GREEK_SCALE
entry = st.builds(
    lambda mark, under, delta, gamma, mm, extra, asset, risk: (
        (mark, under, delta, gamma, mm + extra, mm),
        {"asset": asset, "risk": tuple(risk)},
    ),
    st.integers(1, 10**7),
    st.integers(1, 10**7),
    st.integers(-G, G),
    st.integers(-5 * G, 5 * G),
    st.integers(0, 3000),
    st.integers(0, 3000),
    # two underlyings or each its own; random risk arrays (scenario model)
    st.sampled_from([0, 11, 12]),
    st.lists(
        st.integers(-(10**7), 10**7), min_size=margin.N_SCENARIOS, max_size=margin.N_SCENARIOS
    ),
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(entry, min_size=units.N_SLOTS, max_size=units.N_SLOTS),
    positions=st.lists(
        st.integers(-(10**4), 10**4), min_size=units.N_SLOTS, max_size=units.N_SLOTS
    ),
    costs=st.lists(st.integers(-(10**9), 10**9), min_size=units.N_SLOTS, max_size=units.N_SLOTS),
    collateral=st.integers(0, 10**10),
    model=st.sampled_from([0, 1]),
)
def test_native_equals_circuit_on_random_portfolios(
    cc, entries, positions, costs, collateral, model
):
    sc = scenario()
    ids = [sc.perp.id, sc.call.id, 777]
    ep = oracle.Epoch(9, tuple(oracle.EpochEntry(i, *e, **kw) for i, (e, kw) in zip(ids, entries)))
    slots = tuple(notes.Slot(i, x, c) for i, x, c in zip(ids, positions, costs))
    n = notes.Note(sc.bob.account, sc.bob.npk, collateral, model, slots, 3)
    pub, prv = _prove_inputs(n, sc.bob, ep)
    assert _solves(cc, pub, prv) is margin.meets(n, ep, maintenance=True)
