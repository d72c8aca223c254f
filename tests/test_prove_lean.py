"""`zkats groth16 prove` from the console entry point (zkats.cli.run): the
lean front end (no click, no numpy) against the click command on the same
files -- proofs that verify (snarkjs too, for a snarkjs key), the same
one-line errors on bad input, the same --help and usage errors -- and the
single native prover call against the per-step reference kernels."""

import json
import os
import subprocess
import sys

import pytest

from circuit_helpers import contributed_key
from zkats import bn254
from zkats.circuit import compile_circuit, load_circuit
from zkats.field import R
from zkats.formats.r1cs import write_r1cs
from zkats.formats.snarkjs_json import read_proof, read_public, write_verification_key
from zkats.formats.wtns import read_wtns, read_wtns_buffer, write_wtns
from zkats.formats.zkey import read_zkey, write_zkey
from zkats.formats.zkey_layout import open_zkey
from zkats.groth16 import prover
from zkats.groth16.r1cs_to_qap import quotient_scalars
from zkats.groth16.verifier import verify

# Runs one command in a fresh process, either through the console entry point
# (`lean`: what the `zkats` script and `python -m zkats.cli` call) or through
# the click group directly (`click`), and reports the exit code and which of
# numpy and click were imported on the last line of stdout.
_RUN = """
import json, sys
mode = sys.argv.pop(1)
sys.argv[0] = "zkats"
try:
    if mode == "lean":
        from zkats.cli import run
        run()
    else:
        from zkats.cli import main
        main(sys.argv[1:])
    code = 0
except SystemExit as e:
    code = e.code
mods = {m.split(".")[0] for m in sys.modules}
libcrypto = any("libcrypto" in line for line in open("/proc/self/maps"))
print("@@" + json.dumps(
    {"code": code, "numpy": "numpy" in mods, "click": "click" in mods, "libcrypto": libcrypto}
))
"""


def _zkats(mode, *args):
    """``mode``: "lean" (the Python lean path: ZKATS_NATIVE_PROVE=0), "click",
    or "native" (the console entry point with the native prover required:
    the process is replaced by it, so no module report; with --r1cs, which
    the native prover leaves to Python, the default mode)."""
    args = [str(a) for a in args]
    if mode == "native":
        env = dict(os.environ, ZKATS_NATIVE_PROVE="auto" if "--r1cs" in args else "1")
        r = subprocess.run(
            [sys.executable, "-m", "zkats", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        return {"code": r.returncode, "stdout": r.stdout, "stderr": r.stderr}
    r = subprocess.run(
        [sys.executable, "-c", _RUN, mode, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, ZKATS_NATIVE_PROVE="0"),
    )
    lines = r.stdout.splitlines()
    assert lines and lines[-1].startswith("@@"), r.stdout + r.stderr
    info = json.loads(lines[-1][2:])
    info["stdout"] = "\n".join(lines[:-1])
    info["stderr"] = r.stderr
    return info


@pytest.fixture(scope="module")
def mult(tmp_path_factory):
    """The multiplier circuit set up by zkats: zkey, r1cs, witness, vk."""
    cc, zk = contributed_key("multiplier", contributor="lean")
    d = tmp_path_factory.mktemp("lean")
    write_zkey(d / "m.zkey", zk)
    write_r1cs(d / "m.r1cs", cc.r1cs)
    w = cc.solve({"a": 3, "b": 11})
    write_wtns(d / "m.wtns", w.values)
    write_verification_key(d / "vk.json", zk.verifying_key())
    return cc, d


def test_lean_path_proves_without_numpy_or_click(mult, tmp_path):
    cc, d = mult
    vk = read_zkey(d / "m.zkey").verifying_key()
    for mode in ("lean", "click", "native"):
        pf, pub = tmp_path / f"{mode}_proof.json", tmp_path / f"{mode}_public.json"
        out = _zkats(mode, "groth16", "prove", d / "m.zkey", d / "m.wtns", pf, pub, "--json")
        assert out["code"] == 0, out["stderr"]
        timings = json.loads(out["stdout"].splitlines()[-1])["timings_s"]
        assert {"read zkey", "quotient", "msm A", "msm C+H", "self-check", "total"} <= set(timings)
        assert "[zkats] quotient + msm ..." in out["stderr"]
        assert verify(vk, read_public(pub), read_proof(pf))
        assert read_public(pub) == [33, 3]
        # snarkjs' layout: JSON.stringify(o, null, 1)
        text = pf.read_text()
        assert text == json.dumps(json.loads(text), indent=1)
        assert pub.read_text() == json.dumps(["33", "3"], indent=1)
        if mode == "lean":
            assert out["numpy"] is False and out["click"] is False
            # nor OpenSSL (secrets' hmac import): 3.4 MiB of peak memory
            assert out["libcrypto"] is False
    assert read_proof(tmp_path / "lean_proof.json") != read_proof(tmp_path / "click_proof.json")
    assert read_proof(tmp_path / "native_proof.json") != read_proof(tmp_path / "lean_proof.json")
    # the same stage lines and timing keys, in the same order
    runs = {}
    for mode in ("lean", "native"):
        out = _zkats(mode, "groth16", "prove", d / "m.zkey", d / "m.wtns", pf, pub, "--json")
        runs[mode] = (
            [ln.split(" ...")[0] for ln in out["stderr"].splitlines()],
            list(json.loads(out["stdout"].splitlines()[-1])["timings_s"]),
        )
    assert runs["lean"] == runs["native"]
    # --r1cs on a good witness: still proves (the R1CS reader may import numpy)
    out = _zkats(
        "lean",
        "groth16",
        "prove",
        d / "m.zkey",
        d / "m.wtns",
        tmp_path / "p.json",
        tmp_path / "q.json",
        "--quiet",
        "--r1cs",
        d / "m.r1cs",
    )
    assert out["code"] == 0 and out["stderr"] == "", out["stderr"]


def _bad_inputs(mult, tmp_path):
    cc, d = mult
    good = (d / "m.zkey").read_bytes()
    (tmp_path / "trunc.zkey").write_bytes(good[:-1])
    w = read_wtns(d / "m.wtns")
    write_wtns(tmp_path / "short.wtns", w[:-1])
    raw = bytearray((d / "m.wtns").read_bytes())
    off = len(raw) - 32 * w.shape[0]  # section 2 holds the values last
    nc = bytearray(raw)
    nc[off + 64 : off + 96] = R.to_bytes(32, "little")
    (tmp_path / "noncanon.wtns").write_bytes(bytes(nc))
    w0 = w.copy()
    w0[0, 0] = 2
    write_wtns(tmp_path / "wire0.wtns", w0)
    bad = w.copy()
    bad[-1, 0] ^= 1
    write_wtns(tmp_path / "unsat.wtns", bad)
    z, wt, r1 = d / "m.zkey", d / "m.wtns", d / "m.r1cs"
    return {
        "truncated zkey": ([tmp_path / "trunc.zkey", wt], "runs past|trailing|size"),
        "missing zkey": ([tmp_path / "nope.zkey", wt], "cannot open"),
        "witness size": ([z, tmp_path / "short.wtns"], "expects"),
        "non-canonical witness": ([z, tmp_path / "noncanon.wtns"], "witness value 2 is not < r"),
        "wire 0": ([z, tmp_path / "wire0.wtns"], r"witness\[0\] must be 1"),
        "unsatisfied": ([z, tmp_path / "unsat.wtns"], "does not satisfy the circuit.*--r1cs"),
        "unsatisfied --r1cs": (
            [z, tmp_path / "unsat.wtns", "--r1cs", r1],
            "does not satisfy constraint",
        ),
        "r1cs of another size": ([z, wt, "--r1cs", tmp_path / "other.r1cs"], "the R1CS has"),
    }


def test_same_one_line_errors(mult, tmp_path):
    import re

    other = compile_circuit(load_circuit("divmod"))
    write_r1cs(tmp_path / "other.r1cs", other.r1cs)
    for name, (args, pattern) in _bad_inputs(mult, tmp_path).items():
        files, extra = args[:2], args[2:]
        res = {}
        for mode in ("lean", "click", "native"):
            pf = tmp_path / f"{mode}.json"
            res[mode] = _zkats(
                mode, "groth16", "prove", *files, pf, tmp_path / "pub.json", "--quiet", *extra
            )
            assert not pf.exists(), name
        lean, click, native = res["lean"], res["click"], res["native"]
        assert lean["code"] == click["code"] == native["code"] == 1, (name, lean, click, native)
        assert lean["stderr"] == click["stderr"] == native["stderr"], name
        lines = lean["stderr"].strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("zkats: error: "), (name, lean["stderr"])
        assert re.search(pattern, lines[0]), (name, lines[0])
        if name != "unsatisfied --r1cs" and name != "r1cs of another size":
            assert lean["numpy"] is False and lean["click"] is False, name


def test_help_and_usage_errors_are_clicks(mult, tmp_path):
    _, d = mult
    cases = [
        ["--help"],
        [d / "m.zkey", "--help"],
        [d / "m.zkey", d / "m.wtns", tmp_path / "p.json", tmp_path / "q.json", "extra"],
        [d / "m.zkey", d / "m.wtns", tmp_path / "p.json", tmp_path / "q.json", "--bogus"],
        [d / "m.zkey", d / "m.wtns", tmp_path / "p.json", tmp_path / "q.json", "--r1cs"],
        [d, d / "m.wtns", tmp_path / "p.json", tmp_path / "q.json"],
    ]
    for args in cases:
        lean = _zkats("lean", "groth16", "prove", *args)
        click = _zkats("click", "groth16", "prove", *args)
        for k in ("code", "stdout", "stderr"):
            assert lean[k] == click[k], (args, k, lean, click)
        assert lean["click"] is True
    usage = "Usage: zkats groth16 prove [OPTIONS] [circuit_final.zkey] [witness.wtns]"
    assert usage in lean["stderr"]


def test_lean_parser():
    from zkats.cli._lean_prove import parse

    base = ["k.zkey", "w.wtns", "p.json", "q.json"]
    assert parse(base) == dict(
        zkey_file="k.zkey",
        wtns_file="w.wtns",
        proof_file="p.json",
        public_file="q.json",
        r1cs_file=None,
        quiet=False,
        as_json=False,
        verbose=False,
    )
    assert parse(["-v", *base])["verbose"] and parse([*base, "--verbose"])["verbose"]
    got = parse(["--json", "k.zkey", "--r1cs", "c.r1cs", "w.wtns", "p.json", "--quiet", "q.json"])
    assert (
        got["r1cs_file"] == "c.r1cs"
        and got["quiet"]
        and got["as_json"]
        and got["public_file"] == "q.json"
    )
    assert parse(base + ["--r1cs=c.r1cs"])["r1cs_file"] == "c.r1cs"
    # snarkjs' default names for the paths not given
    assert parse(base[:3])["public_file"] == "public.json"
    assert parse([]) == dict(
        parse(["circuit_final.zkey", "witness.wtns", "proof.json", "public.json"]),
    )
    assert parse(["--quiet"])["zkey_file"] == "circuit_final.zkey"
    for bad in (
        base + ["x"],
        base + ["--help"],
        base + ["-q"],
        base + ["--r1cs"],
        base + ["--r1cs", "a", "--r1cs", "b"],
        base + ["--r1cs", "--json"],
        ["--"] + base,
        base[:3] + ["-"],
        base[:3] + [""],
    ):
        assert parse(bad) is None, bad


def _reference_points(zk, w):
    """A.w, B1.w, B2.w, C.w + H.h with the per-step numpy kernels."""
    import numpy as np

    h = quotient_scalars(zk.coeffs_raw, w, zk.domain_size, zk.power)
    return [
        bn254.msm_g1_array(zk.A, w),
        bn254.msm_g1_array(zk.B1, w),
        bn254.msm_g2_array(zk.B2, w),
        bn254.g1_add(
            bn254.msm_g1_array(zk.C, np.ascontiguousarray(w[zk.n_public + 1 :])),
            bn254.msm_g1_array(zk.H, h),
        ),
    ]


@pytest.mark.parametrize("overlap", [True, False])
def test_native_core_matches_reference_kernels(mult, monkeypatch, overlap):
    _, d = mult
    monkeypatch.setattr(prover, "OVERLAP", overlap)
    zk = read_zkey(d / "m.zkey")
    w = read_wtns(d / "m.wtns")
    want = _reference_points(zk, w)
    timings = {}
    assert prover._core(zk, prover._witness_bytes(w, zk.n_vars), timings) == want
    assert set(timings) == set(prover.CORE_STAGES)
    lay = open_zkey(d / "m.zkey")
    assert prover._core(lay, read_wtns_buffer(d / "m.wtns")) == want


def test_prove_accepts_every_witness_form(mult):
    cc, d = mult
    zk, lay = read_zkey(d / "m.zkey"), open_zkey(d / "m.zkey")
    w = read_wtns(d / "m.wtns")
    vk = zk.verifying_key()
    assert lay.verifying_key() == vk
    forms = [w, read_wtns_buffer(d / "m.wtns"), cc.solve({"a": 3, "b": 11}).values, w.tobytes()]
    for key in (zk, lay):
        for form in forms:
            proof, public = prover.prove(key, form)
            assert public == [33, 3] and verify(vk, public, proof)
    with pytest.raises(Exception, match="canonical"):
        prover.prove(lay, [1, R] + [0] * (zk.n_vars - 2))
    with pytest.raises(Exception, match="32-byte"):
        prover.prove(lay, b"\x01" * 33)


def test_layout_matches_read_zkey(mult):
    _, d = mult
    zk, lay = read_zkey(d / "m.zkey"), open_zkey(d / "m.zkey")
    for k in (
        "n_vars",
        "n_public",
        "domain_size",
        "alpha_1",
        "beta_1",
        "beta_2",
        "gamma_2",
        "delta_1",
        "delta_2",
        "ic",
        "cs_hash",
        "contributions",
        "section_order",
    ):
        assert getattr(lay, k) == getattr(zk, k), k
    assert lay.contributions[0].name == b"lean"
    bufs = lay.section_buffers()
    assert bytes(bufs["coeffs"]) == bytes(zk.coeffs_raw)
    for name in ("A", "B1", "B2", "C", "H"):
        assert bytes(bufs[name]) == getattr(zk, name).tobytes(), name


@pytest.mark.peers
def test_snarkjs_key_lean_proof_accepted_by_snarkjs(tmp_path_factory, tmp_path):
    """The lean path on a circom2 + snarkjs key and witness: snarkjs verifies."""
    from _groth16_peers import snarkjs_artifacts

    art = snarkjs_artifacts(tmp_path_factory)
    for mode in ("lean", "native"):
        pf, pub = tmp_path / f"{mode}_proof.json", tmp_path / f"{mode}_public.json"
        out = _zkats(mode, "groth16", "prove", art.zkey, art.wtns, pf, pub, "--quiet")
        assert out["code"] == 0 and out["stderr"] == "", out["stderr"]
        if mode == "lean":
            assert not out["numpy"] and not out["click"]
        assert json.loads(pub.read_text()) == json.loads(art.public.read_text())
        r = subprocess.run(
            [art.snarkjs, "groth16", "verify", str(art.vk), str(pub), str(pf)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr
        assert verify(open_zkey(art.zkey).verifying_key(), read_public(pub), read_proof(pf))


def _mapped_rss_kib(path):
    """Resident KiB of this process' map(s) of ``path`` (/proc/self/smaps)."""
    import re

    total, inside = 0, False
    with open("/proc/self/smaps") as f:
        for line in f:
            if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):  # a mapping's header line
                inside = line.rstrip().endswith(" " + str(path))
            elif inside and line.startswith("Rss:"):
                total += int(line.split()[1])
    return total


def test_release_pages_drops_the_key_and_keeps_it_usable(tmp_path):
    """prove_files (the CLI) drops each key section's file pages once the
    core has read them: the map's resident size falls by at least the
    point sections, and the same layout proves again (pages come back from
    the file).  A key in memory ignores the flag (its arrays stay intact)."""
    import shutil

    import numpy as np

    from zkats.circuit import Circuit, Output, Private
    from zkats.groth16 import ceremony, phase2
    from zkats.groth16.generator import new_zkey

    class Chain(Circuit):
        out = Output()
        x = Private()

        def define(self, api):
            t = api.lc(self.x)
            for _ in range(1500):
                t = api.mul(t, self.x) + 1
            api.set_output(self.out, t)

    cc = compile_circuit(Chain(), cache=False)
    zk = phase2.contribute(new_zkey(cc.r1cs, ceremony.dev_prepared_ptau(11)[0]))[0]
    w = cc.solve({"x": 3})
    vk = zk.verifying_key()
    write_zkey(tmp_path / "k0.zkey", zk)
    shutil.copy(tmp_path / "k0.zkey", tmp_path / "k1.zkey")
    sections = sum(memoryview(getattr(zk, s)).nbytes for s in ("A", "B1", "B2", "C", "H"))
    assert sections > 40 * 4096  # several pages per section: something to drop
    rss = {}
    keep = []
    for release, name in ((False, "k0.zkey"), (True, "k1.zkey")):
        lay = open_zkey(tmp_path / name)
        keep.append(lay)
        for _ in range(2):  # a second proof reads the dropped pages again
            proof, public = prover.prove(lay, w.values, release_pages=release)
            assert verify(vk, public, proof)
        rss[release] = _mapped_rss_kib(tmp_path / name)
    # at least half of the point sections' pages are no longer resident in
    # the released map (an absolute bound: comparing with k0's map depended
    # on the kernel keeping k0's pages, and fault-around maps a few pages
    # next to every later read, which a loaded machine made flaky)
    size = (tmp_path / "k1.zkey").stat().st_size
    assert rss[True] * 1024 <= size - sections // 2, (rss, size, sections)
    before = {s: getattr(zk, s).copy() for s in ("A", "B1", "B2", "C", "H")}
    proof, public = prover.prove(zk, w.values, release_pages=True)
    assert verify(vk, public, proof)
    assert all(np.array_equal(getattr(zk, s), a) for s, a in before.items())
