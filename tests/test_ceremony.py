"""Powers of tau: zkats against snarkjs on the same files (power 8)."""
import numpy as np
import pytest

from _setup_peers import BEACON, POWER, ceremony_artifacts, snarkjs_ok
from zkats import bn254
from zkats.errors import VerificationError
from zkats.field import R
from zkats.formats import ptau
from zkats.groth16 import ceremony as cer
from zkats.groth16 import transcript as t

pytestmark = pytest.mark.peers


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return ceremony_artifacts(tmp_path_factory)


def test_new_is_byte_identical(art, tmp_path):
    out = tmp_path / "new.ptau"
    ptau.write_ptau(out, cer.new_accumulator(POWER))
    assert out.read_bytes() == art.pot0.read_bytes()


def test_beacon_and_prepare_are_byte_identical(art, tmp_path):
    # both are deterministic, so zkats must produce snarkjs' exact bytes
    pt1 = ptau.read_ptau(art.pot1)
    b, _ = cer.beacon(pt1, bytes.fromhex(BEACON), 10, name="final beacon")
    out = tmp_path / "b.ptau"
    ptau.write_ptau(out, b)
    assert out.read_bytes() == art.pot2.read_bytes()
    prep = cer.prepare_phase2(ptau.read_ptau(art.pot2))
    out2 = tmp_path / "f.ptau"
    ptau.write_ptau(out2, prep)
    assert out2.read_bytes() == art.pot.read_bytes()


def test_zkats_verifies_snarkjs_ptau(art):
    lines = cer.verify(ptau.read_ptau(art.pot))
    assert len(lines) == 2 and "beacon" in lines[1]


def test_snarkjs_verifies_zkats_contribution(art, tmp_path):
    pt = ptau.read_ptau(art.pot2)
    c1, _ = cer.contribute(pt, name="zkats one", entropy="x")
    c2, _ = cer.contribute(c1, name="zkats two")
    prep = cer.prepare_phase2(c2)
    out = tmp_path / "z.ptau"
    ptau.write_ptau(out, prep)
    ok, log = snarkjs_ok(art, "powersoftau", "verify", out)
    assert ok and "Powers of Tau Ok" in log, log[-1500:]
    assert len(cer.verify(ptau.read_ptau(out))) == 4
    # two contributions from the same input differ (fresh secrets)
    c1b, _ = cer.contribute(pt, name="zkats one", entropy="x")
    assert not np.array_equal(c1.tau_g1, c1b.tau_g1)


def test_contribution_chain_from_scratch(tmp_path):
    pt = cer.new_accumulator(3)
    with pytest.raises(VerificationError, match="no contribution"):
        cer.verify(pt)
    pt, _ = cer.contribute(pt, name="a")
    pt, _ = cer.beacon(pt, b"\x01" * 32, 10, name="b")
    lines = cer.verify(cer.prepare_phase2(pt))
    assert len(lines) == 2


def _tampered(pt, field, idx, width):
    arr = np.array(getattr(pt, field), copy=True)
    # replace a point by its double: still on the curve, wrong power
    if width == 8:
        p = t.g1_from_lem(arr[idx].astype("<u8").tobytes())
        arr[idx] = np.frombuffer(t.g1_to_lem(bn254.g1_double(p)), dtype="<u8")
    else:
        p = t.g2_from_lem(arr[idx].astype("<u8").tobytes())
        arr[idx] = np.frombuffer(t.g2_to_lem(bn254.g2_double(p)), dtype="<u8")
    return arr


@pytest.mark.parametrize("field,idx,width,match", [
    ("tau_g1", 7, 8, "tauG1 section"),
    ("tau_g2", 3, 16, "tauG2 section"),
    ("alpha_tau_g1", 5, 8, "alphaTauG1"),
    ("beta_tau_g1", 0, 8, "betaTauG1"),
    ("lagrange_g1", 9, 8, "section 12"),
    ("lagrange_g2", 2, 16, "section 13"),
])
def test_tampered_sections_rejected(art, field, idx, width, match):
    pt = ptau.read_ptau(art.pot)
    setattr(pt, field, _tampered(pt, field, idx, width))
    with pytest.raises(VerificationError, match=match):
        cer.verify(pt)


def test_tampered_contribution_rejected(art):
    pt = ptau.read_ptau(art.pot)
    pt.contributions[0].key["alpha_g1_sx"] = bn254.g1_double(pt.contributions[0].key["alpha_g1_sx"])
    with pytest.raises(VerificationError, match="contribution #1"):
        cer.verify(pt)
    pt = ptau.read_ptau(art.pot)
    pt.contributions[1].beacon_hash = b"\x02" * 32
    with pytest.raises(VerificationError, match="beacon"):
        cer.verify(pt)
    pt = ptau.read_ptau(art.pot)
    pt.contributions[1].next_challenge = bytes(64)
    with pytest.raises(VerificationError, match="next challenge"):
        cer.verify(pt)


def test_group_ifft_matches_plain_ints():
    # L_i(tau) G from [tau^j] G, checked against Lagrange polynomials evaluated with ints
    tau = 123456789
    n = 8
    w = cer.omega(3)
    pts = bn254.g1_fixed_base_array(t.G1_GEN, np.array([[pow(tau, j, R), 0, 0, 0] if pow(tau, j, R) < 2**64 else
                                                         list(np.frombuffer(pow(tau, j, R).to_bytes(32, "little"), "<u8"))
                                                         for j in range(n)], dtype=np.uint64))
    got = bn254.g1_ifft_array(pts, w)
    for i in range(n):
        li = sum(pow(w, (-i * j) % n, R) * pow(tau, j, R) for j in range(n)) * pow(n, -1, R) % R
        assert t.g1_from_lem(got[i].astype("<u8").tobytes()) == bn254.g1_mul(t.G1_GEN, li)
