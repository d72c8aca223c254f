"""Phase-1 contributions through challenge/response files, against the
real snarkjs both ways: ``zkats powersoftau export challenge`` ->
``snarkjs powersoftau challenge contribute`` -> ``zkats powersoftau import
response`` (byte-identical to snarkjs' import, accepted by both
verifiers), and ``snarkjs powersoftau export challenge`` -> ``zkats
powersoftau challenge contribute`` -> ``snarkjs powersoftau import
response``.  Responses that do not answer the file's challenge are refused
in one line and nothing is written.  Also the native point decoders the
import rests on."""

import secrets

import numpy as np
import pytest

from _circomlib import snarkjs, zkats
from zkats import bn254
from zkats.field import Q
from zkats.groth16 import transcript as tr

# ---------------------------------------------------------------------------
# the native decoders (compressed and uncompressed snarkjs encodings)
# ---------------------------------------------------------------------------


def _g1s(n):
    pts = [tr.g1_mul(tr.G1_GEN, secrets.randbelow(Q)) for _ in range(n)]
    rows = [np.frombuffer(tr.g1_to_lem(p), dtype="<u8") for p in pts + [None]]
    return np.vstack(rows).astype(np.uint64)


def _g2s(n):
    pts = [tr.g2_mul(tr.G2_GEN, secrets.randbelow(Q)) for _ in range(n)]
    rows = [np.frombuffer(tr.g2_to_lem(p), dtype="<u8") for p in pts + [None]]
    return np.vstack(rows).astype(np.uint64)


def test_decoders_invert_the_encoders():
    g1, g2 = _g1s(1500), _g2s(200)  # more than one thread's grain
    for enc, dec, arr in (
        (bn254.g1_lem_to_compressed, bn254.g1_compressed_to_lem, g1),
        (bn254.g2_lem_to_compressed, bn254.g2_compressed_to_lem, g2),
        (bn254.g1_lem_to_uncompressed, bn254.g1_uncompressed_to_lem, g1),
        (bn254.g2_lem_to_uncompressed, bn254.g2_uncompressed_to_lem, g2),
    ):
        out, bad = dec(enc(arr))
        assert bad == -1 and np.array_equal(out, arr), dec.__name__


def _not_on_curve_x():
    """An x with x^3 + 3 not a square (no G1 point has it)."""
    x = 1
    while pow(x**3 + 3, (Q - 1) // 2, Q) == 1:
        x += 1
    return x


def test_compressed_decoder_names_the_first_bad_encoding():
    good = bytearray(bn254.g1_lem_to_compressed(_g1s(9)))  # 10 points, the last infinity
    cases = {
        3: Q.to_bytes(32, "big"),  # x = q: not canonical
        5: _not_on_curve_x().to_bytes(32, "big"),  # x^3 + 3 not a square
        6: bytes([0xC0]) + bytes(31),  # infinity flag with the sign flag
        7: bytes([0x40]) + bytes(30) + b"\x01",  # infinity flag, x not zero
    }
    for idx, enc in sorted(cases.items(), reverse=True):
        bad = bytearray(good)
        bad[32 * idx : 32 * idx + 32] = enc
        assert bn254.g1_compressed_to_lem(bytes(bad))[1] == idx
    g2 = bytearray(bn254.g2_lem_to_compressed(_g2s(3)))
    g2[64 + 32 : 64 + 64] = Q.to_bytes(32, "big")  # x.c0 = q
    assert bn254.g2_compressed_to_lem(bytes(g2))[1] == 1
    u = bytearray(bn254.g2_lem_to_uncompressed(_g2s(3)))
    u[128 * 2 + 96 : 128 * 2 + 128] = Q.to_bytes(32, "big")  # y.c0 = q
    assert bn254.g2_uncompressed_to_lem(bytes(u))[1] == 2


# ---------------------------------------------------------------------------
# challenge -> response -> import, with snarkjs
# ---------------------------------------------------------------------------


def _ok(r):
    return "Powers of Tau Ok!" in r.stdout + r.stderr


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    """A zkats ceremony of 2^4 with one contribution, its challenge, and a
    response snarkjs made to it."""
    d = tmp_path_factory.mktemp("ptau_challenge")
    zkats("powersoftau", "new", "bn128", "4", d / "p0.ptau", "-q")
    zkats("powersoftau", "contribute", d / "p0.ptau", d / "p1.ptau", "-n=first", "-e=x", "-q")
    zkats("powersoftau", "export", "challenge", d / "p1.ptau", d / "challenge")
    snarkjs(
        "powersoftau", "challenge", "contribute", "bn128", d / "challenge", d / "response", "-e=x"
    )
    snarkjs("powersoftau", "challenge", "contribute", "bn128", d / "challenge", d / "other", "-e=y")
    return d


@pytest.mark.peers
def test_snarkjs_response_imported_by_zkats(ours, tmp_path):
    d = ours
    r = zkats(
        "powersoftau", "import", "response", d / "p1.ptau", d / "response", tmp_path / "z.ptau",
        "-n=second",
    )  # fmt: skip
    assert "Contribution Response Hash imported:" in r.stdout
    snarkjs(
        "powersoftau", "import", "response", d / "p1.ptau", d / "response", tmp_path / "s.ptau",
        "-n=second",
    )  # fmt: skip
    assert (tmp_path / "z.ptau").read_bytes() == (tmp_path / "s.ptau").read_bytes()
    assert _ok(snarkjs("powersoftau", "verify", tmp_path / "z.ptau"))
    out = zkats("powersoftau", "verify", tmp_path / "z.ptau", "-q").stdout
    assert "contribution #2: second" in out and "Powers of Tau OK" in out
    # the ceremony goes on from the imported file: prepared, then a circuit setup can use it
    zkats("powersoftau", "contribute", tmp_path / "z.ptau", tmp_path / "z3.ptau", "-e=t", "-q")
    zkats("powersoftau", "prepare", "phase2", tmp_path / "z3.ptau", tmp_path / "f.ptau", "-q")
    assert _ok(snarkjs("powersoftau", "verify", tmp_path / "f.ptau"))


@pytest.mark.peers
def test_zkats_response_imported_by_snarkjs(tmp_path):
    snarkjs("powersoftau", "new", "bn128", "4", tmp_path / "s0.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "s0.ptau", tmp_path / "s1.ptau", "-e=a")
    snarkjs("powersoftau", "export", "challenge", tmp_path / "s1.ptau", tmp_path / "ch.bin")
    r = zkats("powersoftau", "challenge", "contribute", "bn128", tmp_path / "ch.bin", "-e=q", "-q")
    resp = tmp_path / "ch.response"  # snarkjs' default name
    assert resp.exists() and "Contribution Response Hash:" in r.stdout
    snarkjs(
        "powersoftau", "import", "response", tmp_path / "s1.ptau", resp, tmp_path / "s2.ptau",
        "-n=zk",
    )  # fmt: skip
    assert _ok(snarkjs("powersoftau", "verify", tmp_path / "s2.ptau"))
    zkats(
        "powersoftau", "import", "response", tmp_path / "s1.ptau", resp, tmp_path / "z2.ptau",
        "-n=zk", "-q",
    )  # fmt: skip
    assert (tmp_path / "z2.ptau").read_bytes() == (tmp_path / "s2.ptau").read_bytes()
    assert "Powers of Tau OK" in zkats("powersoftau", "verify", tmp_path / "z2.ptau", "-q").stdout


def _refused(old, response, out, text):
    before = old.read_bytes()
    r = zkats("powersoftau", "import", "response", old, response, out, "-q", check=False)
    assert r.returncode == 1, r.stdout
    assert text in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert old.read_bytes() == before
    assert not out.exists() and not list(out.parent.glob(out.name + ".tmp*"))


@pytest.mark.peers
def test_a_response_that_does_not_match_is_refused(ours, tmp_path):
    d = ours
    out = tmp_path / "new.ptau"
    resp = (d / "response").read_bytes()
    # answers another state of the ceremony (the file before the contribution)
    _refused(d / "p0.ptau", d / "response", out, "not this ptau's current challenge")
    _refused(d / "p1.ptau", tmp_path / "absent", out, "absent: cannot read")
    # cut short, and a response of another power
    (tmp_path / "short").write_bytes(resp[:-100])
    _refused(d / "p1.ptau", tmp_path / "short", out, "cut short")
    zkats("powersoftau", "new", "bn128", "3", tmp_path / "p3.ptau", "-q")
    _refused(tmp_path / "p3.ptau", d / "response", out, "it answers a 2^4 challenge")
    # bytes that are not a point: x = q in the first tauG2 point
    bad = bytearray(resp)
    at = 64 + 31 * 32
    bad[at : at + 32] = Q.to_bytes(32, "big")
    (tmp_path / "notpoint").write_bytes(bytes(bad))
    _refused(d / "p1.ptau", tmp_path / "notpoint", out, "tauG2 point 0")
    # valid points that are not the contribution: alphaTauG1 of another response
    other = (d / "other").read_bytes()
    lo = 64 + 31 * 32 + 16 * 64
    mixed = resp[:lo] + other[lo : lo + 16 * 32] + resp[lo + 16 * 32 :]
    (tmp_path / "mixed").write_bytes(mixed)
    _refused(d / "p1.ptau", tmp_path / "mixed", out, "the contribution does not verify")
