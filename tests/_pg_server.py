"""A throw-away PostgreSQL server (Debian's postgresql package): initdb into
a temporary directory, listening on 127.0.0.1 only, run as the ``postgres``
user when the caller is root (postgres refuses to run as root).  Used by the
tests' ``pg_server`` fixture (tests/conftest.py) and by bench/settlement.py."""

import os
import shutil
import subprocess
from pathlib import Path


class PgServer:
    def __init__(self, bindir, base, port, user):
        self.bindir, self.base, self.port, self.user = bindir, base, port, user
        self.data = base / "data"
        self.log = base / "postgres.log"
        self.n = 0

    @classmethod
    def started(cls, bindir, user, prefix):
        """A new server in a fresh temporary directory (owned by ``user``
        when given), on a free 127.0.0.1 port, initialised and running."""
        import socket
        import tempfile

        base = Path(tempfile.mkdtemp(prefix=prefix))
        os.chmod(base, 0o755)
        if user:
            shutil.chown(base, user, user)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = cls(bindir, base, port, user)
        srv.init()
        return srv

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


def pg_bindir():
    import glob

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None
