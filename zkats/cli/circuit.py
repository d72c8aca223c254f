"""``zkats circuit ...``, ``zkats wtns calculate|check``, ``zkats r1cs info``.

A circuit is named by its registered name (``zkats circuit list``) or by
the path of a Python file defining one; ``-p KEY=VALUE`` passes constructor
parameters (ints where they parse as ints).  Heavy modules are imported
inside the commands.
"""

import json
import os
from pathlib import Path

import click

from ..errors import InputError, UnsatisfiedConstraint
from ..field import R, limbs_to_ints
from ._args import default_file
from ._groups import circuit, r1cs, wtns


def _params(pairs):
    out = {}
    for p in pairs:
        if "=" not in p:
            raise click.BadParameter(f"{p!r} is not KEY=VALUE", param_hint="-p")
        k, v = p.split("=", 1)
        try:
            out[k] = int(v, 0)
        except ValueError:
            out[k] = v
    return out


def _compile(name, params, use_cache=True):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..circuit import compile_circuit, load_circuit

    return compile_circuit(load_circuit(name, **_params(params)), cache=use_cache)


def _stem(name):
    s = str(name)
    file_part, _, reg = s.rpartition(":")
    if file_part.endswith(".py") and reg:
        return reg  # FILE.py:NAME
    return Path(s).stem if s.endswith(".py") else s.replace("/", "_")


_PARAM = click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Circuit constructor parameter (repeatable).",
)


@circuit.command("list")
def circuit_list():
    """List the registered circuits."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..circuit import list_circuits

    for name, cls in list_circuits().items():
        doc = (cls.__doc__ or "").strip().splitlines()
        click.echo(f"{name:24s} {doc[0] if doc else ''}")


@circuit.command("info")
@click.argument("name")
@_PARAM
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--depth", type=int, default=None, help="Cut scope paths to this many levels in the breakdown."
)
def circuit_info(name, params, as_json, depth):
    """Constraint, wire and public-input counts, with a per-gadget breakdown."""
    cc = _compile(name, params)
    info = {
        "name": cc.name,
        "constraints": cc.n_constraints,
        "wires": cc.n_wires,
        "public_outputs": cc.n_pub_out,
        "public_inputs": cc.n_pub_in,
        "private_inputs": cc.n_prv_in,
        "hint_wires": int(len(cc.hint_wires)),
        "unconstrained_hint_wires": [cc.wire_label(int(w)) for w in cc.unconstrained_hint_wires()],
        "unused_inputs": [
            cc.wire_label(int(w)) for w in cc.unconstrained_wires() if w < cc.first_internal
        ],
        "signals": cc.layout.describe(),
        "hash": cc.hash,
        "by_scope": dict(sorted(cc.counts_by_scope(depth).items(), key=lambda kv: -kv[1])),
    }
    if as_json:
        click.echo(json.dumps(info, indent=1))
        return
    click.echo(f"circuit:         {info['name']}")
    click.echo(f"constraints:     {info['constraints']}")
    click.echo(f"wires:           {info['wires']}")
    click.echo(f"public outputs:  {info['public_outputs']}")
    click.echo(f"public inputs:   {info['public_inputs']}")
    click.echo(f"private inputs:  {info['private_inputs']}")
    click.echo(f"hint wires:      {info['hint_wires']}")
    click.echo(f"hash:            {info['hash']}")
    if info["unconstrained_hint_wires"]:
        click.echo(
            f"WARNING: {len(info['unconstrained_hint_wires'])} hint outputs appear in no "
            f"constraint (the prover can choose them freely): "
            f"{', '.join(info['unconstrained_hint_wires'][:10])}"
        )
    if info["unused_inputs"]:
        click.echo(f"note: inputs in no constraint: {', '.join(info['unused_inputs'][:10])}")
    click.echo("constraints by scope:")
    for k, v in info["by_scope"].items():
        click.echo(f"  {v:10d}  {k}")


@circuit.command("compile")
@click.argument("name")
@_PARAM
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Directory for NAME.r1cs.",
)
def circuit_compile(name, params, outdir):
    """Compile a circuit and write NAME.r1cs (iden3 format, snarkjs-readable)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.r1cs import write_r1cs

    cc = _compile(name, params)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{_stem(name)}.r1cs"
    write_r1cs(path, cc)
    click.echo(
        f"{path}: {cc.n_constraints} constraints, {cc.n_wires} wires, {cc.n_public} public signals"
    )


def _is_wasm(path):
    """True for circom's witness calculator (a WebAssembly file)."""

    s = str(path)
    if s.endswith(".wasm"):
        return True
    if s.endswith(".py") or not os.path.isfile(s):
        return False
    with open(s, "rb") as f:
        return f.read(4) == b"\0asm"


@wtns.command("calculate")
@click.argument("name", metavar="[CIRCUIT]", default="circuit.wasm", required=False)
@default_file("input_json", "input.json")
@default_file("out_wtns", "witness.wtns")
@_PARAM
@click.option("--verbose", "-v", is_flag=True, help="Print a summary line.")
def wtns_calculate(name, input_json, out_wtns, params, verbose):
    """Compute the witness of CIRCUIT for INPUT.json and write OUT.wtns.

    CIRCUIT is circom's witness calculator (CIRCUIT_js/CIRCUIT.wasm, run
    in-process: no node needed; the same file as `snarkjs wtns calculate`)
    or a zkats circuit (registered name or .py file).  snarkjs' default
    names: circuit.wasm, input.json, witness.wtns."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.jsonio import load_file

    if _is_wasm(name):
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..circom.wasm_witness import calculate_wtns

        if params:
            raise InputError("-p/--param sets zkats circuit parameters; a circom .wasm has none")
        n = calculate_wtns(name, load_file(input_json), out_wtns)
        if verbose:
            click.echo(f"{out_wtns}: {n} values", err=True)
        return
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.wtns import write_wtns

    cc = _compile(name, params)
    inputs = load_file(input_json)
    w = cc.solve(inputs, source=input_json)
    write_wtns(out_wtns, w)
    click.echo(f"{out_wtns}: {len(w)} values; public: {json.dumps([str(v) for v in w.public])}")


def check_witness(r1cs_file, wtns_file, names=None, show_all=False):
    """Check a witness against every constraint; raise UnsatisfiedConstraint
    naming the first failing one (with signal names and the values when
    ``names`` from a .sym file are given)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.r1cs import r1cs_unsatisfied, read_r1cs
    from ..formats.wtns import read_wtns_ints

    r = read_r1cs(r1cs_file)
    w = read_wtns_ints(wtns_file)
    if len(w) != r.n_wires:
        raise InputError(f"{wtns_file}: {len(w)} values, but {r1cs_file} has {r.n_wires} wires")
    if w and w[0] != 1:
        raise UnsatisfiedConstraint(f"{wtns_file}: value 0 (the constant one) is {w[0]}, not 1")
    bad = r1cs_unsatisfied(r, w, first_only=not show_all)
    if bad:
        texts = [_describe_failing(r, i, w, names) for i in bad]
        for i, t in zip(bad[1:], texts[1:]):
            click.echo(f"constraint {i} is not satisfied{t}", err=True)
        more = f" ({len(bad)} constraints fail)" if len(bad) > 1 else ""
        raise UnsatisfiedConstraint(
            f"{wtns_file}: constraint {bad[0]} of {r1cs_file} is not satisfied{more}{texts[0]}",
            index=bad[0],
        )
    click.echo(f"OK: {r.n_constraints} constraints satisfied")


def _describe_failing(r, i, w, names):
    """'' or, with names, ': [ main.a ] * [ main.b ] - [ main.c ] = 0
    (7 * 3 != 22)'."""
    if names is None:
        return ""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..circom.sym import constraint_text

    lcs = []
    for M in (r.A, r.B, r.C):
        lo = int(M.rows.searchsorted(i, "left"))
        hi = int(M.rows.searchsorted(i, "right"))
        vals = limbs_to_ints(M.coeffs[lo:hi]) if hi > lo else []
        lcs.append(dict(zip(M.cols[lo:hi].tolist(), vals)))
    ev = [sum(v * w[k] for k, v in lc.items()) % R for lc in lcs]
    a, b, c = lcs
    return f": {constraint_text(a, b, c, names)} ({ev[0]} * {ev[1]} != {ev[2]})"


@wtns.command("check")
@click.argument("r1cs_file", metavar="[circuit.r1cs]", default="circuit.r1cs", required=False)
@click.argument("wtns_file", metavar="[witness.wtns]", default="witness.wtns", required=False)
@click.option(
    "--sym",
    "sym_file",
    type=click.Path(dir_okay=False),
    help="circom's .sym file: name the failing constraint's signals (and show their values).",
)
@click.option("--all", "show_all", is_flag=True, help="Report every failing constraint.")
@click.option("--verbose", "-v", is_flag=True, hidden=True)
def wtns_check(r1cs_file, wtns_file, sym_file, show_all, verbose):
    """Check that the witness satisfies every constraint of the .r1cs."""
    names = None
    if sym_file:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..circom.sym import read_sym

        names = read_sym(sym_file)
    check_witness(r1cs_file, wtns_file, names, show_all)


@r1cs.command("info")
@default_file("r1cs_file", "circuit.r1cs")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def r1cs_info(r1cs_file, as_json):
    """Counts of an .r1cs file (as `snarkjs r1cs info`)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.r1cs import read_r1cs

    r = read_r1cs(r1cs_file)
    info = {
        "curve": "bn128",
        "wires": r.n_wires,
        "constraints": r.n_constraints,
        "private_inputs": r.n_prv_in,
        "public_inputs": r.n_pub_in,
        "labels": r.n_labels,
        "outputs": r.n_pub_out,
    }
    if as_json:
        click.echo(json.dumps(info))
        return
    click.echo(f"Curve: {info['curve']}")
    click.echo(f"# of Wires: {info['wires']}")
    click.echo(f"# of Constraints: {info['constraints']}")
    click.echo(f"# of Private Inputs: {info['private_inputs']}")
    click.echo(f"# of Public Inputs: {info['public_inputs']}")
    click.echo(f"# of Labels: {info['labels']}")
    click.echo(f"# of Outputs: {info['outputs']}")
