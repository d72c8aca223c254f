"""Groth16 prove/verify: zkats vs snarkjs on the same .zkey and .wtns.

    .venv/bin/python bench/groth16.py [--sizes 14,16] [--circomlib eddsa,sha256] [--repeat 3]

For each size 2^k, a circom circuit (a chain of multiplications filling the
2^k domain) is compiled with circom2 and set up on a power-16 (or larger)
.ptau; the witness always comes from circom's wasm witness calculator.  The
.ptau and the .zkey are made with snarkjs below 2^--zkats-setup-from
(default 17) and with zkats from there on (the one-party development
ptau `ceremony.dev_prepared_ptau`, `zkats groth16 setup`, `zkats zkey
contribute`: byte-compatible, snarkjs' setup at 2^18 takes tens of
minutes); the artifacts are cached in the work directory.  Then,
timed as whole processes with each process' peak RSS, in --repeat
interleaved rounds (each round runs every prover once, in turn, so a
change of load touches them alike); the figures are the rounds' medians
(``prove_best_s``: the fastest round of each):

* ``zkats groth16 prove`` vs ``snarkjs groth16 prove`` (the console
  command: Python starts, parses the arguments and exec()s the native
  prover executable ``zkats/zkats-prove``; the executable alone is timed
  too, as ``zkats_exe``: what a deployment calling it directly pays; and
  with ``--wheel-zkats PATH`` another console script, as ``zkats_wheel``:
  the checkout's editable install makes every Python start-up import its
  path hook, about 20 ms that an installed zkats does not pay),
* ``zkats groth16 verify`` vs ``snarkjs groth16 verify``,

and in-process ``batch_verify`` throughput (proofs/s).  Beside the chain
(full-size witness values), circomlib circuits compiled with circom2
(``--circomlib``: EdDSA-Poseidon, SHA-256 of 512 bits, whose witness is
mostly bits) are set up with snarkjs and proved the same way.  Where a
rapidsnark prover (``rapidsnark`` or ``prover``) is on PATH it is a third
column (wall, CPU and peak RSS; its proof is checked with ``zkats groth16
verify``); otherwise the run says it is absent.  No registry ships it:
``bench/build_rapidsnark.sh SRC_DIR`` builds it from a source checkout
with its x86 assembly (Debian's g++, nasm, libgmp-dev) in about a minute.
A run where it fails (its release sizes the public-signal buffer too small
for a circuit without public signals, e.g. the EdDSA verifier; the script
fixes that size) is reported as failed, not fatal.  Prints one JSON line
per measurement and a summary line with the ratios.  Benchmarks, not tests:
nothing is asserted.  Targets (issue 4): prove >= 7x snarkjs, verify CLI
>= 3x, batch_verify >= 300 proofs/s; (issue 19) prove >= 2x rapidsnark.
"""

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path

from _peers import (
    CHAIN_CIRCUIT,
    CIRCOM,
    CIRCOMLIB,
    CIRCOMLIB_CIRCUITS,
    ROOT,
    SNARKJS,
    ZKATS,
    circomlib_input,
    rapidsnark,
    timed,
)


def run(cmd, cwd, quiet=True):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(
            f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        )
    return r.stdout


def best(cmd, cwd, repeat):
    runs = [timed(cmd, cwd) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)


def interleaved(cmds, cwd, repeat):
    """Times every command of ``cmds`` (name -> argv) ``repeat`` times, in
    rounds: each round runs each command once, in turn, so a change of load
    during the run touches every prover alike.  Returns ({name: (median wall
    s, peak RSS MiB, median CPU s, best wall s, best CPU s)}, {name: error})
    for the commands that never failed and for those that did (a failing
    peer is reported, not fatal; zkats and snarkjs failing stop the run)."""
    samples = {name: [] for name in cmds}
    failed = {}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            if name in failed:
                continue
            try:
                samples[name].append(timed(cmd, cwd))
            except SystemExit as err:
                if name in ("zkats", "snarkjs"):
                    raise
                failed[name] = str(err).strip().splitlines()[-1][:200]
    med = statistics.median
    return {
        name: (
            med(r[0] for r in rs),
            max(r[1] for r in rs),
            med(r[2] for r in rs),
            min(r[0] for r in rs),
            min(r[2] for r in rs),
        )
        for name, rs in samples.items()
        if name not in failed and rs
    }, failed


def ptau_power(path):
    """The power of a .ptau file (header section 1: u32 n8, q, u32 power)."""
    from zkats.formats.binfile import BinFile

    bf = BinFile(path, b"ptau", 1)
    off, _ = bf.unique(1)
    n8 = struct.unpack_from("<I", bf.buf, off)[0]
    return struct.unpack_from("<I", bf.buf, off + 4 + n8)[0]


def make_ptau(work, power, tool):
    """A phase-2-prepared pot{power}.ptau (one contribution), made once."""
    ptau = work / (f"pot{power}.ptau" if tool == "snarkjs" else f"pot{power}_zkats.ptau")
    if not ptau.exists():
        print(f"# making {ptau.name} with {tool} (once)", file=sys.stderr)
        if tool == "snarkjs":
            run([SNARKJS, "powersoftau", "new", "bn128", power, "p0.ptau"], work)
            run([SNARKJS, "powersoftau", "contribute", "p0.ptau", "p1.ptau", "-e=bench"], work)
            run([SNARKJS, "powersoftau", "prepare", "phase2", "p1.ptau", ptau.name], work)
            (work / "p0.ptau").unlink()
            (work / "p1.ptau").unlink()
        else:
            # zkats' one-party development ceremony: the same prepared file as
            # new -> contribute -> prepare phase2 (a real, verifiable
            # contribution record), from the secret scalars instead of group
            # FFTs (prepare phase2 at 2^18 takes minutes on 2 cores)
            run(
                [
                    sys.executable,
                    "-c",
                    (
                        "import sys; from zkats.formats.ptau import write_ptau; "
                        "from zkats.groth16.ceremony import dev_prepared_ptau; "
                        "write_ptau(sys.argv[2], dev_prepared_ptau(int(sys.argv[1]))[0])"
                    ),
                    power,
                    ptau.name,
                ],
                work,
            )
    return ptau


def prepare(work, k, power, ptau=None, zkats_from=17):
    """The chain{k} directory: circuit, .zkey, vk.json, witness (made once).
    ``ptau``: an existing prepared .ptau, used when its power is >= k."""
    tool = "zkats" if k >= zkats_from else "snarkjs"
    d = work / f"chain{k}"
    d.mkdir(exist_ok=True)
    if not (d / "witness.wtns").exists():
        # the .ptau only when the key is still to be made (a cached chain needs none)
        if ptau is None or ptau_power(ptau) < k:
            ptau = make_ptau(work, max(power, k), tool)
        n = (1 << k) - 8  # constraints + public-input rows fill the 2^k domain
        print(
            f"# making chain{k} ({n} multiplications) with circom2 + {tool} (once)", file=sys.stderr
        )
        (d / "chain.circom").write_text(CHAIN_CIRCUIT % n)
        run([CIRCOM, "chain.circom", "--r1cs", "--wasm", "-o", "."], d)
        if tool == "snarkjs":
            run([SNARKJS, "groth16", "setup", "chain.r1cs", ptau, "c0.zkey"], d)
            run([SNARKJS, "zkey", "contribute", "c0.zkey", "circuit.zkey", "-e=bench"], d)
            run([SNARKJS, "zkey", "export", "verificationkey", "circuit.zkey", "vk.json"], d)
        else:
            run([ZKATS, "groth16", "setup", "chain.r1cs", ptau, "c0.zkey", "-q"], d)
            run([ZKATS, "zkey", "contribute", "c0.zkey", "circuit.zkey", "-e=bench", "-q"], d)
            run([ZKATS, "zkey", "export", "verificationkey", "circuit.zkey", "vk.json"], d)
        (d / "c0.zkey").unlink()
        (d / "input.json").write_text(json.dumps({"a": "3", "b": "11"}))
        run(
            [
                "node",
                "chain_js/generate_witness.js",
                "chain_js/chain.wasm",
                "input.json",
                "witness.wtns",
            ],
            d,
        )
    return d


def domain_power(r1cs_path):
    """log2 of snarkjs' domain for a circuit: constraints + public inputs + 1 rows."""
    from zkats.formats.r1cs import read_r1cs

    r = read_r1cs(r1cs_path)
    rows = r.n_constraints + r.n_pub_out + r.n_pub_in + 1
    return max(1, (rows - 1).bit_length())


def prepare_circomlib(work, name, ptau=None):
    """The directory of a circomlib circuit (circom2 -l node_modules/circomlib),
    its snarkjs key on a big enough .ptau and its wasm witness, made once."""
    d = work / name
    d.mkdir(exist_ok=True)
    if not (d / "witness.wtns").exists():
        print(f"# making {name} with circom2 + snarkjs (once)", file=sys.stderr)
        (d / f"{name}.circom").write_text(CIRCOMLIB_CIRCUITS[name])
        # circom2 (WASI) opens paths relative to its working directory: run it
        # from the repository with absolute paths
        src = (d / f"{name}.circom").resolve()
        run([CIRCOM, src, "--r1cs", "--wasm", "-l", CIRCOMLIB, "-o", d.resolve()], ROOT)
        k = domain_power(d / f"{name}.r1cs")
        if ptau is None or ptau_power(ptau) < k:
            ptau = make_ptau(work, max(16, k), "snarkjs")
        run([SNARKJS, "groth16", "setup", f"{name}.r1cs", ptau, "c0.zkey"], d)
        run([SNARKJS, "zkey", "contribute", "c0.zkey", "circuit.zkey", "-e=bench"], d)
        run([SNARKJS, "zkey", "export", "verificationkey", "circuit.zkey", "vk.json"], d)
        (d / "c0.zkey").unlink()
        (d / "input.json").write_text(json.dumps(circomlib_input(name)))
        run(
            [
                "node",
                f"{name}_js/generate_witness.js",
                f"{name}_js/{name}.wasm",
                "input.json",
                "witness.wtns",
            ],
            d,
        )
    return d


def batch_rate(d, n=64):
    sys.path.insert(0, str(ROOT))
    from zkats.formats.snarkjs_json import read_proof, read_public, read_verification_key
    from zkats.groth16.verifier import batch_verify

    vk = read_verification_key(d / "vk.json")
    items = [
        (read_public(d / "zkats_public.json"), read_proof(d / "zkats_proof.json")),
        (read_public(d / "snarkjs_public.json"), read_proof(d / "snarkjs_proof.json")),
    ] * (n // 2)
    assert batch_verify(vk, items)
    t0 = time.perf_counter()
    reps = 0
    while time.perf_counter() - t0 < 2.0 or reps < 2:
        batch_verify(vk, items)
        reps += 1
    dt = time.perf_counter() - t0
    return n * reps / dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="14,16")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", default=str(ROOT / "bench" / "_work"))
    ap.add_argument("--batch", type=int, default=64, help="proofs per batch_verify call")
    ap.add_argument(
        "--ptau", help="an existing phase-2-prepared .ptau (used for the sizes it covers)"
    )
    ap.add_argument(
        "--zkats-setup-from",
        type=int,
        default=17,
        metavar="K",
        help="make the .ptau and .zkey with zkats from 2^K on (snarkjs below)",
    )
    ap.add_argument("--no-verify", action="store_true", help="time only the provers")
    ap.add_argument(
        "--markdown",
        action="store_true",
        help="print the prove table (medians, ratios, peak memory) in Markdown at the end",
    )
    ap.add_argument(
        "--wheel-zkats",
        metavar="PATH",
        help="also time this `zkats` console script's groth16 prove (column zkats_wheel: e.g."
        " zkats installed from a wheel, without the editable checkout's import hook)",
    )
    ap.add_argument(
        "--circomlib",
        default=",".join(CIRCOMLIB_CIRCUITS),
        help="circomlib circuits to add beside the chain (comma list; empty for none)",
    )
    args = ap.parse_args()
    load_start = os.getloadavg()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.ptau:  # the peers run in the circuits' directories
        args.ptau = Path(args.ptau).resolve()
    # An installed zkats has its bytecode compiled (pip does it); with
    # PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise
    # recompile every module from source in each timed process (~0.15 s).
    import compileall

    compileall.compile_dir(str(ROOT / "zkats"), quiet=1)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    summary = {}
    table = []
    rs = rapidsnark()
    if rs is None:
        print(
            "# rapidsnark: absent (no `rapidsnark` or `prover` on PATH): no third column",
            file=sys.stderr,
        )
    # the native prover executable the console command runs (None: the
    # Python prover proves and there is no zkats_exe column)
    from zkats.cli._lean_prove import native_prover

    exe = native_prover()
    if exe is None:
        print("# zkats-prove not installed: `groth16 prove` runs the Python path", file=sys.stderr)
    cases = [(f"chain 2^{k}", k) for k in sizes]
    cases += [(n, n) for n in args.circomlib.split(",") if n]
    for label, k in cases:
        if isinstance(k, int):
            d = prepare(work, k, max(16, max(sizes)), args.ptau, args.zkats_setup_from)
        else:
            d = prepare_circomlib(work, k, args.ptau)
            k = domain_power(d / f"{k}.r1cs")
        out = lambda tag: [f"{tag}_proof.json", f"{tag}_public.json"]  # noqa: E731
        provers = {
            "zkats": [ZKATS, "groth16", "prove", "circuit.zkey", "witness.wtns", *out("zkats")]
            + ["--quiet"],
            "snarkjs": [SNARKJS, "groth16", "prove", "circuit.zkey", "witness.wtns"]
            + out("snarkjs"),
        }
        if exe is not None:
            provers["zkats_exe"] = [exe, "--quiet", "circuit.zkey", "witness.wtns", *out("exe")]
        if args.wheel_zkats:
            provers["zkats_wheel"] = [
                args.wheel_zkats,
                "groth16",
                "prove",
                "circuit.zkey",
                "witness.wtns",
                *out("wheel"),
                "--quiet",
            ]
        if rs is not None:
            provers["rapidsnark"] = [rs, "circuit.zkey", "witness.wtns", *out("rs")]
        runs, failed = interleaved(provers, d, args.repeat)
        for tag, name in (("exe", "zkats_exe"), ("wheel", "zkats_wheel"), ("rs", "rapidsnark")):
            if name in runs:
                # each proof verifies (rapidsnark writes `null` public signals
                # for a circuit without any: check its proof against zkats')
                pub = "zkats_public.json" if tag == "rs" else f"{tag}_public.json"
                run([ZKATS, "groth16", "verify", "vk.json", pub, f"{tag}_proof.json"], d)
        zp, sp = runs["zkats"], runs["snarkjs"]
        ze, zw, rp = runs.get("zkats_exe"), runs.get("zkats_wheel"), runs.get("rapidsnark")
        rs_error = failed.get("rapidsnark")
        if rs_error:
            print(f"# rapidsnark failed on {label}: {rs_error}", file=sys.stderr)
        # cross-check: each verifies the other's proof (best() stops on a failure)
        vrep = 1 if args.no_verify else args.repeat
        zv = best(
            [ZKATS, "groth16", "verify", "vk.json", "snarkjs_public.json", "snarkjs_proof.json"],
            d,
            vrep,
        )
        sv = best(
            [SNARKJS, "groth16", "verify", "vk.json", "zkats_public.json", "zkats_proof.json"],
            d,
            vrep,
        )
        rate = None if args.no_verify else batch_rate(d, args.batch)
        rec = {
            "circuit": label,
            "domain": f"2^{k}",
            # medians of --repeat interleaved rounds; best: the fastest round
            "prove_s": {"zkats": round(zp[0], 3), "snarkjs": round(sp[0], 3)},
            "prove_best_s": {
                name: round(r[3], 3)
                for name, r in (
                    ("zkats", zp),
                    ("zkats_exe", ze),
                    ("zkats_wheel", zw),
                    ("snarkjs", sp),
                    ("rapidsnark", rp),
                )
                if r is not None
            },
            # CPU seconds (user + system, all threads): steadier than wall on a loaded machine
            "prove_cpu_s": {"zkats": round(zp[2], 3), "snarkjs": round(sp[2], 3)},
            "prove_cpu_ratio": round(sp[2] / zp[2], 2),
            "prove_peak_mib": {"zkats": round(zp[1], 1), "snarkjs": round(sp[1], 1)},
            "prove_speedup": round(sp[0] / zp[0], 2),
            "rapidsnark": ("absent" if rs is None else f"failed: {rs_error}")
            if rp is None
            else {
                "prove_s": round(rp[0], 3),
                "prove_peak_mib": round(rp[1], 1),
                "prove_cpu_s": round(rp[2], 3),
                "zkats_cpu_ratio": round(rp[2] / zp[2], 2),
                "zkats_speedup": round(rp[0] / zp[0], 2),
            },
            "zkats_exe": None
            if ze is None
            else {
                "prove_s": round(ze[0], 3),
                "prove_cpu_s": round(ze[2], 3),
                "prove_peak_mib": round(ze[1], 1),
                "vs_rapidsnark_x": None if rp is None else round(rp[0] / ze[0], 2),
                "vs_rapidsnark_cpu_x": None if rp is None else round(rp[2] / ze[2], 2),
            },
            "zkats_wheel": None
            if zw is None
            else {
                "prove_s": round(zw[0], 3),
                "prove_cpu_s": round(zw[2], 3),
                "prove_peak_mib": round(zw[1], 1),
                "vs_rapidsnark_x": None if rp is None else round(rp[0] / zw[0], 2),
                "vs_rapidsnark_cpu_x": None if rp is None else round(rp[2] / zw[2], 2),
            },
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "verify_s": {"zkats": round(zv[0], 3), "snarkjs": round(sv[0], 3)},
            "verify_speedup": round(sv[0] / zv[0], 2),
            "batch_verify_proofs_per_s": None if rate is None else round(rate, 1),
        }
        print(json.dumps(rec), flush=True)
        table.append((label, k, zp, ze, sp, rp))
        summary[label] = {
            "prove_x": rec["prove_speedup"],
            "vs_rapidsnark_x": None if rp is None else rec["rapidsnark"]["zkats_speedup"],
            "vs_rapidsnark_cpu_x": None if rp is None else rec["rapidsnark"]["zkats_cpu_ratio"],
            "prove_cpu_x": rec["prove_cpu_ratio"],
            "exe_vs_rapidsnark_x": None if ze is None else rec["zkats_exe"]["vs_rapidsnark_x"],
            "exe_vs_rapidsnark_cpu_x": None
            if ze is None
            else rec["zkats_exe"]["vs_rapidsnark_cpu_x"],
            "wheel_vs_rapidsnark_x": None if zw is None else rec["zkats_wheel"]["vs_rapidsnark_x"],
            "wheel_vs_rapidsnark_cpu_x": None
            if zw is None
            else rec["zkats_wheel"]["vs_rapidsnark_cpu_x"],
            "peak_mib": {
                "zkats": rec["prove_peak_mib"]["zkats"],
                "zkats_exe": None if ze is None else rec["zkats_exe"]["prove_peak_mib"],
                "zkats_wheel": None if zw is None else rec["zkats_wheel"]["prove_peak_mib"],
                "rapidsnark": None if rp is None else rec["rapidsnark"]["prove_peak_mib"],
            },
            "verify_x": rec["verify_speedup"],
            "batch_per_s": rec["batch_verify_proofs_per_s"],
        }
    print(
        json.dumps(
            {
                "summary": summary,
                "load_avg_1m": {
                    "start": round(load_start[0], 2),
                    "end": round(os.getloadavg()[0], 2),
                },
                "targets": {
                    "prove_x": 7,
                    "vs_rapidsnark_x": 2,
                    "verify_x": 3,
                    "batch_per_s": 300,
                },
            }
        )
    )
    if args.markdown:
        print_table(table, args.repeat, load_start[0], os.getloadavg()[0])


def print_table(rows, repeat, load0, load1):
    """The prove figures as a Markdown table: medians of the interleaved
    rounds (wall and CPU milliseconds), the ratios against rapidsnark and
    snarkjs, peak memory."""

    def ms(r, i=0):
        return "-" if r is None else f"{1e3 * r[i]:.0f}"

    def x(a, b, i=0):
        return "-" if a is None or b is None else f"{b[i] / a[i]:.2f}x"

    def mib(r):
        return "-" if r is None else f"{r[1]:.1f}"

    print(
        f"\nprove, whole processes: medians of {repeat} interleaved rounds, load {load0:.2f}"
        f" -> {load1:.2f} (wall ms / CPU ms; ratios: the peer's time over zkats')\n"
    )
    print(
        "| circuit | domain | zkats-prove | zkats groth16 prove | rapidsnark | snarkjs "
        "| exe vs rapidsnark, wall / CPU | console vs rapidsnark, wall / CPU "
        "| console vs snarkjs, wall | peak MiB exe / rapidsnark |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for label, k, zp, ze, sp, rp in rows:
        print(
            f"| {label} | 2^{k} | {ms(ze)} / {ms(ze, 2)} | {ms(zp)} / {ms(zp, 2)} "
            f"| {ms(rp)} / {ms(rp, 2)} | {ms(sp)} / {ms(sp, 2)} "
            f"| {x(ze, rp)} / {x(ze, rp, 2)} | {x(zp, rp)} / {x(zp, rp, 2)} | {x(zp, sp)} "
            f"| {mib(ze)} / {mib(rp)} |"
        )


if __name__ == "__main__":
    main()
