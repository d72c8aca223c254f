"""circom's .wasm witness calculator run in-process (wasmtime), against the
real ``snarkjs wtns calculate`` on circomlib circuits compiled by circom2;
``groth16 fullprove`` checked by ``snarkjs groth16 verify``; circom's
runtime errors and bad inputs as one-line errors."""

import json
import os
import subprocess
import sys

import pytest

from _circomlib import compiled, dev_ptau, inputs, snarkjs, zkats
from zkats.circom.inputs import fnv1a64, qualified_inputs
from zkats.circom.wasm_witness import WitnessCalculator, runtime_message
from zkats.errors import InputError
from zkats.field import R

CIRCUITS = [
    "circomlib_comparators",
    "circomlib_smt",
    "circomlib_eddsa",
    pytest.param("circomlib_sha256", marks=pytest.mark.slow),
]


@pytest.fixture(autouse=True)
def _wasm_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ZKATS_WASM_CACHE", str(tmp_path_factory.getbasetemp() / "wasm-cache"))


@pytest.mark.peers
@pytest.mark.parametrize("name", CIRCUITS)
def test_wtns_byte_identical_to_snarkjs(name, tmp_path_factory, tmp_path):
    c = compiled(name, tmp_path_factory)
    inp = tmp_path / "input.json"
    inp.write_text(json.dumps(inputs(name)))
    snarkjs("wtns", "calculate", c.wasm, inp, tmp_path / "s.wtns")
    zkats("wtns", "calculate", c.wasm, inp, tmp_path / "z.wtns")
    assert (tmp_path / "z.wtns").read_bytes() == (tmp_path / "s.wtns").read_bytes()
    r = snarkjs("wtns", "check", c.r1cs, tmp_path / "z.wtns", check=False)
    assert r.returncode == 0 and "WITNESS IS CORRECT" in r.stdout + r.stderr


@pytest.mark.peers
@pytest.mark.parametrize("name", ["circomlib_comparators", "circomlib_eddsa"])
def test_fullprove_verified_by_snarkjs(name, tmp_path_factory, tmp_path):
    c = compiled(name, tmp_path_factory)
    ptau = dev_ptau(14, tmp_path_factory)
    inp = tmp_path / "input.json"
    inp.write_text(json.dumps(inputs(name)))
    zk = tmp_path / "c.zkey"
    zkats("groth16", "setup", c.r1cs, ptau, zk, "-q")
    zkats("zkey", "export", "verificationkey", zk, tmp_path / "vk.json")
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    zkats("groth16", "fullprove", inp, c.wasm, zk, proof, public, "-q")
    r = snarkjs("groth16", "verify", tmp_path / "vk.json", public, proof, check=False)
    assert r.returncode == 0 and "OK!" in r.stdout, r.stdout + r.stderr
    # the public signals are the witness' (snarkjs' own witness for the same input)
    snarkjs("wtns", "calculate", c.wasm, inp, tmp_path / "s.wtns")
    snarkjs("wtns", "export", "json", tmp_path / "s.wtns", tmp_path / "s.json")
    wit = json.loads((tmp_path / "s.json").read_text())
    n_pub = len(json.loads(public.read_text()))
    assert json.loads(public.read_text()) == wit[1 : 1 + n_pub]


@pytest.mark.peers
def test_failed_assert_names_template_and_line(tmp_path_factory, tmp_path):
    c = compiled("circomlib_eddsa", tmp_path_factory)
    bad = dict(inputs("circomlib_eddsa"), M="5")  # the signature is for another message
    inp = tmp_path / "bad.json"
    inp.write_text(json.dumps(bad))
    out = tmp_path / "out.wtns"
    r = zkats("wtns", "calculate", c.wasm, inp, out, check=False)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "assert failed in template ForceEqualIfEnabled line 56" in lines[0]
    assert "called from EdDSAPoseidonVerifier line" in lines[0]
    assert not out.exists()
    r = zkats(
        "groth16", "fullprove", inp, c.wasm, tmp_path / "no.zkey", "p.json", "q.json", check=False
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr


@pytest.mark.peers
def test_log_and_assert_of_a_small_circuit(tmp_path_factory, tmp_path):
    c = compiled("log_assert", tmp_path_factory)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"a": 7, "b": ["3", "0x10"]}))
    r = zkats("wtns", "calculate", c.wasm, good, tmp_path / "z.wtns")
    assert "a is 7" in r.stderr
    snarkjs("wtns", "calculate", c.wasm, good, tmp_path / "s.wtns")
    assert (tmp_path / "z.wtns").read_bytes() == (tmp_path / "s.wtns").read_bytes()

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"a": 700, "b": [1, 2]}))
    r = zkats("wtns", "calculate", c.wasm, bad, tmp_path / "x.wtns", check=False)
    assert r.returncode == 1
    err = [ln for ln in r.stderr.splitlines() if ln.startswith("zkats: error:")]
    assert len(err) == 1 and "assert failed in template LogAssert line 9" in err[0], r.stderr


@pytest.mark.peers
@pytest.mark.parametrize(
    "inp, message",
    [
        ({"a": 1, "b": [1]}, "input b: 1 value, the signal has 2"),
        ({"a": 1, "b": [1, 2], "z": 3}, "input z: the circuit has no such input signal"),
        ({"b": [1, 2]}, "not all inputs are set"),
        ({"a": 2**60, "b": [1, 2]}, "input a: the JSON number"),
        ({"a": "12x", "b": [1, 2]}, "input a: '12x' is not an integer"),
        ({"a": 1.5, "b": [1, 2]}, "input a: 1.5 is not an integer"),
        ({"a": None, "b": [1, 2]}, "input a: null is not a value"),
    ],
)
def test_bad_inputs_one_line(inp, message, tmp_path_factory, tmp_path):
    c = compiled("log_assert", tmp_path_factory)
    f = tmp_path / "in.json"
    f.write_text(json.dumps(inp))
    out = tmp_path / "out.wtns"
    r = zkats("wtns", "calculate", c.wasm, f, out, check=False)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("zkats: error: ")
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


@pytest.mark.peers
def test_values_reduced_like_snarkjs(tmp_path_factory, tmp_path):
    """Negative and >= p values wrap mod p; hex strings are read; as snarkjs."""
    c = compiled("log_assert", tmp_path_factory)
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"a": "5", "b": ["-1", str(R + 3)]}))
    snarkjs("wtns", "calculate", c.wasm, f, tmp_path / "s.wtns")
    zkats("wtns", "calculate", c.wasm, f, tmp_path / "z.wtns")
    assert (tmp_path / "z.wtns").read_bytes() == (tmp_path / "s.wtns").read_bytes()


@pytest.mark.peers
def test_compiled_module_cache(tmp_path_factory, tmp_path, monkeypatch):
    c = compiled("log_assert", tmp_path_factory)
    cache = tmp_path / "cache"
    monkeypatch.setenv("ZKATS_WASM_CACHE", str(cache))
    w1 = WitnessCalculator(c.wasm, log=lambda s: None).calculate({"a": 3, "b": [1, 2]})
    (entry,) = cache.glob("*.cwasm")
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    w2 = WitnessCalculator(c.wasm, log=lambda s: None).calculate({"a": 3, "b": [1, 2]})
    assert w1 == w2
    # a broken entry is recompiled; it is overwritten IN PLACE while w2's
    # module is alive: loaded modules must not depend on the file (a mapped
    # entry truncated under a live module crashed the suite at exit, SIGBUS)
    entry.write_bytes(b"not a compiled module")
    assert WitnessCalculator(c.wasm, log=lambda s: None).calculate({"a": 3, "b": [1, 2]}) == w1
    assert int.from_bytes(w1[32:64], "little") == 3 * 1 + 2


def test_not_wasm_one_line(tmp_path):
    f = tmp_path / "c.wasm"
    f.write_bytes(b"hello")
    (tmp_path / "i.json").write_text("{}")
    r = zkats("wtns", "calculate", f, tmp_path / "i.json", tmp_path / "o.wtns", check=False)
    assert r.returncode == 1 and "not a WebAssembly module" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", [".wasm", ".r1cs", ".circom", ".zkey", ".sym", ".txt"])
def test_circuit_commands_on_other_files(suffix, tmp_path):
    f = tmp_path / f"thing{suffix}"
    f.write_bytes(b"x")
    for cmd in (["circuit", "info"], ["lint"], ["circuit", "compile"]):
        r = zkats(*cmd, f, check=False)
        assert r.returncode != 0
        assert "Traceback" not in r.stderr and "NoneType" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_fnv_and_qualified_inputs():
    # circom's FNV-1a 64 of a signal name (value from circom's witness_calculator.js)
    assert fnv1a64("Ax") == (0x09084A07, 0xB5A0C17C)
    got = qualified_inputs({"a": 1, "s": {"x": [1, [2, 3]], "y": "-1"}, "p": [{"q": 4}]}, R)
    assert got == {"a": [1], "s.x": [1, 2, 3], "s.y": [R - 1], "p[0].q": [4]}
    with pytest.raises(InputError):
        qualified_inputs([1, 2], R)


def test_runtime_message():
    lines = ["Error in template Num2Bits_3 line: 38", "Error in template Main_12 line: 7", ""]
    assert runtime_message(4, lines) == (
        "assert failed in template Num2Bits line 38 (called from Main line 7)"
    )
    assert runtime_message(3, []) == "signal already set"


_TRUNCATED_CACHE = """
import os, sys, threading
from pathlib import Path
import wasmtime
from zkats.circom.wasm_witness import load_module
wat = wasmtime.wat2wasm('(module (func (export "f") (result i32) i32.const 7))')
load_module(wat, "t.wat")  # compiles and writes the cache entry
m = load_module(wat, "t.wat")  # loaded from the cache entry
(entry,) = Path(os.environ["ZKATS_WASM_CACHE"]).glob("*.cwasm")
entry.write_bytes(b"junk")  # truncated in place while the module lives
lock = threading.Lock()
lock.acquire()
threading.Thread(target=lock.acquire, daemon=True).start()  # unwound at exit
"""


def test_cache_entry_truncated_under_a_live_module(tmp_path):
    """A loaded module does not map its cache file: truncating the entry in
    place, then a thread unwinding at interpreter exit, is a clean exit (it
    was SIGBUS when modules were deserialized from the mapped file)."""
    env = {**os.environ, "ZKATS_WASM_CACHE": str(tmp_path / "cache")}
    r = subprocess.run(
        [sys.executable, "-c", _TRUNCATED_CACHE], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])


_EXIT_SCRIPT = """
import atexit, gc, sys, weakref
from zkats.circom import wasm_witness as ww

def after_release():  # registered first: runs after the module's own exit hook
    ok = ww._ENGINE is None and not ww._LIVE and not ww._MODULES
    print("released" if ok else f"still held: {len(ww._LIVE)} {len(ww._MODULES)}")

atexit.register(after_release)
wasm, inputs = sys.argv[1], {"a": 3, "b": [1, 2]}
first = ww.WitnessCalculator(wasm, log=lambda s: None)
print(int.from_bytes(first.calculate(inputs)[32:64], "little"))
store = weakref.ref(first._store)
del first
gc.collect()
print("dropped" if store() is None else "leaked")  # a dropped calculator frees its store
kept = ww.WitnessCalculator(wasm)  # alive at exit, as in a long-running process
kept.calculate(inputs)
ww.calculate_wtns(wasm, inputs, sys.argv[2])
"""


@pytest.mark.peers
def test_interpreter_exit_is_clean(tmp_path_factory, tmp_path):
    """A process that computed circom wasm witnesses (one calculator dropped,
    one still alive) exits without "Exception ignored in Managed.__del__":
    the module's exit hook closes the stores, modules and engine while
    wasmtime's bindings exist, and a dropped calculator frees its store."""
    c = compiled("log_assert", tmp_path_factory)
    r = subprocess.run(
        [sys.executable, "-c", _EXIT_SCRIPT, str(c.wasm), str(tmp_path / "w.wtns")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Exception ignored" not in r.stderr, r.stderr[-2000:]
    assert r.stdout.split() == ["5", "dropped", "released"], r.stdout + r.stderr
    assert (tmp_path / "w.wtns").read_bytes()[:4] == b"wtns"
