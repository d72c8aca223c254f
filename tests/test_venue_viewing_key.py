"""The viewing key follows an account: every new note's opening is published
encrypted under the account's viewing secret ``vsk``, and the constraints
make the ciphertext right (``NewNote``; :mod:`zkats.domain.note_cipher`).

Each attack is refused by the native check AND by the constraints; the
ledger stores each leaf's ciphertext and a viewing key or capability file
follows the account from it alone (``Wallet.sync``).  The real-proof run
(deposits, trades, withdrawals, a liquidation by a capability exported
before the trades) is in ``test_cli_venue.test_cli_happy_paths_with_real_proofs``."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from test_cli_venue import ok, one_line_error, run
from venue_helpers import compiled, resign
from zkats.circuits import deposit, liquidate, transition, withdraw
from zkats.circuits._scenario import scenario
from zkats.domain import keys, note_cipher, notes, units
from zkats.errors import InputError
from zkats.field import R
from zkats.testing import assert_native_rejects, assert_unsat


def _statements(sc):
    legs = sc.match.legs()
    return {
        "deposit": (deposit, sc.alice, deposit.build(sc.spend("alice"), sc.root, 7, new_salt=3)),
        "withdraw": (
            withdraw,
            sc.alice,
            withdraw.build(sc.spend("alice"), sc.root, 9, 0xBEEF, sc.epoch, new_salt=4),
        ),
        "transition": (
            transition,
            sc.bob,
            transition.build(sc.spend("bob"), sc.root, legs[1], sc.epoch, new_salt=5),
        ),
        "liquidate": (
            liquidate,
            sc.carol.liquidation_capability(),
            liquidate.build(sc.spend("carol"), sc.root, sc.epoch, new_salt=6),
        ),
    }


def test_roundtrip_and_other_keys():
    sc = scenario()
    note = sc.notes["alice"][1].apply_leg(sc.perp.id, -3, -180_000, salt=77)
    cm = note.commitment()
    ct = note_cipher.encrypt(note, sc.alice.vsk)
    assert len(ct) == note_cipher.N_CT and all(0 <= c < R for c in ct)
    assert note_cipher.decrypt(sc.alice.view, cm, ct) == note
    # the native batch (what a wallet uses over the ledger) is the same keystream
    assert note_cipher.keystreams(sc.alice.vsk, [cm, 5]) == [
        note_cipher.keystream(sc.alice.vsk, cm),
        note_cipher.keystream(sc.alice.vsk, 5),
    ]
    # the other accounts' viewing keys decrypt nothing; nor does a wrong commitment
    assert note_cipher.decrypt(sc.bob.view, cm, ct) is None
    assert note_cipher.decrypt(sc.alice.view, cm + 1, ct) is None
    # bound to the commitment: the same opening re-salted has an unrelated ciphertext
    other = note_cipher.encrypt(note.with_salt(78), sc.alice.vsk)
    assert not set(other) & set(ct)


def _extreme_note(sc, low):
    """alice's note with every packed field at the bottom (``low``) or top of
    its range: collateral, model, each slot's position and cost."""
    pos = -(1 << (units.POSITION_BITS - 1)) if low else (1 << (units.POSITION_BITS - 1)) - 1
    cost = -(1 << (units.COST_BITS - 1)) if low else (1 << (units.COST_BITS - 1)) - 1
    coll = 0 if low else (1 << units.COLLATERAL_BITS) - 1
    slots = tuple(notes.Slot(R - 1 - j, pos, cost) for j in range(units.N_SLOTS))
    a = sc.alice
    return notes.Note(a.account, a.npk, coll, 0 if low else 1, slots, R - 2)


@pytest.mark.parametrize("low", [True, False])
def test_packing_is_exact_at_the_ends_of_every_range(low):
    """The plaintext packs collateral with the model and two slots' encoded
    position and cost per word (:func:`note_cipher.pack`): at the ends of
    each range the words unpack to the committed fields and the note decrypts."""
    sc = scenario()
    note = _extreme_note(sc, low)
    words = note_cipher.plaintext(note)
    assert len(words) == note_cipher.N_CT == 1 + units.N_SLOTS + (units.N_SLOTS + 1) // 2 + 1
    coll, model, slots, salt = note_cipher.unpack(words)
    f = note.fields()
    assert (coll, model, salt) == (f[2], f[3], note.salt)
    assert [x for s in slots for x in s] == f[4:]
    ct = note_cipher.encrypt(note, sc.alice.vsk)
    assert note_cipher.decrypt(sc.alice.view, note.commitment(), ct) == note


_POS = 1 << (units.POSITION_BITS - 1)
_COST = 1 << (units.COST_BITS - 1)


@settings(max_examples=60, deadline=None)
@given(
    collateral=st.integers(0, (1 << units.COLLATERAL_BITS) - 1),
    model=st.integers(0, 1),
    slots=st.lists(
        st.tuples(
            st.integers(0, R - 1), st.integers(-_POS, _POS - 1), st.integers(-_COST, _COST - 1)
        ),
        min_size=units.N_SLOTS,
        max_size=units.N_SLOTS,
    ),
    salt=st.integers(0, R - 1),
)
def test_any_note_in_range_packs_and_decrypts_to_itself(collateral, model, slots, salt):
    """Every note whose fields are in their ranges (what the circuits that
    make notes guarantee) packs into words that unpack to its fields, and
    its ciphertext decrypts to it under its account's key only."""
    sc = scenario()
    a = sc.alice
    note = notes.Note(
        a.account, a.npk, collateral, model, tuple(notes.Slot(*s) for s in slots), salt
    )
    f = note.fields()
    assert note_cipher.unpack(note_cipher.plaintext(note)) == (
        f[2],
        f[3],
        [tuple(f[4 + 3 * j : 7 + 3 * j]) for j in range(units.N_SLOTS)],
        salt,
    )
    ct = note_cipher.encrypt(note, a.vsk)
    assert note_cipher.decrypt(a.view, note.commitment(), ct) == note
    assert note_cipher.decrypt(sc.bob.view, note.commitment(), ct) is None


@pytest.mark.parametrize("word", ["first", "pair"])
def test_a_word_beyond_what_a_note_packs_to_is_not_a_note(word):
    """A word one bit wider than any note's (model 2, or bits above the last
    slot of a pair) decrypts to nothing, never to another note."""
    sc = scenario()
    note = _extreme_note(sc, low=False)
    ct = list(note_cipher.encrypt(note, sc.alice.vsk))
    i = 0 if word == "first" else 1 + units.N_SLOTS
    shift = (
        units.COLLATERAL_BITS + 1
        if word == "first"
        else 2 * (units.POSITION_BITS + units.COST_BITS)
    )
    words = note_cipher.plaintext(note)
    words[i] += 1 << shift
    assert note_cipher.unpack(words) is None
    ct[i] = (ct[i] + (1 << shift)) % R
    assert note_cipher.decrypt(sc.alice.view, note.commitment(), ct) is None


@pytest.mark.parametrize("i", range(note_cipher.N_CT))
def test_one_element_changed_is_not_the_note(i):
    sc = scenario()
    note = sc.notes["bob"][1]
    ct = list(note_cipher.encrypt(note, sc.bob.vsk))
    ct[i] = (ct[i] + 1) % R
    assert note_cipher.decrypt(sc.bob.view, note.commitment(), ct) is None


@pytest.mark.parametrize("name", ["deposit", "withdraw", "transition", "liquidate"])
def test_honest_ciphertext_decrypts_to_the_new_note(name):
    sc = scenario()
    mod, signer, (pub, prv) = _statements(sc)[name]
    assert mod.check(pub, prv)
    assert note_cipher.decrypt(signer.view, pub.commitment, pub.ciphertext) == prv.new_note
    assert compiled(pub.statement).solve(mod.inputs(pub, prv)).public == pub.proof_values()


@pytest.mark.parametrize("name", ["deposit", "withdraw", "transition", "liquidate"])
@pytest.mark.parametrize("i", [0, 1, 5])
def test_wrong_ciphertext_rejected(name, i):
    """One element changed, the whole statement re-signed by its authority:
    the native check and the constraints refuse it."""
    sc = scenario()
    mod, signer, (pub, prv) = _statements(sc)[name]
    ct = list(pub.ciphertext)
    ct[i] = (ct[i] + 1) % R
    bad, bprv = resign(pub, prv, signer, ciphertext=tuple(ct))
    assert_native_rejects(mod.check, bad, bprv, "ciphertext is not the new note's")
    assert_unsat(compiled(pub.statement), mod.inputs(bad, bprv), "ciphertext")


@pytest.mark.parametrize("name", ["deposit", "withdraw", "transition"])
def test_carried_ciphertext_is_bound_by_its_public_hash(name):
    """A statement its owner makes carries the ciphertext beside the proof:
    one Groth16 public input (``ciphertext_hash``) instead of one per word.
    The record (a bundle's ``public``) is the public signals, then the
    words; a record whose words are not the hashed ones is refused when
    decoded, and the constraints refuse a hash that is not the words'."""
    sc = scenario()
    mod, _, (pub, prv) = _statements(sc)[name]
    cls = pub.statement
    assert "ciphertext" not in cls.public_names() and cls.public_names()[-1] == "ciphertext_hash"
    assert cls.n_record() == cls.n_public() + note_cipher.N_CT
    record = pub.values()
    assert record == pub.proof_values() + list(pub.ciphertext)
    assert cls.decode(record) == pub
    # the words are checked against the hash, one changed anywhere
    for i in (0, note_cipher.N_CT - 1):
        bad = list(record)
        bad[cls.n_public() + i] = (bad[cls.n_public() + i] + 1) % R
        with pytest.raises(InputError, match="ciphertext_hash is not the hash of the ciphertext"):
            cls.decode(bad)
    # ... and so is the hash
    bad = list(record)
    bad[cls.n_public() - 1] = (bad[cls.n_public() - 1] + 1) % R
    with pytest.raises(InputError, match="not the hash"):
        cls.decode(bad)
    # a record without its words: the same proof's statement, no ciphertext
    short = cls.decode(record[: cls.n_public()])
    assert short.ciphertext is None and short.proof_values() == pub.proof_values()
    with pytest.raises(InputError, match=r"expected \d+ \(or \d+ without them\)"):
        cls.decode(record[:-1])
    with pytest.raises(InputError, match="no ciphertext to prove with"):
        mod.inputs(short, prv)
    # in constraints: the hash of other words, or any other value, is unsatisfiable
    inputs = mod.inputs(pub, prv)
    assert_unsat(
        compiled(cls), {**inputs, "ciphertext_hash": (pub.ciphertext_hash + 1) % R}, "ciphertext"
    )


def test_a_note_made_for_its_owner_keeps_a_public_ciphertext():
    """``liquidate`` makes the new note for its owner (the risk engine
    proves it): its ciphertext stays among the public inputs, so the owner
    reads its new note from the chain whatever the service serves."""
    from zkats.circuits.liquidate import Liquidate

    assert Liquidate.carried_fields() == []
    assert Liquidate.public_names()[-1] == "ciphertext"
    assert Liquidate.n_record() == Liquidate.n_public()


def test_ciphertext_cannot_be_replayed_onto_another_note():
    """The same account's honest ciphertext of another note (other salt)."""
    sc = scenario()
    pub, prv = deposit.build(sc.spend("alice"), sc.root, 7, new_salt=3)
    pub2, _ = deposit.build(sc.spend("alice"), sc.root, 7, new_salt=4)
    bad, bprv = resign(pub, prv, sc.alice, ciphertext=pub2.ciphertext)
    assert_native_rejects(deposit.check, bad, bprv, "ciphertext is not")
    assert_unsat(compiled(deposit.Deposit), deposit.inputs(bad, bprv), "ciphertext")


def test_wrong_viewing_secret_rejected():
    """A prover encrypting under another secret (so the key holders cannot
    read the note): the secret must be the account's (``npk`` binds it)."""
    sc = scenario()
    pub, prv = deposit.build(sc.spend("alice"), sc.root, 7, new_salt=3)
    other = keys.ViewingKey(sc.alice.nk, sc.alice.ak, sc.alice.lk, 12345)
    ct = note_cipher.encrypt(prv.new_note, other.vsk)
    bad, bprv = resign(pub, prv, sc.alice, ciphertext=ct)
    assert_native_rejects(deposit.check, bad, bprv, "ciphertext is not")
    inputs = {**deposit.inputs(bad, bprv), "vsk": other.vsk}
    assert_unsat(compiled(deposit.Deposit), inputs, "spend")


def test_account_id_binds_the_viewing_key():
    sc = scenario()
    v = sc.alice.view
    assert keys.account_id(v.ak, v.npk, v.lk) == sc.alice.account
    assert v.npk == keys.nullifier_public(v.nk, v.vsk)
    assert keys.ViewingKey(v.nk, v.ak, v.lk, v.vsk + 1).account != sc.alice.account
    assert "vsk" in v.to_json() and keys.ViewingKey.from_json(v.to_json()) == v
    assert sc.alice.liquidation_capability().view.vsk == sc.alice.vsk


# ------------------------------------------------------------ following the ledger
@pytest.fixture
def venue(tmp_path):
    from zkats.venue.workflow import Venue

    Venue.init(tmp_path / "v", mark=60_000, circuits=()).close()
    return tmp_path / "v"


def _append(v, note_or_cm, view=None):
    """A leaf (and its ciphertext, for a note) appended as one batch."""
    led = v.ledger
    if isinstance(note_or_cm, notes.Note):
        cm = note_or_cm.commitment()
        item = (0, cm, note_cipher.encrypt(note_or_cm, view.vsk))
    else:
        item = (0, note_or_cm)
    with led.write():
        b = led.begin_batch(f"t{led.n_leaves()}", 1, 0)
        n0, _ = led.append_notes(b, [item])
    return n0


def test_sync_follows_the_account_from_ciphertexts(tmp_path, venue):
    from zkats.venue.workflow import Venue, Wallet

    ok("keys", "new", tmp_path / "a.wallet")
    ok("keys", "new", tmp_path / "b.wallet")
    v = Venue(venue)
    a, b = Wallet.load(tmp_path / "a.wallet"), Wallet.load(tmp_path / "b.wallet")
    v.use(a, bind=True)
    n1 = notes.Note.open(a.view, collateral=1_000)
    a.note, a.leaf = n1, _append(v, n1, a.view)
    a.save()
    ok("keys", "export", tmp_path / "a.wallet", "--viewing", "-o", tmp_path / "a.view")
    ok("keys", "export", tmp_path / "a.wallet", "--liquidation", "-o", tmp_path / "a.cap")
    # later: a trades and withdraws (its wallet knows); b's notes and a leaf
    # without a ciphertext sit in between
    n2 = n1.apply_leg(v.instrument("BTC-PERP"), 2, 120_000)
    _append(v, notes.Note.open(b.view, collateral=5), b.view)
    _append(v, n2, a.view)
    _append(v, 424242)
    n3 = n2.with_collateral(500)
    leaf3 = _append(v, n3, a.view)
    v.close()
    for f in ("a.view", "a.cap", "a.wallet"):
        r = json.loads(ok("wallet", "sync", "-V", venue, "-w", tmp_path / f, "--json").stdout)
        assert r["changed"] and [x["leaf"] for x in r["found"]] == [2, leaf3]
        w = Wallet.load(tmp_path / f)
        assert (w.note, w.leaf, w.pending) == (n3, leaf3, [])
        assert oct((tmp_path / f).stat().st_mode & 0o777) == "0o600"
    r = ok("wallet", "sync", "-V", venue, "-w", tmp_path / "a.view")
    assert "up to date" in r.stdout
    # b's file decrypts only b's note
    r = json.loads(ok("wallet", "sync", "-V", venue, "-w", tmp_path / "b.wallet", "--json").stdout)
    assert [x["leaf"] for x in r["found"]] == [1]


def test_sync_bad_file_changes_nothing(tmp_path, venue):
    bad = tmp_path / "x.wallet"
    bad.write_text('{"kind": "zkats-viewing-key", "view": {"nk": "1"}}')
    before = bad.read_bytes()
    one_line_error(run("wallet", "sync", "-V", venue, "-w", bad), "malformed")
    assert bad.read_bytes() == before


def test_old_viewing_key_files_are_refused(tmp_path):
    """A file without ``vsk`` (before the viewing secret existed) is malformed."""
    from zkats.venue.workflow import Wallet

    ok("keys", "new", tmp_path / "a.wallet")
    ok("keys", "export", tmp_path / "a.wallet", "--viewing", "-o", tmp_path / "a.view")
    d = json.loads((tmp_path / "a.view").read_text())
    del d["view"]["vsk"]
    (tmp_path / "old.view").write_text(json.dumps(d))
    with pytest.raises(InputError, match="malformed wallet keys"):
        Wallet.load(tmp_path / "old.view")


def test_fresh_note_ciphertext_reveals_nothing_in_common():
    """Rule 9: two statements of one account share no ciphertext element."""
    sc = scenario()
    p1, _ = deposit.build(sc.spend("alice"), sc.root, 7, new_salt=3)
    p2, _ = withdraw.build(sc.spend("alice"), sc.root, 9, 0xBEEF, sc.epoch, new_salt=4)
    assert not set(p1.ciphertext) & set(p2.ciphertext)
    assert not set(p1.ciphertext) & {sc.alice.account, sc.alice.npk, sc.alice.vsk}
