"""The settlement service as a server (``zkats serve``) and its client.

* :mod:`zkats.server.app` - the ASGI application (FastAPI on uvicorn): the
  versioned JSON API under ``/v1`` with its OpenAPI document at
  ``/openapi.json``, and the public ledger page at ``/``;
* :mod:`zkats.server.auth` - the operator token (made by ``zkats venue
  init`` with :mod:`secrets`, kept in the venue directory, mode 0600,
  compared in constant time);
* :mod:`zkats.server.client` - a small HTTP client for wallets, services
  and the trader's CLI (``--service URL`` / ``$ZKATS_SERVICE``), and
  :class:`~zkats.server.client.RemoteVenue`, the venue seen through it;
* :mod:`zkats.server.agent` - the autonomous liquidation agent.

Importing this package imports neither FastAPI nor httpx (the CLI's
``venue init`` uses :mod:`zkats.server.auth` without them).
"""
