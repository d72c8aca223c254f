"""Shared pytest configuration.

The interop tests run the real peers from npm (snarkjs, circom2,
circomlibjs, solc).  On a developer machine without them those tests skip
with a message; under CI (``CI`` set) a missing peer is a failure, never a
silent skip.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"


def _in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def require_peer(name):
    """Return the path of an npm peer's executable, or skip/fail if absent."""
    exe = NODE_BIN / name
    if exe.exists() and shutil.which("node"):
        return str(exe)
    msg = f"npm peer {name!r} not installed (run `make peers`)"
    if _in_ci():
        pytest.fail(msg)
    pytest.skip(msg)


def run_node(script, *args, timeout=600):
    """Run a node script from the repository root; return its stdout."""
    require_peer("snarkjs")
    r = subprocess.run(
        ["node", str(script), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if r.returncode != 0:
        raise RuntimeError(f"node {script} failed: {r.stderr.strip()[-2000:]}")
    return r.stdout


@pytest.fixture(scope="session")
def root():
    return ROOT


def require_program(path_or_name, how):
    """Return the path of a system program (chromium, chromedriver, initdb...),
    or skip/fail if absent (``how``: the install hint)."""
    p = shutil.which(path_or_name) or (path_or_name if os.path.exists(path_or_name) else None)
    if p:
        return p
    msg = f"{path_or_name} not installed ({how})"
    if _in_ci():
        pytest.fail(msg)
    pytest.skip(msg)
