"""Settlement throughput: trades/s for batches of 1, 10 and 50 trades, on SQLite
and PostgreSQL, the service called directly and through ``zkats serve``.

    .venv/bin/python bench/settlement.py [--sizes 1,10,50] [--trades 200]
                                         [--clients 4] [--pg-servers 2]
                                         [--pg postgresql://... | --no-pg]

A trade is three Groth16 proofs (match and two transitions, verified for
real: one pairing product per circuit key) and a Schnorr netting proof over
real Pedersen legs (all the batch's netting proofs in one multi-scalar
multiplication); the orders it consumes are opened by an earlier, untimed
batch of order proofs.  The verifying keys have a known trapdoor
(tests/_server_util.py) so that proofs are cheap to make; every proof has
fresh random A and B, as real proofs do, and proving is not timed.

For each store and batch size, the same number of batches is applied
**directly** (``SettlementService.apply(batch.loads(text))``: parsing
included, as the server does) and **through the API** (the JSON text POSTed
to a ``zkats serve`` subprocess on 127.0.0.1, one request at a time),
alternating, so both see the same machine load.  Printed per line:
trades/s each way, the median batch latency each way and their difference
(what HTTP adds to a batch's settlement), and the median time of the
service's checks of a batch (decoding, ledger checks, the batched proof and
netting verification) against its peer in the same run: the same batches'
proofs checked one by one (``verify`` per proof with its own final
exponentiation, ``SchnorrNettingVerifier.verify`` per trade).  Then the
**concurrent** column: as many batches again POSTed by ``--clients``
threads at once, spread over the servers (SQLite: one ``zkats serve``;
PostgreSQL: ``--pg-servers`` processes on the one database, the issue's
scale-out), with the p50/p95 latency each client saw.  A server verifies a
batch's proofs before it takes the ledger's write lock, so one batch's
verification overlaps another's database work.
Targets (issue 17): >= 200 trades/s on this 2-core machine on both stores;
the API adds <= 10 ms p50.  PostgreSQL: a throw-away server (Debian's
postgresql, tests/_pg_server.py) unless ``--pg`` names an empty database.
Figures are measurements on a shared machine (the load average is printed),
not assertions.
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _prover():
    from _groth16_sim import G1, G2
    from _server_util import SimProver
    from zkats import bn254
    from zkats.field import R
    from zkats.groth16.data_structures import Proof

    class FreshProver(SimProver):
        """Valid proofs with fresh random A and B per proof (as real proofs)."""

        def proof(self, circuit, public):
            td = self.td[circuit]
            a, b = secrets.randbelow(R - 1) + 1, secrets.randbelow(R - 1) + 1
            lin = (td["ic"][0] + sum(x * k for x, k in zip(public, td["ic"][1:]))) % R
            c = (a * b - td["alpha"] * td["beta"] - lin * td["gamma"]) * pow(td["delta"], -1, R)
            return Proof(a=bn254.g1_mul(G1, a), b=bn254.g2_mul(G2, b), c=bn254.g1_mul(G1, c % R))

    return FreshProver(seed=9)


def _batches(prover, sv, n_batches, size):
    """[(orders batch, trades batch)] for the service's current root and epoch."""
    from _server_util import trade_items
    from zkats.venue import batch as B

    led = sv.ledger
    e = led.epochs()[-1]
    inst = int(sv.meta.get()["instruments"]["BTC-PERP"])
    root = led.current_root()
    out = []
    for _ in range(n_batches):
        orders, trades = [], []
        for _ in range(size):
            o1, o2, t = trade_items(
                prover, root, e["epoch_id"], int(e["data_hash"]), inst, sv.now()
            )
            orders += [o1, o2]
            trades.append(t)
        out.append((B.Batch(orders), B.Batch(trades)))
    return out


def _one_by_one(svc, batch):
    """Seconds to check the batch's proofs one at a time (the peer)."""
    from zkats.groth16 import verifier
    from zkats.venue.rules import RULES
    from zkats.venue.settlement import SchnorrNettingVerifier

    keys = svc.verifier.keys
    net = SchnorrNettingVerifier()
    t0 = time.perf_counter()
    for item in batch.items:
        for role, b in item.proofs.items():
            circuit = RULES[item.kind].roles[role].circuit_name
            assert verifier.verify(keys[circuit], b.public, b.proof)
        m = RULES[item.kind].roles["match"].decode(item.proofs["match"].public)
        assert net.verify([m.leg_a, m.leg_b], item.netting)
    return time.perf_counter() - t0


def _pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def _concurrent(urls, bodies, clients):
    """POST ``bodies`` from ``clients`` threads spread over ``urls``: (seconds, latencies)."""
    import threading

    import httpx

    lock = threading.Lock()
    todo = list(bodies)
    lat, failures = [], []

    def client(i):
        url = urls[i % len(urls)]
        with httpx.Client(timeout=300) as http:
            while True:
                with lock:
                    if not todo:
                        return
                    body = todo.pop()
                t0 = time.perf_counter()
                r = http.post(url + "/v1/batches", content=body)
                dt = time.perf_counter() - t0
                with lock:
                    if r.status_code == 201:
                        lat.append(dt)
                    else:
                        failures.append(r.text[:200])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"the API refused a valid batch: {failures[0]}")
    return time.perf_counter() - t0, lat


def bench_store(prover, label, db, sizes, total_trades, clients, servers):
    import httpx

    from _server_util import Server, sim_venue
    from zkats.server.state import ServedVenue
    from zkats.venue import batch as B

    tmp = Path(tempfile.mkdtemp(prefix="zkats-bench-settle-"))
    out = []
    try:
        venue = sim_venue(tmp / "venue", prover)
        sv = ServedVenue(venue, db)
        sv.publish_epoch({"BTC-PERP": 60000}, 3600)
        svc = sv.service()
        srvs = [Server(venue, db=db).start() for _ in range(servers)]
        srv = srvs[0]
        try:
            with httpx.Client(timeout=300) as http:
                for size in sizes:
                    n = max(3, total_trades // size)
                    direct_work = _batches(prover, sv, n, size)
                    api_work = _batches(prover, sv, n, size)
                    conc_work = _batches(prover, sv, max(n, 2 * clients), size)
                    for orders, _ in direct_work + api_work + conc_work:
                        svc.apply(orders)
                    peer = [_one_by_one(svc, d) for _, d in direct_work[:3]]
                    direct, api, checks = [], [], []
                    for (_, d), (_, a) in zip(direct_work, api_work):
                        text = B.dumps(d)
                        t0 = time.perf_counter()
                        receipt = svc.apply(B.loads(text))
                        direct.append(time.perf_counter() - t0)
                        checks.append(receipt.verify_seconds)
                        body = B.dumps(a)
                        t0 = time.perf_counter()
                        r = http.post(srv.url + "/v1/batches", content=body)
                        api.append(time.perf_counter() - t0)
                        if r.status_code != 201:
                            raise SystemExit(f"the API refused a valid batch: {r.text[:200]}")
                    # the same kind of batches from concurrent clients (over every server)
                    bodies = [B.dumps(t) for _, t in conc_work]
                    conc_s, conc_lat = _concurrent([x.url for x in srvs], bodies, clients)
                    p50_d, p50_a = statistics.median(direct), statistics.median(api)
                    line = {
                        "bench": "settlement",
                        "store": label,
                        "trades_per_batch": size,
                        "batches": n,
                        "direct_trades_per_s": round(n * size / sum(direct), 1),
                        "api_trades_per_s": round(n * size / sum(api), 1),
                        "p50_direct_ms": round(1000 * p50_d, 2),
                        "p95_direct_ms": round(1000 * _pct(direct, 0.95), 2),
                        "p50_api_ms": round(1000 * p50_a, 2),
                        "p95_api_ms": round(1000 * _pct(api, 0.95), 2),
                        "api_added_p50_ms": round(1000 * (p50_a - p50_d), 2),
                        f"api_{clients}_clients_{servers}_servers_trades_per_s": round(
                            len(bodies) * size / conc_s, 1
                        ),
                        "p50_concurrent_ms": round(1000 * statistics.median(conc_lat), 2),
                        "p95_concurrent_ms": round(1000 * _pct(conc_lat, 0.95), 2),
                        "p50_checks_ms": round(1000 * statistics.median(checks), 2),
                        "peer_one_by_one_checks_ms": round(1000 * statistics.median(peer), 2),
                        "checks_speedup_vs_one_by_one": round(
                            statistics.median(peer) / statistics.median(checks), 2
                        ),
                        "target_trades_per_s": 200,
                        "load_average_1min": round(os.getloadavg()[0], 2),
                        "cpus": os.cpu_count(),
                    }
                    print(json.dumps(line), flush=True)
                    out.append(line)
        finally:
            for x in srvs:
                x.stop()
            sv.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _temp_pg():
    """(url of an empty database, server) on a throw-away PostgreSQL server."""
    import psycopg

    from _pg_server import PgServer, pg_bindir

    bindir = pg_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL (initdb) found: `make system` installs it, or use --no-pg")
    user = "postgres" if os.geteuid() == 0 else None
    srv = PgServer.started(bindir, user, "zkats-bench-pg-")
    with psycopg.connect(srv.url(), autocommit=True) as c:
        c.execute("CREATE DATABASE zkats_bench")
    return srv.url("zkats_bench"), srv


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,50", help="trades per batch, comma-separated")
    ap.add_argument("--trades", type=int, default=200, help="trades each way per size (about)")
    ap.add_argument(
        "--pg", help="postgresql:// URL of an empty database (default: a temporary server)"
    )
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients (last column)")
    ap.add_argument(
        "--pg-servers",
        type=int,
        default=2,
        help="zkats serve processes on the one PostgreSQL database (concurrent column)",
    )
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    prover = _prover()
    bench_store(prover, "sqlite", None, sizes, args.trades, args.clients, 1)
    if args.no_pg:
        return
    pg_srv = None
    url = args.pg
    try:
        if url is None:
            url, pg_srv = _temp_pg()
        bench_store(prover, "postgresql", url, sizes, args.trades, args.clients, args.pg_servers)
    finally:
        if pg_srv is not None:
            pg_srv.stop("immediate")
            shutil.rmtree(pg_srv.base, ignore_errors=True)


if __name__ == "__main__":
    main()
