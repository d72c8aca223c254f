"""Disk cache of compiled circuits.

Key: SHA-256 of the circuit class (module and qualified name), its
parameters (the instance's public attributes, by ``repr``) and the source
of everything that can change the constraints: every ``.py`` file of the
zkats package and of the ``circuits`` package, and the files next to the
class's module (see :func:`_source_files`).  Entries live in ``$ZKATS_CACHE``
(default ``~/.cache/zkats``); ``ZKATS_CACHE=off`` disables the cache.

Safety: an entry is written to a temporary file and renamed into place;
on load, the stored constraint-system hash is recomputed from the arrays
and anything unreadable or inconsistent is ignored (and recompiled), so a
corrupt or truncated entry can never yield a wrong circuit.
"""

import hashlib
import importlib.util
import inspect
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..field import ints_to_limbs, limbs_to_ints
from .compiled import CompiledCircuit
from .program import WitnessProgram

_VERSION = "zkats-compile-cache-v3"


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
    (no cache dir, parameters without a stable repr)."""
    if cache_dir() is None:
        return None
    cls = type(circuit)
    params = sorted((k, v) for k, v in vars(circuit).items() if not k.startswith("_"))
    prepr = repr(params)
    if " at 0x" in prepr:
        return None
    h = hashlib.sha256(_VERSION.encode())
    h.update(f"{cls.__module__}:{cls.__qualname__}\0{prepr}\0".encode())
    # the venue's size (zkats.domain.units) shapes the venue circuits' constraints
    h.update(f"size={os.environ.get('ZKATS_VENUE_SIZE', 'ci')}\0".encode())
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
    return h.hexdigest()


def _path(key):
    return cache_dir() / f"circuit-{key[:40]}.npz"


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
