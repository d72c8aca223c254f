"""The snarkjs verbs zkats adds (r1cs print / export json, wtns export json /
debug / check --sym, zkey export json / verifyfromr1cs / verifyfrominit,
info), their output compared with the real snarkjs on a circomlib circuit
compiled by circom2."""

import json
import re

import pytest

from _circomlib import compiled, dev_ptau, inputs, snarkjs, zkats

pytestmark = pytest.mark.peers

NAME = "circomlib_comparators"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def c(tmp_path_factory):
    c = compiled(NAME, tmp_path_factory)
    d = c.dir
    c.ptau = dev_ptau(14, tmp_path_factory)
    (d / "input.json").write_text(json.dumps(inputs(NAME)))
    zkats("wtns", "calculate", c.wasm, d / "input.json", d / "w.wtns")
    zkats("groth16", "setup", c.r1cs, c.ptau, d / "c0.zkey", "-q")
    zkats("zkey", "contribute", d / "c0.zkey", d / "c1.zkey", "-n=x", "-e=y", "-q")
    return c


def _snarkjs_log(r):
    """snarkjs' logger lines without the colour codes and the '[INFO] snarkJS: ' prefix."""
    out = []
    for ln in _ANSI.sub("", r.stdout).splitlines():
        m = re.match(r"\[INFO\]\s+snarkJS: (.*)$", ln)
        if m and not m.group(1).startswith("undefined: Loading"):
            out.append(m.group(1))
    return out


def test_r1cs_print_matches_snarkjs(c):
    theirs = _snarkjs_log(snarkjs("r1cs", "print", c.r1cs, c.sym))
    ours = zkats("r1cs", "print", c.r1cs, c.sym).stdout.splitlines()
    assert len(ours) > 50 and ours == theirs
    # the .sym next to the .r1cs is found without being named
    assert zkats("r1cs", "print", c.r1cs).stdout.splitlines() == theirs


def test_r1cs_export_json_matches_snarkjs(c, tmp_path):
    snarkjs("r1cs", "export", "json", c.r1cs, tmp_path / "s.json")
    zkats("r1cs", "export", "json", c.r1cs, tmp_path / "z.json")
    assert json.loads((tmp_path / "z.json").read_text()) == json.loads(
        (tmp_path / "s.json").read_text()
    )


def test_wtns_export_json_matches_snarkjs(c, tmp_path):
    snarkjs("wtns", "export", "json", c.dir / "w.wtns", tmp_path / "s.json")
    zkats("wtns", "export", "json", c.dir / "w.wtns", tmp_path / "z.json")
    assert (tmp_path / "z.json").read_text() == (tmp_path / "s.json").read_text()


def test_zkey_export_json_matches_snarkjs(c, tmp_path):
    snarkjs("zkey", "export", "json", c.dir / "c1.zkey", tmp_path / "s.json")
    zkats("zkey", "export", "json", c.dir / "c1.zkey", tmp_path / "z.json")
    theirs = json.loads((tmp_path / "s.json").read_text())
    ours = json.loads((tmp_path / "z.json").read_text())
    assert ours.keys() == theirs.keys()
    for k in theirs:
        assert ours[k] == theirs[k], k


def test_default_file_names(c, tmp_path):
    """snarkjs' defaults: witness.wtns -> witness.json, circuit_final.zkey ..."""
    (tmp_path / "witness.wtns").write_bytes((c.dir / "w.wtns").read_bytes())
    (tmp_path / "circuit_final.zkey").write_bytes((c.dir / "c1.zkey").read_bytes())
    (tmp_path / "circuit.r1cs").write_bytes(c.r1cs.read_bytes())
    zkats("wtns", "export", "json", cwd=tmp_path)
    assert json.loads((tmp_path / "witness.json").read_text())[0] == "1"
    zkats("zkey", "export", "json", cwd=tmp_path)
    assert json.loads((tmp_path / "circuit_final.zkey.json").read_text())["protocol"] == "groth16"
    assert "constraints" in zkats("info", cwd=tmp_path).stdout
    zkats("wtns", "check", cwd=tmp_path)


def test_zkey_verify_r1cs_and_init(c):
    d = c.dir
    for args in (
        ["verify", "r1cs", c.r1cs, c.ptau, d / "c1.zkey"],
        ["verifyfromr1cs", c.r1cs, c.ptau, d / "c1.zkey"],
        ["verify", "init", d / "c0.zkey", c.ptau, d / "c1.zkey"],
        ["verifyfrominit", d / "c0.zkey", c.ptau, d / "c1.zkey"],
    ):
        r = zkats("zkey", *args)
        assert "ZKey OK" in r.stdout
    # snarkjs accepts the same initial/final pair
    r = snarkjs("zkvi", d / "c0.zkey", c.ptau, d / "c1.zkey", check=False)  # zkey verify init
    assert "ZKey Ok!" in r.stdout + r.stderr
    # a final key whose circuit differs from the initial key's is refused
    from zkats.formats import zkey as zkf

    zk = zkf.read_zkey(d / "c1.zkey")
    co = zk.coeffs.copy()
    co["value"][0] = co["value"][1] if bytes(co["value"][0]) != bytes(co["value"][1]) else 0
    co["value"][0][0] ^= 1
    zk.coeffs = co
    zkf.write_zkey(d / "other1.zkey", zk)
    r = zkats("zkey", "verifyfrominit", d / "c0.zkey", c.ptau, d / "other1.zkey", check=False)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "coefficient section does not match" in r.stderr


def test_wtns_check_sym_names_the_failing_constraint(c, tmp_path):
    raw = bytearray((c.dir / "w.wtns").read_bytes())
    # change wire 1's value (main.lt, an output) to 2: its constraints fail
    off = len(raw) - 73 * 32 + 32
    raw[off : off + 32] = (2).to_bytes(32, "little")
    bad = tmp_path / "bad.wtns"
    bad.write_bytes(bytes(raw))
    r = zkats("wtns", "check", c.r1cs, bad, "--sym", c.sym, check=False)
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[-1]
    assert "is not satisfied: [ " in line and "main." in line and " != " in line
    r = zkats("wtns", "check", c.r1cs, bad, check=False)
    assert r.returncode == 1 and "constraint" in r.stderr
    # snarkjs agrees that it is wrong
    r = snarkjs("wtns", "check", c.r1cs, bad, check=False)
    assert "WITNESS IS NOT CORRECT" in r.stdout + r.stderr or r.returncode != 0


def test_wtns_debug(c, tmp_path):
    out = tmp_path / "w.wtns"
    r = zkats("wtns", "debug", c.wasm, c.dir / "input.json", out, c.sym, "--set", "--r1cs", c.r1cs)
    assert "main.a = 123456789" in r.stdout
    assert "OK:" in r.stdout
    assert out.read_bytes() == (c.dir / "w.wtns").read_bytes()


def test_info_on_each_kind(c, tmp_path):
    for f, kind in (
        (c.r1cs, "r1cs"),
        (c.dir / "c1.zkey", "zkey"),
        (c.ptau, "ptau"),
        (c.dir / "w.wtns", "wtns"),
        (c.wasm, "wasm"),
        (c.sym, "sym"),
    ):
        d = json.loads(zkats("info", f, "--json").stdout)
        assert d["type"].startswith(kind)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"nothing")
    r = zkats("info", junk, check=False)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1


def test_verbose_on_prove_and_verify(c, tmp_path):
    d = c.dir
    proof, public, vk = tmp_path / "proof.json", tmp_path / "public.json", tmp_path / "vk.json"
    zkats("groth16", "prove", "-v", d / "c1.zkey", d / "w.wtns", proof, public)
    zkats("zkey", "export", "verificationkey", d / "c1.zkey", vk)
    r = zkats("groth16", "verify", "-v", vk, public, proof)
    assert r.stdout.strip() == "OK" and "pairing check passed" in r.stderr
    r = snarkjs("groth16", "verify", "-v", vk, public, proof)
    assert "OK!" in r.stdout


@pytest.fixture(scope="module")
def small_ptau(tmp_path_factory):
    d = tmp_path_factory.mktemp("small_ptau")
    zkats("powersoftau", "new", "bn128", "3", d / "p0.ptau", "-q")
    zkats("powersoftau", "contribute", d / "p0.ptau", d / "p1.ptau", "-n=first", "-e=x", "-q")
    beacon = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
    zkats("powersoftau", "beacon", d / "p1.ptau", d / "p2.ptau", beacon, "10", "-n=b", "-q")
    zkats("powersoftau", "prepare", "phase2", d / "p2.ptau", d / "pot.ptau", "-q")
    return d


def test_ptau_export_json_matches_snarkjs(small_ptau, tmp_path):
    for f in ("p1.ptau", "pot.ptau"):
        snarkjs("powersoftau", "export", "json", small_ptau / f, tmp_path / "s.json", check=False)
        zkats("powersoftau", "export", "json", small_ptau / f, tmp_path / "z.json")
        ours = json.loads((tmp_path / "z.json").read_text())
        if f == "pot.ptau":
            theirs = json.loads((tmp_path / "s.json").read_text())
            assert ours == theirs
            assert [c.get("numIterationsExp") for c in ours["contributions"]] == [None, 10]
        else:  # snarkjs cannot export an unprepared ptau (no Lagrange sections); zkats can
            assert "lTauG1" not in ours and len(ours["tauG1"]) == 15


def test_ptau_truncate_byte_identical(small_ptau, tmp_path):
    for who in ("z", "s"):
        (tmp_path / f"{who}.ptau").write_bytes((small_ptau / "pot.ptau").read_bytes())
    r = zkats("powersoftau", "truncate", tmp_path / "z.ptau")
    assert r.stdout.split() == [str(tmp_path / f"z_{p:02d}.ptau") for p in (1, 2)]
    snarkjs("powersoftau", "truncate", tmp_path / "s.ptau")
    for p in (1, 2):
        z = (tmp_path / f"z_{p:02d}.ptau").read_bytes()
        assert z == (tmp_path / f"s_{p:02d}.ptau").read_bytes()
    r = snarkjs("powersoftau", "verify", tmp_path / "z_02.ptau", check=False)
    assert "Powers of Tau Ok!" in r.stdout + r.stderr
    # an unprepared ptau: one-line error
    r = zkats("powersoftau", "truncate", small_ptau / "p1.ptau", check=False)
    assert r.returncode == 1 and "not prepared for phase 2" in r.stderr


def test_ptau_export_challenge_byte_identical(small_ptau, tmp_path):
    for f in ("p0.ptau", "p1.ptau", "p2.ptau", "pot.ptau"):
        r = zkats("powersoftau", "export", "challenge", small_ptau / f, tmp_path / "z.ch")
        assert "New Challenge Hash: " in r.stdout
        snarkjs("powersoftau", "export", "challenge", small_ptau / f, tmp_path / "s.ch")
        assert (tmp_path / "z.ch").read_bytes() == (tmp_path / "s.ch").read_bytes(), f
