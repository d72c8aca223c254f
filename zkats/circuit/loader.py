"""Finding circuits by registered name or by the path of a Python file."""

import hashlib
import importlib
import importlib.util
import inspect
import os
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


def _user_files():
    """The .py files named by ``$ZKATS_CIRCUITS`` (files or folders, separated
    like PATH): the user's own circuits, registered by name on import."""

    out = []
    for part in filter(None, os.environ.get("ZKATS_CIRCUITS", "").split(os.pathsep)):
        p = Path(part)
        if p.is_dir():
            out.extend(sorted(q for q in p.glob("*.py") if not q.name.startswith("_")))
        elif p.suffix == ".py" and p.is_file():
            out.append(p)
        else:
            raise InputError(f"ZKATS_CIRCUITS: {part}: not a .py file or a folder")
    return out


def list_circuits():
    """{name: class} of every registered circuit (built-in ones and those of
    ``$ZKATS_CIRCUITS`` imported)."""
    _import_builtin()
    for f in _user_files():
        _exec_file(f)
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


def _exec_file(p):
    """Import the .py file ``p`` once (its @register calls run); (module, name)."""
    modname = "zkats_user_circuit_" + hashlib.sha256(str(p.resolve()).encode()).hexdigest()[:12]
    if modname in sys.modules:
        return sys.modules[modname], modname
    spec = importlib.util.spec_from_file_location(modname, p)
    if spec is None or spec.loader is None:
        raise InputError(f"{p}: not a Python source file")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:
        sys.modules.pop(modname, None)
        raise CircuitError(
            f"{p}: importing the circuit failed: {type(exc).__name__}: {exc}"
        ) from exc
    return mod, modname


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
    mod, modname = _exec_file(p)
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
            f"({', '.join(c.__name__ for c in pick)}); "
            + (
                f"name one: {path}:{pick[0].circuit_name}"
                if reg
                else "register them with @register(NAME) and name one as FILE.py:NAME"
            )
        )
    return pick[0]


def _check_params(label, cls, params):
    """One-line errors for a parameter the constructor does not take, or a
    text where its default is an integer (``-p size_bits=abc``)."""

    if cls.__init__ is object.__init__:
        if params:
            k = next(iter(params))
            raise InputError(f"{label}: no parameter {k!r} (the circuit takes no parameters)")
        return
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return
    accepted = {
        k: v
        for k, v in list(sig.parameters.items())[1:]
        if v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)
    }
    takes_any = any(v.kind == v.VAR_KEYWORD for v in sig.parameters.values())
    shown = ", ".join(
        k if v.default is v.empty else f"{k}={v.default!r}" for k, v in accepted.items()
    )
    for k, value in params.items():
        if k not in accepted:
            if takes_any:
                continue
            raise InputError(f"{label}: no parameter {k!r} (parameters: {shown or 'none'})")
        default = accepted[k].default
        wants_int = accepted[k].annotation is int or (
            isinstance(default, int) and not isinstance(default, bool)
        )
        if wants_int and not isinstance(value, int):
            raise InputError(f"{label}: -p {k}={value}: {k} takes an integer (default {default})")


def load_circuit(name_or_path, **params):
    """An instance of the circuit named by a registered name or a ``.py`` path.
    ``params`` go to the class constructor."""
    s = str(name_or_path)
    file_part, _, reg_name = s.rpartition(":")
    if file_part.endswith(".py") and reg_name:
        # FILE.py:NAME - a circuit registered as NAME in the user's own file
        p = Path(file_part)
        if not p.is_file():
            raise InputError(f"{file_part}: no such circuit file")
        _exec_file(p)
        cls = registered().get(reg_name)
        if cls is None:
            raise InputError(f"{file_part}: registers no circuit named {reg_name!r}")
    elif s.endswith(".py") or "/" in s or Path(s).is_file():
        cls = _load_file(s)
    else:
        circuits = list_circuits()
        if s not in circuits:
            raise InputError(
                f"unknown circuit {s!r} (known: {', '.join(circuits) or 'none'}; a circuit of "
                "your own: FILE.py, FILE.py:NAME, or ZKATS_CIRCUITS=FILE.py)"
            )
        cls = circuits[s]
    _check_params(s, cls, params)
    try:
        return cls(**params)
    except TypeError as exc:
        raise CircuitError(
            f"{s}: cannot build the circuit with parameters {params}: {exc}"
        ) from exc
