"""Subprocess for test_ledger_crash: applies scenario batches 0..N-1 in order.

Usage: python _ledger_worker.py DB N [--die-inside K]

Prints "ready" once the ledger is open, then one line per batch.  Batches
already in the ledger (from a run that was killed) are refused by their
nullifiers/commitments and skipped.  ``--die-inside K`` SIGKILLs this
process from inside batch K's transaction, after its notes, nullifiers and
tree nodes are written but before COMMIT (a deterministic mid-transaction
crash).  Uses the test doubles of _settlement_util.
"""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _settlement_util import EPOCH1, scenario_batch, service
from zkats.errors import LedgerError

DEPTH = 12
N_TRADES = 2


def main():
    db, n = sys.argv[1], int(sys.argv[2])
    die_inside = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--die-inside" else None
    svc = service(db, depth=DEPTH)
    if svc.ledger.latest_epoch() is None:
        svc.publish_epoch(1, EPOCH1, deadline=10**9)
    if die_inside is not None:
        real = svc.ledger.tree.append_many
        state = {"k": None}

        def dying_append(n0, leaves):
            root = real(n0, leaves)
            if state["k"] == die_inside:
                os.kill(os.getpid(), signal.SIGKILL)
            return root

        svc.ledger.tree.append_many = dying_append
    print("ready", flush=True)
    for k in range(n):
        batch, _, _ = scenario_batch(k, N_TRADES, DEPTH)
        if die_inside is not None:
            state["k"] = k
        try:
            svc.apply(batch)
            print("applied", k, flush=True)
        except LedgerError as err:
            if "already" not in str(err):
                raise
            print("skipped", k, flush=True)
    svc.close()


if __name__ == "__main__":
    main()
