"""zkey interop on circomlib circuits compiled by the real circom2, both ways.

circom writes a constraint's terms in its own order (not sorted by
signal), may repeat a signal or write a zero coefficient; snarkjs copies
the terms into the zkey's coefficient section exactly as the ``.r1cs``
lists them and its ``zkey verify`` compares that section byte for byte.
So, for each circuit: ``groth16 setup`` by zkats and by snarkjs give the
same bytes, a zkats-contributed key passes ``snarkjs zkey verify`` and a
snarkjs-contributed key passes ``zkats zkey verify``.  The SHA-256 circuit
(domain 2^15, on a 2^16 ptau) is in the slow set.
"""

import numpy as np
import pytest

from _circomlib import compiled, dev_ptau, snarkjs, zkats
from zkats.formats import zkey as zkf
from zkats.formats.r1cs import read_r1cs

pytestmark = pytest.mark.peers

CIRCUITS = [
    pytest.param(("circomlib_comparators", 14), id="comparators"),
    pytest.param(("circomlib_smt", 14), id="smt"),
    pytest.param(("circomlib_eddsa", 14), id="eddsa"),
    # domain 2^15 on a 2^16 ptau: on a ptau of exactly the domain's size
    # snarkjs' csHash reads one point past the tauG1 section (the known
    # divergence in zkats.groth16.generator), so the keys agree but not
    # their csHash
    pytest.param(("circomlib_sha256", 16), id="sha256", marks=pytest.mark.slow),
]


@pytest.fixture(scope="module", params=CIRCUITS)
def case(request, tmp_path_factory):
    name, power = request.param
    c = compiled(name, tmp_path_factory)
    c.ptau = dev_ptau(power, tmp_path_factory)
    d = c.dir
    zkats("groth16", "setup", c.r1cs, c.ptau, d / "z0.zkey", "-q")
    snarkjs("groth16", "setup", c.r1cs, c.ptau, d / "s0.zkey")
    return c


def test_setup_byte_identical(case):
    d = case.dir
    z, s = (d / "z0.zkey").read_bytes(), (d / "s0.zkey").read_bytes()
    assert len(z) == len(s)
    assert z == s


def test_snarkjs_verifies_zkats_key(case):
    d = case.dir
    zkats("zkey", "contribute", d / "z0.zkey", d / "z1.zkey", "--name=zkats", "-e=x", "-q")
    r = snarkjs("zkey", "verify", case.r1cs, case.ptau, d / "z1.zkey", check=False)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "ZKey Ok!" in out, out[-2000:]


def test_zkats_verifies_snarkjs_key(case):
    d = case.dir
    snarkjs("zkey", "contribute", d / "s0.zkey", d / "s1.zkey", "--name=snarkjs", "-e=y")
    r = zkats("zkey", "verify", case.r1cs, case.ptau, d / "s1.zkey", check=False)
    assert r.returncode == 0, r.stderr
    assert "ZKey OK" in r.stdout


def test_circom_lists_terms_unsorted(tmp_path_factory):
    """The EdDSA circuit is one where circom's term order is not zkats'
    normalized order (what made the coefficient sections differ)."""
    r1cs = read_r1cs(compiled("circomlib_eddsa", tmp_path_factory).r1cs)
    assert r1cs.ab_file_terms is not None
    A_file, _ = r1cs.ab_file_terms
    assert A_file.nnz >= r1cs.A.nnz


# --- zkats zkey verify compares what the prover uses -------------------------


def _shuffled_rows(coeffs):
    """The same entries with each (constraint, matrix) row's terms reversed."""
    c = np.array(coeffs, copy=True)
    key = c["constraint"].astype(np.int64) * 2 + c["matrix"]
    idx = np.arange(len(c))
    order = np.lexsort((-idx, key))
    return c[order]


def test_verify_accepts_reordered_terms_rejects_changed_value(tmp_path_factory, tmp_path):
    c = compiled("circomlib_comparators", tmp_path_factory)
    ptau = dev_ptau(14, tmp_path_factory)
    z1 = tmp_path / "z1.zkey"
    zkats("groth16", "setup", c.r1cs, ptau, tmp_path / "z0.zkey", "-q")
    zkats("zkey", "contribute", tmp_path / "z0.zkey", z1, "--name=a", "-e=b", "-q")
    zk = zkf.read_zkey(z1)

    reordered = tmp_path / "reordered.zkey"
    zk2 = zkf.read_zkey(z1)
    zk2.coeffs = _shuffled_rows(zk.coeffs)
    assert zk2.coeffs.tobytes() != zk.coeffs.tobytes()
    zkf.write_zkey(reordered, zk2)
    r = zkats("zkey", "verify", c.r1cs, ptau, reordered, check=False)
    assert r.returncode == 0, r.stderr

    changed = tmp_path / "changed.zkey"
    zk3 = zkf.read_zkey(z1)
    co = np.array(zk.coeffs, copy=True)
    co["value"][3] = np.frombuffer(zkf.coeff_value_to_file(5), dtype="<u8")
    zk3.coeffs = co
    zkf.write_zkey(changed, zk3)
    r = zkats("zkey", "verify", c.r1cs, ptau, changed, check=False)
    assert r.returncode == 1
    m, con, s = int(co["matrix"][3]), int(co["constraint"][3]), int(co["signal"][3])
    assert f"matrix {'AB'[m]}, constraint {con}, signal {s}" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_coeffs_differ_sums_repeats_and_drops_zeros():
    one, two, three = (np.frombuffer(zkf.coeff_value_to_file(v), dtype="<u8") for v in (1, 2, 3))
    a = np.zeros(2, dtype=zkf.COEF_DTYPE)
    a["constraint"], a["signal"] = [0, 0], [4, 5]
    a["value"][0], a["value"][1] = three, one
    b = np.zeros(4, dtype=zkf.COEF_DTYPE)
    b["constraint"], b["signal"] = [0, 0, 0, 0], [5, 4, 4, 6]
    b["value"][0], b["value"][1], b["value"][2] = one, one, two  # b[3] is a zero
    assert zkf.coeffs_differ(a, b) is None
    b["value"][2] = one
    assert zkf.coeffs_differ(a, b) == "matrix A, constraint 0, signal 4"
