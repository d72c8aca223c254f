"""docs/circuits.md section 10 run as written: its python file and every
shell block, in an empty directory, with zkats, python and the npm peers
(snarkjs) on PATH.  A command that fails fails the test with its output."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NODE_BIN, ROOT, require_peer

pytestmark = pytest.mark.peers


def _section():
    text = (ROOT / "docs" / "circuits.md").read_text()
    start = text.index("## 10. Walkthrough")
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else len(text)]


def test_walkthrough_runs(tmp_path):
    require_peer("snarkjs")
    require_peer("solcjs")
    sec = _section()
    py = re.search(r"\(`notional.py`\):\n\n```python\n(.*?)```", sec, re.S).group(1)
    (tmp_path / "notional.py").write_text(py)
    blocks = re.findall(r"```sh\n(.*?)```", sec, re.S)
    assert len(blocks) >= 5
    env = dict(
        os.environ,
        PATH=os.pathsep.join([str(Path(sys.executable).parent), str(NODE_BIN)])
        + os.pathsep
        + os.environ.get("PATH", ""),
    )
    for block in blocks:
        r = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert r.returncode == 0, f"{block}\n---\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    assert (tmp_path / "proof.json").exists()
    assert "on-chain verifyProof: True" in r.stdout
