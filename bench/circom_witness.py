#!/usr/bin/env python3
"""Witness calculation from circom's .wasm, whole processes, peers in the
same run: ``zkats wtns calculate`` (wasmtime, in-process; cold = empty
compiled-module cache, warm = cached) against ``snarkjs wtns calculate``
and circom's own ``node generate_witness.js``.

    python bench/circom_witness.py [--blocks 3] [--runs 3]

The circuit is circomlib's SHA-256 of a message of ``blocks`` 512-bit
blocks (about 29,000 constraints per block: 3 blocks > 2^16).  Every
output is checked byte-identical to snarkjs' before timing is reported.
Prints one table (median wall and CPU seconds, peak RSS) and the ratios.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _peers import CIRCOM, ROOT, SNARKJS, ZKATS, timed

CIRCUIT = """pragma circom 2.0.0;
include "sha256/sha256.circom";
component main = Sha256(%d);
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one)")
    a = ap.parse_args()
    n_bits = 512 * a.blocks - 65  # the longest message that pads to `blocks` blocks
    work = Path(a.keep or tempfile.mkdtemp(prefix="zkats-bench-wit-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / "sha.circom"
    src.write_text(CIRCUIT % n_bits)
    r1cs = work / "sha.r1cs"
    if not r1cs.exists():
        print(f"compiling SHA-256({n_bits} bits) with circom2 ...", file=sys.stderr)
        timed(
            [
                CIRCOM,
                os.path.relpath(src, ROOT),
                "--r1cs",
                "--wasm",
                "-l",
                "node_modules/circomlib/circuits",
                "-o",
                os.path.relpath(work, ROOT),
            ],
            ROOT,
        )
    # (not imported here: the timed children are forked from this process,
    # and a fork's peak RSS starts at the parent's)
    info = subprocess.run(
        [ZKATS, "r1cs", "info", r1cs, "--json"], capture_output=True, text=True, check=True
    )
    n_constraints = json.loads(info.stdout)["constraints"]
    wasm = work / "sha_js" / "sha.wasm"
    gen = work / "sha_js" / "generate_witness.js"
    inp = work / "input.json"
    inp.write_text(json.dumps({"in": [str((i * 7 + 3) % 5 % 2) for i in range(n_bits)]}))
    cache = work / "wasm-cache"
    env_cold = dict(os.environ, ZKATS_WASM_CACHE=str(cache))
    os.environ.update(env_cold)

    peers = {
        "snarkjs wtns calculate": [SNARKJS, "wtns", "calculate", wasm, inp, work / "s.wtns"],
        "node generate_witness.js": ["node", gen, wasm, inp, work / "n.wtns"],
        "zkats wtns calculate (warm)": [ZKATS, "wtns", "calculate", wasm, inp, work / "z.wtns"],
    }
    times = {k: [] for k in peers}
    times["zkats wtns calculate (cold)"] = []
    for _ in range(a.runs):
        shutil.rmtree(cache, ignore_errors=True)
        times["zkats wtns calculate (cold)"].append(
            timed(peers["zkats wtns calculate (warm)"], work)
        )
        for k, cmd in peers.items():
            times[k].append(timed(cmd, work))
    ref = (work / "s.wtns").read_bytes()
    for f in ("n.wtns", "z.wtns"):
        if (work / f).read_bytes() != ref:
            raise SystemExit(f"{f} differs from snarkjs' witness")
    print(
        f"SHA-256 of {n_bits} bits: {n_constraints} constraints "
        f"(2^{n_constraints.bit_length() - 1}+), witness identical for all three"
    )
    print(f"{'command':32s} {'wall s':>8s} {'cpu s':>8s} {'MiB':>6s}")
    med = {}
    for k, rows in times.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[2] for r in rows)
        rss = max(r[1] for r in rows)
        med[k] = (wall, cpu)
        print(f"{k:32s} {wall:8.3f} {cpu:8.3f} {rss:6.0f}")
    for k in ("zkats wtns calculate (warm)", "zkats wtns calculate (cold)"):
        for peer in ("snarkjs wtns calculate", "node generate_witness.js"):
            print(
                f"{peer} / {k}: wall {med[peer][0] / med[k][0]:.2f}x, "
                f"cpu {med[peer][1] / med[k][1]:.2f}x"
            )
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
