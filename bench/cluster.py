"""Proving on a Ray cluster: the prover pool and the sharded prover.

    .venv/bin/python bench/cluster.py [--pool-k 14] [--jobs 24] [--shard-k 18]
                                      [--shards 2,3] [--workdir DIR]

On chain circuits (bench/groth16.py's circom chain filling a 2^k domain,
circom2 + zkats setup, cached in the work directory):

1. **pool** (2^--pool-k): one process proving --jobs jobs in a loop (the
   key opened once) against a ProverPool of 2 workers on a local Ray
   cluster proving the same jobs (submitted as a stream, every proof
   verified by the driver), in --rounds interleaved rounds (best of each):
   throughput, overhead = 1 - pool/loop, the latency one job sees through
   the pool (one at a time) against an in-process prove, and the pool's own
   part of it (latency minus the worker's time inside prove) with its
   pieces: a task carrying the witness, an actor round trip, the driver's
   verification;
2. **sharded** (2^--shard-k): each configuration in its own child process
   (so each peak RSS is its own): the single-process prover (in-process,
   timings per stage) and the ShardedProver with 2 and 3 shards: time per
   proof, the coordinator's quotient time, each shard's MSM time, each
   worker's peak RSS and bytes of key held, an idle Ray worker's RSS (the
   floor every worker pays);
3. **scaling model**: the time and memory of one proof at 2^24..2^28
   constraints on 8..64 machines like this one, from the measured stage
   times (quotient: n log n on the coordinator; MSM: Pippenger, n/log n per
   machine; the scalars over a 10 Gbit/s link), with stragglers simulated
   from the measured spread of the shards' times; DIZK's published figure
   beside it (docs/cluster.md).

Prints one JSON line per measurement and a summary.  Nothing is asserted.
"""

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _peers import ROOT

sys.path.insert(0, str(ROOT))

#: the link between the coordinator and the shards in the model (bytes/s)
LINK = 10e9 / 8
#: DIZK (Wu, Zheng, Chiesa, Popa, Stoica, USENIX Security 2018, eprint
#: 2018/691), abstract: "scales to computations of up to billions of logical
#: gates ... at a cost of 10 us per gate"
DIZK_US_PER_GATE = 10.0


def emit(rec):
    print(json.dumps(rec), flush=True)
    return rec


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---------------------------------------------------------------- 1. pool
def pool_bench(d, jobs, workers, rounds):
    """Rounds of (the loop, the pool) on the same jobs, interleaved so that
    the machine's load drifts over both alike; best round of each."""
    from zkats.cluster.pool import ProverPool
    from zkats.formats.wtns import read_wtns_buffer
    from zkats.formats.zkey_layout import open_zkey
    from zkats.groth16.prover import prove

    zkey, w = str(d / "circuit.zkey"), read_wtns_buffer(d / "witness.wtns")
    key = open_zkey(zkey)
    prove(key, w)  # warm: page the key in
    t0 = time.perf_counter()
    pool = ProverPool(workers=workers, local_cpus=workers)
    pool.warm(zkey)
    startup = time.perf_counter() - t0
    loops, streams, local, lat, own = [], [], [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(jobs):
            t1 = time.perf_counter()
            prove(key, w)
            local.append(time.perf_counter() - t1)
        loops.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stream = [pool.submit(zkey, w) for _ in range(jobs)]
        pool.drain()
        streams.append(time.perf_counter() - t0)
        assert all(j.done and j.result() for j in stream)
        busy0 = sum(i["prove_seconds"] for i in pool.workers_info())
        t_lat = 0.0
        for _ in range(4):  # one job at a time: the latency a caller sees
            t0 = time.perf_counter()
            pool.prove(zkey, w)
            lat.append(time.perf_counter() - t0)
            t_lat += lat[-1]
        # the pool's own part of those 4 latencies: their total minus the
        # workers' time inside prove() for them (same jobs, same processes)
        busy = sum(i["prove_seconds"] for i in pool.workers_info()) - busy0
        own.append((t_lat - busy) / 4)
    # the pool's own part of a job's latency, apart from the load's noise:
    # a round trip to a worker carrying the witness, and the driver's check
    from zkats.groth16.verifier import verify

    actor = pool._slots[0].actor
    rtt = []
    for _ in range(20):
        t0 = time.perf_counter()
        pool.ray.get(actor.info.remote())
        rtt.append(time.perf_counter() - t0)
    echo = pool.ray.remote(num_cpus=0)(lambda b: len(b))
    pool.ray.get(echo.remote(w))
    carry = []
    for _ in range(10):
        t0 = time.perf_counter()
        pool.ray.get(echo.remote(w))
        carry.append(time.perf_counter() - t0)
    proof, public = stream[0].result()
    vk = key.verifying_key()
    chk = []
    for _ in range(10):
        t0 = time.perf_counter()
        verify(vk, public, proof)
        chk.append(time.perf_counter() - t0)
    stats = dict(pool.stats)
    pool.close()
    pool.ray.shutdown()
    loop, streamed = min(loops), min(streams)
    return emit(
        {
            "bench": "pool",
            "domain": d.name,
            "jobs": jobs,
            "rounds": rounds,
            "workers": workers,
            "loop_proofs_per_s": round(jobs / loop, 2),
            "pool_proofs_per_s": round(jobs / streamed, 2),
            "overhead": round(1 - loop / streamed, 4),
            "loop_rounds_s": [round(x, 2) for x in loops],
            "pool_rounds_s": [round(x, 2) for x in streams],
            "local_prove_s": round(statistics.median(local), 4),
            "pool_latency_s": round(statistics.median(lat), 4),
            "added_latency_s": round(statistics.median(lat) - statistics.median(local), 4),
            "pool_own_latency_s": round(statistics.median(own), 4),
            "pool_startup_s": round(startup, 2),
            "actor_round_trip_s": round(statistics.median(rtt), 5),
            "task_with_witness_s": round(statistics.median(carry), 5),
            "witness_bytes": len(w),
            "driver_verify_s": round(statistics.median(chk), 5),
            "stats": stats,
        }
    )


# ---------------------------------------------------------------- 2. sharded
def _idle_worker_rss(ray):
    @ray.remote(num_cpus=0)
    class Idle:
        def rss(self):
            import numpy  # noqa: F401

            import zkats.bn254
            import zkats.formats.zkey_layout  # noqa: F401

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    a = Idle.remote()
    try:
        return ray.get(a.rss.remote())
    finally:
        ray.kill(a)


def shard_child(zkey, wtns, shards, repeat):
    """One configuration in this process; prints its JSON record."""
    from zkats.formats.wtns import read_wtns_buffer

    w = read_wtns_buffer(wtns)
    base = peak_rss_mib()
    rec = {"shards": shards, "rss_before_key_mib": round(base, 1)}
    if shards == 0:
        from zkats.formats.zkey_layout import open_zkey
        from zkats.groth16.prover import prove

        key = open_zkey(zkey)
        best, timings = None, None
        for _ in range(repeat):
            t = {}
            t0 = time.perf_counter()
            prove(key, w, timings=t)
            dt = time.perf_counter() - t0
            if best is None or dt < best:
                best, timings = dt, t
        rec.update(prove_s=round(best, 3), stages=timings, peak_rss_mib=round(peak_rss_mib(), 1))
    else:
        from zkats.cluster.sharded import ShardedProver

        t0 = time.perf_counter()
        sp = ShardedProver(zkey, shards=shards, local_cpus=2)
        rec["load_s"] = round(time.perf_counter() - t0, 2)
        best, timings = None, None
        for _ in range(repeat):
            t0 = time.perf_counter()
            sp.prove(w)
            dt = time.perf_counter() - t0
            if best is None or dt < best:
                best, timings = dt, dict(sp.last_timings)
        mem = sp.memory()
        rec.update(
            prove_s=round(best, 3),
            quotient_s=round(timings["quotient"], 3),
            partials_s=round(timings["partials"], 3),
            shard_msm_s=[round(x, 3) for x in timings["shard_msm"]],
            worker_peak_rss_mib=[round(m["peak_rss_bytes"] / 2**20, 1) for m in mem],
            worker_key_mib=[round(m["shard_bytes"] / 2**20, 1) for m in mem],
            idle_worker_rss_mib=round(_idle_worker_rss(sp.ray) / 2**20, 1),
            coordinator_peak_rss_mib=round(peak_rss_mib(), 1),
        )
        sp.close()
    print("@@" + json.dumps(rec), flush=True)


def shard_bench(d, shard_counts, repeat):
    out = []
    for k in [0, *shard_counts]:
        r = subprocess.run(
            [
                sys.executable,
                __file__,
                "--_child",
                str(k),
                "--repeat",
                str(repeat),
                str(d / "circuit.zkey"),
                str(d / "witness.wtns"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
            cwd=ROOT,
        )
        lines = [ln for ln in r.stdout.splitlines() if ln.startswith("@@")]
        if r.returncode != 0 or not lines:
            raise SystemExit(f"shard child {k} failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
        rec = json.loads(lines[-1][2:])
        rec.update(bench="sharded", domain=d.name)
        out.append(emit(rec))
    return out


# ---------------------------------------------------------------- 3. model
def model(single, sharded, n0):
    """Time and memory of one proof at 2^24..2^28 on 8..64 machines."""
    # the whole key's MSMs on one machine: k shards sharing this machine's
    # cores finish about when one process would (best configuration); the
    # quotient: the coordinator's, measured alone (the single-process prover
    # overlaps it with the MSMs, so its stage times are not additive)
    t_q0 = min(r["quotient_s"] for r in sharded)
    t_msm0 = min(max(r["shard_msm_s"]) for r in sharded)
    # spread of the shards' MSM times (each shard's time over the mean)
    spread = []
    for r in sharded:
        m = statistics.mean(r["shard_msm_s"])
        spread += [x / m for x in r["shard_msm_s"]]
    rng = random.Random(1)
    lg0 = math.log2(n0)

    def t_msm(points):  # Pippenger: cost ~ n / log n
        return t_msm0 * (points / n0) * (lg0 / math.log2(points))

    rows = []
    for lg in range(24, 29):
        n = 1 << lg
        t_q = t_q0 * (n * lg) / (n0 * lg0)
        t_net = 96 * n / LINK  # witness (A, B1, B2 and C ranges) and h: ~3 x 32 bytes per row
        single_t = t_q + t_msm(n)
        for m in (8, 16, 32, 64):
            sims = [max(rng.choice(spread) for _ in range(m)) for _ in range(200)]
            straggle = statistics.mean(sims)
            t = t_q + t_net + t_msm(n / m) * straggle
            # the next step (docs/cluster.md): a four-step NTT over the same
            # machines, one all-to-all of each machine's n/m slice per transform
            # (6 transforms), h born split: no scalars gathered or sent
            t_dist = (t_q + 6 * 32 * n / LINK) / m + t_msm(n / m) * straggle
            rows.append(
                {
                    "constraints": f"2^{lg}",
                    "machines": m,
                    "model_s": round(t, 1),
                    "quotient_share": round(t_q / t, 3),
                    "speedup_vs_one": round(single_t / t, 1),
                    "efficiency": round(single_t / t / m, 3),
                    "model_distributed_ntt_s": round(t_dist, 1),
                    "speedup_distributed_ntt": round(single_t / t_dist, 1),
                    "key_gib_per_machine": round(384 * n / m / 2**30, 2),
                    "coordinator_gib": round((44 * 3 + 32 + 96 + 32) * n / 2**30, 1),
                    "dizk_headline_s": round(DIZK_US_PER_GATE * 1e-6 * n, 1),
                }
            )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool-k", type=int, default=14)
    ap.add_argument("--jobs", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shard-k", type=int, default=18)
    ap.add_argument("--shards", default="2,3")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workdir", default=str(ROOT / "bench" / "_work"))
    ap.add_argument("--skip-pool", action="store_true")
    ap.add_argument("--skip-shard", action="store_true")
    ap.add_argument("--_child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child is not None:
        return shard_child(args.paths[0], args.paths[1], args._child, args.repeat)
    from groth16 import prepare

    work = Path(args.workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    summary = {}
    if not args.skip_pool:
        d = prepare(work, args.pool_k, max(args.pool_k, args.shard_k), None, zkats_from=12)
        p = pool_bench(d, args.jobs, args.workers, args.rounds)
        summary["pool"] = {
            k: p[k]
            for k in (
                "loop_proofs_per_s",
                "pool_proofs_per_s",
                "overhead",
                "added_latency_s",
                "pool_own_latency_s",
                "task_with_witness_s",
                "driver_verify_s",
            )
        }
    if not args.skip_shard:
        d = prepare(work, args.shard_k, args.shard_k, None, zkats_from=12)
        recs = shard_bench(d, [int(s) for s in args.shards.split(",")], args.repeat)
        single, sharded = recs[0], recs[1:]
        summary["sharded"] = {
            f"{r['shards']} shards": {
                "time_overhead": round(r["prove_s"] / single["prove_s"] - 1, 3),
                "worker_peak_rss_mib": max(r["worker_peak_rss_mib"]),
                "worker_key_mib": max(r["worker_key_mib"]),
                "idle_worker_rss_mib": r["idle_worker_rss_mib"],
                "single_process_peak_rss_mib": single["peak_rss_mib"],
            }
            for r in sharded
        }
        for row in model(single, sharded, 1 << args.shard_k):
            emit({"bench": "scaling model", **row})
    emit({"summary": summary})


if __name__ == "__main__":
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    main()
