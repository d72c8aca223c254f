"""Native MSM timing: G1 and G2, 1 and 2 threads, random full-size scalars.

    .venv/bin/python bench/msm.py [--log-n 12,14,16,18] [--groups g1,g2]
                                  [--threads 1,2] [--repeat 3] [--window C]
                                  [--scalars random|witness] [--no-glv]

Bases are random multiples of the generator (distinct points), scalars
uniform below r (``random``) or shaped like a circuit witness (``witness``:
half 0/1 bits, a quarter below 2^64, a quarter full size).  Each line is one
JSON object with the best wall time and the CPU seconds (user + system, all
threads) of the same run, plus the microseconds per point per thread.
Benchmarks, not tests: nothing is asserted beyond the results agreeing
across thread counts.
"""

import argparse
import functools
import json
import resource
import secrets
import time

from zkats import bn254
from zkats.field import R, ints_to_limbs


def _cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def scalars(n, kind):
    if kind == "random":
        vals = [secrets.randbelow(R) for _ in range(n)]
    else:
        vals = []
        for i in range(n):
            m = i % 4
            vals.append(
                secrets.randbelow(2)
                if m < 2
                else secrets.randbelow(1 << 64)
                if m == 2
                else secrets.randbelow(R)
            )
    return ints_to_limbs(vals)


def bases(group, n):
    ks = ints_to_limbs([secrets.randbelow(R - 1) + 1 for _ in range(n)])
    if group == "g1":
        return bn254.g1_fixed_base_array(bn254.G1_GEN, ks)
    return bn254.g2_fixed_base_array(bn254.G2_GEN, ks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log-n", default="12,14,16,18")
    ap.add_argument("--groups", default="g1,g2")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--window", type=int, default=None)
    ap.add_argument("--scalars", choices=("random", "witness"), default="random")
    ap.add_argument("--no-glv", action="store_true")
    a = ap.parse_args()
    for group in a.groups.split(","):
        msm = bn254.msm_g1_array if group == "g1" else bn254.msm_g2_array
        fn = functools.partial(msm, glv=not a.no_glv)
        for ln in (int(x) for x in a.log_n.split(",")):
            n = 1 << ln
            P = bases(group, n)
            S = scalars(n, a.scalars)
            results = set()
            for th in (int(x) for x in a.threads.split(",")):
                best = None
                for _ in range(a.repeat):
                    c0, t0 = _cpu(), time.perf_counter()
                    out = fn(P, S, threads=th, window=a.window)
                    wall, cpu = time.perf_counter() - t0, _cpu() - c0
                    results.add(out)
                    if best is None or wall < best[0]:
                        best = (wall, cpu)
                print(
                    json.dumps(
                        {
                            "op": "msm_" + group,
                            "log_n": ln,
                            "threads": th,
                            "scalars": a.scalars,
                            "glv": not a.no_glv,
                            "window": a.window or bn254.msm_plan(n, th, glv=not a.no_glv)[0],
                            "seconds": round(best[0], 4),
                            "cpu_seconds": round(best[1], 4),
                            "us_per_point_thread": round(best[0] * th * 1e6 / n, 3),
                        }
                    ),
                    flush=True,
                )
            if len(results) != 1:
                raise SystemExit(f"msm_{group} 2^{ln}: results differ across thread counts")


if __name__ == "__main__":
    main()
