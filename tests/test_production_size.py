"""The production configuration (``ZKATS_VENUE_SIZE=production``: 16 slots on
up to 4 underlyings, 64 instruments per epoch, 2^32 notes; the risk-engine
issue's sizes).  The test suite runs at the small ``ci`` size; these tests
run the production size in a subprocess: its parameters and bound
assertions (fast), and every venue statement of the example scenario built,
checked natively and solved by its circuit within 2^16 constraints, and
``zkats demo`` end to end at production size (both ``slow``: compiling the
production circuits and making their keys takes minutes; run them with
``pytest -m slow -k production``)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(code_or_file, *args, timeout=120):
    env = {**os.environ, "ZKATS_VENUE_SIZE": "production"}
    if code_or_file == "-m":
        cmd = [sys.executable, "-m"]
    else:
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
    assert (n_ct, blocks) == (1 + 16 + 8 + 1, 2)
    assert mbits < 253 and sbits == 84


def test_production_is_the_default_size():
    """Unset or empty, the size is production (the suite itself runs at ci:
    tests/conftest.py), and the circuit cache keys on the same size."""
    code = (
        "from zkats.domain import units; from zkats.circuit import cache; "
        "print(units.SIZE, units.N_SLOTS, cache.SIZE)"
    )
    for value in (None, ""):
        env = {k: v for k, v in os.environ.items() if k != "ZKATS_VENUE_SIZE"}
        if value is not None:
            env["ZKATS_VENUE_SIZE"] = value
        r = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
        )
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == ["production", "16", "production"]
    if not os.environ.get("ZKATS_TEST_VENUE_SIZE"):  # (tests/conftest.py)
        assert os.environ["ZKATS_VENUE_SIZE"] == "ci"  # what this suite's subprocesses inherit


def test_help_names_both_sizes_from_units():
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "Venue size (ZKATS_VENUE_SIZE): ci: 3 position slots on up to 3 underlyings" in text
    assert (
        "production (the default): 16 position slots on up to 4 underlyings, "
        "64 instruments per oracle epoch, 2^32 notes" in text
    )


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


@pytest.mark.slow
def test_production_demo_end_to_end(tmp_path):
    """``zkats demo`` at production size (the default outside the test
    suite): every step a real proof with the production keys (made once in
    the key cache, ~hundreds of MB), the venue recorded as production, the
    same story as at ci size (tests/test_cli_venue.py)."""
    d = tmp_path / "demo"
    out = _run("-m", "zkats.cli", "demo", "--dir", str(d), "--json", "-q", timeout=3600)
    summary = json.loads(out)["summary"]
    assert summary["liquidated"] == ["alice"] and summary["health_failed"] == ["alice"]
    assert json.loads((d / "venue" / "venue.json").read_text())["size"] == "production"
    text = json.dumps(json.loads(out)["steps"])
    assert "two underlyings: ETH-PERP, BTC-1W" in text
    m = re.search(r"BTC worst loss (\d+), ETH worst loss (\d+): initial requirement (\d+)", text)
    assert m and int(m[1]) + int(m[2]) == int(m[3]), text[-2000:]
    # a production note has 16 slots: a transition's record carries 37 values:
    # its 11 public inputs (the ciphertext's hash last), then the ciphertext of
    # 26 packed words, carried beside the proof
    legs = [
        item["proofs"]["leg_a"]["public"]
        for p in sorted((d / "public").glob("*.json"))
        for item in json.loads(p.read_text()).get("items", [])
        if item["kind"] == "trade"
    ]
    assert legs and {len(x) for x in legs} == {37}
