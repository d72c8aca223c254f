"""``zkats demo``: a short end-to-end run on an embedded default.

Compiles a circuit with the zkats DSL (default ``divmod``: q, rem =
divmod(a, b) with every value range-checked to 32 bits, a public and b
private; ``--circuit order`` runs the venue's order circuit, about 7,000
constraints, on its bundled example), solves the witness, runs a small
powers-of-tau ceremony and the circuit-specific setup with one phase-2
contribution (toxic waste from ``secrets``, in memory only), proves, checks
the proof with the verifier, shows that a tampered public signal is
rejected, and prints a summary with timings.  Nothing is written unless
``--out DIR`` is given.
"""
import json
import time

import click

from . import main

#: inputs for circuits without a bundled example file
_EMBEDDED = {"divmod": {"a": "4000000007", "b": "65521"}}


@main.command("demo")
@click.option("--circuit", "name", default="divmod", show_default=True,
              help="Registered circuit to run (its bundled example input is used).")
@click.option("--input", "input_json", type=click.Path(dir_okay=False),
              help="Input JSON instead of the bundled example.")
@click.option("--out", "outdir", type=click.Path(file_okay=False),
              help="Also write NAME.zkey, verification_key.json, proof.json, public.json here.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def demo(name, input_json, outdir, as_json):
    """Prove and verify a real circuit end to end (a few seconds)."""
    from ..circuit import compile_circuit, load_circuit
    from ..errors import InputError
    from ..field import R
    from ..groth16 import ceremony, phase2
    from ..groth16.generator import circuit_power, new_zkey
    from ..groth16.prover import prove
    from ..groth16.verifier import batch_verify, verify

    timings = {}
    t_all = time.perf_counter()

    def step(label, fn, *args, **kw):
        if not as_json:
            click.echo(f"  {label:<44s}", nl=False)
        t = time.perf_counter()
        out = fn(*args, **kw)
        dt = time.perf_counter() - t
        timings[label] = round(dt, 3)
        if not as_json:
            click.echo(f"{dt:7.2f} s")
        return out

    if input_json:
        with open(input_json) as f:
            inputs = json.load(f)
        source = input_json
    elif name in _EMBEDDED:
        inputs, source = _EMBEDDED[name], "embedded default"
    else:
        from importlib import resources
        ex = resources.files("zkats.circuits").joinpath("examples", f"{name}.json")
        if not ex.is_file():
            raise InputError(f"circuit {name!r} has no bundled example input; pass --input FILE")
        inputs = json.loads(ex.read_text())
        source = f"examples/{name}.json"

    if not as_json:
        click.echo(f"zkats demo: circuit {name!r}, input {source}")
    cc = step("compile circuit (DSL)", lambda: compile_circuit(load_circuit(name)))
    wit = step("solve witness", cc.solve, inputs, source=source)
    power = circuit_power(cc.n_constraints, cc.n_public)
    pt = step(f"powers of tau 2^{power}: new + contribution",
              lambda: ceremony.contribute(ceremony.new_accumulator(power))[0])
    pt = step("powers of tau: prepare phase 2", ceremony.prepare_phase2, pt)
    zk = step("Groth16 setup (circuit-specific)", new_zkey, cc.r1cs, pt)
    zk = step("phase-2 contribution (fresh delta)", lambda: phase2.contribute(zk)[0])
    vk = zk.verifying_key()
    proof, public = step("prove (includes the self-check)", prove, zk, wit.limbs(), r1cs=cc.r1cs)
    ok = step("verify", verify, vk, public, proof)
    tampered = list(public)
    tampered[0] = (tampered[0] + 1) % R
    rejected = not step("verify with a tampered public signal", verify, vk, tampered, proof)
    proof2, _ = prove(zk, wit.limbs(), check=False)
    batch_ok = step("batch-verify two distinct proofs", batch_verify, vk, [(public, proof), (public, proof2)])
    total = time.perf_counter() - t_all

    if outdir:
        from pathlib import Path
        from ..formats.snarkjs_json import write_proof, write_public, write_verification_key
        from ..formats.zkey import write_zkey
        d = Path(outdir)
        d.mkdir(parents=True, exist_ok=True)
        write_zkey(d / f"{name}.zkey", zk)
        write_verification_key(d / "verification_key.json", vk)
        write_proof(d / "proof.json", proof)
        write_public(d / "public.json", public)

    summary = {"circuit": name, "constraints": cc.n_constraints, "wires": cc.n_wires,
               "public_signals": [str(v) for v in public], "domain": f"2^{zk.power}",
               "proof_verifies": bool(ok), "tampered_rejected": bool(rejected),
               "proofs_differ": proof != proof2, "batch_ok": bool(batch_ok),
               "timings_s": timings, "total_s": round(total, 3)}
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(f"circuit {name}: {cc.n_constraints} constraints, {cc.n_wires} wires, "
                   f"{len(public)} public signals, domain 2^{zk.power}")
        click.echo(f"proof verifies: {ok}; tampered public signal rejected: {rejected}; "
                   f"two proofs differ: {proof != proof2}; batch of both: {batch_ok}")
        click.echo(f"total {total:.1f} s")
    if not (ok and rejected and batch_ok):
        from ..errors import VerificationError
        raise VerificationError("demo failed: a check above did not hold")
