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
import json
import resource
import secrets
import time

import numpy as np

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


def _plan(n, threads, no_glv):
    """the window size msm_plan picks (what msm_g1/msm_g2 use)"""
    c, nch = bn254.ffi.new("int *"), bn254.ffi.new("int *")
    bn254.lib.msm_plan(n if no_glv else 2 * n, 254 if no_glv else 127, threads, c, nch)
    return c[0]


def _opts_fn(group, flags):
    """msm_g1_opts / msm_g2_opts with the given flags, as msm_*_array"""
    width = 8 if group == "g1" else 16
    lib_fn = bn254.lib.msm_g1_opts if group == "g1" else bn254.lib.msm_g2_opts
    to_points = bn254.g1_array_to_points if group == "g1" else bn254.g2_array_to_points

    def fn(P, S, threads=None, window=None):
        out = np.zeros((1, width), np.uint64)
        rc = lib_fn(
            bn254._ptr(out),
            bn254._ptr(P),
            bn254._ptr(S),
            P.shape[0],
            threads or 0,
            window or 0,
            flags,
        )
        if rc != 0:
            raise MemoryError("native MSM: out of memory")
        return to_points(out)[0]

    return fn


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
        fn = bn254.msm_g1_array if group == "g1" else bn254.msm_g2_array
        if a.no_glv:
            fn = _opts_fn(group, 1)
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
                            "window": a.window if a.window else _plan(n, th, a.no_glv),
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
