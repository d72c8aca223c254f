"""The shared development-key cache (zkats.groth16.devsetup): made once,
reused, atomic, safe for concurrent processes; keys verify real proofs."""
import multiprocessing as mp

from circuit_helpers import gadget_circuit
from zkats.groth16 import devsetup


def _cube():
    return gadget_circuit(lambda api, x: api.mul(api.mul(x[0], x[0]), x[0]), 1, name="Cube")


def _make(d, q):
    z, _, _ = devsetup.DevSetup(d, power=4).key("cube", _cube())
    q.put((str(z), z.read_bytes()))


def test_make_then_cached(tmp_path):
    from zkats.formats.snarkjs_json import read_verification_key
    from zkats.formats.zkey import read_zkey
    from zkats.groth16.prover import prove
    from zkats.groth16.verifier import verify
    dev = devsetup.DevSetup(tmp_path, power=4)
    cc = _cube()
    z, v, secs = dev.key("cube", cc)
    assert z.exists() and v.exists() and (tmp_path / "pot4_dev.ptau").exists()
    assert not list(tmp_path.glob("*.tmp"))
    w = cc.solve({"x": [3]})
    proof, public = prove(read_zkey(z), w.limbs(), check=True)
    assert [int(x) for x in public] == [27]
    assert verify(read_verification_key(v), public, proof)
    before = z.read_bytes()
    z2, v2, secs2 = devsetup.DevSetup(tmp_path, power=4).key("cube", cc)
    assert (z2, v2, secs2) == (z, v, 0.0) and z2.read_bytes() == before


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ZKATS_KEY_CACHE", str(tmp_path / "k"))
    monkeypatch.setenv("ZKATS_EVM_CACHE", str(tmp_path / "e"))
    assert devsetup.cache_dir() == tmp_path / "k"
    monkeypatch.delenv("ZKATS_KEY_CACHE")
    assert devsetup.cache_dir() == tmp_path / "e" / "devkeys"
    monkeypatch.delenv("ZKATS_EVM_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert devsetup.cache_dir() == tmp_path / "x" / "zkats" / "devkeys"


def test_concurrent_processes_make_one_key(tmp_path):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    ps = [ctx.Process(target=_make, args=(str(tmp_path), q)) for _ in range(2)]
    for p in ps:
        p.start()
    got = [q.get(timeout=120) for _ in ps]
    for p in ps:
        p.join(60)
        assert p.exitcode == 0
    # the lock makes the second process load the first one's key: same bytes
    assert got[0][0] == got[1][0] and got[0][1] == got[1][1]
    assert not list(tmp_path.glob("*.tmp"))
