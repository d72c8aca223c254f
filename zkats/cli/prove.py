"""``zkats groth16 prove|verify``, ``zkats prove`` and ``zkats zkey export
solidityverifier|soliditycalldata``.

``groth16 prove`` is also run without click by :mod:`._lean_prove` (the
console script's fast path); both call :func:`._lean_prove.prove_command`.

Heavy modules are imported inside the commands so that ``zkats --version``
and the verify path stay fast (no galois, no py_ecc on these paths).
"""

import json
import os
import sys

import click

from ..errors import InputError, ZkatsError
from . import main
from ._args import default_file
from ._cluster import cluster_option, remote_prover
from ._groups import export, groth16
from ._lean_prove import Progress as _Progress


@groth16.command("prove")
@default_file("zkey_file", "circuit_final.zkey")
@default_file("wtns_file", "witness.wtns")
@default_file("proof_file", "proof.json")
@default_file("public_file", "public.json")
@click.option(
    "--r1cs",
    "r1cs_file",
    type=click.Path(dir_okay=False),
    help="Constraint file, used to name the failing constraint of a bad witness.",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--verbose", "-v", is_flag=True, help="Stage lines on stderr (the default).")
@click.option("--json", "as_json", is_flag=True, help="Print per-stage timings as JSON on stdout.")
@cluster_option
@click.option(
    "--shards",
    type=click.IntRange(min=1),
    default=None,
    help="With --cluster: split the key over this many workers (one large proof).",
)
def groth16_prove(
    zkey_file,
    wtns_file,
    proof_file,
    public_file,
    r1cs_file,
    quiet,
    verbose,
    as_json,
    cluster,
    shards,
):
    """Prove with a Groth16 key and a witness (snarkjs' argument order)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ._lean_prove import prove_command

    # (``zkats groth16 prove`` from the console script reaches prove_command
    # without click unless --cluster is given: zkats.cli.run)
    prove_command(
        zkey_file,
        wtns_file,
        proof_file,
        public_file,
        r1cs_file,
        quiet,
        as_json,
        verbose,
        remote=remote_prover(cluster, shards),
    )


@groth16.command("verify")
@default_file("vk_file", "verification_key.json")
@default_file("public_file", "public.json")
@default_file("proof_file", "proof.json")
@click.option("--verbose", "-v", is_flag=True, help="Also say what was checked (on stderr).")
def groth16_verify(vk_file, public_file, proof_file, verbose):
    """Verify a proof: prints OK and exits 0, or a reason and exits 1."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.snarkjs_json import read_proof, read_public, read_verification_key
    from ..groth16.verifier import verify

    try:
        vk = read_verification_key(vk_file)
        public = read_public(public_file)
        proof = read_proof(proof_file)
        ok = verify(vk, public, proof)
    except ZkatsError as err:
        click.echo(f"zkats: invalid: {err}", err=True)
        sys.exit(1)
    if verbose:
        click.echo(
            f"zkats: {len(public)} public signals (< r), proof points on the curve and in "
            "the subgroup; pairing check " + ("passed" if ok else "failed"),
            err=True,
        )
    if not ok:
        click.echo("zkats: invalid: the proof does not verify for these public signals", err=True)
        sys.exit(1)
    click.echo("OK")


def _read_vk(path):
    if path.endswith(".json"):
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..formats.snarkjs_json import read_verification_key

        return read_verification_key(path)
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.zkey import read_zkey

    return read_zkey(path).verifying_key()


@export.command("solidityverifier")
@click.argument("files", metavar="[circuit_final.zkey...] [verifier.sol]", nargs=-1)
@click.option(
    "--batch",
    is_flag=True,
    help="Write a batch verifier for one or more keys (key id = position on the "
    "command line): verifyBatch(keys, a, b, c, input) checks all the proofs "
    "with one multi-pairing.",
)
@click.option(
    "--name", default=None, help="Contract name (default Groth16Verifier or Groth16BatchVerifier)."
)
def export_solidityverifier(files, batch, name):
    """Write a Solidity Groth16 verifier for a proving key (or a
    verification_key.json); with --batch, a batch verifier for several."""

    # snarkjs' defaults: circuit_final.zkey, verifier.sol
    files = list(files) or ["circuit_final.zkey"]
    if len(files) == 1:
        files.append("verifier.sol")
    *key_files, sol_file = files
    if len(key_files) > 1 and not batch:
        raise click.UsageError("several keys need --batch")
    vks = []
    for path in key_files:
        vk = _read_vk(path)
        if vk.n_public < 1:
            raise InputError(
                f"{path}: the circuit has no public signals; a Solidity verifier needs at least one"
            )
        vks.append(vk)
    if batch:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..groth16.solidity_batch import solidity_batch_verifier

        try:
            src = solidity_batch_verifier(
                vks, name or "Groth16BatchVerifier", labels=[os.path.basename(p) for p in key_files]
            )
        except ValueError as err:
            raise InputError(str(err)) from None
    else:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..groth16.solidity import solidity_verifier

        src = solidity_verifier(vks[0])
        if name:
            # local import: a command loads what it needs when it runs (CLI start-up)
            from ..groth16.solidity_batch import check_identifier

            try:
                check_identifier(name, "contract name")
            except ValueError as err:
                raise InputError(str(err)) from None
            src = src.replace("contract Groth16Verifier", f"contract {name}")
    with open(sol_file, "w") as f:
        f.write(src)


@export.command("soliditycalldata")
@default_file("public_file", "public.json")
@default_file("proof_file", "proof.json")
def export_soliditycalldata(public_file, proof_file):
    """Print verifyProof's arguments for a proof (B's Fq2 halves swapped)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.snarkjs_json import read_proof, read_public
    from ..groth16.solidity import solidity_calldata

    click.echo(solidity_calldata(read_public(public_file), read_proof(proof_file)))


@main.command("prove")
@click.argument("name")
@click.argument("input_json", metavar="INPUT.json", type=click.Path(dir_okay=False))
@click.option(
    "-k",
    "--zkey",
    "zkey_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Proving key of the circuit (NAME.zkey).",
)
@click.option(
    "-o",
    "--proof",
    "proof_file",
    default="proof.json",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the proof.",
)
@click.option(
    "--public",
    "public_file",
    default="public.json",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the public signals.",
)
@click.option(
    "-p",
    "-P",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Circuit constructor parameter (repeatable; -p as in every other command).",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print per-stage timings as JSON on stdout.")
@cluster_option
def prove_circuit(
    name, input_json, zkey_file, proof_file, public_file, params, quiet, as_json, cluster
):
    """Witness and proof in one step for a zkats circuit NAME."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.snarkjs_json import write_proof, write_public
    from ..formats.zkey import read_zkey
    from ..groth16.prover import prove
    from .circuit import _compile

    progress = _Progress(quiet)
    progress.stage("compile")
    cc = _compile(name, params)
    progress.stage("solve")
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.jsonio import load_file

    inputs = load_file(input_json)
    witness = cc.solve(inputs, source=input_json)
    progress.stage("read zkey")
    zk = read_zkey(zkey_file)
    if zk.n_vars != cc.n_wires or zk.n_public != cc.n_public:
        raise InputError(
            f"{zkey_file}: key for {zk.n_vars} wires/{zk.n_public} public signals, "
            f"circuit {name} has {cc.n_wires}/{cc.n_public}"
        )
    remote = remote_prover(cluster)
    if remote is not None:
        progress.stage(f"prove on {cluster}")
        proof, public = remote(zkey_file, witness.limbs())
    else:
        proof, public = prove(
            zk, witness.limbs(), r1cs=cc.r1cs, progress=progress.stage, timings=progress.timings
        )
    progress.stage("write")
    write_proof(proof_file, proof)
    write_public(public_file, public)
    timings = progress.done()
    if as_json:
        click.echo(json.dumps({"timings_s": timings}))
