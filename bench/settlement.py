"""Settlement benchmark: verify and apply one batch of N trades (default 100).

    .venv/bin/python bench/settlement.py [--trades 100] [--depth 16]

Each trade is three Groth16 proofs (match + two transitions) and a Schnorr
netting proof over two real Pedersen legs; the orders it consumes are opened
by order proofs in an earlier, untimed batch.  Until the venue's circuits and
keys exist, the Groth16 keys and proofs are made with a known trapdoor
(``tests/_groth16_sim.py``: valid proofs for the key, accepted by the real
verifier); the line says ``"proofs": "simulated-trapdoor"``.  The ledger is a
fresh SQLite file with the real Poseidon tree.

Prints one JSON line with separate timings: batch JSON parsing (strict,
with curve and subgroup checks), Groth16 batch verification (one randomised
check per circuit key), netting verification, the other checks, and the
apply transaction (notes, tree, nullifiers, trades; Poseidon included).
Wall-clock seconds and process CPU seconds are both printed (the machine
is shared: compare the load average).  Timings are measurements, not
assertions.
"""

import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))


class _Timed:
    """Wraps an adapter and sums the seconds spent in it."""

    def __init__(self, inner, method):
        self.inner, self.method, self.seconds, self.calls = inner, method, 0.0, 0
        self.cpu = 0.0

    def __getattr__(self, name):
        fn = getattr(self.inner, name)
        if name != self.method:
            return fn

        def timed(*a, **kw):
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds += time.perf_counter() - t
                self.cpu += time.process_time() - c
                self.calls += 1

        return timed


def build_batch(n_trades, depth, keys, now):
    from _groth16_sim import sim_proof
    from _settlement_util import order, trade
    from zkats.commit import netting, pedersen
    from zkats.venue import batch as B
    from zkats.venue.merkle_store import default_hash2, zero_hashes

    root = zero_hashes(depth, default_hash2())[depth]
    epoch = 4242
    items, orders = [], []
    for t in range(n_trades):
        o = 10**7 + 10 * t
        ra, rb = pedersen.random_blinding(), pedersen.random_blinding()
        leg_a = pedersen.commit_signed([3 + t, 300 + t], ra)
        leg_b = pedersen.commit_signed([-(3 + t), -(300 + t)], rb)
        nproof = netting.prove([leg_a, leg_b], [ra, rb])
        item = trade(
            10**6 + t,
            o + 1,
            o + 2,
            o + 3,
            o + 4,
            root=root,
            epoch=epoch,
            legs=(leg_a, leg_b),
            netting=B.NettingProof(R=nproof.R, s=nproof.s),
            now=now,
        )
        for it, dest in [
            (item, items),
            (order((10**6 + t, 1), now), orders),
            (order((10**6 + t, 2), now), orders),
        ]:
            dest.append(
                B.Item(
                    it.kind,
                    {
                        role: B.ProofBundle(
                            bd.circuit, bd.public, sim_proof(keys[bd.circuit][1], list(bd.public))
                        )
                        for role, bd in it.proofs.items()
                    },
                    it.netting,
                )
            )
    return B.Batch(items), B.Batch(orders), epoch


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trades", type=int, default=100)
    ap.add_argument("--depth", type=int, default=16)
    args = ap.parse_args(argv)

    from _groth16_sim import sim_key
    from zkats import bn254
    from zkats.domain.oracle_key import OracleKey
    from zkats.venue import batch as B
    from zkats.venue.settlement import (
        DEFAULT_LAYOUTS,
        Groth16Verifier,
        SchnorrNettingVerifier,
        SettlementService,
    )

    keys = {
        name: sim_key(len(layout.names), seed=i)
        for i, (name, layout) in enumerate(sorted(DEFAULT_LAYOUTS.items()))
    }
    t = time.perf_counter()
    now = int(time.time())
    batch, orders, epoch = build_batch(args.trades, args.depth, keys, now)
    build_s = time.perf_counter() - t
    text = B.dumps(batch)
    t = time.perf_counter()
    batch = B.loads(text)
    parse_s = time.perf_counter() - t

    verifier = _Timed(Groth16Verifier({k: v[0] for k, v in keys.items()}), "failures")
    netting = _Timed(SchnorrNettingVerifier(), "verify")
    with tempfile.TemporaryDirectory() as d:
        oracle = OracleKey.generate()
        svc = SettlementService(
            os.path.join(d, "ledger.db"),
            verifier=verifier,
            netting=netting,
            depth=args.depth,
            oracle_key=oracle.pub,
        )
        svc.publish_epoch(1, epoch, 2**40, oracle.sign_epoch(1, epoch, 2**40))
        svc.apply(orders)  # the order proofs opening the orders (not timed)
        verifier.seconds = verifier.cpu = 0.0
        verifier.calls = netting.calls = 0
        c0 = time.process_time()
        receipt = svc.apply(batch)
        apply_cpu = time.process_time() - c0
        svc.close()
    out = {
        "bench": "settlement",
        "trades": args.trades,
        "groth16_proofs": 3 * args.trades,
        "proofs": "simulated-trapdoor",
        "native_pairing": hasattr(bn254, "pairing_check"),
        "batch_json_bytes": len(text),
        "build_seconds": round(build_s, 3),
        "parse_seconds": round(parse_s, 3),
        "groth16_verify_seconds": round(verifier.seconds, 3),
        "groth16_verify_cpu_seconds": round(verifier.cpu, 3),
        "groth16_verify_calls": verifier.calls,
        "netting_verify_seconds": round(netting.seconds, 3),
        "netting_verify_cpu_seconds": round(netting.cpu, 3),
        "other_checks_seconds": round(
            receipt.verify_seconds - verifier.seconds - netting.seconds, 3
        ),
        "verify_seconds": round(receipt.verify_seconds, 3),
        "apply_seconds": round(receipt.apply_seconds, 3),
        "whole_apply_call_cpu_seconds": round(apply_cpu, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "notes_appended": len(receipt.leaf_indices),
        "depth": args.depth,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
