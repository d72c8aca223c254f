"""Development Groth16 keys, made once and cached: shared by the venue
(``zkats venue init``, ``zkats demo``) and the on-chain escrow
(:class:`zkats.chain.devkeys.DevKeys`).

A one-party powers of tau of 2^power (:func:`zkats.groth16.ceremony.dev_prepared_ptau`:
the toxic waste exists only inside that call) and, per circuit, a phase-2
key (``new_zkey`` + one :func:`zkats.groth16.phase2.contribute`).  ONE
party (this machine) made them: fine for development and tests, but a
production venue needs a multi-party ceremony (:data:`CEREMONY_WARNING`).

Cache layout (one directory, see :func:`cache_dir`)::

    pot{power}_dev.ptau            the prepared powers of tau
    NAME-HASH.zkey                 the circuit's key (HASH: compiled circuit hash)
    NAME-HASH.vkey.json            its snarkjs verification key

Every file is written to a per-process temporary name and moved in place
with ``os.replace``; the slow steps run under an advisory ``flock`` on
``.lock`` so concurrent processes make each file once and never see a
partial one.
"""
import contextlib
import os
import time
from pathlib import Path

POWER = 14
CEREMONY_WARNING = ("development keys: ONE party (this machine) made the powers of tau and "
                    "the phase-2 contributions; a production venue needs a multi-party "
                    "ceremony")
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
    try:
        import fcntl
    except ImportError:          # pragma: no cover - non-POSIX
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
    import shutil
    atomic_write(dst, lambda tmp: shutil.copyfile(src, tmp))


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
        from . import ceremony
        if self._pt is not None:
            return self._pt
        if self.ptau_path is not None:
            _say(self.progress, f"powers of tau: {self.ptau_path}")
            self._pt = ceremony.read(self.ptau_path)
            return self._pt
        path = self.dir / f"pot{self.power}_dev.ptau"
        if not path.exists():
            with _locked(self.dir):
                if not path.exists():
                    _say(self.progress, f"powers of tau 2^{self.power}: one-party development ceremony")
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
        from ..formats.snarkjs_json import write_verification_key
        from ..formats.zkey import read_zkey, write_zkey
        from . import phase2
        from .generator import new_zkey
        zpath, vpath = self.paths(name, cc)
        t0 = time.perf_counter()
        if zpath.exists() and vpath.exists():
            _say(self.progress, f"key {name}: cached")
            return zpath, vpath, 0.0
        pt = None if zpath.exists() else self.ptau()      # outside the lock: it may take it
        with _locked(self.dir):
            if not zpath.exists():
                _say(self.progress, f"setup {name} ({cc.n_constraints} constraints) + one contribution")
                zk = new_zkey(cc.r1cs, pt)
                zk, _ = phase2.contribute(zk, name=_NAME)
                atomic_write(zpath, lambda tmp: write_zkey(tmp, zk))
            else:
                zk = read_zkey(zpath)
            if not vpath.exists():
                atomic_write(vpath, lambda tmp: write_verification_key(tmp, zk.verifying_key()))
        return zpath, vpath, round(time.perf_counter() - t0, 2)


__all__ = ["DevSetup", "cache_dir", "atomic_write", "atomic_copy", "POWER", "CEREMONY_WARNING"]
