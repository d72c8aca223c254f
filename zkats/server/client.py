"""A Python client of ``zkats serve`` for wallets, services and the trader's CLI.

:class:`Client` wraps the JSON API (one method per endpoint).  A refusal
comes back as the exception the local service would raise, with the same
one-line message: :class:`LedgerError` for a batch the ledger refuses
(409), :class:`InputError` for a malformed request (400/413/415),
:class:`ServiceError` (a :class:`ZkatsError`) for anything else, including
an unreachable service.

:class:`RemoteVenue` is :class:`zkats.venue.workflow.Venue` seen through a
client: the same trader actions (deposit, withdraw, order, match, health,
liquidate), with the ledger reads (root, note index, Merkle path), the
oracle epochs, the clock and settlement going to the service.  Proving keys
are fetched from the service once and cached
(``$ZKATS_KEY_CACHE/service/<url hash>/keys``; refreshed when the service's
verifying key changes).  The trader's CLI uses it with ``--service URL`` or
``$ZKATS_SERVICE``.
"""

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..domain import units
from ..errors import InputError, LedgerError, ZkatsError
from ..venue import batch as B, workflow
from ..venue.batch import Batch
from .auth import TOKEN_ENV, read_token

SERVICE_ENV = "ZKATS_SERVICE"


class ServiceError(ZkatsError):
    """The service failed (or could not be reached); ``status`` is the HTTP status or None."""

    def __init__(self, message, status=None):
        self.status = status
        super().__init__(message)


def operator_token(token=None, token_file=None):
    """The operator token: given, from a file, or from ``$ZKATS_OPERATOR_TOKEN``."""
    if token:
        return token
    if token_file:
        return read_token(token_file)
    return os.environ.get(TOKEN_ENV) or None


class Client:
    """HTTP client of one service.  ``token``: the operator token (for the
    operator endpoints only; never sent elsewhere)."""

    def __init__(self, url, token=None, timeout=120.0, transport=None):
        # local import: httpx loads only when a remote call is made
        import httpx

        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InputError(f"--service {str(url)[:60]!r}: expected an http:// or https:// URL")
        self.url = url.rstrip("/")
        self._token = token
        kw = {"transport": transport} if transport is not None else {}
        self.http = httpx.Client(base_url=self.url, timeout=timeout, **kw)

    def close(self):
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing -------------------------------------------------------------
    def _request(self, method, path, operator=False, **kw):
        # local import: httpx loads only when a remote call is made
        import httpx

        headers = kw.pop("headers", {})
        if operator:
            if not self._token:
                raise InputError(f"operator token needed for {path} (--token-file or ${TOKEN_ENV})")
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            r = self.http.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as err:
            raise ServiceError(f"{self.url}: service unreachable ({type(err).__name__})") from None
        if r.status_code < 400:
            return r
        try:
            msg = r.json().get("error") or r.text
        except (ValueError, AttributeError):
            msg = r.text[:200] or r.reason_phrase
        msg = " ".join(str(msg).split())
        if r.status_code == 409:
            raise LedgerError(msg)
        if r.status_code in (400, 413, 415):
            raise InputError(msg)
        raise ServiceError(f"{self.url}: {msg} (HTTP {r.status_code})", r.status_code)

    def _get(self, path, **params):
        params = {k: v for k, v in params.items() if v is not None}
        return self._request("GET", path, params=params).json()

    # -- settlement -----------------------------------------------------------
    def submit(self, batch):
        """Submit a Batch (or its JSON text/bytes); returns the receipt dict."""

        if isinstance(batch, B.Batch):
            data = B.dumps(batch).encode()
        elif isinstance(batch, str):
            data = batch.encode()
        else:
            data = bytes(batch)
        r = self._request(
            "POST", "/v1/batches", content=data, headers={"Content-Type": "application/json"}
        )
        return r.json()

    # -- public reads -----------------------------------------------------------
    def health(self):
        return self._get("/v1/health")

    def venue(self):
        return self._get("/v1/venue")

    def summary(self):
        return self._get("/v1/summary")

    def funds(self):
        return self._get("/v1/funds")

    def batches(self, after=0, limit=100):
        return self._get("/v1/batches", after=after, limit=limit)["batches"]

    def latest_batches(self, limit=20):
        return self._get("/v1/batches/latest", limit=limit)["batches"]

    def batch(self, batch_id):
        return self._get(f"/v1/batches/{int(batch_id)}")

    def roots(self, after=-1, limit=100):
        return self._get("/v1/roots", after=after, limit=limit)["roots"]

    def current_root(self):
        return self._get("/v1/roots/current")

    def root_status(self, root):
        return self._get(f"/v1/roots/{int(root)}")

    def nullifier(self, value):
        return self._get(f"/v1/nullifiers/{int(value)}")

    def notes(self, after=-1, limit=1000):
        return self._get("/v1/notes", after=after, limit=limit)

    def all_notes(self, after=-1):
        """Every note commitment after leaf ``after``, following pages."""
        out = []
        while True:
            page = self.notes(after, 1000)["notes"]
            out += page
            if len(page) < 1000:
                return out
            after = page[-1]["leaf_index"]

    def note(self, commitment):
        try:
            return self._get(f"/v1/notes/{int(commitment)}")
        except ServiceError as err:
            if err.status == 404:
                return None
            raise

    def path(self, leaf_index):
        return self._get(f"/v1/paths/{int(leaf_index)}")

    def epochs(self):
        return self._get("/v1/epochs")

    def open_orders(self, after="", limit=100):
        return self._get("/v1/orders/open", after=after, limit=limit)["orders"]

    def order_status(self, point):
        """``"open"``, ``"consumed"`` (matched or cancelled) or None (unknown)."""
        return self._get(f"/v1/orders/{int(point[0])},{int(point[1])}")["status"]

    def liquidatable(self, epoch_id=None, pending=False):
        return self._get(
            "/v1/liquidatable",
            epoch=epoch_id,
            pending="true" if pending else None,
        )["liquidatable"]

    def fetch_key(self, circuit, kind, dest):
        """Download the venue's ``zkey`` or ``vkey`` of ``circuit`` to ``dest`` (atomically)."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + f".{os.getpid()}.part")
        with self.http.stream("GET", f"/v1/keys/{circuit}/{kind}") as r:
            if r.status_code != 200:
                r.read()
                raise ServiceError(f"{self.url}: no {kind} for {circuit} (HTTP {r.status_code})")
            with open(tmp, "wb") as fh:
                fh.writelines(r.iter_bytes())
        os.replace(tmp, dest)
        return dest

    # -- operator -------------------------------------------------------------
    def publish_epoch(self, marks, deadline_in=3600, index=None, underlying=None):
        d = {"marks": dict(marks), "deadline_in": int(deadline_in)}
        if index:
            d["index"] = dict(index)
        if underlying:
            d["underlying"] = dict(underlying)
        body = json.dumps(d)
        return self._request(
            "POST",
            "/v1/epochs",
            operator=True,
            content=body,
            headers={"Content-Type": "application/json"},
        ).json()

    def close_epoch(self, epoch_id):
        return self._request("POST", f"/v1/epochs/{int(epoch_id)}/close", operator=True).json()

    def advance_clock(self, seconds):
        body = json.dumps({"seconds": int(seconds)})
        return self._request(
            "POST",
            "/v1/clock/advance",
            operator=True,
            content=body,
            headers={"Content-Type": "application/json"},
        ).json()


# --------------------------------------------------------------------------
# the venue through a client
# --------------------------------------------------------------------------


class RemoteLedger:
    """The reads :class:`workflow.Venue` and :class:`workflow.Wallet` make of a
    ledger, answered by the service."""

    def __init__(self, client):
        self.client = client

    def current_root(self):
        return int(self.client.current_root()["root"])

    def note_index(self, commitment):
        n = self.client.note(commitment)
        return None if n is None else n["leaf_index"]

    def note_path(self, leaf_index):
        p = self.client.path(leaf_index)
        return [int(s) for s in p["siblings"]], [int(b) for b in p["bits"]]

    def nullifier_spent(self, nullifier):
        return self.client.nullifier(nullifier)["spent"]

    def notes_page(self, after=-1, limit=1000):
        return self.client.notes(after, limit)["notes"]

    def summary(self):
        return self.client.summary()

    def fund_balance(self, name):
        return int(self.client.funds()[name]["balance"])

    def fund_positions(self, name):
        return {
            int(p["instrument"]): (int(p["position"]), int(p["cost"]))
            for p in self.client.funds()[name]["positions"]
        }

    def fund_withdrawal_count(self):
        return len(self.client.funds()["withdrawals"])

    def fund_withdrawals(self):
        return [
            (
                w["seq"],
                w["batch_id"],
                w["fund"],
                int(w["amount"]),
                int(w["recipient"]),
                json.dumps(w["signature"]),
            )
            for w in self.client.funds()["withdrawals"]
        ]

    def order_status(self, point):
        return self.client.order_status(point)

    def liquidatable(self, epoch_id=None, pending_only=False):
        return [
            (e["epoch_id"], e["account"], e["reason"], e["liquidated_batch"])
            for e in self.client.liquidatable(epoch_id, pending_only)
        ]


@dataclass(frozen=True)
class RemoteReceipt:
    """What ``zkats settle`` prints, from the service's receipt."""

    batch_id: int
    digest: str
    root: int
    n_items: int
    nullifiers: int
    verify_seconds: float
    apply_seconds: float
    leaf_indices: tuple

    @classmethod
    def from_json(cls, d):
        return cls(
            batch_id=d["batch_id"],
            digest=d["digest"],
            root=int(d["root"]),
            n_items=d["items"],
            nullifiers=d["nullifiers"],
            verify_seconds=d["verify_seconds"],
            apply_seconds=d["apply_seconds"],
            leaf_indices=tuple((x["item"], x["role"], x["leaf_index"]) for x in d["leaf_indices"]),
        )


def _cache_dir(url):
    h = hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]
    return workflow.key_cache_dir() / "service" / h


class RemoteVenue(workflow.Venue):
    """A venue served at ``url`` (see the module docstring)."""

    def __init__(self, url, progress=None, token=None, client=None):
        self.client = client or Client(url, token=token)
        cache = _cache_dir(self.client.url)
        self._remote_ledger = RemoteLedger(self.client)
        self._checked_keys = set()
        self.refresh(cache)
        # the local cache is a venue directory (public metadata + fetched keys),
        # so everything Venue sets up applies here too
        super().__init__(cache, progress=progress)
        self.refresh()

    def refresh(self, cache=None):
        info = self.client.venue()
        size = info.get("size", "ci")  # a service from before sizes were recorded: ci
        if size != units.SIZE:
            raise InputError(
                f"{self.client.url}: the service runs a venue of size {size!r}, and this "
                f"zkats runs at size {units.SIZE!r} (set ZKATS_VENUE_SIZE={size})"
            )
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            workflow.write_public(cache / "venue.json", {"kind": "zkats-venue", **info})
        self.meta = {
            "kind": "zkats-venue",
            "version": info.get("version", 1),
            "development_keys": info.get("development_keys", False),
            "instruments": info["instruments"],
            "specs": info.get("specs", {}),
            "settlements": info.get("settlements", {}),
            "epochs": info["epochs"],
            "clock_offset": 0,
            "venue_id": info.get("venue_id"),
        }
        self._offset = int(info["now"]) - int(time.time())

    def now(self):
        return int(time.time()) + self._offset

    @property
    def ledger(self):
        return self._remote_ledger

    def service(self):
        raise InputError("a served venue settles through its service, not a local ledger")

    def save_meta(self):  # the service owns venue.json
        pass

    def operator_key(self):
        raise InputError(
            "the operator's key signs on the venue directory (its operator.key): "
            "make the batch there, then submit it with zkats settle --service"
        )

    def oracle_key(self):
        raise InputError(
            "the oracle's key signs on the venue directory or in the service "
            "(publish epochs with the operator token)"
        )

    def close(self):
        self.client.close()

    def _ensure_key(self, name):
        if name in self._checked_keys:
            return
        keys = self.dir / "keys"
        vk_new = self.client.fetch_key(name, "vkey", keys / f"{name}.vkey.json.new")
        vk = keys / f"{name}.vkey.json"
        zk = keys / f"{name}.zkey"
        if not (zk.exists() and vk.exists() and vk.read_bytes() == vk_new.read_bytes()):
            workflow._say(self.progress, f"fetch proving key {name} from {self.client.url}")
            self.client.fetch_key(name, "zkey", zk)
            self._zkeys.pop(name, None)
        os.replace(vk_new, vk)
        self._checked_keys.add(name)

    def prove(self, name, mod, pub, prv):
        self._ensure_key(name)
        return super().prove(name, mod, pub, prv)

    def settle(self, items_or_batch):

        batch = (
            items_or_batch if isinstance(items_or_batch, Batch) else Batch(tuple(items_or_batch))
        )
        return RemoteReceipt.from_json(self.client.submit(batch))

    def publish_epoch(self, marks, deadline_in=3600, index=None, underlying=None, surfaces=None):
        marks = dict(marks)
        if surfaces:  # marked here from the surfaces, as the local venue does
            marks.update(self._surface_marks(marks, dict(underlying or {}), surfaces))
        r = self.client.publish_epoch(marks, deadline_in, index, underlying)
        self.refresh()
        return self.epoch(r["epoch_id"])

    def close_epoch(self, epoch_id=None):
        ep = self.epoch(epoch_id)
        r = self.client.close_epoch(ep.epoch_id)
        return r["epoch_id"], r["liquidatable"]

    def advance_clock(self, seconds):
        r = self.client.advance_clock(seconds)
        self._offset = int(r["now"]) - int(time.time())
