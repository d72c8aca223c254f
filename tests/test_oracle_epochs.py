"""Rule 8: an oracle epoch is accepted only if signed by the ledger's oracle
key, over (epoch id, data hash, deadline) with the oracle-epoch tag; forged,
replayed, re-dated or unsigned epochs are refused with one line and change
nothing."""

import os
import stat

import pytest

from _settlement_util import ORACLE, publish, service
from zkats.domain.oracle_key import OracleKey, epoch_message, verify_epoch
from zkats.errors import LedgerError
from zkats.venue import ledger as L


@pytest.fixture
def svc(tmp_path):
    s = service(tmp_path / "l.db")
    publish(s, 1, 1111, 20_000)
    yield s
    s.close()


def refused(svc, match, *args):
    before = svc.ledger.dump()
    with pytest.raises(LedgerError, match=match) as e:
        svc.publish_epoch(*args)
    assert "\n" not in str(e.value)
    assert svc.ledger.dump() == before


def test_signed_epoch_accepted_and_kept(svc):
    sig = ORACLE.sign_epoch(2, 2222, 30_000)
    svc.publish_epoch(2, 2222, 30_000, sig)
    assert svc.ledger.latest_epoch()[:3] == (2, "2222", 30_000)
    # the signature is kept: anyone can check the prices are the oracle's
    kept = svc.ledger.epoch_signature(2)
    assert kept == sig
    assert verify_epoch(svc.ledger.oracle_key(), 2, 2222, 30_000, kept)
    assert svc.ledger.oracle_key() == ORACLE.pub


def test_forged_signature_refused(svc):
    (r8, s) = ORACLE.sign_epoch(2, 2222, 30_000)
    refused(svc, "not the oracle's", 2, 2222, 30_000, (r8, (s + 1)))
    refused(svc, "not the oracle's", 2, 2222, 30_000, ((r8[0], r8[1] + 1), s))
    refused(svc, "not the oracle's", 2, 2222, 30_000, ((0, 1), 0))


def test_signature_by_another_key_refused(svc):
    other = OracleKey.from_seed(b"not the oracle")
    refused(svc, "not the oracle's", 2, 2222, 30_000, other.sign_epoch(2, 2222, 30_000))


def test_unsigned_or_malformed_refused(svc):
    refused(svc, "unsigned", 2, 2222, 30_000, None)
    refused(svc, "expected", 2, 2222, 30_000, "sig")
    refused(svc, "expected", 2, 2222, 30_000, [[1], 2])


def test_replayed_epoch_id_refused(svc):
    # the first epoch, re-sent exactly as the oracle signed it
    refused(svc, "not after the latest", 1, 1111, 20_000, ORACLE.sign_epoch(1, 1111, 20_000))
    # an older id with new data, even signed by the oracle
    refused(svc, "not after the latest", 1, 3333, 20_000, ORACLE.sign_epoch(1, 3333, 20_000))


def test_reused_data_hash_refused(svc):
    # the old prices under a new id, properly signed: still refused
    refused(svc, "data hash already published", 2, 1111, 30_000, ORACLE.sign_epoch(2, 1111, 30_000))


def test_signature_for_another_deadline_or_id_refused(svc):
    sig = ORACLE.sign_epoch(2, 2222, 30_000)
    refused(svc, "not the oracle's", 2, 2222, 90_000, sig)
    refused(svc, "not the oracle's", 3, 2222, 30_000, sig)
    refused(svc, "not the oracle's", 2, 2223, 30_000, sig)
    # the honest one still goes through afterwards
    svc.publish_epoch(2, 2222, 30_000, sig)


def test_message_is_domain_tagged():
    from zkats.domain import tags
    from zkats.gadgets.poseidon_hash import poseidon_plain as poseidon

    assert epoch_message(2, 2222, 30_000) == poseidon([tags.ORACLE_EPOCH, 2, 2222, 30_000])
    assert epoch_message(2, 2222, 30_000) != poseidon([tags.EPOCH, 2, 2222, 30_000])


def test_ledger_without_oracle_key_publishes_nothing(tmp_path):
    from _settlement_util import fast_hash2

    with L.Ledger(tmp_path / "n.db", depth=8, hash2=fast_hash2) as led:
        with pytest.raises(LedgerError, match="no oracle key"):
            publish(led, 1, 1111, 20_000)
        assert led.latest_epoch() is None


def test_oracle_key_fixed_once(tmp_path):
    p = tmp_path / "k.db"
    service(p).close()
    service(p).close()  # the same key: fine
    other = OracleKey.from_seed(b"another oracle")
    with pytest.raises(LedgerError, match="another oracle key"):
        service(p, oracle_key=other.pub)
    with pytest.raises(LedgerError, match="not a Baby Jubjub point"):
        service(tmp_path / "bad.db", oracle_key=(1, 2))


def test_venue_init_makes_a_private_oracle_key(tmp_path):
    import json

    from zkats.venue.workflow import Venue

    v = Venue.init(tmp_path / "v", circuits=())
    try:
        path = tmp_path / "v" / "oracle.key"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        key = v.oracle_key()
        meta = json.loads((tmp_path / "v" / "venue.json").read_text())
        assert [int(c) for c in meta["oracle_key"]] == list(key.pub)
        assert "prv" not in json.dumps(meta) and key.prv.hex() not in json.dumps(meta)
        assert v.ledger.oracle_key() == key.pub
        ep = v.publish_epoch({"BTC-PERP": 61_000})
        rec = meta_after = json.loads((tmp_path / "v" / "venue.json").read_text())
        entry = meta_after["epochs"][str(ep.epoch_id)]
        assert verify_epoch(key.pub, ep.epoch_id, ep.hash(), entry["deadline"], entry["signature"])
        assert rec["oracle_key"] == meta["oracle_key"]
    finally:
        v.close()


def test_venue_without_its_oracle_key_cannot_publish(tmp_path):
    from zkats.errors import InputError
    from zkats.venue.workflow import Venue

    v = Venue.init(tmp_path / "v", circuits=())
    v.close()
    os.rename(tmp_path / "v" / "oracle.key", tmp_path / "elsewhere.key")
    v = Venue(tmp_path / "v")
    before = v.ledger.dump()
    with pytest.raises(InputError, match="oracle.key: no such file"):
        v.publish_epoch({"BTC-PERP": 61_000})
    assert v.ledger.dump() == before
    v.close()
