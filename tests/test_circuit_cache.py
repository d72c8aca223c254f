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
