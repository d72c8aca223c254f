"""``zkats groth16 fullprove``: circom's witness calculator and the prover
in one process (snarkjs' verb and argument order)."""

import click

from ..errors import InputError
from ..field import R
from ._args import default_file
from ._groups import groth16


@groth16.command("fullprove")
@default_file("input_json", "input.json")
@default_file("wasm_file", "circuit.wasm")
@default_file("zkey_file", "circuit_final.zkey")
@default_file("proof_file", "proof.json")
@default_file("public_file", "public.json")
@click.option(
    "--r1cs",
    "r1cs_file",
    type=click.Path(dir_okay=False),
    help="Constraint file, used to name the failing constraint of a bad witness.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--verbose", "-v", is_flag=True, help="Progress output (the default).")
def groth16_fullprove(
    input_json, wasm_file, zkey_file, proof_file, public_file, r1cs_file, quiet, verbose
):
    """Witness (circom .wasm, in-process) and proof in one step."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..circom.wasm_witness import WitnessCalculator
    from ..formats.jsonio import load_file
    from ..formats.snarkjs_json import write_proof, write_public
    from ..formats.zkey_layout import open_zkey
    from ..groth16.prover import prove
    from ._lean_prove import Progress

    progress = Progress(quiet)
    progress.stage("read zkey")
    zk = open_zkey(zkey_file)
    progress.stage("calculate witness")
    wc = WitnessCalculator(wasm_file)
    if wc.prime != R:
        raise InputError(f"{wasm_file}: compiled for another prime than BN254's (circom -p bn128)")
    if wc.witness_size != zk.n_vars:
        raise InputError(
            f"{wasm_file}: the circuit has {wc.witness_size} witness values, "
            f"{zkey_file} expects {zk.n_vars}"
        )
    witness = wc.calculate(load_file(input_json))
    r1cs = None
    if r1cs_file is not None:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..formats.r1cs import read_r1cs

        r1cs = read_r1cs(r1cs_file)
    proof, public = prove(zk, witness, r1cs=r1cs, progress=progress.stage, timings=progress.timings)
    progress.stage("write")
    write_proof(proof_file, proof)
    write_public(public_file, public)
    progress.done()
