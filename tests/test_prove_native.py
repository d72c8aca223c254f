"""The native prover executable (``zkats/zkats-prove``, native/bin/zkats_prove.c)
that ``zkats groth16 prove`` runs in place of itself: installed with the
package, its proofs verify (zkats here; snarkjs in test_prove_lean.py), r
and s are fresh per proof, and it is at least as strict as the Python
reader -- on every corrupted key, witness or output path below the
console command's error is, byte for byte, the click command's, and the
executable run on its own rejects the same inputs with a one-line error,
writing nothing."""

import os
import shutil
import struct
import subprocess
import sys

import pytest

from circuit_helpers import contributed_key
from zkats.cli._lean_prove import native_prover
from zkats.formats.binfile import BinFile
from zkats.formats.snarkjs_json import read_proof, read_public
from zkats.formats.wtns import write_wtns
from zkats.formats.zkey import write_zkey
from zkats.formats.zkey_layout import open_zkey
from zkats.groth16.verifier import verify


@pytest.fixture(scope="module")
def exe():
    path = native_prover()
    assert path is not None, "zkats-prove is not installed (setup.py builds it: make native)"
    return path


@pytest.fixture(scope="module")
def mult(tmp_path_factory):
    cc, zk = contributed_key("multiplier", contributor="native")
    d = tmp_path_factory.mktemp("native")
    write_zkey(d / "m.zkey", zk)
    write_wtns(d / "m.wtns", cc.solve({"a": 3, "b": 11}).values)
    return d


def _run(cmd, env=None):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, env=env)
    return r.returncode, r.stdout, r.stderr


def _console(*args, native):
    env = dict(os.environ, ZKATS_NATIVE_PROVE="1" if native else "0")
    return _run([sys.executable, "-m", "zkats", "groth16", "prove", *args], env=env)


def test_native_prover_proves_with_fresh_blinding(exe, mult, tmp_path):
    vk = open_zkey(mult / "m.zkey").verifying_key()
    proofs = []
    for i in range(2):
        pf, pub = tmp_path / f"p{i}.json", tmp_path / f"q{i}.json"
        code, out, err = _run([exe, "--quiet", mult / "m.zkey", mult / "m.wtns", pf, pub])
        assert code == 0 and out == "" and err == "", err
        assert read_public(pub) == [33, 3]
        assert verify(vk, read_public(pub), read_proof(pf))
        proofs.append(read_proof(pf))
    assert proofs[0] != proofs[1]


def _section(path, sid):
    bf = BinFile(path, path.read_bytes()[:4], (1, 2))
    return bf.unique(sid)[0]


def _corrupt(src, dst, edits=(), append=b""):
    raw = bytearray(src.read_bytes())
    for off, data in edits:
        raw[off : off + len(data)] = data
    dst.write_bytes(bytes(raw) + append)
    return dst


def _bad_inputs(d, tmp_path):
    z, w = d / "m.zkey", d / "m.wtns"
    s2, s3, s4, s10 = (_section(z, sid) for sid in (2, 3, 4, 10))
    w1 = _section(w, 1)
    u32 = lambda v: struct.pack("<I", v)  # noqa: E731
    zraw = z.read_bytes()
    nvars = struct.unpack_from("<I", zraw, s2 + 72)[0]
    # the table entry of the last section (its id): 12-byte entries after the 12-byte header
    last_id = 12
    for _ in range(9):
        last_id += 12 + struct.unpack_from("<Q", z.read_bytes(), last_id + 4)[0]
    zk = {
        "magic": [(0, b"zkez")],
        "version": [(4, u32(2))],
        "unknown section id": [(last_id, u32(11))],
        "alpha off the curve": [(s2 + 84 + 5, b"\x17")],
        "nPublic >= nVars": [(s2 + 76, u32(nvars))],
        "domain not a power of two": [(s2 + 80, u32(3))],
        "IC point off the curve": [(s3 + 7, b"\x99")],
        "coefficient signal out of range": [(s4 + 4 + 8, u32(0xFFFFFFF0))],
        "coefficient count": [(s4, u32(1 << 20))],
        "contribution type": [(s10 + 68 + 384, u32(7))],
        "contribution parameters unsorted": [(s10 + 68 + 392, b"\x00")],
        # flipped bits, not a set value: the key's random contribution point
        # may already hold any given byte (then the edit changed nothing)
        "contribution point off the curve": [(s10 + 68 + 3, bytes([zraw[s10 + 68 + 3] ^ 0x42]))],
    }
    cases = {}
    for name, edits in zk.items():
        cases[name] = [_corrupt(z, tmp_path / f"{len(cases)}.zkey", edits), w]
    cases["zkey trailing byte"] = [_corrupt(z, tmp_path / "t.zkey", append=b"\x00"), w]
    cases["missing zkey"] = [tmp_path / "none.zkey", w]
    cases["wtns prime"] = [z, _corrupt(w, tmp_path / "p.wtns", [(w1 + 9, b"\x01")])]
    cases["wtns version"] = [z, _corrupt(w, tmp_path / "v.wtns", [(4, u32(1))])]
    cases["witness count"] = [z, _corrupt(w, tmp_path / "c.wtns", [(w1 + 36, u32(4))])]
    return cases


def test_native_prover_rejects_what_python_rejects(exe, mult, tmp_path):
    for name, (zkey, wtns) in _bad_inputs(mult, tmp_path).items():
        outs = tmp_path / "proof.json", tmp_path / "public.json"
        res = {}
        for native in (False, True):
            res[native] = _console(zkey, wtns, *outs, "--quiet", native=native)
            assert not any(p.exists() for p in outs), name
        assert res[True] == res[False], name
        code, _, err = res[True]
        assert code == 1 and err.startswith("zkats: error: ") and err.count("\n") == 1, err
        # on its own: its own one-line error, nothing written
        code, out, err = _run([exe, zkey, wtns, *outs])
        assert code == 1 and out == "", (name, err)
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("zkats: error: "), (name, err)
        assert not any(p.exists() for p in outs), name


def test_native_prover_write_errors_and_unsatisfied_witness(exe, mult, tmp_path):
    z, w = mult / "m.zkey", mult / "m.wtns"
    missing = tmp_path / "no" / "proof.json", tmp_path / "public.json"
    py, nat = (_console(z, w, *missing, "--quiet", native=n) for n in (False, True))
    assert py == nat and py[0] == 1 and "No such file or directory" in py[2]
    # a witness that satisfies no constraint system of this key: the proof does not verify
    from zkats.formats.wtns import read_wtns

    bad = read_wtns(w)
    bad[-1, 0] ^= 1
    write_wtns(tmp_path / "bad.wtns", bad)
    outs = tmp_path / "p.json", tmp_path / "q.json"
    py, nat = (
        _console(z, tmp_path / "bad.wtns", *outs, "--quiet", native=n) for n in (False, True)
    )
    assert py == nat and py[0] == 1 and "does not satisfy the circuit" in py[2]
    assert not any(p.exists() for p in outs)


def test_native_mode_required_and_r1cs_left_to_python(exe, mult, tmp_path):
    z, w = mult / "m.zkey", mult / "m.wtns"
    env = dict(os.environ, ZKATS_NATIVE_PROVE="1")
    args = [z, w, tmp_path / "p.json", tmp_path / "q.json", "--r1cs", tmp_path / "x.r1cs"]
    code, _, err = _run([sys.executable, "-m", "zkats", "groth16", "prove", *args], env=env)
    assert code == 1 and "ZKATS_NATIVE_PROVE=1" in err and err.count("\n") == 1
    # a copy of the package without the executable: the Python path proves
    pkg = tmp_path / "pkg"
    import zkats

    shutil.copytree(os.path.dirname(zkats.__file__), pkg / "zkats")
    (pkg / "zkats" / "zkats-prove").unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(pkg), ZKATS_NATIVE_PROVE="auto")
    code, _, err = _run(
        [sys.executable, "-c", "import sys; from zkats.cli import run; run()", "groth16",
         "prove", z, w, tmp_path / "p.json", tmp_path / "q.json", "--quiet"],
        env=env,
    )  # fmt: skip
    assert code == 0, err
    assert read_public(tmp_path / "q.json") == [33, 3]
