"""circomlib circuits compiled by the pinned circom2, and their inputs.

``compiled(name, tmp_path_factory)`` compiles ``tests/circom/<name>.circom``
(``--r1cs --wasm --sym``, circomlib on the include path) once per session
and returns an object with ``r1cs``, ``wasm``, ``sym`` paths and ``dir``.
``dev_ptau(power, tmp_path_factory)``: a phase-2-prepared ptau made by
zkats' one-party development ceremony (both tools read it; it is the same
file ``powersoftau new/contribute/prepare phase2`` would write).
``inputs(name)``: a valid input JSON object for the circuit.
"""

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, require_peer

CIRCOM_DIR = ROOT / "tests" / "circom"
CIRCOMLIB = ROOT / "node_modules" / "circomlib" / "circuits"
_CACHE = {}


def run(cmd, cwd=None, timeout=900, check=True):
    r = subprocess.run(
        [str(c) for c in cmd], cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout
    )
    if check and r.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n"
            f"{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        )
    return r


def zkats(*args, check=True, cwd=None, timeout=900):
    """The zkats command line in a child process (the installed code)."""
    return run([sys.executable, "-m", "zkats.cli", *args], cwd=cwd, check=check, timeout=timeout)


def snarkjs(*args, check=True, cwd=None, timeout=900):
    return run([require_peer("snarkjs"), *args], cwd=cwd, check=check, timeout=timeout)


class Compiled:
    def __init__(self, name, d):
        self.name, self.dir = name, d
        self.r1cs = d / f"{name}.r1cs"
        self.sym = d / f"{name}.sym"
        self.wasm = d / f"{name}_js" / f"{name}.wasm"


def compiled(name, tmp_path_factory):
    """``tests/circom/<name>.circom`` compiled by circom2 (session cache)."""
    circom = require_peer("circom2")
    key = ("circom", name)
    if key not in _CACHE:
        d = Path(tmp_path_factory.mktemp(f"circom_{name}"))
        # circom2 (WASI) opens paths relative to its working directory
        run(
            [circom, CIRCOM_DIR / f"{name}.circom", "--r1cs", "--wasm", "--sym"]
            + ["-l", CIRCOMLIB, "-o", d],
            cwd=ROOT,
        )
        _CACHE[key] = Compiled(name, d)
    return _CACHE[key]


def dev_ptau(power, tmp_path_factory):
    """A prepared ptau of 2^power (zkats' development ceremony; session cache)."""
    key = ("ptau", power)
    if key not in _CACHE:
        from zkats.formats.ptau import write_ptau
        from zkats.groth16 import ceremony

        path = Path(tmp_path_factory.mktemp(f"ptau{power}")) / f"pot{power}.ptau"
        pt, _ = ceremony.dev_prepared_ptau(power, name="tests")
        write_ptau(path, pt)
        _CACHE[key] = path
    return _CACHE[key]


def _eddsa_input():
    v = json.loads((ROOT / "vectors" / "circomlibjs.json").read_text())["eddsa"][0]
    return {
        "enabled": "1",
        "Ax": v["pub"][0],
        "Ay": v["pub"][1],
        "S": v["S"],
        "R8x": v["R8"][0],
        "R8y": v["R8"][1],
        "M": v["msg"],
    }


def _smt_input():
    if "smt_inputs" not in _CACHE:
        require_peer("snarkjs")
        out = run(["node", ROOT / "tests" / "js" / "smt_inputs.mjs"]).stdout
        _CACHE["smt_inputs"] = json.loads(out)
    return _CACHE["smt_inputs"]["inclusion"]


def inputs(name):
    """A valid input for ``tests/circom/<name>.circom``."""
    if name == "circomlib_eddsa":
        return _eddsa_input()
    if name == "circomlib_smt":
        return _smt_input()
    if name == "circomlib_comparators":
        return {"a": "123456789", "b": "61728394"}
    if name == "circomlib_sha256":
        return {"in": [str((0x616263 >> (63 - i)) & 1) if i < 64 else "0" for i in range(64)]}
    raise KeyError(name)
