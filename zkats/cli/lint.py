"""``zkats lint CIRCUIT``: the under-constrained-signal linter (zkats/lint.py)."""

import json
import sys

import click

from ..errors import InputError
from . import main
from .circuit import _PARAM, _params


@main.command("lint")
@click.argument("targets", nargs=-1, metavar="CIRCUIT...")
@_PARAM
@click.option("--all", "all_", is_flag=True, help="Lint every registered circuit.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def lint(targets, params, all_, as_json):
    """Report unused signals, unconstrained hint outputs, wires the
    constraints do not determine, and comparators on unchecked inputs.

    CIRCUIT is a registered name, a .py file or a .r1cs file.  Exit status 1
    when a finding has no justification (LINT_JUSTIFICATIONS on the class).
    """
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..lint import lint_target

    if all_:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..circuit import list_circuits

        targets = tuple(targets) + tuple(list_circuits())
    if not targets:
        raise InputError("lint: name a circuit (or use --all)")
    reports = [lint_target(t, _params(params)) for t in targets]
    if as_json:
        click.echo(
            json.dumps(
                [r.as_dict() for r in reports] if len(reports) > 1 else reports[0].as_dict(),
                indent=1,
            )
        )
    else:
        for r in reports:
            click.echo(r.text())
    if any(r.unjustified for r in reports):
        sys.exit(1)
