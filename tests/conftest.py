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


class PgServer:
    def __init__(self, bindir, base, port, user):
        self.bindir, self.base, self.port, self.user = bindir, base, port, user
        self.data = base / "data"
        self.log = base / "postgres.log"
        self.n = 0

    def _run(self, *args, check=True):
        cmd = [str(self.bindir / args[0]), *map(str, args[1:])]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def init(self):
        self._run(
            "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        self.start()

    def start(self):
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.base} -c max_connections=200"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "60", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def restart_immediate(self):
        """Crash-stop (no checkpoint, like a power cut for the clients) and start again."""
        self.stop("immediate")
        self.start()

    def url(self, db="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self):
        import psycopg

        self.n += 1
        name = f"zkats_test_{os.getpid()}_{self.n}"
        with psycopg.connect(self.url(), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _pg_bindir():
    import glob

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


@pytest.fixture(scope="session")
def pg_server():
    import socket
    import tempfile

    bindir = _pg_bindir()
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
    base = Path(tempfile.mkdtemp(prefix="zkats-pg-"))
    os.chmod(base, 0o755)
    if user:
        shutil.chown(base, user, user)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = PgServer(bindir, base, port, user)
    srv.init()
    try:
        yield srv
    finally:
        srv.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database on the test server."""
    return pg_server.new_database()
