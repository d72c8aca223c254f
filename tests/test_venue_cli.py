"""Every venue circuit proves and verifies from the CLI with its shipped
example input (slow: a power-14 ceremony and seven setups).

    zkats powersoftau new/contribute/prepare phase2   (once)
    zkats circuit compile NAME -o DIR
    zkats groth16 setup NAME.r1cs POT.ptau NAME.zkey
    zkats zkey export verificationkey NAME.zkey vk.json
    zkats prove NAME circuits/examples/NAME.json -k NAME.zkey -o proof.json --public public.json
    zkats groth16 verify vk.json public.json proof.json
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require_peer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "circuits" / "examples"
VENUE = ["order", "match", "transition", "health", "liquidate", "deposit", "withdraw"]

pytestmark = pytest.mark.slow


def zkats(*args, check=True):
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if check and r.returncode != 0:
        raise AssertionError(f"zkats {' '.join(map(str, args))}: {r.stderr.strip()}")
    return r


@pytest.fixture(scope="module")
def ptau(tmp_path_factory):
    """Accumulator and one contribution by snarkjs, phase 2 prepared by zkats."""
    snarkjs = require_peer("snarkjs")
    d = tmp_path_factory.mktemp("venue_ptau")
    subprocess.run(
        [snarkjs, "powersoftau", "new", "bn128", "14", d / "p0.ptau"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            snarkjs,
            "powersoftau",
            "contribute",
            d / "p0.ptau",
            d / "p1.ptau",
            "--name=test",
            "-e=venue cli test",
        ],
        check=True,
        capture_output=True,
    )
    zkats("powersoftau", "prepare", "phase2", d / "p1.ptau", d / "pot.ptau", "--quiet")
    return d / "pot.ptau"


@pytest.mark.parametrize("name", VENUE)
def test_prove_and_verify_from_cli(tmp_path, ptau, name):
    zkats("circuit", "compile", name, "-o", tmp_path)
    r1cs = tmp_path / f"{name}.r1cs"
    zkey = tmp_path / f"{name}.zkey"
    zkats("groth16", "setup", r1cs, ptau, zkey, "--quiet")
    vk = tmp_path / "vk.json"
    zkats("zkey", "export", "verificationkey", zkey, vk)
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    zkats(
        "prove",
        name,
        EXAMPLES / f"{name}.json",
        "-k",
        zkey,
        "-o",
        proof,
        "--public",
        public,
        "--quiet",
    )
    r = zkats("groth16", "verify", vk, public, proof)
    assert r.stdout.strip().endswith("OK")
    # a changed public signal is refused
    sig = json.loads(public.read_text())
    sig[-1] = str(int(sig[-1]) + 1)
    public.write_text(json.dumps(sig))
    assert zkats("groth16", "verify", vk, public, proof, check=False).returncode != 0
