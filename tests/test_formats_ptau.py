"""Reading and writing snarkjs' .ptau files: round trips, values, malformed files."""

import struct

import numpy as np
import pytest

from _setup_peers import ceremony_artifacts
from zkats.errors import FormatError
from zkats.field import Q
from zkats.formats import ptau
from zkats.groth16 import transcript as t

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return ceremony_artifacts(tmp_path_factory)


def _mont_int(x):
    return (x << 256) % Q


@pytest.mark.parametrize("name", ["pot0", "pot1", "pot2", "pot"])
def test_round_trip_byte_identical(art, tmp_path, name):
    src = getattr(art, name)
    pt = ptau.read_ptau(src)
    out = tmp_path / "rt.ptau"
    ptau.write_ptau(out, pt)
    assert out.read_bytes() == src.read_bytes()


def test_values(art):
    pt0 = ptau.read_ptau(art.pot0)
    assert pt0.power == 8 and pt0.ceremony_power == 8 and not pt0.prepared
    assert pt0.contributions == []
    assert pt0.tau_g1.shape == (511, 8) and pt0.tau_g2.shape == (256, 16)
    # a fresh accumulator holds the generators everywhere
    g1 = np.frombuffer(t.g1_to_lem(t.G1_GEN), dtype="<u8")
    assert (pt0.tau_g1 == g1).all() and (pt0.alpha_tau_g1 == g1).all()
    pt = ptau.read_ptau(art.pot)
    assert pt.prepared and len(pt.contributions) == 2
    c1, c2 = pt.contributions
    assert c1.name == b"first" and c1.type == 0
    assert (
        c2.type == 1
        and c2.num_iterations_exp == 10
        and c2.beacon_hash.hex()
        == "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
    )
    # the last contribution's tau*G1 is the second point of the section
    assert t.g1_from_lem(pt.tau_g1[1].astype("<u8").tobytes()) == c2.tau_g1
    assert pt.lagrange(12, 0).shape == (1, 8) and pt.lagrange(12, 9).shape == (512, 8)
    assert pt.lagrange(13, 8).shape == (256, 16)
    with pytest.raises(FormatError):
        pt.lagrange(13, 9)
    # L_0 of the size-1 domain is the generator
    assert t.g1_from_lem(pt.lagrange(12, 0)[0].astype("<u8").tobytes()) == t.G1_GEN


def _section(path, sid):
    bf = ptau.BinFile(path, b"ptau")
    return bf.unique(sid)


def _expect_error(tmp_path, data, match, section=None):
    p = tmp_path / "bad.ptau"
    p.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=match) as ei:
        ptau.read_ptau(p)
    if section is not None:
        assert ei.value.section == section
    assert str(p) in str(ei.value)
    return ei.value


def test_malformed(art, tmp_path):
    good = bytearray(art.pot1.read_bytes())
    _expect_error(tmp_path, good[: len(good) - 10], "runs past the end|trailing|size")
    _expect_error(tmp_path, good[:8], "too short")
    bad = bytearray(good)
    bad[0:4] = b"zkey"
    _expect_error(tmp_path, bad, "wrong magic")
    bad = bytearray(good)
    bad[4:8] = struct.pack("<I", 2)
    _expect_error(tmp_path, bad, "unsupported version")
    bad = bytearray(good)
    bad[8:12] = struct.pack("<I", 10**6)
    _expect_error(tmp_path, bad, "section count")
    bad = bytearray(good) + b"\0"
    _expect_error(tmp_path, bad, "trailing")
    # header: wrong power (section sizes no longer match)
    off, _ = _section(art.pot1, 1)
    bad = bytearray(good)
    bad[off + 36 : off + 40] = struct.pack("<I", 7)
    _expect_error(tmp_path, bad, "expected", section=2)
    bad = bytearray(good)
    bad[off + 4] ^= 1
    _expect_error(tmp_path, bad, "prime q", section=1)


def test_bad_points(art, tmp_path):
    good = bytearray(art.pot1.read_bytes())
    off, _ = _section(art.pot1, 2)
    # point 5 of tauG1 moved off the curve (y + 1)
    p = off + 5 * 64 + 32
    y = int.from_bytes(good[p : p + 32], "little")
    bad = bytearray(good)
    bad[p : p + 32] = ((y + _mont_int(1)) % Q).to_bytes(32, "little")
    _expect_error(tmp_path, bad, "point 5", section=2)
    # a coordinate >= q
    bad = bytearray(good)
    bad[off + 64 : off + 96] = (Q + 1).to_bytes(32, "little")
    _expect_error(tmp_path, bad, "point 1", section=2)
    # a G2 point on the twist but outside the subgroup
    off3, _ = _section(art.pot1, 3)
    x = (1, 0)
    while True:
        x = (x[0] + 1, 0)
        x3 = t._f2mul(t._f2mul(x, x), x)
        rhs = ((x3[0] + t._B2[0]) % Q, (x3[1] + t._B2[1]) % Q)
        if t._f2_is_square(rhs):
            break
    pt = (x, t._f2_sqrt(rhs))
    bad = bytearray(good)
    bad[off3 + 3 * 128 : off3 + 4 * 128] = t.g2_to_lem(pt)
    _expect_error(tmp_path, bad, "point 3", section=3)
    # a contribution point off the curve
    off7, _ = _section(art.pot1, 7)
    bad = bytearray(good)
    bad[off7 + 4 + 32] ^= 1
    _expect_error(tmp_path, bad, "contribution point", section=7)
    # contribution count larger than the section
    bad = bytearray(good)
    bad[off7 : off7 + 4] = struct.pack("<I", 1000)
    _expect_error(tmp_path, bad, "do not fit", section=7)


def test_partial_phase2_sections(art, tmp_path):
    pt = ptau.read_ptau(art.pot)
    pt.lagrange_g2 = None
    out = tmp_path / "x.ptau"
    pt.lagrange_alpha_g1 = pt.lagrange_beta_g1 = None
    pt.lagrange_g1 = None
    ptau.write_ptau(out, pt)
    assert not ptau.read_ptau(out).prepared


def test_only_some_phase2_sections_rejected(art, tmp_path):
    pt = ptau.read_ptau(art.pot)
    out = tmp_path / "half.ptau"
    with ptau.BinWriter(out, b"ptau", 8) as w:
        w.section(1, ptau.header_bytes(pt.power, pt.ceremony_power))
        for sid, arr in (
            (2, pt.tau_g1),
            (3, pt.tau_g2),
            (4, pt.alpha_tau_g1),
            (5, pt.beta_tau_g1),
            (6, pt.beta_g2),
        ):
            w.section(sid, arr)
        w.section(7, ptau.contributions_bytes(pt.contributions))
        w.section(12, pt.lagrange_g1)
    with pytest.raises(FormatError, match="only part"):
        ptau.read_ptau(out)
