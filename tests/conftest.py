"""Shared pytest configuration.

The interop tests run the real peers from npm (snarkjs, circom2,
circomlibjs, solc).  On a developer machine without them those tests skip
with a message; under CI (``CI`` set) a missing peer is a failure, never a
silent skip.

The suite runs at the small ``ci`` venue size (zkats' default is
``production``): ``ZKATS_VENUE_SIZE=ci`` is set here, before any test module
imports zkats, so every subprocess a test starts (the CLI, servers, workers)
inherits it, whatever the shell exported.  The tests of the production size
set it themselves in their subprocesses (tests/test_production_size.py).
To run a size-independent flow at production size by hand (e.g. the server
end to end): ``ZKATS_TEST_VENUE_SIZE=production pytest tests/test_server_e2e.py``
(many other tests assert the ci size's numbers).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TEST_SIZE = os.environ.get("ZKATS_TEST_VENUE_SIZE") or "ci"
os.environ["ZKATS_VENUE_SIZE"] = TEST_SIZE
if getattr(sys.modules.get("zkats.size"), "SIZE", TEST_SIZE) != TEST_SIZE:  # imported before us
    raise pytest.UsageError("zkats was imported at another venue size before tests/conftest.py")

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


_SERVER_FIGURES = {}


@pytest.fixture
def server_figures():
    """Figures a server test reports (printed in the terminal summary)."""
    return _SERVER_FIGURES


def pytest_terminal_summary(terminalreporter):
    if _SERVER_FIGURES:
        terminalreporter.section("server figures")
        for name, figs in _SERVER_FIGURES.items():
            terminalreporter.write_line(
                f"{name}: " + ", ".join(f"{k}={v}" for k, v in figs.items())
            )


# --------------------------------------------------------------------------
# a real PostgreSQL server for the server tests (Debian's postgresql package,
# installed by `make test`): initdb into a temporary directory, listening on
# 127.0.0.1 only, run as the `postgres` user when the tests run as root
# (postgres refuses to run as root).  Missing binaries fail under CI=true.
# --------------------------------------------------------------------------


from _pg_server import PgServer, pg_bindir  # noqa: E402  (shared with bench/)


@pytest.fixture(scope="session")
def pg_server():
    bindir = pg_bindir()
    if bindir is None:
        require_program("initdb", "make test installs Debian's postgresql")
    user = None
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            require_program("/nonexistent/postgres-user", "the postgres user is missing")
        user = "postgres"
    srv = PgServer.started(bindir, user, "zkats-pg-")
    try:
        yield srv
    finally:
        srv.stop("immediate")
        shutil.rmtree(srv.base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database on the test server."""
    return pg_server.new_database()
