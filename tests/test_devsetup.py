"""The shared development-key cache (zkats.groth16.devsetup): made once,
reused, atomic, safe for concurrent processes; keys verify real proofs."""

import multiprocessing as mp
import os
import time

from zkats.groth16 import devsetup
from zkats.testing import gadget_circuit


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


def _pub_cube():
    from zkats.circuit import Circuit, Output, Public, compile_circuit

    class PubCube(Circuit):
        y = Output()
        x = Public()

        def define(self, api):
            api.set_output(self.y, api.add(api.mul(api.mul(self.x, self.x), self.x), 5))

    return compile_circuit(PubCube(), cache=False)


def test_cold_keys_come_from_one_known_tau_session(tmp_path):
    """No ptau cached: one session makes every key, then the ptau; each key
    is the one zkey verify derives from that ptau (so byte-identical to the
    generic setup before the contribution); a changed circuit later falls
    back to the generic setup on the cached ptau."""
    from zkats.formats.r1cs import write_r1cs
    from zkats.groth16 import phase2

    said = []
    dev = devsetup.DevSetup(tmp_path, power=5, progress=said.append)
    cube, pub = _cube(), _pub_cube()
    got = dev.keys([("cube", cube), ("pub", pub)])
    assert list(got) == ["cube", "pub"]
    assert sum("known tau" in m for m in said) == 2
    ptau = tmp_path / "pot5_dev.ptau"
    assert ptau.exists() and not list(tmp_path.glob("*.tmp"))
    for name, cc in (("cube", cube), ("pub", pub)):
        z, v, secs = got[name]
        assert z.exists() and v.exists() and secs > 0
        write_r1cs(tmp_path / f"{name}.r1cs", cc.r1cs)
        assert len(phase2.verify(tmp_path / f"{name}.r1cs", ptau, z)) == 1
    # all cached now: nothing made, same paths
    said.clear()
    again = devsetup.DevSetup(tmp_path, power=5, progress=said.append).keys(
        [("pub", pub), ("cube", cube)]
    )
    assert again == {
        "pub": (got["pub"][0], got["pub"][1], 0.0),
        "cube": (got["cube"][0], got["cube"][1], 0.0),
    }
    assert said == ["key pub: cached", "key cube: cached"]
    # a new circuit with the ptau cached: the generic setup (the secrets are gone)
    said.clear()
    sq = gadget_circuit(lambda api, x: api.mul(x[0], x[0]), 1, name="Square")
    z, _, _ = devsetup.DevSetup(tmp_path, power=5, progress=said.append).key("square", sq)
    assert not any("known tau" in m for m in said) and any("setup square" in m for m in said)
    write_r1cs(tmp_path / "sq.r1cs", sq.r1cs)
    assert len(phase2.verify(tmp_path / "sq.r1cs", ptau, z)) == 1


def test_a_given_ptau_uses_the_generic_setup(tmp_path):
    from zkats.groth16 import ceremony

    pt, _ = ceremony.dev_prepared_ptau(4, name="given")
    given = tmp_path / "given.ptau"
    ceremony.write(given, pt)
    said = []
    d = tmp_path / "cache"
    z, v, _ = devsetup.DevSetup(d, power=4, ptau=given, progress=said.append).key("cube", _cube())
    assert z.exists() and v.exists() and not (d / "pot4_dev.ptau").exists()
    assert not any("known tau" in m for m in said)


def _fake_key(d, stem, age, now):
    z, v = d / f"{stem}.zkey", d / f"{stem}.vkey.json"
    for p in (z, v):
        p.write_bytes(b"k")
        os.utime(p, (now - age, now - age))
    return z, v


def test_prune_keeps_the_recent_and_the_newest_of_each_circuit(tmp_path):
    now = 1_000_000_000.0
    day = devsetup.UNUSED_SECONDS
    newest = _fake_key(tmp_path, "transition-aaa", 3 * day, now)
    second = _fake_key(tmp_path, "transition-bbb", 4 * day, now)
    old = _fake_key(tmp_path, "transition-ccc", 5 * day, now)
    recent = [_fake_key(tmp_path, f"match-{h}", 60, now) for h in ("d", "e", "f")]
    stale_match = _fake_key(tmp_path, "match-g", 2 * day, now)
    tmp = tmp_path / "withdraw-x.zkey.123.tmp"
    tmp.write_bytes(b"t")
    os.utime(tmp, (now - 2 * day, now - 2 * day))
    ptau = tmp_path / "pot4_dev.ptau"
    ptau.write_bytes(b"p")
    os.utime(ptau, (now - 9 * day, now - 9 * day))
    removed = set(devsetup.prune(tmp_path, now=now))
    assert removed == {*old, *stale_match, tmp}
    for p in (*newest, *second, *[p for k in recent for p in k], ptau):
        assert p.exists()


def test_a_cache_hit_marks_the_key_used(tmp_path):
    dev = devsetup.DevSetup(tmp_path, power=4)
    z, v, _ = dev.key("cube", _cube())
    os.utime(z, (1.0, 1.0))
    dev.key("cube", _cube())
    assert z.stat().st_mtime > 1.0
    # a new key prunes the cache: a week-old, unused key of the same circuit
    # beyond the newest two goes
    for stem, days in (("cube-old1", 6), ("cube-old2", 7)):
        _fake_key(tmp_path, stem, days * devsetup.UNUSED_SECONDS, time.time())
    sq = gadget_circuit(lambda api, x: api.mul(x[0], x[0]), 1, name="Square")
    dev.key("square", sq)
    assert z.exists() and (tmp_path / "cube-old1.zkey").exists()
    assert not (tmp_path / "cube-old2.zkey").exists()
