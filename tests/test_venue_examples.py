"""The shipped example inputs (circuits/examples/NAME.json) are exactly what
the scenario produces, solve, and the CLI knows every venue circuit."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from venue_helpers import compiled
from zkats.circuits import _scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "circuits" / "examples"
#: what the scenario has always shipped (every venue statement adds its own)
SHIPPED = {
    "order",
    "match",
    "transition",
    "transition_seller",
    "health",
    "liquidate",
    "deposit",
    "withdraw",
}
CASES = _scenario.cases()


def test_every_venue_statement_has_an_example():
    from zkats.venue.rules import circuits

    assert SHIPPED <= set(CASES)
    assert set(circuits()) <= {pub.statement.circuit_name for _, pub, _ in CASES.values()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_is_current_and_solves(name):
    mod, pub, prv = CASES[name]
    assert mod.check(pub, prv)
    stored = json.loads((EXAMPLES / f"{name}.json").read_text())
    assert stored == {k: _scenario._decimal(v) for k, v in mod.inputs(pub, prv).items()}, (
        "stale example: run python -m zkats.circuits._scenario"
    )
    cc = compiled(pub.statement)
    assert cc.solve(stored).public == pub.proof_values()


def test_cli_lists_venue_circuits():
    out = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "circuit", "list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {line.split()[0] for line in out.splitlines() if line.strip()}
    from zkats.venue.rules import circuits

    assert set(circuits()) <= names
