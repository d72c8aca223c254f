"""What the whole-process benchmarks share: where the peers live, the
circom circuit they time, and one timed child process.

``bench/groth16.py`` and ``bench/ceremony.py`` import this module (run as
scripts, their own directory is on ``sys.path``).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"
SNARKJS = str(NODE_BIN / "snarkjs")
CIRCOM = str(NODE_BIN / "circom2")
ZKATS = str(Path(sys.executable).parent / "zkats")

#: a chain of n multiplications (fill in with ``CHAIN_CIRCUIT % n``); full-size witness values
CHAIN_CIRCUIT = """pragma circom 2.0.0;
template Chain(N) {
    signal input a;
    signal input b;
    signal output c;
    signal t[N];
    t[0] <== a * b;
    for (var i = 1; i < N; i++) { t[i] <== t[i - 1] * a + b; }
    c <== t[N - 1];
}
component main {public [a]} = Chain(%d);
"""


#: GNU time: the peak RSS of the command itself (see :func:`timed`)
GNU_TIME = "/usr/bin/time"


def timed(cmd, cwd):
    """Run ``cmd`` in ``cwd``; (wall seconds, peak RSS MiB, CPU seconds
    user+sys) of that one child process.  The peak comes from GNU time
    (``/usr/bin/time``) where it is installed: Linux charges a child's
    ``ru_maxrss`` with the size of the process it was forked from until its
    exec, so wait4() straight from this (large) Python process would report
    the benchmark's own size for any smaller command.  Without GNU time that
    is what is reported (a note says so, once).  A failing command stops the
    benchmark with the tails of its output."""
    import tempfile

    use_time = os.access(GNU_TIME, os.X_OK)
    if not use_time and not getattr(timed, "warned", False):
        print(f"# {GNU_TIME} absent: peak RSS figures include the benchmark's own", file=sys.stderr)
        timed.warned = True
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        argv = [str(c) for c in cmd]
        if use_time:
            argv = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv]
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        out, err = p.communicate()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(
                f"{' '.join(map(str, cmd))} failed ({code}):\n"
                f"{out.decode()[-2000:]}\n{err.decode()[-2000:]}"
            )
        peak_kib = float(rss.read().split()[-1]) if use_time else float(ru.ru_maxrss)
    return wall, peak_kib / 1024.0, ru.ru_utime + ru.ru_stime


# ---- circomlib circuits the prover benchmark adds beside the chain ----------
CIRCOMLIB = ROOT / "node_modules" / "circomlib" / "circuits"

#: name -> circom source; all compiled with ``-l CIRCOMLIB``
CIRCOMLIB_CIRCUITS = {
    # EdDSA-Poseidon signature check (about 2^12.3 constraints: a 2^13 domain)
    "eddsa": 'pragma circom 2.0.0;\ninclude "eddsaposeidon.circom";\n'
    "component main = EdDSAPoseidonVerifier();\n",
    # SHA-256 of 512 bits (a bit-heavy witness: most wires are 0 or 1)
    "sha256": 'pragma circom 2.0.0;\ninclude "sha256/sha256.circom";\n'
    "component main = Sha256(512);\n",
}


def circomlib_input(name):
    """The input.json of a circomlib benchmark circuit (a valid witness)."""
    import hashlib
    import json

    if name == "eddsa":  # a circomlibjs signature from vectors/
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
    if name == "sha256":
        data = hashlib.sha512(b"zkats bench sha256").digest()
        return {"in": [str((data[i // 8] >> (7 - i % 8)) & 1) for i in range(512)]}
    raise KeyError(name)


def rapidsnark():
    """The path of a rapidsnark prover on PATH (``rapidsnark`` or ``prover``), or None."""
    import shutil

    return shutil.which("rapidsnark") or shutil.which("prover")
