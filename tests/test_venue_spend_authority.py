"""Spend authority (VENUE-CONTRACT rules 1, 6 and 9): only the owner's
spending key moves value; the liquidation capability proves `liquidate` and
nothing else; an authorisation covers one whole statement; two spends of one
account share no public value.  Each attack is the attacker's own witness,
rejected by the native check AND by the constraints."""

from dataclasses import replace

import pytest

from venue_helpers import compiled
from zkats.circuits import deposit, liquidate, transition, withdraw
from zkats.circuits._groups import NewNote
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend, authorise
from zkats.domain import keys, notes, units
from zkats.errors import InputError
from zkats.gadgets.eddsa import eddsa_sign_poseidon
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat
from zkats.venue import batch as B


@pytest.fixture(scope="module")
def cc():
    return {
        c.circuit_name: compiled(c)
        for c in (deposit.Deposit, withdraw.Withdraw, transition.Transition, liquidate.Liquidate)
    }


def _unsigned(spend):
    """The spend as a thief holds it: opening, nk, viewing key, no signer."""
    return replace(spend, signer=None, auth=None)


def _thief_signers(sc, name):
    """Every key a thief may hold without the owner's spending key."""
    key = sc.key(name)
    cap = key.liquidation_capability()
    return {
        "liquidation capability": lambda msg: cap.sign(msg),
        "a key of its own": lambda msg: keys.SpendingKey.from_seed(b"thief").sign(msg),
        "the nullifier key as a signing key": lambda msg: eddsa_sign_poseidon(
            key.nk.to_bytes(32, "big"), msg
        ),
    }


def _forge(pub, prv, sign):
    """The thief signs the statement's message with a key it holds."""
    sig = sign(pub.statement.message(pub))
    return replace(prv, spend=replace(prv.spend, auth=sig))


def _statements(sc, spend):
    """Every note-replacing statement a thief would want, for alice's note."""
    legs = sc.match.legs()
    return {
        "withdraw": (
            withdraw,
            withdraw.build(spend, sc.root, 1_000_000, 0xBAD, sc.epoch, new_salt=7),
        ),
        "transition": (transition, transition.build(spend, sc.root, legs[0], sc.epoch, new_salt=7)),
        # a deposit of 1 re-salts the note with a salt only the thief knows: a lock-out
        "deposit": (deposit, deposit.build(spend, sc.root, 1, new_salt=7)),
    }


@pytest.mark.parametrize("what", ["withdraw", "transition", "deposit"])
def test_no_note_replacement_without_the_spending_key(cc, what):
    sc = scenario()
    spend = _unsigned(sc.spend("alice"))
    mod, (pub, prv) = _statements(sc, spend)[what]
    assert prv.spend.auth is None  # nothing signed it
    for _who, sign in _thief_signers(sc, "alice").items():
        forged = _forge(pub, prv, sign)
        assert_native_rejects(mod.check, pub, forged, "not authorised by the owner's spending key")
        assert_unsat(cc[what], mod.inputs(pub, forged), "authorisation")
    # and the honest owner can
    good = authorise(pub, prv, sc.alice)
    assert mod.check(pub, good)
    cc[what].solve(mod.inputs(pub, good))


def test_capability_cannot_authorise_other_statements():
    sc = scenario()
    cap = sc.alice.liquidation_capability()
    pub, prv = withdraw.build(_unsigned(sc.spend("alice")), sc.root, 1, 2, sc.epoch)
    with pytest.raises(InputError, match="needs the owner's spending key"):
        authorise(pub, prv, cap)


def test_liquidation_works_with_the_capability_alone(cc):
    sc = scenario()
    cap = sc.carol.liquidation_capability()
    spend = Spend.from_tree(sc.tree, sc.notes["carol"][0], sc.notes["carol"][1], cap)
    pub, prv = liquidate.build(spend, sc.root, sc.epoch, new_salt=9)
    assert prv.spend.auth is not None
    assert liquidate.check(pub, prv)
    assert cc["liquidate"].solve(liquidate.inputs(pub, prv)).public == pub.proof_values()
    # the owner's ak signature is not a liquidation authorisation
    owner = _forge(pub, prv, sc.carol.sign)
    assert_native_rejects(liquidate.check, pub, owner, "not authorised by the liquidation")
    assert_unsat(cc["liquidate"], liquidate.inputs(pub, owner), "authorisation")


def test_no_liquidation_of_a_healthy_account(cc):
    sc = scenario()
    cap = sc.bob.liquidation_capability()
    spend = Spend.from_tree(sc.tree, sc.notes["bob"][0], sc.notes["bob"][1], cap)
    with pytest.raises(InputError, match="meets maintenance margin"):
        liquidate.build(spend, sc.root, sc.epoch)
    # the attacker's witness: carol's statement shape on bob's healthy note
    note = sc.notes["bob"][1]
    pub = liquidate.Liquidate.public(
        root=sc.root,
        nullifier=note.nullifier(cap.nk),
        account=note.account,
        epoch_id=sc.epoch.epoch_id,
        epoch_hash=sc.epoch.hash(),
        penalty=0,
        shortfall=0,
        **liquidate.taken_signals([(0, 0, 0)] * units.N_SLOTS),
        **NewNote.public(note.with_salt(9), cap.view),
    )
    prv = liquidate.LiquidatePrivate(spend, (0,) * units.N_SLOTS, note.with_salt(9), sc.epoch)
    prv = authorise(pub, prv, cap)
    assert_native_rejects(liquidate.check, pub, prv, "meets maintenance margin")
    assert_unsat(cc["liquidate"], liquidate.inputs(pub, prv), "margin_fails", lie=True)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 999_999},
        {"recipient": 0xEE11},
        {"epoch_id": 43},
        {"commitment": 12345},
        {"nullifier": 777},
    ],
    ids=lambda c: next(iter(c)),
)
def test_authorisation_covers_the_whole_withdrawal(cc, change):
    sc = scenario()
    pub, prv = withdraw.build(sc.spend("alice"), sc.root, 1_000, 0xBEEF, sc.epoch, new_salt=5)
    assert withdraw.check(pub, prv)
    moved = pub.replace(**change)  # the owner's signature, another statement
    with pytest.raises(InputError):
        withdraw.check(moved, prv)
    assert_unsat(cc["withdraw"], withdraw.inputs(moved, prv))
    if set(change) == {"recipient"}:  # the statement is otherwise valid: only the
        # signature can catch it
        with pytest.raises(InputError, match="not authorised"):
            withdraw.check(moved, prv)
        assert_unsat(cc["withdraw"], withdraw.inputs(moved, prv), "authorisation")


def test_authorisation_not_replayable_across_statements(cc):
    sc = scenario()
    legs = sc.match.legs()
    t_pub, t_prv = transition.build(sc.spend("alice"), sc.root, legs[0], sc.epoch, new_salt=5)
    w_pub, w_prv = withdraw.build(
        _unsigned(sc.spend("alice")), sc.root, 1_000, 0xBEEF, sc.epoch, new_salt=5
    )
    # the transition's signature attached to a withdrawal of the same note
    stolen = replace(w_prv, spend=replace(w_prv.spend, auth=t_prv.spend.auth))
    assert_native_rejects(withdraw.check, w_pub, stolen, "not authorised")
    assert_unsat(cc["withdraw"], withdraw.inputs(w_pub, stolen), "authorisation")
    # a transition's signature reused for the other leg (another leg, same note)
    other = replace(legs[1], account=sc.alice.account)
    o_pub, o_prv = transition.build(
        _unsigned(sc.spend("alice")), sc.root, other, sc.epoch, new_salt=5
    )
    o_stolen = replace(o_prv, spend=replace(o_prv.spend, auth=t_prv.spend.auth))
    assert_native_rejects(transition.check, o_pub, o_stolen, "not authorised")
    assert_unsat(cc["transition"], transition.inputs(o_pub, o_stolen), "authorisation")


def test_two_spends_of_one_account_are_unlinkable():
    """Two consecutive spends of alice's account (a withdrawal, then a
    transition of the note it created) share no public value but context
    that a spend of bob's account shares too (the epoch): no key, account id,
    note, nullifier or signature of alice's is public."""
    sc = scenario()
    tree = MerkleTree(units.TREE_DEPTH)
    for _, note in sc.notes.values():
        tree.append(note.commitment())
    i0, n0 = sc.notes["alice"]
    a1, p1 = withdraw.build(
        Spend.from_tree(tree, i0, n0, sc.alice), tree.root, 1_000, 0xBEEF, sc.epoch, new_salt=5
    )
    i1 = tree.append(p1.new_note.commitment())
    a2, p2 = transition.build(
        Spend.from_tree(tree, i1, p1.new_note, sc.alice), tree.root, sc.match.legs()[0], sc.epoch
    )
    assert withdraw.check(a1, p1) and transition.check(a2, p2)
    ib, nb = sc.notes["bob"]
    b1, _ = withdraw.build(
        Spend.from_tree(tree, ib, nb, sc.bob), tree.root, 2_000, 0xF00D, sc.epoch, new_salt=6
    )
    shared = set(a1.values()) & set(a2.values())
    assert shared <= set(b1.values()) and shared <= {sc.epoch.epoch_id, sc.epoch.hash()}
    secret = {
        sc.alice.account,
        sc.alice.npk,
        sc.alice.nk,
        *sc.alice.ak,
        *sc.alice.lk,
        sc.alice.vsk,
        sc.alice.vsk,
        n0.commitment(),
    }
    public = set(a1.values()) | set(a2.values())
    assert not secret & public
    # the authorisations are private inputs: no public signal is a signature part
    for prv in (p1, p2):
        (rx, ry), sig_s = prv.spend.auth
        assert not {rx, ry, sig_s} & public


ROLE_CIRCUITS = ["deposit", "withdraw", "match", "transition", "health", "liquidate", "order"]


@pytest.mark.parametrize("kind", B.kinds())
def test_role_circuit_mismatch_rejected(kind):
    from _settlement_util import GOOD

    for role, right in B.roles(kind).items():
        for wrong in ROLE_CIRCUITS:
            if wrong == right:
                continue
            proofs = {
                r: B.ProofBundle(circuit=wrong if r == role else c, public=(1,), proof=GOOD)
                for r, c in B.roles(kind).items()
            }
            netting = B.NettingProof(R=(0, 1), s=1) if kind == "trade" else None
            with pytest.raises(InputError, match=f"{role} proof must be a {right} proof"):
                B.Item(kind, proofs, netting=netting)


def test_service_binds_roles_even_past_the_item_check(tmp_path):
    """An Item built around its own check (object.__setattr__) still gets
    its proof verified with the role's key, and refused naming the item."""
    from _settlement_util import deposit as dep_item, publish, service, withdraw as wd_item
    from zkats.errors import LedgerError

    svc = service(tmp_path / "l.db")
    publish(svc, 1, 1111, 20_000)
    svc.apply(B.Batch([dep_item(101, 1, 500)]))
    item = wd_item(31, 32, 1, 300)
    forged = {"withdraw": replace(dep_item(102, 1, 300).proofs["deposit"])}
    object.__setattr__(item, "proofs", forged)
    with pytest.raises(LedgerError, match=r"item 0 \(withdraw\): withdraw proof must be a"):
        svc.apply(B.Batch([item]))
    assert svc.ledger.escrow_balance(7) == 500


def _fresh_cases(sc, carol):
    empty = notes.Note.open(carol, salt=99)
    slot = notes.Slot(sc.perp.id, 0, 0)
    return {
        "collateral": replace(empty, collateral=1),
        "instrument": replace(empty, slots=(slot,) + empty.slots[1:]),
        "position": replace(empty, slots=(notes.Slot(0, 1, 0),) + empty.slots[1:]),
        "cost": replace(empty, slots=(notes.Slot(0, 0, -5),) + empty.slots[1:]),
    }


@pytest.mark.parametrize("field_", ["collateral", "instrument", "position", "cost", "model"])
def test_fresh_account_fields_constrained(cc, field_):
    sc = scenario()
    carol = keys.SpendingKey.from_seed(b"carol")
    if field_ == "model":
        from zkats.domain import tags
        from zkats.gadgets.poseidon_hash import poseidon_plain

        note = notes.Note.open(carol, salt=99)
        pub, prv = deposit.build(Spend.fresh(note, carol), sc.root, 500, fresh=True, new_salt=4)
        # the attacker's consistent witness: a fresh note with margin model 2
        old = note.fields()
        old[3] = 2
        new = list(old)
        new[2] = 500
        pub = pub.replace(commitment=poseidon_plain([tags.NOTE] + new + [4]))
        prv = authorise(pub, prv, carol)
        inp = deposit.inputs(pub, prv)
        inp["old_note"] = old
        assert_unsat(cc["deposit"], inp)
        with pytest.raises(InputError, match="model"):
            notes.Note(carol.account, carol.npk, 0, 2, (), 99)
        return
    bad = _fresh_cases(sc, carol)[field_]
    pub, prv = deposit.build(Spend.fresh(bad, carol), sc.root, 500, fresh=True, new_salt=4)
    assert_native_rejects(deposit.check, pub, prv, "starts from the empty note")
    assert_unsat(cc["deposit"], deposit.inputs(pub, prv), "fresh_is_empty")


def test_capability_file_cannot_withdraw(tmp_path):
    """The CLI path: a liquidation capability or viewing key file is refused
    for every owner action, before anything is proved."""
    from zkats.venue.workflow import Wallet

    w = Wallet.create(tmp_path / "a.wallet")
    cap = w.export(tmp_path / "a.cap", "liquidation")
    view = w.export(tmp_path / "a.view", "viewing")
    assert (tmp_path / "a.cap").stat().st_mode & 0o777 == 0o600
    assert w.key.sk.hex() not in (tmp_path / "a.cap").read_text()
    assert w.key.sk.hex() not in (tmp_path / "a.view").read_text()
    for f in (cap, view):
        loaded = Wallet.load(f.path)
        assert loaded.account == w.account
        with pytest.raises(InputError, match="needs the owner's wallet"):
            loaded.owner_key("a withdrawal")
    assert Wallet.load(cap.path).liquidation_key().account == w.account
    with pytest.raises(InputError, match="needs a liquidation capability"):
        Wallet.load(view.path).liquidation_key()
