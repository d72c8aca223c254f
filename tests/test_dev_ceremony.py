"""The known-tau development path (zkats.groth16.dev_ceremony): the
session's initial keys are byte-identical to ``new_zkey`` on the session's
ptau (tiny circuit, public inputs and outputs, Poseidon's full-size
coefficients), survive a contribution and ``zkey verify`` (zkats' and
snarkjs'), and the secrets are gone when the session closes."""

import subprocess
import sys

import pytest

from conftest import ROOT, require_peer
from zkats.circuit import Circuit, Output, Private, Public, compile_circuit
from zkats.errors import InputError
from zkats.formats import ptau as ptf
from zkats.formats.r1cs import write_r1cs
from zkats.formats.zkey import write_zkey
from zkats.gadgets.poseidon_hash import poseidon
from zkats.groth16 import ceremony, phase2, transcript as tr
from zkats.groth16.dev_ceremony import DevCeremony
from zkats.groth16.generator import circuit_power, new_zkey
from zkats.testing import gadget_circuit

POWER = 12


class PubIO(Circuit):
    """Public inputs and outputs, a private input, an unused public wire."""

    s = Output()
    p = Output()
    a = Public()
    b = Public()
    unused = Public()
    x = Private()

    def define(self, api):
        api.set_output(self.s, api.add(api.mul(self.a, self.x), self.b))
        api.set_output(self.p, api.mul(api.mul(self.a, self.b), 7))


def _cube():
    return gadget_circuit(lambda api, x: api.mul(api.mul(x[0], x[0]), x[0]), 1, name="Cube")


def _poseidon_chain():
    def fn(api, x):
        h = x[0]
        for i in range(4):
            h = poseidon(api, [h, x[1 + i % 2]])
        return h

    return gadget_circuit(fn, 3, name="PoseidonChain")


CIRCUITS = {
    "cube": _cube,
    "pubio": lambda: compile_circuit(PubIO(), cache=False),
    "poseidon": _poseidon_chain,
}


@pytest.fixture(scope="module")
def compiled():
    return {name: make() for name, make in CIRCUITS.items()}


@pytest.fixture(scope="module")
def session_keys(compiled):
    """One power-12 session: its ptau and each circuit's known-tau key."""
    with DevCeremony(POWER, name="test session") as s:
        keys = {name: s.zkey(cc.r1cs) for name, cc in compiled.items()}
    return s.ptau, keys


def _bytes(tmp_path, name, zk):
    p = tmp_path / f"{name}.zkey"
    write_zkey(p, zk)
    return p.read_bytes()


@pytest.mark.parametrize("name", list(CIRCUITS))
def test_known_tau_key_is_byte_identical_to_new_zkey(name, compiled, session_keys, tmp_path):
    pt, keys = session_keys
    r1cs = compiled[name].r1cs
    if name == "poseidon":  # full-size coefficients on a 2^10..2^12 domain
        assert 10 <= circuit_power(r1cs.n_constraints, r1cs.n_pub_in + r1cs.n_pub_out) <= POWER
        assert r1cs.A.nnz + r1cs.B.nnz + r1cs.C.nnz > 1000
    if name == "pubio":
        assert r1cs.n_pub_in == 3 and r1cs.n_pub_out == 2
    assert _bytes(tmp_path, "known", keys[name]) == _bytes(tmp_path, "generic", new_zkey(r1cs, pt))


def test_session_ptau_is_the_dev_ceremony_file(tmp_path):
    """Same rng: the session writes dev_prepared_ptau's bytes and response hash."""
    rng = lambda: tr.ChaCha.from_hash(b"\x07" * 64)  # noqa: E731
    with DevCeremony(5, name="dev", _rng=rng()) as s:
        pass
    ref, h = ceremony._dev_prepared_ptau_with_rng(5, rng(), "dev")
    a, b = tmp_path / "a.ptau", tmp_path / "b.ptau"
    ptf.write_ptau(a, s.ptau)
    ptf.write_ptau(b, ref)
    assert a.read_bytes() == b.read_bytes() and s.response_hash == h


def _values(obj, depth=0):
    """Every int reachable from obj's attributes (tuples, lists, dicts)."""
    if isinstance(obj, bool):
        return
    if isinstance(obj, int):
        yield obj
    elif depth < 4 and isinstance(obj, (list, tuple, set)):
        for v in obj:
            yield from _values(v, depth + 1)
    elif depth < 4 and isinstance(obj, dict):
        for v in obj.values():
            yield from _values(v, depth + 1)
    elif depth == 0:
        yield from _values(vars(obj), depth + 1)


def test_secrets_are_dropped_when_the_session_ends(compiled):
    seed = b"\x09" * 64
    prv, _ = ceremony._create_key(ceremony.first_challenge_hash(3), tr.ChaCha.from_hash(seed))
    secret = {prv["tau"], prv["alpha"], prv["beta"]}
    s = DevCeremony(3, name="x", _rng=tr.ChaCha.from_hash(seed))
    with s:
        assert s.open and secret <= set(_values(s))  # the test finds them while open
    assert not s.open and not secret & set(_values(s))
    assert not any(k.startswith("_secret") for k in vars(s))
    with pytest.raises(InputError, match="closed"):
        s.zkey(compiled["cube"].r1cs)
    # also when the block raises
    s2 = DevCeremony(3, name="x", _rng=tr.ChaCha.from_hash(seed))
    with pytest.raises(RuntimeError):
        with s2:
            raise RuntimeError("boom")
    assert not s2.open and not secret & set(_values(s2))


def test_too_big_circuit_is_refused(compiled):
    with DevCeremony(2, name="x") as s:
        with pytest.raises(InputError, match="too big"):
            s.zkey(compiled["poseidon"].r1cs)


def _contributed(tmp_path, compiled, session_keys, name):
    pt, keys = session_keys
    zk, _ = phase2.contribute(keys[name], name="after known tau")
    d = tmp_path / name
    d.mkdir()
    write_r1cs(d / "c.r1cs", compiled[name].r1cs)
    ptf.write_ptau(d / "p.ptau", pt)
    write_zkey(d / "k.zkey", zk)
    return d / "c.r1cs", d / "p.ptau", d / "k.zkey"


def test_zkats_zkey_verify_accepts_a_known_tau_key(tmp_path, compiled, session_keys):
    files = _contributed(tmp_path, compiled, session_keys, "pubio")
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "zkey", "verify", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0 and "ZKey OK" in r.stdout, r.stderr[-1500:]


@pytest.mark.peers
def test_snarkjs_zkey_verify_accepts_a_known_tau_key(tmp_path, compiled, session_keys):
    snarkjs = require_peer("snarkjs")
    files = _contributed(tmp_path, compiled, session_keys, "poseidon")
    r = subprocess.run(
        [snarkjs, "zkey", "verify", *map(str, files)], capture_output=True, text=True, timeout=600
    )
    log = r.stdout + r.stderr
    assert r.returncode == 0 and "ZKey Ok" in log and "ERROR" not in log, log[-1500:]
