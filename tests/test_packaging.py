"""Packaging: ``python -m zkats``, a quiet exit on a closed pipe, the
LICENSE file the metadata names."""

import os
import subprocess
import sys
from pathlib import Path

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


def _run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    """`pip wheel .` builds a portable wheel (no -march=native: it may be
    copied to any x86-64); installed into a fresh venv (its dependencies
    borrowed from this one through a .pth line), zkats runs from an empty
    directory: the CLI, a prove/verify round trip and `zkats demo`."""
    import shutil

    src = tmp_path / "src"  # a clean copy: no objects left in build/ by `make`
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "node_modules", "build", "*.egg-info", "_native*.so", "__pycache__"
        ),
    )
    dist = tmp_path / "dist"
    r = _run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-v", "-w", dist],
        cwd=src,
        timeout=1200,
    )
    compile_lines = [ln for ln in (r.stdout + r.stderr).splitlines() if " -O3 " in ln]
    assert compile_lines and not any("-march=native" in ln for ln in compile_lines)
    (whl,) = dist.glob("zkats-*.whl")

    fresh = tmp_path / "fresh"
    _run([sys.executable, "-m", "venv", "--without-pip", fresh])
    py = fresh / "bin" / "python"
    site = _run([py, "-c", "import site; print(site.getsitepackages()[0])"]).stdout.strip()
    ours = _run([sys.executable, "-c", "import site; print(site.getsitepackages()[0])"]).stdout
    (Path(site) / "zkats-test-deps.pth").write_text(ours.strip() + "\n")
    _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, whl])

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([py, "-c", "import zkats, zkats._native; print(zkats.__file__)"], cwd=work)
    assert where.stdout.strip().startswith(site)
    assert "divmod" in _run([py, "-m", "zkats", "circuit", "list"], cwd=work).stdout
    assert (Path(site) / "zkats" / "circuits" / "examples").is_dir()
    demo = _run([py, "-m", "zkats", "demo", "--dir", work / "venue"], cwd=work, timeout=1200)
    assert "demo finished" in demo.stdout
