"""Benchmark of the circuit DSL: compile, solve, check, .r1cs/.wtns write and read.

Usage: python bench/circuit_dsl.py [log2_constraints ...]   (default: 16)

Circuit: k 64-bit range checks (num2bits: 63 hint bits, 64 boolean
constraints each) plus a multiplication chain, so that hints, products and
linear combinations all appear; about 2^log2 constraints.  Prints one JSON
line per size with seconds per stage and the peak RSS.  Not a test.
"""

import json
import os
import resource
import sys
import tempfile
import time

from zkats.circuit import Circuit, Output, Private, compile_circuit
from zkats.formats.r1cs import read_r1cs, write_r1cs
from zkats.formats.wtns import read_wtns, write_wtns
from zkats.gadgets.bits import num2bits


class RangeChecks(Circuit):
    out = Output()
    xs = Private(n="k")

    def __init__(self, k):
        self.k = k

    def define(self, api):
        acc = api.constant(1)
        for i, x in enumerate(self.xs):
            num2bits(api, x, 64)
            acc = acc * (x + i)
        api.set_output(self.out, acc)


def _rss():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run(log2):
    k = (1 << log2) // 65
    res = {"log2": log2, "k": k}
    t = time.perf_counter()
    cc = compile_circuit(RangeChecks(k), cache=False)
    res["compile_s"] = round(time.perf_counter() - t, 2)
    res["peak_after_compile_MB"] = _rss()
    res["constraints"] = cc.n_constraints
    res["wires"] = cc.n_wires
    inputs = {"xs": [(i * 0x9E3779B97F4A7C15) % (1 << 64) for i in range(k)]}
    t = time.perf_counter()
    w = cc.solve(inputs)
    res["solve_s"] = round(time.perf_counter() - t, 2)
    res["peak_after_solve_MB"] = _rss()
    t = time.perf_counter()
    cc.check(w)
    res["check_s"] = round(time.perf_counter() - t, 2)
    res["peak_after_check_MB"] = _rss()
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        write_r1cs(os.path.join(d, "c.r1cs"), cc)
        write_wtns(os.path.join(d, "c.wtns"), w)
        res["write_s"] = round(time.perf_counter() - t, 2)
        res["peak_after_write_MB"] = _rss()
        res["r1cs_MB"] = round(os.path.getsize(os.path.join(d, "c.r1cs")) / 2**20, 1)
        t = time.perf_counter()
        read_r1cs(os.path.join(d, "c.r1cs"))
        read_wtns(os.path.join(d, "c.wtns"))
        res["read_s"] = round(time.perf_counter() - t, 2)
    res["peak_rss_MB"] = _rss()
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    for a in sys.argv[1:] or ["16"]:
        run(int(a))
