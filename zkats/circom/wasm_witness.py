"""circom's ``.wasm`` witness calculator, run in-process with wasmtime.

The module circom 2 writes (``circuit_js/circuit.wasm``) exports its own
memory and a small API (facts from circom's generated
``witness_calculator.js``): ``init(sanityCheck)``, ``getInputSignalSize(h,
l)`` (negative: no such input), ``setInputSignal(h, l, i)`` taking the
value from the shared read/write area (``getSharedRWMemoryStart``, n32
32-bit words little-endian), ``getWitnessSize``, ``getWitness(i)`` (puts
witness value i, normal form, in the shared area), ``getRawPrime``,
``getFieldNumLen32``, ``getInputSize``, ``getVersion``; it imports
``runtime.exceptionHandler(code)`` (1 signal not found, 2 too many signals
set, 3 signal already set, 4 assert failed, 5 out of memory, 6 input array
index too big, 7 out-of-bounds access), ``printErrorMessage`` and
``writeBufferMessage`` (a message read with ``getMessageChar`` until 0)
and ``showSharedRWMemory``.  The witness calculation itself runs when the
last input is set.

Copying the witness out costs one ``getWitness`` call per value; a call
from Python into wasm costs microseconds, so a 40-line helper module
(:data:`_HELPER_WAT`) imports circom's memory and functions and does the
per-value loops inside wasm: one Python call sets all values of an input
signal, one copies the whole witness.  The output is the ``.wtns`` file
circom's ``calculateWTNSBin`` and ``snarkjs wtns calculate`` write, byte
for byte.

Compiling a circuit's wasm to machine code takes about a second for a
large circuit, so compiled modules are cached (``$ZKATS_WASM_CACHE``, else
``$XDG_CACHE_HOME/zkats/wasm``, default ``~/.cache/zkats/wasm``; created
mode 0700, keyed by the SHA-256 of the ``.wasm`` and the wasmtime version;
an unreadable or incompatible entry is recompiled).
"""

import atexit
import hashlib
import os
import re
import struct
import sys
import weakref
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..errors import InputError, ZkatsError
from .inputs import fnv1a64, qualified_inputs

#: circom's exceptionHandler codes
_EXCEPTIONS = {
    1: "signal not found",
    2: "too many signals set",
    3: "signal already set",
    4: "assert failed",
    5: "not enough memory",
    6: "input signal array access exceeds the size",
    7: "out of bounds array access",
}

_HELPER_WAT = """
(module
  (import "c" "memory" (memory 1))
  (import "c" "getWitness" (func $getWitness (param i32)))
  (import "c" "setInputSignal" (func $setInputSignal (param i32 i32 i32)))
  ;; witness values 0..n-1 -> dst (n8 bytes each), through the shared area src
  (func (export "dump") (param $n i32) (param $src i32) (param $dst i32) (param $n8 i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $getWitness (local.get $i))
        (memory.copy
          (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $n8)))
          (local.get $src) (local.get $n8))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  ;; values i0..i0+n-1 of input signal (h, l) from src (n8 bytes each)
  (func (export "set") (param $h i32) (param $l i32) (param $n i32)
                       (param $src i32) (param $shared i32) (param $n8 i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (memory.copy
          (local.get $shared)
          (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $n8)))
          (local.get $n8))
        (call $setInputSignal (local.get $h) (local.get $l) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
)
"""

_PAGE = 65536


class CircomRuntimeError(ZkatsError):
    """The circuit's own code failed (an assert, a signal set twice...):
    one line with circom's template and line where circom gives them."""


def _wasmtime():
    try:
        # local import: wasmtime loads only when a .wasm witness is computed
        import wasmtime
    except ImportError:  # pragma: no cover - wasmtime is a dependency
        raise ZkatsError(
            "the wasmtime package is needed to run circom's .wasm (pip install wasmtime)"
        ) from None
    return wasmtime


def cache_dir():
    """Where compiled witness calculators are cached."""
    d = os.environ.get("ZKATS_WASM_CACHE")
    if d:
        return Path(d)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zkats" / "wasm"


_ENGINE = None
#: the live calculators and the compiled modules this module made (weakly):
#: what :func:`_release` closes at interpreter exit
_LIVE: "weakref.WeakSet" = weakref.WeakSet()
_MODULES: "weakref.WeakSet" = weakref.WeakSet()


def _engine():
    global _ENGINE
    if _ENGINE is None:
        wt = _wasmtime()
        cfg = wt.Config()
        cfg.wasm_bulk_memory = True
        _ENGINE = wt.Engine(cfg)
        atexit.register(_release)
    return _ENGINE


def _release():
    """At interpreter exit, while wasmtime's bindings still exist: close the
    live calculators' stores, then the compiled modules, then the engine.

    Left to the interpreter's teardown, these wasmtime objects are deleted
    in whatever order modules are cleared; one deleted after wasmtime's own
    ``_ffi`` module was cleared printed "Exception ignored in
    Managed.__del__" (its C destructor was already None).  Closed here, in
    the order wasmtime wants (a store before the engine it runs on), their
    later ``__del__`` does nothing."""
    global _ENGINE
    for wc in list(_LIVE):
        wc.close()
    for module in list(_MODULES):
        module.close()
    if _ENGINE is not None:
        _ENGINE.close()
        _ENGINE = None


def _version_tag():
    try:
        return version("wasmtime")
    except Exception:
        return "unknown"


def load_module(code, path, use_cache=True):
    """The compiled wasmtime Module for ``code`` (the .wasm bytes), from the
    cache when it holds a compatible entry."""
    wt = _wasmtime()
    engine = _engine()
    entry = None
    if use_cache:
        key = hashlib.sha256(code + b"\0" + _version_tag().encode()).hexdigest()
        entry = cache_dir() / f"{key}.cwasm"
        if entry.is_file():
            # read into memory, never deserialize_file: that maps the file and
            # registers the code's unwind tables inside the map, so a cache
            # file truncated in place later (by anyone) turns the next stack
            # unwind anywhere in the process (a thread exiting at interpreter
            # shutdown, a C++ exception) into SIGBUS
            try:
                module = wt.Module.deserialize(engine, entry.read_bytes())
            except Exception:
                pass
            else:
                _MODULES.add(module)
                return module
    try:
        module = wt.Module(engine, code)
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{path}: not a valid WebAssembly module ({first})") from None
    _MODULES.add(module)
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = entry.with_suffix(f".tmp-{os.getpid()}")
            tmp.write_bytes(module.serialize())
            os.replace(tmp, entry)
        except OSError:
            pass  # a read-only cache only costs the next run a compile
    return module


def _clean_template(name):
    """circom appends an instance number to template names (Num2Bits_3)."""
    return re.sub(r"_\d+$", "", name)


def runtime_message(code, lines):
    """One line for circom's exception ``code`` and its error messages
    ("Error in template Num2Bits_3 line: 38", innermost first)."""
    what = _EXCEPTIONS.get(code, f"unknown error {code}")
    where = []
    other = []
    for ln in lines:
        m = re.match(r"\s*Error in template (\S+) line: (\d+)", ln)
        if m:
            where.append(f"{_clean_template(m.group(1))} line {m.group(2)}")
        elif ln.strip():
            other.append(ln.strip())
    msg = what
    if other:
        msg += ": " + "; ".join(other)
    if where:
        msg += " in template " + where[0]
        if len(where) > 1:
            msg += " (called from " + ", ".join(where[1:]) + ")"
    return msg


def _stderr_line(line):
    print(line, file=sys.stderr)


class _Host:
    """The functions a circom ``.wasm`` imports (``runtime.*``) and what they
    record: the exception code, error messages and the ``log()`` line.

    wasmtime keeps a store's host functions alive until the store is
    deleted, so they must not reach the calculator (or its store): a
    calculator dropped by its owner then frees its store, memory and
    instance at once instead of living until interpreter exit."""

    def __init__(self, log):
        self.log = log
        self.ex: Any = None  # the instance's exports, once instantiated
        self.errors: list = []
        self.msg = ""
        self.exc = None

    def _message(self, caller):
        get = self.ex["getMessageChar"]
        chars = []
        c = get(caller)
        while c:
            chars.append(chr(c))
            c = get(caller)
        return "".join(chars)

    def exception_handler(self, caller, code):
        self.exc = code
        raise _CircomTrap(code)

    def print_error_message(self, caller):
        self.errors.append(self._message(caller))

    def write_buffer_message(self, caller):
        msg = self._message(caller)
        if msg == "\n":
            self.log(self.msg)
            self.msg = ""
        else:
            self.msg = f"{self.msg} {msg}" if self.msg else msg

    def show_shared_rw_memory(self, caller):
        ex = self.ex
        n32 = ex["getFieldNumLen32"](caller)
        start = ex["getSharedRWMemoryStart"](caller)
        raw = ex["memory"].read(caller, start, start + 4 * n32)
        v = str(int.from_bytes(bytes(raw), "little"))
        self.msg = f"{self.msg} {v}" if self.msg else v

    def functions(self):
        return {
            "exceptionHandler": self.exception_handler,
            "printErrorMessage": self.print_error_message,
            "writeBufferMessage": self.write_buffer_message,
            "showSharedRWMemory": self.show_shared_rw_memory,
            "printDebug": lambda caller, *a: None,
        }


class WitnessCalculator:
    """A circom 2 ``.wasm`` witness calculator: ``calculate(inputs)`` gives
    the witness values, ``wtns_bytes(inputs)`` the ``.wtns`` file.  Its
    wasm store is freed when the calculator is dropped, or by :meth:`close`
    (also a context manager)."""

    def __init__(self, wasm_path, use_cache=True, log=None):
        wt = _wasmtime()
        self.path = str(wasm_path)
        try:
            code = Path(wasm_path).read_bytes()
        except OSError as err:
            raise InputError(f"{self.path}: cannot read: {err.strerror}") from None
        if code[:4] != b"\0asm":
            raise InputError(f"{self.path}: not a WebAssembly module (circom's CIRCUIT_js/*.wasm)")
        self._host = host = _Host(log if log is not None else _stderr_line)
        module = load_module(code, self.path, use_cache)
        self._store = store = wt.Store(_engine())
        _LIVE.add(self)
        impl = host.functions()
        imports = []
        for imp in module.imports:
            fn = impl.get(imp.name) if imp.module == "runtime" else None
            if fn is None or not isinstance(imp.type, wt.FuncType):
                raise InputError(
                    f"{self.path}: imports {imp.module}.{imp.name}, which circom 2 witness "
                    "calculators do not (not a circom 2 .wasm?)"
                )
            imports.append(wt.Func(store, imp.type, fn, access_caller=True))
        try:
            inst = wt.Instance(store, module, imports)
        except Exception as err:
            raise InputError(f"{self.path}: cannot instantiate: {err}") from None
        ex = host.ex = inst.exports(store)
        need = (
            "memory",
            "getVersion",
            "getSharedRWMemoryStart",
            "init",
            "setInputSignal",
            "getInputSignalSize",
            "getRawPrime",
            "getFieldNumLen32",
            "getWitnessSize",
            "getInputSize",
            "getWitness",
        )
        missing = [n for n in need if n not in ex]
        if missing:
            raise InputError(
                f"{self.path}: not a circom 2 witness calculator (no {', '.join(missing)}; "
                "circom 1 .wasm files are not supported)"
            )
        self._ex = ex
        self.memory = ex["memory"]
        self.version = ex["getVersion"](store)
        self.n32 = ex["getFieldNumLen32"](store)
        self.n8 = 4 * self.n32
        self.shared = ex["getSharedRWMemoryStart"](store)
        ex["getRawPrime"](store)
        self.prime_bytes = self._read(self.shared, self.n8)
        self.prime = int.from_bytes(self.prime_bytes, "little")
        self.witness_size = ex["getWitnessSize"](store)
        self.input_size = ex["getInputSize"](store)
        helper = wt.Module(_engine(), _HELPER_WAT)
        _MODULES.add(helper)
        h = wt.Instance(
            store, helper, [self.memory, ex["getWitness"], ex["setInputSignal"]]
        ).exports(store)
        self._dump, self._set = h["dump"], h["set"]

    def close(self):
        """Free the wasm store (memory, instance); the calculator is then
        unusable.  Repeated calls do nothing."""
        store = getattr(self, "_store", None)
        if store is not None:
            store.close()
        _LIVE.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- memory --------------------------------------------------------
    def _read(self, off, n):
        return bytes(self.memory.read(self._store, off, off + n))

    def _scratch(self, nbytes):
        """Offset of ``nbytes`` of free memory past circom's own (grown once)."""
        size = self.memory.data_len(self._store)
        have = getattr(self, "_scratch_at", None)
        if have is not None and have + nbytes <= size:
            return have
        pages = -(-nbytes // _PAGE)
        try:
            old = self.memory.grow(self._store, pages)
        except Exception:
            raise ZkatsError(
                f"{self.path}: cannot grow the wasm memory by {nbytes} bytes for the witness"
            ) from None
        self._scratch_at = old * _PAGE
        return self._scratch_at

    def _call(self, fn, *args):
        host = self._host
        host.errors, host.exc = [], None
        try:
            return fn(self._store, *args)
        except Exception as err:
            code = host.exc
            if code is None and isinstance(err, _CircomTrap):
                code = err.code
            if code is None:
                first = str(err).strip().splitlines()[0] if str(err).strip() else "trap"
                raise CircomRuntimeError(
                    f"{self.path}: the witness calculator trapped: {first}"
                ) from None
            raise CircomRuntimeError(f"{self.path}: {runtime_message(code, host.errors)}") from None

    # -- calculation ---------------------------------------------------
    def _set_inputs(self, inputs, sanity_check):

        values = qualified_inputs(inputs, self.prime)
        self._call(self._ex["init"], 1 if sanity_check else 0)
        plan = []
        for name, vals in values.items():  # every name and count checked before any is set
            h, lo = (_i32(x) for x in fnv1a64(name))
            size = self._ex["getInputSignalSize"](self._store, h, lo)
            if size <= 0:
                raise InputError(f"input {name}: the circuit has no such input signal")
            if len(vals) != size:
                raise InputError(
                    f"input {name}: {len(vals)} value{'s' * (len(vals) != 1)}, "
                    f"the signal has {size}"
                )
            plan.append((h, lo, vals))
        total = sum(len(v) for _, _, v in plan)
        if total < self.input_size:
            raise InputError(
                f"not all inputs are set: {total} values given, the circuit has "
                f"{self.input_size} (missing signals)"
            )
        for h, lo, vals in plan:
            buf = b"".join(v.to_bytes(self.n8, "little") for v in vals)
            at = self._scratch(len(buf))
            self.memory.write(self._store, buf, at)
            self._call(self._set, h, lo, len(vals), at, self.shared, self.n8)

    def calculate(self, inputs, sanity_check=False):
        """The witness as bytes: witness_size values of n8 bytes, little
        endian, normal form.  ``inputs``: circom's input JSON object."""
        self._set_inputs(inputs, sanity_check)
        n = self.witness_size * self.n8
        at = self._scratch(n)
        self._call(self._dump, self.witness_size, self.shared, at, self.n8)
        return self._read(at, n)

    def wtns_bytes(self, inputs, sanity_check=False):
        """The ``.wtns`` file of ``inputs`` (circom's calculateWTNSBin layout)."""
        values = self.calculate(inputs, sanity_check)
        return wtns_file_bytes(self.prime_bytes, self.witness_size, values)


class _CircomTrap(Exception):
    def __init__(self, code):
        super().__init__(f"circom exception {code}")
        self.code = code


def _i32(v):
    """A u32 as the signed i32 wasmtime expects."""
    return v - (1 << 32) if v >= 1 << 31 else v


def wtns_file_bytes(prime_bytes, n_witness, values):
    """iden3 ``.wtns`` v2: header, section 1 (n8, prime, nWitness), section 2."""
    n8 = len(prime_bytes)
    return b"".join(
        (
            b"wtns",
            struct.pack("<II", 2, 2),
            struct.pack("<IQI", 1, 8 + n8, n8),
            prime_bytes,
            struct.pack("<I", n_witness),
            struct.pack("<IQ", 2, n8 * n_witness),
            values,
        )
    )


def calculate_wtns(wasm_path, inputs, out_path, use_cache=True, sanity_check=False):
    """``zkats wtns calculate CIRCUIT.wasm INPUT.json OUT.wtns`` (library
    form; ``inputs`` is the parsed JSON).  Writes atomically; returns the
    witness size."""
    wc = WitnessCalculator(wasm_path, use_cache=use_cache)
    data = wc.wtns_bytes(inputs, sanity_check)
    out = Path(out_path)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{out_path}: cannot write: {err.strerror}") from None
    return wc.witness_size
