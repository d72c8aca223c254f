"""Looking into the files, with snarkjs' verbs, argument order and default
file names: ``r1cs print|export json``, ``wtns export json|debug``, ``zkey
export json``, ``info``.  The JSON shapes are snarkjs'
(:mod:`zkats.formats.json_export`)."""

import json
from pathlib import Path

import click

from . import main
from ._groups import export, powersoftau, r1cs, wtns


@powersoftau.group("export")
def ptau_export():
    """Export a .ptau file (snarkjs' JSON)."""


@ptau_export.command("challenge")
@click.argument("ptau_file", metavar="POWERSOFTAU.ptau", type=click.Path(dir_okay=False))
@click.argument("challenge_file", metavar="[challenge]", default="challenge", required=False)
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def ptau_export_challenge(ptau_file, challenge_file, verbose):
    """Write the accumulator as a phase-1 challenge file (the original
    ceremony tools' layout) for a contribution made outside zkats/snarkjs."""
    from ..formats.ptau import read_ptau
    from ..groth16.challenge import export_challenge

    last, cur = export_challenge(read_ptau(ptau_file), challenge_file)
    click.echo(f"Last Response Hash: {last.hex()}")
    click.echo(f"New Challenge Hash: {cur.hex()}")


@ptau_export.command("json")
@click.argument("ptau_file", metavar="POWERSOFTAU.ptau", type=click.Path(dir_okay=False))
@click.argument("json_file", metavar="POWERSOFTAU.json", type=click.Path(dir_okay=False))
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def ptau_export_json(ptau_file, json_file, verbose):
    """Write every point and contribution as snarkjs' JSON (its shape: a
    point shows as its Montgomery x coordinate read as an Fr element)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.json_export import ptau_json, write_json
    from ..formats.ptau import read_ptau

    write_json(json_file, ptau_json(read_ptau(ptau_file, check="lazy")))


@powersoftau.command("truncate")
@click.argument("ptau_file", metavar="POWERSOFTAU.ptau", type=click.Path(dir_okay=False))
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def ptau_truncate(ptau_file, verbose):
    """Write NAME_01.ptau .. NAME_<power-1>.ptau: the same prepared ptau for
    every smaller power (snarkjs' file names)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import truncate_ptau

    base = ptau_file.rpartition(".")[0] if "." in ptau_file else ptau_file
    for name in truncate_ptau(ptau_file, base + "_"):
        click.echo(name)


@r1cs.group("export")
def r1cs_export():
    """Export an .r1cs file (snarkjs' JSON)."""


@wtns.group("export")
def wtns_export():
    """Export a .wtns file (snarkjs' JSON)."""


def _sym_for(r1cs_file, sym_file):
    """The .sym file to use: the one given, else CIRCUIT.sym next to the .r1cs."""

    if sym_file:
        return sym_file
    guess = Path(r1cs_file).with_suffix(".sym")
    return str(guess) if guess.is_file() else None


@r1cs.command("print")
@click.argument("r1cs_file", metavar="[circuit.r1cs]", default="circuit.r1cs", required=False)
@click.argument("sym_file", metavar="[circuit.sym]", default=None, required=False)
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def r1cs_print(r1cs_file, sym_file, verbose):
    """Print every constraint with signal names (snarkjs' r1cs print format;
    without a .sym file the wires are named w<i>)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..circom.sym import constraint_text, read_sym
    from ..formats.r1cs import read_r1cs

    r = read_r1cs(r1cs_file)
    sym = _sym_for(r1cs_file, sym_file)
    names = read_sym(sym) if sym else {0: "one"}
    m = r.n_constraints
    a, b, c = (M.row_dicts(m) for M in (r.A, r.B, r.C))
    for i in range(m):
        click.echo(constraint_text(a[i], b[i], c[i], names))


@r1cs_export.command("json")
@click.argument("r1cs_file", metavar="[circuit.r1cs]", default="circuit.r1cs", required=False)
@click.argument("json_file", metavar="[circuit.json]", default="circuit.json", required=False)
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def r1cs_export_json(r1cs_file, json_file, verbose):
    """Write the constraints as snarkjs' JSON."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.json_export import r1cs_json, write_json
    from ..formats.r1cs import read_r1cs

    write_json(json_file, r1cs_json(read_r1cs(r1cs_file)))


@wtns_export.command("json")
@click.argument("wtns_file", metavar="[witness.wtns]", default="witness.wtns", required=False)
@click.argument("json_file", metavar="[witness.json]", default="witness.json", required=False)
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def wtns_export_json(wtns_file, json_file, verbose):
    """Write the witness as a JSON array of decimal strings."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.json_export import write_json
    from ..formats.wtns import read_wtns_ints

    write_json(json_file, [str(v) for v in read_wtns_ints(wtns_file)])


@export.command("json")
@click.argument(
    "zkey_file", metavar="[circuit_final.zkey]", default="circuit_final.zkey", required=False
)
@click.argument(
    "json_file",
    metavar="[circuit_final.zkey.json]",
    default="circuit_final.zkey.json",
    required=False,
)
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def zkey_export_json(zkey_file, json_file, verbose):
    """Write a proving key as snarkjs' JSON (every point and coefficient)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.json_export import write_json, zkey_json
    from ..formats.zkey import read_zkey

    write_json(json_file, zkey_json(read_zkey(zkey_file)))


@wtns.command("debug")
@click.argument("wasm_file", metavar="[circuit.wasm]", default="circuit.wasm", required=False)
@click.argument("input_json", metavar="[input.json]", default="input.json", required=False)
@click.argument("wtns_file", metavar="[witness.wtns]", default="witness.wtns", required=False)
@click.argument("sym_file", metavar="[CIRCUIT.sym]", default=None, required=False)
@click.option(
    "--r1cs",
    "r1cs_file",
    type=click.Path(dir_okay=False),
    help="Constraints to check the witness against (default: CIRCUIT.r1cs next to the .sym).",
)
@click.option("--set", "-s", "show_set", is_flag=True, help="Print every named signal's value.")
@click.option("--get", "-g", "show_get", is_flag=True, hidden=True)
@click.option("--trigger", "-t", is_flag=True, hidden=True)
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def wtns_debug(
    wasm_file, input_json, wtns_file, sym_file, r1cs_file, show_set, show_get, trigger, verbose
):
    """Compute the witness (as wtns calculate) and explain it with signal
    names: with --set every signal's value, and every constraint checked
    (the .r1cs next to the .sym, or --r1cs), failing ones named."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..circom.sym import read_sym
    from ..circom.wasm_witness import calculate_wtns
    from ..formats.jsonio import load_file
    from ..formats.wtns import read_wtns_ints

    if sym_file is None:  # snarkjs: the wasm's name with .sym; circom writes it beside X_js/
        sym_file = str(Path(wasm_file).with_suffix(".sym"))
        beside = Path(wasm_file).parent.parent / Path(sym_file).name
        if not Path(sym_file).is_file() and Path(wasm_file).parent.name.endswith("_js"):
            sym_file = str(beside) if beside.is_file() else sym_file
    names = read_sym(sym_file)
    calculate_wtns(wasm_file, load_file(input_json), wtns_file)
    values = read_wtns_ints(wtns_file)
    if show_set or show_get:
        for i, v in enumerate(values):
            if i in names and i:
                click.echo(f"{names[i]} = {v}")
    if r1cs_file is None:
        guess = Path(sym_file).with_suffix(".r1cs")
        r1cs_file = str(guess) if guess.is_file() else None
    if r1cs_file is None:
        click.echo(f"{wtns_file}: {len(values)} values (no .r1cs found: constraints not checked)")
        return
    # local import: a command loads what it needs when it runs (CLI start-up)
    from .circuit import check_witness

    check_witness(r1cs_file, wtns_file, names)


@main.command("info")
@click.argument("file", metavar="FILE", default="circuit.r1cs", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def info(file, as_json, verbose):
    """What a snarkjs/circom file holds (.r1cs, .zkey, .ptau, .wtns, .wasm,
    .sym), told by its contents."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.file_info import file_info

    d = file_info(file)
    if as_json:
        click.echo(json.dumps(d))
        return
    for k, v in d.items():
        click.echo(f"{k}: {v}")
