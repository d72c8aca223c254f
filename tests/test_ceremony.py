"""Powers of tau: zkats against snarkjs on the same files (power 8)."""

import numpy as np
import pytest

from _setup_peers import BEACON, POWER, ceremony_artifacts, snarkjs_ok
from zkats import bn254
from zkats.errors import VerificationError
from zkats.field import R
from zkats.formats import ptau
from zkats.groth16 import ceremony as cer, transcript as t

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


@pytest.mark.parametrize(
    "field,idx,width,match",
    [
        ("tau_g1", 7, 8, "tauG1 section"),
        ("tau_g2", 3, 16, "tauG2 section"),
        ("alpha_tau_g1", 5, 8, "alphaTauG1"),
        ("beta_tau_g1", 0, 8, "betaTauG1"),
        ("lagrange_g1", 9, 8, "section 12"),
        ("lagrange_g2", 2, 16, "section 13"),
    ],
)
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
    pts = bn254.g1_fixed_base_array(
        t.G1_GEN,
        np.array(
            [
                [pow(tau, j, R), 0, 0, 0]
                if pow(tau, j, R) < 2**64
                else list(np.frombuffer(pow(tau, j, R).to_bytes(32, "little"), "<u8"))
                for j in range(n)
            ],
            dtype=np.uint64,
        ),
    )
    got = bn254.g1_ifft_array(pts, w)
    for i in range(n):
        li = sum(pow(w, (-i * j) % n, R) * pow(tau, j, R) for j in range(n)) * pow(n, -1, R) % R
        assert t.g1_from_lem(got[i].astype("<u8").tobytes()) == bn254.g1_mul(t.G1_GEN, li)


# ---------------------------------------------------------------------------
# circuit setup (zkey new) and phase 2
# ---------------------------------------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

from zkats.formats import zkey  # noqa: E402
from zkats.groth16 import generator, phase2  # noqa: E402


def _zkats(*args, check=True):
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and r.returncode != 0:
        raise AssertionError(f"zkats {' '.join(map(str, args))} failed: {r.stderr[-2000:]}")
    return r


@pytest.fixture(scope="module")
def dsl_r1cs(art):
    """A zkats DSL circuit (divmod) exported as .r1cs by the CLI."""
    _zkats("circuit", "compile", "divmod", "-o", art.dir)
    return art.dir / "divmod.r1cs"


def test_setup_byte_identical_to_snarkjs(art, tmp_path):
    out = tmp_path / "z0.zkey"
    generator.setup(art.r1cs, art.pot, out)
    assert out.read_bytes() == art.zkey0.read_bytes()


def test_setup_dsl_circuit_identical_and_verified(art, dsl_r1cs, tmp_path):
    s0 = tmp_path / "s0.zkey"
    ok, log = snarkjs_ok(art, "groth16", "setup", dsl_r1cs, art.pot, s0)
    assert ok and s0.exists(), log
    z0 = tmp_path / "z0.zkey"
    _zkats("groth16", "setup", dsl_r1cs, art.pot, z0, "-q")
    assert z0.read_bytes() == s0.read_bytes()
    z1 = tmp_path / "z1.zkey"
    _zkats("zkey", "contribute", z0, z1, "--name=zk", "-e=x", "-q")
    ok, log = snarkjs_ok(art, "zkey", "verify", dsl_r1cs, art.pot, z1)
    assert ok and "ZKey Ok" in log, log[-1500:]
    r = _zkats("zkey", "verify", dsl_r1cs, art.pot, z1)
    assert "ZKey OK" in r.stdout


def test_snarkjs_verifies_zkats_phase2(art, tmp_path):
    zk = zkey.read_zkey(art.zkey0)
    z1, _ = phase2.contribute(zk, name="zkats")
    z2, _ = phase2.beacon(z1, bytes.fromhex(BEACON), 10, name="b")
    out = tmp_path / "z2.zkey"
    zkey.write_zkey(out, z2)
    ok, log = snarkjs_ok(art, "zkey", "verify", art.r1cs, art.pot, out)
    assert ok and "ZKey Ok" in log, log[-1500:]
    assert len(phase2.verify(art.r1cs, art.pot, out)) == 2
    vk_z, vk_s = tmp_path / "vk_z.json", tmp_path / "vk_s.json"
    _zkats("zkey", "export", "verificationkey", out, vk_z)
    ok, log = snarkjs_ok(art, "zkey", "export", "verificationkey", out, vk_s)
    assert ok and vk_z.read_bytes() == vk_s.read_bytes()


def test_zkats_verifies_snarkjs_phase2_and_beacon_identical(art, tmp_path):
    lines = phase2.verify(art.r1cs, art.pot, art.zkey2)
    assert len(lines) == 2 and "beacon" in lines[1]
    b, _ = phase2.beacon(zkey.read_zkey(art.zkey1), bytes.fromhex(BEACON), 10, name="zkey beacon")
    out = tmp_path / "b.zkey"
    zkey.write_zkey(out, b)
    assert out.read_bytes() == art.zkey2.read_bytes()


def test_zkey_verify_rejects(art, tmp_path):
    with pytest.raises(VerificationError, match="generator"):
        phase2.verify(art.r1cs, art.pot, art.zkey0)
    assert phase2.verify(art.r1cs, art.pot, art.zkey0, allow_no_contributions=True)[-1].startswith(
        "warning"
    )
    from zkats.formats.r1cs import read_r1cs

    init = generator.new_zkey(read_r1cs(art.r1cs), ptau.read_ptau(art.pot))
    good = zkey.read_zkey(art.zkey2)

    def bad(mutate, match):
        zk = zkey.read_zkey(art.zkey2)
        mutate(zk)
        with pytest.raises(VerificationError, match=match):
            phase2.verify_from_init(init, zk)

    def double_first(name):
        def f(zk):
            arr = np.array(getattr(zk, name), copy=True)
            p = t.g1_from_lem(arr[0].astype("<u8").tobytes())
            arr[0] = np.frombuffer(t.g1_to_lem(bn254.g1_double(p)), dtype="<u8")
            setattr(zk, name, arr)

        return f

    bad(double_first("C"), "L \\(C\\) section")
    bad(double_first("H"), "H section")
    bad(double_first("A"), "A section")
    bad(lambda zk: setattr(zk, "delta_1", bn254.g1_double(zk.delta_1)), "delta1")
    bad(lambda zk: setattr(zk, "delta_2", bn254.g2_double(zk.delta_2)), "delta2")
    bad(
        lambda zk: zk.contributions.__setitem__(
            0, zk.contributions[0].replace(transcript=bytes(64))
        ),
        "transcript",
    )
    bad(lambda zk: setattr(zk, "cs_hash", bytes(64)), "transcript|csHash")
    assert phase2.verify_from_init(init, good)
    # a key made (and contributed to) for another circuit does not pass for this one
    with pytest.raises(VerificationError):
        phase2.verify_from_init(init, _other_circuit_key(art, tmp_path))


def _other_circuit_key(art, tmp_path):
    from zkats.formats.r1cs import read_r1cs

    src = tmp_path / "other.circom"
    src.write_text(
        "pragma circom 2.0.0;\ntemplate T() { signal input a; signal input b; signal output c; "
        "c <== a * b; }\ncomponent main {public [a]} = T();\n"
    )
    subprocess.run([art.circom, src, "--r1cs", "-o", tmp_path], check=True, capture_output=True)
    zk = generator.new_zkey(read_r1cs(tmp_path / "other.r1cs"), ptau.read_ptau(art.pot))
    return phase2.contribute(zk)[0]


def test_cli_ceremony_end_to_end(art, tmp_path):
    d = tmp_path
    _zkats("powersoftau", "new", "bn128", 5, d / "a.ptau", "-q")
    _zkats("powersoftau", "contribute", d / "a.ptau", d / "b.ptau", "-n=me", "-e=x", "-q")
    _zkats("powersoftau", "beacon", d / "b.ptau", d / "c.ptau", "ab" * 16, 10, "-q")
    _zkats("powersoftau", "prepare", "phase2", d / "c.ptau", d / "d.ptau", "-q")
    r = _zkats("powersoftau", "verify", d / "d.ptau", "-q")
    assert "Powers of Tau OK" in r.stdout and "#1: me" in r.stdout
    ok, log = snarkjs_ok(art, "powersoftau", "verify", d / "d.ptau")
    assert ok and "Powers of Tau Ok" in log, log[-1500:]
    _zkats("groth16", "setup", art.r1cs, d / "d.ptau", d / "k0.zkey", "-q")
    _zkats("zkey", "contribute", d / "k0.zkey", d / "k1.zkey", "-q")
    r = _zkats("zkey", "verify", art.r1cs, d / "d.ptau", d / "k1.zkey", "-q")
    assert "ZKey OK" in r.stdout
    r = _zkats("zkey", "verify", art.r1cs, d / "d.ptau", d / "k0.zkey", check=False)
    assert r.returncode == 1 and "generator" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = _zkats("powersoftau", "beacon", d / "b.ptau", d / "x.ptau", "zz", 10, check=False)
    assert r.returncode == 1 and "hexadecimal" in r.stderr
    r = _zkats("groth16", "setup", art.r1cs, d / "c.ptau", d / "k.zkey", check=False)
    assert r.returncode == 1 and "prepare" in r.stderr


def test_endomorphism_decompositions():
    import secrets

    for k in [0, 1, R - 1, bn254.GLV_LAMBDA, R // 2] + [secrets.randbelow(R) for _ in range(200)]:
        k1, k2 = bn254.glv_decompose(k)
        assert (k1 + k2 * bn254.GLV_LAMBDA - k) % R == 0
        assert abs(k1) < 2**128 and abs(k2) < 2**128
    p = bn254.g1_mul(t.G1_GEN, 12345)
    beta = bn254.g1_mul(p, bn254.GLV_LAMBDA)
    assert beta[1] == p[1] and beta[0] != p[0]  # phi(x, y) = (beta x, y)
    q2 = bn254.g2_mul(t.G2_GEN, 777)
    assert bn254.g2_mul(q2, bn254.PSI_LAMBDA) != q2
    assert R // bn254.PSI_LAMBDA < 2**128


@pytest.mark.parametrize("n", [2, 4, 16, 64])
def test_group_ifft_random_points_match_msm(n):
    # every output against an MSM with the inverse-DFT row as scalars (G1 and G2)
    import secrets

    w = cer.omega(n.bit_length() - 1)
    ks = [secrets.randbelow(R) for _ in range(n)]
    from zkats.field import ints_to_limbs

    g1 = bn254.g1_fixed_base_array(t.G1_GEN, ints_to_limbs(ks))
    g2 = bn254.g2_fixed_base_array(t.G2_GEN, ints_to_limbs(ks))
    out1, out2 = bn254.g1_ifft_array(g1, w), bn254.g2_ifft_array(g2, w)
    ninv = pow(n, -1, R)
    for i in (0, 1, n - 1):
        row = ints_to_limbs([pow(w, (-i * j) % n, R) * ninv % R for j in range(n)])
        assert t.g1_from_lem(out1[i].astype("<u8").tobytes()) == bn254.msm_g1_array(g1, row)
        assert t.g2_from_lem(out2[i].astype("<u8").tobytes()) == bn254.msm_g2_array(g2, row)


def test_zkats_key_proves_with_snarkjs(art, tmp_path):
    """End to end: a key made and contributed to by zkats proves with snarkjs,
    and snarkjs verifies the proof against zkats' exported verification key."""
    import json

    from _setup_peers import run

    d = tmp_path
    run([art.circom, ROOT_CIRCOM / "setup_demo.circom", "--wasm", "-o", d], d)
    (d / "in.json").write_text(json.dumps({"a": "3", "b": "5", "c": "7"}))
    run(
        [
            "node",
            d / "setup_demo_js" / "generate_witness.js",
            d / "setup_demo_js" / "setup_demo.wasm",
            d / "in.json",
            d / "w.wtns",
        ],
        d,
    )
    _zkats("groth16", "setup", art.r1cs, art.pot, d / "k0.zkey", "-q")
    _zkats("zkey", "contribute", d / "k0.zkey", d / "k1.zkey", "-e=t", "-q")
    _zkats("zkey", "export", "verificationkey", d / "k1.zkey", d / "vk.json")
    run(
        [
            art.snarkjs,
            "groth16",
            "prove",
            d / "k1.zkey",
            d / "w.wtns",
            d / "proof.json",
            d / "public.json",
        ],
        d,
    )
    ok, log = snarkjs_ok(
        art, "groth16", "verify", d / "vk.json", d / "public.json", d / "proof.json"
    )
    assert ok and "OK" in log, log[-1500:]


from conftest import ROOT as _ROOT  # noqa: E402

ROOT_CIRCOM = _ROOT / "tests" / "circom"
