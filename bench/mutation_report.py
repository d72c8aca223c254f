"""Soundness mutation report for every shipped circuit (zkats/testing/mutation.py).

    .venv/bin/python bench/mutation_report.py            # sampled (CI sizes)
    .venv/bin/python bench/mutation_report.py --full     # every wire, 60 hint calls

Prints one row per circuit/example: wires, private wires, wires tried,
mutations, rejected, harmless, hint calls/tried/mutations/rejected/harmless/
inconclusive, findings.  Exit status 1 if any mutation survives."""

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--calls",
        type=int,
        default=None,
        help="hint calls forged per circuit (default 2, or 60 with --full)",
    )
    ap.add_argument("circuits", nargs="*")
    args = ap.parse_args()
    from zkats.circuit import compile_circuit, list_circuits, load_circuit
    from zkats.testing.mutation import MutationReport, mutation_test

    small = {
        "divmod": {"a": 1000, "b": 7},
        "multiplier": {"a": 3, "b": 5},
        "product_chain": {"x": 3},
    }
    cases = []
    for name in args.circuits or sorted(list_circuits()):
        if name in small:
            cases.append((name, name, small[name]))
        for p in sorted((HERE / "circuits" / "examples").glob("*.json")):
            if p.stem == name or p.stem.startswith(name + "_"):
                cases.append((p.stem, name, json.loads(p.read_text())))
    print(MutationReport.HEADER + "  seconds")
    bad = 0
    for label, name, inputs in cases:
        t = time.time()
        cc = compile_circuit(load_circuit(name))
        rep = mutation_test(
            cc,
            inputs,
            max_wires=None if args.full else 150,
            max_calls=args.calls or (60 if args.full else 2),
            seed=args.seed,
            cross_check=False,  # the tests cross-check the solvers; the report times one
        )
        rep.circuit = label
        print(rep.row(), f"{time.time() - t:8.1f}", flush=True)
        for s in rep.survivors + rep.hint_survivors:
            print("   survivor:", s)
        bad += rep.findings
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
