"""Development Groth16 keys, made once and cached: shared by the venue
(``zkats venue init``, ``zkats demo``) and the on-chain escrow
(:class:`zkats.chain.devkeys.DevKeys`).

A one-party powers of tau of 2^power and, per circuit, a phase-2 key
(the initial key + one :func:`zkats.groth16.phase2.contribute`).  ONE
party (this machine) made them: fine for development and tests, but a
production venue needs a multi-party ceremony (:data:`CEREMONY_WARNING`).

Two ways to make the initial keys:

* known tau (:meth:`DevSetup.keys` when the ptau is not cached yet): one
  :class:`zkats.groth16.dev_ceremony.DevCeremony` session makes the ptau
  AND every missing key from the secret scalars (Fr sums, then one
  fixed-base multiplication per point: ~0.2 s for an 11k-constraint
  circuit instead of ~30 s).  The secrets live only for that session
  (under the cache lock), are never written or logged, and are dropped when
  it ends: circuits added later cannot use them;
* the generic setup (``new_zkey`` on the cached ptau, as ``zkats groth16
  setup`` does): when the ptau is cached or given (``ptau=``) but a key is
  missing, e.g. after a circuit changed.

Both give the same bytes for the same ptau (tests/test_devsetup.py).

Cache layout (one directory, see :func:`cache_dir`)::

    pot{power}_dev.ptau            the prepared powers of tau
    NAME-HASH.zkey                 the circuit's key (HASH: compiled circuit hash)
    NAME-HASH.vkey.json            its snarkjs verification key

The cache prunes itself (:func:`prune`, after every key it makes): a key
is touched whenever it is used, and of each circuit's keys the newest
:data:`KEEP_PER_CIRCUIT` stay; older ones go once unused for
:data:`UNUSED_SECONDS` (a production key set is ~580 MB, and every change
to a circuit makes new keys under new hashes).

Every file is written to a per-process temporary name and moved in place
with ``os.replace``; the slow steps run under an advisory ``flock`` on
``.lock`` so concurrent processes make each file once and never see a
partial one.  A known-tau session writes the ptau after its keys: if it is
interrupted, the next run starts a new session instead of falling back to
the generic setup (a key never needs the ptau it came from).
"""

import contextlib
import os
import shutil
import time
from pathlib import Path

POWER = 15
KEEP_PER_CIRCUIT = 2
UNUSED_SECONDS = 24 * 3600
CEREMONY_WARNING = (
    "development keys: ONE party (this machine) made the powers of tau and "
    "the phase-2 contributions; a production venue needs a multi-party "
    "ceremony"
)
_NAME = "zkats development (single party)"


def _say(progress, msg):
    if progress:
        progress(msg)


def cache_dir():
    """``$ZKATS_KEY_CACHE``, else ``$ZKATS_EVM_CACHE/devkeys``, else
    ``$XDG_CACHE_HOME/zkats/devkeys`` (default ``~/.cache/zkats/devkeys``)."""
    d = os.environ.get("ZKATS_KEY_CACHE")
    if d:
        return Path(d)
    d = os.environ.get("ZKATS_EVM_CACHE")
    if d:
        return Path(d) / "devkeys"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zkats" / "devkeys"


@contextlib.contextmanager
def _locked(directory):
    """Exclusive advisory lock on ``directory/.lock`` (no-op without fcntl)."""
    # local import: fcntl is POSIX-only (the lock is a no-op without it)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    with open(Path(directory) / ".lock", "a+") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _tmp(path):
    return Path(f"{path}.{os.getpid()}.tmp")


def atomic_write(path, write):
    """``write(tmp_path)`` then ``os.replace(tmp_path, path)``."""
    tmp = _tmp(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_copy(src, dst):

    atomic_write(dst, lambda tmp: shutil.copyfile(src, tmp))


def _touch(*paths):
    now = time.time()
    for p in paths:
        with contextlib.suppress(OSError):
            os.utime(p, (now, now))


def prune(directory, keep=KEEP_PER_CIRCUIT, unused=UNUSED_SECONDS, now=None):
    """Remove the keys (``NAME-HASH.zkey`` and its ``.vkey.json``) of
    ``directory`` that are neither among the ``keep`` most recently used of
    their circuit NAME nor used in the last ``unused`` seconds; stale
    temporary files (older than ``unused``) too.  Returns the removed
    paths.  Call it under the cache lock."""
    now = time.time() if now is None else now
    groups: dict[str, list] = {}
    for z in Path(directory).glob("*.zkey"):
        name, sep, _ = z.stem.rpartition("-")
        if sep:
            with contextlib.suppress(OSError):
                groups.setdefault(name, []).append((z.stat().st_mtime, z))
    removed = []
    for entries in groups.values():
        entries.sort(reverse=True)
        for mtime, z in entries[keep:]:
            if now - mtime > unused:
                v = z.with_name(z.stem + ".vkey.json")
                for p in (z, v):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()
                        removed.append(p)
    for t in Path(directory).glob("*.tmp"):
        with contextlib.suppress(OSError):
            if now - t.stat().st_mtime > unused:
                t.unlink()
                removed.append(t)
    return removed


class DevSetup:
    """Make-or-load development keys in ``directory`` (default
    :func:`cache_dir`).  ``ptau``: a prepared powers-of-tau file (power >=
    the circuits' need) to use instead of making one."""

    def __init__(self, directory=None, power=POWER, ptau=None, progress=None):
        self.dir = Path(directory) if directory is not None else cache_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.power = power
        self.ptau_path = Path(ptau) if ptau is not None else None
        self.progress = progress
        self._pt = None

    def ptau(self):
        """The prepared PTau (read, or made once with the fast one-party path)."""
        # local import: the key cache is checked before the ceremony modules (numpy, bn254) load
        from . import ceremony

        if self._pt is not None:
            return self._pt
        if self.ptau_path is not None:
            _say(self.progress, f"powers of tau: {self.ptau_path}")
            self._pt = ceremony.read(self.ptau_path)
            return self._pt
        path = self._ptau_file()
        if not path.exists():
            with _locked(self.dir):
                if not path.exists():
                    _say(
                        self.progress,
                        f"powers of tau 2^{self.power}: one-party development ceremony",
                    )
                    pt, _ = ceremony.dev_prepared_ptau(self.power, name=_NAME)
                    atomic_write(path, lambda tmp: ceremony.write(tmp, pt))
                    self._pt = pt
                    return pt
        _say(self.progress, f"powers of tau: cached {path}")
        self._pt = ceremony.read(path, check="lazy")
        return self._pt

    def paths(self, name, cc):
        stem = f"{name}-{cc.hash[:24]}"
        return self.dir / f"{stem}.zkey", self.dir / f"{stem}.vkey.json"

    def key(self, name, cc):
        """(zkey path, vkey path, seconds spent making them, 0.0 when cached)
        for the compiled circuit ``cc`` (:func:`zkats.circuit.compile_circuit`)."""
        return self.keys([(name, cc)])[name]

    def _ptau_file(self):
        return self.dir / f"pot{self.power}_dev.ptau"

    def keys(self, circuits):
        """{name: (zkey path, vkey path, seconds spent)} for ``circuits``, a
        list of (name, compiled circuit).  Missing keys are made in one
        known-tau session together with the ptau when no ptau is cached
        (nor given), else with the generic setup on the cached ptau."""
        circuits = list(circuits)
        out = {}
        todo = []
        for name, cc in circuits:
            zpath, vpath = self.paths(name, cc)
            if zpath.exists() and vpath.exists():
                _say(self.progress, f"key {name}: cached")
                _touch(zpath, vpath)
                out[name] = (zpath, vpath, 0.0)
            else:
                todo.append((name, cc))
        if todo and self.ptau_path is None and self._pt is None and not self._ptau_file().exists():
            with _locked(self.dir):
                if not self._ptau_file().exists():
                    out.update(self._known_tau_session(todo))
        for name, cc in todo:
            if name not in out:
                out[name] = self._generic_key(name, cc)
        if todo:
            with _locked(self.dir):
                prune(self.dir)
        return {name: out[name] for name, _ in circuits}

    def _write_key(self, zk, zpath, vpath):
        # local import: the key cache is checked before the ceremony modules (numpy, bn254) load
        from ..formats.snarkjs_json import write_verification_key
        from ..formats.zkey import write_zkey

        atomic_write(zpath, lambda tmp: write_zkey(tmp, zk))
        atomic_write(vpath, lambda tmp: write_verification_key(tmp, zk.verifying_key()))

    def _known_tau_session(self, todo):
        """Under the lock, with no ptau cached: one session makes every
        missing key of ``todo`` from the known scalars, then the ptau."""
        # local import: the key cache is checked before the ceremony modules (numpy, bn254) load
        from . import ceremony, phase2
        from .dev_ceremony import DevCeremony

        out = {}
        path = self._ptau_file()
        t0 = time.perf_counter()
        _say(
            self.progress,
            f"powers of tau 2^{self.power}: one-party development ceremony "
            "(known-tau session for the keys)",
        )
        with DevCeremony(self.power, name=_NAME) as session:
            _say(self.progress, f"powers of tau: {time.perf_counter() - t0:.1f} s")
            for name, cc in todo:
                zpath, vpath = self.paths(name, cc)
                if zpath.exists():
                    continue  # only the vkey is missing: _generic_key reads the key
                t1 = time.perf_counter()
                _say(
                    self.progress,
                    f"setup {name} ({cc.n_constraints} constraints, known tau) + one contribution",
                )
                zk = session.zkey(cc.r1cs)
                zk, _ = phase2.contribute(zk, name=_NAME)
                self._write_key(zk, zpath, vpath)
                out[name] = (zpath, vpath, round(time.perf_counter() - t1, 2))
        pt = session.ptau
        atomic_write(path, lambda tmp: ceremony.write(tmp, pt))
        self._pt = pt
        return out

    def _generic_key(self, name, cc):
        """One key with ``new_zkey`` on the cached (or given) ptau."""
        # local import: the key cache is checked before the ceremony modules (numpy, bn254) load
        from ..formats.snarkjs_json import write_verification_key
        from ..formats.zkey import read_zkey
        from . import phase2
        from .generator import new_zkey

        zpath, vpath = self.paths(name, cc)
        t0 = time.perf_counter()
        if zpath.exists() and vpath.exists():
            _say(self.progress, f"key {name}: cached")
            return zpath, vpath, 0.0
        pt = None if zpath.exists() else self.ptau()  # outside the lock: it may take it
        with _locked(self.dir):
            if not zpath.exists():
                _say(
                    self.progress,
                    f"setup {name} ({cc.n_constraints} constraints) + one contribution",
                )
                zk = new_zkey(cc.r1cs, pt)
                zk, _ = phase2.contribute(zk, name=_NAME)
                self._write_key(zk, zpath, vpath)
            elif not vpath.exists():
                zk = read_zkey(zpath)
                atomic_write(vpath, lambda tmp: write_verification_key(tmp, zk.verifying_key()))
        return zpath, vpath, round(time.perf_counter() - t0, 2)


__all__ = [
    "DevSetup",
    "prune",
    "cache_dir",
    "atomic_write",
    "atomic_copy",
    "POWER",
    "CEREMONY_WARNING",
]
