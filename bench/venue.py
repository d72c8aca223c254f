"""Venue circuits: constraint counts, witness and proving times, and the
proofs of one trade (match plus the two transitions).

    .venv/bin/python bench/venue.py [--ptau FILE | --dev-keys] [--work DIR] [--witness-only]
    ZKATS_VENUE_SIZE=production .venv/bin/python bench/venue.py --dev-keys

For each circuit of ``circuits/`` it compiles (disk-cached), writes the
``.r1cs``, makes a Groth16 key (``zkats.groth16.generator.setup``; a
prepared powers-of-tau file of power >= 14 is needed: by default one is
made once under ``bench/_work``: see :func:`make_ptau`; with ``--dev-keys``
the venue's development keys instead, from its key cache at the size's
power, made in seconds by the known-tau session: the same keys
``zkats demo`` proves with), solves the example input
from the scenario, proves and verifies, and prints one JSON line per
circuit: the witness by the native solver (the default: the circuit's
compiled witness program replayed in C, best of --witness-repeat) and by the Python
reference solver, the proof, and as the peer circom's wasm witness
calculator on a circuit of the same number of constraints (a circom chain
of multiplications, compiled once with circom2; timed inside one node
process, without node's start-up: bench/wasm_witness.js).  Then it times
the trade: the match and both transitions proved one after the other, the
witness split into the statements' circuit inputs (the circuit modules'
``inputs()``, Python) and the native solve.  ``--witness-only`` skips the keys, the
proofs and the trade (no ptau needed): the witness columns only, in a
minute.  Targets: (issue 5) the three proofs of a
trade in under 2 s on the 2-core machine; (issue 19) the trade's witnesses
at most a fifth of its proving time, and every circuit's witness faster
than the wasm calculator.  Benchmarks are not tests: nothing here asserts a
time.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
POWER = 14


def make_ptau(work):
    """A prepared power-14 ptau under ``work``: snarkjs makes the accumulator
    and one contribution (an independent implementation), zkats prepares
    phase 2 (much faster than snarkjs).  Not a real ceremony."""
    out = work / f"venue_pot{POWER}.ptau"
    if out.exists():
        return out
    if not SNARKJS.exists() or not shutil.which("node"):
        sys.exit("bench/venue.py: no --ptau given and snarkjs is not installed")
    p0, p1 = work / "venue_p0.ptau", work / "venue_p1.ptau"
    print(f"making a power-{POWER} ptau (once)...", file=sys.stderr)
    subprocess.run(
        [str(SNARKJS), "powersoftau", "new", "bn128", str(POWER), str(p0)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(SNARKJS),
            "powersoftau",
            "contribute",
            str(p0),
            str(p1),
            "--name=bench",
            "-e=zkats venue bench (not a real ceremony)",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "zkats.cli",
            "powersoftau",
            "prepare",
            "phase2",
            str(p1),
            str(out),
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )
    p0.unlink()
    p1.unlink()
    return out


def wasm_witness_time(work, n, repeat):
    """Best in-process (wall, CPU) seconds of circom's wasm witness calculator
    on a chain of n multiplications (compiled once under ``work``), or None
    without the peers."""
    sys.path.insert(0, str(ROOT / "bench"))
    from _peers import CHAIN_CIRCUIT, CIRCOM

    if not shutil.which("node") or not Path(CIRCOM).exists():
        print("# wasm witness peer: node or circom2 absent", file=sys.stderr)
        return None
    d = work / f"wasm_chain{n}"
    d.mkdir(exist_ok=True)
    if not (d / "chain_js" / "chain.wasm").exists():
        (d / "chain.circom").write_text(CHAIN_CIRCUIT % n)
        subprocess.run(
            [CIRCOM, "chain.circom", "--wasm", "-o", "."], cwd=d, check=True, capture_output=True
        )
        (d / "input.json").write_text(json.dumps({"a": "3", "b": "11"}))
    r = subprocess.run(
        [
            "node",
            str(ROOT / "bench" / "wasm_witness.js"),
            "chain_js/chain.wasm",
            "input.json",
            str(max(3, repeat)),
        ],
        cwd=d,
        check=True,
        capture_output=True,
        text=True,
    )
    rec = json.loads(r.stdout.strip().splitlines()[-1])
    return rec["best_s"], rec["best_cpu_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptau", type=Path, help="prepared .ptau of power >= 14")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "_work")
    ap.add_argument("--repeat", type=int, default=3, help="trade repetitions (best is kept)")
    ap.add_argument(
        "--witness-repeat",
        type=int,
        default=20,
        help="witness solves per circuit, and wasm peer runs (best is kept)",
    )
    ap.add_argument(
        "--witness-only", action="store_true", help="only the witness columns (no keys, no proofs)"
    )
    ap.add_argument(
        "--dev-keys",
        action="store_true",
        help="the venue's development keys (its key cache, ZKATS_KEY_CACHE) instead of --ptau",
    )
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    dev = None
    if args.dev_keys and not args.witness_only:
        from zkats.groth16.devsetup import DevSetup
        from zkats.venue.workflow import POWER, key_cache_dir

        dev = DevSetup(key_cache_dir(), power=POWER, progress=lambda m: print(m, file=sys.stderr))
    ptau = None if args.witness_only or dev else (args.ptau or make_ptau(args.work))

    from zkats.circuit import compile_circuit
    from zkats.circuits import _scenario
    from zkats.domain import units
    from zkats.formats.r1cs import write_r1cs
    from zkats.formats.zkey import read_zkey
    from zkats.groth16.generator import setup
    from zkats.groth16.prover import prove
    from zkats.groth16.verifier import verify

    cases = _scenario.cases()
    compiled = {}  # circuit name -> (compiled circuit, seconds to compile)
    circuit_of = {}  # case -> circuit name
    for name, (mod, _pub, _prv) in cases.items():
        cls = next(
            c
            for c in vars(mod).values()
            if isinstance(c, type)
            and getattr(c, "circuit_name", None)
            and c.__module__ == mod.__name__
        )
        if cls.circuit_name not in compiled:
            t0 = time.perf_counter()
            compiled[cls.circuit_name] = (compile_circuit(cls()), time.perf_counter() - t0)
        circuit_of[name] = cls.circuit_name
    keys = {}
    if dev is not None:
        # one call: on an empty cache, every key comes from one known-tau session
        made = dev.keys([(circ, cc) for circ, (cc, _) in compiled.items()])
        for circ, (zpath, _, t_setup) in made.items():
            keys[circ] = (compiled[circ][0], read_zkey(zpath), t_setup or None)
    for name, (mod, pub, prv) in cases.items():
        circ = circuit_of[name]
        cc, t_compile = compiled[circ]
        if args.witness_only:
            keys[circ] = (cc, None, None)
        elif circ not in keys:
            r1cs_path = args.work / f"venue_{circ}.r1cs"
            zkey_path = args.work / f"venue_{circ}.zkey"
            stamp = args.work / f"venue_{circ}.hash"
            t_setup = None
            if not (zkey_path.exists() and stamp.exists() and stamp.read_text() == cc.hash):
                write_r1cs(r1cs_path, cc.r1cs)
                t0 = time.perf_counter()
                setup(r1cs_path, ptau, zkey_path)
                t_setup = time.perf_counter() - t0
                stamp.write_text(cc.hash)
            keys[circ] = (cc, read_zkey(zkey_path), t_setup)
        cc, zk, t_setup = keys[circ]
        inputs = mod.inputs(pub, prv)
        t_solve = c_solve = None
        for _ in range(args.witness_repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            w = cc.solve(inputs)
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            t_solve = dt if t_solve is None else min(t_solve, dt)
            c_solve = dc if c_solve is None else min(c_solve, dc)
        t0 = time.perf_counter()
        cc.solve(inputs, engine="python")
        t_python = time.perf_counter() - t0
        wasm = wasm_witness_time(args.work, cc.n_constraints, args.witness_repeat)
        t_prove = t_verify = ok = None
        if zk is not None:
            t0 = time.perf_counter()
            proof, public = prove(zk, w.limbs(), check=False)
            t_prove = time.perf_counter() - t0
            t0 = time.perf_counter()
            ok = verify(zk.verifying_key(), public, proof)
            t_verify = time.perf_counter() - t0
        print(
            json.dumps(
                {
                    "case": name,
                    "circuit": circ,
                    "constraints": cc.n_constraints,
                    "wires": cc.n_wires,
                    "public": cc.n_public,
                    "compile_s": round(t_compile, 3),
                    "setup_s": None if t_setup is None else round(t_setup, 2),
                    "witness_s": round(t_solve, 4),
                    "witness_cpu_s": round(c_solve, 4),
                    "witness_python_s": round(t_python, 3),
                    # peer: circom's wasm calculator, a chain of as many constraints
                    "wasm_witness_same_size_s": None if wasm is None else round(wasm[0], 4),
                    "wasm_witness_same_size_cpu_s": None if wasm is None else round(wasm[1], 4),
                    "witness_vs_wasm_cpu_x": None
                    if wasm is None
                    else round(wasm[1] / max(c_solve, 1e-6), 2),
                    "prove_s": None if t_prove is None else round(t_prove, 3),
                    "verify_s": None if t_verify is None else round(t_verify, 4),
                    "verified": ok,
                }
            ),
            flush=True,
        )

    if args.witness_only:
        return
    # one trade: match + buyer transition + seller transition
    trade = ["match", "transition", "transition_seller"]
    best = None
    for _ in range(args.repeat):
        t_i = t_s = t_p = 0.0
        c0 = time.process_time()
        for name in trade:
            mod, pub, prv = cases[name]
            cc, zk, _ = keys[mod.__name__.rsplit(".", 1)[1]]
            t0 = time.perf_counter()
            inputs = mod.inputs(pub, prv)
            t1 = time.perf_counter()
            w = cc.solve(inputs)
            t2 = time.perf_counter()
            proof, public = prove(zk, w.limbs(), check=False)
            t3 = time.perf_counter()
            t_i += t1 - t0
            t_s += t2 - t1
            t_p += t3 - t2
        if best is None or t_i + t_s + t_p < sum(best[:3]):
            best = (t_i, t_s, t_p, time.process_time() - c0)
    print(
        json.dumps(
            {
                "case": "trade (match + 2 transitions)",
                "size": units.SIZE,
                # the witness: the statements' circuit inputs (Python, the
                # circuit modules' inputs()) and the native solve
                "witness_s": round(best[0] + best[1], 3),
                "inputs_s": round(best[0], 3),
                "solve_s": round(best[1], 3),
                "prove_s": round(best[2], 3),
                "witness_over_prove": round((best[0] + best[1]) / best[2], 3),
                "witness_over_prove_target": 0.2,
                "total_s": round(sum(best[:3]), 3),
                # CPU seconds of the process over the trade (both cores when idle)
                "total_cpu_s": round(best[3], 3),
                "target_s": 2.0,
                "loadavg": [round(x, 2) for x in os.getloadavg()],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
