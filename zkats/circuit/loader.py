"""Finding circuits by registered name or by the path of a Python file."""

import hashlib
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

from ..errors import CircuitError, InputError
from .declare import Circuit, registered


def _import_builtin():
    """Import every module of the ``zkats.circuits`` package (they register)."""
    try:
        pkg = importlib.import_module("zkats.circuits")
    except ImportError:
        return
    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"zkats.circuits.{mod.name}")


def list_circuits():
    """{name: class} of every registered circuit (built-in ones imported)."""
    _import_builtin()
    return dict(sorted(registered().items()))


#: what other files given where a circuit is expected are, and what to run instead
_NOT_PYTHON = {
    ".wasm": "circom's witness calculator: `zkats wtns calculate FILE.wasm INPUT.json OUT.wtns`",
    ".circom": "a circom source: compile it with circom (--r1cs --wasm), then use the .r1cs/.wasm",
    ".r1cs": "a constraint file: `zkats r1cs info|print|export json FILE.r1cs`",
    ".zkey": "a proving key: `zkats zkey export json|verificationkey FILE.zkey ...`",
    ".wtns": "a witness: `zkats wtns export json FILE.wtns OUT.json`",
    ".ptau": "a powers-of-tau file: `zkats powersoftau verify FILE.ptau`",
    ".sym": "circom's signal names: give it to `zkats wtns debug ... --sym FILE.sym`",
}


def _load_file(path):
    p = Path(path)
    if p.suffix != ".py":
        what = _NOT_PYTHON.get(p.suffix.lower())
        if what:
            raise InputError(f"{path}: not a zkats circuit (.py file); this is {what}")
        if p.is_dir():
            raise InputError(f"{path}: a directory, not a zkats circuit (.py file)")
        raise InputError(f"{path}: not a zkats circuit: give a registered name or a .py file")
    if not p.is_file():
        raise InputError(f"{path}: no such circuit file")
    modname = "zkats_user_circuit_" + hashlib.sha256(str(p.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(modname, p)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: not a Python source file")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:
        sys.modules.pop(modname, None)
        raise CircuitError(
            f"{path}: importing the circuit failed: {type(exc).__name__}: {exc}"
        ) from exc
    classes = [
        v
        for v in vars(mod).values()
        if isinstance(v, type)
        and issubclass(v, Circuit)
        and v is not Circuit
        and v.__module__ == modname
    ]
    if not classes:
        raise CircuitError(f"{path}: defines no Circuit subclass")
    reg = [c for c in classes if getattr(c, "circuit_name", None)]
    pick = reg or classes
    if len(pick) > 1:
        raise CircuitError(
            f"{path}: defines several circuits "
            f"({', '.join(c.__name__ for c in pick)}); register exactly one"
        )
    return pick[0]


def load_circuit(name_or_path, **params):
    """An instance of the circuit named by a registered name or a ``.py`` path.
    ``params`` go to the class constructor."""
    s = str(name_or_path)
    if s.endswith(".py") or "/" in s or Path(s).is_file():
        cls = _load_file(s)
    else:
        circuits = list_circuits()
        if s not in circuits:
            raise InputError(f"unknown circuit {s!r} (known: {', '.join(circuits) or 'none'})")
        cls = circuits[s]
    try:
        return cls(**params)
    except TypeError as exc:
        raise CircuitError(
            f"{s}: cannot build the circuit with parameters {params}: {exc}"
        ) from exc
