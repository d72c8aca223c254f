"""Disk cache of compiled circuits.

Key: SHA-256 of the circuit class (module and qualified name), its
parameters (the instance's public attributes, by ``repr``), the venue's size
(:mod:`zkats.size`) and the source of everything that can change the
constraints: every ``.py`` file of the zkats package and of the ``circuits``
package, and the files next to the class's module (see
:func:`_source_files`).  Entries live in ``$ZKATS_CACHE`` (default
``~/.cache/zkats``); ``ZKATS_CACHE=off`` disables the cache.

An entry is named ``circuit-CLASS-SIZE-ID-SOURCES.npz``: ``ID`` hashes the
circuit's identity (class, parameters, size and the directory zkats runs
from), ``SOURCES`` the source files.  Editing any source makes a new entry
for every circuit (a production-size entry is ~77 MB), so the cache prunes
itself: after each store it keeps the newest entry of each identity and
deletes the others (:func:`prune`); entries of the older naming
(``circuit-HEX.npz``) and abandoned temporary files are deleted once they
are a day old.  Two checkouts (two directories) keep one entry each.

Safety: an entry is written to a temporary file and renamed into place;
on load, the stored constraint-system hash is recomputed from the arrays
and anything unreadable or inconsistent is ignored (and recompiled), so a
corrupt or truncated entry can never yield a wrong circuit.  An entry
deleted under a reader is a miss (the circuit is compiled again).
"""

import hashlib
import importlib.util
import inspect
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..field import ints_to_limbs, limbs_to_ints
from ..size import SIZE
from .compiled import CompiledCircuit
from .program import WitnessProgram

_VERSION = "zkats-compile-cache-v4"
#: entries of the older naming and temporary files are deleted at this age (seconds)
STALE_AGE = 24 * 3600


def cache_dir():
    d = os.environ.get("ZKATS_CACHE")
    if d and d.lower() in ("off", "0", "none", "false"):
        return None
    return Path(d) if d else Path.home() / ".cache" / "zkats"


def _source_files(cls):
    """Every source file that may shape the constraints: all of the zkats
    package (gadgets and the constants they use, even those imported lazily),
    the circuits package, and the ``.py`` files next to the module of each
    class in the MRO (helpers of a user's circuit file)."""
    pkg = Path(__file__).resolve().parent.parent
    files = set(pkg.rglob("*.py"))
    try:  # the circuits package's files, found without importing it (a higher layer)
        spec = importlib.util.find_spec("zkats.circuits")
        for p in (spec.submodule_search_locations or []) if spec else []:
            files.update(Path(p).rglob("*.py"))
    except Exception:
        pass
    for klass in cls.__mro__:
        mod = sys.modules.get(klass.__module__)
        f = getattr(mod, "__file__", None)
        if f and klass.__module__ not in ("builtins",):
            here = Path(f).resolve()
            files.add(here)
            if not str(here).startswith(str(pkg)):
                files.update(here.parent.glob("*.py"))
    return sorted(files)


def cache_key(circuit):
    """The cache key of a circuit instance, or None if it cannot be keyed
    (no cache dir, parameters without a stable repr): ``CLASS-SIZE-ID-SOURCES``
    (see the module's docstring)."""
    if cache_dir() is None:
        return None
    cls = type(circuit)
    params = sorted((k, v) for k, v in vars(circuit).items() if not k.startswith("_"))
    prepr = repr(params)
    if " at 0x" in prepr:
        return None
    ident = hashlib.sha256(_VERSION.encode())
    ident.update(f"{cls.__module__}:{cls.__qualname__}\0{prepr}\0".encode())
    # the venue's size (zkats.domain.units) shapes the venue circuits' constraints
    ident.update(f"size={SIZE}\0".encode())
    ident.update(str(Path(__file__).resolve().parent.parent).encode())
    h = hashlib.sha256(ident.digest())
    try:
        h.update(inspect.getsource(cls).encode())
    except (OSError, TypeError):
        pass
    for f in _source_files(cls):
        try:
            data = f.read_bytes()
        except OSError:
            continue
        h.update(str(f).encode() + b"\0" + hashlib.sha256(data).digest())
    name = re.sub(r"[^A-Za-z0-9_]", "_", cls.__qualname__)[:40]
    return f"{name}-{SIZE}-{ident.hexdigest()[:16]}-{h.hexdigest()[:40]}"


def _path(key):
    return cache_dir() / f"circuit-{key}.npz"


_ENTRY = re.compile(r"circuit-(?P<ident>.+-[0-9a-f]{16})-[0-9a-f]{40}\.npz")
_LEGACY = re.compile(r"circuit-[0-9a-f]{40}\.npz")


def prune(directory=None, now=None, keep=None):
    """Keep the newest entry (by modification time) of each circuit identity
    in ``directory`` (default :func:`cache_dir`) and delete the others, with
    the older naming's entries and temporary files older than
    :data:`STALE_AGE`; returns the deleted paths.  ``keep``: an entry just
    written, the one kept of its identity whatever the clock says.  Errors are ignored (the
    cache is optional; another process may prune at the same time)."""
    d = Path(directory) if directory is not None else cache_dir()
    if d is None:
        return []
    now = time.time() if now is None else now
    groups: dict[str, list] = {}
    stale: list[Path] = []
    try:
        for p in d.iterdir():
            try:
                mtime = p.stat().st_mtime
            except OSError:
                continue
            m = _ENTRY.fullmatch(p.name)
            if m:
                groups.setdefault(m["ident"], []).append((mtime, p.name, p))
            elif _LEGACY.fullmatch(p.name) or p.name.startswith(".tmp-"):
                if now - mtime > STALE_AGE:
                    stale.append(p)
    except OSError:
        return []
    keep = Path(keep).name if keep is not None else None
    for entries in groups.values():
        entries.sort(key=lambda e: (e[1] == keep, e[0], e[1]))
        stale.extend(p for _, _, p in entries[:-1])
    deleted = []
    for p in stale:
        try:
            p.unlink()
            deleted.append(p)
        except OSError:
            pass
    return deleted


def store(key, cc):
    """Write a compiled circuit; failures are ignored (the cache is optional)."""
    try:
        d = cache_dir()
        d.mkdir(parents=True, exist_ok=True)
        meta = {
            "version": _VERSION,
            "key": key,
            "hash": cc.hash,
            "n_wires": cc.n_wires,
            "n_constraints": cc.n_constraints,
            "first_internal": cc.first_internal,
            "scope_names": cc.scope_names,
            "wire_names": {str(k): v for k, v in cc.wire_names.items()},
        }
        prog = cc.program
        if prog is not None:
            meta["program"] = prog.meta()
        arrays = {
            "meta": np.frombuffer(json.dumps(meta).encode(), np.uint8),
            "coeffs": cc.coeff_limbs(),
            "constraint_scope": cc.constraint_scope,
            "wire_scope": cc.wire_scope,
            "hint_wires": cc.hint_wires,
        }
        for m, (rows, cols, cids) in zip("ABC", cc.mats):
            arrays[f"{m}_rows"], arrays[f"{m}_cols"], arrays[f"{m}_cids"] = rows, cols, cids
        if prog is not None:  # the witness program (program.py) beside the constraints
            for a in prog.ARRAYS:
                arrays[f"prog_{a}"] = getattr(prog, a)
            arrays["prog_coeffs"] = (
                ints_to_limbs(prog.coeffs) if prog.coeffs else np.zeros((0, 4), np.uint64)
            )
            meta["program"]["hash"] = _program_hash(arrays)
            arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=d)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, _path(key))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        prune(d, keep=_path(key))
    except Exception:
        pass


def _program_hash(arrays):
    h = hashlib.sha256(b"zkats/witness-program/v1")
    for a in ("code", "lc_ptr", "lc_col", "lc_cid", "lc_base", "lc_bcoef", "coeffs"):
        x = np.ascontiguousarray(arrays[f"prog_{a}"])
        h.update(f"{a}:{x.dtype.str}:{x.shape}".encode())
        h.update(x.tobytes())
    return h.hexdigest()


def _load_program(z, pmeta):
    """The stored witness program (without its hints' Python functions), or
    None when there is none; raises (so the entry is recompiled) when it does
    not match its hash.  The native solver bounds-checks every index it reads."""

    if pmeta is None:
        return None
    arrays = {f"prog_{a}": z[f"prog_{a}"] for a in WitnessProgram.ARRAYS}
    arrays["prog_coeffs"] = z["prog_coeffs"]
    if _program_hash(arrays) != pmeta["hash"]:
        raise ValueError("witness program hash mismatch")
    return WitnessProgram(
        code=arrays["prog_code"].astype(np.int64),
        lc_ptr=arrays["prog_lc_ptr"].astype(np.int64),
        lc_col=arrays["prog_lc_col"].astype(np.int64),
        lc_cid=arrays["prog_lc_cid"].astype(np.int64),
        lc_base=arrays["prog_lc_base"].astype(np.int64),
        lc_bcoef=arrays["prog_lc_bcoef"].astype(np.int64),
        coeffs=limbs_to_ints(arrays["prog_coeffs"]),
        n_hints=int(pmeta["n_hints"]),
        n_py_hints=int(pmeta["n_py_hints"]),
        io_limbs=int(pmeta["io_limbs"]),
    )


def load(key, circuit, layout):
    """The cached CompiledCircuit for ``key``, or None (missing/corrupt)."""
    p = _path(key)
    if not p.exists():
        return None
    try:
        with np.load(p, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            if (
                meta.get("version") != _VERSION
                or meta.get("key") != key
                or meta["first_internal"] != layout.first_internal
            ):
                return None
            coeffs = limbs_to_ints(z["coeffs"])
            mats = [
                (
                    z[f"{m}_rows"].astype(np.int64),
                    z[f"{m}_cols"].astype(np.int64),
                    z[f"{m}_cids"].astype(np.int64),
                )
                for m in "ABC"
            ]
            cs = z["constraint_scope"].astype(np.int32)
            ws = z["wire_scope"].astype(np.int32)
            hw = z["hint_wires"].astype(np.int64)
            program = _load_program(z, meta.get("program"))
        n_wires, n_cons = int(meta["n_wires"]), int(meta["n_constraints"])
        for rows, cols, cids in mats:
            if rows.shape != cols.shape or rows.shape != cids.shape:
                return None
            if rows.shape[0] and (
                rows.min() < 0
                or rows.max() >= n_cons
                or cols.min() < 0
                or cols.max() >= n_wires
                or cids.min() < 0
                or cids.max() >= len(coeffs)
            ):
                return None
        if cs.shape[0] != n_cons or (
            cs.shape[0] and (cs.min() < 0 or cs.max() >= len(meta["scope_names"]))
        ):
            return None
        cc = CompiledCircuit(
            circuit,
            layout,
            n_wires,
            n_cons,
            mats,
            coeffs,
            cs,
            list(meta["scope_names"]),
            ws,
            hw,
            {int(k): v for k, v in meta["wire_names"].items()},
            program=program,
        )
        if cc.hash != meta["hash"]:
            return None
        return cc
    except Exception:
        return None
