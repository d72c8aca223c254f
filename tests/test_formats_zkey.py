"""Reading and writing snarkjs' Groth16 .zkey files: round trips, values, malformed files."""

import struct

import numpy as np
import pytest

from _setup_peers import ceremony_artifacts
from zkats.errors import FormatError
from zkats.field import Q, R
from zkats.formats import zkey
from zkats.formats.ptau import BinFile
from zkats.groth16 import transcript as t

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return ceremony_artifacts(tmp_path_factory)


@pytest.mark.parametrize("name", ["zkey0", "zkey1", "zkey2"])
def test_round_trip_byte_identical(art, tmp_path, name):
    src = getattr(art, name)
    zk = zkey.read_zkey(src, check="full")
    out = tmp_path / "rt.zkey"
    zkey.write_zkey(out, zk)
    assert out.read_bytes() == src.read_bytes()


def test_values(art):
    zk0 = zkey.read_zkey(art.zkey0)
    assert zk0.section_order == (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
    assert zk0.n_public == 3 and zk0.domain_size == 32 and zk0.power == 5
    assert zk0.delta_1 == t.G1_GEN and zk0.delta_2 == t.G2_GEN and zk0.gamma_2 == t.G2_GEN
    assert zk0.contributions == []
    assert zk0.A.shape == (zk0.n_vars, 8) and zk0.B2.shape == (zk0.n_vars, 16)
    assert zk0.C.shape == (zk0.n_vars - 4, 8) and zk0.H.shape == (32, 8)
    assert set(np.unique(zk0.coeffs["matrix"])) <= {0, 1}
    # the public-input rows: A gets coefficient 1 for signals 0..nPublic
    vals = zk0.coeff_values()
    tail = zk0.coeffs[-(zk0.n_public + 1) :]
    assert list(tail["signal"]) == list(range(zk0.n_public + 1))
    assert vals[-(zk0.n_public + 1) :] == [1] * (zk0.n_public + 1)
    assert (
        zkey.coeff_value_to_file(vals[0])
        == np.ascontiguousarray(zk0.coeffs["value"][0]).astype("<u8").tobytes()
    )
    zk2 = zkey.read_zkey(art.zkey2)
    assert len(zk2.contributions) == 2
    assert zk2.contributions[0].name == b"alice" and zk2.contributions[1].type == 1
    assert zk2.contributions[1].num_iterations_exp == 10
    assert zk2.delta_1 == zk2.contributions[-1].delta_after
    vk = zk2.verifying_key()
    assert vk.n_public == 3 and vk.alpha_1 == zk2.alpha_1 and vk.delta_2 == zk2.delta_2


def _bad(tmp_path, data, match, section=None):
    p = tmp_path / "bad.zkey"
    p.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=match) as ei:
        zkey.read_zkey(p, check="full")
    if section is not None:
        assert ei.value.section == section
    return ei.value


def test_malformed(art, tmp_path):
    good = bytearray(art.zkey1.read_bytes())
    bf = BinFile(art.zkey1, b"zkey")
    _bad(tmp_path, good[:-1], "runs past|trailing|size")
    bad = bytearray(good)
    bad[:4] = b"ptau"
    _bad(tmp_path, bad, "wrong magic")
    bad = bytearray(good)
    bad[4:8] = struct.pack("<I", 7)
    _bad(tmp_path, bad, "version")
    bad = bytearray(good)
    bad[8:12] = struct.pack("<I", 0xFFFFFFFF)
    _bad(tmp_path, bad, "section count")
    off1, _ = bf.unique(1)
    bad = bytearray(good)
    bad[off1 : off1 + 4] = struct.pack("<I", 2)
    _bad(tmp_path, bad, "not groth16", 1)
    off2, _ = bf.unique(2)
    bad = bytearray(good)
    bad[off2 + 36 + 4] ^= 1
    _bad(tmp_path, bad, "primes", 2)
    bad = bytearray(good)
    bad[off2 + 80 : off2 + 84] = struct.pack("<I", 48)
    _bad(tmp_path, bad, "power of two", 2)
    bad = bytearray(good)
    bad[off2 + 76 : off2 + 80] = struct.pack("<I", 10**6)
    _bad(tmp_path, bad, "nPublic", 2)
    # alpha1.y + 1: off the curve
    p = off2 + 84 + 32
    y = int.from_bytes(good[p : p + 32], "little")
    bad = bytearray(good)
    bad[p : p + 32] = ((y + (1 << 256) % Q) % Q).to_bytes(32, "little")
    _bad(tmp_path, bad, "verifying-key G1 point 0", 2)
    # coefficient signal out of range, value >= r
    off4, _ = bf.unique(4)
    bad = bytearray(good)
    bad[off4 + 4 + 8 : off4 + 4 + 12] = struct.pack("<I", 10**6)
    _bad(tmp_path, bad, "coefficient 0 out of range", 4)
    bad = bytearray(good)
    bad[off4 + 4 + 44 + 12 : off4 + 4 + 88] = R.to_bytes(32, "little")
    _bad(tmp_path, bad, "coefficient 1 has a value >= r", 4)
    # an H point with a coordinate >= q (caught with check="full")
    off9, _ = bf.unique(9)
    bad = bytearray(good)
    bad[off9 + 64 : off9 + 96] = (Q + 5).to_bytes(32, "little")
    _bad(tmp_path, bad, "point 1", 9)
    # a B2 point off the curve
    off7, _ = bf.unique(7)
    bad = bytearray(good)
    bad[off7 + 128 + 5] ^= 1
    _bad(tmp_path, bad, "point 1", 7)
    # a contribution point off the curve
    off10, _ = bf.unique(10)
    bad = bytearray(good)
    bad[off10 + 68 + 64 + 3] ^= 1
    _bad(tmp_path, bad, "contribution point", 10)
