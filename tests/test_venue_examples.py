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
VENUE = ["order", "match", "transition", "health", "liquidate", "deposit", "withdraw"]


@pytest.fixture(scope="module")
def cases():
    return _scenario.cases()


@pytest.mark.parametrize(
    "name",
    [
        "order",
        "match",
        "transition",
        "transition_seller",
        "health",
        "liquidate",
        "deposit",
        "withdraw",
    ],
)
def test_example_is_current_and_solves(cases, name):
    mod, pub, prv = cases[name]
    assert mod.check(pub, prv)
    stored = json.loads((EXAMPLES / f"{name}.json").read_text())
    assert stored == {k: _scenario._decimal(v) for k, v in mod.inputs(pub, prv).items()}, (
        "stale example: run python -m zkats.circuits._scenario"
    )
    cls = {
        c.circuit_name: c
        for c in vars(mod).values()
        if isinstance(c, type) and hasattr(c, "circuit_name")
    }
    cc = compiled(next(iter(cls.values())))
    assert cc.solve(stored).public == pub.signals()


def test_cli_lists_venue_circuits():
    out = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "circuit", "list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert set(VENUE) <= names
