"""Session artifacts for the setup/ceremony tests, made by the real peers.

``ceremony_artifacts(tmp_path_factory)``: a power-8 ``.ptau`` made by
snarkjs (new, one contribution, a beacon, prepare phase2), the
``tests/circom/setup_demo.circom`` circuit compiled by circom2 and its
snarkjs Groth16 keys (``zkey new`` output, one contribution, a beacon).
Built once per session (module-level cache).
"""

import subprocess
from pathlib import Path

from conftest import ROOT, require_peer

_CACHE = {}
POWER = 8
BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"


def run(cmd, cwd, timeout=300, check=True):
    r = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if check and r.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        )
    return r


class Artifacts:
    pass


def ceremony_artifacts(tmp_path_factory):
    snarkjs = require_peer("snarkjs")
    circom = require_peer("circom2")
    if "ceremony" in _CACHE:
        return _CACHE["ceremony"]
    d = Path(tmp_path_factory.mktemp("snarkjs_ceremony"))
    run([snarkjs, "powersoftau", "new", "bn128", POWER, "pot0.ptau"], d)
    run(
        [
            snarkjs,
            "powersoftau",
            "contribute",
            "pot0.ptau",
            "pot1.ptau",
            "--name=first",
            "-e=some entropy",
        ],
        d,
    )
    run(
        [
            snarkjs,
            "powersoftau",
            "beacon",
            "pot1.ptau",
            "pot2.ptau",
            BEACON,
            "10",
            "-n=final beacon",
        ],
        d,
    )
    run([snarkjs, "powersoftau", "prepare", "phase2", "pot2.ptau", "pot.ptau"], d)
    run([circom, ROOT / "tests" / "circom" / "setup_demo.circom", "--r1cs", "-o", d], d)
    run([snarkjs, "groth16", "setup", "setup_demo.r1cs", "pot.ptau", "sd0.zkey"], d)
    run(
        [snarkjs, "zkey", "contribute", "sd0.zkey", "sd1.zkey", "--name=alice", "-e=more entropy"],
        d,
    )
    run([snarkjs, "zkey", "beacon", "sd1.zkey", "sd2.zkey", BEACON, "10", "-n=zkey beacon"], d)
    a = Artifacts()
    a.dir, a.snarkjs, a.circom = d, snarkjs, circom
    a.pot0, a.pot1, a.pot2, a.pot = (
        d / "pot0.ptau",
        d / "pot1.ptau",
        d / "pot2.ptau",
        d / "pot.ptau",
    )
    a.r1cs = d / "setup_demo.r1cs"
    a.zkey0, a.zkey1, a.zkey2 = d / "sd0.zkey", d / "sd1.zkey", d / "sd2.zkey"
    _CACHE["ceremony"] = a
    return a


def snarkjs_ok(art, *args):
    """Run snarkjs; True when it exits 0 (and, for verify commands, says so)."""
    r = run([art.snarkjs, *args], art.dir, check=False)
    out = r.stdout + r.stderr
    return r.returncode == 0 and "ERROR" not in out and "INVALID" not in out.upper().replace(
        "INVALIDATE", ""
    ), out
