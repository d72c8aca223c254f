"""Settlement service benchmark: the service called directly vs through ``zkats serve``.

    .venv/bin/python bench/server.py [--trades 20] [--batches 10] [--clients 4]
                                     [--latency 40] [--pg postgresql://...]

For each store (SQLite; PostgreSQL with ``--pg``):

* **trades/s, direct**: ``SettlementService.apply`` on batches of
  ``--trades`` trades (each trade: match + two transition Groth16 proofs,
  verified for real and batched per key, and a Schnorr netting proof over
  real Pedersen legs; the orders they consume are opened by an earlier,
  untimed batch of order proofs);
* **trades/s, API**: the same batches POSTed by ``--clients`` concurrent
  clients to a ``zkats serve`` subprocess on 127.0.0.1;
* **added p50 latency**: one-deposit batches applied one at a time, directly
  and through the API; the difference of the medians is what the HTTP layer
  (parsing, transport, JSON) adds.

Keys and proofs have a known trapdoor (``tests/_groth16_sim.py``: valid
proofs the real verifier accepts; proving is not what is measured).  Prints
one JSON line per store.  Figures are measurements on a shared machine
(the load average is printed), not assertions.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _setup(prover, directory, db):
    import httpx

    from _server_util import Server, sim_venue, token

    venue = sim_venue(directory, prover)
    srv = Server(venue, db=db).start()
    tok = token(venue)
    r = httpx.post(
        srv.url + "/v1/epochs",
        json={"marks": {"BTC-PERP": 60000}, "deadline_in": 3600},
        headers={"Authorization": f"Bearer {tok}"},
    )
    r.raise_for_status()
    return venue, srv


def bench_store(prover, label, db, args):
    """One store's figures; the trade batches and the concurrent clients are
    bench/settlement.py's."""
    import httpx
    from settlement import _batches, _concurrent

    from _server_util import deposit_batch
    from zkats.server.state import ServedVenue
    from zkats.venue import batch as B

    tmp = Path(tempfile.mkdtemp(prefix="zkats-bench-server-"))
    venue, srv = _setup(prover, tmp / "venue", db)
    res = {"store": label, "trades_per_batch": args.trades}
    try:
        sv = ServedVenue(venue, db)
        svc = sv.service()
        # -- direct throughput (the orders each batch consumes opened first, untimed)
        work = _batches(prover, sv, args.batches, args.trades)
        for orders, _ in work:
            svc.apply(orders)
        t0 = time.perf_counter()
        for _, trades in work:
            svc.apply(B.loads(B.dumps(trades)))  # parse included, as the API does
        dt = time.perf_counter() - t0
        res["direct_trades_per_s"] = round(args.batches * args.trades / dt, 1)
        # -- API throughput, concurrent clients
        work = _batches(prover, sv, args.batches, args.trades)
        for orders, _ in work:
            svc.apply(orders)
        dt, _ = _concurrent([srv.url], [B.dumps(t) for _, t in work], args.clients)
        res["api_trades_per_s"] = round(args.batches * args.trades / dt, 1)
        res["api_clients"] = args.clients
        # -- latency: one-deposit batches, one at a time
        root = int(httpx.get(srv.url + "/v1/roots/current").json()["root"])
        direct, api = [], []
        with httpx.Client(timeout=60) as http:
            for _ in range(args.latency):
                b = deposit_batch(prover, root)
                t0 = time.perf_counter()
                svc.apply(B.loads(B.dumps(b)))
                direct.append(time.perf_counter() - t0)
                b = deposit_batch(prover, root)
                body = B.dumps(b)
                t0 = time.perf_counter()
                r = http.post(srv.url + "/v1/batches", content=body)
                api.append(time.perf_counter() - t0)
                assert r.status_code == 201, r.text
        p_direct = statistics.median(direct) * 1000
        p_api = statistics.median(api) * 1000
        res["p50_direct_ms"] = round(p_direct, 2)
        res["p50_api_ms"] = round(p_api, 2)
        res["api_added_p50_ms"] = round(p_api - p_direct, 2)
        sv.close()
    finally:
        srv.stop()
    res["loadavg"] = round(os.getloadavg()[0], 2)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trades", type=int, default=20)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--latency", type=int, default=40, help="single-deposit batches timed")
    ap.add_argument("--pg", help="postgresql:// URL of an empty database to also measure")
    args = ap.parse_args()
    from _server_util import SimProver

    prover = SimProver(seed=9)
    stores = [("sqlite", None)] + ([("postgresql", args.pg)] if args.pg else [])
    for label, db in stores:
        print(json.dumps(bench_store(prover, label, db, args)), flush=True)


if __name__ == "__main__":
    main()
