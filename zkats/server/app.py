"""The ASGI application of ``zkats serve``: the settlement service over HTTP.

Versioned JSON API under ``/v1`` (OpenAPI document at ``/openapi.json``,
interactive docs at ``/docs``), the public ledger page at ``/``.

=======================================  ======================================
endpoint                                 what
=======================================  ======================================
``POST /v1/batches``                     submit a batch (the JSON of ``zkats
                                         settle``): verified and applied
                                         atomically (201 + receipt) or refused
                                         with the CLI's one-line reason; one
                                         with a ``forced_exit`` (mirrored from
                                         the escrow) needs the operator token
``GET /v1/batches[?after=&limit=]``      applied batches (``/v1/batches/latest``,
                                         ``/v1/batches/{id}``)
``GET /v1/roots[?after=&limit=]``        root history; ``/v1/roots/current``,
                                         ``/v1/roots/{root}`` (known or not)
``GET /v1/nullifiers/{n}``               spent or not (and where)
``GET /v1/notes?after=LEAF``             note commitments after a leaf index
                                         (wallet sync); ``/v1/notes/{c}``
``GET /v1/paths/{leaf}``                 Merkle authentication path + root
``GET /v1/epochs``                       oracle epochs: entries, marks, hash,
                                         deadline, closed
``GET /v1/orders/open``                  open order commitments
``GET /v1/orders/{x},{y}``               an order commitment's status: open,
                                         consumed (matched or cancelled), null
``GET /v1/liquidatable``                 accounts marked liquidatable
``GET /v1/summary``, ``/v1/venue``       counts, escrow; public venue metadata
``GET /v1/funds``                        fee account and insurance fund:
                                         balances, backstop positions, the
                                         operator's signed withdrawals
``GET /v1/keys/{circuit}/{zkey|vkey}``   the venue's proving/verifying keys
``POST /v1/epochs``                      operator: publish the next epoch
``POST /v1/epochs/{id}/close``           operator: close an epoch (after its
                                         deadline)
``POST /v1/clock/advance``               operator, development venues only
``GET /v1/health``                       liveness and the current root
=======================================  ======================================

Errors are ``{"error": "<one line>"}`` with 400 (malformed request), 401/403
(operator token missing/rejected), 404, 409 (refused by the ledger's rules:
replay, double spend, bad proof, stale epoch...), 413 (body too large), 415
(not JSON) and 503 (the database is unavailable; nothing was applied).
Request bodies are read up to ``max_body`` bytes and parsed with the strict
JSON reader (:mod:`zkats.formats.jsonio`).  Nothing returns or logs a secret:
the server holds only public data and the SHA-256 of the operator token.
"""

import re
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import LedgerError, ZkatsError
from ..field import R
from ..formats import jsonio
from ..venue import batch as B
from ..venue.rules import FEE_FUND, INSURANCE_FUND, circuits as venue_circuits
from . import schema
from .auth import OperatorCheck, bearer
from .state import ServedVenue

API = "/v1"
#: item kinds only the operator submits: what the escrow did on its own
#: (an exit it completed without the operator), mirrored into the ledger
#: (zkats.server.escrow_mirror); a trader's own exit is an ``exit`` item
MIRRORED_KINDS = ("forced_exit",)
#: default cap on a request body (a batch of ~1,500 trades)
DEFAULT_MAX_BODY = 8 * 1024 * 1024
#: bodies of the operator endpoints are tiny
MAX_OPERATOR_BODY = 64 * 1024
#: query integers are bounded (SQLite integers are 64-bit)
MAX_INT = 2**62
FUNDS = (FEE_FUND, INSURANCE_FUND)
STATIC = Path(__file__).with_name("static")

_DEC = re.compile(r"(0|[1-9][0-9]{0,77})\Z")
_UNAVAILABLE = ("ledger is busy", "nothing was applied", "commit failed", "database is unavailable")


class HttpError(ZkatsError):
    def __init__(self, status, message):
        self.status = status
        super().__init__(message)


def _one_line(msg):
    msg = " ".join(str(msg).split())
    return msg if len(msg) <= 2000 else msg[:1997] + "..."


def _error(status, msg):
    return JSONResponse({"error": _one_line(msg)}, status_code=status)


def _status_of(err):
    if isinstance(err, HttpError):
        return err.status
    if isinstance(err, LedgerError):
        msg = str(err)
        return 503 if any(s in msg for s in _UNAVAILABLE) else 409
    return 400


def _is_db_error(err):

    if isinstance(err, sqlite3.Error):
        return True
    try:
        # local import: the database driver of the configured backend only
        import psycopg
    except ImportError:
        return False
    return isinstance(err, psycopg.Error)


def _decimal(value, what):
    if not _DEC.match(value):
        raise HttpError(400, f"{what}: expected a canonical decimal string")

    n = int(value)
    if n >= R:
        raise HttpError(400, f"{what}: not a field element (>= r)")
    return n


async def _body(request, limit):
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if ctype.lower() not in ("application/json", ""):
        raise HttpError(415, f"request body: expected application/json, not {ctype[:40]!r}")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HttpError(400, "request body: bad Content-Length")
        if int(declared) > limit:
            raise HttpError(413, f"request body: larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, f"request body: larger than {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body:
        raise HttpError(400, "request body: empty (expected JSON)")
    return body


def _receipt(r):
    return {
        "batch_id": r.batch_id,
        "digest": r.digest,
        "root": str(r.root),
        "items": r.n_items,
        "nullifiers": r.nullifiers,
        "leaf_indices": [
            {"item": i, "role": role, "leaf_index": leaf} for i, role, leaf in r.leaf_indices
        ],
        "verify_seconds": round(r.verify_seconds, 6),
        "apply_seconds": round(r.apply_seconds, 6),
    }


def create_app(venue_dir, db=None, max_body=DEFAULT_MAX_BODY, state=None):
    """The application over venue directory ``venue_dir`` (ledger ``db``)."""
    st = state or ServedVenue(venue_dir, db)
    operator = OperatorCheck.from_venue(st.dir)

    @asynccontextmanager
    async def lifespan(app):
        yield
        st.close()

    app = FastAPI(
        lifespan=lifespan,
        title="zkats settlement service",
        version=__version__,
        description="Verify and apply settlement batches; read the public ledger.",
    )
    app.state.venue = st

    # -- errors: one line, no stack, nothing echoed -----------------------------
    @app.exception_handler(ZkatsError)
    async def _zkats_error(request, err):
        status = _status_of(err)
        response = _error(status, str(err))
        if status == 401:  # RFC 6750: how to authenticate (never which token)
            response.headers["WWW-Authenticate"] = 'Bearer realm="zkats operator"'
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request, err):
        errs = err.errors()
        if errs:
            e = errs[0]
            where = ".".join(str(p) for p in e.get("loc", ()))
            return _error(400, f"{where}: {e.get('msg', 'invalid')}")
        return _error(400, "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, err):
        return _error(err.status_code, str(err.detail))

    @app.exception_handler(Exception)
    async def _internal(request, err):
        if _is_db_error(err):  # lost database connection, disk full...: rolled back
            return _error(503, "database is unavailable; nothing was applied")
        import logging

        logging.getLogger("zkats.server").error(
            "internal error on %s %s", request.method, request.url.path, exc_info=err
        )
        return _error(500, "internal error")  # a bug: logged, never echoed

    def _operator(request):
        token = bearer(request.headers.get("authorization"))
        if token is None:
            raise HttpError(401, "operator token required (Authorization: Bearer ...)")
        if not operator.check(token):
            raise HttpError(403, "operator token rejected")

    def _q(name, value, lo=0, hi=MAX_INT):
        if not lo <= value <= hi:
            raise HttpError(400, f"{name}: must be between {lo} and {hi}")
        return value

    # -- submit -------------------------------------------------------------------
    @app.post(
        f"{API}/batches",
        status_code=201,
        tags=["settlement"],
        summary="Verify and apply a batch atomically",
        responses=schema.ERRORS,
        openapi_extra=schema.body(schema.BATCH),
    )
    async def submit_batch(request: Request):
        body = await _body(request, max_body)

        def work():

            parsed = B.loads(body, source="request body")
            if any(it.kind in MIRRORED_KINDS for it in parsed.items):
                _operator(request)  # what the chain did is the operator's to mirror
            return _receipt(st.settle(parsed))

        return JSONResponse(await run_in_threadpool(work), status_code=201)

    # -- reads ----------------------------------------------------------------
    @app.get(f"{API}/health", tags=["service"])
    def health():
        led = st.ledger
        return {
            "status": "ok",
            "version": __version__,
            "batches": led.batch_count(),
            "root": str(led.current_root()),
            "now": st.now(),
        }

    @app.get(f"{API}/venue", tags=["ledger"])
    def venue():
        return st.venue_public()

    @app.get(f"{API}/summary", tags=["ledger"])
    def summary():
        s = st.ledger.summary()
        s["escrow"] = {str(k): str(v) for k, v in s["escrow"].items()}
        return s

    @app.get(f"{API}/funds", tags=["ledger"])
    def funds():
        led = st.ledger
        with led.read():
            out: dict[str, object] = {
                name: {
                    "balance": str(led.fund_balance(name)),
                    "positions": [
                        {"instrument": str(i), "position": str(p), "cost": str(c)}
                        for i, (p, c) in led.fund_positions(name).items()
                    ],
                }
                for name in FUNDS
            }
            out["withdrawals"] = [
                {
                    "seq": q,
                    "batch_id": b,
                    "fund": f,
                    "amount": str(a),
                    "recipient": str(r),
                    "signature": jsonio.loads(sig, source="signature"),
                }
                for q, b, f, a, r, sig in led.fund_withdrawals()
            ]
        return out

    @app.get(f"{API}/batches", tags=["ledger"])
    def list_batches(after: int = 0, limit: int = 100):
        return {"batches": st.ledger.batches_page(_q("after", after), _q("limit", limit, 1))}

    @app.get(f"{API}/batches/latest", tags=["ledger"])
    def latest(limit: int = 20):
        return {"batches": st.ledger.latest_batches(_q("limit", limit, 1))}

    @app.get(f"{API}/batches/{{batch_id}}", tags=["ledger"], responses=schema.ERRORS)
    def get_batch(batch_id: int):
        b = st.ledger.batch_detail(_q("batch_id", batch_id))
        if b is None:
            raise HttpError(404, f"batch {batch_id} is unknown")
        return b

    @app.get(f"{API}/roots", tags=["ledger"])
    def list_roots(after: int = -1, limit: int = 100):
        return {"roots": st.ledger.roots_page(_q("after", after, -1), _q("limit", limit, 1))}

    @app.get(f"{API}/roots/current", tags=["ledger"])
    def current_root():
        led = st.ledger
        return {"root": str(led.current_root()), "n_leaves": led.n_leaves()}

    @app.get(f"{API}/roots/{{root}}", tags=["ledger"], responses=schema.ERRORS)
    def root_status(root: str):
        return st.ledger.root_status(_decimal(root, "root"))

    @app.get(f"{API}/nullifiers/{{nullifier}}", tags=["ledger"], responses=schema.ERRORS)
    def nullifier_status(nullifier: str):
        return st.ledger.nullifier_status(_decimal(nullifier, "nullifier"))

    @app.get(f"{API}/notes", tags=["ledger"])
    def list_notes(after: int = -1, limit: int = 100):
        led = st.ledger
        return {
            "notes": led.notes_page(_q("after", after, -1), _q("limit", limit, 1)),
            "n_leaves": led.n_leaves(),
        }

    @app.get(f"{API}/notes/{{commitment}}", tags=["ledger"], responses=schema.ERRORS)
    def get_note(commitment: str):
        n = st.ledger.note_info(_decimal(commitment, "commitment"))
        if n is None:
            raise HttpError(404, f"note {commitment[:16]} is not in the ledger")
        return n

    @app.get(f"{API}/paths/{{leaf_index}}", tags=["ledger"], responses=schema.ERRORS)
    def merkle_path(leaf_index: int):
        led = st.ledger
        _q("leaf_index", leaf_index)
        with led.read():
            n = led.n_leaves()
            if leaf_index >= n:
                raise HttpError(404, f"leaf index {leaf_index} not in the tree ({n} leaves)")
            sibs, bits = led.note_path(leaf_index)
            root = led.current_root()
        return {
            "leaf_index": leaf_index,
            "siblings": [str(s) for s in sibs],
            "bits": bits,
            "root": str(root),
        }

    @app.get(f"{API}/epochs", tags=["ledger"])
    def list_epochs():
        meta = st.meta.get().get("epochs", {})
        out = []
        for e in st.ledger.epochs():
            m = meta.get(str(e["epoch_id"]), {})
            e["marks"] = m.get("marks", {})
            e["entries"] = m.get("entries", [])
            out.append(e)
        return {"epochs": out, "now": st.now()}

    @app.get(f"{API}/orders/open", tags=["ledger"])
    def open_orders(after: str = "", limit: int = 100):
        if len(after) > 200:
            raise HttpError(400, "after: too long")
        return {"orders": st.ledger.open_orders_page(after, _q("limit", limit, 1))}

    @app.get(f"{API}/orders/{{x}},{{y}}", tags=["ledger"], responses=schema.ERRORS)
    def order_status(x: str, y: str):
        point = (_decimal(x, "order x"), _decimal(y, "order y"))
        return {"order": [str(point[0]), str(point[1])], "status": st.ledger.order_status(point)}

    @app.get(f"{API}/liquidatable", tags=["ledger"])
    def liquidatable(epoch: int = -1, pending: bool = False):
        eid = None if epoch == -1 else _q("epoch", epoch)
        return {"liquidatable": st.ledger.liquidatable_rows(eid, pending)}

    @app.get(f"{API}/keys/{{circuit}}/{{kind}}", tags=["venue"], responses=schema.ERRORS)
    def key_file(circuit: str, kind: str):

        if circuit not in venue_circuits():
            raise HttpError(404, f"unknown circuit {circuit[:40]!r}")
        names = {"zkey": f"{circuit}.zkey", "vkey": f"{circuit}.vkey.json"}
        if kind not in names:
            raise HttpError(404, "key kind: zkey or vkey")
        path = st.dir / "keys" / names[kind]
        if not path.is_file():
            raise HttpError(404, f"the venue has no {kind} for {circuit}")
        return FileResponse(path, media_type="application/octet-stream")

    # -- operator -------------------------------------------------------------
    @app.post(
        f"{API}/epochs",
        status_code=201,
        tags=["operator"],
        responses=schema.ERRORS,
        openapi_extra=schema.body(schema.PUBLISH, secured=True),
    )
    async def publish_epoch(request: Request):
        _operator(request)
        d = jsonio.loads(
            await _body(request, MAX_OPERATOR_BODY), source="request body", max_depth=4
        )
        marks, deadline_in, index, underlying = schema.parse_publish(d)
        eid = await run_in_threadpool(st.publish_epoch, marks, deadline_in, index, underlying)
        return JSONResponse({"epoch_id": eid}, status_code=201)

    @app.post(
        f"{API}/epochs/{{epoch_id}}/close",
        tags=["operator"],
        responses=schema.ERRORS,
        openapi_extra={"security": [{"operatorToken": []}]},
    )
    async def close_epoch(epoch_id: int, request: Request):
        _operator(request)
        _q("epoch_id", epoch_id)
        eid, marked = await run_in_threadpool(st.close_epoch, epoch_id)
        return {"epoch_id": eid, "liquidatable": marked}

    @app.post(
        f"{API}/clock/advance",
        tags=["operator"],
        responses=schema.ERRORS,
        openapi_extra=schema.body(schema.ADVANCE, secured=True),
    )
    async def advance_clock(request: Request):
        _operator(request)
        d = jsonio.loads(
            await _body(request, MAX_OPERATOR_BODY), source="request body", max_depth=2
        )
        seconds = schema.parse_advance(d)
        return {"now": await run_in_threadpool(st.advance_clock, seconds)}

    # -- the public page ------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        files = {"app.js": "text/javascript", "style.css": "text/css"}
        if name not in files:
            return Response(status_code=404)
        return FileResponse(STATIC / name, media_type=files[name])

    schema.install_openapi(app)
    return app
