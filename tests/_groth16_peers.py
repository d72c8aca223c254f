"""Session artifacts made by the real npm peers for the Groth16 tests.

``snarkjs_artifacts(tmp_path_factory)`` compiles ``tests/circom/mulchain.circom``
with circom2, makes a power-8 ``.ptau`` and a Groth16 ``.zkey`` with snarkjs
(one phase-2 contribution), exports the verification key, computes a
witness with circom's wasm generator and a proof with ``snarkjs groth16
prove``.  Built once per session (module-level cache) and shared by the test
modules that import it.
"""

import atexit
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from conftest import ROOT, require_peer

_CACHE = {}


def run(cmd, cwd, timeout=300):
    r = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if r.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        )
    return r.stdout


class Artifacts:
    pass


def snarkjs_artifacts(tmp_path_factory):
    snarkjs = require_peer("snarkjs")
    circom = require_peer("circom2")
    if "mulchain" in _CACHE:
        return _CACHE["mulchain"]
    # Own directory: pytest's numbered tmp dirs are pruned by concurrent runs.
    keep = os.environ.get("ZKATS_TEST_KEEP")
    d = Path(tempfile.mkdtemp(prefix="zkats-snarkjs-"))
    if not keep:
        atexit.register(shutil.rmtree, d, True)
    src = ROOT / "tests" / "circom" / "mulchain.circom"
    run([circom, src, "--r1cs", "--wasm", "-o", d], d)
    run([snarkjs, "powersoftau", "new", "bn128", "8", "pot0.ptau"], d)
    # a contribution is needed: the fresh ceremony has tau = alpha = beta = 1
    run(
        [snarkjs, "powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "-e=zkats ptau entropy"], d
    )
    run([snarkjs, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau"], d)
    run([snarkjs, "groth16", "setup", "mulchain.r1cs", "pot.ptau", "c0.zkey"], d)
    run([snarkjs, "zkey", "contribute", "c0.zkey", "circuit.zkey", "-e=zkats test entropy"], d)
    run([snarkjs, "zkey", "export", "verificationkey", "circuit.zkey", "vk.json"], d)
    (d / "input.json").write_text(json.dumps({"a": "3", "b": "11"}))
    run(
        [
            "node",
            d / "mulchain_js" / "generate_witness.js",
            d / "mulchain_js" / "mulchain.wasm",
            d / "input.json",
            d / "witness.wtns",
        ],
        d,
    )
    run(
        [snarkjs, "groth16", "prove", "circuit.zkey", "witness.wtns", "proof.json", "public.json"],
        d,
    )
    a = Artifacts()
    a.dir = d
    a.snarkjs = snarkjs
    a.circom = circom
    a.r1cs = d / "mulchain.r1cs"
    a.ptau = d / "pot.ptau"
    a.zkey = d / "circuit.zkey"
    a.vk = d / "vk.json"
    a.wtns = d / "witness.wtns"
    a.wasm_dir = d / "mulchain_js"
    a.proof = d / "proof.json"
    a.public = d / "public.json"
    _CACHE["mulchain"] = a
    return a


def witness_for(art, inputs, name):
    """Compute a witness file for ``inputs`` with the circuit's wasm."""
    inp = art.dir / f"{name}.json"
    inp.write_text(json.dumps({k: str(v) for k, v in inputs.items()}))
    out = art.dir / f"{name}.wtns"
    run(
        ["node", art.wasm_dir / "generate_witness.js", art.wasm_dir / "mulchain.wasm", inp, out],
        art.dir,
    )
    return out
