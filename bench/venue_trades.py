"""Real-proof settlement benchmark through the trader workflow.

    .venv/bin/python bench/venue_trades.py [--trades 10] [--dir DIR]

Makes a development venue (keys from the key cache, see
``zkats.venue.workflow``), 2N traders, their deposits (one batch), their
orders (one batch: order proofs), then N limit-order trades proved with
the real venue circuits (match + two transitions + netting each) and
applies them as ONE batch.  Prints one JSON line: proving time per proof,
and the settlement service's verify (decode, checks, Groth16 batch
verification, netting) and apply times for the trade batch.  Measurements,
not assertions; the machine is shared (the load average is printed).

Every trade needs two distinct accounts (one live note per account per
batch), so N trades cost 7N proofs: use bench/settlement.py for 100-trade
verification timings without proving 700 proofs.
"""

import argparse
import json
import os
import sys
import tempfile
import time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trades", type=int, default=10)
    ap.add_argument("--dir", help="keep the venue here (default: a temporary directory)")
    args = ap.parse_args(argv)
    from zkats.venue.workflow import Venue, Wallet

    d = args.dir or tempfile.mkdtemp(prefix="zkats-bench-")
    os.makedirs(d, exist_ok=True)
    t0 = time.perf_counter()
    v = Venue.init(os.path.join(d, "venue"), progress=lambda m: print(m, file=sys.stderr))
    t_init = time.perf_counter() - t0
    n = args.trades
    ws = [Wallet.create(os.path.join(d, f"t{i}.wallet")) for i in range(2 * n)]
    t0 = time.perf_counter()
    v.settle([v.deposit(w, 100_000) for w in ws])
    for w in ws:
        w.sync(v.ledger)
    sos = [
        v.new_order(w, "BTC-PERP", "buy" if i % 2 == 0 else "sell", 2, 60_000)
        for i, w in enumerate(ws)
    ]
    v.settle([v.order_item(so) for so in sos])
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    items = [v.match(sos[2 * k], sos[2 * k + 1], ws[2 * k], ws[2 * k + 1])[0] for k in range(n)]
    t_prove = time.perf_counter() - t0
    c0 = time.process_time()
    r = v.settle(items)
    settle_cpu = time.process_time() - c0
    v.close()
    print(
        json.dumps(
            {
                "trades": n,
                "proofs": "real (venue circuits, development keys)",
                "init_s": round(t_init, 2),
                "deposits_and_orders_s": round(t_setup, 2),
                "prove_trades_s": round(t_prove, 2),
                "prove_per_proof_s": round(t_prove / (3 * n), 3),
                "verify_s": round(r.verify_seconds, 3),
                "apply_s": round(r.apply_seconds, 3),
                "settle_cpu_s": round(settle_cpu, 3),
                "loadavg": os.getloadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
