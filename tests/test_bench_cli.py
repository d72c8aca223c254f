"""`zkats bench` prints one well-formed JSON object per line (small sizes)."""

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT, require_peer
from zkats.cli import main


def run(*args):
    r = CliRunner().invoke(main, ["bench", *args])
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.output.splitlines() if line.strip()]


def test_msm_and_pairing_lines_without_reference():
    lines = run(
        "--op",
        "msm_g1",
        "--op",
        "msm_g2",
        "--op",
        "pairing",
        "--log-n",
        "6",
        "--threads",
        "2",
        "--repeat",
        "1",
        "--no-reference",
    )
    assert [l["op"] for l in lines] == ["msm_g1", "msm_g2", "pairing"]
    for l in lines[:2]:
        assert l["log_n"] == 6 and l["threads"] == 2 and l["seconds"] > 0
        assert "reference" not in l


def test_py_ecc_reference_line():
    lines = run("--op", "msm_g1", "--log-n", "5", "--repeat", "1")
    ref = [l for l in lines if l.get("reference") == "py_ecc"]
    assert len(ref) == 1
    l = ref[0]
    assert l["reference_log_n"] == 4 and l["reference_seconds"] > 0 and l["ratio"] > 0
    assert "per-element" in l["ratio_kind"]


def test_ntt_and_pairing4_lines():
    lines = run("--op", "ntt", "--op", "pairing4", "--log-n", "8", "--no-reference")
    assert {l["op"] for l in lines} == {"ntt", "pairing4"}
    for l in lines:
        assert l.get("seconds", 0) > 0 or "skipped" in l


def test_bad_log_n():
    r = CliRunner().invoke(main, ["bench", "--op", "msm_g1", "--log-n", "40"])
    assert r.exit_code != 0


@pytest.mark.peers
def test_ffjavascript_reference_agrees():
    require_peer("snarkjs")
    if not (ROOT / "node_modules" / "ffjavascript").is_dir() or not shutil.which("node"):
        pytest.fail("ffjavascript is missing from node_modules although snarkjs is installed")
    lines = run("--op", "msm_g1", "--op", "msm_g2", "--log-n", "7", "--repeat", "1")
    ff = [l for l in lines if l.get("reference") == "ffjavascript"]
    assert len(ff) == 2
    assert all(l["agree"] is True for l in ff), ff
