import pytest

from zkats.circuit import compile_circuit
from zkats.circuits.multiplier import ProductChain
from zkats.field import R


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKATS_CACHE", str(tmp_path))
    return tmp_path


def test_cache_hit_equal(cache):
    a = compile_circuit(ProductChain(20))
    files = list(cache.glob("circuit-*.npz"))
    assert len(files) == 1
    b = compile_circuit(ProductChain(20))
    assert b is not a and b.hash == a.hash and b.n_constraints == 21
    assert b.solve({"x": 3}).public == [pow(3, 2**20, R)]
    # a different parameter is a different entry
    compile_circuit(ProductChain(21))
    assert len(list(cache.glob("circuit-*.npz"))) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_corrupt_cache_is_ignored(cache, damage):
    a = compile_circuit(ProductChain(12))
    (f,) = cache.glob("circuit-*.npz")
    data = bytearray(f.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"not a zip file at all")
    else:
        # flip a byte inside the stored column indices: the hash check catches it
        i = data.find(b"A_cols")
        assert i > 0
        data[i + 200] ^= 0xFF
    f.write_bytes(bytes(data))
    b = compile_circuit(ProductChain(12))
    assert b.hash == a.hash
    assert b.check(b.solve({"x": 5}))


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKATS_CACHE", "off")
    compile_circuit(ProductChain(4))
    assert not list(tmp_path.glob("*"))


_USER_CIRCUIT = """
from zkats.circuit import Circuit, Output, Private
from helper_{tag} import EXPONENT


class Power(Circuit):
    out = Output()
    x = Private()

    def define(self, api):
        y = self.x
        for _ in range(EXPONENT):
            y = api.mul(y, self.x)
        api.set_output(self.out, y)
"""


def _user_circuit(tmp_path, monkeypatch, tag):
    """A circuit in a file of its own, with a helper file beside it (a
    source of the cache key): editing the helper is a new version of it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / f"power_{tag}.py").write_text(_USER_CIRCUIT.format(tag=tag))
    (src / f"helper_{tag}.py").write_text("EXPONENT = 3\n")
    monkeypatch.syspath_prepend(str(src))
    import importlib

    return importlib.import_module(f"power_{tag}").Power, src / f"helper_{tag}.py"


def test_cache_keeps_the_newest_entry_per_circuit(cache, tmp_path, monkeypatch):
    """Each source edit keys every circuit anew (~77 MB per entry at production
    size): storing an entry deletes the older ones of the same circuit (class,
    parameters, size) and nothing else."""
    from zkats.circuit import cache as ccache

    Power, helper = _user_circuit(tmp_path, monkeypatch, "prune")
    compile_circuit(ProductChain(20))
    compile_circuit(ProductChain(21))
    first = compile_circuit(Power())
    entries = sorted(p.name for p in cache.glob("circuit-*.npz"))
    assert len(entries) == 3
    (power_v1,) = [e for e in entries if e.startswith("circuit-Power-ci-")]

    helper.write_text("EXPONENT = 3  # edited\n")  # same circuit, new sources
    second = compile_circuit(Power())
    assert second.hash == first.hash
    after = sorted(p.name for p in cache.glob("circuit-*.npz"))
    assert len(after) == 3 and power_v1 not in after
    (power_v2,) = [e for e in after if e.startswith("circuit-Power-ci-")]
    assert power_v2.rsplit("-", 1)[0] == power_v1.rsplit("-", 1)[0]  # same identity
    assert [e for e in after if "ProductChain" in e] == [e for e in entries if "ProductChain" in e]

    # the other size is another circuit: its entry lives beside the ci one
    monkeypatch.setattr(ccache, "SIZE", "production")
    compile_circuit(Power())
    names = sorted(p.name for p in cache.glob("circuit-Power-*.npz"))
    assert [n.split("-")[2] for n in names] == ["ci", "production"] and power_v2 in names

    # the cached entry is the one loaded (no recompilation, same circuit)
    monkeypatch.setattr(ccache, "SIZE", "ci")
    assert compile_circuit(Power()).hash == first.hash
    assert sorted(p.name for p in cache.glob("circuit-Power-*.npz")) == names


def test_prune_keeps_newest_and_drops_stale_leftovers(cache):
    import os
    import time

    from zkats.circuit import cache as ccache

    now = time.time()
    ident = "Transition-production-" + "a" * 16

    def entry(name, age):
        p = cache / name
        p.write_bytes(b"x")
        os.utime(p, (now - age, now - age))
        return p

    old = entry(f"circuit-{ident}-{'1' * 40}.npz", 300)
    new = entry(f"circuit-{ident}-{'2' * 40}.npz", 100)
    other = entry(f"circuit-Health-production-{'b' * 16}-{'3' * 40}.npz", 900)
    legacy_old = entry(f"circuit-{'c' * 40}.npz", 2 * 24 * 3600)
    legacy_new = entry(f"circuit-{'d' * 40}.npz", 60)
    tmp_old = entry(".tmp-abc.npz", 2 * 24 * 3600)
    unrelated = entry("notes.txt", 10 * 24 * 3600)
    deleted = ccache.prune(cache, now=now)
    assert sorted(deleted) == sorted([old, legacy_old, tmp_old])
    assert all(p.exists() for p in (new, other, legacy_new, unrelated))
    # the entry just written is kept whatever the clocks say
    entry(f"circuit-{ident}-{'1' * 40}.npz", 500)
    assert ccache.prune(cache, now=now, keep=old) == [new]
    assert old.exists()
