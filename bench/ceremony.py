"""Setup benchmarks: zkats vs snarkjs on the same inputs.

    .venv/bin/python bench/ceremony.py [--power 10] [--workdir DIR] [--skip-snarkjs]

Timed as whole processes (wall clock, CPU time user+sys, and each
process' peak RSS; on a shared machine the CPU ratio is the steadier one):

* ``powersoftau contribute`` on a fresh 2^power accumulator,
* ``powersoftau prepare phase2`` on the same contributed .ptau,
* ``groth16 setup`` of a circom circuit (a multiplication chain filling the
  2^power domain) on the same prepared .ptau,

each by zkats and by snarkjs.  For the deterministic steps (prepare, setup)
it also reports whether both outputs are byte-identical.  Prints one JSON
line per step ({"step", "zkats_s", "snarkjs_s", "ratio", ...}).  A
benchmark, not a test: nothing is asserted.  Target (issue 4): prepare and
setup >= 10x faster than snarkjs.  snarkjs' prepare phase2 is slow: power
12 takes minutes on 2 cores.
"""

import argparse
import json
import subprocess
from pathlib import Path

from _peers import CHAIN_CIRCUIT, CIRCOM, ROOT, SNARKJS, ZKATS, timed


def line(step, z, s, **extra):
    rec = {
        "step": step,
        "zkats_s": round(z[0], 3),
        "zkats_cpu_s": round(z[2], 3),
        "zkats_rss_mib": round(z[1], 1),
    }
    if s is not None:
        rec.update(
            {
                "snarkjs_s": round(s[0], 3),
                "snarkjs_cpu_s": round(s[2], 3),
                "snarkjs_rss_mib": round(s[1], 1),
                "ratio": round(s[0] / z[0], 2),
                "cpu_ratio": round(s[2] / max(z[2], 1e-9), 2),
            }
        )
    rec.update(extra)
    print(json.dumps(rec), flush=True)


def same(a, b):
    return Path(a).read_bytes() == Path(b).read_bytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--power", type=int, default=10)
    ap.add_argument("--workdir", default=str(ROOT / "bench" / "_work" / "ceremony"))
    ap.add_argument("--skip-snarkjs", action="store_true", help="time zkats only")
    ap.add_argument(
        "--steps",
        default="contribute,prepare,setup",
        help="comma-separated subset of contribute,prepare,setup (the inputs of a later "
        "step are still produced, by zkats, when an earlier one is skipped)",
    )
    args = ap.parse_args()
    d = Path(args.workdir) / f"p{args.power}"
    d.mkdir(parents=True, exist_ok=True)
    p = args.power
    sj = not args.skip_snarkjs

    steps = set(args.steps.split(","))
    subprocess.run(
        [ZKATS, "powersoftau", "new", "bn128", str(p), "p0.ptau", "-q"],
        cwd=d,
        check=True,
        capture_output=True,
    )
    z = timed([ZKATS, "powersoftau", "contribute", "p0.ptau", "zc.ptau", "-e=bench", "-q"], d)
    if "contribute" in steps:
        s = (
            timed([SNARKJS, "powersoftau", "contribute", "p0.ptau", "sc.ptau", "-e=bench"], d)
            if sj
            else None
        )
        line("powersoftau contribute", z, s, power=p)

    z = timed([ZKATS, "powersoftau", "prepare", "phase2", "zc.ptau", "zf.ptau", "-q"], d)
    if "prepare" in steps:
        s = (
            timed([SNARKJS, "powersoftau", "prepare", "phase2", "zc.ptau", "sf.ptau"], d)
            if sj
            else None
        )
        line(
            "powersoftau prepare phase2",
            z,
            s,
            power=p,
            identical=same(d / "zf.ptau", d / "sf.ptau") if sj else None,
        )
    if "setup" not in steps:
        return

    n = (1 << p) - 8  # constraints: the chain fills the 2^power domain
    (d / "chain.circom").write_text(CHAIN_CIRCUIT % n)
    if not (d / "chain.r1cs").exists():
        subprocess.run(
            [CIRCOM, "chain.circom", "--r1cs", "-o", "."], cwd=d, check=True, capture_output=True
        )
    z = timed([ZKATS, "groth16", "setup", "chain.r1cs", "zf.ptau", "z.zkey", "-q"], d)
    s = timed([SNARKJS, "groth16", "setup", "chain.r1cs", "zf.ptau", "s.zkey"], d) if sj else None
    line(
        "groth16 setup",
        z,
        s,
        power=p,
        constraints=n,
        identical=same(d / "z.zkey", d / "s.zkey") if sj else None,
    )


if __name__ == "__main__":
    main()
