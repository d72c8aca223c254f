"""The production configuration (``ZKATS_VENUE_SIZE=production``: 16 slots on
up to 4 underlyings, 64 instruments per epoch, 2^32 notes; the risk-engine
issue's sizes).  The test suite runs at the small ``ci`` size; these tests
run the production size in a subprocess: its parameters and bound
assertions (fast), and every venue statement of the example scenario built,
checked natively and solved by its circuit within 2^16 constraints
(``slow``: compiling the production circuits takes minutes)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(code_or_file, *args, timeout=120):
    env = {**os.environ, "ZKATS_VENUE_SIZE": "production"}
    cmd = [sys.executable, *(["-c", code_or_file] if "\n" in code_or_file else [code_or_file])]
    r = subprocess.run(
        [*cmd, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_production_parameters_and_bounds():
    out = _run(
        "\nimport json\n"
        "from zkats.domain import margin, note_cipher, units\n"
        "print(json.dumps([units.N_SLOTS, units.EPOCH_SIZE, units.TREE_DEPTH,\n"
        "    units.N_UNDERLYINGS, margin.N_SCENARIOS, note_cipher.N_CT, note_cipher.N_BLOCKS,\n"
        "    margin.MARGIN_BITS, margin.SHORTFALL_BITS]))\n"
    )
    slots, epoch, depth, under, scen, n_ct, blocks, mbits, sbits = json.loads(out)
    assert (slots, epoch, depth, under, scen) == (16, 64, 32, 4, 16)
    assert (n_ct, blocks) == (2 + 3 * 16 + 1, 5)
    assert mbits < 253 and sbits == 84


def test_unknown_size_refused():
    env = {**os.environ, "ZKATS_VENUE_SIZE": "huge"}
    r = subprocess.run(
        [sys.executable, "-c", "import zkats.domain.units"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert r.returncode != 0 and "ZKATS_VENUE_SIZE: one of ['ci', 'production']" in r.stderr


@pytest.mark.slow
def test_every_statement_solves_at_production_size():
    out = json.loads(_run(str(ROOT / "tests" / "_production_size.py"), timeout=3000))
    counts = {k: v["constraints"] for k, v in out["circuits"].items()}
    assert {"transition", "health", "withdraw", "liquidate", "deposit"} <= set(counts)
    # within a 2^16 domain (constraints + public inputs + 1): the power of
    # the production development keys (zkats.venue.workflow.POWER)
    for name, v in out["circuits"].items():
        assert v["constraints"] + v["public"] + 1 <= 1 << 16, name
    print(json.dumps(out, indent=1))
