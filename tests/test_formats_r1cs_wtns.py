"""The .r1cs/.wtns readers and writers, including live interop with circom2 and snarkjs."""

import json
import random
import re
import struct
import subprocess

import numpy as np
import pytest

from conftest import ROOT, require_peer
from zkats.circuit import Circuit, Output, Private, Public, compile_circuit
from zkats.errors import FormatError, InputError
from zkats.field import R, ints_to_limbs
from zkats.formats.binfile import BinFile, limbs_below
from zkats.formats.r1cs import r1cs_unsatisfied, read_r1cs, write_r1cs
from zkats.formats.wtns import read_wtns, read_wtns_ints, write_wtns
from zkats.gadgets.comparators import is_zero, less_than
from zkats.r1cs import R1CS, SparseMatrix

rng = random.Random(3)


class Demo(Circuit):
    """A zkats twin of tests/circom/range_compare.circom."""

    ok = Output()
    prod = Output()
    limit = Public()
    x = Private()
    y = Private()

    def define(self, api):
        from zkats.gadgets.bits import range_check

        range_check(api, self.x, 32)
        range_check(api, self.limit, 32)
        lt = less_than(api, 32, self.x, self.limit)
        api.set_output(self.ok, lt * (1 - is_zero(api, self.y)))
        api.set_output(self.prod, self.x * self.y)


@pytest.fixture(scope="module")
def demo():
    return compile_circuit(Demo(), cache=False)


@pytest.fixture(scope="module")
def demo_files(demo, tmp_path_factory):
    d = tmp_path_factory.mktemp("zk")
    w = demo.solve({"limit": 1000, "x": 999, "y": 7})
    write_r1cs(d / "demo.r1cs", demo)
    write_wtns(d / "demo.wtns", w)
    return d, w


def _same(a, b):
    assert (a.n_wires, a.n_pub_out, a.n_pub_in, a.n_prv_in, a.n_constraints) == (
        b.n_wires,
        b.n_pub_out,
        b.n_pub_in,
        b.n_prv_in,
        b.n_constraints,
    )
    for k in "ABC":
        x, y = getattr(a, k), getattr(b, k)
        assert np.array_equal(x.rows, y.rows) and np.array_equal(x.cols, y.cols)
        assert np.array_equal(x.coeffs, y.coeffs)


def test_roundtrip_zkats(demo, demo_files):
    d, w = demo_files
    r = read_r1cs(d / "demo.r1cs")
    _same(r, demo.r1cs)
    assert r.n_labels == demo.n_wires and list(r.wire_to_label) == list(range(demo.n_wires))
    assert read_wtns_ints(d / "demo.wtns") == w.values
    assert r1cs_unsatisfied(r, w.values) == [] and r.check(w.values) == []
    bad = list(w.values)
    bad[5] = (bad[5] + 1) % R
    assert r1cs_unsatisfied(r, bad) == r.check(bad) != []


def test_roundtrip_random_r1cs(tmp_path):
    for trial in range(5):
        n_wires, m = rng.randrange(1, 40), rng.randrange(0, 30)
        mats = []
        for _ in range(3):
            trip = (
                [
                    (
                        rng.randrange(m),
                        rng.randrange(n_wires),
                        rng.choice([1, R - 1, rng.randrange(R)]),
                    )
                    for _ in range(rng.randrange(0, 60))
                ]
                if m
                else []
            )
            mats.append(SparseMatrix.from_triples(trip))
        r = R1CS(
            n_wires=n_wires,
            n_pub_out=0,
            n_pub_in=0,
            n_prv_in=min(1, n_wires - 1),
            n_constraints=m,
            A=mats[0],
            B=mats[1],
            C=mats[2],
        )
        p = tmp_path / f"r{trial}.r1cs"
        write_r1cs(p, r)
        _same(read_r1cs(p), r)
        vals = [1] + [rng.randrange(R) for _ in range(n_wires - 1)]
        assert r1cs_unsatisfied(read_r1cs(p), vals, first_only=False) == r.check(
            vals, first_only=False
        )


def test_wtns_inputs(tmp_path):
    write_wtns(tmp_path / "a.wtns", ints_to_limbs([1, 2, R - 1]))
    assert read_wtns_ints(tmp_path / "a.wtns") == [1, 2, R - 1]
    assert read_wtns(tmp_path / "a.wtns").dtype == np.uint64
    write_wtns(tmp_path / "e.wtns", [])
    assert read_wtns_ints(tmp_path / "e.wtns") == []
    with pytest.raises(InputError):
        write_wtns(tmp_path / "b.wtns", [1, R])
    with pytest.raises(InputError):
        write_wtns(tmp_path / "b.wtns", ints_to_limbs([R]))


def test_limbs_below_edges():
    vals = [0, 1, R - 1, R, R + 1, 2**256 - 1, R - 2**64, R + 2**192]
    assert limbs_below(ints_to_limbs(vals)).tolist() == [v < R for v in vals]


# ----------------------------------------------------------- malformed files
def _patch(src, dst, offset, data):
    b = bytearray(src.read_bytes())
    b[offset : offset + len(data)] = data
    dst.write_bytes(bytes(b))
    return dst


def _sec(path, sid):
    return BinFile(path, path.suffix[1:].encode(), 1 if path.suffix == ".r1cs" else 2).unique(sid)


@pytest.mark.parametrize(
    "case,needle",
    [
        ("magic", "wrong magic"),
        ("version", "unsupported version"),
        ("truncated", "runs past the end"),
        ("trailing", "trailing bytes"),
        ("n8", "field size 48"),
        ("prime", "is not BN254"),
        ("nwires", "do not fit in"),
        ("coeff", "coefficient is not < r"),
        ("wire", ">= nWires"),
        ("nterms", "runs past the section end"),
        ("mconstraints", "too small for"),
        ("label", "label id"),
    ],
)
def test_r1cs_malformed(demo_files, tmp_path, case, needle):
    d, _ = demo_files
    src = d / "demo.r1cs"
    dst = tmp_path / "bad.r1cs"
    h_off, _ = _sec(src, 1)
    c_off, c_size = _sec(src, 2)
    l_off, _ = _sec(src, 3)
    if case == "magic":
        _patch(src, dst, 0, b"r1cx")
    elif case == "version":
        _patch(src, dst, 4, struct.pack("<I", 2))
    elif case == "truncated":
        dst.write_bytes(src.read_bytes()[:-10])
    elif case == "trailing":
        dst.write_bytes(src.read_bytes() + b"\0")
    elif case == "n8":
        _patch(src, dst, h_off, struct.pack("<I", 48))
    elif case == "prime":
        _patch(src, dst, h_off + 4, (R + 2).to_bytes(32, "little"))
    elif case == "nwires":
        _patch(src, dst, h_off + 36, struct.pack("<I", 3))
    elif case == "coeff":
        (n,) = struct.unpack_from("<I", src.read_bytes(), c_off)
        assert n >= 1
        _patch(src, dst, c_off + 8, R.to_bytes(32, "little"))
    elif case == "wire":
        _patch(src, dst, c_off + 4, struct.pack("<I", 10**6))
    elif case == "nterms":
        _patch(src, dst, c_off, struct.pack("<I", 10**6))
    elif case == "mconstraints":
        _patch(src, dst, h_off + 60, struct.pack("<I", 2**31))
    elif case == "label":
        _patch(src, dst, l_off, struct.pack("<Q", 2**40))
    with pytest.raises(FormatError) as e:
        read_r1cs(dst)
    assert needle in str(e.value) and str(dst) in str(e.value)


@pytest.mark.parametrize(
    "case,needle",
    [
        ("magic", "wrong magic"),
        ("count", "expected"),
        ("value", "witness value 2 is not < r"),
        ("prime", "is not BN254"),
        ("short", "too short"),
    ],
)
def test_wtns_malformed(demo_files, tmp_path, case, needle):
    d, _ = demo_files
    src = d / "demo.wtns"
    dst = tmp_path / "bad.wtns"
    h_off, _ = _sec(src, 1)
    v_off, _ = _sec(src, 2)
    if case == "magic":
        _patch(src, dst, 0, b"wtnz")
    elif case == "count":
        _patch(src, dst, h_off + 36, struct.pack("<I", 10**9))
    elif case == "value":
        _patch(src, dst, v_off + 64, (R + 5).to_bytes(32, "little"))
    elif case == "prime":
        _patch(src, dst, h_off + 4, (R - 2).to_bytes(32, "little"))
    elif case == "short":
        dst.write_bytes(b"wtns\2\0\0")
    with pytest.raises(FormatError) as e:
        read_wtns(dst)
    assert needle in str(e.value)
    assert "section" in str(e.value) or case in ("magic", "short")


# ------------------------------------------------------------- live interop
def _run(*args):
    return subprocess.run(
        [str(a) for a in args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.peers
def test_snarkjs_reads_zkats_files(demo, demo_files, tmp_path):
    snarkjs = require_peer("snarkjs")
    d, w = demo_files
    info = _run(snarkjs, "r1cs", "info", d / "demo.r1cs")
    assert info.returncode == 0, info.stderr
    out = re.sub(r"\x1b\[[0-9;]*m", "", info.stdout)
    fields = dict(re.findall(r"# of ([A-Za-z ]+): (\d+)", out))
    assert int(fields["Wires"]) == demo.n_wires
    assert int(fields["Constraints"]) == demo.n_constraints
    assert int(fields["Private Inputs"]) == demo.n_prv_in
    assert int(fields["Public Inputs"]) == demo.n_pub_in
    assert int(fields["Outputs"]) == demo.n_pub_out
    ok = _run(snarkjs, "wtns", "check", d / "demo.r1cs", d / "demo.wtns")
    assert ok.returncode == 0 and "WITNESS IS CORRECT" in ok.stdout, ok.stdout + ok.stderr
    bad = list(w.values)
    bad[-1] = (bad[-1] + 1) % R
    write_wtns(tmp_path / "bad.wtns", bad)
    nok = _run(snarkjs, "wtns", "check", d / "demo.r1cs", tmp_path / "bad.wtns")
    assert nok.returncode != 0


@pytest.fixture(scope="module")
def circom_build(tmp_path_factory):
    circom = require_peer("circom2")
    snarkjs = require_peer("snarkjs")
    d = tmp_path_factory.mktemp("circom")
    r = _run(
        circom,
        "tests/circom/range_compare.circom",
        "--r1cs",
        "--wasm",
        "-l",
        "node_modules",
        "-o",
        d,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    inp = d / "input.json"
    inp.write_text(json.dumps({"limit": "1000", "x": 999, "y": 7}))
    r = _run(
        snarkjs,
        "wtns",
        "calculate",
        d / "range_compare_js" / "range_compare.wasm",
        inp,
        d / "w.wtns",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return d


@pytest.mark.peers
def test_read_circom_r1cs_and_wtns(circom_build, demo, tmp_path):
    d = circom_build
    r = read_r1cs(d / "range_compare.r1cs")
    w = read_wtns_ints(d / "w.wtns")
    assert (r.n_pub_out, r.n_pub_in, r.n_prv_in) == (2, 1, 2)
    assert len(w) == r.n_wires and w[0] == 1
    assert w[1:4] == [1, 999 * 7, 1000]  # ok, prod, limit: same as zkats' public
    assert demo.solve({"limit": 1000, "x": 999, "y": 7}).public == w[1:4]
    assert r1cs_unsatisfied(r, w) == [] and r.check(w) == []
    for i in (4, 5, len(w) - 1):
        bad = list(w)
        bad[i] = (bad[i] + 1) % R
        assert r1cs_unsatisfied(r, bad) != []
    # re-writing gives the same sections (circom orders them 2, 1, 3)
    write_r1cs(tmp_path / "again.r1cs", r)
    a = BinFile(tmp_path / "again.r1cs", b"r1cs")
    b = BinFile(d / "range_compare.r1cs", b"r1cs")
    assert all(a.bytes(i) == b.bytes(i) for i in (1, 2, 3))
    write_wtns(tmp_path / "again.wtns", w)
    assert (tmp_path / "again.wtns").read_bytes() == (d / "w.wtns").read_bytes()


def test_fuzzed_files_fail_cleanly(demo_files, tmp_path):
    """Random corruptions: the readers either parse or raise FormatError, nothing else."""
    d, _ = demo_files
    frng = random.Random(11)
    for name, reader in (("demo.r1cs", read_r1cs), ("demo.wtns", read_wtns)):
        data = (d / name).read_bytes()
        for trial in range(150):
            b = bytearray(data)
            kind = trial % 3
            if kind == 0:
                for _ in range(frng.randrange(1, 4)):
                    b[frng.randrange(min(len(b), 140))] = frng.randrange(256)
            elif kind == 1:
                b = b[: frng.randrange(len(b))]
            else:
                pos = frng.randrange(len(b) - 4)
                b[pos : pos + 4] = struct.pack("<I", frng.choice([0, 1, 2**31, 2**32 - 1]))
            p = tmp_path / f"f{trial}{name[-5:]}"
            p.write_bytes(bytes(b))
            try:
                reader(p)
            except FormatError:
                pass


@pytest.mark.peers
def test_cli_checks_circom_files(circom_build):
    from click.testing import CliRunner

    from zkats.cli import main

    d = circom_build
    res = CliRunner().invoke(
        main, ["wtns", "check", str(d / "range_compare.r1cs"), str(d / "w.wtns")]
    )
    assert res.exit_code == 0 and "OK: 106 constraints" in res.output, res.output
    res = CliRunner().invoke(main, ["r1cs", "info", "--json", str(d / "range_compare.r1cs")])
    assert json.loads(res.output) == {
        "curve": "bn128",
        "wires": 107,
        "constraints": 106,
        "private_inputs": 2,
        "public_inputs": 1,
        "labels": 112,
        "outputs": 2,
    }
