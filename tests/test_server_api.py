"""The HTTP API in process (FastAPI's test client): submission, public reads,
operator endpoints, and bad input (4xx with one line, nothing changed).

Proofs are real Groth16 proofs for keys with a known trapdoor
(``_server_util.SimProver``), verified for real by the service."""

import json

import pytest
from fastapi.testclient import TestClient

from _server_util import (
    SimProver,
    deposit_batch,
    deposit_item,
    nullifiers_of,
    rand,
    sim_venue,
    token,
    trade_items,
)
from zkats.errors import InputError, LedgerError
from zkats.server.app import create_app
from zkats.venue import batch as B
from zkats.venue.merkle_store import root_from_path


@pytest.fixture(scope="module")
def sim():
    return SimProver(seed=1)


@pytest.fixture
def venue(tmp_path, sim):
    return sim_venue(tmp_path / "venue", sim)


@pytest.fixture
def client(venue):
    app = create_app(venue, max_body=256 * 1024)
    with TestClient(app) as c:
        yield c


def _auth(venue):
    return {"Authorization": f"Bearer {token(venue)}"}


def _root(client):
    return int(client.get("/v1/roots/current").json()["root"])


def _post_batch(client, batch):
    return client.post(
        "/v1/batches", content=B.dumps(batch), headers={"Content-Type": "application/json"}
    )


def _state(client):
    s = client.get("/v1/summary").json()
    return s, client.get("/v1/roots").json(), client.get("/v1/notes").json()


def test_health_venue_openapi(client):
    h = client.get("/v1/health").json()
    assert h["status"] == "ok" and h["batches"] == 0
    v = client.get("/v1/venue").json()
    assert "BTC-PERP" in v["instruments"] and v["development_keys"] is True
    assert v["size"] == "ci"  # the suite's venue size (tests/conftest.py)
    assert "operator" not in json.dumps(v).lower() or "token" not in json.dumps(v)
    doc = client.get("/openapi.json").json()
    for path in (
        "/v1/batches",
        "/v1/nullifiers/{nullifier}",
        "/v1/paths/{leaf_index}",
        "/v1/epochs",
        "/v1/epochs/{epoch_id}/close",
        "/v1/liquidatable",
    ):
        assert path in doc["paths"], path
    assert "operatorToken" in doc["components"]["securitySchemes"]
    page = client.get("/")
    assert page.status_code == 200 and "zkats public ledger" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_submit_and_read_back(client, sim):
    batch = deposit_batch(sim, _root(client), n=3)
    r = _post_batch(client, batch)
    assert r.status_code == 201, r.text
    rec = r.json()
    assert rec["batch_id"] == 1 and rec["items"] == 3 and rec["nullifiers"] == 3
    assert rec["digest"] == batch.digest()
    for n in nullifiers_of(batch):
        got = client.get(f"/v1/nullifiers/{n}").json()
        assert got == {
            "nullifier": n,
            "spent": True,
            "batch_id": 1,
            "item_index": got["item_index"],
        }
    assert client.get("/v1/nullifiers/12345").json()["spent"] is False
    notes = client.get("/v1/notes?after=-1").json()
    assert [n["leaf_index"] for n in notes["notes"]] == [0, 1, 2]
    assert client.get("/v1/notes?after=1").json()["notes"][0]["leaf_index"] == 2
    # a Merkle path from the API recomputes the current root (native Poseidon)
    from zkats.domain.fast_hash import hash2

    for n in notes["notes"]:
        p = client.get(f"/v1/paths/{n['leaf_index']}").json()
        got = root_from_path(
            int(n["commitment"]), [int(s) for s in p["siblings"]], p["bits"], hash2
        )
        assert got == int(p["root"]) == int(rec["root"])
    c = notes["notes"][1]["commitment"]
    assert client.get(f"/v1/notes/{c}").json()["leaf_index"] == 1
    assert client.get("/v1/notes/999").status_code == 404
    b = client.get("/v1/batches/1").json()
    assert sorted(b["nullifiers"]) == sorted(nullifiers_of(batch))
    assert client.get("/v1/batches").json()["batches"][0]["root"] == rec["root"]
    assert client.get("/v1/batches/latest").json()["batches"][0]["batch_id"] == 1
    assert client.get(f"/v1/roots/{rec['root']}").json()["known"] is True
    assert client.get("/v1/batches/2").status_code == 404


def test_replay_and_double_spend_refused_with_the_cli_reason(client, sim, venue):
    root = _root(client)
    batch = deposit_batch(sim, root, n=2)
    assert _post_batch(client, batch).status_code == 201
    before = _state(client)
    r = _post_batch(client, batch)  # replay
    assert r.status_code == 409
    msg = r.json()["error"]
    assert "already spent" in msg and "\n" not in msg
    # the same reason the local service (and so `zkats settle`) gives
    from zkats.server.state import ServedVenue

    sv = ServedVenue(venue)
    with pytest.raises(LedgerError) as e:
        sv.service().apply(B.loads(B.dumps(batch)))
    sv.close()
    assert str(e.value) == msg
    # a different batch spending one of the same nullifiers
    n0 = int(nullifiers_of(batch)[0])
    ds = B.Batch([deposit_item(sim, root), deposit_item(sim, root, nullifier=n0)])
    r = _post_batch(client, ds)
    assert r.status_code == 409 and "item 1 (deposit)" in r.json()["error"]
    assert _state(client) == before


def test_bad_proof_refused(client, sim):
    root = _root(client)
    good = deposit_item(sim, root)
    b = good.proofs["deposit"]
    forged = B.ProofBundle(b.circuit, (b.public[0], b.public[1] + 1) + b.public[2:], b.proof)
    r = _post_batch(client, B.Batch([B.Item("deposit", {"deposit": forged})]))
    assert r.status_code == 409
    assert (
        r.json()["error"]
        == "item 0 (deposit): deposit proof does not verify against the deposit key"
    )


def test_trade_batch_through_the_api(client, sim, venue):
    r = client.post(
        "/v1/epochs", json={"marks": {"BTC-PERP": 60000}, "deadline_in": 600}, headers=_auth(venue)
    )
    assert r.status_code == 201, r.text
    ep = client.get("/v1/epochs").json()
    e = ep["epochs"][-1]
    assert e["marks"] == {"BTC-PERP": 60000}
    instrument = int(client.get("/v1/venue").json()["instruments"]["BTC-PERP"])
    items = trade_items(
        sim, _root(client), e["epoch_id"], int(e["data_hash"]), instrument, ep["now"]
    )
    r = _post_batch(client, B.Batch(items))
    assert r.status_code == 201, r.text
    s = client.get("/v1/summary").json()
    assert s["trades"] == 1 and s["open_orders"] == 2  # the two remainders
    assert len(client.get("/v1/orders/open").json()["orders"]) == 2
    f = client.get("/v1/funds").json()  # the public funds: what the summary says
    for name in ("fee", "insurance"):
        assert f[name]["balance"] == s["funds"].get(name, "0")
    assert f["fee"]["positions"] == [] and f["withdrawals"] == []
    # replaying the trade: its orders are consumed
    r = _post_batch(client, B.Batch(items[2:]))
    assert r.status_code == 409 and "already" in r.json()["error"]
    # an order's status: open (a remainder), consumed (matched), unknown
    rem = client.get("/v1/orders/open").json()["orders"][0]["order"]
    assert client.get(f"/v1/orders/{rem[0]},{rem[1]}").json()["status"] == "open"
    matched = items[0].proofs["order"].public[:2]
    assert client.get(f"/v1/orders/{matched[0]},{matched[1]}").json()["status"] == "consumed"
    assert client.get("/v1/orders/5,6").json() == {"order": ["5", "6"], "status": None}
    r = client.get("/v1/orders/5,x")
    assert r.status_code == 400 and "order y" in r.json()["error"]


def test_operator_endpoints_need_the_token(client, venue, caplog):
    caplog.set_level("DEBUG")
    body = {"marks": {"BTC-PERP": 52000}, "deadline_in": 60}
    r = client.post("/v1/epochs", json=body)
    assert r.status_code == 401 and r.json()["error"].startswith("operator token required")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    for bad in ("Basic " + token(venue), "Bearer", "bearer  ", token(venue)):
        r = client.post("/v1/epochs", json=body, headers={"Authorization": bad})
        assert r.status_code == 401 and "\n" not in r.json()["error"]
        assert token(venue) not in r.text
    wrong = "Bearer " + "x" * 43
    for path in ("/v1/epochs", "/v1/epochs/1/close", "/v1/clock/advance"):
        r = client.post(path, json=body, headers={"Authorization": wrong})
        assert r.status_code == 403 and r.json() == {"error": "operator token rejected"}
        assert "x" * 43 not in r.text + str(r.headers)
    # a token one character off, or with the right prefix only, is refused too
    tok = token(venue)
    for near in (tok[:-1] + ("A" if tok[-1] != "A" else "B"), tok[:20], tok + "x"):
        r = client.post("/v1/epochs", json=body, headers={"Authorization": f"Bearer {near}"})
        assert r.status_code == 403
    assert client.get("/v1/epochs").json()["epochs"] == []
    r = client.post("/v1/epochs", json=body, headers=_auth(venue))
    assert r.status_code == 201 and r.json() == {"epoch_id": 1}
    assert token(venue) not in r.text
    r = client.post("/v1/epochs/1/close", headers=_auth(venue))
    assert r.status_code == 409 and "deadline not reached" in r.json()["error"]
    r = client.post("/v1/clock/advance", json={"seconds": 61}, headers=_auth(venue))
    assert r.status_code == 200
    r = client.post("/v1/epochs/1/close", headers=_auth(venue))
    assert r.status_code == 200 and r.json() == {"epoch_id": 1, "liquidatable": []}
    assert client.post("/v1/epochs/1/close").status_code == 401
    mode = (venue / "operator.token").stat().st_mode & 0o777
    assert mode == 0o600
    # nothing the server logged names a token, right or wrong
    logged = caplog.text + " ".join(rec.getMessage() for rec in caplog.records)
    assert tok not in logged and "x" * 43 not in logged


@pytest.mark.parametrize(
    "body,ctype,status,fragment",
    [
        (b'{"version": 1, "items": [', "application/json", 400, "not valid JSON"),
        (b"", "application/json", 400, "empty"),
        (b'{"version": "1", "items": []}', "application/json", 400, "unsupported version"),
        (b'{"version": 1, "items": {}}', "application/json", 400, "expected a list"),
        (b'{"version": 1, "items": [], "x": 1}', "application/json", 400, "unknown key"),
        (b'{"version": 1, "items": []}', "application/json", 409, "batch is empty"),
        (b'{"version": 1, "version": 1, "items": []}', "application/json", 400, "duplicate key"),
        (b"[" * 100 + b"]" * 100, "application/json", 400, "nested deeper"),
        (b"\xff\xfe", "application/json", 400, "not UTF-8"),
        (b'{"version": 1, "items": []}', "text/plain", 415, "expected application/json"),
        (
            b'{"version": 1, "items": [' + b'{"kind": "deposit"},' * 20000 + b"1]}",
            "application/json",
            413,
            "larger than",
        ),
    ],
)
def test_bad_bodies_get_one_line_4xx_and_change_nothing(client, sim, body, ctype, status, fragment):
    assert _post_batch(client, deposit_batch(sim, _root(client))).status_code == 201
    before = _state(client)
    r = client.post("/v1/batches", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert fragment in err and "\n" not in err
    assert _state(client) == before


def test_wrong_typed_fields_and_params(client, sim, venue):
    d = json.loads(B.dumps(deposit_batch(sim, _root(client))))
    d["items"][0]["proofs"]["deposit"]["public"][0] = 5  # a number, not a string
    r = client.post("/v1/batches", content=json.dumps(d))
    assert r.status_code == 400
    assert r.json()["error"] == (
        "request body: item 0 (deposit).proofs.deposit.public[0]: "
        "expected a canonical decimal string"
    )
    assert client.get("/v1/nullifiers/-1").status_code == 400
    assert client.get("/v1/nullifiers/" + "9" * 80).status_code == 400
    assert client.get("/v1/notes?after=abc").status_code == 400
    assert client.get("/v1/batches?limit=0").status_code == 400
    assert client.get(f"/v1/batches/{2**70}").status_code == 400
    assert client.get("/v1/keys/nope/zkey").status_code == 404
    r = client.post("/v1/epochs", json={"marks": {"BTC-PERP": "1"}}, headers=_auth(venue))
    assert r.status_code == 400 and "expected an integer" in r.json()["error"]
    r = client.post("/v1/epochs", json={"marks": {"ETH": 1}}, headers=_auth(venue))
    assert r.status_code == 400 and "unknown instrument" in r.json()["error"]
    assert client.get("/v1/epochs").json()["epochs"] == []


def test_client_refuses_a_service_of_another_size(tmp_path, monkeypatch):
    """A trader's zkats at ci size against a production service: one line
    naming the service and the size to set, nothing cached."""
    from zkats.server.client import RemoteVenue

    monkeypatch.setenv("ZKATS_KEY_CACHE", str(tmp_path))

    class Service:
        url = "http://127.0.0.1:9"

        def venue(self):
            return {"kind": "zkats-venue", "size": "production", "instruments": {}}

    msg = (
        r"^http://127\.0\.0\.1:9: the service runs a venue of size 'production', and this "
        r"zkats runs at size 'ci' \(set ZKATS_VENUE_SIZE=production\)$"
    )
    with pytest.raises(InputError, match=msg):
        RemoteVenue(Service.url, client=Service())
    assert not list(tmp_path.iterdir())


def test_mirrored_exits_need_the_operator_token(client, sim, venue):
    """A ``forced_exit`` item (an exit the escrow completed without the
    operator, at its request's epoch) is the operator's to mirror: without
    the operator token it is refused before the ledger reads it, and
    nothing changes; with it the ledger's own rules apply."""
    from zkats.circuits.exit import Exit

    pub = [rand() for _ in range(Exit.n_public())]
    item = B.Item("forced_exit", {"exit": sim.bundle("exit", pub)})
    before = _state(client)
    r = _post_batch(client, B.Batch([item]))
    assert r.status_code == 401 and r.json()["error"].startswith("operator token required")
    assert _state(client) == before
    r = client.post(
        "/v1/batches",
        content=B.dumps(B.Batch([item])),
        headers={"Content-Type": "application/json", **_auth(venue)},
    )
    assert r.status_code == 409 and "unknown Merkle root" in r.json()["error"]
    assert _state(client) == before
