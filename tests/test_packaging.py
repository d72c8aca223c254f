"""Packaging: ``python -m zkats``, a quiet exit on a closed pipe, the
LICENSE file the metadata names."""

import os
import subprocess
import sys
import tomllib

from conftest import ROOT


def test_python_dash_m_zkats():
    r = subprocess.run(
        [sys.executable, "-m", "zkats", "--version"], capture_output=True, text=True, cwd="/"
    )
    assert r.returncode == 0 and r.stdout.startswith("zkats, version")


def test_closed_pipe_is_quiet(tmp_path):
    """`zkats circuit list | head -1`: the reader is gone before zkats writes."""
    for cmd in (["circuit", "list"], ["--help"], ["r1cs", "--help"]):
        rd, wr = os.pipe()
        os.close(rd)
        try:
            r = subprocess.run(
                [sys.executable, "-m", "zkats", *cmd],
                stdout=wr,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
            )
        finally:
            os.close(wr)
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""


def test_license_file_is_apache_2():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "Apache-2.0" and meta["license-files"] == ["LICENSE"]
