"""Packaging: ``python -m zkats``, a quiet exit on a closed pipe, the
LICENSE file the metadata names, and zkats installed outside the checkout.

Default suite: ``python -m build --sdist`` of a clean copy holds every file
a build reads; the wheel built from that sdist (a portable extension, no
-march=native) installed into a fresh venv runs, from an empty directory
with no node or solc on PATH, the CLI and a venue deposit proof taken by
the escrow (``zkats chain``: the shipped contract artifacts).
Slow: the same plus ``zkats demo``, for the wheel and for the sdist
installed directly, with cold key caches (the demo itself runs in the
default suite from the checkout:
``test_cli_venue.py::test_demo_end_to_end_and_no_secret_leaks``)."""

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
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


def _clean_copy(tmp_path):
    """The checkout without what `make` leaves behind (objects in build/,
    the in-place extension, the venv, node_modules)."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "node_modules", "build", "dist", "*.egg-info", "_native*.so",
            "_native.c", "__pycache__", "_work", ".hypothesis", ".pytest_cache",
        ),
    )  # fmt: skip
    return src


def _sdist(src, dist):
    """`python -m build --sdist` (isolated: setuptools from the index, as
    for any user)."""
    _run([sys.executable, "-m", "build", "--sdist", "-o", dist, src], cwd=src, timeout=900)
    (sd,) = Path(dist).glob("zkats-*.tar.gz")
    return sd


def _build_inputs():
    """Files a build from the sdist reads, and those installed as package data."""
    patterns = (
        "native/*.c", "native/bin/*.c", "native/*.h", "native/*.cdef", "native/build_native.py",
        "zkats/**/*.py", "circuits/**/*.py", "circuits/examples/*.json",
        "zkats/server/static/*", "zkats/chain/artifacts.json", "contracts/*.sol",
        "LICENSE", "README.md", "setup.py", "pyproject.toml",
    )  # fmt: skip
    out = set()
    for pat in patterns:
        out |= {str(p.relative_to(ROOT)) for p in ROOT.glob(pat) if "__pycache__" not in p.parts}
    return out


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sdist")
    return _sdist(_clean_copy(tmp), tmp / "dist")


def test_sdist_holds_everything_a_build_needs(sdist):
    with tarfile.open(sdist) as t:
        names = {n.partition("/")[2] for n in t.getnames()}
    missing = sorted(_build_inputs() - names)
    assert not missing, f"not in the sdist: {missing}"
    assert not [n for n in names if n.endswith((".so", ".o", ".pyc"))]
    # the native prover executable is built from native/bin/zkats_prove.c, never shipped
    assert "zkats/zkats-prove" not in names


def _escrow_vkeys(directory):
    """The escrow circuits' development verification keys (shared cache)."""
    from zkats.chain.devkeys import ESCROW_CIRCUITS, DevKeys
    from zkats.formats.snarkjs_json import write_verification_key

    keys = DevKeys()
    directory.mkdir()
    for n in ESCROW_CIRCUITS:
        write_verification_key(directory / f"{n}.vkey.json", keys.zkey[n].verifying_key())
    return directory


def _no_node_env(tmp_path, py):
    """PATH with only the interpreter's directory (no node, no solc), an
    empty compiler cache."""
    env = dict(os.environ, PATH=str(Path(py).parent), ZKATS_EVM_CACHE=str(tmp_path / "evm"))
    env.pop("PYTHONPATH", None)
    return env


def _chain_flow(py, work, env):
    """A venue, a wallet, a deposit proof; the escrow deployed with the
    venue's keys takes the deposit, and its root is the venue's after the
    same deposit is settled off chain."""
    zk = [py, "-m", "zkats"]
    v, c = work / "venue", work / "chain"
    _run([*zk, "venue", "init", v, "-q"], cwd=work, env=env, timeout=1200)
    _run([*zk, "keys", "new", work / "alice.wallet", "-q"], cwd=work, env=env)
    dep = work / "deposit.json"
    _run(
        [*zk, "deposit", "1000000", "-w", work / "alice.wallet", "-V", v, "-o", dep, "-q"],
        cwd=work, env=env, timeout=600,
    )  # fmt: skip
    _run([*zk, "chain", "deploy", c, "--keys", v / "keys"], cwd=work, env=env, timeout=600)
    _run([*zk, "chain", "deposit", c, dep, "--from", 1], cwd=work, env=env, timeout=600)
    # the deposit waits in the escrow's queue; the operator's next batch appends it
    empty = work / "empty.batch.json"
    empty.write_text('{"items": [], "version": 1}')
    out = _run([*zk, "chain", "settle", c, empty], cwd=work, env=env, timeout=600).stdout
    assert "1 queued deposits" in out
    chain_root = re.search(r"root (\d+)", out).group(1)
    out = _run([*zk, "settle", dep, "-V", v, "-q"], cwd=work, env=env, timeout=600).stdout
    assert f"new root {chain_root}" in out
    out = _run([*zk, "chain", "status", c], cwd=work, env=env, timeout=600).stdout
    assert "balance 1000000" in out and "leaves 1" in out


def _fresh_venv(tmp_path, name):
    """A venv without pip whose dependencies are this one's (a .pth line):
    zkats itself comes only from what is installed into it."""
    fresh = tmp_path / name
    _run([sys.executable, "-m", "venv", "--without-pip", fresh])
    py = fresh / "bin" / "python"
    site = _run([py, "-c", "import site; print(site.getsitepackages()[0])"]).stdout.strip()
    ours = _run([sys.executable, "-c", "import site; print(site.getsitepackages()[0])"]).stdout
    (Path(site) / "zkats-test-deps.pth").write_text(ours.strip() + "\n")
    return py, Path(site)


def _install(tmp_path, name, artifact):
    """A fresh venv with ``artifact`` (sdist or wheel) installed by pip;
    returns (python, site-packages, pip's output)."""
    py, site = _fresh_venv(tmp_path, name)
    r = _run(
        [sys.executable, "-m", "pip", "install", "-v", "--no-deps", "--target", site, artifact],
        cwd=tmp_path, timeout=1800,
    )  # fmt: skip
    return py, site, r.stdout + r.stderr


def _portable(build_log):
    compile_lines = [ln for ln in build_log.splitlines() if " -O3 " in ln]
    return bool(compile_lines) and not any("-march=native" in ln for ln in compile_lines)


def _portable_wheel(sdist, tmp_path):
    """`pip wheel` of the sdist (the build `pip install` of it runs): the
    wheel's path, checked to be built without -march=native."""
    wheels = tmp_path / "wheels"
    r = _run(
        [sys.executable, "-m", "pip", "wheel", sdist, "--no-deps", "-v", "-w", wheels],
        cwd=tmp_path, timeout=1800,
    )  # fmt: skip
    assert _portable(r.stdout + r.stderr)
    (whl,) = wheels.glob("zkats-*.whl")
    return whl


def _installed_runs(py, site, work):
    where = _run([py, "-c", "import zkats, zkats._native; print(zkats.__file__)"], cwd=work)
    assert where.stdout.strip().startswith(str(site))
    assert "divmod" in _run([py, "-m", "zkats", "circuit", "list"], cwd=work).stdout
    assert (site / "zkats" / "circuits" / "examples").is_dir()
    assert (site / "zkats" / "chain" / "artifacts.json").is_file()
    _native_prover_runs(py, site, work)


def _native_prover_runs(py, site, work):
    """The native prover executable is installed beside the extension and
    `zkats groth16 prove` runs it (ZKATS_NATIVE_PROVE=1 requires it)."""
    from circuit_helpers import contributed_key
    from zkats.formats.snarkjs_json import read_proof, read_public
    from zkats.formats.wtns import write_wtns
    from zkats.formats.zkey import write_zkey
    from zkats.groth16.verifier import verify

    exe = site / "zkats" / "zkats-prove"
    assert exe.is_file() and os.access(exe, os.X_OK)
    cc, zk = contributed_key("multiplier", contributor="wheel")
    write_zkey(work / "m.zkey", zk)
    write_wtns(work / "m.wtns", cc.solve({"a": 3, "b": 11}).values)
    env = dict(os.environ, ZKATS_NATIVE_PROVE="1")
    args = ["groth16", "prove", "m.zkey", "m.wtns", "p.json", "q.json", "--quiet"]
    _run([py, "-m", "zkats", *args], cwd=work, env=env)
    assert verify(zk.verifying_key(), read_public(work / "q.json"), read_proof(work / "p.json"))


def test_wheel_from_the_sdist_proves_and_runs_chain_outside_the_checkout(sdist, tmp_path):
    """The sdist builds a portable wheel (`pip wheel zkats-*.tar.gz`: the
    same build `pip install` of the sdist runs), installed into a fresh
    venv; from an empty directory with no node and no solc on PATH: the
    CLI, and a venue's deposit proof (the installed circuits and keys)
    taken by the escrow (`zkats chain deposit`, from the shipped artifacts
    only), whose root is then the venue's.  (The slow test also runs
    `zkats demo` from the wheel, and installs the sdist directly.)"""
    whl = _portable_wheel(sdist, tmp_path)
    py, site, _ = _install(tmp_path, "fresh", whl)
    work = tmp_path / "elsewhere"
    work.mkdir()
    _installed_runs(py, site, work)
    from zkats.groth16.devsetup import cache_dir

    # the development keys the suite already made (a cold cache makes them)
    env = dict(_no_node_env(work, py), ZKATS_KEY_CACHE=str(cache_dir()))
    _chain_flow(py, work, env)


@pytest.mark.slow
def test_sdist_and_wheel_install_and_run_outside_the_checkout(sdist, tmp_path):
    """`pip wheel` of the sdist (a portable wheel) and `pip install` of the
    sdist itself, each into a fresh venv; from an empty directory with no
    node on PATH: the CLI, `zkats demo`, and a venue's deposit proof taken
    by the escrow (`zkats chain deposit`), whose root is then the venue's."""
    whl = _portable_wheel(sdist, tmp_path)
    for name, artifact in (("from-wheel", whl), ("from-sdist", sdist)):
        py, site, _ = _install(tmp_path, name, artifact)
        work = tmp_path / f"{name}-work"
        work.mkdir()
        _installed_runs(py, site, work)
        env = _no_node_env(work, py)
        demo = _run(
            [py, "-m", "zkats", "demo", "--dir", work / "demo", "-q"],
            cwd=work, env=env, timeout=1800,
        )  # fmt: skip
        assert "demo finished" in demo.stdout
        _chain_flow(py, work, env)
